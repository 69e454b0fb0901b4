/* moltchatsd store: servers, memberships, channels and messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "store.h"
#include "store_moderation.h"

/* ---- servers ---- */

static const char SQL_SERVER_INSERT[] =
	"INSERT INTO servers(id, name, description, icon_url, owner_agent_id, is_public,"
	" instructions, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_TAG_INSERT[] = "INSERT INTO server_tags(server_id, tag) VALUES (?1, ?2)";
static const char SQL_SERVER_ROW[] =
	"SELECT id, name, description, icon_url, owner_agent_id, is_public, max_members,"
	" instructions, report_threshold, created_at FROM servers WHERE id = ?1";
static const char SQL_SERVER_PUBLIC[] = "SELECT is_public FROM servers WHERE id = ?1";
static const char SQL_SERVER_TAGS[] =
	"SELECT tag FROM server_tags WHERE server_id = ?1 ORDER BY rowid";
static const char SQL_MEMBER_COUNT[] =
	"SELECT COUNT(*) FROM server_members WHERE server_id = ?1";

int store_server_add_tag(struct store *st, const char *server_id, const char *tag)
{
	sqlite3_stmt *s = store_stmt(st, SQL_TAG_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, tag);
	return store_step_done(st, s);
}

cJSON *store_server_create(struct store *st, const char *id, const char *owner,
			   const struct server_new *n, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SERVER_INSERT);
	if (!s)
		return NULL;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, n->name);
	store_bind_text(s, 3, n->description);
	store_bind_text(s, 4, n->icon_url);
	store_bind_text(s, 5, owner);
	sqlite3_bind_int(s, 6, n->is_public);
	store_bind_text(s, 7, n->instructions);
	sqlite3_bind_int64(s, 8, now);
	if (store_step_done(st, s))
		return NULL;
	if (store_member_add(st, id, owner, "owner", now))
		return NULL;
	char chan_id[37];
	uuid_v4(chan_id);
	struct channel_new general = { .name = "general", .type = "text" };
	cJSON *ch = store_channel_create(st, chan_id, id, &general);
	cJSON_Delete(ch);
	/* Tags go in after the server exists: a duplicate fails after creation, as on the
	 * platform (the caller reports it). */
	cJSON *row = store_server_row(st, id);
	/* The platform inserts all tags in one statement, so a duplicate leaves none behind. */
	for (int i = 0; i < n->ntags; i++) {
		for (int j = 0; j < i; j++) {
			if (strcmp(n->tags[i], n->tags[j]) == 0) {
				snprintf(st->errmsg, sizeof(st->errmsg),
					 "duplicate key value violates unique constraint \"server_tags_pkey\"");
				cJSON_Delete(row);
				return NULL;
			}
		}
	}
	for (int i = 0; i < n->ntags; i++) {
		if (store_server_add_tag(st, id, n->tags[i]) != 0) {
			snprintf(st->errmsg, sizeof(st->errmsg),
				 "duplicate key value violates unique constraint \"server_tags_pkey\"");
			cJSON_Delete(row);
			return NULL;
		}
	}
	return row;
}

static cJSON *server_from_row(sqlite3_stmt *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
	cJSON_AddItemToObject(o, "name", store_col_text(s, 1));
	cJSON_AddItemToObject(o, "description", store_col_text(s, 2));
	cJSON_AddItemToObject(o, "iconUrl", store_col_text(s, 3));
	cJSON_AddItemToObject(o, "ownerAgentId", store_col_text(s, 4));
	cJSON_AddBoolToObject(o, "isPublic", sqlite3_column_int(s, 5));
	cJSON_AddNumberToObject(o, "maxMembers", sqlite3_column_int(s, 6));
	cJSON_AddItemToObject(o, "instructions", store_col_text(s, 7));
	cJSON_AddNumberToObject(o, "reportThreshold", sqlite3_column_int(s, 8));
	cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 9));
	return o;
}

cJSON *store_server_row(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SERVER_ROW);
	if (!s)
		return NULL;
	store_bind_text(s, 1, id);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = server_from_row(s);
	sqlite3_reset(s);
	return o;
}

int store_server_is_public(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SERVER_PUBLIC);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	int v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0) ? 1 : 0;
	sqlite3_reset(s);
	return v;
}

cJSON *store_server_tags(struct store *st, const char *server_id)
{
	cJSON *a = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_SERVER_TAGS);
	if (!s)
		return a;
	store_bind_text(s, 1, server_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		cJSON_AddItemToArray(a, store_col_text(s, 0));
	sqlite3_reset(s);
	return a;
}

static int member_count(struct store *st, const char *server_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBER_COUNT);
	if (!s)
		return 0;
	store_bind_text(s, 1, server_id);
	int n = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

#define LIST_COLS \
	"SELECT s.id, s.name, s.description, s.icon_url, s.owner_agent_id, s.is_public," \
	" s.created_at, (SELECT COUNT(*) FROM server_members m WHERE m.server_id = s.id) AS mc" \
	" FROM servers s WHERE s.is_public = 1 AND (?1 IS NULL" \
	" OR s.name LIKE '%' || ?1 || '%' ESCAPE '\\'" \
	" OR s.description LIKE '%' || ?1 || '%' ESCAPE '\\')"
static const char SQL_LIST_POPULAR[] = LIST_COLS " ORDER BY mc DESC LIMIT ?2 OFFSET ?3";
static const char SQL_LIST_NEW[] = LIST_COLS " ORDER BY s.created_at DESC LIMIT ?2 OFFSET ?3";
static const char SQL_LIST_HOT[] = LIST_COLS
	" ORDER BY CAST(mc AS REAL) / MAX((?4 - s.created_at) / 3600000.0, 1.0) DESC"
	" LIMIT ?2 OFFSET ?3";

static int tags_contain(const cJSON *tags, const char *tag)
{
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
		if (cJSON_IsString(t) && strcmp(t->valuestring, tag) == 0)
			return 1;
	return 0;
}

cJSON *store_servers_list(struct store *st, int sort, const char *search, int limit,
			  int offset, const char *tag, int64_t now)
{
	const char *sql = sort == 1 ? SQL_LIST_NEW : sort == 2 ? SQL_LIST_HOT : SQL_LIST_POPULAR;
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return arr;
	store_bind_text(s, 1, search);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int(s, 3, offset);
	if (sort == 2)
		sqlite3_bind_int64(s, 4, now);
	/* Collect rows first: the tag query reuses the statement cache. */
	cJSON *rows = cJSON_CreateArray();
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "name", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "description", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "iconUrl", store_col_text(s, 3));
		cJSON_AddItemToObject(o, "ownerAgentId", store_col_text(s, 4));
		cJSON_AddBoolToObject(o, "isPublic", sqlite3_column_int(s, 5));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 6));
		/* bigint COUNT serialises as a string on the platform */
		char mc[24];
		snprintf(mc, sizeof(mc), "%d", sqlite3_column_int(s, 7));
		cJSON_AddStringToObject(o, "memberCount", mc);
		cJSON_AddItemToArray(rows, o);
	}
	sqlite3_reset(s);
	while (cJSON_GetArraySize(rows) > 0) {
		cJSON *o = cJSON_DetachItemFromArray(rows, 0);
		cJSON *tags = store_server_tags(st, cJSON_GetObjectItem(o, "id")->valuestring);
		int keep = !tag || tags_contain(tags, tag);
		cJSON_AddItemToObject(o, "tags", tags);
		if (keep)
			cJSON_AddItemToArray(arr, o);
		else
			cJSON_Delete(o);
	}
	cJSON_Delete(rows);
	return arr;
}

static const char SQL_CHANNELS_OF[] =
	"SELECT id, server_id, category, name, type, topic, instructions, position FROM channels"
	" WHERE server_id = ?1 ORDER BY position, seq";

static cJSON *channel_from_row(sqlite3_stmt *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
	cJSON_AddItemToObject(o, "serverId", store_col_text(s, 1));
	cJSON_AddItemToObject(o, "category", store_col_text(s, 2));
	cJSON_AddItemToObject(o, "name", store_col_text(s, 3));
	cJSON_AddItemToObject(o, "type", store_col_text(s, 4));
	cJSON_AddItemToObject(o, "topic", store_col_text(s, 5));
	cJSON_AddItemToObject(o, "instructions", store_col_text(s, 6));
	cJSON_AddNumberToObject(o, "position", sqlite3_column_int(s, 7));
	return o;
}

static cJSON *channels_list(struct store *st, const char *server_id)
{
	cJSON *a = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNELS_OF);
	if (!s)
		return a;
	store_bind_text(s, 1, server_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		cJSON_AddItemToArray(a, channel_from_row(s));
	sqlite3_reset(s);
	return a;
}

cJSON *store_server_detail(struct store *st, const char *id)
{
	cJSON *o = store_server_row(st, id);
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "memberCount", member_count(st, id));
	cJSON_AddItemToObject(o, "channels", channels_list(st, id));
	cJSON_AddItemToObject(o, "tags", store_server_tags(st, id));
	return o;
}

static const char SQL_AGENT_SERVERS[] =
	"SELECT s.id, s.name, s.description, s.icon_url, s.is_public, s.created_at, m.role,"
	" m.joined_at, (SELECT COUNT(*) FROM server_members c WHERE c.server_id = s.id)"
	" FROM server_members m JOIN servers s ON s.id = m.server_id WHERE m.agent_id = ?1"
	" ORDER BY m.joined_at, m.rowid";

cJSON *store_agent_servers(struct store *st, const char *agent_id)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_SERVERS);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "name", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "description", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "iconUrl", store_col_text(s, 3));
		cJSON_AddBoolToObject(o, "isPublic", sqlite3_column_int(s, 4));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 5));
		cJSON_AddItemToObject(o, "role", store_col_text(s, 6));
		cJSON_AddItemToObject(o, "joinedAt", store_col_time(s, 7));
		char mc[24];
		snprintf(mc, sizeof(mc), "%d", sqlite3_column_int(s, 8));
		cJSON_AddStringToObject(o, "memberCount", mc);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	cJSON *o;
	cJSON_ArrayForEach(o, arr)
		cJSON_AddItemToObject(o, "tags",
				      store_server_tags(st, cJSON_GetObjectItem(o, "id")->valuestring));
	return arr;
}

static const char SQL_OBSERVER_SERVERS[] =
	"SELECT s.id, s.name, s.description, s.icon_url, s.is_public, s.max_members, s.created_at,"
	" (SELECT COUNT(*) FROM server_members m WHERE m.server_id = s.id)"
	" FROM servers s WHERE s.is_public = 1 ORDER BY s.rowid";

cJSON *store_observer_servers(struct store *st)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_OBSERVER_SERVERS);
	if (!s)
		return arr;
	cJSON *counts = cJSON_CreateArray();
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "name", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "description", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "iconUrl", store_col_text(s, 3));
		cJSON_AddBoolToObject(o, "isPublic", sqlite3_column_int(s, 4));
		cJSON_AddNumberToObject(o, "maxMembers", sqlite3_column_int(s, 5));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 6));
		cJSON_AddItemToArray(counts, cJSON_CreateNumber(sqlite3_column_int(s, 7)));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	int i = 0;
	cJSON *o;
	cJSON_ArrayForEach(o, arr) {
		cJSON_AddItemToObject(o, "tags",
				      store_server_tags(st, cJSON_GetObjectItem(o, "id")->valuestring));
		cJSON_AddNumberToObject(o, "memberCount",
					cJSON_GetArrayItem(counts, i++)->valuedouble);
	}
	cJSON_Delete(counts);
	return arr;
}

static const char SQL_MEMBERS[] =
	"SELECT m.agent_id, m.role, m.joined_at, a.username, a.display_name, a.avatar_url,"
	" a.presence FROM server_members m JOIN agents a ON a.id = m.agent_id"
	" WHERE m.server_id = ?1 ORDER BY m.joined_at, m.rowid";

cJSON *store_server_members(struct store *st, const char *server_id)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBERS);
	if (!s)
		return arr;
	store_bind_text(s, 1, server_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "agentId", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "role", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "joinedAt", store_col_time(s, 2));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 3));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 4));
		cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 5));
		cJSON_AddItemToObject(o, "presence", store_col_text(s, 6));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

static const char SQL_MEMBER_ROLE[] =
	"SELECT role FROM server_members WHERE server_id = ?1 AND agent_id = ?2";
static const char SQL_MEMBER_ADD[] =
	"INSERT INTO server_members(server_id, agent_id, role, joined_at) VALUES (?1, ?2, ?3, ?4)";

char *store_member_role(struct store *st, const char *server_id, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBER_ROLE);
	if (!s)
		return NULL;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, agent_id);
	char *role = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		role = store_col_dup(s, 0);
	sqlite3_reset(s);
	return role;
}

int store_member_add(struct store *st, const char *server_id, const char *agent_id,
		     const char *role, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBER_ADD);
	if (!s)
		return -1;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, agent_id);
	store_bind_text(s, 3, role);
	sqlite3_bind_int64(s, 4, now);
	return store_step_done(st, s);
}

/* ---- channels ---- */

void channel_info_free(struct channel_info *c)
{
	free(c->type);
	free(c->name);
	free(c->channel_instructions);
	free(c->server_instructions);
	memset(c, 0, sizeof(*c));
}

static const char SQL_CHANNEL_INFO[] =
	"SELECT c.id, c.server_id, c.type, c.name, c.instructions, s.instructions, s.is_public"
	" FROM channels c LEFT JOIN servers s ON s.id = c.server_id WHERE c.id = ?1";

int store_channel_get(struct store *st, const char *id, struct channel_info *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNEL_INFO);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(s, 0));
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			snprintf(out->server_id, sizeof(out->server_id), "%s",
				 (const char *)sqlite3_column_text(s, 1));
		out->type = store_col_dup(s, 2);
		out->name = store_col_dup(s, 3);
		out->channel_instructions = store_col_dup(s, 4);
		out->server_instructions = store_col_dup(s, 5);
		out->server_public = sqlite3_column_int(s, 6);
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

static const char SQL_CHANNEL_ACCESS[] =
	"SELECT c.server_id, EXISTS(SELECT 1 FROM server_members m"
	" WHERE m.server_id = c.server_id AND m.agent_id = ?2),"
	" a.id, a.username, a.display_name, a.avatar_url"
	" FROM channels c LEFT JOIN agents a ON a.id = ?2 WHERE c.id = ?1";

int store_channel_access(struct store *st, const char *channel_id, const char *agent_id,
			 cJSON **agent_ref)
{
	if (agent_ref)
		*agent_ref = NULL;
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNEL_ACCESS);
	if (!s)
		return -1;
	store_bind_text(s, 1, channel_id);
	store_bind_text(s, 2, agent_id);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *server_id = sqlite3_column_text(s, 0);
		if (!server_id || !*server_id)
			rc = 2;
		else
			rc = sqlite3_column_int(s, 1) ? 0 : 1;
		if (agent_ref && sqlite3_column_type(s, 2) != SQLITE_NULL) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "id", store_col_text(s, 2));
			cJSON_AddItemToObject(o, "username", store_col_text(s, 3));
			cJSON_AddItemToObject(o, "displayName", store_col_text(s, 4));
			cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 5));
			*agent_ref = o;
		}
	}
	sqlite3_reset(s);
	return rc;
}

static const char SQL_CHANNEL_COUNT[] = "SELECT COUNT(*) FROM channels WHERE server_id = ?1";

int store_channel_count(struct store *st, const char *server_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNEL_COUNT);
	if (!s)
		return 0;
	store_bind_text(s, 1, server_id);
	int n = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

static const char SQL_CHANNEL_INSERT[] =
	"INSERT INTO channels(id, server_id, category, name, type, topic, instructions, position,"
	" seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	" (SELECT COALESCE(MAX(seq), 0) + 1 FROM channels))";
static const char SQL_CHANNEL_ROW[] =
	"SELECT id, server_id, category, name, type, topic, instructions, position FROM channels"
	" WHERE id = ?1";

cJSON *store_channel_create(struct store *st, const char *id, const char *server_id,
			    const struct channel_new *n)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNEL_INSERT);
	if (!s)
		return NULL;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, server_id);
	store_bind_text(s, 3, n->category);
	store_bind_text(s, 4, n->name);
	store_bind_text(s, 5, n->type ? n->type : "text");
	store_bind_text(s, 6, n->topic);
	store_bind_text(s, 7, n->instructions);
	sqlite3_bind_int(s, 8, n->position);
	if (store_step_done(st, s))
		return NULL;
	s = store_stmt(st, SQL_CHANNEL_ROW);
	if (!s)
		return NULL;
	store_bind_text(s, 1, id);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = channel_from_row(s);
	sqlite3_reset(s);
	return o;
}

cJSON *store_channels_grouped(struct store *st, const char *server_id)
{
	cJSON *list = channels_list(st, server_id);
	cJSON *groups = cJSON_CreateObject();
	while (cJSON_GetArraySize(list) > 0) {
		cJSON *c = cJSON_DetachItemFromArray(list, 0);
		cJSON *cat = cJSON_GetObjectItem(c, "category");
		const char *key = cJSON_IsString(cat) ? cat->valuestring : "uncategorized";
		cJSON *g = cJSON_GetObjectItemCaseSensitive(groups, key);
		if (!g) {
			g = cJSON_CreateArray();
			cJSON_AddItemToObject(groups, key, g);
		}
		cJSON_AddItemToArray(g, c);
	}
	cJSON_Delete(list);
	return groups;
}

cJSON *store_server_channel_ids(struct store *st, const char *server_id)
{
	cJSON *list = channels_list(st, server_id);
	cJSON *ids = cJSON_CreateArray();
	cJSON *c;
	cJSON_ArrayForEach(c, list)
		cJSON_AddItemToArray(ids, cJSON_CreateString(cJSON_GetObjectItem(c, "id")->valuestring));
	cJSON_Delete(list);
	return ids;
}

/* ---- messages ---- */

static const char SQL_MESSAGE_INSERT[] =
	"INSERT INTO messages(id, channel_id, agent_id, content, content_type, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_HISTORY[] =
	"SELECT m.id, m.channel_id, m.content, m.content_type, m.created_at, a.id, a.username,"
	" a.display_name, a.avatar_url FROM messages m JOIN agents a ON a.id = m.agent_id"
	" WHERE m.channel_id = ?1 AND m.created_at < ?2"
	" ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?3";

/* The message row's parameters, bound to the insert statement. */
static void bind_message(sqlite3_stmt *s, const char *id, const char *channel_id,
	const char *agent_id, const char *content, const char *content_type, int64_t created)
{
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, channel_id);
	store_bind_text(s, 3, agent_id);
	store_bind_text(s, 4, content);
	store_bind_text(s, 5, content_type);
	sqlite3_bind_int64(s, 6, created);
}

int store_message_insert(struct store *st, const char *id, const char *channel_id,
			 const char *agent_id, const char *content, const char *content_type,
			 int64_t created)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MESSAGE_INSERT);
	if (!s)
		return -1;
	bind_message(s, id, channel_id, agent_id, content, content_type, created);
	return store_step_done(st, s) ? -1 : 0;
}

int store_message_insert_batched(struct store *st, const char *id, const char *channel_id,
				 const char *agent_id, const char *content,
				 const char *content_type, int64_t created, store_commit_fn done,
				 void *ud)
{
	if (store_batch_join(st) != 0)
		return -1;
	sqlite3_stmt *s = store_stmt_raw(st, SQL_MESSAGE_INSERT);
	if (!s)
		return -1;
	bind_message(s, id, channel_id, agent_id, content, content_type, created);
	if (store_step_done(st, s) != 0) {
		/* a failed statement undoes itself; should SQLite have rolled back the
		 * whole transaction, store_batch_join/store_flush notice and fail it */
		return -1;
	}
	store_batch_add(st, done, ud);
	return 0;
}

cJSON *store_messages_history(struct store *st, const char *channel_id, int64_t before_ms,
			      int limit)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_HISTORY);
	if (!s)
		return arr;
	store_bind_text(s, 1, channel_id);
	sqlite3_bind_int64(s, 2, before_ms);
	sqlite3_bind_int(s, 3, limit);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "channelId", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "content", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "contentType", store_col_text(s, 3));
		cJSON_AddNullToObject(o, "metadata");
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 4));
		cJSON_AddNullToObject(o, "editedAt");
		cJSON *a = cJSON_CreateObject();
		cJSON_AddItemToObject(a, "id", store_col_text(s, 5));
		cJSON_AddItemToObject(a, "username", store_col_text(s, 6));
		cJSON_AddItemToObject(a, "displayName", store_col_text(s, 7));
		cJSON_AddItemToObject(a, "avatarUrl", store_col_text(s, 8));
		cJSON_AddItemToObject(o, "agent", a);
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

/* ---- updates and deletes (issue 3, declared in store_moderation.h) ---- */

static const char SQL_SERVER_OWNER[] = "SELECT owner_agent_id FROM servers WHERE id = ?1";

char *store_server_owner(struct store *st, const char *server_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SERVER_OWNER);
	if (!s)
		return NULL;
	store_bind_text(s, 1, server_id);
	char *owner = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		owner = store_col_dup(s, 0);
	sqlite3_reset(s);
	return owner;
}

/* One constant statement per settable column: SQL is never assembled from strings. */
static const struct {
	const char *column;
	const char *sql;
} server_text_updates[] = {
	{ "name", "UPDATE servers SET name = ?2 WHERE id = ?1" },
	{ "description", "UPDATE servers SET description = ?2 WHERE id = ?1" },
	{ "icon_url", "UPDATE servers SET icon_url = ?2 WHERE id = ?1" },
	{ "instructions", "UPDATE servers SET instructions = ?2 WHERE id = ?1" },
}, channel_text_updates[] = {
	{ "name", "UPDATE channels SET name = ?2 WHERE id = ?1" },
	{ "category", "UPDATE channels SET category = ?2 WHERE id = ?1" },
	{ "type", "UPDATE channels SET type = ?2 WHERE id = ?1" },
	{ "topic", "UPDATE channels SET topic = ?2 WHERE id = ?1" },
	{ "instructions", "UPDATE channels SET instructions = ?2 WHERE id = ?1" },
};
static const char SQL_SERVER_SET_PUBLIC[] = "UPDATE servers SET is_public = ?2 WHERE id = ?1";
static const char SQL_SERVER_SET_THRESHOLD[] =
	"UPDATE servers SET report_threshold = ?2 WHERE id = ?1";
static const char SQL_SERVER_DELETE[] = "DELETE FROM servers WHERE id = ?1";
static const char SQL_MEMBER_REMOVE[] =
	"DELETE FROM server_members WHERE server_id = ?1 AND agent_id = ?2";
static const char SQL_CHANNEL_SET_POSITION[] = "UPDATE channels SET position = ?2 WHERE id = ?1";
static const char SQL_CHANNEL_DELETE[] = "DELETE FROM channels WHERE id = ?1";

static int set_text_column(struct store *st, const char *sql, const char *id, const char *value)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, value);
	return store_step_done(st, s) ? -1 : 0;
}

static int set_int_column(struct store *st, const char *sql, const char *id, int64_t value)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, value);
	return store_step_done(st, s) ? -1 : 0;
}

int store_server_set_text(struct store *st, const char *server_id, const char *column,
			  const char *value)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(server_text_updates); i++)
		if (strcmp(server_text_updates[i].column, column) == 0)
			return set_text_column(st, server_text_updates[i].sql, server_id, value);
	return -1;
}

int store_server_set_public(struct store *st, const char *server_id, int is_public)
{
	return set_int_column(st, SQL_SERVER_SET_PUBLIC, server_id, is_public ? 1 : 0);
}

int store_server_set_threshold(struct store *st, const char *server_id, int64_t threshold)
{
	return set_int_column(st, SQL_SERVER_SET_THRESHOLD, server_id, threshold);
}

static int delete_by_id(struct store *st, const char *sql, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	return store_step_done(st, s) ? -1 : 0;
}

int store_server_delete(struct store *st, const char *server_id)
{
	return delete_by_id(st, SQL_SERVER_DELETE, server_id);
}

int store_member_remove(struct store *st, const char *server_id, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBER_REMOVE);
	if (!s)
		return -1;
	store_bind_text(s, 1, server_id);
	store_bind_text(s, 2, agent_id);
	if (store_step_done(st, s))
		return -1;
	return sqlite3_changes(st->db) > 0 ? 0 : 1;
}

cJSON *store_channel_row(struct store *st, const char *channel_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHANNEL_ROW);
	if (!s)
		return NULL;
	store_bind_text(s, 1, channel_id);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = channel_from_row(s);
	sqlite3_reset(s);
	return o;
}

int store_channel_set_text(struct store *st, const char *channel_id, const char *column,
			   const char *value)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(channel_text_updates); i++)
		if (strcmp(channel_text_updates[i].column, column) == 0)
			return set_text_column(st, channel_text_updates[i].sql, channel_id, value);
	return -1;
}

int store_channel_set_position(struct store *st, const char *channel_id, int64_t position)
{
	return set_int_column(st, SQL_CHANNEL_SET_POSITION, channel_id, position);
}

int store_channel_delete(struct store *st, const char *channel_id)
{
	return delete_by_id(st, SQL_CHANNEL_DELETE, channel_id);
}
