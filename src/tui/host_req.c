/* Platform commands: dispatch by kind, and the request context they share. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "host_req.h"

static const char *op_name(enum cmd_op op)
{
	switch (op) {
	case OP_MSG: return "/msg";
	case OP_REACT: return "/react";
	case OP_UNREACT: return "/unreact";
	case OP_FRIEND_ADD: return "/friend add";
	case OP_FRIEND_ACCEPT: return "/friend accept";
	case OP_FRIEND_REJECT: return "/friend reject";
	case OP_FRIEND_REMOVE: return "/friend remove";
	case OP_FRIEND_LIST: return "/friend list";
	case OP_BLOCK: return "/block";
	case OP_UNBLOCK: return "/unblock";
	case OP_BLOCKS: return "/blocks";
	case OP_PROFILE_SET: return "/profile set";
	case OP_SERVER_CREATE: return "/server create";
	case OP_SERVER_JOIN: return "/server join";
	case OP_SERVER_LEAVE: return "/server leave";
	case OP_SERVER_INFO: return "/server info";
	case OP_SERVER_EDIT: return "/server edit";
	case OP_SERVER_DELETE: return "/server delete";
	case OP_CHANNEL_CREATE: return "/channel create";
	case OP_CHANNEL_EDIT: return "/channel edit";
	case OP_CHANNEL_DELETE: return "/channel delete";
	case OP_CHANNEL_TOPIC: return "/channel topic";
	case OP_REPORT: return "/report";
	case OP_BAN: return "/ban";
	case OP_UNBAN: return "/unban";
	case OP_BANS: return "/bans";
	case OP_INSTRUCTIONS: return "/instructions";
	case OP_SEARCH_SERVERS: return "/search-servers";
	case OP_FEED: return "/feed";
	case OP_TRUST: return "/trust";
	case OP_VOUCH: return "/vouch";
	case OP_UNVOUCH: return "/unvouch";
	case OP_FLAG: return "/flag";
	case OP_WHOIS: return "/whois";
	case OP_ACCOUNT_ADD: return "/account add";
	case OP_ACCOUNT_LIST: return "/account list";
	case OP_ACCOUNT_SWITCH: return "/account switch";
	case OP_ACCOUNT_REMOVE: return "/account remove";
	case OP_INSPECT: return "/inspect";
	case OP_RAW: return "/raw";
	}
	return "?";
}

struct req *req_new(struct tui *t, const struct cmd_req *r)
{
	struct req *q = xcalloc(1, sizeof(*q));
	q->t = t;
	q->acct = t->acct;
	q->client = t->client;
	q->user = r->user ? xstrdup(r->user) : NULL;
	q->key = r->key ? xstrdup(r->key) : NULL;
	q->text = r->text ? xstrdup(r->text) : NULL;
	q->n = r->n;
	if (q->user)
		q->what = xasprintf("%s @%s", op_name(r->op), q->user);
	else if (q->key && (r->op == OP_SERVER_EDIT || r->op == OP_CHANNEL_EDIT ||
		r->op == OP_PROFILE_SET || r->op == OP_INSTRUCTIONS))
		q->what = xasprintf("%s %s", op_name(r->op), q->key);
	else
		q->what = xstrdup(op_name(r->op));
	return q;
}

void req_free(void *ud)
{
	struct req *q = ud;
	if (!q)
		return;
	free(q->what);
	free(q->user);
	free(q->key);
	free(q->text);
	free(q->id);
	free(q);
}

void req_fail(struct req *q, const struct api_result *r)
{
	char *e;
	/* Local refusals (status 0 with a code, e.g. ALREADY_REACTED) are not network errors. */
	if (r->status == 0 && r->err.code)
		e = xasprintf("%s: %s", r->err.code, r->err.message ? r->err.message : "");
	else
		e = api_error_text(r);
	mdl_notice(q->t->model, 2, "%s: %s", q->what, e);
	free(e);
}

int req_started(struct tui *t, struct api_req *h, const char *what)
{
	if (h)
		return 0;
	mdl_notice(t->model, 2, "%s: the request could not be started", what);
	return -1;
}

int req_need_client(struct tui *t)
{
	if (t->client)
		return 0;
	mdl_notice(t->model, 1, "not connected yet: try again in a moment");
	return -1;
}

struct mdl_server *req_need_server(struct tui *t)
{
	struct mdl_server *s = tui_cur_server(t);
	if (!s || s->is_dms) {
		mdl_notice(t->model, 1, "select a server first (this acts on the current server)");
		return NULL;
	}
	return s;
}

struct mdl_channel *req_need_channel(struct tui *t)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c)
		mdl_notice(t->model, 1, "select a channel first (this acts on the current channel)");
	return c;
}

void req_hide_channel(struct tui *t, struct mdl_channel *c)
{
	struct tui_ident *id = tui_ident_of(t, c->server->account);
	struct chan_state *cs = chan_state(t, c);
	cs->closed = 1;
	cs->watched = 0;
	if (id && id->client)
		mc_client_close_channel(id->client, c->id);
	if (tui_cur_channel(t) == c) {
		struct mdl_server *s = c->server;
		tui_step_channel(t, 1);
		if (tui_cur_channel(t) == c) {
			mdl_channel_set_viewing(c, 0);
			free(t->channel_id);
			t->channel_id = NULL;
			str_replace(&t->server_id, s->id);
		}
	}
	t->ui_dirty = 1;
	mdl_mark_dirty(t->model, MDL_DIRTY_CHANNELS);
}

struct mdl_channel *req_dm_channel(struct mdl_account *a, const char *username)
{
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_server *s = a->servers[i];
		if (!s->is_dms)
			continue;
		for (size_t j = 0; j < s->n_channels; j++)
			if (s->channels[j]->peer && strcasecmp(s->channels[j]->peer, username) == 0)
				return s->channels[j];
	}
	return NULL;
}

char *req_local_time(const char *iso)
{
	int64_t ms;
	if (!iso)
		return xstrdup("?");
	if (iso_parse_ms(iso, &ms) != 0)
		return xstrdup(iso);
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char out[32];
	if (!localtime_r(&secs, &tm) || !strftime(out, sizeof(out), "%Y-%m-%d %H:%M", &tm))
		return xstrdup(iso);
	return xstrdup(out);
}

int host_request(void *ud, const struct cmd_req *r)
{
	struct tui *t = ud;
	switch (r->op) {
	case OP_ACCOUNT_ADD: case OP_ACCOUNT_LIST: case OP_ACCOUNT_SWITCH: case OP_ACCOUNT_REMOVE:
		return host_account(t, r);
	case OP_INSPECT:
		return inspect_command(t, r);
	case OP_RAW:
		return inspect_raw(t, r->text);
	case OP_SERVER_CREATE: case OP_SERVER_JOIN: case OP_SERVER_LEAVE: case OP_SERVER_INFO:
	case OP_SERVER_EDIT: case OP_SERVER_DELETE: case OP_CHANNEL_CREATE: case OP_CHANNEL_EDIT:
	case OP_CHANNEL_DELETE: case OP_CHANNEL_TOPIC: case OP_REPORT: case OP_BAN: case OP_UNBAN:
	case OP_BANS: case OP_INSTRUCTIONS:
		if (req_need_client(t) != 0)
			return -1;
		return host_servers(t, r);
	default:
		if (req_need_client(t) != 0)
			return -1;
		return host_social(t, r);
	}
}
