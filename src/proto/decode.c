/* Decoders for REST bodies (protocol.md §3). Hostile input never crashes: wrong types become
 * NULL/defaults, items without an id are skipped, malformed JSON returns -1. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/proto.h"
#include "jsonutil.h"

static int ju_int_clamped(const cJSON *obj, const char *key, int def)
{
	long long v = ju_ll(obj, key, def);
	if (v > 1000000000LL || v < -1000000000LL)
		return def;
	return (int)v;
}

/* ---- free ---- */

void proto_agent_ref_free(struct proto_agent_ref *a)
{
	if (!a)
		return;
	free(a->id);
	free(a->username);
	free(a->display_name);
	free(a->avatar_url);
	memset(a, 0, sizeof(*a));
}

void proto_profile_free(struct proto_profile *p)
{
	if (!p)
		return;
	free(p->id);
	free(p->username);
	free(p->display_name);
	free(p->avatar_url);
	free(p->bio);
	free(p->agent_type);
	free(p->status);
	free(p->presence);
	free(p->created_at);
	free(p->last_seen_at);
	free(p->trust_tier);
	for (size_t i = 0; i < p->n_capabilities; i++)
		free(p->capabilities[i]);
	free(p->capabilities);
	memset(p, 0, sizeof(*p));
}

void proto_channel_free(struct proto_channel *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->server_id);
	free(c->category);
	free(c->name);
	free(c->type);
	free(c->topic);
	free(c->instructions);
	memset(c, 0, sizeof(*c));
}

void proto_server_free(struct proto_server *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->name);
	free(s->description);
	free(s->icon_url);
	free(s->owner_agent_id);
	free(s->instructions);
	free(s->role);
	free(s->created_at);
	free(s->joined_at);
	for (size_t i = 0; i < s->n_tags; i++)
		free(s->tags[i]);
	free(s->tags);
	for (size_t i = 0; i < s->n_channels; i++)
		proto_channel_free(&s->channels[i]);
	free(s->channels);
	memset(s, 0, sizeof(*s));
}

void proto_message_free(struct proto_message *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->channel_id);
	free(m->content);
	free(m->content_type);
	free(m->created_at);
	free(m->trust_tier);
	free(m->channel_name);
	free(m->server_name);
	free(m->server_id);
	proto_agent_ref_free(&m->agent);
	memset(m, 0, sizeof(*m));
}

void proto_member_free(struct proto_member *m)
{
	if (!m)
		return;
	free(m->agent_id);
	free(m->role);
	free(m->joined_at);
	free(m->username);
	free(m->display_name);
	free(m->avatar_url);
	free(m->presence);
	memset(m, 0, sizeof(*m));
}

void proto_friend_free(struct proto_friend *f)
{
	if (!f)
		return;
	free(f->friend_id);
	free(f->dm_channel_id);
	free(f->created_at);
	free(f->username);
	free(f->display_name);
	free(f->avatar_url);
	free(f->presence);
	memset(f, 0, sizeof(*f));
}

void proto_auth_free(struct proto_auth *a)
{
	if (!a)
		return;
	free(a->agent_id);
	free(a->challenge);
	/* tokens are secrets: wipe before release */
	if (a->token)
		memset(a->token, 0, strlen(a->token));
	if (a->refresh_token)
		memset(a->refresh_token, 0, strlen(a->refresh_token));
	free(a->token);
	free(a->refresh_token);
	memset(a, 0, sizeof(*a));
}

void proto_error_free(struct proto_error *e)
{
	if (!e)
		return;
	free(e->code);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

#define LIST_FREE(fn, type, itemfree)                     \
	void fn(type *l)                                  \
	{                                                 \
		if (!l)                                   \
			return;                           \
		for (size_t i = 0; i < l->n; i++)         \
			itemfree(&l->v[i]);               \
		free(l->v);                               \
		memset(l, 0, sizeof(*l));                 \
	}
LIST_FREE(proto_servers_free, struct proto_servers, proto_server_free)
LIST_FREE(proto_channels_free, struct proto_channels, proto_channel_free)
LIST_FREE(proto_messages_free, struct proto_messages, proto_message_free)
LIST_FREE(proto_members_free, struct proto_members, proto_member_free)
LIST_FREE(proto_friends_free, struct proto_friends, proto_friend_free)

/* ---- items ---- */

int proto_agent_ref_from_json(const struct cJSON *j, struct proto_agent_ref *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->id = ju_str(j, "id");
	out->username = ju_str(j, "username");
	out->display_name = ju_str(j, "displayName");
	out->avatar_url = ju_str(j, "avatarUrl");
	if (!out->id) {
		proto_agent_ref_free(out);
		return -1;
	}
	return 0;
}

int proto_channel_from_json(const struct cJSON *j, struct proto_channel *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->id = ju_str(j, "id");
	if (!out->id)
		return -1;
	out->server_id = ju_str(j, "serverId");
	out->category = ju_str(j, "category");
	out->name = ju_str(j, "name");
	out->type = ju_str_or(j, "type", "text");
	out->topic = ju_str(j, "topic");
	out->instructions = ju_str(j, "instructions");
	out->position = ju_int_clamped(j, "position", 0);
	return 0;
}

int proto_server_from_json(const struct cJSON *j, struct proto_server *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->id = ju_str(j, "id");
	if (!out->id)
		return -1;
	out->name = ju_str(j, "name");
	out->description = ju_str(j, "description");
	out->icon_url = ju_str(j, "iconUrl");
	out->owner_agent_id = ju_str(j, "ownerAgentId");
	out->instructions = ju_str(j, "instructions");
	out->role = ju_str(j, "role");
	out->created_at = ju_str(j, "createdAt");
	out->joined_at = ju_str(j, "joinedAt");
	out->is_public = ju_bool(j, "isPublic", 1);
	out->member_count = ju_ll(j, "memberCount", -1);
	out->max_members = ju_ll(j, "maxMembers", -1);
	out->report_threshold = ju_ll(j, "reportThreshold", -1);
	out->tags = ju_strings(j, "tags", &out->n_tags);
	const cJSON *chans = cJSON_GetObjectItemCaseSensitive(j, "channels");
	if (cJSON_IsArray(chans)) {
		int n = cJSON_GetArraySize(chans);
		out->channels = xcalloc(n > 0 ? (size_t)n : 1, sizeof(struct proto_channel));
		const cJSON *c;
		cJSON_ArrayForEach(c, chans) {
			if (proto_channel_from_json(c, &out->channels[out->n_channels]) == 0)
				out->n_channels++;
		}
	}
	return 0;
}

int proto_message_from_json(const struct cJSON *j, struct proto_message *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->id = ju_str(j, "id");
	if (!out->id)
		return -1;
	out->channel_id = ju_str(j, "channelId");
	if (!out->channel_id)
		out->channel_id = ju_str(j, "channel"); /* WS frame */
	out->content = ju_str_or(j, "content", "");
	out->content_type = ju_str_or(j, "contentType", "text");
	out->created_at = ju_str(j, "createdAt");
	if (!out->created_at)
		out->created_at = ju_str(j, "timestamp"); /* WS frame */
	if (!out->created_at || iso_parse_ms(out->created_at, &out->created_ms) != 0)
		out->created_ms = 0;
	out->trust_tier = ju_str(j, "trustTier");
	out->channel_name = ju_str(j, "channelName");
	out->server_name = ju_str(j, "serverName");
	out->server_id = ju_str(j, "serverId");
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(j, "agent");
	if (proto_agent_ref_from_json(agent, &out->agent) != 0)
		memset(&out->agent, 0, sizeof(out->agent));
	return 0;
}

static int member_from_json(const cJSON *j, struct proto_member *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->agent_id = ju_str(j, "agentId");
	if (!out->agent_id)
		return -1;
	out->role = ju_str(j, "role");
	out->joined_at = ju_str(j, "joinedAt");
	out->username = ju_str(j, "username");
	out->display_name = ju_str(j, "displayName");
	out->avatar_url = ju_str(j, "avatarUrl");
	out->presence = ju_str(j, "presence");
	return 0;
}

static int friend_from_json(const cJSON *j, struct proto_friend *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->dm_channel_id = ju_str(j, "dmChannelId");
	out->username = ju_str(j, "username");
	if (!out->dm_channel_id || !out->username) {
		proto_friend_free(out);
		return -1;
	}
	out->friend_id = ju_str(j, "friendId");
	out->created_at = ju_str(j, "createdAt");
	out->display_name = ju_str(j, "displayName");
	out->avatar_url = ju_str(j, "avatarUrl");
	out->presence = ju_str(j, "presence");
	return 0;
}

/* ---- bodies ---- */

int proto_profile_from_json(const struct cJSON *j, struct proto_profile *out)
{
	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(j))
		return -1;
	out->id = ju_str(j, "id");
	out->username = ju_str(j, "username");
	if (!out->id || !out->username) {
		proto_profile_free(out);
		return -1;
	}
	out->display_name = ju_str(j, "displayName");
	out->avatar_url = ju_str(j, "avatarUrl");
	out->bio = ju_str(j, "bio");
	out->agent_type = ju_str(j, "agentType");
	out->status = ju_str(j, "status");
	out->presence = ju_str(j, "presence");
	out->created_at = ju_str(j, "createdAt");
	out->last_seen_at = ju_str(j, "lastSeenAt");
	out->trust_tier = ju_str(j, "trustTier");
	out->karma = ju_ll(j, "karma", 0);
	out->eigentrust_score = ju_double(j, "eigentrustScore", 0);
	out->capabilities = ju_strings(j, "capabilities", &out->n_capabilities);
	return 0;
}

int proto_decode_profile(const char *body, size_t len, struct proto_profile *out)
{
	cJSON *j = ju_parse(body, len);
	int rc = proto_profile_from_json(j, out);
	cJSON_Delete(j);
	return rc;
}

int proto_decode_auth(const char *body, size_t len, struct proto_auth *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	out->agent_id = ju_str(j, "agentId");
	out->challenge = ju_str(j, "challenge");
	out->token = ju_str(j, "token");
	out->refresh_token = ju_str(j, "refreshToken");
	cJSON_Delete(j);
	if (!out->agent_id && !out->challenge && !out->token) {
		proto_auth_free(out); /* a lone refreshToken: don't leak it (callers free nothing on -1) */
		return -1;
	}
	return 0;
}

int proto_decode_server(const char *body, size_t len, struct proto_server *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *node = j;
	const cJSON *wrapped = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "server") : NULL;
	if (cJSON_IsObject(wrapped))
		node = wrapped;
	int rc = proto_server_from_json(node, out);
	cJSON_Delete(j);
	return rc;
}

/* Decode array `arr` with item decoder fn into a freshly allocated vector. */
#define DECODE_ARRAY(arr, list, type, fn)                                              \
	do {                                                                           \
		int n_ = cJSON_GetArraySize(arr);                                      \
		(list)->v = xcalloc(n_ > 0 ? (size_t)n_ : 1, sizeof(type));            \
		const cJSON *it_;                                                      \
		cJSON_ArrayForEach(it_, arr) {                                         \
			(list)->n_raw++;                                               \
			if (fn(it_, &(list)->v[(list)->n]) == 0)                       \
				(list)->n++;                                           \
		}                                                                      \
	} while (0)

/* The array under obj[key], or NULL (j not an object, key missing, not an array). */
static const cJSON *wrapped_array(const cJSON *j, const char *key)
{
	if (!cJSON_IsObject(j))
		return NULL;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, key);
	return cJSON_IsArray(a) ? a : NULL;
}

int proto_decode_servers(const char *body, size_t len, struct proto_servers *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *arr = wrapped_array(j, "servers");
	if (!arr) {
		cJSON_Delete(j);
		return -1;
	}
	DECODE_ARRAY(arr, out, struct proto_server, proto_server_from_json);
	cJSON_Delete(j);
	return 0;
}

int proto_decode_channels(const char *body, size_t len, struct proto_channels *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *groups = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "channels") : NULL;
	if (cJSON_IsArray(groups)) {
		DECODE_ARRAY(groups, out, struct proto_channel, proto_channel_from_json);
		cJSON_Delete(j);
		return 0;
	}
	if (!cJSON_IsObject(groups)) {
		cJSON_Delete(j);
		return -1;
	}
	size_t total = 0;
	const cJSON *g;
	cJSON_ArrayForEach(g, groups) {
		if (cJSON_IsArray(g))
			total += (size_t)cJSON_GetArraySize(g);
	}
	out->v = xcalloc(total ? total : 1, sizeof(struct proto_channel));
	cJSON_ArrayForEach(g, groups) {
		if (!cJSON_IsArray(g))
			continue;
		const char *key = g->string;
		const cJSON *c;
		cJSON_ArrayForEach(c, g) {
			out->n_raw++;
			struct proto_channel *pc = &out->v[out->n];
			if (proto_channel_from_json(c, pc) != 0)
				continue;
			if (!pc->category && key && strcmp(key, "uncategorized") != 0)
				pc->category = xstrdup(key);
			out->n++;
		}
	}
	cJSON_Delete(j);
	return 0;
}

int proto_decode_channel(const char *body, size_t len, struct proto_channel *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *node = j;
	const cJSON *wrapped = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "channel") : NULL;
	if (cJSON_IsObject(wrapped))
		node = wrapped;
	int rc = proto_channel_from_json(node, out);
	cJSON_Delete(j);
	return rc;
}

int proto_decode_message(const char *body, size_t len, struct proto_message *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	int rc = proto_message_from_json(j, out);
	cJSON_Delete(j);
	return rc;
}

int proto_decode_messages(const char *body, size_t len, struct proto_messages *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	if (!cJSON_IsArray(j)) {
		cJSON_Delete(j);
		return -1;
	}
	DECODE_ARRAY(j, out, struct proto_message, proto_message_from_json);
	cJSON_Delete(j);
	return 0;
}

int proto_decode_members(const char *body, size_t len, struct proto_members *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *arr = wrapped_array(j, "members");
	if (!arr) {
		cJSON_Delete(j);
		return -1;
	}
	DECODE_ARRAY(arr, out, struct proto_member, member_from_json);
	cJSON_Delete(j);
	return 0;
}

int proto_decode_friends(const char *body, size_t len, struct proto_friends *out)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = ju_parse(body, len);
	const cJSON *arr = wrapped_array(j, "friends");
	if (!arr) {
		cJSON_Delete(j);
		return -1;
	}
	DECODE_ARRAY(arr, out, struct proto_friend, friend_from_json);
	cJSON_Delete(j);
	return 0;
}

int proto_is_upper_snake(const char *s)
{
	if (!s || !(*s >= 'A' && *s <= 'Z'))
		return 0;
	for (; *s; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	}
	return 1;
}

void proto_decode_error(int status, const char *body, size_t len, struct proto_error *out)
{
	memset(out, 0, sizeof(*out));
	out->status = status;
	cJSON *j = ju_parse(body, len);
	if (cJSON_IsObject(j)) {
		char *code = ju_str(j, "code");
		char *error = ju_str(j, "error");
		if (code && code[0]) {
			out->code = code;
			code = NULL;
		} else if (proto_is_upper_snake(error)) {
			out->code = xstrdup(error);
		}
		out->message = ju_str(j, "message");
		if ((!out->message || !out->message[0]) && error) {
			free(out->message);
			out->message = xstrdup(error);
		}
		long long st = ju_ll(j, "statusCode", 0);
		if (!status && st > 0 && st < 1000)
			out->status = (int)st;
		free(code);
		free(error);
	}
	cJSON_Delete(j);
	if (!out->message || !out->message[0]) {
		free(out->message);
		out->message = xasprintf("HTTP %d", out->status);
	}
}
