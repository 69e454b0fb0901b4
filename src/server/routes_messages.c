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

/* Channel exists and the agent may use it; replies and returns -1 otherwise. agent_ref (may
 * be NULL) gets the agent's reference object from the same query. */
static int check_channel_access(struct req *r, const char *channel_id, cJSON **agent_ref)
{
	int access = store_channel_access(r->srv->store, channel_id, r->agent_id, agent_ref);
	const char *fail = NULL;
	if (access < 0)
		fail = "CHANNEL_NOT_FOUND";
	else if (access == 1)
		fail = "NOT_SERVER_MEMBER";
	else if (access == 2 && !store_dm_is_participant(r->srv->store, channel_id, r->agent_id))
		fail = "NOT_DM_PARTICIPANT"; /* DM channels: only the two friends */
	if (!fail)
		return 0;
	if (agent_ref) {
		cJSON_Delete(*agent_ref);
		*agent_ref = NULL;
	}
	reply_app_error(r, fail);
	return -1;
}

static void get_messages(struct req *r)
{
	if (check_channel_access(r, r->params[0], NULL) == 0)
		messages_reply_history(r, r->params[0]);
}

/* A REST send waiting for its batch to be committed (store.h, group commit). */
struct rest_send {
	struct srv *srv;
	struct req *r;        /* NULL once the connection has gone */
	cJSON *reply;         /* the 201 body */
	char id[UUID_LEN + 1];
	char channel_id[UUID_LEN + 1];
	char agent_id[UUID_LEN + 1];
	int64_t created;
	char *content;
	char *type;
};

static void rest_send_free(struct rest_send *p)
{
	cJSON_Delete(p->reply);
	free(p->content);
	free(p->type);
	free(p);
}

static void rest_send_conn_closed(struct req *r)
{
	struct rest_send *p = r->pending;
	p->r = NULL;
	r->pending = NULL;
}

/* Committed (or not): only now may the 201 and the fan-out leave the process. */
static void rest_send_committed(void *ud, int ok)
{
	struct rest_send *p = ud;
	if (ok) /* REST sends reach every subscriber, the sender's own sockets included. */
		gateway_publish_message(p->srv->gw, p->channel_id, p->id, p->agent_id, p->content,
					p->type, p->created, NULL);
	struct req *r = p->r;
	if (r) {
		r->on_close = NULL;
		r->pending = NULL;
		if (ok) {
			reply_json(r, 201, p->reply);
			p->reply = NULL;
		} else {
			reply_internal(r, "Failed query: insert into \"messages\"");
		}
	}
	rest_send_free(p);
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
	cJSON *agent = NULL;
	if (check_channel_access(r, channel_id, &agent) != 0)
		return;
	char key[128];
	snprintf(key, sizeof(key), "rest_msg:%s:%s", channel_id, r->agent_id);
	if (!ratelimit_hit(s->rl, key, REST_SEND_LIMIT, REST_SEND_WINDOW_S, NULL, NULL)) {
		cJSON_Delete(agent);
		reply_app_error(r, "RATE_LIMITED");
		return;
	}
	const char *type = cJSON_IsString(ctype) ? ctype->valuestring : "text";
	if (utf8_utf16_len(type) > 16) {
		cJSON_Delete(agent);
		reply_internal(r, "value too long for type character varying(16)");
		return;
	}
	struct rest_send *p = xcalloc(1, sizeof(*p));
	p->srv = s;
	p->r = r;
	store_message_id(p->id);
	p->created = wall_ms();
	snprintf(p->channel_id, sizeof(p->channel_id), "%s", channel_id);
	snprintf(p->agent_id, sizeof(p->agent_id), "%s", r->agent_id);
	if (store_message_insert_batched(s->store, p->id, channel_id, r->agent_id,
					 content->valuestring, type, p->created,
					 rest_send_committed, p) != 0) {
		cJSON_Delete(agent);
		rest_send_free(p);
		reply_internal(r, "Failed query: insert into \"messages\"");
		return;
	}
	/* the reply is built now and sent from rest_send_committed */
	char iso[ISO_TIME_LEN];
	iso_format_ms(p->created, iso);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", p->id);
	cJSON_AddStringToObject(o, "channelId", channel_id);
	cJSON_AddStringToObject(o, "content", content->valuestring);
	cJSON_AddStringToObject(o, "contentType", type);
	cJSON_AddStringToObject(o, "createdAt", iso);
	cJSON_AddItemToObject(o, "agent", agent ? agent : cJSON_CreateNull());
	p->reply = o;
	p->content = xstrdup(content->valuestring);
	p->type = xstrdup(type);
	r->pending = p;
	r->on_close = rest_send_conn_closed;
}

const struct route routes_messages[] = {
	{ "GET", "/api/v1/channels/:uuid/messages", ROUTE_AUTH, get_messages },
	{ "POST", "/api/v1/channels/:uuid/messages", ROUTE_AUTH | ROUTE_READS_BODY, post_message },
};
const size_t routes_messages_count = MC_ARRAY_LEN(routes_messages);
