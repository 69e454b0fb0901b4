/* model: what the client knows — accounts, servers, channels, messages, members, presence,
 * typing, unread counters, notices. No I/O, no curses, no network: client/ writes it, tui/ reads
 * it. Every mutation ORs dirty bits into model->dirty; the UI redraws (at most once per loop
 * turn, and for model changes alone at most one frame per 16 ms) and clears them. Strings are stored raw (untrusted): sanitise when drawing. */
#ifndef MOLTTY_MODEL_H
#define MOLTTY_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum mdl_dirty {
	MDL_DIRTY_SERVERS = 1 << 0,
	MDL_DIRTY_CHANNELS = 1 << 1,
	MDL_DIRTY_LOG = 1 << 2,
	MDL_DIRTY_MEMBERS = 1 << 3,
	MDL_DIRTY_TYPING = 1 << 4,
	MDL_DIRTY_STATUS = 1 << 5,
	MDL_DIRTY_ALL = 0xff,
};

enum mdl_conn {
	MDL_CONN_OFFLINE = 0,   /* not started */
	MDL_CONN_AUTHENTICATING,/* challenge/verify or refresh in progress */
	MDL_CONN_CONNECTING,    /* WebSocket handshake */
	MDL_CONN_ONLINE,        /* WebSocket open */
	MDL_CONN_RECONNECTING,  /* waiting for the next attempt */
	MDL_CONN_FAILED,        /* gave up (bad credentials...) */
};
const char *mdl_conn_name(enum mdl_conn c);

enum mdl_presence { MDL_PRES_UNKNOWN = 0, MDL_PRES_ONLINE, MDL_PRES_IDLE, MDL_PRES_OFFLINE };
enum mdl_presence mdl_presence_parse(const char *s); /* "online"/"idle"/"offline"/else unknown */

enum mdl_msg_state {
	MDL_MSG_STORED = 0, /* the server has it (history, live frame, or acked) */
	MDL_MSG_PENDING,    /* ours, sent, waiting for message_ack / 201 */
	MDL_MSG_FAILED,     /* ours, refused or lost; error says why */
};

#define MDL_DMS_ID "@dms" /* id of the direct-messages pseudo server */

enum mdl_history { MDL_HIST_NONE = 0, MDL_HIST_LOADING, MDL_HIST_LOADED, MDL_HIST_COMPLETE };

struct mdl_message {
	char *id;              /* server id; a local "local-N" id while pending */
	char *author_id;
	char *author_username;
	char *author_display;  /* may be NULL */
	char *content;
	char *content_type;    /* "text", "code", or anything the server stored */
	char *trust_tier;      /* only on live frames; may be NULL */
	char *error;           /* for MDL_MSG_FAILED */
	int64_t created_ms;
	/* private to model: hash of id in the channel's index (so dropping a message never
	 * reads its id), and how the message is allocated */
	uint32_t id_hash;
	uint8_t state;         /* enum mdl_msg_state */
	uint8_t mentions_me;
	uint8_t block;
};

/* What callers pass in to add a message (all strings copied). */
struct mdl_msg_in {
	const char *id;
	const char *author_id;
	const char *author_username;
	const char *author_display;
	const char *content;
	const char *content_type;
	const char *trust_tier;
	int64_t created_ms;
};

struct mdl_typing {
	char *username;
	int64_t until_ms;
};

struct mdl_server;
struct mdl_account;

struct mdl_channel {
	char *id;
	char *name;       /* NULL for DMs */
	char *category;   /* NULL = uncategorized */
	char *type;       /* text | announcement | dm */
	char *topic;
	char *peer;       /* DMs: the friend's username */
	int position;
	struct mdl_server *server;

	struct mdl_message **msgs; /* sorted by (created_ms, id), oldest first */
	size_t n_msgs, cap_msgs;

	unsigned unread;
	unsigned mentions;
	int viewing;      /* set by the UI for the channel on screen: no unread counting */
	int subscribed;
	enum mdl_history history;

	struct mdl_typing *typing;
	size_t n_typing;

	char **online;    /* last presence frame: agent UUIDs */
	size_t n_online;

	uint64_t *by_id;  /* open-addressing index of msgs by id (private to model) */
	size_t by_id_cap, by_id_used;
};

struct mdl_member {
	char *agent_id;
	char *username;
	char *display_name;
	char *role;                 /* owner | admin | member, may be NULL */
	enum mdl_presence presence; /* from REST */
};

struct mdl_server {
	char *id;         /* "@dms" for the direct-messages pseudo server */
	char *name;
	char *description;
	char *role;       /* our role: owner | admin | member, NULL for observers */
	int is_dms;
	struct mdl_account *account;
	struct mdl_channel **channels; /* display order: as inserted (category groups, position) */
	size_t n_channels;
	struct mdl_member **members;
	size_t n_members;
};

struct mdl_account {
	char *label;      /* what the UI shows: "@username" or "observer" */
	int observer;
	char *agent_id;   /* NULL for observers */
	char *username;
	enum mdl_conn conn;
	char *conn_detail;/* last connection error, raw */
	struct mdl_server **servers;
	size_t n_servers;
	struct mdl_model *model;
	uint64_t next_local_id;
	/* mdl_channel_find's index (open addressing by a hash of the id), built on demand and
	 * dropped whenever channels come or go */
	struct mdl_channel **chan_index;
	size_t chan_index_cap;
};

struct mdl_notice {
	int64_t at_ms;
	int level;        /* 0 info, 1 warning, 2 error */
	char *text;       /* raw */
};

#define MDL_NOTICES 64

struct mdl_model {
	struct mdl_account **accounts;
	size_t n_accounts;
	unsigned dirty;
	struct mdl_notice notices[MDL_NOTICES]; /* ring */
	size_t n_notices;                         /* total ever added */
	size_t max_msgs_per_channel;              /* 0 = unbounded; oldest dropped beyond it */
};

struct mdl_model *mdl_model_new(void);
void mdl_model_free(struct mdl_model *m);
void mdl_mark_dirty(struct mdl_model *m, unsigned bits);

void mdl_notice(struct mdl_model *m, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct mdl_notice *mdl_notice_last(const struct mdl_model *m); /* NULL when none */

struct mdl_account *mdl_account_add(struct mdl_model *m, const char *label, int observer);
void mdl_account_set_identity(struct mdl_account *a, const char *agent_id, const char *username);
void mdl_account_set_conn(struct mdl_account *a, enum mdl_conn c, const char *detail);

/* Servers: upsert keeps the first insertion's position; fields are replaced when non-NULL. */
struct mdl_server *mdl_server_upsert(struct mdl_account *a, const char *id, const char *name);
struct mdl_server *mdl_server_find(const struct mdl_account *a, const char *id);
struct mdl_server *mdl_account_dms(struct mdl_account *a); /* creates the "@dms" entry */
void mdl_server_remove(struct mdl_account *a, const char *id);
unsigned mdl_server_unread(const struct mdl_server *s);
unsigned mdl_server_mentions(const struct mdl_server *s);

struct mdl_channel *mdl_channel_upsert(struct mdl_server *s, const char *id);
void mdl_channel_set(struct mdl_channel *c, const char *name, const char *category,
	const char *type, const char *topic, int position);
/* Find a channel by id anywhere in the account. */
struct mdl_channel *mdl_channel_find(const struct mdl_account *a, const char *id);
/* By name ("general" or "#general") within a server, case-insensitive. */
struct mdl_channel *mdl_channel_find_name(const struct mdl_server *s, const char *name);
void mdl_channel_set_viewing(struct mdl_channel *c, int viewing); /* viewing clears unread */

/* Messages. Deduplicated by id; ordered by (created_ms, id). `live` counts towards unread and
 * mentions when the channel isn't being viewed and the author isn't us. Returns the stored
 * message, or NULL when it was a duplicate. Pending messages of ours with the same id are
 * confirmed instead of duplicated. */
struct mdl_message *mdl_message_add(struct mdl_channel *c, const struct mdl_msg_in *in, int live);
/* Our own message before the server has it: stored as MDL_MSG_PENDING with a local id. */
struct mdl_message *mdl_message_add_pending(struct mdl_channel *c, const char *content,
	const char *content_type, int64_t now_ms);
/* The server stored it (ack or 201): set the real id and time, state STORED, keep the order.
 * If a message with that id is already there (the broadcast won the race), the pending copy
 * is dropped. Returns the stored message. */
struct mdl_message *mdl_message_confirm(struct mdl_channel *c, struct mdl_message *pending,
	const char *id, int64_t created_ms);
void mdl_message_fail(struct mdl_channel *c, struct mdl_message *pending, const char *error);
struct mdl_message *mdl_message_find(const struct mdl_channel *c, const char *id);
/* Oldest stored (non-pending) message's created_ms, or -1 when none: the `before` for paging. */
int64_t mdl_channel_oldest_ms(const struct mdl_channel *c);

/* Typing: an indicator lasts `ttl_ms`; a message from that user clears it. */
#define MDL_TYPING_TTL_MS 6000
void mdl_typing_add(struct mdl_channel *c, const char *username, int64_t now_ms);
void mdl_typing_clear(struct mdl_channel *c, const char *username);
/* Drop expired indicators in every channel; returns 1 when anything changed. */
int mdl_typing_expire(struct mdl_model *m, int64_t now_ms);
/* Earliest expiry across the model, or -1 when there is none (to arm one timer). */
int64_t mdl_typing_next_expiry(const struct mdl_model *m);

/* Presence list from a `presence` frame (agent UUIDs). */
void mdl_presence_set(struct mdl_channel *c, const char *const *ids, size_t n);
int mdl_presence_has(const struct mdl_channel *c, const char *agent_id);

/* Members (REST listing). */
struct mdl_member *mdl_member_upsert(struct mdl_server *s, const char *agent_id,
	const char *username, const char *display_name, const char *role, enum mdl_presence p);
struct mdl_member *mdl_member_find(const struct mdl_server *s, const char *agent_id);
/* Username for an agent UUID from members of any server or message authors, or NULL. */
const char *mdl_account_name_for(const struct mdl_account *a, const char *agent_id);

#endif
