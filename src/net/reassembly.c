/* WebSocket message reassembly with a size cap (see reassembly.h). */
#include <stdint.h>
#include <string.h>

#include "reassembly.h"

void ws_reasm_init(struct ws_reasm *r, size_t max)
{
	struct buf empty = BUF_INIT;
	r->msg = empty;
	r->max = max;
	r->overflow = 0;
	r->binary = 0;
}

void ws_reasm_free(struct ws_reasm *r)
{
	buf_free(&r->msg);
}

enum ws_reasm_result ws_reasm_feed(struct ws_reasm *r, const void *data, size_t len, int first,
	int final, int binary)
{
	if (first) {
		buf_reset(&r->msg);
		r->overflow = 0;
		r->binary = binary;
	}
	if (!r->overflow) {
		/* written as a subtraction so a huge len cannot wrap the sum */
		if (len > r->max || r->msg.len > r->max - len) {
			r->overflow = 1;
			buf_reset(&r->msg);
		} else if (len) {
			buf_append(&r->msg, data, len);
		}
	}
	if (!final)
		return WS_REASM_MORE;
	if (r->overflow)
		return WS_REASM_OVERFLOW;
	return r->binary ? WS_REASM_BINARY : WS_REASM_TEXT;
}

const char *ws_reasm_text(struct ws_reasm *r)
{
	return buf_cstr(&r->msg);
}

/* Mostly-ASCII chat text: whole 8-byte words without a high bit are skipped with one test.
 * Multi-byte sequences are checked here, inline (one utf8_decode call per non-ASCII code point
 * was most of this check's cost in a flood of mixed-script messages); the rules are
 * utf8_decode's: shortest form only, no surrogates, nothing above U+10FFFF (fuzz_ws_reassembly
 * compares the two). */
int ws_text_is_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	const unsigned char *end = u + n;
	while (u < end) {
		while (end - u >= 8) {
			uint64_t word;
			memcpy(&word, u, 8);
			if (word & 0x8080808080808080ULL)
				break;
			u += 8;
		}
		if (u == end)
			break;
		unsigned c = *u;
		if (c < 0x80) {
			u++;
			continue;
		}
		size_t left = (size_t)(end - u);
		if (c < 0xC2) {
			return 0; /* a continuation byte, or the lead of an overlong 2-byte form */
		} else if (c < 0xE0) {
			if (left < 2 || (u[1] & 0xC0) != 0x80)
				return 0;
			u += 2;
		} else if (c < 0xF0) {
			if (left < 3 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80)
				return 0;
			if ((c == 0xE0 && u[1] < 0xA0) || (c == 0xED && u[1] >= 0xA0))
				return 0; /* overlong, or a UTF-16 surrogate */
			u += 3;
		} else if (c < 0xF5) {
			if (left < 4 || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80 ||
				(u[3] & 0xC0) != 0x80)
				return 0;
			if ((c == 0xF0 && u[1] < 0x90) || (c == 0xF4 && u[1] >= 0x90))
				return 0; /* overlong, or above U+10FFFF */
			u += 4;
		} else {
			return 0;
		}
	}
	return 1;
}
