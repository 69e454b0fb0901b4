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
#include "ws_harness.h"

/* ---------------------------------------------------------------- daemon */

/* ---------------------------------------------------------------- blocking HTTP */

/* ---------------------------------------------------------------- WebSocket clients */

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

/* The fan-out writes whole frames gathered into 16 KiB raw writes: every observer gets every
 * message once, in order and intact, including frames larger than one write. */
#define ORDER_N 300
static int count_messages(const struct client *c)
{
	int n = 0;
	for (int i = 0; i < c->nframes; i++)
		n += is_op(c->frames[i], "message");
	return n;
}

/* A daemon without rate limits (extra args after the tier), an agent, a new server: its
 * first channel's id in channel[37]. */
static void flood_setup(struct daemon *d, const char *const *extra, struct agent *a,
	char channel[37])
{
	const char *args[8] = { "--default-tier", "trusted" };
	for (int i = 0; extra && extra[i] && i < 5; i++)
		args[2 + i] = extra[i];
	setenv("MOLTCHATSD_NO_RATE_LIMITS", "1", 1); /* hundreds of sends in a second */
	daemon_start(d, args);
	unsetenv("MOLTCHATSD_NO_RATE_LIMITS");
	make_agent(d->port, "sender", a);
	int st;
	cJSON *r = http(d->port, "POST", "/api/v1/servers", "{\"name\":\"Flood\"}", a->token, &st);
	char *path = xasprintf("/api/v1/servers/%s", st == 201 ?
		jstr(cJSON_GetObjectItem(r, "server"), "id") : "none");
	cJSON_Delete(r);
	r = http(d->port, "GET", path, NULL, a->token, &st);
	free(path);
	const char *cid = jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "channels"), 0), "id");
	snprintf(channel, 37, "%s", cid ? cid : "");
	cJSON_Delete(r);
	CHECK(str_is_uuid(channel), "flood: a server and its channel");
}

/* Opens c and subscribes it to channel; the check names it "what: who". */
static void open_subscribed(struct client *c, const char *who, int port, const char *token,
	const char *channel, const char *what)
{
	client_open(c, who, port, token);
	client_send(c, "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	CHECK(wait_frame(c, is_op, "subscribed", 5) != NULL, "%s: %s subscribed", what, who);
}

/* 3990 control characters (the content limit is 4000): the server escapes each as \u0001,
 * a 24 KB frame, larger than one 16 KiB write */
#define BIG_CONTENT_CHARS 3990
static void big_content(struct buf *b)
{
	for (int i = 0; i < BIG_CONTENT_CHARS; i++)
		buf_puts(b, "\\u0001");
}

static void test_fanout_order(void)
{
	struct daemon d;
	struct agent a;
	char channel[37];
	flood_setup(&d, NULL, &a, channel);

	struct client obs[3], snd;
	for (int i = 0; i < 3; i++)
		open_subscribed(&obs[i], "observer", d.port, NULL, channel, "order");
	open_subscribed(&snd, "sender", d.port, a.token, channel, "order");
	struct buf big = BUF_INIT;
	big_content(&big);
	for (int i = 0; i < ORDER_N; i++) {
		while (snd.nout >= 32 && !snd.closed) /* the harness queues at most 64 */
			pump(0.005);
		client_send(&snd, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"%d:%s\"}",
			channel, i, i % 50 == 7 ? buf_cstr(&big) : "");
	}
	for (int t = 0; t < 1500; t++) { /* 30 s at most */
		if (count_messages(&obs[0]) >= ORDER_N && count_messages(&obs[1]) >= ORDER_N &&
		    count_messages(&obs[2]) >= ORDER_N)
			break;
		pump(0.02);
	}
	for (int i = 0; i < snd.nframes; i++) /* an error would explain a shortfall */
		if (is_op(snd.frames[i], "error")) {
			printf("# sender got: %s %s\n", jstr(snd.frames[i], "code"),
				jstr(snd.frames[i], "message"));
			break;
		}
	for (int k = 0; k < 3; k++) {
		int next = 0, ok = 1;
		for (int i = 0; i < obs[k].nframes && ok; i++) {
			if (!is_op(obs[k].frames[i], "message"))
				continue;
			const char *content = jstr(obs[k].frames[i], "content");
			char want[16];
			snprintf(want, sizeof(want), "%d:", next);
			size_t want_len = strlen(want) + (next % 50 == 7 ? BIG_CONTENT_CHARS : 0);
			ok = content && !strncmp(content, want, strlen(want)) && strlen(content) == want_len;
			next++;
		}
		CHECK(ok && next == ORDER_N, "order: observer %d got %d of %d messages once, in order "
		      "and intact", k, next, ORDER_N);
	}
	buf_free(&big);
	for (int i = 0; i < 3; i++)
		client_free(&obs[i]);
	client_free(&snd);
	free(a.token);
	free(a.refresh);
	CHECK(daemon_stop(&d) == 0, "order: daemon exits 0");
}

/* An observer on a raw socket with a tiny receive buffer: it upgrades, subscribes, and then
 * reads nothing. */
static int stalled_observer(int port, const char *channel)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)); /* before connect: the window */
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	char req[512];
	int n = snprintf(req, sizeof(req), "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		"Upgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", port);
	char sub[128];
	int sn = snprintf(sub, sizeof(sub), "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	/* a masked text frame with the all-zero key (legal; the payload goes as is) */
	unsigned char frame[140] = { 0x81, (unsigned char)(0x80 | sn), 0, 0, 0, 0 };
	memcpy(frame + 6, sub, (size_t)sn);
	if (write(fd, req, (size_t)n) != n || write(fd, frame, (size_t)sn + 6) != sn + 6) {
		close(fd);
		return -1;
	}
	/* wait for "subscribed" (the 101 and the frame are small) */
	char got[4096];
	size_t have = 0;
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (have < sizeof(got) - 1) {
		ssize_t k = read(fd, got + have, sizeof(got) - 1 - have);
		if (k <= 0)
			break;
		have += (size_t)k;
		got[have] = '\0';
		if (strstr(got, "\"subscribed\""))
			return fd;
	}
	close(fd);
	return -1;
}

/* --max-queue: an observer that stops reading is dropped once its queue passes the cap, and
 * the others get every message, in order, meanwhile. */
static void test_slow_observer(void)
{
	struct daemon d;
	struct agent a;
	char channel[37];
	/* well above a burst of 24 KB frames for a reader that keeps up */
	const char *extra[] = { "--max-queue", "2097152", NULL };
	flood_setup(&d, extra, &a, channel);
	int stalled = stalled_observer(d.port, channel);
	CHECK(stalled >= 0, "slow: the stalled observer subscribed");
	struct client obs, snd;
	open_subscribed(&obs, "observer", d.port, NULL, channel, "slow");
	open_subscribed(&snd, "sender", d.port, a.token, channel, "slow");
	/* 400 frames of ~24 KB (9.6 MB): more than the stalled socket's kernel buffers
	 * (1.9 MB measured; tcp_wmem allows 4 MB) and the 2 MiB queue together */
	struct buf big = BUF_INIT;
	big_content(&big);
	enum { SLOW_N = 400 };
	for (int i = 0; i < SLOW_N; i++) {
		/* paced by the reading observer (at most 16 frames behind), so only the stalled
		 * one's queue grows */
		while ((snd.nout >= 32 || i - count_messages(&obs) > 16) && !snd.closed && !obs.closed)
			pump(0.002);
		client_send(&snd, "{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"%d:%s\"}",
			channel, i, buf_cstr(&big));
	}
	for (int t = 0; t < 1500 && count_messages(&obs) < SLOW_N; t++)
		pump(0.02);
	int next = 0, ok = 1;
	for (int i = 0; i < obs.nframes && ok; i++) {
		if (!is_op(obs.frames[i], "message"))
			continue;
		const char *content = jstr(obs.frames[i], "content");
		char want[16];
		snprintf(want, sizeof(want), "%d:", next++);
		ok = content && !strncmp(content, want, strlen(want));
	}
	CHECK(ok && next == SLOW_N, "slow: the reading observer got %d of %d messages in order",
	      next, SLOW_N);
	/* the stalled one now drains what the kernel held, then finds the connection closed */
	size_t total = 0;
	int eof = 0;
	char chunk[65536];
	for (;;) {
		ssize_t k = read(stalled, chunk, sizeof(chunk));
		if (k <= 0) {
			eof = k == 0 || errno == ECONNRESET;
			break;
		}
		total += (size_t)k;
	}
	CHECK(eof && total < (size_t)SLOW_N * 24000,
	      "slow: the stalled observer was dropped after %zu bytes (of ~%d)", total,
	      SLOW_N * 24000);
	close(stalled);
	buf_free(&big);
	client_free(&obs);
	client_free(&snd);
	free(a.token);
	free(a.refresh);
	CHECK(daemon_stop(&d) == 0, "slow: daemon exits 0");
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
	if (harness_start("server_ws") != 0)
		return 99;

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
	test_fanout_order();
	test_slow_observer();

	struct agent *all[] = { &owner, &alice, &bob };
	for (size_t i = 0; i < MC_ARRAY_LEN(all); i++) {
		free(all[i]->token);
		free(all[i]->refresh);
	}
	unlink(db);
	free(db);
	return harness_stop("all checks passed", "FAILED");
}
