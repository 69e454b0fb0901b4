/* libFuzzer target: WebSocket message reassembly (src/net/reassembly.c) driven by a sequence
 * of fragments with arbitrary first/final/binary flags, lengths and bytes. A shadow model
 * checks every result: the message is exactly the bytes since the last first fragment, never
 * more than the cap, NUL-terminated, and an over-cap message is reported as overflow. Every
 * complete text message also goes through ws_text_is_utf8, whose ASCII fast path must agree with
 * the plain per-code-point check below. */
#include "fuzz_util.h"
#include "moltty/utf8.h"
#include "reassembly.h"

#define CAP 700

static int reference_is_utf8(const char *s, size_t n)
{
	while (n) {
		uint32_t cp;
		size_t k = utf8_decode(s, n, &cp);
		if (cp == 0xFFFD && !(k == 3 && !memcmp(s, "\xef\xbf\xbd", 3)))
			return 0;
		s += k;
		n -= k;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ws_reasm r;
	ws_reasm_init(&r, CAP);
	uint8_t shadow[CAP];
	size_t shadow_len = 0;
	int shadow_over = 0, shadow_bin = 0;

	while (!fz_empty(&in)) {
		uint8_t h = fz_u8(&in);
		int first = h & 1, final = (h >> 1) & 1, binary = (h >> 2) & 1;
		/* lengths up to ~1 KB, sometimes larger than what is left: only what is left is sent */
		size_t want = (size_t)fz_u8(&in) * ((h >> 3) + 1) / 4;
		size_t len = want < in.n ? want : in.n;
		/* an exact-size heap copy so ASan sees any overread of the fragment */
		uint8_t *frag = malloc(len ? len : 1);
		memcpy(frag, in.p, len);
		in.p += len;
		in.n -= len;
		const void *ptr = len || (h & 0x80) ? frag : NULL; /* lws may pass NULL for 0 bytes */

		enum ws_reasm_result res = ws_reasm_feed(&r, ptr, len, first, final, binary);

		if (first) {
			shadow_len = 0;
			shadow_over = 0;
			shadow_bin = binary;
		}
		if (!shadow_over) {
			if (shadow_len + len > CAP) {
				shadow_over = 1;
				shadow_len = 0;
			} else {
				memcpy(shadow + shadow_len, frag, len);
				shadow_len += len;
			}
		}
		free(frag);
		enum ws_reasm_result want_res = !final ? WS_REASM_MORE
					       : shadow_over ? WS_REASM_OVERFLOW
					       : shadow_bin ? WS_REASM_BINARY : WS_REASM_TEXT;
		FUZZ_CHECK(res == want_res, "result %d, expected %d", res, want_res);
		FUZZ_CHECK(r.msg.len <= CAP, "message of %zu bytes over the cap", r.msg.len);
		FUZZ_CHECK(r.msg.len == shadow_len && memcmp(r.msg.data ? r.msg.data : "",
							     shadow, shadow_len) == 0,
			   "message differs from the fragments (%zu vs %zu bytes)", r.msg.len,
			   shadow_len);
		const char *text = ws_reasm_text(&r);
		FUZZ_CHECK(text && text[r.msg.len] == '\0', "message is NUL-terminated");
		if (res == WS_REASM_TEXT) {
			/* an exact-size copy, so ASan sees the 8-byte reads stay inside */
			char *copy = malloc(r.msg.len ? r.msg.len : 1);
			memcpy(copy, text, r.msg.len);
			int got = ws_text_is_utf8(copy, r.msg.len);
			int want = reference_is_utf8(copy, r.msg.len);
			free(copy);
			FUZZ_CHECK(got == want, "UTF-8 check %d, reference %d (%zu bytes)", got, want,
				   r.msg.len);
		}
	}
	ws_reasm_free(&r);
	return 0;
}
