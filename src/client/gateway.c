/* WebSocket gateway: one socket per client; subscriptions kept as a set and re-sent after
 * every reconnect; app-level ping every 30 s; typing throttled; close codes per protocol §4.2
 * (4001 refresh then reconnect, 4002 reconnect now, 4003 long backoff, else exponential
 * backoff with jitter); live frames written into the model. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "client_int.h"

#define PING_INTERVAL_S 30.
#define TYPING_THROTTLE_MS 4000
#define QUARANTINE_BACKOFF_S 900.

static void gw_schedule(struct mc_client *c, double delay_s);

static void set_all_unsubscribed(struct mc_client *c)
{
	struct mdl_account *a = c->acct;
	for (size_t i = 0; i < a->n_servers; i++)
		for (size_t j = 0; j < a->servers[i]->n_channels; j++)
			a->servers[i]->channels[j]->subscribed = 0;
	mdl_mark_dirty(c->model, MDL_DIRTY_CHANNELS | MDL_DIRTY_STATUS);
}

int gw_send_text(struct mc_client *c, const char *text)
{
	if (c->gw != GW_OPEN || !c->ws)
		return -1;
	return net_ws_send(c->ws, text, strlen(text));
}

static void send_subscribe(struct mc_client *c, const char *const *ids, size_t n)
{
	if (!n)
		return;
	char *f = proto_build_subscribe(ids, n);
	gw_send_text(c, f);
	free(f);
}

static void ping_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	char *f = proto_build_ping();
	gw_send_text(c, f);
	free(f);
}

static void reconnect_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	gw_connect(c);
}

/* ---- frames ---- */

static void on_message_frame(struct mc_client *c, struct proto_frame *f)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, f->channel);
	if (!ch) {
		log_debug("gw: message for unknown channel dropped");
		return;
	}
	const struct proto_message *m = &f->msg;
	struct mdl_msg_in in = {
		.id = m->id,
		.author_id = m->agent.id,
		.author_username = m->agent.username,
		.author_display = m->agent.display_name,
		.content = m->content,
		.content_type = m->content_type,
		.trust_tier = m->trust_tier,
		.created_ms = m->created_ms ? m->created_ms : wall_ms(),
	};
	mdl_message_add(ch, &in, 1);
	if (m->agent.username)
		mdl_typing_clear(ch, m->agent.username);
}

static void on_error_frame(struct mc_client *c, struct proto_frame *f)
{
	const char *code = f->code ? f->code : "ERROR";
	const char *msg = f->message ? f->message : "";
	if (!strcmp(code, "SUBSCRIBE_FAILED")) {
		mdl_notice(c->model, 2, "cannot subscribe to channel %s: %s",
			f->channel ? f->channel : "?", msg);
		return;
	}
	if (!strcmp(code, "AUTH_FAILED") || !strcmp(code, "TOKEN_INVALID") ||
		!strcmp(code, "IDLE_TIMEOUT")) {
		log_info("gw: %s (%s); the close follows", code, msg);
		return; /* the close code drives the reaction */
	}
	if (ob_on_ws_error(c, code, msg))
		return;
	mdl_notice(c->model, 1, "server: %s: %s", code, msg);
}

static void handle_frame(struct mc_client *c, const char *text, size_t len)
{
	struct proto_frame f;
	if (proto_frame_parse(text, len, &f) != 0) {
		log_warn("gw: unparsable frame (%zu bytes) ignored", len);
		return;
	}
	struct mdl_channel *ch;
	switch (f.op) {
	case PROTO_OP_MESSAGE:
		on_message_frame(c, &f);
		break;
	case PROTO_OP_MESSAGE_ACK:
		if (!f.id || !ob_on_ack(c, f.id, f.ts_ms ? f.ts_ms : wall_ms()))
			log_warn("gw: message_ack with nothing in flight");
		break;
	case PROTO_OP_TYPING:
		ch = mdl_channel_find(c->acct, f.channel);
		if (ch && f.agent && !str_eq(f.agent, c->username))
			mdl_typing_add(ch, f.agent, wall_ms());
		break;
	case PROTO_OP_PRESENCE:
		ch = mdl_channel_find(c->acct, f.channel);
		if (ch)
			mdl_presence_set(ch, (const char *const *)f.online, f.n_online);
		break;
	case PROTO_OP_SUBSCRIBED:
		ch = mdl_channel_find(c->acct, f.channel);
		if (ch) {
			ch->subscribed = 1;
			mdl_mark_dirty(c->model, MDL_DIRTY_CHANNELS | MDL_DIRTY_STATUS);
		}
		ob_pump(c); /* a queued message may now go over the socket */
		break;
	case PROTO_OP_UNSUBSCRIBED:
		ch = mdl_channel_find(c->acct, f.channel);
		if (ch) {
			ch->subscribed = 0;
			mdl_mark_dirty(c->model, MDL_DIRTY_CHANNELS);
		}
		break;
	case PROTO_OP_ERROR:
		on_error_frame(c, &f);
		break;
	case PROTO_OP_QUARANTINED:
		mdl_notice(c->model, 2, "this agent is quarantined: %s", f.reason ? f.reason : "");
		break;
	case PROTO_OP_PONG:
	case PROTO_OP_CONTEXT:
	case PROTO_OP_VOUCH_ACK:
	case PROTO_OP_FLAG_ACK:
		break;
	default:
		log_debug("gw: ignoring op %s", f.op_name);
		break;
	}
	proto_frame_free(&f);
}

/* ---- socket events ---- */

static void on_open(void *ud)
{
	struct mc_client *c = ud;
	c->gw = GW_OPEN;
	net_backoff_reset(&c->gw_bo);
	mdl_account_set_conn(c->acct, MDL_CONN_ONLINE, NULL);
	log_info("gw: connected");
	send_subscribe(c, (const char *const *)c->subs, c->n_subs);
	ev_timer_stop(c->loop, &c->ping_timer);
	ev_timer_set(&c->ping_timer, PING_INTERVAL_S, PING_INTERVAL_S);
	ev_timer_start(c->loop, &c->ping_timer);
	ob_pump(c);
}

static void on_text(void *ud, const char *text, size_t len)
{
	handle_frame(ud, text, len);
}

static void went_down(struct mc_client *c)
{
	c->ws = NULL; /* net frees the handle after on_close/on_error */
	ev_timer_stop(c->loop, &c->ping_timer);
	set_all_unsubscribed(c);
	ob_on_ws_down(c);
}

static void on_close(void *ud, int code, const char *reason)
{
	struct mc_client *c = ud;
	went_down(c);
	char *detail = xasprintf("closed (%d%s%s)", code, reason && reason[0] ? " " : "",
		reason ? reason : "");
	log_info("gw: %s", detail);
	mdl_account_set_conn(c->acct, MDL_CONN_RECONNECTING, detail);
	free(detail);
	if (code == 4001 && c->agent_id) {
		/* token rejected at connect: refresh (or re-auth) first */
		c->gw = GW_WAIT_AUTH;
		session_refresh(c);
		if (session_ready(c))
			gw_schedule(c, 0.);
		return;
	}
	if (code == 4002) {
		gw_schedule(c, 0.05);
		return;
	}
	if (code == 4003) {
		mdl_notice(c->model, 2, "the server refused this agent (quarantined); retrying in %d min",
			(int)(QUARANTINE_BACKOFF_S / 60));
		gw_schedule(c, QUARANTINE_BACKOFF_S);
		return;
	}
	gw_schedule(c, (double)net_backoff_next(&c->gw_bo) / 1000.0);
}

static void on_error(void *ud, const char *reason)
{
	struct mc_client *c = ud;
	went_down(c);
	char *detail = xasprintf("cannot connect: %s", reason);
	log_warn("gw: %s", detail);
	mdl_account_set_conn(c->acct, MDL_CONN_RECONNECTING, detail);
	free(detail);
	gw_schedule(c, (double)net_backoff_next(&c->gw_bo) / 1000.0);
}

static void gw_schedule(struct mc_client *c, double delay_s)
{
	c->gw = GW_WAITING;
	ev_timer_stop(c->loop, &c->reconnect_timer);
	ev_timer_set(&c->reconnect_timer, delay_s, 0.);
	ev_timer_start(c->loop, &c->reconnect_timer);
}

void gw_connect(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->reconnect_timer);
	if (c->ws) {
		net_ws_close(c->ws, 1000, "reconnect");
		went_down(c);
	}
	char *url;
	if (c->agent_id) {
		const char *tok = session_token(c);
		if (!tok) {
			c->gw = GW_WAIT_AUTH; /* client_on_session_ready reconnects */
			return;
		}
		url = xasprintf("%s%stoken=%s", c->ws_url, strchr(c->ws_url, '?') ? "&" : "?", tok);
	} else {
		url = xstrdup(c->ws_url); /* no token: anonymous read-only observer */
	}
	static const struct net_ws_handlers h = { on_open, on_text, on_close, on_error };
	log_info("gw: connecting to %s", c->ws_url); /* never the URL with the token */
	c->gw = GW_CONNECTING;
	mdl_account_set_conn(c->acct, MDL_CONN_CONNECTING, NULL);
	c->ws = net_ws_open(c->net->ws, url, &h, c);
	memset(url, 0, strlen(url));
	free(url);
	if (!c->ws) {
		mdl_account_set_conn(c->acct, MDL_CONN_FAILED, "malformed WebSocket URL");
		mdl_notice(c->model, 2, "malformed WebSocket URL %s", c->ws_url);
		c->gw = GW_IDLE;
	}
}

void gw_drop_connection(struct mc_client *c, const char *why)
{
	if (!c->ws)
		return;
	log_warn("gw: dropping the connection: %s", why);
	net_ws_close(c->ws, 1000, why);
	went_down(c);
	mdl_account_set_conn(c->acct, MDL_CONN_RECONNECTING, why);
	gw_schedule(c, 0.5);
}

void gw_subscribe(struct mc_client *c, const char *channel_id)
{
	for (size_t i = 0; i < c->n_subs; i++)
		if (!strcmp(c->subs[i], channel_id))
			return;
	c->subs = xrealloc(c->subs, (c->n_subs + 1) * sizeof(*c->subs));
	c->subs[c->n_subs++] = xstrdup(channel_id);
	send_subscribe(c, &channel_id, 1);
}

int gw_can_send_on(struct mc_client *c, const char *channel_id)
{
	if (c->gw != GW_OPEN || !c->agent_id)
		return 0;
	struct mdl_channel *ch = mdl_channel_find(c->acct, channel_id);
	return ch && ch->subscribed;
}

void gw_typing(struct mc_client *c, const char *channel_id)
{
	if (!c->agent_id || !gw_can_send_on(c, channel_id))
		return;
	int64_t now = mono_ms();
	struct typing_mark *m = NULL;
	for (size_t i = 0; i < c->n_typing; i++)
		if (!strcmp(c->typing[i].channel_id, channel_id))
			m = &c->typing[i];
	if (m && now - m->last_ms < TYPING_THROTTLE_MS)
		return;
	if (!m) {
		c->typing = xrealloc(c->typing, (c->n_typing + 1) * sizeof(*c->typing));
		m = &c->typing[c->n_typing++];
		m->channel_id = xstrdup(channel_id);
	}
	m->last_ms = now;
	char *f = proto_build_typing(channel_id);
	gw_send_text(c, f);
	free(f);
}

void gw_init(struct mc_client *c)
{
	net_backoff_init(&c->gw_bo, 1000, 60000);
	ev_timer_init(&c->reconnect_timer, reconnect_cb, 0., 0.);
	c->reconnect_timer.data = c;
	ev_timer_init(&c->ping_timer, ping_cb, PING_INTERVAL_S, PING_INTERVAL_S);
	c->ping_timer.data = c;
}

void gw_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->reconnect_timer);
	ev_timer_stop(c->loop, &c->ping_timer);
	if (c->ws) {
		net_ws_close(c->ws, 1000, "bye");
		c->ws = NULL;
	}
	for (size_t i = 0; i < c->n_subs; i++)
		free(c->subs[i]);
	free(c->subs);
	c->subs = NULL;
	c->n_subs = 0;
	for (size_t i = 0; i < c->n_typing; i++)
		free(c->typing[i].channel_id);
	free(c->typing);
	c->typing = NULL;
	c->n_typing = 0;
}
