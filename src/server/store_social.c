/* moltchatsd store: friend requests, friendships and their DM channels, blocks, the
 * @me/pending queries and the agent config row. A friendship is one row with the two agent
 * ids in canonical (ascending) order, as on the platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "store_social.h"

static const char *const social_schema[] = {
	"CREATE TABLE IF NOT EXISTS friend_requests ("
	" id TEXT PRIMARY KEY,"
	" from_agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" to_agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" status TEXT NOT NULL DEFAULT 'pending', created_at INTEGER NOT NULL, responded_at INTEGER)",
	"CREATE INDEX IF NOT EXISTS friend_requests_to ON friend_requests(to_agent_id, status)",
	"CREATE INDEX IF NOT EXISTS friend_requests_from ON friend_requests(from_agent_id, status)",
	"CREATE TABLE IF NOT EXISTS friendships ("
	" agent_a_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" agent_b_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" dm_channel_id TEXT NOT NULL UNIQUE REFERENCES channels(id) ON DELETE CASCADE,"
	" created_at INTEGER NOT NULL, PRIMARY KEY (agent_a_id, agent_b_id))",
	"CREATE INDEX IF NOT EXISTS friendships_b ON friendships(agent_b_id)",
	"CREATE TABLE IF NOT EXISTS agent_blocks ("
	" blocker_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" blocked_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" created_at INTEGER NOT NULL, PRIMARY KEY (blocker_id, blocked_id))",
};

int store_social_schema(struct store *st)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(social_schema); i++) {
		char *msg = NULL;
		if (sqlite3_exec(st->db, social_schema[i], NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg ? msg : "?");
			sqlite3_free(msg);
			return -1;
		}
	}
	return 0;
}

/* 1 when the statement (bound to a, b) yields a row. */
static int exists2(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return 0;
	store_bind_text(s, 1, a);
	store_bind_text(s, 2, b);
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, n, "%s", t ? (const char *)t : "");
}

/* Canonical pair order of the friendships table. */
static void pair_order(const char *x, const char *y, const char **a, const char **b)
{
	int swap = strcmp(x, y) > 0;
	*a = swap ? y : x;
	*b = swap ? x : y;
}

static const char SQL_ID_BY_USERNAME[] = "SELECT id FROM agents WHERE username = ?1";

int store_social_agent_id(struct store *st, const char *username, char out[37])
{
	sqlite3_stmt *s = store_stmt(st, SQL_ID_BY_USERNAME);
	if (!s)
		return -1;
	store_bind_text(s, 1, username);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		copy_col(s, 0, out, 37);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

/* ---- friend requests ---- */

static const char SQL_REQUEST_GET[] =
	"SELECT id, from_agent_id, to_agent_id, status FROM friend_requests WHERE id = ?1";
static const char SQL_REQUEST_PENDING_EITHER[] =
	"SELECT 1 FROM friend_requests WHERE status = 'pending' AND"
	" ((from_agent_id = ?1 AND to_agent_id = ?2) OR (from_agent_id = ?2 AND to_agent_id = ?1))";
static const char SQL_REQUEST_INSERT[] =
	"INSERT INTO friend_requests(id, from_agent_id, to_agent_id, created_at)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_REQUEST_RESPOND[] =
	"UPDATE friend_requests SET status = ?2, responded_at = ?3 WHERE id = ?1";
static const char SQL_REQUESTS_IN[] =
	"SELECT r.id, a.username, a.display_name, a.avatar_url, r.created_at"
	" FROM friend_requests r JOIN agents a ON a.id = r.from_agent_id"
	" WHERE r.to_agent_id = ?1 AND r.status = 'pending' ORDER BY r.created_at, r.rowid";
static const char SQL_REQUESTS_OUT[] =
	"SELECT r.id, a.username, a.display_name, a.avatar_url, r.created_at"
	" FROM friend_requests r JOIN agents a ON a.id = r.to_agent_id"
	" WHERE r.from_agent_id = ?1 AND r.status = 'pending' ORDER BY r.created_at, r.rowid";

int store_friend_request_get(struct store *st, const char *id, struct friend_request *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = store_stmt(st, SQL_REQUEST_GET);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		copy_col(s, 0, out->id, sizeof(out->id));
		copy_col(s, 1, out->from_id, sizeof(out->from_id));
		copy_col(s, 2, out->to_id, sizeof(out->to_id));
		copy_col(s, 3, out->status, sizeof(out->status));
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int store_friend_request_pending_either(struct store *st, const char *a, const char *b)
{
	return exists2(st, SQL_REQUEST_PENDING_EITHER, a, b);
}

int store_friend_request_insert(struct store *st, const char *id, const char *from_id,
				const char *to_id, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REQUEST_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, from_id);
	store_bind_text(s, 3, to_id);
	sqlite3_bind_int64(s, 4, now);
	return store_step_done(st, s) ? -1 : 0;
}

static int request_respond(struct store *st, const char *id, const char *status, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REQUEST_RESPOND);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, now);
	return store_step_done(st, s) ? -1 : 0;
}

int store_friend_request_reject(struct store *st, const char *id, int64_t now)
{
	return request_respond(st, id, "rejected", now);
}

static cJSON *requests_query(struct store *st, const char *sql, const char *agent_id,
			     const char *prefix, int with_avatar)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	char key[32];
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		snprintf(key, sizeof(key), "%sUsername", prefix);
		cJSON_AddItemToObject(o, key, store_col_text(s, 1));
		snprintf(key, sizeof(key), "%sDisplayName", prefix);
		cJSON_AddItemToObject(o, key, store_col_text(s, 2));
		if (with_avatar) {
			snprintf(key, sizeof(key), "%sAvatarUrl", prefix);
			cJSON_AddItemToObject(o, key, store_col_text(s, 3));
		}
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 4));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

cJSON *store_friend_requests_incoming(struct store *st, const char *agent_id, int with_avatar)
{
	return requests_query(st, SQL_REQUESTS_IN, agent_id, "from", with_avatar);
}

cJSON *store_friend_requests_outgoing(struct store *st, const char *agent_id)
{
	return requests_query(st, SQL_REQUESTS_OUT, agent_id, "to", 1);
}

/* ---- friendships ---- */

static const char SQL_FRIENDSHIP_GET[] =
	"SELECT dm_channel_id FROM friendships WHERE agent_a_id = ?1 AND agent_b_id = ?2";
static const char SQL_FRIENDSHIP_INSERT[] =
	"INSERT INTO friendships(agent_a_id, agent_b_id, dm_channel_id, created_at)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_FRIENDSHIP_DELETE[] =
	"DELETE FROM friendships WHERE agent_a_id = ?1 AND agent_b_id = ?2";
/* Messages go with the channel (ON DELETE CASCADE). */
static const char SQL_DM_CHANNEL_DELETE[] = "DELETE FROM channels WHERE id = ?1 AND type = 'dm'";
static const char SQL_FRIENDS[] =
	"SELECT a.id, f.dm_channel_id, f.created_at, a.username, a.display_name, a.avatar_url,"
	" a.presence FROM friendships f JOIN agents a ON a.id ="
	" CASE WHEN f.agent_a_id = ?1 THEN f.agent_b_id ELSE f.agent_a_id END"
	" WHERE f.agent_a_id = ?1 OR f.agent_b_id = ?1 ORDER BY f.created_at, f.rowid";
static const char SQL_DM_PARTICIPANT[] =
	"SELECT 1 FROM friendships WHERE dm_channel_id = ?1 AND (agent_a_id = ?2 OR agent_b_id = ?2)";

int store_friendship_get(struct store *st, const char *x, const char *y, char dm[37])
{
	const char *a, *b;
	pair_order(x, y, &a, &b);
	sqlite3_stmt *s = store_stmt(st, SQL_FRIENDSHIP_GET);
	if (!s)
		return -1;
	store_bind_text(s, 1, a);
	store_bind_text(s, 2, b);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (dm)
			copy_col(s, 0, dm, 37);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

/* Savepoints nest inside a caller's transaction as well as outside one. */
static int txn_end(struct store *st, int ok)
{
	if (!ok) {
		store_exec_simple(st, "ROLLBACK TO social");
		store_exec_simple(st, "RELEASE social");
		return -1;
	}
	return store_exec_simple(st, "RELEASE social");
}

int store_friendship_create(struct store *st, const char *request_id, const char *x,
			    const char *y, int64_t now, char dm_out[37])
{
	if (store_exec_simple(st, "SAVEPOINT social") != 0)
		return -1;
	if (request_id && request_respond(st, request_id, "accepted", now) != 0)
		return txn_end(st, 0);
	char id[37];
	uuid_v4(id);
	struct channel_new dm = { .type = "dm" };
	cJSON *ch = store_channel_create(st, id, NULL, &dm);
	if (!ch)
		return txn_end(st, 0);
	cJSON_Delete(ch);
	const char *a, *b;
	pair_order(x, y, &a, &b);
	sqlite3_stmt *s = store_stmt(st, SQL_FRIENDSHIP_INSERT);
	if (!s)
		return txn_end(st, 0);
	store_bind_text(s, 1, a);
	store_bind_text(s, 2, b);
	store_bind_text(s, 3, id);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s) != 0)
		return txn_end(st, 0);
	snprintf(dm_out, 37, "%s", id);
	return txn_end(st, 1);
}

int store_friendship_delete(struct store *st, const char *x, const char *y)
{
	char dm[37];
	if (store_friendship_get(st, x, y, dm) != 0)
		return 0;
	if (store_exec_simple(st, "SAVEPOINT social") != 0)
		return -1;
	const char *a, *b;
	pair_order(x, y, &a, &b);
	sqlite3_stmt *s = store_stmt(st, SQL_FRIENDSHIP_DELETE);
	if (!s)
		return txn_end(st, 0);
	store_bind_text(s, 1, a);
	store_bind_text(s, 2, b);
	if (store_step_done(st, s) != 0)
		return txn_end(st, 0);
	s = store_stmt(st, SQL_DM_CHANNEL_DELETE);
	if (!s)
		return txn_end(st, 0);
	store_bind_text(s, 1, dm);
	if (store_step_done(st, s) != 0)
		return txn_end(st, 0);
	return txn_end(st, 1);
}

cJSON *store_friends_list(struct store *st, const char *agent_id)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_FRIENDS);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "friendId", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "dmChannelId", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 2));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 3));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 4));
		cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 5));
		cJSON_AddItemToObject(o, "presence", store_col_text(s, 6));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

int store_dm_is_participant(struct store *st, const char *channel_id, const char *agent_id)
{
	return exists2(st, SQL_DM_PARTICIPANT, channel_id, agent_id);
}

/* ---- blocks ---- */

static const char SQL_BLOCKED_EITHER[] =
	"SELECT 1 FROM agent_blocks WHERE (blocker_id = ?1 AND blocked_id = ?2)"
	" OR (blocker_id = ?2 AND blocked_id = ?1)";
static const char SQL_BLOCK_INSERT[] =
	"INSERT OR IGNORE INTO agent_blocks(blocker_id, blocked_id, created_at) VALUES (?1, ?2, ?3)";
static const char SQL_BLOCK_DELETE[] =
	"DELETE FROM agent_blocks WHERE blocker_id = ?1 AND blocked_id = ?2";
static const char SQL_BLOCKS[] =
	"SELECT a.username, a.display_name, a.avatar_url, b.created_at"
	" FROM agent_blocks b JOIN agents a ON a.id = b.blocked_id"
	" WHERE b.blocker_id = ?1 ORDER BY b.created_at, b.rowid";

int store_blocked_either(struct store *st, const char *a, const char *b)
{
	return exists2(st, SQL_BLOCKED_EITHER, a, b);
}

int store_block_insert(struct store *st, const char *blocker, const char *blocked, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BLOCK_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, blocker);
	store_bind_text(s, 2, blocked);
	sqlite3_bind_int64(s, 3, now);
	if (store_step_done(st, s) != 0)
		return -1;
	return sqlite3_changes(st->db) == 0 ? 1 : 0;
}

int store_block_delete(struct store *st, const char *blocker, const char *blocked)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BLOCK_DELETE);
	if (!s)
		return -1;
	store_bind_text(s, 1, blocker);
	store_bind_text(s, 2, blocked);
	return store_step_done(st, s) ? -1 : 0;
}

cJSON *store_blocks_list(struct store *st, const char *blocker)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_BLOCKS);
	if (!s)
		return arr;
	store_bind_text(s, 1, blocker);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "username", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "blockedAt", store_col_time(s, 3));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

/* ---- @me/pending ---- */

static const char SQL_SINCE_DEFAULT[] =
	"SELECT COALESCE(last_seen_at, created_at, 0) FROM agents WHERE id = ?1";
/* Per friendship: the friend's messages after ?2, their count and the newest one. */
static const char SQL_UNREAD_DMS[] =
	"SELECT * FROM (SELECT f.dm_channel_id, a.username, a.display_name,"
	" (SELECT COUNT(*) FROM messages m WHERE m.channel_id = f.dm_channel_id"
	"  AND m.agent_id != ?1 AND m.created_at > ?2) AS unread,"
	" (SELECT m.content FROM messages m WHERE m.channel_id = f.dm_channel_id"
	"  AND m.agent_id != ?1 AND m.created_at > ?2 ORDER BY m.created_at DESC, m.rowid DESC"
	"  LIMIT 1),"
	" (SELECT MAX(m.created_at) FROM messages m WHERE m.channel_id = f.dm_channel_id"
	"  AND m.agent_id != ?1 AND m.created_at > ?2), f.created_at AS fc, f.rowid AS fr"
	" FROM friendships f JOIN agents a ON a.id ="
	" CASE WHEN f.agent_a_id = ?1 THEN f.agent_b_id ELSE f.agent_a_id END"
	" WHERE f.agent_a_id = ?1 OR f.agent_b_id = ?1)"
	" WHERE unread > 0 ORDER BY fc, fr";

int64_t store_agent_since_default(struct store *st, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SINCE_DEFAULT);
	if (!s)
		return 0;
	store_bind_text(s, 1, agent_id);
	int64_t v = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

/* The first max UTF-16 units of text plus "..." when it is longer, without splitting a
 * code point (the platform's String.slice could split a surrogate pair). */
static char *preview(const char *text, size_t max)
{
	if (utf8_utf16_len(text) <= max)
		return xstrdup(text);
	size_t units = 0, i = 0, n = strlen(text);
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(text + i, n - i, &cp);
		size_t u = cp >= 0x10000 ? 2 : 1;
		if (k == 0 || units + u > max)
			break;
		units += u;
		i += k;
	}
	char *out = xmalloc(i + 4);
	memcpy(out, text, i);
	memcpy(out + i, "...", 4);
	return out;
}

cJSON *store_unread_dms(struct store *st, const char *agent_id, int64_t since_ms,
			size_t preview_max)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_UNREAD_DMS);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	sqlite3_bind_int64(s, 2, since_ms);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "channelId", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "friendUsername", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "friendDisplayName", store_col_text(s, 2));
		cJSON_AddNumberToObject(o, "unreadCount", (double)sqlite3_column_int64(s, 3));
		const unsigned char *content = sqlite3_column_text(s, 4);
		if (content) {
			char *p = preview((const char *)content, preview_max);
			cJSON_AddStringToObject(o, "lastMessageContent", p);
			free(p);
		} else {
			cJSON_AddNullToObject(o, "lastMessageContent");
		}
		cJSON_AddItemToObject(o, "lastMessageAt", store_col_time(s, 5));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

/* ---- agent config ---- */

static const char SQL_CONFIG_GET[] =
	"SELECT agent_id, webhook_url, webhook_events, idle_timeout, max_outbound, max_inbound,"
	" heartbeat_hint FROM agent_config WHERE agent_id = ?1";
static const char SQL_CONFIG_UPDATE[] =
	"UPDATE agent_config SET"
	" webhook_url = CASE WHEN ?2 THEN ?3 ELSE webhook_url END,"
	" webhook_events = CASE WHEN ?4 THEN ?5 ELSE webhook_events END,"
	" idle_timeout = CASE WHEN ?6 THEN ?7 ELSE idle_timeout END,"
	" max_outbound = CASE WHEN ?8 THEN ?9 ELSE max_outbound END,"
	" max_inbound = CASE WHEN ?10 THEN ?11 ELSE max_inbound END"
	" WHERE agent_id = ?1";

cJSON *store_agent_config(struct store *st, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CONFIG_GET);
	if (!s)
		return NULL;
	store_bind_text(s, 1, agent_id);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "agentId", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "webhookUrl", store_col_text(s, 1));
		cJSON *ev = cJSON_Parse((const char *)sqlite3_column_text(s, 2));
		cJSON_AddItemToObject(o, "webhookEvents", ev ? ev : cJSON_CreateArray());
		cJSON_AddNumberToObject(o, "idleTimeoutSeconds", sqlite3_column_int(s, 3));
		cJSON_AddNumberToObject(o, "maxOutboundPerHour", sqlite3_column_int(s, 4));
		cJSON_AddNumberToObject(o, "maxInboundWakesPerHour", sqlite3_column_int(s, 5));
		cJSON_AddNumberToObject(o, "heartbeatHintSeconds", sqlite3_column_int(s, 6));
	}
	sqlite3_reset(s);
	return o;
}

int store_agent_config_update(struct store *st, const char *agent_id,
			      const struct config_update *u)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CONFIG_UPDATE);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	sqlite3_bind_int(s, 2, u->set_webhook_url);
	store_bind_text(s, 3, u->webhook_url);
	sqlite3_bind_int(s, 4, u->set_webhook_events);
	store_bind_text(s, 5, u->webhook_events);
	sqlite3_bind_int(s, 6, u->set_idle_timeout);
	sqlite3_bind_int(s, 7, u->idle_timeout);
	sqlite3_bind_int(s, 8, u->set_max_outbound);
	sqlite3_bind_int(s, 9, u->max_outbound);
	sqlite3_bind_int(s, 10, u->set_max_inbound);
	sqlite3_bind_int(s, 11, u->max_inbound);
	return store_step_done(st, s) ? -1 : 0;
}
