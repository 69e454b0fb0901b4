/* One run of the bot command: /bin/sh -c CMD in its own process group, the input written to
 * its stdin without blocking the loop (a bot that never reads cannot stall the bridge), its
 * stdout collected (capped), its exit status awaited with ev_child. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "connect.h"

#define OUT_MAX (1u << 20)
#define KILL_GRACE_S 5.

struct exec_run {
	struct ev_loop *loop;
	pid_t pid;
	int in_fd, out_fd;
	char *input;
	size_t in_len, in_off;
	struct buf out;
	int exited, status, eof, killed;
	ev_io in_w, out_w;
	ev_child child_w;
	ev_timer timeout_w;
	double timeout_s;
	bot_reply_cb cb;
	void *ud;
};

static void run_free(struct exec_run *r)
{
	ev_io_stop(r->loop, &r->in_w);
	ev_io_stop(r->loop, &r->out_w);
	ev_child_stop(r->loop, &r->child_w);
	ev_timer_stop(r->loop, &r->timeout_w);
	if (r->in_fd >= 0)
		close(r->in_fd);
	if (r->out_fd >= 0)
		close(r->out_fd);
	free(r->input);
	buf_free(&r->out);
	free(r);
}

static void maybe_finish(struct exec_run *r)
{
	if (!r->exited || !r->eof)
		return;
	int ok = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0 && !r->killed;
	if (!ok) {
		if (r->killed)
			log_warn("exec: the bot took longer than %.0f s and was killed", r->timeout_s);
		else if (WIFEXITED(r->status))
			log_warn("exec: the bot exited with status %d", WEXITSTATUS(r->status));
		else
			log_warn("exec: the bot died from signal %d", WTERMSIG(r->status));
	}
	bot_reply_cb cb = r->cb;
	void *ud = r->ud;
	char *reply = ok ? buf_steal(&r->out) : NULL;
	run_free(r);
	cb(ud, ok, reply);
	free(reply);
}

static void in_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct exec_run *r = w->data;
	while (r->in_off < r->in_len) {
		ssize_t n = write(r->in_fd, r->input + r->in_off, r->in_len - r->in_off);
		if (n > 0) {
			r->in_off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break; /* EPIPE: the bot does not read its input; that is its business */
	}
	ev_io_stop(loop, w);
	close(r->in_fd);
	r->in_fd = -1;
}

/* Read what is there; at EOF close the pipe and set eof. */
static void drain(struct exec_run *r)
{
	char chunk[8192];
	for (;;) {
		ssize_t n = read(r->out_fd, chunk, sizeof(chunk));
		if (n > 0) {
			if (r->out.len + (size_t)n <= OUT_MAX)
				buf_append(&r->out, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break;
	}
	ev_io_stop(r->loop, &r->out_w);
	close(r->out_fd);
	r->out_fd = -1;
	r->eof = 1;
}

static void out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct exec_run *r = w->data;
	drain(r);
	if (r->eof)
		maybe_finish(r);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct exec_run *r = w->data;
	ev_child_stop(loop, w);
	r->exited = 1;
	r->status = w->rstatus;
	if (!r->eof)
		drain(r);
	if (!r->eof) {
		/* a grandchild keeps stdout open: don't wait for it once the bot is gone */
		ev_io_stop(loop, &r->out_w);
		close(r->out_fd);
		r->out_fd = -1;
		r->eof = 1;
	}
	maybe_finish(r);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct exec_run *r = w->data;
	if (r->exited)
		return;
	r->killed++;
	kill(-r->pid, r->killed == 1 ? SIGTERM : SIGKILL);
	ev_timer_set(w, KILL_GRACE_S, 0.);
	ev_timer_start(loop, w);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct exec_run *exec_start(struct ev_loop *loop, const char *cmd, const char *input,
	double timeout_s, bot_reply_cb cb, void *ud)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return NULL;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		return NULL;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		/* nothing of ours (sockets, log) leaks into the bot */
		long maxfd = sysconf(_SC_OPEN_MAX);
		for (long fd = 3; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 1024); fd++)
			close((int)fd);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	struct exec_run *r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->pid = pid;
	r->in_fd = in[1];
	r->out_fd = out[0];
	r->input = xstrdup(input ? input : "");
	r->in_len = strlen(r->input);
	r->timeout_s = timeout_s;
	r->cb = cb;
	r->ud = ud;
	set_nonblock(r->in_fd);
	set_nonblock(r->out_fd);
	ev_io_init(&r->in_w, in_cb, r->in_fd, EV_WRITE);
	ev_io_init(&r->out_w, out_cb, r->out_fd, EV_READ);
	ev_child_init(&r->child_w, child_cb, pid, 0);
	ev_timer_init(&r->timeout_w, timeout_cb, timeout_s, 0.);
	r->in_w.data = r->out_w.data = r->child_w.data = r->timeout_w.data = r;
	ev_io_start(loop, &r->in_w);
	ev_io_start(loop, &r->out_w);
	ev_child_start(loop, &r->child_w);
	ev_timer_start(loop, &r->timeout_w);
	return r;
}

void exec_cancel(struct exec_run *r)
{
	if (!r)
		return;
	if (!r->exited) {
		kill(-r->pid, SIGTERM);
		/* reap it so no zombie is left behind; the bot gets a moment to leave */
		for (int i = 0; i < 50; i++) {
			if (waitpid(r->pid, NULL, WNOHANG) == r->pid)
				goto done;
			usleep(20000);
		}
		kill(-r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
done:
	run_free(r);
}
