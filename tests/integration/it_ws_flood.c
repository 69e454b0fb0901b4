/* The WebSocket client (src/net/ws.c) under a flood, over a real loopback socket from
 * tests/bench/flood_server: every frame arrives once, whole and in order, whether the source
 * writes one frame per write, gathers frames into 16 KiB writes, or paces them (20,000/s in
 * 1 ms ticks: the client then pauses and resumes reading every millisecond, the receive
 * moderation's busiest case). Wakeups per frame are printed, not checked (they depend on
 * the machine's speed). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <ev.h>

#include "moltty/base.h"
#include "moltty/net.h"
#include "bench_util.h"

static int failures;
#define CHECK(cond, ...)                                  \
	do {                                              \
		printf((cond) ? "ok - " : "not ok - ");   \
		printf(__VA_ARGS__);                      \
		printf("\n");                             \
		fflush(stdout);                           \
		if (!(cond))                              \
			failures++;                       \
	} while (0)

struct run {
	struct ev_loop *loop;
	struct net_ws *ws;
	long want, got, bad_order, bad_frame;
	int open, closed;
};

static void on_open(void *ud)
{
	struct run *r = ud;
	r->open = 1;
	static const char sub[] = "{\"op\":\"subscribe\",\"channels\":["
		"\"00000000-0000-4000-8000-000000000001\",\"00000000-0000-4000-8000-000000000002\","
		"\"00000000-0000-4000-8000-000000000003\"]}";
	net_ws_send(r->ws, sub, strlen(sub));
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct run *r = ud;
	if (!strstr(text, "\"op\":\"message\""))
		return;
	/* the source numbers its frames: id = bench_uuid(1000000 + n), n from 0 */
	char want[40], got[37] = "";
	bench_uuid((uint64_t)(1000000 + r->got), want);
	/* the message's own id is the last "id" key (the author's comes first) */
	const char *id = NULL;
	for (const char *p = strstr(text, "\"id\":\""); p; p = strstr(p + 1, "\"id\":\""))
		id = p;
	if (id && strlen(id + 6) >= 36)
		memcpy(got, id + 6, 36);
	if (strcmp(got, want) != 0 && r->bad_order++ == 0)
		printf("# frame %ld: id %s, expected %s\n", r->got, got, want);
	if (len < 100 || text[0] != '{' || text[len - 1] != '}' || strlen(text) != len)
		r->bad_frame++;
	if (++r->got == r->want)
		ev_break(r->loop, EVBREAK_ALL);
}

static void on_close(void *ud, int code, const char *reason)
{
	struct run *r = ud;
	r->closed = 1;
	r->ws = NULL;
	ev_break(r->loop, EVBREAK_ALL);
}

static void on_error(void *ud, const char *reason)
{
	fprintf(stderr, "it_ws_flood: %s\n", reason);
	on_close(ud, 0, reason);
}

static void guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static long voluntary_switches(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw;
}

static void flood(const char *flood_bin, const char *label, char *const extra[], long n)
{
	char count[24];
	snprintf(count, sizeof(count), "%ld", n);
	char *argv[12] = { (char *)flood_bin, "--count", count };
	int k = 3;
	for (int i = 0; extra[i] && k < 11; i++)
		argv[k++] = extra[i];
	argv[k] = NULL;
	char url[256];
	int pid = bench_spawn_url(argv, url, sizeof(url));
	if (pid < 0) {
		CHECK(0, "%s: flood_server started", label);
		return;
	}
	struct run r = { .loop = ev_loop_new(EVFLAG_AUTO), .want = n };
	struct net_ws_ctx *x = net_ws_ctx_new(r.loop, NULL);
	static const struct net_ws_handlers h = { on_open, on_text, on_close, on_error };
	strncat(url, "/ws", sizeof(url) - strlen(url) - 1);
	r.ws = net_ws_open(x, url, &h, &r);
	ev_timer guard;
	ev_timer_init(&guard, guard_cb, 60., 0.);
	ev_timer_start(r.loop, &guard);
	long sw0 = voluntary_switches();
	ev_run(r.loop, 0);
	long sw = voluntary_switches() - sw0;
	ev_timer_stop(r.loop, &guard);
	printf("# %s: %ld of %ld frames, %.3f wakeups per frame\n", label, r.got, n,
		r.got ? (double)sw / (double)r.got : 0.);
	CHECK(r.open && r.got == n && !r.closed, "%s: %ld of %ld frames arrived", label, r.got, n);
	CHECK(r.bad_order == 0, "%s: in order, once each (%ld out of place)", label, r.bad_order);
	CHECK(r.bad_frame == 0, "%s: whole frames (%ld damaged)", label, r.bad_frame);
	if (r.ws)
		net_ws_close(r.ws, 1000, "done");
	net_ws_ctx_free(x);
	ev_loop_destroy(r.loop);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const char *flood_bin = bench_program("FLOOD_SERVER", "tests/bench/flood_server");
	char *one[] = { NULL };
	char *gather[] = { "--gather", "1", NULL };
	char *paced[] = { "--rate", "20000", "--tick", "1", NULL };
	flood(flood_bin, "one frame per write", one, 50000);
	flood(flood_bin, "16 KiB writes", gather, 50000);
	flood(flood_bin, "paced 20,000/s", paced, 20000);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
