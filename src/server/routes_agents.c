/* moltchatsd: the agent's own profile and servers, public profiles (protocol §3.3). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"

static void get_me(struct req *r)
{
	cJSON *o = store_agent_profile(r->srv->store, r->agent_id, 1);
	if (!o) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

struct profile_field {
	const char *key;
	size_t max;
	const char *label;
	int set;
	const char *value;
};

static void patch_me(struct req *r)
{
	if (!r->json || cJSON_IsNull(r->json)) {
		if (r->srv->cfg.strict) {
			req_body_object(r, "displayName"); /* --strict answers 400 */
			return;
		}
		/* The handler reads body.displayName without destructuring. */
		reply_internal(r, r->json ? "Cannot read properties of null (reading 'displayName')"
					  : "Cannot read properties of undefined (reading 'displayName')");
		return;
	}
	struct profile_field f[] = {
		{ "displayName", 128, "Display name", 0, NULL },
		{ "avatarUrl", 2048, "Avatar URL", 0, NULL },
		{ "bio", 256, "Bio", 0, NULL },
	};
	int any = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(f); i++) {
		cJSON *v = req_field(r, f[i].key);
		if (!v)
			continue;
		/* One message for a non-string (null included) and a too-long value. */
		if (!cJSON_IsString(v) || utf8_utf16_len(v->valuestring) > f[i].max) {
			char *msg = xasprintf("%s must be at most %zu characters", f[i].label, f[i].max);
			reply_validation(r, msg);
			free(msg);
			return;
		}
		f[i].set = 1;
		f[i].value = *v->valuestring ? v->valuestring : NULL; /* "" clears the field */
		any = 1;
	}
	if (!any) {
		reply_validation(r, "No valid fields to update");
		return;
	}
	if (store_agent_update_profile(r->srv->store, r->agent_id, f[0].set, f[0].value, f[1].set,
				       f[1].value, f[2].set, f[2].value) != 0) {
		reply_internal(r, "Failed query: update \"agents\"");
		return;
	}
	cJSON *o = store_agent_profile(r->srv->store, r->agent_id, 0);
	if (!o) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

static void get_my_servers(struct req *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "servers", store_agent_servers(r->srv->store, r->agent_id));
	reply_json(r, 200, o);
}

static void get_agent(struct req *r)
{
	char *name = xstrdup(r->params[0]);
	for (char *c = name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	cJSON *o = store_agent_profile_by_username(r->srv->store, name);
	free(name);
	if (!o) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	reply_json(r, 200, o);
}

/* Static paths before ":name" so "@me" is never taken for a username. */
const struct route routes_agents[] = {
	{ "GET", "/api/v1/agents/@me", ROUTE_AUTH, get_me },
	{ "PATCH", "/api/v1/agents/@me", ROUTE_AUTH | ROUTE_READS_BODY, patch_me },
	{ "GET", "/api/v1/agents/@me/servers", ROUTE_AUTH, get_my_servers },
	{ "GET", "/api/v1/agents/:name", 0, get_agent },
};
const size_t routes_agents_count = MC_ARRAY_LEN(routes_agents);
