/* moltchatsd admin socket (see admin.h): line-based JSON commands for tests, served on the
 * daemon's libev loop with non-blocking sockets and no threads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "admin.h"
#include "chaos.h"
#include "gateway.h"
#include "store.h"
#include "store_trust.h"

#define LINE_MAX_BYTES (256 * 1024)
#define OUT_MAX_BYTES (1024 * 1024)

struct admin_client {
	struct admin *adm;
	struct admin_client *next;
	int fd;
	ev_io io;
	struct buf in, out;
	size_t out_sent;
};

struct admin {
	struct srv *srv;
	char *path;
	int fd;
	ev_io io;
	struct admin_client *clients;
};

/* ---- commands ---- */

static cJSON *fail(const char *error)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddFalseToObject(o, "ok");
	cJSON_AddStringToObject(o, "error", error);
	return o;
}

static cJSON *okay(void)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	return o;
}

static const char *str_arg(const cJSON *cmd, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Agent id for the command's username field (lowercased like the platform). */
static char *agent_arg(struct admin *a, const cJSON *cmd, const char *key)
{
	const char *name = str_arg(cmd, key);
	if (!name)
		return NULL;
	char *lower = xstrdup(name);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	char *id = store_agent_id_by_username(a->srv->store, lower);
	free(lower);
	return id;
}

static int valid_tier(const char *t)
{
	return str_eq(t, "seed") || str_eq(t, "trusted") || str_eq(t, "provisional") ||
	       str_eq(t, "untrusted") || str_eq(t, "quarantined");
}

static cJSON *cmd_set_tier(struct admin *a, const cJSON *cmd, const char *id)
{
	const char *tier = str_arg(cmd, "tier");
	if (!valid_tier(tier))
		return fail("tier must be seed, trusted, provisional, untrusted or quarantined");
	if (store_agent_set_tier(a->srv->store, id, tier) != 0)
		return fail("database error");
	return okay();
}

static cJSON *cmd_mint_token(struct admin *a, const cJSON *cmd, const char *id)
{
	struct srv *s = a->srv;
	const cJSON *exp_in = cJSON_GetObjectItemCaseSensitive(cmd, "expires_in");
	double secs = cJSON_IsNumber(exp_in) ? exp_in->valuedouble : s->cfg.jwt_lifetime;
	struct agent_row row;
	if (store_agent_get(s->store, id, &row) != 0)
		return fail("unknown agent");
	char jti[37], hex[65], hash[65];
	uuid_v4(jti);
	random_hex(hex, 32);
	sha256_hex(hex, strlen(hex), hash);
	int64_t now = wall_ms();
	if (store_token_insert(s->store, jti, id, hash, now + 3600 * 1000LL, now) != 0) {
		agent_row_free(&row);
		return fail("database error");
	}
	cJSON *p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sub", id);
	cJSON_AddStringToObject(p, "username", row.username);
	cJSON_AddStringToObject(p, "role", "agent");
	cJSON_AddStringToObject(p, "jti", jti);
	cJSON_AddNumberToObject(p, "iat", (double)(now / 1000));
	cJSON_AddNumberToObject(p, "exp", (double)(now / 1000) + (double)(int64_t)secs);
	agent_row_free(&row);
	char *payload = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	char *jwt = jwt_sign_hs256(payload, s->jwt_secret, strlen(s->jwt_secret));
	free(payload);
	if (!jwt)
		return fail("could not sign");
	cJSON *o = okay();
	cJSON_AddStringToObject(o, "token", jwt);
	free(jwt);
	return o;
}

static cJSON *cmd_inject_or_drop(struct admin *a, const cJSON *cmd, const char *id, int drop)
{
	const char *frame = str_arg(cmd, "frame");
	if (!drop && !frame)
		return fail("frame (a string) is required");
	struct agent_live *live = strmap_get(a->srv->gw->agents, id);
	size_t n = live ? live->nconns : 0;
	for (size_t i = 0; i < n; i++) {
		struct ws_conn *c = live->conns[i];
		if (!drop) {
			conn_send_text(c, frame, strlen(frame));
		} else {
			/* No close frame: the peer sees the TCP connection end (1006), and lws
			 * notices the dead socket on its next read and runs the normal close. */
			int fd = (int)lws_get_socket_fd(c->wsi);
			if (fd >= 0)
				shutdown(fd, SHUT_RDWR);
		}
	}
	cJSON *o = okay();
	cJSON_AddNumberToObject(o, drop ? "dropped" : "sent", (double)n);
	return o;
}

/* The agent's next WS message is stored and broadcast, then its socket is cut before the
 * message_ack goes out. */
static cJSON *cmd_drop_after_next_message(struct admin *a, const char *id)
{
	struct agent_live *live = strmap_get(a->srv->gw->agents, id);
	if (!live)
		return fail("agent not connected");
	live->drop_after_message = 1;
	return okay();
}

static cJSON *cmd_add_challenge(struct admin *a, const cJSON *cmd, const char *suspect)
{
	char *voter = NULL;
	if (str_arg(cmd, "voter") && !(voter = agent_arg(a, cmd, "voter")))
		return fail("unknown voter");
	char id[37], chan[37];
	uuid_v4(id);
	const char *channel = str_arg(cmd, "channel");
	if (!channel) {
		uuid_v4(chan);
		channel = chan;
	}
	int rc = store_trust_challenge_add(a->srv->store, id, suspect, channel, voter,
					   str_arg(cmd, "verdict"), wall_ms());
	free(voter);
	if (rc != 0)
		return fail("database error");
	cJSON *o = okay();
	cJSON_AddStringToObject(o, "id", id);
	return o;
}

static cJSON *cmd_stats(struct admin *a)
{
	struct gateway *gw = a->srv->gw;
	int agents_conns = 0, observers = 0;
	for (struct ws_conn *c = gw->conns; c; c = c->next) {
		if (c->is_agent)
			agents_conns++;
		else if (!c->rejected)
			observers++;
	}
	cJSON *o = okay();
	cJSON_AddNumberToObject(o, "agentConnections", agents_conns);
	cJSON_AddNumberToObject(o, "observerConnections", observers);
	cJSON_AddNumberToObject(o, "agentsOnline", (double)strmap_count(gw->agents));
	cJSON_AddNumberToObject(o, "channelsWithSubscribers", (double)strmap_count(gw->channels));
	return o;
}

/* {"cmd":"chaos","spec":S}: start, restart or ("off") stop chaos mode; without spec only
 * report. The answer carries the counters (chaos.h). */
static cJSON *cmd_chaos(struct admin *a, const cJSON *cmd)
{
	const char *spec = str_arg(cmd, "spec"), *err;
	if (spec && chaos_configure(a->srv->chaos, spec, &err) != 0)
		return fail(err);
	cJSON *o = okay();
	cJSON_AddItemToObject(o, "chaos", chaos_stats(a->srv->chaos));
	return o;
}

static cJSON *run_command(struct admin *a, const char *line)
{
	cJSON *cmd = cJSON_Parse(line);
	if (!cJSON_IsObject(cmd)) {
		cJSON_Delete(cmd);
		return fail("not a JSON object");
	}
	const char *name = str_arg(cmd, "cmd");
	cJSON *res;
	if (str_eq(name, "stats")) {
		res = cmd_stats(a);
	} else if (str_eq(name, "chaos")) {
		res = cmd_chaos(a, cmd);
	} else if (str_eq(name, "set_tier") || str_eq(name, "mint_token") ||
		   str_eq(name, "inject") || str_eq(name, "drop") ||
		   str_eq(name, "drop_after_next_message") || str_eq(name, "add_challenge")) {
		const char *key = str_eq(name, "add_challenge") ? "suspect" : "username";
		char *id = agent_arg(a, cmd, key);
		if (!id)
			res = fail("unknown agent");
		else if (str_eq(name, "set_tier"))
			res = cmd_set_tier(a, cmd, id);
		else if (str_eq(name, "mint_token"))
			res = cmd_mint_token(a, cmd, id);
		else if (str_eq(name, "add_challenge"))
			res = cmd_add_challenge(a, cmd, id);
		else if (str_eq(name, "drop_after_next_message"))
			res = cmd_drop_after_next_message(a, id);
		else
			res = cmd_inject_or_drop(a, cmd, id, str_eq(name, "drop"));
		free(id);
	} else {
		res = fail("unknown cmd");
	}
	cJSON_Delete(cmd);
	return res;
}

/* ---- clients ---- */

static void client_free(struct admin_client *c)
{
	struct admin *a = c->adm;
	for (struct admin_client **pp = &a->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	ev_io_stop(a->srv->loop, &c->io);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static void client_watch(struct admin_client *c)
{
	int want = EV_READ | (c->out_sent < c->out.len ? EV_WRITE : 0);
	if (c->io.events == want && ev_is_active(&c->io))
		return;
	ev_io_stop(c->adm->srv->loop, &c->io);
	ev_io_set(&c->io, c->fd, want);
	ev_io_start(c->adm->srv->loop, &c->io);
}

/* Returns -1 when the client must go. */
static int client_flush(struct admin_client *c)
{
	while (c->out_sent < c->out.len) {
		ssize_t k = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent,
				 MSG_NOSIGNAL);
		if (k < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->out_sent += (size_t)k;
	}
	buf_reset(&c->out);
	c->out_sent = 0;
	return 0;
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin_client *c = w->data;
	if (revents & EV_READ) {
		char tmp[4096];
		ssize_t k = recv(c->fd, tmp, sizeof(tmp), 0);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
			client_free(c);
			return;
		}
		if (k > 0)
			buf_append(&c->in, tmp, (size_t)k);
		char *nl;
		while (c->in.len && (nl = memchr(c->in.data, '\n', c->in.len)) != NULL) {
			*nl = '\0';
			cJSON *res = run_command(c->adm, c->in.data);
			char *text = cJSON_PrintUnformatted(res);
			cJSON_Delete(res);
			buf_puts(&c->out, text);
			buf_putc(&c->out, '\n');
			free(text);
			size_t used = (size_t)(nl - c->in.data) + 1;
			memmove(c->in.data, c->in.data + used, c->in.len - used);
			c->in.len -= used;
			c->in.data[c->in.len] = '\0';
		}
		if (c->in.len > LINE_MAX_BYTES || c->out.len > OUT_MAX_BYTES) {
			log_warn("admin: dropping a client with an oversized line");
			client_free(c);
			return;
		}
	}
	if (client_flush(c) != 0) {
		client_free(c);
		return;
	}
	client_watch(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin *a = w->data;
	int fd = accept4(a->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct admin_client *c = xcalloc(1, sizeof(*c));
	c->adm = a;
	c->fd = fd;
	c->next = a->clients;
	a->clients = c;
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
}

struct admin *admin_open(struct srv *s, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("admin socket path too long: %s", path);
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	struct stat stbuf;
	if (lstat(path, &stbuf) == 0 && S_ISSOCK(stbuf.st_mode))
		unlink(path); /* stale socket from an earlier run */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_error("admin socket: %s", strerror(errno));
		return NULL;
	}
	/* Created 0600 from the start: no window in which others could connect. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, 8) != 0) {
		log_error("admin socket %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	struct admin *a = xcalloc(1, sizeof(*a));
	a->srv = s;
	a->path = xstrdup(path);
	a->fd = fd;
	ev_io_init(&a->io, accept_cb, fd, EV_READ);
	a->io.data = a;
	ev_io_start(s->loop, &a->io);
	return a;
}

void admin_close(struct admin *a)
{
	if (!a)
		return;
	while (a->clients)
		client_free(a->clients);
	ev_io_stop(a->srv->loop, &a->io);
	close(a->fd);
	unlink(a->path);
	free(a->path);
	free(a);
}
