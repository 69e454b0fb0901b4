/* REST client cost: moltty's HTTP/1.1 client (src/net/http.c, net_http on libev) against
 * libcurl, the library it replaced, on the same requests to a local `moltchatsd --demo`:
 * GET /api/v1/observers/servers (the observer's first call, ~1 KB of JSON), one at a time on
 * a kept-alive connection and 8 at a time. Client CPU per request from this process's CPU
 * clock (the daemon is another process); the daemon's CPU is shown beside it.
 *   tests/bench/bench_rest [--quick|--smoke]   (MOLTCHATSD or src/moltchatsd) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <ev.h>

#include "moltty/net.h"
#include "bench_util.h"

static struct ev_loop *loop;
static struct net_http *http;
static const char *url;
static long started, done, total, failed;
static int window;

static void issue(void);

static void on_done(void *ud, const struct net_http_result *r)
{
	done++;
	if (r->status != 200 || r->body_len < 10)
		failed++;
	if (started < total)
		issue();
	else if (done == total)
		ev_break(loop, EVBREAK_ALL);
}

static void issue(void)
{
	struct net_http_opts o = { .url = url };
	static const char *const hdrs[] = { "Accept: application/json", NULL };
	o.headers = hdrs;
	started++;
	if (!net_http_request(http, &o, on_done, NULL)) {
		fprintf(stderr, "bench_rest: request refused\n");
		exit(1);
	}
}

struct figures {
	double per_s, cpu_us, daemon_us;
};

static struct figures ours(long n, int in_flight, int dpid)
{
	started = done = failed = 0;
	total = n;
	window = in_flight;
	int64_t c0 = bench_cpu_ns(), d0 = bench_pid_cpu_ns(dpid), t0 = bench_mono_ns();
	for (int i = 0; i < window && started < total; i++)
		issue();
	ev_run(loop, 0);
	int64_t t1 = bench_mono_ns(), c1 = bench_cpu_ns(), d1 = bench_pid_cpu_ns(dpid);
	if (failed)
		fprintf(stderr, "bench_rest: %ld of %ld requests failed\n", failed, n);
	return (struct figures){ n / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / n, (d1 - d0) / 1e3 / n };
}

static size_t sink(char *p, size_t size, size_t nmemb, void *ud)
{
	*(size_t *)ud += size * nmemb;
	return size * nmemb;
}

/* libcurl: one easy handle reused (kept alive), one request at a time */
static struct figures curl_seq(long n, int dpid)
{
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	size_t got = 0;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	long bad = 0;
	int64_t c0 = bench_cpu_ns(), d0 = bench_pid_cpu_ns(dpid), t0 = bench_mono_ns();
	for (long i = 0; i < n; i++) {
		long status = 0;
		if (curl_easy_perform(e) != CURLE_OK ||
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200)
			bad++;
	}
	int64_t t1 = bench_mono_ns(), c1 = bench_cpu_ns(), d1 = bench_pid_cpu_ns(dpid);
	if (bad)
		fprintf(stderr, "bench_rest: libcurl: %ld of %ld requests failed\n", bad, n);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return (struct figures){ n / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / n, (d1 - d0) / 1e3 / n };
}

static const char *fig(struct figures f)
{
	return bench_fmt("%.0f req/s, %.1f µs client CPU each (daemon %.1f µs)", f.per_s, f.cpu_us,
		f.daemon_us);
}

int main(int argc, char **argv)
{
	struct bench_opts opt;
	bench_parse_opts(argc, argv, &opt);
	bench_print_machine("bench_rest");
	long n = opt.smoke ? 200 : opt.quick ? 5000 : 20000;

	const char *daemon = bench_program("MOLTCHATSD", "src/moltchatsd");
	setenv("MOLTCHATSD_NO_RATE_LIMITS", "1", 1); /* the per-client REST limit would cap it */
	char base[256];
	char *dargv[] = { (char *)daemon, "--quiet", "--demo", "--listen", "127.0.0.1:0", NULL };
	int dpid = bench_spawn_url(dargv, base, sizeof(base));
	if (dpid < 0)
		return 1;
	char *u = NULL;
	if (asprintf(&u, "%s/api/v1/observers/servers", base) < 0)
		return 1;
	url = u;

	loop = ev_loop_new(EVFLAG_AUTO);
	http = net_http_new(loop, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ours(n / 10, 1, dpid); /* warm: the connection, the daemon's caches */
	curl_seq(n / 10, dpid);

	printf("# %ld requests each: GET %s\n", n, "/api/v1/observers/servers");
	struct figures a = ours(n, 1, dpid);
	struct figures b = curl_seq(n, dpid);
	struct figures c = ours(n, 8, dpid);
	bench_row("rest", "moltty HTTP client, one at a time, kept alive", fig(a), "-",
		bench_fmt("libcurl: %s", fig(b)), "-");
	bench_row("rest", "moltty HTTP client, 8 in flight", fig(c), "-", "-", "-");
	bench_row("rest", "client CPU per request, moltty / libcurl",
		bench_fmt("%.1f / %.1f µs", a.cpu_us, b.cpu_us), "-", "-", "-");

	net_http_free(http);
	ev_loop_destroy(loop);
	curl_global_cleanup();
	free(u);
	kill(dpid, SIGTERM);
	waitpid(dpid, NULL, 0);
	return 0;
}
