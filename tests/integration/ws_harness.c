/* The shared harness of the moltchatsd WebSocket tests: see ws_harness.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moltty/crypto.h"
#include "ws_harness.h"

int failures;
char tmpdir[64];
struct ev_loop *loop;
struct lws_context *ctx;
static ev_timer service;

void daemon_start(struct daemon *d, const char *const *extra)
{
	const char *bin = getenv("MOLTCHATSD");
	if (!bin) {
		fprintf(stderr, "MOLTCHATSD not set\n");
		exit(99);
	}
	int fds[2];
	if (pipe(fds) != 0)
		exit(99);
	const char *argv[32] = { bin, "--quiet", "--register-limit", "1000" };
	int n = 4;
	for (int i = 0; extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	d->pid = fork();
	if (d->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	char line[128] = { 0 };
	size_t k = 0;
	while (k < sizeof(line) - 1) {
		ssize_t r = read(fds[0], line + k, 1);
		if (r <= 0 || line[k] == '\n')
			break;
		k++;
	}
	close(fds[0]);
	if (sscanf(line, "http://127.0.0.1:%d", &d->port) != 1) {
		fprintf(stderr, "Bail out! daemon printed '%s'\n", line);
		exit(99);
	}
}

int daemon_stop(struct daemon *d)
{
	int st;
	kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &st, 0) != d->pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

cJSON *http(int port, const char *method, const char *path, const char *body,
		   const char *token, int *status)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		*status = -1;
		return NULL;
	}
	struct buf rq = BUF_INIT;
	buf_printf(&rq, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
	if (token)
		buf_printf(&rq, "Authorization: Bearer %s\r\n", token);
	if (body)
		buf_printf(&rq, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
	buf_puts(&rq, "\r\n");
	if (body)
		buf_puts(&rq, body);
	size_t off = 0;
	while (off < rq.len) {
		ssize_t w = write(fd, rq.data + off, rq.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_free(&rq);
	struct buf rs = BUF_INIT;
	char tmp[4096];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r <= 0)
			break;
		buf_append(&rs, tmp, (size_t)r);
		const char *hdr_end = strstr(buf_cstr(&rs), "\r\n\r\n");
		const char *cl = strcasestr(buf_cstr(&rs), "content-length:");
		if (hdr_end && cl && rs.len >= (size_t)(hdr_end + 4 - rs.data) + (size_t)atol(cl + 15))
			break;
	}
	close(fd);
	*status = 0;
	sscanf(buf_cstr(&rs), "HTTP/1.1 %d", status);
	const char *b = strstr(buf_cstr(&rs), "\r\n\r\n");
	cJSON *j = b ? cJSON_Parse(b + 4) : NULL;
	buf_free(&rs);
	return j;
}

const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void make_agent(int port, const char *name, struct agent *a)
{
	char *priv, *pub;
	int st;
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (rsa_generate(&priv, &pub) != 0)
		exit(99);
	cJSON *rq = cJSON_CreateObject();
	cJSON_AddStringToObject(rq, "username", name);
	cJSON_AddStringToObject(rq, "publicKey", pub);
	char *text = cJSON_PrintUnformatted(rq);
	cJSON *r = http(port, "POST", "/api/v1/agents/register", text, NULL, &st);
	free(text);
	cJSON_Delete(rq);
	if (st != 201 || !jstr(r, "challenge")) {
		fprintf(stderr, "Bail out! register %s: %d\n", name, st);
		exit(99);
	}
	snprintf(a->id, sizeof(a->id), "%s", jstr(r, "agentId"));
	const char *ch = jstr(r, "challenge");
	char *sig = rsa_sign_b64(priv, ch, strlen(ch));
	text = xasprintf("{\"agentId\":\"%s\",\"signedChallenge\":\"%s\"}", a->id, sig);
	cJSON_Delete(r);
	r = http(port, "POST", "/api/v1/agents/verify", text, NULL, &st);
	free(text);
	free(sig);
	free(priv);
	free(pub);
	if (st != 200 || !jstr(r, "token")) {
		fprintf(stderr, "Bail out! verify %s: %d\n", name, st);
		exit(99);
	}
	a->token = xstrdup(jstr(r, "token"));
	a->refresh = xstrdup(jstr(r, "refreshToken"));
	cJSON_Delete(r);
}

void pump(double seconds)
{
	ev_tstamp end = ev_now(loop) + seconds;
	while (ev_now(loop) < end) {
		ev_run(loop, EVRUN_ONCE);
		ev_now_update(loop);
	}
}

const cJSON *wait_frame(struct client *c, frame_pred pred, const void *arg, double timeout)
{
	ev_now_update(loop);
	ev_tstamp end = ev_now(loop) + timeout;
	for (;;) {
		for (int i = c->mark; i < c->nframes; i++) {
			if (pred(c->frames[i], arg)) {
				c->mark = i + 1;
				return c->frames[i];
			}
		}
		if (ev_now(loop) >= end || c->closed)
			return NULL;
		pump(0.02);
	}
}

int is_op(const cJSON *f, const void *op)
{
	return str_eq(jstr(f, "op"), op);
}

void pump_until_closed(struct client *c, double timeout)
{
	for (int i = 0; i < (int)(timeout / 0.02) && !c->closed; i++)
		pump(0.02);
}

static void service_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	lws_cancel_service(ctx);
}

int is_error_code(const cJSON *f, const void *code)
{
	return is_op(f, "error") && str_eq(jstr(f, "code"), code);
}

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		     size_t len)
{
	struct client *c = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = 1;
		if (c->nout)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		buf_append(&c->rx, in, len);
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			cJSON *f = cJSON_Parse(buf_cstr(&c->rx));
			if (f && c->nframes < (int)MC_ARRAY_LEN(c->frames))
				c->frames[c->nframes++] = f;
			else
				cJSON_Delete(f);
			buf_reset(&c->rx);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->nout) {
			char *t = c->out[0];
			memmove(c->out, c->out + 1, (size_t)(c->nout - 1) * sizeof(char *));
			c->nout--;
			size_t n = strlen(t);
			unsigned char *b = xmalloc(LWS_PRE + n);
			memcpy(b + LWS_PRE, t, n);
			lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
			free(b);
			free(t);
			if (c->nout)
				lws_callback_on_writable(wsi);
		}
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;
			c->close_code = (p[0] << 8) | p[1];
			snprintf(c->close_reason, sizeof(c->close_reason), "%.*s", (int)len - 2,
				 (const char *)in + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c) {
			c->closed = 1;
			c->wsi = NULL;
		}
		break;
	default:
		break;
	}
	return 0;
}

void client_open(struct client *c, const char *name, int port, const char *token)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	char path[1024];
	if (token)
		snprintf(path, sizeof(path), "/ws?token=%s", token);
	else
		snprintf(path, sizeof(path), "/ws");
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = path;
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = NULL;
	ci.opaque_user_data = c;
	ci.pwsi = &c->wsi;
	lws_client_connect_via_info(&ci);
	for (int i = 0; i < 200 && !c->established && !c->closed; i++)
		pump(0.01);
}

void client_send(struct client *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = xvasprintf(fmt, ap);
	va_end(ap);
	if (!c->wsi || c->nout >= (int)MC_ARRAY_LEN(c->out)) {
		free(t);
		return;
	}
	c->out[c->nout++] = t;
	lws_callback_on_writable(c->wsi);
}

void client_close(struct client *c)
{
	if (c->wsi) {
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		for (int i = 0; i < 200 && !c->closed; i++)
			pump(0.01);
	}
}

void client_free(struct client *c)
{
	for (int i = 0; i < c->nframes; i++)
		cJSON_Delete(c->frames[i]);
	for (int i = 0; i < c->nout; i++)
		free(c->out[i]);
	buf_free(&c->rx);
}

static const struct lws_protocols client_protocols[] = {
	{ "client", client_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

int harness_start(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(tmpdir))
		return -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	lws_set_log_level(LLL_ERR, NULL);
	loop = ev_default_loop(0);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	void *fl[1] = { loop };
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.options = LWS_SERVER_OPTION_LIBEV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = fl;
	ctx = lws_create_context(&info);
	if (!ctx)
		return -1;
	ev_timer_init(&service, service_cb, 0.1, 0.1);
	ev_timer_start(loop, &service);
	return 0;
}

int harness_stop(const char *passed, const char *failed)
{
	ev_timer_stop(loop, &service);
	lws_context_destroy(ctx);
	ev_loop_destroy(loop);
	rmdir(tmpdir);
	printf("%s\n", failures ? failed : passed);
	return failures ? 1 : 0;
}
