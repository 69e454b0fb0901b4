/* WebSocket gateway: one socket per client; subscriptions kept as a set and re-sent after
 * every reconnect, each followed by a gap fill from history; app-level ping every 30 s (or a
 * third of the agent's idleTimeoutSeconds when that is shorter, so 4002 never happens);
 * typing throttled; a handshake that stalls times out; close codes per protocol §4.2 (4001
 * refresh, or re-verify when a fresh token is refused again; 4002 reconnect now; 4003 long
 * backoff; else exponential backoff 1 s -> 30 s with jitter, unbounded attempts, shown in the
 * account's connection detail). The backoff resets only once a socket has proved healthy
 * (pong or subscribed), so a server that accepts and then refuses cannot make us spin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "moltty/wirelog.h"
#include "client_int.h"

#define PING_INTERVAL_S 30.
#define PING_MIN_S 1.
#define TYPING_THROTTLE_MS 4000
#define QUARANTINE_BACKOFF_S 900.
#define CONNECT_TIMEOUT_S 15.
#define RECONNECT_BASE_MS 1000
#define RECONNECT_CAP_MS 30000
#define ACTIVE_KICK_AFTER_S 3.   /* user activity brings a reconnect further away than this */
#define ACTIVE_KICK_EVERY_MS 10000

static void gw_schedule(struct mc_client *c, double delay_s, const char *why);

static double next_backoff_s(struct mc_client *c)
{
	return (double)net_backoff_next(&c->gw_bo) / 1000.0;
}

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
	size_t len = strlen(text);
	int rc = net_ws_send(c->ws, text, len);
	if (rc == 0)
		wirelog_add_ws(wirelog_global(), c->acct->label, WIRELOG_WS_OUT, text, len);
	return rc;
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

/* The first answer on a socket: the token was accepted and the server works. */
static void mark_healthy(struct mc_client *c)
{
	if (c->gw_healthy)
		return;
	c->gw_healthy = 1;
	c->gw_auth_streak = 0;
	net_backoff_reset(&c->gw_bo);
}

static void restart_ping(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->ping_timer);
	ev_timer_set(&c->ping_timer, c->ping_interval_s, c->ping_interval_s);
	ev_timer_start(c->loop, &c->ping_timer);
}

void gw_set_idle_timeout(struct mc_client *c, long seconds)
{
	c->idle_timeout_s = seconds;
	double iv = PING_INTERVAL_S;
	if (seconds > 0 && (double)seconds / 3.0 < iv)
		iv = (double)seconds / 3.0; /* three pings per disconnect window */
	if (iv < PING_MIN_S)
		iv = PING_MIN_S;
	if (iv == c->ping_interval_s)
		return;
	c->ping_interval_s = iv;
	log_info("gw: ping every %.1f s (idle timeout %ld s)", iv, seconds);
	if (gw_is_open(c))
		restart_ping(c);
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
	if (!m->agent.id || !m->content || !m->content[0]) {
		/* malformed (no author, content missing or not a string): the platform never
		 * sends these, and the log must not show a message nobody wrote */
		log_warn("gw: message frame without author or content dropped");
		return;
	}
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
	if (trust_on_error(c, code, msg))
		return;
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
		mark_healthy(c);
		ch = mdl_channel_find(c->acct, f.channel);
		if (ch) {
			ch->subscribed = 1;
			mdl_mark_dirty(c->model, MDL_DIRTY_CHANNELS | MDL_DIRTY_STATUS);
			gapfill_channel(c, ch); /* live frames flow now: fetch what we missed */
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
	case PROTO_OP_VOUCH_ACK:
	case PROTO_OP_FLAG_ACK:
		if (!trust_on_ack(c, f.op, f.target))
			log_warn("gw: %s with no matching trust op", f.op_name);
		break;
	case PROTO_OP_PONG:
		mark_healthy(c);
		break;
	case PROTO_OP_CONTEXT:
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
	ev_timer_stop(c->loop, &c->gw_connect_timer);
	c->gw = GW_OPEN;
	c->gw_healthy = 0;
	c->gw_quarantined = 0;
	c->gw_opens++;
	c->gw_ever_open = 1;
	mdl_account_set_conn(c->acct, MDL_CONN_ONLINE, NULL);
	log_info("gw: connected");
	/* auth is checked after the upgrade: the pong (or a subscribed) proves the token */
	char *ping = proto_build_ping();
	gw_send_text(c, ping);
	free(ping);
	send_subscribe(c, (const char *const *)c->subs, c->n_subs);
	restart_ping(c);
	ob_on_ws_open(c);
	trust_pump(c);
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct mc_client *c = ud;
	wirelog_add_ws(wirelog_global(), c->acct->label, WIRELOG_WS_IN, text, len);
	handle_frame(ud, text, len);
}

static void went_down(struct mc_client *c)
{
	c->ws = NULL; /* net frees the handle after on_close/on_error */
	c->gw_healthy = 0;
	ev_timer_stop(c->loop, &c->ping_timer);
	ev_timer_stop(c->loop, &c->gw_connect_timer);
	gapfill_note_down(c);
	set_all_unsubscribed(c);
	ob_on_ws_down(c);
	trust_on_ws_down(c);
}

static void on_config(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	if (r->ok && r->config->idle_timeout_seconds > 0)
		gw_set_idle_timeout(c, (long)r->config->idle_timeout_seconds);
}

void gw_fetch_config(struct mc_client *c)
{
	if (c->agent_id)
		api_get_config(c, on_config, c, NULL);
}

static void on_close(void *ud, int code, const char *reason)
{
	struct mc_client *c = ud;
	went_down(c);
	char *detail = xasprintf("closed (%d%s%s)", code, reason && reason[0] ? " " : "",
		reason ? reason : "");
	log_info("gw: %s", detail);
	if (code == 4001 && c->agent_id) {
		/* token rejected at connect: refresh first; if a fresh token is refused too,
		 * re-verify with the private key. Reconnects when the session is ready again. */
		c->gw = GW_WAIT_AUTH;
		mdl_account_set_conn(c->acct, MDL_CONN_AUTHENTICATING, detail);
		free(detail);
		if (++c->gw_auth_streak >= 2)
			session_reauth(c);
		else
			session_refresh(c);
		return;
	}
	if (code == 4002) {
		/* our keepalive was too slow for the server's idle timeout: learn it again */
		c->gw_closes_4002++;
		gw_fetch_config(c);
		gw_schedule(c, 0.05, detail);
		free(detail);
		return;
	}
	if (code == 4003) {
		mdl_notice(c->model, 2, "the server refused this agent (quarantined); retrying in %d min",
			(int)(QUARANTINE_BACKOFF_S / 60));
		c->gw_quarantined = 1; /* user activity must not shorten this wait */
		gw_schedule(c, QUARANTINE_BACKOFF_S, "quarantined");
		free(detail);
		return;
	}
	gw_schedule(c, next_backoff_s(c), detail);
	free(detail);
}

static void on_error(void *ud, const char *reason)
{
	struct mc_client *c = ud;
	went_down(c);
	char *detail = xasprintf("cannot connect: %s", reason);
	log_warn("gw: %s", detail);
	gw_schedule(c, next_backoff_s(c), detail);
	free(detail);
}

static void connect_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct mc_client *c = t->data;
	if (!c->ws || c->gw != GW_CONNECTING)
		return;
	log_warn("gw: handshake timed out after %.0f s", c->gw_connect_timeout_s);
	net_ws_close(c->ws, 1000, "timeout");
	went_down(c);
	gw_schedule(c, next_backoff_s(c), "connection timed out");
}

/* Wait, then connect; the account's detail says why, when, and which attempt is next. */
static void gw_schedule(struct mc_client *c, double delay_s, const char *why)
{
	c->gw = GW_WAITING;
	ev_timer_stop(c->loop, &c->reconnect_timer);
	ev_timer_set(&c->reconnect_timer, delay_s, 0.);
	ev_timer_start(c->loop, &c->reconnect_timer);
	c->gw_next_ms = mono_ms() + (int64_t)(delay_s * 1000.0);
	size_t queued = ob_count(c, NULL);
	char qtext[48] = "";
	if (queued)
		snprintf(qtext, sizeof(qtext), "; %zu message%s queued", queued, queued == 1 ? "" : "s");
	unsigned attempt = c->gw_bo.attempt ? c->gw_bo.attempt : 1;
	int secs = (int)(delay_s + 0.999);
	char *detail = xasprintf("%s%sreconnecting in %d s (attempt %u)%s", why ? why : "",
		why ? "; " : "", secs < 1 ? 1 : secs, attempt, qtext);
	mdl_account_set_conn(c->acct, MDL_CONN_RECONNECTING, detail);
	free(detail);
}

void gw_reconnect_after_auth(struct mc_client *c)
{
	/* backoff even so: a server that keeps refusing fresh tokens cannot make us spin */
	gw_schedule(c, next_backoff_s(c), "session renewed");
}

void gw_user_active(struct mc_client *c)
{
	int64_t now = mono_ms();
	c->user_active_ms = now;
	/* someone is waiting at the keyboard: don't make them sit out a long backoff, but
	 * never more often than every ACTIVE_KICK_EVERY_MS (no tight loop while typing) */
	if (c->gw != GW_WAITING || c->gw_next_ms - now < (int64_t)(ACTIVE_KICK_AFTER_S * 1000))
		return;
	if (c->gw_quarantined || (c->user_kick_ms && now - c->user_kick_ms < ACTIVE_KICK_EVERY_MS))
		return;
	c->user_kick_ms = now;
	log_info("gw: user active; reconnecting now");
	ev_timer_stop(c->loop, &c->reconnect_timer);
	ev_timer_set(&c->reconnect_timer, 0.2, 0.);
	ev_timer_start(c->loop, &c->reconnect_timer);
	c->gw_next_ms = now + 200;
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
		return;
	}
	/* a server that accepts TCP but never answers the upgrade must not hold us forever */
	ev_timer_stop(c->loop, &c->gw_connect_timer);
	ev_timer_set(&c->gw_connect_timer, c->gw_connect_timeout_s, 0.);
	ev_timer_start(c->loop, &c->gw_connect_timer);
}

void gw_drop_connection(struct mc_client *c, const char *why)
{
	if (!c->ws)
		return;
	log_warn("gw: dropping the connection: %s", why);
	net_ws_close(c->ws, 1000, why);
	went_down(c);
	gw_schedule(c, 0.5, why);
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

void gw_unsubscribe(struct mc_client *c, const char *channel_id)
{
	for (size_t i = 0; i < c->n_subs; i++) {
		if (strcmp(c->subs[i], channel_id) != 0)
			continue;
		free(c->subs[i]);
		memmove(&c->subs[i], &c->subs[i + 1], (c->n_subs - i - 1) * sizeof(*c->subs));
		c->n_subs--;
		break;
	}
	/* sent even when it wasn't in the set: the server answers unsubscribed either way */
	char *f = proto_build_unsubscribe(&channel_id, 1);
	gw_send_text(c, f);
	free(f);
}

int gw_is_open(const struct mc_client *c)
{
	return c->gw == GW_OPEN && c->ws != NULL;
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
	net_backoff_init(&c->gw_bo, RECONNECT_BASE_MS, RECONNECT_CAP_MS);
	ev_timer_init(&c->reconnect_timer, reconnect_cb, 0., 0.);
	c->reconnect_timer.data = c;
	c->ping_interval_s = PING_INTERVAL_S;
	ev_timer_init(&c->ping_timer, ping_cb, PING_INTERVAL_S, PING_INTERVAL_S);
	c->ping_timer.data = c;
	c->gw_connect_timeout_s = CONNECT_TIMEOUT_S;
	ev_timer_init(&c->gw_connect_timer, connect_timeout_cb, CONNECT_TIMEOUT_S, 0.);
	c->gw_connect_timer.data = c;
}

void gw_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->reconnect_timer);
	ev_timer_stop(c->loop, &c->ping_timer);
	ev_timer_stop(c->loop, &c->gw_connect_timer);
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
