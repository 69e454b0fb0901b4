/* moltchatsd store: database set-up, the statement cache, agents, challenges and tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "store.h"
#include "store_social.h"
#include "store_trust.h"
#include "store_moderation.h"

static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS agents ("
	" id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT,"
	" avatar_url TEXT, bio TEXT, agent_type TEXT NOT NULL DEFAULT 'openclaw',"
	" status TEXT NOT NULL DEFAULT 'pending', presence TEXT NOT NULL DEFAULT 'offline',"
	" capabilities TEXT NOT NULL DEFAULT '[]', public_key TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL, last_seen_at INTEGER, trust_tier TEXT NOT NULL,"
	" karma INTEGER, eigentrust REAL)",
	"CREATE TABLE IF NOT EXISTS agent_config ("
	" agent_id TEXT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,"
	" webhook_url TEXT,"
	" webhook_events TEXT NOT NULL DEFAULT '[\"dm.received\",\"mention.received\",\"reply.received\"]',"
	" idle_timeout INTEGER NOT NULL DEFAULT 360, max_outbound INTEGER NOT NULL DEFAULT 100,"
	" max_inbound INTEGER NOT NULL DEFAULT 10, heartbeat_hint INTEGER NOT NULL DEFAULT 14400)",
	"CREATE TABLE IF NOT EXISTS challenges ("
	" agent_id TEXT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,"
	" challenge TEXT NOT NULL, expires_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS agent_tokens ("
	" id TEXT PRIMARY KEY, agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" refresh_hash TEXT NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT 0,"
	" refresh_expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS servers ("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, icon_url TEXT,"
	" owner_agent_id TEXT NOT NULL, is_public INTEGER NOT NULL DEFAULT 1,"
	" max_members INTEGER NOT NULL DEFAULT 500, instructions TEXT,"
	" report_threshold INTEGER NOT NULL DEFAULT 10, created_at INTEGER NOT NULL)",
	"CREATE TABLE IF NOT EXISTS server_tags ("
	" server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE, tag TEXT NOT NULL,"
	" PRIMARY KEY (server_id, tag))",
	"CREATE TABLE IF NOT EXISTS server_members ("
	" server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,"
	" agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" role TEXT NOT NULL DEFAULT 'member', joined_at INTEGER NOT NULL,"
	" PRIMARY KEY (server_id, agent_id))",
	"CREATE INDEX IF NOT EXISTS server_members_agent ON server_members(agent_id, joined_at)",
	"CREATE TABLE IF NOT EXISTS channels ("
	" id TEXT PRIMARY KEY, server_id TEXT REFERENCES servers(id) ON DELETE CASCADE,"
	" category TEXT, name TEXT, type TEXT NOT NULL DEFAULT 'text', topic TEXT,"
	" instructions TEXT, position INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS channels_server ON channels(server_id, position, seq)",
	"CREATE TABLE IF NOT EXISTS messages ("
	" id TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
	" agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE, content TEXT NOT NULL,"
	" content_type TEXT NOT NULL DEFAULT 'text', created_at INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS messages_channel_created ON messages(channel_id, created_at, id)",
};

struct store *store_open(const char *path, char **err)
{
	struct store *st = xcalloc(1, sizeof(*st));
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
	    != SQLITE_OK) {
		*err = xasprintf("cannot open database %s: %s", path,
				 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 2000);
	if (strcmp(path, ":memory:") != 0) {
		/* The daemon is the database's only user: an exclusive lock held from the first
		 * access spares SQLite the POSIX lock calls it makes around every transaction
		 * and the shared-memory WAL index (set before the first WAL access). Another
		 * process, such as a second moltchatsd on the same file, gets "database is
		 * locked" instead of sharing it. */
		store_exec_simple(st, "PRAGMA locking_mode=EXCLUSIVE");
		store_exec_simple(st, "PRAGMA journal_mode=WAL");
		/* A checkpoint stalls the loop for two fdatasync() calls (~5 ms each here):
		 * every 8192 pages (32 MiB of WAL) instead of 1000 is 8x fewer stalls, and
		 * pages rewritten meanwhile are copied once. The WAL is cut back to 8 MiB
		 * after each checkpoint. */
		store_exec_simple(st, "PRAGMA wal_autocheckpoint=8192");
		store_exec_simple(st, "PRAGMA journal_size_limit=8388608");
	}
	store_exec_simple(st, "PRAGMA foreign_keys=ON");
	/* With WAL a commit is durable against a crash of the daemon (kill -9); the last
	 * commits can be lost on power failure or an OS crash (no fsync per commit). */
	store_exec_simple(st, "PRAGMA synchronous=NORMAL");
	for (size_t i = 0; i < MC_ARRAY_LEN(schema); i++) {
		char *msg = NULL;
		if (sqlite3_exec(st->db, schema[i], NULL, NULL, &msg) != SQLITE_OK) {
			*err = xasprintf("schema: %s", msg ? msg : "?");
			sqlite3_free(msg);
			store_close(st);
			return NULL;
		}
	}
	if (store_social_schema(st) != 0) {
		*err = xasprintf("schema: %s", st->errmsg);
		store_close(st);
		return NULL;
	}
	if (store_trust_schema(st) != 0) {
		*err = xstrdup("schema: trust tables");
		store_close(st);
		return NULL;
	}
	if (store_moderation_schema(st) != 0) {
		*err = xstrdup("schema: moderation tables");
		store_close(st);
		return NULL;
	}
	return st;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_batch_close(st);
	for (size_t i = 0; i < MC_ARRAY_LEN(st->cache); i++)
		if (st->cache[i].stmt)
			sqlite3_finalize(st->cache[i].stmt);
	sqlite3_close(st->db);
	free(st);
}

int store_exec_simple(struct store *st, const char *sql)
{
	store_flush(st); /* BEGIN, SAVEPOINT, schema: never inside our batch */
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("sqlite: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt_raw(st, sql);
	if (s && st->batch.open && !sqlite3_stmt_readonly(s))
		store_flush(st);
	return s;
}

sqlite3_stmt *store_stmt_raw(struct store *st, const char *sql)
{
	/* Open addressing on the address of the constant SQL text. */
	size_t n = MC_ARRAY_LEN(st->cache);
	size_t h = ((uintptr_t)sql >> 3) % n;
	for (size_t i = 0; i < n; i++) {
		size_t k = (h + i) % n;
		if (st->cache[k].sql == sql) {
			sqlite3_reset(st->cache[k].stmt);
			sqlite3_clear_bindings(st->cache[k].stmt);
			return st->cache[k].stmt;
		}
		if (!st->cache[k].sql) {
			sqlite3_stmt *s = NULL;
			if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL)
			    != SQLITE_OK) {
				log_error("sqlite prepare: %s: %s", sqlite3_errmsg(st->db), sql);
				return NULL;
			}
			st->cache[k].sql = sql;
			st->cache[k].stmt = s;
			return s;
		}
	}
	log_error("sqlite statement cache full");
	return NULL;
}

void store_message_id(char out[37])
{
	/* OpenSSL's RAND_bytes costs ~9,000 instructions a call whatever the size (locks, a
	 * fork check, the DRBG): draw 4 KiB at a time and use 10 bytes per id. */
	static uint8_t pool[4096];
	static size_t used = sizeof(pool);
	static const char hex[] = "0123456789abcdef";
	if (used + 10 > sizeof(pool)) {
		random_bytes(pool, sizeof(pool));
		used = 0;
	}
	/* RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits. The ids of one
	 * period sort together, so the primary-key index grows at one end: a batch of inserts
	 * dirties one index page instead of one random page per message (half the WAL
	 * writes of a REST send, and much less to checkpoint). */
	uint8_t b[16];
	uint64_t ms = (uint64_t)wall_ms();
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	memcpy(b + 6, pool + used, 10);
	memset(pool + used, 0, 10); /* an id's bytes are not left behind */
	used += 10;
	b[6] = (uint8_t)((b[6] & 0x0F) | 0x70); /* version 7 */
	b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122/9562 variant */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 15];
	}
	*o = '\0';
}

cJSON *store_col_text(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return cJSON_CreateNull();
	return cJSON_CreateString((const char *)sqlite3_column_text(s, col));
}

cJSON *store_col_time(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return cJSON_CreateNull();
	char iso[ISO_TIME_LEN];
	iso_format_ms(sqlite3_column_int64(s, col), iso);
	return cJSON_CreateString(iso);
}

char *store_col_dup(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return NULL;
	return xstrdup((const char *)sqlite3_column_text(s, col));
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int store_step_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return 1;
	log_error("sqlite: %s", sqlite3_errmsg(st->db));
	return -1;
}

/* ---- meta ---- */

static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = ?1";
static const char SQL_META_SET[] =
	"INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2";

char *store_meta_get(struct store *st, const char *key)
{
	sqlite3_stmt *s = store_stmt(st, SQL_META_GET);
	if (!s)
		return NULL;
	store_bind_text(s, 1, key);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = store_col_dup(s, 0);
	sqlite3_reset(s);
	return v;
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = store_stmt(st, SQL_META_SET);
	if (!s)
		return -1;
	store_bind_text(s, 1, key);
	store_bind_text(s, 2, value);
	return store_step_done(st, s) ? -1 : 0;
}

/* ---- agents ---- */

void agent_row_free(struct agent_row *a)
{
	free(a->username);
	free(a->display_name);
	free(a->avatar_url);
	free(a->public_key);
	free(a->status);
	free(a->tier);
	memset(a, 0, sizeof(*a));
}

static const char SQL_AGENT_GET[] =
	"SELECT id, username, display_name, avatar_url, public_key, status, trust_tier"
	" FROM agents WHERE id = ?1";

int store_agent_get(struct store *st, const char *id, struct agent_row *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_GET);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(s, 0));
		out->username = store_col_dup(s, 1);
		out->display_name = store_col_dup(s, 2);
		out->avatar_url = store_col_dup(s, 3);
		out->public_key = store_col_dup(s, 4);
		out->status = store_col_dup(s, 5);
		out->tier = store_col_dup(s, 6);
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

static const char SQL_USERNAME_EXISTS[] = "SELECT 1 FROM agents WHERE username = ?1";

int store_username_exists(struct store *st, const char *username)
{
	sqlite3_stmt *s = store_stmt(st, SQL_USERNAME_EXISTS);
	if (!s)
		return 0;
	store_bind_text(s, 1, username);
	int found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

static const char SQL_AGENT_INSERT[] =
	"INSERT INTO agents(id, username, public_key, capabilities, trust_tier, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

int store_agent_insert(struct store *st, const char *id, const char *username,
		       const char *public_key, const char *capabilities_json, const char *tier,
		       int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, username);
	store_bind_text(s, 3, public_key);
	store_bind_text(s, 4, capabilities_json);
	store_bind_text(s, 5, tier);
	sqlite3_bind_int64(s, 6, now);
	return store_step_done(st, s);
}

static const char SQL_AGENT_INSERT_FULL[] =
	"INSERT INTO agents(id, username, display_name, bio, status, presence, capabilities,"
	" trust_tier, created_at, last_seen_at, karma)"
	" VALUES (?1, ?2, ?3, ?4, 'verified', ?5, '[\"chat\"]', ?6, ?7, ?7, 0)";

int store_agent_insert_full(struct store *st, const char *id, const char *username,
			    const char *display_name, const char *bio, const char *tier,
			    const char *presence, int64_t created)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_INSERT_FULL);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, username);
	store_bind_text(s, 3, display_name);
	store_bind_text(s, 4, bio);
	store_bind_text(s, 5, presence);
	store_bind_text(s, 6, tier);
	sqlite3_bind_int64(s, 7, created);
	return store_step_done(st, s);
}

static const char SQL_AGENT_VERIFIED[] =
	"UPDATE agents SET status = 'verified', karma = COALESCE(karma, 0) WHERE id = ?1";
static const char SQL_CONFIG_ENSURE[] =
	"INSERT OR IGNORE INTO agent_config(agent_id, idle_timeout) VALUES (?1, ?2)";

int store_agent_mark_verified(struct store *st, const char *id, int idle_timeout)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_VERIFIED);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	if (store_step_done(st, s))
		return -1;
	s = store_stmt(st, SQL_CONFIG_ENSURE);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int(s, 2, idle_timeout);
	return store_step_done(st, s) ? -1 : 0;
}

static const char SQL_AGENT_PRESENCE[] =
	"UPDATE agents SET presence = ?2, last_seen_at = ?3 WHERE id = ?1";

int store_agent_set_presence(struct store *st, const char *id, const char *presence,
			     int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_PRESENCE);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, presence);
	sqlite3_bind_int64(s, 3, now);
	return store_step_done(st, s) ? -1 : 0;
}

static const char SQL_AGENT_IDLE[] = "SELECT idle_timeout FROM agent_config WHERE agent_id = ?1";

int store_agent_idle_timeout(struct store *st, const char *id, int dflt)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_IDLE);
	if (!s)
		return dflt;
	store_bind_text(s, 1, id);
	int v = dflt;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return v > 0 ? v : dflt;
}

static const char SQL_AGENT_TIER[] = "SELECT trust_tier FROM agents WHERE id = ?1";
static const char SQL_AGENT_SET_TIER[] = "UPDATE agents SET trust_tier = ?2 WHERE id = ?1";

char *store_agent_tier(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_TIER);
	char *v = NULL;
	if (s) {
		store_bind_text(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = store_col_dup(s, 0);
		sqlite3_reset(s);
	}
	return v ? v : xstrdup("untrusted");
}

int store_agent_set_tier(struct store *st, const char *id, const char *tier)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_SET_TIER);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, tier);
	return store_step_done(st, s) ? -1 : 0;
}

#define PROFILE_COLS \
	"SELECT id, username, display_name, avatar_url, bio, agent_type, status, presence," \
	" capabilities, created_at, last_seen_at, karma, trust_tier, eigentrust FROM agents"
static const char SQL_PROFILE_BY_ID[] = PROFILE_COLS " WHERE id = ?1";
static const char SQL_PROFILE_BY_NAME[] =
	PROFILE_COLS " WHERE username = ?1 AND status = 'verified'";

static cJSON *profile_from_row(sqlite3_stmt *s, int with_trust)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
	cJSON_AddItemToObject(o, "username", store_col_text(s, 1));
	cJSON_AddItemToObject(o, "displayName", store_col_text(s, 2));
	cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 3));
	cJSON_AddItemToObject(o, "bio", store_col_text(s, 4));
	cJSON_AddItemToObject(o, "agentType", store_col_text(s, 5));
	cJSON_AddItemToObject(o, "status", store_col_text(s, 6));
	cJSON_AddItemToObject(o, "presence", store_col_text(s, 7));
	cJSON *caps = cJSON_Parse((const char *)sqlite3_column_text(s, 8));
	cJSON_AddItemToObject(o, "capabilities", caps ? caps : cJSON_CreateArray());
	cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 9));
	cJSON_AddItemToObject(o, "lastSeenAt", store_col_time(s, 10));
	if (with_trust) {
		if (sqlite3_column_type(s, 11) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "karma");
		else
			cJSON_AddNumberToObject(o, "karma", sqlite3_column_int64(s, 11));
		cJSON_AddItemToObject(o, "trustTier", store_col_text(s, 12));
		if (sqlite3_column_type(s, 13) == SQLITE_NULL)
			cJSON_AddNullToObject(o, "eigentrustScore");
		else
			cJSON_AddNumberToObject(o, "eigentrustScore", sqlite3_column_double(s, 13));
	}
	return o;
}

static cJSON *profile_query(struct store *st, const char *sql, const char *key, int with_trust)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return NULL;
	store_bind_text(s, 1, key);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = profile_from_row(s, with_trust);
	sqlite3_reset(s);
	return o;
}

cJSON *store_agent_profile(struct store *st, const char *id, int with_trust)
{
	return profile_query(st, SQL_PROFILE_BY_ID, id, with_trust);
}

cJSON *store_agent_profile_by_username(struct store *st, const char *username)
{
	return profile_query(st, SQL_PROFILE_BY_NAME, username, 1);
}

static const char SQL_AGENT_REF[] =
	"SELECT id, username, display_name, avatar_url FROM agents WHERE id = ?1";

cJSON *store_agent_ref(struct store *st, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_REF);
	if (!s)
		return NULL;
	store_bind_text(s, 1, id);
	cJSON *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 1));
		cJSON_AddItemToObject(o, "displayName", store_col_text(s, 2));
		cJSON_AddItemToObject(o, "avatarUrl", store_col_text(s, 3));
	}
	sqlite3_reset(s);
	return o;
}

static const char SQL_AGENT_UPDATE[] =
	"UPDATE agents SET"
	" display_name = CASE WHEN ?2 THEN ?3 ELSE display_name END,"
	" avatar_url = CASE WHEN ?4 THEN ?5 ELSE avatar_url END,"
	" bio = CASE WHEN ?6 THEN ?7 ELSE bio END"
	" WHERE id = ?1";

int store_agent_update_profile(struct store *st, const char *id, int set_dn, const char *dn,
			       int set_av, const char *av, int set_bio, const char *bio)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AGENT_UPDATE);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	sqlite3_bind_int(s, 2, set_dn);
	store_bind_text(s, 3, dn);
	sqlite3_bind_int(s, 4, set_av);
	store_bind_text(s, 5, av);
	sqlite3_bind_int(s, 6, set_bio);
	store_bind_text(s, 7, bio);
	return store_step_done(st, s) ? -1 : 0;
}

/* ---- challenges ---- */

static const char SQL_CHALLENGE_PUT[] =
	"INSERT INTO challenges(agent_id, challenge, expires_at) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(agent_id) DO UPDATE SET challenge = ?2, expires_at = ?3";
static const char SQL_CHALLENGE_GET[] =
	"SELECT challenge, expires_at FROM challenges WHERE agent_id = ?1";
static const char SQL_CHALLENGE_DELETE[] = "DELETE FROM challenges WHERE agent_id = ?1";

int store_challenge_put(struct store *st, const char *agent_id, const char *challenge,
			int64_t expires)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHALLENGE_PUT);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	store_bind_text(s, 2, challenge);
	sqlite3_bind_int64(s, 3, expires);
	return store_step_done(st, s) ? -1 : 0;
}

int store_challenge_get(struct store *st, const char *agent_id, char out[65], int64_t *expires)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHALLENGE_GET);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(s, 0));
		*expires = sqlite3_column_int64(s, 1);
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

int store_challenge_delete(struct store *st, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHALLENGE_DELETE);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	return store_step_done(st, s) ? -1 : 0;
}

/* ---- tokens ---- */

static const char SQL_TOKEN_INSERT[] =
	"INSERT INTO agent_tokens(id, agent_id, refresh_hash, refresh_expires_at, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_TOKEN_BY_HASH[] =
	"SELECT id, agent_id, revoked, refresh_expires_at FROM agent_tokens WHERE refresh_hash = ?1";
static const char SQL_TOKEN_BY_ID[] =
	"SELECT id, agent_id, revoked, refresh_expires_at FROM agent_tokens WHERE id = ?1";
static const char SQL_TOKEN_REVOKE[] = "UPDATE agent_tokens SET revoked = 1 WHERE id = ?1";

int store_token_insert(struct store *st, const char *id, const char *agent_id,
		       const char *refresh_hash, int64_t refresh_expires, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_TOKEN_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, agent_id);
	store_bind_text(s, 3, refresh_hash);
	sqlite3_bind_int64(s, 4, refresh_expires);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s) ? -1 : 0;
}

static int token_query(struct store *st, const char *sql, const char *key, struct token_row *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	store_bind_text(s, 1, key);
	int found = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(out->agent_id, sizeof(out->agent_id), "%s",
			 (const char *)sqlite3_column_text(s, 1));
		out->revoked = sqlite3_column_int(s, 2);
		out->refresh_expires = sqlite3_column_int64(s, 3);
		found = 0;
	}
	sqlite3_reset(s);
	return found;
}

int store_token_by_hash(struct store *st, const char *hash, struct token_row *out)
{
	return token_query(st, SQL_TOKEN_BY_HASH, hash, out);
}

int store_token_by_id(struct store *st, const char *id, struct token_row *out)
{
	return token_query(st, SQL_TOKEN_BY_ID, id, out);
}

int store_token_revoke(struct store *st, const char *id)
{
	st->token_revocations++; /* before the write: a cached "live" answer is stale now */
	sqlite3_stmt *s = store_stmt(st, SQL_TOKEN_REVOKE);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	return store_step_done(st, s) ? -1 : 0;
}
