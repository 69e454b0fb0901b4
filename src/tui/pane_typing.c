/* The line under the log: who is typing in the current channel. */
#include <stdlib.h>

#include "moltty/base.h"
#include "tui_priv.h"

void pane_typing_draw(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c || c->n_typing == 0)
		return;
	const char *n0 = c->typing[0].username, *n1 = c->n_typing > 1 ? c->typing[1].username : "";
	char *text;
	if (c->n_typing == 1)
		text = xasprintf("%s is typing…", n0);
	else if (c->n_typing == 2)
		text = xasprintf("%s and %s are typing…", n0, n1);
	else if (c->n_typing == 3)
		text = xasprintf("%s, %s and %s are typing…", n0, n1, c->typing[2].username);
	else
		text = xstrdup("several agents are typing…");
	/* Usernames come from the network: draw_untrusted sanitises the whole line. */
	draw_untrusted(w, 0, 1, text, wd - 1, t->attr[TR_TYPING]);
	free(text);
}
