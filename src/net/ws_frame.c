/* RFC 6455 frames for the client side (see ws_frame.h): a decoder for what the server sends
 * (never masked) and a builder for what we send (always masked). */
#include <string.h>

#include "ws_frame.h"

void ws_dec_init(struct ws_dec *d, size_t max_message)
{
	memset(d, 0, sizeof(*d));
	ws_reasm_init(&d->msg, max_message);
}

void ws_dec_free(struct ws_dec *d)
{
	ws_reasm_free(&d->msg);
}

static int dec_fail(struct ws_dec *d, int code)
{
	d->error = code;
	return code;
}

/* Header bytes a frame needs, from its first two: 2, plus the extended length, plus a mask key
 * (which a server must not send: counted so the frame is rejected whole). */
static size_t header_size(const unsigned char *h)
{
	size_t n = 2;
	unsigned len7 = h[1] & 0x7F;
	if (len7 == 126)
		n += 2;
	else if (len7 == 127)
		n += 8;
	if (h[1] & 0x80)
		n += 4;
	return n;
}

/* Check a complete header and set up the frame it starts; 0 or a close code. */
static int start_frame(struct ws_dec *d, const unsigned char *h)
{
	unsigned op = h[0] & 0x0F;
	int fin = (h[0] & 0x80) != 0;
	if (h[0] & 0x70)
		return WS_CLOSE_PROTOCOL; /* RSV bits: no extension was negotiated */
	if (h[1] & 0x80)
		return WS_CLOSE_PROTOCOL; /* a server must not mask its frames */
	uint64_t len = h[1] & 0x7F;
	if (len == 126) {
		len = ((uint64_t)h[2] << 8) | h[3];
	} else if (len == 127) {
		len = 0;
		for (int i = 2; i < 10; i++)
			len = (len << 8) | h[i];
		if (len >> 63)
			return WS_CLOSE_PROTOCOL; /* the most significant bit must be 0 */
	}
	switch (op) {
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		/* control frames may come between fragments but are never fragmented themselves */
		if (!fin || len > WS_CONTROL_MAX)
			return WS_CLOSE_PROTOCOL;
		d->ctl_len = 0;
		break;
	case WS_OP_CONT:
		if (!d->in_message)
			return WS_CLOSE_PROTOCOL;
		break;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (d->in_message)
			return WS_CLOSE_PROTOCOL; /* a new message before the last one finished */
		d->in_message = 1;
		d->msg_started = 0;
		d->msg_binary = op == WS_OP_BINARY;
		break;
	default:
		return WS_CLOSE_PROTOCOL; /* reserved opcodes */
	}
	if (op < WS_OP_CLOSE) {
		/* known before any payload arrives: a 64-bit length can't make us wait for it */
		size_t so_far = d->msg_started ? d->msg.msg.len : 0;
		if (len > d->msg.max || so_far > d->msg.max - (size_t)len)
			return WS_CLOSE_TOO_BIG;
	}
	d->opcode = op;
	d->fin = fin;
	d->remain = len;
	d->in_payload = 1;
	return 0;
}

static int deliver(struct ws_dec *d, enum ws_dec_event ev, const char *data, size_t len,
	ws_dec_cb cb, void *ud)
{
	return cb(ud, ev, data, len) ? WS_DEC_STOPPED : WS_DEC_OK;
}

/* The current frame's payload is all in: hand over what it completes. */
static int end_frame(struct ws_dec *d, ws_dec_cb cb, void *ud)
{
	d->in_payload = 0;
	switch (d->opcode) {
	case WS_OP_PING:
		return deliver(d, WS_EV_PING, (const char *)d->ctl, d->ctl_len, cb, ud);
	case WS_OP_PONG:
		return deliver(d, WS_EV_PONG, (const char *)d->ctl, d->ctl_len, cb, ud);
	case WS_OP_CLOSE:
		d->closed = 1;
		return deliver(d, WS_EV_CLOSE, (const char *)d->ctl, d->ctl_len, cb, ud);
	default:
		break;
	}
	/* a data frame: this zero-length run completes the message when the frame is final (and
	 * starts it when the frame had no payload) */
	enum ws_reasm_result r = ws_reasm_feed(&d->msg, NULL, 0, !d->msg_started, d->fin,
		d->msg_binary);
	d->msg_started = 1;
	if (!d->fin)
		return WS_DEC_OK;
	d->in_message = 0;
	d->msg_started = 0;
	switch (r) {
	case WS_REASM_TEXT:
		return deliver(d, WS_EV_TEXT, ws_reasm_text(&d->msg), d->msg.msg.len, cb, ud);
	case WS_REASM_BINARY:
		return deliver(d, WS_EV_BINARY, ws_reasm_text(&d->msg), d->msg.msg.len, cb, ud);
	case WS_REASM_OVERFLOW: /* start_frame checks lengths first: only a guard */
		return dec_fail(d, WS_CLOSE_TOO_BIG);
	case WS_REASM_MORE:
		break;
	}
	return WS_DEC_OK;
}

int ws_dec_feed(struct ws_dec *d, const void *data, size_t n, ws_dec_cb cb, void *ud)
{
	const unsigned char *p = data;
	if (d->error)
		return d->error;
	while (n && !d->closed) {
		if (!d->in_payload) {
			const unsigned char *h;
			if (!d->hdr_have && n >= 2 && n >= header_size(p)) {
				/* the usual case: the whole header is in this read */
				h = p;
				size_t hs = header_size(p);
				p += hs;
				n -= hs;
			} else {
				/* a header split between reads: collect it */
				size_t want = d->hdr_have < 2 ? 2 : header_size(d->hdr);
				size_t k = want - d->hdr_have < n ? want - d->hdr_have : n;
				memcpy(d->hdr + d->hdr_have, p, k);
				d->hdr_have += k;
				p += k;
				n -= k;
				if (d->hdr_have < 2 || d->hdr_have < header_size(d->hdr))
					continue; /* more header to come (loops only while n > 0) */
				h = d->hdr;
			}
			d->hdr_have = 0;
			int err = start_frame(d, h);
			if (err)
				return dec_fail(d, err);
			if (!d->remain) {
				int rc = end_frame(d, cb, ud);
				if (rc)
					return rc;
			}
			continue;
		}
		size_t k = d->remain < n ? (size_t)d->remain : n;
		if (d->opcode >= WS_OP_CLOSE) {
			memcpy(d->ctl + d->ctl_len, p, k);
			d->ctl_len += k;
		} else {
			ws_reasm_feed(&d->msg, p, k, !d->msg_started, 0, d->msg_binary);
			d->msg_started = 1;
		}
		p += k;
		n -= k;
		d->remain -= k;
		if (!d->remain) {
			int rc = end_frame(d, cb, ud);
			if (rc)
				return rc;
		}
	}
	return WS_DEC_OK;
}

/* Codes an endpoint may put in a close frame (RFC 6455 7.4.1, 7.4.2; IANA registry). */
static int close_code_valid(int code)
{
	if (code >= 3000 && code <= 4999)
		return 1;
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

int ws_close_parse(const char *payload, size_t len, int *code, char *reason, size_t rlen)
{
	const unsigned char *p = (const unsigned char *)payload;
	if (rlen)
		reason[0] = '\0';
	if (len == 0) {
		*code = WS_CLOSE_NO_STATUS;
		return 0;
	}
	if (len == 1)
		return WS_CLOSE_PROTOCOL;
	*code = (p[0] << 8) | p[1];
	if (!close_code_valid(*code) || !ws_text_is_utf8(payload + 2, len - 2))
		return WS_CLOSE_PROTOCOL;
	if (rlen) {
		size_t k = len - 2 < rlen - 1 ? len - 2 : rlen - 1;
		memcpy(reason, payload + 2, k);
		reason[k] = '\0';
	}
	return 0;
}

void ws_mask_bytes(unsigned char *data, size_t n, const unsigned char mask[4], size_t phase)
{
	unsigned char key[8];
	for (int i = 0; i < 8; i++)
		key[i] = mask[(phase + (size_t)i) & 3];
	uint64_t k64;
	memcpy(&k64, key, 8);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, data, 8);
		w ^= k64;
		memcpy(data, &w, 8);
		data += 8;
		n -= 8;
	}
	for (size_t i = 0; i < n; i++)
		data[i] ^= key[i];
}

void ws_frame_build(struct buf *out, enum ws_opcode op, const void *payload, size_t len,
	const unsigned char mask[4])
{
	unsigned char h[WS_HEADER_MAX];
	size_t hn = 0;
	h[hn++] = (unsigned char)(0x80 | op);
	if (len < 126) {
		h[hn++] = (unsigned char)(0x80 | len);
	} else if (len <= 0xFFFF) {
		h[hn++] = 0x80 | 126;
		h[hn++] = (unsigned char)(len >> 8);
		h[hn++] = (unsigned char)len;
	} else {
		h[hn++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			h[hn++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	memcpy(h + hn, mask, 4);
	hn += 4;
	buf_reserve(out, hn + len);
	buf_append(out, h, hn);
	size_t at = out->len;
	if (len)
		buf_append(out, payload, len);
	ws_mask_bytes((unsigned char *)out->data + at, len, mask, 0);
}

void ws_frame_build_close(struct buf *out, int code, const char *reason,
	const unsigned char mask[4])
{
	unsigned char p[WS_CONTROL_MAX];
	size_t n = 0;
	if (code) {
		p[n++] = (unsigned char)(code >> 8);
		p[n++] = (unsigned char)code;
		size_t rl = reason ? strlen(reason) : 0;
		if (rl > WS_CONTROL_MAX - 2) {
			rl = WS_CONTROL_MAX - 2;
			/* don't cut a UTF-8 sequence in half: the peer would call it a protocol error */
			while (rl && ((unsigned char)reason[rl] & 0xC0) == 0x80)
				rl--;
		}
		if (rl)
			memcpy(p + n, reason, rl);
		n += rl;
	}
	ws_frame_build(out, WS_OP_CLOSE, p, n, mask);
}
