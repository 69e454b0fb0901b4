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
	char s[];
};

static struct {
	struct istr **b;
	size_t nb, n;
} pool;

static uint32_t hash_str(const char *s, size_t *len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const char *p = s;
	while (*p)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	*len = (size_t)(p - s);
	return h;
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
			if (e->hash == h && !strcmp(e->s, s)) {
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
