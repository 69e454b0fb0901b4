/* Private to model/: shared between model.c and messages.c. */
#ifndef MOLTTY_MODEL_PRIV_H
#define MOLTTY_MODEL_PRIV_H

#include <stdint.h>
#include <string.h>

#include "moltty/model.h"

void mdl_channel_clear_messages(struct mdl_channel *c);
/* Frees the channel's message array (after mdl_channel_clear_messages). */
void mdl_channel_free_msgs(struct mdl_channel *c);

/* intern.c: shared copies of repeated strings (NULL in, NULL out); each mdl_intern is
 * matched by one mdl_intern_release. */
const char *mdl_intern(const char *s);
const char *mdl_intern_len(const char *s, size_t len);
void mdl_intern_release(const char *s);
/* Five strings interned together (any may be NULL): out[i] equals in[i]; released as one
 * with the same five pointers. */
#define MDL_TUPLE_N 5
void mdl_intern_tuple(const char *const in[MDL_TUPLE_N], const char *out[MDL_TUPLE_N]);
void mdl_intern_tuple_release(const char *const s[MDL_TUPLE_N]);

/* messages.c: recycled message blocks go back to malloc (when the last model goes). */
void mdl_block_cache_drain(void);

/* Hash of n bytes, eight per step (multiply and fold): ids and interned strings. Every bit
 * of the result depends on the input (the id index takes the high bits, the intern table
 * the low ones). */
static inline uint32_t mdl_hash_mem(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	const uint64_t k = 0xff51afd7ed558ccdULL;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * k;
	h ^= h >> 29;
	return (uint32_t)h;
}

#endif
