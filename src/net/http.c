/* HTTP client: HTTP/1.1 of our own on non-blocking sockets watched by libev, with TLS from
 * ws_tls.c (OpenSSL over memory BIOs) and responses parsed by http_parse.c. It replaced curl
 * multi: libcurl and the ~30 libraries it brings (ldap, krb5, gnutls, ssh2, ...) were 4.2 MB
 * of an idle moltty's 14.2 MB RSS (docs/performance.md), for a client that only ever speaks
 * JSON over HTTP/1.1 to one API host.
 *
 * Connections are kept alive and reused per scheme://host:port, at most HTTP_MAX_PER_HOST at
 * once; further requests wait in order. A request that fails on a reused connection before
 * any byte of its response arrived (the server closed the idle connection as we wrote) is
 * retried once on a new connection. Host names are resolved with getaddrinfo, which blocks:
 * the same as the WebSocket side (lws), and only when a new connection is made. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h> /* lws_parse_uri, as net_ws_open uses */

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/net.h"
#include "http_parse.h"
#include "ws_tls.h"

#define HTTP_MAX_PER_HOST 6
#define HTTP_CONNECT_TIMEOUT_S 10.
/* a connect attempt that has not completed after this gives way to the host's next address
 * (an IPv6 route that drops packets must not cost every connection the whole timeout) */
#define HTTP_ADDR_FALLBACK_S 1.
/* an idle kept-alive connection is closed after this (servers close theirs after 5-75 s) */
#define HTTP_IDLE_S 30.
#define HTTP_READ_CHUNK 16384

enum conn_state {
	HC_CONNECTING, /* TCP connect in progress (trying each resolved address in turn) */
	HC_TLS,        /* TLS handshake */
	HC_BUSY,       /* carrying a request */
	HC_IDLE,       /* kept alive, waiting for the next request */
};

struct hconn {
	struct net_http *h;
	struct hconn *prev, *next;
	char *key;                 /* "https://host:port" */
	char *host;
	enum conn_state state;
	int fd;
	ev_io io;
	ev_timer timer;            /* connect timeout, then idle timeout */
	ev_timer attempt;          /* HTTP_ADDR_FALLBACK_S for the current address */
	struct addrinfo *addrs, *addr_next;
	int last_errno;            /* of the last failed connect */
	struct ws_tls *tls;
	struct buf out;            /* bytes for the socket (ciphertext with TLS) */
	size_t out_off;
	struct buf plain;          /* decrypted bytes waiting for the parser */
	struct net_http_req *req;  /* the request it carries (HC_BUSY, or being set up for) */
	int served;                /* responses completed on it: a reused connection */
};

struct net_http {
	struct ev_loop *loop;
	char *ca_file;
	struct ws_tls_ctx *tls_ctx; /* made at the first https:// request */
	ev_timer kick;              /* runs pump() in the next loop turn */
	struct net_http_req *reqs, *reqs_tail; /* every request, oldest first */
	struct hconn *conns;
	size_t n_active;
};

struct net_http_req {
	struct net_http *h;
	struct net_http_req *prev, *next;
	struct hconn *conn;
	char *key, *host;
	int port, use_tls;
	struct buf request;         /* the serialised request */
	struct buf body;            /* the response body */
	struct http_parse parse;
	ev_timer timeout;
	long timeout_ms;
	int retried;
	net_http_cb cb;
	void *ud;
};

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents);

/* ---------------- requests ---------------- */

static void unlink_req(struct net_http_req *r)
{
	struct net_http *h = r->h;
	if (r->prev)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		h->reqs_tail = r->prev;
	r->prev = r->next = NULL;
	h->n_active--;
	ev_timer_stop(h->loop, &r->timeout);
}

static void free_req(struct net_http_req *r)
{
	free(r->key);
	free(r->host);
	buf_free(&r->request);
	buf_free(&r->body);
	http_parse_free(&r->parse);
	free(r);
}

static void kick(struct net_http *h)
{
	if (!ev_is_active(&h->kick))
		ev_timer_start(h->loop, &h->kick);
}

/* Is any request waiting for a connection? (A handful are in flight at most.) */
static int any_waiting(const struct net_http *h)
{
	for (const struct net_http_req *r = h->reqs; r; r = r->next)
		if (!r->conn)
			return 1;
	return 0;
}

/* The request's life ends: its callback runs last, so it may free the net_http. */
static void finish(struct net_http_req *r, int status, const char *error)
{
	struct net_http *h = r->h;
	if (r->conn)
		r->conn->req = NULL;
	r->conn = NULL;
	unlink_req(r);
	if (any_waiting(h))
		kick(h); /* a connection or a slot may be free for one */
	struct net_http_result res = { 0 };
	res.status = status;
	res.error = status ? NULL : (error ? error : "HTTP request failed");
	res.body = buf_cstr(&r->body);
	res.body_len = status ? r->body.len : 0;
	if (!status)
		res.body = "";
	res.rl_limit = r->parse.rl_limit;
	res.rl_remaining = r->parse.rl_remaining;
	res.rl_reset = r->parse.rl_reset;
	if (r->cb)
		r->cb(r->ud, &res);
	free_req(r);
}

/* ---------------- connections ---------------- */

static void conn_free(struct hconn *c)
{
	struct net_http *h = c->h;
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ev_io_stop(h->loop, &c->io);
	ev_timer_stop(h->loop, &c->timer);
	ev_timer_stop(h->loop, &c->attempt);
	if (c->fd >= 0)
		close(c->fd);
	if (c->addrs)
		freeaddrinfo(c->addrs);
	ws_tls_free(c->tls);
	buf_free(&c->out);
	buf_free(&c->plain);
	free(c->key);
	free(c->host);
	free(c);
}

/* The connection failed or ended. Its request fails, or goes back to the queue when the
 * connection was a reused one and nothing of the response came: the server had closed it. */
static void conn_fail(struct hconn *c, const char *why)
{
	struct net_http_req *r = c->req;
	c->req = NULL;
	int retry = r && c->served > 0 && !r->retried && !http_parse_started(&r->parse);
	conn_free(c);
	if (!r)
		return;
	r->conn = NULL;
	if (retry) {
		r->retried = 1;
		log_debug("http: kept-alive connection closed under a request; retrying");
		kick(r->h);
		return;
	}
	finish(r, 0, why);
}

static void set_events(struct hconn *c, int events)
{
	if (c->io.events == events && ev_is_active(&c->io))
		return;
	ev_io_stop(c->h->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->h->loop, &c->io);
}

/* Write what is queued; keeps EV_WRITE armed while bytes remain. -1 with errno on failure. */
static int conn_flush(struct hconn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
			MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
	}
	set_events(c, EV_READ | (c->out.len ? EV_WRITE : 0));
	return 0;
}

static void queue_plain(struct hconn *c, const char *data, size_t n)
{
	if (c->tls) {
		ws_tls_write(c->tls, data, n);
		ws_tls_output(c->tls, &c->out);
	} else {
		buf_append(&c->out, data, n);
	}
}

/* Send the request, at once as far as the socket takes it. Nothing fails inside the caller:
 * an error leaves EV_WRITE armed, and the loop's write meets it again and reports it. */
static void conn_send_request(struct hconn *c)
{
	struct net_http_req *r = c->req;
	c->state = HC_BUSY;
	ev_timer_stop(c->h->loop, &c->timer);
	queue_plain(c, r->request.data, r->request.len);
	ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0)
		c->out_off = (size_t)n;
	if (c->out_off == c->out.len) {
		buf_reset(&c->out);
		c->out_off = 0;
		set_events(c, EV_READ);
	} else {
		set_events(c, EV_READ | EV_WRITE);
	}
}

/* An idle kept-alive connection to r's host, if one is free. */
static struct hconn *find_idle(struct net_http *h, const struct net_http_req *r, size_t *same)
{
	struct hconn *idle = NULL;
	*same = 0;
	for (struct hconn *c = h->conns; c; c = c->next) {
		if (strcmp(c->key, r->key) != 0)
			continue;
		(*same)++;
		if (c->state == HC_IDLE && !idle)
			idle = c;
	}
	return idle;
}

static void conn_idle_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct hconn *c = t->data;
	if (c->state == HC_IDLE) {
		conn_free(c);
		return;
	}
	char why[300];
	snprintf(why, sizeof(why), "Connection to %s timed out after %.0f s", c->host,
		HTTP_CONNECT_TIMEOUT_S);
	conn_fail(c, why);
}

static int try_connect(struct hconn *c);

/* The TCP connection is up: TLS or the request next. */
static void conn_connected(struct hconn *c)
{
	ev_timer_stop(c->h->loop, &c->attempt);
	freeaddrinfo(c->addrs);
	c->addrs = c->addr_next = NULL;
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!c->tls) {
		conn_send_request(c);
		return;
	}
	c->state = HC_TLS;
	char why[256];
	if (ws_tls_start(c->tls, why, sizeof(why)) == WS_TLS_FAILED) {
		conn_fail(c, why);
		return;
	}
	ws_tls_output(c->tls, &c->out);
	if (conn_flush(c) != 0)
		conn_fail(c, strerror(errno));
}

static void connect_failed(struct hconn *c, int err)
{
	c->last_errno = err;
	close(c->fd);
	c->fd = -1;
	ev_io_stop(c->h->loop, &c->io);
	if (try_connect(c) != 0) {
		char why[300];
		snprintf(why, sizeof(why), "Failed to connect to %s: %s", c->host,
			strerror(c->last_errno ? c->last_errno : ECONNREFUSED));
		conn_fail(c, why);
	}
}

/* Start a connect to the next resolved address. -1 when none is left. */
static int try_connect(struct hconn *c)
{
	while (c->addr_next) {
		struct addrinfo *a = c->addr_next;
		c->addr_next = a->ai_next;
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			a->ai_protocol);
		if (fd < 0) {
			c->last_errno = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
			c->last_errno = errno;
			close(fd);
			continue;
		}
		c->fd = fd;
		/* even an immediate success is reported by EV_WRITE, so it runs from the loop */
		set_events(c, EV_WRITE);
		ev_timer_stop(c->h->loop, &c->attempt);
		if (c->addr_next)
			ev_timer_start(c->h->loop, &c->attempt);
		return 0;
	}
	return -1;
}

static void attempt_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct hconn *c = t->data;
	if (c->state == HC_CONNECTING)
		connect_failed(c, ETIMEDOUT);
}

static void conn_on_writable_connecting(struct hconn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err)
		connect_failed(c, err);
	else
		conn_connected(c);
}

static void conn_on_end(struct hconn *c, const char *why);

/* Bytes of the response (plaintext), and whether the connection ended right after them. The
 * request completes, fails, or wants more. */
static void conn_on_plain(struct hconn *c, const char *data, size_t n, int eof)
{
	struct net_http_req *r = c->req;
	if (!r || c->state != HC_BUSY) {
		/* bytes nobody asked for on an idle connection: it cannot be trusted again */
		conn_free(c);
		return;
	}
	size_t used = http_parse_feed(&r->parse, data, n);
	if (r->parse.state == HP_ERROR) {
		conn_fail(c, r->parse.error);
		return;
	}
	if (r->parse.state != HP_DONE) {
		if (eof)
			conn_on_end(c, NULL);
		return;
	}
	c->req = NULL;
	r->conn = NULL;
	if (r->parse.keep_alive && !eof && used == n && !c->out.len) {
		c->state = HC_IDLE;
		c->served++;
		set_events(c, EV_READ); /* to see the server close it */
		ev_timer_set(&c->timer, HTTP_IDLE_S, 0.);
		ev_timer_start(c->h->loop, &c->timer);
	} else {
		conn_free(c);
	}
	finish(r, r->parse.status, NULL);
}

/* The socket ended (EOF, reset or TLS close) while busy or idle. */
static void conn_on_end(struct hconn *c, const char *why)
{
	struct net_http_req *r = c->req;
	if (!r || c->state != HC_BUSY) {
		conn_fail(c, why ? why : "the server closed the connection");
		return;
	}
	if (http_parse_eof(&r->parse) == 0) {
		c->req = NULL;
		r->conn = NULL;
		conn_free(c);
		finish(r, r->parse.status, NULL);
		return;
	}
	conn_fail(c, why ? why : r->parse.error);
}

static void conn_on_readable(struct hconn *c)
{
	char data[HTTP_READ_CHUNK];
	ssize_t n = recv(c->fd, data, sizeof(data), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		char why[200];
		snprintf(why, sizeof(why), "Receive failure: %s", strerror(errno));
		conn_on_end(c, why);
		return;
	}
	if (n == 0) {
		conn_on_end(c, NULL);
		return;
	}
	if (!c->tls) {
		conn_on_plain(c, data, (size_t)n, 0);
		return;
	}
	char why[256];
	enum ws_tls_status st = ws_tls_input(c->tls, data, (size_t)n, &c->plain, why, sizeof(why));
	ws_tls_output(c->tls, &c->out); /* handshake messages, alerts */
	if (st == WS_TLS_FAILED) {
		conn_fail(c, why);
		return;
	}
	if (c->state == HC_TLS) {
		if (ws_tls_ready(c->tls)) {
			buf_reset(&c->plain);
			conn_send_request(c);
			return;
		}
		if (st == WS_TLS_CLOSED) {
			conn_fail(c, "TLS: the server closed the connection during the handshake");
			return;
		}
		if (conn_flush(c) != 0)
			conn_fail(c, strerror(errno));
		return;
	}
	if (c->plain.len) {
		/* conn_on_plain may free c: take the bytes out first */
		struct buf plain = c->plain;
		memset(&c->plain, 0, sizeof(c->plain));
		conn_on_plain(c, plain.data, plain.len, st == WS_TLS_CLOSED);
		buf_free(&plain);
		return;
	}
	if (st == WS_TLS_CLOSED) {
		conn_on_end(c, NULL);
		return;
	}
	if (c->out.len && conn_flush(c) != 0)
		conn_fail(c, strerror(errno));
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hconn *c = w->data;
	if (c->state == HC_CONNECTING) {
		conn_on_writable_connecting(c);
		return;
	}
	if (revents & EV_WRITE) {
		if (conn_flush(c) != 0) {
			char why[200];
			snprintf(why, sizeof(why), "Send failure: %s", strerror(errno));
			conn_fail(c, why);
			return;
		}
	}
	if (revents & EV_READ)
		conn_on_readable(c);
}

/* A new connection for r: resolve, then start connecting. NULL with *why on failure. */
static struct hconn *conn_new(struct net_http *h, struct net_http_req *r, char *why,
	size_t why_len)
{
	if (r->use_tls && !h->tls_ctx && !(h->tls_ctx = ws_tls_ctx_new(h->ca_file, why, why_len)))
		return NULL;
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	char port[8];
	snprintf(port, sizeof(port), "%d", r->port);
	int rc = getaddrinfo(r->host, port, &hints, &res);
	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		hints.ai_flags = 0; /* loopback-only machines: AI_ADDRCONFIG hides 127.0.0.1 */
		rc = getaddrinfo(r->host, port, &hints, &res);
	}
	if (rc != 0 || !res) {
		snprintf(why, why_len, "Could not resolve host: %s (%s)", r->host, gai_strerror(rc));
		return NULL;
	}
	struct hconn *c = xcalloc(1, sizeof(*c));
	c->h = h;
	c->fd = -1;
	c->key = xstrdup(r->key);
	c->host = xstrdup(r->host);
	c->addrs = c->addr_next = res;
	c->state = HC_CONNECTING;
	ev_io_init(&c->io, conn_io_cb, -1, 0);
	c->io.data = c;
	ev_timer_init(&c->timer, conn_idle_timeout, HTTP_CONNECT_TIMEOUT_S, 0.);
	c->timer.data = c;
	ev_timer_init(&c->attempt, attempt_timeout, HTTP_ADDR_FALLBACK_S, 0.);
	c->attempt.data = c;
	if (r->use_tls)
		c->tls = ws_tls_new(h->tls_ctx, r->host);
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	if (try_connect(c) != 0) {
		snprintf(why, why_len, "Failed to connect to %s: %s", r->host,
			strerror(c->last_errno ? c->last_errno : ECONNREFUSED));
		conn_free(c);
		return NULL;
	}
	ev_timer_start(h->loop, &c->timer);
	return c;
}

static void attach(struct hconn *c, struct net_http_req *r)
{
	c->req = r;
	r->conn = c;
	/* a retried request starts over (nothing of the first answer was kept) */
	buf_reset(&r->body);
	http_parse_free(&r->parse);
	http_parse_init(&r->parse, &r->body, NET_HTTP_MAX_BODY, 0);
}

/* Give every waiting request a connection: an idle one to its host, or a new one while the
 * host has fewer than HTTP_MAX_PER_HOST. Runs from the loop (kick), never from a caller. */
static void pump(struct net_http *h)
{
	for (struct net_http_req *r = h->reqs; r; r = r->next) {
		if (r->conn)
			continue;
		size_t same;
		struct hconn *idle = find_idle(h, r, &same);
		if (idle) {
			attach(idle, r);
			conn_send_request(idle);
			continue;
		}
		if (same >= HTTP_MAX_PER_HOST)
			continue;
		char why[300];
		struct hconn *c = conn_new(h, r, why, sizeof(why));
		if (!c) {
			/* its callback may free h: the others wait for the next turn (finish kicks) */
			finish(r, 0, why);
			return;
		}
		attach(c, r); /* the request goes out once connected */
	}
}

static void kick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	pump(t->data);
}

static void req_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct net_http_req *r = t->data;
	char why[120];
	snprintf(why, sizeof(why), "Operation timed out after %ld milliseconds", r->timeout_ms);
	struct hconn *c = r->conn;
	if (c) {
		/* the connection is mid-response: it cannot carry anything else */
		c->req = NULL;
		r->conn = NULL;
		conn_free(c);
	}
	finish(r, 0, why);
}

/* ---------------- the public interface ---------------- */

struct net_http *net_http_new(struct ev_loop *loop, const char *ca_file)
{
	struct net_http *h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	h->ca_file = xstrdup(ca_file);
	ev_timer_init(&h->kick, kick_cb, 0., 0.);
	h->kick.data = h;
	return h;
}

void net_http_cancel(struct net_http_req *r)
{
	if (!r)
		return;
	struct hconn *c = r->conn;
	if (c) {
		c->req = NULL;
		r->conn = NULL;
		conn_free(c); /* mid-request: the rest of its response would be garbage */
	}
	unlink_req(r);
	free_req(r);
}

void net_http_free(struct net_http *h)
{
	if (!h)
		return;
	while (h->reqs)
		net_http_cancel(h->reqs);
	while (h->conns)
		conn_free(h->conns);
	ev_timer_stop(h->loop, &h->kick);
	ws_tls_ctx_free(h->tls_ctx);
	free(h->ca_file);
	free(h);
}

size_t net_http_active(const struct net_http *h)
{
	return h ? h->n_active : 0;
}

static int is_token(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < 'A' || *s > 'Z')
			return 0;
	return 1;
}

/* no control characters or bytes above ASCII (they would split or smuggle lines); spaces
 * and tabs only where allowed (header values) */
static int printable_ascii(const char *s, int allow_space)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch == ' ' || ch == '\t') && allow_space)
			continue;
		if (ch <= 0x20 || ch >= 0x7f)
			return 0;
	}
	return 1;
}

static int has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; headers && headers[i]; i++)
		if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
			return 1;
	return 0;
}

/* Parse the URL and serialise the request into r. -1 when the options are unusable. */
static int build_request(struct net_http_req *r, const struct net_http_opts *o)
{
	const char *method = o->method ? o->method : "GET";
	if (!is_token(method) || !printable_ascii(o->url, 0))
		return -1;
	for (size_t i = 0; o->headers && o->headers[i]; i++)
		if (!strchr(o->headers[i], ':') || !printable_ascii(o->headers[i], 1))
			return -1;
	char *copy = xstrdup(o->url);
	const char *prot = NULL, *addr = NULL, *path = NULL;
	int port = 0;
	if (lws_parse_uri(copy, &prot, &addr, &port, &path) != 0 || !addr || !addr[0] ||
		(strcmp(prot, "http") != 0 && strcmp(prot, "https") != 0) || port <= 0 ||
		port > 65535) {
		free(copy);
		return -1;
	}
	r->use_tls = strcmp(prot, "https") == 0;
	r->host = xstrdup(addr);
	r->port = port;
	r->key = xasprintf("%s://%s:%d", prot, addr, port);
	int default_port = port == (r->use_tls ? 443 : 80);
	int v6 = strchr(addr, ':') != NULL;

	struct buf *b = &r->request;
	buf_printf(b, "%s /%s HTTP/1.1\r\nHost: %s%s%s", method, path ? path : "", v6 ? "[" : "",
		addr, v6 ? "]" : "");
	if (!default_port)
		buf_printf(b, ":%d", port);
	buf_puts(b, "\r\nUser-Agent: moltty/" PACKAGE_VERSION "\r\n");
	if (!has_header(o->headers, "Accept"))
		buf_puts(b, "Accept: */*\r\n");
	for (size_t i = 0; o->headers && o->headers[i]; i++) {
		buf_puts(b, o->headers[i]);
		buf_puts(b, "\r\n");
	}
	int wants_length = o->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		strcmp(method, "PATCH") == 0;
	if (wants_length)
		buf_printf(b, "Content-Length: %zu\r\n", o->body ? o->body_len : 0);
	buf_puts(b, "\r\n");
	if (o->body)
		buf_append(b, o->body, o->body_len);
	free(copy);
	return 0;
}

struct net_http_req *net_http_request(struct net_http *h, const struct net_http_opts *o,
	net_http_cb cb, void *ud)
{
	if (!h || !o || !o->url)
		return NULL;
	struct net_http_req *r = xcalloc(1, sizeof(*r));
	r->h = h;
	r->cb = cb;
	r->ud = ud;
	http_parse_init(&r->parse, &r->body, NET_HTTP_MAX_BODY, 0);
	if (build_request(r, o) != 0) {
		free_req(r);
		return NULL;
	}
	r->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : (long)NET_HTTP_TIMEOUT_MS;
	ev_timer_init(&r->timeout, req_timeout_cb, (double)r->timeout_ms / 1000., 0.);
	r->timeout.data = r;
	ev_timer_start(h->loop, &r->timeout);
	/* a kept-alive connection that is free takes it now, unless others wait before it */
	size_t same;
	struct hconn *idle = any_waiting(h) ? NULL : find_idle(h, r, &same);
	r->prev = h->reqs_tail;
	if (h->reqs_tail)
		h->reqs_tail->next = r;
	else
		h->reqs = r;
	h->reqs_tail = r;
	h->n_active++;
	if (idle) {
		attach(idle, r);
		conn_send_request(idle);
	} else {
		kick(h);
	}
	return r;
}
