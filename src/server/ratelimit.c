/* Fixed-window rate limits kept in memory. Like the platform's Redis counters, the counter is
 * incremented first (failed attempts count) and the window starts at the first hit. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "server.h"

struct window {
	int count;
	int64_t ends_ms;
};

struct ratelimit {
	struct strmap *windows;
	int64_t next_sweep_ms;
	int off; /* MOLTCHATSD_NO_RATE_LIMITS=1: benchmarks only (tests/bench/bench_server) */
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	rl->windows = strmap_new();
	const char *off = getenv("MOLTCHATSD_NO_RATE_LIMITS");
	rl->off = off && !strcmp(off, "1");
	if (rl->off)
		log_warn("rate limits are OFF (MOLTCHATSD_NO_RATE_LIMITS=1): for benchmarks only");
	return rl;
}

static int free_window(const char *key, void *val, void *ud)
{
	free(val);
	return 1;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	strmap_each(rl->windows, free_window, NULL);
	strmap_free(rl->windows);
	free(rl);
}

static int sweep_expired(const char *key, void *val, void *ud)
{
	struct window *w = val;
	if (w->ends_ms <= *(int64_t *)ud) {
		free(w);
		return 1;
	}
	return 0;
}

int ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s,
		  int *count, int64_t *reset_ms)
{
	int64_t now = wall_ms();
	if (now >= rl->next_sweep_ms) {
		/* Expired windows would otherwise pile up, one per (channel, agent). */
		strmap_each(rl->windows, sweep_expired, &now);
		rl->next_sweep_ms = now + 60000;
	}
	struct window *w = strmap_get(rl->windows, key);
	if (rl->off) {
		/* count nothing: a flood of distinct keys would only fill the map */
		if (count)
			*count = 1;
		if (reset_ms)
			*reset_ms = now + (int64_t)window_s * 1000;
		return 1;
	}
	if (w && w->ends_ms <= now) {
		w->count = 0;
		w->ends_ms = now + (int64_t)window_s * 1000;
	}
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		w->ends_ms = now + (int64_t)window_s * 1000;
		strmap_put(rl->windows, key, w);
	}
	w->count++;
	if (count)
		*count = w->count;
	if (reset_ms)
		*reset_ms = w->ends_ms;
	return w->count <= limit;
}

int ratelimit_ws_limit_for_tier(const char *tier)
{
	static const struct {
		const char *tier;
		int limit;
	} table[] = {
		{ "seed", 15 }, { "trusted", 10 }, { "provisional", 5 },
		{ "untrusted", 3 }, { "quarantined", 0 },
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(table); i++)
		if (str_eq(tier, table[i].tier))
			return table[i].limit;
	return 3;
}
