/* Private to proto/: the single-pass decoder for `message` frames (frame_fast.c). */
#ifndef MOLTTY_PROTO_FRAME_FAST_H
#define MOLTTY_PROTO_FRAME_FAST_H

#include <stddef.h>

struct proto_frame;

/* 1 when text is a `message` frame it fully understood (f filled, strings in f->pack_);
 * 0 when the cJSON path must decide (f untouched). */
int proto_frame_parse_fast(const char *text, size_t len, struct proto_frame *f);
/* Releases a frame's pack block (keeps one for the next frame). */
void proto_pack_put(void *pack);
/* The general cJSON path (frame.c), for tests that compare the two. */
int proto_frame_parse_cjson(const char *text, size_t len, struct proto_frame *f);

#endif
