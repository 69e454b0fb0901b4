/* The reactions this client made in this session. The protocol never reports reactions and
 * the real server adds karma on every repeat (protocol.md §3.8), so this set is both what the
 * UI can show and what keeps api_react from ever sending the same (message, emoji) twice. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "client_int.h"

static struct react_entry *entry_find(const struct mc_client *c, const char *message_id)
{
	for (size_t i = 0; i < c->n_reacts; i++)
		if (!strcmp(c->reacts[i].message_id, message_id))
			return &c->reacts[i];
	return NULL;
}

int react_has(const struct mc_client *c, const char *message_id, const char *emoji)
{
	const struct react_entry *e = entry_find(c, message_id);
	for (size_t i = 0; e && i < e->n_emojis; i++)
		if (!strcmp(e->emojis[i], emoji))
			return 1;
	return 0;
}

void react_add(struct mc_client *c, const char *message_id, const char *emoji)
{
	if (react_has(c, message_id, emoji))
		return;
	struct react_entry *e = entry_find(c, message_id);
	if (!e) {
		c->reacts = xrealloc(c->reacts, (c->n_reacts + 1) * sizeof(*c->reacts));
		e = &c->reacts[c->n_reacts++];
		memset(e, 0, sizeof(*e));
		e->message_id = xstrdup(message_id);
	}
	e->emojis = xrealloc(e->emojis, (e->n_emojis + 1) * sizeof(char *));
	e->emojis[e->n_emojis++] = xstrdup(emoji);
	mdl_mark_dirty(c->model, MDL_DIRTY_LOG);
}

void react_remove(struct mc_client *c, const char *message_id, const char *emoji)
{
	struct react_entry *e = entry_find(c, message_id);
	if (!e)
		return;
	for (size_t i = 0; i < e->n_emojis; i++) {
		if (strcmp(e->emojis[i], emoji) != 0)
			continue;
		free(e->emojis[i]);
		memmove(&e->emojis[i], &e->emojis[i + 1], (e->n_emojis - i - 1) * sizeof(char *));
		e->n_emojis--;
		mdl_mark_dirty(c->model, MDL_DIRTY_LOG);
		break;
	}
	if (e->n_emojis == 0) {
		free(e->emojis);
		free(e->message_id);
		size_t idx = (size_t)(e - c->reacts);
		memmove(e, e + 1, (c->n_reacts - idx - 1) * sizeof(*e));
		c->n_reacts--;
	}
}

void react_free_all(struct mc_client *c)
{
	for (size_t i = 0; i < c->n_reacts; i++) {
		for (size_t j = 0; j < c->reacts[i].n_emojis; j++)
			free(c->reacts[i].emojis[j]);
		free(c->reacts[i].emojis);
		free(c->reacts[i].message_id);
	}
	free(c->reacts);
	c->reacts = NULL;
	c->n_reacts = 0;
}

size_t mc_client_my_reactions(struct mc_client *c, const char *message_id,
	const char *const **emojis)
{
	const struct react_entry *e = message_id ? entry_find(c, message_id) : NULL;
	*emojis = e ? (const char *const *)e->emojis : NULL;
	return e ? e->n_emojis : 0;
}
