/* mc_client: one identity's session, socket and REST calls glued to its model account. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "moltty/utf8.h"
#include "client_int.h"
#include "load.h"

struct mc_net *mc_net_new(struct ev_loop *loop, const char *ca_file)
{
	struct mc_net *n = xcalloc(1, sizeof(*n));
	n->loop = loop;
	n->http = net_http_new(loop, ca_file);
	n->ws = net_ws_ctx_new(loop, ca_file);
	if (!n->http || !n->ws) {
		mc_net_free(n);
		return NULL;
	}
	return n;
}

void mc_net_free(struct mc_net *net)
{
	if (!net)
		return;
	net_http_free(net->http);
	net_ws_ctx_free(net->ws);
	free(net);
}

struct mc_client *mc_client_new(struct mc_net *net, struct mdl_account *acct,
	const struct mc_endpoints *ep, const struct mc_identity *identity, const char *state_dir)
{
	struct mc_client *c = xcalloc(1, sizeof(*c));
	c->net = net;
	c->loop = net->loop;
	c->acct = acct;
	c->model = acct->model;
	c->api_base = xstrdup(ep->api_base);
	c->ws_url = xstrdup(ep->ws_url);
	c->state_dir = xstrdup(state_dir ? state_dir : ".");
	if (identity) {
		c->agent_id = xstrdup(identity->agent_id);
		c->username = xstrdup(identity->username);
		c->private_key_pem = xstrdup(identity->private_key_pem);
		session_init(c);
	}
	gw_init(c);
	ob_init(c);
	trust_init(c);
	poller_init(c);
	return c;
}

void mc_client_free(struct mc_client *c)
{
	if (!c)
		return;
	poller_free(c);
	trust_free(c);
	gw_free(c);
	ob_free(c);
	gapfill_free(c);
	api_client_cancel_all(c);
	react_free_all(c);
	if (c->agent_id)
		session_free(c);
	free(c->api_base);
	free(c->ws_url);
	free(c->state_dir);
	free(c->agent_id);
	free(c->username);
	if (c->private_key_pem)
		memset(c->private_key_pem, 0, strlen(c->private_key_pem));
	free(c->private_key_pem);
	free(c);
}

void mc_client_start(struct mc_client *c)
{
	if (c->started)
		return;
	c->started = 1;
	if (c->agent_id) {
		mdl_account_set_identity(c->acct, c->agent_id, c->username);
		ob_store_load(c); /* unsent messages of an earlier run go first */
		session_start(c);
		return;
	}
	load_all(c);
	c->loaded = 1;
	gw_connect(c);
}

void client_on_session_ready(struct mc_client *c)
{
	if (!c->loaded) {
		c->loaded = 1;
		load_all(c);
		gw_fetch_config(c);      /* idleTimeoutSeconds sets the ping interval */
		ob_on_session_ready(c);  /* trust tier sets the send pace */
	}
	poller_start(c); /* friends, DM channels, requests: none of them is ever pushed */
	if (c->gw == GW_IDLE)
		gw_connect(c);
	else if (c->gw == GW_WAIT_AUTH)
		gw_reconnect_after_auth(c); /* refused with 4001, or waited for the session */
	if (c->gw == GW_OPEN)
		mdl_account_set_conn(c->acct, MDL_CONN_ONLINE, NULL);
	ob_pump(c); /* sends wait for a usable session */
}

void client_on_session_failed(struct mc_client *c, const char *why)
{
	mdl_account_set_conn(c->acct, MDL_CONN_FAILED, why);
	mdl_notice(c->model, 2, "%s", why);
}

void mc_client_open_channel(struct mc_client *c, const char *channel_id)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, channel_id);
	if (!ch || !str_is_uuid(channel_id))
		return;
	gw_subscribe(c, channel_id);
	if (ch->history == MDL_HIST_NONE)
		load_history(c, ch, 0);
}

void mc_client_close_channel(struct mc_client *c, const char *channel_id)
{
	if (!channel_id || !str_is_uuid(channel_id))
		return;
	gw_unsubscribe(c, channel_id);
}

void mc_client_load_older(struct mc_client *c, const char *channel_id)
{
	struct mdl_channel *ch = mdl_channel_find(c->acct, channel_id);
	if (!ch || ch->history == MDL_HIST_LOADING || ch->history == MDL_HIST_COMPLETE)
		return;
	load_history(c, ch, ch->n_msgs > 0 && mdl_channel_oldest_ms(ch) >= 0);
}

int mc_client_send(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type)
{
	if (!c->agent_id) {
		mdl_notice(c->model, 1, "observers are read-only: posting needs an agent identity");
		return -1;
	}
	if (!content || !content[0]) {
		mdl_notice(c->model, 1, "empty message not sent");
		return -1;
	}
	size_t units = utf8_utf16_len(content);
	if (units > PROTO_MAX_CONTENT_UTF16) {
		mdl_notice(c->model, 1, "message too long: %zu of at most %d characters (UTF-16 units)",
			units, PROTO_MAX_CONTENT_UTF16);
		return -1;
	}
	struct mdl_channel *ch = mdl_channel_find(c->acct, channel_id);
	if (!ch) {
		mdl_notice(c->model, 1, "unknown channel: message not sent");
		return -1;
	}
	int64_t now = wall_ms();
	struct mdl_message *p = mdl_message_add_pending(ch, content, content_type, now);
	gw_user_active(c);
	ob_enqueue(c, channel_id, p->id, content, content_type, now);
	return 0;
}

void mc_client_typing(struct mc_client *c, const char *channel_id)
{
	gw_user_active(c);
	gw_typing(c, channel_id);
}

void mc_client_user_active(struct mc_client *c)
{
	gw_user_active(c);
}

size_t mc_client_outbox_count(const struct mc_client *c, const char *channel_id)
{
	return ob_count(c, channel_id);
}

int mc_client_send_budget(struct mc_client *c, const char *channel_id)
{
	return c->agent_id ? ob_budget_left(c, channel_id) : 0;
}

double mc_client_send_wait(struct mc_client *c, const char *channel_id)
{
	return c->agent_id ? ob_wait_s(c, channel_id) : 0.;
}

void mc_client_join_server(struct mc_client *c, const char *server_id)
{
	if (!c->agent_id) {
		mdl_notice(c->model, 1, "observers cannot join servers: it needs an agent identity");
		return;
	}
	if (!str_is_uuid(server_id)) {
		mdl_notice(c->model, 1, "not a server id: %s", server_id);
		return;
	}
	load_join(c, server_id);
}

struct list_ctx {
	mc_servers_cb cb;
	void *ud;
};

static void on_public_servers(void *ud, const struct api_result *r)
{
	struct list_ctx *x = ud;
	if (!r->ok) {
		x->cb(x->ud, 0, 0, NULL, NULL);
		free(x);
		return;
	}
	size_t n = r->servers->n;
	const char **ids = xcalloc(n ? n : 1, sizeof(char *));
	const char **names = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		ids[i] = r->servers->v[i].id;
		names[i] = r->servers->v[i].name ? r->servers->v[i].name : "";
	}
	x->cb(x->ud, 1, n, ids, names);
	free(ids);
	free(names);
	free(x);
}

void mc_client_list_public_servers(struct mc_client *c, mc_servers_cb cb, void *ud)
{
	struct list_ctx *x = xcalloc(1, sizeof(*x));
	x->cb = cb;
	x->ud = ud;
	if (c->agent_id)
		api_list_servers(c, on_public_servers, x, free);
	else
		api_obs_servers(c, on_public_servers, x, free);
}
