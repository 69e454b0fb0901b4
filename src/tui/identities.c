/* Several identities in one UI: the list of (account, client) pairs, which one is active
 * (the one that sends and whose channels are selected), and the server list's grouping and
 * order. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"


struct tui_ident *tui_ident_of(struct tui *t, const struct mdl_account *a)
{
	for (size_t i = 0; i < t->n_ids; i++)
		if (t->ids[i]->acct == a)
			return t->ids[i];
	return NULL;
}

/* Make another identity active with nothing selected (the caller selects). */
void tui_set_active(struct tui *t, struct tui_ident *id)
{
	struct mdl_channel *old = tui_cur_channel(t);
	if (old)
		mdl_channel_set_viewing(old, 0);
	struct tui_ident *cur = tui_ident_of(t, t->acct);
	if (cur) {
		str_replace(&cur->server_id, t->server_id);
		str_replace(&cur->channel_id, t->channel_id);
	}
	t->acct = id->acct;
	t->client = id->client;
	free(t->server_id);
	free(t->channel_id);
	t->server_id = t->channel_id = NULL;
	t->prefer_deadline = 0;
	tui_reset_view(t);
	el_set_history(&t->edit, NULL);
	t->ui_dirty = 1;
	mdl_mark_dirty(t->model, MDL_DIRTY_ALL);
}

void tui_activate(struct tui *t, struct mdl_account *a)
{
	struct tui_ident *id = tui_ident_of(t, a);
	if (!id || a == t->acct)
		return;
	char *want_channel = t->channel_id ? xstrdup(t->channel_id) : NULL;
	char *want_server = t->server_id ? xstrdup(t->server_id) : NULL;
	tui_set_active(t, id);
	/* Both identities are in this channel: stay in it, now sending as the other one.
	 * Else where this identity was, else the same server, else ensure_selection picks. */
	struct mdl_channel *c = mdl_channel_find(a, want_channel);
	if (!c || tui_channel_hidden(t, c))
		c = mdl_channel_find(a, id->channel_id);
	struct mdl_server *s = want_server ? mdl_server_find(a, want_server) : NULL;
	if (!s && id->server_id)
		s = mdl_server_find(a, id->server_id);
	if (c && !tui_channel_hidden(t, c))
		tui_select_channel(t, c);
	else if (s)
		tui_select_server(t, s);
	free(want_channel);
	free(want_server);
	if (a->observer)
		mdl_notice(t->model, 0, "now observing anonymously (read-only)");
	else
		mdl_notice(t->model, 0, "now sending as %s", a->label ? a->label : "?");
}

void tui_cycle_identity(struct tui *t, int delta)
{
	if (t->n_ids < 2) {
		mdl_notice(t->model, 0, "only one identity: /account add FILE signs in another");
		return;
	}
	size_t i = 0;
	while (i < t->n_ids && t->ids[i]->acct != t->acct)
		i++;
	i = i == t->n_ids ? 0 : (i + t->n_ids + (size_t)(delta > 0 ? 1 : -1 + (int)t->n_ids)) %
		t->n_ids;
	tui_activate(t, t->ids[i]->acct);
}

void tui_add_identity(struct tui *t, struct mdl_account *acct, struct mc_client *client)
{
	struct tui_ident *id = tui_ident_of(t, acct);
	if (!id) {
		id = xcalloc(1, sizeof(*id));
		id->acct = acct;
		t->ids = xrealloc(t->ids, (t->n_ids + 1) * sizeof(*t->ids));
		t->ids[t->n_ids++] = id;
	}
	id->client = client;
	if (acct == t->acct) {
		t->client = client;
		struct mdl_channel *c = tui_cur_channel(t);
		if (client && c)
			mc_client_open_channel(client, c->id);
	}
	t->ui_dirty = 1;
	mdl_mark_dirty(t->model, MDL_DIRTY_ALL);
}

void tui_remove_identity(struct tui *t, struct mdl_account *acct)
{
	struct tui_ident *id = tui_ident_of(t, acct);
	if (!id || t->n_ids < 2)
		return; /* the UI always keeps one identity */
	if (acct == t->acct)
		tui_cycle_identity(t, 1);
	/* Its channels were followed through the client that goes away. */
	for (size_t i = 0; i < t->n_cs; i++)
		if (t->cs[i]->acct == acct)
			t->cs[i]->watched = 0;
	size_t i = 0;
	while (t->ids[i] != id)
		i++;
	memmove(&t->ids[i], &t->ids[i + 1], (t->n_ids - i - 1) * sizeof(*t->ids));
	t->n_ids--;
	free(id->server_id);
	free(id->channel_id);
	free(id);
	t->ui_dirty = 1;
	mdl_mark_dirty(t->model, MDL_DIRTY_ALL);
}

void tui_set_server_order(struct tui *t, const char *const *ids, size_t n)
{
	for (size_t i = 0; i < t->n_server_order; i++)
		free(t->server_order[i]);
	free(t->server_order);
	t->server_order = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		t->server_order[i] = xstrdup(ids[i]);
	t->n_server_order = n;
	mdl_mark_dirty(t->model, MDL_DIRTY_SERVERS);
}

struct row_key {
	struct srv_row row;
	size_t ident, rank, model_index;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;
	if (x->ident != y->ident)
		return x->ident < y->ident ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->model_index < y->model_index ? -1 : x->model_index > y->model_index;
}

size_t tui_server_rows(struct tui *t, struct srv_row **out)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_ids; i++)
		n += t->ids[i]->acct->n_servers;
	struct row_key *k = xcalloc(n ? n : 1, sizeof(*k));
	size_t at = 0;
	for (size_t i = 0; i < t->n_ids; i++) {
		struct mdl_account *a = t->ids[i]->acct;
		for (size_t j = 0; j < a->n_servers; j++, at++) {
			struct mdl_server *s = a->servers[j];
			size_t rank = t->n_server_order;
			for (size_t o = 0; o < t->n_server_order; o++)
				if (str_eq(t->server_order[o], s->id)) {
					rank = o;
					break;
				}
			/* Direct messages go last, after every server. */
			if (s->is_dms)
				rank = t->n_server_order + 1;
			k[at] = (struct row_key){ { t->ids[i], s }, i, rank, j };
		}
	}
	qsort(k, n, sizeof(*k), cmp_row);
	struct srv_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	for (size_t i = 0; i < n; i++)
		rows[i] = k[i].row;
	free(k);
	*out = rows;
	return n;
}

