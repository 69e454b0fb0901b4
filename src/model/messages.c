/* model: messages (ordered, deduplicated by id), pending sends, typing and presence. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/model.h"
#include "model_priv.h"

static struct mdl_model *model_of(const struct mdl_channel *c)
{
	return c->server->account->model;
}

/* --- id index: open addressing, linear probing, backward-shift deletion ---
 * c->by_id holds by_id_cap message pointers followed by by_id_cap 32-bit hashes of their
 * ids, so probing, growing and deleting compare hashes and touch a message only on a real
 * match (in a flood every message dereferenced is a cache miss). */

static uint32_t hash_id(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static uint32_t *index_hashes(const struct mdl_channel *c)
{
	return (uint32_t *)(void *)(c->by_id + c->by_id_cap);
}

static void index_insert_raw(struct mdl_channel *c, struct mdl_message *m, uint32_t h)
{
	size_t mask = c->by_id_cap - 1;
	size_t i = h & mask;

	while (c->by_id[i])
		i = (i + 1) & mask;
	c->by_id[i] = m;
	index_hashes(c)[i] = h;
	c->by_id_used++;
}

static void index_grow(struct mdl_channel *c)
{
	struct mdl_message **old = c->by_id;
	uint32_t *old_h = c->by_id ? index_hashes(c) : NULL;
	size_t old_cap = c->by_id_cap;

	c->by_id_cap = old_cap ? old_cap * 2 : 64;
	c->by_id = xcalloc(c->by_id_cap, sizeof(*c->by_id) + sizeof(uint32_t));
	c->by_id_used = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			index_insert_raw(c, old[i], old_h[i]);
	free(old);
}

static void index_add(struct mdl_channel *c, struct mdl_message *m, uint32_t h)
{
	if ((c->by_id_used + 1) * 4 > c->by_id_cap * 3)
		index_grow(c);
	index_insert_raw(c, m, h);
}

static void index_remove(struct mdl_channel *c, struct mdl_message *m)
{
	size_t mask, i, j;
	uint32_t *hs;

	if (!c->by_id_cap)
		return;
	mask = c->by_id_cap - 1;
	hs = index_hashes(c);
	for (i = hash_id(m->id) & mask; c->by_id[i]; i = (i + 1) & mask)
		if (c->by_id[i] == m)
			break;
	if (!c->by_id[i])
		return;
	c->by_id[i] = NULL;
	c->by_id_used--;
	/* Re-seat the rest of the cluster so probes never stop early. */
	for (j = (i + 1) & mask; c->by_id[j]; j = (j + 1) & mask) {
		struct mdl_message *x = c->by_id[j];

		c->by_id[j] = NULL;
		c->by_id_used--;
		index_insert_raw(c, x, hs[j]);
	}
}

static struct mdl_message *index_find(const struct mdl_channel *c, const char *id, uint32_t h)
{
	size_t mask;
	const uint32_t *hs;

	if (!id || !c->by_id_cap)
		return NULL;
	mask = c->by_id_cap - 1;
	hs = index_hashes(c);
	for (size_t i = h & mask; c->by_id[i]; i = (i + 1) & mask)
		if (hs[i] == h && !strcmp(c->by_id[i]->id, id))
			return c->by_id[i];
	return NULL;
}

struct mdl_message *mdl_message_find(const struct mdl_channel *c, const char *id)
{
	if (!id || !c->by_id_cap)
		return NULL;
	return index_find(c, id, hash_id(id));
}

/* --- storage of one message ---
 * A message from the network is ONE allocation: the struct, then its id and content packed
 * behind it; the strings that repeat across messages (author id, names, content type, trust
 * tier) are interned. Our pending messages keep separately allocated strings, because
 * confirm and fail replace their id and error. Any string may be replaced later with
 * msg_set_str, which frees only what the message owns separately. */

struct msg_block {
	struct mdl_message m;
	uint32_t pack_len; /* bytes in pack[]; 0: every string is separately allocated */
	char pack[];
};

static int interned(const struct mdl_message *m)
{
	return ((const struct msg_block *)m)->pack_len != 0;
}

static int in_pack(const struct mdl_message *m, const char *p)
{
	const struct msg_block *b = (const struct msg_block *)m;
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)b->pack;
	return p && a >= lo && a < lo + b->pack_len;
}

static void msg_str_free(struct mdl_message *m, char *p)
{
	if (p && !in_pack(m, p))
		free(p);
}

static void msg_set_str(struct mdl_message *m, char **field, const char *v)
{
	msg_str_free(m, *field);
	*field = xstrdup(v);
}

static struct mdl_message *message_new_separate(void)
{
	struct msg_block *b = xcalloc(1, sizeof(*b));
	return &b->m;
}

static struct mdl_message *message_new_packed(const struct mdl_msg_in *in)
{
	const char *content = in->content ? in->content : "";
	size_t id_len = strlen(in->id) + 1, content_len = strlen(content) + 1;
	struct msg_block *b = xmalloc(sizeof(*b) + id_len + content_len);
	struct mdl_message *m = &b->m;

	memset(b, 0, sizeof(*b));
	b->pack_len = (uint32_t)(id_len + content_len);
	m->id = memcpy(b->pack, in->id, id_len);
	m->content = memcpy(b->pack + id_len, content, content_len);
	m->author_id = (char *)mdl_intern(in->author_id);
	m->author_username = (char *)mdl_intern(in->author_username);
	m->author_display = (char *)mdl_intern(in->author_display);
	m->content_type = (char *)mdl_intern(in->content_type ? in->content_type : "text");
	m->trust_tier = (char *)mdl_intern(in->trust_tier);
	return m;
}

static void message_free(struct mdl_message *m)
{
	if (interned(m)) {
		mdl_intern_release(m->author_id);
		mdl_intern_release(m->author_username);
		mdl_intern_release(m->author_display);
		mdl_intern_release(m->content_type);
		mdl_intern_release(m->trust_tier);
	} else {
		free(m->author_id);
		free(m->author_username);
		free(m->author_display);
		free(m->content_type);
		free(m->trust_tier);
	}
	msg_str_free(m, m->id);
	msg_str_free(m, m->content);
	msg_str_free(m, m->error);
	free(m);
}

/* --- the ordered array ---
 * c->msgs points into a larger block: [gap slot][free slots][msgs...][spare]. The slot just
 * before msgs[0] holds how many free slots precede it, so dropping the oldest messages (the
 * scrollback cap, once per message in a flood) moves a pointer instead of the whole array;
 * the free front is reclaimed when the array fills up. */

static size_t front_gap(const struct mdl_channel *c)
{
	return c->msgs ? (size_t)(uintptr_t)c->msgs[-1] : 0;
}

static void drop_front(struct mdl_channel *c, size_t d)
{
	size_t gap = front_gap(c) + d;

	c->msgs += d;
	c->cap_msgs -= d;
	c->n_msgs -= d;
	c->msgs[-1] = (struct mdl_message *)(uintptr_t)gap;
}

void mdl_channel_free_msgs(struct mdl_channel *c)
{
	if (c->msgs)
		free(c->msgs - 1 - front_gap(c));
	c->msgs = NULL;
	c->n_msgs = c->cap_msgs = 0;
}

/* Room for one more at the end. */
static void make_room(struct mdl_channel *c)
{
	size_t gap = front_gap(c), cap;
	struct mdl_message **block;

	if (c->n_msgs < c->cap_msgs)
		return;
	if (gap && gap >= c->n_msgs / 2) {
		/* mostly dropped: slide back to the front instead of growing */
		block = c->msgs - 1 - gap;
		memmove(block + 1, c->msgs, c->n_msgs * sizeof(*c->msgs));
		c->msgs = block + 1;
		c->cap_msgs += gap;
		c->msgs[-1] = NULL;
		return;
	}
	cap = c->cap_msgs ? c->cap_msgs * 2 : 64;
	block = xmalloc((cap + 1) * sizeof(*block));
	block[0] = NULL;
	if (c->n_msgs)
		memcpy(block + 1, c->msgs, c->n_msgs * sizeof(*c->msgs));
	if (c->msgs)
		free(c->msgs - 1 - gap);
	c->msgs = block + 1;
	c->cap_msgs = cap;
}

void mdl_channel_clear_messages(struct mdl_channel *c)
{
	for (size_t i = 0; i < c->n_msgs; i++)
		message_free(c->msgs[i]);
	c->n_msgs = 0;
	free(c->by_id);
	c->by_id = NULL;
	c->by_id_cap = c->by_id_used = 0;
}

/* Pending messages sort after everything stored, in send order (their created_ms is local). */
static int msg_cmp(const struct mdl_message *a, const struct mdl_message *b)
{
	int ap = a->state != MDL_MSG_STORED, bp = b->state != MDL_MSG_STORED;

	if (ap != bp)
		return ap - bp;
	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms ? -1 : 1;
	return strcmp(a->id, b->id);
}

static size_t position_for(const struct mdl_channel *c, const struct mdl_message *m)
{
	size_t lo = 0, hi = c->n_msgs;

	/* Live traffic appends: check the end first. */
	if (!hi || msg_cmp(c->msgs[hi - 1], m) < 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (msg_cmp(c->msgs[mid], m) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void insert_at(struct mdl_channel *c, size_t pos, struct mdl_message *m)
{
	make_room(c);
	memmove(&c->msgs[pos + 1], &c->msgs[pos], (c->n_msgs - pos) * sizeof(*c->msgs));
	c->msgs[pos] = m;
	c->n_msgs++;
}

static size_t index_of(const struct mdl_channel *c, const struct mdl_message *m)
{
	for (size_t i = c->n_msgs; i-- > 0;)
		if (c->msgs[i] == m)
			return i;
	return (size_t)-1;
}

static void detach(struct mdl_channel *c, struct mdl_message *m)
{
	size_t i = index_of(c, m);

	if (i == (size_t)-1)
		return;
	index_remove(c, m);
	memmove(&c->msgs[i], &c->msgs[i + 1], (c->n_msgs - i - 1) * sizeof(*c->msgs));
	c->n_msgs--;
}

static void enforce_cap(struct mdl_channel *c)
{
	size_t cap = model_of(c)->max_msgs_per_channel, drop = 0;

	if (!cap || c->n_msgs <= cap)
		return;
	drop = c->n_msgs - cap;
	for (size_t i = 0; i < drop; i++) {
		index_remove(c, c->msgs[i]);
		message_free(c->msgs[i]);
	}
	drop_front(c, drop);
	if (c->history == MDL_HIST_COMPLETE)
		c->history = MDL_HIST_LOADED; /* older pages can be fetched again */
}

/* "@name" as a whole word, case-insensitive. */
static int mentions(const char *content, const char *username)
{
	size_t n;

	if (!content || !username || !*username)
		return 0;
	n = strlen(username);
	for (const char *p = strchr(content, '@'); p; p = strchr(p + 1, '@')) {
		if (p > content && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		/* only after a match is p[1 + n] known to be inside the string */
		if (strncasecmp(p + 1, username, n) != 0)
			continue;
		unsigned char after = (unsigned char)p[1 + n];
		if (!isalnum(after) && after != '_')
			return 1;
	}
	return 0;
}

struct mdl_message *mdl_message_add(struct mdl_channel *c, const struct mdl_msg_in *in, int live)
{
	struct mdl_account *acct = c->server->account;
	struct mdl_message *m;
	int own;
	uint32_t h;

	if (!in->id || !*in->id)
		return NULL;
	h = hash_id(in->id);
	if (index_find(c, in->id, h))
		return NULL;
	m = message_new_packed(in);
	m->created_ms = in->created_ms;
	m->state = MDL_MSG_STORED;
	own = acct->agent_id && in->author_id && !strcmp(acct->agent_id, in->author_id);
	m->mentions_me = !own && mentions(m->content, acct->username);

	insert_at(c, position_for(c, m), m);
	index_add(c, m, h);
	if (live && !own && !c->viewing) {
		c->unread++;
		if (m->mentions_me || (c->server->is_dms))
			c->mentions++;
		model_of(c)->dirty |= MDL_DIRTY_CHANNELS | MDL_DIRTY_SERVERS | MDL_DIRTY_STATUS;
	}
	if (live && in->author_username)
		mdl_typing_clear(c, in->author_username);
	enforce_cap(c);
	model_of(c)->dirty |= MDL_DIRTY_LOG;
	return index_find(c, in->id, h); /* NULL when the cap dropped it at once */
}

struct mdl_message *mdl_message_add_pending(struct mdl_channel *c, const char *content,
	const char *content_type, int64_t now_ms)
{
	struct mdl_account *acct = c->server->account;
	struct mdl_message *m = message_new_separate();

	/* a server may have used "local-N" as a real id: never share an id with another message */
	do {
		free(m->id);
		m->id = xasprintf("local-%llu", (unsigned long long)acct->next_local_id++);
	} while (mdl_message_find(c, m->id));
	m->author_id = xstrdup(acct->agent_id);
	m->author_username = xstrdup(acct->username);
	m->content = xstrdup(content ? content : "");
	m->content_type = xstrdup(content_type ? content_type : "text");
	m->created_ms = now_ms;
	m->state = MDL_MSG_PENDING;
	insert_at(c, c->n_msgs, m);
	index_add(c, m, hash_id(m->id));
	model_of(c)->dirty |= MDL_DIRTY_LOG;
	return m;
}

struct mdl_message *mdl_message_confirm(struct mdl_channel *c, struct mdl_message *pending,
	const char *id, int64_t created_ms)
{
	struct mdl_message *existing = mdl_message_find(c, id);

	model_of(c)->dirty |= MDL_DIRTY_LOG;
	if (existing && existing != pending) {
		detach(c, pending);
		message_free(pending);
		return existing;
	}
	detach(c, pending);
	msg_set_str(pending, &pending->id, id);
	pending->created_ms = created_ms;
	pending->state = MDL_MSG_STORED;
	msg_str_free(pending, pending->error);
	pending->error = NULL;
	insert_at(c, position_for(c, pending), pending);
	index_add(c, pending, hash_id(pending->id));
	return pending;
}

void mdl_message_fail(struct mdl_channel *c, struct mdl_message *pending, const char *error)
{
	pending->state = MDL_MSG_FAILED;
	msg_set_str(pending, &pending->error, error);
	model_of(c)->dirty |= MDL_DIRTY_LOG;
}

int64_t mdl_channel_oldest_ms(const struct mdl_channel *c)
{
	for (size_t i = 0; i < c->n_msgs; i++)
		if (c->msgs[i]->state == MDL_MSG_STORED)
			return c->msgs[i]->created_ms;
	return -1;
}

/* --- typing --- */

void mdl_typing_add(struct mdl_channel *c, const char *username, int64_t now_ms)
{
	if (!username)
		return;
	for (size_t i = 0; i < c->n_typing; i++) {
		if (!strcmp(c->typing[i].username, username)) {
			c->typing[i].until_ms = now_ms + MDL_TYPING_TTL_MS;
			return;
		}
	}
	c->typing = xrealloc(c->typing, (c->n_typing + 1) * sizeof(*c->typing));
	c->typing[c->n_typing].username = xstrdup(username);
	c->typing[c->n_typing].until_ms = now_ms + MDL_TYPING_TTL_MS;
	c->n_typing++;
	model_of(c)->dirty |= MDL_DIRTY_TYPING;
}

static void typing_remove_at(struct mdl_channel *c, size_t i)
{
	free(c->typing[i].username);
	memmove(&c->typing[i], &c->typing[i + 1], (c->n_typing - i - 1) * sizeof(*c->typing));
	c->n_typing--;
	model_of(c)->dirty |= MDL_DIRTY_TYPING;
}

void mdl_typing_clear(struct mdl_channel *c, const char *username)
{
	for (size_t i = 0; i < c->n_typing; i++) {
		if (!strcmp(c->typing[i].username, username)) {
			typing_remove_at(c, i);
			return;
		}
	}
}

#define FOR_EACH_CHANNEL(m, c)                                                        \
	for (size_t ai_ = 0; ai_ < (m)->n_accounts; ai_++)                            \
		for (size_t si_ = 0; si_ < (m)->accounts[ai_]->n_servers; si_++)      \
			for (size_t ci_ = 0;                                          \
			     ci_ < (m)->accounts[ai_]->servers[si_]->n_channels &&   \
			     ((c) = (m)->accounts[ai_]->servers[si_]->channels[ci_]); \
			     ci_++)

int mdl_typing_expire(struct mdl_model *m, int64_t now_ms)
{
	struct mdl_channel *c;
	int changed = 0;

	FOR_EACH_CHANNEL(m, c) {
		for (size_t i = c->n_typing; i-- > 0;) {
			if (c->typing[i].until_ms <= now_ms) {
				typing_remove_at(c, i);
				changed = 1;
			}
		}
	}
	return changed;
}

int64_t mdl_typing_next_expiry(const struct mdl_model *m)
{
	struct mdl_channel *c;
	int64_t next = -1;

	FOR_EACH_CHANNEL(m, c) {
		for (size_t i = 0; i < c->n_typing; i++)
			if (next < 0 || c->typing[i].until_ms < next)
				next = c->typing[i].until_ms;
	}
	return next;
}

/* --- presence --- */

void mdl_presence_set(struct mdl_channel *c, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < c->n_online; i++)
		free(c->online[i]);
	free(c->online);
	c->online = n ? xcalloc(n, sizeof(*c->online)) : NULL;
	for (size_t i = 0; i < n; i++)
		c->online[i] = xstrdup(ids[i] ? ids[i] : "");
	c->n_online = n;
	model_of(c)->dirty |= MDL_DIRTY_MEMBERS;
}

int mdl_presence_has(const struct mdl_channel *c, const char *agent_id)
{
	if (!agent_id)
		return 0;
	for (size_t i = 0; i < c->n_online; i++)
		if (!strcmp(c->online[i], agent_id))
			return 1;
	return 0;
}
