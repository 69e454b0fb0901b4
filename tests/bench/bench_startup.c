/* Benchmark 4 (issue 7): start-up. The real `moltty --observer` binary is started on a 200x60
 * pseudo-terminal (TERM=xterm-256color) against a local `moltchatsd --demo` on 127.0.0.1; this
 * program plays the terminal (bench_vt) and times, from just before fork/exec:
 *   - the first painted screen: the status bar is on the screen;
 *   - a live channel: the status bar says "connected" in General/#general (the WebSocket is
 *     open; the client subscribes as it opens) and the log shows the channel's messages.
 * Every run gets a fresh HOME (nothing cached from the previous one but the OS's file cache);
 * medians over the runs. moltty and moltchatsd come from $MOLTTY / $MOLTCHATSD, else src/.
 *
 *   bench_startup [--quick | --smoke]
 */
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define ROWS 60
#define COLS 200
#define RUN_TIMEOUT_MS 10000

static regex_t message_line;

/* A chat message in the log pane: "│HH:MM name". */
static int log_has_message(const struct bench_vt *vt)
{
	char row[4096];
	for (int y = 0; y < vt->rows - 2; y++)
		if (regexec(&message_line, bench_vt_row(vt, y, row, sizeof(row)), 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static int status_live(const struct bench_vt *vt)
{
	char row[4096];
	int y = bench_vt_find(vt, vt->rows - 4, "General/#general");
	return y >= 0 && strstr(bench_vt_row(vt, y, row, sizeof(row)), " · connected · ");
}

struct run {
	double first_ms, live_ms;
};

/* A reference: exec of a program to its first byte on the pty (the machine's floor). */
static double first_byte_ms(char *const argv[])
{
	int master;
	int64_t t0 = bench_mono_ns();
	int pid = bench_pty_spawn(argv, ROWS, COLS, &master);
	if (pid < 0)
		return -1;
	double at = -1;
	char buf[4096];
	struct pollfd p = { master, POLLIN, 0 };
	if (poll(&p, 1, RUN_TIMEOUT_MS) == 1 && read(master, buf, sizeof(buf)) > 0)
		at = (double)(bench_mono_ns() - t0) / 1e6;
	while (read(master, buf, sizeof(buf)) > 0)
		;
	waitpid(pid, NULL, 0);
	close(master);
	return at;
}

static void reference(const char *what, char *const argv[], int runs)
{
	double v[64];
	int n = 0;
	for (int i = 0; i < runs && n < 64; i++) {
		double ms = first_byte_ms(argv);
		if (ms >= 0)
			v[n++] = ms;
	}
	if (n)
		bench_row("startup", bench_fmt("reference: exec of %s to its first byte, median of %d",
			what, n), bench_fmt("%.1f ms", bench_quantile(v, (size_t)n, 0.5)), NULL, NULL,
			"-");
}

static int one_run(const char *moltty, const char *api, int n, struct run *r)
{
	char home[256], log[300];
	snprintf(home, sizeof(home), "%s/run%d", bench_private_home(), n);
	mkdir(home, 0700);
	snprintf(log, sizeof(log), "%s/moltty.log", home);
	setenv("XDG_STATE_HOME", home, 1);
	char *argv[] = { (char *)moltty, "--observer", "--api", (char *)api, "--config",
		"/dev/null", "--log", log, NULL };
	struct bench_vt vt;
	bench_vt_init(&vt, ROWS, COLS);
	int master;
	int64_t t0 = bench_mono_ns();
	int pid = bench_pty_spawn(argv, ROWS, COLS, &master);
	if (pid < 0) {
		perror("forkpty");
		return -1;
	}
	r->first_ms = r->live_ms = -1;
	char buf[65536];
	while (r->live_ms < 0 && bench_mono_ns() - t0 < (int64_t)RUN_TIMEOUT_MS * 1000000) {
		struct pollfd p = { master, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t got = read(master, buf, sizeof(buf));
		if (got <= 0)
			break;
		double now = (double)(bench_mono_ns() - t0) / 1e6;
		bench_vt_feed(&vt, buf, (size_t)got);
		if (r->first_ms < 0 && bench_vt_find(&vt, vt.rows - 4, "[observer") >= 0)
			r->first_ms = now;
		if (r->first_ms >= 0 && status_live(&vt) && log_has_message(&vt))
			r->live_ms = now;
	}
	kill(pid, SIGTERM);
	/* keep reading until it has gone, so its last writes never block */
	while (1) {
		struct pollfd p = { master, POLLIN, 0 };
		if (poll(&p, 1, 2000) <= 0 || read(master, buf, sizeof(buf)) <= 0)
			break;
	}
	int status;
	waitpid(pid, &status, 0);
	close(master);
	if (r->live_ms < 0) {
		char row[4096];
		fprintf(stderr, "bench_startup: run %d: no live channel within %d ms; the screen:\n", n,
			RUN_TIMEOUT_MS);
		for (int y = 0; y < vt.rows; y++)
			fprintf(stderr, "  %s\n", bench_vt_row(&vt, y, row, sizeof(row)));
	}
	bench_vt_free(&vt);
	return r->live_ms < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse_opts(argc, argv, &o);
	int runs = o.smoke ? 2 : o.quick ? 7 : 21;
	bench_print_machine("bench_startup: moltty --observer on a 200x60 pty against moltchatsd --demo");
	if (regcomp(&message_line, "│[0-9]{2}:[0-9]{2} [^ -]", REG_EXTENDED | REG_NOSUB) != 0)
		return 1;
	bench_private_home();
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	const char *moltty = bench_program("MOLTTY", "src/moltty");
	const char *daemon = bench_program("MOLTCHATSD", "src/moltchatsd");

	char api[256];
	char *dargv[] = { (char *)daemon, "--quiet", "--demo", "--listen", "127.0.0.1:0", NULL };
	int dpid = bench_spawn_url(dargv, api, sizeof(api));
	if (dpid < 0)
		return 1;
	double first[64], live[64];
	int n = 0, failed = 0;
	for (int i = 0; i < runs && n < 64; i++) {
		struct run r;
		if (one_run(moltty, api, i, &r) != 0) {
			failed++;
			continue;
		}
		printf("# run %d: first paint %.1f ms, live channel %.1f ms\n", i, r.first_ms, r.live_ms);
		first[n] = r.first_ms;
		live[n++] = r.live_ms;
	}
	kill(dpid, SIGTERM);
	waitpid(dpid, NULL, 0);
	bench_private_home_remove();
	if (n == 0) {
		fprintf(stderr, "bench_startup: no run reached a live channel\n");
		return 1;
	}
	double f50 = bench_quantile(first, (size_t)n, 0.5), fmin = first[0], fmax = first[n - 1];
	double l50 = bench_quantile(live, (size_t)n, 0.5), lmin = live[0], lmax = live[n - 1];
	char *echo[] = { "/bin/echo", "x", NULL };
	char *version[] = { (char *)moltty, "--version", NULL };
	reference("/bin/echo", echo, runs);
	reference("`moltty --version` (loading its shared libraries)", version, runs);
	bench_row("startup", bench_fmt("exec to the first painted screen, median of %d", n),
		bench_fmt("%.1f ms (min %.1f, max %.1f)", f50, fmin, fmax), "<= 20 ms", NULL,
		bench_status_le(f50, 20));
	bench_row("startup", bench_fmt("exec to a live channel (loopback), median of %d", n),
		bench_fmt("%.1f ms (min %.1f, max %.1f)", l50, lmin, lmax), "<= 150 ms", NULL,
		bench_status_le(l50, 150));
	return failed ? 1 : 0;
}
