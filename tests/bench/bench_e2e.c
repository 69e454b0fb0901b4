/* Benchmark 2 (issue 7), the TUI-less path: message frames over a real loopback WebSocket from
 * flood_server (platform-shaped frames, as fast as the socket takes them) into
 *   a) the client core: an observer mc_client subscribed to 20 channels, storing into the model
 *      with the TUI's default scrollback cap (5000 per channel);
 *   b) `moltty tail --anon --json` (when that subcommand exists), output to /dev/null.
 * Reports messages/s, CPU µs per received message (client process only) and peak RSS.
 * Also benchmark 5 (idle) for the client core: see run_idle. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/model.h"
#include "bench_util.h"

#define N_CHANNELS 20

static char channel_ids[N_CHANNELS][37];

/* A helper program that prints one URL line (bench_util), or exit. */
static pid_t spawn_url(char *const argv[], char *url, size_t url_len)
{
	int pid = bench_spawn_url(argv, url, url_len);
	if (pid < 0)
		exit(1);
	return (pid_t)pid;
}

struct core_run {
	struct mdl_model *model;
	struct mdl_account *acct;
	long target;
	long got;
	int64_t first_ns, first_cpu, last_ns, last_cpu;
	int64_t deadline_ns;
	ev_timer poll;
};

static long received(struct core_run *r)
{
	long n = 0;
	struct mdl_server *s = r->acct->n_servers ? mdl_server_find(r->acct, "bench") : NULL;
	if (!s)
		return 0;
	for (size_t i = 0; i < s->n_channels; i++)
		n += s->channels[i]->unread; /* counts every live message, whatever the cap keeps */
	return n;
}

static void poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct core_run *r = t->data;
	long n = received(r);
	if (n && !r->first_ns) {
		r->first_ns = bench_mono_ns();
		r->first_cpu = bench_cpu_ns();
		r->got = n;
	}
	if (n >= r->target || bench_mono_ns() > r->deadline_ns) {
		r->last_ns = bench_mono_ns();
		r->last_cpu = bench_cpu_ns();
		r->got = n - r->got; /* messages counted between the two clock readings */
		ev_break(loop, EVBREAK_ALL);
	}
}

/* a) the client core in this process */
/* The flood source's two ways of sending: one write per frame, or frames gathered into 16 KiB
 * writes (as moltchatsd's fan-out does, and a Node server's socket under load). The
 * receiver's kernel work per message depends on it. */
static const char *const send_mode[2] = { "1 frame/write", "16 KiB writes" };

/* One run's figures. CPU per message varies by ±20% from run to run on this VM (where the
 * kernel's per-segment work lands): `make bench` takes the median of E2E_RUNS. */
struct e2e_fig {
	double rate, us;
	long peak_kb;
	int ok;
};
#define E2E_RUNS 5

static int by_us(const void *a, const void *b)
{
	double x = ((const struct e2e_fig *)a)->us, y = ((const struct e2e_fig *)b)->us;
	return (x > y) - (x < y);
}

static struct e2e_fig median_fig(struct e2e_fig *f, int n)
{
	qsort(f, (size_t)n, sizeof(*f), by_us);
	return f[n / 2];
}

static struct e2e_fig run_core(const char *flood_bin, long n, int smoke, int gather)
{
	char url[256], count[32], ws[300];
	snprintf(count, sizeof(count), "%ld", n);
	char *const argv[] = { (char *)flood_bin, "--count", count, "--gather", gather ? "1" : "0", NULL };
	pid_t flood = spawn_url(argv, url, sizeof(url));
	snprintf(ws, sizeof(ws), "%s/ws", url);
	char api[300];
	snprintf(api, sizeof(api), "http%s", url + 2); /* REST gets 404s: channels are preset */

	char state[] = "/tmp/bench-e2e-XXXXXX";
	if (!mkdtemp(state))
		abort();
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct core_run r;
	memset(&r, 0, sizeof(r));
	r.model = mdl_model_new();
	r.model->max_msgs_per_channel = 5000;
	r.acct = mdl_account_add(r.model, "observer", 1);
	struct mdl_server *s = mdl_server_upsert(r.acct, "bench", "Bench");
	for (int i = 0; i < N_CHANNELS; i++)
		mdl_channel_set(mdl_channel_upsert(s, channel_ids[i]), bench_fmt("c%d", i), NULL,
			"text", NULL, i);
	struct mc_endpoints ep;
	char *err = NULL;
	if (mc_endpoints_init(&ep, api, ws, &err) != 0) {
		fprintf(stderr, "bench_e2e: %s\n", err);
		exit(1);
	}
	struct mc_net *net = mc_net_new(loop, NULL);
	struct mc_client *c = mc_client_new(net, r.acct, &ep, NULL, state);
	mc_client_start(c);
	for (int i = 0; i < N_CHANNELS; i++)
		mc_client_open_channel(c, channel_ids[i]);
	r.target = n;
	r.deadline_ns = bench_mono_ns() + (smoke ? 10 : 60) * 1000000000LL;
	ev_timer_init(&r.poll, poll_cb, 0.002, 0.002);
	r.poll.data = &r;
	ev_timer_start(loop, &r.poll);
	ev_run(loop, 0);
	ev_timer_stop(loop, &r.poll);

	double secs = (double)(r.last_ns - r.first_ns) / 1e9;
	double us = r.got ? (double)(r.last_cpu - r.first_cpu) / 1000.0 / (double)r.got : 0;
	double rate = secs > 0 ? (double)r.got / secs : 0;
	int64_t peak = bench_peak_rss_kb();
	printf("# core (%s): %ld messages in %.3f s: %.0f msg/s, %.2f µs CPU/msg, peak RSS %lld kB\n",
		send_mode[gather], r.got, secs, rate, us, (long long)peak);
	struct e2e_fig fig = { rate, us, (long)peak, r.got > 0 };

	mc_client_free(c);
	mc_net_free(net);
	mc_endpoints_free(&ep);
	mdl_model_free(r.model);
	ev_loop_destroy(loop);
	kill(flood, SIGTERM);
	waitpid(flood, NULL, 0);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_e2e: could not remove %s\n", state);
	return fig;
}

static void report_core(int gather, struct e2e_fig f, int runs, int smoke)
{
	const char *of = runs > 1 ? bench_fmt(" (median of %d)", runs) : "";
	bench_row("e2e", bench_fmt("client core (%s): msgs/s over loopback", send_mode[gather]),
		bench_fmt("%.0f", f.rate), "-", "135,000 (Node SDK); 480,000 (cJSON C)", "-");
	bench_row("e2e", bench_fmt("client core (%s): CPU per msg%s", send_mode[gather], of),
		bench_fmt("%.2f µs", f.us), "<= 2.5 µs",
		"7 µs (Node SDK); 1.9 µs (cJSON C)", f.ok && !smoke ? bench_status_le(f.us, 2.5) : "n/a");
	bench_row("e2e", "client core: peak RSS (cap 5000/chan x20)",
		bench_fmt("%.1f MB", f.peak_kb / 1024.0), "-", "171 MB @100k (Node SDK); 4 MB (cJSON C)",
		"-");
}

/* A "Key:   123 kB" line of /proc/PID/status, in kB (0 when missing). */
static long status_kb(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long kb = 0;
	size_t kl = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl))
			kb = atol(line + kl);
	if (f)
		fclose(f);
	return kb;
}

static int child_execed(pid_t pid, const char *comm)
{
	char path[64], name[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
	}
	return !strncmp(name, comm, strlen(comm));
}

/* b) moltty tail --anon --json, a separate process: its own rusage */
static struct e2e_fig run_tail(const char *moltty, const char *flood_bin, long n, int smoke,
	int gather)
{
	char url[256], count[32], ws[300], api[300];
	snprintf(count, sizeof(count), "%ld", n);
	char *const fargv[] = { (char *)flood_bin, "--count", count, "--gather", gather ? "1" : "0", NULL };
	pid_t flood = spawn_url(fargv, url, sizeof(url));
	snprintf(ws, sizeof(ws), "%s/ws", url);
	snprintf(api, sizeof(api), "http%s", url + 2);
	char state[] = "/tmp/bench-tail-XXXXXX";
	if (!mkdtemp(state))
		abort();

	char *argv[8 + N_CHANNELS];
	int k = 0;
	argv[k++] = (char *)moltty;
	argv[k++] = "tail";
	argv[k++] = "--anon";
	argv[k++] = "--json";
	argv[k++] = "--count";
	argv[k++] = count;
	for (int i = 0; i < N_CHANNELS; i++)
		argv[k++] = channel_ids[i];
	argv[k] = NULL;
	int64_t t0 = bench_mono_ns();
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		setenv("MOLTCHATS_API_BASE", api, 1);
		setenv("MOLTCHATS_WS_BASE", ws, 1);
		setenv("XDG_STATE_HOME", state, 1);
		setenv("HOME", state, 1);
		execv(moltty, argv);
		_exit(127);
	}
	/* ru_maxrss of a child counts the memory it had before exec, i.e. this (big) process:
	 * sample the child's own VmHWM while it runs instead */
	int status = 0;
	struct rusage ru;
	long hwm_kb = 0;
	char status_path[64];
	snprintf(status_path, sizeof(status_path), "/proc/%d/status", (int)pid);
	while (wait4(pid, &status, WNOHANG, &ru) == 0) {
		/* before exec the child is still a copy of this process */
		long kb = child_execed(pid, "moltty") ? status_kb(status_path, "VmHWM:") : 0;
		if (kb > hwm_kb)
			hwm_kb = kb;
		usleep(10000);
	}
	double secs = (double)(bench_mono_ns() - t0) / 1e9;
	double cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("# tail (%s): exit %d, %ld messages in %.3f s (incl. start-up): %.0f msg/s, %.2f µs CPU/msg, "
	       "peak RSS %ld kB\n", send_mode[gather], WIFEXITED(status) ? WEXITSTATUS(status) : -1, n, secs,
		(double)n / secs, cpu_us / (double)n, hwm_kb);
	struct e2e_fig fig = { (double)n / secs, cpu_us / (double)n, hwm_kb, ok };
	kill(flood, SIGTERM);
	waitpid(flood, NULL, 0);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_e2e: could not remove %s\n", state);
	return fig;
}

/* Benchmark 5: the client core idle with 20 subscribed quiet channels (flood_server sends
 * nothing after `subscribed`). Wakeups = this process's context switches (each return from
 * epoll_wait is one), CPU from the clock; over `secs` seconds after a 1 s settle. */
static void idle_stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* after every return from the poll: one loop wakeup */
static void idle_count_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	(*(long *)w->data)++;
}

static void run_idle(const char *flood_bin, double secs)
{
	char url[256], ws[300], api[300];
	char *const argv[] = { (char *)flood_bin, "--count", "0", NULL };
	pid_t flood = spawn_url(argv, url, sizeof(url));
	snprintf(ws, sizeof(ws), "%s/ws", url);
	snprintf(api, sizeof(api), "http%s", url + 2);
	char state[] = "/tmp/bench-idle-XXXXXX";
	if (!mkdtemp(state))
		abort();
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct mdl_model *m = mdl_model_new();
	struct mdl_account *a = mdl_account_add(m, "observer", 1);
	struct mdl_server *s = mdl_server_upsert(a, "bench", "Bench");
	for (int i = 0; i < N_CHANNELS; i++)
		mdl_channel_upsert(s, channel_ids[i]);
	struct mc_endpoints ep;
	char *err = NULL;
	if (mc_endpoints_init(&ep, api, ws, &err) != 0)
		exit(1);
	struct mc_net *net = mc_net_new(loop, NULL);
	struct mc_client *c = mc_client_new(net, a, &ep, NULL, state);
	mc_client_start(c);
	for (int i = 0; i < N_CHANNELS; i++)
		mc_client_open_channel(c, channel_ids[i]);
	/* settle (connect, subscribe, the failed REST loads), then measure; a timer ends each
	 * phase (a loop that sleeps for 30 s would otherwise overrun it), and its own wakeup is
	 * not counted */
	ev_timer stop;
	ev_timer_init(&stop, idle_stop_cb, 1., 0.);
	ev_timer_start(loop, &stop);
	ev_run(loop, 0);
	int64_t v0, n0, v1, n1;
	bench_pid_ctxsw(getpid(), &v0, &n0);
	int64_t cpu0 = bench_cpu_ns(), t0 = bench_mono_ns();
	long turns = -1;
	ev_check count;
	ev_check_init(&count, idle_count_cb);
	count.data = &turns;
	ev_check_start(loop, &count);
	ev_timer_set(&stop, secs, 0.);
	ev_timer_start(loop, &stop);
	ev_run(loop, 0);
	ev_check_stop(loop, &count);
	bench_pid_ctxsw(getpid(), &v1, &n1);
	double el = (double)(bench_mono_ns() - t0) / 1e9;
	double wps = (double)turns / el, cpu_pct = (double)(bench_cpu_ns() - cpu0) / 1e7 / el;
	int64_t rss = bench_rss_kb();
	size_t subscribed = 0;
	for (size_t i = 0; i < s->n_channels; i++)
		subscribed += s->channels[i]->subscribed != 0;
	printf("# idle %.0f s, %zu channels subscribed: %ld loop wakeups (%.2f/s), %lld voluntary + "
	       "%lld involuntary context switches, CPU %.3f%%, RSS %lld kB\n", el, subscribed, turns,
		wps, (long long)(v1 - v0), (long long)(n1 - n0), cpu_pct, (long long)rss);
	bench_row("idle", bench_fmt("client core: wakeups/s (%zu channels, %.0f s)", subscribed, el),
		bench_fmt("%.2f", wps), "<= 2", "-", bench_status_le(wps, 2));
	bench_row("idle", "client core: CPU", bench_fmt("%.3f%%", cpu_pct), "-", "-", "-");
	bench_row("idle", "client core: RSS", bench_fmt("%.1f MB", rss / 1024.0), "<= 10 MB",
		"374 MB PSS (headless browser, blank page)", bench_status_le(rss / 1024.0, 10));
	mc_client_free(c);
	mc_net_free(net);
	mc_endpoints_free(&ep);
	mdl_model_free(m);
	ev_loop_destroy(loop);
	kill(flood, SIGTERM);
	waitpid(flood, NULL, 0);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_e2e: could not remove %s\n", state);
}

static void report_tail(int gather, struct e2e_fig f, int runs, int smoke)
{
	if (!f.ok) {
		bench_row("e2e", "moltty tail --json", "did not finish", "<= 2.5 µs", "-", "n/a");
		return;
	}
	const char *of = runs > 1 ? bench_fmt(" (median of %d)", runs) : "";
	bench_row("e2e", bench_fmt("moltty tail --json (%s): msgs/s (incl. start)", send_mode[gather]),
		bench_fmt("%.0f", f.rate), "-", "135,000 (Node SDK)", "-");
	bench_row("e2e", bench_fmt("moltty tail --json (%s): CPU per msg%s", send_mode[gather], of),
		bench_fmt("%.2f µs", f.us), "<= 2.5 µs", "7 µs (Node SDK)",
		smoke ? "n/a" : bench_status_le(f.us, 2.5));
	bench_row("e2e", bench_fmt("moltty tail --json (%s): peak RSS", send_mode[gather]),
		bench_fmt("%.1f MB", f.peak_kb / 1024.0), "-", "-", "-");
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse_opts(argc, argv, &o);
	bench_print_machine("bench_e2e: flood over loopback WebSocket into the client");
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < N_CHANNELS; i++)
		bench_uuid(700000 + (uint64_t)i, channel_ids[i]);
	/* the helper programs sit next to this one; moltty in src/ of the build tree */
	char self[1024], dir[1024], flood[1100], moltty[1100];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (l <= 0)
		return 1;
	self[l] = '\0';
	snprintf(dir, sizeof(dir), "%s", self);
	*strrchr(dir, '/') = '\0';
	snprintf(flood, sizeof(flood), "%s/flood_server", dir);
	snprintf(moltty, sizeof(moltty), "%s/../../src/moltty", dir);
	if (getenv("MOLTTY"))
		snprintf(moltty, sizeof(moltty), "%s", getenv("MOLTTY"));

	if (getenv("BENCH_IDLE_ONLY")) {
		run_idle(flood, atof(getenv("BENCH_IDLE_ONLY")));
		return 0;
	}
	long n = o.smoke ? 2000 : o.quick ? 200000 : 1000000;
	if (getenv("BENCH_E2E_N")) /* for profiling runs */
		n = atol(getenv("BENCH_E2E_N"));
	if (getenv("BENCH_E2E_CORE_ONLY")) {
		/* for before/after comparisons of the client core: one flood (gathered, unless
		 * BENCH_E2E_GATHER=0), run BENCH_E2E_CORE_ONLY times (each prints its own line) */
		int gather = getenv("BENCH_E2E_GATHER") ? atoi(getenv("BENCH_E2E_GATHER")) != 0 : 1;
		for (int i = atoi(getenv("BENCH_E2E_CORE_ONLY")); i > 0; i--)
			run_core(flood, n, o.smoke, gather);
		return 0;
	}
	run_idle(flood, o.smoke ? 1 : o.quick ? 10 : 60); /* first: a fresh, small process */
	int runs = o.smoke || o.quick ? 1 : E2E_RUNS;
	struct e2e_fig f[E2E_RUNS];
	for (int gather = 0; gather < 2; gather++) {
		for (int i = 0; i < runs; i++)
			f[i] = run_core(flood, n, o.smoke, gather);
		report_core(gather, median_fig(f, runs), runs, o.smoke);
	}
	if (access(moltty, X_OK) == 0) {
		for (int gather = 0; gather < 2; gather++) {
			int finished = 1;
			for (int i = 0; i < runs; i++) {
				f[i] = run_tail(moltty, flood, n, o.smoke, gather);
				finished &= f[i].ok;
			}
			struct e2e_fig m = median_fig(f, runs);
			m.ok = finished;
			report_tail(gather, m, runs, o.smoke);
		}
	} else {
		bench_row("e2e", "moltty tail --json", "not built", "<= 2.5 µs", "-", "n/a");
	}
	return 0;
}
