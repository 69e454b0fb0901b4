/* WebSocket client: lws is the transport (sockets, DNS, connect timeouts, the libev foreign
 * loop) through its raw client role; the protocol is ours. ws_tls.c runs TLS over memory BIOs
 * (lws 4.1.6's raw role cannot), ws_upgrade.c the opening handshake, ws_frame.c the frames:
 * lws's ws role parsed every payload byte through a state machine, ~31,000 instructions per
 * 590-byte frame. Also: a send queue coalesced into one write per WRITEABLE, reassembly of
 * fragmented messages with a size cap, UTF-8 checks of text, and the workarounds measured in
 * pitfalls.md (late timers, log routing). */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/net.h"
#include "reassembly.h"
#include "ws_frame.h"
#include "ws_tls.h"

#define WS_RX_BUFFER 65536
/* The late-timer workaround's period (see kick_cb): short while a connection is being set up or
 * torn down (lws connect/close timeouts must fire on time), long once every connection is
 * established, when lws arms no timeout of ours (our pings are the client's ev timers; a
 * timer lws keeps for itself is then at most KICK_SETTLED_S late). */
#define KICK_BUSY_S 0.5
#define KICK_SETTLED_S 30.
/* Receive moderation: when data arrives again less than this after the previous read, the
 * socket is left unread for this long, so a flood is taken in few large reads instead of one
 * wakeup and one recv per frame (each costs this VM ~4 us of system time). A chat whose
 * frames come further apart than this is read at once, as before. 4 ms against 1 ms: client
 * core 2.10 against 2.32 us per message (medians of 5, one frame per write); the screen
 * draws a frame per 16 ms at most in a flood anyway. */
#define WS_RX_BATCH_S 0.004
/* after our close frame, how long the server gets to answer with its own */
#define CLOSE_ACK_S 3

enum ws_state {
	WS_CONNECTING,   /* TCP (lws) */
	WS_TLS_HANDSHAKE,
	WS_UPGRADING,    /* the upgrade request is sent; reading the response */
	WS_OPEN,
	WS_CLOSING,      /* a close frame went one way or the other: no more data frames */
};

struct net_ws_ctx {
	struct ev_loop *loop;
	struct lws_context *ctx;
	char *ca_file;
	/* the TLS client context and its CA store: made at the first wss:// connection, so a
	 * ws:// client never loads the system store (~244 M instructions, megabytes of RSS) */
	struct ws_tls_ctx *tls;
	ev_timer kick;
	struct net_ws *all; /* every live handle, for shutdown */
	int destroying;
	unsigned char masks[256]; /* random bytes for frame mask keys, 4 per frame */
	size_t masks_left;
	struct buf scratch;       /* a frame being built before encryption */
};

struct net_ws {
	struct net_ws_ctx *x;
	struct net_ws *prev, *next;
	struct lws *wsi;
	struct net_ws_handlers h;
	void *ud;
	enum ws_state state;
	int open;          /* on_open was due (the upgrade succeeded) */
	int detached;      /* owner called net_ws_close: no more callbacks */
	int close_wanted;  /* send our close frame on the next WRITEABLE */
	int close_code;
	char close_reason[64];
	int close_sent;    /* our close frame is queued or gone */
	int drop_after_write; /* close the socket once the queue is written */
	int peer_code;     /* from the peer's close frame (or our protocol error), 0 when none */
	char peer_reason[124];
	int in_connect;    /* inside lws_client_connect_via_info */
	int failed_sync;   /* connection error reported during connect */
	char *fail_reason; /* why the connection could not be established */
	ev_timer defer;    /* reports a synchronous failure from the loop */
	ev_timer rx_pause; /* receive moderation (WS_RX_BATCH_S): reading resumes when it fires */
	ev_tstamp last_rx;
	int rx_paused;
	int use_tls;
	struct ws_tls *tls;
	char *host, *path;
	int port;
	char key[WS_KEY_LEN + 1];
	struct buf hs;     /* the upgrade response so far */
	struct buf out;    /* bytes for the socket: LWS_PRE of headroom, then the queue */
	struct buf plain;  /* decrypted bytes for the decoder (TLS only) */
	struct ws_dec dec;
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
		busy = w->state != WS_OPEN || w->detached || w->close_wanted || !w->wsi;
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
	ev_timer_stop(x->loop, &w->rx_pause);
	ws_tls_free(w->tls);
	ws_dec_free(&w->dec);
	buf_free(&w->hs);
	buf_free(&w->out);
	buf_free(&w->plain);
	free(w->host);
	free(w->path);
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

static void set_fail(struct net_ws *w, const char *why)
{
	if (!w->fail_reason)
		w->fail_reason = xstrdup(why);
}

/* ---- the outgoing queue: everything goes through w->out, one lws_write per WRITEABLE ---- */

static void next_mask(struct net_ws_ctx *x, unsigned char mask[4])
{
	if (x->masks_left < 4) {
		/* RFC 6455 wants unpredictable keys: the kernel's CSPRNG (aborts if it fails) */
		random_bytes_kernel(x->masks, sizeof(x->masks));
		x->masks_left = sizeof(x->masks);
	}
	x->masks_left -= 4;
	memcpy(mask, x->masks + x->masks_left, 4);
}

/* Bytes of the protocol (upgrade request, frames) to the socket, through TLS when used. */
static void queue_bytes(struct net_ws *w, const void *data, size_t n)
{
	if (w->tls) {
		ws_tls_write(w->tls, data, n);
		ws_tls_output(w->tls, &w->out);
	} else {
		buf_append(&w->out, data, n);
	}
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
}

static void queue_frame(struct net_ws *w, enum ws_opcode op, const void *data, size_t n)
{
	unsigned char mask[4];
	next_mask(w->x, mask);
	if (!w->tls) {
		ws_frame_build(&w->out, op, data, n, mask);
		if (w->wsi)
			lws_callback_on_writable(w->wsi);
		return;
	}
	struct buf *f = &w->x->scratch;
	buf_reset(f);
	ws_frame_build(f, op, data, n, mask);
	queue_bytes(w, f->data, f->len);
}

static void queue_close(struct net_ws *w, int code, const char *reason)
{
	unsigned char mask[4];
	next_mask(w->x, mask);
	struct buf *f = &w->x->scratch;
	buf_reset(f);
	ws_frame_build_close(f, code == WS_CLOSE_NO_STATUS ? 0 : code, reason, mask);
	queue_bytes(w, f->data, f->len);
	w->close_sent = 1;
	w->state = WS_CLOSING;
	kick_update(w->x);
}

/* ---- receiving ---- */

static int dec_event(void *ud, enum ws_dec_event ev, const char *data, size_t len)
{
	struct net_ws *w = ud;
	switch (ev) {
	case WS_EV_TEXT:
		if (w->state != WS_OPEN || w->detached)
			return 0; /* closing: only the peer's close frame matters now */
		/* RFC 6455 text frames are UTF-8 */
		if (!ws_text_is_utf8(data, len)) {
			/* a broken or hostile server: drop the frame, keep the session */
			log_warn("ws: dropping a text message that is not UTF-8 (%zu bytes)", len);
			return 0;
		}
		if (w->h.on_text)
			w->h.on_text(w->ud, data, len); /* may call net_ws_close(w): handled by flags */
		return 0;
	case WS_EV_BINARY:
	case WS_EV_PONG:
		return 0;
	case WS_EV_PING:
		if (w->state == WS_OPEN && !w->close_wanted)
			queue_frame(w, WS_OP_PONG, data, len);
		return 0;
	case WS_EV_CLOSE: {
		int code = 0;
		char reason[sizeof(w->peer_reason)];
		if (ws_close_parse(data, len, &code, reason, sizeof(reason)) != 0) {
			code = WS_CLOSE_PROTOCOL;
			snprintf(reason, sizeof(reason), "malformed close frame");
		}
		if (!w->peer_code) {
			w->peer_code = code;
			snprintf(w->peer_reason, sizeof(w->peer_reason), "%s", reason);
		}
		if (!w->close_sent)
			queue_close(w, code, NULL); /* echo the code, as RFC 6455 5.5.1 asks */
		w->drop_after_write = 1; /* both close frames are (about to be) on their way */
		if (w->wsi)
			lws_callback_on_writable(w->wsi);
		return 1;
	}
	}
	return 0;
}

/* Decoded bytes of an open connection. -1: close the socket now. */
static int consume_frames(struct net_ws *w, const char *p, size_t n)
{
	int rc = ws_dec_feed(&w->dec, p, n, dec_event, w);
	if (rc <= 0)
		return 0;
	/* the server broke the protocol, or sent a message over the cap */
	if (rc == WS_CLOSE_TOO_BIG)
		log_warn("ws: dropping a message over %u bytes; closing", NET_WS_MAX_MESSAGE);
	else
		log_warn("ws: protocol error from the server; closing");
	if (!w->peer_code) {
		w->peer_code = rc;
		snprintf(w->peer_reason, sizeof(w->peer_reason), "%s",
			rc == WS_CLOSE_TOO_BIG ? "message too big" : "protocol error");
	}
	if (!w->close_sent)
		queue_close(w, rc, NULL);
	w->drop_after_write = 1;
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
	return 0;
}

/* The upgrade response, then frames. -1: close the socket now. */
static int consume_plain(struct net_ws *w, const char *p, size_t n)
{
	if (w->state != WS_UPGRADING)
		return w->state >= WS_OPEN ? consume_frames(w, p, n) : 0;
	if (w->detached)
		return -1; /* closed by the owner before it opened */
	buf_append(&w->hs, p, n);
	size_t used = 0;
	int status = 0;
	char why[160];
	switch (ws_upgrade_response(w->hs.data, w->hs.len, w->key, &used, &status, why,
		sizeof(why))) {
	case WS_UPGRADE_MORE:
		return 0;
	case WS_UPGRADE_FAILED:
		set_fail(w, why);
		return -1;
	case WS_UPGRADE_OK:
		break;
	}
	w->state = WS_OPEN;
	w->open = 1;
	kick_update(w->x);
	if (w->h.on_open)
		w->h.on_open(w->ud); /* may send, or call net_ws_close(w): handled by the flags */
	/* frames that came in the same read as the response */
	struct buf rest = w->hs;
	struct buf empty = BUF_INIT;
	w->hs = empty;
	int rc = used < rest.len ? consume_frames(w, rest.data + used, rest.len - used) : 0;
	buf_free(&rest);
	return rc;
}

static void send_upgrade(struct net_ws *w)
{
	ws_upgrade_key(w->key);
	char *req = ws_upgrade_request(w->host, w->port, w->use_tls, w->path, w->key);
	w->state = WS_UPGRADING;
	queue_bytes(w, req, strlen(req));
	free(req);
}

/* Bytes from the socket. -1: close it. */
static int on_rx_bytes(struct net_ws *w, const char *in, size_t len)
{
	if (!w->tls)
		return consume_plain(w, in, len);
	char why[200];
	buf_reset(&w->plain);
	int was_ready = ws_tls_ready(w->tls);
	enum ws_tls_status s = ws_tls_input(w->tls, in, len, &w->plain, why, sizeof(why));
	ws_tls_output(w->tls, &w->out);
	if (w->out.len > LWS_PRE)
		lws_callback_on_writable(w->wsi);
	if (s == WS_TLS_FAILED) {
		set_fail(w, why);
		return -1;
	}
	if (!was_ready && ws_tls_ready(w->tls))
		send_upgrade(w);
	if (w->plain.len && consume_plain(w, w->plain.data, w->plain.len) < 0)
		return -1;
	if (s == WS_TLS_CLOSED)
		return -1; /* close_notify: the peer is done */
	return 0;
}

static void rx_resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct net_ws *w = t->data;
	w->rx_paused = 0;
	if (w->wsi)
		lws_rx_flow_control(w->wsi, 1);
}

/* Small reads closer together than WS_RX_BATCH_S: pause reading for that long. A read that
 * filled the buffer is not paused: the sender is faster than we read, and pausing would cap
 * the rate at a buffer per pause. */
static void rx_moderate(struct net_ws *w, size_t len)
{
	ev_tstamp now = ev_now(w->x->loop);
	if (w->state == WS_OPEN && !w->rx_paused && len < WS_RX_BUFFER / 2 &&
		now - w->last_rx < WS_RX_BATCH_S) {
		w->rx_paused = 1;
		lws_rx_flow_control(w->wsi, 0);
		ev_timer_set(&w->rx_pause, WS_RX_BATCH_S, 0.);
		ev_timer_start(w->x->loop, &w->rx_pause);
	}
	w->last_rx = now;
}

/* Bytes from the socket. -1: close it. */
static int on_rx(struct net_ws *w, const char *in, size_t len)
{
	int rc = on_rx_bytes(w, in, len);
	if (rc == 0 && w->wsi)
		rx_moderate(w, len);
	return rc;
}

static int on_connected(struct net_ws *w)
{
	if (w->detached)
		return -1;
	if (!w->use_tls) {
		send_upgrade(w);
		return 0;
	}
	char why[200];
	w->state = WS_TLS_HANDSHAKE;
	w->tls = ws_tls_new(w->x->tls, w->host);
	if (ws_tls_start(w->tls, why, sizeof(why)) == WS_TLS_FAILED) {
		set_fail(w, why);
		return -1;
	}
	ws_tls_output(w->tls, &w->out);
	lws_callback_on_writable(w->wsi);
	return 0;
}

static int on_writeable(struct net_ws *w, struct lws *wsi)
{
	if (w->close_wanted && !w->close_sent && w->state == WS_OPEN) {
		queue_close(w, w->close_code, w->close_reason);
		/* the server answers with its close frame; don't wait for it forever */
		lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_ACK, CLOSE_ACK_S);
	}
	if (w->out.len > LWS_PRE) {
		/* all queued bytes in one write: lws keeps what the socket doesn't take and holds
		 * back WRITEABLE until it is sent */
		int n = lws_write(wsi, (unsigned char *)w->out.data + LWS_PRE, w->out.len - LWS_PRE,
			LWS_WRITE_RAW);
		w->out.len = LWS_PRE;
		if (n < 0)
			return -1;
	}
	if (w->drop_after_write) {
		if (!lws_partial_buffered(wsi))
			return -1;
		lws_callback_on_writable(wsi);
	}
	return 0;
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
	size_t len)
{
	struct net_ws *w = wsi ? lws_get_opaque_user_data(wsi) : NULL;
	if (!w)
		return 0;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char why[200];
		snprintf(why, sizeof(why), "%.*s", in ? (int)(len ? len : strlen(in)) : 0,
			in ? (const char *)in : "");
		if (!why[0])
			snprintf(why, sizeof(why), "connection failed");
		if (w->in_connect) {
			/* still inside net_ws_open: report from the loop instead */
			lws_set_opaque_user_data(wsi, NULL);
			w->wsi = NULL;
			w->failed_sync = 1;
			set_fail(w, why);
			return 0;
		}
		ws_finish(w, 1, 0, why);
		return 0;
	}
	case LWS_CALLBACK_RAW_CONNECTED:
		return on_connected(w);

	case LWS_CALLBACK_RAW_RX:
		return on_rx(w, in, len);

	case LWS_CALLBACK_RAW_WRITEABLE:
		return on_writeable(w, wsi);

	case LWS_CALLBACK_RAW_CLOSE:
		if (w->open)
			ws_finish(w, 0, w->peer_code ? w->peer_code : WS_CLOSE_ABNORMAL, w->peer_reason);
		else
			ws_finish(w, 1, 0, w->fail_reason ? w->fail_reason :
				w->state == WS_TLS_HANDSHAKE ? "TLS: connection closed during the handshake"
				: "HS: connection closed before the upgrade response");
		return 0;

	case LWS_CALLBACK_WSI_DESTROY:
		/* safety net: a wsi that died without RAW_CLOSE or CONNECTION_ERROR */
		ws_finish(w, !w->open, w->peer_code ? w->peer_code : WS_CLOSE_ABNORMAL,
			w->open ? w->peer_reason : w->fail_reason);
		return 0;

	default:
		return 0;
	}
}

/* rx_buffer_size: the most lws hands over per RAW_RX; with pt_serv_buf_size below, 64 KiB
 * lets a flood arrive in few large reads. */
static const struct lws_protocols ws_protocols[] = {
	{ "moltty-raw", ws_callback, 0, WS_RX_BUFFER, 0, NULL, 0 },
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
	/* no LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT: lws does no TLS for us (ws_tls.c does), so it
	 * must not build a client SSL_CTX and load the system CA store at start-up */
	info.options = LWS_SERVER_OPTION_LIBEV;
	info.foreign_loops = foreign;
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
	x->ca_file = xstrdup(ca_file);
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
	/* RAW_CLOSE callbacks run inside lws_context_destroy and free their handles silently */
	lws_context_destroy(x->ctx);
	x->ctx = NULL;
	while (x->all)
		ws_unlink_free(x->all);
	ws_tls_ctx_free(x->tls);
	buf_free(&x->scratch);
	free(x->ca_file);
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

	struct net_ws *w = xcalloc(1, sizeof(*w));
	w->x = x;
	w->h = *h;
	w->ud = ud;
	w->state = WS_CONNECTING;
	w->use_tls = strcmp(prot, "wss") == 0;
	w->host = xstrdup(addr);
	w->port = port;
	w->path = xasprintf("/%s", path ? path : "");
	ws_dec_init(&w->dec, NET_WS_MAX_MESSAGE);
	buf_reserve(&w->out, LWS_PRE + 512);
	w->out.len = LWS_PRE;
	ev_timer_init(&w->defer, defer_cb, 0., 0.);
	w->defer.data = w;
	ev_timer_init(&w->rx_pause, rx_resume_cb, WS_RX_BATCH_S, 0.);
	w->rx_pause.data = w;
	w->next = x->all;
	if (x->all)
		x->all->prev = w;
	x->all = w;
	free(copy);

	char why[200];
	if (w->use_tls && !x->tls && !(x->tls = ws_tls_ctx_new(x->ca_file, why, sizeof(why)))) {
		set_fail(w, why);
		ev_timer_start(x->loop, &w->defer);
		kick_update(x);
		return w;
	}

	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof(ci));
	ci.context = x->ctx;
	ci.address = w->host;
	ci.port = port;
	ci.path = w->path;
	ci.host = w->host;
	ci.method = "RAW";
	ci.local_protocol_name = ws_protocols[0].name;
	ci.opaque_user_data = w;
	ci.pwsi = &w->wsi;

	w->in_connect = 1;
	struct lws *wsi = lws_client_connect_via_info(&ci);
	w->in_connect = 0;
	if (!wsi || w->failed_sync) {
		w->wsi = NULL;
		set_fail(w, "cannot start connection");
		ev_timer_start(x->loop, &w->defer);
	}
	kick_update(x);
	return w;
}

int net_ws_is_open(const struct net_ws *w)
{
	return w && w->wsi && w->state == WS_OPEN && !w->close_wanted;
}

int net_ws_send(struct net_ws *w, const char *text, size_t len)
{
	if (!net_ws_is_open(w))
		return -1;
	queue_frame(w, WS_OP_TEXT, text, len);
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
	if (w->state == WS_OPEN) {
		w->close_wanted = 1;
		w->close_code = code ? code : WS_CLOSE_NORMAL;
		snprintf(w->close_reason, sizeof(w->close_reason), "%s", reason ? reason : "");
		lws_callback_on_writable(w->wsi);
	} else if (w->state != WS_CLOSING) {
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE, LWS_TO_KILL_ASYNC);
	}
}
