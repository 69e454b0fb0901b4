/* The demo launcher: a moltchatsd child on 127.0.0.1 with an ephemeral port, in a temporary
 * directory that holds everything of the session (server database, the throw-away agent's
 * credentials, moltty's state). The child gets PR_SET_PDEATHSIG so a crash of moltty never
 * leaves it running, and its own process group so a Ctrl-C typed at the terminal reaches only
 * moltty, which then stops it in order. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "app.h"

#define DEMO_START_TIMEOUT_MS 10000
#define DEMO_STOP_GRACE_MS 3000

/* moltchatsd next to our own executable (the build tree and `make install` both put them
 * side by side), else whatever PATH finds. */
static char *find_server(void)
{
	const char *env = getenv("MOLTCHATSD");
	if (env && *env)
		return xstrdup(env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *p = fs_join(self, "moltchatsd");
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup("moltchatsd");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The last bytes of the child's stderr, to explain a failed start. */
static char *server_log_tail(const struct demo *d)
{
	size_t len = 0;
	char *all = fs_read_file(d->server_log, &len);
	if (!all || len == 0) {
		free(all);
		return xstrdup("(no output)");
	}
	size_t keep = len > 600 ? 600 : len;
	char *tail = xstrndup(all + len - keep, keep);
	free(all);
	return tail;
}

static pid_t spawn(const char *prog, int out_fd, int err_fd)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* child */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127); /* the parent died before prctl took effect */
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	char *argv[] = { (char *)prog, "--demo", "--listen", "127.0.0.1:0", NULL };
	execvp(prog, argv);
	fprintf(stderr, "moltty: cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

/* Read up to the first '\n' within the deadline. */
static char *read_first_line(int fd, int timeout_ms, int *timed_out)
{
	struct buf b = BUF_INIT;
	int64_t deadline = mono_ms() + timeout_ms;
	*timed_out = 0;
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			*timed_out = 1;
			break;
		}
		struct pollfd p = { fd, POLLIN, 0 };
		int rc = poll(&p, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			*timed_out = rc == 0;
			break;
		}
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF: the child exited */
		if (c == '\n')
			return buf_steal(&b);
		buf_putc(&b, c);
		if (b.len > 512)
			break;
	}
	buf_free(&b);
	return NULL;
}

static void on_child_output(struct ev_loop *loop, ev_io *w, int revents)
{
	struct demo *d = w->data;
	char chunk[4096];
	ssize_t n = read(d->out_fd, chunk, sizeof(chunk));
	if (n > 0)
		return; /* only the first line means anything; the rest is dropped */
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	ev_io_stop(loop, w);
}

static void on_child_exit(struct ev_loop *loop, ev_child *w, int revents)
{
	struct demo *d = w->data;
	ev_child_stop(loop, w);
	d->reaped = 1;
	d->status = w->rstatus;
	log_warn("demo server exited (wait status %d)", w->rstatus);
	if (d->on_exit)
		d->on_exit(d->ud, w->rstatus);
}

static void cleanup_failed(struct demo *d)
{
	demo_stop(d);
}

int demo_start(struct demo *d, struct ev_loop *loop, char **err)
{
	int out_pipe[2] = { -1, -1 };
	d->pid = 0;
	d->out_fd = -1;
	d->loop = loop;

	const char *tmp = getenv("TMPDIR");
	char *templ = xasprintf("%s/moltty-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(templ)) {
		*err = xasprintf("cannot create a temporary directory (%s): %s", templ,
			strerror(errno));
		free(templ);
		return -1;
	}
	d->tmpdir = templ;
	d->state_dir = fs_join(d->tmpdir, "state");
	d->cred_path = fs_join(d->tmpdir, "credentials.json");
	d->server_log = fs_join(d->tmpdir, "moltchatsd.log");
	char hex[9];
	random_hex(hex, 4);
	d->username = xasprintf("you_%s", hex);
	if (fs_mkdir_p(d->state_dir, 0700) != 0) {
		*err = xasprintf("cannot create %s: %s", d->state_dir, strerror(errno));
		cleanup_failed(d);
		return -1;
	}
	/* The server keeps its database under $HOME/$XDG_* when it needs one: keep it here. */
	setenv("XDG_STATE_HOME", d->state_dir, 1);
	setenv("XDG_DATA_HOME", d->tmpdir, 1);
	setenv("XDG_CONFIG_HOME", d->tmpdir, 1);

	int err_fd = open(d->server_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (err_fd < 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
		*err = xasprintf("cannot set up the demo server's output: %s", strerror(errno));
		if (err_fd >= 0)
			close(err_fd);
		cleanup_failed(d);
		return -1;
	}
	char *prog = find_server();
	d->pid = spawn(prog, out_pipe[1], err_fd);
	int spawn_errno = errno;
	close(out_pipe[1]);
	close(err_fd);
	d->out_fd = out_pipe[0];
	if (d->pid < 0) {
		d->pid = 0;
		*err = xasprintf("cannot start %s: %s", prog, strerror(spawn_errno));
		free(prog);
		cleanup_failed(d);
		return -1;
	}

	int timed_out;
	char *line = read_first_line(d->out_fd, DEMO_START_TIMEOUT_MS, &timed_out);
	if (!line || !str_starts_with(line, "http://127.0.0.1:")) {
		char *tail = server_log_tail(d);
		if (timed_out)
			*err = xasprintf("%s did not report its address within %d s; its output:\n%s",
				prog, DEMO_START_TIMEOUT_MS / 1000, tail);
		else if (line)
			*err = xasprintf("%s printed an unexpected first line; its output:\n%s",
				prog, tail);
		else
			*err = xasprintf("%s exited before listening; its output:\n%s", prog, tail);
		free(tail);
		free(line);
		free(prog);
		cleanup_failed(d);
		return -1;
	}
	free(prog);
	/* "http://127.0.0.1:PORT" possibly followed by a path or spaces: keep host and port. */
	const char *hostport = line + strlen("http://");
	size_t hp_len = strcspn(hostport, "/ \t\r");
	char *hp = xstrndup(hostport, hp_len);
	d->api_url = xasprintf("http://%s", hp);
	d->ws_url = xasprintf("ws://%s/ws", hp);
	free(hp);
	free(line);

	fcntl(d->out_fd, F_SETFL, fcntl(d->out_fd, F_GETFL) | O_NONBLOCK);
	ev_io_init(&d->out_w, on_child_output, d->out_fd, EV_READ);
	d->out_w.data = d;
	ev_io_start(loop, &d->out_w);
	ev_child_init(&d->child_w, on_child_exit, d->pid, 0);
	d->child_w.data = d;
	ev_child_start(loop, &d->child_w);
	return 0;
}

static int wait_exit(pid_t pid, int64_t timeout_ms, int *status)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		if (mono_ms() >= deadline)
			return 0;
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* The child leads its own process group: signal the group so helpers it started go too. */
static void signal_child(pid_t pid, int sig)
{
	if (kill(-pid, sig) != 0)
		kill(pid, sig);
}

void demo_stop(struct demo *d)
{
	if (d->loop) {
		ev_io_stop(d->loop, &d->out_w);
		ev_child_stop(d->loop, &d->child_w);
	}
	if (d->pid > 0 && !d->reaped) {
		int status = 0;
		signal_child(d->pid, SIGTERM);
		/* Shutdown only: a short bounded wait, then the hard way. */
		if (!wait_exit(d->pid, DEMO_STOP_GRACE_MS, &status)) {
			log_warn("demo server ignored SIGTERM; killing it");
			signal_child(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		}
		d->reaped = 1;
	}
	d->pid = 0;
	if (d->out_fd >= 0)
		close(d->out_fd);
	d->out_fd = -1;
	if (d->tmpdir)
		remove_tree(d->tmpdir);
	free(d->tmpdir);
	free(d->api_url);
	free(d->ws_url);
	free(d->state_dir);
	free(d->cred_path);
	free(d->username);
	free(d->server_log);
	d->tmpdir = d->api_url = d->ws_url = d->state_dir = d->cred_path = NULL;
	d->username = d->server_log = NULL;
}
