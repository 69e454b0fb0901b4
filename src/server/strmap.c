/* A small string-keyed hash map with chaining. Keys are copied; values belong to the caller. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "server.h"

struct strmap_entry {
	struct strmap_entry *next;
	void *val;
	char key[];
};

struct strmap {
	struct strmap_entry **slots;
	size_t nslots;
	size_t count;
};

static size_t hash_str(const char *s)
{
	/* FNV-1a */
	size_t h = (size_t)1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

struct strmap *strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));
	m->nslots = 16;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	return m;
}

void strmap_free(struct strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++) {
		struct strmap_entry *e = m->slots[i];
		while (e) {
			struct strmap_entry *n = e->next;
			free(e);
			e = n;
		}
	}
	free(m->slots);
	free(m);
}

static void grow(struct strmap *m)
{
	size_t n = m->nslots * 2;
	struct strmap_entry **slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < m->nslots; i++) {
		struct strmap_entry *e = m->slots[i];
		while (e) {
			struct strmap_entry *next = e->next;
			size_t k = hash_str(e->key) % n;
			e->next = slots[k];
			slots[k] = e;
			e = next;
		}
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	for (struct strmap_entry *e = m->slots[hash_str(key) % m->nslots]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e->val;
	return NULL;
}

void strmap_put(struct strmap *m, const char *key, void *val)
{
	size_t k = hash_str(key) % m->nslots;
	for (struct strmap_entry *e = m->slots[k]; e; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			e->val = val;
			return;
		}
	}
	if (m->count + 1 > m->nslots * 3 / 4) {
		grow(m);
		k = hash_str(key) % m->nslots;
	}
	size_t len = strlen(key);
	struct strmap_entry *e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->key, key, len + 1);
	e->val = val;
	e->next = m->slots[k];
	m->slots[k] = e;
	m->count++;
}

void *strmap_remove(struct strmap *m, const char *key)
{
	struct strmap_entry **pp = &m->slots[hash_str(key) % m->nslots];
	for (; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			struct strmap_entry *e = *pp;
			void *v = e->val;
			*pp = e->next;
			free(e);
			m->count--;
			return v;
		}
	}
	return NULL;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}

void strmap_each(struct strmap *m, int (*fn)(const char *key, void *val, void *ud), void *ud)
{
	for (size_t i = 0; i < m->nslots; i++) {
		struct strmap_entry **pp = &m->slots[i];
		while (*pp) {
			struct strmap_entry *e = *pp;
			if (fn(e->key, e->val, ud)) {
				*pp = e->next;
				free(e);
				m->count--;
			} else {
				pp = &e->next;
			}
		}
	}
}
