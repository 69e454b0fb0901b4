/* Integration harness: child server, temp dir, step runner with deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client_harness.h"

static pid_t child = -1;
static char tmpdir[256];

int it_server_start(const char *const *args, char *base, size_t n)
{
	const char *bin = getenv("MOLTCHATSD");
	if (!bin || !*bin) {
		fprintf(stderr, "MOLTCHATSD not set: skipping\n");
		return 77;
	}
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		size_t na = 0;
		while (args[na])
			na++;
		const char **argv = calloc(na + 2, sizeof(char *));
		argv[0] = bin;
		for (size_t i = 0; i < na; i++)
			argv[i + 1] = args[i];
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	base[0] = '\0';
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		if (poll(&p, 1, 10000) <= 0)
			break;
		char ch;
		ssize_t r = read(fds[0], &ch, 1);
		if (r <= 0 || ch == '\n')
			break;
		if (len + 1 < n) {
			base[len++] = ch;
			base[len] = '\0';
		}
	}
	close(fds[0]);
	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
		fprintf(stderr, "moltchatsd did not print its URL (got '%s')\n", base);
		it_server_stop();
		return -1;
	}
	return 0;
}

void it_server_stop(void)
{
	if (child <= 0)
		return;
	kill(child, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(child, NULL, WNOHANG) == child) {
			child = -1;
			return;
		}
		usleep(20000);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	child = -1;
}

const char *it_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/moltty-it.XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

void it_tmp_remove(void)
{
	if (tmpdir[0] && !getenv("IT_KEEP_TMP"))
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- runner ---- */

static const struct it_step *steps;
static size_t n_steps, cur;
static double step_started;
static int failed;
static void (*cleanup_fn)(void);
static ev_timer poll_timer, stop_timer;
static struct ev_loop *run_loop;

int it_failed(void)
{
	return failed;
}

void it_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FAIL [%s]: ", cur < n_steps ? steps[cur].name : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = 1;
}

static void stop_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	if (cleanup_fn)
		cleanup_fn();
	ev_break(loop, EVBREAK_ALL);
}

static void finish(void)
{
	ev_timer_stop(run_loop, &poll_timer);
	ev_timer_init(&stop_timer, stop_cb, 0., 0.);
	ev_timer_start(run_loop, &stop_timer);
}

static void begin_step(void)
{
	step_started = ev_now(run_loop);
	printf("step: %s\n", steps[cur].name);
	fflush(stdout);
	if (steps[cur].start)
		steps[cur].start();
}

static void poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	while (!failed && cur < n_steps) {
		if (!steps[cur].done()) {
			if (failed)
				break;
			double limit = steps[cur].deadline_s > 0 ? steps[cur].deadline_s : 20.;
			if (ev_now(loop) - step_started > limit)
				it_fail("timed out after %.0f s", limit);
			break;
		}
		printf("  ok (%.2f s)\n", ev_now(loop) - step_started);
		cur++;
		if (cur < n_steps)
			begin_step();
	}
	if (failed || cur >= n_steps)
		finish();
}

int it_run(struct ev_loop *loop, const struct it_step *s, size_t n, void (*cleanup)(void))
{
	run_loop = loop;
	steps = s;
	n_steps = n;
	cur = 0;
	cleanup_fn = cleanup;
	ev_timer_init(&poll_timer, poll_cb, 0.02, 0.02);
	ev_timer_start(loop, &poll_timer);
	begin_step();
	ev_run(loop, 0);
	return failed || cur < n_steps ? 1 : 0;
}
