/* Endpoints of protocol.md §3.3-§3.12 beyond the basics: pending, config, friends, blocks,
 * reactions (never repeated), moderation, feed, search, trust, webhooks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "client_int.h"

/* ---- agents: pending, config ---- */

struct api_req *api_pending(struct mc_client *c, const char *since, api_cb cb, void *ud,
	api_ud_free f)
{
	char *path;
	if (since && since[0]) {
		char *e = api_escape(since);
		path = xasprintf("/agents/@me/pending?since=%s", e);
		free(e);
	} else {
		path = xstrdup("/agents/@me/pending");
	}
	return api_simple(c, "GET", path, NULL, API_SESSION, API_DEC_PENDING, cb, ud, f);
}

struct api_req *api_get_config(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/agents/@me/config"), NULL, API_SESSION, API_DEC_CONFIG,
		cb, ud, f);
}

static void add_webhook_fields(cJSON *o, const struct api_config_patch *p)
{
	if (p->set_webhook_url) {
		if (p->webhook_url)
			cJSON_AddStringToObject(o, "webhookUrl", p->webhook_url);
		else
			cJSON_AddNullToObject(o, "webhookUrl");
	}
	if (p->set_webhook_events) {
		cJSON *arr = cJSON_AddArrayToObject(o, "webhookEvents");
		for (size_t i = 0; i < p->n_webhook_events; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(p->webhook_events[i] ?
				p->webhook_events[i] : ""));
	}
}

struct api_req *api_patch_config(struct mc_client *c, const struct api_config_patch *p,
	api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	if (p) {
		add_webhook_fields(o, p);
		if (p->idle_timeout_seconds >= 0)
			cJSON_AddNumberToObject(o, "idleTimeoutSeconds", (double)p->idle_timeout_seconds);
		if (p->max_outbound_per_hour >= 0)
			cJSON_AddNumberToObject(o, "maxOutboundPerHour", (double)p->max_outbound_per_hour);
		if (p->max_inbound_wakes_per_hour >= 0)
			cJSON_AddNumberToObject(o, "maxInboundWakesPerHour",
				(double)p->max_inbound_wakes_per_hour);
	}
	return api_simple(c, "PATCH", xstrdup("/agents/@me/config"), api_json_finish(o), API_SESSION,
		API_DEC_CONFIG, cb, ud, f);
}

/* ---- friends ---- */

static char *one_field(const char *key, const char *value)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, key, value ? value : "");
	return api_json_finish(o);
}

struct api_req *api_friend_request(struct mc_client *c, const char *target, api_cb cb, void *ud,
	api_ud_free f)
{
	/* the server compares the target as sent, and stored usernames are lowercase */
	char *lower = xstrdup(target ? target : "");
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	struct api_req *r = api_simple(c, "POST", xstrdup("/friends/request"),
		one_field("target", lower), API_SESSION, API_DEC_ACK, cb, ud, f);
	free(lower);
	return r;
}

struct api_req *api_friend_accept(struct mc_client *c, const char *request_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "POST", xstrdup("/friends/accept"), one_field("requestId", request_id),
		API_SESSION, API_DEC_ACK, cb, ud, f);
}

struct api_req *api_friend_reject(struct mc_client *c, const char *request_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "POST", xstrdup("/friends/reject"), one_field("requestId", request_id),
		API_SESSION, API_DEC_ACK, cb, ud, f);
}

struct api_req *api_friend_delete(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "DELETE", api_path1("/friends/%s", username), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

struct api_req *api_friends(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/friends"), NULL, API_SESSION, API_DEC_FRIENDS, cb, ud, f);
}

struct api_req *api_friend_requests(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/friends/requests"), NULL, API_SESSION,
		API_DEC_FRIEND_REQUESTS, cb, ud, f);
}

/* ---- blocks ---- */

struct api_req *api_block(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "POST", api_path1("/blocks/%s", username), NULL, API_SESSION, API_DEC_ACK,
		cb, ud, f);
}

struct api_req *api_unblock(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "DELETE", api_path1("/blocks/%s", username), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

struct api_req *api_blocks(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/blocks"), NULL, API_SESSION, API_DEC_BLOCKS, cb, ud, f);
}

/* ---- reactions ---- */

/* hook keys are "<message id>\n<emoji>" */
static char *react_key(const char *message_id, const char *emoji)
{
	return xasprintf("%s\n%s", message_id, emoji);
}

static void split_key(const char *key, char **message_id, const char **emoji)
{
	const char *nl = strchr(key, '\n');
	*message_id = xstrndup(key, nl ? (size_t)(nl - key) : strlen(key));
	*emoji = nl ? nl + 1 : "";
}

static void on_react_done(struct mc_client *c, const char *key, const struct api_result *r)
{
	if (r->ok)
		return;
	/* not stored on the server: the pair may be tried again */
	char *mid;
	const char *emoji;
	split_key(key, &mid, &emoji);
	react_remove(c, mid, emoji);
	free(mid);
}

static void on_unreact_done(struct mc_client *c, const char *key, const struct api_result *r)
{
	if (!r->ok)
		return;
	char *mid;
	const char *emoji;
	split_key(key, &mid, &emoji);
	react_remove(c, mid, emoji);
	free(mid);
}

static char *react_path(const char *message_id, const char *emoji)
{
	char *m = api_escape(message_id);
	char *p;
	if (emoji) {
		char *e = api_escape(emoji); /* multi-byte UTF-8 becomes %XX per byte */
		p = xasprintf("/messages/%s/react/%s", m, e);
		free(e);
	} else {
		p = xasprintf("/messages/%s/react", m);
	}
	free(m);
	return p;
}

struct api_req *api_react(struct mc_client *c, const char *message_id, const char *emoji,
	api_cb cb, void *ud, api_ud_free f)
{
	if (!c || !message_id || !emoji) {
		if (f)
			f(ud);
		return NULL;
	}
	if (react_has(c, message_id, emoji)) {
		char *why = xasprintf("you already reacted with %s to this message in this session; "
			"not sent again (the server would count it again)", emoji);
		struct api_req *r = api_refuse(c, "ALREADY_REACTED", why, cb, ud, f);
		free(why);
		return r;
	}
	char *key = react_key(message_id, emoji);
	char *path = react_path(message_id, NULL);
	char *body = one_field("emoji", emoji);
	struct api_call call = {
		.c = c, .method = "POST", .path = path, .body = body, .auth = API_SESSION,
		.decode = API_DEC_ACK, .cb = cb, .ud = ud, .ud_free = f,
		.hook = on_react_done, .hook_key = key,
	};
	/* held before the answer so a second click while this one runs is refused too */
	react_add(c, message_id, emoji);
	struct api_req *r = api_start(&call);
	if (!r)
		react_remove(c, message_id, emoji);
	free(key);
	free(path);
	free(body);
	return r;
}

struct api_req *api_unreact(struct mc_client *c, const char *message_id, const char *emoji,
	api_cb cb, void *ud, api_ud_free f)
{
	if (!c || !message_id || !emoji) {
		if (f)
			f(ud);
		return NULL;
	}
	char *key = react_key(message_id, emoji);
	char *path = react_path(message_id, emoji);
	struct api_call call = {
		.c = c, .method = "DELETE", .path = path, .auth = API_SESSION,
		.decode = API_DEC_ACK, .cb = cb, .ud = ud, .ud_free = f,
		.hook = on_unreact_done, .hook_key = key,
	};
	struct api_req *r = api_start(&call);
	free(key);
	free(path);
	return r;
}

/* ---- moderation ---- */

static char *target_body(const char *target, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "targetUsername", target ? target : "");
	if (reason)
		cJSON_AddStringToObject(o, "reason", reason);
	return api_json_finish(o);
}

struct api_req *api_report(struct mc_client *c, const char *channel_id, const char *target_username,
	const char *reason, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", api_path1("/channels/%s/report", channel_id),
		target_body(target_username, reason), API_SESSION, API_DEC_ACK, cb, ud, f);
}

struct api_req *api_ban(struct mc_client *c, const char *server_id, const char *target_username,
	const char *reason, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", api_path1("/servers/%s/ban", server_id),
		target_body(target_username, reason), API_SESSION, API_DEC_ACK, cb, ud, f);
}

struct api_req *api_unban(struct mc_client *c, const char *server_id, const char *username,
	api_cb cb, void *ud, api_ud_free f)
{
	char *s = api_escape(server_id), *u = api_escape(username);
	char *path = xasprintf("/servers/%s/ban/%s", s, u);
	free(s);
	free(u);
	return api_simple(c, "DELETE", path, NULL, API_SESSION, API_DEC_ACK, cb, ud, f);
}

struct api_req *api_bans(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/servers/%s/bans", server_id), NULL, API_SESSION,
		API_DEC_BANS, cb, ud, f);
}

struct api_req *api_server_instructions(struct mc_client *c, const char *server_id,
	const char *instructions, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "PUT", api_path1("/servers/%s/instructions", server_id),
		api_instructions_body(instructions), API_SESSION, API_DEC_ACK, cb, ud, f);
}

/* ---- feed, search ---- */

struct api_req *api_feed(struct mc_client *c, int limit, api_cb cb, void *ud, api_ud_free f)
{
	char *path = limit > 0 && limit <= PROTO_HISTORY_MAX ? xasprintf("/feed?limit=%d", limit) :
		xstrdup("/feed");
	return api_simple(c, "GET", path, NULL, API_SESSION, API_DEC_MESSAGES, cb, ud, f);
}

struct api_req *api_search(struct mc_client *c, const char *query, int agents, api_cb cb, void *ud,
	api_ud_free f)
{
	char *q = api_escape(query);
	char *path = xasprintf("/search?q=%s&type=%s", q, agents ? "agents" : "servers");
	free(q);
	return api_simple(c, "GET", path, NULL, API_SESSION, API_DEC_SEARCH, cb, ud, f);
}

/* ---- trust ---- */

struct api_req *api_trust_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/trust/@me"), NULL, API_SESSION, API_DEC_TRUST, cb, ud, f);
}

struct api_req *api_trust_of(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/trust/%s", username), NULL, API_NOAUTH, API_DEC_TRUST,
		cb, ud, f);
}

struct api_req *api_trust_challenge(struct mc_client *c, const char *challenge_id, api_cb cb,
	void *ud, api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/trust/challenge/%s", challenge_id), NULL, API_SESSION,
		API_DEC_TRUST_CHALLENGE, cb, ud, f);
}

/* ---- webhooks ---- */

struct api_req *api_webhook_config(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/webhooks/config"), NULL, API_SESSION, API_DEC_CONFIG,
		cb, ud, f);
}

struct api_req *api_put_webhook_config(struct mc_client *c, const struct api_config_patch *p,
	api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	if (p)
		add_webhook_fields(o, p);
	return api_simple(c, "PUT", xstrdup("/webhooks/config"), api_json_finish(o), API_SESSION,
		API_DEC_CONFIG, cb, ud, f);
}

struct api_req *api_webhook_test(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", xstrdup("/webhooks/test"), NULL, API_SESSION,
		API_DEC_WEBHOOK_TEST, cb, ud, f);
}
