/* Initial and on-demand loading into the model: servers, channel trees, members, DMs and
 * history pages. Agents use the authenticated endpoints; observers the public /observers endpoints. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "client_int.h"
#include "load.h"

/* Small per-request context: the client plus an id. */
struct load_ctx {
	struct mc_client *c;
	char *id;
	int prev_history;
	int limit;
	int strict;       /* history: page strictly before the oldest (no overlap) */
	int64_t before;   /* history: the `before` used, -1 for the latest page */
};

static struct load_ctx *ctx_new(struct mc_client *c, const char *id)
{
	struct load_ctx *x = xcalloc(1, sizeof(*x));
	x->c = c;
	x->id = xstrdup(id);
	return x;
}

static void ctx_free(void *p)
{
	struct load_ctx *x = p;
	if (!x)
		return;
	free(x->id);
	free(x);
}

void client_notice_api(struct mc_client *c, const char *what, const struct api_result *r)
{
	char *e = api_error_text(r);
	log_warn("%s failed: %s", what, e);
	mdl_notice(c->model, 2, "%s failed: %s", what, e);
	free(e);
}

/* ---- members ---- */

static void on_members(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	struct mdl_server *s = mdl_server_find(c->acct, x->id);
	if (r->ok && s) {
		for (size_t i = 0; i < r->members->n; i++) {
			const struct proto_member *m = &r->members->v[i];
			mdl_member_upsert(s, m->agent_id, m->username, m->display_name, m->role,
				mdl_presence_parse(m->presence));
		}
		mdl_mark_dirty(c->model, MDL_DIRTY_MEMBERS);
	} else if (!r->ok && r->status != 404) {
		/* 404: a private server has no public member list; nothing to say */
		client_notice_api(c, "loading members", r);
	}
	ctx_free(x);
}

void load_members(struct mc_client *c, const char *server_id)
{
	/* the public observers endpoint is the only member listing there is */
	api_obs_members(c, server_id, on_members, ctx_new(c, server_id), ctx_free);
}

/* ---- channels ---- */

static void on_channels(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	struct mdl_server *s = mdl_server_find(c->acct, x->id);
	if (r->ok && s) {
		for (size_t i = 0; i < r->channels->n; i++) {
			const struct proto_channel *pc = &r->channels->v[i];
			if (!str_is_uuid(pc->id))
				continue;
			struct mdl_channel *ch = mdl_channel_upsert(s, pc->id);
			mdl_channel_set(ch, pc->name, pc->category, pc->type, pc->topic, pc->position);
		}
		ob_pump(c); /* messages restored from disk may wait for these channels */
	} else if (!r->ok) {
		client_notice_api(c, "loading channels", r);
	}
	ctx_free(x);
}

void load_channels(struct mc_client *c, const char *server_id)
{
	struct load_ctx *x = ctx_new(c, server_id);
	if (c->agent_id)
		api_server_channels(c, server_id, on_channels, x, ctx_free);
	else
		api_obs_channels(c, server_id, on_channels, x, ctx_free);
}

/* ---- servers ---- */

static void upsert_server(struct mc_client *c, const struct proto_server *ps)
{
	struct mdl_server *s = mdl_server_upsert(c->acct, ps->id, ps->name ? ps->name : ps->id);
	if (ps->description)
		str_replace(&s->description, ps->description);
	if (ps->role)
		str_replace(&s->role, ps->role);
	mdl_mark_dirty(c->model, MDL_DIRTY_SERVERS);
}

static void on_servers(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	if (r->ok) {
		for (size_t i = 0; i < r->servers->n; i++) {
			const struct proto_server *ps = &r->servers->v[i];
			if (!str_is_uuid(ps->id))
				continue;
			upsert_server(c, ps);
			load_channels(c, ps->id);
			load_members(c, ps->id);
		}
	} else {
		client_notice_api(c, "loading the server list", r);
	}
	ctx_free(x);
}

void load_all(struct mc_client *c)
{
	if (c->agent_id) {
		/* friends and their DM channels come from the poller's first round */
		api_my_servers(c, on_servers, ctx_new(c, NULL), ctx_free);
	} else {
		api_obs_servers(c, on_servers, ctx_new(c, NULL), ctx_free);
	}
}

/* ---- history ---- */

static void history_request(struct mc_client *c, struct mdl_channel *ch, int prev_history, int strict);

static void on_history(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	struct mdl_channel *ch = mdl_channel_find(c->acct, x->id);
	if (!ch) {
		ctx_free(x);
		return;
	}
	if (r->ok) {
		/* newest first in the body; the model orders by time, so any order works */
		size_t added = 0;
		for (size_t i = 0; i < r->messages->n; i++) {
			const struct proto_message *m = &r->messages->v[i];
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
			if (mdl_message_add(ch, &in, 0))
				added++;
		}
		int full = r->messages->n_raw >= (size_t)x->limit;
		if (full && !added && x->before >= 0 && !x->strict) {
			/* a whole page inside the overlapping millisecond: step strictly past it */
			ch->history = (enum mdl_history)x->prev_history;
			int prev = x->prev_history;
			ctx_free(x);
			history_request(c, ch, prev, 1);
			return;
		}
		ch->history = full ? MDL_HIST_LOADED : MDL_HIST_COMPLETE;
	} else {
		ch->history = (enum mdl_history)x->prev_history;
		client_notice_api(c, "loading history", r);
	}
	mdl_mark_dirty(c->model, MDL_DIRTY_LOG | MDL_DIRTY_STATUS);
	ctx_free(x);
}

/* The server keeps microseconds but shows milliseconds, so `before=<oldest createdAt>` skips
 * messages sharing that millisecond (protocol.md §3.8). Asking for before=oldest+1 ms
 * overlaps by that millisecond instead; the overlap is deduplicated by id. strict=1 pages
 * exactly before the oldest (used when a full page fell entirely inside the overlap). */
static void history_request(struct mc_client *c, struct mdl_channel *ch, int prev_history, int strict)
{
	int64_t before = -1;
	if (prev_history != MDL_HIST_NONE) {
		before = mdl_channel_oldest_ms(ch);
		if (before >= 0 && !strict)
			before += 1;
	}
	struct load_ctx *x = ctx_new(c, ch->id);
	x->prev_history = prev_history;
	x->limit = PROTO_HISTORY_DEFAULT;
	x->strict = strict;
	x->before = before;
	ch->history = MDL_HIST_LOADING;
	mdl_mark_dirty(c->model, MDL_DIRTY_STATUS);
	struct api_req *r;
	if (c->agent_id)
		r = api_channel_messages(c, ch->id, before, x->limit, on_history, x, ctx_free);
	else
		r = api_obs_messages(c, ch->id, before, x->limit, on_history, x, ctx_free);
	if (!r)
		ch->history = (enum mdl_history)prev_history; /* x already freed by api_start */
}

void load_history(struct mc_client *c, struct mdl_channel *ch, int older)
{
	if (ch->history == MDL_HIST_LOADING)
		return;
	if (older && ch->history == MDL_HIST_COMPLETE)
		return;
	if (older && mdl_channel_oldest_ms(ch) < 0)
		older = 0;
	history_request(c, ch, older ? (int)ch->history : MDL_HIST_NONE, 0);
}

/* ---- join ---- */

static void on_join_server(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	if (r->ok) {
		upsert_server(c, r->server);
		struct mdl_server *s = mdl_server_find(c->acct, x->id);
		if (s && !s->role)
			str_replace(&s->role, "member");
		load_channels(c, x->id);
		load_members(c, x->id);
	} else {
		client_notice_api(c, "loading the joined server", r);
	}
	ctx_free(x);
}

static void on_join(void *ud, const struct api_result *r)
{
	struct load_ctx *x = ud;
	struct mc_client *c = x->c;
	int already = !r->ok && r->err.code && !strcmp(r->err.code, "ALREADY_MEMBER");
	if (r->ok || already) {
		api_get_server(c, x->id, on_join_server, x, ctx_free);
		return;
	}
	client_notice_api(c, "joining the server", r);
	ctx_free(x);
}

void load_join(struct mc_client *c, const char *server_id)
{
	api_join_server(c, server_id, on_join, ctx_new(c, server_id), ctx_free);
}
