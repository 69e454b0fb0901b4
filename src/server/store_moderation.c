/* moltchatsd store: bans, reports, reactions with karma, the feed and search (protocol §3.8,
 * §3.9, §3.10). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "store.h"
#include "store_moderation.h"

static const char *const moderation_schema[] = {
	"CREATE TABLE IF NOT EXISTS server_bans ("
	" server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
	" agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" banned_by TEXT, reason TEXT, auto_ban INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, PRIMARY KEY (server_id, agent_id))",
	"CREATE TABLE IF NOT EXISTS channel_reports ("
	" channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
	" reporter_agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" target_agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" reason TEXT, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (channel_id, reporter_agent_id, target_agent_id))",
	"CREATE INDEX IF NOT EXISTS channel_reports_target ON channel_reports(target_agent_id)",
	"CREATE TABLE IF NOT EXISTS message_reactions ("
	" message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	" agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" emoji TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (message_id, agent_id, emoji))",
};

int store_moderation_schema(struct store *st)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(moderation_schema); i++)
		if (store_exec_simple(st, moderation_schema[i]) != 0)
			return -1;
	return 0;
}

/* An integer from a one-column query with up to two text parameters (0 when no row). */
static int query_int(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return 0;
	store_bind_text(s, 1, a);
	if (b)
		store_bind_text(s, 2, b);
	int v = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return v;
}

/* ---- agents ---- */

static const char SQL_AGENT_BY_USERNAME[] = "SELECT id FROM agents WHERE username = ?1";

int store_mod_agent_id(struct store *st, const char *username, char out[37])
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_BY_USERNAME);
	if (!s)
		return -1;
	store_bind_text(s, 1, username);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out, 37, "%s", (const char *)sqlite3_column_text(s, 0));
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

/* ---- bans ---- */

static const char SQL_BAN_EXISTS[] =
	"SELECT 1 FROM server_bans WHERE server_id = ?1 AND agent_id = ?2";
static const char SQL_BAN_ADD[] =
	"INSERT OR IGNORE INTO server_bans(server_id, agent_id, banned_by, reason, auto_ban,"
	" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_BAN_REMOVE[] =
	"DELETE FROM server_bans WHERE server_id = ?1 AND agent_id = ?2";
static const char SQL_BANS_LIST[] =
	"SELECT b.agent_id, a.username, a.display_name, b.reason, b.auto_ban, b.created_at"
	" FROM server_bans b JOIN agents a ON a.id = b.agent_id WHERE b.server_id = ?1"
	" ORDER BY b.rowid";

int store_ban_exists(struct store *st, const char *server_id, const char *agent_id)
{
	return query_int(st, SQL_BAN_EXISTS, server_id, agent_id);
}

int store_ban_add(struct store *st, const char *server_id, const char *agent_id,
		  const char *banned_by, const char *reason, int auto_ban, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BAN_ADD);
	if (!s)
		return -1;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, agent_id);
	store_bind_text(s, 3, banned_by);
	store_bind_text(s, 4, reason);
	sqlite3_bind_int(s, 5, auto_ban ? 1 : 0);
	sqlite3_bind_int64(s, 6, now);
	return store_step_done(st, s) ? -1 : 0;
}

int store_ban_remove(struct store *st, const char *server_id, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_BAN_REMOVE);
	if (!s)
		return -1;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, agent_id);
	return store_step_done(st, s) ? -1 : 0;
}

cJSON *store_bans_list(struct store *st, const char *server_id)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_BANS_LIST);
	if (!s)
		return arr;
	store_bind_text(s, 1, server_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "agentId", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "reason", store_col_text(s, 3));
		cJSON_AddBoolToObject(o, "autoBan", sqlite3_column_int(s, 4));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 5));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

/* ---- reports ---- */

static const char SQL_REPORT_ADD[] =
	"INSERT INTO channel_reports(channel_id, reporter_agent_id, target_agent_id, reason,"
	" created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_REPORT_COUNT[] =
	"SELECT COUNT(*) FROM channel_reports r JOIN channels c ON c.id = r.channel_id"
	" WHERE c.server_id = ?1 AND r.target_agent_id = ?2";
static const char SQL_REPORT_THRESHOLD[] = "SELECT report_threshold FROM servers WHERE id = ?1";

int store_report_add(struct store *st, const char *channel_id, const char *reporter,
		     const char *target, const char *reason, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REPORT_ADD);
	if (!s)
		return -1;
	store_bind_text(s, 1, channel_id);
	store_bind_text(s, 2, reporter);
	store_bind_text(s, 3, target);
	store_bind_text(s, 4, reason);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s);
}

int store_report_count(struct store *st, const char *server_id, const char *target)
{
	return query_int(st, SQL_REPORT_COUNT, server_id, target);
}

int store_server_report_threshold(struct store *st, const char *server_id)
{
	return query_int(st, SQL_REPORT_THRESHOLD, server_id, NULL);
}

/* ---- reactions and karma ---- */

static const char SQL_MESSAGE_GET[] =
	"SELECT id, channel_id, agent_id FROM messages WHERE id = ?1";
static const char SQL_REACTION_ADD[] =
	"INSERT OR IGNORE INTO message_reactions(message_id, agent_id, emoji, created_at)"
	" VALUES (?1, ?2, ?3, ?4)";
static const char SQL_REACTION_REMOVE[] =
	"DELETE FROM message_reactions WHERE message_id = ?1 AND agent_id = ?2 AND emoji = ?3";
static const char SQL_KARMA_ADD[] =
	"UPDATE agents SET karma = COALESCE(karma, 0) + ?2 WHERE id = ?1";

int store_message_get(struct store *st, const char *id, struct message_info *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = store_stmt(st, SQL_MESSAGE_GET);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(out->channel_id, sizeof(out->channel_id), "%s",
			 (const char *)sqlite3_column_text(s, 1));
		snprintf(out->agent_id, sizeof(out->agent_id), "%s",
			 (const char *)sqlite3_column_text(s, 2));
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

int store_reaction_add(struct store *st, const char *message_id, const char *agent_id,
		       const char *emoji, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REACTION_ADD);
	if (!s)
		return -1;
	store_bind_text(s, 1, message_id);
	store_bind_text(s, 2, agent_id);
	store_bind_text(s, 3, emoji);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s))
		return -1;
	return sqlite3_changes(st->db) > 0 ? 0 : 1;
}

int store_reaction_remove(struct store *st, const char *message_id, const char *agent_id,
			  const char *emoji)
{
	sqlite3_stmt *s = store_stmt(st, SQL_REACTION_REMOVE);
	if (!s)
		return -1;
	store_bind_text(s, 1, message_id);
	store_bind_text(s, 2, agent_id);
	store_bind_text(s, 3, emoji);
	if (store_step_done(st, s))
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_karma_add(struct store *st, const char *agent_id, int delta)
{
	sqlite3_stmt *s = store_stmt(st, SQL_KARMA_ADD);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	sqlite3_bind_int(s, 2, delta);
	return store_step_done(st, s) ? -1 : 0;
}

/* ---- feed and search ---- */

/* The inner join on servers drops DM channels (their server_id is NULL). */
static const char SQL_FEED[] =
	"SELECT m.id, m.channel_id, m.content, m.content_type, m.created_at, c.name, s.name, s.id,"
	" a.id, a.username, a.display_name, a.avatar_url FROM messages m"
	" JOIN channels c ON c.id = m.channel_id JOIN servers s ON s.id = c.server_id"
	" JOIN agents a ON a.id = m.agent_id"
	" WHERE c.server_id IN (SELECT server_id FROM server_members WHERE agent_id = ?1)"
	" ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?2";

cJSON *store_feed(struct store *st, const char *agent_id, int limit)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_FEED);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	sqlite3_bind_int(s, 2, limit);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "channelId", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "content", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "contentType", store_col_text(s, 3));
		cJSON_AddNullToObject(o, "metadata");
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 4));
		cJSON_AddNullToObject(o, "editedAt");
		cJSON_AddItemToObject(o, "channelName", store_col_text(s, 5));
		cJSON_AddItemToObject(o, "serverName", store_col_text(s, 6));
		cJSON_AddItemToObject(o, "serverId", store_col_text(s, 7));
		cJSON *a = cJSON_CreateObject();
		cJSON_AddItemToObject(a, "id", store_col_text(s, 8));
		cJSON_AddItemToObject(a, "username", store_col_text(s, 9));
		cJSON_AddItemToObject(a, "displayName", store_col_text(s, 10));
		cJSON_AddItemToObject(a, "avatarUrl", store_col_text(s, 11));
		cJSON_AddItemToObject(o, "agent", a);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

/* ILIKE '%q%': `%` and `_` in q stay wildcards and `\` escapes, as in PostgreSQL. Agents of
 * any status match (the platform does not filter unverified ones). */
static const char SQL_SEARCH_AGENTS[] =
	"SELECT id, username, display_name, avatar_url, bio, agent_type FROM agents"
	" WHERE username LIKE '%' || ?1 || '%' ESCAPE '\\'"
	" OR display_name LIKE '%' || ?1 || '%' ESCAPE '\\' ORDER BY rowid LIMIT 20";
static const char SQL_SEARCH_SERVERS[] =
	"SELECT id, name, description, icon_url, is_public, created_at FROM servers"
	" WHERE is_public = 1 AND (name LIKE '%' || ?1 || '%' ESCAPE '\\'"
	" OR description LIKE '%' || ?1 || '%' ESCAPE '\\') ORDER BY rowid LIMIT 20";

cJSON *store_search_agents(struct store *st, const char *q)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_SEARCH_AGENTS);
	if (!s)
		return arr;
	store_bind_text(s, 1, q);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 3));
		cJSON_AddItemToObject(o, "bio", store_col_text(s, 4));
		cJSON_AddItemToObject(o, "agentType", store_col_text(s, 5));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

cJSON *store_search_servers(struct store *st, const char *q)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_SEARCH_SERVERS);
	if (!s)
		return arr;
	store_bind_text(s, 1, q);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "name", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "description", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "iconUrl", store_col_text(s, 3));
		cJSON_AddBoolToObject(o, "isPublic", sqlite3_column_int(s, 4));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 5));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}
