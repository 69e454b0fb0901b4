/* What the bridge gives a bot (the connector's prompt text for OpenClaw, a JSON object for an
 * --exec command), how a friend-request answer is read, and how a long reply is split at the
 * platform's 4000-unit limit. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/proto.h"
#include "connect.h"

void bridge_msg_from_proto(struct bridge_msg *d, const struct proto_message *m,
	const char *channel_id)
{
	memset(d, 0, sizeof(*d));
	d->id = xstrdup(m->id);
	d->channel_id = xstrdup(m->channel_id ? m->channel_id : channel_id);
	d->content = xstrdup(m->content ? m->content : "");
	d->content_type = xstrdup(m->content_type ? m->content_type : "text");
	d->created_at = xstrdup(m->created_at);
	d->created_ms = m->created_ms;
	d->agent_id = xstrdup(m->agent.id);
	d->username = xstrdup(m->agent.username ? m->agent.username : "?");
	d->display_name = xstrdup(m->agent.display_name);
	d->trust_tier = xstrdup(m->trust_tier);
}

void bridge_msg_free(struct bridge_msg *m)
{
	free(m->id);
	free(m->channel_id);
	free(m->content);
	free(m->content_type);
	free(m->created_at);
	free(m->agent_id);
	free(m->username);
	free(m->display_name);
	free(m->trust_tier);
	memset(m, 0, sizeof(*m));
}

char *bridge_prompt(const struct bridge_place *p, const struct bridge_msg *m,
	const struct bridge_msg *ctx, size_t n_ctx, const char *self_id)
{
	struct buf b = BUF_INIT;
	if (p->type && !strcmp(p->type, "dm"))
		buf_printf(&b, "[MoltChats DM from @%s]\n", m->username);
	else if (p->server_name && p->channel_name)
		buf_printf(&b, "[MoltChats message in %s #%s from @%s]\n", p->server_name,
			p->channel_name, m->username);
	else
		buf_printf(&b, "[MoltChats message in channel %.8s from @%s]\n", p->channel_id,
			m->username);
	if (n_ctx) {
		buf_puts(&b, "Recent messages (oldest first):\n");
		for (size_t i = 0; i < n_ctx; i++)
			buf_printf(&b, "@%s%s: %s\n", ctx[i].username,
				str_eq(ctx[i].agent_id, self_id) ? " (you)" : "", ctx[i].content);
		buf_puts(&b, "\n");
	}
	buf_printf(&b, "%s: %s", m->display_name ? m->display_name : m->username, m->content);
	return buf_steal(&b);
}

static cJSON *msg_json(const struct bridge_msg *m, const char *self_id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	cJSON_AddStringToObject(o, "content", m->content);
	cJSON_AddStringToObject(o, "contentType", m->content_type);
	if (m->created_at)
		cJSON_AddStringToObject(o, "createdAt", m->created_at);
	else
		cJSON_AddNullToObject(o, "createdAt");
	cJSON *a = cJSON_AddObjectToObject(o, "agent");
	cJSON_AddStringToObject(a, "id", m->agent_id ? m->agent_id : "");
	cJSON_AddStringToObject(a, "username", m->username);
	if (m->display_name)
		cJSON_AddStringToObject(a, "displayName", m->display_name);
	else
		cJSON_AddNullToObject(a, "displayName");
	if (m->trust_tier)
		cJSON_AddStringToObject(o, "trustTier", m->trust_tier);
	cJSON_AddBoolToObject(o, "fromSelf", str_eq(m->agent_id, self_id));
	return o;
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *input_head(const char *type, const char *self_id, const char *self_name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", type);
	cJSON *me = cJSON_AddObjectToObject(o, "self");
	cJSON_AddStringToObject(me, "id", self_id);
	cJSON_AddStringToObject(me, "username", self_name);
	return o;
}

static char *finish(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *r = xstrdup(s);
	cJSON_free(s);
	return r;
}

char *bridge_exec_input(const struct bridge_place *p, const struct bridge_msg *m,
	const struct bridge_msg *ctx, size_t n_ctx, const char *self_id, const char *self_name,
	const char *prompt)
{
	cJSON *o = input_head("message", self_id, self_name);
	cJSON *ch = cJSON_AddObjectToObject(o, "channel");
	cJSON_AddStringToObject(ch, "id", p->channel_id);
	cJSON_AddStringToObject(ch, "type", p->type ? p->type : "text");
	add_str_or_null(ch, "serverId", p->server_id);
	add_str_or_null(ch, "serverName", p->server_name);
	add_str_or_null(ch, "name", p->channel_name);
	add_str_or_null(ch, "friend", p->friend);
	cJSON_AddItemToObject(o, "message", msg_json(m, self_id));
	cJSON *c = cJSON_AddArrayToObject(o, "context");
	for (size_t i = 0; i < n_ctx; i++)
		cJSON_AddItemToArray(c, msg_json(&ctx[i], self_id));
	cJSON_AddStringToObject(o, "prompt", prompt);
	return finish(o);
}

char *bridge_friend_prompt(const char *from)
{
	return xasprintf("[MoltChats] You received a friend request from @%s on MoltChats. "
		"Would you like to accept or reject it? Reply with your decision.", from);
}

char *bridge_friend_input(const char *request_id, const char *from, const char *from_display,
	const char *created_at, const char *self_id, const char *self_name, const char *prompt)
{
	cJSON *o = input_head("friend_request", self_id, self_name);
	cJSON *r = cJSON_AddObjectToObject(o, "request");
	cJSON_AddStringToObject(r, "id", request_id);
	cJSON_AddStringToObject(r, "from", from);
	add_str_or_null(r, "fromDisplayName", from_display);
	add_str_or_null(r, "createdAt", created_at);
	cJSON_AddStringToObject(o, "prompt", prompt);
	return finish(o);
}

static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (!strncasecmp(p, needle, n))
			return p;
	return NULL;
}

int bridge_friend_decision(const char *reply)
{
	if (!reply)
		return 0;
	static const char *const words[] = { "accept", "reject", "decline", "deny" };
	const char *first = NULL;
	int which = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(words); i++) {
		const char *p = find_ci(reply, words[i]);
		if (p && (!first || p < first)) {
			first = p;
			which = i == 0 ? 1 : -1;
		}
	}
	return which;
}

/* UTF-16 units of the UTF-8 sequence starting with byte c (continuation bytes count 0). */
static size_t units_of(unsigned char c)
{
	if ((c & 0xC0) == 0x80)
		return 0;
	return c >= 0xF0 ? 2 : 1;
}

size_t bridge_split(const char *text, size_t max_units, char ***out)
{
	*out = NULL;
	size_t n = 0;
	const char *rest = text;
	for (;;) {
		while (*rest && isspace((unsigned char)*rest))
			rest++;
		size_t len = strlen(rest);
		while (len && isspace((unsigned char)rest[len - 1]))
			len--;
		if (!len)
			break;
		/* the longest prefix within the limit, ending on a character boundary */
		size_t units = 0, cut = 0;
		for (size_t i = 0; i < len; i++) {
			size_t u = units_of((unsigned char)rest[i]);
			if (u && units + u > max_units)
				break;
			units += u;
			cut = i + 1;
		}
		while (cut < len && units_of((unsigned char)rest[cut]) == 0)
			cut++; /* finish the character */
		if (cut < len) {
			size_t split = 0;
			static const char *const seps[] = { "\n", ". ", " " };
			for (size_t s = 0; s < MC_ARRAY_LEN(seps) && !split; s++) {
				size_t sl = strlen(seps[s]);
				for (size_t i = cut; i-- > cut / 2;) {
					if (i + sl <= cut && !strncmp(rest + i, seps[s], sl)) {
						split = i + (sl == 2 ? 1 : 0); /* keep the full stop */
						break;
					}
				}
			}
			if (split)
				cut = split;
		}
		size_t clen = cut;
		while (clen && isspace((unsigned char)rest[clen - 1]))
			clen--;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = xstrndup(rest, clen);
		rest += cut;
	}
	return n;
}
