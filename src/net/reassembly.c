/* WebSocket message reassembly with a size cap (see reassembly.h). */
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
