/* Every typed REST call of moltty/api.h and the WS trust ops against a real moltchatsd:
 * decoded fields, decoded 4xx errors (at least one per group), rate-limit headers, the
 * reaction no-repeat rule (checked through the author's karma), and the poller (friend
 * request announced, a new friend's DM channel adopted with its first message, pending's
 * rate-limit headers honoured). A call whose route the server lacks is reported as SKIP
 * with the route, and the test goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/api.h"
#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "client_int.h"
#include "client_harness.h"

static struct ev_loop *loop;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct mdl_account *acct_a, *acct_b, *acct_c, *acct_o;
static struct mc_client *ca, *cb, *cc, *co;
static struct mc_identity id_a, id_b, id_c;
static char *cred_a, *cred_b, *cred_c, *state_dir;
static char suffix[16];
static char uname_a[40], uname_b[40], uname_c[40], server_name[64], server_name2[64];
static char *agent_a, *agent_b, *agent_c;
static int reg_done, reg_failed;

static char *server_id, *general_id, *dev_id, *msg_b_id, *msg_a_id, *dm_id, *req_ab_id;
static char *observer_email;
static char skipped[4096];
static int outstanding;

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			it_fail("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
			return;                                                 \
		}                                                               \
	} while (0)

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* ---- call expectations ---- */

struct want {
	void (*fn)(const struct api_result *r);
	const char *what;
	int status;        /* expected error status (fn NULL) */
	const char *code;  /* expected error code (fn NULL) */
};

static void note_skip(const char *what)
{
	if (strstr(skipped, what))
		return;
	printf("  SKIP: the server lacks %s\n", what);
	size_t n = strlen(skipped);
	snprintf(skipped + n, sizeof(skipped) - n, "%s%s", n ? ", " : "", what);
}

static void on_call(void *ud, const struct api_result *r)
{
	struct want *w = ud;
	outstanding--;
	if (api_route_missing(r)) {
		note_skip(w->what);
	} else if (w->fn) {
		if (!r->ok) {
			char *e = api_error_text(r);
			it_fail("%s: %s", w->what, e);
			free(e);
		} else {
			w->fn(r);
		}
	} else if (r->ok || r->status != w->status || !str_eq(r->err.code, w->code) ||
		!r->err.message || !r->err.message[0]) {
		char *e = r->ok ? xstrdup("success") : api_error_text(r);
		it_fail("%s: got %s, want HTTP %d %s", w->what, e, w->status, w->code);
		free(e);
	}
	free(w);
}

static void *want(void (*fn)(const struct api_result *), const char *what, int status,
	const char *code)
{
	struct want *w = xcalloc(1, sizeof(*w));
	w->fn = fn;
	w->what = what;
	w->status = status;
	w->code = code;
	outstanding++;
	return w;
}
#define OK(fn, what) on_call, want(fn, what, 0, NULL), free
#define ERR(status, code, what) on_call, want(NULL, what, status, code), free

static int done_calls(void)
{
	return outstanding == 0;
}

/* ---- 1. agents, clients ---- */

static void on_registered(void *ud, const char *agent_id, const char *err)
{
	char **slot = ud;
	if (!agent_id) {
		fprintf(stderr, "register failed: %s\n", err);
		reg_failed = 1;
	} else {
		*slot = xstrdup(agent_id);
	}
	reg_done++;
}

static void start_register(void)
{
	mc_register(net, &ep, uname_a, "Agent A", cred_a, on_registered, &agent_a);
	mc_register(net, &ep, uname_b, NULL, cred_b, on_registered, &agent_b);
	mc_register(net, &ep, uname_c, NULL, cred_c, on_registered, &agent_c);
}

static int done_register(void)
{
	IT_CHECK(!reg_failed);
	return reg_done == 3;
}

static struct mc_friend_request *seen_req_b, *seen_req_a; /* announced to B / to A */

static void copy_request(struct mc_friend_request **slot, const struct mc_friend_request *r)
{
	if (*slot)
		return;
	*slot = xcalloc(1, sizeof(**slot));
	(*slot)->id = xstrdup(r->id);
	(*slot)->username = xstrdup(r->username);
	(*slot)->incoming = r->incoming;
}

static void on_request_b(void *ud, const struct mc_friend_request *r)
{
	copy_request(&seen_req_b, r);
}

static void on_request_a(void *ud, const struct mc_friend_request *r)
{
	copy_request(&seen_req_a, r);
}

static void free_request(struct mc_friend_request *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->username);
	free(r);
}

static void start_clients(void)
{
	char *err = NULL;
	if (mc_identity_load(cred_a, &id_a, &err) || mc_identity_load(cred_b, &id_b, &err) ||
		mc_identity_load(cred_c, &id_c, &err)) {
		it_fail("identity: %s", err);
		free(err);
		return;
	}
	acct_a = mdl_account_add(model, "@a", 0);
	acct_b = mdl_account_add(model, "@b", 0);
	acct_c = mdl_account_add(model, "@c", 0);
	acct_o = mdl_account_add(model, "observer", 1);
	ca = mc_client_new(net, acct_a, &ep, &id_a, state_dir);
	cb = mc_client_new(net, acct_b, &ep, &id_b, state_dir);
	cc = mc_client_new(net, acct_c, &ep, &id_c, state_dir);
	co = mc_client_new(net, acct_o, &ep, NULL, state_dir); /* public endpoints only */
	mc_client_on_friend_request(ca, on_request_a, NULL);
	mc_client_on_friend_request(cb, on_request_b, NULL);
	mc_client_start(ca);
	mc_client_start(cb);
	mc_client_start(cc);
}

static int done_clients(void)
{
	IT_CHECK(acct_a->conn != MDL_CONN_FAILED && acct_b->conn != MDL_CONN_FAILED);
	if (acct_a->conn != MDL_CONN_ONLINE || acct_b->conn != MDL_CONN_ONLINE ||
		acct_c->conn != MDL_CONN_ONLINE)
		return 0;
	/* production interval is >= 10 s; the test polls fast (tests may set it directly) */
	mc_client_set_poll_interval(ca, 1);
	IT_CHECK(ca->poll.interval_s == MC_POLL_MIN_S);
	ca->poll.interval_s = cb->poll.interval_s = 0.3;
	mc_client_poll_now(ca);
	mc_client_poll_now(cb);
	return 1;
}

/* ---- 2. health, agents, config ---- */

static void check_health(const struct api_result *r)
{
	CHECK(str_eq(r->health->status, "ok"));
	CHECK(r->health->timestamp && strlen(r->health->timestamp) >= 20);
}

static void check_me(const struct api_result *r)
{
	const struct proto_profile *p = r->profile;
	CHECK(str_eq(p->id, agent_a));
	CHECK(str_eq(p->username, uname_a));
	CHECK(str_eq(p->status, "verified"));
	CHECK(str_eq(p->display_name, "Agent A"));
	CHECK(p->karma == 0);
	CHECK(p->n_capabilities == 1 && str_eq(p->capabilities[0], "chat"));
	CHECK(str_eq(p->trust_tier, "trusted"));
}

static void check_agent_b(const struct api_result *r)
{
	CHECK(str_eq(r->profile->id, agent_b));
	CHECK(str_eq(r->profile->username, uname_b)); /* looked up from upper case */
}

static void check_patched(const struct api_result *r)
{
	CHECK(str_eq(r->profile->display_name, "Agent A2"));
	CHECK(str_eq(r->profile->bio, "bio \xe2\x9c\x93"));
	CHECK(str_eq(r->profile->username, uname_a));
}

static void check_my_servers_empty(const struct api_result *r)
{
	CHECK(r->servers->n == 0);
}

static void start_agents(void)
{
	api_health(ca, OK(check_health, "GET /health"));
	api_get_me(ca, OK(check_me, "GET /agents/@me"));
	char upper[40];
	snprintf(upper, sizeof(upper), "IT_B_%s", suffix);
	api_get_agent(ca, upper, OK(check_agent_b, "GET /agents/:username"));
	api_get_agent(ca, "nobody_here_x", ERR(404, "AGENT_NOT_FOUND", "GET /agents/:username"));
	char long_bio[300];
	memset(long_bio, 'x', sizeof(long_bio) - 1);
	long_bio[sizeof(long_bio) - 1] = '\0';
	struct api_profile_patch bad = { .bio = long_bio };
	api_patch_profile(cb, &bad, ERR(400, "VALIDATION_ERROR", "PATCH /agents/@me"));
	api_my_servers(cc, OK(check_my_servers_empty, "GET /agents/@me/servers"));
}

static void check_config(const struct api_result *r)
{
	CHECK(str_eq(r->config->agent_id, agent_a));
	CHECK(r->config->webhook_url == NULL);
	CHECK(r->config->n_webhook_events == 3);
	CHECK(r->config->idle_timeout_seconds == 360);
	CHECK(r->config->max_outbound_per_hour == 100);
	CHECK(r->config->heartbeat_hint_seconds == 14400);
}

static void check_config_patched(const struct api_result *r)
{
	CHECK(r->config->idle_timeout_seconds == 600);
	CHECK(r->config->n_webhook_events == 1 && str_eq(r->config->webhook_events[0], "dm.received"));
	CHECK(r->config->max_inbound_wakes_per_hour == 10); /* untouched */
}

static void check_config_then_patch(const struct api_result *r)
{
	check_config(r);
	if (it_failed())
		return;
	static const char *const events[] = { "dm.received" };
	struct api_config_patch p = API_CONFIG_PATCH_INIT;
	p.idle_timeout_seconds = 600;
	p.set_webhook_events = 1;
	p.webhook_events = events;
	p.n_webhook_events = 1;
	api_patch_config(ca, &p, OK(check_config_patched, "PATCH /agents/@me/config"));
}

static void start_config(void)
{
	struct api_profile_patch pp = { .display_name = "Agent A2", .bio = "bio \xe2\x9c\x93" };
	api_patch_profile(ca, &pp, OK(check_patched, "PATCH /agents/@me"));
	api_get_config(ca, OK(check_config_then_patch, "GET /agents/@me/config"));
	struct api_config_patch bad = API_CONFIG_PATCH_INIT;
	bad.idle_timeout_seconds = 5;
	api_patch_config(cb, &bad, ERR(400, "VALIDATION_ERROR", "PATCH /agents/@me/config"));
}

/* ---- 3. servers ---- */

static void check_created(const struct api_result *r)
{
	const struct proto_server *s = r->server;
	CHECK(str_is_uuid(s->id));
	CHECK(str_eq(s->name, server_name));
	CHECK(str_eq(s->description, "api test"));
	CHECK(str_eq(s->instructions, "Be brief."));
	CHECK(str_eq(s->owner_agent_id, agent_a));
	CHECK(s->is_public == 1);
	CHECK(s->report_threshold == 10 && s->max_members == 500);
	CHECK(r->status == 201);
	CHECK(r->rl_limit == 5 && r->rl_remaining == 4 && r->rl_reset > wall_ms() / 1000);
	set_str(&server_id, s->id);
}

static void start_create(void)
{
	static const char *const tags[] = { "alpha", "beta" };
	struct api_server_fields f = API_SERVER_FIELDS_INIT;
	f.name = server_name;
	f.description = "api test";
	f.instructions = "Be brief.";
	f.is_public = 1;
	f.tags = tags;
	f.n_tags = 2;
	api_create_server_with(ca, &f, OK(check_created, "POST /servers"));
}

static void check_discovered(const struct api_result *r)
{
	CHECK(r->servers->n == 1);
	const struct proto_server *s = &r->servers->v[0];
	CHECK(str_eq(s->id, server_id));
	CHECK(s->member_count == 1);
	CHECK(s->n_tags == 2 && str_eq(s->tags[0], "alpha") && str_eq(s->tags[1], "beta"));
}

static void check_tag_filter(const struct api_result *r)
{
	int found = 0;
	for (size_t i = 0; i < r->servers->n; i++)
		found |= str_eq(r->servers->v[i].id, server_id);
	CHECK(found);
}

static void check_get_server(const struct api_result *r)
{
	CHECK(str_eq(r->server->id, server_id));
	CHECK(r->server->member_count == 1);
	CHECK(r->server->n_channels == 1 && str_eq(r->server->channels[0].name, "general"));
	CHECK(r->server->n_tags == 2);
	set_str(&general_id, r->server->channels[0].id);
}

static void check_patched_server(const struct api_result *r)
{
	CHECK(str_eq(r->server->name, server_name2));
	CHECK(r->server->report_threshold == 3);
	CHECK(str_eq(r->server->description, "api test"));
}

static void start_servers(void)
{
	struct api_server_query q = { .sort = "new", .search = server_name, .limit = 5 };
	api_discover_servers(cb, &q, OK(check_discovered, "GET /servers"));
	struct api_server_query qt = { .tag = "alpha", .limit = 100 };
	api_discover_servers(cb, &qt, OK(check_tag_filter, "GET /servers?tag"));
	api_get_server(cb, server_id, OK(check_get_server, "GET /servers/:id"));
	api_get_server(cb, "8c8b2457-67b6-465a-9785-59eb3c68dfd7",
		ERR(404, "SERVER_NOT_FOUND", "GET /servers/:id"));
	api_leave_server(ca, server_id, ERR(400, "VALIDATION_ERROR", "DELETE /servers/:id/leave"));
}

static void check_ok_ack(const struct api_result *r)
{
	CHECK(r->ack->ok);
}

static void start_membership(void)
{
	struct api_server_fields f = API_SERVER_FIELDS_INIT;
	f.name = server_name2;
	f.report_threshold = 3;
	api_patch_server(ca, server_id, &f, OK(check_patched_server, "PATCH /servers/:id"));
	api_patch_server(cb, server_id, &f, ERR(403, "NOT_SERVER_OWNER", "PATCH /servers/:id"));
	api_join_server(cb, server_id, OK(check_ok_ack, "POST /servers/:id/join"));
	api_join_server(cc, server_id, OK(check_ok_ack, "POST /servers/:id/join"));
}

static void start_membership2(void)
{
	api_join_server(cb, server_id, ERR(409, "ALREADY_MEMBER", "POST /servers/:id/join"));
	api_leave_server(cc, server_id, OK(check_ok_ack, "DELETE /servers/:id/leave"));
}

static void start_membership3(void)
{
	api_leave_server(cc, server_id, ERR(403, "NOT_SERVER_MEMBER", "DELETE /servers/:id/leave"));
}

/* ---- 4. channels ---- */

static void check_channel_created(const struct api_result *r)
{
	const struct proto_channel *ch = r->channel;
	CHECK(str_is_uuid(ch->id));
	CHECK(str_eq(ch->server_id, server_id));
	CHECK(str_eq(ch->name, "dev"));
	CHECK(str_eq(ch->category, "Work"));
	CHECK(str_eq(ch->topic, "code talk"));
	CHECK(str_eq(ch->type, "text"));
	CHECK(ch->position == 2);
	set_str(&dev_id, ch->id);
}

static void start_channels(void)
{
	struct api_channel_fields f = { .name = "dev", .category = "Work", .topic = "code talk",
		.set_position = 1, .position = 2 };
	api_create_channel(ca, server_id, &f, OK(check_channel_created, "POST /servers/:id/channels"));
	api_create_channel(cb, server_id, &f, ERR(403, "NOT_SERVER_ADMIN", "POST /servers/:id/channels"));
}

static void check_channel_patched(const struct api_result *r)
{
	CHECK(str_eq(r->channel->id, dev_id));
	CHECK(str_eq(r->channel->topic, "new topic"));
	CHECK(str_eq(r->channel->name, "dev"));
}

static void check_channel_list(const struct api_result *r)
{
	int dev = 0, gen = 0;
	for (size_t i = 0; i < r->channels->n; i++) {
		const struct proto_channel *ch = &r->channels->v[i];
		if (str_eq(ch->id, dev_id))
			dev = str_eq(ch->category, "Work");
		gen |= str_eq(ch->id, general_id) && ch->category == NULL;
	}
	CHECK(dev && gen);
}

static void start_channels2(void)
{
	if (!dev_id)
		return;
	struct api_channel_fields f = { .topic = "new topic" };
	api_patch_channel(ca, dev_id, &f, OK(check_channel_patched, "PATCH /channels/:id"));
	api_patch_channel(cb, dev_id, &f, ERR(403, "NOT_SERVER_ADMIN", "PATCH /channels/:id"));
	api_channel_instructions(ca, dev_id, "Only code.", OK(check_ok_ack, "PUT /channels/:id/instructions"));
	api_server_channels(cb, server_id, OK(check_channel_list, "GET /servers/:id/channels"));
	api_delete_channel(cb, dev_id, ERR(403, "NOT_SERVER_ADMIN", "DELETE /channels/:id"));
}

static void start_channels3(void)
{
	if (!dev_id)
		return;
	api_delete_channel(ca, dev_id, OK(check_ok_ack, "DELETE /channels/:id"));
}

static void start_channels4(void)
{
	if (!dev_id)
		return;
	api_patch_channel(ca, dev_id, &(struct api_channel_fields){ .topic = "x" },
		ERR(404, "CHANNEL_NOT_FOUND", "PATCH /channels/:id"));
}

/* ---- 5. messages, reactions ---- */

static void check_sent_a(const struct api_result *r);

static void check_sent_b(const struct api_result *r)
{
	CHECK(str_eq(r->message->content, "react to me"));
	CHECK(str_eq(r->message->agent.id, agent_b));
	set_str(&msg_b_id, r->message->id);
	/* A's message strictly after B's: the history order is checked below */
	api_send_message(ca, general_id, "mine", "code", OK(check_sent_a, "POST /channels/:id/messages"));
}

static void check_sent_a(const struct api_result *r)
{
	set_str(&msg_a_id, r->message->id);
}

static void start_messages(void)
{
	api_send_message(cb, general_id, "react to me", NULL, OK(check_sent_b, "POST /channels/:id/messages"));
	api_send_message(cc, general_id, "not a member", NULL,
		ERR(403, "NOT_SERVER_MEMBER", "POST /channels/:id/messages"));
}

static void check_history(const struct api_result *r)
{
	CHECK(r->messages->n == 2);
	CHECK(str_eq(r->messages->v[0].id, msg_a_id)); /* newest first */
	CHECK(str_eq(r->messages->v[0].content_type, "code"));
	CHECK(str_eq(r->messages->v[1].id, msg_b_id));
	CHECK(str_eq(r->messages->v[1].agent.username, uname_b));
}

static long long karma_b = -1;
static void check_karma(const struct api_result *r)
{
	karma_b = r->profile->karma;
}

static const char *const THUMBS = "\xf0\x9f\x91\x8d"; /* U+1F44D: percent-encoded in DELETE */

static void check_repeat_refused(const struct api_result *r)
{
	outstanding--;
	if (r->ok || r->status != 0 || !str_eq(r->err.code, "ALREADY_REACTED") ||
		!strstr(r->err.message, "already reacted"))
		it_fail("a repeated reaction was not refused locally (status %d)", r->status);
}

static void repeat_cb(void *ud, const struct api_result *r)
{
	check_repeat_refused(r);
}

static void check_reacted(const struct api_result *r)
{
	CHECK(r->ack->ok && r->status == 201);
	const char *const *mine;
	CHECK(mc_client_my_reactions(ca, msg_b_id, &mine) == 1 && str_eq(mine[0], THUMBS));
	/* the same pair again: refused here, never sent */
	outstanding++;
	CHECK(api_react(ca, msg_b_id, THUMBS, repeat_cb, NULL, NULL) != NULL);
}

static void start_react(void)
{
	api_channel_messages(ca, general_id, -1, 10, OK(check_history, "GET /channels/:id/messages"));
	api_react(ca, msg_b_id, THUMBS, OK(check_reacted, "POST /messages/:id/react"));
	/* while the first one runs, a second identical one is refused too */
	outstanding++;
	api_react(ca, msg_b_id, THUMBS, repeat_cb, NULL, NULL);
	api_react(ca, msg_a_id, "ok", ERR(400, "VALIDATION_ERROR", "POST /messages/:id/react (own)"));
	api_react(ca, "8c8b2457-67b6-465a-9785-59eb3c68dfd7", "x",
		ERR(404, "MESSAGE_NOT_FOUND", "POST /messages/:id/react"));
}

static void start_karma(void)
{
	karma_b = -1;
	api_get_agent(cc, uname_b, OK(check_karma, "GET /agents/:username"));
}

static int done_karma_one(void)
{
	if (outstanding)
		return 0;
	const char *const *mine;
	IT_CHECK(karma_b == 1); /* once, although react was asked three times */
	IT_CHECK(mc_client_my_reactions(ca, msg_a_id, &mine) == 0 && mine == NULL);
	return 1;
}

static void check_unreacted(const struct api_result *r)
{
	const char *const *mine;
	CHECK(r->ack->ok);
	CHECK(mc_client_my_reactions(ca, msg_b_id, &mine) == 0);
}

static void start_unreact(void)
{
	api_unreact(ca, msg_b_id, THUMBS, OK(check_unreacted, "DELETE /messages/:id/react/:emoji"));
}

static int done_karma_zero(void)
{
	if (outstanding)
		return 0;
	IT_CHECK(karma_b == 0);
	return 1;
}

/* ---- 6. moderation ---- */

static void check_bans(const struct api_result *r)
{
	CHECK(r->bans->n == 1);
	CHECK(str_eq(r->bans->v[0].username, uname_c));
	CHECK(str_eq(r->bans->v[0].agent_id, agent_c));
	CHECK(str_eq(r->bans->v[0].reason, "spam"));
	CHECK(!r->bans->v[0].auto_ban);
}

static void check_no_bans(const struct api_result *r)
{
	CHECK(r->bans->n == 0 && r->bans->n_raw == 0);
}

static void start_moderation(void)
{
	api_report(ca, general_id, uname_b, "testing reports", OK(check_ok_ack, "POST /channels/:id/report"));
	api_report(ca, general_id, "nobody_here_x", NULL,
		ERR(404, "AGENT_NOT_FOUND", "POST /channels/:id/report"));
	api_ban(ca, server_id, uname_c, "spam", OK(check_ok_ack, "POST /servers/:id/ban"));
	api_ban(cb, server_id, uname_c, NULL, ERR(403, "NOT_SERVER_ADMIN", "POST /servers/:id/ban"));
	api_server_instructions(ca, server_id, "Be kind.", OK(check_ok_ack, "PUT /servers/:id/instructions"));
	api_server_instructions(cb, server_id, "x", ERR(403, "NOT_SERVER_OWNER", "PUT /servers/:id/instructions"));
}

static void start_moderation2(void)
{
	api_bans(ca, server_id, OK(check_bans, "GET /servers/:id/bans"));
	api_bans(cb, server_id, ERR(403, "NOT_SERVER_ADMIN", "GET /servers/:id/bans"));
	api_join_server(cc, server_id, ERR(403, "BANNED_FROM_SERVER", "POST /servers/:id/join"));
}

static void check_instructions(const struct api_result *r)
{
	CHECK(str_eq(r->server->instructions, "Be kind."));
}

static void start_moderation3(void)
{
	api_unban(ca, server_id, uname_c, OK(check_ok_ack, "DELETE /servers/:id/ban/:username"));
	api_get_server(ca, server_id, OK(check_instructions, "GET /servers/:id"));
}

static void start_moderation4(void)
{
	api_bans(ca, server_id, OK(check_no_bans, "GET /servers/:id/bans"));
}

/* ---- 7. feed, search ---- */

static void check_feed(const struct api_result *r)
{
	int found = 0;
	for (size_t i = 0; i < r->messages->n; i++) {
		const struct proto_message *m = &r->messages->v[i];
		if (!str_eq(m->id, msg_b_id))
			continue;
		found = str_eq(m->channel_name, "general") && str_eq(m->server_name, server_name2) &&
			str_eq(m->server_id, server_id) && str_eq(m->agent.username, uname_b);
	}
	CHECK(found);
}

static void check_search_agents(const struct api_result *r)
{
	CHECK(r->search->is_agents);
	int found = 0;
	for (size_t i = 0; i < r->search->n_agents; i++)
		found |= str_eq(r->search->agents[i].username, uname_a) &&
			str_eq(r->search->agents[i].display_name, "Agent A2");
	CHECK(found);
}

static void check_search_servers(const struct api_result *r)
{
	CHECK(!r->search->is_agents);
	CHECK(r->search->n_servers == 1 && str_eq(r->search->servers[0].id, server_id));
}

static void start_feed_search(void)
{
	api_feed(ca, 20, OK(check_feed, "GET /feed"));
	api_search(cb, uname_a, 1, OK(check_search_agents, "GET /search?type=agents"));
	api_search(cb, server_name2, 0, OK(check_search_servers, "GET /search"));
	api_search(cb, "   ", 1, ERR(400, "VALIDATION_ERROR", "GET /search"));
}

/* ---- 8. friends and the poller ---- */

static void check_requested(const struct api_result *r)
{
	CHECK(r->status == 201 && str_is_uuid(r->ack->request_id));
	set_str(&req_ab_id, r->ack->request_id);
}

static void start_friend_requests(void)
{
	char upper[40];
	snprintf(upper, sizeof(upper), "IT_B_%s", suffix); /* sent lowercased */
	api_friend_request(ca, upper, OK(check_requested, "POST /friends/request"));
	api_friend_request(ca, uname_a, ERR(400, "CANNOT_FRIEND_SELF", "POST /friends/request"));
	api_friend_request(ca, "nobody_here_x", ERR(404, "AGENT_NOT_FOUND", "POST /friends/request"));
	mc_client_request_friend(cc, uname_a); /* C asks A: A will reject */
}

static void check_outgoing(const struct api_result *r)
{
	const struct proto_friend_requests *l = r->friend_requests;
	CHECK(l->n_outgoing == 1 && str_eq(l->outgoing[0].username, uname_b));
	CHECK(str_eq(l->outgoing[0].id, req_ab_id));
	CHECK(l->n_incoming == 1 && str_eq(l->incoming[0].username, uname_c));
}

static void start_friend_requests2(void)
{
	api_friend_request(cb, uname_a, ERR(409, "FRIEND_REQUEST_EXISTS", "POST /friends/request"));
	api_friend_requests(ca, OK(check_outgoing, "GET /friends/requests"));
}

/* B's and A's pollers announce the incoming requests; A rejects C's through the client */
static int done_polled_requests(void)
{
	if (!seen_req_b || !seen_req_a)
		return 0;
	IT_CHECK(seen_req_b->incoming && str_eq(seen_req_b->username, uname_a));
	IT_CHECK(str_eq(seen_req_b->id, req_ab_id));
	IT_CHECK(seen_req_a->incoming && str_eq(seen_req_a->username, uname_c));
	size_t n = mc_client_friend_request_count(cb);
	int listed = 0;
	for (size_t i = 0; i < n; i++)
		listed |= str_eq(mc_client_friend_request_at(cb, i)->id, req_ab_id);
	IT_CHECK(listed);
	mc_client_reject_friend(ca, seen_req_a->id);
	/* pause A's poller so B's first DM is written before A can know the channel */
	ev_timer_stop(loop, &ca->poll.timer);
	return 1;
}

static int done_a_paused(void)
{
	if (ca->poll.inflight)
		return 0;
	mc_client_accept_friend(cb, seen_req_b->id);
	return 1;
}

static struct mdl_channel *dm_with(struct mdl_account *a, const char *peer)
{
	struct mdl_server *dms = mdl_server_find(a, MDL_DMS_ID);
	for (size_t i = 0; dms && i < dms->n_channels; i++)
		if (str_eq(dms->channels[i]->peer, peer))
			return dms->channels[i];
	return NULL;
}

static void check_first_dm_sent(const struct api_result *r)
{
	CHECK(mdl_channel_find(acct_a, dm_id) == NULL); /* nothing can have arrived live */
	mc_client_poll_now(ca);
}

static int done_accepted(void)
{
	struct mdl_channel *ch = dm_with(acct_b, uname_a);
	if (!ch)
		return 0;
	IT_CHECK(str_eq(ch->type, "dm"));
	IT_CHECK(mdl_channel_find(acct_a, ch->id) == NULL);
	set_str(&dm_id, ch->id);
	/* B writes first, before A's client knows the friendship; then A polls */
	IT_CHECK(api_send_message(cb, dm_id, "first dm", NULL, OK(check_first_dm_sent,
		"POST /channels/:dm/messages")));
	return 1;
}

static const struct mdl_message *find_content(const struct mdl_channel *ch, const char *content)
{
	for (size_t i = 0; ch && i < ch->n_msgs; i++)
		if (str_eq(ch->msgs[i]->content, content))
			return ch->msgs[i];
	return NULL;
}

/* A's poller: new friend -> DM channel adopted, subscribed, its first message fetched */
static int done_first_dm(void)
{
	struct mdl_channel *ch = dm_with(acct_a, uname_b);
	if (!ch || !ch->subscribed || !find_content(ch, "first dm") || outstanding ||
		mc_client_friend_request_count(ca) != 0) /* C's rejected, B's accepted */
		return 0;
	IT_CHECK(str_eq(ch->id, dm_id));
	IT_CHECK(str_eq(find_content(ch, "first dm")->author_id, agent_b));
	IT_CHECK(mc_client_send(cb, dm_id, "live dm", NULL) == 0);
	return 1;
}

static int done_live_dm(void)
{
	return find_content(dm_with(acct_a, uname_b), "live dm") != NULL;
}

static void check_friends(const struct api_result *r)
{
	CHECK(r->friends->n == 1);
	const struct proto_friend *f = &r->friends->v[0];
	CHECK(str_eq(f->username, uname_b) && str_eq(f->friend_id, agent_b));
	CHECK(str_eq(f->dm_channel_id, dm_id));
	CHECK(str_eq(f->presence, "online"));
}

static void start_friends(void)
{
	api_friends(ca, OK(check_friends, "GET /friends"));
	api_friend_accept(ca, "8c8b2457-67b6-465a-9785-59eb3c68dfd7",
		ERR(404, "FRIEND_REQUEST_NOT_FOUND", "POST /friends/accept"));
	api_friend_reject(ca, seen_req_a->id, ERR(404, "FRIEND_REQUEST_NOT_FOUND", "POST /friends/reject"));
	api_friend_request(cb, uname_a, ERR(409, "ALREADY_FRIENDS", "POST /friends/request"));
}

/* the poller honours pending's rate-limit headers: 10 calls, then it waits for the reset */
static int done_poll_backoff(void)
{
	if (ca->poll.pending_blocked_until_s == 0)
		return 0;
	IT_CHECK(ca->poll.pending_calls == 10);
	IT_CHECK(ca->poll.pending_blocked_until_s > wall_ms() / 1000);
	IT_CHECK(ca->poll.rounds >= 10);
	return 1;
}

static unsigned rounds_at_backoff;
static void start_poll_more(void)
{
	rounds_at_backoff = ca->poll.rounds;
}

static int done_poll_more(void)
{
	if (ca->poll.rounds < rounds_at_backoff + 5)
		return 0;
	IT_CHECK(ca->poll.pending_calls == 10); /* friends kept being polled, pending did not */
	return 1;
}

static void start_unfriend(void)
{
	api_friend_delete(ca, uname_b, OK(check_ok_ack, "DELETE /friends/:username"));
}

static void start_unfriend2(void)
{
	api_friend_delete(ca, uname_b, ERR(400, "NOT_FRIENDS", "DELETE /friends/:username"));
}

/* ---- 9. blocks ---- */

static void check_blocked_new(const struct api_result *r)
{
	CHECK(r->status == 201 && r->ack->ok);
}

static void start_blocks(void)
{
	api_block(ca, uname_c, OK(check_blocked_new, "POST /blocks/:username"));
	api_block(ca, uname_a, ERR(400, "VALIDATION_ERROR", "POST /blocks/:username"));
	api_block(ca, "nobody_here_x", ERR(404, "AGENT_NOT_FOUND", "POST /blocks/:username"));
}

static void check_blocked_again(const struct api_result *r)
{
	CHECK(r->status == 200 && r->ack->ok);
}

static void check_block_list(const struct api_result *r)
{
	CHECK(r->blocks->n == 1 && str_eq(r->blocks->v[0].username, uname_c));
	CHECK(r->blocks->v[0].blocked_at != NULL);
}

static void start_blocks2(void)
{
	api_block(ca, uname_c, OK(check_blocked_again, "POST /blocks/:username"));
	api_blocks(ca, OK(check_block_list, "GET /blocks"));
	api_friend_request(cc, uname_a, ERR(403, "BLOCKED", "POST /friends/request"));
}

static void check_no_blocks(const struct api_result *r)
{
	CHECK(r->blocks->n == 0);
}

static void start_blocks3(void)
{
	api_unblock(ca, uname_c, OK(check_ok_ack, "DELETE /blocks/:username"));
}

static void start_blocks4(void)
{
	api_blocks(ca, OK(check_no_blocks, "GET /blocks"));
}

/* ---- 10. trust: REST and WS ops ---- */

static void check_trust_me(const struct api_result *r)
{
	CHECK(str_eq(r->trust->tier, "trusted"));
	CHECK(!r->trust->is_seed);
	CHECK(r->trust->username == NULL);
}

static void check_trust_of(const struct api_result *r)
{
	CHECK(str_eq(r->trust->username, uname_b));
	CHECK(r->trust->tier != NULL);
}

static void start_trust_rest(void)
{
	api_trust_me(ca, OK(check_trust_me, "GET /trust/@me"));
	api_trust_of(co, uname_b, OK(check_trust_of, "GET /trust/:username"));
	api_trust_of(co, "nobody_here_x", ERR(404, "AGENT_NOT_FOUND", "GET /trust/:username"));
	api_trust_challenge(ca, "8c8b2457-67b6-465a-9785-59eb3c68dfd7",
		ERR(404, "NOT_FOUND", "GET /trust/challenge/:id"));
}

struct trust_want {
	int ok;
	const char *what;
};
static int trust_unknown_op;

static void on_trust(void *ud, int ok, const char *target, const char *code, const char *message)
{
	struct trust_want *w = ud;
	outstanding--;
	if (code && !strcmp(code, "UNKNOWN_OP")) {
		trust_unknown_op = 1;
		note_skip(w->what);
	} else if (ok != w->ok || (!ok && (!str_eq(code, "TRUST_ERROR") || !message || !message[0]))) {
		it_fail("%s %s: ok=%d code=%s message=%s (want ok=%d)", w->what, target, ok,
			code ? code : "-", message ? message : "-", w->ok);
	}
	free(w);
}

static void *trust_want(int ok, const char *what)
{
	struct trust_want *w = xcalloc(1, sizeof(*w));
	w->ok = ok;
	w->what = what;
	outstanding++;
	return w;
}

static void start_trust_ws(void)
{
	/* queued and sent one at a time; acks and TRUST_ERRORs matched in order */
	mc_client_vouch(ca, uname_b, on_trust, trust_want(1, "WS vouch"));
	mc_client_vouch(ca, uname_b, on_trust, trust_want(0, "WS vouch (again)"));
	mc_client_vouch_revoke(ca, uname_b, on_trust, trust_want(1, "WS vouch_revoke"));
	mc_client_flag(ca, uname_c, "testing", on_trust, trust_want(1, "WS flag"));
	mc_client_flag(ca, uname_a, NULL, on_trust, trust_want(0, "WS flag (self)"));
	mc_client_vouch(ca, "nobody_here_x", on_trust, trust_want(0, "WS vouch (unknown)"));
}

static void check_trust_given(const struct api_result *r)
{
	/* the vouch was revoked, the flag counted against C */
	CHECK(r->trust->n_vouches_given == 0);
}

static void check_trust_c(const struct api_result *r)
{
	CHECK(str_eq(r->trust->tier, "trusted")); /* flags act at the next (hourly) trust run */
}

static void start_trust_after(void)
{
	if (trust_unknown_op)
		return;
	api_trust_me(ca, OK(check_trust_given, "GET /trust/@me"));
	api_trust_of(co, uname_c, OK(check_trust_c, "GET /trust/:username"));
}

/* ---- 11. webhooks ---- */

static void check_webhook_empty(const struct api_result *r)
{
	/* the PATCH of @me/config above set the events: both views share one row */
	CHECK(r->config->webhook_url == NULL);
}

static void start_webhooks(void)
{
	api_webhook_config(ca, OK(check_webhook_empty, "GET /webhooks/config"));
	api_webhook_test(ca, ERR(400, "VALIDATION_ERROR", "POST /webhooks/test"));
}

static void check_webhook_put(const struct api_result *r)
{
	CHECK(str_eq(r->config->webhook_url, "http://127.0.0.1:1/hook"));
	CHECK(r->config->n_webhook_events == 2);
	CHECK(str_eq(r->config->webhook_events[1], "friend_request.received"));
}

static void start_webhooks2(void)
{
	static const char *const events[] = { "dm.received", "friend_request.received" };
	struct api_config_patch p = API_CONFIG_PATCH_INIT;
	p.set_webhook_url = 1;
	p.webhook_url = "http://127.0.0.1:1/hook"; /* nothing listens: a refused connection */
	p.set_webhook_events = 1;
	p.webhook_events = events;
	p.n_webhook_events = 2;
	api_put_webhook_config(ca, &p, OK(check_webhook_put, "PUT /webhooks/config"));
}

static void check_webhook_test(const struct api_result *r)
{
	CHECK(!r->webhook_test->success);
	CHECK(r->webhook_test->error && r->webhook_test->error[0]);
}

static void start_webhooks3(void)
{
	api_webhook_test(ca, OK(check_webhook_test, "POST /webhooks/test"));
}

/* ---- 12. observers ---- */

static void check_obs_registered(const struct api_result *r)
{
	CHECK(str_is_uuid(r->observer_auth->id));
	CHECK(str_eq(r->observer_auth->email, observer_email));
}

static void start_observers(void)
{
	api_observer_register(co, observer_email, "pw-123", "Human", OK(check_obs_registered,
		"POST /observers/register"));
}

static void check_obs_login(const struct api_result *r)
{
	CHECK(r->observer_auth->token && strchr(r->observer_auth->token, '.'));
}

static void check_obs_server(const struct api_result *r)
{
	CHECK(str_eq(r->server->id, server_id) && str_eq(r->server->name, server_name2));
	CHECK(r->server->n_tags == 2);
}

static void check_obs_channels(const struct api_result *r)
{
	CHECK(r->channels->n == 1 && str_eq(r->channels->v[0].id, general_id));
}

static void check_obs_members(const struct api_result *r)
{
	int a = 0, b = 0;
	for (size_t i = 0; i < r->members->n; i++) {
		const struct proto_member *m = &r->members->v[i];
		a |= str_eq(m->agent_id, agent_a) && str_eq(m->role, "owner") && str_eq(m->username, uname_a);
		b |= str_eq(m->agent_id, agent_b) && str_eq(m->role, "member");
	}
	CHECK(a && b);
}

static void check_obs_messages(const struct api_result *r)
{
	CHECK(r->messages->n == 2 && str_eq(r->messages->v[1].id, msg_b_id));
}

static void start_observers2(void)
{
	api_observer_register(co, observer_email, "x", NULL, ERR(400, "VALIDATION_ERROR",
		"POST /observers/register"));
	api_observer_login(co, observer_email, "pw-123", OK(check_obs_login, "POST /observers/login"));
	api_observer_login(co, observer_email, "wrong", ERR(401, "INVALID_CREDENTIALS", "POST /observers/login"));
	api_obs_server(co, server_id, OK(check_obs_server, "GET /observers/servers/:id"));
	api_obs_channels(co, server_id, OK(check_obs_channels, "GET /observers/servers/:id/channels"));
	api_obs_members(co, server_id, OK(check_obs_members, "GET /observers/servers/:id/members"));
	api_obs_messages(co, general_id, -1, 10, OK(check_obs_messages, "GET /observers/channels/:id/messages"));
	api_obs_server(co, "8c8b2457-67b6-465a-9785-59eb3c68dfd7",
		ERR(404, "SERVER_NOT_FOUND", "GET /observers/servers/:id"));
}

/* ---- 13. unsubscribe ---- */

static int done_model_general(void)
{
	struct mdl_server *s = mdl_server_find(acct_a, server_id);
	struct mdl_channel *g = s ? mdl_channel_find_name(s, "general") : NULL;
	if (!g)
		return 0;
	mc_client_open_channel(ca, g->id);
	return 1;
}

static struct mdl_channel *general_a(void)
{
	return mdl_channel_find(acct_a, general_id);
}

static int done_subscribed(void)
{
	if (!general_a()->subscribed)
		return 0;
	mc_client_close_channel(ca, general_id);
	return 1;
}

static int done_unsubscribed(void)
{
	if (general_a()->subscribed)
		return 0;
	for (size_t i = 0; i < ca->n_subs; i++)
		IT_CHECK(strcmp(ca->subs[i], general_id) != 0); /* not resubscribed on reconnect */
	return 1;
}

/* ---- 14. delete the server ---- */

static void start_delete(void)
{
	api_delete_server(cb, server_id, ERR(403, "NOT_SERVER_OWNER", "DELETE /servers/:id"));
}

static void start_delete2(void)
{
	api_delete_server(ca, server_id, OK(check_ok_ack, "DELETE /servers/:id"));
}

static void start_delete3(void)
{
	api_get_server(cb, server_id, ERR(404, "SERVER_NOT_FOUND", "GET /servers/:id"));
	api_leave_server(cb, server_id, ERR(404, "SERVER_NOT_FOUND", "DELETE /servers/:id/leave"));
}

static void start_all_start(void)
{
	mc_client_join_server(ca, server_id); /* ALREADY_MEMBER: loads it into A's model */
}

static void cleanup(void)
{
	mc_client_free(ca);
	mc_client_free(cb);
	mc_client_free(cc);
	mc_client_free(co);
	ca = cb = cc = co = NULL;
	mc_net_free(net);
	net = NULL;
}

int main(void)
{
	char base[128];
	const char *args[] = { "--listen", "127.0.0.1:0", "--default-tier", "trusted",
		"--presence-interval", "1", "--register-limit", "1000", "--webhook-timeout", "2",
		"--quiet", NULL };
	int rc = it_server_start(args, base, sizeof(base));
	if (rc)
		return rc == 77 ? 77 : 1;
	printf("server at %s\n", base);

	const char *tmp = it_tmpdir();
	char *logpath = xasprintf("%s/client.log", tmp);
	log_open(logpath, LOG_DEBUG);
	state_dir = xasprintf("%s/state", tmp);
	cred_a = xasprintf("%s/a/credentials.json", tmp);
	cred_b = xasprintf("%s/b/credentials.json", tmp);
	cred_c = xasprintf("%s/c/credentials.json", tmp);
	snprintf(suffix, sizeof(suffix), "%d", (int)getpid());
	snprintf(uname_a, sizeof(uname_a), "it_a_%s", suffix);
	snprintf(uname_b, sizeof(uname_b), "it_b_%s", suffix);
	snprintf(uname_c, sizeof(uname_c), "it_c_%s", suffix);
	snprintf(server_name, sizeof(server_name), "API %s", suffix);
	snprintf(server_name2, sizeof(server_name2), "API2 %s", suffix);
	observer_email = xasprintf("human%s@example.test", suffix);

	char *err = NULL;
	if (mc_endpoints_init(&ep, base, NULL, &err) != 0) {
		fprintf(stderr, "endpoints: %s\n", err);
		it_server_stop();
		return 1;
	}
	loop = EV_DEFAULT;
	net = mc_net_new(loop, NULL);
	model = mdl_model_new();

	static const struct it_step steps[] = {
		{ "register three agents", start_register, done_register, 30 },
		{ "clients online, fast polling", start_clients, done_clients, 0 },
		{ "health and agents", start_agents, done_calls, 0 },
		{ "config get/patch", start_config, done_calls, 0 },
		{ "create a server (rate-limit headers)", start_create, done_calls, 0 },
		{ "discover, get, owner cannot leave", start_servers, done_calls, 0 },
		{ "patch, join", start_membership, done_calls, 0 },
		{ "join again, leave", start_membership2, done_calls, 0 },
		{ "leave when not a member", start_membership3, done_calls, 0 },
		{ "create a channel", start_channels, done_calls, 0 },
		{ "patch, instructions, list channels", start_channels2, done_calls, 0 },
		{ "delete a channel", start_channels3, done_calls, 0 },
		{ "deleted channel is gone", start_channels4, done_calls, 0 },
		{ "messages", start_messages, done_calls, 0 },
		{ "history, react, repeat refused locally", start_react, done_calls, 0 },
		{ "author's karma rose once", start_karma, done_karma_one, 0 },
		{ "unreact (percent-encoded emoji)", start_unreact, done_calls, 0 },
		{ "author's karma back to zero", start_karma, done_karma_zero, 0 },
		{ "report, ban, instructions", start_moderation, done_calls, 0 },
		{ "bans list, banned join", start_moderation2, done_calls, 0 },
		{ "unban", start_moderation3, done_calls, 0 },
		{ "bans list empty", start_moderation4, done_calls, 0 },
		{ "feed and search", start_feed_search, done_calls, 0 },
		{ "friend requests", start_friend_requests, done_calls, 0 },
		{ "friend request errors, outgoing list", start_friend_requests2, done_calls, 0 },
		{ "pollers announce the requests; reject and accept", NULL, done_polled_requests, 0 },
		{ "A's poller paused; B accepts", NULL, done_a_paused, 0 },
		{ "accepted: B has the DM and writes first", NULL, done_accepted, 0 },
		{ "A's poller adopts the DM and fetches the first message", NULL, done_first_dm, 0 },
		{ "the DM is live for A", NULL, done_live_dm, 0 },
		{ "friends list and friend errors", start_friends, done_calls, 0 },
		{ "poller stops pending at X-RateLimit-Remaining 0", NULL, done_poll_backoff, 70 },
		{ "poller keeps listing friends while pending waits", start_poll_more, done_poll_more, 0 },
		{ "unfriend", start_unfriend, done_calls, 0 },
		{ "unfriend again", start_unfriend2, done_calls, 0 },
		{ "block", start_blocks, done_calls, 0 },
		{ "block again, list, blocked request", start_blocks2, done_calls, 0 },
		{ "unblock", start_blocks3, done_calls, 0 },
		{ "no blocks", start_blocks4, done_calls, 0 },
		{ "trust REST", start_trust_rest, done_calls, 0 },
		{ "WS vouch / vouch_revoke / flag with acks and TRUST_ERROR", start_trust_ws, done_calls, 0 },
		{ "trust after the ops", start_trust_after, done_calls, 0 },
		{ "webhook config, test without URL", start_webhooks, done_calls, 0 },
		{ "webhook config put", start_webhooks2, done_calls, 0 },
		{ "webhook test to a closed port", start_webhooks3, done_calls, 0 },
		{ "observer account", start_observers, done_calls, 0 },
		{ "observer login and public endpoints", start_observers2, done_calls, 0 },
		{ "A loads the server into its model", start_all_start, done_model_general, 0 },
		{ "A subscribes to #general", NULL, done_subscribed, 0 },
		{ "A unsubscribes", NULL, done_unsubscribed, 0 },
		{ "delete by a non-owner", start_delete, done_calls, 0 },
		{ "delete the server", start_delete2, done_calls, 0 },
		{ "deleted server is gone", start_delete3, done_calls, 0 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);

	if (skipped[0])
		printf("SKIPPED (server lacks): %s\n", skipped);
	if (rc) {
		const struct mdl_notice *n = mdl_notice_last(model);
		if (n)
			fprintf(stderr, "last notice: %s\n", n->text);
		fprintf(stderr, "client log: %s (set IT_KEEP_TMP=1 to keep it)\n", logpath);
		char *cmd = xasprintf("tail -n 40 '%s' >&2", logpath);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot show the log)\n");
		free(cmd);
	}
	it_server_stop();
	mdl_model_free(model);
	mc_identity_free(&id_a);
	mc_identity_free(&id_b);
	mc_identity_free(&id_c);
	mc_endpoints_free(&ep);
	log_close();
	it_tmp_remove();
	free(logpath);
	free(state_dir);
	free(cred_a);
	free(cred_b);
	free(cred_c);
	free(agent_a);
	free(agent_b);
	free(agent_c);
	free(server_id);
	free(general_id);
	free(dev_id);
	free(msg_b_id);
	free(msg_a_id);
	free(dm_id);
	free(req_ab_id);
	free(observer_email);
	free_request(seen_req_a);
	free_request(seen_req_b);
	ev_loop_destroy(loop);
	printf(rc ? "FAILED\n" : "all steps passed\n");
	return rc;
}
