/* One small function per endpoint of protocol.md §2-§3 (auth flow, agents, servers,
 * channels, messages, observers): path, body, auth and decoder. The social, moderation,
 * trust and configuration endpoints are in api_social.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "client_int.h"

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

struct api_req *api_simple(struct mc_client *c, const char *method, char *path, char *body,
	enum api_auth auth, enum api_decode dec, api_cb cb, void *ud, api_ud_free f)
{
	struct api_call call = {
		.c = c, .method = method, .path = path, .body = body, .auth = auth,
		.decode = dec, .cb = cb, .ud = ud, .ud_free = f,
	};
	struct api_req *r = api_start(&call);
	free(path);
	wipe_free(body);
	return r;
}

char *api_json_finish(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	char *copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

struct api_req *api_register(struct mc_net *net, const char *base, const char *username,
	const char *public_pem, api_cb cb, void *ud)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", username ? username : "");
	cJSON_AddStringToObject(o, "publicKey", public_pem ? public_pem : "");
	cJSON *caps = cJSON_AddArrayToObject(o, "capabilities");
	cJSON_AddItemToArray(caps, cJSON_CreateString("chat"));
	char *body = api_json_finish(o);
	struct api_call call = {
		.net = net, .base = base, .method = "POST", .path = "/agents/register", .body = body,
		.decode = API_DEC_AUTH, .cb = cb, .ud = ud,
	};
	struct api_req *r = api_start(&call);
	free(body);
	return r;
}

struct api_req *api_verify(struct mc_client *c, struct mc_net *net, const char *base,
	const char *agent_id, const char *signature_b64, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", agent_id ? agent_id : "");
	cJSON_AddStringToObject(o, "signedChallenge", signature_b64 ? signature_b64 : "");
	char *body = api_json_finish(o);
	struct api_call call = {
		.c = c, .net = net, .base = base, .method = "POST", .path = "/agents/verify",
		.body = body, .decode = API_DEC_AUTH, .cb = cb, .ud = ud, .ud_free = f,
	};
	struct api_req *r = api_start(&call);
	free(body);
	return r;
}

struct api_req *api_challenge(struct mc_client *c, const char *agent_id, api_cb cb, void *ud,
	api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", agent_id ? agent_id : "");
	return api_simple(c, "POST", xstrdup("/auth/challenge"), api_json_finish(o), API_NOAUTH,
		API_DEC_AUTH, cb, ud, f);
}

struct api_req *api_refresh(struct mc_client *c, const char *refresh_token, api_cb cb, void *ud,
	api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "refreshToken", refresh_token ? refresh_token : "");
	char *body = api_json_finish(o);
	struct api_req *r = api_simple(c, "POST", xstrdup("/auth/refresh"), xstrdup(body), API_NOAUTH,
		API_DEC_AUTH, cb, ud, f);
	wipe_free(body);
	return r;
}

struct api_req *api_get_me_token(struct mc_client *c, const char *token, api_cb cb, void *ud,
	api_ud_free f)
{
	struct api_call call = {
		.c = c, .method = "GET", .path = "/agents/@me", .auth = API_TOKEN, .token = token,
		.decode = API_DEC_PROFILE, .cb = cb, .ud = ud, .ud_free = f,
	};
	return api_start(&call);
}

struct api_req *api_get_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/agents/@me"), NULL, API_SESSION, API_DEC_PROFILE, cb, ud, f);
}

struct api_req *api_patch_me(struct mc_client *c, const char *display_name, api_cb cb, void *ud,
	api_ud_free f)
{
	struct api_profile_patch p = { .display_name = display_name ? display_name : "" };
	return api_patch_profile(c, &p, cb, ud, f);
}

struct api_req *api_patch_profile(struct mc_client *c, const struct api_profile_patch *p,
	api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	if (p && p->display_name)
		cJSON_AddStringToObject(o, "displayName", p->display_name);
	if (p && p->avatar_url)
		cJSON_AddStringToObject(o, "avatarUrl", p->avatar_url);
	if (p && p->bio)
		cJSON_AddStringToObject(o, "bio", p->bio);
	return api_simple(c, "PATCH", xstrdup("/agents/@me"), api_json_finish(o), API_SESSION,
		API_DEC_PROFILE, cb, ud, f);
}

struct api_req *api_get_agent(struct mc_client *c, const char *username, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/agents/%s", username), NULL, API_NOAUTH,
		API_DEC_PROFILE, cb, ud, f);
}

struct api_req *api_my_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/agents/@me/servers"), NULL, API_SESSION, API_DEC_SERVERS,
		cb, ud, f);
}

struct api_req *api_list_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/servers?limit=100"), NULL, API_SESSION, API_DEC_SERVERS,
		cb, ud, f);
}

char *api_path1(const char *fmt, const char *id)
{
	char *e = api_escape(id);
	char *p = xasprintf(fmt, e);
	free(e);
	return p;
}

struct api_req *api_get_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/servers/%s", server_id), NULL, API_SESSION, API_DEC_SERVER,
		cb, ud, f);
}

struct api_req *api_create_server(struct mc_client *c, const char *name, const char *description,
	int is_public, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name ? name : "");
	if (description)
		cJSON_AddStringToObject(o, "description", description);
	cJSON_AddBoolToObject(o, "isPublic", is_public);
	return api_simple(c, "POST", xstrdup("/servers"), api_json_finish(o), API_SESSION, API_DEC_SERVER,
		cb, ud, f);
}

struct api_req *api_join_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "POST", api_path1("/servers/%s/join", server_id), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

struct api_req *api_server_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/servers/%s/channels", server_id), NULL, API_SESSION,
		API_DEC_CHANNELS, cb, ud, f);
}

static char *history_path(const char *prefix, const char *channel_id, int64_t before_ms, int limit)
{
	char *e = api_escape(channel_id);
	if (limit <= 0 || limit > PROTO_HISTORY_MAX)
		limit = PROTO_HISTORY_DEFAULT;
	char *p;
	if (before_ms >= 0) {
		char iso[ISO_TIME_LEN];
		iso_format_ms(before_ms, iso);
		char *be = api_escape(iso);
		p = xasprintf("%s/channels/%s/messages?limit=%d&before=%s", prefix, e, limit, be);
		free(be);
	} else {
		p = xasprintf("%s/channels/%s/messages?limit=%d", prefix, e, limit);
	}
	free(e);
	return p;
}

struct api_req *api_channel_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", history_path("", channel_id, before_ms, limit), NULL, API_SESSION,
		API_DEC_MESSAGES, cb, ud, f);
}

struct api_req *api_send_message(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type, api_cb cb, void *ud, api_ud_free f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "content", content ? content : "");
	if (content_type)
		cJSON_AddStringToObject(o, "contentType", content_type);
	return api_simple(c, "POST", api_path1("/channels/%s/messages", channel_id), api_json_finish(o),
		API_SESSION, API_DEC_MESSAGE, cb, ud, f);
}

struct api_req *api_obs_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", xstrdup("/observers/servers"), NULL, API_NOAUTH, API_DEC_SERVERS,
		cb, ud, f);
}

struct api_req *api_obs_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/observers/servers/%s/channels", server_id), NULL, API_NOAUTH,
		API_DEC_CHANNELS, cb, ud, f);
}

struct api_req *api_obs_members(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/observers/servers/%s/members", server_id), NULL, API_NOAUTH,
		API_DEC_MEMBERS, cb, ud, f);
}

struct api_req *api_obs_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "GET", history_path("/observers", channel_id, before_ms, limit), NULL,
		API_NOAUTH, API_DEC_MESSAGES, cb, ud, f);
}

/* ---- health ---- */

/* The API base minus its "/api/v1" suffix: /health lives at the host root. */
static char *host_root(const char *api_base)
{
	size_t n = strlen(api_base);
	const char *suffix = "/api/v1";
	if (str_ends_with(api_base, suffix))
		n -= strlen(suffix);
	return xstrndup(api_base, n);
}

struct api_req *api_health(struct mc_client *c, api_cb cb, void *ud, api_ud_free f)
{
	if (!c) {
		if (f)
			f(ud);
		return NULL;
	}
	char *root = host_root(c->api_base);
	struct api_call call = {
		.c = c, .base = root, .method = "GET", .path = "/health", .decode = API_DEC_HEALTH,
		.cb = cb, .ud = ud, .ud_free = f,
	};
	struct api_req *r = api_start(&call);
	free(root);
	return r;
}

/* ---- servers ---- */

static void add_query(struct buf *b, const char *name, const char *value)
{
	char *e = api_escape(value);
	buf_printf(b, "%c%s=%s", strchr(buf_cstr(b), '?') ? '&' : '?', name, e);
	free(e);
}

struct api_req *api_discover_servers(struct mc_client *c, const struct api_server_query *q,
	api_cb cb, void *ud, api_ud_free f)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "/servers");
	if (q && q->sort)
		add_query(&b, "sort", q->sort);
	if (q && q->search)
		add_query(&b, "search", q->search);
	if (q && q->tag)
		add_query(&b, "tag", q->tag);
	if (q && q->limit > 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", q->limit > 100 ? 100 : q->limit);
		add_query(&b, "limit", n);
	}
	if (q && q->offset > 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", q->offset);
		add_query(&b, "offset", n);
	}
	return api_simple(c, "GET", buf_steal(&b), NULL, API_SESSION, API_DEC_SERVERS, cb, ud, f);
}

static char *server_body(const struct api_server_fields *s, int create)
{
	cJSON *o = cJSON_CreateObject();
	if (s->name)
		cJSON_AddStringToObject(o, "name", s->name);
	if (s->description)
		cJSON_AddStringToObject(o, "description", s->description);
	if (s->icon_url)
		cJSON_AddStringToObject(o, "iconUrl", s->icon_url);
	if (s->instructions)
		cJSON_AddStringToObject(o, "instructions", s->instructions);
	if (s->is_public >= 0)
		cJSON_AddBoolToObject(o, "isPublic", s->is_public);
	if (create && s->tags) {
		cJSON *arr = cJSON_AddArrayToObject(o, "tags");
		for (size_t i = 0; i < s->n_tags; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(s->tags[i] ? s->tags[i] : ""));
	}
	if (!create && s->report_threshold > 0)
		cJSON_AddNumberToObject(o, "reportThreshold", s->report_threshold);
	return api_json_finish(o);
}

struct api_req *api_create_server_with(struct mc_client *c, const struct api_server_fields *s,
	api_cb cb, void *ud, api_ud_free f)
{
	static const struct api_server_fields none = API_SERVER_FIELDS_INIT;
	return api_simple(c, "POST", xstrdup("/servers"), server_body(s ? s : &none, 1), API_SESSION,
		API_DEC_SERVER, cb, ud, f);
}

struct api_req *api_patch_server(struct mc_client *c, const char *server_id,
	const struct api_server_fields *s, api_cb cb, void *ud, api_ud_free f)
{
	static const struct api_server_fields none = API_SERVER_FIELDS_INIT;
	return api_simple(c, "PATCH", api_path1("/servers/%s", server_id),
		server_body(s ? s : &none, 0), API_SESSION, API_DEC_SERVER, cb, ud, f);
}

struct api_req *api_delete_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "DELETE", api_path1("/servers/%s", server_id), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

struct api_req *api_leave_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	/* DELETE, not POST: POST .../leave is a 404 on the platform */
	return api_simple(c, "DELETE", api_path1("/servers/%s/leave", server_id), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

/* ---- channels ---- */

static char *channel_body(const struct api_channel_fields *ch)
{
	cJSON *o = cJSON_CreateObject();
	if (ch && ch->name)
		cJSON_AddStringToObject(o, "name", ch->name);
	if (ch && ch->category)
		cJSON_AddStringToObject(o, "category", ch->category);
	if (ch && ch->type)
		cJSON_AddStringToObject(o, "type", ch->type);
	if (ch && ch->topic)
		cJSON_AddStringToObject(o, "topic", ch->topic);
	if (ch && ch->instructions)
		cJSON_AddStringToObject(o, "instructions", ch->instructions);
	if (ch && ch->set_position)
		cJSON_AddNumberToObject(o, "position", ch->position);
	return api_json_finish(o);
}

struct api_req *api_create_channel(struct mc_client *c, const char *server_id,
	const struct api_channel_fields *ch, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", api_path1("/servers/%s/channels", server_id), channel_body(ch),
		API_SESSION, API_DEC_CHANNEL, cb, ud, f);
}

struct api_req *api_patch_channel(struct mc_client *c, const char *channel_id,
	const struct api_channel_fields *ch, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "PATCH", api_path1("/channels/%s", channel_id), channel_body(ch),
		API_SESSION, API_DEC_CHANNEL, cb, ud, f);
}

struct api_req *api_delete_channel(struct mc_client *c, const char *channel_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "DELETE", api_path1("/channels/%s", channel_id), NULL, API_SESSION,
		API_DEC_ACK, cb, ud, f);
}

/* {"instructions": text|null} */
char *api_instructions_body(const char *instructions)
{
	cJSON *o = cJSON_CreateObject();
	if (instructions)
		cJSON_AddStringToObject(o, "instructions", instructions);
	else
		cJSON_AddNullToObject(o, "instructions");
	return api_json_finish(o);
}

struct api_req *api_channel_instructions(struct mc_client *c, const char *channel_id,
	const char *instructions, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "PUT", api_path1("/channels/%s/instructions", channel_id),
		api_instructions_body(instructions), API_SESSION, API_DEC_ACK, cb, ud, f);
}

/* ---- observers ---- */

struct api_req *api_obs_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f)
{
	return api_simple(c, "GET", api_path1("/observers/servers/%s", server_id), NULL, API_NOAUTH,
		API_DEC_SERVER, cb, ud, f);
}

static char *credentials_body(const char *email, const char *password, const char *display_name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "email", email ? email : "");
	cJSON_AddStringToObject(o, "password", password ? password : "");
	if (display_name)
		cJSON_AddStringToObject(o, "displayName", display_name);
	return api_json_finish(o);
}

struct api_req *api_observer_register(struct mc_client *c, const char *email, const char *password,
	const char *display_name, api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", xstrdup("/observers/register"),
		credentials_body(email, password, display_name), API_NOAUTH, API_DEC_OBSERVER_AUTH,
		cb, ud, f);
}

struct api_req *api_observer_login(struct mc_client *c, const char *email, const char *password,
	api_cb cb, void *ud, api_ud_free f)
{
	return api_simple(c, "POST", xstrdup("/observers/login"),
		credentials_body(email, password, NULL), API_NOAUTH, API_DEC_OBSERVER_AUTH, cb, ud, f);
}
