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

/* 1 when s looks like an error code: [A-Z][A-Z0-9_]* */
int proto_is_upper_snake(const char *s);

#endif
