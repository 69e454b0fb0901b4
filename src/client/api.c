/* REST calls: URL and header assembly, session token handling (wait while authenticating,
 * one refresh-and-retry on 401 TOKEN_EXPIRED/TOKEN_REVOKED), decoding, and one small function
 * per endpoint. Tokens only ever appear in the Authorization header, never in logs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/wirelog.h"
#include "client_int.h"

struct api_req {
	struct mc_client *c;
	struct mc_net *net;
	struct api_req *prev, *next; /* in c->reqs */
	char *base;
	char *method;
	char *path;
	char *body;
	enum api_auth auth;
	char *token;            /* API_TOKEN, or the session token last used */
	enum api_decode decode;
	api_cb cb;
	void *ud;
	api_ud_free ud_free;
	struct net_http_req *http;
	int waiting;            /* for the session */
	int retried;
	api_hook hook;
	char *hook_key;
	int refused;            /* api_refuse: completes from refuse_timer */
	char *refuse_code;
	char *refuse_message;
	ev_timer refuse_timer;
	int64_t sent_ms;        /* monotonic, the last send (the inspector's duration) */
};

static int req_send(struct api_req *r);

char *api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_putc(&b, (char)*p);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	return buf_steal(&b);
}

char *api_error_text(const struct api_result *r)
{
	if (r->status == 0)
		return xasprintf("network error: %s", r->err.message ? r->err.message : "?");
	if (r->err.code)
		return xasprintf("HTTP %d %s: %s", r->status, r->err.code,
			r->err.message ? r->err.message : "");
	return xasprintf("HTTP %d: %s", r->status, r->err.message ? r->err.message : "");
}

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

static void req_unlink(struct api_req *r)
{
	struct mc_client *c = r->c;
	if (!c)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else if (c->reqs == r)
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

static void req_free(struct api_req *r)
{
	if (r->refused && r->c)
		ev_timer_stop(r->c->loop, &r->refuse_timer);
	free(r->hook_key);
	free(r->refuse_code);
	free(r->refuse_message);
	free(r->base);
	free(r->method);
	free(r->path);
	wipe_free(r->body); /* may hold a password or refresh token */
	wipe_free(r->token);
	free(r);
}

static int is_body_method(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PATCH") || !strcmp(m, "PUT");
}

static void free_decoded(struct api_result *res)
{
	if (res->profile) { proto_profile_free(res->profile); free(res->profile); }
	if (res->auth) { proto_auth_free(res->auth); free(res->auth); }
	if (res->server) { proto_server_free(res->server); free(res->server); }
	if (res->servers) { proto_servers_free(res->servers); free(res->servers); }
	if (res->channels) { proto_channels_free(res->channels); free(res->channels); }
	if (res->message) { proto_message_free(res->message); free(res->message); }
	if (res->messages) { proto_messages_free(res->messages); free(res->messages); }
	if (res->members) { proto_members_free(res->members); free(res->members); }
	if (res->friends) { proto_friends_free(res->friends); free(res->friends); }
	if (res->channel) { proto_channel_free(res->channel); free(res->channel); }
	if (res->ack) { proto_ack_free(res->ack); free(res->ack); }
	if (res->pending) { proto_pending_free(res->pending); free(res->pending); }
	if (res->friend_requests) {
		proto_friend_requests_free(res->friend_requests);
		free(res->friend_requests);
	}
	if (res->config) { proto_agent_config_free(res->config); free(res->config); }
	if (res->blocks) { proto_blocks_free(res->blocks); free(res->blocks); }
	if (res->bans) { proto_bans_free(res->bans); free(res->bans); }
	if (res->search) { proto_search_free(res->search); free(res->search); }
	if (res->trust) { proto_trust_free(res->trust); free(res->trust); }
	if (res->trust_challenge) {
		proto_trust_challenge_free(res->trust_challenge);
		free(res->trust_challenge);
	}
	if (res->webhook_test) { proto_webhook_test_free(res->webhook_test); free(res->webhook_test); }
	if (res->health) { proto_health_free(res->health); free(res->health); }
	if (res->observer_auth) {
		proto_observer_auth_free(res->observer_auth);
		free(res->observer_auth);
	}
}

/* 0 when the body decoded as `dec` expects. */
static int decode_body(enum api_decode dec, const char *b, size_t n, struct api_result *res)
{
#define DEC(field, type, fn)                                     \
	do {                                                     \
		res->field = xcalloc(1, sizeof(type));           \
		if (fn(b, n, res->field) != 0) {                 \
			free(res->field);                        \
			res->field = NULL;                       \
			return -1;                               \
		}                                                \
		return 0;                                        \
	} while (0)
	switch (dec) {
	case API_DEC_NONE: return 0;
	case API_DEC_PROFILE: DEC(profile, struct proto_profile, proto_decode_profile);
	case API_DEC_AUTH: DEC(auth, struct proto_auth, proto_decode_auth);
	case API_DEC_SERVER: DEC(server, struct proto_server, proto_decode_server);
	case API_DEC_SERVERS: DEC(servers, struct proto_servers, proto_decode_servers);
	case API_DEC_CHANNELS: DEC(channels, struct proto_channels, proto_decode_channels);
	case API_DEC_MESSAGE: DEC(message, struct proto_message, proto_decode_message);
	case API_DEC_MESSAGES: DEC(messages, struct proto_messages, proto_decode_messages);
	case API_DEC_MEMBERS: DEC(members, struct proto_members, proto_decode_members);
	case API_DEC_FRIENDS: DEC(friends, struct proto_friends, proto_decode_friends);
	case API_DEC_CHANNEL: DEC(channel, struct proto_channel, proto_decode_channel);
	case API_DEC_ACK: DEC(ack, struct proto_ack, proto_decode_ack);
	case API_DEC_PENDING: DEC(pending, struct proto_pending, proto_decode_pending);
	case API_DEC_FRIEND_REQUESTS:
		DEC(friend_requests, struct proto_friend_requests, proto_decode_friend_requests);
	case API_DEC_CONFIG: DEC(config, struct proto_agent_config, proto_decode_agent_config);
	case API_DEC_BLOCKS: DEC(blocks, struct proto_blocks, proto_decode_blocks);
	case API_DEC_BANS: DEC(bans, struct proto_bans, proto_decode_bans);
	case API_DEC_SEARCH: DEC(search, struct proto_search, proto_decode_search);
	case API_DEC_TRUST: DEC(trust, struct proto_trust, proto_decode_trust);
	case API_DEC_TRUST_CHALLENGE:
		DEC(trust_challenge, struct proto_trust_challenge, proto_decode_trust_challenge);
	case API_DEC_WEBHOOK_TEST:
		DEC(webhook_test, struct proto_webhook_test, proto_decode_webhook_test);
	case API_DEC_HEALTH: DEC(health, struct proto_health, proto_decode_health);
	case API_DEC_OBSERVER_AUTH:
		DEC(observer_auth, struct proto_observer_auth, proto_decode_observer_auth);
	}
#undef DEC
	return -1;
}

/* Finish r with a result (r is unlinked and freed; the callback may free the client). */
static void req_complete(struct api_req *r, struct api_result *res)
{
	req_unlink(r);
	api_cb cb = r->cb;
	void *ud = r->ud;
	if (r->hook && r->c)
		r->hook(r->c, r->hook_key, res);
	req_free(r);
	if (cb)
		cb(ud, res);
}

static void req_fail_local_code(struct api_req *r, const char *code, const char *why)
{
	struct api_result res;
	memset(&res, 0, sizeof(res));
	res.err.code = (char *)code;
	res.err.message = (char *)why;
	res.body = "";
	res.rl_limit = res.rl_remaining = res.rl_reset = -1;
	req_complete(r, &res);
}

static void req_fail_local(struct api_req *r, const char *why)
{
	req_fail_local_code(r, NULL, why);
}

static int is_token_expiry(const struct proto_error *e)
{
	return e->status == 401 && e->code &&
		(!strcmp(e->code, "TOKEN_EXPIRED") || !strcmp(e->code, "TOKEN_REVOKED"));
}

static void http_done(void *ud, const struct net_http_result *hr)
{
	struct api_req *r = ud;
	r->http = NULL;
	struct api_result res;
	memset(&res, 0, sizeof(res));
	res.status = hr->status;
	res.body = hr->body;
	res.body_len = hr->body_len;
	res.rl_limit = hr->rl_limit;
	res.rl_remaining = hr->rl_remaining;
	res.rl_reset = hr->rl_reset;
	log_debug("api: %s %s -> %d", r->method, r->path, hr->status);
	wirelog_add_rest(wirelog_global(), r->c ? r->c->acct->label : NULL, r->method, r->base,
		r->path, hr->status, mono_ms() - r->sent_ms, r->body, hr->body, hr->body_len);

	if (hr->status == 0) {
		res.err.status = 0;
		res.err.message = xstrdup(hr->error ? hr->error : "transport error");
	} else if (hr->status >= 200 && hr->status < 300) {
		if (decode_body(r->decode, hr->body, hr->body_len, &res) == 0) {
			res.ok = 1;
		} else {
			res.err.status = hr->status;
			res.err.code = xstrdup("BAD_RESPONSE");
			res.err.message = xstrdup("unexpected response body");
		}
	} else {
		proto_decode_error(hr->status, hr->body, hr->body_len, &res.err);
		if (r->auth == API_SESSION && r->c && !r->retried && is_token_expiry(&res.err)) {
			/* refresh once, then replay */
			proto_error_free(&res.err);
			r->retried = 1;
			struct mc_client *c = r->c;
			const char *cur = session_token(c);
			if (cur && r->token && strcmp(cur, r->token) != 0) {
				/* someone refreshed meanwhile */
				if (req_send(r) != 0)
					req_fail_local(r, "cannot start the request");
				return;
			}
			r->waiting = 1;
			session_refresh(c);
			return;
		}
	}
	req_complete(r, &res);
	free_decoded(&res);
	proto_error_free(&res.err);
}

/* Send now, or park until the session is ready. -1 when curl refused the request (r is
 * untouched: the caller completes or drops it). */
static int req_send(struct api_req *r)
{
	struct mc_net *net = r->net;
	if (r->auth == API_SESSION) {
		const char *tok = r->c ? session_token(r->c) : NULL;
		if (!tok) {
			r->waiting = 1;
			return 0;
		}
		wipe_free(r->token);
		r->token = xstrdup(tok);
	}
	r->waiting = 0;
	r->sent_ms = mono_ms();
	char *url = xasprintf("%s%s", r->base, r->path);
	char *auth_hdr = r->token && r->auth != API_NOAUTH ? xasprintf("Authorization: Bearer %s", r->token) : NULL;
	const char *hdrs[4];
	size_t nh = 0;
	hdrs[nh++] = "Accept: application/json";
	if (r->body)
		hdrs[nh++] = "Content-Type: application/json";
	if (auth_hdr)
		hdrs[nh++] = auth_hdr;
	hdrs[nh] = NULL;
	struct net_http_opts o = {
		.method = r->method,
		.url = url,
		.headers = hdrs,
		.body = r->body,
		.body_len = r->body ? strlen(r->body) : 0,
	};
	r->http = net_http_request(net->http, &o, http_done, r);
	free(url);
	wipe_free(auth_hdr);
	return r->http ? 0 : -1;
}

struct api_req *api_start(const struct api_call *call)
{
	struct mc_client *c = call->c;
	struct mc_net *net = call->net ? call->net : (c ? c->net : NULL);
	const char *base = call->base ? call->base : (c ? c->api_base : NULL);
	if (!net || !base || !call->path || (call->auth == API_SESSION && !c)) {
		if (call->ud_free)
			call->ud_free(call->ud);
		return NULL;
	}
	struct api_req *r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->net = net;
	r->base = xstrdup(base);
	r->method = xstrdup(call->method ? call->method : "GET");
	r->path = xstrdup(call->path);
	if (call->body)
		r->body = xstrdup(call->body);
	else if (is_body_method(r->method))
		r->body = xstrdup("{}"); /* the platform 500s on a missing body */
	r->auth = call->auth;
	if (call->auth == API_TOKEN)
		r->token = xstrdup(call->token);
	r->decode = call->decode;
	r->hook = call->hook;
	r->hook_key = xstrdup(call->hook_key);
	r->cb = call->cb;
	r->ud = call->ud;
	r->ud_free = call->ud_free;
	if (c) {
		r->next = c->reqs;
		if (c->reqs)
			c->reqs->prev = r;
		c->reqs = r;
	}
	if (req_send(r) != 0) {
		log_error("api: cannot start %s %s", r->method, r->path);
		req_unlink(r);
		if (r->ud_free)
			r->ud_free(r->ud);
		req_free(r);
		return NULL;
	}
	return r;
}

static void refuse_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct api_req *r = t->data;
	ev_timer_stop(loop, t);
	r->refused = 0;
	char *code = r->refuse_code, *msg = r->refuse_message;
	r->refuse_code = r->refuse_message = NULL;
	req_fail_local_code(r, code, msg);
	free(code);
	free(msg);
}

struct api_req *api_refuse(struct mc_client *c, const char *code, const char *message, api_cb cb,
	void *ud, api_ud_free f)
{
	if (!c) {
		if (f)
			f(ud);
		return NULL;
	}
	struct api_req *r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->net = c->net;
	r->method = xstrdup("-");
	r->path = xstrdup("-");
	r->cb = cb;
	r->ud = ud;
	r->ud_free = f;
	r->refused = 1;
	r->refuse_code = xstrdup(code);
	r->refuse_message = xstrdup(message);
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	ev_timer_init(&r->refuse_timer, refuse_cb, 0., 0.);
	r->refuse_timer.data = r;
	ev_timer_start(c->loop, &r->refuse_timer);
	return r;
}

int api_route_missing(const struct api_result *r)
{
	return r->status == 404 && !r->err.code && r->err.message &&
		str_starts_with(r->err.message, "Route ");
}

void api_cancel(struct api_req *r)
{
	if (!r)
		return;
	if (r->http)
		net_http_cancel(r->http);
	req_unlink(r);
	if (r->ud_free)
		r->ud_free(r->ud);
	req_free(r);
}

void api_client_flush_waiting(struct mc_client *c)
{
	/* session is ready, so a sent request never becomes waiting again: this terminates */
	for (;;) {
		struct api_req *r = c->reqs;
		while (r && !r->waiting)
			r = r->next;
		if (!r)
			return;
		if (req_send(r) != 0)
			req_fail_local(r, "cannot start the request");
	}
}

void api_client_fail_waiting(struct mc_client *c, const char *why)
{
	for (;;) {
		struct api_req *r = c->reqs;
		while (r && !r->waiting)
			r = r->next;
		if (!r)
			return;
		req_fail_local(r, why);
	}
}

void api_client_cancel_all(struct mc_client *c)
{
	while (c->reqs)
		api_cancel(c->reqs);
}

