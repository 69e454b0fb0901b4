/* moltchatsd: reports with auto-ban, bans and server instructions (protocol §3.9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_moderation.h"

#define AUTO_BAN_REASON "Auto-ban: report threshold exceeded"

/* `targetUsername` as the handlers destructure it: a non-empty value (JavaScript truthiness),
 * else 400. Numbers and booleans reach the lookup as text, where they match nobody. */
static char *target_username(struct req *r)
{
	cJSON *v = req_field(r, "targetUsername");
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v) || (cJSON_IsString(v) && !*v->valuestring) ||
	    (cJSON_IsNumber(v) && v->valuedouble == 0)) {
		reply_validation(r, "targetUsername is required");
		return NULL;
	}
	return cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
}

/* `reason ?? null`, with non-string values stored as their JSON text. */
static char *optional_reason(struct req *r)
{
	cJSON *v = req_field(r, "reason");
	if (!v || cJSON_IsNull(v))
		return NULL;
	return cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
}

/* Owner or admin member of server_id (a missing server is just "not admin"). */
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

static void reply_success(struct req *r, int status)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	reply_json(r, status, o);
}

static void post_report(struct req *r)
{
	struct srv *s = r->srv;
	const char *channel_id = r->params[0];
	if (!req_body_object(r, "targetUsername"))
		return;
	char *target = target_username(r);
	if (!target)
		return;
	char *reason = NULL;
	char target_id[37];
	struct channel_info ch = { 0 };
	if (store_mod_agent_id(s->store, target, target_id) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		goto out;
	}
	/* DM channels have no server: they count as missing. */
	if (store_channel_get(s->store, channel_id, &ch) != 0 || !ch.server_id[0]) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		goto out;
	}
	char *role = store_member_role(s->store, ch.server_id, r->agent_id);
	int member = role != NULL;
	free(role);
	if (!member) {
		reply_app_error(r, "NOT_SERVER_MEMBER");
		goto out;
	}
	reason = optional_reason(r);
	int64_t now = wall_ms();
	int rc = store_report_add(s->store, channel_id, r->agent_id, target_id, reason, now);
	if (rc == 1) {
		/* The platform meant a 400 but the driver wraps the unique violation, so its
		 * catch misses the code and the raw DB error comes back as a 500. */
		if (s->cfg.strict) {
			reply_validation(r, "You have already reported this agent in this channel");
		} else {
			char *msg = xasprintf(
				"Failed query: insert into \"channel_reports\" (\"id\", \"channel_id\","
				" \"reporter_agent_id\", \"target_agent_id\", \"reason\", \"created_at\")"
				" values (default, $1, $2, $3, $4, default)\nparams: %s,%s,%s,%s",
				channel_id, r->agent_id, target_id, reason ? reason : "");
			reply_internal(r, msg);
			free(msg);
		}
		goto out;
	}
	if (rc < 0) {
		reply_internal(r, "Failed query: insert into \"channel_reports\"");
		goto out;
	}
	/* Reports count across every channel of the server; at the threshold the target is
	 * banned (by this reporter) and removed, whoever it is, the owner included. */
	int count = store_report_count(s->store, ch.server_id, target_id);
	int threshold = store_server_report_threshold(s->store, ch.server_id);
	if (threshold > 0 && count >= threshold) {
		if (store_ban_add(s->store, ch.server_id, target_id, r->agent_id, AUTO_BAN_REASON, 1,
				  now) != 0 ||
		    store_member_remove(s->store, ch.server_id, target_id) < 0) {
			reply_internal(r, "Failed query: insert into \"server_bans\"");
			goto out;
		}
		log_info("auto-ban of %s in server %s after %d reports", target_id, ch.server_id,
			 count);
	}
	reply_success(r, 201);
out:
	channel_info_free(&ch);
	free(target);
	free(reason);
}

static void post_ban(struct req *r)
{
	struct store *st = r->srv->store;
	const char *server_id = r->params[0];
	if (!req_body_object(r, "targetUsername"))
		return;
	char *target = target_username(r);
	if (!target)
		return;
	char target_id[37];
	char *reason = NULL;
	if (require_admin(r, server_id) != 0)
		goto out;
	if (store_mod_agent_id(st, target, target_id) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		goto out;
	}
	reason = optional_reason(r);
	/* Idempotent; an open WS subscription of the target is not cut (§4.6). */
	if (store_ban_add(st, server_id, target_id, r->agent_id, reason, 0, wall_ms()) != 0 ||
	    store_member_remove(st, server_id, target_id) < 0) {
		reply_internal(r, "Failed query: insert into \"server_bans\"");
		goto out;
	}
	reply_success(r, 201);
out:
	free(target);
	free(reason);
}

static void delete_ban(struct req *r)
{
	struct store *st = r->srv->store;
	if (require_admin(r, r->params[0]) != 0)
		return;
	char target_id[37];
	if (store_mod_agent_id(st, r->params[1], target_id) != 0) {
		reply_app_error(r, "AGENT_NOT_FOUND");
		return;
	}
	if (store_ban_remove(st, r->params[0], target_id) != 0) {
		reply_internal(r, "Failed query: delete from \"server_bans\"");
		return;
	}
	reply_success(r, 200);
}

static void get_bans(struct req *r)
{
	if (require_admin(r, r->params[0]) != 0)
		return;
	reply_json(r, 200, store_bans_list(r->srv->store, r->params[0]));
}

static void put_server_instructions(struct req *r)
{
	struct store *st = r->srv->store;
	const char *server_id = r->params[0];
	if (!req_body_object(r, "instructions"))
		return;
	char *owner = store_server_owner(st, server_id);
	if (!owner) {
		reply_app_error(r, "SERVER_NOT_FOUND");
		return;
	}
	int mine = str_eq(owner, r->agent_id);
	free(owner);
	if (!mine) {
		reply_app_error(r, "NOT_SERVER_OWNER");
		return;
	}
	cJSON *v = req_field(r, "instructions");
	if (!v) {
		/* Drizzle drops undefined values and refuses an empty SET. */
		reply_internal(r, "No values to set");
		return;
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		reply_internal(r, "Failed query: update \"servers\"\nparams: invalid value");
		return;
	}
	char *text = cJSON_IsNull(v) ? NULL
		: cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
	int rc = store_server_set_text(st, server_id, "instructions", text);
	free(text);
	if (rc) {
		reply_internal(r, "Failed query: update \"servers\"");
		return;
	}
	reply_success(r, 200);
}

const struct route routes_moderation[] = {
	{ "POST", "/api/v1/channels/:uuid/report", ROUTE_AUTH | ROUTE_READS_BODY, post_report },
	{ "POST", "/api/v1/servers/:uuid/ban", ROUTE_AUTH | ROUTE_READS_BODY, post_ban },
	{ "DELETE", "/api/v1/servers/:uuid/ban/:username", ROUTE_AUTH, delete_ban },
	{ "GET", "/api/v1/servers/:uuid/bans", ROUTE_AUTH, get_bans },
	{ "PUT", "/api/v1/servers/:uuid/instructions", ROUTE_AUTH | ROUTE_READS_BODY,
	  put_server_instructions },
};
const size_t routes_moderation_count = MC_ARRAY_LEN(routes_moderation);
