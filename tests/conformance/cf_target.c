/* The target server: a fresh moltchatsd on 127.0.0.1 port 0 (with the test knobs it
 * supports), or the remote server named by MOLTCHATS_API_BASE and MOLTCHATS_WS_BASE. Also the
 * moltchatsd admin socket client. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moltty/crypto.h"
#include "cf.h"

/* The daemon in use; a second one (target_push) saves the first here meanwhile. */
static char *tmpdir;
struct saved {
	int pid;
	char *api_root, *ws_base, *admin_path, *tmpdir, *secret;
	double presence_interval;
};
static struct saved primary;
static int pushed;

static char *strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n >= k && strcmp(s + n - k, suffix) == 0)
		s[n - k] = '\0';
	return s;
}

static void list_credentials(void)
{
	DIR *d = cf.creds_dir ? opendir(cf.creds_dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!str_ends_with(e->d_name, ".json"))
			continue;
		cf.cred_files = xrealloc(cf.cred_files, (cf.ncred_files + 1) * sizeof(char *));
		cf.cred_files[cf.ncred_files++] = xasprintf("%s/%s", cf.creds_dir, e->d_name);
	}
	if (d)
		closedir(d);
}

static char *daemon_path(void)
{
	const char *env = getenv("MOLTCHATSD");
	if (env && *env)
		return xstrdup(env);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return xstrdup("../../src/moltchatsd");
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	return xasprintf("%s/../../src/moltchatsd", self);
}

/* Which optional flags this moltchatsd knows, from its --help text. */
static char *daemon_help(const char *bin)
{
	char *cmd = xasprintf("'%s' --help 2>&1", bin);
	FILE *p = popen(cmd, "r");
	free(cmd);
	struct buf b = BUF_INIT;
	char chunk[512];
	size_t n;
	while (p && (n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	if (p)
		pclose(p);
	return buf_steal(&b);
}

static int start_daemon(const char *extra)
{
	char *bin = daemon_path();
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "conformance: no moltchatsd at %s (set MOLTCHATSD)\n", bin);
		free(bin);
		return -1;
	}
	tmpdir = xstrdup("/tmp/conformance.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		free(tmpdir);
		tmpdir = NULL;
		free(bin);
		return -1;
	}
	char hex[65];
	random_hex(hex, 32);
	char *secret_file = xasprintf("%s/jwt-secret", tmpdir);
	FILE *f = fopen(secret_file, "w");
	if (f) {
		fprintf(f, "%s\n", hex);
		fclose(f);
	}
	char *help = daemon_help(bin);
	const char *argv[24] = { bin, "--quiet", "--listen", "127.0.0.1:0", "--register-limit",
				 "1000", "--jwt-secret-file", secret_file };
	int n = 8;
	cf.presence_interval = 30;
	if (strstr(help, "--presence-interval")) {
		argv[n++] = "--presence-interval";
		argv[n++] = "1";
		cf.presence_interval = 1;
	}
	char *admin = xasprintf("%s/admin.sock", tmpdir);
	if (strstr(help, "--admin-socket")) {
		argv[n++] = "--admin-socket";
		argv[n++] = admin;
		cf.admin_path = xstrdup(admin);
	}
	free(help);
	/* extra: space-separated flags for a second daemon (--strict, --idle-timeout 2). */
	char *extra_copy = xstrdup(extra ? extra : ""), *save = NULL;
	for (char *a = strtok_r(extra_copy, " ", &save); a && n < 22; a = strtok_r(NULL, " ", &save))
		argv[n++] = a;
	var_set("jwt.secret", hex);
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* Never outlive the suite (e.g. when a test harness kills it). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	cf.daemon_pid = pid;
	char line[200] = { 0 };
	size_t k = 0;
	while (k < sizeof(line) - 1) {
		ssize_t r = read(fds[0], line + k, 1);
		if (r <= 0 || line[k] == '\n')
			break;
		k++;
	}
	close(fds[0]);
	line[k] = '\0';
	int port = 0;
	free(extra_copy);
	free(bin);
	free(secret_file);
	free(admin);
	if (sscanf(line, "http://127.0.0.1:%d", &port) != 1) {
		fprintf(stderr, "conformance: moltchatsd printed '%s'\n", line);
		return -1;
	}
	cf.api_root = xasprintf("http://127.0.0.1:%d", port);
	cf.ws_base = xasprintf("ws://127.0.0.1:%d/ws", port);
	return 0;
}

int target_start(void)
{
	const char *api = getenv("MOLTCHATS_API_BASE");
	const char *ws = getenv("MOLTCHATS_WS_BASE");
	if (api && *api) {
		if (!ws || !*ws) {
			fprintf(stderr, "conformance: set MOLTCHATS_WS_BASE with MOLTCHATS_API_BASE\n");
			return -1;
		}
		cf.remote = 1;
		cf.presence_interval = 30;
		char *root = xstrdup(api);
		strip_suffix(root, "/");
		strip_suffix(root, "/api/v1");
		cf.api_root = root;
		cf.ws_base = xstrdup(ws);
		cf.creds_dir = getenv("MOLTCHATS_TEST_CREDENTIALS_DIR");
		list_credentials();
		return 0;
	}
	return start_daemon(NULL);
}

static void stop_current(void)
{
	if (cf.daemon_pid > 0) {
		int st;
		kill(cf.daemon_pid, SIGTERM);
		waitpid(cf.daemon_pid, &st, 0);
		cf.daemon_pid = 0;
	}
	if (tmpdir) {
		char *p = xasprintf("%s/admin.sock", tmpdir);
		unlink(p);
		free(p);
		p = xasprintf("%s/jwt-secret", tmpdir);
		unlink(p);
		free(p);
		rmdir(tmpdir);
		free(tmpdir);
		tmpdir = NULL;
	}
}

int target_push(const char *extra)
{
	if (cf.remote || pushed)
		return -1;
	primary = (struct saved){ cf.daemon_pid, cf.api_root, cf.ws_base, cf.admin_path, tmpdir,
				  xstrdup(var_get("jwt.secret")), cf.presence_interval };
	cf.admin_path = NULL;
	tmpdir = NULL;
	pushed = 1;
	if (start_daemon(extra) != 0) {
		target_pop();
		return -1;
	}
	return 0;
}

void target_pop(void)
{
	if (!pushed)
		return;
	stop_current();
	if (cf.api_root != primary.api_root) {
		free(cf.api_root);
		free(cf.ws_base);
	}
	free(cf.admin_path);
	cf.daemon_pid = primary.pid;
	cf.api_root = primary.api_root;
	cf.ws_base = primary.ws_base;
	cf.admin_path = primary.admin_path;
	cf.presence_interval = primary.presence_interval;
	tmpdir = primary.tmpdir;
	if (primary.secret)
		var_set("jwt.secret", primary.secret);
	free(primary.secret);
	pushed = 0;
}

void target_stop(void)
{
	target_pop();
	stop_current();
}

/* ---------------------------------------------------------------- admin socket */

int admin_cmd(const char *json_line, cJSON **reply, char *err, size_t errlen)
{
	*reply = NULL;
	if (!cf.admin_path) {
		snprintf(err, errlen, "needs the moltchatsd admin socket (test-only knob)%s",
			 cf.remote ? "" : ": this moltchatsd has no --admin-socket");
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cf.admin_path);
	int ok = -1;
	for (int i = 0; i < 20 && ok != 0; i++) {
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		if (ok != 0)
			usleep(50 * 1000);
	}
	if (ok != 0) {
		snprintf(err, errlen, "admin socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* Command templates write ' for " (usernames never hold either). */
	char *line = xasprintf("%s\n", json_line);
	for (char *q = line; *q; q++)
		if (*q == '\'')
			*q = '"';
	ssize_t w = write(fd, line, strlen(line));
	free(line);
	struct buf b = BUF_INIT;
	struct pollfd p = { fd, POLLIN, 0 };
	while (w > 0 && poll(&p, 1, 5000) > 0) {
		char c;
		if (read(fd, &c, 1) != 1 || c == '\n')
			break;
		buf_putc(&b, c);
	}
	close(fd);
	*reply = cJSON_Parse(buf_cstr(&b));
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(*reply, "error");
	const cJSON *okj = cJSON_GetObjectItemCaseSensitive(*reply, "ok");
	if (!*reply || e || cJSON_IsFalse(okj)) {
		snprintf(err, errlen, "admin %s -> '%.150s'", json_line, buf_cstr(&b));
		buf_free(&b);
		cJSON_Delete(*reply);
		*reply = NULL;
		return -1;
	}
	buf_free(&b);
	return 0;
}
