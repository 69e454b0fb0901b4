/* The input area: a prompt and the editor's text, several rows when the text holds newlines
 * (Alt-Enter) or is longer than a row; the cursor by display width. While Ctrl-R search is
 * being typed it shows the query instead. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

static const char *prompt(struct tui *t)
{
	if (t->search == SEARCH_TYPING)
		return "search: ";
	if (t->acct->observer)
		return "(read-only)> ";
	if (t->code_next)
		return "code> ";
	return "> ";
}

static int prompt_width(struct tui *t, int wd)
{
	int pw = (int)strlen(prompt(t));
	return pw >= wd ? 0 : pw; /* too narrow for a prompt: the text matters more */
}

static struct editline *editor(struct tui *t)
{
	return t->search == SEARCH_TYPING ? &t->search_edit : &t->edit;
}

int input_rows_wanted(struct tui *t, int cols)
{
	int pw = prompt_width(t, cols);
	size_t r, c;
	size_t n = el_rows(editor(t), (size_t)(cols - pw > 1 ? cols - pw : 1), NULL, 0, &r, &c);
	return n > LAYOUT_INPUT_MAX_ROWS ? LAYOUT_INPUT_MAX_ROWS : (int)n;
}

/* The rows shown: the last h rows up to the cursor's. */
static size_t first_row(size_t cur_row, int h)
{
	return cur_row >= (size_t)h ? cur_row - (size_t)h + 1 : 0;
}

void input_draw(struct tui *t, WINDOW *w)
{
	int h, wd;
	getmaxyx(w, h, wd);
	attr_t a = t->attr[t->search == SEARCH_TYPING ? TR_HINT : TR_INPUT];
	const char *p = prompt(t);
	int pw = prompt_width(t, wd);
	draw_text(w, 0, 0, p, (size_t)pw, pw, t->attr[t->code_next ? TR_CODE : TR_INPUT]);
	if (wd - pw <= 0)
		return;
	struct editline *e = editor(t);
	size_t cur_row, cur_col, cols = (size_t)(wd - pw);
	size_t n = el_rows(e, cols, NULL, 0, &cur_row, &cur_col);
	struct el_row *rows = xcalloc(n, sizeof(*rows));
	el_rows(e, cols, rows, n, &cur_row, &cur_col);
	size_t first = first_row(cur_row, h);
	const char *text = el_text(e);
	for (int y = 0; y < h && first + (size_t)y < n; y++) {
		const struct el_row *r = &rows[first + (size_t)y];
		draw_text(w, y, pw, text + r->start, r->len, wd - pw, a);
	}
	free(rows);
	const char *hint = NULL;
	if (t->search == SEARCH_TYPING && el_is_empty(e))
		hint = "type to search, Enter/Ctrl-R next, Esc cancel";
	else if (t->acct->observer && el_is_empty(e))
		hint = "observing: posting needs an agent identity (-c FILE)";
	if (hint)
		draw_text(w, 0, pw, hint, strlen(hint), wd - pw - 1, t->attr[TR_HINT]);
}

void input_place_cursor(struct tui *t, WINDOW *w)
{
	int h, wd;
	getmaxyx(w, h, wd);
	int pw = prompt_width(t, wd);
	size_t cur_row, cur_col;
	el_rows(editor(t), (size_t)(wd > pw ? wd - pw : 1), NULL, 0, &cur_row, &cur_col);
	int y = (int)(cur_row - first_row(cur_row, h));
	int x = pw + (int)cur_col;
	wmove(w, y, x < wd ? x : wd - 1);
}
