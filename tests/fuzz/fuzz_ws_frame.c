/* libFuzzer target: the WebSocket frame decoder and upgrade response check (src/net/ws_frame.c,
 * ws_upgrade.c) on arbitrary server bytes. The stream is decoded twice, whole and in pieces
 * whose sizes come from the input, and both must produce the same events and the same verdict:
 * where a read boundary falls can't change what the client sees. Every message stays under the
 * cap and is NUL-terminated; control payloads stay under 125 bytes; nothing is reported after
 * a close or an error. Input: byte 0 picks the cap, bytes 1-4 seed the piece sizes, the rest is
 * the stream. */
#include "fuzz_util.h"
#include "ws_frame.h"

struct trace {
	uint64_t hash;  /* FNV-1a over (event, length, bytes) of every event */
	size_t events;
	size_t max;
	int closed;
};

static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 1099511628211ULL;
	}
}

static int on_event(void *ud, enum ws_dec_event ev, const char *data, size_t len)
{
	struct trace *t = ud;
	FUZZ_CHECK(!t->closed, "event %d after the close frame", ev);
	if (ev == WS_EV_TEXT || ev == WS_EV_BINARY) {
		FUZZ_CHECK(len <= t->max, "message of %zu bytes over the cap %zu", len, t->max);
		FUZZ_CHECK(data[len] == '\0', "message not NUL-terminated");
	} else {
		FUZZ_CHECK(len <= WS_CONTROL_MAX, "control payload of %zu bytes", len);
	}
	if (ev == WS_EV_CLOSE) {
		t->closed = 1;
		int code;
		char reason[64];
		int rc = ws_close_parse(data, len, &code, reason, sizeof(reason));
		FUZZ_CHECK(rc == 0 || rc == WS_CLOSE_PROTOCOL, "close parse %d", rc);
		FUZZ_CHECK(strlen(reason) < sizeof(reason), "reason unterminated");
	}
	int e = ev;
	mix(&t->hash, &e, sizeof(e));
	mix(&t->hash, &len, sizeof(len));
	mix(&t->hash, data, len);
	t->events++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static const size_t caps[] = { 0, 1, 16, 125, 126, 700, 65536, 1u << 20 };
	size_t max = caps[fz_u8(&in) % (sizeof(caps) / sizeof(caps[0]))];
	uint32_t seed = fz_u32(&in);

	/* whole */
	struct trace a = { 14695981039346656037ULL, 0, max, 0 };
	struct ws_dec d;
	ws_dec_init(&d, max);
	uint8_t *copy = malloc(in.n ? in.n : 1); /* exact size: ASan sees any overread */
	memcpy(copy, in.p, in.n);
	int rc_a = ws_dec_feed(&d, copy, in.n, on_event, &a);
	ws_dec_free(&d);

	/* in pieces of 1..64 bytes */
	struct trace b = { 14695981039346656037ULL, 0, max, 0 };
	ws_dec_init(&d, max);
	int rc_b = WS_DEC_OK;
	for (size_t at = 0; at < in.n && rc_b == WS_DEC_OK;) {
		seed = seed * 1103515245u + 12345u;
		size_t k = 1 + (seed >> 16) % 64;
		if (k > in.n - at)
			k = in.n - at;
		uint8_t *piece = malloc(k);
		memcpy(piece, copy + at, k);
		rc_b = ws_dec_feed(&d, piece, k, on_event, &b);
		free(piece);
		at += k;
	}
	if (rc_b > 0)
		FUZZ_CHECK(ws_dec_feed(&d, "\x81\x00", 2, on_event, &b) == rc_b, "error not sticky");
	ws_dec_free(&d);
	FUZZ_CHECK(rc_a == rc_b, "verdict %d whole, %d in pieces", rc_a, rc_b);
	FUZZ_CHECK(a.events == b.events && a.hash == b.hash,
		"%zu events whole, %zu in pieces (or different contents)", a.events, b.events);

	/* the same bytes as an upgrade response */
	size_t used = 0;
	int status = 0;
	char why[160];
	enum ws_upgrade_status u = ws_upgrade_response((const char *)copy, in.n,
		"dGhlIHNhbXBsZSBub25jZQ==", &used, &status, why, sizeof(why));
	if (u == WS_UPGRADE_OK)
		FUZZ_CHECK(used <= in.n && status == 101, "consumed %zu of %zu", used, in.n);
	if (u == WS_UPGRADE_FAILED)
		FUZZ_CHECK(strlen(why) < sizeof(why), "why unterminated");
	free(copy);
	return 0;
}
