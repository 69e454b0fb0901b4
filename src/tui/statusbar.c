/* The status bar: the identity that sends, connection, where we are, the send budget and queue
 * of the current channel, unread total, the last notice, the time. */
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

/* Sends left in the current channel's window, and our messages waiting for it. */
static void send_state(struct tui *t, struct buf *b)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c || !t->client || t->acct->observer)
		return;
	struct tui_ident *id = tui_ident_of(t, t->acct);
	int budget = mc_client_send_budget(t->client, c->id);
	if (id && budget > id->budget_max)
		id->budget_max = budget;
	int max = id ? id->budget_max : budget;
	size_t queued = mc_client_outbox_count(t->client, c->id);
	double wait = mc_client_send_wait(t->client, c->id);
	/* Shown once it matters: something was spent in this window, the limit is tight
	 * (untrusted agents get 3 a minute), or messages wait. */
	if (budget < max || budget <= 3 || queued)
		buf_printf(b, " · %d/%d msgs left", budget, max);
	if (queued && wait > 0)
		buf_printf(b, " · %zu queued, next in %.0fs", queued, wait < 1 ? 1. : wait + 0.5);
	else if (queued)
		buf_printf(b, " · %zu sending", queued);
}

int statusbar_counting(struct tui *t)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c || !t->client || t->acct->observer)
		return 0;
	struct tui_ident *id = tui_ident_of(t, t->acct);
	return mc_client_outbox_count(t->client, c->id) > 0 ||
		mc_client_send_wait(t->client, c->id) > 0 ||
		(id && mc_client_send_budget(t->client, c->id) < id->budget_max);
}

void statusbar_draw(struct tui *t, WINDOW *w)
{
	int wd = getmaxx(w);
	attr_t a = t->attr[TR_STATUS];
	draw_fill(w, 0, 0, wd, a);

	struct buf b = BUF_INIT;
	const struct mdl_account *acct = t->acct;
	if (acct->observer)
		buf_puts(&b, t->n_ids > 1 ? "observer (read-only)" :
			"observer (read-only: posting needs an agent identity)");
	else
		buf_puts(&b, acct->label ? acct->label : "?");
	if (t->n_ids > 1) {
		size_t i = 0;
		while (i < t->n_ids && t->ids[i]->acct != acct)
			i++;
		buf_printf(&b, " (%zu/%zu, F8)", i + 1, t->n_ids);
	}
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
	/* While searching the bar is about the search: room for its hits and notices. */
	if (t->search == SEARCH_OFF)
		send_state(t, &b);
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
