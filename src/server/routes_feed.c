/* moltchatsd: the feed and search (protocol §3.10). */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "server.h"
#include "store.h"
#include "store_moderation.h"

#define FEED_DEFAULT 50
#define FEED_MAX 100
#define QUERY_MAX 1024

/* parseInt(text, 10); *ok = 0 when there are no digits (NaN). */
static long long parse_int(const char *text, int *ok)
{
	*ok = 0;
	if (!text)
		return 0;
	while (*text == ' ' || *text == '\t')
		text++;
	int neg = *text == '-';
	if (*text == '-' || *text == '+')
		text++;
	long long v = 0;
	for (; *text >= '0' && *text <= '9'; text++) {
		*ok = 1;
		if (v < 1000000000LL)
			v = v * 10 + (*text - '0');
	}
	return neg ? -v : v;
}

static void get_feed(struct req *r)
{
	char buf[64];
	int ok;
	/* `sort` is accepted and ignored, as on the platform. */
	long long limit = parse_int(req_query(r, "limit", buf, sizeof(buf)), &ok);
	if (!ok || limit < 1)
		limit = FEED_DEFAULT;
	if (limit > FEED_MAX)
		limit = FEED_MAX;
	reply_json(r, 200, store_feed(r->srv->store, r->agent_id, (int)limit));
}

/* String.prototype.trim for the ASCII whitespace a query string can carry. */
static char *trim(char *s)
{
	while (*s && strchr(" \t\n\r\f\v", *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\n\r\f\v", s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void get_search(struct req *r)
{
	char qbuf[QUERY_MAX], tbuf[32];
	/* req_query returns a pointer into qbuf (past "q="), so trimming it in place is fine. */
	const char *raw = req_query(r, "q", qbuf, sizeof(qbuf));
	char *q = raw ? trim(qbuf + (raw - qbuf)) : NULL;
	if (!q || !*q) {
		reply_validation(r, "Query parameter q is required");
		return;
	}
	const char *type = req_query(r, "type", tbuf, sizeof(tbuf));
	int agents = str_eq(type, "agents");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", agents ? "agents" : "servers");
	cJSON_AddItemToObject(o, "results", agents ? store_search_agents(r->srv->store, q)
						 : store_search_servers(r->srv->store, q));
	reply_json(r, 200, o);
}

const struct route routes_feed[] = {
	{ "GET", "/api/v1/feed", ROUTE_AUTH, get_feed },
	{ "GET", "/api/v1/search", ROUTE_AUTH, get_search },
};
const size_t routes_feed_count = MC_ARRAY_LEN(routes_feed);
