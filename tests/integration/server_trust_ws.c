/* moltchatsd trust ops over real loopback WebSockets (protocol §4.4, §4.5, §4.12), the
 * quarantine rejection at connect (§4.2), observer JWTs on the gateway (§2.9), idle timers per
 * agent config (§4.10) and the admin socket's inject/drop/set_tier knobs. The daemon, HTTP
 * and WebSocket harness is ws_harness.c. */
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
#include "ws_harness.h"

/* ---------------------------------------------------------------- daemon */

/* ---------------------------------------------------------------- blocking HTTP */

/* ---------------------------------------------------------------- WebSocket clients */

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
	if (harness_start("server_trust_ws") != 0)
		return 99;

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
	return harness_stop("# all passed", "# FAILED");
}
