/* moltchatsd group commit (src/server/store_batch.c): batched message inserts are only
 * reported committed after their COMMIT; a failed COMMIT or a transaction SQLite rolled back
 * fails every write of the batch; any other write commits the batch first. Uses a file
 * database in WAL mode, as the daemon does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "store.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	char agent[37];
	char channel[37];
};

/* Outcome of each batched write: -1 not told yet, else the ok flag. */
#define MAX_WRITES 700
static int outcome[MAX_WRITES];
static int told;

static void on_commit(void *ud, int ok)
{
	int *slot = ud;
	assert_int_equal(*slot, -1); /* told exactly once */
	*slot = ok;
	told++;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-store-batch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
	char server[37];
	uuid_v4(f->agent);
	uuid_v4(server);
	assert_int_equal(store_agent_insert(f->st, f->agent, "alice", "", "[]", "seed", 1000), 0);
	struct server_new n = { .name = "S", .is_public = 1 };
	cJSON *srv = store_server_create(f->st, server, f->agent, &n, 1000);
	assert_non_null(srv);
	cJSON_Delete(srv);
	cJSON *ids = store_server_channel_ids(f->st, server);
	assert_true(cJSON_GetArraySize(ids) > 0);
	snprintf(f->channel, sizeof(f->channel), "%s", cJSON_GetArrayItem(ids, 0)->valuestring);
	cJSON_Delete(ids);
	for (int i = 0; i < MAX_WRITES; i++)
		outcome[i] = -1;
	told = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int insert(struct fixture *f, const char *channel, int i)
{
	char id[37];
	store_message_id(id);
	return store_message_insert_batched(f->st, id, channel, f->agent, "hello", "text",
					    2000 + i, on_commit, &outcome[i]);
}

static int history_count(struct fixture *f)
{
	cJSON *h = store_messages_history(f->st, f->channel, INT64_MAX, 100);
	int n = cJSON_GetArraySize(h);
	cJSON_Delete(h);
	return n;
}

static void store_batch__commit__completions_told_ok_after_it(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(insert(f, f->channel, i), 0);
	assert_false(sqlite3_get_autocommit(f->st->db)); /* one open transaction */
	assert_int_equal(told, 0);
	assert_true(store_batch_busy(f->st));
	assert_int_equal(store_flush(f->st), 0);
	assert_true(sqlite3_get_autocommit(f->st->db));
	assert_int_equal(told, 0); /* queued, not run inside the flush */
	store_run_completions(f->st);
	assert_int_equal(told, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(outcome[i], 1);
	assert_false(store_batch_busy(f->st));
	assert_int_equal(history_count(f), 3);
	assert_int_equal(store_flush(f->st), 0); /* nothing to do */
}

static void store_batch__other_write__commits_batch_first(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(insert(f, f->channel, 0), 0);
	/* a write through store_stmt must not join (and be acknowledged inside) the batch */
	assert_int_equal(store_meta_set(f->st, "k", "v"), 0);
	assert_true(sqlite3_get_autocommit(f->st->db));
	store_run_completions(f->st);
	assert_int_equal(outcome[0], 1);
	/* reads do not commit */
	assert_int_equal(insert(f, f->channel, 1), 0);
	char *v = store_meta_get(f->st, "k");
	assert_string_equal(v, "v");
	free(v);
	assert_false(sqlite3_get_autocommit(f->st->db));
	/* BEGIN and friends commit it too */
	assert_int_equal(store_exec_simple(f->st, "BEGIN"), 0);
	assert_int_equal(store_exec_simple(f->st, "COMMIT"), 0);
	store_run_completions(f->st);
	assert_int_equal(outcome[1], 1);
	assert_int_equal(history_count(f), 2);
}

static void store_batch__commit_fails__every_write_told_failed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(insert(f, f->channel, 0), 0);
	/* foreign keys checked at COMMIT from now on: a message for no channel makes the
	 * COMMIT itself fail */
	assert_int_equal(sqlite3_exec(f->st->db, "PRAGMA defer_foreign_keys=ON", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(insert(f, "00000000-0000-4000-8000-000000000000", 1), 0);
	assert_int_equal(insert(f, f->channel, 2), 0);
	assert_int_equal(store_flush(f->st), -1);
	assert_true(sqlite3_get_autocommit(f->st->db)); /* rolled back, not left open */
	store_run_completions(f->st);
	assert_int_equal(told, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(outcome[i], 0);
	assert_int_equal(history_count(f), 0);
	/* the next batch works */
	assert_int_equal(insert(f, f->channel, 3), 0);
	assert_int_equal(store_flush(f->st), 0);
	store_run_completions(f->st);
	assert_int_equal(outcome[3], 1);
	assert_int_equal(history_count(f), 1);
}

static void store_batch__rolled_back_by_sqlite__every_write_told_failed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(insert(f, f->channel, 0), 0);
	assert_int_equal(insert(f, f->channel, 1), 0);
	/* what SQLite does on SQLITE_FULL or an I/O error: the transaction is gone */
	assert_int_equal(sqlite3_exec(f->st->db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	/* the next batched write notices, fails the lost batch and starts a new one */
	assert_int_equal(insert(f, f->channel, 2), 0);
	assert_int_equal(store_flush(f->st), 0);
	store_run_completions(f->st);
	assert_int_equal(outcome[0], 0);
	assert_int_equal(outcome[1], 0);
	assert_int_equal(outcome[2], 1);
	assert_int_equal(history_count(f), 1);
}

static void store_batch__large_batch__committed_in_parts(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < 600; i++)
		assert_int_equal(insert(f, f->channel, i), 0);
	/* 512 rows concluded the first batch on their own */
	assert_int_equal(store_flush(f->st), 0);
	store_run_completions(f->st);
	assert_int_equal(told, 600);
	for (int i = 0; i < 600; i++)
		assert_int_equal(outcome[i], 1);
	assert_int_equal(history_count(f), 100); /* the page size of the query */
}

static void store_batch__message_id__time_ordered_uuid(void **state)
{
	char a[37], b[37];
	store_message_id(a);
	usleep(2000);
	store_message_id(b);
	assert_true(str_is_uuid(a));
	assert_int_equal(strspn(a, "0123456789abcdef-"), 36);
	assert_int_equal(a[14], '7');
	assert_true(strchr("89ab", a[19]) != NULL);
	assert_true(strcmp(a, b) < 0);
	assert_true(strncmp(a + 24, b + 24, 12) != 0); /* random tails */
}

int main(void)
{
	log_open(NULL, LOG_ERROR);
	log_set_level(LOG_ERROR + 1); /* the failures above are logged on purpose */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(store_batch__commit__completions_told_ok_after_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(store_batch__other_write__commits_batch_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(store_batch__commit_fails__every_write_told_failed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			store_batch__rolled_back_by_sqlite__every_write_told_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(store_batch__large_batch__committed_in_parts, setup,
						teardown),
		cmocka_unit_test(store_batch__message_id__time_ordered_uuid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
