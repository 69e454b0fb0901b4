/* libFuzzer target: the REST client's HTTP/1.x response parser (src/net/http_parse.c) on
 * arbitrary server bytes. The stream is parsed twice, whole and in pieces whose sizes come
 * from the input, and both must reach the same state, status, body and bytes used: where a
 * read boundary falls can't change what the client sees. The body never exceeds the cap and
 * an error always has a reason. Input: byte 0 picks the cap and whether the connection ends
 * after the stream, bytes 1-4 seed the piece sizes, the rest is the stream. */
#include "fuzz_util.h"
#include "http_parse.h"

struct outcome {
	enum http_parse_state state;
	int status, keep_alive;
	size_t used;
	struct buf body;
};

static void parse(const uint8_t *data, size_t n, size_t cap, int eof, uint32_t seed,
	struct outcome *o)
{
	struct http_parse p;
	http_parse_init(&p, &o->body, cap, 0);
	size_t at = 0;
	while (at < n && p.state != HP_DONE && p.state != HP_ERROR) {
		size_t k = n - at;
		if (seed) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 64;
			if (k > n - at)
				k = n - at;
		}
		uint8_t *piece = malloc(k); /* exact size: ASan sees any overread */
		memcpy(piece, data + at, k);
		size_t used = http_parse_feed(&p, (const char *)piece, k);
		free(piece);
		FUZZ_CHECK(used <= k, "used %zu of %zu", used, k);
		at += used;
		if (used < k)
			break;
	}
	if (eof && p.state != HP_DONE && p.state != HP_ERROR)
		FUZZ_CHECK((http_parse_eof(&p) == 0) == (p.state == HP_DONE), "eof verdict");
	FUZZ_CHECK(o->body.len <= cap, "body %zu over the cap %zu", o->body.len, cap);
	FUZZ_CHECK(p.state != HP_ERROR || (p.error && p.error[0]), "an error without a reason");
	o->state = p.state;
	o->status = p.status;
	o->keep_alive = p.keep_alive;
	o->used = at;
	http_parse_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static const size_t caps[] = { 0, 1, 16, 700, 65536 };
	uint8_t mode = fz_u8(&in);
	size_t cap = caps[(mode & 0x7f) % (sizeof(caps) / sizeof(caps[0]))];
	int eof = mode >> 7;
	uint32_t seed = fz_u32(&in) | 1;

	struct outcome a = { 0 }, b = { 0 };
	parse(in.p, in.n, cap, eof, 0, &a);
	parse(in.p, in.n, cap, eof, seed, &b);
	FUZZ_CHECK(a.state == b.state, "state %d whole, %d in pieces", a.state, b.state);
	FUZZ_CHECK(a.status == b.status, "status");
	if (a.state != HP_ERROR) {
		/* an error may be found at a different byte when a line is over a limit */
		FUZZ_CHECK(a.used == b.used, "used %zu whole, %zu in pieces", a.used, b.used);
		FUZZ_CHECK(a.keep_alive == b.keep_alive, "keep-alive");
		FUZZ_CHECK(a.body.len == b.body.len &&
			(a.body.len == 0 || memcmp(a.body.data, b.body.data, a.body.len) == 0),
			"bodies differ");
	}
	buf_free(&a.body);
	buf_free(&b.body);
	return 0;
}
