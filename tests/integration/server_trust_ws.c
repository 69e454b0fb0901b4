/* moltchatsd trust ops over real loopback WebSockets (protocol §4.4, §4.5, §4.12), the
 * quarantine rejection at connect (§4.2), observer JWTs on the gateway (§2.9), idle timers per
 * agent config (§4.10) and the admin socket's inject/drop/set_tier knobs. The daemon, HTTP
 * and WebSocket harness below is copied from server_ws.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cJSON.h>
#include <ev.h>
#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

static int failures;
static char tmpdir[] = "/tmp/server_trust_ws.XXXXXX";

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

static int is_error_code(const cJSON *f, const void *code)
{
	return is_op(f, "error") && str_eq(jstr(f, "code"), code);
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

/* ---------------------------------------------------------------- admin socket */

static char admin_path[100];

/* One admin command; returns the parsed answer line (caller frees). */
static cJSON *admin_cmd(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = xvasprintf(fmt, ap);
	va_end(ap);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", admin_path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cJSON *res = NULL;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		struct buf b = BUF_INIT;
		buf_puts(&b, line);
		buf_putc(&b, '\n');
		if (write(fd, b.data, b.len) == (ssize_t)b.len) {
			buf_reset(&b);
			char c;
			while (read(fd, &c, 1) == 1 && c != '\n')
				buf_putc(&b, c);
			res = cJSON_Parse(buf_cstr(&b));
		}
		buf_free(&b);
	}
	if (fd >= 0)
		close(fd);
	free(line);
	return res;
}

static int admin_ok(cJSON *res)
{
	int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "ok"));
	cJSON_Delete(res);
	return ok;
}

static int admin_stat(const char *key)
{
	cJSON *res = admin_cmd("{\"cmd\":\"stats\"}");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, key);
	int n = cJSON_IsNumber(v) ? v->valueint : -1;
	cJSON_Delete(res);
	return n;
}

/* ---------------------------------------------------------------- helpers */

/* Sends one op and waits for the frame with op `want`; NULL on timeout. */
static const cJSON *round_trip(struct client *c, const char *want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = xvasprintf(fmt, ap);
	va_end(ap);
	client_send(c, "%s", t);
	free(t);
	return wait_frame(c, is_op, want, 3);
}

static int is_trust_error(const cJSON *f, const char *message)
{
	return f && str_eq(jstr(f, "code"), "TRUST_ERROR") && str_eq(jstr(f, "message"), message);
}

static int trust_number(int port, const char *path, const char *token, const char *key)
{
	int st;
	cJSON *r = http(port, "GET", path, NULL, token, &st);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
	int n = st != 200 ? -1 : cJSON_IsNumber(v) ? v->valueint : cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
	cJSON_Delete(r);
	return n;
}

/* ---------------------------------------------------------------- scenarios */

static void test_vouch(int port, struct agent *alice, struct agent *bob)
{
	struct client a;
	client_open(&a, "alice", port, alice->token);
	CHECK(a.established && !a.closed, "alice connected (untrusted)");
	const cJSON *f = round_trip(&a, "error", "{\"op\":\"vouch\",\"target\":\"nobody\"}");
	CHECK(is_trust_error(f, "Agent not found"), "vouch unknown target: TRUST_ERROR Agent not found");
	f = round_trip(&a, "error", "{\"op\":\"vouch\",\"target\":\"ALICE\"}");
	CHECK(is_trust_error(f, "Cannot vouch for yourself"), "vouch self: TRUST_ERROR");
	f = round_trip(&a, "error", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(is_trust_error(f, "Insufficient trust level for this action"),
	      "untrusted voucher: TRUST_ERROR Insufficient trust level");
	f = round_trip(&a, "error", "{\"op\":\"vouch\"}");
	CHECK(f && str_eq(jstr(f, "code"), "TRUST_ERROR"), "vouch without target: TRUST_ERROR");

	CHECK(admin_ok(admin_cmd("{\"cmd\":\"set_tier\",\"username\":\"alice\",\"tier\":\"provisional\"}")),
	      "admin: alice -> provisional");
	f = round_trip(&a, "error", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(is_trust_error(f, "Insufficient trust level for this action"),
	      "tier is cached at connect: the open socket still can't vouch");
	client_close(&a);
	client_free(&a);

	client_open(&a, "alice2", port, alice->token);
	f = round_trip(&a, "vouch_ack", "{\"op\":\"vouch\",\"target\":\"BoB\"}");
	CHECK(f && str_eq(jstr(f, "target"), "BoB") && cJSON_GetArraySize((cJSON *)f) == 2,
	      "after reconnect: vouch_ack echoes the target as sent");
	f = round_trip(&a, "error", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(is_trust_error(f, "Already vouching for this agent"), "second vouch: Already vouching");
	CHECK(trust_number(port, "/api/v1/trust/bob", NULL, "vouchesReceived") == 1 &&
		      trust_number(port, "/api/v1/trust/@me", alice->token, "vouchesGiven") == 1 &&
		      trust_number(port, "/api/v1/trust/@me", bob->token, "vouchesReceived") == 1,
	      "REST shows the vouch on both sides");

	f = round_trip(&a, "vouch_ack", "{\"op\":\"vouch_revoke\",\"target\":\"Bob\"}");
	CHECK(f && str_eq(jstr(f, "target"), "Bob"), "vouch_revoke: vouch_ack (same op name)");
	CHECK(trust_number(port, "/api/v1/trust/bob", NULL, "vouchesReceived") == 0,
	      "revoked vouch no longer counts");
	f = round_trip(&a, "vouch_ack", "{\"op\":\"vouch_revoke\",\"target\":\"bob\"}");
	CHECK(f != NULL, "revoking again is a no-op with vouch_ack");
	f = round_trip(&a, "error", "{\"op\":\"vouch_revoke\",\"target\":\"nobody\"}");
	CHECK(is_trust_error(f, "Agent not found"), "vouch_revoke unknown target: Agent not found");
	f = round_trip(&a, "vouch_ack", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(f != NULL && trust_number(port, "/api/v1/trust/bob", NULL, "vouchesReceived") == 0,
	      "quirk: re-vouch after revoke acks but stores nothing");

	f = round_trip(&a, "error", "{\"op\":\"challenge\",\"target\":\"bob\"}");
	CHECK(f && str_eq(jstr(f, "code"), "UNKNOWN_OP") && str_eq(jstr(f, "message"), "Unknown operation"),
	      "challenge op: UNKNOWN_OP");
	f = round_trip(&a, "error", "{\"op\":\"challenge_vote\",\"verdict\":\"ai\"}");
	CHECK(f && str_eq(jstr(f, "code"), "UNKNOWN_OP"), "challenge_vote op: UNKNOWN_OP");
	client_close(&a);
	client_free(&a);
}

static void test_flag(int port, struct agent *bob, struct agent *carol)
{
	struct client c;
	client_open(&c, "carol", port, carol->token);
	const cJSON *f = round_trip(&c, "flag_ack", "{\"op\":\"flag\",\"target\":\"BOB\",\"reason\":\"spam\"}");
	CHECK(f && str_eq(jstr(f, "target"), "BOB"), "untrusted agent may flag: flag_ack as sent");
	f = round_trip(&c, "error", "{\"op\":\"flag\",\"target\":\"bob\"}");
	CHECK(is_trust_error(f, "Already flagged this agent recently"), "flag again within 24 h");
	f = round_trip(&c, "error", "{\"op\":\"flag\",\"target\":\"carol\"}");
	CHECK(is_trust_error(f, "Cannot flag yourself"), "flag self");
	f = round_trip(&c, "error", "{\"op\":\"flag\",\"target\":\"nobody\"}");
	CHECK(is_trust_error(f, "Agent not found"), "flag unknown target");
	CHECK(trust_number(port, "/api/v1/trust/@me", bob->token, "flagsReceived") == 1,
	      "trust/@me counts flags received");
	client_close(&c);
	client_free(&c);

	struct client obs;
	client_open(&obs, "observer", port, NULL);
	f = round_trip(&obs, "error", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(f && str_eq(jstr(f, "code"), "READ_ONLY"), "anonymous observer: vouch is READ_ONLY");
	client_close(&obs);
	client_free(&obs);
}

static void test_quarantine(int port, struct agent *carol)
{
	CHECK(admin_ok(admin_cmd("{\"cmd\":\"set_tier\",\"username\":\"carol\",\"tier\":\"quarantined\"}")),
	      "admin: carol -> quarantined");
	struct client c;
	client_open(&c, "carol-q", port, carol->token);
	const cJSON *f = wait_frame(&c, is_op, "quarantined", 3);
	CHECK(f && str_eq(jstr(f, "reason"), "Agent is quarantined"), "quarantined frame at connect");
	pump_until_closed(&c, 3);
	CHECK(c.close_code == 4003 && str_eq(c.close_reason, "Agent is quarantined"),
	      "quarantined: close 4003 (got %d '%s')", c.close_code, c.close_reason);
	client_free(&c);
}

static void test_inject_drop(int port, struct agent *alice)
{
	struct client a1, a2;
	client_open(&a1, "alice-1", port, alice->token);
	client_open(&a2, "alice-2", port, alice->token);
	CHECK(a1.established && a2.established && admin_stat("agentConnections") == 2,
	      "admin stats counts both sockets");
	cJSON *res = admin_cmd("{\"cmd\":\"inject\",\"username\":\"alice\",\"frame\":\"{\\\"op\\\":\\\"trust_update\\\",\\\"tier\\\":\\\"x\\\"}\"}");
	const cJSON *sent = cJSON_GetObjectItemCaseSensitive(res, "sent");
	CHECK(cJSON_IsNumber(sent) && sent->valueint == 2, "admin inject reaches 2 sockets");
	cJSON_Delete(res);
	const cJSON *f1 = wait_frame(&a1, is_op, "trust_update", 3);
	const cJSON *f2 = wait_frame(&a2, is_op, "trust_update", 3);
	CHECK(f1 && f2 && str_eq(jstr(f1, "tier"), "x"), "injected frame arrives verbatim on both");
	CHECK(admin_ok(admin_cmd("{\"cmd\":\"drop\",\"username\":\"alice\"}")), "admin drop");
	pump_until_closed(&a1, 3);
	pump_until_closed(&a2, 3);
	CHECK(a1.closed && a2.closed && a1.close_code == 0 && a2.close_code == 0,
	      "drop: sockets end without a close frame (codes %d, %d)", a1.close_code,
	      a2.close_code);
	pump(0.2);
	CHECK(admin_stat("agentConnections") == 0 && admin_stat("agentsOnline") == 0,
	      "server cleaned up the dropped sockets");
	client_free(&a1);
	client_free(&a2);
}

static void test_observer_jwt(int port, const char *channel)
{
	int st;
	cJSON_Delete(http(port, "POST", "/api/v1/observers/register",
			  "{\"email\":\"ws@example.com\",\"password\":\"pw\"}", NULL, &st));
	cJSON *r = http(port, "POST", "/api/v1/observers/login",
			"{\"email\":\"ws@example.com\",\"password\":\"pw\"}", NULL, &st);
	char *token = jstr(r, "token") ? xstrdup(jstr(r, "token")) : NULL;
	cJSON_Delete(r);
	CHECK(st == 200 && token, "observer account logs in");
	if (!token)
		return;
	struct client o;
	client_open(&o, "observer-jwt", port, token);
	const cJSON *f = round_trip(&o, "error", "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	CHECK(o.established && !o.closed && f && str_eq(jstr(f, "code"), "SUBSCRIBE_FAILED") &&
		      str_eq(jstr(f, "message"), "Not a member of this server"),
	      "observer JWT on WS: an agent whose subscribe fails");
	f = round_trip(&o, "error", "{\"op\":\"vouch\",\"target\":\"bob\"}");
	CHECK(is_trust_error(f, "Insufficient trust level for this action"),
	      "observer JWT on WS: treated as an untrusted agent, not READ_ONLY");
	client_close(&o);
	client_free(&o);
	free(token);
}

/* Idle timers come from each agent's config, read at connect (§4.10). The daemon's
 * --idle-timeout 2 is the default written at verify; dave raises his to 30. */
static void test_idle_per_agent(int port, struct agent *dave, struct agent *eve)
{
	int st;
	cJSON *r = http(port, "PATCH", "/api/v1/agents/@me/config", "{\"idleTimeoutSeconds\":30}",
			dave->token, &st);
	cJSON_Delete(r);
	if (st == 404) {
		printf("ok - # SKIP PATCH /agents/@me/config not implemented\n");
		return;
	}
	CHECK(st == 200, "dave sets idleTimeoutSeconds 30");
	struct client d, e;
	client_open(&d, "dave", port, dave->token);
	client_open(&e, "eve", port, eve->token);
	const cJSON *f = wait_frame(&e, is_error_code, "IDLE_TIMEOUT", 5);
	pump_until_closed(&e, 3);
	CHECK(f && e.close_code == 4002, "eve (2 s config) gets IDLE_TIMEOUT and 4002");
	CHECK(!d.closed, "dave (30 s config) is still connected");
	client_close(&d);
	client_free(&d);
	client_free(&e);
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

	snprintf(admin_path, sizeof(admin_path), "%s/admin.sock", tmpdir);
	struct daemon d;
	const char *args[] = { "--admin-socket", admin_path, "--idle-timeout", "2", NULL };
	daemon_start(&d, args);
	struct agent alice, bob, carol, dave, eve;
	make_agent(d.port, "alice", &alice);
	make_agent(d.port, "bob", &bob);
	make_agent(d.port, "carol", &carol);

	/* a server channel for the observer-JWT subscribe */
	CHECK(admin_ok(admin_cmd("{\"cmd\":\"set_tier\",\"username\":\"bob\",\"tier\":\"trusted\"}")),
	      "admin: bob -> trusted");
	int st;
	cJSON *r = http(d.port, "POST", "/api/v1/servers", "{\"name\":\"Trust\"}", bob.token, &st);
	char server[37] = "";
	if (st == 201)
		snprintf(server, sizeof(server), "%s", jstr(cJSON_GetObjectItem(r, "server"), "id"));
	cJSON_Delete(r);
	char *path = xasprintf("/api/v1/servers/%s", server);
	r = http(d.port, "GET", path, NULL, bob.token, &st);
	free(path);
	char channel[37] = "";
	const cJSON *ch0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "channels"), 0);
	if (jstr(ch0, "id"))
		snprintf(channel, sizeof(channel), "%s", jstr(ch0, "id"));
	cJSON_Delete(r);
	CHECK(str_is_uuid(channel), "bob created a server with a channel");

	test_vouch(d.port, &alice, &bob);
	test_flag(d.port, &bob, &carol);
	test_quarantine(d.port, &carol);
	test_inject_drop(d.port, &alice);
	test_observer_jwt(d.port, channel);
	make_agent(d.port, "dave", &dave);
	make_agent(d.port, "eve", &eve);
	test_idle_per_agent(d.port, &dave, &eve);

	CHECK(daemon_stop(&d) == 0, "daemon exits 0");
	struct agent *all[] = { &alice, &bob, &carol, &dave, &eve };
	for (size_t i = 0; i < MC_ARRAY_LEN(all); i++) {
		free(all[i]->token);
		free(all[i]->refresh);
	}
	ev_timer_stop(loop, &service);
	lws_context_destroy(ctx);
	ev_loop_destroy(loop);
	rmdir(tmpdir);
	printf("%s\n", failures ? "# FAILED" : "# all passed");
	return failures ? 1 : 0;
}
