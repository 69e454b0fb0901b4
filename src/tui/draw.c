/* Drawing primitives and the redraw of every pane (tui.c's on_prepare decides when).
 *
 * Text is placed cell by cell at the columns utf8_cp_width computes, so wrapping, cursor
 * placement and drawing agree even where the C library's wcwidth() disagrees (new emoji,
 * unassigned code points): such a glyph is drawn as U+FFFD padded to our width, which keeps
 * curses' idea of the screen identical to ours. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

struct cell {
	wchar_t wch[CCHARW_MAX + 1];
	int n;
	int width;
};

static void put_cell(WINDOW *w, int y, int x, struct cell *c, attr_t attr)
{
	cchar_t cc;
	c->wch[c->n] = L'\0';
	if (setcchar(&cc, c->wch, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL) == OK)
		mvwadd_wch(w, y, x, &cc);
}

int draw_text(WINDOW *w, int y, int x, const char *s, size_t n, int maxw, attr_t attr)
{
	int used = 0;
	struct cell c = { .n = 0 };
	for (size_t i = 0; i < n && s[i];) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		int cw = utf8_cp_width(cp);
		if (cw == 0) {
			/* A mark joins the glyph before it; without one it is dropped. */
			if (c.n > 0 && c.n < CCHARW_MAX - 1)
				c.wch[c.n++] = (wchar_t)cp;
			continue;
		}
		if (c.n > 0) {
			put_cell(w, y, x + used, &c, attr);
			used += c.width;
			c.n = 0;
		}
		if (used + cw > maxw)
			break;
		int lib = wcwidth((wchar_t)cp);
		if (lib != cw && !(lib == 1 && cw == 2)) {
			cp = 0xFFFD; /* width 1 everywhere; padded below */
			lib = 1;
		}
		c.wch[0] = (wchar_t)cp;
		c.n = 1;
		c.width = cw;
		if (lib < cw) {
			/* Flush now and pad, so the next glyph starts where we think it does. */
			put_cell(w, y, x + used, &c, attr);
			c.n = 0;
			for (int k = lib; k < cw; k++)
				mvwaddch(w, y, x + used + k, ' ' | attr);
			used += cw;
		}
	}
	if (c.n > 0) {
		put_cell(w, y, x + used, &c, attr);
		used += c.width;
	}
	return used;
}

int draw_untrusted(WINDOW *w, int y, int x, const char *raw, int maxw, attr_t attr)
{
	if (maxw <= 0)
		return 0;
	char *clean = utf8_sanitize(raw, 0);
	int used = draw_text(w, y, x, clean, strlen(clean), maxw, attr);
	free(clean);
	return used;
}

void draw_fill(WINDOW *w, int y, int x, int n, attr_t attr)
{
	for (int i = 0; i < n; i++)
		mvwaddch(w, y, x + i, ' ' | attr);
}

void draw_forget_windows(struct tui *t)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		if (t->win[i])
			delwin(t->win[i]);
		t->win[i] = NULL;
	}
}

static const struct tui_rect *pane_rect(const struct tui_layout *l, int pane)
{
	switch (pane) {
	case PANE_SERVERS: return &l->servers;
	case PANE_CHANNELS: return &l->channels;
	case PANE_TITLE: return &l->title;
	case PANE_LOG: return &l->log;
	case PANE_TYPING: return &l->typing;
	case PANE_MEMBERS: return &l->members;
	case PANE_STATUS: return &l->status;
	default: return &l->input;
	}
}

static void relayout(struct tui *t)
{
	struct tui_layout l;
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	struct layout_params p = {
		.show_servers = t->cfg->show_servers,
		.show_channels = t->cfg->show_channels,
		.show_members = t->cfg->show_members,
		.servers_w = t->cfg->servers_width,
		.channels_w = t->cfg->channels_width,
		.members_w = t->cfg->members_width,
		.input_h = input_rows_wanted(t, cols),
	};
	layout_compute(&l, cols, rows, &p);
	if (!t->need_relayout && memcmp(&l, &t->lay, sizeof(l)) == 0)
		return;
	draw_forget_windows(t);
	t->lay = l;
	t->need_relayout = 0;
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct tui_rect *r = pane_rect(&l, i);
		/* Subwindows of stdscr: they draw into its cells, so the panes cost no screen
		 * buffer of their own (newwin allocated and cleared another 200x60 of cells). */
		if (rect_visible(r))
			t->win[i] = derwin(stdscr, r->h, r->w, r->y, r->x);
	}
	werase(stdscr);
	wnoutrefresh(stdscr);
}

static void draw_separators(struct tui *t)
{
	for (int k = 0; k < 3; k++) {
		int x = t->lay.sep_x[k];
		if (x < 0)
			continue;
		for (int y = 0; y < t->lay.body_h; y++)
			mvwadd_wch(stdscr, y, x, WACS_VLINE);
	}
	wnoutrefresh(stdscr);
}

typedef void (*pane_fn)(struct tui *, WINDOW *);

void draw_all(struct tui *t)
{
	static const pane_fn fns[PANE_COUNT] = {
		[PANE_SERVERS] = pane_servers_draw,
		[PANE_CHANNELS] = pane_channels_draw,
		[PANE_TITLE] = pane_title_draw,
		[PANE_LOG] = pane_body_draw, /* the log, under the inspector when open */
		[PANE_TYPING] = pane_typing_draw,
		[PANE_MEMBERS] = pane_members_draw,
		[PANE_STATUS] = statusbar_draw,
		[PANE_INPUT] = input_draw,
	};
	relayout(t);
	wattrset(stdscr, t->attr[TR_BORDER]);
	draw_separators(t);
	wattrset(stdscr, A_NORMAL);
	for (int i = 0; i < PANE_COUNT; i++) {
		WINDOW *w = t->win[i];
		if (!w)
			continue;
		wbkgdset(w, ' ' | t->attr[TR_DEFAULT]);
		werase(w);
		fns[i](t, w);
		if (i != PANE_INPUT)
			wnoutrefresh(w);
	}
	picker_draw(t);
	/* The input window goes last so the hardware cursor ends up in it. */
	if (t->win[PANE_INPUT]) {
		input_place_cursor(t, t->win[PANE_INPUT]);
		wnoutrefresh(t->win[PANE_INPUT]);
		curs_set(1);
	} else {
		curs_set(0);
	}
	doupdate();
}
