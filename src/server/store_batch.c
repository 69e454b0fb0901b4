/* moltchatsd store: group commit of REST message sends (see store.h).
 *
 * One COMMIT per message was most of a REST send's cost: the WAL append, the POSIX locks
 * SQLite takes and drops around every transaction, and a checkpoint every 1000 pages.
 * Batched inserts share one write transaction instead; it is committed once per loop turn
 * (main.c's ev_prepare), when it grows large, and before any other write (store_stmt), so
 * every other caller keeps "a write has been committed when the call returns". Whoever
 * batches a write may acknowledge it only from its completion callback, which learns whether
 * the COMMIT succeeded; a failed COMMIT (or a statement error that made SQLite roll the
 * transaction back) fails every write of the batch. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "store.h"

/* Large enough that a busy loop turn is one transaction, small enough that the WAL and the
 * completion list stay modest. */
#define BATCH_MAX_ROWS 512

struct store_waiter {
	store_commit_fn fn;
	void *ud;
	int ok;
};

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static int run_control(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt_raw(st, sql);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	log_error("sqlite: %s: %s", sql, sqlite3_errmsg(st->db));
	return -1;
}

static void push_waiter(struct store_waiter **arr, size_t *n, size_t *cap, store_commit_fn fn,
			void *ud, int ok)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*arr = xrealloc(*arr, *cap * sizeof(**arr));
	}
	(*arr)[(*n)++] = (struct store_waiter){ fn, ud, ok };
}

/* Conclude the open batch: its waiters move to the done list with the outcome. */
static void conclude(struct store *st, int ok)
{
	for (size_t i = 0; i < st->batch.nwaiting; i++)
		push_waiter(&st->batch.done, &st->batch.ndone, &st->batch.capdone,
			    st->batch.waiting[i].fn, st->batch.waiting[i].ud, ok);
	st->batch.nwaiting = 0;
	st->batch.open = 0;
	st->batch.rows = 0;
}

int store_flush(struct store *st)
{
	if (!st->batch.open)
		return 0;
	size_t rows = st->batch.rows;
	if (sqlite3_get_autocommit(st->db)) {
		/* An error (disk full, I/O) already rolled the transaction back. */
		log_error("sqlite: a batch of %zu writes was rolled back", rows);
		conclude(st, 0);
		return -1;
	}
	if (run_control(st, SQL_COMMIT) == 0) {
		conclude(st, 1);
		return 0;
	}
	if (!sqlite3_get_autocommit(st->db))
		run_control(st, SQL_ROLLBACK);
	log_error("sqlite: a batch of %zu writes could not be committed", rows);
	conclude(st, 0);
	return -1;
}

int store_batch_join(struct store *st)
{
	if (st->batch.open && sqlite3_get_autocommit(st->db))
		store_flush(st); /* rolled back behind our back: fail it, start afresh */
	if (st->batch.open)
		return 0;
	if (!sqlite3_get_autocommit(st->db)) {
		/* someone else's transaction is open: writing inside it would tie our fate
		 * to theirs; never happens with the daemon's synchronous callers */
		log_error("sqlite: batch requested inside another transaction");
		return -1;
	}
	if (run_control(st, SQL_BEGIN) != 0)
		return -1;
	st->batch.open = 1;
	st->batch.rows = 0;
	return 0;
}

void store_batch_add(struct store *st, store_commit_fn fn, void *ud)
{
	push_waiter(&st->batch.waiting, &st->batch.nwaiting, &st->batch.capwaiting, fn, ud, 0);
	if (++st->batch.rows >= BATCH_MAX_ROWS)
		store_flush(st);
}

void store_run_completions(struct store *st)
{
	/* A completion may batch again (and a flush may conclude more): take the list first. */
	while (st->batch.ndone) {
		struct store_waiter *list = st->batch.done;
		size_t n = st->batch.ndone;
		st->batch.done = NULL;
		st->batch.ndone = st->batch.capdone = 0;
		for (size_t i = 0; i < n; i++)
			list[i].fn(list[i].ud, list[i].ok);
		free(list);
	}
}

int store_batch_busy(const struct store *st)
{
	return st->batch.open || st->batch.ndone;
}

void store_batch_close(struct store *st)
{
	store_flush(st);
	store_run_completions(st);
	free(st->batch.waiting);
	st->batch.waiting = NULL;
	st->batch.nwaiting = st->batch.capwaiting = 0;
}
