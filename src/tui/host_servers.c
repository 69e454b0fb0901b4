/* Platform commands about servers and channels: /server, /channel, /report, /ban, /unban,
 * /bans, /instructions. They act on the current server or channel of the active identity
 * and write what changed into its model (names, topics, joined or deleted servers). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "host_req.h"

static int parse_bool(const char *s, int *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcasecmp(s, "on") ||
		!strcmp(s, "1"))
		*out = 1;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcasecmp(s, "off") ||
		!strcmp(s, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < -1000000 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

/* A server that is gone for this identity (left or deleted): unsubscribed, dropped. */
static void forget_server(struct tui *t, struct req *q)
{
	struct mdl_server *s = mdl_server_find(q->acct, q->id);
	if (!s)
		return;
	for (size_t i = 0; i < s->n_channels; i++) {
		chan_state(t, s->channels[i])->watched = 0;
		if (q->client)
			mc_client_close_channel(q->client, s->channels[i]->id);
	}
	if (tui_cur_server(t) == s) {
		mdl_channel_set_viewing(tui_cur_channel(t), 0);
		free(t->channel_id);
		free(t->server_id);
		t->channel_id = t->server_id = NULL;
	}
	mdl_server_remove(q->acct, q->id);
	t->ui_dirty = 1;
}

/* ---- /server ---- */

static void on_server_created(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		if (r->err.code && !strcmp(r->err.code, "INSUFFICIENT_TRUST"))
			mdl_notice(t->model, 0, "creating servers needs trust tier provisional or "
				"better (/trust shows yours)");
	} else {
		mdl_notice(t->model, 0, "created server %s (%s)", r->server->name, r->server->id);
		/* The owner is a member already: this loads it into the list and opens it. */
		if (q->acct == t->acct)
			str_replace(&t->pending_join, r->server->id);
		mc_client_join_server(q->client, r->server->id);
	}
	req_free(q);
}

static void on_server_left(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		mdl_notice(q->t->model, 0, "%s %s", q->key, q->text);
		forget_server(q->t, q);
	}
	req_free(q);
}

static void on_server_info(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
		req_free(q);
		return;
	}
	const struct proto_server *s = r->server;
	const char *owner = s->owner_agent_id ? mdl_account_name_for(q->acct, s->owner_agent_id) :
		NULL;
	mdl_notice(t->model, 0, "server %s · %s · %lld member%s · owner @%s", s->name ? s->name : "?",
		s->is_public ? "public" : "private", s->member_count,
		s->member_count == 1 ? "" : "s", owner ? owner : s->owner_agent_id ? s->owner_agent_id : "?");
	mdl_notice(t->model, 0, "  id %s · %zu channel%s · report threshold %lld", s->id,
		s->n_channels, s->n_channels == 1 ? "" : "s", s->report_threshold);
	mdl_notice(t->model, 0, "  description: %s", s->description && *s->description ?
		s->description : "none");
	if (s->instructions && *s->instructions)
		mdl_notice(t->model, 0, "  instructions: %s", s->instructions);
	if (s->n_tags) {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < s->n_tags; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", s->tags[i]);
		mdl_notice(t->model, 0, "  tags: %s", buf_cstr(&b));
		buf_free(&b);
	}
	req_free(q);
}

static void on_server_edited(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		struct mdl_server *s = mdl_server_find(q->acct, q->id);
		if (s) {
			mdl_server_upsert(q->acct, q->id, r->server->name);
			str_replace(&s->description, r->server->description);
			mdl_mark_dirty(q->t->model, MDL_DIRTY_SERVERS | MDL_DIRTY_STATUS);
		}
		mdl_notice(q->t->model, 0, "server %s: %s = %s", r->server->name ? r->server->name :
			"?", q->key, *q->text ? q->text : "(none)");
	}
	req_free(q);
}

static int do_server_edit(struct tui *t, struct req *q)
{
	struct api_server_fields f = API_SERVER_FIELDS_INIT;
	const char *k = q->key;
	if (!strcmp(k, "name"))
		f.name = q->text;
	else if (!strcmp(k, "description"))
		f.description = q->text;
	else if (!strcmp(k, "icon"))
		f.icon_url = q->text;
	else if (!strcmp(k, "instructions"))
		f.instructions = q->text;
	else if (!strcmp(k, "public") && parse_bool(q->text, &f.is_public) != 0) {
		mdl_notice(t->model, 1, "%s: expected yes or no, not \"%s\"", q->what, q->text);
		req_free(q);
		return -1;
	} else if (!strcmp(k, "threshold") && (parse_int(q->text, &f.report_threshold) != 0 ||
		f.report_threshold < 1)) {
		mdl_notice(t->model, 1, "%s: expected a number of reports (3 or more)", q->what);
		req_free(q);
		return -1;
	}
	return req_started(t, api_patch_server(t->client, q->id, &f, on_server_edited, q,
		req_free), "/server edit");
}

static void on_server_deleted(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		mdl_notice(q->t->model, 0, "deleted server %s", q->text);
		forget_server(q->t, q);
	}
	req_free(q);
}

/* ---- /channel ---- */

static void store_channel(struct req *q, const struct proto_channel *pc)
{
	struct mdl_server *s = mdl_server_find(q->acct, q->id);
	if (!s || !pc || !pc->id)
		return;
	struct mdl_channel *c = mdl_channel_upsert(s, pc->id);
	mdl_channel_set(c, pc->name, pc->category, pc->type, pc->topic, pc->position);
}

static void on_channel_created(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		store_channel(q, r->channel);
		mdl_notice(q->t->model, 0, "created #%s (/join #%s)", r->channel->name,
			r->channel->name);
	}
	req_free(q);
}

static void on_channel_edited(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		store_channel(q, r->channel);
		mdl_notice(q->t->model, 0, "#%s: %s = %s", r->channel->name ? r->channel->name : "?",
			q->key, *q->text ? q->text : "(none)");
	}
	req_free(q);
}

static int do_channel_edit(struct tui *t, struct req *q, struct mdl_channel *c)
{
	struct api_channel_fields f = { NULL, NULL, NULL, NULL, NULL, 0, 0 };
	const char *k = q->key;
	if (!strcmp(k, "name"))
		f.name = q->text;
	else if (!strcmp(k, "category"))
		f.category = q->text;
	else if (!strcmp(k, "topic"))
		f.topic = q->text;
	else if (!strcmp(k, "type"))
		f.type = q->text;
	else if (parse_int(q->text, &f.position) == 0)
		f.set_position = 1;
	else {
		mdl_notice(t->model, 1, "%s: expected a number", q->what);
		req_free(q);
		return -1;
	}
	return req_started(t, api_patch_channel(t->client, c->id, &f, on_channel_edited, q,
		req_free), q->key);
}

static void on_channel_deleted(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok) {
		req_fail(q, r);
	} else {
		mdl_notice(q->t->model, 0, "deleted %s", q->text);
		struct mdl_server *s = mdl_server_find(q->acct, q->id);
		for (size_t i = 0; s && i < s->n_channels; i++)
			if (str_eq(s->channels[i]->id, q->key))
				req_hide_channel(q->t, s->channels[i]);
	}
	req_free(q);
}

/* ---- moderation ---- */

static void on_moderated(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	if (!r->ok)
		req_fail(q, r);
	else
		mdl_notice(q->t->model, 0, "%s", q->text);
	req_free(q);
}

static void on_bans(void *ud, const struct api_result *r)
{
	struct req *q = ud;
	struct tui *t = q->t;
	if (!r->ok) {
		req_fail(q, r);
	} else if (r->bans->n == 0) {
		mdl_notice(t->model, 0, "nobody is banned from %s", q->text);
	} else {
		mdl_notice(t->model, 0, "banned from %s (%zu):", q->text, r->bans->n);
		for (size_t i = 0; i < r->bans->n; i++) {
			const struct proto_ban *b = &r->bans->v[i];
			char *when = req_local_time(b->created_at);
			mdl_notice(t->model, 0, "  @%s · %s%s · %s", b->username ? b->username : "?",
				b->reason && *b->reason ? b->reason : "no reason",
				b->auto_ban ? " (automatic)" : "", when);
			free(when);
		}
	}
	req_free(q);
}

int host_servers(struct tui *t, const struct cmd_req *r)
{
	struct req *q = req_new(t, r);
	struct mdl_server *s = NULL;
	struct mdl_channel *c = NULL;
	int need_channel = r->op == OP_CHANNEL_EDIT || r->op == OP_CHANNEL_DELETE ||
		r->op == OP_CHANNEL_TOPIC || r->op == OP_REPORT ||
		(r->op == OP_INSTRUCTIONS && !strcmp(r->key, "channel"));
	int need_server = r->op != OP_SERVER_CREATE && r->op != OP_SERVER_JOIN && !need_channel;
	if (need_channel && !(c = req_need_channel(t))) {
		req_free(q);
		return -1;
	}
	if (need_server && !(s = req_need_server(t))) {
		req_free(q);
		return -1;
	}
	if (need_channel && !c->server->is_dms)
		s = c->server;
	if ((r->op == OP_CHANNEL_EDIT || r->op == OP_CHANNEL_DELETE || r->op == OP_CHANNEL_TOPIC)
		&& c->server->is_dms) {
		mdl_notice(t->model, 1, "%s: direct-message channels cannot be changed", q->what);
		req_free(q);
		return -1;
	}
	if (s)
		q->id = xstrdup(s->id);
	const char *sname = s && s->name ? s->name : "this server";
	switch (r->op) {
	case OP_SERVER_CREATE:
		return req_started(t, api_create_server(t->client, q->key, q->text, 1,
			on_server_created, q, req_free), "/server create");
	case OP_SERVER_JOIN:
		req_free(q);
		return host_join_server(t, r->key);
	case OP_SERVER_LEAVE:
		q->key = xstrdup("left");
		q->text = xstrdup(sname);
		return req_started(t, api_leave_server(t->client, s->id, on_server_left, q,
			req_free), "/server leave");
	case OP_SERVER_INFO:
		return req_started(t, api_get_server(t->client, s->id, on_server_info, q, req_free),
			"/server info");
	case OP_SERVER_EDIT:
		return do_server_edit(t, q);
	case OP_SERVER_DELETE:
		if (!r->confirmed) {
			mdl_notice(t->model, 1, "confirm with /server delete --yes: it removes %s with "
				"all its channels and messages, for everyone", sname);
			req_free(q);
			return -1;
		}
		q->text = xstrdup(sname);
		return req_started(t, api_delete_server(t->client, s->id, on_server_deleted, q,
			req_free), "/server delete");
	case OP_CHANNEL_CREATE: {
		struct api_channel_fields f = { q->key, q->text, NULL, NULL, NULL, 0, 0 };
		return req_started(t, api_create_channel(t->client, s->id, &f, on_channel_created, q,
			req_free), "/channel create");
	}
	case OP_CHANNEL_EDIT:
		return do_channel_edit(t, q, c);
	case OP_CHANNEL_TOPIC: {
		q->key = xstrdup("topic");
		struct api_channel_fields f = { NULL, NULL, NULL, q->text, NULL, 0, 0 };
		return req_started(t, api_patch_channel(t->client, c->id, &f, on_channel_edited, q,
			req_free), "/channel topic");
	}
	case OP_CHANNEL_DELETE: {
		char *label = channel_label(c);
		if (!r->confirmed) {
			mdl_notice(t->model, 1, "confirm with /channel delete --yes: it removes %s and "
				"all its messages, for everyone", label);
			free(label);
			req_free(q);
			return -1;
		}
		q->text = label;
		q->key = xstrdup(c->id);
		return req_started(t, api_delete_channel(t->client, c->id, on_channel_deleted, q,
			req_free), "/channel delete");
	}
	case OP_REPORT: {
		char *label = channel_label(c);
		free(q->text);
		q->text = xasprintf("reported @%s in %s", q->user, label);
		free(label);
		return req_started(t, api_report(t->client, c->id, q->user, r->text, on_moderated, q,
			req_free), "/report");
	}
	case OP_BAN:
		free(q->text);
		q->text = xasprintf("banned @%s from %s", q->user, sname);
		return req_started(t, api_ban(t->client, s->id, q->user, r->text, on_moderated, q,
			req_free), "/ban");
	case OP_UNBAN:
		q->text = xasprintf("lifted the ban on @%s in %s", q->user, sname);
		return req_started(t, api_unban(t->client, s->id, q->user, on_moderated, q,
			req_free), "/unban");
	case OP_BANS:
		q->text = xstrdup(sname);
		return req_started(t, api_bans(t->client, s->id, on_bans, q, req_free), "/bans");
	case OP_INSTRUCTIONS: {
		const char *text = *r->text ? r->text : NULL;
		int server = !strcmp(r->key, "server");
		char *label = server ? xstrdup(sname) : channel_label(c);
		free(q->text);
		q->text = text ? xasprintf("instructions of %s set", label) :
			xasprintf("instructions of %s cleared", label);
		free(label);
		struct api_req *h = server ?
			api_server_instructions(t->client, s->id, text, on_moderated, q, req_free) :
			api_channel_instructions(t->client, c->id, text, on_moderated, q, req_free);
		return req_started(t, h, "/instructions");
	}
	default:
		req_free(q);
		return -1;
	}
}
