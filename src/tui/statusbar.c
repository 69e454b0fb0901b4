/* The status bar: identity, connection, where we are, unread total, the last notice, the time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

static unsigned unread_total(const struct mdl_account *a, unsigned *mentions)
{
	unsigned n = 0;
	*mentions = 0;
	for (size_t i = 0; i < a->n_servers; i++) {
		n += mdl_server_unread(a->servers[i]);
		*mentions += mdl_server_mentions(a->servers[i]);
	}
	return n;
}

static const char *conn_text(const struct mdl_account *a)
{
	switch (a->conn) {
	case MDL_CONN_OFFLINE: return "offline";
	case MDL_CONN_AUTHENTICATING: return "signing in…";
	case MDL_CONN_CONNECTING: return "connecting…";
	case MDL_CONN_ONLINE: return "connected";
	case MDL_CONN_RECONNECTING: return "reconnecting…";
	case MDL_CONN_FAILED: return "failed";
	}
	return "?";
}

void statusbar_draw(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	attr_t a = t->attr[TR_STATUS];
	draw_fill(w, 0, 0, wd, a);

	struct buf b = BUF_INIT;
	const struct mdl_account *acct = t->acct;
	if (acct->observer)
		buf_puts(&b, "observer (read-only: posting needs an agent identity)");
	else
		buf_puts(&b, acct->label ? acct->label : "?");
	buf_printf(&b, " · %s", conn_text(acct));
	if (acct->conn == MDL_CONN_FAILED && acct->conn_detail)
		buf_printf(&b, " (%s)", acct->conn_detail);
	struct mdl_server *s = tui_cur_server(t);
	struct mdl_channel *c = tui_cur_channel(t);
	if (s)
		buf_printf(&b, " · %s", s->is_dms ? "DMs" : s->name ? s->name : s->id);
	if (c && c->name)
		buf_printf(&b, "/#%s", c->name);
	else if (c && c->peer)
		buf_printf(&b, "/@%s", c->peer);
	unsigned mentions;
	unsigned unread = unread_total(acct, &mentions);
	if (unread)
		buf_printf(&b, " · %u unread", unread);
	if (mentions)
		buf_printf(&b, " · %u mention%s", mentions, mentions == 1 ? "" : "s");
	if (t->anchored)
		buf_puts(&b, " · scrolled");
	if (t->search != SEARCH_OFF && t->search_query && *t->search_query)
		buf_printf(&b, " · search \"%s\" (n/N, Esc)", t->search_query);
	size_t units = utf8_utf16_len(el_text(&t->edit));
	if (units > 3500)
		buf_printf(&b, " · %zu/4000%s", units, units > 4000 ? " TOO LONG" : "");

	/* Everything above may hold network text (names, errors): sanitise the whole line. */
	char *left = utf8_sanitize(buf_cstr(&b), 0);
	buf_free(&b);

	char clock[8] = "";
	time_t now = (time_t)(wall_ms() / 1000);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(clock, sizeof(clock), "%H:%M", &tm);
	int clock_w = (int)strlen(clock) + 2; /* a space before it, one after */

	int x = 1 + draw_text(w, 0, 1, "[", 1, wd - 1, a);
	x += draw_text(w, 0, x, left, strlen(left), wd - x - clock_w - 1, a);
	x += draw_text(w, 0, x, "]", 1, wd - x - clock_w, a);
	free(left);

	const struct mdl_notice *n = mdl_notice_last(t->model);
	if (n && n->text && x + 3 < wd - clock_w) {
		int role = n->level >= 2 ? TR_ERROR : n->level == 1 ? TR_WARNING : TR_STATUS;
		attr_t na = role == TR_STATUS ? a : (a & ~A_COLOR) | (t->attr[role] & A_COLOR) | A_BOLD;
		x += 1;
		draw_untrusted(w, 0, x, n->text, wd - x - clock_w, na);
	}
	if (clock_w < wd)
		draw_text(w, 0, wd - clock_w + 1, clock, strlen(clock), clock_w - 1, a);
}
