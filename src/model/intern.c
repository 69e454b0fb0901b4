/* Interned, reference-counted strings for what repeats across messages: author ids, names,
 * content types, trust tiers. A flood from 50 authors stores 50 copies, not a million.
 *
 * One pool per process: the model (like everything that touches it) runs on one thread,
 * and the pool frees itself when the last reference goes, so nothing outlives the models. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "model_priv.h"

struct istr {
	struct istr *next;
	uint32_t refs;
	uint32_t hash;
	size_t len;
	char s[];
};

static struct {
	struct istr **b;
	size_t nb, n;
} pool;

/* Eight bytes per step (multiply and fold): every message of a flood interns five strings,
 * and a byte-at-a-time hash plus strcmp was a tenth of its ingest cost. */
static uint32_t hash_str(const char *s, size_t *len)
{
	size_t n = strlen(s);
	*len = n;
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

static void grow(void)
{
	size_t nb = pool.nb ? pool.nb * 2 : 64;
	struct istr **b = xcalloc(nb, sizeof(*b));
	for (size_t i = 0; i < pool.nb; i++) {
		for (struct istr *e = pool.b[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(pool.b);
	pool.b = b;
	pool.nb = nb;
}

const char *mdl_intern(const char *s)
{
	size_t len;
	uint32_t h;
	if (!s)
		return NULL;
	h = hash_str(s, &len);
	if (pool.nb) {
		for (struct istr *e = pool.b[h & (pool.nb - 1)]; e; e = e->next) {
			if (e->hash == h && e->len == len && !memcmp(e->s, s, len)) {
				e->refs++;
				return e->s;
			}
		}
	}
	if (pool.n + 1 > pool.nb)
		grow();
	struct istr *e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->s, s, len + 1);
	e->refs = 1;
	e->hash = h;
	e->len = len;
	e->next = pool.b[h & (pool.nb - 1)];
	pool.b[h & (pool.nb - 1)] = e;
	pool.n++;
	return e->s;
}

void mdl_intern_release(const char *s)
{
	if (!s)
		return;
	struct istr *e = (struct istr *)(void *)(s - offsetof(struct istr, s));
	if (--e->refs)
		return;
	struct istr **pp = &pool.b[e->hash & (pool.nb - 1)];
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	free(e);
	if (--pool.n == 0) {
		free(pool.b);
		pool.b = NULL;
		pool.nb = 0;
	}
}
