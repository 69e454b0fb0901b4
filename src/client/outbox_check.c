/* Was an unconfirmed send stored? The ack (or the REST answer) was lost, so the channel's
 * history decides before anything is sent again: never lost, never twice.
 *
 * A history message is ours when it has our author id, the same content and content type,
 * and it is newer than what the channel held before the first attempt (after_ms/after_id,
 * server clock) and not older than the attempt minus a clock margin (wall clock, for channels
 * whose history was never loaded). Ids already claimed by another of our sends are skipped,
 * and the oldest match wins, so two identical messages in a row map one to one. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "client_int.h"

#define CHECK_MARGIN_MS (120 * 1000) /* server and client clocks may disagree */
#define CHECK_MAX_PAGES 5

struct check_ctx {
	struct mc_client *c;
	struct ob_entry *e;   /* c->ob_cur when the request started */
	int pages;
	char *best_id;
	int64_t best_ms;
};

static void ctx_free(void *p)
{
	struct check_ctx *x = p;
	if (!x)
		return;
	free(x->best_id);
	free(x);
}

void ob_claim(struct mc_client *c, const char *id)
{
	if (!id || ob_claimed(c, id))
		return;
	size_t slot = c->n_claimed++ % OB_CLAIMED;
	str_replace(&c->claimed[slot], id);
}

int ob_claimed(const struct mc_client *c, const char *id)
{
	for (size_t i = 0; i < OB_CLAIMED; i++)
		if (c->claimed[i] && !strcmp(c->claimed[i], id))
			return 1;
	return 0;
}

static int64_t lower_bound_ms(const struct ob_entry *e)
{
	int64_t lo = e->sent_ms ? e->sent_ms - CHECK_MARGIN_MS : 0;
	if (e->after_ms > lo)
		lo = e->after_ms;
	return lo;
}

static int is_ours(const struct mc_client *c, const struct ob_entry *e,
	const struct proto_message *m)
{
	const char *type = e->content_type ? e->content_type : "text";
	if (!m->id || !m->agent.id || strcmp(m->agent.id, c->agent_id) != 0)
		return 0;
	if (strcmp(m->content, e->content) != 0 || strcmp(m->content_type, type) != 0)
		return 0;
	if (e->sent_ms && m->created_ms < e->sent_ms - CHECK_MARGIN_MS)
		return 0;
	if (e->after_ms >= 0) {
		if (m->created_ms < e->after_ms)
			return 0;
		if (m->created_ms == e->after_ms && e->after_id && !strcmp(m->id, e->after_id))
			return 0;
	}
	return !ob_claimed(c, m->id);
}

static void request_page(struct check_ctx *x, int64_t before);

static void on_page(void *ud, const struct api_result *r)
{
	struct check_ctx *x = ud;
	struct mc_client *c = x->c;
	if (c->ob_cur != x->e || !c->ob_checking) {
		ctx_free(x);
		return; /* the outbox moved on (cannot normally happen) */
	}
	if (!r->ok) {
		int transient = r->status == 0 || r->status >= 500 || r->status == 401 ||
			r->status == 429;
		if (!transient) {
			/* no readable history (channel gone, no access): a resend will say why */
			char *e = api_error_text(r);
			log_warn("outbox: history check failed: %s", e);
			free(e);
		}
		ctx_free(x);
		ob_check_done(c, NULL, 0, transient);
		return;
	}
	int64_t oldest = -1;
	for (size_t i = 0; i < r->messages->n; i++) {
		const struct proto_message *m = &r->messages->v[i];
		if (oldest < 0 || m->created_ms < oldest)
			oldest = m->created_ms;
		if (!is_ours(c, x->e, m))
			continue;
		if (!x->best_id || m->created_ms < x->best_ms) {
			str_replace(&x->best_id, m->id);
			x->best_ms = m->created_ms;
		}
	}
	int full = r->messages->n_raw >= PROTO_HISTORY_MAX;
	x->pages++;
	if (full && oldest > lower_bound_ms(x->e) && x->pages < CHECK_MAX_PAGES) {
		/* older matches may exist: the oldest one wins (one-to-one with our sends) */
		request_page(x, oldest + 1); /* +1 ms: same-millisecond neighbours overlap */
		return;
	}
	char *id = x->best_id ? xstrdup(x->best_id) : NULL;
	int64_t ms = x->best_ms;
	ctx_free(x);
	ob_check_done(c, id, ms, 0);
	free(id);
}

static void request_page(struct check_ctx *x, int64_t before)
{
	struct mc_client *c = x->c;
	if (!api_channel_messages(c, x->e->channel_id, before, PROTO_HISTORY_MAX, on_page, x,
		    ctx_free))
		ob_check_done(c, NULL, 0, 1); /* x already freed */
}

void ob_check_start(struct mc_client *c, struct ob_entry *e)
{
	struct check_ctx *x = xcalloc(1, sizeof(*x));
	x->c = c;
	x->e = e;
	request_page(x, -1);
}
