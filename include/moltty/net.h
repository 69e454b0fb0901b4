/* net: event-loop glue for the client. HTTP/1.1 requests (our own client, kept-alive
 * connections) and WebSocket connections through an lws client context, both on the caller's
 * libev loop, plus an exponential backoff helper. Only net/ (and server/) include
 * libwebsockets.h. Callbacks always run from the loop, never from inside the call that started
 * the work. */
#ifndef MOLTTY_NET_H
#define MOLTTY_NET_H

#include <stddef.h>
#include <stdint.h>
#include <ev.h>

/* ---------------- HTTP/1.1 ---------------- */

struct net_http;
struct net_http_req;

#define NET_HTTP_TIMEOUT_MS 20000
#define NET_HTTP_MAX_BODY (8u << 20) /* bigger responses fail with a transport error */

struct net_http_result {
	int status;          /* HTTP status, 0 on a transport error */
	const char *error;   /* transport error text when status == 0, else NULL */
	const char *body;    /* NUL-terminated, never NULL */
	size_t body_len;
	/* X-RateLimit-* headers, -1 when absent (Reset is absolute Unix seconds) */
	long long rl_limit, rl_remaining, rl_reset;
};

/* Called once per request unless cancelled; the result is valid only during the call.
 * The request handle is gone once this runs. */
typedef void (*net_http_cb)(void *ud, const struct net_http_result *r);

struct net_http_opts {
	const char *method;       /* GET POST PUT PATCH DELETE; NULL = GET */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
	const char *body;         /* copied; NULL = none */
	size_t body_len;
	long timeout_ms;          /* 0 = NET_HTTP_TIMEOUT_MS */
};

/* ca_file NULL: the system store. Certificate checks are never disabled. */
struct net_http *net_http_new(struct ev_loop *loop, const char *ca_file);
/* Cancels (without callbacks) every request still running. */
void net_http_free(struct net_http *h);
/* Start a request. Returns a handle usable with net_http_cancel until the callback runs;
 * NULL only when the options are unusable (then cb is not called): a URL that is not
 * http(s)://host[:port]/..., or a method, URL or header with bytes that would split or
 * smuggle HTTP lines (controls, CR/LF, non-ASCII). */
struct net_http_req *net_http_request(struct net_http *h, const struct net_http_opts *o,
	net_http_cb cb, void *ud);
void net_http_cancel(struct net_http_req *r);
/* Number of requests in flight (tests, shutdown). */
size_t net_http_active(const struct net_http *h);

/* ---------------- WebSocket (lws client) ---------------- */

struct net_ws_ctx;
struct net_ws;

#define NET_WS_MAX_MESSAGE (1u << 20) /* reassembled text frames above this close the socket */

struct net_ws_handlers {
	void (*on_open)(void *ud);
	void (*on_text)(void *ud, const char *text, size_t len);
	/* The peer or the network closed an open socket: code 1006 when there was no close frame. */
	void (*on_close)(void *ud, int code, const char *reason);
	/* The connection could not be established (DNS, TCP, TLS, HTTP upgrade). */
	void (*on_error)(void *ud, const char *reason);
};

struct net_ws_ctx *net_ws_ctx_new(struct ev_loop *loop, const char *ca_file);
void net_ws_ctx_free(struct net_ws_ctx *x); /* before ev_loop_destroy */
/* Start connecting to ws:// or wss:// url. Exactly one of on_close/on_error ends the
 * connection's life (unless net_ws_close() was called first); after it the handle is freed.
 * Returns NULL when the URL is malformed. */
struct net_ws *net_ws_open(struct net_ws_ctx *x, const char *url, const struct net_ws_handlers *h,
	void *ud);
/* Queue a text frame (copied). 0, or -1 when the socket is not open. */
int net_ws_send(struct net_ws *w, const char *text, size_t len);
int net_ws_is_open(const struct net_ws *w);
/* Close and forget: no further callbacks; the handle must not be used again. */
void net_ws_close(struct net_ws *w, int code, const char *reason);

/* ---------------- backoff ---------------- */

struct net_backoff {
	int64_t base_ms;
	int64_t cap_ms;
	unsigned attempt;
};
void net_backoff_init(struct net_backoff *b, int64_t base_ms, int64_t cap_ms);
/* Next delay: min(cap, base * 2^attempt) scaled by a random factor in [0.5, 1.0] ("equal
 * jitter"), then attempt++. Never below 1 ms. */
int64_t net_backoff_next(struct net_backoff *b);
void net_backoff_reset(struct net_backoff *b);

#endif
