/* Benchmark 2, the TUI half (issue 7): keypress-to-screen latency while the TUI receives a
 * flood. The real `moltty --observer` runs on a 200x60 pseudo-terminal (TERM=xterm-256color):
 * its REST side is a `moltchatsd --demo` (servers and channels to open), its WebSocket is a
 * `flood_server --rate R --tick 1`, which floods every channel the client subscribes to with
 * platform-shaped messages at R per second (default 5,000). This program plays the terminal
 * (bench_vt), types a character at a time, as a person would (every 30-90 ms), and times
 * each from the write to the moment the character is on the screen's input line; Backspace
 * (untimed) clears it again. The characters are Greek letters, which nothing else on the
 * screen contains. Also: moltty's CPU and the terminal output per second during the flood,
 * and, over moltty's whole run (start-up included, a few tens of ms of CPU), its CPU per
 * received message and frames drawn per second, from the counts it logs at exit.
 *
 *   bench_tui [--quick | --smoke]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define ROWS 60
#define COLS 200
#define MAX_KEYS 1024

struct term {
	int master;
	struct bench_vt vt;
	long bytes;
};

/* Read whatever the program wrote within `ms` (0: only what is there). 0, or -1 at EOF. */
static int pump(struct term *tm, int ms)
{
	char buf[65536];
	struct pollfd p = { tm->master, POLLIN, 0 };
	int rc = poll(&p, 1, ms);
	if (rc <= 0)
		return 0;
	ssize_t n = read(tm->master, buf, sizeof(buf));
	if (n <= 0)
		return errno == EINTR ? 0 : -1;
	tm->bytes += n;
	bench_vt_feed(&tm->vt, buf, (size_t)n);
	return 0;
}

/* Keep reading until `ms` have passed. */
static void pump_for(struct term *tm, int ms)
{
	int64_t end = bench_mono_ns() + (int64_t)ms * 1000000;
	while (bench_mono_ns() < end) {
		int left = (int)((end - bench_mono_ns()) / 1000000);
		if (pump(tm, left > 0 ? left : 0) < 0)
			return;
	}
}

/* The input line: the bottom row. */
static int input_has(struct term *tm, const char *s)
{
	char row[4096];
	return strstr(bench_vt_row(&tm->vt, ROWS - 1, row, sizeof(row)), s) != NULL;
}

/* Read until cond(tm, s) == want or timeout; returns the time waited in ms, -1 on timeout. */
static double wait_screen(struct term *tm, const char *s, int want, int timeout_ms)
{
	int64_t t0 = bench_mono_ns(), end = t0 + (int64_t)timeout_ms * 1000000;
	while (input_has(tm, s) != want) {
		if (bench_mono_ns() > end || pump(tm, 5) < 0)
			return -1;
	}
	return (double)(bench_mono_ns() - t0) / 1e6;
}

/* The status bar's unread total (every live message of a channel not on screen counts). */
static long unread_total(struct term *tm)
{
	char row[4096];
	for (int y = ROWS - 3; y < ROWS; y++) {
		const char *p = strstr(bench_vt_row(&tm->vt, y, row, sizeof(row)), " unread");
		if (!p)
			continue;
		while (p > row && p[-1] >= '0' && p[-1] <= '9')
			p--;
		return atol(p);
	}
	return 0;
}

/* Counts moltty logs at exit: "tui: F frames drawn, H loop turns held for the frame cap" and
 * "wire: N entries" (every frame and REST exchange: in a flood nearly all are messages).
 * 0, or -1 when a line is missing. */
static int read_counts(const char *log, long *frames, long *held, long *wire)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return -1;
	char line[1024];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p;
		if ((p = strstr(line, "tui: ")) && sscanf(p, "tui: %ld frames drawn, %ld loop turns "
			"held for the frame cap", frames, held) == 2)
			found |= 1;
		if ((p = strstr(line, "wire: ")) && sscanf(p, "wire: %ld entries", wire) == 1)
			found |= 2;
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse_opts(argc, argv, &o);
	double rate = o.smoke ? 200 : 5000;
	int keys = o.smoke ? 5 : o.quick ? 100 : 400;
	bench_print_machine("bench_tui: keypress latency of moltty --observer on a 200x60 pty under a flood");
	bench_private_home();
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	const char *moltty = bench_program("MOLTTY", "src/moltty");
	const char *daemon = bench_program("MOLTCHATSD", "src/moltchatsd");
	const char *flood = bench_program("FLOOD_SERVER", "tests/bench/flood_server");

	char api[256], ws[256], rate_s[32], count_s[32], log[300];
	char *dargv[] = { (char *)daemon, "--quiet", "--demo", "--listen", "127.0.0.1:0", NULL };
	int dpid = bench_spawn_url(dargv, api, sizeof(api));
	snprintf(rate_s, sizeof(rate_s), "%.0f", rate);
	/* enough for the whole run, with room: it must not run dry before the last key */
	snprintf(count_s, sizeof(count_s), "%.0f", rate * (30 + keys * 0.2));
	char *fargv[] = { (char *)flood, "--rate", rate_s, "--count", count_s, "--tick", "1", NULL };
	int fpid = bench_spawn_url(fargv, ws, sizeof(ws));
	if (dpid < 0 || fpid < 0)
		return 1;
	snprintf(log, sizeof(log), "%s/moltty.log", bench_private_home());
	char *margv[] = { (char *)moltty, "--observer", "--api", api, "--ws", ws, "--config",
		"/dev/null", "--log", log, NULL };
	struct term tm = { 0 };
	bench_vt_init(&tm.vt, ROWS, COLS);
	int64_t spawn_ns = bench_mono_ns();
	int pid = bench_pty_spawn(margv, ROWS, COLS, &tm.master);
	int status = 0, measured = 0;
	int64_t run_cpu_ns = 0, run_ns = 0;

	/* Live: the flood's messages are on the screen. */
	int64_t t0 = bench_mono_ns();
	while (bench_vt_find(&tm.vt, 0, "bench_agent_") < 0) {
		if (bench_mono_ns() - t0 > 15000000000LL || pump(&tm, 50) < 0) {
			char row[4096];
			fprintf(stderr, "bench_tui: the flood never reached the screen:\n");
			for (int y = 0; y < ROWS; y++)
				fprintf(stderr, "  %s\n", bench_vt_row(&tm.vt, y, row, sizeof(row)));
			status = 1;
			goto out;
		}
	}
	pump_for(&tm, o.smoke ? 200 : 1000); /* the flood settles in */

	double lat[MAX_KEYS];
	int n = 0, timeouts = 0;
	uint64_t rng = 7;
	long bytes0 = tm.bytes, unread0 = unread_total(&tm);
	int64_t cpu0 = bench_pid_cpu_ns(pid), w0 = bench_mono_ns();
	for (int i = 0; i < keys && i < MAX_KEYS; i++) {
		/* α..ω without ς: U+03B1.. (2 bytes each) */
		unsigned cp = 0x3b1 + (unsigned)(i % 24);
		if (cp >= 0x3c2)
			cp++;
		char key[3] = { (char)(0xc0 | (cp >> 6)), (char)(0x80 | (cp & 0x3f)), 0 };
		pump(&tm, 0);
		int64_t k0 = bench_mono_ns();
		if (write(tm.master, key, 2) != 2)
			break;
		double ms = wait_screen(&tm, key, 1, 2000);
		if (ms < 0)
			timeouts++;
		lat[n++] = (double)(bench_mono_ns() - k0) / 1e6;
		if (write(tm.master, "\177", 1) != 1)
			break;
		wait_screen(&tm, key, 0, 2000);
		pump_for(&tm, 30 + (int)(bench_rand(&rng) % 61));
	}
	double secs = (double)(bench_mono_ns() - w0) / 1e9;
	double cpu = (double)(bench_pid_cpu_ns(pid) - cpu0) / 1e9;
	long out_bytes = tm.bytes - bytes0, unread = unread_total(&tm) - unread0;
	if (n == 0) {
		status = 1;
		goto out;
	}
	double p50 = bench_quantile(lat, (size_t)n, 0.5), p90 = bench_quantile(lat, (size_t)n, 0.9);
	double p99 = bench_quantile(lat, (size_t)n, 0.99), max = lat[n - 1];
	bench_row("tui", bench_fmt("keypress to screen at %.0f msg/s: p50 / p90 / p99 / max (%d keys%s)",
		rate, n, timeouts ? bench_fmt(", %d timed out", timeouts) : ""),
		bench_fmt("%.1f / %.1f / %.1f / %.1f ms", p50, p90, p99, max), "p99 < 50 ms", NULL,
		o.smoke ? "n/a" : p99 < 50 ? "MET" : "MISSED");
	bench_row("tui", bench_fmt("moltty CPU and terminal output during the flood (%.1f s)", secs),
		bench_fmt("%.0f%% of a core, %.0f kB/s to the terminal", 100 * cpu / secs,
			(double)out_bytes / secs / 1024), NULL, NULL, "-");
	bench_row("tui", "messages received per second in channels not on screen (unread total)",
		bench_fmt("%.0f/s", (double)unread / secs), NULL, NULL, "-");
	measured = 1;
out:
	run_cpu_ns = bench_pid_cpu_ns(pid);
	run_ns = bench_mono_ns() - spawn_ns;
	kill(pid, SIGTERM);
	pump_for(&tm, 300);
	for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		if (pump(&tm, 100) < 0)
			break;
	if (waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(tm.master);
	bench_vt_free(&tm.vt);
	long frames, held, msgs;
	if (measured && read_counts(log, &frames, &held, &msgs) != 0) {
		fprintf(stderr, "bench_tui: no \"tui: ... frames drawn\" or \"wire: N entries\" "
			"line in %s\n", log);
		status = 1;
	} else if (measured) {
		double run_s = (double)run_ns / 1e9;
		bench_row("tui", bench_fmt("moltty's whole run (%.1f s, start-up included; %ld frames "
			"on the wire, nearly all messages): CPU per received message", run_s, msgs),
			msgs > 0 ? bench_fmt("%.2f µs (%.0f%% of a core)", (double)run_cpu_ns / 1e3 / msgs,
				100 * (double)run_cpu_ns / 1e9 / run_s) : "n/a", NULL, NULL, "-");
		bench_row("tui", "frames drawn per second (loop turns with a frame held back per second)",
			bench_fmt("%.0f/s (%.0f/s)", frames / run_s, held / run_s), NULL, NULL, "-");
	}
	kill(fpid, SIGTERM);
	kill(dpid, SIGTERM);
	waitpid(fpid, NULL, 0);
	waitpid(dpid, NULL, 0);
	bench_private_home_remove();
	return status;
}
