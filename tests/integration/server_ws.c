/* moltchatsd WebSocket gateway behaviour (protocol §4) over real loopback WebSockets: an lws
 * client on libev talks to a moltchatsd child process. REST set-up uses a tiny blocking HTTP
 * client and the project's crypto module for keys and signatures. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>
#include <ev.h>
#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

static int failures;
static char tmpdir[] = "/tmp/server_ws.XXXXXX";

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (cond) {                                \
			printf("ok - ");                   \
		} else {                                   \
			printf("not ok - ");               \
			failures++;                        \
		}                                          \
		printf(__VA_ARGS__);                       \
		printf("\n");                              \
		fflush(stdout);                            \
	} while (0)

/* ---------------------------------------------------------------- daemon */

struct daemon {
	pid_t pid;
	int port;
};

static void daemon_start(struct daemon *d, const char *const *extra)
{
	const char *bin = getenv("MOLTCHATSD");
	if (!bin) {
		fprintf(stderr, "MOLTCHATSD not set\n");
		exit(99);
	}
	int fds[2];
	if (pipe(fds) != 0)
		exit(99);
	const char *argv[32] = { bin, "--quiet", "--register-limit", "1000" };
	int n = 4;
	for (int i = 0; extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	d->pid = fork();
	if (d->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	char line[128] = { 0 };
	size_t k = 0;
	while (k < sizeof(line) - 1) {
		ssize_t r = read(fds[0], line + k, 1);
		if (r <= 0 || line[k] == '\n')
			break;
		k++;
	}
	close(fds[0]);
	if (sscanf(line, "http://127.0.0.1:%d", &d->port) != 1) {
		fprintf(stderr, "Bail out! daemon printed '%s'\n", line);
		exit(99);
	}
}

static int daemon_stop(struct daemon *d)
{
	int st;
	kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &st, 0) != d->pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---------------------------------------------------------------- blocking HTTP */

static cJSON *http(int port, const char *method, const char *path, const char *body,
		   const char *token, int *status)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		*status = -1;
		return NULL;
	}
	struct buf rq = BUF_INIT;
	buf_printf(&rq, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
	if (token)
		buf_printf(&rq, "Authorization: Bearer %s\r\n", token);
	if (body)
		buf_printf(&rq, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
	buf_puts(&rq, "\r\n");
	if (body)
		buf_puts(&rq, body);
	size_t off = 0;
	while (off < rq.len) {
		ssize_t w = write(fd, rq.data + off, rq.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_free(&rq);
	struct buf rs = BUF_INIT;
	char tmp[4096];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r <= 0)
			break;
		buf_append(&rs, tmp, (size_t)r);
		const char *hdr_end = strstr(buf_cstr(&rs), "\r\n\r\n");
		const char *cl = strcasestr(buf_cstr(&rs), "content-length:");
		if (hdr_end && cl && rs.len >= (size_t)(hdr_end + 4 - rs.data) + (size_t)atol(cl + 15))
			break;
	}
	close(fd);
	*status = 0;
	sscanf(buf_cstr(&rs), "HTTP/1.1 %d", status);
	const char *b = strstr(buf_cstr(&rs), "\r\n\r\n");
	cJSON *j = b ? cJSON_Parse(b + 4) : NULL;
	buf_free(&rs);
	return j;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

struct agent {
	char name[32];
	char id[37];
	char *token;
	char *refresh;
};

static void make_agent(int port, const char *name, struct agent *a)
{
	char *priv, *pub;
	int st;
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (rsa_generate(&priv, &pub) != 0)
		exit(99);
	cJSON *rq = cJSON_CreateObject();
	cJSON_AddStringToObject(rq, "username", name);
	cJSON_AddStringToObject(rq, "publicKey", pub);
	char *text = cJSON_PrintUnformatted(rq);
	cJSON *r = http(port, "POST", "/api/v1/agents/register", text, NULL, &st);
	free(text);
	cJSON_Delete(rq);
	if (st != 201 || !jstr(r, "challenge")) {
		fprintf(stderr, "Bail out! register %s: %d\n", name, st);
		exit(99);
	}
	snprintf(a->id, sizeof(a->id), "%s", jstr(r, "agentId"));
	const char *ch = jstr(r, "challenge");
	char *sig = rsa_sign_b64(priv, ch, strlen(ch));
	text = xasprintf("{\"agentId\":\"%s\",\"signedChallenge\":\"%s\"}", a->id, sig);
	cJSON_Delete(r);
	r = http(port, "POST", "/api/v1/agents/verify", text, NULL, &st);
	free(text);
	free(sig);
	free(priv);
	free(pub);
	if (st != 200 || !jstr(r, "token")) {
		fprintf(stderr, "Bail out! verify %s: %d\n", name, st);
		exit(99);
	}
	a->token = xstrdup(jstr(r, "token"));
	a->refresh = xstrdup(jstr(r, "refreshToken"));
	cJSON_Delete(r);
}

/* ---------------------------------------------------------------- WebSocket clients */

static struct ev_loop *loop;
static struct lws_context *ctx;

struct client {
	const char *name;
	struct lws *wsi;
	int established, closed, close_code;
	char close_reason[128];
	cJSON *frames[512];
	int nframes;
	int mark;                 /* frames before this index were looked at */
	char *out[64];
	int nout;
	struct buf rx;
};

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		     size_t len)
{
	struct client *c = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = 1;
		if (c->nout)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		buf_append(&c->rx, in, len);
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			cJSON *f = cJSON_Parse(buf_cstr(&c->rx));
			if (f && c->nframes < (int)MC_ARRAY_LEN(c->frames))
				c->frames[c->nframes++] = f;
			else
				cJSON_Delete(f);
			buf_reset(&c->rx);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->nout) {
			char *t = c->out[0];
			memmove(c->out, c->out + 1, (size_t)(c->nout - 1) * sizeof(char *));
			c->nout--;
			size_t n = strlen(t);
			unsigned char *b = xmalloc(LWS_PRE + n);
			memcpy(b + LWS_PRE, t, n);
			lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
			free(b);
			free(t);
			if (c->nout)
				lws_callback_on_writable(wsi);
		}
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;
			c->close_code = (p[0] << 8) | p[1];
			snprintf(c->close_reason, sizeof(c->close_reason), "%.*s", (int)len - 2,
				 (const char *)in + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c) {
			c->closed = 1;
			c->wsi = NULL;
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols client_protocols[] = {
	{ "client", client_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void pump(double seconds)
{
	ev_tstamp end = ev_now(loop) + seconds;
	while (ev_now(loop) < end) {
		ev_run(loop, EVRUN_ONCE);
		ev_now_update(loop);
	}
}

static void client_open(struct client *c, const char *name, int port, const char *token)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	char path[1024];
	if (token)
		snprintf(path, sizeof(path), "/ws?token=%s", token);
	else
		snprintf(path, sizeof(path), "/ws");
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = path;
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = NULL;
	ci.opaque_user_data = c;
	ci.pwsi = &c->wsi;
	lws_client_connect_via_info(&ci);
	for (int i = 0; i < 200 && !c->established && !c->closed; i++)
		pump(0.01);
}

static void client_send(struct client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = xvasprintf(fmt, ap);
	va_end(ap);
	if (!c->wsi || c->nout >= (int)MC_ARRAY_LEN(c->out)) {
		free(t);
		return;
	}
	c->out[c->nout++] = t;
	lws_callback_on_writable(c->wsi);
}

static void client_close(struct client *c)
{
	if (c->wsi) {
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		for (int i = 0; i < 200 && !c->closed; i++)
			pump(0.01);
	}
}

static void client_free(struct client *c)
{
	for (int i = 0; i < c->nframes; i++)
		cJSON_Delete(c->frames[i]);
	for (int i = 0; i < c->nout; i++)
		free(c->out[i]);
	buf_free(&c->rx);
}

typedef int (*frame_pred)(const cJSON *f, const void *arg);

/* Wait for an unexamined frame matching pred; returns it (and moves the mark past it). */
static const cJSON *wait_frame(struct client *c, frame_pred pred, const void *arg, double timeout)
{
	ev_now_update(loop);
	ev_tstamp end = ev_now(loop) + timeout;
	for (;;) {
		for (int i = c->mark; i < c->nframes; i++) {
			if (pred(c->frames[i], arg)) {
				c->mark = i + 1;
				return c->frames[i];
			}
		}
		if (ev_now(loop) >= end || c->closed)
			return NULL;
		pump(0.02);
	}
}

static int is_op(const cJSON *f, const void *op)
{
	return str_eq(jstr(f, "op"), op);
}

/* Sends ping and waits for its pong: every frame sent to c before now has then arrived. */
static int sync_client(struct client *c)
{
	int before = c->mark;
	client_send(c, "{\"op\":\"ping\"}");
	const cJSON *f = wait_frame(c, is_op, "pong", 3);
	c->mark = before; /* callers look at everything that arrived before the pong */
	return f != NULL;
}

/* Any frame with op (and, when given, content) between mark and the end. */
static int has_frame(struct client *c, const char *op, const char *content)
{
	for (int i = c->mark; i < c->nframes; i++)
		if (is_op(c->frames[i], op) &&
		    (!content || str_eq(jstr(c->frames[i], "content"), content)))
			return 1;
	return 0;
}

static int is_error_code(const cJSON *f, const void *code)
{
	return is_op(f, "error") && str_eq(jstr(f, "code"), code);
}

static int is_message_with(const cJSON *f, const void *content)
{
	return is_op(f, "message") && str_eq(jstr(f, "content"), content);
}

struct presence_want {
	const char *channel;
	const char *ids[4];
	int n;
};

static int is_presence_exact(const cJSON *f, const void *arg)
{
	const struct presence_want *w = arg;
	if (!is_op(f, "presence") || !str_eq(jstr(f, "channel"), w->channel))
		return 0;
	const cJSON *online = cJSON_GetObjectItemCaseSensitive(f, "online");
	if (cJSON_GetArraySize(online) != w->n)
		return 0;
	for (int i = 0; i < w->n; i++) {
		int found = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, online)
			found |= cJSON_IsString(it) && strcmp(it->valuestring, w->ids[i]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

static void pump_until_closed(struct client *c, double timeout)
{
	for (int i = 0; i < (int)(timeout / 0.02) && !c->closed; i++)
		pump(0.02);
}

static void service_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	lws_cancel_service(ctx);
}

/* ---------------------------------------------------------------- scenarios */

static void test_auth_and_observer(int port, struct agent *owner, struct agent *bob,
				   const char *channel)
{
	struct client bad, obs, revoked;
	client_open(&bad, "bad", port, "not.a.jwt");
	const cJSON *f = wait_frame(&bad, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "AUTH_FAILED") &&
		      str_eq(jstr(f, "message"), "Token verification failed"),
	      "bad token: error AUTH_FAILED after the upgrade");
	pump_until_closed(&bad, 3);
	CHECK(bad.close_code == 4001 && str_eq(bad.close_reason, "Authentication failed"),
	      "bad token: close 4001 'Authentication failed' (got %d '%s')", bad.close_code,
	      bad.close_reason);
	client_free(&bad);

	/* rotate bob's session: the old JWT's jti is revoked */
	char *body = xasprintf("{\"refreshToken\":\"%s\"}", bob->refresh);
	int st;
	cJSON *r = http(port, "POST", "/api/v1/auth/refresh", body, NULL, &st);
	free(body);
	client_open(&revoked, "revoked", port, bob->token);
	f = wait_frame(&revoked, is_op, "error", 3);
	CHECK(st == 200 && f && str_eq(jstr(f, "code"), "TOKEN_INVALID"),
	      "revoked jti: error TOKEN_INVALID");
	pump_until_closed(&revoked, 3);
	CHECK(revoked.close_code == 4001 && str_eq(revoked.close_reason, "Token invalid"),
	      "revoked jti: close 4001 'Token invalid'");
	client_free(&revoked);
	free(bob->token);
	free(bob->refresh);
	bob->token = xstrdup(jstr(r, "token"));
	bob->refresh = xstrdup(jstr(r, "refreshToken"));
	cJSON_Delete(r);

	client_open(&obs, "observer", port, "");
	CHECK(obs.established && !obs.closed, "empty token: anonymous observer connection");
	client_send(&obs, "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	f = wait_frame(&obs, is_op, "subscribed", 3);
	CHECK(f && str_eq(jstr(f, "channel"), channel), "observer: subscribed");
	f = wait_frame(&obs, is_op, "presence", 3);
	CHECK(f && str_eq(jstr(f, "channel"), channel) &&
		      cJSON_IsArray(cJSON_GetObjectItem(f, "online")),
	      "observer: presence snapshot right after subscribed");
	CHECK(!has_frame(&obs, "context", NULL), "observer: no context frame");
	client_send(&obs, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"hi\"}", channel);
	f = wait_frame(&obs, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "READ_ONLY") &&
		      str_eq(jstr(f, "message"), "Observers have read-only access"),
	      "observer: message is READ_ONLY");
	client_send(&obs, "{\"op\":\"typing\",\"channel\":\"%s\"}", channel);
	CHECK(wait_frame(&obs, is_error_code, "READ_ONLY", 3) != NULL, "observer: typing is READ_ONLY");
	client_send(&obs, "{\"op\":\"ping\"}");
	CHECK(wait_frame(&obs, is_op, "pong", 3) != NULL, "observer: ping -> pong");
	client_close(&obs);
	client_free(&obs);
	(void)owner;
}

static void test_chat(int port, struct agent *alice, struct agent *bob, const char *channel)
{
	struct client a, b, obs;
	client_open(&a, "alice", port, alice->token);
	client_open(&b, "bob", port, bob->token);
	client_open(&obs, "observer", port, NULL);
	CHECK(a.established && b.established && obs.established, "three sockets open");

	client_send(&a, "{\"op\":\"subscribe\",\"channels\":[\"%s\",\"00000000-0000-4000-8000-000000000000\",\"nope\"]}",
		    channel);
	const cJSON *f = wait_frame(&a, is_op, "subscribed", 3);
	CHECK(f && str_eq(jstr(f, "channel"), channel), "agent: subscribed");
	f = wait_frame(&a, is_op, "context", 3);
	CHECK(f && jstr(f, "platform") &&
		      str_starts_with(jstr(f, "platform"),
				      "You are on MoltChats, a collaborative platform for AI agents.\n- ") &&
		      str_eq(jstr(f, "server"), "Be brief.") && !cJSON_HasObjectItem(f, "channel"),
	      "agent: context with platform and server instructions");
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "SUBSCRIBE_FAILED") &&
		      str_eq(jstr(f, "message"), "Channel not found") &&
		      str_eq(jstr(f, "channel"), "00000000-0000-4000-8000-000000000000"),
	      "agent: SUBSCRIBE_FAILED with channel for an unknown channel");
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "SUBSCRIBE_FAILED") && str_eq(jstr(f, "channel"), "nope"),
	      "agent: SUBSCRIBE_FAILED for a malformed id");
	client_send(&a, "{\"op\":\"subscribe\",\"channels\":\"%s\"}", "ab");
	CHECK(wait_frame(&a, is_error_code, "SUBSCRIBE_FAILED", 3) &&
		      wait_frame(&a, is_error_code, "SUBSCRIBE_FAILED", 3),
	      "agent: a string of channels is iterated per character");
	client_send(&a, "{\"op\":\"subscribe\"}");
	CHECK(wait_frame(&a, is_error_code, "HANDLER_ERROR", 3) != NULL,
	      "agent: subscribe without channels is HANDLER_ERROR");

	client_send(&b, "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	CHECK(wait_frame(&b, is_op, "subscribed", 3) && wait_frame(&b, is_op, "context", 3),
	      "bob: subscribed + context");
	client_send(&obs, "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	CHECK(wait_frame(&obs, is_op, "presence", 3) != NULL, "observer subscribed");

	/* WS message: ack to the sender, broadcast to everyone else */
	client_send(&a, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"ws hello 1\"}", channel);
	f = wait_frame(&a, is_op, "message_ack", 3);
	char ack_id[64] = "";
	if (f)
		snprintf(ack_id, sizeof(ack_id), "%s", jstr(f, "id") ? jstr(f, "id") : "");
	CHECK(f && str_is_uuid(ack_id) && jstr(f, "timestamp") &&
		      str_ends_with(jstr(f, "timestamp"), "Z"),
	      "sender gets message_ack {id, timestamp}");
	f = wait_frame(&b, is_message_with, "ws hello 1", 3);
	const cJSON *agent = f ? cJSON_GetObjectItem(f, "agent") : NULL;
	CHECK(f && str_eq(jstr(f, "id"), ack_id) && str_eq(jstr(f, "channel"), channel) &&
		      str_eq(jstr(agent, "username"), "alice") && str_eq(jstr(agent, "id"), alice->id) &&
		      cJSON_HasObjectItem(agent, "displayName") &&
		      str_eq(jstr(f, "contentType"), "text") &&
		      str_eq(jstr(f, "trustTier"), "untrusted") && jstr(f, "timestamp"),
	      "other agent gets the message frame (shape of §4.7)");
	CHECK(wait_frame(&obs, is_message_with, "ws hello 1", 3) != NULL, "observer gets it too");
	CHECK(sync_client(&a) && !has_frame(&a, "message", "ws hello 1"),
	      "WS sender does not get its own broadcast");

	/* REST message: broadcast includes the sender */
	int st;
	char *path = xasprintf("/api/v1/channels/%s/messages", channel);
	cJSON *r = http(port, "POST", path, "{\"content\":\"rest hello\"}", alice->token, &st);
	free(path);
	cJSON_Delete(r);
	CHECK(st == 201, "REST send 201");
	CHECK(wait_frame(&a, is_message_with, "rest hello", 3) != NULL,
	      "REST send is broadcast to the sender's own socket");
	CHECK(wait_frame(&b, is_message_with, "rest hello", 3) != NULL, "... and to others");

	/* typing */
	client_send(&b, "{\"op\":\"typing\",\"channel\":\"%s\"}", channel);
	f = wait_frame(&a, is_op, "typing", 3);
	CHECK(f && str_eq(jstr(f, "agent"), "bob") && str_eq(jstr(f, "channel"), channel),
	      "typing relayed with the username");
	CHECK(wait_frame(&obs, is_op, "typing", 3) != NULL, "observer sees typing");
	CHECK(sync_client(&b) && !has_frame(&b, "typing", NULL), "typer does not get its own typing");
	client_send(&b, "{\"op\":\"typing\",\"channel\":\"00000000-0000-4000-8000-000000000000\"}");
	CHECK(sync_client(&b) && !has_frame(&b, "error", NULL), "typing on an unsubscribed channel is dropped");

	/* presence every --presence-interval (1 s) */
	struct presence_want both = { channel, { alice->id, bob->id }, 2 };
	CHECK(wait_frame(&a, is_presence_exact, &both, 4) != NULL,
	      "periodic presence lists both agents' UUIDs");

	/* errors */
	client_send(&a, "{\"op\":\"message\",\"channel\":\"00000000-0000-4000-8000-000000000000\",\"content\":\"x\"}");
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "NOT_SUBSCRIBED") &&
		      str_eq(jstr(f, "message"), "Not subscribed to this channel"),
	      "NOT_SUBSCRIBED");
	client_send(&a, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"\"}", channel);
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "HANDLER_ERROR") &&
		      str_eq(jstr(f, "message"), "Message content cannot be empty"),
	      "empty content is HANDLER_ERROR");
	client_send(&a, "this is not json");
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "INVALID_JSON") &&
		      str_eq(jstr(f, "message"), "Could not parse message as JSON"),
	      "INVALID_JSON");
	client_send(&a, "{\"op\":\"challenge_vote\"}");
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "UNKNOWN_OP") && str_eq(jstr(f, "message"), "Unknown operation"),
	      "UNKNOWN_OP for challenge_vote");

	/* untrusted: 3 WS messages per minute per channel; one was sent already */
	client_send(&a, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"ws hello 2\"}", channel);
	client_send(&a, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"ws hello 3\"}", channel);
	int acks = (wait_frame(&a, is_op, "message_ack", 3) != NULL) +
		   (wait_frame(&a, is_op, "message_ack", 3) != NULL);
	CHECK(acks == 2, "2nd and 3rd WS messages acknowledged");
	client_send(&a, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"ws hello 4\"}", channel);
	f = wait_frame(&a, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "HANDLER_ERROR") &&
		      str_eq(jstr(f, "message"), "Rate limited: too many messages"),
	      "4th WS message as untrusted: rate limited");
	CHECK(sync_client(&b) && !has_frame(&b, "message", "ws hello 4"),
	      "rate-limited message is not broadcast");

	/* bob leaves: presence to the rest right away */
	client_close(&b);
	struct presence_want only_a = { channel, { alice->id }, 1 };
	CHECK(wait_frame(&a, is_presence_exact, &only_a, 3) != NULL,
	      "presence after the last socket of bob closes");

	client_send(&a, "{\"op\":\"unsubscribe\",\"channels\":[\"%s\"]}", channel);
	f = wait_frame(&a, is_op, "unsubscribed", 3);
	CHECK(f && str_eq(jstr(f, "channel"), channel), "unsubscribed");

	client_close(&a);
	client_close(&obs);
	client_free(&a);
	client_free(&b);
	client_free(&obs);
}

static void test_idle(void)
{
	struct daemon d;
	const char *args[] = { "--idle-timeout", "2", NULL };
	daemon_start(&d, args);
	struct agent z;
	make_agent(d.port, "zed", &z);
	struct client c;
	client_open(&c, "zed", d.port, z.token);
	pump(0.3);
	int st;
	cJSON *me = http(d.port, "GET", "/api/v1/agents/@me", NULL, z.token, &st);
	CHECK(st == 200 && str_eq(jstr(me, "presence"), "online"), "presence online after connect");
	cJSON_Delete(me);
	pump(1.2);
	me = http(d.port, "GET", "/api/v1/agents/@me", NULL, z.token, &st);
	CHECK(str_eq(jstr(me, "presence"), "idle"), "presence idle at T/2");
	cJSON_Delete(me);
	const cJSON *f = wait_frame(&c, is_op, "error", 3);
	CHECK(f && str_eq(jstr(f, "code"), "IDLE_TIMEOUT") &&
		      str_eq(jstr(f, "message"), "Disconnected due to inactivity"),
	      "IDLE_TIMEOUT error at T");
	pump_until_closed(&c, 3);
	CHECK(c.close_code == 4002 && str_eq(c.close_reason, "Idle timeout"), "close 4002 'Idle timeout'");
	pump(0.2);
	me = http(d.port, "GET", "/api/v1/agents/@me", NULL, z.token, &st);
	CHECK(str_eq(jstr(me, "presence"), "offline"), "presence offline after the last socket closed");
	cJSON_Delete(me);
	client_free(&c);
	free(z.token);
	free(z.refresh);
	CHECK(daemon_stop(&d) == 0, "idle daemon exits 0 on SIGTERM");
}

static int is_message_frame(const cJSON *f, const void *arg)
{
	return is_op(f, "message") && cJSON_IsObject(cJSON_GetObjectItem(f, "agent"));
}

static int is_big_presence(const cJSON *f, const void *arg)
{
	return is_op(f, "presence") && cJSON_GetArraySize(cJSON_GetObjectItem(f, "online")) >= 3;
}

/* Demo mode: simulated agents type and talk into the gateway fan-out. */
static void test_demo(void)
{
	struct daemon d;
	const char *args[] = { "--demo", "--demo-rate", "120", "--seed", "5", "--presence-interval", "1",
			       NULL };
	daemon_start(&d, args);
	struct agent me;
	make_agent(d.port, "visitor", &me);
	int st;
	cJSON *r = http(d.port, "GET", "/api/v1/observers/servers", NULL, NULL, &st);
	const cJSON *general = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "servers"), 0);
	char server[37] = "";
	if (str_eq(jstr(general, "name"), "General"))
		snprintf(server, sizeof(server), "%s", jstr(general, "id"));
	cJSON_Delete(r);
	CHECK(server[0], "demo: General is the first public server");
	char *path = xasprintf("/api/v1/servers/%s/join", server);
	cJSON_Delete(http(d.port, "POST", path, NULL, me.token, &st));
	free(path);
	CHECK(st == 201, "demo: a real agent joins General");
	path = xasprintf("/api/v1/servers/%s", server);
	r = http(d.port, "GET", path, NULL, me.token, &st);
	free(path);
	char channel[37] = "";
	const cJSON *ch0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "channels"), 0);
	if (jstr(ch0, "id"))
		snprintf(channel, sizeof(channel), "%s", jstr(ch0, "id"));
	cJSON_Delete(r);
	struct client c;
	client_open(&c, "visitor", d.port, me.token);
	client_send(&c, "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	CHECK(wait_frame(&c, is_op, "subscribed", 3) != NULL, "demo: subscribed to #general");
	int mark = c.mark;
	const cJSON *f = wait_frame(&c, is_op, "typing", 10);
	CHECK(f && str_eq(jstr(f, "channel"), channel) && jstr(f, "agent"),
	      "demo: simulated agents send typing");
	c.mark = mark;
	f = wait_frame(&c, is_message_frame, NULL, 10);
	CHECK(f && str_eq(jstr(f, "channel"), channel) && jstr(f, "trustTier"),
	      "demo: simulated messages arrive within seconds");
	c.mark = mark;
	CHECK(wait_frame(&c, is_big_presence, NULL, 3) != NULL,
	      "demo: simulated agents count as online in presence");
	client_send(&c, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"hello demo\"}", channel);
	CHECK(wait_frame(&c, is_op, "message_ack", 3) != NULL, "demo: a real agent can chat");
	/* Shut down with the socket still open: clean exit, and the client sees the close. */
	CHECK(daemon_stop(&d) == 0, "demo daemon exits 0 on SIGTERM with a client connected");
	pump_until_closed(&c, 3);
	CHECK(c.closed, "demo: the client saw the connection close");
	client_free(&c);
	free(me.token);
	free(me.refresh);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 99;
	setvbuf(stdout, NULL, _IOLBF, 0);
	lws_set_log_level(LLL_ERR, NULL);
	loop = ev_default_loop(0);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	void *fl[1] = { loop };
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.options = LWS_SERVER_OPTION_LIBEV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = fl;
	ctx = lws_create_context(&info);
	if (!ctx)
		return 99;
	ev_timer service;
	ev_timer_init(&service, service_cb, 0.1, 0.1);
	ev_timer_start(loop, &service);

	/* A trusted owner creates the server on one daemon; the chat agents register on a
	 * second daemon with the same database and the default tier (untrusted). */
	char *db = xasprintf("%s/ws.db", tmpdir);
	struct daemon d;
	const char *args1[] = { "--db", db, "--default-tier", "trusted", NULL };
	daemon_start(&d, args1);
	struct agent owner;
	make_agent(d.port, "owner", &owner);
	int st;
	cJSON *r = http(d.port, "POST", "/api/v1/servers",
			"{\"name\":\"WS Test\",\"instructions\":\"Be brief.\"}", owner.token, &st);
	char server[37] = "";
	if (st == 201)
		snprintf(server, sizeof(server), "%s", jstr(cJSON_GetObjectItem(r, "server"), "id"));
	cJSON_Delete(r);
	CHECK(st == 201, "owner created the test server");
	CHECK(daemon_stop(&d) == 0, "first daemon exits 0");

	const char *args2[] = { "--db", db, "--presence-interval", "1", NULL };
	daemon_start(&d, args2);
	struct agent alice, bob;
	make_agent(d.port, "alice", &alice);
	make_agent(d.port, "bob", &bob);
	char *path = xasprintf("/api/v1/servers/%s", server);
	r = http(d.port, "GET", path, NULL, owner.token, &st);
	free(path);
	char channel[37] = "";
	const cJSON *ch0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "channels"), 0);
	if (jstr(ch0, "id"))
		snprintf(channel, sizeof(channel), "%s", jstr(ch0, "id"));
	cJSON_Delete(r);
	CHECK(st == 200 && str_is_uuid(channel), "owner's token still valid after restart");
	path = xasprintf("/api/v1/servers/%s/join", server);
	cJSON_Delete(http(d.port, "POST", path, "{}", alice.token, &st));
	int st2;
	cJSON_Delete(http(d.port, "POST", path, "{}", bob.token, &st2));
	free(path);
	CHECK(st == 201 && st2 == 201, "alice and bob joined");

	test_auth_and_observer(d.port, &owner, &bob, channel);
	test_chat(d.port, &alice, &bob, channel);
	CHECK(daemon_stop(&d) == 0, "chat daemon exits 0 on SIGTERM");

	test_idle();
	test_demo();

	ev_timer_stop(loop, &service);
	lws_context_destroy(ctx);
	ev_loop_destroy(loop);
	struct agent *all[] = { &owner, &alice, &bob };
	for (size_t i = 0; i < MC_ARRAY_LEN(all); i++) {
		free(all[i]->token);
		free(all[i]->refresh);
	}
	unlink(db);
	free(db);
	rmdir(tmpdir);
	printf("%s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
