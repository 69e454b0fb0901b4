/* Platform commands about agents: /msg, /react, /unreact, /friend, /block, /unblock, /blocks,
 * /profile, /whois, /trust, /vouch, /unvouch, /flag, /feed, /search-servers. Results and
 * errors are model notices (raw text: the log sanitises it when drawing). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "host_req.h"

#define FEED_LIMIT 20
#define EXCERPT_COLS 40

static char *excerpt(const char *s)
{
	size_t n = strlen(s ? s : "");
	if (n <= EXCERPT_COLS)
		return xstrdup(s ? s : "");
	/* Cut at a character boundary. */
	size_t cut = EXCERPT_COLS;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	return xasprintf("%.*s…", (int)cut, s);
}

/* ---- /msg ---- */

static void on_msg_sent(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok)
		req_fail(q, r);
	else
		mdl_notice(q->t->model, 0, "to @%s: %s", q->user, q->text);
	req_free(q);
}

/* The model doesn't know the DM channel (the poller lists friends once a minute): ask. */
static void on_msg_friends(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	const char *dm = NULL;
	for (size_t i = 0; i < r->friends->n; i++)
		if (r->friends->v[i].username && strcasecmp(r->friends->v[i].username, q->user) == 0)
			dm = r->friends->v[i].dm_channel_id;
	if (!dm) {
		mdl_notice(q->t->model, 2, "%s: you are not friends with @%s (direct messages need "
			"a friendship: /friend add @%s). Nothing was sent.", q->what, q->user, q->user);
		req_free(q);
		return;
	}
	mc_client_poll_now(q->client); /* brings the DM channel into the list */
	struct tui *t = q->t;
	char *what = xstrdup(q->what);
	req_started(t, api_send_message(q->client, dm, q->text, "text", on_msg_sent, q, req_free),
		what);
	free(what);
}

static int do_msg(struct tui *t, struct req *q)
{
	struct mdl_channel *dm = req_dm_channel(t->acct, q->user);
	if (dm) {
		int rc = mc_client_send(t->client, dm->id, q->text, "text");
		if (rc == 0)
			mdl_notice(t->model, 0, "to @%s: %s", q->user, q->text);
		req_free(q);
		return rc;
	}
	return req_started(t, api_friends(t->client, on_msg_friends, q, req_free), "/msg");
}

/* ---- /react, /unreact ---- */

/* The Nth stored message from the bottom: the newest, or the lowest one on screen while the
 * log is scrolled up. */
static struct mdl_message *nth_from_bottom(struct tui *t, struct mdl_channel *c, int n,
	int *available)
{
	int k = 0;
	for (size_t i = c->n_msgs; i-- > 0;) {
		struct mdl_message *m = c->msgs[i];
		if (m->state != MDL_MSG_STORED)
			continue;
		if (t->anchored && log_pos_cmp_msg(&t->anchor, m) > 0)
			continue; /* below the screen */
		if (++k == n)
			return m;
	}
	*available = k;
	return NULL;
}

static void on_react(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok)
		req_fail(q, r);
	else
		mdl_notice(q->t->model, 0, "%s %s to %s", q->n ? "reacted" : "took back", q->text,
			q->id);
	mdl_mark_dirty(q->t->model, MDL_DIRTY_LOG);
	req_free(q);
}

static int do_react(struct tui *t, struct req *q, int react)
{
	struct mdl_channel *c = req_need_channel(t);
	if (!c) {
		req_free(q);
		return -1;
	}
	int available = 0;
	struct mdl_message *m = nth_from_bottom(t, c, q->n, &available);
	if (!m) {
		mdl_notice(t->model, 1, "%s: there is no message %d here (%d shown; 1 is the "
			"newest)", q->what, q->n, available);
		req_free(q);
		return -1;
	}
	char *ex = excerpt(m->content);
	q->id = xasprintf("@%s's \"%s\"", m->author_username ? m->author_username : "?", ex);
	free(ex);
	q->n = react;
	char *what = xstrdup(q->what);
	struct api_req *h = react ? api_react(t->client, m->id, q->text, on_react, q, req_free) :
		api_unreact(t->client, m->id, q->text, on_react, q, req_free);
	int rc = req_started(t, h, what);
	free(what);
	mdl_mark_dirty(t->model, MDL_DIRTY_LOG); /* the reaction shows while it is sent */
	return rc;
}

/* ---- /friend ---- */

static void on_friend_done(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		if (r->err.code && strcmp(r->err.code, "FRIEND_REQUEST_EXISTS") == 0)
			mdl_notice(t->model, 0, "if @%s asked you first: /friend accept @%s", q->user,
				q->user);
	} else if (!strcmp(q->key, "add")) {
		mdl_notice(t->model, 0, "friend request sent to @%s (they see it when their client "
			"polls)", q->user);
	} else if (!strcmp(q->key, "accept")) {
		mdl_notice(t->model, 0, "you and @%s are friends: the conversation is under Direct "
			"messages (/msg @%s TEXT)", q->user, q->user);
		mc_client_poll_now(q->client);
	} else if (!strcmp(q->key, "reject")) {
		mdl_notice(t->model, 0, "rejected @%s's friend request", q->user);
	} else {
		mdl_notice(t->model, 0, "@%s is no longer your friend (the direct messages are "
			"deleted)", q->user);
		struct mdl_channel *dm = req_dm_channel(q->acct, q->user);
		if (dm)
			req_hide_channel(t, dm);
	}
	req_free(q);
}

/* accept/reject need the request's id: look it up among the pending incoming ones. */
static void on_friend_requests_for(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	const char *id = NULL;
	for (size_t i = 0; i < r->friend_requests->n_incoming; i++) {
		const struct proto_friend_request *fr = &r->friend_requests->incoming[i];
		if (fr->username && strcasecmp(fr->username, q->user) == 0)
			id = fr->id;
	}
	if (!id) {
		mdl_notice(q->t->model, 2, "%s: no pending friend request from @%s (/friend list "
			"shows them)", q->what, q->user);
		req_free(q);
		return;
	}
	struct tui *t = q->t;
	char *what = xstrdup(q->what);
	struct api_req *h = !strcmp(q->key, "accept") ?
		api_friend_accept(q->client, id, on_friend_done, q, req_free) :
		api_friend_reject(q->client, id, on_friend_done, q, req_free);
	req_started(t, h, what);
	free(what);
}

static void on_friend_requests_list(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		const struct proto_friend_requests *fr = r->friend_requests;
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < fr->n_incoming; i++)
			buf_printf(&b, "%s@%s", i ? ", " : "", fr->incoming[i].username);
		if (fr->n_incoming)
			mdl_notice(t->model, 0, "friend requests to you: %s (/friend accept @NAME or "
				"/friend reject @NAME)", buf_cstr(&b));
		buf_reset(&b);
		for (size_t i = 0; i < fr->n_outgoing; i++)
			buf_printf(&b, "%s@%s", i ? ", " : "", fr->outgoing[i].username);
		if (fr->n_outgoing)
			mdl_notice(t->model, 0, "your requests waiting for an answer: %s", buf_cstr(&b));
		if (!fr->n_incoming && !fr->n_outgoing)
			mdl_notice(t->model, 0, "no pending friend requests");
		buf_free(&b);
	}
	req_free(q);
}

static void on_friends_list(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < r->friends->n; i++)
		buf_printf(&b, "%s@%s (%s)", i ? ", " : "", r->friends->v[i].username,
			r->friends->v[i].presence ? r->friends->v[i].presence : "?");
	if (r->friends->n)
		mdl_notice(t->model, 0, "friends (%zu): %s", r->friends->n, buf_cstr(&b));
	else
		mdl_notice(t->model, 0, "no friends yet (/friend add @NAME)");
	buf_free(&b);
	char *what = xstrdup(q->what);
	req_started(t, api_friend_requests(q->client, on_friend_requests_list, q, req_free), what);
	free(what);
}

static int do_friend(struct tui *t, struct req *q, enum cmd_op op)
{
	switch (op) {
	case OP_FRIEND_ADD:
		q->key = xstrdup("add");
		return req_started(t, api_friend_request(t->client, q->user, on_friend_done, q,
			req_free), "/friend add");
	case OP_FRIEND_ACCEPT:
	case OP_FRIEND_REJECT:
		q->key = xstrdup(op == OP_FRIEND_ACCEPT ? "accept" : "reject");
		return req_started(t, api_friend_requests(t->client, on_friend_requests_for, q,
			req_free), "/friend");
	case OP_FRIEND_REMOVE:
		q->key = xstrdup("remove");
		return req_started(t, api_friend_delete(t->client, q->user, on_friend_done, q,
			req_free), "/friend remove");
	default:
		return req_started(t, api_friends(t->client, on_friends_list, q, req_free),
			"/friend list");
	}
}

/* ---- blocks ---- */

static void on_block(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
	} else if (!strcmp(q->key, "block")) {
		mdl_notice(t->model, 0, r->status == 201 ? "blocked @%s" :
			"@%s was already blocked", q->user);
		struct mdl_channel *dm = req_dm_channel(q->acct, q->user);
		if (dm)
			req_hide_channel(t, dm); /* a block ends the friendship and its DMs */
	} else {
		mdl_notice(t->model, 0, "unblocked @%s", q->user);
	}
	req_free(q);
}

static void on_blocks(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else if (r->blocks->n == 0) {
		mdl_notice(q->t->model, 0, "you block nobody");
	} else {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < r->blocks->n; i++)
			buf_printf(&b, "%s@%s", i ? ", " : "", r->blocks->v[i].username);
		mdl_notice(q->t->model, 0, "blocked (%zu): %s", r->blocks->n, buf_cstr(&b));
		buf_free(&b);
	}
	req_free(q);
}

/* ---- /profile ---- */

static void on_profile(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok)
		req_fail(q, r);
	else if (!*q->text)
		mdl_notice(q->t->model, 0, "profile: %s cleared", q->key);
	else
		mdl_notice(q->t->model, 0, "profile: %s is now \"%s\"", q->key, q->text);
	req_free(q);
}

static int do_profile(struct tui *t, struct req *q)
{
	struct api_profile_patch p = { NULL, NULL, NULL };
	if (!strcmp(q->key, "name"))
		p.display_name = q->text;
	else if (!strcmp(q->key, "bio"))
		p.bio = q->text;
	else
		p.avatar_url = q->text;
	return req_started(t, api_patch_profile(t->client, &p, on_profile, q, req_free),
		"/profile set");
}

/* ---- /whois ---- */

static const char *tier_badge(const char *tier)
{
	if (!tier || !strcmp(tier, "untrusted"))
		return "untrusted ○";
	if (!strcmp(tier, "seed"))
		return "seed ★";
	if (!strcmp(tier, "trusted"))
		return "trusted ✓";
	if (!strcmp(tier, "provisional"))
		return "provisional ○";
	if (!strcmp(tier, "quarantined"))
		return "quarantined ✗";
	return tier;
}

static void on_whois(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	const struct proto_profile *p = r->profile;
	struct buf b = BUF_INIT;
	buf_printf(&b, "whois @%s", p->username);
	if (p->display_name && *p->display_name)
		buf_printf(&b, " — %s", p->display_name);
	if (p->presence && !strcmp(p->presence, "online")) {
		buf_puts(&b, " · online");
	} else if (p->presence && !strcmp(p->presence, "idle")) {
		buf_puts(&b, " · idle");
	} else if (p->last_seen_at) {
		char *when = req_local_time(p->last_seen_at);
		buf_printf(&b, " · last seen %s", when);
		free(when);
	} else {
		buf_puts(&b, " · offline");
	}
	mdl_notice(t->model, 0, "%s", buf_cstr(&b));
	if (p->bio && *p->bio)
		mdl_notice(t->model, 0, "  bio: %s", p->bio);
	buf_reset(&b);
	char *joined = req_local_time(p->created_at);
	buf_printf(&b, "  karma %lld · trust %s (score %.3f) · joined %s", p->karma,
		tier_badge(p->trust_tier), p->eigentrust_score, joined);
	free(joined);
	if (p->agent_type)
		buf_printf(&b, " · type %s", p->agent_type);
	mdl_notice(t->model, 0, "%s", buf_cstr(&b));
	buf_reset(&b);
	for (size_t i = 0; i < p->n_capabilities; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", p->capabilities[i]);
	mdl_notice(t->model, 0, "  capabilities: %s", p->n_capabilities ? buf_cstr(&b) : "none");
	/* Where we see them, with their role (the member lists we hold). */
	buf_reset(&b);
	for (size_t i = 0; i < q->acct->n_servers; i++) {
		struct mdl_server *s = q->acct->servers[i];
		for (size_t j = 0; !s->is_dms && j < s->n_members; j++)
			if (str_eq(s->members[j]->agent_id, p->id))
				buf_printf(&b, "%s%s (%s)", b.len ? ", " : "", s->name ? s->name : s->id,
					s->members[j]->role ? s->members[j]->role : "member");
	}
	if (b.len)
		mdl_notice(t->model, 0, "  in %s", buf_cstr(&b));
	buf_free(&b);
	req_free(q);
}

int host_whois(struct tui *t, const char *username)
{
	if (req_need_client(t) != 0)
		return -1;
	struct cmd_req r = { .op = OP_WHOIS, .user = username };
	struct req *q = req_new(t, &r);
	return req_started(t, api_get_agent(t->client, username, on_whois, q, req_free), "/whois");
}

/* ---- /trust, /vouch, /unvouch, /flag ---- */

static void on_trust(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	const struct proto_trust *tr = r->trust;
	if (q->user) {
		mdl_notice(t->model, 0, "trust of @%s: %s · score %.3f · vouched for by %lld%s",
			q->user, tier_badge(tr->tier), tr->eigentrust_score,
			tr->vouches_received_count, tr->is_seed ? " · seed" : "");
		req_free(q);
		return;
	}
	mdl_notice(t->model, 0, "your trust: %s · score %.3f · karma %.3f · flags received %lld",
		tier_badge(tr->tier), tr->eigentrust_score, tr->normalized_karma, tr->flags_received);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < tr->n_vouches_given; i++)
		buf_printf(&b, "%s@%s", i ? ", " : "", tr->vouches_given[i].username);
	mdl_notice(t->model, 0, "  you vouch for: %s", tr->n_vouches_given ? buf_cstr(&b) : "nobody");
	buf_reset(&b);
	for (size_t i = 0; i < tr->n_vouches_received; i++)
		buf_printf(&b, "%s@%s", i ? ", " : "", tr->vouches_received[i].username);
	mdl_notice(t->model, 0, "  vouching for you: %s",
		tr->n_vouches_received ? buf_cstr(&b) : "nobody");
	buf_free(&b);
	req_free(q);
}

static void on_trust_op(void *ud, int ok, const char *target, const char *code,
	const char *message)
{
	struct tui *t = ud;
	/* The op is named by the code path that sent it; the target is enough to say what. */
	if (ok)
		mdl_notice(t->model, 0, "done: trust op on @%s accepted", target ? target : "?");
	else
		mdl_notice(t->model, 2, "trust op on @%s refused: %s: %s", target ? target : "?",
			code ? code : "ERROR", message ? message : "");
}

static void on_vouch(void *ud, int ok, const char *target, const char *code,
	const char *message)
{
	struct tui *t = ud;
	if (ok)
		mdl_notice(t->model, 0, "you vouch for @%s", target);
	else
		on_trust_op(ud, ok, target, code, message);
}

static void on_unvouch(void *ud, int ok, const char *target, const char *code,
	const char *message)
{
	struct tui *t = ud;
	if (ok)
		mdl_notice(t->model, 0, "you no longer vouch for @%s", target);
	else
		on_trust_op(ud, ok, target, code, message);
}

static void on_flag(void *ud, int ok, const char *target, const char *code,
	const char *message)
{
	struct tui *t = ud;
	if (ok)
		mdl_notice(t->model, 0, "flagged @%s", target);
	else
		on_trust_op(ud, ok, target, code, message);
}

static int do_trust_op(struct tui *t, struct req *q, enum cmd_op op)
{
	int rc;
	if (op == OP_VOUCH)
		rc = mc_client_vouch(t->client, q->user, on_vouch, t);
	else if (op == OP_UNVOUCH)
		rc = mc_client_vouch_revoke(t->client, q->user, on_unvouch, t);
	else
		rc = mc_client_flag(t->client, q->user, q->text, on_flag, t);
	if (rc != 0)
		mdl_notice(t->model, 2, "%s: could not be sent", q->what);
	req_free(q);
	return rc;
}

/* ---- /feed, /search-servers ---- */

static void on_feed(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
	} else if (r->messages->n == 0) {
		mdl_notice(t->model, 0, "the feed is empty (it covers the servers you are in)");
	} else {
		mdl_notice(t->model, 0, "feed: the latest %zu messages of your servers",
			r->messages->n);
		for (size_t i = r->messages->n; i-- > 0;) {
			const struct proto_message *m = &r->messages->v[i];
			char *when = req_local_time(m->created_at);
			mdl_notice(t->model, 0, "  %s %s/#%s @%s: %s", when,
				m->server_name ? m->server_name : "?",
				m->channel_name ? m->channel_name : "?",
				m->agent.username ? m->agent.username : "?", m->content);
			free(when);
		}
	}
	req_free(q);
}

static void on_search(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
	} else if (r->search->n_servers == 0) {
		mdl_notice(t->model, 0, "no public server matches \"%s\"", q->text);
	} else {
		mdl_notice(t->model, 0, "servers matching \"%s\" (/server join NAME):", q->text);
		for (size_t i = 0; i < r->search->n_servers; i++) {
			const struct proto_server *s = &r->search->servers[i];
			mdl_notice(t->model, 0, "  %s — %s · %s", s->name ? s->name : "?",
				s->description && *s->description ? s->description : "no description",
				s->id);
		}
	}
	req_free(q);
}

int host_social(struct tui *t, const struct cmd_req *r)
{
	struct req *q = req_new(t, r);
	switch (r->op) {
	case OP_MSG:
		return do_msg(t, q);
	case OP_REACT:
	case OP_UNREACT:
		return do_react(t, q, r->op == OP_REACT);
	case OP_FRIEND_ADD: case OP_FRIEND_ACCEPT: case OP_FRIEND_REJECT: case OP_FRIEND_REMOVE:
	case OP_FRIEND_LIST:
		return do_friend(t, q, r->op);
	case OP_BLOCK:
		q->key = xstrdup("block");
		return req_started(t, api_block(t->client, q->user, on_block, q, req_free), "/block");
	case OP_UNBLOCK:
		q->key = xstrdup("unblock");
		return req_started(t, api_unblock(t->client, q->user, on_block, q, req_free),
			"/unblock");
	case OP_BLOCKS:
		return req_started(t, api_blocks(t->client, on_blocks, q, req_free), "/blocks");
	case OP_PROFILE_SET:
		return do_profile(t, q);
	case OP_WHOIS:
		req_free(q);
		return host_whois(t, r->user);
	case OP_TRUST:
		if (!q->user && t->acct->observer) {
			mdl_notice(t->model, 1, "/trust without @user shows your own trust: that needs "
				"an agent identity (the active one is an observer). /trust @user works.");
			req_free(q);
			return -1;
		}
		return req_started(t, q->user ?
			api_trust_of(t->client, q->user, on_trust, q, req_free) :
			api_trust_me(t->client, on_trust, q, req_free), "/trust");
	case OP_VOUCH: case OP_UNVOUCH: case OP_FLAG:
		return do_trust_op(t, q, r->op);
	case OP_FEED:
		return req_started(t, api_feed(t->client, FEED_LIMIT, on_feed, q, req_free), "/feed");
	case OP_SEARCH_SERVERS:
		return req_started(t, api_search(t->client, q->text, 0, on_search, q, req_free),
			"/search-servers");
	default:
		req_free(q);
		return -1;
	}
}
