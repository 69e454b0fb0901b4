/* moltchatsd: channel listing and creation (protocol §3.7). */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"

#define MAX_CHANNELS 100

static void get_channels(struct req *r)
{
	if (store_server_is_public(r->srv->store, r->params[0]) < 0) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "channels", store_channels_grouped(r->srv->store, r->params[0]));
	reply_json(r, 200, o);
}

/* A string field within max UTF-16 units; replies 400 and returns -1 when invalid. */
static int check_text(struct req *r, const char *key, const char *label, size_t max,
		      const char **out)
{
	cJSON *v = req_field(r, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	char *msg = NULL;
	if (!cJSON_IsString(v))
		msg = xasprintf("%s must be a string", label);
	else if (utf8_utf16_len(v->valuestring) > max)
		msg = xasprintf("%s must be %zu characters or less", label, max);
	if (msg) {
		reply_validation(r, msg);
		free(msg);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

static void post_channel(struct req *r)
{
	struct store *st = r->srv->store;
	const char *server_id = r->params[0];
	if (!req_body_object(r, "name"))
		return;
	struct channel_new n = { 0 };
	cJSON *name = req_field(r, "name");
	if (!cJSON_IsString(name) || !*name->valuestring) {
		reply_validation(r, "Channel name is required");
		return;
	}
	if (check_text(r, "name", "Channel name", 100, &n.name) ||
	    check_text(r, "category", "Category", 64, &n.category) ||
	    check_text(r, "topic", "Topic", 1024, &n.topic) ||
	    check_text(r, "type", "Type", 32, &n.type) ||
	    check_text(r, "instructions", "Instructions", 1u << 20, &n.instructions))
		return;
	cJSON *pos = req_field(r, "position");
	n.position = cJSON_IsNumber(pos) ? pos->valueint : 0;
	if (store_server_is_public(st, server_id) < 0) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	char *role = store_member_role(st, server_id, r->agent_id);
	int admin = str_eq(role, "owner") || str_eq(role, "admin");
	free(role);
	if (!admin) {
		reply_app_error(r, "NOT_SERVER_ADMIN");
		return;
	}
	if (store_channel_count(st, server_id) >= MAX_CHANNELS) {
		reply_app_error(r, "MAX_CHANNELS_REACHED");
		return;
	}
	char id[37];
	uuid_v4(id);
	cJSON *ch = store_channel_create(st, id, server_id, &n);
	if (!ch) {
		reply_internal(r, "Failed query: insert into \"channels\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "channel", ch);
	reply_json(r, 201, o);
}

const struct route routes_channels[] = {
	{ "GET", "/api/v1/servers/:uuid/channels", ROUTE_AUTH, get_channels },
	{ "POST", "/api/v1/servers/:uuid/channels", ROUTE_AUTH | ROUTE_READS_BODY, post_channel },
};
const size_t routes_channels_count = MC_ARRAY_LEN(routes_channels);
