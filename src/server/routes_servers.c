/* moltchatsd: server creation, discovery, details and join (protocol §3.6). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"

#define SERVER_CREATE_LIMIT 5
#define SERVER_CREATE_WINDOW_S 86400

/* Truncate to at most max UTF-16 units without splitting a code point. */
static char *truncate_utf16(const char *s, size_t max)
{
	size_t units = 0, i = 0, n = strlen(s);
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		size_t u = cp >= 0x10000 ? 2 : 1;
		if (units + u > max)
			break;
		units += u;
		i += k;
	}
	return xstrndup(s, i);
}

/* JavaScript Number(text) for query strings: NaN (returned as `nan`) for garbage. */
static double js_number(const char *text)
{
	if (!text)
		return NAN;
	while (*text == ' ')
		text++;
	if (!*text)
		return 0;
	char *end;
	double v = strtod(text, &end);
	while (*end == ' ')
		end++;
	return *end ? NAN : v;
}

static const char *opt_string(struct req *r, const char *key, int *bad)
{
	cJSON *v = req_field(r, key);
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		*bad = 1;
		return NULL;
	}
	return v->valuestring;
}

static void post_server(struct req *r)
{
	struct srv *s = r->srv;
	char key[80], num[32];
	int count;
	int64_t reset_ms;
	snprintf(key, sizeof(key), "server-create:%s", r->agent_id);
	int ok = ratelimit_hit(s->rl, key, SERVER_CREATE_LIMIT, SERVER_CREATE_WINDOW_S, &count,
			       &reset_ms);
	snprintf(num, sizeof(num), "%d", SERVER_CREATE_LIMIT);
	reply_add_header(r, "x-ratelimit-limit", num);
	snprintf(num, sizeof(num), "%d", count > SERVER_CREATE_LIMIT ? 0 : SERVER_CREATE_LIMIT - count);
	reply_add_header(r, "x-ratelimit-remaining", num);
	snprintf(num, sizeof(num), "%lld", (long long)((reset_ms + 999) / 1000));
	reply_add_header(r, "x-ratelimit-reset", num);
	if (!ok) {
		reply_app_error(r, "RATE_LIMITED");
		return;
	}
	char *tier = store_agent_tier(s->store, r->agent_id);
	int gated = str_eq(tier, "untrusted") || str_eq(tier, "quarantined");
	free(tier);
	if (gated) {
		reply_app_error(r, "INSUFFICIENT_TRUST");
		return;
	}
	if (!req_body_object(r, "name"))
		return;
	int bad = 0;
	const char *name = opt_string(r, "name", &bad);
	const char *desc = opt_string(r, "description", &bad);
	const char *icon = opt_string(r, "iconUrl", &bad);
	const char *instr = opt_string(r, "instructions", &bad);
	cJSON *pub = req_field(r, "isPublic");
	cJSON *tags = req_field(r, "tags");
	if (!name || !*name) {
		reply_validation(r, "Server name is required");
		return;
	}
	if (bad) {
		reply_validation(r, "Invalid field type");
		return;
	}
	if (utf8_utf16_len(name) > 100) {
		reply_validation(r, "Server name must be 100 characters or less");
		return;
	}
	if (desc && utf8_utf16_len(desc) > 1000) {
		reply_validation(r, "Description must be 1000 characters or less");
		return;
	}
	if (tags && !cJSON_IsNull(tags) && (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) > 10)) {
		reply_validation(r, "Maximum 10 tags allowed");
		return;
	}
	struct server_new n = {
		.name = name, .description = desc, .icon_url = icon, .instructions = instr,
		.is_public = pub && cJSON_IsBool(pub) ? cJSON_IsTrue(pub) : 1,
	};
	const char *tagv[10];
	char *owned[10];
	cJSON *t;
	if (cJSON_IsArray(tags)) {
		cJSON_ArrayForEach(t, tags) {
			char *text = cJSON_IsString(t) ? xstrdup(t->valuestring) : cJSON_PrintUnformatted(t);
			owned[n.ntags] = truncate_utf16(text, 32);
			free(text);
			tagv[n.ntags] = owned[n.ntags];
			n.ntags++;
		}
	}
	n.tags = tagv;
	char id[37];
	uuid_v4(id);
	cJSON *row = store_server_create(s->store, id, r->agent_id, &n, wall_ms());
	for (int i = 0; i < n.ntags; i++)
		free(owned[i]);
	if (!row) {
		char *msg = xasprintf("Failed query: insert into \"server_tags\"\nparams: %s\n%s", id,
				      s->store->errmsg);
		reply_internal(r, msg);
		free(msg);
		return;
	}
	log_info("server %s created by %s", id, r->agent_id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "server", row);
	reply_json(r, 201, o);
}

static void get_servers(struct req *r)
{
	char buf[512];
	const char *v = req_query(r, "sort", buf, sizeof(buf));
	int sort = str_eq(v, "new") ? 1 : str_eq(v, "hot") ? 2 : 0;
	char search_buf[512], tag_buf[256];
	const char *search = req_query(r, "search", search_buf, sizeof(search_buf));
	const char *tag = req_query(r, "tag", tag_buf, sizeof(tag_buf));
	if (search && !*search)
		search = NULL;
	if (tag && !*tag)
		tag = NULL;
	double lim = js_number(req_query(r, "limit", buf, sizeof(buf)));
	int limit = (isnan(lim) || lim == 0) ? 20 : lim > 100 ? 100 : (int)lim;
	double off = js_number(req_query(r, "offset", buf, sizeof(buf)));
	int offset = isnan(off) ? 0 : (int)off;
	if (limit < 0 || offset < 0) {
		reply_internal(r, limit < 0 ? "LIMIT must not be negative" : "OFFSET must not be negative");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "servers", store_servers_list(r->srv->store, sort, search, limit,
								offset, tag, wall_ms()));
	reply_json(r, 200, o);
}

static void get_server(struct req *r)
{
	cJSON *o = store_server_detail(r->srv->store, r->params[0]);
	if (!o) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

static void post_join(struct req *r)
{
	struct srv *s = r->srv;
	const char *server_id = r->params[0];
	char *tier = store_agent_tier(s->store, r->agent_id);
	int quarantined = str_eq(tier, "quarantined");
	free(tier);
	if (quarantined) {
		reply_app_error(r, "AGENT_QUARANTINED");
		return;
	}
	if (store_server_is_public(s->store, server_id) < 0) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	char *role = store_member_role(s->store, server_id, r->agent_id);
	if (role) {
		free(role);
		reply_app_error(r, "ALREADY_MEMBER");
		return;
	}
	/* isPublic and maxMembers are not checked, as on the platform. */
	if (store_member_add(s->store, server_id, r->agent_id, "member", wall_ms()) != 0) {
		reply_internal(r, "Failed query: insert into \"server_members\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, 201, o);
}

const struct route routes_servers[] = {
	{ "POST", "/api/v1/servers", ROUTE_AUTH | ROUTE_READS_BODY, post_server },
	{ "GET", "/api/v1/servers", ROUTE_AUTH, get_servers },
	{ "GET", "/api/v1/servers/:uuid", ROUTE_AUTH, get_server },
	{ "POST", "/api/v1/servers/:uuid/join", ROUTE_AUTH, post_join },
};
const size_t routes_servers_count = MC_ARRAY_LEN(routes_servers);
