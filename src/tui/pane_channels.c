/* The channel list of the current server, grouped by category, with unread counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

char *channel_label(const struct mdl_channel *c)
{
	if (c->name)
		return xasprintf("# %s", c->name);
	if (c->peer)
		return xasprintf("@%s", c->peer);
	return xstrdup("# ?");
}

/* A row of the list: a category header (channel NULL) or a channel. */
struct row {
	const char *category;
	struct mdl_channel *channel;
};

static size_t build_rows(struct tui *t, struct mdl_server *s, struct row *rows)
{
	size_t n = 0;
	const char *prev = NULL;
	int first = 1;
	for (size_t i = 0; i < s->n_channels; i++) {
		struct mdl_channel *c = s->channels[i];
		if (tui_channel_hidden(t, c))
			continue;
		if (!s->is_dms && (first || !str_eq(prev, c->category))) {
			rows[n].category = c->category ? c->category : "uncategorized";
			rows[n++].channel = NULL;
			prev = c->category;
			first = 0;
		}
		rows[n].category = NULL;
		rows[n++].channel = c;
	}
	return n;
}

static void draw_channel_row(struct tui *t, WINDOW *w, int y, int wd, struct mdl_channel *c,
	int selected)
{
	attr_t a = t->attr[TR_DEFAULT];
	if (selected)
		a = t->attr[TR_SELECTED];
	else if (c->mentions)
		a = t->attr[TR_MENTION];
	else if (c->unread)
		a = t->attr[TR_UNREAD];
	if (selected)
		draw_fill(w, y, 0, wd, a);
	/* "3" unread, "3!" with mentions (a DM counts as one). */
	char count[24] = "";
	if (c->unread && !selected)
		snprintf(count, sizeof(count), " %u%s", c->unread, c->mentions ? "!" : "");
	int cw = (int)strlen(count);
	char *label = channel_label(c);
	draw_untrusted(w, y, 1, label, wd - 1 - cw, a);
	free(label);
	if (cw && cw < wd)
		draw_text(w, y, wd - cw, count, (size_t)cw, cw, a);
}

void pane_channels_draw(struct tui *t, WINDOW *w)
{
	int h, wd;
	getmaxyx(w, h, wd);
	struct mdl_server *s = tui_cur_server(t);
	draw_fill(w, 0, 0, wd, t->attr[TR_TITLE]);
	if (!s) {
		draw_text(w, 0, 1, "channels", 8, wd - 1, t->attr[TR_TITLE]);
		return;
	}
	draw_untrusted(w, 0, 1, s->is_dms ? "Direct messages" : s->name ? s->name : s->id, wd - 1,
		t->attr[TR_TITLE]);

	struct row *rows = xcalloc(s->n_channels * 2 + 1, sizeof(*rows));
	size_t n = build_rows(t, s, rows), first = 0;
	struct mdl_channel *cur = tui_cur_channel(t);
	int avail = h - 1;
	for (size_t i = 0; i < n && avail > 0; i++)
		if (rows[i].channel && rows[i].channel == cur && i >= (size_t)avail)
			first = i - (size_t)avail + 1;
	for (int r = 0; r < avail && first + (size_t)r < n; r++) {
		struct row *row = &rows[first + (size_t)r];
		if (row->channel)
			draw_channel_row(t, w, r + 1, wd, row->channel, row->channel == cur);
		else
			draw_untrusted(w, r + 1, 0, row->category, wd, t->attr[TR_CATEGORY]);
	}
	free(rows);
}
