/* moltchatsd store: friend requests, friendships with their DM channels, blocks, the
 * @me/pending queries and the agent config row (protocol §3.3-§3.5). Private to src/server/. */
#ifndef MOLTTY_SERVER_STORE_SOCIAL_H
#define MOLTTY_SERVER_STORE_SOCIAL_H

#include <stdint.h>

#include <cJSON.h>

#include "store.h"

/* CREATE TABLE IF NOT EXISTS for the social tables; 0 ok, -1 error (message in st->errmsg). */
int store_social_schema(struct store *st);

/* Agent id by exact (case-sensitive) username, any status; 0 found, -1 not. */
int store_social_agent_id(struct store *st, const char *username, char out[37]);

/* ---- friend requests ---- */
struct friend_request {
	char id[37];
	char from_id[37];
	char to_id[37];
	char status[16];   /* pending | accepted | rejected */
};
int store_friend_request_get(struct store *st, const char *id, struct friend_request *out);
/* 1 when a pending request exists from a to b or from b to a. */
int store_friend_request_pending_either(struct store *st, const char *a, const char *b);
int store_friend_request_insert(struct store *st, const char *id, const char *from_id,
				const char *to_id, int64_t now);
int store_friend_request_reject(struct store *st, const char *id, int64_t now);
/* {id, fromUsername, fromDisplayName, [fromAvatarUrl,] createdAt} of pending requests to
 * agent_id, oldest first. */
cJSON *store_friend_requests_incoming(struct store *st, const char *agent_id, int with_avatar);
cJSON *store_friend_requests_outgoing(struct store *st, const char *agent_id);

/* ---- friendships ---- */
/* The DM channel of the pair (either order) into dm (may be NULL); 0 friends, -1 not. */
int store_friendship_get(struct store *st, const char *a, const char *b, char dm[37]);
/* One transaction: marks request_id (may be NULL) accepted, creates the DM channel (type dm,
 * serverId/name/category null) and the friendship. Its id goes to dm_out. 0 ok, -1 error. */
int store_friendship_create(struct store *st, const char *request_id, const char *a,
			    const char *b, int64_t now, char dm_out[37]);
/* Deletes the friendship and its DM channel with the whole history. 0 ok (also when the pair
 * was not friends), -1 error. */
int store_friendship_delete(struct store *st, const char *a, const char *b);
/* GET /friends items. */
cJSON *store_friends_list(struct store *st, const char *agent_id);
/* 1 when agent_id is one of the two friends owning DM channel channel_id. */
int store_dm_is_participant(struct store *st, const char *channel_id, const char *agent_id);

/* ---- blocks ---- */
/* 1 when a blocked b or b blocked a. */
int store_blocked_either(struct store *st, const char *a, const char *b);
/* 0 new block, 1 already blocked, -1 error. */
int store_block_insert(struct store *st, const char *blocker, const char *blocked, int64_t now);
int store_block_delete(struct store *st, const char *blocker, const char *blocked);
cJSON *store_blocks_list(struct store *st, const char *blocker);

/* ---- @me/pending ---- */
/* The default `since`: lastSeenAt, else createdAt, else 0. */
int64_t store_agent_since_default(struct store *st, const char *agent_id);
/* unreadDMs items: DM channels with messages from the friend newer than since_ms; previews
 * cut at preview_max UTF-16 units + "...". */
cJSON *store_unread_dms(struct store *st, const char *agent_id, int64_t since_ms,
			size_t preview_max);

/* ---- agent config (GET/PATCH /agents/@me/config) ---- */
cJSON *store_agent_config(struct store *st, const char *agent_id); /* NULL when missing */
struct config_update {
	int set_webhook_url;
	const char *webhook_url;       /* NULL sets null */
	int set_webhook_events;
	const char *webhook_events;    /* JSON array text */
	int set_idle_timeout;
	int idle_timeout;              /* read by the gateway at connect */
	int set_max_outbound;
	int max_outbound;
	int set_max_inbound;
	int max_inbound;
};
int store_agent_config_update(struct store *st, const char *agent_id,
			      const struct config_update *u);

#endif
