/* The WebSocket frame codec and opening handshake (src/net/ws_frame.c, ws_upgrade.c): server
 * frames decoded whatever way the reads split them, fragmentation with control frames in
 * between, the three length forms, the caps, every protocol violation a server can commit,
 * close frames, masked client frames, and the 101 response check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "ws_frame.h"

/* ---- helpers ---- */

/* An unmasked frame as a server sends it. */
static void server_frame(struct buf *out, int fin, unsigned op, const void *payload, size_t len)
{
	unsigned char h[10];
	size_t n = 0;
	h[n++] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (len < 126) {
		h[n++] = (unsigned char)len;
	} else if (len <= 0xFFFF) {
		h[n++] = 126;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 127;
		for (int i = 7; i >= 0; i--)
			h[n++] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	buf_append(out, h, n);
	if (len)
		buf_append(out, payload, len);
}

#define MAX_EVENTS 32

struct rec {
	int n;
	enum ws_dec_event ev[MAX_EVENTS];
	char *data[MAX_EVENTS];
	size_t len[MAX_EVENTS];
	int stop_after; /* return nonzero from the callback after this many events (0 = never) */
};

static int rec_cb(void *ud, enum ws_dec_event ev, const char *data, size_t len)
{
	struct rec *r = ud;
	assert_true(r->n < MAX_EVENTS);
	if (ev == WS_EV_TEXT || ev == WS_EV_BINARY)
		assert_int_equal(data[len], '\0'); /* messages are NUL-terminated */
	r->ev[r->n] = ev;
	r->data[r->n] = xmalloc(len + 1);
	memcpy(r->data[r->n], data, len);
	r->data[r->n][len] = '\0';
	r->len[r->n] = len;
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->data[i]);
	memset(r, 0, sizeof(*r));
}

/* Decode s in pieces cut at the given offsets (ascending, inside s). */
static int feed_split(struct ws_dec *d, const struct buf *s, const size_t *cuts, size_t ncuts,
	struct rec *r)
{
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : s->len;
		/* an exact-size copy so a sanitizer build sees any read past the piece */
		char *piece = xmalloc(end - at + 1);
		memcpy(piece, s->data + at, end - at);
		int rc = ws_dec_feed(d, piece, end - at, rec_cb, r);
		free(piece);
		if (rc != WS_DEC_OK)
			return rc;
		at = end;
	}
	return WS_DEC_OK;
}

static int decode_all(size_t max, const struct buf *s, struct rec *r)
{
	struct ws_dec d;
	ws_dec_init(&d, max);
	int rc = feed_split(&d, s, NULL, 0, r);
	ws_dec_free(&d);
	return rc;
}

/* ---- decoding ---- */

/* A stream with every feature of a well-behaved server. */
static void build_stream(struct buf *s, char *big, size_t big_len)
{
	char mid[300];
	memset(mid, 'm', sizeof(mid));
	memset(big, 'b', big_len);
	server_frame(s, 1, WS_OP_TEXT, "hello", 5);                 /* 7-bit length */
	server_frame(s, 1, WS_OP_TEXT, mid, sizeof(mid));            /* 16-bit */
	server_frame(s, 0, WS_OP_TEXT, "Hel", 3);                    /* fragmented ... */
	server_frame(s, 1, WS_OP_PING, "p1", 2);                     /* ... a ping between */
	server_frame(s, 0, WS_OP_CONT, "", 0);                       /* ... an empty piece */
	server_frame(s, 1, WS_OP_PONG, "", 0);
	server_frame(s, 1, WS_OP_CONT, "lo \xd0\x96", 5);            /* ... the end */
	server_frame(s, 1, WS_OP_TEXT, "", 0);                       /* an empty message */
	server_frame(s, 1, WS_OP_BINARY, "\x00\x01", 2);
	server_frame(s, 1, WS_OP_TEXT, big, big_len);                /* 64-bit length */
	server_frame(s, 1, WS_OP_CLOSE, "\x03\xe8" "bye", 5);
}

static void check_stream_events(struct rec *r, const char *big, size_t big_len)
{
	assert_true(r->n >= 8);
	assert_int_equal(r->ev[0], WS_EV_TEXT);
	assert_string_equal(r->data[0], "hello");
	assert_int_equal(r->ev[1], WS_EV_TEXT);
	assert_int_equal(r->len[1], 300);
	assert_int_equal(r->ev[2], WS_EV_PING);
	assert_string_equal(r->data[2], "p1");
	assert_int_equal(r->ev[3], WS_EV_PONG);
	assert_int_equal(r->len[3], 0);
	assert_int_equal(r->ev[4], WS_EV_TEXT);
	assert_string_equal(r->data[4], "Hello \xd0\x96");
	assert_int_equal(r->ev[5], WS_EV_TEXT);
	assert_int_equal(r->len[5], 0);
	assert_int_equal(r->ev[6], WS_EV_BINARY);
	assert_int_equal(r->len[6], 2);
	assert_int_equal(r->ev[7], WS_EV_TEXT);
	assert_int_equal(r->len[7], big_len);
	assert_memory_equal(r->data[7], big, big_len);
	/* the close frame stops decoding but is an event too: check it separately */
}

static void ws_frame__decode__stream_split_at_every_byte(void **state)
{
	struct buf s = BUF_INIT;
	size_t big_len = 70000;
	char *big = xmalloc(big_len);
	build_stream(&s, big, big_len);
	/* cut once at every offset outside the big payload (inside it, a few offsets: every
	 * one would copy gigabytes), then feed one byte at a time */
	size_t big_at = 0;
	for (size_t i = 0; i + 3 < s.len; i++)
		if (!memcmp(s.data + i, "\x81\x7f", 2) && !big_at)
			big_at = i;
	assert_true(big_at > 0);
	for (size_t cut = 0; cut <= s.len; cut++) {
		if (cut > big_at + 16 && cut < s.len - 16 && cut % 9973)
			continue;
		struct ws_dec d;
		ws_dec_init(&d, 100000);
		struct rec r = { 0 };
		size_t cuts[1] = { cut };
		assert_int_equal(feed_split(&d, &s, cuts, cut ? 1 : 0, &r), WS_DEC_OK);
		assert_int_equal(r.n, 9);
		check_stream_events(&r, big, big_len);
		assert_int_equal(r.ev[8], WS_EV_CLOSE);
		assert_int_equal(r.len[8], 5);
		rec_free(&r);
		ws_dec_free(&d);
	}
	struct ws_dec d;
	ws_dec_init(&d, 100000);
	struct rec r = { 0 };
	for (size_t i = 0; i < s.len; i++)
		assert_int_equal(ws_dec_feed(&d, s.data + i, 1, rec_cb, &r), WS_DEC_OK);
	assert_int_equal(r.n, 9);
	check_stream_events(&r, big, big_len);
	rec_free(&r);
	ws_dec_free(&d);
	free(big);
	buf_free(&s);
}

static void ws_frame__decode__two_cuts_in_fragmented_message(void **state)
{
	/* every pair of cuts through a fragmented message with a control frame inside */
	struct buf s = BUF_INIT;
	server_frame(&s, 0, WS_OP_TEXT, "abc", 3);
	server_frame(&s, 1, WS_OP_PING, "x", 1);
	server_frame(&s, 1, WS_OP_CONT, "def", 3);
	for (size_t a = 1; a < s.len; a++) {
		for (size_t b = a + 1; b < s.len; b++) {
			struct ws_dec d;
			ws_dec_init(&d, 100);
			struct rec r = { 0 };
			size_t cuts[2] = { a, b };
			assert_int_equal(feed_split(&d, &s, cuts, 2, &r), WS_DEC_OK);
			assert_int_equal(r.n, 2);
			assert_int_equal(r.ev[0], WS_EV_PING);
			assert_int_equal(r.ev[1], WS_EV_TEXT);
			assert_string_equal(r.data[1], "abcdef");
			rec_free(&r);
			ws_dec_free(&d);
		}
	}
	buf_free(&s);
}

static void ws_frame__decode__close_stops_and_later_bytes_are_ignored(void **state)
{
	struct buf s = BUF_INIT;
	server_frame(&s, 1, WS_OP_CLOSE, "\x0f\xa1" "nope", 6); /* 4001 */
	server_frame(&s, 1, WS_OP_TEXT, "after", 5);
	struct rec r = { 0 };
	assert_int_equal(decode_all(100, &s, &r), WS_DEC_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0], WS_EV_CLOSE);
	int code = 0;
	char reason[16];
	assert_int_equal(ws_close_parse(r.data[0], r.len[0], &code, reason, sizeof(reason)), 0);
	assert_int_equal(code, 4001);
	assert_string_equal(reason, "nope");
	rec_free(&r);
	buf_free(&s);
}

static void ws_frame__decode__callback_can_stop(void **state)
{
	struct buf s = BUF_INIT;
	server_frame(&s, 1, WS_OP_TEXT, "one", 3);
	server_frame(&s, 1, WS_OP_TEXT, "two", 3);
	struct rec r = { .stop_after = 1 };
	assert_int_equal(decode_all(100, &s, &r), WS_DEC_STOPPED);
	assert_int_equal(r.n, 1);
	rec_free(&r);
	buf_free(&s);
}

static void expect_error(const struct buf *s, size_t max, int code)
{
	struct ws_dec d;
	ws_dec_init(&d, max);
	struct rec r = { 0 };
	assert_int_equal(ws_dec_feed(&d, s->data, s->len, rec_cb, &r), code);
	/* sticky: nothing more is decoded */
	assert_int_equal(ws_dec_feed(&d, "\x81\x01x", 3, rec_cb, &r), code);
	assert_int_equal(r.n, 0);
	rec_free(&r);
	ws_dec_free(&d);
}

static void ws_frame__decode__oversize_is_refused_from_the_header(void **state)
{
	struct buf s = BUF_INIT;
	/* only the header of a 1001-byte frame: refused before any payload */
	buf_append(&s, "\x81\x7e\x03\xe9", 4);
	expect_error(&s, 1000, WS_CLOSE_TOO_BIG);
	/* fragments that are each under the cap but not together */
	buf_reset(&s);
	char part[600];
	memset(part, 'a', sizeof(part));
	server_frame(&s, 0, WS_OP_TEXT, part, sizeof(part));
	server_frame(&s, 1, WS_OP_CONT, part, sizeof(part));
	expect_error(&s, 1000, WS_CLOSE_TOO_BIG);
	/* a 64-bit length far over any cap */
	buf_reset(&s);
	buf_append(&s, "\x81\x7f\x00\x00\x01\x00\x00\x00\x00\x00", 10);
	expect_error(&s, 1u << 20, WS_CLOSE_TOO_BIG);
	/* exactly the cap is fine */
	buf_reset(&s);
	server_frame(&s, 0, WS_OP_TEXT, part, 500);
	server_frame(&s, 1, WS_OP_CONT, part, 500);
	struct rec r = { 0 };
	assert_int_equal(decode_all(1000, &s, &r), WS_DEC_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.len[0], 1000);
	rec_free(&r);
	buf_free(&s);
}

static void ws_frame__decode__protocol_violations(void **state)
{
	struct buf s = BUF_INIT;
	/* reserved opcodes */
	static const unsigned bad_ops[] = { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad_ops); i++) {
		buf_reset(&s);
		server_frame(&s, 1, bad_ops[i], "x", 1);
		expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	}
	/* RSV1..3 without an extension */
	for (int bit = 0x10; bit <= 0x40; bit <<= 1) {
		buf_reset(&s);
		unsigned char f[3] = { (unsigned char)(0x81 | bit), 1, 'x' };
		buf_append(&s, f, 3);
		expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	}
	/* a masked frame from the server */
	buf_reset(&s);
	buf_append(&s, "\x81\x81\x01\x02\x03\x04x", 7);
	expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	/* a continuation with no message started */
	buf_reset(&s);
	server_frame(&s, 1, WS_OP_CONT, "x", 1);
	expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	/* a new text message inside a fragmented one */
	buf_reset(&s);
	server_frame(&s, 0, WS_OP_TEXT, "a", 1);
	server_frame(&s, 1, WS_OP_TEXT, "b", 1);
	expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	/* a fragmented control frame, and one over 125 bytes */
	buf_reset(&s);
	server_frame(&s, 0, WS_OP_PING, "a", 1);
	expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	buf_reset(&s);
	char ctl[126];
	memset(ctl, 'c', sizeof(ctl));
	server_frame(&s, 1, WS_OP_PING, ctl, sizeof(ctl));
	expect_error(&s, 1000, WS_CLOSE_PROTOCOL);
	/* a 64-bit length with the top bit set */
	buf_reset(&s);
	buf_append(&s, "\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x01", 10);
	expect_error(&s, 100, WS_CLOSE_PROTOCOL);
	buf_free(&s);
}

/* ---- close frames ---- */

static void ws_frame__close__codes_and_reasons(void **state)
{
	int code = 0;
	char reason[8];
	assert_int_equal(ws_close_parse("", 0, &code, reason, sizeof(reason)), 0);
	assert_int_equal(code, WS_CLOSE_NO_STATUS);
	assert_string_equal(reason, "");
	assert_int_equal(ws_close_parse("\x03", 1, &code, reason, sizeof(reason)), WS_CLOSE_PROTOCOL);
	assert_int_equal(ws_close_parse("\x03\xe8", 2, &code, reason, sizeof(reason)), 0);
	assert_int_equal(code, 1000);
	/* a long reason is cut to fit */
	assert_int_equal(ws_close_parse("\x03\xe9" "going away now", 16, &code, reason,
		sizeof(reason)), 0);
	assert_int_equal(code, 1001);
	assert_string_equal(reason, "going a");
	static const int ok[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000,
		4001, 4002, 4003, 4999 };
	static const int bad[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 };
	for (size_t i = 0; i < MC_ARRAY_LEN(ok); i++) {
		char p[2] = { (char)(ok[i] >> 8), (char)ok[i] };
		assert_int_equal(ws_close_parse(p, 2, &code, reason, sizeof(reason)), 0);
		assert_int_equal(code, ok[i]);
	}
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		char p[2] = { (char)(bad[i] >> 8), (char)bad[i] };
		assert_int_equal(ws_close_parse(p, 2, &code, reason, sizeof(reason)), WS_CLOSE_PROTOCOL);
	}
	/* the reason must be UTF-8 */
	assert_int_equal(ws_close_parse("\x03\xe8\xff", 3, &code, reason, sizeof(reason)),
		WS_CLOSE_PROTOCOL);
}

/* ---- building client frames ---- */

/* Decode a client frame: header size, payload unmasked into out. */
static size_t parse_client_frame(const struct buf *f, unsigned *op, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)f->data;
	assert_true(p[0] & 0x80);      /* final */
	assert_true(p[1] & 0x80);      /* masked */
	*op = p[0] & 0x0F;
	uint64_t len = p[1] & 0x7F;
	size_t h = 2;
	if (len == 126) {
		len = ((uint64_t)p[2] << 8) | p[3];
		h = 4;
		assert_true(len >= 126);   /* the shortest form */
	} else if (len == 127) {
		len = 0;
		for (int i = 2; i < 10; i++)
			len = (len << 8) | p[i];
		h = 10;
		assert_true(len > 0xFFFF);
	}
	const unsigned char *mask = p + h;
	h += 4;
	assert_int_equal(f->len, h + len);
	buf_reset(out);
	buf_append(out, p + h, (size_t)len);
	for (size_t i = 0; i < len; i++)
		out->data[i] ^= (char)mask[i & 3];
	return h;
}

static void ws_frame__build__masked_in_every_length_form(void **state)
{
	static const size_t lens[] = { 0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70001 };
	static const size_t heads[] = { 6, 6, 6, 6, 6, 6, 8, 8, 8, 14, 14 };
	const unsigned char mask[4] = { 0xA1, 0x00, 0x7F, 0xFE };
	char *payload = xmalloc(70001);
	for (size_t i = 0; i < 70001; i++)
		payload[i] = (char)(i * 31 + 7);
	struct buf f = BUF_INIT, out = BUF_INIT;
	for (size_t i = 0; i < MC_ARRAY_LEN(lens); i++) {
		buf_reset(&f);
		ws_frame_build(&f, WS_OP_TEXT, payload, lens[i], mask);
		unsigned op;
		assert_int_equal(parse_client_frame(&f, &op, &out), heads[i]);
		assert_int_equal(op, WS_OP_TEXT);
		assert_int_equal(out.len, lens[i]);
		assert_memory_equal(out.data ? out.data : "", payload, lens[i]);
		/* masked for real: the key is in the frame and the bytes differ */
		if (lens[i] >= 4)
			assert_memory_not_equal(f.data + heads[i], payload, 4);
	}
	free(payload);
	buf_free(&f);
	buf_free(&out);
}

static void ws_frame__build__mask_phase(void **state)
{
	const unsigned char mask[4] = { 1, 2, 4, 8 };
	unsigned char a[19], b[19];
	for (int i = 0; i < 19; i++)
		a[i] = b[i] = (unsigned char)(i * 5);
	ws_mask_bytes(a, 19, mask, 0);
	/* the same bytes masked in two pieces, the second starting at key byte 3 */
	ws_mask_bytes(b, 7, mask, 0);
	ws_mask_bytes(b + 7, 12, mask, 7);
	assert_memory_equal(a, b, 19);
	for (int i = 0; i < 19; i++)
		assert_int_equal(a[i], (unsigned char)((i * 5) ^ mask[i & 3]));
}

static void ws_frame__build__close_frames(void **state)
{
	const unsigned char mask[4] = { 9, 8, 7, 6 };
	struct buf f = BUF_INIT, out = BUF_INIT;
	unsigned op;
	ws_frame_build_close(&f, 1000, "bye", mask);
	parse_client_frame(&f, &op, &out);
	assert_int_equal(op, WS_OP_CLOSE);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.data, "\x03\xe8" "bye", 5);
	/* no code: an empty close frame */
	buf_reset(&f);
	ws_frame_build_close(&f, 0, "ignored", mask);
	parse_client_frame(&f, &op, &out);
	assert_int_equal(out.len, 0);
	/* a reason too long for a control frame is cut, never inside a UTF-8 sequence */
	char reason[200];
	memset(reason, 'r', 122);
	strcpy(reason + 122, "\xd0\x96\xd0\x96 tail");
	buf_reset(&f);
	ws_frame_build_close(&f, 4000, reason, mask);
	parse_client_frame(&f, &op, &out);
	assert_true(out.len <= WS_CONTROL_MAX);
	assert_int_equal(out.len, 2 + 122);
	int code = 0;
	char back[200];
	assert_int_equal(ws_close_parse(out.data, out.len, &code, back, sizeof(back)), 0);
	assert_int_equal(code, 4000);
	buf_free(&f);
	buf_free(&out);
}

/* ---- the opening handshake ---- */

static void ws_frame__upgrade__accept_of_rfc_example(void **state)
{
	char accept[WS_ACCEPT_LEN + 1];
	ws_upgrade_accept("dGhlIHNhbXBsZSBub25jZQ==", accept);
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	char k1[WS_KEY_LEN + 1], k2[WS_KEY_LEN + 1];
	ws_upgrade_key(k1);
	ws_upgrade_key(k2);
	assert_int_equal(strlen(k1), WS_KEY_LEN);
	assert_string_not_equal(k1, k2);
}

static void ws_frame__upgrade__request(void **state)
{
	char *r = ws_upgrade_request("example.org", 443, 1, "/ws?x=1", "KEY");
	assert_non_null(strstr(r, "GET /ws?x=1 HTTP/1.1\r\n"));
	assert_non_null(strstr(r, "\r\nHost: example.org\r\n"));
	assert_non_null(strstr(r, "\r\nSec-WebSocket-Key: KEY\r\n"));
	assert_non_null(strstr(r, "\r\nSec-WebSocket-Version: 13\r\n"));
	assert_non_null(strstr(r, "\r\nUpgrade: websocket\r\n"));
	assert_true(str_ends_with(r, "\r\n\r\n"));
	free(r);
	r = ws_upgrade_request("127.0.0.1", 8080, 0, "/", "KEY");
	assert_non_null(strstr(r, "\r\nHost: 127.0.0.1:8080\r\n"));
	free(r);
	r = ws_upgrade_request("::1", 80, 0, "/", "KEY");
	assert_non_null(strstr(r, "\r\nHost: [::1]\r\n"));
	free(r);
}

static enum ws_upgrade_status check_response(const char *resp, size_t *used, int *status,
	char *why, size_t wl)
{
	return ws_upgrade_response(resp, strlen(resp), "dGhlIHNhbXBsZSBub25jZQ==", used, status,
		why, wl);
}

static void ws_frame__upgrade__response(void **state)
{
	const char *ok = "HTTP/1.1 101 Switching Protocols\r\n"
			 "upgrade: WebSocket\r\n"
			 "Connection: keep-alive, Upgrade\r\n"
			 "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
			 "\r\n";
	size_t used = 0;
	int status = 0;
	char why[160];
	/* frames right behind the headers are left for the decoder */
	char *with_frame = xasprintf("%s\x81\x02hi", ok);
	assert_int_equal(check_response(with_frame, &used, &status, why, sizeof(why)), WS_UPGRADE_OK);
	assert_int_equal(used, strlen(ok));
	assert_int_equal(status, 101);
	/* every prefix of the headers asks for more */
	for (size_t n = 0; n < strlen(ok); n++)
		assert_int_equal(ws_upgrade_response(ok, n, "dGhlIHNhbXBsZSBub25jZQ==", &used, &status,
			why, sizeof(why)), WS_UPGRADE_MORE);
	free(with_frame);

	assert_int_equal(check_response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		&used, &status, why, sizeof(why)), WS_UPGRADE_FAILED);
	assert_int_equal(status, 404);
	assert_non_null(strstr(why, "not 101"));
	assert_non_null(strstr(why, "404"));

	assert_int_equal(check_response("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
		&used, &status, why, sizeof(why)), WS_UPGRADE_FAILED);
	assert_non_null(strstr(why, "Accept"));
	assert_int_equal(check_response("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\n\r\n", &used, &status, why, sizeof(why)), WS_UPGRADE_FAILED);
	assert_int_equal(check_response("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", &used, &status, why,
		sizeof(why)), WS_UPGRADE_FAILED);
	assert_int_equal(check_response("SSH-2.0-OpenSSH\r\n\r\n", &used, &status, why, sizeof(why)),
		WS_UPGRADE_FAILED);
	assert_int_equal(check_response("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", &used, &status, why,
		sizeof(why)), WS_UPGRADE_FAILED);
	/* endless headers are cut off */
	char *huge = xmalloc(WS_UPGRADE_MAX_RESPONSE + 1);
	memset(huge, 'h', WS_UPGRADE_MAX_RESPONSE);
	huge[WS_UPGRADE_MAX_RESPONSE] = '\0';
	assert_int_equal(check_response(huge, &used, &status, why, sizeof(why)), WS_UPGRADE_FAILED);
	free(huge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ws_frame__decode__stream_split_at_every_byte),
		cmocka_unit_test(ws_frame__decode__two_cuts_in_fragmented_message),
		cmocka_unit_test(ws_frame__decode__close_stops_and_later_bytes_are_ignored),
		cmocka_unit_test(ws_frame__decode__callback_can_stop),
		cmocka_unit_test(ws_frame__decode__oversize_is_refused_from_the_header),
		cmocka_unit_test(ws_frame__decode__protocol_violations),
		cmocka_unit_test(ws_frame__close__codes_and_reasons),
		cmocka_unit_test(ws_frame__build__masked_in_every_length_form),
		cmocka_unit_test(ws_frame__build__mask_phase),
		cmocka_unit_test(ws_frame__build__close_frames),
		cmocka_unit_test(ws_frame__upgrade__accept_of_rfc_example),
		cmocka_unit_test(ws_frame__upgrade__request),
		cmocka_unit_test(ws_frame__upgrade__response),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
