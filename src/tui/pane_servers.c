/* The server list: joined servers with unread (•) and mention (!) marks and a count (mentions
 * when there are any, else unread messages). */
#include <stdio.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

void pane_servers_draw(struct tui *t, WINDOW *w)
{
	int h, wd;
	getmaxyx(w, h, wd);
	draw_fill(w, 0, 0, wd, t->attr[TR_TITLE]);
	draw_text(w, 0, 1, "servers", 7, wd - 1, t->attr[TR_TITLE]);

	struct mdl_server *cur = tui_cur_server(t);
	size_t n = t->acct->n_servers, first = 0;
	int rows = h - 1;
	if (rows <= 0)
		return;
	/* Keep the current server in view. */
	for (size_t i = 0; i < n; i++)
		if (t->acct->servers[i] == cur && i >= (size_t)rows)
			first = i - (size_t)rows + 1;
	for (int r = 0; r < rows && first + (size_t)r < n; r++) {
		struct mdl_server *s = t->acct->servers[first + (size_t)r];
		unsigned unread = mdl_server_unread(s), mentions = mdl_server_mentions(s);
		attr_t a = t->attr[TR_DEFAULT];
		if (s == cur)
			a = t->attr[TR_SELECTED];
		else if (mentions)
			a = t->attr[TR_MENTION];
		else if (unread)
			a = t->attr[TR_UNREAD];
		int y = r + 1;
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
}
