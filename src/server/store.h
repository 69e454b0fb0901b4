/* moltchatsd store: SQLite with cached prepared statements only (no SQL is built from
 * strings). Times are Unix milliseconds; ids are lowercase UUID text. Read functions that feed
 * REST replies return cJSON objects in the platform's shapes. */
#ifndef MOLTTY_SERVER_STORE_H
#define MOLTTY_SERVER_STORE_H

#include <stdint.h>

#include <cJSON.h>
#include <sqlite3.h>

struct store_waiter;
/* Told once whether the batch holding a write was committed (ok 1) or lost (ok 0). */
typedef void (*store_commit_fn)(void *ud, int ok);

struct store {
	sqlite3 *db;
	struct {
		const char *sql;   /* statement text; the pointer is the cache key */
		sqlite3_stmt *stmt;
	} cache[256];
	char errmsg[256];
	/* Bumped by every store_token_revoke: whoever caches "this token is live" rechecks
	 * when it changed. (Token rows are never deleted.) */
	uint64_t token_revocations;
	struct {                    /* group commit (store_batch.c) */
		int open;           /* our BEGIN is pending */
		size_t rows;
		struct store_waiter *waiting, *done; /* this batch's; concluded, not yet told */
		size_t nwaiting, capwaiting, ndone, capdone;
	} batch;
};

struct store *store_open(const char *path, char **err);
/* Commits a pending batch and runs its completions first: call it before freeing anything
 * those use. */
void store_close(struct store *st);
/* Prepared statement for a constant SQL string, reset and unbound. NULL on error. A
 * statement that writes commits the open batch first (store_flush), so writes made through
 * it are committed when they return, as they always were. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* The same without that commit: only for the batch's own statements. */
sqlite3_stmt *store_stmt_raw(struct store *st, const char *sql);
int store_exec_simple(struct store *st, const char *sql); /* BEGIN/COMMIT/ROLLBACK */

/* ---- group commit (store_batch.c) ----
 * Batched writes share one write transaction that stays open while a loop turn's requests
 * are handled. The daemon commits it once per loop turn (main.c: store_flush then
 * store_run_completions from an ev_prepare, i.e. before the loop sleeps), when it reaches
 * 512 rows, and before any other write. The acknowledgement of a batched write (a REST 201,
 * a fan-out frame) must only leave the process from its completion, which runs after the
 * COMMIT returned: with WAL and synchronous=NORMAL that is durable against a crash of the
 * daemon (kill -9), not against power loss or an OS crash. Reads made meanwhile on the same
 * connection see the batch's uncommitted rows. */
/* Commit the open batch, if any; its completions are queued, not run, so this is safe to
 * call anywhere. 0 committed or nothing to do; -1 the batch is lost (every completion will
 * be told ok 0). */
int store_flush(struct store *st);
/* Run the queued completions. Loop level only (they reply and fan out). */
void store_run_completions(struct store *st);
/* Something to commit or to complete. */
int store_batch_busy(const struct store *st);
/* Open the batch unless it is open: 0, or -1 (then write nothing). */
int store_batch_join(struct store *st);
/* After a successful batched write: fn(ud, ok) will be called exactly once. */
void store_batch_add(struct store *st, store_commit_fn fn, void *ud);
void store_batch_close(struct store *st); /* flush, complete, free (store_close) */

/* Id of a new message: a lowercase UUID, version 7 (time-ordered, 74 random bits from
 * pooled OpenSSL randomness), so inserts append to the primary-key index. */
void store_message_id(char out[37]);

/* Bind text, or NULL for a NULL pointer. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Run a statement that returns no rows. 0 ok, 1 constraint violation, -1 error (logged). */
int store_step_done(struct store *st, sqlite3_stmt *s);

/* Column to JSON: text or null; ms time to ISO text or null; integer. */
cJSON *store_col_text(sqlite3_stmt *s, int col);
cJSON *store_col_time(sqlite3_stmt *s, int col);
char *store_col_dup(sqlite3_stmt *s, int col); /* NULL for SQL NULL */

/* meta */
char *store_meta_get(struct store *st, const char *key);
int store_meta_set(struct store *st, const char *key, const char *value);

/* agents */
struct agent_row {
	char id[37];
	char *username;
	char *display_name;
	char *avatar_url;
	char *public_key;
	char *status;
	char *tier;
};
void agent_row_free(struct agent_row *a);
int store_agent_get(struct store *st, const char *id, struct agent_row *out); /* 0 / -1 */
int store_username_exists(struct store *st, const char *username);
int store_agent_insert(struct store *st, const char *id, const char *username,
		       const char *public_key, const char *capabilities_json, const char *tier,
		       int64_t now);
int store_agent_insert_full(struct store *st, const char *id, const char *username,
			    const char *display_name, const char *bio, const char *tier,
			    const char *presence, int64_t created);
/* Verify side effects: status verified, karma 0 if unset, config row if missing. */
int store_agent_mark_verified(struct store *st, const char *id, int idle_timeout);
int store_agent_set_presence(struct store *st, const char *id, const char *presence,
			     int64_t now);
int store_agent_idle_timeout(struct store *st, const char *id, int dflt);
char *store_agent_tier(struct store *st, const char *id); /* "untrusted" when unknown */
int store_agent_set_tier(struct store *st, const char *id, const char *tier);
/* Profile shapes of §3.0 by id or by username; NULL when missing (or, for by-username,
 * not verified). with_trust adds karma/trustTier/eigentrustScore. */
cJSON *store_agent_profile(struct store *st, const char *id, int with_trust);
cJSON *store_agent_profile_by_username(struct store *st, const char *username);
/* {id, username, displayName, avatarUrl} or NULL. */
cJSON *store_agent_ref(struct store *st, const char *id);
/* Profile update: each set_* flag says whether the field is present; value NULL = null. */
int store_agent_update_profile(struct store *st, const char *id, int set_dn, const char *dn,
			       int set_av, const char *av, int set_bio, const char *bio);

/* challenges */
int store_challenge_put(struct store *st, const char *agent_id, const char *challenge,
			int64_t expires);
int store_challenge_get(struct store *st, const char *agent_id, char out[65], int64_t *expires);
int store_challenge_delete(struct store *st, const char *agent_id);

/* tokens */
struct token_row {
	char id[37];
	char agent_id[37];
	int revoked;
	int64_t refresh_expires;
};
int store_token_insert(struct store *st, const char *id, const char *agent_id,
		       const char *refresh_hash, int64_t refresh_expires, int64_t now);
int store_token_by_hash(struct store *st, const char *hash, struct token_row *out);
int store_token_by_id(struct store *st, const char *id, struct token_row *out);
int store_token_revoke(struct store *st, const char *id);

/* servers (store_servers.c) */
struct server_new {
	const char *name, *description, *icon_url, *instructions;
	int is_public;
	const char **tags;
	int ntags;
};
/* Creates the server, its tags, the owner membership and channel `general`. Returns the
 * Server object or NULL. */
cJSON *store_server_create(struct store *st, const char *id, const char *owner,
			   const struct server_new *n, int64_t now);
int store_server_add_tag(struct store *st, const char *server_id, const char *tag);
cJSON *store_server_row(struct store *st, const char *id);  /* Server shape or NULL */
int store_server_is_public(struct store *st, const char *id); /* 1, 0, -1 missing */
/* GET /servers: sort 0 popular, 1 new, 2 hot; search may be NULL; tag filter after paging. */
cJSON *store_servers_list(struct store *st, int sort, const char *search, int limit,
			  int offset, const char *tag, int64_t now);
cJSON *store_server_detail(struct store *st, const char *id);
cJSON *store_agent_servers(struct store *st, const char *agent_id);
cJSON *store_observer_servers(struct store *st);
cJSON *store_server_members(struct store *st, const char *server_id);
cJSON *store_server_tags(struct store *st, const char *server_id);
char *store_member_role(struct store *st, const char *server_id, const char *agent_id);
int store_member_add(struct store *st, const char *server_id, const char *agent_id,
		     const char *role, int64_t now);

/* channels */
struct channel_info {
	char id[37];
	char server_id[37];   /* "" for DM channels */
	char *type;
	char *name;
	char *channel_instructions;
	char *server_instructions;
	int server_public;
};
void channel_info_free(struct channel_info *c);
int store_channel_get(struct store *st, const char *id, struct channel_info *out);
int store_channel_count(struct store *st, const char *server_id);
struct channel_new {
	const char *name, *category, *type, *topic, *instructions;
	int position;
};
/* May agent_id post to / read channel_id? 0 a member of the channel's server, 1 not a member,
 * 2 a DM channel (the caller checks the participants), -1 no such channel. When agent_ref is
 * not NULL it gets the agent's {id, username, displayName, avatarUrl} (or NULL). One query. */
int store_channel_access(struct store *st, const char *channel_id, const char *agent_id,
			 cJSON **agent_ref);
cJSON *store_channel_create(struct store *st, const char *id, const char *server_id,
			    const struct channel_new *n);
cJSON *store_channels_grouped(struct store *st, const char *server_id);
/* Channel ids of a server, in position order (sim). Caller frees with cJSON_Delete. */
cJSON *store_server_channel_ids(struct store *st, const char *server_id);

/* messages */
int store_message_insert(struct store *st, const char *id, const char *channel_id,
			 const char *agent_id, const char *content, const char *content_type,
			 int64_t created);
/* The same in the open batch (group commit, above): 0 and done(ud, ok) will be called once
 * the batch is concluded; -1 on error (done is not called). */
int store_message_insert_batched(struct store *st, const char *id, const char *channel_id,
				 const char *agent_id, const char *content,
				 const char *content_type, int64_t created, store_commit_fn done,
				 void *ud);
/* Newest first, createdAt < before_ms (INT64_MAX for none). */
cJSON *store_messages_history(struct store *st, const char *channel_id, int64_t before_ms,
			      int limit);

#endif
