/* Decoders for the social, moderation, trust and configuration bodies (protocol.md
 * §3.3-§3.13). Same rules as decode.c: hostile input never crashes, wrong types become
 * NULL/defaults, list items without their key are skipped, malformed JSON returns -1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/proto.h"
#include "jsonutil.h"

/* Decode the array arr into a fresh vector `field` of `type` with the item decoder fn
 * (items for which fn fails are skipped; nfield counts the kept ones). Evaluates to the
 * number of raw elements. A macro so fn is called with its own type. */
#define VEC(arr, field, nfield, type, fn)                                              \
	__extension__({                                                                \
		const cJSON *arr_ = (arr);                                             \
		size_t raw_ = 0;                                                       \
		(nfield) = 0;                                                          \
		(field) = NULL;                                                        \
		if (cJSON_IsArray(arr_)) {                                             \
			int cnt_ = cJSON_GetArraySize(arr_);                           \
			(field) = xcalloc(cnt_ > 0 ? (size_t)cnt_ : 1, sizeof(type));  \
			const cJSON *it_;                                              \
			cJSON_ArrayForEach(it_, arr_) {                                \
				raw_++;                                                \
				if (fn(it_, &(field)[(nfield)]) == 0)                  \
					(nfield)++;                                    \
			}                                                              \
		}                                                                      \
		raw_;                                                                  \
	})

static const cJSON *key(const cJSON *j, const char *k)
{
	return cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, k) : NULL;
}

/* Parse body; NULL unless it is a JSON object. */
static cJSON *parse_object(const char *body, size_t len)
{
	cJSON *j = ju_parse(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- ack ---- */

void proto_ack_free(struct proto_ack *a)
{
	if (!a)
		return;
	free(a->request_id);
	free(a->friend_username);
	free(a->dm_channel_id);
	memset(a, 0, sizeof(*a));
}

int proto_decode_ack(const char *body, size_t len, struct proto_ack *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	out->ok = ju_bool(j, "ok", 0) || ju_bool(j, "success", 0);
	out->request_id = ju_str(j, "requestId");
	out->friend_username = ju_str(j, "friendUsername");
	out->dm_channel_id = ju_str(j, "dmChannelId");
	cJSON_Delete(j);
	return 0;
}

/* ---- friend requests, pending ---- */

void proto_friend_request_free(struct proto_friend_request *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->username);
	free(r->display_name);
	free(r->avatar_url);
	free(r->created_at);
	memset(r, 0, sizeof(*r));
}

/* prefix "from" (incoming) or "to" (outgoing) */
static int request_from_json(const cJSON *j, struct proto_friend_request *out, const char *prefix)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	char k[32];
	out->id = ju_str(j, "id");
	snprintf(k, sizeof(k), "%sUsername", prefix);
	out->username = ju_str(j, k);
	if (!out->id || !out->username) {
		proto_friend_request_free(out);
		return -1;
	}
	snprintf(k, sizeof(k), "%sDisplayName", prefix);
	out->display_name = ju_str(j, k);
	snprintf(k, sizeof(k), "%sAvatarUrl", prefix);
	out->avatar_url = ju_str(j, k);
	out->created_at = ju_str(j, "createdAt");
	return 0;
}

static int incoming_from_json(const cJSON *j, struct proto_friend_request *out)
{
	return request_from_json(j, out, "from");
}

static int outgoing_from_json(const cJSON *j, struct proto_friend_request *out)
{
	return request_from_json(j, out, "to");
}

static void unread_dm_free(struct proto_unread_dm *d)
{
	free(d->channel_id);
	free(d->friend_username);
	free(d->friend_display_name);
	free(d->last_message_content);
	free(d->last_message_at);
	memset(d, 0, sizeof(*d));
}

static int unread_dm_from_json(const cJSON *j, struct proto_unread_dm *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->channel_id = ju_str(j, "channelId");
	if (!out->channel_id)
		return -1;
	out->friend_username = ju_str(j, "friendUsername");
	out->friend_display_name = ju_str(j, "friendDisplayName");
	out->unread_count = ju_ll(j, "unreadCount", 0);
	out->last_message_content = ju_str(j, "lastMessageContent");
	out->last_message_at = ju_str(j, "lastMessageAt");
	if (!out->last_message_at || iso_parse_ms(out->last_message_at, &out->last_message_ms) != 0)
		out->last_message_ms = 0;
	return 0;
}

void proto_pending_free(struct proto_pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_unread_dms; i++)
		unread_dm_free(&p->unread_dms[i]);
	free(p->unread_dms);
	for (size_t i = 0; i < p->n_requests; i++)
		proto_friend_request_free(&p->requests[i]);
	free(p->requests);
	free(p->checked_at);
	free(p->skill_hash);
	memset(p, 0, sizeof(*p));
}

int proto_decode_pending(const char *body, size_t len, struct proto_pending *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	out->checked_at = ju_str(j, "checkedAt");
	if (!out->checked_at) {
		cJSON_Delete(j);
		return -1; /* without it the poller could not continue: not a pending body */
	}
	out->has_activity = ju_bool(j, "hasActivity", 0);
	out->skill_hash = ju_str(j, "skillHash");
	VEC(key(j, "unreadDMs"), out->unread_dms, out->n_unread_dms, struct proto_unread_dm,
		unread_dm_from_json);
	VEC(key(j, "pendingFriendRequests"), out->requests, out->n_requests,
		struct proto_friend_request, incoming_from_json);
	cJSON_Delete(j);
	return 0;
}

void proto_friend_requests_free(struct proto_friend_requests *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_incoming; i++)
		proto_friend_request_free(&l->incoming[i]);
	free(l->incoming);
	for (size_t i = 0; i < l->n_outgoing; i++)
		proto_friend_request_free(&l->outgoing[i]);
	free(l->outgoing);
	memset(l, 0, sizeof(*l));
}

int proto_decode_friend_requests(const char *body, size_t len, struct proto_friend_requests *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	if (!cJSON_IsArray(key(j, "incoming")) || !cJSON_IsArray(key(j, "outgoing"))) {
		cJSON_Delete(j);
		return -1;
	}
	VEC(key(j, "incoming"), out->incoming, out->n_incoming, struct proto_friend_request,
		incoming_from_json);
	VEC(key(j, "outgoing"), out->outgoing, out->n_outgoing, struct proto_friend_request,
		outgoing_from_json);
	cJSON_Delete(j);
	return 0;
}

/* ---- config ---- */

void proto_agent_config_free(struct proto_agent_config *c)
{
	if (!c)
		return;
	free(c->agent_id);
	free(c->webhook_url);
	free_strv(c->webhook_events, c->n_webhook_events);
	memset(c, 0, sizeof(*c));
}

int proto_decode_agent_config(const char *body, size_t len, struct proto_agent_config *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	/* both shapes carry webhookUrl (possibly null) */
	if (!cJSON_GetObjectItemCaseSensitive(j, "webhookUrl") &&
		!cJSON_GetObjectItemCaseSensitive(j, "agentId")) {
		cJSON_Delete(j);
		return -1;
	}
	out->agent_id = ju_str(j, "agentId");
	out->webhook_url = ju_str(j, "webhookUrl");
	out->webhook_events = ju_strings(j, "webhookEvents", &out->n_webhook_events);
	out->idle_timeout_seconds = ju_ll(j, "idleTimeoutSeconds", -1);
	out->max_outbound_per_hour = ju_ll(j, "maxOutboundPerHour", -1);
	out->max_inbound_wakes_per_hour = ju_ll(j, "maxInboundWakesPerHour", -1);
	out->heartbeat_hint_seconds = ju_ll(j, "heartbeatHintSeconds", -1);
	cJSON_Delete(j);
	return 0;
}

/* ---- blocks, bans ---- */

static void block_free(struct proto_block *b)
{
	free(b->username);
	free(b->display_name);
	free(b->avatar_url);
	free(b->blocked_at);
	memset(b, 0, sizeof(*b));
}

static int block_from_json(const cJSON *j, struct proto_block *out)
{
	memset(out, 0, sizeof(*out));
	out->username = ju_str(j, "username");
	if (!out->username)
		return -1;
	out->display_name = ju_str(j, "displayName");
	out->avatar_url = ju_str(j, "avatarUrl");
	out->blocked_at = ju_str(j, "blockedAt");
	return 0;
}

void proto_blocks_free(struct proto_blocks *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		block_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int proto_decode_blocks(const char *body, size_t len, struct proto_blocks *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	const cJSON *arr = key(j, "blocked");
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(j);
		return -1;
	}
	out->n_raw = VEC(arr, out->v, out->n, struct proto_block, block_from_json);
	cJSON_Delete(j);
	return 0;
}

static void ban_free(struct proto_ban *b)
{
	free(b->agent_id);
	free(b->username);
	free(b->display_name);
	free(b->reason);
	free(b->created_at);
	memset(b, 0, sizeof(*b));
}

static int ban_from_json(const cJSON *j, struct proto_ban *out)
{
	memset(out, 0, sizeof(*out));
	out->agent_id = ju_str(j, "agentId");
	out->username = ju_str(j, "username");
	if (!out->agent_id && !out->username)
		return -1;
	out->display_name = ju_str(j, "displayName");
	out->reason = ju_str(j, "reason");
	out->auto_ban = ju_bool(j, "autoBan", 0);
	out->created_at = ju_str(j, "createdAt");
	return 0;
}

void proto_bans_free(struct proto_bans *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		ban_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int proto_decode_bans(const char *body, size_t len, struct proto_bans *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	if (!cJSON_IsArray(j)) {
		cJSON_Delete(j);
		return -1;
	}
	out->n_raw = VEC(j, out->v, out->n, struct proto_ban, ban_from_json);
	cJSON_Delete(j);
	return 0;
}

/* ---- search ---- */

void proto_search_free(struct proto_search *s)
{
	if (!s)
		return;
	free(s->type);
	for (size_t i = 0; i < s->n_agents; i++)
		proto_profile_free(&s->agents[i]);
	free(s->agents);
	for (size_t i = 0; i < s->n_servers; i++)
		proto_server_free(&s->servers[i]);
	free(s->servers);
	memset(s, 0, sizeof(*s));
}

int proto_decode_search(const char *body, size_t len, struct proto_search *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	const cJSON *arr = key(j, "results");
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(j);
		return -1;
	}
	out->type = ju_str_or(j, "type", "servers");
	out->is_agents = !strcmp(out->type, "agents");
	if (out->is_agents)
		VEC(arr, out->agents, out->n_agents, struct proto_profile, proto_profile_from_json);
	else
		VEC(arr, out->servers, out->n_servers, struct proto_server, proto_server_from_json);
	cJSON_Delete(j);
	return 0;
}

/* ---- trust ---- */

static void vouch_free(struct proto_vouch *v)
{
	free(v->agent_id);
	free(v->username);
	free(v->created_at);
	memset(v, 0, sizeof(*v));
}

static int vouch_from_json(const cJSON *j, struct proto_vouch *out, const char *id_key)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->agent_id = ju_str(j, id_key);
	out->username = ju_str(j, "username");
	if (!out->agent_id && !out->username)
		return -1;
	out->weight = ju_double(j, "weight", 0);
	out->created_at = ju_str(j, "createdAt");
	return 0;
}

static int given_from_json(const cJSON *j, struct proto_vouch *out)
{
	return vouch_from_json(j, out, "voucheeId");
}

static int received_from_json(const cJSON *j, struct proto_vouch *out)
{
	return vouch_from_json(j, out, "voucherId");
}

static void challenge_ref_free(struct proto_trust_challenge_ref *c)
{
	free(c->id);
	free(c->status);
	free(c->triggered_by);
	free(c->created_at);
	free(c->completed_at);
	memset(c, 0, sizeof(*c));
}

static int challenge_ref_from_json(const cJSON *j, struct proto_trust_challenge_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->id = ju_str(j, "id");
	if (!out->id)
		return -1;
	out->status = ju_str(j, "status");
	out->triggered_by = ju_str(j, "triggeredBy");
	out->created_at = ju_str(j, "createdAt");
	out->completed_at = ju_str(j, "completedAt");
	return 0;
}

void proto_trust_free(struct proto_trust *t)
{
	if (!t)
		return;
	free(t->username);
	free(t->tier);
	free(t->computed_at);
	for (size_t i = 0; i < t->n_vouches_given; i++)
		vouch_free(&t->vouches_given[i]);
	free(t->vouches_given);
	for (size_t i = 0; i < t->n_vouches_received; i++)
		vouch_free(&t->vouches_received[i]);
	free(t->vouches_received);
	for (size_t i = 0; i < t->n_challenges; i++)
		challenge_ref_free(&t->challenges[i]);
	free(t->challenges);
	memset(t, 0, sizeof(*t));
}

int proto_decode_trust(const char *body, size_t len, struct proto_trust *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	if (!cJSON_GetObjectItemCaseSensitive(j, "tier")) {
		cJSON_Delete(j);
		return -1;
	}
	out->username = ju_str(j, "username");
	out->tier = ju_str_or(j, "tier", "untrusted");
	out->eigentrust_score = ju_double(j, "eigentrustScore", 0);
	out->normalized_karma = ju_double(j, "normalizedKarma", 0);
	out->is_seed = ju_bool(j, "isSeed", 0);
	out->computed_at = ju_str(j, "computedAt");
	out->flags_received = ju_ll(j, "flagsReceived", 0);
	VEC(key(j, "vouchesGiven"), out->vouches_given, out->n_vouches_given, struct proto_vouch,
		given_from_json);
	const cJSON *rec = key(j, "vouchesReceived");
	if (cJSON_IsArray(rec)) {
		VEC(rec, out->vouches_received, out->n_vouches_received, struct proto_vouch,
			received_from_json);
		out->vouches_received_count = (long long)out->n_vouches_received;
	} else {
		out->vouches_received_count = ju_ll(j, "vouchesReceived", 0);
	}
	VEC(key(j, "challenges"), out->challenges, out->n_challenges,
		struct proto_trust_challenge_ref, challenge_ref_from_json);
	cJSON_Delete(j);
	return 0;
}

static int vote_from_json(const cJSON *j, struct proto_trust_vote *out)
{
	memset(out, 0, sizeof(*out));
	out->voter_id = ju_str(j, "voterId");
	if (!out->voter_id)
		return -1;
	out->verdict = ju_str(j, "verdict");
	out->created_at = ju_str(j, "createdAt");
	return 0;
}

void proto_trust_challenge_free(struct proto_trust_challenge *t)
{
	if (!t)
		return;
	free(t->id);
	free(t->suspect_id);
	free(t->channel_id);
	free(t->status);
	free(t->triggered_by);
	free(t->created_at);
	free(t->completed_at);
	for (size_t i = 0; i < t->n_votes; i++) {
		free(t->votes[i].voter_id);
		free(t->votes[i].verdict);
		free(t->votes[i].created_at);
	}
	free(t->votes);
	memset(t, 0, sizeof(*t));
}

int proto_decode_trust_challenge(const char *body, size_t len, struct proto_trust_challenge *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	char *id = ju_str(j, "id");
	if (!id) {
		cJSON_Delete(j);
		return -1;
	}
	out->id = id;
	out->suspect_id = ju_str(j, "suspectId");
	out->channel_id = ju_str(j, "channelId");
	out->status = ju_str(j, "status");
	out->triggered_by = ju_str(j, "triggeredBy");
	out->created_at = ju_str(j, "createdAt");
	out->completed_at = ju_str(j, "completedAt");
	VEC(key(j, "votes"), out->votes, out->n_votes, struct proto_trust_vote, vote_from_json);
	cJSON_Delete(j);
	return 0;
}

/* ---- webhooks, health, observers ---- */

void proto_webhook_test_free(struct proto_webhook_test *w)
{
	if (!w)
		return;
	free(w->status_text);
	free(w->error);
	memset(w, 0, sizeof(*w));
}

int proto_decode_webhook_test(const char *body, size_t len, struct proto_webhook_test *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(j, "success"))) {
		cJSON_Delete(j);
		return -1;
	}
	out->success = ju_bool(j, "success", 0);
	out->status_code = ju_ll(j, "statusCode", -1);
	out->status_text = ju_str(j, "statusText");
	out->error = ju_str(j, "error");
	cJSON_Delete(j);
	return 0;
}

void proto_health_free(struct proto_health *h)
{
	if (!h)
		return;
	free(h->status);
	free(h->timestamp);
	memset(h, 0, sizeof(*h));
}

int proto_decode_health(const char *body, size_t len, struct proto_health *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	out->status = ju_str(j, "status");
	if (!out->status) {
		cJSON_Delete(j);
		return -1;
	}
	out->timestamp = ju_str(j, "timestamp");
	cJSON_Delete(j);
	return 0;
}

void proto_observer_auth_free(struct proto_observer_auth *o)
{
	if (!o)
		return;
	free(o->id);
	free(o->email);
	if (o->token)
		memset(o->token, 0, strlen(o->token)); /* a secret */
	free(o->token);
	memset(o, 0, sizeof(*o));
}

int proto_decode_observer_auth(const char *body, size_t len, struct proto_observer_auth *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = parse_object(body, len);
	if (!j)
		return -1;
	out->id = ju_str(j, "id");
	out->email = ju_str(j, "email");
	out->token = ju_str(j, "token");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (cJSON_IsString(t) && t->valuestring)
		memset(t->valuestring, 0, strlen(t->valuestring));
	cJSON_Delete(j);
	if (!out->id && !out->token) {
		proto_observer_auth_free(out);
		return -1;
	}
	return 0;
}
