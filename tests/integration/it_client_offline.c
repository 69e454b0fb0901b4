/* Client core pieces that need no server: endpoint normalisation, identity checks, backoff,
 * URL escaping, and the net layer's failure paths (refused connections report from the loop). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/fsutil.h"
#include "moltty/net.h"
#include "client_int.h"

static void check_ep(const char *api, const char *ws, const char *want_api, const char *want_ws)
{
	struct mc_endpoints ep;
	char *err = NULL;
	assert_int_equal(mc_endpoints_init(&ep, api, ws, &err), 0);
	assert_null(err);
	assert_string_equal(ep.api_base, want_api);
	assert_string_equal(ep.ws_url, want_ws);
	mc_endpoints_free(&ep);
}

static void client__endpoints__normalised(void **state)
{
	unsetenv("MOLTCHATS_API_BASE");
	unsetenv("MOLTCHATS_WS_BASE");
	check_ep(NULL, NULL, "https://moltchats.com/api/v1", "wss://moltchats.com/ws");
	check_ep("http://127.0.0.1:3000", NULL, "http://127.0.0.1:3000/api/v1", "ws://127.0.0.1:3000/ws");
	check_ep("http://127.0.0.1:3000/", NULL, "http://127.0.0.1:3000/api/v1", "ws://127.0.0.1:3000/ws");
	check_ep("https://h.example/api/v1/", NULL, "https://h.example/api/v1", "wss://h.example/ws");
	check_ep("http://h:1/api/v1", "ws://h:2/", "http://h:1/api/v1", "ws://h:2/");
	setenv("MOLTCHATS_API_BASE", "http://envhost:9", 1);
	setenv("MOLTCHATS_WS_BASE", "ws://envhost:10/ws", 1);
	check_ep(NULL, NULL, "http://envhost:9/api/v1", "ws://envhost:10/ws");
	check_ep("http://arg:1", NULL, "http://arg:1/api/v1", "ws://envhost:10/ws");
	unsetenv("MOLTCHATS_API_BASE");
	unsetenv("MOLTCHATS_WS_BASE");

	static const char *const bad_api[] = { "ftp://x", "http://", "http:// x", "x", "http:///p",
		"http://h?q=1" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad_api); i++) {
		struct mc_endpoints ep;
		char *err = NULL;
		assert_int_equal(mc_endpoints_init(&ep, bad_api[i], NULL, &err), -1);
		assert_non_null(err);
		free(err);
	}
	struct mc_endpoints ep;
	char *err = NULL;
	assert_int_equal(mc_endpoints_init(&ep, "http://h", "http://h/ws", &err), -1);
	assert_non_null(strstr(err, "WebSocket"));
	free(err);
}

static void client__identity__checks(void **state)
{
	char dir[] = "/tmp/moltty-idt.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *p = xasprintf("%s/c.json", dir);
	struct mc_identity id;
	char *err = NULL;
	assert_int_equal(mc_identity_load(p, &id, &err), -1); /* missing */
	assert_non_null(err);
	free(err);

	const char *good = "{\"agentId\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\",\"username\":\"a\","
		"\"privateKey\":\"-----BEGIN PRIVATE KEY-----\\nx\\n-----END PRIVATE KEY-----\\n\","
		"\"refreshToken\":\"msr_x\"}";
	assert_int_equal(fs_write_atomic(p, good, strlen(good), 0600), 0);
	assert_int_equal(mc_identity_load(p, &id, &err), 0);
	assert_string_equal(id.username, "a");
	assert_string_equal(id.cred_path, p);
	mc_identity_free(&id);

	assert_int_equal(fs_write_atomic(p, good, strlen(good), 0640), 0);
	assert_int_equal(mc_identity_load(p, &id, &err), -1);
	assert_non_null(strstr(err, "group/others"));
	free(err);

	const char *bad[] = { "[]", "{\"agentId\":\"x\",\"username\":\"a\",\"privateKey\":\"k\"}",
		"{\"agentId\":\"ff6a8fc3-69d1-49ef-8bae-bb0061616299\",\"username\":5,\"privateKey\":\"k\"}", "{" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		assert_int_equal(fs_write_atomic(p, bad[i], strlen(bad[i]), 0600), 0);
		assert_int_equal(mc_identity_load(p, &id, &err), -1);
		assert_non_null(err);
		free(err);
	}
	unlink(p);
	rmdir(dir);
	free(p);
}

static void net__backoff__grows_with_jitter_and_caps(void **state)
{
	struct net_backoff b;
	net_backoff_init(&b, 1000, 30000);
	int64_t d0 = net_backoff_next(&b);
	assert_true(d0 >= 500 && d0 <= 1000);
	int64_t d1 = net_backoff_next(&b);
	assert_true(d1 >= 1000 && d1 <= 2000);
	int64_t prev_max = 2000;
	for (int i = 2; i < 5; i++) { /* 4 s, 8 s, 16 s: doubling, half of it jitter */
		int64_t d = net_backoff_next(&b);
		assert_true(d >= prev_max && d <= 2 * prev_max);
		prev_max *= 2;
	}
	for (int i = 0; i < 100; i++) { /* then capped at 30 s */
		int64_t d = net_backoff_next(&b);
		assert_true(d >= 15000 && d <= 30000);
	}
	net_backoff_reset(&b);
	assert_true(net_backoff_next(&b) <= 1000);
}

static void client__api__escape(void **state)
{
	char *s = api_escape("a/b?c=d&e f%\xc3\xa9");
	assert_string_equal(s, "a%2Fb%3Fc%3Dd%26e%20f%25%C3%A9");
	free(s);
	s = api_escape("ff6a8fc3-69d1-49ef-8bae-bb0061616299");
	assert_string_equal(s, "ff6a8fc3-69d1-49ef-8bae-bb0061616299");
	free(s);
}

/* A port with nothing listening. */
static int dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	socklen_t l = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	close(fd);
	return ntohs(a.sin_port);
}

static int http_status = -1, ws_errors, ws_other, in_open_call;
static char http_err[256];

static void on_http(void *ud, const struct net_http_result *r)
{
	http_status = r->status;
	snprintf(http_err, sizeof(http_err), "%s", r->error ? r->error : "");
	if (ws_errors)
		ev_break(ud, EVBREAK_ALL);
}

static void ws_open_cb(void *ud) { ws_other++; }
static void ws_text_cb(void *ud, const char *t, size_t n) { ws_other++; }
static void ws_close_cb(void *ud, int code, const char *reason) { ws_other++; }
static void ws_error_cb(void *ud, const char *reason)
{
	assert_false(in_open_call); /* never from inside net_ws_open */
	ws_errors++;
	if (http_status >= 0)
		ev_break(ud, EVBREAK_ALL);
}

static void guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void net__refused__reported_from_the_loop(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct mc_net *net = mc_net_new(loop, NULL);
	assert_non_null(net);
	int port = dead_port();
	char *url = xasprintf("http://127.0.0.1:%d/api/v1/x", port);
	struct net_http_opts o = { .url = url, .method = "POST", .body = "{}", .body_len = 2 };
	assert_non_null(net_http_request(net->http, &o, on_http, loop));
	assert_int_equal(http_status, -1);
	char *wsurl = xasprintf("ws://127.0.0.1:%d/ws", port);
	static const struct net_ws_handlers h = { ws_open_cb, ws_text_cb, ws_close_cb, ws_error_cb };
	in_open_call = 1;
	struct net_ws *w = net_ws_open(net->ws, wsurl, &h, loop);
	in_open_call = 0;
	assert_non_null(w);
	assert_null(net_ws_open(net->ws, "http://not-ws/", &h, loop));
	assert_int_equal(net_ws_send(w, "x", 1), -1); /* not open */

	/* a cancelled request never calls back */
	struct net_http_req *r = net_http_request(net->http, &o, on_http, NULL);
	net_http_cancel(r);

	ev_timer guard;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	ev_timer_start(loop, &guard);
	ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
	assert_int_equal(http_status, 0);
	assert_true(http_err[0] != '\0');
	assert_int_equal(ws_errors, 1);
	assert_int_equal(ws_other, 0);
	assert_int_equal(net_http_active(net->http), 0);
	mc_net_free(net);
	free(url);
	free(wsurl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client__endpoints__normalised),
		cmocka_unit_test(client__identity__checks),
		cmocka_unit_test(net__backoff__grows_with_jitter_and_caps),
		cmocka_unit_test(client__api__escape),
		cmocka_unit_test(net__refused__reported_from_the_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
