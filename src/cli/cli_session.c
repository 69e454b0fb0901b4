/* REST for the headless subcommands: requests on the HTTP client (net_http), a token of the
 * CLI's own (challenge + verify with the private key; cached until 60 s before it expires),
 * one re-verify and repeat on a 401. Never a refresh: rotation would revoke the session of
 * another moltty process using the same agent, verify revokes nothing (protocol.md §2.3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "cli_int.h"

#define TOKEN_MARGIN_S 60

struct cli_call {
	struct cli *c;
	struct cli_call *next;      /* in c->waiting */
	char *method;
	char *path;
	char *body;
	int flags;
	int retried;
	char *used_token;
	cli_resp_cb cb;
	void *ud;
	cli_ready_cb ready_cb;      /* a cli_ensure_token waiter instead of a request */
};

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

char *cli_escape(const char *s)
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

/* ---- the token cache ---- */

static int64_t token_exp(const char *token)
{
	char *payload = jwt_payload_unverified(token);
	if (!payload)
		return 0;
	cJSON *j = cJSON_Parse(payload);
	free(payload);
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "exp");
	int64_t v = cJSON_IsNumber(exp) ? (int64_t)exp->valuedouble : 0;
	cJSON_Delete(j);
	return v;
}

static void cache_load(struct cli *c)
{
	char *text = fs_read_file(c->sess_path, NULL);
	if (!text)
		return;
	cJSON *j = cJSON_Parse(text);
	wipe_free(text);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "apiBase");
	if (cJSON_IsString(t) && cJSON_IsString(a) && !strcmp(a->valuestring, c->ep.api_base) &&
		token_exp(t->valuestring) > wall_ms() / 1000 + TOKEN_MARGIN_S)
		c->token = xstrdup(t->valuestring);
	if (cJSON_IsString(t))
		memset(t->valuestring, 0, strlen(t->valuestring));
	cJSON_Delete(j);
}

static void cache_save(struct cli *c)
{
	if (!c->sess_path || fs_mkdir_p(c->state_dir, 0700) != 0)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", c->id.agent_id);
	cJSON_AddStringToObject(o, "apiBase", c->ep.api_base);
	cJSON_AddStringToObject(o, "token", c->token);
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (fs_write_atomic(c->sess_path, s, strlen(s), 0600) != 0)
		log_warn("cli: cannot cache the session in %s: %s", c->sess_path, strerror(errno));
	wipe_free(s);
}

int cli_init(struct cli *c)
{
	c->loop = ev_default_loop(0);
	if (!c->loop)
		return -1;
	c->http = net_http_new(c->loop, c->ep.ca_file);
	if (!c->http)
		return -1;
	cli_session_setup(c);
	return 0;
}

void cli_session_setup(struct cli *c)
{
	free(c->sess_path);
	c->sess_path = NULL;
	wipe_free(c->token);
	c->token = NULL;
	if (!c->have_id)
		return;
	char *name = xasprintf("cli-session-%s.json", c->id.agent_id);
	char *safe = fs_safe_name(name);
	c->sess_path = fs_join(c->state_dir, safe);
	free(safe);
	free(name);
	cache_load(c);
}

void cli_cleanup(struct cli *c)
{
	while (c->waiting) {
		struct cli_call *k = c->waiting;
		c->waiting = k->next;
		free(k->method);
		free(k->path);
		wipe_free(k->body);
		wipe_free(k->used_token);
		free(k);
	}
	if (c->wsx)
		net_ws_ctx_free(c->wsx);
	if (c->http)
		net_http_free(c->http);
	if (c->have_id)
		mc_identity_free(&c->id);
	mc_endpoints_free(&c->ep);
	wipe_free(c->token);
	free(c->sess_path);
	free(c->cred_path);
	free(c->state_dir);
	if (c->loop)
		ev_loop_destroy(c->loop);
	memset(c, 0, sizeof(*c));
}

/* ---- requests ---- */

static void call_free(struct cli_call *k)
{
	free(k->method);
	free(k->path);
	wipe_free(k->body);
	wipe_free(k->used_token);
	free(k);
}

static void call_send(struct cli_call *k);

static void finish(struct cli_call *k, const struct net_http_result *hr)
{
	struct cli_resp r;
	memset(&r, 0, sizeof(r));
	r.status = hr->status;
	r.body = hr->body ? hr->body : "";
	r.len = hr->body ? hr->body_len : 0;
	r.rl_limit = hr->rl_limit;
	r.rl_remaining = hr->rl_remaining;
	r.rl_reset = hr->rl_reset;
	if (hr->status == 0) {
		r.err.message = xstrdup(hr->error ? hr->error : "transport error");
	} else if (hr->status < 200 || hr->status >= 300) {
		proto_decode_error(hr->status, r.body, r.len, &r.err);
	}
	if (k->cb)
		k->cb(k->ud, &r);
	proto_error_free(&r.err);
	call_free(k);
}

static void fail_local(struct cli_call *k, int status, const char *code, const char *msg)
{
	if (k->ready_cb) {
		k->ready_cb(k->ud, 0);
		call_free(k);
		return;
	}
	struct cli_resp r;
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = "";
	r.rl_limit = r.rl_remaining = r.rl_reset = -1;
	r.err.status = status;
	r.err.code = (char *)code;
	r.err.message = (char *)msg;
	if (k->cb)
		k->cb(k->ud, &r);
	call_free(k);
}

static void start_auth(struct cli *c);

static void http_done(void *ud, const struct net_http_result *hr)
{
	struct cli_call *k = ud;
	struct cli *c = k->c;
	if (hr->status == 401 && (k->flags & CLI_AUTH) && k->used_token && !k->retried &&
		c->have_id && !c->anonymous) {
		/* expired or revoked under us: verify again, then repeat once */
		k->retried = 1;
		cli_drop_token(c, k->used_token);
		k->next = c->waiting;
		c->waiting = k;
		start_auth(c);
		return;
	}
	finish(k, hr);
}

static void call_send(struct cli_call *k)
{
	struct cli *c = k->c;
	const char *tok = (k->flags & CLI_AUTH) && c->have_id && !c->anonymous ? c->token : NULL;
	char *url;
	if (k->flags & CLI_HOST_ROOT) {
		size_t n = strlen(c->ep.api_base) - strlen("/api/v1");
		url = xasprintf("%.*s%s", (int)n, c->ep.api_base, k->path);
	} else {
		url = xasprintf("%s%s", c->ep.api_base, k->path);
	}
	char *auth = tok ? xasprintf("Authorization: Bearer %s", tok) : NULL;
	wipe_free(k->used_token);
	k->used_token = xstrdup(tok);
	const char *hdrs[4];
	size_t nh = 0;
	hdrs[nh++] = "Accept: application/json";
	if (k->body)
		hdrs[nh++] = "Content-Type: application/json";
	if (auth)
		hdrs[nh++] = auth;
	hdrs[nh] = NULL;
	struct net_http_opts o = {
		.method = k->method, .url = url, .headers = hdrs,
		.body = k->body, .body_len = k->body ? strlen(k->body) : 0,
	};
	struct net_http_req *r = net_http_request(c->http, &o, http_done, k);
	free(url);
	wipe_free(auth);
	if (!r)
		fail_local(k, 0, NULL, "cannot start the request");
}

/* Release everything waiting for the token (ok) or fail it with the auth error. */
static void flush_waiting(struct cli *c, const struct cli_resp *auth_err)
{
	struct cli_call *list = c->waiting;
	c->waiting = NULL;
	/* oldest first */
	struct cli_call *rev = NULL;
	while (list) {
		struct cli_call *n = list->next;
		list->next = rev;
		rev = list;
		list = n;
	}
	while (rev) {
		struct cli_call *k = rev;
		rev = rev->next;
		k->next = NULL;
		if (!auth_err) {
			if (k->ready_cb) {
				k->ready_cb(k->ud, 1);
				call_free(k);
			} else {
				call_send(k);
			}
		} else {
			fail_local(k, auth_err->status, auth_err->err.code, auth_err->err.message);
		}
	}
}

static void auth_failed(struct cli *c, const char *what, const struct cli_resp *r)
{
	c->authing = 0;
	/* 4xx from challenge/verify: this identity does not work on this server */
	if (r->status >= 400 && r->status < 500 && r->status != 429)
		c->auth_fatal = 1;
	char *t = cli_resp_text(r);
	log_warn("cli: %s failed: %s", what, t);
	free(t);
	struct cli_resp copy = *r;
	if (!copy.err.message)
		copy.err.message = "authentication failed";
	flush_waiting(c, &copy);
}

static void on_verify(void *ud, const struct cli_resp *r)
{
	struct cli *c = ud;
	struct proto_auth a;
	if (r->status != 200 || proto_decode_auth(r->body, r->len, &a) != 0 || !a.token) {
		if (r->status == 200)
			proto_auth_free(&a);
		auth_failed(c, "POST /agents/verify", r);
		return;
	}
	wipe_free(c->token);
	c->token = xstrdup(a.token);
	if (a.refresh_token)
		memset(a.refresh_token, 0, strlen(a.refresh_token)); /* never used: see the top */
	proto_auth_free(&a);
	c->authing = 0;
	c->auth_fatal = 0;
	c->auth_rounds++;
	cache_save(c);
	log_info("cli: authenticated as %s", c->id.username);
	flush_waiting(c, NULL);
}

static void on_challenge(void *ud, const struct cli_resp *r)
{
	struct cli *c = ud;
	struct proto_auth a;
	if (r->status != 200 || proto_decode_auth(r->body, r->len, &a) != 0 || !a.challenge) {
		if (r->status == 200)
			proto_auth_free(&a);
		auth_failed(c, "POST /auth/challenge", r);
		return;
	}
	char *sig = rsa_sign_b64(c->id.private_key_pem, a.challenge, strlen(a.challenge));
	proto_auth_free(&a);
	if (!sig) {
		struct cli_resp e;
		memset(&e, 0, sizeof(e));
		e.body = "";
		e.status = 400;
		e.err.message = "cannot sign the challenge: the private key is unusable";
		auth_failed(c, "signing", &e);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", c->id.agent_id);
	cJSON_AddStringToObject(o, "signedChallenge", sig);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	free(sig);
	cli_request(c, "POST", "/agents/verify", body, 0, on_verify, c);
	cJSON_free(body);
}

static void start_auth(struct cli *c)
{
	if (c->authing)
		return;
	c->authing = 1;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", c->id.agent_id);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cli_request(c, "POST", "/auth/challenge", body, 0, on_challenge, c);
	cJSON_free(body);
}

static struct cli_call *call_new(struct cli *c, const char *method, const char *path,
	const char *body, int flags)
{
	struct cli_call *k = xcalloc(1, sizeof(*k));
	k->c = c;
	k->method = xstrdup(method ? method : "GET");
	k->path = xstrdup(path);
	k->flags = flags;
	if (body)
		k->body = xstrdup(body);
	else if (!strcmp(k->method, "POST") || !strcmp(k->method, "PATCH") || !strcmp(k->method, "PUT"))
		k->body = xstrdup("{}"); /* the platform answers 500 to a body-less POST */
	return k;
}

void cli_request(struct cli *c, const char *method, const char *path, const char *body,
	int flags, cli_resp_cb cb, void *ud)
{
	struct cli_call *k = call_new(c, method, path, body, flags);
	k->cb = cb;
	k->ud = ud;
	if ((flags & CLI_AUTH) && c->have_id && !c->anonymous && !c->token) {
		k->next = c->waiting;
		c->waiting = k;
		start_auth(c);
		return;
	}
	call_send(k);
}

void cli_ensure_token(struct cli *c, cli_ready_cb cb, void *ud)
{
	if (c->token || !c->have_id || c->anonymous) {
		cb(ud, c->token != NULL || !c->have_id || c->anonymous);
		return;
	}
	struct cli_call *k = call_new(c, "GET", "-", NULL, 0);
	k->ready_cb = cb;
	k->ud = ud;
	k->next = c->waiting;
	c->waiting = k;
	start_auth(c);
}

void cli_drop_token(struct cli *c, const char *token)
{
	if (c->token && token && !strcmp(c->token, token)) {
		wipe_free(c->token);
		c->token = NULL;
	}
}

/* ---- sync ---- */

struct sync_ctx {
	int done;
	struct cli_result *out;
};

static void sync_done(void *ud, const struct cli_resp *r)
{
	struct sync_ctx *s = ud;
	struct cli_result *o = s->out;
	o->status = r->status;
	o->body = xstrndup(r->body, r->len);
	o->len = r->len;
	o->rl_limit = r->rl_limit;
	o->rl_remaining = r->rl_remaining;
	o->rl_reset = r->rl_reset;
	o->code = xstrdup(r->err.code);
	o->message = xstrdup(r->err.message);
	s->done = 1;
}

int cli_request_sync(struct cli *c, const char *method, const char *path, const char *body,
	int flags, struct cli_result *out)
{
	memset(out, 0, sizeof(*out));
	struct sync_ctx s = { 0, out };
	cli_request(c, method, path, body, flags, sync_done, &s);
	while (!s.done)
		ev_run(c->loop, EVRUN_ONCE);
	return out->status >= 200 && out->status < 300;
}

void cli_result_free(struct cli_result *r)
{
	free(r->body);
	free(r->code);
	free(r->message);
	memset(r, 0, sizeof(*r));
}

static char *error_text(int status, const char *code, const char *message)
{
	if (status == 0)
		return xasprintf("network error: %s", message ? message : "?");
	if (code)
		return xasprintf("HTTP %d %s: %s", status, code, message ? message : "");
	return xasprintf("HTTP %d: %s", status, message ? message : "");
}

char *cli_result_text(const struct cli_result *r)
{
	return error_text(r->status, r->code, r->message);
}

char *cli_resp_text(const struct cli_resp *r)
{
	return error_text(r->status, r->err.code, r->err.message);
}
