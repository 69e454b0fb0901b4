/* The server list: joined servers with unread (•) and mention (!) marks and a count (mentions
 * when there are any, else unread messages). With several identities, servers are grouped
 * under each identity's name; the active one (the one that sends) is marked ▸. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

/* One line of the pane: an identity heading (s NULL) or a server. */
struct line {
	struct tui_ident *id;
	struct mdl_server *s;
};

static void draw_heading(struct tui *t, WINDOW *w, int y, int wd, struct tui_ident *id)
{
	int active = id->acct == t->acct;
	attr_t a = active ? t->attr[TR_SELF] | A_BOLD : t->attr[TR_HINT];
	draw_text(w, y, 0, active ? "▸" : " ", 3, 1, a);
	draw_untrusted(w, y, 1, id->acct->label ? id->acct->label : "?", wd - 1, a);
}

static void draw_server(struct tui *t, WINDOW *w, int y, int wd, struct mdl_server *s,
	struct mdl_server *cur)
{
	unsigned unread = mdl_server_unread(s), mentions = mdl_server_mentions(s);
	attr_t a = t->attr[TR_DEFAULT];
	if (s == cur)
		a = t->attr[TR_SELECTED];
	else if (mentions)
		a = t->attr[TR_MENTION];
	else if (unread)
		a = t->attr[TR_UNREAD];
	if (s == cur)
		draw_fill(w, y, 0, wd, a);
	const char *mark = mentions ? "!" : unread ? "\xe2\x80\xa2" : " ";
	draw_text(w, y, 0, mark, 3, 1, a);
	const char *name = s->is_dms ? "Direct messages" : s->name ? s->name : s->id;
	char count[24] = "";
	if (s != cur && (mentions || unread))
		snprintf(count, sizeof(count), " %u", mentions ? mentions : unread);
	int cw = (int)strlen(count);
	draw_untrusted(w, y, 2, name, wd - 2 - cw, a);
	if (cw && cw < wd - 2)
		draw_text(w, y, wd - cw, count, (size_t)cw, cw, a);
}

void pane_servers_draw(struct tui *t, WINDOW *w)
{
	int h, wd;
	getmaxyx(w, h, wd);
	draw_fill(w, 0, 0, wd, t->attr[TR_TITLE]);
	draw_text(w, 0, 1, "servers", 7, wd - 1, t->attr[TR_TITLE]);

	struct srv_row *rows;
	size_t n_rows = tui_server_rows(t, &rows);
	int grouped = t->n_ids > 1;
	struct line *lines = xcalloc(n_rows + t->n_ids + 1, sizeof(*lines));
	size_t n = 0, r = 0;
	for (size_t k = 0; k < t->n_ids; k++) {
		if (grouped)
			lines[n++] = (struct line){ t->ids[k], NULL };
		for (; r < n_rows && rows[r].id == t->ids[k]; r++)
			lines[n++] = (struct line){ rows[r].id, rows[r].s };
	}
	free(rows);

	struct mdl_server *cur = tui_cur_server(t);
	int avail = h - 1;
	size_t first = 0;
	/* Keep the current server in view. */
	for (size_t i = 0; avail > 0 && i < n; i++)
		if (lines[i].s && lines[i].s == cur && i >= (size_t)avail)
			first = i - (size_t)avail + 1;
	for (int y = 1; y < h && first + (size_t)(y - 1) < n; y++) {
		struct line *l = &lines[first + (size_t)(y - 1)];
		if (l->s)
			draw_server(t, w, y, wd, l->s, cur);
		else
			draw_heading(t, w, y, wd, l->id);
	}
	free(lines);
}
