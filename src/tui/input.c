/* The input line: a prompt and the editor's visible slice; the cursor by display width. */
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

static const char *prompt(struct tui *t)
{
	return t->acct->observer ? "(read-only)> " : "> ";
}

void input_draw(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	attr_t a = t->attr[TR_INPUT];
	const char *p = prompt(t);
	int pw = (int)strlen(p);
	if (pw >= wd)
		pw = 0; /* too narrow for a prompt: the text matters more */
	draw_text(w, 0, 0, p, (size_t)pw, pw, a);
	if (wd - pw <= 0)
		return;
	size_t first, col;
	el_view(&t->edit, (size_t)(wd - pw), &first, &col);
	const char *text = el_text(&t->edit) + first;
	draw_text(w, 0, pw, text, strlen(text), wd - pw, a);
}

void input_place_cursor(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	int pw = (int)strlen(prompt(t));
	if (pw >= wd)
		pw = 0;
	size_t first, col;
	el_view(&t->edit, (size_t)(wd > pw ? wd - pw : 1), &first, &col);
	int x = pw + (int)col;
	wmove(w, 0, x < wd ? x : wd - 1);
}
