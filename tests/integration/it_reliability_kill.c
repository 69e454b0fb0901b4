/* kill -9 at any moment (issue 5), with a real client process (it_reliability_agent):
 * 1. Sessions: a client refreshing back to back is killed with SIGKILL at random moments,
 *    35 times. After every kill the session file is absent or valid JSON with a token pair,
 *    and a fresh client process gets back in without help (saved token, refresh, or
 *    challenge + verify with the private key). No temp files pile up.
 * 2. Outbox: with moltchatsd stopped (SIGSTOP) a client queues 3 messages (the first one is
 *    written to the socket, unacknowledged) and is killed; the server resumes; a new client
 *    process restores the outbox and delivers: each message exactly once on the server. */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "client_harness.h"
#include "it_reliability_lib.h"

#define KILLS 35

static struct rel_srv srv;
static char agent_bin[1024];
static char *cred, *state_dir, *agent_id, *api_base;
static char uname[48];

struct child {
	pid_t pid;
	int out;        /* its stdout */
};

static int spawn(struct child *ch, const char *const *args)
{
	int fds[2];
	if (pipe(fds) != 0)
		return -1;
	ch->pid = fork();
	if (ch->pid < 0)
		return -1;
	if (ch->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		const char *argv[16] = { agent_bin, api_base, cred, state_dir };
		size_t n = 4;
		for (size_t i = 0; args[i] && n < 15; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		execv(agent_bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	ch->out = fds[0];
	return 0;
}

/* Read one line from the child within timeout_ms; 0 or -1. */
static int read_line(struct child *ch, char *line, size_t n, int timeout_ms)
{
	size_t len = 0;
	int64_t end = mono_ms() + timeout_ms;
	while (len + 1 < n) {
		int left = (int)(end - mono_ms());
		struct pollfd p = { ch->out, POLLIN, 0 };
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		char c;
		if (read(ch->out, &c, 1) <= 0)
			break;
		if (c == '\n') {
			line[len] = '\0';
			return 0;
		}
		line[len++] = c;
	}
	line[len] = '\0';
	return -1;
}

static void kill9(struct child *ch)
{
	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, NULL, 0);
	close(ch->out);
}

static int wait_exit(struct child *ch, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	int st;
	while (mono_ms() < end) {
		pid_t r = waitpid(ch->pid, &st, WNOHANG);
		if (r == ch->pid) {
			close(ch->out);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		}
		usleep(10000);
	}
	kill9(ch);
	return -1;
}

/* ---- setup: register the agent (needs a loop), then a server to post in ---- */

static int reg_done;
static struct ev_loop *reg_loop;

static void on_registered(void *ud, const char *id, const char *err)
{
	if (id)
		agent_id = xstrdup(id);
	else
		fprintf(stderr, "register: %s\n", err);
	reg_done = 1;
	ev_break(reg_loop, EVBREAK_ALL);
}

static int register_agent(const struct mc_endpoints *ep)
{
	reg_loop = ev_loop_new(EVFLAG_AUTO);
	struct mc_net *net = mc_net_new(reg_loop, NULL);
	mc_register(net, ep, uname, NULL, cred, on_registered, NULL);
	ev_run(reg_loop, 0);
	mc_net_free(net);
	ev_loop_destroy(reg_loop);
	return agent_id ? 0 : -1;
}

/* A JWT from the admin socket, for the driver's own checks. */
static char *mint_token(void)
{
	char reply[4096], *cmd = xasprintf("{\"cmd\":\"mint_token\",\"username\":\"%s\","
		"\"expires_in\":600}", uname);
	int rc = rel_admin(&srv, cmd, reply, sizeof(reply));
	free(cmd);
	cJSON *j = rc == 0 ? cJSON_Parse(reply) : NULL;
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token"));
	char *out = t ? xstrdup(t) : NULL;
	cJSON_Delete(j);
	return out;
}

static char *create_channel(const char *token)
{
	char *url = xasprintf("%s/servers", api_base), *body = NULL;
	int st = rel_http("POST", url, token, "{\"name\":\"Crash\",\"isPublic\":true}", &body);
	free(url);
	cJSON *j = st == 201 ? cJSON_Parse(body) : NULL;
	free(body);
	const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "server"),
		"id"));
	if (!sid) {
		fprintf(stderr, "create server: HTTP %d\n", st);
		cJSON_Delete(j);
		return NULL;
	}
	url = xasprintf("%s/servers/%s", api_base, sid); /* {..., "channels": [Channel...]} */
	cJSON_Delete(j);
	st = rel_http("GET", url, token, NULL, &body);
	free(url);
	j = st == 200 ? cJSON_Parse(body) : NULL;
	free(body);
	char *id = NULL;
	cJSON *ch;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(j, "channels")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "name"));
		if (name && !strcmp(name, "general"))
			id = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(ch, "id")));
	}
	cJSON_Delete(j);
	return id;
}

/* ---- 1. kills during refreshes ---- */

static char *session_path(void)
{
	return xasprintf("%s/session-%s.json", state_dir, agent_id);
}

/* 0: absent or a complete {token, refreshToken}; -1: corrupt. */
static int session_file_sane(char *why, size_t n)
{
	char *p = session_path();
	char *text = fs_read_file(p, NULL);
	free(p);
	if (!text)
		return errno == ENOENT ? 0 : -1;
	cJSON *j = cJSON_Parse(text);
	free(text);
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token"));
	const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(j, "refreshToken"));
	int ok = j && t && t[0] && r && str_starts_with(r, "msr_");
	if (!ok)
		snprintf(why, n, "session file is not a complete token pair");
	cJSON_Delete(j);
	return ok ? 0 : -1;
}

static size_t temp_files(void)
{
	char *pattern = xasprintf("%s/*.tmp*", state_dir);
	glob_t g;
	size_t n = glob(pattern, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
	globfree(&g);
	free(pattern);
	return n;
}

static int kill_during_refreshes(void)
{
	int paths[3] = { 0, 0, 0 }; /* me, refresh, reauth */
	uint32_t r;
	for (int i = 0; i < KILLS; i++) {
		struct child ch;
		const char *args[] = { "refresh-loop", NULL };
		if (spawn(&ch, args) != 0)
			return -1;
		/* some kills during login, most inside the back-to-back refreshes */
		random_bytes(&r, sizeof(r));
		int delay_ms = 20 + (int)(r % 400);
		usleep((useconds_t)delay_ms * 1000);
		kill9(&ch);
		char why[128] = "";
		if (session_file_sane(why, sizeof(why)) != 0) {
			fprintf(stderr, "kill %d (after %d ms): %s\n", i, delay_ms, why);
			return -1;
		}
		struct child chk;
		const char *cargs[] = { "check", NULL };
		if (spawn(&chk, cargs) != 0)
			return -1;
		char line[64];
		int got = read_line(&chk, line, sizeof(line), 12000);
		int st = wait_exit(&chk, 5000);
		if (got != 0 || st != 0 || strncmp(line, "ok ", 3) != 0) {
			fprintf(stderr, "kill %d (after %d ms): the next client could not log in "
				"(exit %d, '%s')\n", i, delay_ms, st, line);
			return -1;
		}
		paths[!strcmp(line, "ok me") ? 0 : !strcmp(line, "ok refresh") ? 1 : 2]++;
		if (session_file_sane(why, sizeof(why)) != 0) {
			fprintf(stderr, "after check %d: %s\n", i, why);
			return -1;
		}
	}
	size_t temps = temp_files();
	printf("  %d kills: next login by saved token %d, refresh %d, re-verify %d; %zu temp files\n",
		KILLS, paths[0], paths[1], paths[2], temps);
	if (temps > 1) {
		fprintf(stderr, "temp files pile up: %zu\n", temps);
		return -1;
	}
	return 0;
}

/* ---- 2. outbox across a crash ---- */

static int outbox_entries(int *uncertain)
{
	char *p = xasprintf("%s/outbox-%s.json", state_dir, agent_id);
	char *text = fs_read_file(p, NULL);
	free(p);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	int n = -1;
	*uncertain = 0;
	const cJSON *arr = cJSON_GetObjectItem(j, "messages");
	if (cJSON_IsArray(arr)) {
		n = cJSON_GetArraySize(arr);
		const cJSON *m;
		cJSON_ArrayForEach(m, arr)
			*uncertain += cJSON_IsTrue(cJSON_GetObjectItem(m, "uncertain"));
	}
	cJSON_Delete(j);
	return n;
}

static int outbox_across_crash(const char *channel_id, const char *token, int stop_server,
	const char *prefix)
{
	struct child ch;
	const char *args[] = { "send", channel_id, "3", prefix, NULL };
	if (spawn(&ch, args) != 0)
		return -1;
	char line[64];
	if (read_line(&ch, line, sizeof(line), 15000) != 0 || strcmp(line, "loaded") != 0) {
		fprintf(stderr, "sender did not load: '%s'\n", line);
		kill9(&ch);
		return -1;
	}
	if (stop_server)
		rel_srv_signal(&srv, SIGSTOP);
	kill(ch.pid, SIGUSR1);
	if (read_line(&ch, line, sizeof(line), 5000) != 0 || strcmp(line, "queued") != 0) {
		fprintf(stderr, "sender did not queue: '%s'\n", line);
		kill9(&ch);
		rel_srv_signal(&srv, SIGCONT);
		return -1;
	}
	usleep(stop_server ? 300000 : 2000); /* the first message is on the wire by now */
	kill9(&ch);
	int uncertain, n = outbox_entries(&uncertain);
	rel_srv_signal(&srv, SIGCONT);
	printf("  %s: killed with %d message(s) in the outbox (%d unconfirmed)\n", prefix, n,
		uncertain);
	if (stop_server && (n != 3 || uncertain != 1)) {
		fprintf(stderr, "expected 3 persisted messages, the first unconfirmed\n");
		return -1;
	}
	usleep(200000);
	struct child dr;
	const char *dargs[] = { "drain", channel_id, NULL };
	if (spawn(&dr, dargs) != 0)
		return -1;
	int got = read_line(&dr, line, sizeof(line), 35000);
	int st = wait_exit(&dr, 5000);
	if (got != 0 || st != 0) {
		fprintf(stderr, "the restarted client did not deliver (exit %d)\n", st);
		return -1;
	}
	for (int i = 1; i <= 3; i++) {
		char *text = xasprintf("%s %d", prefix, i);
		int k = rel_history_count(api_base, token, channel_id, text);
		if (k != 1) {
			fprintf(stderr, "'%s' is on the server %d times\n", text, k);
			free(text);
			return -1;
		}
		free(text);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(NULL, LOG_ERROR);
	char *self = xstrdup(argv[0]);
	snprintf(agent_bin, sizeof(agent_bin), "%s/it_reliability_agent", dirname(self));
	free(self);
	if (access(agent_bin, X_OK) != 0) {
		fprintf(stderr, "%s not built\n", agent_bin);
		return 1;
	}
	static const char *const extra[] = { "--jwt-lifetime", "5", "--default-tier", "seed",
		"--register-limit", "100", NULL };
	srv.port = rel_free_port();
	snprintf(srv.db, sizeof(srv.db), "%s/srv.db", it_tmpdir());
	snprintf(srv.admin, sizeof(srv.admin), "%s/admin.sock", it_tmpdir());
	srv.extra = extra;
	int rc = rel_srv_start(&srv);
	if (rc != 0) {
		it_tmp_remove();
		return rc == 77 ? 77 : 1;
	}
	struct mc_endpoints ep;
	char *err = NULL;
	if (mc_endpoints_init(&ep, srv.base, NULL, &err) != 0)
		return 1;
	api_base = xstrdup(ep.api_base);
	cred = xasprintf("%s/cred.json", it_tmpdir());
	state_dir = xasprintf("%s/state", it_tmpdir());
	snprintf(uname, sizeof(uname), "rk_%05u", (unsigned)(mono_ms() % 100000));
	rc = 1;
	char *token = NULL, *channel = NULL;
	if (register_agent(&ep) != 0)
		goto out;
	token = mint_token();
	channel = token ? create_channel(token) : NULL;
	if (!channel)
		goto out;
	printf("step: kill -9 during refreshes\n");
	if (kill_during_refreshes() != 0)
		goto out;
	printf("step: outbox across a crash, server stopped (unacknowledged send)\n");
	if (outbox_across_crash(channel, token, 1, "stopped") != 0)
		goto out;
	printf("step: outbox across a crash, server running\n");
	if (outbox_across_crash(channel, token, 0, "running") != 0)
		goto out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "FAIL\n");
	rel_srv_stop(&srv);
	free(token);
	free(channel);
	free(cred);
	free(state_dir);
	free(agent_id);
	free(api_base);
	mc_endpoints_free(&ep);
	it_tmp_remove();
	log_close();
	return rc;
}
