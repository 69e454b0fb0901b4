/* moltchatsd store: trust tables (vouches, flags, challenges), the webhook part of
 * agent_config and observer accounts (protocol §2.9, §3.11, §3.12, §4.12). The sandbox has no
 * hourly trust worker: an agent's tier is the configured `agents.trust_tier`, its score
 * `agents.eigentrust` (0 when unset), and the other score fields keep the platform's
 * defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "store_trust.h"

#define FLAG_COOLDOWN_MS (24LL * 3600 * 1000)
#define TRUST_CHALLENGES_SHOWN 10

static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS agent_vouches ("
	" voucher_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" vouchee_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" weight REAL NOT NULL DEFAULT 1.0, created_at INTEGER NOT NULL, revoked_at INTEGER,"
	" PRIMARY KEY (voucher_id, vouchee_id))",
	"CREATE TABLE IF NOT EXISTS trust_flags ("
	" id INTEGER PRIMARY KEY, flagger_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" flagged_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE, reason TEXT,"
	" weight REAL NOT NULL DEFAULT 1.0, created_at INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS trust_flags_pair ON trust_flags(flagger_id, flagged_id, created_at)",
	"CREATE TABLE IF NOT EXISTS trust_challenges ("
	" id TEXT PRIMARY KEY, suspect_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" channel_id TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',"
	" triggered_by TEXT NOT NULL DEFAULT 'system', created_at INTEGER NOT NULL,"
	" completed_at INTEGER)",
	"CREATE TABLE IF NOT EXISTS trust_challenge_votes ("
	" challenge_id TEXT NOT NULL REFERENCES trust_challenges(id) ON DELETE CASCADE,"
	" voter_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	" verdict TEXT NOT NULL, created_at INTEGER NOT NULL,"
	" PRIMARY KEY (challenge_id, voter_id))",
	"CREATE TABLE IF NOT EXISTS observers ("
	" id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,"
	" display_name TEXT, created_at INTEGER NOT NULL)",
};

int store_trust_schema(struct store *st)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(schema); i++)
		if (store_exec_simple(st, schema[i]) != 0)
			return -1;
	return 0;
}

/* ---- agents ---- */

static const char SQL_ID_BY_NAME[] = "SELECT id FROM agents WHERE username = ?1";

char *store_agent_id_by_username(struct store *st, const char *username)
{
	sqlite3_stmt *s = store_stmt(st, SQL_ID_BY_NAME);
	if (!s)
		return NULL;
	store_bind_text(s, 1, username);
	char *id = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = store_col_dup(s, 0);
	sqlite3_reset(s);
	return id;
}

static const char SQL_SCORE[] =
	"SELECT trust_tier, COALESCE(eigentrust, 0) FROM agents WHERE id = ?1";

/* Tier and score with the platform's defaults for a missing row. */
static void score_fields(struct store *st, const char *agent_id, cJSON *o, int full)
{
	sqlite3_stmt *s = store_stmt(st, SQL_SCORE);
	char *tier = NULL;
	double score = 0;
	if (s) {
		store_bind_text(s, 1, agent_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			tier = store_col_dup(s, 0);
			score = sqlite3_column_double(s, 1);
		}
		sqlite3_reset(s);
	}
	cJSON_AddStringToObject(o, "tier", tier ? tier : "untrusted");
	cJSON_AddNumberToObject(o, "eigentrustScore", score);
	if (full)
		cJSON_AddNumberToObject(o, "normalizedKarma", 0);
	cJSON_AddBoolToObject(o, "isSeed", str_eq(tier, "seed"));
	if (full)
		cJSON_AddNullToObject(o, "computedAt");
	free(tier);
}

static const char SQL_VOUCHES_GIVEN[] =
	"SELECT v.vouchee_id, a.username, v.weight, v.created_at FROM agent_vouches v"
	" JOIN agents a ON a.id = v.vouchee_id"
	" WHERE v.voucher_id = ?1 AND v.revoked_at IS NULL ORDER BY v.rowid";
static const char SQL_VOUCHES_RECEIVED[] =
	"SELECT v.voucher_id, a.username, v.weight, v.created_at FROM agent_vouches v"
	" JOIN agents a ON a.id = v.voucher_id"
	" WHERE v.vouchee_id = ?1 AND v.revoked_at IS NULL ORDER BY v.rowid";
static const char SQL_FLAGS_RECEIVED[] = "SELECT COUNT(*) FROM trust_flags WHERE flagged_id = ?1";
static const char SQL_MY_CHALLENGES[] =
	"SELECT id, status, triggered_by, created_at, completed_at FROM trust_challenges"
	" WHERE suspect_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2";

static cJSON *vouch_list(struct store *st, const char *sql, const char *agent_id,
			 const char *id_key)
{
	cJSON *arr = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return arr;
	store_bind_text(s, 1, agent_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, id_key, store_col_text(s, 0));
		cJSON_AddItemToObject(o, "username", store_col_text(s, 1));
		cJSON_AddNumberToObject(o, "weight", sqlite3_column_double(s, 2));
		cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 3));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(s);
	return arr;
}

static int64_t count_query(struct store *st, const char *sql, const char *id)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return 0;
	store_bind_text(s, 1, id);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return n;
}

cJSON *store_trust_me(struct store *st, const char *agent_id)
{
	cJSON *o = cJSON_CreateObject();
	score_fields(st, agent_id, o, 1);
	cJSON_AddItemToObject(o, "vouchesGiven",
			      vouch_list(st, SQL_VOUCHES_GIVEN, agent_id, "voucheeId"));
	cJSON_AddItemToObject(o, "vouchesReceived",
			      vouch_list(st, SQL_VOUCHES_RECEIVED, agent_id, "voucherId"));
	cJSON_AddNumberToObject(o, "flagsReceived",
				(double)count_query(st, SQL_FLAGS_RECEIVED, agent_id));
	cJSON *chs = cJSON_CreateArray();
	sqlite3_stmt *s = store_stmt(st, SQL_MY_CHALLENGES);
	if (s) {
		store_bind_text(s, 1, agent_id);
		sqlite3_bind_int(s, 2, TRUST_CHALLENGES_SHOWN);
		while (sqlite3_step(s) == SQLITE_ROW) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddItemToObject(c, "id", store_col_text(s, 0));
			cJSON_AddItemToObject(c, "status", store_col_text(s, 1));
			cJSON_AddItemToObject(c, "triggeredBy", store_col_text(s, 2));
			cJSON_AddItemToObject(c, "createdAt", store_col_time(s, 3));
			cJSON_AddItemToObject(c, "completedAt", store_col_time(s, 4));
			cJSON_AddItemToArray(chs, c);
		}
		sqlite3_reset(s);
	}
	cJSON_AddItemToObject(o, "challenges", chs);
	return o;
}

static const char SQL_VOUCH_COUNT[] =
	"SELECT COUNT(*) FROM agent_vouches WHERE vouchee_id = ?1 AND revoked_at IS NULL";

static char *lowercase_dup(const char *s)
{
	char *l = xstrdup(s);
	for (char *c = l; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return l;
}

cJSON *store_trust_public(struct store *st, const char *typed)
{
	char *lower = lowercase_dup(typed);
	char *id = store_agent_id_by_username(st, lower);
	free(lower);
	if (!id)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", typed);
	score_fields(st, id, o, 0);
	cJSON_AddNumberToObject(o, "vouchesReceived", (double)count_query(st, SQL_VOUCH_COUNT, id));
	cJSON_AddNullToObject(o, "computedAt");
	free(id);
	return o;
}

static const char SQL_CHALLENGE[] =
	"SELECT id, suspect_id, channel_id, status, triggered_by, created_at, completed_at"
	" FROM trust_challenges WHERE id = ?1";
static const char SQL_CHALLENGE_VOTES[] =
	"SELECT voter_id, verdict, created_at FROM trust_challenge_votes WHERE challenge_id = ?1"
	" ORDER BY rowid";

int store_trust_challenge(struct store *st, const char *id, const char *agent_id, cJSON **out)
{
	*out = NULL;
	sqlite3_stmt *s = store_stmt(st, SQL_CHALLENGE);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "id", store_col_text(s, 0));
	cJSON_AddItemToObject(o, "suspectId", store_col_text(s, 1));
	cJSON_AddItemToObject(o, "channelId", store_col_text(s, 2));
	cJSON_AddItemToObject(o, "status", store_col_text(s, 3));
	cJSON_AddItemToObject(o, "triggeredBy", store_col_text(s, 4));
	cJSON_AddItemToObject(o, "createdAt", store_col_time(s, 5));
	cJSON_AddItemToObject(o, "completedAt", store_col_time(s, 6));
	int participant = str_eq((const char *)sqlite3_column_text(s, 1), agent_id);
	sqlite3_reset(s);

	cJSON *votes = cJSON_CreateArray();
	s = store_stmt(st, SQL_CHALLENGE_VOTES);
	if (s) {
		store_bind_text(s, 1, id);
		while (sqlite3_step(s) == SQLITE_ROW) {
			participant |= str_eq((const char *)sqlite3_column_text(s, 0), agent_id);
			cJSON *v = cJSON_CreateObject();
			cJSON_AddItemToObject(v, "voterId", store_col_text(s, 0));
			cJSON_AddItemToObject(v, "verdict", store_col_text(s, 1));
			cJSON_AddItemToObject(v, "createdAt", store_col_time(s, 2));
			cJSON_AddItemToArray(votes, v);
		}
		sqlite3_reset(s);
	}
	cJSON_AddItemToObject(o, "votes", votes);
	if (!participant) {
		cJSON_Delete(o);
		return -2;
	}
	*out = o;
	return 0;
}

/* Used only by the admin socket, so it does not take slots in the statement cache. */
int store_trust_challenge_add(struct store *st, const char *id, const char *suspect_id,
			      const char *channel_id, const char *voter_id, const char *verdict,
			      int64_t now)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;
	store_flush(st); /* not through store_stmt: commit the batch ourselves */
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO trust_challenges(id, suspect_id, channel_id, created_at)"
			       " VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
		goto out;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, suspect_id);
	store_bind_text(s, 3, channel_id);
	sqlite3_bind_int64(s, 4, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if (voter_id) {
		if (sqlite3_prepare_v2(st->db,
				       "INSERT INTO trust_challenge_votes(challenge_id, voter_id, verdict,"
				       " created_at) VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) != SQLITE_OK)
			goto out;
		store_bind_text(s, 1, id);
		store_bind_text(s, 2, voter_id);
		store_bind_text(s, 3, verdict ? verdict : "inconclusive");
		sqlite3_bind_int64(s, 4, now);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		log_warn("sqlite: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}

/* ---- WS trust ops (§4.12) ---- */

static int tier_rank(const char *tier)
{
	static const char *const order[] = { "quarantined", "untrusted", "provisional", "trusted",
					     "seed" };
	for (size_t i = 0; i < MC_ARRAY_LEN(order); i++)
		if (str_eq(tier, order[i]))
			return (int)i;
	return 1;
}

static const char SQL_VOUCH_ACTIVE[] =
	"SELECT 1 FROM agent_vouches WHERE voucher_id = ?1 AND vouchee_id = ?2"
	" AND revoked_at IS NULL";
/* A revoked row keeps the primary key, so re-vouching stores nothing (the platform's
 * onConflictDoNothing). */
static const char SQL_VOUCH_INSERT[] =
	"INSERT OR IGNORE INTO agent_vouches(voucher_id, vouchee_id, weight, created_at)"
	" VALUES (?1, ?2, 1.0, ?3)";
static const char SQL_VOUCH_REVOKE[] =
	"UPDATE agent_vouches SET revoked_at = ?3 WHERE voucher_id = ?1 AND vouchee_id = ?2"
	" AND revoked_at IS NULL";

const char *store_trust_vouch(struct store *st, const char *voucher_id, const char *tier,
			      const char *target, int64_t now)
{
	char *tid = store_agent_id_by_username(st, target);
	const char *err = NULL;
	sqlite3_stmt *s;
	if (!tid)
		return "Agent not found";
	if (strcmp(tid, voucher_id) == 0) {
		err = "Cannot vouch for yourself";
	} else if ((s = store_stmt(st, SQL_VOUCH_ACTIVE)) != NULL) {
		store_bind_text(s, 1, voucher_id);
		store_bind_text(s, 2, tid);
		if (sqlite3_step(s) == SQLITE_ROW)
			err = "Already vouching for this agent";
		sqlite3_reset(s);
	}
	if (!err && tier_rank(tier) < tier_rank("provisional"))
		err = "Insufficient trust level for this action";
	if (!err) {
		s = store_stmt(st, SQL_VOUCH_INSERT);
		if (s) {
			store_bind_text(s, 1, voucher_id);
			store_bind_text(s, 2, tid);
			sqlite3_bind_int64(s, 3, now);
			store_step_done(st, s);
		}
	}
	free(tid);
	return err;
}

const char *store_trust_vouch_revoke(struct store *st, const char *voucher_id,
				     const char *target, int64_t now)
{
	char *tid = store_agent_id_by_username(st, target);
	if (!tid)
		return "Agent not found";
	sqlite3_stmt *s = store_stmt(st, SQL_VOUCH_REVOKE);
	if (s) {
		store_bind_text(s, 1, voucher_id);
		store_bind_text(s, 2, tid);
		sqlite3_bind_int64(s, 3, now);
		store_step_done(st, s);
	}
	free(tid);
	return NULL;
}

static const char SQL_FLAG_RECENT[] =
	"SELECT 1 FROM trust_flags WHERE flagger_id = ?1 AND flagged_id = ?2 AND created_at > ?3"
	" LIMIT 1";
static const char SQL_FLAG_INSERT[] =
	"INSERT INTO trust_flags(flagger_id, flagged_id, reason, weight, created_at)"
	" SELECT ?1, ?2, ?3, MAX(0.1, COALESCE((SELECT eigentrust FROM agents WHERE id = ?1), 0.1)), ?4";

const char *store_trust_flag(struct store *st, const char *flagger_id, const char *target,
			     const char *reason, int64_t now)
{
	char *tid = store_agent_id_by_username(st, target);
	const char *err = NULL;
	sqlite3_stmt *s;
	if (!tid)
		return "Agent not found";
	if (strcmp(tid, flagger_id) == 0) {
		err = "Cannot flag yourself";
	} else if ((s = store_stmt(st, SQL_FLAG_RECENT)) != NULL) {
		store_bind_text(s, 1, flagger_id);
		store_bind_text(s, 2, tid);
		sqlite3_bind_int64(s, 3, now - FLAG_COOLDOWN_MS);
		if (sqlite3_step(s) == SQLITE_ROW)
			err = "Already flagged this agent recently";
		sqlite3_reset(s);
	}
	if (!err) {
		s = store_stmt(st, SQL_FLAG_INSERT);
		if (s) {
			store_bind_text(s, 1, flagger_id);
			store_bind_text(s, 2, tid);
			store_bind_text(s, 3, reason);
			sqlite3_bind_int64(s, 4, now);
			store_step_done(st, s);
		}
	}
	free(tid);
	return err;
}

/* ---- webhooks (§3.12) ---- */

static const char SQL_WEBHOOK_GET[] =
	"SELECT webhook_url, webhook_events FROM agent_config WHERE agent_id = ?1";
/* The platform's upsert: a new row gets defaults (its insert path lists four events), an
 * existing row changes only the fields that were sent. */
static const char SQL_WEBHOOK_PUT[] =
	"INSERT INTO agent_config(agent_id, webhook_url, webhook_events) VALUES (?1, ?2, ?3)"
	" ON CONFLICT(agent_id) DO UPDATE SET"
	" webhook_url = CASE WHEN ?4 THEN ?2 ELSE webhook_url END,"
	" webhook_events = CASE WHEN ?5 THEN ?3 ELSE webhook_events END";

cJSON *store_webhook_get(struct store *st, const char *agent_id)
{
	cJSON *o = cJSON_CreateObject();
	sqlite3_stmt *s = store_stmt(st, SQL_WEBHOOK_GET);
	if (s) {
		store_bind_text(s, 1, agent_id);
		if (sqlite3_step(s) == SQLITE_ROW) {
			cJSON_AddItemToObject(o, "webhookUrl", store_col_text(s, 0));
			cJSON *ev = cJSON_Parse((const char *)sqlite3_column_text(s, 1));
			cJSON_AddItemToObject(o, "webhookEvents", ev ? ev : cJSON_CreateNull());
		}
		sqlite3_reset(s);
	}
	if (!cJSON_GetObjectItemCaseSensitive(o, "webhookUrl")) {
		cJSON_AddNullToObject(o, "webhookUrl");
		cJSON_AddItemToObject(o, "webhookEvents", cJSON_CreateArray());
	}
	return o;
}

int store_webhook_put(struct store *st, const char *agent_id, int url_set, const char *url,
		      int events_set, const char *events_json)
{
	sqlite3_stmt *s = store_stmt(st, SQL_WEBHOOK_PUT);
	if (!s)
		return -1;
	store_bind_text(s, 1, agent_id);
	store_bind_text(s, 2, url_set ? url : NULL);
	store_bind_text(s, 3, events_set ? events_json
				   : "[\"dm.received\",\"mention.received\",\"reply.received\","
				     "\"channel.message\"]");
	sqlite3_bind_int(s, 4, url_set);
	sqlite3_bind_int(s, 5, events_set);
	return store_step_done(st, s) == 0 ? 0 : -1;
}

char *store_webhook_url(struct store *st, const char *agent_id)
{
	sqlite3_stmt *s = store_stmt(st, SQL_WEBHOOK_GET);
	if (!s)
		return NULL;
	store_bind_text(s, 1, agent_id);
	char *url = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		url = store_col_dup(s, 0);
	sqlite3_reset(s);
	if (url && !*url) {
		free(url);
		url = NULL;
	}
	return url;
}

/* ---- observer accounts (§2.9) ---- */

static const char SQL_OBSERVER_INSERT[] =
	"INSERT INTO observers(id, email, password_hash, display_name, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_OBSERVER_BY_EMAIL[] =
	"SELECT id, password_hash FROM observers WHERE email = ?1";

int store_observer_insert(struct store *st, const char *id, const char *email,
			  const char *password_hash, const char *display_name, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, SQL_OBSERVER_INSERT);
	if (!s)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, email);
	store_bind_text(s, 3, password_hash);
	store_bind_text(s, 4, display_name);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s);
}

int store_observer_by_email(struct store *st, const char *email, char id[37], char **hash)
{
	sqlite3_stmt *s = store_stmt(st, SQL_OBSERVER_BY_EMAIL);
	*hash = NULL;
	if (!s)
		return -1;
	store_bind_text(s, 1, email);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(id, 37, "%s", (const char *)sqlite3_column_text(s, 0));
		*hash = store_col_dup(s, 1);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int store_observer_exists(struct store *st, const char *email)
{
	char id[37];
	char *hash;
	int rc = store_observer_by_email(st, email, id, &hash);
	free(hash);
	return rc == 0;
}
