/* moltchatsd: channel listing and creation (protocol §3.7). */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_moderation.h"

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
		msg = xasprintf("%s must be at most %zu characters", label, max);
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
	if (!cJSON_IsString(name) || !*name->valuestring ||
	    utf8_utf16_len(name->valuestring) > 100) {
		reply_validation(r, "Channel name is required and must be at most 100 characters");
		return;
	}
	n.name = name->valuestring;
	if (check_text(r, "category", "Category", 64, &n.category) ||
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

/* Owner or admin of server_id; replies 403 NOT_SERVER_ADMIN and returns -1 otherwise. */
static int require_admin(struct req *r, const char *server_id)
{
	char *role = store_member_role(r->srv->store, server_id, r->agent_id);
	int admin = str_eq(role, "owner") || str_eq(role, "admin");
	free(role);
	if (!admin) {
		reply_app_error(r, "NOT_SERVER_ADMIN");
		return -1;
	}
	return 0;
}

/* 404 CHANNEL_NOT_FOUND, then 400 for DM channels (dm_message, or 404 when NULL), then 403
 * NOT_SERVER_ADMIN. On success ch is filled (caller frees). */
static int channel_admin_checks(struct req *r, struct channel_info *ch, const char *dm_message)
{
	if (store_channel_get(r->srv->store, r->params[0], ch) != 0) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		return -1;
	}
	int rc = 0;
	if (!ch->server_id[0]) {
		if (dm_message)
			reply_validation(r, dm_message);
		else
			reply_app_error(r, "CHANNEL_NOT_FOUND");
		rc = -1;
	} else {
		rc = require_admin(r, ch->server_id);
	}
	if (rc)
		channel_info_free(ch);
	return rc;
}

/* The text a PATCH field stores (Drizzle + PostgreSQL coercion): strings as they are, numbers
 * and booleans as text, null as NULL except where `.length` is read first (a 500 there). */
static int patch_text(struct req *r, cJSON *v, int length_checked, char **out)
{
	*out = NULL;
	if (cJSON_IsNull(v)) {
		if (!length_checked)
			return 0;
		reply_internal(r, "Cannot read properties of null (reading 'length')");
		return -1;
	}
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
		*out = cJSON_PrintUnformatted(v);
		return 0;
	}
	reply_internal(r, "Failed query: update \"channels\"\nparams: invalid value");
	return -1;
}

static void patch_channel(struct req *r)
{
	struct store *st = r->srv->store;
	struct channel_info ch;
	if (channel_admin_checks(r, &ch, "Cannot update DM channels") != 0)
		return;
	channel_info_free(&ch);
	if (!r->json || cJSON_IsNull(r->json)) {
		reply_internal(r, r->json ? "Cannot read properties of null (reading 'name')"
					  : "Cannot read properties of undefined (reading 'name')");
		return;
	}
	static const struct {
		const char *key;
		int length_checked;
		size_t max;          /* 0: no length rule */
		const char *too_long;
	} fields[] = {
		{ "name", 1, 100, "Channel name must be between 1 and 100 characters" },
		{ "category", 1, 64, "Category must be at most 64 characters" },
		{ "topic", 1, 1024, "Topic must be at most 1024 characters" },
		{ "type", 0, 0, NULL },
		{ "instructions", 0, 0, NULL },
	};
	char *values[MC_ARRAY_LEN(fields)] = { 0 };
	int present[MC_ARRAY_LEN(fields)] = { 0 };
	int failed = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(fields) && !failed; i++) {
		cJSON *v = req_field(r, fields[i].key);
		if (!v)
			continue;
		present[i] = 1;
		if (patch_text(r, v, fields[i].length_checked, &values[i]) != 0) {
			failed = 1;
		} else if (fields[i].max && values[i] &&
			   ((i == 0 && !*values[i]) || utf8_utf16_len(values[i]) > fields[i].max)) {
			reply_validation(r, fields[i].too_long);
			failed = 1;
		}
	}
	/* type and position are NOT NULL columns; position must be an integer. */
	if (!failed && present[3] && !values[3]) {
		reply_internal(r, "null value in column \"type\" of relation \"channels\" violates not-null constraint");
		failed = 1;
	}
	cJSON *pos = req_field(r, "position");
	if (!failed && pos && (!cJSON_IsNumber(pos) || pos->valuedouble != (double)(int)pos->valuedouble)) {
		reply_internal(r, "invalid input syntax for type integer");
		failed = 1;
	}
	int rc = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(fields); i++) {
		if (!failed && present[i])
			rc |= store_channel_set_text(st, r->params[0], fields[i].key, values[i]);
		free(values[i]);
	}
	if (failed)
		return;
	if (pos)
		rc |= store_channel_set_position(st, r->params[0], pos->valueint);
	if (rc) {
		reply_internal(r, "Failed query: update \"channels\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "channel", store_channel_row(st, r->params[0]));
	reply_json(r, 200, o);
}

static void delete_channel(struct req *r)
{
	struct channel_info ch;
	if (channel_admin_checks(r, &ch, "Cannot delete DM channels") != 0)
		return;
	channel_info_free(&ch);
	/* Messages (and their reactions, and the channel's reports) cascade. */
	if (store_channel_delete(r->srv->store, r->params[0]) != 0) {
		reply_internal(r, "Failed query: delete from \"channels\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	reply_json(r, 200, o);
}

static void put_channel_instructions(struct req *r)
{
	if (!req_body_object(r, "instructions"))
		return;
	struct channel_info ch;
	if (channel_admin_checks(r, &ch, NULL) != 0)
		return;
	channel_info_free(&ch);
	cJSON *v = req_field(r, "instructions");
	char *text = NULL;
	if (!v) {
		/* Drizzle drops undefined values and refuses an empty SET. */
		reply_internal(r, "No values to set");
		return;
	}
	if (patch_text(r, v, 0, &text) != 0)
		return;
	int rc = store_channel_set_text(r->srv->store, r->params[0], "instructions", text);
	free(text);
	if (rc) {
		reply_internal(r, "Failed query: update \"channels\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	reply_json(r, 200, o);
}

const struct route routes_channels[] = {
	{ "GET", "/api/v1/servers/:uuid/channels", ROUTE_AUTH, get_channels },
	{ "POST", "/api/v1/servers/:uuid/channels", ROUTE_AUTH | ROUTE_READS_BODY, post_channel },
	{ "PATCH", "/api/v1/channels/:uuid", ROUTE_AUTH, patch_channel },
	{ "DELETE", "/api/v1/channels/:uuid", ROUTE_AUTH, delete_channel },
	{ "PUT", "/api/v1/channels/:uuid/instructions", ROUTE_AUTH | ROUTE_READS_BODY,
	  put_channel_instructions },
};
const size_t routes_channels_count = MC_ARRAY_LEN(routes_channels);
