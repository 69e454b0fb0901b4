/* Reliability test helpers: see it_reliability_lib.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "it_reliability_lib.h"

int rel_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	int port = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int rel_srv_start(struct rel_srv *s)
{
	const char *bin = getenv("MOLTCHATSD");
	if (!bin || !*bin) {
		fprintf(stderr, "MOLTCHATSD not set: skipping\n");
		return 77;
	}
	char listen[64];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	const char *argv[48];
	size_t n = 0;
	argv[n++] = bin;
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--db";
	argv[n++] = s->db;
	argv[n++] = "--admin-socket";
	argv[n++] = s->admin;
	argv[n++] = "--quiet";
	for (size_t i = 0; s->extra && s->extra[i] && n < 46; i++)
		argv[n++] = s->extra[i];
	argv[n] = NULL;

	/* the port may still be held for a moment by the process we just killed */
	for (int tries = 0; tries < 50; tries++) {
		int fds[2];
		if (pipe(fds) != 0)
			return -1;
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
			execv(bin, (char *const *)argv);
			_exit(127);
		}
		close(fds[1]);
		size_t len = 0;
		s->base[0] = '\0';
		for (;;) {
			struct pollfd p = { fds[0], POLLIN, 0 };
			if (poll(&p, 1, 10000) <= 0)
				break;
			char ch;
			if (read(fds[0], &ch, 1) <= 0 || ch == '\n')
				break;
			if (len + 1 < sizeof(s->base)) {
				s->base[len++] = ch;
				s->base[len] = '\0';
			}
		}
		close(fds[0]);
		if (!strncmp(s->base, "http://", 7)) {
			s->pid = pid;
			return 0;
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		usleep(100000);
	}
	fprintf(stderr, "moltchatsd did not start on port %d\n", s->port);
	return -1;
}

void rel_srv_kill9(struct rel_srv *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = -1;
}

void rel_srv_signal(struct rel_srv *s, int sig)
{
	if (s->pid > 0)
		kill(s->pid, sig);
}

void rel_srv_stop(struct rel_srv *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGCONT);
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
			s->pid = -1;
			return;
		}
		usleep(20000);
	}
	rel_srv_kill9(s);
}

int rel_admin(struct rel_srv *s, const char *line, char *reply, size_t n)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(s->admin) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(sa.sun_path, s->admin, strlen(s->admin) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		close(fd);
		return -1;
	}
	size_t got = 0;
	int rc = -1;
	while (got + 1 < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 5000) <= 0)
			break;
		ssize_t k = read(fd, reply + got, 1);
		if (k <= 0)
			break;
		if (reply[got] == '\n') {
			rc = 0;
			break;
		}
		got++;
	}
	reply[got] = '\0';
	close(fd);
	return rc;
}

/* ---- blocking HTTP ---- */

static size_t collect(char *p, size_t sz, size_t nm, void *ud)
{
	struct buf *b = ud;
	buf_append(b, p, sz * nm);
	return sz * nm;
}

int rel_http(const char *method, const char *url, const char *token, const char *json,
	char **body)
{
	CURL *e = curl_easy_init();
	struct buf b = BUF_INIT;
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Accept: application/json");
	if (json)
		h = curl_slist_append(h, "Content-Type: application/json");
	char *auth = token ? xasprintf("Authorization: Bearer %s", token) : NULL;
	if (auth)
		h = curl_slist_append(h, auth);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (json)
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, json);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	long status = 0;
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	free(auth);
	if (body)
		*body = buf_steal(&b);
	else
		buf_free(&b);
	return (int)status;
}

void rel_free_ids(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Every message of a channel (newest first) as cJSON array items copied into *out. */
static cJSON *history_all(const char *api_base, const char *token, const char *channel_id)
{
	cJSON *all = cJSON_CreateArray();
	int64_t before = -1;
	for (int page = 0; page < 100; page++) {
		char *url;
		if (before >= 0) {
			char iso[ISO_TIME_LEN];
			iso_format_ms(before, iso);
			url = xasprintf("%s/channels/%s/messages?limit=100&before=%s", api_base,
				channel_id, iso);
		} else {
			url = xasprintf("%s/channels/%s/messages?limit=100", api_base, channel_id);
		}
		char *body = NULL;
		int st = rel_http("GET", url, token, NULL, &body);
		free(url);
		cJSON *arr = st == 200 ? cJSON_Parse(body) : NULL;
		free(body);
		if (!cJSON_IsArray(arr)) {
			cJSON_Delete(arr);
			cJSON_Delete(all);
			return NULL;
		}
		int added = 0, n = cJSON_GetArraySize(arr);
		int64_t oldest = -1;
		cJSON *m;
		cJSON_ArrayForEach(m, arr) {
			const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(m, "id"));
			const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(m, "createdAt"));
			int64_t ms = 0;
			if (at)
				iso_parse_ms(at, &ms);
			if (oldest < 0 || ms < oldest)
				oldest = ms;
			int dup = 0;
			cJSON *o;
			cJSON_ArrayForEach(o, all) {
				if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "id")), id)) {
					dup = 1;
					break;
				}
			}
			if (!dup) {
				cJSON_AddItemToArray(all, cJSON_Duplicate(m, 1));
				added++;
			}
		}
		cJSON_Delete(arr);
		if (n < 100 || !added)
			break;
		before = oldest + 1; /* overlap the oldest millisecond; duplicates are skipped */
	}
	return all;
}

char **rel_history_ids(const char *api_base, const char *token, const char *channel_id,
	size_t *n)
{
	cJSON *all = history_all(api_base, token, channel_id);
	if (!all)
		return NULL;
	*n = (size_t)cJSON_GetArraySize(all);
	char **ids = xcalloc(*n ? *n : 1, sizeof(char *));
	size_t i = 0;
	cJSON *m;
	cJSON_ArrayForEach(m, all)
		ids[i++] = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(m, "id")));
	cJSON_Delete(all);
	return ids;
}

int rel_history_count(const char *api_base, const char *token, const char *channel_id,
	const char *content)
{
	cJSON *all = history_all(api_base, token, channel_id);
	if (!all)
		return -1;
	int count = 0;
	cJSON *m;
	cJSON_ArrayForEach(m, all) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(m, "content"));
		if (t && !strcmp(t, content))
			count++;
	}
	cJSON_Delete(all);
	return count;
}

/* ---- agents ---- */

static void on_registered(void *ud, const char *agent_id, const char *err)
{
	struct rel_agent *a = ud;
	if (agent_id) {
		a->id = xstrdup(agent_id);
	} else {
		fprintf(stderr, "register %s failed: %s\n", a->name, err);
		a->reg_failed = 1;
	}
	a->reg_done = 1;
}

void rel_register(struct mc_net *net, const struct mc_endpoints *ep, struct rel_agent *a,
	const char *name, const char *dir)
{
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->cred = xasprintf("%s/cred-%s.json", dir, name);
	mc_register(net, ep, name, NULL, a->cred, on_registered, a);
}

int rel_client_start(struct rel_agent *a, struct mc_net *net, struct mdl_model *model,
	const struct mc_endpoints *ep, const char *state_dir)
{
	char *err = NULL;
	if (mc_identity_load(a->cred, &a->ident, &err) != 0) {
		fprintf(stderr, "identity %s: %s\n", a->name, err);
		free(err);
		return -1;
	}
	char *label = xasprintf("@%s", a->name);
	a->acct = mdl_account_add(model, label, 0);
	free(label);
	a->c = mc_client_new(net, a->acct, ep, &a->ident, state_dir);
	mc_client_start(a->c);
	return 0;
}

void rel_agent_free(struct rel_agent *a)
{
	mc_client_free(a->c);
	a->c = NULL;
	mc_identity_free(&a->ident);
	free(a->cred);
	free(a->id);
	a->cred = a->id = NULL;
}

struct mdl_channel *rel_general(struct rel_agent *a, const char *server_id)
{
	if (!a->acct || !server_id)
		return NULL;
	struct mdl_server *s = mdl_server_find(a->acct, server_id);
	return s ? mdl_channel_find_name(s, "general") : NULL;
}

size_t rel_count_content(const struct mdl_channel *ch, const char *content)
{
	size_t n = 0;
	for (size_t i = 0; ch && i < ch->n_msgs; i++)
		if (!strcmp(ch->msgs[i]->content, content))
			n++;
	return n;
}

int rel_channel_matches(const struct mdl_channel *ch, char **ids, size_t n, char *why,
	size_t why_n)
{
	if (ch->n_msgs != n) {
		snprintf(why, why_n, "model holds %zu messages, the server %zu", ch->n_msgs, n);
		return 0;
	}
	for (size_t i = 0; i < ch->n_msgs; i++) {
		const struct mdl_message *m = ch->msgs[i];
		if (m->state != MDL_MSG_STORED) {
			snprintf(why, why_n, "message %s is not stored (state %d)", m->id, m->state);
			return 0;
		}
		for (size_t j = i + 1; j < ch->n_msgs; j++) {
			if (!strcmp(m->id, ch->msgs[j]->id)) {
				snprintf(why, why_n, "message %s held twice", m->id);
				return 0;
			}
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (!mdl_message_find(ch, ids[k])) {
			snprintf(why, why_n, "server message %s missing from the model", ids[k]);
			return 0;
		}
	}
	return 1;
}
