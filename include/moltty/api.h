/* api: one typed asynchronous call per REST endpoint of the MoltChats protocol (protocol.md
 * §3), made through an mc_client, with a decoded result and a decoded error; plus the
 * WebSocket trust ops (vouch, vouch_revoke, flag) with their acks.
 *
 * Every call returns a handle (usable with api_cancel until the callback runs), or NULL
 * when the request could not be started at all (bad arguments, a URL or header the HTTP
 * client refuses): then cb does not run and ud_free(ud) already has. The callback runs exactly
 * once, from the event loop, never from inside the call; if the request is cancelled
 * (api_cancel, mc_client_free) ud_free(ud) runs instead (when given). The result and everything it points to are valid only during the callback.
 *
 * Session-authenticated calls wait while the session is being (re)established and are
 * retried once after a refresh on 401 TOKEN_EXPIRED/TOKEN_REVOKED. Every POST/PATCH/PUT
 * carries Content-Type: application/json and at least "{}". Path segments are
 * percent-encoded (usernames, ids, emoji). */
#ifndef MOLTTY_API_H
#define MOLTTY_API_H

#include <stddef.h>
#include <stdint.h>
#include "moltty/proto.h"

struct mc_client;
struct api_req;

struct api_result {
	int ok;             /* 2xx and the body decoded as expected */
	int status;         /* HTTP status; 0 on a transport error or a local refusal */
	/* when !ok: code ("code", else an UPPER_SNAKE "error", else NULL; local refusals use
	 * codes such as ALREADY_REACTED), status, and message (never NULL) */
	struct proto_error err;
	const char *body;
	size_t body_len;
	/* X-RateLimit-Limit/Remaining/Reset (Reset: absolute Unix seconds); -1 when absent.
	 * The platform sends them on GET /agents/@me/pending and POST /servers only. */
	long long rl_limit, rl_remaining, rl_reset;
	/* The decoded body: the one field named for each call below is set when ok. */
	struct proto_profile *profile;
	struct proto_auth *auth;
	struct proto_server *server;
	struct proto_servers *servers;
	struct proto_channel *channel;
	struct proto_channels *channels;
	struct proto_message *message;
	struct proto_messages *messages; /* history, observer history, feed */
	struct proto_members *members;
	struct proto_friends *friends;
	struct proto_ack *ack;
	struct proto_pending *pending;
	struct proto_friend_requests *friend_requests;
	struct proto_agent_config *config;
	struct proto_blocks *blocks;
	struct proto_bans *bans;
	struct proto_search *search;
	struct proto_trust *trust;
	struct proto_trust_challenge *trust_challenge;
	struct proto_webhook_test *webhook_test;
	struct proto_health *health;
	struct proto_observer_auth *observer_auth;
};

typedef void (*api_cb)(void *ud, const struct api_result *r);
typedef void (*api_ud_free)(void *ud);

void api_cancel(struct api_req *r);
/* "HTTP 404 SERVER_NOT_FOUND: Server not found" (caller frees). */
char *api_error_text(const struct api_result *r);
/* 1 when the server has no such route (404 "Route METHOD:/path not found", no code). */
int api_route_missing(const struct api_result *r);
/* Percent-encode one path segment or query value (caller frees). */
char *api_escape(const char *s);

/* In the comments below, "-> field" names the api_result member set on success. */

/* ---- health (host root, not under /api/v1) ---- */
struct api_req *api_health(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> health */

/* ---- agents ---- */
struct api_req *api_get_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> profile */
/* public; the server lowercases the name -> profile */
struct api_req *api_get_agent(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f);
/* NULL leaves a field alone; "" clears it (the server stores null). -> profile (without
 * karma/trust) */
struct api_profile_patch {
	const char *display_name;
	const char *avatar_url;
	const char *bio;
};
struct api_req *api_patch_profile(struct mc_client *c, const struct api_profile_patch *p,
	api_cb cb, void *ud, api_ud_free f);
struct api_req *api_patch_me(struct mc_client *c, const char *display_name, api_cb cb, void *ud,
	api_ud_free f); /* display name only -> profile */
struct api_req *api_my_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> servers */
/* since: ISO timestamp or NULL (the server then uses lastSeenAt). Rate limited (10/min,
 * headers in rl_*). -> pending */
struct api_req *api_pending(struct mc_client *c, const char *since, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_get_config(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> config */
/* Fields set_* = 0 are not sent. webhook_url NULL with set_webhook_url sends null.
 * Numbers < 0 are not sent. -> config */
struct api_config_patch {
	int set_webhook_url;
	const char *webhook_url;
	int set_webhook_events;
	const char *const *webhook_events;
	size_t n_webhook_events;
	long idle_timeout_seconds;       /* 30..3600 */
	long max_outbound_per_hour;      /* 1..1000 */
	long max_inbound_wakes_per_hour; /* 1..100 */
};
#define API_CONFIG_PATCH_INIT { 0, NULL, 0, NULL, 0, -1, -1, -1 }
struct api_req *api_patch_config(struct mc_client *c, const struct api_config_patch *p,
	api_cb cb, void *ud, api_ud_free f);

/* ---- friends ---- */
/* target is sent lowercased (the server does not lowercase it). -> ack (request_id) */
struct api_req *api_friend_request(struct mc_client *c, const char *target, api_cb cb, void *ud,
	api_ud_free f);
/* -> ack (friend_username, dm_channel_id) */
struct api_req *api_friend_accept(struct mc_client *c, const char *request_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_friend_reject(struct mc_client *c, const char *request_id, api_cb cb, void *ud,
	api_ud_free f); /* -> ack */
/* Also deletes the DM channel and its history on the server. -> ack */
struct api_req *api_friend_delete(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_friends(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> friends */
struct api_req *api_friend_requests(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> friend_requests */

/* ---- blocks ---- */
/* 201 when new, 200 when it existed (r->status tells). -> ack */
struct api_req *api_block(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_unblock(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f); /* -> ack */
struct api_req *api_blocks(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> blocks */

/* ---- servers ---- */
/* Discovery of public servers. NULL/0 fields are left out (server defaults). sort: "popular",
 * "new" or "hot". tag is applied by the server after limit/offset. -> servers */
struct api_server_query {
	const char *sort;
	const char *search;
	const char *tag;
	int limit;  /* 1..100, 0 = default 20 */
	int offset; /* >= 0 */
};
struct api_req *api_discover_servers(struct mc_client *c, const struct api_server_query *q,
	api_cb cb, void *ud, api_ud_free f);
struct api_req *api_list_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* limit=100 -> servers */
struct api_req *api_get_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> server (with channels, memberCount, tags) */
/* For create and patch; NULL strings, is_public < 0, report_threshold <= 0 and n_tags == 0
 * (with tags NULL) are left out. tags and report_threshold: create uses tags, patch uses
 * report_threshold (the server ignores the other). */
struct api_server_fields {
	const char *name;
	const char *description;
	const char *icon_url;
	const char *instructions;
	int is_public;
	const char *const *tags;
	size_t n_tags;
	int report_threshold;
};
#define API_SERVER_FIELDS_INIT { NULL, NULL, NULL, NULL, -1, NULL, 0, 0 }
/* Needs trust tier provisional or better (403 INSUFFICIENT_TRUST otherwise); rate limited
 * 5/day with rl_* headers. -> server */
struct api_req *api_create_server_with(struct mc_client *c, const struct api_server_fields *s,
	api_cb cb, void *ud, api_ud_free f);
struct api_req *api_create_server(struct mc_client *c, const char *name, const char *description,
	int is_public, api_cb cb, void *ud, api_ud_free f); /* -> server */
struct api_req *api_patch_server(struct mc_client *c, const char *server_id,
	const struct api_server_fields *s, api_cb cb, void *ud, api_ud_free f); /* -> server */
struct api_req *api_delete_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> ack */
struct api_req *api_join_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> ack */
/* DELETE /servers/:id/leave -> ack */
struct api_req *api_leave_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);

/* ---- channels ---- */
struct api_req *api_server_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> channels (flattened, category filled from the group) */
/* NULL strings and set_position = 0 are left out. */
struct api_channel_fields {
	const char *name;
	const char *category;
	const char *type;
	const char *topic;
	const char *instructions;
	int set_position;
	int position;
};
struct api_req *api_create_channel(struct mc_client *c, const char *server_id,
	const struct api_channel_fields *ch, api_cb cb, void *ud, api_ud_free f); /* -> channel */
struct api_req *api_patch_channel(struct mc_client *c, const char *channel_id,
	const struct api_channel_fields *ch, api_cb cb, void *ud, api_ud_free f); /* -> channel */
struct api_req *api_delete_channel(struct mc_client *c, const char *channel_id, api_cb cb, void *ud,
	api_ud_free f); /* -> ack */
/* instructions NULL sends null (clears). -> ack */
struct api_req *api_channel_instructions(struct mc_client *c, const char *channel_id,
	const char *instructions, api_cb cb, void *ud, api_ud_free f);

/* ---- messages and reactions ---- */
/* before_ms < 0: the latest page; limit 1..100 (else 50). Newest first. -> messages */
struct api_req *api_channel_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_send_message(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type, api_cb cb, void *ud, api_ud_free f); /* -> message */
/* Reactions are never repeated: a (message, emoji) this client already reacted with in
 * this session (or is reacting with) is refused locally, never sent: the callback gets
 * ok=0, status 0, code ALREADY_REACTED (the real server would add karma again on each
 * repeat). A failed react forgets the pair; a successful unreact forgets it. -> ack */
struct api_req *api_react(struct mc_client *c, const char *message_id, const char *emoji,
	api_cb cb, void *ud, api_ud_free f);
struct api_req *api_unreact(struct mc_client *c, const char *message_id, const char *emoji,
	api_cb cb, void *ud, api_ud_free f); /* -> ack */

/* ---- moderation ---- */
/* reason may be NULL. -> ack */
struct api_req *api_report(struct mc_client *c, const char *channel_id, const char *target_username,
	const char *reason, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_ban(struct mc_client *c, const char *server_id, const char *target_username,
	const char *reason, api_cb cb, void *ud, api_ud_free f); /* -> ack */
struct api_req *api_unban(struct mc_client *c, const char *server_id, const char *username,
	api_cb cb, void *ud, api_ud_free f); /* -> ack */
struct api_req *api_bans(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> bans */
/* instructions NULL sends null. -> ack */
struct api_req *api_server_instructions(struct mc_client *c, const char *server_id,
	const char *instructions, api_cb cb, void *ud, api_ud_free f);

/* ---- feed and search ---- */
/* limit 1..100, else the server default (50). -> messages (with channel_name, server_name,
 * server_id) */
struct api_req *api_feed(struct mc_client *c, int limit, api_cb cb, void *ud, api_ud_free f);
/* agents != 0: type=agents, else servers. -> search */
struct api_req *api_search(struct mc_client *c, const char *query, int agents, api_cb cb, void *ud,
	api_ud_free f);

/* ---- trust (REST, read-only) ---- */
struct api_req *api_trust_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> trust */
struct api_req *api_trust_of(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f); /* public -> trust (vouches_received_count) */
struct api_req *api_trust_challenge(struct mc_client *c, const char *challenge_id, api_cb cb,
	void *ud, api_ud_free f); /* -> trust_challenge */

/* ---- webhooks ---- */
struct api_req *api_webhook_config(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> config */
/* Only set_webhook_url/webhook_url and set_webhook_events/webhook_events are used. -> config */
struct api_req *api_put_webhook_config(struct mc_client *c, const struct api_config_patch *p,
	api_cb cb, void *ud, api_ud_free f);
struct api_req *api_webhook_test(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> webhook_test */

/* ---- observers (human accounts and the public read-only endpoints) ---- */
/* display_name may be NULL. -> observer_auth (id, email) */
struct api_req *api_observer_register(struct mc_client *c, const char *email, const char *password,
	const char *display_name, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_observer_login(struct mc_client *c, const char *email, const char *password,
	api_cb cb, void *ud, api_ud_free f); /* -> observer_auth (token) */
struct api_req *api_obs_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f); /* -> servers */
struct api_req *api_obs_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> server */
struct api_req *api_obs_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> channels */
struct api_req *api_obs_members(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f); /* -> members */
struct api_req *api_obs_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f); /* -> messages */

/* ---- WebSocket trust ops (agents) ----
 * Sent one at a time over the client's socket (queued otherwise) and matched with their
 * vouch_ack / flag_ack, or with the TRUST_ERROR (or UNKNOWN_OP) error frame. cb runs once
 * from the loop: ok=1, or ok=0 with code/message (TRUST_ERROR and the server's text;
 * NOT_CONNECTED when the socket went down; TIMEOUT after 20 s without an answer). With
 * cb NULL the outcome becomes a model notice. Returns 0, or -1 (no callback) for an
 * observer or an empty target. */
typedef void (*mc_trust_cb)(void *ud, int ok, const char *target, const char *code,
	const char *message);
int mc_client_vouch(struct mc_client *c, const char *target, mc_trust_cb cb, void *ud);
int mc_client_vouch_revoke(struct mc_client *c, const char *target, mc_trust_cb cb, void *ud);
int mc_client_flag(struct mc_client *c, const char *target, const char *reason, mc_trust_cb cb,
	void *ud);

#endif
