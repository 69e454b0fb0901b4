/* Outbox: our chat messages, one at a time. The platform's message_ack carries no request id,
 * so a WS message is matched to its ack (or error) by order: only one is ever in flight. When
 * the socket is down or the channel isn't subscribed on it, the message goes over REST; a WS
 * rate-limit refusal (the message was not stored) is retried over REST, which has its own,
 * larger limit. A REST message's own broadcast is merged by id by the model. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "client_int.h"

#define ACK_TIMEOUT_S 20.

static void ob_entry_free(struct ob_entry *e)
{
	free(e->channel_id);
	free(e->local_id);
	free(e->content);
	free(e->content_type);
	free(e);
}

static struct ob_entry *ob_pop(struct mc_client *c)
{
	struct ob_entry *e = c->ob_head;
	if (!e)
		return NULL;
	c->ob_head = e->next;
	if (!c->ob_head)
		c->ob_tail = NULL;
	c->ob_inflight = 0;
	c->ob_inflight_ws = 0;
	ev_timer_stop(c->loop, &c->ack_timer);
	return e;
}

/* The model's pending copy, or NULL when it is gone (channel cap, channel removed). */
static struct mdl_message *pending_of(struct mc_client *c, const struct ob_entry *e,
	struct mdl_channel **chp)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, e->channel_id);
	*chp = ch;
	return ch ? mdl_message_find(ch, e->local_id) : NULL;
}

static void finish_ok(struct mc_client *c, const char *id, int64_t ts_ms)
{
	struct ob_entry *e = ob_pop(c);
	struct mdl_channel *ch;
	struct mdl_message *p = pending_of(c, e, &ch);
	if (p)
		mdl_message_confirm(ch, p, id, ts_ms);
	ob_entry_free(e);
}

static void finish_fail(struct mc_client *c, const char *why)
{
	struct ob_entry *e = ob_pop(c);
	struct mdl_channel *ch;
	struct mdl_message *p = pending_of(c, e, &ch);
	if (p)
		mdl_message_fail(ch, p, why);
	mdl_notice(c->model, 2, "message not sent: %s", why);
	ob_entry_free(e);
}

static void ack_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	if (!c->ob_inflight || !c->ob_inflight_ws)
		return;
	/* a late ack would now be matched to the wrong message: start a fresh socket */
	finish_fail(c, "no acknowledgement from the server");
	gw_drop_connection(c, "acknowledgement timeout");
	ob_pump(c);
}

static void on_rest_sent(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (!c->ob_inflight || c->ob_inflight_ws || !c->ob_head)
		return;
	if (r->ok && r->message->id) {
		finish_ok(c, r->message->id, r->message->created_ms ? r->message->created_ms : wall_ms());
	} else {
		char *e = api_error_text(r);
		finish_fail(c, e);
		free(e);
	}
	ob_pump(c);
}

void ob_pump(struct mc_client *c)
{
	while (c->ob_head && !c->ob_inflight) {
		struct ob_entry *e = c->ob_head;
		struct mdl_channel *ch;
		if (!pending_of(c, e, &ch)) {
			ob_entry_free(ob_pop(c)); /* nothing left to confirm: drop it */
			continue;
		}
		if (!e->force_rest && gw_can_send_on(c, e->channel_id)) {
			char *f = proto_build_message(e->channel_id, e->content, e->content_type);
			int rc = gw_send_text(c, f);
			free(f);
			if (rc == 0) {
				c->ob_inflight = 1;
				c->ob_inflight_ws = 1;
				ev_timer_stop(c->loop, &c->ack_timer);
				ev_timer_set(&c->ack_timer, ACK_TIMEOUT_S, 0.);
				ev_timer_start(c->loop, &c->ack_timer);
				return;
			}
		}
		c->ob_inflight = 1;
		c->ob_inflight_ws = 0;
		if (!api_send_message(c, e->channel_id, e->content, e->content_type, on_rest_sent, c, NULL)) {
			finish_fail(c, "cannot start the request");
			continue;
		}
		return;
	}
}

void ob_enqueue(struct mc_client *c, const char *channel_id, const char *local_id,
	const char *content, const char *content_type)
{
	struct ob_entry *e = xcalloc(1, sizeof(*e));
	e->channel_id = xstrdup(channel_id);
	e->local_id = xstrdup(local_id);
	e->content = xstrdup(content);
	e->content_type = xstrdup(content_type);
	if (c->ob_tail)
		c->ob_tail->next = e;
	else
		c->ob_head = e;
	c->ob_tail = e;
	ob_pump(c);
}

int ob_on_ack(struct mc_client *c, const char *id, int64_t ts_ms)
{
	if (!c->ob_inflight || !c->ob_inflight_ws)
		return 0;
	finish_ok(c, id, ts_ms);
	ob_pump(c);
	return 1;
}

int ob_on_ws_error(struct mc_client *c, const char *code, const char *message)
{
	if (!c->ob_inflight || !c->ob_inflight_ws)
		return 0;
	if (!strcmp(code, "HANDLER_ERROR") && message && str_starts_with(message, "Rate limited")) {
		/* not stored: REST has a separate, larger per-channel budget */
		log_info("outbox: WS rate limit; sending over REST instead");
		c->ob_head->force_rest = 1;
		c->ob_inflight = 0;
		c->ob_inflight_ws = 0;
		ev_timer_stop(c->loop, &c->ack_timer);
		ob_pump(c);
		return 1;
	}
	char *why = xasprintf("%s: %s", code, message ? message : "");
	finish_fail(c, why);
	free(why);
	ob_pump(c);
	return 1;
}

void ob_on_ws_down(struct mc_client *c)
{
	if (c->ob_inflight && c->ob_inflight_ws) {
		/* it may or may not have been stored: say so rather than risk a duplicate */
		finish_fail(c, "connection lost before the server confirmed it");
	}
	/* queued ones wait for the reconnect or go over REST now */
	ob_pump(c);
}

void ob_init(struct mc_client *c)
{
	ev_timer_init(&c->ack_timer, ack_timeout_cb, ACK_TIMEOUT_S, 0.);
	c->ack_timer.data = c;
}

void ob_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->ack_timer);
	while (c->ob_head)
		ob_entry_free(ob_pop(c));
}
