/* Outbox: our chat messages, one in flight at a time. The platform's message_ack carries no
 * request id, so a WS message is matched to its ack (or error) by order.
 *
 * Reliability rules:
 * - Every change is persisted (outbox_store.c) before it takes effect on the wire, so a crash
 *   loses nothing: an entry whose attempt may have reached the server is marked uncertain
 *   before the frame or request leaves.
 * - An uncertain entry (ack lost with the socket, ack timeout, transport error, crash) is
 *   looked up in the channel's history before any resend (outbox_check.c): found means
 *   confirmed, never sent twice.
 * - Sends are paced per channel to the server's fixed 60 s windows (§5: WS by trust tier,
 *   REST 30); a refusal (WS "Rate limited", REST 429) blocks the channel until the window
 *   is over. Nothing is retried in a loop: waits run on timers.
 * - WS when the channel is subscribed on an open socket, else REST; when the network fails
 *   the queue holds until the socket is back (or a backoff timer fires). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "client_int.h"

#define ACK_TIMEOUT_S 20.
#define PACE_WINDOW_MS 60000
#define PACE_SLACK_MS 1500   /* our window starts before the server's: end it a bit later */
#define REST_LIMIT 30
#define UNTRUSTED_WS_LIMIT 3

void ob_entry_free(struct ob_entry *e)
{
	if (!e)
		return;
	free(e->channel_id);
	free(e->local_id);
	free(e->content);
	free(e->content_type);
	free(e->after_id);
	free(e);
}

static void clear_inflight(struct mc_client *c)
{
	c->ob_cur = NULL;
	c->ob_inflight = 0;
	c->ob_inflight_ws = 0;
	c->ob_checking = 0;
	ev_timer_stop(c->loop, &c->ack_timer);
}

/* Unlink e from the queue (it may be anywhere) and free it. */
static void ob_remove(struct mc_client *c, struct ob_entry *e)
{
	struct ob_entry *prev = NULL;
	for (struct ob_entry *p = c->ob_head; p; prev = p, p = p->next) {
		if (p != e)
			continue;
		if (prev)
			prev->next = p->next;
		else
			c->ob_head = p->next;
		if (c->ob_tail == p)
			c->ob_tail = prev;
		break;
	}
	if (c->ob_cur == e)
		clear_inflight(c);
	ob_entry_free(e);
}

/* The model's pending copy, or NULL (not attached yet, or gone). */
static struct mdl_message *pending_of(struct mc_client *c, const struct ob_entry *e,
	struct mdl_channel **chp)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, e->channel_id);
	*chp = ch;
	return ch && e->local_id ? mdl_message_find(ch, e->local_id) : NULL;
}

/* Entries restored from disk get their pending copy once their channel is in the model. */
static void attach_pending(struct mc_client *c)
{
	for (struct ob_entry *e = c->ob_head; e; e = e->next) {
		if (e->local_id)
			continue;
		struct mdl_channel *ch = mdl_channel_find(c->acct, e->channel_id);
		if (!ch)
			continue;
		struct mdl_message *p = mdl_message_add_pending(ch, e->content, e->content_type,
			e->queued_ms);
		e->local_id = xstrdup(p->id);
	}
}

/* ---- pacing ---- */

static struct ob_pace *pace_of(struct mc_client *c, const char *channel_id, int create)
{
	for (size_t i = 0; i < c->n_pace; i++)
		if (!strcmp(c->pace[i].channel_id, channel_id))
			return &c->pace[i];
	if (!create)
		return NULL;
	c->pace = xrealloc(c->pace, (c->n_pace + 1) * sizeof(*c->pace));
	struct ob_pace *p = &c->pace[c->n_pace++];
	memset(p, 0, sizeof(*p));
	p->channel_id = xstrdup(channel_id);
	return p;
}

static int ws_limit(const struct mc_client *c)
{
	return c->tier_limit >= 0 ? c->tier_limit : UNTRUSTED_WS_LIMIT;
}

/* Milliseconds until a send on this transport is allowed (0: now). */
static int64_t pace_wait_ms(struct mc_client *c, const char *channel_id, int ws)
{
	struct ob_pace *p = pace_of(c, channel_id, 0);
	if (!p)
		return ws && ws_limit(c) <= 0 ? PACE_WINDOW_MS : 0;
	int64_t now = mono_ms();
	if (p->blocked_until_ms > now)
		return p->blocked_until_ms - now;
	int64_t start = ws ? p->ws_start_ms : p->rest_start_ms;
	int count = ws ? p->ws_count : p->rest_count;
	int limit = ws ? ws_limit(c) : REST_LIMIT;
	if (limit <= 0)
		return PACE_WINDOW_MS; /* quarantined: nothing goes over the socket */
	int64_t end = start + PACE_WINDOW_MS + PACE_SLACK_MS;
	if (!start || now >= end || count < limit)
		return 0;
	return end - now;
}

static void pace_count(struct mc_client *c, const char *channel_id, int ws)
{
	struct ob_pace *p = pace_of(c, channel_id, 1);
	int64_t now = mono_ms();
	int64_t *start = ws ? &p->ws_start_ms : &p->rest_start_ms;
	int *count = ws ? &p->ws_count : &p->rest_count;
	if (!*start || now >= *start + PACE_WINDOW_MS + PACE_SLACK_MS) {
		*start = now;
		*count = 0;
	}
	(*count)++;
}

/* The server refused for rate: nothing more on this channel until a whole window passed. */
static void pace_block(struct mc_client *c, const char *channel_id, int64_t wait_ms)
{
	struct ob_pace *p = pace_of(c, channel_id, 1);
	int64_t until = mono_ms() + wait_ms;
	if (until > p->blocked_until_ms)
		p->blocked_until_ms = until;
}

int ob_budget_left(struct mc_client *c, const char *channel_id)
{
	int limit = ws_limit(c);
	struct ob_pace *p = channel_id ? pace_of(c, channel_id, 0) : NULL;
	if (!p)
		return limit > 0 ? limit : 0;
	int64_t now = mono_ms();
	if (p->blocked_until_ms > now)
		return 0;
	if (!p->ws_start_ms || now >= p->ws_start_ms + PACE_WINDOW_MS + PACE_SLACK_MS)
		return limit > 0 ? limit : 0;
	return p->ws_count < limit ? limit - p->ws_count : 0;
}

double ob_wait_s(struct mc_client *c, const char *channel_id)
{
	if (!channel_id)
		return 0.;
	int64_t ms = pace_wait_ms(c, channel_id, gw_can_send_on(c, channel_id));
	return (double)ms / 1000.0;
}

size_t ob_count(const struct mc_client *c, const char *channel_id)
{
	size_t n = 0;
	for (const struct ob_entry *e = c->ob_head; e; e = e->next)
		if (!channel_id || !strcmp(e->channel_id, channel_id))
			n++;
	return n;
}

static void channel_label(struct mc_client *c, const char *channel_id, char *out, size_t n)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, channel_id);
	if (ch && ch->name)
		snprintf(out, n, "#%s", ch->name);
	else if (ch && ch->peer)
		snprintf(out, n, "@%s", ch->peer);
	else
		snprintf(out, n, "channel %.8s", channel_id);
}

/* ---- completion ---- */

static void finish_ok(struct mc_client *c, struct ob_entry *e, const char *id, int64_t ts_ms)
{
	ob_claim(c, id);
	struct mdl_channel *ch;
	struct mdl_message *p = pending_of(c, e, &ch);
	if (p)
		mdl_message_confirm(ch, p, id, ts_ms);
	else if (ch && !mdl_message_find(ch, id))
		log_debug("outbox: confirmed a message the model no longer shows");
	ob_remove(c, e);
	ob_store_save(c);
}

static void finish_fail(struct mc_client *c, struct ob_entry *e, const char *why)
{
	struct mdl_channel *ch;
	struct mdl_message *p = pending_of(c, e, &ch);
	if (p)
		mdl_message_fail(ch, p, why);
	mdl_notice(c->model, 2, "message not sent: %s", why);
	ob_remove(c, e);
	ob_store_save(c);
}

static void hold_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	c->ob_hold = 0;
	ob_pump(c);
}

/* The network failed under us: keep everything and wait for the socket or the timer. */
static void hold(struct mc_client *c, const char *why)
{
	int64_t ms = net_backoff_next(&c->ob_hold_bo);
	log_info("outbox: holding %zu message(s) for %lld ms: %s", ob_count(c, NULL),
		(long long)ms, why);
	c->ob_hold = 1;
	ev_timer_stop(c->loop, &c->ob_hold_timer);
	ev_timer_set(&c->ob_hold_timer, (double)ms / 1000.0, 0.);
	ev_timer_start(c->loop, &c->ob_hold_timer);
}

void ob_on_ws_open(struct mc_client *c)
{
	if (c->ob_hold) {
		c->ob_hold = 0;
		ev_timer_stop(c->loop, &c->ob_hold_timer);
	}
	net_backoff_reset(&c->ob_hold_bo);
	ob_pump(c);
}

static void ack_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	if (!c->ob_cur || !c->ob_inflight_ws)
		return;
	/* it stays uncertain; a late ack would now be matched to the wrong message, so the
	 * socket goes and the history decides */
	clear_inflight(c);
	gw_drop_connection(c, "acknowledgement timeout");
	ob_pump(c);
}

static void on_rest_sent(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	struct ob_entry *e = c->ob_cur;
	if (!e || c->ob_inflight_ws || c->ob_checking)
		return;
	if (r->ok && r->message->id) {
		finish_ok(c, e, r->message->id,
			r->message->created_ms ? r->message->created_ms : wall_ms());
		net_backoff_reset(&c->ob_hold_bo);
	} else if (r->status == 429) {
		/* not stored; REST gives X-RateLimit-Reset only on other routes, but honour it */
		c->ob_refusals++;
		e->uncertain = 0;
		int64_t wait = PACE_WINDOW_MS + PACE_SLACK_MS;
		if (r->rl_reset > 0) {
			int64_t w = r->rl_reset * 1000 - wall_ms() + PACE_SLACK_MS;
			if (w > 0 && w < wait)
				wait = w;
		}
		pace_block(c, e->channel_id, wait);
		char label[64];
		channel_label(c, e->channel_id, label, sizeof(label));
		mdl_notice(c->model, 1, "rate limited in %s: sending again in %d s", label,
			(int)((wait + 999) / 1000));
		clear_inflight(c);
		ob_store_save(c);
	} else if (r->status == 0 || r->status >= 500 || r->status == 401) {
		/* may or may not be stored (or the session is being repaired): keep it */
		clear_inflight(c);
		ob_store_save(c);
		char *why = api_error_text(r);
		hold(c, why);
		free(why);
	} else {
		char *why = api_error_text(r);
		finish_fail(c, e, why);
		free(why);
	}
	ob_pump(c);
}

/* ---- sending ---- */

static void pace_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ob_pump(t->data);
}

static int earlier_same_channel(const struct mc_client *c, const struct ob_entry *e)
{
	for (const struct ob_entry *p = c->ob_head; p && p != e; p = p->next)
		if (!strcmp(p->channel_id, e->channel_id))
			return 1;
	return 0;
}

/* Remember what the channel looked like before the first attempt (see ob_entry). */
static void note_attempt(struct mc_client *c, struct ob_entry *e, struct mdl_channel *ch)
{
	if (!e->sent_ms) {
		e->sent_ms = wall_ms();
		e->after_ms = -1;
		for (size_t i = ch->n_msgs; i-- > 0;) {
			const struct mdl_message *m = ch->msgs[i];
			if (m->state == MDL_MSG_STORED) {
				e->after_ms = m->created_ms;
				str_replace(&e->after_id, m->id);
				break;
			}
		}
	}
	e->uncertain = 1;
	ob_store_save(c); /* before anything leaves: a crash from here on means "check first" */
}

static int send_ws(struct mc_client *c, struct ob_entry *e, struct mdl_channel *ch)
{
	note_attempt(c, e, ch);
	char *f = proto_build_message(e->channel_id, e->content, e->content_type);
	int rc = gw_send_text(c, f);
	free(f);
	if (rc != 0) {
		e->uncertain = 0; /* nothing left */
		ob_store_save(c);
		return -1;
	}
	c->ob_ws_frames++;
	pace_count(c, e->channel_id, 1);
	c->ob_cur = e;
	c->ob_inflight = 1;
	c->ob_inflight_ws = 1;
	ev_timer_stop(c->loop, &c->ack_timer);
	ev_timer_set(&c->ack_timer, ACK_TIMEOUT_S, 0.);
	ev_timer_start(c->loop, &c->ack_timer);
	return 0;
}

static int send_rest(struct mc_client *c, struct ob_entry *e, struct mdl_channel *ch)
{
	note_attempt(c, e, ch);
	c->ob_cur = e;
	c->ob_inflight = 1;
	c->ob_inflight_ws = 0;
	c->ob_rest_sends++;
	pace_count(c, e->channel_id, 0);
	if (!api_send_message(c, e->channel_id, e->content, e->content_type, on_rest_sent, c, NULL)) {
		clear_inflight(c);
		e->uncertain = 0;
		finish_fail(c, e, "cannot start the request");
		return -1;
	}
	return 0;
}

/* Tell the user once per wait why a message sits in the outbox. */
static void pace_notice(struct mc_client *c, const struct ob_entry *e, int64_t wait_ms)
{
	struct ob_pace *p = pace_of(c, e->channel_id, 1);
	int64_t now = mono_ms();
	if (p->noticed_until_ms > now)
		return;
	p->noticed_until_ms = now + wait_ms;
	char label[64];
	channel_label(c, e->channel_id, label, sizeof(label));
	mdl_notice(c->model, 0, "rate limit in %s: %zu message(s) wait, next in %d s", label,
		ob_count(c, e->channel_id), (int)((wait_ms + 999) / 1000));
}

void ob_pump(struct mc_client *c)
{
	if (!c->agent_id || c->ob_cur)
		return;
	attach_pending(c);
	if (c->ob_hold || !session_ready(c))
		return;
	int64_t next_ms = -1;
	struct ob_entry *e = c->ob_head, *next;
	for (; e; e = next) {
		next = e->next;
		if (earlier_same_channel(c, e))
			continue; /* per-channel order */
		struct mdl_channel *ch;
		struct mdl_message *p = pending_of(c, e, &ch);
		if (!e->local_id)
			continue; /* restored; its channel isn't loaded yet */
		if (!p) {
			ob_remove(c, e); /* the model dropped it: nothing left to confirm */
			ob_store_save(c);
			continue;
		}
		if (e->uncertain) {
			c->ob_cur = e;
			c->ob_inflight = 1;
			c->ob_checking = 1;
			ob_check_start(c, e);
			return;
		}
		int ws = gw_can_send_on(c, e->channel_id);
		int64_t wait = pace_wait_ms(c, e->channel_id, ws);
		if (wait > 0) {
			pace_notice(c, e, wait);
			if (next_ms < 0 || wait < next_ms)
				next_ms = wait;
			continue;
		}
		if ((ws ? send_ws(c, e, ch) : send_rest(c, e, ch)) == 0)
			return;
	}
	if (next_ms > 0) {
		ev_timer_stop(c->loop, &c->ob_pace_timer);
		ev_timer_set(&c->ob_pace_timer, (double)next_ms / 1000.0, 0.);
		ev_timer_start(c->loop, &c->ob_pace_timer);
	}
}

void ob_check_done(struct mc_client *c, const char *id, int64_t created_ms, int transient)
{
	struct ob_entry *e = c->ob_cur;
	if (!e || !c->ob_checking)
		return;
	c->ob_checking = 0;
	if (transient) {
		clear_inflight(c);
		hold(c, "history lookup failed");
		return;
	}
	if (id) {
		log_info("outbox: an unconfirmed send was stored after all; not sending it again");
		c->ob_found++;
		finish_ok(c, e, id, created_ms);
	} else {
		log_info("outbox: an unconfirmed send is not in the history; sending it again");
		c->ob_resent++;
		e->uncertain = 0;
		clear_inflight(c);
		ob_store_save(c);
	}
	ob_pump(c);
}

void ob_enqueue(struct mc_client *c, const char *channel_id, const char *local_id,
	const char *content, const char *content_type, int64_t now_ms)
{
	struct ob_entry *e = xcalloc(1, sizeof(*e));
	e->channel_id = xstrdup(channel_id);
	e->local_id = xstrdup(local_id);
	e->content = xstrdup(content);
	e->content_type = xstrdup(content_type);
	e->queued_ms = now_ms;
	e->after_ms = -1;
	if (c->ob_tail)
		c->ob_tail->next = e;
	else
		c->ob_head = e;
	c->ob_tail = e;
	ob_store_save(c); /* on disk before anything else happens to it */
	ob_pump(c);
}

int ob_on_ack(struct mc_client *c, const char *id, int64_t ts_ms)
{
	if (!c->ob_cur || !c->ob_inflight_ws)
		return 0;
	finish_ok(c, c->ob_cur, id, ts_ms);
	ob_pump(c);
	return 1;
}

int ob_on_ws_error(struct mc_client *c, const char *code, const char *message)
{
	if (!c->ob_cur || !c->ob_inflight_ws)
		return 0;
	struct ob_entry *e = c->ob_cur;
	if (!strcmp(code, "HANDLER_ERROR") && message && str_starts_with(message, "Rate limited")) {
		/* not stored; our count was off (another socket, a lower tier): wait a window */
		c->ob_refusals++;
		e->uncertain = 0;
		pace_block(c, e->channel_id, PACE_WINDOW_MS + PACE_SLACK_MS);
		struct ob_pace *p = pace_of(c, e->channel_id, 1);
		p->ws_count = ws_limit(c);
		char label[64];
		channel_label(c, e->channel_id, label, sizeof(label));
		mdl_notice(c->model, 1, "rate limited in %s: sending again in %d s", label,
			(PACE_WINDOW_MS + PACE_SLACK_MS + 999) / 1000);
		clear_inflight(c);
		ob_store_save(c);
		ob_pump(c);
		return 1;
	}
	char *why = xasprintf("%s: %s", code, message ? message : "");
	finish_fail(c, e, why);
	free(why);
	ob_pump(c);
	return 1;
}

void ob_on_ws_down(struct mc_client *c)
{
	if (c->ob_cur && c->ob_inflight_ws) {
		/* it may or may not have been stored: it stays uncertain, the history decides */
		clear_inflight(c);
		ob_store_save(c);
	}
	ob_pump(c); /* over REST while the socket is away (after a history check if needed) */
}

static void on_trust(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (!r->ok)
		return; /* keep the assumption (untrusted) */
	const char *t = r->trust->tier ? r->trust->tier : "untrusted";
	int limit = !strcmp(t, "seed") ? 15 : !strcmp(t, "trusted") ? 10 :
		!strcmp(t, "provisional") ? 5 : !strcmp(t, "quarantined") ? 0 : UNTRUSTED_WS_LIMIT;
	c->tier_limit = limit;
	ob_pump(c);
}

void ob_on_session_ready(struct mc_client *c)
{
	/* the WS limit depends on the tier (cached by the server at connect) */
	api_trust_me(c, on_trust, c, NULL);
	ob_pump(c);
}

void ob_init(struct mc_client *c)
{
	ev_timer_init(&c->ack_timer, ack_timeout_cb, ACK_TIMEOUT_S, 0.);
	c->ack_timer.data = c;
	ev_timer_init(&c->ob_hold_timer, hold_cb, 1., 0.);
	c->ob_hold_timer.data = c;
	ev_timer_init(&c->ob_pace_timer, pace_timer_cb, 1., 0.);
	c->ob_pace_timer.data = c;
	net_backoff_init(&c->ob_hold_bo, 2000, 30000);
	c->tier_limit = -1;
	ob_store_init(c);
}

void ob_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->ack_timer);
	ev_timer_stop(c->loop, &c->ob_hold_timer);
	ev_timer_stop(c->loop, &c->ob_pace_timer);
	c->ob_cur = NULL;
	while (c->ob_head) {
		struct ob_entry *e = c->ob_head;
		c->ob_head = e->next;
		ob_entry_free(e);
	}
	c->ob_tail = NULL;
	for (size_t i = 0; i < c->n_pace; i++)
		free(c->pace[i].channel_id);
	free(c->pace);
	c->pace = NULL;
	c->n_pace = 0;
	for (size_t i = 0; i < OB_CLAIMED; i++) {
		free(c->claimed[i]);
		c->claimed[i] = NULL;
	}
	free(c->ob_path);
	c->ob_path = NULL;
}
