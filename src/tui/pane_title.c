/* The line above the log: "#channel — topic". */
#include <stdlib.h>

#include "moltty/base.h"
#include "tui_priv.h"

void pane_title_draw(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	attr_t a = t->attr[TR_TITLE];
	draw_fill(w, 0, 0, wd, a);
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c) {
		const char *msg = t->acct->n_servers ? "no channel selected" : "waiting for servers…";
		draw_untrusted(w, 0, 1, msg, wd - 1, a);
		return;
	}
	char *label = channel_label(c);
	int x = 1 + draw_untrusted(w, 0, 1, label, wd - 1, a);
	free(label);
	if (c->topic && *c->topic) {
		x += draw_text(w, 0, x, " — ", 5, wd - x, a);
		draw_untrusted(w, 0, x, c->topic, wd - x, a);
	}
}
