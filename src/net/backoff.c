/* Exponential backoff with "equal jitter": half the delay is fixed, half random, so
 * reconnecting clients spread out but never retry immediately. */
#include "moltty/crypto.h"
#include "moltty/net.h"

void net_backoff_init(struct net_backoff *b, int64_t base_ms, int64_t cap_ms)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	b->attempt = 0;
}

void net_backoff_reset(struct net_backoff *b)
{
	b->attempt = 0;
}

int64_t net_backoff_next(struct net_backoff *b)
{
	int64_t d = b->base_ms;
	for (unsigned i = 0; i < b->attempt && d < b->cap_ms; i++)
		d *= 2;
	if (d > b->cap_ms)
		d = b->cap_ms;
	if (b->attempt < 64)
		b->attempt++;
	uint32_t r;
	random_bytes(&r, sizeof(r));
	int64_t half = d / 2;
	int64_t out = half + (int64_t)((double)(d - half) * ((double)r / 4294967295.0));
	return out > 0 ? out : 1;
}
