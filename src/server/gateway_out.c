/* moltchatsd gateway: outgoing frames. Each frame is serialised and framed once (header +
 * payload) and shared by reference between every socket's queue. Sockets that got frames are
 * flushed once the current event has been handled (an event fed to the loop, so still in this
 * loop turn): as many whole queued frames as fit go out in one write, so a fan-out costs one
 * send() per socket per loop turn instead of one per frame, and no poll round trip (two
 * epoll_ctl and a loop turn per socket) stands between a message and its delivery. A socket
 * that could not take everything waits for lws's WRITEABLE callback, which continues. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "gateway.h"

/* Bytes packed into one write. lws sends at most pt_serv_buf_size (16384, main.c) + LWS_PRE +
 * 4 bytes per send() and copies the rest into its own buffer, so larger batches would only add
 * a copy. */
#define WS_GATHER_MAX 16384
/* Writes per WRITEABLE callback, so one fast reader with a long backlog cannot hold the loop. */
#define WS_WRITES_PER_CALLBACK 4

static unsigned char gather_buf[WS_GATHER_MAX];

struct ws_payload *ws_payload_new(const char *text, size_t len)
{
	struct ws_payload *p = xmalloc(sizeof(*p) + LWS_PRE + len);
	p->refs = 1;
	p->len = len;
	unsigned char *payload = p->buf + LWS_PRE;
	memcpy(payload, text, len);
	/* RFC 6455 §5.2: FIN + text opcode, unmasked, shortest length form (what lws_write
	 * writes for LWS_WRITE_TEXT, so the fallback below rewrites the same bytes). */
	unsigned char hdr[10];
	size_t h = 0;
	hdr[h++] = 0x81;
	if (len < 126) {
		hdr[h++] = (unsigned char)len;
	} else if (len < 65536) {
		hdr[h++] = 126;
		hdr[h++] = (unsigned char)(len >> 8);
		hdr[h++] = (unsigned char)len;
	} else {
		hdr[h++] = 127;
		for (int i = 7; i >= 0; i--)
			hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	p->hdr_len = (unsigned char)h;
	memcpy(payload - h, hdr, h);
	return p;
}

void ws_payload_unref(struct ws_payload *p)
{
	if (p && --p->refs == 0)
		free(p);
}

static inline unsigned char *frame_bytes(struct ws_payload *p)
{
	return p->buf + LWS_PRE - p->hdr_len;
}

static inline size_t frame_len(const struct ws_payload *p)
{
	return p->hdr_len + p->len;
}

/* ---- the per-socket queue: a ring of payload references ---- */

static void q_push(struct ws_conn *c, struct ws_payload *p)
{
	if (c->q_count == c->q_cap) {
		size_t cap = c->q_cap ? c->q_cap * 2 : 16;
		struct ws_payload **q = xmalloc(cap * sizeof(*q));
		for (size_t i = 0; i < c->q_count; i++)
			q[i] = c->q[(c->q_first + i) % c->q_cap];
		free(c->q);
		c->q = q;
		c->q_cap = cap;
		c->q_first = 0;
	}
	c->q[(c->q_first + c->q_count) % c->q_cap] = p;
	c->q_count++;
	c->q_bytes += p->len;
}

static struct ws_payload *q_pop(struct ws_conn *c)
{
	struct ws_payload *p = c->q[c->q_first];
	c->q_first = (c->q_first + 1) % c->q_cap;
	c->q_count--;
	c->q_bytes -= p->len;
	return p;
}

static void conn_queue_free(struct ws_conn *c)
{
	while (c->q_count)
		ws_payload_unref(q_pop(c));
	free(c->q);
	c->q = NULL;
	c->q_cap = c->q_first = 0;
	c->q_bytes = 0;
}

/* One pending WRITEABLE request is enough: the callback drains what it can and asks again.
 * While it is pending, lws may hold unsent bytes of ours: only that callback writes. */
static void want_writable(struct ws_conn *c)
{
	if (c->write_pending)
		return;
	c->write_pending = 1;
	lws_callback_on_writable(c->wsi);
}

static void flush_later(struct ws_conn *c)
{
	struct gateway *gw = c->gw;
	if (c->flush_listed)
		return;
	c->flush_listed = 1;
	c->flush_next = NULL;
	if (gw->flush_tail) {
		gw->flush_tail->flush_next = c;
	} else {
		gw->flush_head = c;
		/* runs flush_cb as soon as the callback that queued this returns */
		ev_feed_event(gw->srv->loop, &gw->flush_w, EV_CUSTOM);
	}
	gw->flush_tail = c;
}

static void flush_forget(struct ws_conn *c)
{
	struct gateway *gw = c->gw;
	if (!c->flush_listed)
		return;
	struct ws_conn *prev = NULL;
	for (struct ws_conn *k = gw->flush_head; k; prev = k, k = k->flush_next) {
		if (k != c)
			continue;
		if (prev)
			prev->flush_next = c->flush_next;
		else
			gw->flush_head = c->flush_next;
		if (gw->flush_tail == c)
			gw->flush_tail = prev;
		break;
	}
	c->flush_listed = 0;
}

void conn_out_release(struct ws_conn *c)
{
	flush_forget(c);
	conn_queue_free(c);
}

static void drop_conn(struct ws_conn *c)
{
	c->dead = 1;
	conn_queue_free(c);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void conn_send_payload(struct ws_conn *c, struct ws_payload *p)
{
	if (c->dead || c->close_code)
		return;
	if (c->q_bytes + p->len > c->gw->srv->cfg.max_queue) {
		/* A client that doesn't read would make us buffer forever: drop it. */
		log_warn("ws: dropping slow client (%zu bytes queued)", c->q_bytes);
		drop_conn(c);
		return;
	}
	p->refs++;
	q_push(c, p);
	if (!c->write_pending)
		flush_later(c);
}

void conn_send_text(struct ws_conn *c, const char *text, size_t len)
{
	if (c->dead || c->close_code)
		return;
	struct ws_payload *p = ws_payload_new(text, len);
	conn_send_payload(c, p);
	ws_payload_unref(p);
}

void conn_close(struct ws_conn *c, int code, const char *reason)
{
	if (c->dead || c->close_code)
		return;
	c->close_code = code;
	snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason);
	want_writable(c);
}

/* Write whole frames only: lws may put its own control frames (pong, close) between two of
 * our writes, so a frame must never be split across them. What the socket does not take,
 * lws keeps and sends before anything else (and before calling WRITEABLE again). */
static int write_batch(struct ws_conn *c)
{
	struct ws_payload *first = q_pop(c);
	if (!c->q_count || frame_len(first) + frame_len(c->q[c->q_first]) > WS_GATHER_MAX) {
		/* one frame: straight from the shared buffer, no copy */
		int n = lws_write(c->wsi, frame_bytes(first), frame_len(first), LWS_WRITE_RAW);
		ws_payload_unref(first);
		return n < 0 ? -1 : 0;
	}
	size_t used = frame_len(first);
	memcpy(gather_buf, frame_bytes(first), used);
	ws_payload_unref(first);
	while (c->q_count) {
		struct ws_payload *p = c->q[c->q_first];
		size_t n = frame_len(p);
		if (used + n > WS_GATHER_MAX)
			break;
		memcpy(gather_buf + used, frame_bytes(p), n);
		used += n;
		ws_payload_unref(q_pop(c));
	}
	/* lws copies any unsent tail, so the buffer is free again when this returns */
	return lws_write(c->wsi, gather_buf, used, LWS_WRITE_RAW) < 0 ? -1 : 0;
}

/* Up to WS_WRITES_PER_CALLBACK batches, fewer when the socket fills up (lws then holds the
 * rest of the last one). -1 when the socket failed. */
static int write_some(struct ws_conn *c)
{
	for (int i = 0; i < WS_WRITES_PER_CALLBACK && c->q_count; i++) {
		if (write_batch(c) < 0)
			return -1;
		if (lws_partial_buffered(c->wsi))
			break;
	}
	return 0;
}

/* Raw frames only on a plain WebSocket: inside an HTTP/2 stream lws must frame them. */
static int is_plain_ws(struct ws_conn *c)
{
	return lws_get_network_wsi(c->wsi) == c->wsi;
}

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct gateway *gw = w->data;
	while (gw->flush_head) {
		struct ws_conn *c = gw->flush_head;
		gw->flush_head = c->flush_next;
		if (!gw->flush_head)
			gw->flush_tail = NULL;
		c->flush_listed = 0;
		if (c->dead || c->write_pending || !c->q_count)
			continue;
		if (c->close_code || !is_plain_ws(c)) {
			want_writable(c); /* the close frame must come from WRITEABLE */
			continue;
		}
		if (write_some(c) < 0) {
			drop_conn(c);
			continue;
		}
		if (c->q_count || lws_partial_buffered(c->wsi))
			want_writable(c);
	}
}

void gateway_out_init(struct gateway *gw)
{
	/* never started: only fed (ev_feed_event) when a socket has frames to flush */
	ev_prepare_init(&gw->flush_w, flush_cb);
	gw->flush_w.data = gw;
}

void gateway_out_free(struct gateway *gw)
{
	ev_clear_pending(gw->srv->loop, &gw->flush_w);
	gw->flush_head = gw->flush_tail = NULL;
}

int conn_writeable(struct ws_conn *c)
{
	struct lws *wsi = c->wsi;
	c->write_pending = 0;
	if (!c->q_count) {
		if (c->close_code) {
			lws_close_reason(wsi, (enum lws_close_status)c->close_code,
					 (unsigned char *)c->close_reason, strlen(c->close_reason));
			return -1;
		}
		return 0;
	}
	if (!is_plain_ws(c)) {
		/* lws frames it: one frame per callback */
		struct ws_payload *p = q_pop(c);
		int n = lws_write(wsi, p->buf + LWS_PRE, p->len, LWS_WRITE_TEXT);
		ws_payload_unref(p);
		if (n < 0)
			return -1;
	} else if (write_some(c) < 0) {
		return -1;
	}
	if (c->q_count || c->close_code || lws_partial_buffered(wsi))
		want_writable(c);
	return 0;
}
