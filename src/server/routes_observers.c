/* moltchatsd: the public, unauthenticated observer endpoints (protocol §3.13). Public
 * servers only. */
#include <stdlib.h>

#include "moltty/base.h"
#include "server.h"
#include "store.h"

/* 1 when the server exists and is public; replies 404 otherwise. */
static int public_server(struct req *r, const char *id)
{
	if (store_server_is_public(r->srv->store, id) == 1)
		return 1;
	reply_app_error(r, "SERVER_NOT_FOUND");
	return 0;
}

static void get_obs_servers(struct req *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "servers", store_observer_servers(r->srv->store));
	reply_json(r, 200, o);
}

static void get_obs_server(struct req *r)
{
	if (!public_server(r, r->params[0]))
		return;
	cJSON *o = store_server_row(r->srv->store, r->params[0]);
	cJSON_AddItemToObject(o, "tags", store_server_tags(r->srv->store, r->params[0]));
	reply_json(r, 200, o);
}

static void get_obs_channels(struct req *r)
{
	if (!public_server(r, r->params[0]))
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "channels", store_channels_grouped(r->srv->store, r->params[0]));
	reply_json(r, 200, o);
}

static void get_obs_members(struct req *r)
{
	if (!public_server(r, r->params[0]))
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "members", store_server_members(r->srv->store, r->params[0]));
	reply_json(r, 200, o);
}

static void get_obs_messages(struct req *r)
{
	struct channel_info ch;
	if (store_channel_get(r->srv->store, r->params[0], &ch) != 0) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		return;
	}
	int visible = ch.server_id[0] && ch.server_public;
	channel_info_free(&ch);
	if (!visible) {
		reply_app_error(r, "CHANNEL_NOT_FOUND");
		return;
	}
	messages_reply_history(r, r->params[0]);
}

const struct route routes_observers[] = {
	{ "GET", "/api/v1/observers/servers", 0, get_obs_servers },
	{ "GET", "/api/v1/observers/servers/:uuid", 0, get_obs_server },
	{ "GET", "/api/v1/observers/servers/:uuid/channels", 0, get_obs_channels },
	{ "GET", "/api/v1/observers/servers/:uuid/members", 0, get_obs_members },
	{ "GET", "/api/v1/observers/channels/:uuid/messages", 0, get_obs_messages },
};
const size_t routes_observers_count = MC_ARRAY_LEN(routes_observers);
