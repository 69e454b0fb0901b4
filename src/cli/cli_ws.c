/* The headless WebSocket of `tail` and `connect`: one socket per agent; subscriptions kept as
 * a set and re-sent after every reconnect; app-level ping often enough for the agent's
 * idleTimeoutSeconds; close codes per protocol §4.2 (4001 verify again, 4002 reconnect at
 * once, 4003 wait 15 min, anything else exponential backoff 1 s -> 30 s, forever); every
 * frame and socket event optionally recorded.
 *
 * Presence keepalive: the server turns an agent idle T/2 after its last message or typing;
 * ping keeps the socket but not the presence (protocol §4.10). A new connection sets the
 * agent online, so with keepalive on the socket is renewed before T/2: the new one opens
 * while the old one is still up (the agent never has zero sockets, so no presence drop and
 * no missed broadcast: fan-out is per agent), then the old one is closed. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "cli_int.h"

#define PING_MAX_S 30.
#define CONNECT_TIMEOUT_S 15.
#define QUARANTINE_WAIT_S 900.
#define DEFAULT_IDLE_S 360

struct cli_sock {
	struct cli_ws *w;
	struct net_ws *ws;
	int open;
	char *token;          /* the token this socket was opened with */
};

struct cli_ws {
	struct cli *c;
	struct cli_ws_handlers h;
	void *ud;
	struct cli_sock *cur;     /* the socket in use (connecting or open) */
	struct cli_sock *next;    /* its replacement while renewing */
	char **subs;
	size_t n_subs;
	struct cli_record *rec;
	ev_timer ping_timer, reconnect_timer, keepalive_timer, connect_timer;
	struct net_backoff bo;
	long idle_s;
	int keepalive;
	int64_t active_ms;        /* monotonic: the server last saw us active */
	unsigned opens;
	int started;
	int waiting_token;
};

static void schedule(struct cli_ws *w, double s, const char *why);
static void open_socket(struct cli_ws *w, int as_next);

static void sock_free(struct cli_sock *s)
{
	if (!s)
		return;
	if (s->token)
		memset(s->token, 0, strlen(s->token));
	free(s->token);
	free(s);
}

/* Close our side; no callbacks follow. */
static void sock_close(struct cli_sock *s, int code, const char *why)
{
	if (!s)
		return;
	if (s->ws)
		net_ws_close(s->ws, code, why);
	sock_free(s);
}

static double ping_interval(const struct cli_ws *w)
{
	double iv = w->idle_s > 0 ? (double)w->idle_s / 3.0 : PING_MAX_S;
	return iv > PING_MAX_S ? PING_MAX_S : iv < 1. ? 1. : iv;
}

/* Renew this long after the last activity: before the server's T/2 idle mark. */
static double renew_after_s(const struct cli_ws *w)
{
	double half = (double)(w->idle_s > 0 ? w->idle_s : DEFAULT_IDLE_S) / 2.0;
	double margin = half / 5.0 < 1. ? 1. : half / 5.0;
	return half - margin < 0.5 ? 0.5 : half - margin;
}

static void restart_timers(struct cli_ws *w)
{
	struct ev_loop *loop = w->c->loop;
	ev_timer_stop(loop, &w->ping_timer);
	ev_timer_set(&w->ping_timer, ping_interval(w), ping_interval(w));
	ev_timer_start(loop, &w->ping_timer);
	ev_timer_stop(loop, &w->keepalive_timer);
	if (w->keepalive) {
		double check = renew_after_s(w) / 4.0;
		ev_timer_set(&w->keepalive_timer, check, check);
		ev_timer_start(loop, &w->keepalive_timer);
	}
}

static int raw_send(struct cli_ws *w, const char *text)
{
	if (!w->cur || !w->cur->open)
		return -1;
	if (net_ws_send(w->cur->ws, text, strlen(text)) != 0)
		return -1;
	cli_record_frame(w->rec, "send", text, strlen(text));
	return 0;
}

int cli_ws_send(struct cli_ws *w, const char *text)
{
	if (raw_send(w, text) != 0)
		return -1;
	if (strstr(text, "\"op\":\"message\"") || strstr(text, "\"op\":\"typing\""))
		w->active_ms = mono_ms();
	return 0;
}

static void send_subscribe_all(struct cli_ws *w)
{
	if (!w->n_subs)
		return;
	char *f = proto_build_subscribe((const char *const *)w->subs, w->n_subs);
	raw_send(w, f);
	free(f);
}

/* ---- socket callbacks ---- */

static void on_open(void *ud)
{
	struct cli_sock *s = ud;
	struct cli_ws *w = s->w;
	s->open = 1;
	if (s == w->next) {
		/* renewal: the new socket is up, so the old one can go */
		log_info("ws: connection renewed (presence keepalive)");
		sock_close(w->cur, 1000, "renewed");
		w->cur = s;
		w->next = NULL;
	}
	ev_timer_stop(w->c->loop, &w->connect_timer);
	w->opens++;
	w->active_ms = mono_ms(); /* connecting sets the agent online */
	cli_record_event(w->rec, "open", 0, NULL);
	log_info("ws: connected");
	char *ping = proto_build_ping();
	raw_send(w, ping);
	free(ping);
	send_subscribe_all(w);
	restart_timers(w);
	if (w->h.on_open)
		w->h.on_open(w->ud);
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct cli_sock *s = ud;
	struct cli_ws *w = s->w;
	if (s != w->cur)
		return; /* a renewal socket before it took over */
	cli_record_frame(w->rec, "recv", text, len);
	struct proto_frame f;
	int ok = proto_frame_parse(text, len, &f) == 0;
	if (ok && (f.op == PROTO_OP_PONG || f.op == PROTO_OP_SUBSCRIBED))
		net_backoff_reset(&w->bo); /* the token was accepted: a healthy socket */
	if (w->h.on_frame)
		w->h.on_frame(w->ud, text, len, ok ? &f : NULL);
	if (ok)
		proto_frame_free(&f);
}

static void went_down(struct cli_ws *w, int code, const char *why)
{
	ev_timer_stop(w->c->loop, &w->ping_timer);
	ev_timer_stop(w->c->loop, &w->keepalive_timer);
	ev_timer_stop(w->c->loop, &w->connect_timer);
	if (w->next) {
		sock_close(w->next, 1000, "bye");
		w->next = NULL;
	}
	if (w->h.on_down)
		w->h.on_down(w->ud, code, why);
}

static void on_close(void *ud, int code, const char *reason)
{
	struct cli_sock *s = ud;
	struct cli_ws *w = s->w;
	s->ws = NULL; /* net frees it */
	if (s == w->next) {
		log_warn("ws: renewal socket closed (%d); keeping the current one", code);
		w->next = NULL;
		sock_free(s);
		return;
	}
	cli_record_event(w->rec, "close", code, reason);
	char *why = xasprintf("closed (%d%s%s)", code, reason && *reason ? " " : "",
		reason ? reason : "");
	log_info("ws: %s", why);
	if (code == 4001)
		cli_drop_token(w->c, s->token); /* verify again before the next attempt */
	w->cur = NULL;
	sock_free(s);
	went_down(w, code, why);
	if (code == 4002)
		schedule(w, 0.05, why);
	else if (code == 4003)
		schedule(w, QUARANTINE_WAIT_S, why);
	else
		schedule(w, (double)net_backoff_next(&w->bo) / 1000.0, why);
	free(why);
}

static void on_error(void *ud, const char *reason)
{
	struct cli_sock *s = ud;
	struct cli_ws *w = s->w;
	s->ws = NULL;
	if (s == w->next) {
		w->next = NULL;
		sock_free(s);
		return;
	}
	cli_record_event(w->rec, "error", 0, reason);
	char *why = xasprintf("cannot connect: %s", reason ? reason : "?");
	log_warn("ws: %s", why);
	w->cur = NULL;
	sock_free(s);
	went_down(w, 1006, why);
	schedule(w, (double)net_backoff_next(&w->bo) / 1000.0, why);
	free(why);
}

/* ---- connecting ---- */

struct token_wait {
	struct cli_ws *w;
	int as_next;
};

static void on_token(void *ud, int ok)
{
	struct token_wait *t = ud;
	struct cli_ws *w = t->w;
	int as_next = t->as_next;
	free(t);
	w->waiting_token = 0;
	if (!ok) {
		if (!as_next)
			schedule(w, (double)net_backoff_next(&w->bo) / 1000.0, "authentication failed");
		return;
	}
	open_socket(w, as_next);
}

static void open_socket(struct cli_ws *w, int as_next)
{
	struct cli *c = w->c;
	if (c->have_id && !c->anonymous && !c->token) {
		if (w->waiting_token)
			return;
		w->waiting_token = 1;
		struct token_wait *t = xcalloc(1, sizeof(*t));
		t->w = w;
		t->as_next = as_next;
		cli_ensure_token(c, on_token, t);
		return;
	}
	if (!c->wsx)
		c->wsx = net_ws_ctx_new(c->loop, c->ep.ca_file);
	const char *url0 = c->ep.ws_url;
	char *url = c->token ? xasprintf("%s%stoken=%s", url0, strchr(url0, '?') ? "&" : "?", c->token)
		: xstrdup(url0);
	static const struct net_ws_handlers h = { on_open, on_text, on_close, on_error };
	struct cli_sock *s = xcalloc(1, sizeof(*s));
	s->w = w;
	s->token = xstrdup(c->token);
	log_info("ws: connecting to %s", url0); /* never the URL with the token */
	s->ws = c->wsx ? net_ws_open(c->wsx, url, &h, s) : NULL;
	memset(url, 0, strlen(url));
	free(url);
	if (!s->ws) {
		sock_free(s);
		log_error("ws: cannot open %s", url0);
		if (!as_next)
			schedule(w, (double)net_backoff_next(&w->bo) / 1000.0, "malformed URL");
		return;
	}
	if (as_next) {
		w->next = s;
		return;
	}
	w->cur = s;
	ev_timer_stop(c->loop, &w->connect_timer);
	ev_timer_set(&w->connect_timer, CONNECT_TIMEOUT_S, 0.);
	ev_timer_start(c->loop, &w->connect_timer);
}

static void schedule(struct cli_ws *w, double s, const char *why)
{
	log_info("ws: reconnecting in %.1f s (%s)", s, why ? why : "");
	ev_timer_stop(w->c->loop, &w->reconnect_timer);
	ev_timer_set(&w->reconnect_timer, s, 0.);
	ev_timer_start(w->c->loop, &w->reconnect_timer);
}

static void reconnect_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct cli_ws *w = t->data;
	if (!w->cur)
		open_socket(w, 0);
}

static void connect_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct cli_ws *w = t->data;
	if (!w->cur || w->cur->open)
		return;
	log_warn("ws: handshake timed out");
	sock_close(w->cur, 1000, "timeout");
	w->cur = NULL;
	went_down(w, 1006, "handshake timed out");
	schedule(w, (double)net_backoff_next(&w->bo) / 1000.0, "timeout");
}

static void ping_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct cli_ws *w = t->data;
	char *f = proto_build_ping();
	raw_send(w, f);
	free(f);
}

static void keepalive_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct cli_ws *w = t->data;
	if (!w->cur || !w->cur->open || w->next || w->waiting_token)
		return;
	if ((double)(mono_ms() - w->active_ms) / 1000.0 >= renew_after_s(w))
		open_socket(w, 1);
}

/* idleTimeoutSeconds decides the ping and renewal pace (read at connect by the server). */
static void on_config(void *ud, const struct cli_resp *r)
{
	struct cli_ws *w = ud;
	struct proto_agent_config cfg;
	if (r->status != 200 || proto_decode_agent_config(r->body, r->len, &cfg) != 0)
		return;
	if (cfg.idle_timeout_seconds > 0) {
		w->idle_s = (long)cfg.idle_timeout_seconds;
		log_info("ws: idle timeout %ld s: ping every %.1f s", w->idle_s, ping_interval(w));
		if (w->cur && w->cur->open)
			restart_timers(w);
	}
	proto_agent_config_free(&cfg);
}

/* ---- public ---- */

struct cli_ws *cli_ws_new(struct cli *c, const struct cli_ws_handlers *h, void *ud)
{
	struct cli_ws *w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->h = *h;
	w->ud = ud;
	net_backoff_init(&w->bo, 1000, 30000);
	ev_timer_init(&w->ping_timer, ping_cb, PING_MAX_S, PING_MAX_S);
	ev_timer_init(&w->reconnect_timer, reconnect_cb, 0., 0.);
	ev_timer_init(&w->keepalive_timer, keepalive_cb, 1., 1.);
	ev_timer_init(&w->connect_timer, connect_timeout_cb, CONNECT_TIMEOUT_S, 0.);
	w->ping_timer.data = w->reconnect_timer.data = w->keepalive_timer.data =
		w->connect_timer.data = w;
	return w;
}

void cli_ws_set_record(struct cli_ws *w, struct cli_record *rec)
{
	w->rec = rec;
}

void cli_ws_set_presence_keepalive(struct cli_ws *w, int on)
{
	w->keepalive = on;
}

void cli_ws_start(struct cli_ws *w)
{
	if (w->started)
		return;
	w->started = 1;
	if (w->c->have_id && !w->c->anonymous)
		cli_request(w->c, "GET", "/agents/@me/config", NULL, CLI_AUTH, on_config, w);
	open_socket(w, 0);
}

int cli_ws_is_subscribed(const struct cli_ws *w, const char *channel_id)
{
	for (size_t i = 0; i < w->n_subs; i++)
		if (!strcmp(w->subs[i], channel_id))
			return 1;
	return 0;
}

void cli_ws_subscribe(struct cli_ws *w, const char *channel_id)
{
	if (!channel_id || cli_ws_is_subscribed(w, channel_id))
		return;
	w->subs = xrealloc(w->subs, (w->n_subs + 1) * sizeof(*w->subs));
	w->subs[w->n_subs++] = xstrdup(channel_id);
	char *f = proto_build_subscribe(&channel_id, 1);
	raw_send(w, f);
	free(f);
}

int cli_ws_is_open(const struct cli_ws *w)
{
	return w->cur && w->cur->open;
}

unsigned cli_ws_opens(const struct cli_ws *w)
{
	return w->opens;
}

void cli_ws_free(struct cli_ws *w)
{
	if (!w)
		return;
	struct ev_loop *loop = w->c->loop;
	ev_timer_stop(loop, &w->ping_timer);
	ev_timer_stop(loop, &w->reconnect_timer);
	ev_timer_stop(loop, &w->keepalive_timer);
	ev_timer_stop(loop, &w->connect_timer);
	if (w->cur && w->cur->open)
		cli_record_event(w->rec, "close", 1000, "client exit");
	sock_close(w->cur, 1000, "bye");
	sock_close(w->next, 1000, "bye");
	for (size_t i = 0; i < w->n_subs; i++)
		free(w->subs[i]);
	free(w->subs);
	free(w);
}
