/* WebSocket message reassembly with a size cap (see reassembly.h). */
#include <stdint.h>
#include <string.h>

#include "moltty/utf8.h"
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

/* Mostly-ASCII chat text: whole 8-byte words without a high bit are skipped with one test, and
 * only the rest goes through utf8_decode (one call per code point was ~15% of a client's CPU
 * in a flood). utf8_decode reports every malformed sequence as U+FFFD consuming one byte; a
 * real U+FFFD is the only way to get that code point from 3 bytes. */
int ws_text_is_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	while (n) {
		while (n >= 8) {
			uint64_t word;
			memcpy(&word, u, 8);
			if (word & 0x8080808080808080ULL)
				break;
			u += 8;
			n -= 8;
		}
		if (!n)
			break;
		if (*u < 0x80) {
			u++;
			n--;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode((const char *)u, n, &cp);
		if (cp == 0xFFFD && !(k == 3 && !memcmp(u, "\xef\xbf\xbd", 3)))
			return 0;
		u += k;
		n -= k;
	}
	return 1;
}
