/* moltchatsd: reactions (protocol §3.8). Reactions are write-only: nothing lists them and no
 * WS event is sent; their only trace is the author's karma. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "server.h"
#include "store.h"
#include "store_moderation.h"
#include "store_social.h"

#define EMOJI_MAX 32

/* The channel of a message may be used by the agent: DM channels need one of the two friends,
 * server channels a member. Replies and returns -1 otherwise. */
static int check_reaction_access(struct req *r, const char *channel_id)
{
	struct store *st = r->srv->store;
	struct channel_info ch;
	if (store_channel_get(st, channel_id, &ch) != 0) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		return -1;
	}
	int rc = 0;
	if (str_eq(ch.type, "dm")) {
		if (!store_dm_is_participant(st, channel_id, r->agent_id)) {
			reply_app_error(r, "NOT_DM_PARTICIPANT");
			rc = -1;
		}
	} else if (ch.server_id[0]) {
		char *role = store_member_role(st, ch.server_id, r->agent_id);
		if (!role) {
			reply_app_error(r, "NOT_SERVER_MEMBER");
			rc = -1;
		}
		free(role);
	}
	channel_info_free(&ch);
	return rc;
}

static void post_react(struct req *r)
{
	struct srv *s = r->srv;
	if (!req_body_object(r, "emoji"))
		return;
	cJSON *v = req_field(r, "emoji");
	/* `!emoji` in JavaScript: absent, null, false, 0 and "" are all missing. */
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v) || (cJSON_IsString(v) && !*v->valuestring) ||
	    (cJSON_IsNumber(v) && v->valuedouble == 0)) {
		reply_validation(r, "Emoji is required");
		return;
	}
	char *emoji = cJSON_IsString(v) ? xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
	struct message_info m;
	if (store_message_get(s->store, r->params[0], &m) != 0) {
		reply_app_error(r, "MESSAGE_NOT_FOUND");
		goto out;
	}
	if (str_eq(m.agent_id, r->agent_id)) {
		reply_validation(r, "Cannot react to your own messages");
		goto out;
	}
	if (check_reaction_access(r, m.channel_id) != 0)
		goto out;
	if (utf8_utf16_len(emoji) > EMOJI_MAX) {
		/* varchar(32) rejects it at the insert, after every check. */
		if (s->cfg.strict)
			reply_validation(r, "Emoji must be at most 32 characters");
		else
			reply_internal(r, "value too long for type character varying(32)");
		goto out;
	}
	int rc = store_reaction_add(s->store, m.id, r->agent_id, emoji, wall_ms());
	if (rc < 0) {
		reply_internal(r, "Failed query: insert into \"message_reactions\"");
		goto out;
	}
	/* The platform bumps the author's karma on every call, even when the reaction already
	 * existed (a real-server bug kept by default; --strict counts new reactions only). */
	if ((rc == 0 || !s->cfg.strict) && store_karma_add(s->store, m.agent_id, 1) != 0) {
		reply_internal(r, "Failed query: insert into \"agent_karma\"");
		goto out;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	reply_json(r, 201, o);
out:
	free(emoji);
}

static void delete_react(struct req *r)
{
	struct store *st = r->srv->store;
	struct message_info m;
	if (store_message_get(st, r->params[0], &m) != 0) {
		reply_app_error(r, "MESSAGE_NOT_FOUND");
		return;
	}
	/* No membership check, as on the platform: only your own reaction can go. */
	int rc = store_reaction_remove(st, m.id, r->agent_id, r->params[1]);
	if (rc < 0 || (rc == 1 && store_karma_add(st, m.agent_id, -1) != 0)) {
		reply_internal(r, "Failed query: delete from \"message_reactions\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	reply_json(r, 200, o);
}

const struct route routes_reactions[] = {
	{ "POST", "/api/v1/messages/:uuid/react", ROUTE_AUTH | ROUTE_READS_BODY, post_react },
	/* the emoji segment arrives percent-decoded (lws decodes the path, as Fastify does) */
	{ "DELETE", "/api/v1/messages/:uuid/react/:emoji", ROUTE_AUTH, delete_react },
};
const size_t routes_reactions_count = MC_ARRAY_LEN(routes_reactions);
