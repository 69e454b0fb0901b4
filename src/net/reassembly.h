/* reassembly: WebSocket message reassembly from fragments, with a size cap. Pure (no lws,
 * no I/O) so the fuzzers and unit tests can drive it directly; the frame decoder (ws_frame.c)
 * feeds it payload runs. */
#ifndef MOLTTY_NET_REASSEMBLY_H
#define MOLTTY_NET_REASSEMBLY_H

#include <stddef.h>

#include "moltty/base.h"

struct ws_reasm {
	struct buf msg;  /* the message so far; NUL-terminated once anything was appended */
	size_t max;      /* a message above this many bytes is dropped */
	int overflow;    /* the current message went over max: its bytes are discarded */
	int binary;      /* the current message is binary (from its first fragment) */
};

enum ws_reasm_result {
	WS_REASM_MORE = 0, /* not the final fragment: wait for more */
	WS_REASM_TEXT,     /* a whole text message: ws_reasm_text() / msg.len */
	WS_REASM_BINARY,   /* a whole binary message (moltty ignores these) */
	WS_REASM_OVERFLOW, /* a whole message that was over max (nothing kept) */
};

void ws_reasm_init(struct ws_reasm *r, size_t max);
void ws_reasm_free(struct ws_reasm *r);
/* One payload run: `first` resets the message (and takes `binary` from it),
 * `final` completes it. */
enum ws_reasm_result ws_reasm_feed(struct ws_reasm *r, const void *data, size_t len, int first,
	int final, int binary);
/* The message text ("" when empty, never NULL); valid until the next feed. */
const char *ws_reasm_text(struct ws_reasm *r);
/* 1 when s[0..n) is well-formed UTF-8 (RFC 6455 text frames must be), else 0. */
int ws_text_is_utf8(const char *s, size_t n);

#endif
