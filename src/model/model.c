/* model: accounts, servers, channels, members, notices. Messages, typing and presence live in
 * messages.c. Lookups are linear: accounts hold tens of servers and hundreds of channels. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/model.h"
#include "model_priv.h"

static void chan_index_drop(struct mdl_account *a);

const char *mdl_conn_name(enum mdl_conn c)
{
	switch (c) {
	case MDL_CONN_OFFLINE: return "offline";
	case MDL_CONN_AUTHENTICATING: return "authenticating";
	case MDL_CONN_CONNECTING: return "connecting";
	case MDL_CONN_ONLINE: return "connected";
	case MDL_CONN_RECONNECTING: return "reconnecting";
	case MDL_CONN_FAILED: return "failed";
	}
	return "?";
}

enum mdl_presence mdl_presence_parse(const char *s)
{
	if (!s)
		return MDL_PRES_UNKNOWN;
	if (!strcmp(s, "online"))
		return MDL_PRES_ONLINE;
	if (!strcmp(s, "idle"))
		return MDL_PRES_IDLE;
	if (!strcmp(s, "offline"))
		return MDL_PRES_OFFLINE;
	return MDL_PRES_UNKNOWN;
}

struct mdl_model *mdl_model_new(void)
{
	struct mdl_model *m = xcalloc(1, sizeof(*m));
	m->dirty = MDL_DIRTY_ALL;
	return m;
}

static void member_free(struct mdl_member *mb)
{
	free(mb->agent_id);
	free(mb->username);
	free(mb->display_name);
	free(mb->role);
	free(mb);
}

static void channel_free(struct mdl_channel *c)
{
	mdl_channel_clear_messages(c);
	mdl_channel_free_msgs(c);
	for (size_t i = 0; i < c->n_typing; i++)
		free(c->typing[i].username);
	free(c->typing);
	for (size_t i = 0; i < c->n_online; i++)
		free(c->online[i]);
	free(c->online);
	free(c->id);
	free(c->name);
	free(c->category);
	free(c->type);
	free(c->topic);
	free(c->peer);
	free(c);
}

static void server_free(struct mdl_server *s)
{
	for (size_t i = 0; i < s->n_channels; i++)
		channel_free(s->channels[i]);
	free(s->channels);
	for (size_t i = 0; i < s->n_members; i++)
		member_free(s->members[i]);
	free(s->members);
	free(s->id);
	free(s->name);
	free(s->description);
	free(s->role);
	free(s);
}

static void account_free(struct mdl_account *a)
{
	for (size_t i = 0; i < a->n_servers; i++)
		server_free(a->servers[i]);
	free(a->servers);
	chan_index_drop(a);
	free(a->label);
	free(a->agent_id);
	free(a->username);
	free(a->conn_detail);
	free(a);
}

void mdl_model_free(struct mdl_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_accounts; i++)
		account_free(m->accounts[i]);
	free(m->accounts);
	for (size_t i = 0; i < MDL_NOTICES; i++)
		free(m->notices[i].text);
	free(m);
	mdl_block_cache_drain();
}

void mdl_mark_dirty(struct mdl_model *m, unsigned bits)
{
	if (m)
		m->dirty |= bits;
}

void mdl_notice(struct mdl_model *m, int level, const char *fmt, ...)
{
	va_list ap;
	struct mdl_notice *n = &m->notices[m->n_notices % MDL_NOTICES];

	free(n->text);
	va_start(ap, fmt);
	n->text = xvasprintf(fmt, ap);
	va_end(ap);
	n->level = level;
	n->at_ms = wall_ms();
	m->n_notices++;
	m->dirty |= MDL_DIRTY_STATUS | MDL_DIRTY_LOG;
}

const struct mdl_notice *mdl_notice_last(const struct mdl_model *m)
{
	if (!m->n_notices)
		return NULL;
	return &m->notices[(m->n_notices - 1) % MDL_NOTICES];
}

struct mdl_account *mdl_account_add(struct mdl_model *m, const char *label, int observer)
{
	struct mdl_account *a = xcalloc(1, sizeof(*a));

	a->label = xstrdup(label ? label : (observer ? "observer" : "agent"));
	a->observer = observer;
	a->model = m;
	a->next_local_id = 1;
	m->accounts = xrealloc(m->accounts, (m->n_accounts + 1) * sizeof(*m->accounts));
	m->accounts[m->n_accounts++] = a;
	m->dirty = MDL_DIRTY_ALL;
	return a;
}

void mdl_account_set_identity(struct mdl_account *a, const char *agent_id, const char *username)
{
	str_replace(&a->agent_id, agent_id);
	str_replace(&a->username, username);
	if (username) {
		free(a->label);
		a->label = xasprintf("@%s", username);
	}
	a->model->dirty |= MDL_DIRTY_STATUS | MDL_DIRTY_SERVERS;
}

void mdl_account_set_conn(struct mdl_account *a, enum mdl_conn c, const char *detail)
{
	a->conn = c;
	str_replace(&a->conn_detail, detail);
	a->model->dirty |= MDL_DIRTY_STATUS;
}

struct mdl_server *mdl_server_find(const struct mdl_account *a, const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < a->n_servers; i++)
		if (!strcmp(a->servers[i]->id, id))
			return a->servers[i];
	return NULL;
}

struct mdl_server *mdl_server_upsert(struct mdl_account *a, const char *id, const char *name)
{
	struct mdl_server *s = mdl_server_find(a, id);

	if (!s) {
		s = xcalloc(1, sizeof(*s));
		s->id = xstrdup(id);
		s->account = a;
		a->servers = xrealloc(a->servers, (a->n_servers + 1) * sizeof(*a->servers));
		a->servers[a->n_servers++] = s;
	}
	if (name)
		str_replace(&s->name, name);
	a->model->dirty |= MDL_DIRTY_SERVERS;
	return s;
}

struct mdl_server *mdl_account_dms(struct mdl_account *a)
{
	struct mdl_server *s = mdl_server_find(a, MDL_DMS_ID);

	if (!s) {
		s = mdl_server_upsert(a, MDL_DMS_ID, "Direct messages");
		s->is_dms = 1;
	}
	return s;
}

void mdl_server_remove(struct mdl_account *a, const char *id)
{
	for (size_t i = 0; i < a->n_servers; i++) {
		if (strcmp(a->servers[i]->id, id))
			continue;
		server_free(a->servers[i]);
		chan_index_drop(a);
		memmove(&a->servers[i], &a->servers[i + 1], (a->n_servers - i - 1) * sizeof(*a->servers));
		a->n_servers--;
		a->model->dirty = MDL_DIRTY_ALL;
		return;
	}
}

unsigned mdl_server_unread(const struct mdl_server *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->n_channels; i++)
		n += s->channels[i]->unread;
	return n;
}

unsigned mdl_server_mentions(const struct mdl_server *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->n_channels; i++)
		n += s->channels[i]->mentions;
	return n;
}

struct mdl_channel *mdl_channel_upsert(struct mdl_server *s, const char *id)
{
	struct mdl_channel *c;

	for (size_t i = 0; i < s->n_channels; i++)
		if (!strcmp(s->channels[i]->id, id))
			return s->channels[i];
	c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->server = s;
	s->channels = xrealloc(s->channels, (s->n_channels + 1) * sizeof(*s->channels));
	s->channels[s->n_channels++] = c;
	chan_index_drop(s->account);
	s->account->model->dirty |= MDL_DIRTY_CHANNELS;
	return c;
}

void mdl_channel_set(struct mdl_channel *c, const char *name, const char *category,
	const char *type, const char *topic, int position)
{
	str_replace(&c->name, name);
	str_replace(&c->category, category);
	str_replace(&c->type, type);
	str_replace(&c->topic, topic);
	c->position = position;
	c->server->account->model->dirty |= MDL_DIRTY_CHANNELS | MDL_DIRTY_STATUS;
}

/* The id's bytes, eight at a time, folded. */
static uint64_t id_hash(const char *id)
{
	size_t n = strlen(id);
	uint64_t h = n, w;
	for (; n >= 8; id += 8, n -= 8) {
		memcpy(&w, id, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, id, n);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

static void chan_index_drop(struct mdl_account *a)
{
	free(a->chan_index);
	a->chan_index = NULL;
	a->chan_index_cap = 0;
}

/* Every channel of every server, the first of equal ids in server order (as a walk finds). */
static void chan_index_build(struct mdl_account *a)
{
	size_t n = 0, cap = 16;
	for (size_t i = 0; i < a->n_servers; i++)
		n += a->servers[i]->n_channels;
	while (cap < 2 * n)
		cap *= 2;
	a->chan_index = xcalloc(cap, sizeof(*a->chan_index));
	a->chan_index_cap = cap;
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_server *s = a->servers[i];
		for (size_t j = 0; j < s->n_channels; j++) {
			size_t k = (size_t)id_hash(s->channels[j]->id) & (cap - 1);
			while (a->chan_index[k] && strcmp(a->chan_index[k]->id, s->channels[j]->id))
				k = (k + 1) & (cap - 1);
			if (!a->chan_index[k])
				a->chan_index[k] = s->channels[j];
		}
	}
}

/* Every received frame looks its channel up: walking every server's channel list (a strcmp
 * each) per message grew with the number of channels watched. */
struct mdl_channel *mdl_channel_find(const struct mdl_account *a, const char *id)
{
	if (!id)
		return NULL;
	if (!a->chan_index)
		chan_index_build((struct mdl_account *)a); /* a cache, not observable state */
	size_t mask = a->chan_index_cap - 1, k = (size_t)id_hash(id) & mask;
	for (struct mdl_channel *c; (c = a->chan_index[k]); k = (k + 1) & mask)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

struct mdl_channel *mdl_channel_find_name(const struct mdl_server *s, const char *name)
{
	if (!name)
		return NULL;
	if (*name == '#')
		name++;
	for (size_t i = 0; i < s->n_channels; i++) {
		const char *n = s->channels[i]->name ? s->channels[i]->name : s->channels[i]->peer;

		if (n && !strcasecmp(n, name))
			return s->channels[i];
	}
	return NULL;
}

void mdl_channel_set_viewing(struct mdl_channel *c, int viewing)
{
	c->viewing = viewing;
	if (viewing && (c->unread || c->mentions)) {
		c->unread = 0;
		c->mentions = 0;
		c->server->account->model->dirty |= MDL_DIRTY_CHANNELS | MDL_DIRTY_SERVERS | MDL_DIRTY_STATUS;
	}
}

struct mdl_member *mdl_member_find(const struct mdl_server *s, const char *agent_id)
{
	if (!agent_id)
		return NULL;
	for (size_t i = 0; i < s->n_members; i++)
		if (!strcmp(s->members[i]->agent_id, agent_id))
			return s->members[i];
	return NULL;
}

struct mdl_member *mdl_member_upsert(struct mdl_server *s, const char *agent_id,
	const char *username, const char *display_name, const char *role, enum mdl_presence p)
{
	struct mdl_member *mb = mdl_member_find(s, agent_id);

	if (!mb) {
		mb = xcalloc(1, sizeof(*mb));
		mb->agent_id = xstrdup(agent_id);
		s->members = xrealloc(s->members, (s->n_members + 1) * sizeof(*s->members));
		s->members[s->n_members++] = mb;
	}
	if (username)
		str_replace(&mb->username, username);
	if (display_name)
		str_replace(&mb->display_name, display_name);
	if (role)
		str_replace(&mb->role, role);
	if (p != MDL_PRES_UNKNOWN)
		mb->presence = p;
	s->account->model->dirty |= MDL_DIRTY_MEMBERS;
	return mb;
}

const char *mdl_account_name_for(const struct mdl_account *a, const char *agent_id)
{
	if (!agent_id)
		return NULL;
	if (a->agent_id && !strcmp(a->agent_id, agent_id))
		return a->username;
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_member *mb = mdl_member_find(a->servers[i], agent_id);

		if (mb && mb->username)
			return mb->username;
	}
	/* Authors seen in messages: newest first, so a recent speaker resolves fast. */
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_server *s = a->servers[i];

		for (size_t j = 0; j < s->n_channels; j++) {
			struct mdl_channel *c = s->channels[j];

			for (size_t k = c->n_msgs; k-- > 0;)
				if (c->msgs[k]->author_id && !strcmp(c->msgs[k]->author_id, agent_id))
					return c->msgs[k]->author_username;
		}
	}
	return NULL;
}
