/* The channel picker (Ctrl-K on an empty line end, or Ctrl-G): an overlay listing every
 * channel of every server and the DMs as "Server/#channel", filtered by fuzzy match as you
 * type. Up/Down (Ctrl-P/Ctrl-N) choose, Enter switches, Esc cancels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "fuzzy.h"
#include "tui_priv.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 0x1b

struct pick {
	struct mdl_channel *c;
	char *label;
	int score;
	size_t order;
};

/* "Server/#channel"; with several identities "@me:Server/#channel". */
static char *pick_label(const struct mdl_channel *c, int with_identity)
{
	const struct mdl_server *s = c->server;
	const char *server = s->is_dms ? "DMs" : s->name ? s->name : s->id;
	const char *who = with_identity && s->account->label ? s->account->label : "";
	const char *sep = with_identity ? ":" : "";
	if (c->name)
		return xasprintf("%s%s%s/#%s", who, sep, server, c->name);
	return xasprintf("%s%s%s/@%s", who, sep, server, c->peer ? c->peer : "?");
}

static int cmp_pick(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The matches, best first (caller frees with free_picks). */
static struct pick *matches(struct tui *t, size_t *n_out)
{
	const char *q = el_text(&t->picker_edit);
	struct pick *v = NULL;
	size_t n = 0, order = 0;
	struct srv_row *rows;
	size_t n_rows = tui_server_rows(t, &rows);
	for (size_t i = 0; i < n_rows; i++) {
		struct mdl_server *s = rows[i].s;
		for (size_t j = 0; j < s->n_channels; j++, order++) {
			char *label = pick_label(s->channels[j], t->n_ids > 1);
			int score = fuzzy_score(q, label);
			if (score < 0) {
				free(label);
				continue;
			}
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = (struct pick){ s->channels[j], label, score, order };
		}
	}
	free(rows);
	if (n)
		qsort(v, n, sizeof(*v), cmp_pick);
	*n_out = n;
	return v;
}

static void free_picks(struct pick *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
}

void picker_open(struct tui *t)
{
	t->picker_open = 1;
	t->picker_sel = 0;
	el_set(&t->picker_edit, "", 0);
	t->ui_dirty = 1;
}

void picker_key(struct tui *t, int is_keycode, wint_t ch)
{
	struct editline *e = &t->picker_edit;
	t->ui_dirty = 1;
	if (is_keycode) {
		switch (ch) {
		case KEY_UP: if (t->picker_sel > 0) t->picker_sel--; return;
		case KEY_DOWN: t->picker_sel++; return;
		case KEY_BACKSPACE: el_delete_back(e); t->picker_sel = 0; return;
		case KEY_ENTER: break;
		default: return;
		}
	} else if (ch == ESC || ch == CTRL('C') || ch == CTRL('G')) {
		t->picker_open = 0;
		return;
	} else if (ch == CTRL('P')) {
		if (t->picker_sel > 0)
			t->picker_sel--;
		return;
	} else if (ch == CTRL('N') || ch == '\t') {
		t->picker_sel++;
		return;
	} else if (ch == 0x7f || ch == CTRL('H')) {
		el_delete_back(e);
		t->picker_sel = 0;
		return;
	} else if (ch == CTRL('U')) {
		el_kill_to_start(e);
		t->picker_sel = 0;
		return;
	} else if (ch != '\r' && ch != '\n') {
		if (ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0)) {
			el_insert_cp(e, (uint32_t)ch);
			t->picker_sel = 0;
		}
		return;
	}
	/* Enter */
	size_t n;
	struct pick *v = matches(t, &n);
	if (n > 0) {
		size_t sel = t->picker_sel < n ? t->picker_sel : n - 1;
		tui_select_channel(t, v[sel].c);
	}
	free_picks(v, n);
	t->picker_open = 0;
}

void picker_draw(struct tui *t)
{
	if (!t->picker_open)
		return;
	int rows = t->lay.body_h, cols = t->lay.cols;
	int w = cols > 60 ? 56 : cols - 4, h = rows > 16 ? 14 : rows - 2;
	if (w < 10 || h < 3)
		return;
	WINDOW *win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
	if (!win)
		return;
	attr_t a = t->attr[TR_PICKER];
	wbkgdset(win, ' ' | a);
	werase(win);
	size_t n;
	struct pick *v = matches(t, &n);
	if (t->picker_sel >= n && n > 0)
		t->picker_sel = n - 1;
	char head[64];
	snprintf(head, sizeof(head), "go to (%zu): ", n);
	int x = 1 + draw_text(win, 0, 1, head, strlen(head), w - 2, a | A_BOLD);
	const char *q = el_text(&t->picker_edit);
	x += draw_text(win, 0, x, q, strlen(q), w - x - 1, a);
	int list_h = h - 1;
	size_t first = t->picker_sel >= (size_t)list_h ? t->picker_sel - (size_t)list_h + 1 : 0;
	for (int r = 0; r < list_h && first + (size_t)r < n; r++) {
		const struct pick *p = &v[first + (size_t)r];
		int sel = first + (size_t)r == t->picker_sel;
		attr_t la = sel ? t->attr[TR_SELECTED] : a;
		if (sel)
			draw_fill(win, r + 1, 0, w, la);
		int used = draw_untrusted(win, r + 1, 2, p->label, w - 10, la);
		if (p->c->mentions || p->c->unread) {
			char count[24];
			snprintf(count, sizeof(count), " %u%s", p->c->unread, p->c->mentions ? "!" : "");
			draw_text(win, r + 1, 2 + used, count, strlen(count), w - 3 - used,
				sel ? la : a | A_BOLD);
		}
	}
	free_picks(v, n);
	wnoutrefresh(win);
	delwin(win);
}
