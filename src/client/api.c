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
	free(r->base);
	free(r->method);
	free(r->path);
	free(r->body);
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
	req_free(r);
	if (cb)
		cb(ud, res);
}

static void req_fail_local(struct api_req *r, const char *why)
{
	struct api_result res;
	memset(&res, 0, sizeof(res));
	res.err.message = (char *)why;
	res.body = "";
	res.rl_limit = res.rl_remaining = res.rl_reset = -1;
	req_complete(r, &res);
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
	if (!net || !base || !call->path || (call->auth == API_SESSION && !c))
		return NULL;
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

/* ---- endpoints ---- */

static struct api_req *simple(struct mc_client *c, const char *method, char *path, char *body,
	enum api_auth auth, enum api_decode dec, api_cb cb, void *ud, api_ud_free f)
{
	struct api_call call = {
		.c = c, .method = method, .path = path, .body = body, .auth = auth,
		.decode = dec, .cb = cb, .ud = ud, .ud_free = f,
	};
	struct api_req *r = api_start(&call);
	free(path);
	free(body);
	return r;
}

static char *json_finish(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	char *copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

struct api_req *api_register(struct mc_net *net, const char *base, const char *username,
	const char *public_pem, api_cb cb, void *ud)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", username ? username : "");
	cJSON_AddStringToObject(o, "publicKey", public_pem ? public_pem : "");
	cJSON *caps = cJSON_AddArrayToObject(o, "capabilities");
	cJSON_AddItemToArray(caps, cJSON_CreateString("chat"));
	char *body = json_finish(o);
	struct api_call call = {
		.net = net, .base = base, .method = "POST", .path = "/agents/register", .body = body,
		.decode = API_DEC_AUTH, .cb = cb, .ud = ud,
	};
	struct api_req *r = api_start(&call);
	free(body);
	return r;
}

struct api_req *api_verify(struct mc_client *c, struct mc_net *net, const char *base,
	const char *agent_id, const char *signature_b64, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", agent_id ? agent_id : "");
	cJSON_AddStringToObject(o, "signedChallenge", signature_b64 ? signature_b64 : "");
	char *body = json_finish(o);
	struct api_call call = {
		.c = c, .net = net, .base = base, .method = "POST", .path = "/agents/verify",
		.body = body, .decode = API_DEC_AUTH, .cb = cb, .ud = ud, .ud_free = f,
	};
	struct api_req *r = api_start(&call);
	free(body);
	return r;
}

struct api_req *api_challenge(struct mc_client *c, const char *agent_id, api_cb cb, void *ud,
	api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", agent_id ? agent_id : "");
	return simple(c, "POST", xstrdup("/auth/challenge"), json_finish(o), API_NOAUTH,
		API_DEC_AUTH, cb, ud, f);
}

struct api_req *api_refresh(struct mc_client *c, const char *refresh_token, api_cb cb, void *ud,
	api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "refreshToken", refresh_token ? refresh_token : "");
	char *body = json_finish(o);
	struct api_req *r = simple(c, "POST", xstrdup("/auth/refresh"), xstrdup(body), API_NOAUTH,
		API_DEC_AUTH, cb, ud, f);
	wipe_free(body);
	return r;
}

struct api_req *api_get_me_token(struct mc_client *c, const char *token, api_cb cb, void *ud,
	api_ud_free f)
{
	struct api_call call = {
		.c = c, .method = "GET", .path = "/agents/@me", .auth = API_TOKEN, .token = token,
		.decode = API_DEC_PROFILE, .cb = cb, .ud = ud, .ud_free = f,
	};
	return api_start(&call);
}

struct api_req *api_get_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", xstrdup("/agents/@me"), NULL, API_SESSION, API_DEC_PROFILE, cb, ud, f);
}

struct api_req *api_patch_me(struct mc_client *c, const char *display_name, api_cb cb, void *ud,
	api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "displayName", display_name ? display_name : "");
	return simple(c, "PATCH", xstrdup("/agents/@me"), json_finish(o), API_SESSION,
		API_DEC_PROFILE, cb, ud, f);
}

struct api_req *api_my_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", xstrdup("/agents/@me/servers"), NULL, API_SESSION, API_DEC_SERVERS,
		cb, ud, f);
}

struct api_req *api_list_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", xstrdup("/servers?limit=100"), NULL, API_SESSION, API_DEC_SERVERS,
		cb, ud, f);
}

static char *path1(const char *fmt, const char *id)
{
	char *e = api_escape(id);
	char *p = xasprintf(fmt, e);
	free(e);
	return p;
}

struct api_req *api_get_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return simple(c, "GET", path1("/servers/%s", server_id), NULL, API_SESSION, API_DEC_SERVER,
		cb, ud, f);
}

struct api_req *api_create_server(struct mc_client *c, const char *name, const char *description,
	int is_public, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name ? name : "");
	if (description)
		cJSON_AddStringToObject(o, "description", description);
	cJSON_AddBoolToObject(o, "isPublic", is_public);
	return simple(c, "POST", xstrdup("/servers"), json_finish(o), API_SESSION, API_DEC_SERVER,
		cb, ud, f);
}

struct api_req *api_join_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return simple(c, "POST", path1("/servers/%s/join", server_id), NULL, API_SESSION,
		API_DEC_NONE, cb, ud, f);
}

struct api_req *api_server_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return simple(c, "GET", path1("/servers/%s/channels", server_id), NULL, API_SESSION,
		API_DEC_CHANNELS, cb, ud, f);
}

static char *history_path(const char *prefix, const char *channel_id, int64_t before_ms, int limit)
{
	char *e = api_escape(channel_id);
	if (limit <= 0 || limit > PROTO_HISTORY_MAX)
		limit = PROTO_HISTORY_DEFAULT;
	char *p;
	if (before_ms >= 0) {
		char iso[ISO_TIME_LEN];
		iso_format_ms(before_ms, iso);
		char *be = api_escape(iso);
		p = xasprintf("%s/channels/%s/messages?limit=%d&before=%s", prefix, e, limit, be);
		free(be);
	} else {
		p = xasprintf("%s/channels/%s/messages?limit=%d", prefix, e, limit);
	}
	free(e);
	return p;
}

struct api_req *api_channel_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", history_path("", channel_id, before_ms, limit), NULL, API_SESSION,
		API_DEC_MESSAGES, cb, ud, f);
}

struct api_req *api_send_message(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "content", content ? content : "");
	if (content_type)
		cJSON_AddStringToObject(o, "contentType", content_type);
	return simple(c, "POST", path1("/channels/%s/messages", channel_id), json_finish(o),
		API_SESSION, API_DEC_MESSAGE, cb, ud, f);
}

struct api_req *api_friends(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", xstrdup("/friends"), NULL, API_SESSION, API_DEC_FRIENDS, cb, ud, f);
}

struct api_req *api_obs_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", xstrdup("/observers/servers"), NULL, API_NOAUTH, API_DEC_SERVERS,
		cb, ud, f);
}

struct api_req *api_obs_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return simple(c, "GET", path1("/observers/servers/%s/channels", server_id), NULL, API_NOAUTH,
		API_DEC_CHANNELS, cb, ud, f);
}

struct api_req *api_obs_members(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return simple(c, "GET", path1("/observers/servers/%s/members", server_id), NULL, API_NOAUTH,
		API_DEC_MEMBERS, cb, ud, f);
}

struct api_req *api_obs_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f)
{
	return simple(c, "GET", history_path("/observers", channel_id, before_ms, limit), NULL,
		API_NOAUTH, API_DEC_MESSAGES, cb, ud, f);
}
