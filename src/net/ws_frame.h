/* ws_frame: the RFC 6455 frame codec of the WebSocket client (ws.c), and the HTTP/1.1 upgrade
 * (ws_upgrade.c). Pure: no lws, no sockets, so unit tests and the fuzzer drive it directly.
 *
 * Why our own: lws 4.1.6's client parser walks every payload byte through a state machine
 * (~31,000 instructions per 590-byte frame, 74% of a flooded client). This decoder reads a
 * header, then copies whole payload runs. */
#ifndef MOLTTY_NET_WS_FRAME_H
#define MOLTTY_NET_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "moltty/base.h"
#include "reassembly.h"

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

/* Close codes this side sends (RFC 6455 7.4.1) */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_PROTOCOL 1002
#define WS_CLOSE_NO_STATUS 1005   /* never on the wire: a close frame without a code */
#define WS_CLOSE_ABNORMAL 1006    /* never on the wire: no close frame at all */
#define WS_CLOSE_TOO_BIG 1009

#define WS_CONTROL_MAX 125        /* control frame payloads are at most this long */
#define WS_HEADER_MAX 14          /* 2 + 8 (64-bit length) + 4 (mask) */

/* What the decoder hands over, one complete unit at a time. */
enum ws_dec_event {
	WS_EV_TEXT,    /* a whole text message (not yet checked for UTF-8), NUL-terminated */
	WS_EV_BINARY,  /* a whole binary message (moltty has no use for them) */
	WS_EV_PING,    /* a ping's payload: answer with a pong carrying it */
	WS_EV_PONG,
	WS_EV_CLOSE,   /* the peer's close frame payload (ws_close_parse); nothing follows it */
};

/* Return nonzero to stop decoding (the connection is going away): ws_dec_feed returns
 * WS_DEC_STOPPED and keeps no promise about the rest of the input. */
typedef int (*ws_dec_cb)(void *ud, enum ws_dec_event ev, const char *data, size_t len);

struct ws_dec {
	struct ws_reasm msg;    /* the data message being received, capped */
	unsigned char hdr[WS_HEADER_MAX];
	size_t hdr_have;        /* header bytes collected so far (0 = between frames) */
	uint64_t remain;        /* payload bytes of the current frame still to come */
	int in_payload;         /* the header is complete */
	unsigned opcode;        /* of the current frame */
	int fin;
	int in_message;         /* a fragmented data message awaits continuation frames */
	int msg_started;        /* a payload run of the current message was fed to msg */
	unsigned char ctl[WS_CONTROL_MAX];
	size_t ctl_len;
	int msg_binary;         /* the current data message began with a binary frame */
	int closed;             /* the peer's close frame was seen: later bytes are ignored */
	int error;              /* sticky: the close code of a protocol error, 0 = none */
};

#define WS_DEC_OK 0
#define WS_DEC_STOPPED (-1)

void ws_dec_init(struct ws_dec *d, size_t max_message);
void ws_dec_free(struct ws_dec *d);
/* Decode the next n bytes from the server. Returns WS_DEC_OK, WS_DEC_STOPPED (the callback
 * said so), or a close code > 0 for a protocol violation (WS_CLOSE_PROTOCOL) or a message over
 * the cap (WS_CLOSE_TOO_BIG); after an error every later call returns it again. */
int ws_dec_feed(struct ws_dec *d, const void *data, size_t n, ws_dec_cb cb, void *ud);

/* A close frame payload: 0 with *code (WS_CLOSE_NO_STATUS when empty) and the reason copied,
 * truncated and NUL-terminated, into reason[rlen]; WS_CLOSE_PROTOCOL when the payload is
 * malformed (1 byte, a code no endpoint may send, a reason that is not UTF-8). */
int ws_close_parse(const char *payload, size_t len, int *code, char *reason, size_t rlen);

/* Append one final, masked client frame to out. The mask key comes from the caller (random per
 * frame in ws.c, fixed in tests). Control frames carry at most WS_CONTROL_MAX bytes. */
void ws_frame_build(struct buf *out, enum ws_opcode op, const void *payload, size_t len,
	const unsigned char mask[4]);
/* A close frame: code (omitted when 0) and a reason cut to fit one control frame. */
void ws_frame_build_close(struct buf *out, int code, const char *reason,
	const unsigned char mask[4]);
/* XOR data with the 4-byte key, starting at key byte `phase` (0 for a whole payload). */
void ws_mask_bytes(unsigned char *data, size_t n, const unsigned char mask[4], size_t phase);

/* ---- the HTTP/1.1 upgrade (ws_upgrade.c) ---- */

#define WS_KEY_LEN 24     /* base64 of 16 random bytes */
#define WS_ACCEPT_LEN 28  /* base64 of a SHA-1 */
#define WS_UPGRADE_MAX_RESPONSE 16384

/* A fresh Sec-WebSocket-Key from 16 random bytes (OpenSSL's generator). */
void ws_upgrade_key(char key[WS_KEY_LEN + 1]);
/* The Sec-WebSocket-Accept a server must answer key with. */
void ws_upgrade_accept(const char *key, char accept[WS_ACCEPT_LEN + 1]);
/* The request: GET path, Host (host, with :port unless it is the scheme's default). */
char *ws_upgrade_request(const char *host, int port, int tls, const char *path, const char *key);

enum ws_upgrade_status {
	WS_UPGRADE_MORE = 0,  /* the response headers are not complete yet */
	WS_UPGRADE_OK,        /* 101 with the right headers: *consumed bytes were the response */
	WS_UPGRADE_FAILED,    /* why[] says what was wrong (with the HTTP status when there was one) */
};
/* Look at the response received so far (buf[0..len)). */
enum ws_upgrade_status ws_upgrade_response(const char *buf, size_t len, const char *key,
	size_t *consumed, int *http_status, char *why, size_t why_len);

#endif
