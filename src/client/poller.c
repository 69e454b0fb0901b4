/* Poller (agents): the platform never pushes friend events (protocol.md §4.13), so every
 * interval this runs one round of
 *   GET /agents/@me/pending?since=<last checkedAt>  (10/min limit: honours X-RateLimit-*),
 *   GET /friends/requests                            (new incoming requests -> notice + cb),
 *   GET /friends                                     (new DM channels -> model, subscribe,
 *                                                     history).
 * A DM with unread messages that the model doesn't hold is fetched, and one on a channel
 * the model doesn't know yet triggers another friends listing: the first DM of a new friend
 * must never be lost (the official connector drops it). */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "client_int.h"
#include "load.h"

#define RATE_LIMIT_FALLBACK_S 60

static void round_start(struct mc_client *c);

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	round_start(t->data);
}

static void arm_timer(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	ev_timer_stop(c->loop, &p->timer);
	ev_timer_set(&p->timer, p->interval_s, p->interval_s);
	ev_timer_start(c->loop, &p->timer);
}

static void round_failed(struct mc_client *c, const char *what, const struct api_result *r)
{
	char *e = api_error_text(r);
	log_warn("poller: %s failed: %s", what, e);
	c->poll.round_failed = 1;
	if (!c->poll.failing) /* once per run of failing rounds, not every minute */
		mdl_notice(c->model, 1, "checking for friend activity failed (%s): %s", what, e);
	c->poll.failing = 1;
	free(e);
}

static void round_part_done(struct mc_client *c, int ok)
{
	struct mc_poller *p = &c->poll;
	if (--p->inflight > 0)
		return;
	if (!p->round_failed)
		p->failing = 0;
	p->round_failed = 0;
	p->rounds++;
}

/* ---- DM channels ---- */

static int64_t newest_stored_ms(const struct mdl_channel *ch)
{
	for (size_t i = ch->n_msgs; i > 0; i--)
		if (ch->msgs[i - 1]->state == MDL_MSG_STORED)
			return ch->msgs[i - 1]->created_ms;
	return -1;
}

void poller_adopt_dm(struct mc_client *c, const char *dm_channel_id, const char *peer,
	const char *peer_id, const char *display_name, const char *presence)
{
	if (!str_is_uuid(dm_channel_id))
		return;
	struct mdl_server *dms = mdl_account_dms(c->acct);
	struct mdl_channel *ch = mdl_channel_find(c->acct, dm_channel_id);
	if (!ch) {
		ch = mdl_channel_upsert(dms, dm_channel_id);
		mdl_channel_set(ch, NULL, NULL, "dm", NULL, (int)dms->n_channels - 1);
	}
	if (peer && !str_eq(ch->peer, peer))
		str_replace(&ch->peer, peer);
	if (peer_id && peer)
		mdl_member_upsert(dms, peer_id, peer, display_name, NULL, mdl_presence_parse(presence));
	mdl_mark_dirty(c->model, MDL_DIRTY_SERVERS | MDL_DIRTY_CHANNELS | MDL_DIRTY_MEMBERS);
	/* subscribe first, then fetch: a message landing in between arrives live or in the page */
	gw_subscribe(c, dm_channel_id);
	if (ch->history == MDL_HIST_NONE)
		load_history(c, ch, 0);
	ob_pump(c); /* messages restored from disk may wait for this channel */
}

static void friends_list(struct mc_client *c);

static void on_friends(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	struct mc_poller *p = &c->poll;
	p->friends_inflight = 0;
	if (r->ok) {
		for (size_t i = 0; i < r->friends->n; i++) {
			const struct proto_friend *f = &r->friends->v[i];
			int known = mdl_channel_find(c->acct, f->dm_channel_id) != NULL;
			poller_adopt_dm(c, f->dm_channel_id, f->username, f->friend_id, f->display_name,
				f->presence);
			if (!known && p->friends_listed && str_is_uuid(f->dm_channel_id))
				mdl_notice(c->model, 0, "%s is now your friend", f->username);
		}
		p->friends_listed = 1;
	} else {
		round_failed(c, "listing friends", r);
	}
	round_part_done(c, r->ok);
	if (p->friends_again) {
		p->friends_again = 0;
		friends_list(c);
	}
}

static void friends_list(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	if (p->friends_inflight) {
		p->friends_again = 1;
		return;
	}
	p->inflight++;
	p->friends_inflight = 1;
	if (!api_friends(c, on_friends, c, NULL)) {
		p->inflight--;
		p->friends_inflight = 0;
	}
}

/* ---- friend requests ---- */

static void request_clear(struct mc_friend_request *r)
{
	free(r->id);
	free(r->username);
	free(r->display_name);
	free(r->created_at);
	memset(r, 0, sizeof(*r));
}

static void requests_clear(struct mc_poller *p)
{
	for (size_t i = 0; i < p->n_requests; i++)
		request_clear(&p->requests[i]);
	free(p->requests);
	p->requests = NULL;
	p->n_requests = 0;
}

static struct mc_friend_request *request_find(struct mc_poller *p, const char *id)
{
	for (size_t i = 0; i < p->n_requests; i++)
		if (str_eq(p->requests[i].id, id))
			return &p->requests[i];
	return NULL;
}

static void request_add(struct mc_poller *p, const struct proto_friend_request *in, int incoming)
{
	if (request_find(p, in->id))
		return;
	p->requests = xrealloc(p->requests, (p->n_requests + 1) * sizeof(*p->requests));
	struct mc_friend_request *r = &p->requests[p->n_requests++];
	r->id = xstrdup(in->id);
	r->username = xstrdup(in->username);
	r->display_name = xstrdup(in->display_name);
	r->created_at = xstrdup(in->created_at);
	r->incoming = incoming;
}

static void request_remove(struct mc_client *c, const char *id)
{
	struct mc_poller *p = &c->poll;
	struct mc_friend_request *r = request_find(p, id);
	if (!r)
		return;
	size_t i = (size_t)(r - p->requests);
	request_clear(r);
	memmove(&p->requests[i], &p->requests[i + 1], (p->n_requests - i - 1) * sizeof(*r));
	p->n_requests--;
	mdl_mark_dirty(c->model, MDL_DIRTY_STATUS);
}

/* Announce incoming requests not seen before. */
static void announce_new(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	for (size_t i = 0; i < p->n_requests; i++) {
		const struct mc_friend_request *r = &p->requests[i];
		if (!r->incoming)
			continue;
		int seen = 0;
		for (size_t k = 0; k < p->n_known_incoming && !seen; k++)
			seen = !strcmp(p->known_incoming[k], r->id);
		if (seen)
			continue;
		p->known_incoming = xrealloc(p->known_incoming,
			(p->n_known_incoming + 1) * sizeof(char *));
		p->known_incoming[p->n_known_incoming++] = xstrdup(r->id);
		mdl_notice(c->model, 0, "friend request from %s (/accept or /reject)", r->username);
		if (p->on_request)
			p->on_request(p->on_request_ud, r);
	}
	mdl_mark_dirty(c->model, MDL_DIRTY_STATUS);
}

static void on_requests(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	struct mc_poller *p = &c->poll;
	if (r->ok) {
		/* the complete list of pending requests: replace ours */
		requests_clear(p);
		for (size_t i = 0; i < r->friend_requests->n_incoming; i++)
			request_add(p, &r->friend_requests->incoming[i], 1);
		for (size_t i = 0; i < r->friend_requests->n_outgoing; i++)
			request_add(p, &r->friend_requests->outgoing[i], 0);
		p->requests_listed = 1;
		announce_new(c);
	} else {
		round_failed(c, "listing friend requests", r);
	}
	round_part_done(c, r->ok);
}

/* ---- pending ---- */

static void on_pending(void *ud, const struct api_result *r)
{
	struct mc_client *c = ud;
	struct mc_poller *p = &c->poll;
	int64_t now_s = wall_ms() / 1000;
	if (r->status == 429) {
		p->pending_blocked_until_s = r->rl_reset > now_s ? r->rl_reset : now_s + RATE_LIMIT_FALLBACK_S;
		log_info("poller: pending rate limited; waiting %lld s",
			(long long)(p->pending_blocked_until_s - now_s));
	} else if (r->ok) {
		if (r->rl_remaining == 0)
			p->pending_blocked_until_s = r->rl_reset > now_s ? r->rl_reset :
				now_s + RATE_LIMIT_FALLBACK_S;
		str_replace(&p->since, r->pending->checked_at);
		for (size_t i = 0; i < r->pending->n_unread_dms; i++) {
			const struct proto_unread_dm *d = &r->pending->unread_dms[i];
			struct mdl_channel *ch = mdl_channel_find(c->acct, d->channel_id);
			if (!ch) {
				/* a new friend's first DM: learn the channel, which fetches its history */
				friends_list(c);
				continue;
			}
			gw_subscribe(c, ch->id);
			if (ch->history != MDL_HIST_LOADING &&
				(d->last_message_ms == 0 || newest_stored_ms(ch) < d->last_message_ms))
				load_history(c, ch, 0); /* the latest page; merged by id */
		}
		if (r->pending->n_requests) {
			for (size_t i = 0; i < r->pending->n_requests; i++)
				request_add(p, &r->pending->requests[i], 1);
			announce_new(c);
		}
	} else {
		round_failed(c, "GET /agents/@me/pending", r);
	}
	round_part_done(c, r->ok);
}

/* ---- rounds ---- */

static void round_start(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	if (p->inflight || !session_ready(c))
		return;
	int64_t now_s = wall_ms() / 1000;
	if (now_s >= p->pending_blocked_until_s) {
		p->inflight++;
		p->pending_calls++;
		if (!api_pending(c, p->since, on_pending, c, NULL))
			p->inflight--;
	}
	p->inflight++;
	if (!api_friend_requests(c, on_requests, c, NULL))
		p->inflight--;
	friends_list(c);
}

void poller_init(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	p->interval_s = MC_POLL_DEFAULT_S;
	ev_timer_init(&p->timer, timer_cb, p->interval_s, p->interval_s);
	p->timer.data = c;
}

void poller_start(struct mc_client *c)
{
	if (!c->agent_id || c->poll.running)
		return;
	c->poll.running = 1;
	arm_timer(c);
	round_start(c);
}

void poller_free(struct mc_client *c)
{
	struct mc_poller *p = &c->poll;
	ev_timer_stop(c->loop, &p->timer);
	requests_clear(p);
	for (size_t i = 0; i < p->n_known_incoming; i++)
		free(p->known_incoming[i]);
	free(p->known_incoming);
	p->known_incoming = NULL;
	p->n_known_incoming = 0;
	free(p->since);
	p->since = NULL;
	p->running = 0;
}

/* ---- public ---- */

void mc_client_on_friend_request(struct mc_client *c, mc_friend_request_cb cb, void *ud)
{
	c->poll.on_request = cb;
	c->poll.on_request_ud = ud;
}

void mc_client_set_poll_interval(struct mc_client *c, double seconds)
{
	c->poll.interval_s = seconds < MC_POLL_MIN_S ? MC_POLL_MIN_S : seconds;
	if (c->poll.running)
		arm_timer(c);
}

void mc_client_poll_now(struct mc_client *c)
{
	if (!c->poll.running)
		return;
	arm_timer(c); /* the next regular round is a full interval away */
	round_start(c);
}

size_t mc_client_friend_request_count(const struct mc_client *c)
{
	return c->poll.n_requests;
}

const struct mc_friend_request *mc_client_friend_request_at(const struct mc_client *c, size_t i)
{
	return i < c->poll.n_requests ? &c->poll.requests[i] : NULL;
}

struct friend_ctx {
	struct mc_client *c;
	char *id;   /* request id, or the username for a new request */
};

static void friend_ctx_free(void *ud)
{
	struct friend_ctx *x = ud;
	free(x->id);
	free(x);
}

static struct friend_ctx *friend_ctx_new(struct mc_client *c, const char *id)
{
	struct friend_ctx *x = xcalloc(1, sizeof(*x));
	x->c = c;
	x->id = xstrdup(id);
	return x;
}

static void on_accepted(void *ud, const struct api_result *r)
{
	struct friend_ctx *x = ud;
	struct mc_client *c = x->c;
	if (r->ok) {
		request_remove(c, x->id);
		poller_adopt_dm(c, r->ack->dm_channel_id, r->ack->friend_username, NULL, NULL, NULL);
		mdl_notice(c->model, 0, "you and %s are now friends",
			r->ack->friend_username ? r->ack->friend_username : "?");
	} else {
		if (r->err.code && !strcmp(r->err.code, "FRIEND_REQUEST_NOT_FOUND"))
			request_remove(c, x->id);
		client_notice_api(c, "accepting the friend request", r);
	}
	friend_ctx_free(x);
}

void mc_client_accept_friend(struct mc_client *c, const char *request_id)
{
	if (!c->agent_id || !request_id)
		return;
	api_friend_accept(c, request_id, on_accepted, friend_ctx_new(c, request_id), friend_ctx_free);
}

static void on_rejected(void *ud, const struct api_result *r)
{
	struct friend_ctx *x = ud;
	struct mc_client *c = x->c;
	if (r->ok || (r->err.code && !strcmp(r->err.code, "FRIEND_REQUEST_NOT_FOUND")))
		request_remove(c, x->id);
	if (r->ok)
		mdl_notice(c->model, 0, "friend request rejected");
	else
		client_notice_api(c, "rejecting the friend request", r);
	friend_ctx_free(x);
}

void mc_client_reject_friend(struct mc_client *c, const char *request_id)
{
	if (!c->agent_id || !request_id)
		return;
	api_friend_reject(c, request_id, on_rejected, friend_ctx_new(c, request_id), friend_ctx_free);
}

static void on_requested(void *ud, const struct api_result *r)
{
	struct friend_ctx *x = ud;
	struct mc_client *c = x->c;
	if (r->ok && r->ack->request_id) {
		struct proto_friend_request out = { .id = r->ack->request_id, .username = x->id };
		request_add(&c->poll, &out, 0);
		mdl_notice(c->model, 0, "friend request sent to %s", x->id);
		mdl_mark_dirty(c->model, MDL_DIRTY_STATUS);
	} else if (r->ok) {
		mdl_notice(c->model, 0, "friend request sent to %s", x->id);
	} else {
		client_notice_api(c, "sending the friend request", r);
	}
	friend_ctx_free(x);
}

void mc_client_request_friend(struct mc_client *c, const char *username)
{
	if (!c->agent_id) {
		mdl_notice(c->model, 1, "observers cannot have friends: it needs an agent identity");
		return;
	}
	if (!username || !username[0])
		return;
	api_friend_request(c, username, on_requested, friend_ctx_new(c, username), friend_ctx_free);
}
