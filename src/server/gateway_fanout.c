/* moltchatsd gateway: who receives what. Channels map to subscribed agents (keyed by agent,
 * not socket) and observer sockets; presence frames list the agents (protocol §4.6, §4.8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "gateway.h"
#include "store.h"

static void ptr_push(void ***arr, size_t *n, void *p)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = p;
}

/* Remove p keeping order (presence lists keep subscription order). */
static int ptr_remove(void **arr, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++) {
		if (arr[i] == p) {
			memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(*arr));
			(*n)--;
			return 1;
		}
	}
	return 0;
}

struct chan_live *chan_find(struct gateway *gw, const char *id)
{
	return strmap_get(gw->channels, id);
}

static struct chan_live *chan_get(struct gateway *gw, const char *id)
{
	struct chan_live *ch = strmap_get(gw->channels, id);
	if (ch)
		return ch;
	ch = xcalloc(1, sizeof(*ch));
	snprintf(ch->id, sizeof(ch->id), "%s", id);
	struct channel_info info;
	if (store_channel_get(gw->srv->store, id, &info) == 0) {
		snprintf(ch->server_id, sizeof(ch->server_id), "%s", info.server_id);
		channel_info_free(&info);
	}
	strmap_put(gw->channels, id, ch);
	return ch;
}

static void chan_maybe_free(struct gateway *gw, struct chan_live *ch)
{
	if (ch->nagents || ch->nobservers)
		return;
	strmap_remove(gw->channels, ch->id);
	free(ch->agents);
	free(ch->observers);
	free(ch);
}

void chan_add_agent(struct gateway *gw, const char *channel_id, struct agent_live *a)
{
	struct chan_live *ch = chan_get(gw, channel_id);
	for (size_t i = 0; i < ch->nagents; i++)
		if (ch->agents[i] == a)
			return;
	ptr_push((void ***)&ch->agents, &ch->nagents, a);
	ptr_push((void ***)&a->channels, &a->nchannels, xstrdup(channel_id));
}

void chan_remove_agent(struct gateway *gw, const char *channel_id, struct agent_live *a)
{
	for (size_t i = 0; i < a->nchannels; i++) {
		if (strcmp(a->channels[i], channel_id) == 0) {
			char *id = a->channels[i];
			ptr_remove((void **)a->channels, &a->nchannels, id);
			free(id);
			break;
		}
	}
	struct chan_live *ch = chan_find(gw, channel_id);
	if (!ch)
		return;
	ptr_remove((void **)ch->agents, &ch->nagents, a);
	chan_maybe_free(gw, ch);
}

void chan_add_observer(struct gateway *gw, const char *channel_id, struct ws_conn *c)
{
	struct chan_live *ch = chan_get(gw, channel_id);
	for (size_t i = 0; i < ch->nobservers; i++)
		if (ch->observers[i] == c)
			return;
	ptr_push((void ***)&ch->observers, &ch->nobservers, c);
}

void chan_remove_observer(struct gateway *gw, const char *channel_id, struct ws_conn *c)
{
	struct chan_live *ch = chan_find(gw, channel_id);
	if (!ch)
		return;
	ptr_remove((void **)ch->observers, &ch->nobservers, c);
	chan_maybe_free(gw, ch);
}

/* One copy of the frame for the whole channel: each queue holds a reference. */
void chan_send(struct chan_live *ch, const char *text, size_t len, const char *exclude_agent)
{
	struct ws_payload *p = ws_payload_new(text, len);
	for (size_t i = 0; i < ch->nagents; i++) {
		struct agent_live *a = ch->agents[i];
		if (exclude_agent && strcmp(a->id, exclude_agent) == 0)
			continue;
		for (size_t k = 0; k < a->nconns; k++)
			conn_send_payload(a->conns[k], p);
	}
	for (size_t i = 0; i < ch->nobservers; i++)
		conn_send_payload(ch->observers[i], p);
	ws_payload_unref(p);
}

cJSON *presence_frame(struct gateway *gw, struct chan_live *ch)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "presence");
	cJSON_AddStringToObject(o, "channel", ch->id);
	cJSON *online = cJSON_AddArrayToObject(o, "online");
	for (size_t i = 0; i < ch->nagents; i++)
		cJSON_AddItemToArray(online, cJSON_CreateString(ch->agents[i]->id));
	if (gw->srv->sim)
		sim_presence_extra(gw->srv->sim, ch->id, online);
	return o;
}

void presence_send_channel(struct gateway *gw, struct chan_live *ch)
{
	cJSON *f = presence_frame(gw, ch);
	char *text = cJSON_PrintUnformatted(f);
	cJSON_Delete(f);
	chan_send(ch, text, strlen(text), NULL);
	free(text);
}

void presence_send_agent_channels(struct gateway *gw, struct agent_live *a)
{
	for (size_t i = 0; i < a->nchannels; i++) {
		struct chan_live *ch = chan_find(gw, a->channels[i]);
		if (ch)
			presence_send_channel(gw, ch);
	}
}

struct server_visit {
	struct gateway *gw;
	const char *server_id;
};

static int server_channel_visit(const char *key, void *val, void *ud)
{
	struct server_visit *ctx = ud;
	struct chan_live *ch = val;
	if (strcmp(ch->server_id, ctx->server_id) == 0)
		presence_send_channel(ctx->gw, ch);
	return 0;
}

void gateway_presence_server(struct gateway *gw, const char *server_id)
{
	struct server_visit ctx = { gw, server_id };
	strmap_each(gw->channels, server_channel_visit, &ctx);
}

struct agent_live *agent_attach(struct gateway *gw, struct ws_conn *c)
{
	struct agent_live *a = strmap_get(gw->agents, c->agent_id);
	if (!a) {
		a = xcalloc(1, sizeof(*a));
		snprintf(a->id, sizeof(a->id), "%s", c->agent_id);
		strmap_put(gw->agents, a->id, a);
	}
	ptr_push((void ***)&a->conns, &a->nconns, c);
	return a;
}

int agent_detach(struct gateway *gw, struct ws_conn *c)
{
	struct agent_live *a = c->agent;
	if (!a)
		return 0;
	c->agent = NULL;
	ptr_remove((void **)a->conns, &a->nconns, c);
	if (a->nconns > 0)
		return 0;
	strmap_remove(gw->agents, a->id);
	while (a->nchannels > 0) {
		char *id = xstrdup(a->channels[a->nchannels - 1]);
		chan_remove_agent(gw, id, a);
		struct chan_live *ch = chan_find(gw, id);
		if (ch && !gw->srv->shutting_down)
			presence_send_channel(gw, ch);
		free(id);
	}
	free(a->channels);
	free(a->conns);
	free(a);
	return 1;
}

static int presence_visit(const char *key, void *val, void *ud)
{
	presence_send_channel(ud, val);
	return 0;
}

void presence_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct gateway *gw = w->data;
	strmap_each(gw->channels, presence_visit, gw);
}

size_t gateway_channel_count(struct gateway *gw)
{
	return strmap_count(gw->channels);
}
