/* Gap filling: messages posted while the socket was down never arrive as frames, so after
 * every (re)subscribe of a channel whose history we hold, fetch the newest page and page
 * backwards (before=) until reaching the newest message held when the socket went down (its
 * mark; our own sends confirmed over REST during the outage are newer than the gap, so the
 * newest message held at reconnect time is not a safe stop). The model
 * deduplicates by id, so overlap is harmless; messages newer than that mark count as live
 * (unread, mentions). Started on `subscribed`, i.e. once live frames flow again, so nothing
 * falls between the history snapshot and the subscription. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "client_int.h"

#define GAP_MAX_PAGES 20 /* 2000 messages; beyond that "load older" fills the rest */

struct gap_ctx {
	struct mc_client *c;
	char *channel_id;
	int64_t mark_ms;      /* page back to here; -1: to the channel's start */
	int pages;
	size_t added;
};

static int64_t newest_stored_ms(const struct mdl_channel *ch)
{
	for (size_t i = ch->n_msgs; i-- > 0;)
		if (ch->msgs[i]->state == MDL_MSG_STORED)
			return ch->msgs[i]->created_ms;
	return -1;
}

static struct gap_mark *mark_find(struct mc_client *c, const char *id)
{
	for (size_t i = 0; i < c->n_gap_marks; i++)
		if (!strcmp(c->gap_marks[i].channel_id, id))
			return &c->gap_marks[i];
	return NULL;
}

static void mark_drop(struct mc_client *c, const char *id)
{
	struct gap_mark *m = mark_find(c, id);
	if (!m)
		return;
	free(m->channel_id);
	*m = c->gap_marks[--c->n_gap_marks];
}

void gapfill_note_down(struct mc_client *c)
{
	for (size_t i = 0; i < c->n_subs; i++) {
		struct mdl_channel *ch = mdl_channel_find(c->acct, c->subs[i]);
		if (!ch || (ch->history != MDL_HIST_LOADED && ch->history != MDL_HIST_COMPLETE))
			continue;
		if (mark_find(c, ch->id))
			continue; /* an earlier outage's mark is older: keep it */
		c->gap_marks = xrealloc(c->gap_marks, (c->n_gap_marks + 1) * sizeof(*c->gap_marks));
		struct gap_mark *m = &c->gap_marks[c->n_gap_marks++];
		m->channel_id = xstrdup(ch->id);
		m->ms = newest_stored_ms(ch);
	}
}

static void busy_set(struct mc_client *c, const char *id, int on)
{
	for (size_t i = 0; i < c->n_gap_busy; i++) {
		if (strcmp(c->gap_busy[i], id) != 0)
			continue;
		if (!on) {
			free(c->gap_busy[i]);
			c->gap_busy[i] = c->gap_busy[--c->n_gap_busy];
		}
		return;
	}
	if (on) {
		c->gap_busy = xrealloc(c->gap_busy, (c->n_gap_busy + 1) * sizeof(*c->gap_busy));
		c->gap_busy[c->n_gap_busy++] = xstrdup(id);
	}
}

static int busy(const struct mc_client *c, const char *id)
{
	for (size_t i = 0; i < c->n_gap_busy; i++)
		if (!strcmp(c->gap_busy[i], id))
			return 1;
	return 0;
}

static void ctx_free(void *p)
{
	struct gap_ctx *x = p;
	if (!x)
		return;
	free(x->channel_id);
	free(x);
}

static void finish(struct gap_ctx *x, int reached)
{
	struct mc_client *c = x->c;
	busy_set(c, x->channel_id, 0);
	if (reached)
		mark_drop(c, x->channel_id);
	if (x->added)
		log_info("gap fill: %zu message(s) recovered", x->added);
	c->gap_fills++;
	ctx_free(x);
}

static void request_page(struct gap_ctx *x, int64_t before);

static void on_page(void *ud, const struct api_result *r)
{
	struct gap_ctx *x = ud;
	struct mc_client *c = x->c;
	struct mdl_channel *ch = mdl_channel_find(c->acct, x->channel_id);
	if (!ch) {
		finish(x, 1);
		return;
	}
	if (!r->ok) {
		/* the mark stays: the next (re)subscribe tries again; never a loop from here */
		char *e = api_error_text(r);
		log_warn("gap fill failed: %s", e);
		free(e);
		finish(x, 0);
		return;
	}
	int64_t oldest = -1;
	for (size_t i = 0; i < r->messages->n; i++) {
		const struct proto_message *m = &r->messages->v[i];
		if (oldest < 0 || m->created_ms < oldest)
			oldest = m->created_ms;
		struct mdl_msg_in in = {
			.id = m->id,
			.author_id = m->agent.id,
			.author_username = m->agent.username,
			.author_display = m->agent.display_name,
			.content = m->content,
			.content_type = m->content_type,
			.trust_tier = m->trust_tier,
			.created_ms = m->created_ms,
		};
		if (mdl_message_add(ch, &in, m->created_ms > x->mark_ms))
			x->added++;
	}
	mdl_mark_dirty(c->model, MDL_DIRTY_LOG);
	x->pages++;
	int full = r->messages->n_raw >= PROTO_HISTORY_MAX;
	int more = full && oldest > x->mark_ms;
	if (more && x->pages < GAP_MAX_PAGES) {
		request_page(x, oldest + 1); /* +1 ms: same-millisecond neighbours overlap */
		return;
	}
	if (more)
		mdl_notice(c->model, 1, "more than %d messages were missed in a channel; scroll up "
			"for the rest", GAP_MAX_PAGES * PROTO_HISTORY_MAX);
	finish(x, 1);
}

static void request_page(struct gap_ctx *x, int64_t before)
{
	struct mc_client *c = x->c;
	char *id = xstrdup(x->channel_id);
	/* on failure the api call has already freed x; observers have no session and read
	 * history through the public /observers endpoint */
	struct api_req *r = c->agent_id
		? api_channel_messages(c, id, before, PROTO_HISTORY_MAX, on_page, x, ctx_free)
		: api_obs_messages(c, id, before, PROTO_HISTORY_MAX, on_page, x, ctx_free);
	if (!r)
		busy_set(c, id, 0);
	free(id);
}

void gapfill_channel(struct mc_client *c, struct mdl_channel *ch)
{
	/* only channels whose latest page is held; a first load is still running otherwise */
	if (ch->history != MDL_HIST_LOADED && ch->history != MDL_HIST_COMPLETE)
		return;
	if (busy(c, ch->id))
		return;
	struct gap_ctx *x = xcalloc(1, sizeof(*x));
	x->c = c;
	x->channel_id = xstrdup(ch->id);
	struct gap_mark *m = mark_find(c, ch->id);
	x->mark_ms = m ? m->ms : newest_stored_ms(ch);
	busy_set(c, ch->id, 1);
	request_page(x, -1);
}

void gapfill_free(struct mc_client *c)
{
	for (size_t i = 0; i < c->n_gap_marks; i++)
		free(c->gap_marks[i].channel_id);
	free(c->gap_marks);
	c->gap_marks = NULL;
	c->n_gap_marks = 0;
	for (size_t i = 0; i < c->n_gap_busy; i++)
		free(c->gap_busy[i]);
	free(c->gap_busy);
	c->gap_busy = NULL;
	c->n_gap_busy = 0;
}
