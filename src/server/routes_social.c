/* moltchatsd: friends (§3.4), blocks (§3.5), GET /agents/@me/pending and the agent config
 * (§3.3). Checks run in the platform's order, since clients see the first failure only.
 * Friend activity is never pushed over WS (§4.13): clients poll these routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/isotime.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_social.h"

#define PENDING_LIMIT 10
#define PENDING_WINDOW_S 60
#define DM_PREVIEW_MAX 200

static void reply_ok(struct req *r, int status)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, status, o);
}

/* JavaScript truthiness of a body field (absent counts as undefined). */
static int js_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	return 1;
}

/* JavaScript String(value) for the few shapes error messages quote. Caller frees. */
static char *js_string(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsObject(v))
		return xstrdup("[object Object]");
	if (cJSON_IsArray(v)) {
		struct buf b = BUF_INIT;
		const cJSON *e;
		int first = 1;
		cJSON_ArrayForEach(e, v) {
			if (!first)
				buf_putc(&b, ',');
			first = 0;
			if (!cJSON_IsNull(e)) {
				char *t = js_string(e);
				buf_puts(&b, t);
				free(t);
			}
		}
		return buf_steal(&b);
	}
	char *t = cJSON_PrintUnformatted(v);
	return t ? t : xstrdup("undefined");
}

/* The agent named in the path (exact, case-sensitive match); replies 404 when unknown. */
static int path_agent(struct req *r, char id[37])
{
	if (store_social_agent_id(r->srv->store, r->params[0], id) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return -1;
	}
	return 0;
}

/* ---- friends ---- */

static void post_friend_request(struct req *r)
{
	struct store *st = r->srv->store;
	if (!req_body_object(r, "target"))
		return;
	char *tier = store_agent_tier(st, r->agent_id);
	int gated = str_eq(tier, "quarantined"); /* friend requests per hour: 0 only there */
	free(tier);
	if (gated) {
		reply_app_error(r, "INSUFFICIENT_TRUST");
		return;
	}
	cJSON *target = req_field(r, "target");
	if (!js_truthy(target)) {
		reply_validation(r, "target username is required");
		return;
	}
	char target_id[37];
	/* Not lowercased, as on the platform; a non-string never equals a username. */
	if (!cJSON_IsString(target) ||
	    store_social_agent_id(st, target->valuestring, target_id) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	if (strcmp(target_id, r->agent_id) == 0) {
		reply_error(r, 400, "CANNOT_FRIEND_SELF", "Cannot send friend request to yourself");
		return;
	}
	if (store_blocked_either(st, r->agent_id, target_id)) {
		reply_error(r, 403, "BLOCKED", "This agent is blocked");
		return;
	}
	if (store_friendship_get(st, r->agent_id, target_id, NULL) == 0) {
		reply_error(r, 409, "ALREADY_FRIENDS", "Already friends with this agent");
		return;
	}
	if (store_friend_request_pending_either(st, r->agent_id, target_id)) {
		reply_error(r, 409, "FRIEND_REQUEST_EXISTS", "Friend request already sent");
		return;
	}
	char id[37];
	uuid_v4(id);
	if (store_friend_request_insert(st, id, r->agent_id, target_id, wall_ms()) != 0) {
		reply_internal(r, "Failed query: insert into \"friend_requests\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "requestId", id);
	reply_json(r, 201, o);
}

/* Accept and reject share their checks; returns 0 with *fr filled, else has replied. */
static int pending_request_for_me(struct req *r, struct friend_request *fr)
{
	if (!req_body_object(r, "requestId"))
		return -1;
	cJSON *rid = req_field(r, "requestId");
	if (!js_truthy(rid)) {
		reply_validation(r, "requestId is required");
		return -1;
	}
	char *text = js_string(rid);
	if (!str_is_uuid(text) && r->srv->cfg.strict) {
		free(text);
		reply_error(r, 404, "FRIEND_REQUEST_NOT_FOUND", "Friend request not found");
		return -1;
	}
	if (!str_is_uuid(text)) {
		/* PostgreSQL rejects the parameter before looking at any row. */
		char clean[80];
		utf8_sanitize_into(text, 0, clean, sizeof(clean));
		char *msg = xasprintf("invalid input syntax for type uuid: \"%s\"", clean);
		reply_internal(r, msg);
		free(msg);
		free(text);
		return -1;
	}
	for (char *c = text; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	int found = store_friend_request_get(r->srv->store, text, fr);
	free(text);
	if (found != 0 || strcmp(fr->to_id, r->agent_id) != 0 || strcmp(fr->status, "pending") != 0) {
		reply_error(r, 404, "FRIEND_REQUEST_NOT_FOUND", "Friend request not found");
		return -1;
	}
	return 0;
}

static void post_friend_accept(struct req *r)
{
	struct store *st = r->srv->store;
	struct friend_request fr;
	if (pending_request_for_me(r, &fr) != 0)
		return;
	/* Blocks are not re-checked here, as on the platform. */
	char dm[37];
	if (store_friendship_create(st, fr.id, fr.from_id, fr.to_id, wall_ms(), dm) != 0) {
		reply_internal(r, "Failed query: insert into \"friendships\"");
		return;
	}
	struct agent_row from;
	if (store_agent_get(st, fr.from_id, &from) != 0) {
		reply_internal(r, "Cannot read properties of undefined (reading 'username')");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "friendUsername", from.username);
	cJSON_AddStringToObject(o, "dmChannelId", dm);
	agent_row_free(&from);
	reply_json(r, 200, o);
}

static void post_friend_reject(struct req *r)
{
	struct friend_request fr;
	if (pending_request_for_me(r, &fr) != 0)
		return;
	if (store_friend_request_reject(r->srv->store, fr.id, wall_ms()) != 0) {
		reply_internal(r, "Failed query: update \"friend_requests\"");
		return;
	}
	reply_ok(r, 200);
}

static void delete_friend(struct req *r)
{
	struct store *st = r->srv->store;
	char other[37];
	if (path_agent(r, other) != 0)
		return;
	if (store_friendship_get(st, r->agent_id, other, NULL) != 0) {
		reply_error(r, 400, "NOT_FRIENDS", "Not friends with this agent");
		return;
	}
	if (store_friendship_delete(st, r->agent_id, other) != 0) {
		reply_internal(r, "Failed query: delete from \"friendships\"");
		return;
	}
	reply_ok(r, 200);
}

static void get_friends(struct req *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "friends", store_friends_list(r->srv->store, r->agent_id));
	reply_json(r, 200, o);
}

static void get_friend_requests(struct req *r)
{
	struct store *st = r->srv->store;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "incoming", store_friend_requests_incoming(st, r->agent_id, 1));
	cJSON_AddItemToObject(o, "outgoing", store_friend_requests_outgoing(st, r->agent_id));
	reply_json(r, 200, o);
}

/* ---- blocks ---- */

static void post_block(struct req *r)
{
	struct store *st = r->srv->store;
	char other[37];
	if (path_agent(r, other) != 0)
		return;
	if (strcmp(other, r->agent_id) == 0) {
		reply_validation(r, "Cannot block yourself");
		return;
	}
	int rc = store_block_insert(st, r->agent_id, other, wall_ms());
	if (rc < 0) {
		reply_internal(r, "Failed query: insert into \"agent_blocks\"");
		return;
	}
	if (rc == 1) {
		reply_ok(r, 200);
		return;
	}
	/* A new block ends the friendship and deletes the DM channel with its history; pending
	 * friend requests stay as they are. */
	if (store_friendship_delete(st, r->agent_id, other) != 0) {
		reply_internal(r, "Failed query: delete from \"friendships\"");
		return;
	}
	reply_ok(r, 201);
}

static void delete_block(struct req *r)
{
	char other[37];
	if (path_agent(r, other) != 0)
		return;
	if (store_block_delete(r->srv->store, r->agent_id, other) != 0) {
		reply_internal(r, "Failed query: delete from \"agent_blocks\"");
		return;
	}
	reply_ok(r, 200);
}

static void get_blocks(struct req *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "blocked", store_blocks_list(r->srv->store, r->agent_id));
	reply_json(r, 200, o);
}

/* ---- @me/pending ---- */

/* X-RateLimit-* on the reply whatever its outcome; returns 1 when within the limit. */
static int pending_rate_limit(struct req *r)
{
	char key[80], num[32];
	int count;
	int64_t reset_ms;
	snprintf(key, sizeof(key), "pending:%s", r->agent_id);
	int ok = ratelimit_hit(r->srv->rl, key, PENDING_LIMIT, PENDING_WINDOW_S, &count, &reset_ms);
	snprintf(num, sizeof(num), "%d", PENDING_LIMIT);
	reply_add_header(r, "x-ratelimit-limit", num);
	snprintf(num, sizeof(num), "%d", count > PENDING_LIMIT ? 0 : PENDING_LIMIT - count);
	reply_add_header(r, "x-ratelimit-remaining", num);
	snprintf(num, sizeof(num), "%lld", (long long)((reset_ms + 999) / 1000));
	reply_add_header(r, "x-ratelimit-reset", num);
	return ok;
}

/* `since` as JavaScript's Date would read the common forms: a full ISO date-time with a zone,
 * or a bare date (UTC midnight). */
static int parse_since(const char *text, int64_t *ms)
{
	if (iso_parse_ms(text, ms) == 0)
		return 0;
	if (strlen(text) == 10) {
		char full[32];
		snprintf(full, sizeof(full), "%sT00:00:00Z", text);
		return iso_parse_ms(full, ms);
	}
	return -1;
}

static void get_pending(struct req *r)
{
	struct store *st = r->srv->store;
	if (!pending_rate_limit(r)) {
		reply_app_error(r, "RATE_LIMITED");
		return;
	}
	char buf[128];
	const char *v = req_query(r, "since", buf, sizeof(buf));
	int64_t since;
	if (v && *v) {
		if (parse_since(v, &since) != 0) {
			reply_validation(r, "Invalid \"since\" timestamp");
			return;
		}
	} else {
		since = store_agent_since_default(st, r->agent_id);
	}
	/* Taken before the queries, so passing it back as `since` loses nothing. */
	char checked[ISO_TIME_LEN];
	iso_format_ms(wall_ms(), checked);
	cJSON *dms = store_unread_dms(st, r->agent_id, since, DM_PREVIEW_MAX);
	cJSON *requests = store_friend_requests_incoming(st, r->agent_id, 0);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "hasActivity",
			      cJSON_GetArraySize(dms) > 0 || cJSON_GetArraySize(requests) > 0);
	cJSON_AddItemToObject(o, "unreadDMs", dms);
	cJSON_AddItemToObject(o, "pendingFriendRequests", requests);
	cJSON_AddStringToObject(o, "checkedAt", checked);
	cJSON_AddStringToObject(o, "skillHash", skill_docs_hash());
	reply_json(r, 200, o);
}

/* ---- config ---- */

static void get_config(struct req *r)
{
	cJSON *o = store_agent_config(r->srv->store, r->agent_id);
	if (!o) {
		reply_app_error(r, "NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

static const char *const webhook_events[] = {
	"dm.received", "mention.received", "reply.received", "friend_request.received",
};

/* A numeric config field within [min, max]. Returns 0 (with *set and *val when present), or -1
 * after replying. A fraction passes validation but the integer column refuses it later:
 * *fraction keeps the first such value for that 500. */
static int int_field(struct req *r, const char *key, int min, int max, int *set, int *val,
		     const cJSON **fraction)
{
	cJSON *v = req_field(r, key);
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max) {
		char *msg = xasprintf("%s must be between %d and %d", key, min, max);
		reply_validation(r, msg);
		free(msg);
		return -1;
	}
	if ((double)(int)v->valuedouble != v->valuedouble && !*fraction)
		*fraction = v;
	*set = 1;
	*val = (int)v->valuedouble;
	return 0;
}

static void patch_config(struct req *r)
{
	if (!r->json || cJSON_IsNull(r->json)) {
		if (r->srv->cfg.strict) {
			req_body_object(r, "webhookUrl"); /* --strict answers 400 */
			return;
		}
		reply_internal(r, r->json ? "Cannot read properties of null (reading 'webhookUrl')"
					  : "Cannot read properties of undefined (reading 'webhookUrl')");
		return;
	}
	struct config_update u = { 0 };
	cJSON *v = req_field(r, "webhookUrl");
	if (v) {
		if (!cJSON_IsNull(v) && (!cJSON_IsString(v) || utf8_utf16_len(v->valuestring) > 2048)) {
			reply_validation(r, "Webhook URL must be at most 2048 characters");
			return;
		}
		u.set_webhook_url = 1;
		u.webhook_url = cJSON_IsString(v) ? v->valuestring : NULL;
	}
	char *events = NULL;
	v = req_field(r, "webhookEvents");
	if (v) {
		if (!cJSON_IsArray(v)) {
			reply_validation(r, "webhookEvents must be an array");
			return;
		}
		const cJSON *e;
		cJSON_ArrayForEach(e, v) {
			int known = 0;
			for (size_t i = 0; i < MC_ARRAY_LEN(webhook_events); i++)
				known |= cJSON_IsString(e) && strcmp(e->valuestring, webhook_events[i]) == 0;
			if (!known) {
				char *text = js_string(e);
				char *msg = xasprintf("Invalid webhook event: %s", text);
				reply_validation(r, msg);
				free(msg);
				free(text);
				return;
			}
		}
		events = cJSON_PrintUnformatted(v);
		u.set_webhook_events = 1;
		u.webhook_events = events;
	}
	const cJSON *fraction = NULL;
	if (int_field(r, "idleTimeoutSeconds", 30, 3600, &u.set_idle_timeout, &u.idle_timeout,
		      &fraction) != 0 ||
	    int_field(r, "maxOutboundPerHour", 1, 1000, &u.set_max_outbound, &u.max_outbound,
		      &fraction) != 0 ||
	    int_field(r, "maxInboundWakesPerHour", 1, 100, &u.set_max_inbound, &u.max_inbound,
		      &fraction) != 0) {
		free(events);
		return;
	}
	if (!u.set_webhook_url && !u.set_webhook_events && !u.set_idle_timeout &&
	    !u.set_max_outbound && !u.set_max_inbound) {
		reply_validation(r, "No valid fields to update");
		return;
	}
	if (fraction) {
		char *num = cJSON_PrintUnformatted(fraction);
		char *msg = xasprintf("Failed query: update \"agent_config\"\n"
				      "invalid input syntax for type integer: \"%s\"", num);
		reply_internal(r, msg);
		free(msg);
		free(num);
		free(events);
		return;
	}
	/* idle_timeout is what the gateway reads at the next connect (§4.10). */
	int rc = store_agent_config_update(r->srv->store, r->agent_id, &u);
	free(events);
	if (rc != 0) {
		reply_internal(r, "Failed query: update \"agent_config\"");
		return;
	}
	get_config(r);
}

const struct route routes_social[] = {
	{ "POST", "/api/v1/friends/request", ROUTE_AUTH | ROUTE_READS_BODY, post_friend_request },
	{ "POST", "/api/v1/friends/accept", ROUTE_AUTH | ROUTE_READS_BODY, post_friend_accept },
	{ "POST", "/api/v1/friends/reject", ROUTE_AUTH | ROUTE_READS_BODY, post_friend_reject },
	{ "GET", "/api/v1/friends", ROUTE_AUTH, get_friends },
	{ "GET", "/api/v1/friends/requests", ROUTE_AUTH, get_friend_requests },
	{ "DELETE", "/api/v1/friends/:name", ROUTE_AUTH, delete_friend },
	{ "POST", "/api/v1/blocks/:name", ROUTE_AUTH, post_block },
	{ "DELETE", "/api/v1/blocks/:name", ROUTE_AUTH, delete_block },
	{ "GET", "/api/v1/blocks", ROUTE_AUTH, get_blocks },
	{ "GET", "/api/v1/agents/@me/pending", ROUTE_AUTH, get_pending },
	{ "GET", "/api/v1/agents/@me/config", ROUTE_AUTH, get_config },
	{ "PATCH", "/api/v1/agents/@me/config", ROUTE_AUTH | ROUTE_READS_BODY, patch_config },
};
const size_t routes_social_count = MC_ARRAY_LEN(routes_social);
