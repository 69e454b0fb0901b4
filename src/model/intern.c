/* Interned, reference-counted strings for what repeats across messages: author ids, names,
 * content types, trust tiers. A flood from 50 authors stores 50 copies, not a million.
 *
 * One pool per process: the model (like everything that touches it) runs on one thread,
 * and the pool frees itself when the last reference goes, so nothing outlives the models. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "model_priv.h"

/* The chained hash tables of strings and of author tuples: entries start with a node. */
struct inode {
	struct inode *next;
	uint32_t refs;
	uint32_t hash;
};

struct itable {
	struct inode **b;
	size_t nb, n;
};

/* Room for one more entry (the table doubles, from `first` buckets). */
static void table_reserve(struct itable *t, size_t first)
{
	if (t->n + 1 <= t->nb)
		return;
	size_t nb = t->nb ? t->nb * 2 : first;
	struct inode **b = xcalloc(nb, sizeof(*b));
	for (size_t i = 0; i < t->nb; i++) {
		for (struct inode *e = t->b[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static void table_insert(struct itable *t, struct inode *e, uint32_t hash)
{
	e->refs = 1;
	e->hash = hash;
	e->next = t->b[hash & (t->nb - 1)];
	t->b[hash & (t->nb - 1)] = e;
	t->n++;
}

/* *pp (a link in e's chain) points at e: unlink it; the table goes when it is empty. */
static void table_unlink(struct itable *t, struct inode **pp, struct inode *e)
{
	*pp = e->next;
	if (--t->n == 0) {
		free(t->b);
		t->b = NULL;
		t->nb = 0;
	}
}

struct istr {
	struct inode node;
	size_t len;
	char s[];
};

static struct itable pool;

const char *mdl_intern(const char *s)
{
	return s ? mdl_intern_len(s, strlen(s)) : NULL;
}

/* s[0..len) without a NUL inside. Every message of a flood interns five strings: a
 * byte-at-a-time hash plus strcmp was a tenth of its ingest cost (mdl_hash_mem takes eight
 * bytes per step). */
const char *mdl_intern_len(const char *s, size_t len)
{
	uint32_t h;
	if (!s)
		return NULL;
	h = mdl_hash_mem(s, len);
	if (pool.nb) {
		for (struct inode *n = pool.b[h & (pool.nb - 1)]; n; n = n->next) {
			struct istr *e = (struct istr *)n;
			if (n->hash == h && e->len == len && !memcmp(e->s, s, len)) {
				n->refs++;
				return e->s;
			}
		}
	}
	table_reserve(&pool, 64);
	struct istr *e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->s, s, len);
	e->s[len] = '\0';
	e->len = len;
	table_insert(&pool, &e->node, h);
	return e->s;
}

void mdl_intern_release(const char *s)
{
	if (!s)
		return;
	struct istr *e = (struct istr *)(void *)(s - offsetof(struct istr, s));
	if (--e->node.refs)
		return;
	struct inode **pp = &pool.b[e->node.hash & (pool.nb - 1)];
	while (*pp != &e->node)
		pp = &(*pp)->next;
	table_unlink(&pool, pp, &e->node);
	free(e);
}

/* --- author tuples ---
 * A message from the network carries five interned strings (author id, username, display
 * name, content type, trust tier) that, in practice, come as the same few combinations: one
 * per author. Interning the five as one tuple, looked up by the author id's hash and
 * confirmed by comparing the five, replaced five hash-and-lookup rounds per message (half
 * of what the model spent per message in a flood, after the cache misses). The tuple holds
 * one reference on each of its strings; messages hold references on the tuple. */

struct itup {
	struct inode node;
	const char *s[MDL_TUPLE_N];
};

static struct itable tuples;

static uint32_t tuple_hash(const char *author_id)
{
	const char *k = author_id ? author_id : "";
	return mdl_hash_mem(k, strlen(k));
}

static int same_str(const char *interned, const char *s)
{
	return interned == s || (interned && s && !strcmp(interned, s));
}

void mdl_intern_tuple(const char *const in[MDL_TUPLE_N], const char *out[MDL_TUPLE_N])
{
	uint32_t h = tuple_hash(in[0]);
	if (tuples.nb) {
		for (struct inode *n = tuples.b[h & (tuples.nb - 1)]; n; n = n->next) {
			struct itup *e = (struct itup *)n;
			int i = 0;
			if (n->hash != h)
				continue;
			while (i < MDL_TUPLE_N && same_str(e->s[i], in[i]))
				i++;
			if (i == MDL_TUPLE_N) {
				n->refs++;
				memcpy(out, e->s, sizeof(e->s));
				return;
			}
		}
	}
	table_reserve(&tuples, 32);
	struct itup *e = xmalloc(sizeof(*e));
	for (int i = 0; i < MDL_TUPLE_N; i++)
		e->s[i] = mdl_intern(in[i]);
	table_insert(&tuples, &e->node, h);
	memcpy(out, e->s, sizeof(e->s));
}

void mdl_intern_tuple_release(const char *const s[MDL_TUPLE_N])
{
	uint32_t h = tuple_hash(s[0]);
	struct inode **pp = tuples.nb ? &tuples.b[h & (tuples.nb - 1)] : NULL;
	/* the very strings handed out: pointers compare */
	for (; pp && *pp; pp = &(*pp)->next) {
		struct itup *e = (struct itup *)*pp;
		int i = 0;
		while (i < MDL_TUPLE_N && e->s[i] == s[i])
			i++;
		if (i < MDL_TUPLE_N)
			continue;
		if (--e->node.refs)
			return;
		table_unlink(&tuples, pp, &e->node);
		for (i = 0; i < MDL_TUPLE_N; i++)
			mdl_intern_release(e->s[i]);
		free(e);
		return;
	}
	abort(); /* not from mdl_intern_tuple: the model is broken */
}
