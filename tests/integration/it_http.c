/* The REST client (src/net/http.c) against a scripted HTTP server on a real loopback socket:
 * the server thread below reads real requests and answers each as the test's script says
 * (keep-alive or close, chunked, byte by byte, late, never, garbage), so every path of the
 * client runs over the kernel's TCP: connection reuse, the per-host limit, the retry when a
 * kept-alive connection was closed under a request, timeouts, cancelling, and freeing the
 * client from inside a callback. moltchatsd covers the everyday path in the other tests. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "moltty/base.h"
#include "moltty/net.h"

static int failures;
#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                      \
		}                                                                        \
	} while (0)

/* ---------------- the scripted server ---------------- */

enum action { SEND, SEND_TRICKLE, HANG, CLOSE };
struct reply {
	enum action act;
	const char *text; /* SEND: the bytes */
	int close_after;
	int delay_ms;     /* before answering */
};

static struct reply R(enum action act, const char *text, int close_after, int delay_ms)
{
	struct reply r = { .act = act, .text = text, .close_after = close_after, .delay_ms = delay_ms };
	return r;
}
/* conn: the connection's number (from 0 in accept order); nth: request number on it */
typedef struct reply (*script_fn)(int conn, int nth, const char *req, size_t len);

#define MAX_CONNS 64
struct server {
	int lfd, port;
	pthread_t th;
	pthread_mutex_t mu;
	volatile int stop;
	script_fn script;
	/* what it saw */
	int accepted, max_open, requests;
	char last_req[4096];
};
static struct server S;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* a complete request in b: its length, else 0 */
static size_t request_len(const char *b, size_t n)
{
	const char *end = memmem(b, n, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head = (size_t)(end - b) + 4;
	size_t body = 0;
	const char *cl = memmem(b, head, "Content-Length: ", 16);
	if (cl)
		body = strtoul(cl + 16, NULL, 10);
	return n >= head + body ? head + body : 0;
}

struct sconn {
	int fd, id, nth;
	char in[1 << 16];
	size_t n;
	int hung;
};

static void send_all(int fd, const char *p, size_t n, int trickle)
{
	while (n) {
		ssize_t k = send(fd, p, trickle ? 1 : n, MSG_NOSIGNAL);
		if (k <= 0) {
			if (k < 0 && errno == EAGAIN) {
				usleep(1000);
				continue;
			}
			return;
		}
		p += k;
		n -= (size_t)k;
		if (trickle)
			usleep(300);
	}
}

static void *server_main(void *arg)
{
	struct sconn *c[MAX_CONNS] = { 0 };
	int open = 0;
	while (!S.stop) {
		struct pollfd pf[MAX_CONNS + 1];
		int map[MAX_CONNS + 1];
		int np = 0;
		pf[np].fd = S.lfd;
		pf[np].events = POLLIN;
		map[np++] = -1;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (c[i]) {
				pf[np].fd = c[i]->fd;
				pf[np].events = POLLIN;
				map[np++] = i;
			}
		}
		if (poll(pf, (nfds_t)np, 50) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			int fd = accept(S.lfd, NULL, NULL);
			int slot = 0;
			while (slot < MAX_CONNS && c[slot])
				slot++;
			if (fd >= 0 && slot < MAX_CONNS) {
				c[slot] = xcalloc(1, sizeof(struct sconn));
				c[slot]->fd = fd;
				pthread_mutex_lock(&S.mu);
				c[slot]->id = S.accepted++;
				if (++open > S.max_open)
					S.max_open = open;
				pthread_mutex_unlock(&S.mu);
			} else if (fd >= 0) {
				close(fd);
			}
		}
		for (int k = 1; k < np; k++) {
			if (!pf[k].revents)
				continue;
			struct sconn *s = c[map[k]];
			ssize_t r = recv(s->fd, s->in + s->n, sizeof(s->in) - s->n, 0);
			int drop = r <= 0;
			if (r > 0)
				s->n += (size_t)r;
			size_t len;
			while (!drop && !s->hung && (len = request_len(s->in, s->n)) > 0) {
				pthread_mutex_lock(&S.mu);
				S.requests++;
				snprintf(S.last_req, sizeof(S.last_req), "%.*s", (int)len, s->in);
				pthread_mutex_unlock(&S.mu);
				struct reply rp = S.script(s->id, s->nth++, s->in, len);
				memmove(s->in, s->in + len, s->n - len);
				s->n -= len;
				if (rp.delay_ms)
					usleep((useconds_t)rp.delay_ms * 1000);
				if (rp.act == HANG) {
					s->hung = 1;
				} else if (rp.act == CLOSE) {
					drop = 1;
				} else {
					send_all(s->fd, rp.text, strlen(rp.text),
						rp.act == SEND_TRICKLE);
					drop = rp.close_after;
				}
			}
			if (drop) {
				close(s->fd);
				free(s);
				c[map[k]] = NULL;
				open--;
			}
		}
	}
	for (int i = 0; i < MAX_CONNS; i++) {
		if (c[i]) {
			close(c[i]->fd);
			free(c[i]);
		}
	}
	return NULL;
}

/* A listening socket on the loopback address of family (AF_INET or AF_INET6, v6 only), on
 * port (0: any); its port, or -1. */
static int listen_loopback(int family, int port, int backlog, int *fd_out)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)port);
		len = sizeof(*a);
	}
	int fd = socket(family, SOCK_STREAM, 0);
	int one = 1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, backlog) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*fd_out = fd;
	return ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					: ((struct sockaddr_in *)&ss)->sin_port);
}

static int server_start_on(script_fn f, int family, int port)
{
	memset(&S, 0, sizeof(S));
	S.script = f;
	S.port = listen_loopback(family, port, 64, &S.lfd);
	if (S.port < 0)
		return -1;
	pthread_mutex_init(&S.mu, NULL);
	pthread_create(&S.th, NULL, server_main, NULL);
	return 0;
}

static void server_start(script_fn f)
{
	if (server_start_on(f, AF_INET, 0) != 0) {
		perror("it_http: listen");
		exit(1);
	}
}

static void server_stop(void)
{
	S.stop = 1;
	pthread_join(S.th, NULL);
	close(S.lfd);
	pthread_mutex_destroy(&S.mu);
}

/* ---------------- the client side ---------------- */

#define MAX_RESULTS 64
struct result {
	int done, status;
	char error[256];
	char body[256];
	size_t body_len;
	long long rl_remaining;
};
static struct result res[MAX_RESULTS];
static int pending;
static struct ev_loop *loop;
static struct net_http *H;

static void on_result(void *ud, const struct net_http_result *r)
{
	struct result *o = ud;
	CHECK(!o->done); /* exactly once */
	o->done = 1;
	o->status = r->status;
	snprintf(o->error, sizeof(o->error), "%s", r->error ? r->error : "");
	o->body_len = r->body_len;
	snprintf(o->body, sizeof(o->body), "%s", r->body);
	o->rl_remaining = r->rl_remaining;
	if (--pending == 0)
		ev_break(loop, EVBREAK_ALL);
}

static void guard_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	fprintf(stderr, "it_http: guard timer: %d requests never finished\n", pending);
	failures++;
	ev_break(l, EVBREAK_ALL);
}

static void spin_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

/* run the loop for a while, whatever happens */
static void spin(double s)
{
	ev_timer t;
	ev_timer_init(&t, spin_cb, s, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

static void run_loop(double limit_s)
{
	ev_timer guard;
	ev_timer_init(&guard, guard_cb, limit_s, 0.);
	ev_timer_start(loop, &guard);
	if (pending)
		ev_run(loop, 0);
	ev_timer_stop(loop, &guard);
}

static struct net_http_req *request(int i, const char *method, const char *path, const char *body,
	long timeout_ms)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", S.port, path);
	static const char *const hdrs[] = { "Authorization: Bearer t0ken", "Content-Type: application/json",
		NULL };
	struct net_http_opts o = { .method = method, .url = url, .headers = hdrs, .body = body,
		.body_len = body ? strlen(body) : 0, .timeout_ms = timeout_ms };
	memset(&res[i], 0, sizeof(res[i]));
	struct net_http_req *r = net_http_request(H, &o, on_result, &res[i]);
	if (r)
		pending++;
	return r;
}

static void begin(script_fn f)
{
	server_start(f);
	H = net_http_new(loop, NULL);
	pending = 0;
}

static void end(void)
{
	net_http_free(H);
	H = NULL;
	server_stop();
}

#define OK_JSON(body) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " body

/* ---- 1. keep-alive: sequential requests share one connection; requests arrive intact ---- */

static struct reply echo_script(int conn, int nth, const char *req, size_t len)
{
	static char out[8192];
	const char *body = memmem(req, len, "\r\n\r\n", 4) + 4;
	size_t blen = len - (size_t)(body - req);
	snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nX-RateLimit-Remaining: %d\r\n"
		 "Content-Length: %zu\r\n\r\n%.*s", 30 - nth, blen, (int)blen, body);
	return R(SEND, out, 0, 0);
}

static void test_keep_alive(void)
{
	begin(echo_script);
	for (int i = 0; i < 5; i++) {
		char body[64];
		snprintf(body, sizeof(body), "{\"n\":%d,\"text\":\"h\\u00e9llo\"}", i);
		CHECK(request(i, i % 2 ? "PATCH" : "POST", "/api/v1/x?y=1", body, 0));
		run_loop(5);
		CHECK(res[i].status == 200);
		CHECK(strcmp(res[i].body, body) == 0);
		CHECK(res[i].rl_remaining == 30 - i);
	}
	CHECK(S.accepted == 1);
	pthread_mutex_lock(&S.mu);
	CHECK(strstr(S.last_req, "POST /api/v1/x?y=1 HTTP/1.1\r\n") == S.last_req);
	CHECK(strstr(S.last_req, "\r\nAuthorization: Bearer t0ken\r\n"));
	char host[64];
	snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%d\r\n", S.port);
	CHECK(strstr(S.last_req, host));
	CHECK(strstr(S.last_req, "\r\nContent-Length: "));
	pthread_mutex_unlock(&S.mu);
	/* a GET without a body has no Content-Length */
	CHECK(request(0, "GET", "/g", NULL, 0));
	run_loop(5);
	CHECK(res[0].status == 200 && res[0].body_len == 0);
	CHECK(!strstr(S.last_req, "Content-Length"));
	end();
}

/* ---- 2. many at once: all answered, at most 6 connections to the host ---- */

static struct reply slow_script(int conn, int nth, const char *req, size_t len)
{
	return R(SEND, OK_JSON("2\r\n\r\n{}"), 0, 20);
}

static void test_parallel(void)
{
	begin(slow_script);
	for (int i = 0; i < 30; i++)
		CHECK(request(i, "GET", "/p", NULL, 0));
	CHECK(net_http_active(H) == 30);
	run_loop(20);
	for (int i = 0; i < 30; i++)
		CHECK(res[i].status == 200 && strcmp(res[i].body, "{}") == 0);
	printf("  30 requests: %d connections, at most %d open\n", S.accepted, S.max_open);
	CHECK(S.accepted <= 6 && S.max_open <= 6);
	CHECK(net_http_active(H) == 0);
	end();
}

/* ---- 3. bodies delimited every way, sent a byte at a time ---- */

static struct reply framing_script(int conn, int nth, const char *req, size_t len)
{
	if (strstr(req, "GET /chunked "))
		return R(SEND_TRICKLE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nTrailer: t\r\n\r\n", 0, 0);
	if (strstr(req, "GET /close "))
		return R(SEND_TRICKLE, "HTTP/1.0 200 OK\r\n\r\n[1,2,3]", 1, 0);
	if (strstr(req, "GET /interim "))
		return R(SEND, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\n"
			"Retry-After: 2\r\nContent-Length: 13\r\n\r\n{\"error\":\"x\"}", 0, 0);
	if (strstr(req, " /nobody "))
		return R(SEND, "HTTP/1.1 204 No Content\r\n\r\n", 0, 0);
	return R(SEND, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0, 0);
}

static void test_framing(void)
{
	begin(framing_script);
	request(0, "GET", "/chunked", NULL, 0);
	request(1, "GET", "/close", NULL, 0);
	request(2, "GET", "/interim", NULL, 0);
	request(3, "DELETE", "/nobody", NULL, 0);
	request(4, "GET", "/missing", NULL, 0);
	run_loop(10);
	CHECK(res[0].status == 200 && strcmp(res[0].body, "{\"a\":1}") == 0);
	CHECK(res[1].status == 200 && strcmp(res[1].body, "[1,2,3]") == 0);
	CHECK(res[2].status == 429 && strcmp(res[2].body, "{\"error\":\"x\"}") == 0);
	printf("  204: status %d, %s\n", res[3].status, res[3].error);
	CHECK(res[3].status == 204 && res[3].body_len == 0);
	CHECK(res[4].status == 404);
	end();
}

/* ---- 4. a kept-alive connection closed under the next request: retried once ---- */

static struct reply stale_script(int conn, int nth, const char *req, size_t len)
{
	if (conn == 0 && nth == 1)
		return R(CLOSE, NULL, 0, 0); /* as a server whose idle timeout just passed */
	if (strstr(req, "/always-close"))
		return R(CLOSE, NULL, 0, 0);
	return echo_script(conn, nth, req, len);
}

static void test_stale_keep_alive(void)
{
	begin(stale_script);
	request(0, "POST", "/first", "{\"a\":1}", 0);
	run_loop(5);
	CHECK(res[0].status == 200);
	request(1, "POST", "/second", "{\"b\":2}", 0);
	run_loop(5);
	printf("  retried: status %d %s, %d connections, %d requests\n", res[1].status, res[1].error,
		S.accepted, S.requests);
	CHECK(res[1].status == 200 && strcmp(res[1].body, "{\"b\":2}") == 0);
	CHECK(S.accepted == 2);
	CHECK(S.requests == 3); /* the second one twice */
	/* a fresh connection closed without an answer is not retried */
	int before = S.requests;
	request(2, "GET", "/always-close", NULL, 0);
	run_loop(5);
	CHECK(res[2].status == 0 && strstr(res[2].error, "without a response"));
	CHECK(S.requests - before <= 2); /* once on the kept connection, at most once more */
	end();
}

/* ---- 5. failures: each a status 0 with a reason, none hangs ---- */

static struct reply bad_script(int conn, int nth, const char *req, size_t len)
{
	static char big[256];
	if (strstr(req, "/hang"))
		return R(HANG, NULL, 0, 0);
	if (strstr(req, "/truncated"))
		return R(SEND, OK_JSON("10\r\n\r\n{\"a\""), 1, 0);
	if (strstr(req, "/garbage"))
		return R(SEND, "SSH-2.0-OpenSSH_9.2\r\n", 1, 0);
	if (strstr(req, "/huge")) {
		snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
			NET_HTTP_MAX_BODY + 1);
		return R(SEND, big, 0, 0);
	}
	return R(SEND, OK_JSON("2\r\n\r\n{}"), 0, 0);
}

static void test_failures(void)
{
	begin(bad_script);
	request(0, "GET", "/hang", NULL, 400);
	request(1, "GET", "/truncated", NULL, 0);
	request(2, "GET", "/garbage", NULL, 0);
	request(3, "GET", "/huge", NULL, 0);
	int64_t t0 = now_ms();
	run_loop(10);
	for (int i = 0; i < 4; i++)
		printf("  failure %d: %s\n", i, res[i].error);
	CHECK(res[0].status == 0 && strstr(res[0].error, "timed out after 400 milliseconds"));
	CHECK(now_ms() - t0 < 5000);
	CHECK(res[1].status == 0 && strstr(res[1].error, "middle of the response"));
	CHECK(res[2].status == 0 && strstr(res[2].error, "status line"));
	CHECK(res[3].status == 0 && strstr(res[3].error, "too large"));
	/* the client still works afterwards */
	request(4, "GET", "/fine", NULL, 0);
	run_loop(5);
	CHECK(res[4].status == 200);
	/* nothing listening */
	int port = S.port;
	end();
	H = net_http_new(loop, NULL);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
	struct net_http_opts o = { .url = url };
	memset(&res[5], 0, sizeof(res[5]));
	CHECK(net_http_request(H, &o, on_result, &res[5]));
	pending = 1;
	run_loop(5);
	printf("  refused: %s\n", res[5].error);
	CHECK(res[5].status == 0 && strstr(res[5].error, "Connection refused"));
	net_http_free(H);
	H = NULL;
}

/* ---- 6. a host name whose first address never answers: the next one is tried ---- */

static void test_address_fallback(void)
{
	/* localhost's addresses in the order the client will try them */
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fam[2] = { 0, 0 }, n = 0;
	if (getaddrinfo("localhost", "80", &hints, &ai) == 0) {
		for (struct addrinfo *a = ai; a && n < 2; a = a->ai_next)
			if (n == 0 || a->ai_family != fam[0])
				fam[n++] = a->ai_family;
		freeaddrinfo(ai);
	}
	if (n < 2) {
		printf("  skipped: localhost has one address family here\n");
		return;
	}
	/* the first: a listener whose backlog is full, so SYNs to it go unanswered */
	int dead = -1, filler = -1, port = -1;
	for (int tries = 0; tries < 20 && port < 0; tries++) {
		int p = listen_loopback(fam[0], 0, 0, &dead);
		if (p < 0)
			break;
		if (server_start_on(bad_script, fam[1], p) == 0)
			port = p;
		else
			close(dead);
	}
	if (port < 0) {
		printf("  skipped: no port free on both families\n");
		return;
	}
	filler = socket(fam[0], SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(dead, (struct sockaddr *)&ss, &len);
	connect(filler, (struct sockaddr *)&ss, len); /* takes the one queue slot */
	H = net_http_new(loop, NULL);
	pending = 0;
	char url[64];
	snprintf(url, sizeof(url), "http://localhost:%d/fine", port);
	struct net_http_opts o = { .url = url };
	memset(&res[0], 0, sizeof(res[0]));
	CHECK(net_http_request(H, &o, on_result, &res[0]));
	pending = 1;
	int64_t t0 = now_ms();
	run_loop(8);
	int64_t took = now_ms() - t0;
	printf("  answered by the second address after %lld ms: %d %s\n", (long long)took,
		res[0].status, res[0].error);
	CHECK(res[0].status == 200);
	CHECK(took >= 900 && took < 5000);
	net_http_free(H);
	H = NULL;
	close(filler);
	close(dead);
	server_stop();
}

/* ---- 7. options that would put bad bytes on the wire are refused ---- */

static void test_refused_options(void)
{
	H = net_http_new(loop, NULL);
	const char *bad_urls[] = { "http://127.0.0.1:1/a b", "http://127.0.0.1:1/a\r\nX: y",
		"ftp://127.0.0.1/x", "http:///x", "http://127.0.0.1:99999/x", "http://h/\x80", NULL };
	for (int i = 0; bad_urls[i]; i++) {
		struct net_http_opts o = { .url = bad_urls[i] };
		CHECK(!net_http_request(H, &o, on_result, NULL));
	}
	static const char *const crlf[] = { "X-A: b\r\nX-Injected: 1", NULL };
	static const char *const nocolon[] = { "X-A b", NULL };
	struct net_http_opts o = { .url = "http://127.0.0.1:1/x", .headers = crlf };
	CHECK(!net_http_request(H, &o, on_result, NULL));
	o.headers = nocolon;
	CHECK(!net_http_request(H, &o, on_result, NULL));
	o.headers = NULL;
	o.method = "get";
	CHECK(!net_http_request(H, &o, on_result, NULL));
	o.method = "GET /x HTTP/1.1\r\n";
	CHECK(!net_http_request(H, &o, on_result, NULL));
	CHECK(net_http_active(H) == 0);
	net_http_free(H);
	H = NULL;
}

/* ---- 8. cancel, free with requests in flight, free from a callback ---- */

static void free_in_cb(void *ud, const struct net_http_result *r)
{
	int *calls = ud;
	(*calls)++;
	net_http_free(H); /* the owner quits on its last answer */
	H = NULL;
	ev_break(loop, EVBREAK_ALL);
}

static void test_cancel_and_free(void)
{
	begin(bad_script);
	struct net_http_req *a = request(0, "GET", "/hang", NULL, 0);
	struct net_http_req *b = request(1, "GET", "/fine", NULL, 0);
	net_http_cancel(b); /* before it reached a connection */
	pending--;
	spin(0.3); /* a is connected and waiting now */
	CHECK(S.requests == 1);
	net_http_cancel(a);
	pending = 0;
	CHECK(!res[0].done && !res[1].done);
	CHECK(net_http_active(H) == 0);
	request(2, "GET", "/fine", NULL, 0);
	run_loop(5);
	CHECK(res[2].status == 200);
	/* freed with one connecting and one waiting: no callbacks, no leaks (ASan) */
	request(3, "GET", "/hang", NULL, 0);
	request(4, "GET", "/fine", NULL, 0);
	net_http_free(H);
	pending = 0;
	CHECK(!res[3].done && !res[4].done);
	/* freed from inside a callback while another request is in flight */
	H = net_http_new(loop, NULL);
	int calls = 0;
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/fine", S.port);
	struct net_http_opts o = { .url = url };
	net_http_request(H, &o, free_in_cb, &calls);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hang", S.port);
	net_http_request(H, &o, free_in_cb, &calls);
	ev_run(loop, 0);
	CHECK(calls == 1);
	CHECK(H == NULL);
	server_stop();
}

int main(void)
{
	loop = EV_DEFAULT;
	struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "keep-alive and request bytes", test_keep_alive },
		{ "30 parallel requests", test_parallel },
		{ "response framing", test_framing },
		{ "stale kept-alive connection", test_stale_keep_alive },
		{ "failures", test_failures },
		{ "address fallback", test_address_fallback },
		{ "refused options", test_refused_options },
		{ "cancel and free", test_cancel_and_free },
	};
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = failures;
		printf("# %s\n", tests[i].name);
		tests[i].fn();
		printf("%s - %s\n", failures == before ? "ok" : "not ok", tests[i].name);
	}
	ev_loop_destroy(loop);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
