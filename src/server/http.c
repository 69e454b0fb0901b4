/* moltchatsd REST: lws HTTP callbacks, the route table walk, body parsing and Fastify-style
 * replies (protocol §1.3, §1.4). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "router.h"
#include "server.h"

/* request bodies are capped by srv->cfg.max_body (--max-body, default 1 MiB) */
#define WRITE_CHUNK 16384

static const struct {
	const struct route *table;
	const size_t *count;
} route_tables[] = {
	{ routes_auth, &routes_auth_count },
	{ routes_agents, &routes_agents_count },
	{ routes_servers, &routes_servers_count },
	{ routes_channels, &routes_channels_count },
	{ routes_messages, &routes_messages_count },
	{ routes_observers, &routes_observers_count },
	{ routes_trust, &routes_trust_count },
	{ routes_webhooks, &routes_webhooks_count },
	{ routes_observer_accounts, &routes_observer_accounts_count },
	{ routes_social, &routes_social_count },
	{ routes_moderation, &routes_moderation_count }, { routes_reactions, &routes_reactions_count }, { routes_feed, &routes_feed_count },
};

static const char *const method_names[] = {
	[LWSHUMETH_GET] = "GET", [LWSHUMETH_POST] = "POST", [LWSHUMETH_OPTIONS] = "OPTIONS",
	[LWSHUMETH_PUT] = "PUT", [LWSHUMETH_PATCH] = "PATCH", [LWSHUMETH_DELETE] = "DELETE",
	[LWSHUMETH_CONNECT] = "CONNECT", [LWSHUMETH_HEAD] = "HEAD",
};

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	default: return "Internal Server Error";
	}
}

/* Application error codes with their status and default message (shared/src/errors.ts). */
static const struct {
	const char *code;
	int status;
	const char *message;
} app_errors[] = {
	{ "INVALID_CREDENTIALS", 401, "Invalid credentials" },
	{ "TOKEN_EXPIRED", 401, "Token has expired" },
	{ "TOKEN_REVOKED", 401, "Token has been revoked" },
	{ "CHALLENGE_EXPIRED", 400, "Challenge has expired" },
	{ "INVALID_SIGNATURE", 400, "Invalid signature" },
	{ "AGENT_NOT_FOUND", 404, "Agent not found" },
	{ "USERNAME_TAKEN", 409, "Username is already taken" },
	{ "SERVER_NOT_FOUND", 404, "Server not found" },
	{ "NOT_SERVER_MEMBER", 403, "Not a member of this server" },
	{ "NOT_SERVER_OWNER", 403, "Not the server owner" },
	{ "NOT_SERVER_ADMIN", 403, "Insufficient server permissions" },
	{ "ALREADY_MEMBER", 409, "Already a member of this server" },
	{ "BANNED_FROM_SERVER", 403, "Banned from this server" },
	{ "MAX_CHANNELS_REACHED", 400, "Maximum channels per server reached" },
	{ "CHANNEL_NOT_FOUND", 404, "Channel not found" },
	{ "NOT_DM_PARTICIPANT", 403, "Not a participant in this DM" },
	{ "MESSAGE_NOT_FOUND", 404, "Message not found" },
	{ "RATE_LIMITED", 429, "Too many requests" },
	{ "INSUFFICIENT_TRUST", 403, "Insufficient trust level for this action" },
	{ "AGENT_QUARANTINED", 403, "Agent is quarantined" },
	{ "FORBIDDEN", 403, "Forbidden" },
	{ "NOT_FOUND", 404, "Not found" },
};

/* ---- replies ---- */

static void set_response_typed(struct req *r, int status, const char *content_type, char *text);

static void set_response(struct req *r, int status, char *text)
{
	set_response_typed(r, status, "application/json; charset=utf-8", text);
}

void reply_text(struct req *r, int status, const char *content_type, const char *text)
{
	set_response_typed(r, status, content_type, xstrdup(text));
}

static void set_response_typed(struct req *r, int status, const char *content_type, char *text)
{
	if (r->responded) {
		free(text);
		return;
	}
	size_t n = strlen(text);
	size_t body_len = r->head_only ? 0 : n;
	r->responded = 1;
	r->status = status;
	r->resp_sent = 0;

	unsigned char hdr[LWS_PRE + 2048];
	unsigned char *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof(hdr) - 1;
	if (lws_add_http_common_headers(r->wsi, (unsigned)status, content_type, body_len, &p,
					end))
		goto fail;
	for (int i = 0; i < r->nhdrs; i++) {
		if (lws_add_http_header_by_name(r->wsi, (const unsigned char *)r->hdr_names[i],
						(const unsigned char *)r->hdr_values[i],
						(int)strlen(r->hdr_values[i]), &p, end))
			goto fail;
	}
	if (lws_get_network_wsi(r->wsi) == r->wsi) {
		/* HTTP/1.1: headers and body leave in one write, so one send() (and one wake-up
		 * of the client) per response instead of two. */
		if (lws_finalize_http_header(r->wsi, &p, end))
			goto fail;
		size_t hl = (size_t)(p - start);
		r->resp = xmalloc(LWS_PRE + hl + n + 1);
		memcpy(r->resp + LWS_PRE, start, hl);
		memcpy(r->resp + LWS_PRE + hl, text, n + 1);
		r->resp_len = hl + body_len;
	} else {
		/* a stream of a multiplexed (h2) connection: headers are frames of their own */
		if (lws_finalize_write_http_header(r->wsi, start, &p, end))
			goto fail;
		r->resp = xmalloc(LWS_PRE + n + 1);
		memcpy(r->resp + LWS_PRE, text, n + 1);
		r->resp_len = body_len;
	}
	free(text);
	log_debug("http %s %s -> %d", r->method_name, r->path, status);
	lws_callback_on_writable(r->wsi);
	return;
fail:
	free(text);
	log_warn("http: could not write headers for %s %s", r->method_name, r->path);
	lws_set_timeout(r->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void reply_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdrs >= REQ_MAX_HEADERS)
		return;
	r->hdr_names[r->nhdrs] = xasprintf("%s:", name);
	r->hdr_values[r->nhdrs] = xstrdup(value);
	r->nhdrs++;
}

void reply_json(struct req *r, int status, cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	set_response(r, status, text ? text : xstrdup("null"));
}

void reply_error(struct req *r, int status, const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "statusCode", status);
	if (code)
		cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "error", reason_phrase(status));
	cJSON_AddStringToObject(o, "message", message);
	reply_json(r, status, o);
}

void reply_internal(struct req *r, const char *message)
{
	reply_error(r, 500, NULL, message);
}

void reply_app_error(struct req *r, const char *code)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(app_errors); i++) {
		if (strcmp(app_errors[i].code, code) == 0) {
			reply_error(r, app_errors[i].status, code, app_errors[i].message);
			return;
		}
	}
	reply_internal(r, code);
}

void reply_validation(struct req *r, const char *message)
{
	reply_error(r, 400, "VALIDATION_ERROR", message);
}

/* ---- request helpers ---- */

const char *req_query(struct req *r, const char *name, char *buf, int len)
{
	char key[64];
	snprintf(key, sizeof(key), "%s=", name);
	return lws_get_urlarg_by_name(r->wsi, key, buf, len);
}

const char *req_peer(struct req *r)
{
	if (!r->peer[0] && !lws_get_peer_simple(r->wsi, r->peer, sizeof(r->peer)))
		snprintf(r->peer, sizeof(r->peer), "?");
	return r->peer;
}

cJSON *req_body_object(struct req *r, const char *first_field)
{
	if (!r->json || cJSON_IsNull(r->json)) {
		if (r->srv->cfg.strict) {
			reply_validation(r, "body must be object");
			return NULL;
		}
		char *msg = xasprintf("Cannot destructure property '%s' of 'request.body' as it is %s.",
				      first_field, r->json ? "null" : "undefined");
		reply_internal(r, msg);
		free(msg);
		return NULL;
	}
	return r->json;
}

cJSON *req_field(struct req *r, const char *name)
{
	if (!cJSON_IsObject(r->json))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(r->json, name);
}

/* ---- routing ---- */

static void req_reset(struct req *r)
{
	if (r->on_close) {
		/* a deferred reply is still pending: let its owner let go of r */
		r->on_close(r);
		r->on_close = NULL;
	}
	free(r->body);
	cJSON_Delete(r->json);
	free(r->username);
	free(r->resp);
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	for (int i = 0; i < r->nhdrs; i++) {
		free(r->hdr_names[i]);
		free(r->hdr_values[i]);
	}
	struct srv *s = r->srv;
	struct lws *wsi = r->wsi;
	memset(r, 0, sizeof(*r));
	r->srv = s;
	r->wsi = wsi;
	r->content_length = -1;
}

const struct route *route_lookup(const char *method, const char *path,
				 char *params[ROUTE_MAX_PARAMS], int *nparams, int *bad_uuid)
{
	*bad_uuid = -1;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (size_t t = 0; t < MC_ARRAY_LEN(route_tables); t++) {
		for (size_t i = 0; i < *route_tables[t].count; i++) {
			const struct route *rt = &route_tables[t].table[i];
			if (strcmp(rt->method, method) == 0 &&
			    route_match(rt->pattern, path, params, nparams, bad_uuid))
				return rt;
		}
	}
	return NULL;
}

static void reply_json_syntax_error(struct req *r, const char *msg)
{
	if (r->srv->cfg.strict)
		reply_validation(r, msg);
	else
		reply_internal(r, msg);
}

/* --strict: a malformed :uuid gets the 404 its resource would give for an unknown id. The
 * resource is named by the literal segment before the parameter. */
static void reply_strict_not_found(struct req *r, const char *pattern, int param)
{
	static const struct {
		const char *segment, *code, *message;
	} kinds[] = {
		{ "servers", "SERVER_NOT_FOUND", "Server not found" },
		{ "channels", "CHANNEL_NOT_FOUND", "Channel not found" },
		{ "messages", "MESSAGE_NOT_FOUND", "Message not found" },
		{ "requests", "FRIEND_REQUEST_NOT_FOUND", "Friend request not found" },
		{ "agents", "AGENT_NOT_FOUND", "Agent not found" },
		{ "bans", "AGENT_NOT_FOUND", "Agent not found" },
		{ "members", "AGENT_NOT_FOUND", "Agent not found" },
	};
	char prev[32];
	route_segment_before(pattern, param, prev, sizeof(prev));
	for (size_t i = 0; i < MC_ARRAY_LEN(kinds); i++) {
		if (strcmp(prev, kinds[i].segment) == 0) {
			reply_error(r, 404, kinds[i].code, kinds[i].message);
			return;
		}
	}
	reply_error(r, 404, "NOT_FOUND", "Not found");
}

static void dispatch(struct req *r)
{
	r->awaiting_body = 0;
	if (r->body_too_large) {
		reply_error(r, 413, "FST_ERR_CTP_BODY_TOO_LARGE", "Request body is too large");
		return;
	}
	int bad_uuid;
	const struct route *rt = route_lookup(r->method_name, r->path, r->params, &r->nparams,
					      &bad_uuid);
	if (!rt) {
		cJSON *o = cJSON_CreateObject();
		char *msg = xasprintf("Route %s:%s not found", r->method_name, r->path);
		cJSON_AddStringToObject(o, "message", msg);
		cJSON_AddStringToObject(o, "error", "Not Found");
		cJSON_AddNumberToObject(o, "statusCode", 404);
		free(msg);
		reply_json(r, 404, o);
		return;
	}
	if (r->body && r->body_len > 0) {
		char *err;
		r->json = body_parse_json(r->body, r->body_len, &err);
		if (!r->json) {
			reply_json_syntax_error(r, err);
			free(err);
			return;
		}
	}
	if ((rt->flags & ROUTE_AUTH) && auth_bearer(r) != 0)
		return;
	if (bad_uuid >= 0) {
		if (r->srv->cfg.strict) {
			reply_strict_not_found(r, rt->pattern, bad_uuid);
			return;
		}
		/* PostgreSQL rejects the parameter before any row is looked at. */
		char clean[80];
		utf8_sanitize_into(r->params[bad_uuid], 0, clean, sizeof(clean));
		char *msg = xasprintf("invalid input syntax for type uuid: \"%s\"", clean);
		reply_internal(r, msg);
		free(msg);
		return;
	}
	rt->handler(r);
	if (!r->responded && !r->on_close)
		reply_internal(r, "No response");
}

static int header_int(struct lws *wsi, enum lws_token_indexes h)
{
	char v[32];
	if (lws_hdr_total_length(wsi, h) <= 0 || lws_hdr_copy(wsi, v, sizeof(v), h) <= 0)
		return -1;
	/* untrusted: clamp instead of atoi's undefined overflow; junk counts as huge */
	char *end;
	long long n = strtoll(v, &end, 10);
	if (end == v || *end || n < 0 || n > INT_MAX)
		return INT_MAX;
	return (int)n;
}

static int on_http(struct srv *s, struct lws *wsi, struct session *ss, const char *in)
{
	if (!ss->req)
		ss->req = xcalloc(1, sizeof(*ss->req));
	struct req *r = ss->req;
	r->srv = s;
	r->wsi = wsi;
	req_reset(r);
	char *uri = NULL;
	int urilen = 0;
	r->method = lws_http_get_uri_and_method(wsi, &uri, &urilen);
	if (r->method < 0 || r->method >= (int)MC_ARRAY_LEN(method_names) || !method_names[r->method])
		r->method = LWSHUMETH_GET;
	snprintf(r->method_name, sizeof(r->method_name), "%s", method_names[r->method]);
	snprintf(r->path, sizeof(r->path), "%s", in ? in : "/");
	r->head_only = r->method == LWSHUMETH_HEAD;
	r->content_length = header_int(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);

	if (strcmp(r->path, "/health") == 0 && (r->method == LWSHUMETH_GET || r->head_only)) {
		char iso[ISO_TIME_LEN];
		iso_now(iso);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", "ok");
		cJSON_AddStringToObject(o, "timestamp", iso);
		reply_json(r, 200, o);
		return 0;
	}

	if ((r->method == LWSHUMETH_GET || r->head_only) && skill_doc_serve(r))
		return 0;

	int body_method = r->method == LWSHUMETH_POST || r->method == LWSHUMETH_PUT ||
			  r->method == LWSHUMETH_PATCH || r->method == LWSHUMETH_DELETE;
	if (body_method && r->content_length < 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
		/* lws does not decode chunked request bodies: the request would hang. */
		reply_error(r, 411, NULL, "Content-Length is required");
		return 0;
	}
	if (r->content_length >= 0 && (size_t)r->content_length > s->cfg.max_body)
		r->body_too_large = 1;
	/* A POST with a Content-Length (even 0) always gets body callbacks; the others only
	 * when a body is announced. Without Content-Length there is no body and lws sends no
	 * body callbacks, so answer now. */
	if ((r->method == LWSHUMETH_POST && r->content_length >= 0) ||
	    (body_method && r->content_length > 0)) {
		r->awaiting_body = 1;
		return 0;
	}
	dispatch(r);
	return 0;
}

int http_callback(struct srv *s, struct lws *wsi, int reason, void *user, void *in, size_t len)
{
	struct session *ss = user;
	struct req *r = ss ? ss->req : NULL;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return on_http(s, wsi, ss, in);
	case LWS_CALLBACK_HTTP_BODY:
		if (!r || !r->awaiting_body || !in || !len)
			return 0;
		if (r->body_too_large || r->body_len + len > s->cfg.max_body) {
			r->body_too_large = 1;
			return 0;
		}
		r->body = xrealloc(r->body, r->body_len + len + 1);
		memcpy(r->body + r->body_len, in, len);
		r->body_len += len;
		r->body[r->body_len] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (r && r->awaiting_body)
			dispatch(r);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE: {
		if (!r || !r->responded || !r->resp)
			return 0;
		size_t left = r->resp_len - r->resp_sent;
		size_t n = left > WRITE_CHUNK ? WRITE_CHUNK : left;
		int final = n == left;
		if (n > 0 && lws_write(wsi, r->resp + LWS_PRE + r->resp_sent, n,
				       final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) < (int)n)
			return -1;
		r->resp_sent += n;
		if (!final) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		free(r->resp);
		r->resp = NULL;
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_CLOSED_HTTP:
		if (r) {
			req_reset(r);
			free(r);
			ss->req = NULL;
		}
		return 0;
	default:
		return 0;
	}
}
