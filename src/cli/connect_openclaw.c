/* OpenClaw Gateway client (the agent side of the official connector, protocol.md §8.2):
 *   S: {"type":"event","event":"connect.challenge","payload":{"nonce":...}}
 *   C: {"type":"req","id":ID,"method":"connect","params":{"minProtocol":3,"maxProtocol":3,
 *       "client":{"id":"gateway-client","displayName","version","platform","mode":"backend",
 *       "instanceId"},"role":"operator","scopes":[...],"caps":[],"auth":{"token":T}}}
 *   S: {"type":"res","id":ID,"ok":true,"payload":{"type":"hello-ok",...}}  (ok:false = refused)
 *   C: {"type":"req","id":ID,"method":"chat.send","params":{"sessionKey","message","idempotencyKey"}}
 *   S: {"type":"res","id":ID,"ok":true,"payload":{"runId":R}}
 *   S: {"type":"event","event":"chat","payload":{"runId":R,"state":"delta|final|aborted|error",
 *       "message":TEXT or {"content":TEXT or [{"type":"text","text":...}]},"errorMessage"}}
 * Unlike the official client it reconnects forever, and asks made while the gateway is down
 * wait for it instead of failing. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "connect.h"

#define REQUEST_TIMEOUT_S 30.
#define RUN_TIMEOUT_S 300.

enum ask_state { ASK_QUEUED, ASK_SENT, ASK_RUNNING };

struct ask {
	struct ask *next;
	struct openclaw *o;
	enum ask_state state;
	char *req_id;
	char *run_id;
	char *message;
	char *text;               /* the latest delta */
	bot_reply_cb cb;
	void *ud;
	ev_timer timer;
};

struct openclaw {
	struct ev_loop *loop;
	struct net_ws_ctx *wsx;
	char *url, *token, *session;
	struct net_ws *ws;
	int ready;
	char *connect_id;
	struct ask *asks;
	struct net_backoff bo;
	ev_timer reconnect;
	int stopping;
};

static void oc_connect(struct openclaw *o);

static char *new_id(void)
{
	char id[37];
	uuid_v4(id);
	return xstrdup(id);
}

static void send_json(struct openclaw *o, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	if (o->ws)
		net_ws_send(o->ws, s, strlen(s));
	cJSON_free(s);
	cJSON_Delete(j);
}

static cJSON *req(const char *id, const char *method)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "type", "req");
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "method", method);
	return j;
}

static void ask_unlink(struct ask *a)
{
	struct ask **pp = &a->o->asks;
	while (*pp && *pp != a)
		pp = &(*pp)->next;
	if (*pp)
		*pp = a->next;
}

static void ask_free(struct ask *a)
{
	ev_timer_stop(a->o->loop, &a->timer);
	free(a->req_id);
	free(a->run_id);
	free(a->message);
	free(a->text);
	free(a);
}

static void ask_done(struct ask *a, int ok, const char *text)
{
	ask_unlink(a);
	bot_reply_cb cb = a->cb;
	void *ud = a->ud;
	char *copy = xstrdup(text);
	ask_free(a);
	cb(ud, ok, copy);
	free(copy);
}

static void abort_run(struct openclaw *o, const char *run_id)
{
	char *id = new_id();
	cJSON *j = req(id, "chat.abort");
	cJSON *p = cJSON_AddObjectToObject(j, "params");
	cJSON_AddStringToObject(p, "sessionKey", o->session);
	cJSON_AddStringToObject(p, "runId", run_id);
	send_json(o, j);
	free(id);
}

static void ask_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ask *a = t->data;
	log_warn("openclaw: %s timed out", a->state == ASK_RUNNING ? "the run" : "chat.send");
	if (a->state == ASK_RUNNING && a->run_id)
		abort_run(a->o, a->run_id);
	ask_done(a, 0, NULL);
}

static void ask_send(struct ask *a)
{
	struct openclaw *o = a->o;
	free(a->req_id);
	a->req_id = new_id();
	char *idem = new_id();
	cJSON *j = req(a->req_id, "chat.send");
	cJSON *p = cJSON_AddObjectToObject(j, "params");
	cJSON_AddStringToObject(p, "sessionKey", o->session);
	cJSON_AddStringToObject(p, "message", a->message);
	cJSON_AddStringToObject(p, "idempotencyKey", idem);
	free(a->run_id);
	a->run_id = idem; /* until the gateway names the run */
	send_json(o, j);
	a->state = ASK_SENT;
	ev_timer_stop(o->loop, &a->timer);
	ev_timer_set(&a->timer, REQUEST_TIMEOUT_S, 0.);
	ev_timer_start(o->loop, &a->timer);
}

/* The text of a chat message: a string, {"content": string}, or content parts. */
static char *text_of(const cJSON *m)
{
	if (cJSON_IsString(m))
		return xstrdup(m->valuestring);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
	if (cJSON_IsString(c))
		return xstrdup(c->valuestring);
	if (!cJSON_IsArray(c)) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "text");
		return cJSON_IsString(t) ? xstrdup(t->valuestring) : NULL;
	}
	struct buf b = BUF_INIT;
	const cJSON *part;
	cJSON_ArrayForEach(part, c) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
		if (cJSON_IsString(t))
			buf_puts(&b, t->valuestring);
	}
	return buf_steal(&b);
}

static struct ask *find_ask(struct openclaw *o, const char *req_id, const char *run_id)
{
	for (struct ask *a = o->asks; a; a = a->next) {
		if (req_id && a->state == ASK_SENT && str_eq(a->req_id, req_id))
			return a;
		if (run_id && a->state != ASK_QUEUED && str_eq(a->run_id, run_id))
			return a;
	}
	return NULL;
}

static void on_chat_event(struct openclaw *o, const cJSON *p)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(p, "runId");
	const cJSON *state = cJSON_GetObjectItemCaseSensitive(p, "state");
	if (!cJSON_IsString(run) || !cJSON_IsString(state))
		return;
	struct ask *a = find_ask(o, NULL, run->valuestring);
	if (!a)
		return;
	const char *st = state->valuestring;
	char *text = text_of(cJSON_GetObjectItemCaseSensitive(p, "message"));
	if (!strcmp(st, "delta")) {
		if (text) {
			free(a->text);
			a->text = text;
			text = NULL;
		}
	} else if (!strcmp(st, "final")) {
		ask_done(a, 1, text ? text : a->text ? a->text : "");
	} else if (!strcmp(st, "aborted") || !strcmp(st, "error")) {
		const cJSON *em = cJSON_GetObjectItemCaseSensitive(p, "errorMessage");
		log_warn("openclaw: run %s%s%s", st, cJSON_IsString(em) ? ": " : "",
			cJSON_IsString(em) ? em->valuestring : "");
		ask_done(a, 0, NULL);
	}
	free(text);
}

static void send_connect(struct openclaw *o)
{
	free(o->connect_id);
	o->connect_id = new_id();
	char *instance = new_id();
	cJSON *j = req(o->connect_id, "connect");
	cJSON *p = cJSON_AddObjectToObject(j, "params");
	cJSON_AddNumberToObject(p, "minProtocol", 3);
	cJSON_AddNumberToObject(p, "maxProtocol", 3);
	cJSON *cl = cJSON_AddObjectToObject(p, "client");
	cJSON_AddStringToObject(cl, "id", "gateway-client");
	cJSON_AddStringToObject(cl, "displayName", "moltty connect");
	cJSON_AddStringToObject(cl, "version", PACKAGE_VERSION);
	cJSON_AddStringToObject(cl, "platform", "linux");
	cJSON_AddStringToObject(cl, "mode", "backend");
	cJSON_AddStringToObject(cl, "instanceId", instance);
	cJSON_AddStringToObject(p, "role", "operator");
	static const char *const scopes[] = { "operator.read", "operator.write", "operator.admin" };
	cJSON_AddItemToObject(p, "scopes", cJSON_CreateStringArray(scopes, 3));
	cJSON_AddItemToObject(p, "caps", cJSON_CreateArray());
	cJSON *auth = cJSON_AddObjectToObject(p, "auth");
	cJSON_AddStringToObject(auth, "token", o->token);
	send_json(o, j);
	free(instance);
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct openclaw *o = ud;
	cJSON *j = cJSON_ParseWithLength(text, len);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *t = cJSON_IsString(type) ? type->valuestring : "";
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(j, "payload");
	if (!strcmp(t, "event") && cJSON_IsString(ev)) {
		if (!strcmp(ev->valuestring, "connect.challenge") && !o->ready)
			send_connect(o);
		else if (!strcmp(ev->valuestring, "chat"))
			on_chat_event(o, payload);
	} else if (!strcmp(t, "res") && cJSON_IsString(id)) {
		int ok = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "ok"));
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
		const cJSON *emsg = cJSON_GetObjectItemCaseSensitive(err, "message");
		const char *why = cJSON_IsString(emsg) ? emsg->valuestring : "refused";
		if (!o->ready && str_eq(id->valuestring, o->connect_id)) {
			if (!ok) {
				log_error("openclaw: handshake refused: %s", why);
				net_ws_close(o->ws, 1000, "refused");
				o->ws = NULL;
				ev_timer_set(&o->reconnect, (double)net_backoff_next(&o->bo) / 1000., 0.);
				ev_timer_start(o->loop, &o->reconnect);
			} else {
				o->ready = 1;
				net_backoff_reset(&o->bo);
				log_info("openclaw: connected to the gateway");
				for (struct ask *a = o->asks; a; a = a->next)
					if (a->state == ASK_QUEUED)
						ask_send(a);
			}
		} else {
			struct ask *a = find_ask(o, id->valuestring, NULL);
			if (a && !ok) {
				log_warn("openclaw: chat.send refused: %s", why);
				ask_done(a, 0, NULL);
			} else if (a) {
				const cJSON *run = cJSON_GetObjectItemCaseSensitive(
					payload ? payload : cJSON_GetObjectItemCaseSensitive(j, "result"), "runId");
				if (cJSON_IsString(run))
					str_replace(&a->run_id, run->valuestring);
				a->state = ASK_RUNNING;
				ev_timer_stop(o->loop, &a->timer);
				ev_timer_set(&a->timer, RUN_TIMEOUT_S, 0.);
				ev_timer_start(o->loop, &a->timer);
			}
		}
	}
	cJSON_Delete(j);
}

static void went_down(struct openclaw *o, const char *why)
{
	o->ws = NULL;
	o->ready = 0;
	/* runs in flight are lost with the connection: their asks fail, queued ones wait */
	struct ask *a = o->asks;
	while (a) {
		struct ask *n = a->next;
		if (a->state != ASK_QUEUED)
			ask_done(a, 0, NULL);
		a = n;
	}
	if (o->stopping)
		return;
	double s = (double)net_backoff_next(&o->bo) / 1000.;
	log_warn("openclaw: %s; reconnecting in %.1f s", why, s);
	ev_timer_set(&o->reconnect, s, 0.);
	ev_timer_start(o->loop, &o->reconnect);
}

static void on_open(void *ud)
{
	log_debug("openclaw: socket open, waiting for the challenge");
}

static void on_close(void *ud, int code, const char *reason)
{
	char *why = xasprintf("gateway closed the connection (%d)", code);
	went_down(ud, why);
	free(why);
}

static void on_error(void *ud, const char *reason)
{
	char *why = xasprintf("cannot reach the gateway: %s", reason ? reason : "?");
	went_down(ud, why);
	free(why);
}

static void oc_connect(struct openclaw *o)
{
	static const struct net_ws_handlers h = { on_open, on_text, on_close, on_error };
	o->ws = net_ws_open(o->wsx, o->url, &h, o);
	if (!o->ws)
		log_error("openclaw: malformed gateway URL %s", o->url);
}

static void reconnect_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct openclaw *o = t->data;
	if (!o->ws)
		oc_connect(o);
}

struct openclaw *openclaw_new(struct ev_loop *loop, struct net_ws_ctx *wsx, const char *url,
	const char *token, const char *session_key)
{
	struct openclaw *o = xcalloc(1, sizeof(*o));
	o->loop = loop;
	o->wsx = wsx;
	o->url = xstrdup(url);
	o->token = xstrdup(token);
	o->session = xstrdup(session_key);
	net_backoff_init(&o->bo, 2000, 30000);
	ev_timer_init(&o->reconnect, reconnect_cb, 0., 0.);
	o->reconnect.data = o;
	return o;
}

void openclaw_start(struct openclaw *o)
{
	oc_connect(o);
}

int openclaw_ready(const struct openclaw *o)
{
	return o->ready;
}

void openclaw_ask(struct openclaw *o, const char *message, bot_reply_cb cb, void *ud)
{
	struct ask *a = xcalloc(1, sizeof(*a));
	a->o = o;
	a->message = xstrdup(message);
	a->cb = cb;
	a->ud = ud;
	ev_timer_init(&a->timer, ask_timeout_cb, 0., 0.);
	a->timer.data = a;
	/* append: asks go out in order */
	struct ask **pp = &o->asks;
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	if (o->ready)
		ask_send(a);
}

void openclaw_inject(struct openclaw *o, const char *message)
{
	if (!o->ready)
		return;
	char *id = new_id();
	cJSON *j = req(id, "chat.inject");
	cJSON *p = cJSON_AddObjectToObject(j, "params");
	cJSON_AddStringToObject(p, "sessionKey", o->session);
	cJSON_AddStringToObject(p, "message", message);
	cJSON_AddStringToObject(p, "label", "moltchats-notification");
	send_json(o, j);
	free(id);
}

void openclaw_cancel_all(struct openclaw *o)
{
	while (o->asks) {
		struct ask *a = o->asks;
		o->asks = a->next;
		ask_free(a);
	}
}

void openclaw_free(struct openclaw *o)
{
	if (!o)
		return;
	o->stopping = 1;
	ev_timer_stop(o->loop, &o->reconnect);
	openclaw_cancel_all(o);
	if (o->ws)
		net_ws_close(o->ws, 1000, "bye");
	free(o->url);
	if (o->token)
		memset(o->token, 0, strlen(o->token));
	free(o->token);
	free(o->session);
	free(o->connect_id);
	free(o);
}
