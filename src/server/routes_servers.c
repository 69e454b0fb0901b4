/* moltchatsd: server creation, discovery, details and join (protocol §3.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_moderation.h"

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

/* JavaScript parseInt(text, 10): leading spaces, a sign, then digits; 0 (and *ok = 0) when
 * there are no digits, like NaN. */
static long long js_parse_int(const char *text, int *ok)
{
	*ok = 0;
	if (!text)
		return 0;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	int neg = *text == '-';
	if (*text == '-' || *text == '+')
		text++;
	long long v = 0;
	for (; *text >= '0' && *text <= '9'; text++) {
		*ok = 1;
		if (v < 1000000000000LL)
			v = v * 10 + (*text - '0');
	}
	return neg ? -v : v;
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
	if (!name || !*name || utf8_utf16_len(name) > 100) {
		reply_validation(r, "Server name is required and must be at most 100 characters");
		return;
	}
	if (bad) {
		reply_validation(r, "Invalid field type");
		return;
	}
	if (desc && utf8_utf16_len(desc) > 1000) {
		reply_validation(r, "Description must be at most 1000 characters");
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
	/* Math.min(parseInt(limit) || 20, 100) and parseInt(offset) || 0 */
	int ok;
	long long lim = js_parse_int(req_query(r, "limit", buf, sizeof(buf)), &ok);
	int limit = (!ok || lim == 0) ? 20 : lim > 100 ? 100 : lim < -1000000 ? -1 : (int)lim;
	long long off = js_parse_int(req_query(r, "offset", buf, sizeof(buf)), &ok);
	int offset = !ok ? 0 : off > 1000000000 ? 1000000000 : off < -1000000 ? -1 : (int)off;
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
	if (store_ban_exists(s->store, server_id, r->agent_id)) {
		reply_app_error(r, "BANNED_FROM_SERVER");
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
	if (s->sim)
		sim_agent_joined(s->sim, r->agent_id, server_id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, 201, o);
}

/* Owner-only routes: 404 SERVER_NOT_FOUND, then 403 NOT_SERVER_OWNER. Returns 0 when the
 * caller owns the server, else replies and returns -1. */
static int require_owner(struct req *r, const char *server_id)
{
	char *owner = store_server_owner(r->srv->store, server_id);
	if (!owner) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return -1;
	}
	int mine = str_eq(owner, r->agent_id);
	free(owner);
	if (!mine) {
		reply_app_error(r, "NOT_SERVER_OWNER");
		return -1;
	}
	return 0;
}

/* The value a PATCH field would store in a text column, as Drizzle + PostgreSQL would:
 * strings as they are, numbers and booleans as their text, null as NULL. length_checked
 * fields read `.length` first, so null crashes there with a 500. Returns -1 after replying. */
static int patch_text(struct req *r, cJSON *v, int length_checked, char **out)
{
	*out = NULL;
	if (cJSON_IsNull(v)) {
		if (length_checked) {
			reply_internal(r, "Cannot read properties of null (reading 'length')");
			return -1;
		}
		return 0;
	}
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
		*out = cJSON_PrintUnformatted(v);
		return 0;
	}
	reply_internal(r, "Failed query: update \"servers\"\nparams: invalid value");
	return -1;
}

/* reportThreshold: JavaScript `value < 3` first (400), then PostgreSQL's integer input. */
static int patch_threshold(struct req *r, cJSON *v, int64_t *out)
{
	double js;
	if (cJSON_IsNumber(v))
		js = v->valuedouble;
	else if (cJSON_IsBool(v) || cJSON_IsNull(v))
		js = cJSON_IsTrue(v) ? 1 : 0;
	else if (cJSON_IsString(v)) {
		/* Number(text): blank is 0, garbage is NaN (never < 3, so it reaches the DB) */
		const char *p = v->valuestring;
		char *end;
		while (*p == ' ')
			p++;
		js = *p ? strtod(p, &end) : 0;
		if (*p) {
			while (*end == ' ')
				end++;
			if (*end)
				js = 3;
		}
	} else {
		js = 3; /* objects and arrays: let the integer input fail below */
	}
	if (js < 3) {
		reply_validation(r, "Report threshold must be at least 3");
		return -1;
	}
	char *text = cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
	char *end;
	long long n = strtoll(text, &end, 10);
	while (*end == ' ')
		end++;
	int bad = end == text || *end || n > 2147483647LL;
	if (bad) {
		char clean[64];
		utf8_sanitize_into(text, 0, clean, sizeof(clean));
		char *msg = xasprintf("invalid input syntax for type integer: \"%s\"", clean);
		reply_internal(r, msg);
		free(msg);
	}
	free(text);
	*out = n;
	return bad ? -1 : 0;
}

static void patch_server(struct req *r)
{
	struct store *st = r->srv->store;
	const char *id = r->params[0];
	if (require_owner(r, id) != 0)
		return;
	if (!r->json || cJSON_IsNull(r->json)) {
		reply_internal(r, r->json ? "Cannot read properties of null (reading 'name')"
					  : "Cannot read properties of undefined (reading 'name')");
		return;
	}
	/* Validate everything first: the platform runs one UPDATE after its checks. */
	static const struct {
		const char *key, *column;
		int length_checked;
	} text_fields[] = {
		{ "name", "name", 1 },
		{ "description", "description", 1 },
		{ "iconUrl", "icon_url", 0 },
		{ "instructions", "instructions", 0 },
	};
	char *values[MC_ARRAY_LEN(text_fields)] = { 0 };
	int present[MC_ARRAY_LEN(text_fields)] = { 0 };
	int failed = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(text_fields) && !failed; i++) {
		cJSON *v = req_field(r, text_fields[i].key);
		if (!v)
			continue;
		present[i] = 1;
		failed = patch_text(r, v, text_fields[i].length_checked, &values[i]) != 0;
	}
	if (!failed && present[0] && (!values[0] || !*values[0] || utf8_utf16_len(values[0]) > 100)) {
		reply_validation(r, "Server name must be between 1 and 100 characters");
		failed = 1;
	}
	if (!failed && present[1] && values[1] && utf8_utf16_len(values[1]) > 1000) {
		reply_validation(r, "Description must be at most 1000 characters");
		failed = 1;
	}
	cJSON *thr = req_field(r, "reportThreshold");
	int64_t threshold = 0;
	if (!failed && thr && patch_threshold(r, thr, &threshold) != 0)
		failed = 1;
	cJSON *pub = req_field(r, "isPublic");
	if (!failed && pub && !cJSON_IsBool(pub)) {
		reply_internal(r, cJSON_IsNull(pub)
			? "null value in column \"is_public\" of relation \"servers\" violates not-null constraint"
			: "invalid input syntax for type boolean");
		failed = 1;
	}
	int rc = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(text_fields); i++) {
		if (!failed && present[i])
			rc |= store_server_set_text(st, id, text_fields[i].column, values[i]);
		free(values[i]);
	}
	if (failed)
		return;
	if (pub)
		rc |= store_server_set_public(st, id, cJSON_IsTrue(pub));
	if (thr)
		rc |= store_server_set_threshold(st, id, threshold);
	if (rc) {
		reply_internal(r, "Failed query: update \"servers\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "server", store_server_row(st, id));
	reply_json(r, 200, o);
}

static void delete_server(struct req *r)
{
	if (require_owner(r, r->params[0]) != 0)
		return;
	/* Channels, messages, reactions, reports, memberships, tags and bans cascade. */
	if (store_server_delete(r->srv->store, r->params[0]) != 0) {
		reply_internal(r, "Failed query: delete from \"servers\"");
		return;
	}
	log_info("server %s deleted by %s", r->params[0], r->agent_id);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, 200, o);
}

static void delete_leave(struct req *r)
{
	struct store *st = r->srv->store;
	char *owner = store_server_owner(st, r->params[0]);
	if (!owner) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	int is_owner = str_eq(owner, r->agent_id);
	free(owner);
	if (is_owner) {
		reply_validation(r, "Server owner cannot leave. Transfer ownership or delete the server.");
		return;
	}
	int rc = store_member_remove(st, r->params[0], r->agent_id);
	if (rc < 0) {
		reply_internal(r, "Failed query: delete from \"server_members\"");
		return;
	}
	if (rc == 1) {
		reply_app_error(r, "NOT_SERVER_MEMBER");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, 200, o);
}

const struct route routes_servers[] = {
	{ "POST", "/api/v1/servers", ROUTE_AUTH | ROUTE_READS_BODY, post_server },
	{ "GET", "/api/v1/servers", ROUTE_AUTH, get_servers },
	{ "GET", "/api/v1/servers/:uuid", ROUTE_AUTH, get_server },
	{ "POST", "/api/v1/servers/:uuid/join", ROUTE_AUTH, post_join },
	{ "PATCH", "/api/v1/servers/:uuid", ROUTE_AUTH, patch_server },
	{ "DELETE", "/api/v1/servers/:uuid", ROUTE_AUTH, delete_server },
	{ "DELETE", "/api/v1/servers/:uuid/leave", ROUTE_AUTH, delete_leave },
};
const size_t routes_servers_count = MC_ARRAY_LEN(routes_servers);
