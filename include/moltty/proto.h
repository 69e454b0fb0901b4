/* proto: MoltChats wire types, JSON decoders for REST bodies and WebSocket frames, and builders
 * for the frames a client sends. Shared by client and server; no I/O.
 *
 * Every decoder tolerates hostile input: nulls, missing keys and wrong types become NULL
 * strings / defaults, items that lack their id are skipped, and malformed JSON returns -1.
 * Decoded strings are owned by the struct and released with the matching *_free(). */
#ifndef MOLTTY_PROTO_H
#define MOLTTY_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;

/* WebSocket ops, both directions. */
enum proto_op {
	PROTO_OP_UNKNOWN = 0,
	/* client -> server */
	PROTO_OP_PING,
	PROTO_OP_SUBSCRIBE,
	PROTO_OP_UNSUBSCRIBE,
	PROTO_OP_MESSAGE, /* also server -> client (broadcast) */
	PROTO_OP_TYPING,  /* also server -> client */
	PROTO_OP_VOUCH,
	PROTO_OP_VOUCH_REVOKE,
	PROTO_OP_FLAG,
	/* server -> client */
	PROTO_OP_PONG,
	PROTO_OP_SUBSCRIBED,
	PROTO_OP_UNSUBSCRIBED,
	PROTO_OP_CONTEXT,
	PROTO_OP_MESSAGE_ACK,
	PROTO_OP_PRESENCE,
	PROTO_OP_ERROR,
	PROTO_OP_VOUCH_ACK,
	PROTO_OP_FLAG_ACK,
	PROTO_OP_QUARANTINED,
	PROTO_OP__COUNT
};
enum proto_op proto_op_parse(const char *name); /* NULL or unknown -> PROTO_OP_UNKNOWN */
const char *proto_op_name(enum proto_op op);    /* "?" for UNKNOWN */

/* Limits (protocol.md §9) */
#define PROTO_MAX_CONTENT_UTF16 4000
#define PROTO_HISTORY_DEFAULT 50
#define PROTO_HISTORY_MAX 100

struct proto_agent_ref {
	char *id;
	char *username;
	char *display_name;
	char *avatar_url;
};

struct proto_profile {
	char *id;
	char *username;
	char *display_name;
	char *avatar_url;
	char *bio;
	char *agent_type;
	char *status;
	char *presence;
	char *created_at;
	char *last_seen_at;
	char *trust_tier; /* NULL means untrusted */
	long long karma;
	double eigentrust_score;   /* 0 when null/absent */
	char **capabilities;
	size_t n_capabilities;
};

struct proto_channel {
	char *id;
	char *server_id; /* NULL for DMs */
	char *category;  /* NULL = uncategorized */
	char *name;
	char *type;
	char *topic;
	char *instructions;
	int position;
};

struct proto_server {
	char *id;
	char *name;
	char *description;
	char *icon_url;
	char *owner_agent_id;
	char *instructions;
	char *role;       /* /agents/@me/servers only */
	char *created_at;
	char *joined_at;
	int is_public;    /* 1 unless the body says false */
	long long member_count; /* number or numeric string; -1 when absent */
	long long max_members;      /* -1 when absent */
	long long report_threshold; /* -1 when absent */
	char **tags;
	size_t n_tags;
	struct proto_channel *channels; /* GET /servers/:id only */
	size_t n_channels;
};

/* History item, REST-send response, or the `message` WS frame (timestamp -> created_at). */
struct proto_message {
	char *id;
	char *channel_id;
	char *content;      /* "" when absent */
	char *content_type; /* "text" when absent */
	char *created_at;
	int64_t created_ms; /* 0 when missing or unparsable */
	char *trust_tier;   /* WS frames only */
	struct proto_agent_ref agent;
	/* GET /feed only (NULL elsewhere) */
	char *channel_name;
	char *server_name;
	char *server_id;
};

struct proto_member {
	char *agent_id;
	char *role;
	char *joined_at;
	char *username;
	char *display_name;
	char *avatar_url;
	char *presence;
};

struct proto_friend {
	char *friend_id;
	char *dm_channel_id;
	char *created_at;
	char *username;
	char *display_name;
	char *avatar_url;
	char *presence;
};

/* Auth responses: register {agentId, challenge}, verify/refresh {agentId, token,
 * refreshToken}, challenge {challenge}. */
struct proto_auth {
	char *agent_id;
	char *challenge;
	char *token;
	char *refresh_token;
};

/* Error body: `code` first, else `error` when it looks like UPPER_SNAKE (the intended-but-dead
 * format), else NULL. message falls back to `error`, then to "HTTP <status>". */
struct proto_error {
	int status;
	char *code;
	char *message;
};

/* Lists. n_raw is how many array elements the body had (valid or not): a history page is the
 * last one when n_raw < limit. */
struct proto_servers { struct proto_server *v; size_t n, n_raw; };
struct proto_channels { struct proto_channel *v; size_t n, n_raw; };
struct proto_messages { struct proto_message *v; size_t n, n_raw; };
struct proto_members { struct proto_member *v; size_t n, n_raw; };
struct proto_friends { struct proto_friend *v; size_t n, n_raw; };

/* Item decoders from a parsed cJSON node (0, or -1 when it is not an object or lacks its id).
 * On -1 the output is zeroed and owns nothing. */
int proto_agent_ref_from_json(const struct cJSON *j, struct proto_agent_ref *out);
int proto_channel_from_json(const struct cJSON *j, struct proto_channel *out);
int proto_server_from_json(const struct cJSON *j, struct proto_server *out);
int proto_message_from_json(const struct cJSON *j, struct proto_message *out);
/* needs id and username */
int proto_profile_from_json(const struct cJSON *j, struct proto_profile *out);

/* Body decoders (text of length len, need not be NUL-terminated). 0, or -1 on malformed JSON
 * or a body of the wrong shape. */
int proto_decode_profile(const char *body, size_t len, struct proto_profile *out);
int proto_decode_auth(const char *body, size_t len, struct proto_auth *out);
/* {"server": Server} (create/patch) or a bare Server (GET /servers/:id, observers). */
int proto_decode_server(const char *body, size_t len, struct proto_server *out);
/* {"servers": [...]} from /agents/@me/servers, /servers, /observers/servers. */
int proto_decode_servers(const char *body, size_t len, struct proto_servers *out);
/* Grouped {"channels": {"cat": [..], "uncategorized": [..]}}, flattened in body order; the
 * group key fills a missing category ("uncategorized" -> NULL). Also accepts a flat array. */
int proto_decode_channels(const char *body, size_t len, struct proto_channels *out);
/* {"channel": Channel} or a bare Channel. */
int proto_decode_channel(const char *body, size_t len, struct proto_channel *out);
/* A bare Message object (REST send 201). */
int proto_decode_message(const char *body, size_t len, struct proto_message *out);
/* A bare array of Message, kept in body order (newest first). */
int proto_decode_messages(const char *body, size_t len, struct proto_messages *out);
int proto_decode_members(const char *body, size_t len, struct proto_members *out);
int proto_decode_friends(const char *body, size_t len, struct proto_friends *out);
/* Never fails: a non-JSON body still gives status and a message. */
void proto_decode_error(int status, const char *body, size_t len, struct proto_error *out);

void proto_agent_ref_free(struct proto_agent_ref *a);
void proto_profile_free(struct proto_profile *p);
void proto_channel_free(struct proto_channel *c);
void proto_server_free(struct proto_server *s);
void proto_message_free(struct proto_message *m);
void proto_member_free(struct proto_member *m);
void proto_friend_free(struct proto_friend *f);
void proto_auth_free(struct proto_auth *a);
void proto_error_free(struct proto_error *e);
void proto_servers_free(struct proto_servers *l);
void proto_channels_free(struct proto_channels *l);
void proto_messages_free(struct proto_messages *l);
void proto_members_free(struct proto_members *l);
void proto_friends_free(struct proto_friends *l);

/* ---- social, moderation, trust, config (protocol.md §3.3-§3.13) ---- */

/* Small acknowledgement bodies: {"ok": true}, {"success": true}, POST /friends/request
 * {"requestId"}, POST /friends/accept {"friendUsername", "dmChannelId"}. Any JSON object
 * decodes; absent keys stay NULL/0. */
struct proto_ack {
	int ok;                /* "ok" or "success" is true */
	char *request_id;
	char *friend_username;
	char *dm_channel_id;
};

/* GET /agents/@me/pending */
struct proto_unread_dm {
	char *channel_id;
	char *friend_username;
	char *friend_display_name;
	long long unread_count;
	char *last_message_content;
	char *last_message_at;
	int64_t last_message_ms; /* 0 when missing or unparsable */
};
/* A friend request: pending's pendingFriendRequests and /friends/requests. username is the
 * other agent (fromUsername for incoming, toUsername for outgoing). */
struct proto_friend_request {
	char *id;
	char *username;
	char *display_name;
	char *avatar_url;
	char *created_at;
};
struct proto_pending {
	int has_activity;
	struct proto_unread_dm *unread_dms;
	size_t n_unread_dms;
	struct proto_friend_request *requests;
	size_t n_requests;
	char *checked_at;      /* pass back as the next `since` */
	char *skill_hash;
};
/* GET /friends/requests */
struct proto_friend_requests {
	struct proto_friend_request *incoming;
	size_t n_incoming;
	struct proto_friend_request *outgoing;
	size_t n_outgoing;
};

/* GET/PATCH /agents/@me/config, and GET/PUT /webhooks/config (only the webhook fields;
 * the numbers are then -1). */
struct proto_agent_config {
	char *agent_id;
	char *webhook_url;
	char **webhook_events;
	size_t n_webhook_events;
	long long idle_timeout_seconds;
	long long max_outbound_per_hour;
	long long max_inbound_wakes_per_hour;
	long long heartbeat_hint_seconds;
};

/* GET /blocks */
struct proto_block {
	char *username;
	char *display_name;
	char *avatar_url;
	char *blocked_at;
};
struct proto_blocks { struct proto_block *v; size_t n, n_raw; };

/* GET /servers/:id/bans (bare array) */
struct proto_ban {
	char *agent_id;
	char *username;
	char *display_name;
	char *reason;
	int auto_ban;
	char *created_at;
};
struct proto_bans { struct proto_ban *v; size_t n, n_raw; };

/* GET /search: type "agents" fills agents (id, username, display_name, avatar_url, bio,
 * agent_type of each profile), anything else fills servers. */
struct proto_search {
	char *type;
	int is_agents;
	struct proto_profile *agents;
	size_t n_agents;
	struct proto_server *servers;
	size_t n_servers;
};

/* GET /trust/@me and GET /trust/:username. For /trust/:username vouches_received_count is
 * the number the body carries and the lists are empty; for @me it is the list's length. */
struct proto_vouch {
	char *agent_id;   /* voucheeId (given) or voucherId (received) */
	char *username;
	double weight;
	char *created_at;
};
struct proto_trust_challenge_ref {
	char *id;
	char *status;
	char *triggered_by;
	char *created_at;
	char *completed_at;
};
struct proto_trust {
	char *username;        /* /trust/:username only */
	char *tier;            /* "untrusted" when null/absent */
	double eigentrust_score;
	double normalized_karma;
	int is_seed;
	char *computed_at;
	struct proto_vouch *vouches_given;
	size_t n_vouches_given;
	struct proto_vouch *vouches_received;
	size_t n_vouches_received;
	long long vouches_received_count;
	long long flags_received;
	struct proto_trust_challenge_ref *challenges;
	size_t n_challenges;
};
/* GET /trust/challenge/:id */
struct proto_trust_vote {
	char *voter_id;
	char *verdict;
	char *created_at;
};
struct proto_trust_challenge {
	char *id;
	char *suspect_id;
	char *channel_id;
	char *status;
	char *triggered_by;
	char *created_at;
	char *completed_at;
	struct proto_trust_vote *votes;
	size_t n_votes;
};

/* POST /webhooks/test: {"success", "statusCode", "statusText"} or {"success": false, "error"} */
struct proto_webhook_test {
	int success;
	long long status_code; /* -1 when absent */
	char *status_text;
	char *error;
};

/* GET /health */
struct proto_health {
	char *status;
	char *timestamp;
};

/* POST /observers/register {id, email}; POST /observers/login {token} */
struct proto_observer_auth {
	char *id;
	char *email;
	char *token;
};

int proto_decode_ack(const char *body, size_t len, struct proto_ack *out);
int proto_decode_pending(const char *body, size_t len, struct proto_pending *out);
int proto_decode_friend_requests(const char *body, size_t len, struct proto_friend_requests *out);
int proto_decode_agent_config(const char *body, size_t len, struct proto_agent_config *out);
int proto_decode_blocks(const char *body, size_t len, struct proto_blocks *out);
int proto_decode_bans(const char *body, size_t len, struct proto_bans *out);
int proto_decode_search(const char *body, size_t len, struct proto_search *out);
int proto_decode_trust(const char *body, size_t len, struct proto_trust *out);
int proto_decode_trust_challenge(const char *body, size_t len, struct proto_trust_challenge *out);
int proto_decode_webhook_test(const char *body, size_t len, struct proto_webhook_test *out);
int proto_decode_health(const char *body, size_t len, struct proto_health *out);
int proto_decode_observer_auth(const char *body, size_t len, struct proto_observer_auth *out);

void proto_ack_free(struct proto_ack *a);
void proto_pending_free(struct proto_pending *p);
void proto_friend_request_free(struct proto_friend_request *r);
void proto_friend_requests_free(struct proto_friend_requests *l);
void proto_agent_config_free(struct proto_agent_config *c);
void proto_blocks_free(struct proto_blocks *l);
void proto_bans_free(struct proto_bans *l);
void proto_search_free(struct proto_search *s);
void proto_trust_free(struct proto_trust *t);
void proto_trust_challenge_free(struct proto_trust_challenge *t);
void proto_webhook_test_free(struct proto_webhook_test *w);
void proto_health_free(struct proto_health *h);
void proto_observer_auth_free(struct proto_observer_auth *o);

/* A parsed WebSocket frame. Which fields are set depends on op:
 *   subscribed/unsubscribed: channel;  typing: channel, agent (username);
 *   presence: channel, online[];  message_ack: id, timestamp, ts_ms;
 *   message: channel and msg;  error: code, message, channel (SUBSCRIBE_FAILED);
 *   context: platform, server_instr, channel_instr;  quarantined: reason;
 *   vouch_ack/flag_ack: target;  subscribe/unsubscribe (server side): online[] = channels;
 *   message (client->server): channel, msg.content, msg.content_type. */
struct proto_frame {
	enum proto_op op;
	char *op_name;  /* raw op string (unknown ops too) */
	char *channel;
	char *code;
	char *message;
	char *agent;
	char *id;
	char *timestamp;
	int64_t ts_ms;
	char *platform;
	char *server_instr;
	char *channel_instr;
	char *reason;
	char *target;
	char **online;
	size_t n_online;
	int channels_not_array; /* subscribe/unsubscribe whose `channels` was not an array */
	struct proto_message msg;
	void *pack_;    /* private: when set, every string above lives in this one block */
};
/* 0, or -1 when the text is not a JSON object with a string `op` (f is then zeroed). */
int proto_frame_parse(const char *text, size_t len, struct proto_frame *f);
void proto_frame_free(struct proto_frame *f);

/* Frame builders; caller frees. content_type NULL omits the key. */
char *proto_build_subscribe(const char *const *channel_ids, size_t n);
char *proto_build_unsubscribe(const char *const *channel_ids, size_t n);
char *proto_build_message(const char *channel_id, const char *content, const char *content_type);
char *proto_build_typing(const char *channel_id);
char *proto_build_ping(void);
/* vouch / vouch_revoke / flag {"op", "target"[, "reason"]}; reason NULL omits it. */
char *proto_build_trust_op(enum proto_op op, const char *target, const char *reason);

/* 1 when s looks like an error code: [A-Z][A-Z0-9_]* */
int proto_is_upper_snake(const char *s);

#endif
