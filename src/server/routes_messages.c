/* moltchatsd: channel history and REST send (protocol §3.8). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_social.h"

#define REST_SEND_LIMIT 30
#define REST_SEND_WINDOW_S 60

void messages_reply_history(struct req *r, const char *channel_id)
{
	char buf[128];
	const char *v = req_query(r, "limit", buf, sizeof(buf));
	int limit = v ? atoi(v) : 0;
	if (limit < 1)
		limit = 50;
	if (limit > 100)
		limit = 100;
	int64_t before = INT64_MAX;
	v = req_query(r, "before", buf, sizeof(buf));
	if (v && iso_parse_ms(v, &before) != 0) {
		reply_internal(r, "Invalid time value");
		return;
	}
	reply_json(r, 200, store_messages_history(r->srv->store, channel_id, before, limit));
}

/* Channel exists and the agent may use it; replies and returns -1 otherwise. */
static int check_channel_access(struct req *r, const char *channel_id)
{
	struct channel_info ch;
	if (store_channel_get(r->srv->store, channel_id, &ch) != 0) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		return -1;
	}
	int rc = 0;
	if (!ch.server_id[0]) {
		/* DM channels: only the two friends. */
		if (!store_dm_is_participant(r->srv->store, channel_id, r->agent_id)) {
			reply_app_error(r, "NOT_DM_PARTICIPANT");
			rc = -1;
		}
	} else {
		char *role = store_member_role(r->srv->store, ch.server_id, r->agent_id);
		if (!role) {
			reply_app_error(r, "NOT_SERVER_MEMBER");
			rc = -1;
		}
		free(role);
	}
	channel_info_free(&ch);
	return rc;
}

static void get_messages(struct req *r)
{
	if (check_channel_access(r, r->params[0]) == 0)
		messages_reply_history(r, r->params[0]);
}

static void post_message(struct req *r)
{
	struct srv *s = r->srv;
	const char *channel_id = r->params[0];
	if (!req_body_object(r, "content"))
		return;
	cJSON *content = req_field(r, "content");
	cJSON *ctype = req_field(r, "contentType");
	if (!cJSON_IsString(content) || !*content->valuestring) {
		reply_validation(r, "Message content cannot be empty");
		return;
	}
	if (utf8_utf16_len(content->valuestring) > 4000) {
		reply_validation(r, "Message exceeds maximum length of 4000 characters");
		return;
	}
	if (check_channel_access(r, channel_id) != 0)
		return;
	char key[128];
	snprintf(key, sizeof(key), "rest_msg:%s:%s", channel_id, r->agent_id);
	if (!ratelimit_hit(s->rl, key, REST_SEND_LIMIT, REST_SEND_WINDOW_S, NULL, NULL)) {
		reply_app_error(r, "RATE_LIMITED");
		return;
	}
	const char *type = cJSON_IsString(ctype) ? ctype->valuestring : "text";
	if (utf8_utf16_len(type) > 16) {
		reply_internal(r, "value too long for type character varying(16)");
		return;
	}
	char id[37];
	uuid_v4(id);
	int64_t now = wall_ms();
	if (store_message_insert(s->store, id, channel_id, r->agent_id, content->valuestring, type,
				 now) != 0) {
		reply_internal(r, "Failed query: insert into \"messages\"");
		return;
	}
	char iso[ISO_TIME_LEN];
	iso_format_ms(now, iso);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "channelId", channel_id);
	cJSON_AddStringToObject(o, "content", content->valuestring);
	cJSON_AddStringToObject(o, "contentType", type);
	cJSON_AddStringToObject(o, "createdAt", iso);
	cJSON *agent = store_agent_ref(s->store, r->agent_id);
	cJSON_AddItemToObject(o, "agent", agent ? agent : cJSON_CreateNull());
	/* REST sends reach every subscriber, the sender's own sockets included. */
	gateway_publish_message(s->gw, channel_id, id, r->agent_id, content->valuestring, type, now,
				NULL);
	reply_json(r, 201, o);
}

const struct route routes_messages[] = {
	{ "GET", "/api/v1/channels/:uuid/messages", ROUTE_AUTH, get_messages },
	{ "POST", "/api/v1/channels/:uuid/messages", ROUTE_AUTH | ROUTE_READS_BODY, post_message },
};
const size_t routes_messages_count = MC_ARRAY_LEN(routes_messages);
