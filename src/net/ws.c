/* WebSocket client: one lws client context on the caller's libev loop (foreign loop), a send
 * queue with LWS_PRE headroom, reassembly of fragmented text messages with a size cap, and the
 * workarounds measured in pitfalls.md (late timers, log routing). */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/x509.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/net.h"
#include "moltty/utf8.h"
#include "reassembly.h"

#define WS_RX_BUFFER 65536
/* The late-timer workaround's period (see kick_cb): short while a connection is being set up or
 * torn down (lws connect/close timeouts must fire on time), long once every connection is
 * established, when lws arms no timeout of ours (our pings are the client's ev timers; a
 * timer lws keeps for itself is then at most KICK_SETTLED_S late). */
#define KICK_BUSY_S 0.5
#define KICK_SETTLED_S 30.

struct out_msg {
	struct out_msg *next;
	size_t len;
	unsigned char data[]; /* LWS_PRE headroom, then the payload */
};

struct net_ws_ctx {
	struct ev_loop *loop;
	struct lws_context *ctx;
	ev_timer kick;
	struct net_ws *all; /* every live handle, for shutdown */
	int destroying;
};

struct net_ws {
	struct net_ws_ctx *x;
	struct net_ws *prev, *next;
	struct lws *wsi;
	struct net_ws_handlers h;
	void *ud;
	int open;
	int detached;      /* owner called net_ws_close: no more callbacks */
	int close_wanted;  /* close on the next WRITEABLE */
	int close_code;
	char close_reason[64];
	int peer_code;     /* from the peer's close frame, 0 when none */
	char peer_reason[124];
	int in_connect;    /* inside lws_client_connect_via_info */
	int failed_sync;   /* connection error reported during connect */
	char *fail_reason;
	char tls_error[96]; /* why OpenSSL refused the server's certificate, "" when it didn't */
	ev_timer defer;    /* reports a synchronous failure from the loop */
	struct out_msg *q_head, *q_tail;
	struct ws_reasm rx;
};

static void lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_msg(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "lws: %.*s", (int)n, line);
}

/* lws's libev backend fails to re-arm a running timer, so nearer lws timers can fire late;
 * poking the service regularly makes them run on time (pitfalls.md). */
static void kick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct net_ws_ctx *x = t->data;
	if (x->ctx)
		lws_cancel_service(x->ctx);
}

/* Busy while any connection is connecting, failing or closing: those are the states where lws
 * arms timeouts. An idle client then wakes once per KICK_SETTLED_S for this instead of twice a
 * second. */
static void kick_update(struct net_ws_ctx *x)
{
	if (x->destroying)
		return;
	int busy = 0;
	for (struct net_ws *w = x->all; w && !busy; w = w->next)
		busy = !w->open || w->detached || w->close_wanted || !w->wsi;
	double want = busy ? KICK_BUSY_S : KICK_SETTLED_S;
	if (x->kick.repeat == want && ev_is_active(&x->kick))
		return;
	/* restart rather than change the repeat: going busy must not wait out a 30 s period */
	ev_timer_stop(x->loop, &x->kick);
	ev_timer_set(&x->kick, want, want);
	ev_timer_start(x->loop, &x->kick);
}

static void ws_unlink_free(struct net_ws *w)
{
	struct net_ws_ctx *x = w->x;
	if (w->prev)
		w->prev->next = w->next;
	else if (x->all == w)
		x->all = w->next;
	if (w->next)
		w->next->prev = w->prev;
	ev_timer_stop(x->loop, &w->defer);
	while (w->q_head) {
		struct out_msg *m = w->q_head;
		w->q_head = m->next;
		free(m);
	}
	ws_reasm_free(&w->rx);
	free(w->fail_reason);
	free(w);
	kick_update(x);
}

/* The connection is over: tell the owner (unless detached) and release the handle. */
static void ws_finish(struct net_ws *w, int was_error, int code, const char *reason)
{
	if (w->wsi) {
		lws_set_opaque_user_data(w->wsi, NULL);
		w->wsi = NULL;
	}
	int notify = !w->detached && !w->x->destroying;
	struct net_ws_handlers h = w->h;
	void *ud = w->ud;
	/* reason may point into w (peer_reason, fail_reason): copy before freeing */
	char *why = xstrdup(reason ? reason : (was_error ? "connection failed" : ""));
	ws_unlink_free(w);
	if (notify) {
		if (was_error) {
			if (h.on_error)
				h.on_error(ud, why);
		} else if (h.on_close) {
			h.on_close(ud, code, why);
		}
	}
	free(why);
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
	size_t len)
{
	struct net_ws *w = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	if (!w)
		return 0;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* Only to remember why verification failed (lws's own reason is a bare "SSL err 1").
		 * Returning 0 keeps OpenSSL's verdict: nothing here can accept a refused certificate. */
		if (!len && user && !w->tls_error[0]) {
			int err = X509_STORE_CTX_get_error((X509_STORE_CTX *)user);
			snprintf(w->tls_error, sizeof(w->tls_error), "%s",
				X509_verify_cert_error_string(err));
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char why[200];
		if (w->tls_error[0])
			snprintf(why, sizeof(why), "TLS certificate refused: %s", w->tls_error);
		else
			snprintf(why, sizeof(why), "%.*s", in ? (int)(len ? len : strlen(in)) : 0,
				in ? (const char *)in : "");
		if (!why[0])
			snprintf(why, sizeof(why), "connection failed");
		if (w->in_connect) {
			/* still inside net_ws_open: report from the loop instead */
			lws_set_opaque_user_data(wsi, NULL);
			w->wsi = NULL;
			w->failed_sync = 1;
			w->fail_reason = xstrdup(why);
			return 0;
		}
		ws_finish(w, 1, 0, why);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		w->open = 1;
		kick_update(w->x);
		if (w->q_head || w->close_wanted)
			lws_callback_on_writable(wsi);
		if (!w->detached && w->h.on_open)
			w->h.on_open(w->ud); /* may call net_ws_close(w): handled by the flags */
		return 0;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		switch (ws_reasm_feed(&w->rx, in, len, lws_is_first_fragment(wsi),
			lws_is_final_fragment(wsi), lws_frame_is_binary(wsi))) {
		case WS_REASM_MORE:
		case WS_REASM_BINARY:
			return 0;
		case WS_REASM_OVERFLOW:
			log_warn("ws: dropping a message over %u bytes; closing", NET_WS_MAX_MESSAGE);
			w->peer_code = 1009;
			snprintf(w->peer_reason, sizeof(w->peer_reason), "message too big");
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
			return -1;
		case WS_REASM_TEXT:
			break;
		}
		/* RFC 6455 text frames are UTF-8; lws checks that only when asked to, on receive. */
		if (!ws_text_is_utf8(ws_reasm_text(&w->rx), w->rx.msg.len)) {
			/* a broken or hostile server: drop the frame, keep the session */
			log_warn("ws: dropping a text message that is not UTF-8 (%zu bytes)",
				w->rx.msg.len);
			return 0;
		}
		if (!w->detached && w->h.on_text)
			w->h.on_text(w->ud, ws_reasm_text(&w->rx), w->rx.msg.len);
		return 0;

	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		if (w->close_wanted) {
			lws_close_reason(wsi, (enum lws_close_status)w->close_code,
				(unsigned char *)w->close_reason, strlen(w->close_reason));
			return -1;
		}
		struct out_msg *m = w->q_head;
		if (!m)
			return 0;
		w->q_head = m->next;
		if (!w->q_head)
			w->q_tail = NULL;
		int n = lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);
		free(m);
		if (n < 0)
			return -1;
		if (w->q_head)
			lws_callback_on_writable(wsi);
		return 0;
	}

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (in && len >= 2) {
			const unsigned char *p = in;
			w->peer_code = (p[0] << 8) | p[1];
			size_t rl = len - 2 < sizeof(w->peer_reason) - 1 ? len - 2 : sizeof(w->peer_reason) - 1;
			memcpy(w->peer_reason, p + 2, rl);
			w->peer_reason[rl] = '\0';
		} else {
			w->peer_code = 1005; /* close frame without a status */
		}
		return 0;

	case LWS_CALLBACK_CLIENT_CLOSED:
		ws_finish(w, 0, w->peer_code ? w->peer_code : 1006, w->peer_reason);
		return 0;

	case LWS_CALLBACK_WSI_DESTROY:
		/* safety net: a wsi that died without CLOSED or CONNECTION_ERROR */
		ws_finish(w, !w->open, w->peer_code ? w->peer_code : 1006,
			w->open ? w->peer_reason : "connection failed");
		return 0;

	default:
		return 0;
	}
}

/* rx_buffer_size: lws hands a frame over in pieces of at most this many bytes (0 = 4096);
 * with pt_serv_buf_size below, 64 KiB lets a flood arrive in few large reads. */
static const struct lws_protocols ws_protocols[] = {
	{ "moltty-client", ws_callback, 0, WS_RX_BUFFER, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};


struct net_ws_ctx *net_ws_ctx_new(struct ev_loop *loop, const char *ca_file)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
	struct net_ws_ctx *x = xcalloc(1, sizeof(*x));
	x->loop = loop;
	void *foreign[1] = { loop };
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = ws_protocols;
	info.options = LWS_SERVER_OPTION_LIBEV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = foreign;
	info.client_ssl_ca_filepath = ca_file;
	/* lws reads the socket into this per-thread buffer: its size, not rx_buffer_size, bounds
	 * each read (4096 made a flood one recvfrom per 7 frames) */
	info.pt_serv_buf_size = WS_RX_BUFFER;
	info.gid = -1;
	info.uid = -1;
	x->ctx = lws_create_context(&info);
	if (!x->ctx) {
		log_error("ws: lws_create_context failed (is libwebsockets-evlib-ev installed?)");
		free(x);
		return NULL;
	}
	ev_timer_init(&x->kick, kick_cb, KICK_SETTLED_S, KICK_SETTLED_S);
	x->kick.data = x;
	ev_timer_start(loop, &x->kick);
	return x;
}

void net_ws_ctx_free(struct net_ws_ctx *x)
{
	if (!x)
		return;
	ev_timer_stop(x->loop, &x->kick);
	x->destroying = 1;
	/* CLOSED callbacks run inside lws_context_destroy and free their handles silently */
	lws_context_destroy(x->ctx);
	x->ctx = NULL;
	while (x->all)
		ws_unlink_free(x->all);
	free(x);
}

static void defer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct net_ws *w = t->data;
	char *why = w->fail_reason ? xstrdup(w->fail_reason) : xstrdup("connection failed");
	ws_finish(w, 1, 0, why);
	free(why);
}

struct net_ws *net_ws_open(struct net_ws_ctx *x, const char *url, const struct net_ws_handlers *h,
	void *ud)
{
	if (!x || !url)
		return NULL;
	char *copy = xstrdup(url);
	const char *prot = NULL, *addr = NULL, *path = NULL;
	int port = 0;
	if (lws_parse_uri(copy, &prot, &addr, &port, &path) != 0 || !addr || !addr[0] ||
		(strcmp(prot, "ws") != 0 && strcmp(prot, "wss") != 0)) {
		free(copy);
		return NULL;
	}
	int tls = strcmp(prot, "wss") == 0;
	char *fullpath = xasprintf("/%s", path ? path : "");

	struct net_ws *w = xcalloc(1, sizeof(*w));
	w->x = x;
	w->h = *h;
	w->ud = ud;
	ws_reasm_init(&w->rx, NET_WS_MAX_MESSAGE);
	ev_timer_init(&w->defer, defer_cb, 0., 0.);
	w->defer.data = w;
	w->next = x->all;
	if (x->all)
		x->all->prev = w;
	x->all = w;

	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = x->ctx;
	ci.address = addr;
	ci.port = port;
	ci.path = fullpath;
	ci.host = addr;
	ci.origin = addr;
	ci.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
	ci.local_protocol_name = ws_protocols[0].name;
	ci.opaque_user_data = w;
	ci.pwsi = &w->wsi;

	w->in_connect = 1;
	struct lws *wsi = lws_client_connect_via_info(&ci);
	w->in_connect = 0;
	free(fullpath);
	free(copy);
	if (!wsi || w->failed_sync) {
		w->wsi = NULL;
		if (!w->fail_reason)
			w->fail_reason = xstrdup("cannot start connection");
		ev_timer_start(x->loop, &w->defer);
	}
	kick_update(x);
	return w;
}

int net_ws_is_open(const struct net_ws *w)
{
	return w && w->wsi && w->open && !w->close_wanted;
}

int net_ws_send(struct net_ws *w, const char *text, size_t len)
{
	if (!net_ws_is_open(w))
		return -1;
	struct out_msg *m = xmalloc(sizeof(*m) + LWS_PRE + len);
	m->next = NULL;
	m->len = len;
	memcpy(m->data + LWS_PRE, text, len);
	if (w->q_tail)
		w->q_tail->next = m;
	else
		w->q_head = m;
	w->q_tail = m;
	lws_callback_on_writable(w->wsi);
	return 0;
}

void net_ws_close(struct net_ws *w, int code, const char *reason)
{
	if (!w)
		return;
	w->detached = 1;
	if (!w->wsi) {
		/* never connected (or failure pending on the defer timer) */
		ws_unlink_free(w);
		return;
	}
	kick_update(w->x);
	if (w->open) {
		w->close_wanted = 1;
		w->close_code = code ? code : LWS_CLOSE_STATUS_NORMAL;
		snprintf(w->close_reason, sizeof(w->close_reason), "%s", reason ? reason : "");
		lws_callback_on_writable(w->wsi);
	} else {
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE, LWS_TO_KILL_ASYNC);
	}
}
