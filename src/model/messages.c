/* model: messages (ordered, deduplicated by id), pending sends, typing and presence. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/model.h"
#include "model_priv.h"

#if defined(__SANITIZE_ADDRESS__)
#define MC_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MC_HAVE_ASAN 1
#endif
#endif
#ifdef MC_HAVE_ASAN
#include <sanitizer/asan_interface.h>
#define MC_ASAN_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define MC_ASAN_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define MC_ASAN_POISON(p, n) ((void)(p), (void)(n))
#define MC_ASAN_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static struct mdl_model *model_of(const struct mdl_channel *c)
{
	return c->server->account->model;
}

/* --- id index: open addressing, linear probing, backward-shift deletion ---
 * A slot of c->by_id is a message pointer (bits 0-47) with the top 16 bits of its id's hash
 * above it (0: empty). Probing, growing and deleting compare and place by those bits and
 * touch a message only on a real match (in a flood every message dereferenced is a cache
 * miss), and one probe reads one array: 8 bytes a slot, where a pointer array and a hash
 * array took 12 in two places. User-space addresses on Linux (x86-64, arm64) are below 2^48.
 * A tag's home slot is (tag * cap) >> 16, so the table can grow by half instead of
 * doubling: a doubled table is at most 3/8 full right after it grows. A message keeps its
 * own hash (id_hash), so removing it never reads its id. */

#define INDEX_MIN 64
#define SLOT_PTR_BITS 48
#define SLOT_PTR_MASK ((UINT64_C(1) << SLOT_PTR_BITS) - 1)

static uint32_t hash_id_len(const char *s, size_t n)
{
	return mdl_hash_mem(s, n);
}

static uint32_t hash_id(const char *s)
{
	return mdl_hash_mem(s, strlen(s));
}

static uint64_t slot_tag(uint32_t h)
{
	return (uint64_t)(h >> 16) << SLOT_PTR_BITS;
}

static struct mdl_message *slot_msg(uint64_t v)
{
	return (struct mdl_message *)(uintptr_t)(v & SLOT_PTR_MASK);
}

static size_t home_slot(uint64_t tag, size_t cap)
{
	return (size_t)(((tag >> SLOT_PTR_BITS) * cap) >> 16);
}

static void index_insert_raw(struct mdl_channel *c, uint64_t v)
{
	size_t cap = c->by_id_cap, i = home_slot(v, cap);

	while (c->by_id[i])
		if (++i == cap)
			i = 0;
	c->by_id[i] = v;
	c->by_id_used++;
}

static void index_grow(struct mdl_channel *c)
{
	uint64_t *old = c->by_id;
	size_t old_cap = c->by_id_cap;

	c->by_id_cap = old_cap ? old_cap + old_cap / 2 : INDEX_MIN;
	c->by_id = xcalloc(c->by_id_cap, sizeof(*c->by_id));
	c->by_id_used = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			index_insert_raw(c, old[i]);
	free(old);
}

static void index_add(struct mdl_channel *c, struct mdl_message *m, uint32_t h)
{
	uintptr_t a = (uintptr_t)m;

	if ((uint64_t)a & ~SLOT_PTR_MASK)
		abort(); /* an address above 2^48: not on Linux x86-64 or arm64 (see above) */
	if ((c->by_id_used + 1) * 4 > c->by_id_cap * 3)
		index_grow(c);
	m->id_hash = h;
	index_insert_raw(c, (uint64_t)a | slot_tag(h));
}

static void index_remove(struct mdl_channel *c, struct mdl_message *m)
{
	size_t cap = c->by_id_cap, i, j;
	uint64_t v = (uint64_t)(uintptr_t)m | slot_tag(m->id_hash);

	if (!cap)
		return;
	for (i = home_slot(v, cap); c->by_id[i] != v;) {
		if (!c->by_id[i])
			return;
		if (++i == cap)
			i = 0;
	}
	/* Backward shift: an entry after the hole moves into it unless its home slot lies in
	 * (hole, entry] (cyclically), where a probe would stop at the hole first. */
	for (j = i;;) {
		if (++j == cap)
			j = 0;
		if (!c->by_id[j])
			break;
		size_t k = home_slot(c->by_id[j], cap);
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			c->by_id[i] = c->by_id[j];
			i = j;
		}
	}
	c->by_id[i] = 0;
	c->by_id_used--;
}

static struct mdl_message *index_find(const struct mdl_channel *c, const char *id, uint32_t h)
{
	size_t cap = c->by_id_cap;
	uint64_t tag = slot_tag(h);

	if (!id || !cap)
		return NULL;
	for (size_t i = home_slot(tag, cap); c->by_id[i];) {
		if ((c->by_id[i] & ~SLOT_PTR_MASK) == tag) {
			struct mdl_message *m = slot_msg(c->by_id[i]);
			if (m->id_hash == h && !strcmp(m->id, id))
				return m;
		}
		if (++i == cap)
			i = 0;
	}
	return NULL;
}

/* The index slot a lookup of m's id starts at, into the cache. */
static void index_prefetch(const struct mdl_channel *c, const struct mdl_message *m)
{
	__builtin_prefetch(&c->by_id[home_slot(slot_tag(m->id_hash), c->by_id_cap)], 1);
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
 * msg_set_str, which frees only what the message owns separately.
 *
 * m->block says which: BLOCK_SEPARATE, BLOCK_BIG (packed, from malloc), or the size class
 * of a packed block from the block cache. */

struct msg_block {
	struct mdl_message m;
	char pack[];
};

enum { BLOCK_SEPARATE = 0, BLOCK_BIG = 255 };

/* Blocks of class k are 16 * k + 8 bytes: what malloc hands out for any request between
 * 16 * k - 7 and that (its chunks are 16-byte multiples with an 8-byte header), so a class
 * costs no more memory than an exact request. */
#define BLOCK_CLASSES 80     /* classes up to 79: 1272 bytes (~1.1 KB of content) */
#define BLOCK_CACHE_DEPTH 12 /* blocks held per class: at most 15 KB for the largest */

/* Recycled blocks. Once a channel is full, every new message drops its oldest: glibc's free
 * of that cold block (merging with cold neighbours into its bins) and the malloc after it
 * (sorting cold chunks out of the unsorted bin) were a fifth of the client's CPU in a
 * capped flood. A dropped block goes into a LIFO list of its class and the next message of
 * that class takes it back; lists are short, so the memory held is small and bounded. One
 * cache per process: the model runs on one thread. */
static struct {
	struct mdl_message *head[BLOCK_CLASSES]; /* linked through m->id */
	uint8_t n[BLOCK_CLASSES];
} block_cache;

static size_t block_size(unsigned k)
{
	return 16 * (size_t)k + 8;
}

static void block_release(struct msg_block *b)
{
	unsigned k = b->m.block;

	if (k == BLOCK_BIG || block_cache.n[k] >= BLOCK_CACHE_DEPTH) {
		free(b);
		return;
	}
	b->m.id = (char *)block_cache.head[k];
	block_cache.head[k] = &b->m;
	block_cache.n[k]++;
	/* a use after free of a recycled message stays visible to the sanitizers */
	MC_ASAN_POISON((char *)b + sizeof(char *), block_size(k) - sizeof(char *));
}

static struct msg_block *block_get(size_t need)
{
	size_t k = need <= 8 ? 1 : (need - 8 + 15) / 16;
	struct msg_block *b;

	if (k >= BLOCK_CLASSES) {
		b = xmalloc(need);
		b->m.block = BLOCK_BIG;
		return b;
	}
	if (block_cache.head[k]) {
		b = (struct msg_block *)(void *)block_cache.head[k];
		MC_ASAN_UNPOISON(b, block_size((unsigned)k));
		block_cache.head[k] = (struct mdl_message *)(void *)b->m.id;
		block_cache.n[k]--;
	} else {
		b = xmalloc(block_size((unsigned)k));
	}
	b->m.block = (uint8_t)k;
	return b;
}

void mdl_block_cache_drain(void)
{
	for (size_t k = 0; k < BLOCK_CLASSES; k++) {
		while (block_cache.head[k]) {
			struct mdl_message *m = block_cache.head[k];
			MC_ASAN_UNPOISON(m, block_size((unsigned)k));
			block_cache.head[k] = (struct mdl_message *)(void *)m->id;
			free(m);
		}
		block_cache.n[k] = 0;
	}
}

static int packed(const struct mdl_message *m)
{
	return m->block != BLOCK_SEPARATE;
}

/* The id opens the pack and the content follows it; neither is ever changed in place. A
 * block of a cache class has a known end: freeing one never reads its (cold) strings. */
static int in_pack(const struct mdl_message *m, const char *p)
{
	const char *pack = ((const struct msg_block *)m)->pack;

	if (!p || !packed(m))
		return 0;
	if (m->block != BLOCK_BIG)
		return p >= pack && p < (const char *)m + block_size(m->block);
	return p == pack || p == pack + strlen(pack) + 1;
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
	b->m.block = BLOCK_SEPARATE;
	return &b->m;
}

static struct mdl_message *message_new_packed(const struct mdl_msg_in *in, size_t id_len)
{
	const char *content = in->content ? in->content : "";
	size_t content_len = strlen(content);
	struct msg_block *b = block_get(sizeof(*b) + id_len + 1 + content_len + 1);
	struct mdl_message *m = &b->m;
	char *p = b->pack;

	/* every field written once, no memset of the (cold) block first */
	m->id = memcpy(p, in->id, id_len);
	p[id_len] = '\0';
	p += id_len + 1;
	m->content = memcpy(p, content, content_len);
	p[content_len] = '\0';
	const char *strs[MDL_TUPLE_N] = { in->author_id, in->author_username, in->author_display,
		in->content_type ? in->content_type : "text", in->trust_tier };
	mdl_intern_tuple(strs, strs);
	m->author_id = (char *)strs[0];
	m->author_username = (char *)strs[1];
	m->author_display = (char *)strs[2];
	m->content_type = (char *)strs[3];
	m->trust_tier = (char *)strs[4];
	m->error = NULL;
	m->created_ms = in->created_ms;
	m->id_hash = 0;
	m->state = MDL_MSG_STORED;
	m->mentions_me = 0;
	return m;
}

static void message_free(struct mdl_message *m)
{
	if (packed(m)) {
		const char *strs[MDL_TUPLE_N] = { m->author_id, m->author_username,
			m->author_display, m->content_type, m->trust_tier };
		mdl_intern_tuple_release(strs);
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
	if (packed(m))
		block_release((struct msg_block *)m);
	else
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

/* Pending messages sort after everything stored, in send order (their created_ms is local).
 * a against the key (b_pending, b_ms, b_id). */
static int msg_cmp_key(const struct mdl_message *a, int b_pending, int64_t b_ms, const char *b_id)
{
	int ap = a->state != MDL_MSG_STORED;

	if (ap != b_pending)
		return ap - b_pending;
	if (a->created_ms != b_ms)
		return a->created_ms < b_ms ? -1 : 1;
	return strcmp(a->id, b_id);
}

static size_t position_for_key(const struct mdl_channel *c, int pending, int64_t ms, const char *id)
{
	size_t lo = 0, hi = c->n_msgs;

	/* Live traffic appends: check the end first. */
	if (!hi || msg_cmp_key(c->msgs[hi - 1], pending, ms, id) < 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (msg_cmp_key(c->msgs[mid], pending, ms, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t position_for(const struct mdl_channel *c, const struct mdl_message *m)
{
	return position_for_key(c, m->state != MDL_MSG_STORED, m->created_ms, m->id);
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

/* Drops the n oldest messages. In a flood into full channels this runs for every message
 * on a block last touched a whole scrollback ago: the next victim's block and its index
 * slots are fetched now, while the caller still has work to do, so the next drop (a
 * message or so later on this channel) finds them in the cache. */
static void drop_oldest(struct mdl_channel *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		index_remove(c, c->msgs[i]);
		message_free(c->msgs[i]);
	}
	drop_front(c, n);
	if (c->n_msgs > 1) {
		/* msgs[0]'s block was fetched by the drop before: its hash is at hand */
		index_prefetch(c, c->msgs[0]);
		__builtin_prefetch(c->msgs[1]);
		__builtin_prefetch((const char *)c->msgs[1] + offsetof(struct mdl_message, id_hash));
	}
	if (c->history == MDL_HIST_COMPLETE)
		c->history = MDL_HIST_LOADED; /* older pages can be fetched again */
}

/* How many messages must go before one more is stored, by the scrollback cap. */
static size_t over_cap(const struct mdl_channel *c)
{
	size_t cap = model_of(c)->max_msgs_per_channel;

	return cap && c->n_msgs + 1 > cap ? c->n_msgs + 1 - cap : 0;
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
	struct mdl_message *m = NULL;
	int own, mentions_me;
	size_t id_len, pos, drop;
	uint32_t h;

	if (!in->id || !*in->id)
		return NULL;
	id_len = strlen(in->id);
	h = hash_id_len(in->id, id_len);
	if (index_find(c, in->id, h))
		return NULL;
	own = acct->agent_id && in->author_id && !strcmp(acct->agent_id, in->author_id);
	mentions_me = !own && mentions(in->content, acct->username);

	/* The cap keeps the newest: the oldest go first, so that their blocks are recycled for
	 * this one. A message older than all that is kept is not stored at all. */
	pos = position_for_key(c, 0, in->created_ms, in->id);
	drop = over_cap(c);
	if (drop && pos < drop) {
		if (drop > 1)
			drop_oldest(c, drop - 1);
		else if (c->history == MDL_HIST_COMPLETE)
			c->history = MDL_HIST_LOADED;
	} else {
		if (drop)
			drop_oldest(c, drop);
		m = message_new_packed(in, id_len);
		m->mentions_me = (uint8_t)mentions_me;
		insert_at(c, pos - drop, m);
		index_add(c, m, h);
	}
	if (live && !own && !c->viewing) {
		c->unread++;
		if (mentions_me || (c->server->is_dms))
			c->mentions++;
		model_of(c)->dirty |= MDL_DIRTY_CHANNELS | MDL_DIRTY_SERVERS | MDL_DIRTY_STATUS;
	}
	if (live && in->author_username)
		mdl_typing_clear(c, in->author_username);
	model_of(c)->dirty |= MDL_DIRTY_LOG;
	return m; /* NULL when the cap dropped it at once */
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
