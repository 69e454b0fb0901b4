/* Client core against a real moltchatsd: registration, sessions, server create/join, WS and
 * REST sends with pending -> confirmed and no duplicates, live delivery, typing, presence,
 * history paging, an anonymous observer, and refresh-token rotation. One libev loop, no TUI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "client_int.h"
#include "client_harness.h"

#define N_PAGE_FILL 26 /* REST messages per agent: enough for > 1 history page */

static struct ev_loop *loop;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct mdl_account *acct_a, *acct_b, *acct_o;
static struct mc_client *ca, *cb, *co;
static struct mc_identity id_a, id_b;
static char *cred_a, *cred_b, *state_dir;
static char suffix[16];
static char uname_a[40], uname_b[40];
static int reg_done, reg_failed;
static char *agent_a, *agent_b;
static char *server_id;
static int api_done;
static char *rest_msg_id;
static const char *gen_id; /* #general, same id in every account */
static int fill_sent, fill_failed;
static int refresh_done, refresh_ok;
static char *old_token, *old_refresh, *new_token;
static int revoked_checked, new_token_checked;

/* ---- helpers ---- */

static struct mdl_channel *general_of(struct mdl_account *a)
{
	if (!server_id)
		return NULL;
	struct mdl_server *s = mdl_server_find(a, server_id);
	return s ? mdl_channel_find_name(s, "general") : NULL;
}

static size_t count_content(const struct mdl_channel *ch, const char *content)
{
	size_t n = 0;
	for (size_t i = 0; ch && i < ch->n_msgs; i++)
		if (!strcmp(ch->msgs[i]->content, content))
			n++;
	return n;
}

static const struct mdl_message *find_content(const struct mdl_channel *ch, const char *content)
{
	for (size_t i = 0; ch && i < ch->n_msgs; i++)
		if (!strcmp(ch->msgs[i]->content, content))
			return ch->msgs[i];
	return NULL;
}

static int no_duplicate_ids_and_sorted(const struct mdl_channel *ch)
{
	for (size_t i = 0; i < ch->n_msgs; i++) {
		if (i && ch->msgs[i - 1]->created_ms > ch->msgs[i]->created_ms)
			return 0;
		for (size_t j = i + 1; j < ch->n_msgs; j++)
			if (!strcmp(ch->msgs[i]->id, ch->msgs[j]->id))
				return 0;
	}
	return 1;
}

static char *session_file_field(const char *agent_id, const char *field)
{
	char *path = xasprintf("%s/session-%s.json", state_dir, agent_id);
	char *text = fs_read_file(path, NULL);
	free(path);
	if (!text)
		return NULL;
	cJSON *j = cJSON_Parse(text);
	free(text);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, field);
	char *out = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	cJSON_Delete(j);
	return out;
}

static int file_mode_is_0600(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && (st.st_mode & 0777) == 0600;
}

/* ---- 1. register ---- */

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
}

static int done_register(void)
{
	IT_CHECK(!reg_failed);
	if (reg_done < 2)
		return 0;
	IT_CHECK(str_is_uuid(agent_a) && str_is_uuid(agent_b));
	IT_CHECK(file_mode_is_0600(cred_a) && file_mode_is_0600(cred_b));
	char *text = fs_read_file(cred_a, NULL);
	IT_CHECK(text);
	cJSON *j = cJSON_Parse(text);
	free(text);
	IT_CHECK(j);
	const char *keys[] = { "agentId", "username", "privateKey", "refreshToken", "apiBase" };
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		IT_CHECK(cJSON_IsString(v) && v->valuestring[0]);
	}
	IT_CHECK(!strcmp(cJSON_GetObjectItem(j, "apiBase")->valuestring, ep.api_base));
	IT_CHECK(str_starts_with(cJSON_GetObjectItem(j, "privateKey")->valuestring, "-----BEGIN PRIVATE KEY-----"));
	cJSON_Delete(j);
	return 1;
}

/* A second registration into the same file must refuse to overwrite it. */
static int refuse_done, refuse_ok;
static void on_refused(void *ud, const char *agent_id, const char *err)
{
	refuse_ok = !agent_id && err && strstr(err, "already exists");
	refuse_done = 1;
}
static void start_refuse(void)
{
	char *name = xasprintf("it_c_%s", suffix);
	mc_register(net, &ep, name, NULL, cred_a, on_refused, NULL);
	free(name);
}
static int done_refuse(void)
{
	if (!refuse_done)
		return 0;
	IT_CHECK(refuse_ok);
	return 1;
}

/* ---- 2. identities + clients online ---- */

static void start_clients(void)
{
	char *err = NULL;
	if (mc_identity_load(cred_a, &id_a, &err) != 0 || mc_identity_load(cred_b, &id_b, &err) != 0) {
		it_fail("identity: %s", err);
		free(err);
		return;
	}
	/* a world-readable key file is refused */
	char *loose = xasprintf("%s/loose.json", it_tmpdir());
	char *text = fs_read_file(cred_a, NULL);
	fs_write_atomic(loose, text, strlen(text), 0644);
	free(text);
	struct mc_identity tmp;
	if (mc_identity_load(loose, &tmp, &err) == 0 || !err || !strstr(err, "group/others")) {
		it_fail("a 0644 credentials file was accepted");
		free(loose);
		return;
	}
	free(err);
	free(loose);

	acct_a = mdl_account_add(model, "@a", 0);
	acct_b = mdl_account_add(model, "@b", 0);
	ca = mc_client_new(net, acct_a, &ep, &id_a, state_dir);
	cb = mc_client_new(net, acct_b, &ep, &id_b, state_dir);
	mc_client_start(ca);
	mc_client_start(cb);
}

static int done_clients(void)
{
	IT_CHECK(acct_a->conn != MDL_CONN_FAILED && acct_b->conn != MDL_CONN_FAILED);
	if (acct_a->conn != MDL_CONN_ONLINE || acct_b->conn != MDL_CONN_ONLINE)
		return 0;
	IT_CHECK(str_eq(acct_a->agent_id, agent_a));
	IT_CHECK(str_eq(acct_a->username, uname_a));
	char *tok = session_file_field(agent_a, "token");
	IT_CHECK(tok && str_eq(tok, ca->sess.token));
	free(tok);
	char *path = xasprintf("%s/session-%s.json", state_dir, agent_a);
	int mode_ok = file_mode_is_0600(path);
	free(path);
	IT_CHECK(mode_ok);
	return 1;
}

/* ---- 3. create + join ---- */

static void on_created(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		it_fail("create server: %s", e);
		free(e);
		return;
	}
	server_id = xstrdup(r->server->id);
	api_done = 1;
}

static void start_create(void)
{
	char *name = xasprintf("IT %s", suffix);
	api_create_server(ca, name, "integration", 1, on_created, NULL, NULL);
	free(name);
}

static int done_create(void)
{
	if (!api_done)
		return 0;
	IT_CHECK(str_is_uuid(server_id));
	mc_client_join_server(ca, server_id); /* owner: ALREADY_MEMBER, loads it into the model */
	mc_client_join_server(cb, server_id);
	return 1;
}

static int done_join(void)
{
	struct mdl_channel *ga = general_of(acct_a), *gb = general_of(acct_b);
	if (!ga || !gb)
		return 0;
	IT_CHECK(!strcmp(ga->id, gb->id));
	gen_id = ga->id;
	struct mdl_server *sb = mdl_server_find(acct_b, server_id);
	IT_CHECK(sb->name && str_starts_with(sb->name, "IT "));
	mc_client_open_channel(ca, gen_id);
	mc_client_open_channel(cb, gen_id);
	return 1;
}

static int done_open(void)
{
	struct mdl_channel *ga = general_of(acct_a), *gb = general_of(acct_b);
	if (!ga->subscribed || !gb->subscribed)
		return 0;
	if (ga->history == MDL_HIST_LOADING || gb->history == MDL_HIST_LOADING ||
		ga->history == MDL_HIST_NONE || gb->history == MDL_HIST_NONE)
		return 0;
	IT_CHECK(ga->history == MDL_HIST_COMPLETE); /* a new channel is empty */
	return 1;
}

/* ---- 4. WS send ---- */

static void start_ws_send(void)
{
	struct mdl_channel *ga = general_of(acct_a);
	if (mc_client_send(ca, gen_id, "hello over ws", NULL) != 0) {
		it_fail("mc_client_send refused");
		return;
	}
	const struct mdl_message *m = find_content(ga, "hello over ws");
	if (!m || m->state != MDL_MSG_PENDING || !str_starts_with(m->id, "local-"))
		it_fail("no pending message right after mc_client_send");
}

static int done_ws_send(void)
{
	const struct mdl_message *ma = find_content(general_of(acct_a), "hello over ws");
	const struct mdl_message *mb = find_content(general_of(acct_b), "hello over ws");
	IT_CHECK(ma);
	IT_CHECK(ma->state != MDL_MSG_FAILED);
	if (ma->state != MDL_MSG_STORED || !mb)
		return 0;
	IT_CHECK(str_is_uuid(ma->id));
	IT_CHECK(!strcmp(ma->id, mb->id));
	IT_CHECK(str_eq(mb->author_id, agent_a));
	IT_CHECK(str_eq(mb->author_username, uname_a));
	IT_CHECK(str_eq(mb->trust_tier, "trusted"));
	IT_CHECK(count_content(general_of(acct_a), "hello over ws") == 1);
	return 1;
}

/* ---- 5. REST send (api function) ---- */

static void on_rest_sent(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		it_fail("REST send: %s", e);
		free(e);
		return;
	}
	rest_msg_id = xstrdup(r->message->id);
}

static void start_rest_send(void)
{
	api_send_message(ca, gen_id, "hello over rest", NULL, on_rest_sent, NULL, NULL);
}

static int done_rest_send(void)
{
	if (!rest_msg_id)
		return 0;
	const struct mdl_message *ma = find_content(general_of(acct_a), "hello over rest");
	const struct mdl_message *mb = find_content(general_of(acct_b), "hello over rest");
	if (!ma || !mb)
		return 0; /* A sees its own REST message through the broadcast */
	IT_CHECK(!strcmp(ma->id, rest_msg_id) && !strcmp(mb->id, rest_msg_id));
	IT_CHECK(count_content(general_of(acct_a), "hello over rest") == 1);
	return 1;
}

/* ---- 6. mc_client_send over REST: pending + own broadcast merge into one ---- */

static void start_fallback_send(void)
{
	struct mdl_channel *ga = general_of(acct_a);
	ga->subscribed = 0; /* as if the socket were not subscribed yet: the outbox uses REST */
	mc_client_send(ca, gen_id, "pending via rest", "code");
	ga->subscribed = 1;
}

static int done_fallback_send(void)
{
	struct mdl_channel *ga = general_of(acct_a);
	const struct mdl_message *m = find_content(ga, "pending via rest");
	IT_CHECK(m && m->state != MDL_MSG_FAILED);
	if (m->state != MDL_MSG_STORED || !find_content(general_of(acct_b), "pending via rest"))
		return 0;
	IT_CHECK(str_is_uuid(m->id));
	IT_CHECK(str_eq(m->content_type, "code"));
	IT_CHECK(count_content(ga, "pending via rest") == 1);
	return 1;
}

/* ---- 7. typing, presence ---- */

static int typing_seen(const struct mdl_channel *ch, const char *user)
{
	for (size_t i = 0; i < ch->n_typing; i++)
		if (str_eq(ch->typing[i].username, user))
			return 1;
	return 0;
}

static void start_typing(void)
{
	mc_client_typing(cb, gen_id);
	mc_client_typing(ca, gen_id); /* our own never shows up in our own model */
}

static int done_typing(void)
{
	IT_CHECK(!typing_seen(general_of(acct_a), uname_a));
	return typing_seen(general_of(acct_a), uname_b);
}

static int done_presence(void)
{
	struct mdl_channel *ga = general_of(acct_a);
	return mdl_presence_has(ga, agent_a) && mdl_presence_has(ga, agent_b);
}

/* ---- 8. fill a second history page (both agents, REST, sequential) ---- */

static void fill_next(void);

static void on_fill(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		fprintf(stderr, "fill send failed: %s\n", e);
		free(e);
		fill_failed = 1;
		return;
	}
	fill_sent++;
	fill_next();
}

static void fill_next(void)
{
	if (fill_sent >= 2 * N_PAGE_FILL)
		return;
	char text[32];
	snprintf(text, sizeof(text), "fill %02d", fill_sent);
	api_send_message(fill_sent % 2 ? cb : ca, gen_id, text, NULL, on_fill, NULL, NULL);
}

static void start_fill(void)
{
	fill_next();
}

static int done_fill(void)
{
	IT_CHECK(!fill_failed);
	if (fill_sent < 2 * N_PAGE_FILL)
		return 0;
	/* every fill message arrived live in B's model, once */
	struct mdl_channel *gb = general_of(acct_b);
	for (int i = 0; i < 2 * N_PAGE_FILL; i++) {
		char text[32];
		snprintf(text, sizeof(text), "fill %02d", i);
		if (count_content(gb, text) == 0)
			return 0;
		IT_CHECK(count_content(gb, text) == 1);
	}
	return 1;
}

/* ---- 9. observer: public server, members, history paging, live messages ---- */

static void start_observer(void)
{
	acct_o = mdl_account_add(model, "observer", 1);
	co = mc_client_new(net, acct_o, &ep, NULL, state_dir);
	mc_client_start(co);
}

static int done_observer(void)
{
	struct mdl_channel *go = general_of(acct_o);
	if (!go || acct_o->conn != MDL_CONN_ONLINE)
		return 0;
	struct mdl_server *so = mdl_server_find(acct_o, server_id);
	if (!mdl_member_find(so, agent_a) || !mdl_member_find(so, agent_b))
		return 0;
	IT_CHECK(mdl_account_name_for(acct_o, agent_b) && str_eq(mdl_account_name_for(acct_o, agent_b), uname_b));
	mc_client_open_channel(co, go->id);
	return 1;
}

static size_t total_expected(void)
{
	return 3 + 2 * N_PAGE_FILL; /* ws + rest + fallback + fill */
}

static int done_observer_first_page(void)
{
	struct mdl_channel *go = general_of(acct_o);
	if (go->history != MDL_HIST_LOADED && go->history != MDL_HIST_COMPLETE)
		return 0;
	IT_CHECK(go->history == MDL_HIST_LOADED); /* more than one page exists */
	/* the first page (50), plus what the gap fill on `subscribed` fetched (its newest 100) */
	IT_CHECK(go->n_msgs >= 50);
	IT_CHECK(no_duplicate_ids_and_sorted(go));
	mc_client_load_older(co, go->id);
	IT_CHECK(go->history == MDL_HIST_LOADING);
	mc_client_load_older(co, go->id); /* no-op while loading */
	return 1;
}

static int done_observer_paging(void)
{
	struct mdl_channel *go = general_of(acct_o);
	if (go->history == MDL_HIST_LOADING)
		return 0;
	IT_CHECK(go->history == MDL_HIST_COMPLETE);
	IT_CHECK(go->n_msgs == total_expected());
	IT_CHECK(no_duplicate_ids_and_sorted(go));
	IT_CHECK(count_content(go, "hello over ws") == 1);
	IT_CHECK(count_content(go, "fill 00") == 1);
	/* A's own view after its paging matches */
	return 1;
}

static void start_observer_live(void)
{
	mc_client_send(ca, gen_id, "live for the observer", NULL);
}

static int done_observer_live(void)
{
	struct mdl_channel *go = general_of(acct_o);
	if (!go->subscribed)
		return 0;
	const struct mdl_message *m = find_content(go, "live for the observer");
	if (!m)
		return 0;
	IT_CHECK(str_eq(m->author_id, agent_a));
	/* observers can't post */
	IT_CHECK(mc_client_send(co, go->id, "nope", NULL) == -1);
	const struct mdl_notice *n = mdl_notice_last(model);
	IT_CHECK(n && strstr(n->text, "observers are read-only: posting needs an agent identity"));
	return 1;
}

/* ---- 10. refresh rotation ---- */

static void on_refreshed(void *ud, int ok)
{
	refresh_done = 1;
	refresh_ok = ok;
}

static void start_refresh(void)
{
	old_token = session_file_field(agent_a, "token");
	old_refresh = session_file_field(agent_a, "refreshToken");
	if (!old_token || !old_refresh) {
		it_fail("no session file before the refresh");
		return;
	}
	session_refresh_now(ca, on_refreshed, NULL);
}

static void on_old_token_me(void *ud, const struct api_result *r)
{
	revoked_checked = 1;
	if (r->status != 401 || !str_eq(r->err.code, "TOKEN_REVOKED"))
		it_fail("old token after rotation: HTTP %d %s (want 401 TOKEN_REVOKED)", r->status,
			r->err.code ? r->err.code : "-");
}

static void on_new_token_me(void *ud, const struct api_result *r)
{
	new_token_checked = 1;
	if (!r->ok || !str_eq(r->profile->id, agent_a))
		it_fail("new token after rotation: HTTP %d", r->status);
}

static int done_refresh(void)
{
	if (!refresh_done)
		return 0;
	IT_CHECK(refresh_ok);
	new_token = session_file_field(agent_a, "token");
	char *new_refresh = session_file_field(agent_a, "refreshToken");
	int rotated = new_token && new_refresh && strcmp(new_token, old_token) && strcmp(new_refresh, old_refresh);
	free(new_refresh);
	IT_CHECK(rotated);
	IT_CHECK(str_eq(new_token, ca->sess.token));
	char *path = xasprintf("%s/session-%s.json", state_dir, agent_a);
	int mode_ok = file_mode_is_0600(path);
	free(path);
	IT_CHECK(mode_ok);
	/* atomic write: no temp files left behind */
	DIR *d = opendir(state_dir);
	IT_CHECK(d);
	struct dirent *e;
	int stray = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !str_starts_with(e->d_name, "session-"))
			stray = 1;
		else if (e->d_name[0] != '.' && !str_ends_with(e->d_name, ".json"))
			stray = 1;
	closedir(d);
	IT_CHECK(!stray);
	struct api_call old = { .net = net, .base = ep.api_base, .method = "GET", .path = "/agents/@me",
		.auth = API_TOKEN, .token = old_token, .decode = API_DEC_PROFILE, .cb = on_old_token_me };
	struct api_call cur = old;
	cur.token = new_token;
	cur.cb = on_new_token_me;
	IT_CHECK(api_start(&old) && api_start(&cur));
	return 1;
}

static int done_refresh_checks(void)
{
	return revoked_checked && new_token_checked;
}

/* after the rotation the client keeps working with the new pair */
static void start_after_refresh(void)
{
	mc_client_send(ca, gen_id, "after refresh", NULL);
}

static int done_after_refresh(void)
{
	const struct mdl_message *m = find_content(general_of(acct_b), "after refresh");
	const struct mdl_message *ma = find_content(general_of(acct_a), "after refresh");
	IT_CHECK(ma && ma->state != MDL_MSG_FAILED);
	return m && ma->state == MDL_MSG_STORED;
}

/* ---- 11. a socket refused with 4001 refreshes, reconnects and resubscribes ---- */

static char *token_before_4001;

static void start_ws_4001(void)
{
	token_before_4001 = xstrdup(ca->sess.token);
	/* corrupt the JWT's signature: the next WS connect is refused after the upgrade */
	size_t n = strlen(ca->sess.token);
	ca->sess.token[n - 2] = ca->sess.token[n - 2] == 'A' ? 'B' : 'A';
	gw_drop_connection(ca, "test reconnect");
}

static int done_ws_4001(void)
{
	struct mdl_channel *ga = general_of(acct_a);
	IT_CHECK(acct_a->conn != MDL_CONN_FAILED);
	if (acct_a->conn != MDL_CONN_ONLINE || !ga->subscribed)
		return 0;
	IT_CHECK(session_ready(ca));
	IT_CHECK(strcmp(ca->sess.token, token_before_4001) != 0); /* refreshed */
	mc_client_send(ca, gen_id, "after reconnect", NULL);
	return 1;
}

static int done_after_reconnect(void)
{
	const struct mdl_message *ma = find_content(general_of(acct_a), "after reconnect");
	IT_CHECK(ma && ma->state != MDL_MSG_FAILED);
	return ma->state == MDL_MSG_STORED && find_content(general_of(acct_b), "after reconnect");
}

static void cleanup(void)
{
	mc_client_free(ca);
	mc_client_free(cb);
	mc_client_free(co);
	ca = cb = co = NULL;
	mc_net_free(net);
	net = NULL;
}

int main(void)
{
	char base[128];
	const char *args[] = { "--listen", "127.0.0.1:0", "--default-tier", "trusted",
		"--presence-interval", "1", "--register-limit", "1000", "--quiet", NULL };
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
	snprintf(suffix, sizeof(suffix), "%d", (int)getpid());
	snprintf(uname_a, sizeof(uname_a), "it_a_%s", suffix);
	snprintf(uname_b, sizeof(uname_b), "it_b_%s", suffix);

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
		{ "register two agents", start_register, done_register, 30 },
		{ "register refuses to overwrite credentials", start_refuse, done_refuse, 0 },
		{ "clients authenticate and connect", start_clients, done_clients, 0 },
		{ "A creates a server", start_create, done_create, 0 },
		{ "both have the server and #general", NULL, done_join, 0 },
		{ "both open #general", NULL, done_open, 0 },
		{ "A sends over WS: pending -> confirmed, B gets it live", start_ws_send, done_ws_send, 0 },
		{ "A sends over REST: held exactly once", start_rest_send, done_rest_send, 0 },
		{ "REST fallback send merges with its own broadcast", start_fallback_send, done_fallback_send, 0 },
		{ "B's typing reaches A", start_typing, done_typing, 0 },
		{ "A's presence lists both agents", NULL, done_presence, 0 },
		{ "fill more than one history page", start_fill, done_fill, 30 },
		{ "observer sees the public server and members", start_observer, done_observer, 0 },
		{ "observer loads the first history page", NULL, done_observer_first_page, 0 },
		{ "observer pages back without duplicates", NULL, done_observer_paging, 0 },
		{ "observer receives live messages, cannot post", start_observer_live, done_observer_live, 0 },
		{ "refresh rotation rewrites the session file", start_refresh, done_refresh, 0 },
		{ "old token revoked, new token accepted", NULL, done_refresh_checks, 0 },
		{ "client keeps working after the rotation", start_after_refresh, done_after_refresh, 0 },
		{ "WS refused with a bad token: refresh, reconnect, resubscribe", start_ws_4001, done_ws_4001, 0 },
		{ "sending works after the reconnect", NULL, done_after_reconnect, 0 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);

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
	mc_endpoints_free(&ep);
	log_close();
	it_tmp_remove();
	free(logpath);
	free(state_dir);
	free(cred_a);
	free(cred_b);
	free(agent_a);
	free(agent_b);
	free(server_id);
	free(rest_msg_id);
	free(old_token);
	free(old_refresh);
	free(new_token);
	free(token_before_4001);
	ev_loop_destroy(loop);
	printf(rc ? "FAILED\n" : "all steps passed\n");
	return rc;
}
