/* Per-channel UI state (history, /part, /clear, what was already notified) and positions in
 * a channel's log. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

struct chan_state *chan_state(struct tui *t, const struct mdl_channel *c)
{
	struct mdl_account *a = c->server->account;
	for (size_t i = 0; i < t->n_cs; i++)
		if (t->cs[i]->acct == a && str_eq(t->cs[i]->id, c->id))
			return t->cs[i];
	struct chan_state *s = xcalloc(1, sizeof(*s));
	s->acct = a;
	s->id = xstrdup(c->id);
	/* Messages from before this session are history, not news. */
	s->seen_ms = t->session_start_ms;
	s->seen_id = xstrdup("");
	s->clear.ms = -1;
	t->cs = xrealloc(t->cs, (t->n_cs + 1) * sizeof(*t->cs));
	t->cs[t->n_cs++] = s;
	return s;
}

void chan_states_free(struct tui *t)
{
	for (size_t i = 0; i < t->n_cs; i++) {
		struct chan_state *s = t->cs[i];
		el_history_free(&s->hist);
		log_pos_free(&s->clear);
		free(s->seen_id);
		free(s->id);
		free(s);
	}
	free(t->cs);
	t->cs = NULL;
	t->n_cs = 0;
}

void log_pos_free(struct log_pos *p)
{
	free(p->id);
	p->id = NULL;
}

void log_pos_copy(struct log_pos *dst, const struct log_pos *src)
{
	dst->notices = src->notices;
	dst->ms = src->ms;
	str_replace(&dst->id, src->id);
}

void log_pos_newest(const struct tui *t, const struct mdl_channel *c, struct log_pos *p)
{
	p->notices = t->model->n_notices;
	const struct mdl_message *m = c && c->n_msgs ? c->msgs[c->n_msgs - 1] : NULL;
	p->ms = m ? m->created_ms : -1;
	str_replace(&p->id, m ? m->id : NULL);
}

int log_pos_cmp_msg(const struct log_pos *p, const struct mdl_message *m)
{
	if (m->created_ms != p->ms)
		return m->created_ms < p->ms ? -1 : 1;
	int d = strcmp(m->id ? m->id : "", p->id ? p->id : "");
	return d < 0 ? -1 : d > 0;
}
