/* Reliability against real faults (issue 5), one client under test (A) plus helpers:
 * - an abrupt cut (admin `drop`) with messages posted in the gap;
 * - a lost message_ack (admin `drop_after_next_message`): checked in history, not resent;
 * - moltchatsd killed with SIGKILL: the state and backoff are shown, sends typed offline
 *   wait in a persisted outbox, the server restarts on the same --db and port while other
 *   agents post 120 messages (more than one history page) before A is back; afterwards A
 *   holds exactly the server's history, each message once;
 * - a revoked token (its refresh token rotated from outside): 4001, then re-verify;
 * - a stalled server (SIGSTOP): the handshake times out, the loop stays responsive, calls
 *   return at once, and everything is delivered once the server resumes;
 * - a fresh database behind the same URL: a clear failure and no retry storm. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "client_int.h"
#include "client_harness.h"
#include "it_reliability_lib.h"

#define N_AGENTS 5      /* A, B, and three more posters */
#define POSTS_EACH 30   /* REST limit per channel and agent per minute */

static struct ev_loop *loop;
static struct rel_srv srv;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct rel_agent ag[N_AGENTS];
#define A (&ag[0])
#define B (&ag[1])
static char *state_dir;
static char *server_id;
static const char *gen_id;
static char suffix[16];
static int created;
static unsigned opens_before, reauths_before;
static int posted, post_failed;
static char last_why[256];
static double last_try;
static char seen_detail[256];
static ev_timer gap_timer;
static double last_tick, max_gap;
static double send_call_ms;
static double fail_seen_at;

static const char *const srv_args[] = { "--default-tier", "seed", "--register-limit", "100",
	NULL };

static struct mdl_channel *gen(struct rel_agent *a)
{
	return rel_general(a, server_id);
}

static int online(struct rel_agent *a)
{
	return a->acct->conn == MDL_CONN_ONLINE && a->c->gw_healthy;
}

/* Compare A's #general with the server's history (fetched with B's token), at most every
 * 0.5 s; the reason of the last mismatch is kept for the failure message. */
static int a_matches_server(void)
{
	if (ev_now(loop) - last_try < 0.5)
		return 0;
	last_try = ev_now(loop);
	size_t n = 0;
	char **ids = rel_history_ids(ep.api_base, B->c->sess.token, gen_id, &n);
	if (!ids) {
		snprintf(last_why, sizeof(last_why), "cannot read the server's history");
		return 0;
	}
	int ok = rel_channel_matches(gen(A), ids, n, last_why, sizeof(last_why));
	rel_free_ids(ids, n);
	if (!ok)
		fprintf(stderr, "  (not yet: %s)\n", last_why);
	return ok;
}

static void note_detail(void)
{
	const char *d = A->acct->conn_detail;
	if (A->acct->conn == MDL_CONN_RECONNECTING && d && strstr(d, "reconnecting in"))
		snprintf(seen_detail, sizeof(seen_detail), "%s", d);
}

/* ---- setup ---- */

static void start_register(void)
{
	const char *names[N_AGENTS] = { "rel_a", "rel_b", "rel_p1", "rel_p2", "rel_p3" };
	for (int i = 0; i < N_AGENTS; i++) {
		char *name = xasprintf("%s_%s", names[i], suffix);
		rel_register(net, &ep, &ag[i], name, it_tmpdir());
		free(name);
	}
}

static int done_register(void)
{
	for (int i = 0; i < N_AGENTS; i++) {
		IT_CHECK(!ag[i].reg_failed);
		if (!ag[i].reg_done)
			return 0;
	}
	for (int i = 0; i < N_AGENTS; i++)
		if (rel_client_start(&ag[i], net, model, &ep, state_dir) != 0)
			it_fail("client %d", i);
	return 1;
}

static int done_online(void)
{
	for (int i = 0; i < N_AGENTS; i++) {
		IT_CHECK(ag[i].acct->conn != MDL_CONN_FAILED);
		if (!online(&ag[i]))
			return 0;
	}
	return 1;
}

static void on_created(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		it_fail("create server: %s", e);
		free(e);
		return;
	}
	server_id = xstrdup(r->server->id);
	created = 1;
}

static void start_create(void)
{
	api_create_server(A->c, "Reliability", "issue 5", 1, on_created, NULL, NULL);
}

static int done_create(void)
{
	if (!created)
		return 0;
	for (int i = 0; i < N_AGENTS; i++)
		mc_client_join_server(ag[i].c, server_id);
	return 1;
}

static int done_join(void)
{
	for (int i = 0; i < N_AGENTS; i++)
		if (!gen(&ag[i]))
			return 0;
	gen_id = gen(A)->id;
	mc_client_open_channel(A->c, gen_id);
	mc_client_open_channel(B->c, gen_id);
	return 1;
}

static int done_open(void)
{
	struct mdl_channel *ga = gen(A), *gb = gen(B);
	return ga->subscribed && gb->subscribed && ga->history >= MDL_HIST_LOADED &&
		gb->history >= MDL_HIST_LOADED;
}

/* ---- posting helpers (REST, sequential per agent) ---- */

struct post_chain {
	struct rel_agent *a;
	int left;
	char prefix[32];
};
static struct post_chain chains[N_AGENTS];

static void post_next(struct post_chain *pc);

static void on_posted(void *ud, const struct api_result *r)
{
	struct post_chain *pc = ud;
	if (!r->ok) {
		char *e = api_error_text(r);
		fprintf(stderr, "post by %s failed: %s\n", pc->a->name, e);
		free(e);
		post_failed = 1;
		return;
	}
	posted++;
	post_next(pc);
}

static void post_next(struct post_chain *pc)
{
	if (pc->left <= 0)
		return;
	char *text = xasprintf("%s %d", pc->prefix, pc->left--);
	api_send_message(pc->a->c, gen_id, text, NULL, on_posted, pc, NULL);
	free(text);
}

static void post_start(int first_agent, int n_agents, int each, const char *prefix)
{
	posted = 0;
	post_failed = 0;
	for (int i = first_agent; i < first_agent + n_agents; i++) {
		chains[i].a = &ag[i];
		chains[i].left = each;
		snprintf(chains[i].prefix, sizeof(chains[i].prefix), "%s from %d", prefix, i);
		post_next(&chains[i]);
	}
}

/* ---- 1. abrupt cut ---- */

static void start_cut(void)
{
	opens_before = A->c->gw_opens;
	char reply[256], *cmd = xasprintf("{\"cmd\":\"drop\",\"username\":\"%s\"}", A->name);
	if (rel_admin(&srv, cmd, reply, sizeof(reply)) != 0 || !strstr(reply, "\"dropped\":1"))
		it_fail("admin drop: %s", reply);
	free(cmd);
	post_start(1, 1, 3, "cut"); /* B posts right away: A is reconnecting */
}

static int done_cut(void)
{
	IT_CHECK(!post_failed);
	note_detail();
	if (posted < 3 || A->c->gw_opens <= opens_before || !online(A))
		return 0;
	return a_matches_server();
}

/* ---- 2. lost ack ---- */

static unsigned found_before, gaps_before;

static void start_lost_ack(void)
{
	found_before = A->c->ob_found;
	opens_before = A->c->gw_opens;
	char reply[256], *cmd = xasprintf("{\"cmd\":\"drop_after_next_message\",\"username\":\"%s\"}",
		A->name);
	if (rel_admin(&srv, cmd, reply, sizeof(reply)) != 0 || !strstr(reply, "\"ok\":true"))
		it_fail("admin drop_after_next_message: %s", reply);
	free(cmd);
	if (mc_client_send(A->c, gen_id, "lost-ack-1", NULL) != 0)
		it_fail("send refused");
}

static int done_lost_ack(void)
{
	struct mdl_channel *ga = gen(A);
	if (A->c->ob_found == found_before || mc_client_outbox_count(A->c, NULL) || !online(A))
		return 0;
	IT_CHECK(A->c->gw_opens > opens_before); /* the socket really died */
	IT_CHECK(rel_count_content(ga, "lost-ack-1") == 1);
	IT_CHECK(rel_history_count(ep.api_base, B->c->sess.token, gen_id, "lost-ack-1") == 1);
	if (rel_count_content(gen(B), "lost-ack-1") != 1)
		return 0;
	return a_matches_server();
}

/* ---- 3. kill -9, offline sends, restart on the same db with posts in the gap ---- */

static void start_kill(void)
{
	rel_srv_kill9(&srv);
	seen_detail[0] = '\0';
}

static int done_kill_seen(void)
{
	note_detail();
	return seen_detail[0] != '\0';
}

static char *outbox_path(void)
{
	return xasprintf("%s/outbox-%s.json", state_dir, A->id);
}

static void start_offline_sends(void)
{
	if (mc_client_send(A->c, gen_id, "offline-1", NULL) != 0 ||
		mc_client_send(A->c, gen_id, "offline-2", "code") != 0)
		it_fail("send refused while offline");
}

static int done_offline_sends(void)
{
	note_detail();
	struct mdl_channel *ga = gen(A);
	IT_CHECK(rel_count_content(ga, "offline-1") == 1 && rel_count_content(ga, "offline-2") == 1);
	IT_CHECK(mc_client_outbox_count(A->c, gen_id) == 2);
	for (size_t i = 0; i < ga->n_msgs; i++)
		if (!strncmp(ga->msgs[i]->content, "offline-", 8))
			IT_CHECK(ga->msgs[i]->state == MDL_MSG_PENDING);
	char *p = outbox_path();
	char *text = fs_read_file(p, NULL);
	struct stat st;
	int mode_ok = stat(p, &st) == 0 && (st.st_mode & 0777) == 0600;
	free(p);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "messages"));
	cJSON_Delete(j);
	IT_CHECK(mode_ok && n == 2);
	/* two failed attempts: the next wait is 2-4 s, long enough for the posts below */
	return A->c->gw_bo.attempt >= 3 && A->acct->conn == MDL_CONN_RECONNECTING;
}

static void start_restart(void)
{
	if (!strstr(seen_detail, "reconnecting in") || !strstr(seen_detail, "(attempt ")) {
		it_fail("connection detail never said when and which attempt: '%s'", seen_detail);
		return;
	}
	printf("  detail seen: %s\n", seen_detail);
	opens_before = A->c->gw_opens;
	gaps_before = A->c->gap_fills;
	if (rel_srv_start(&srv) != 0) {
		it_fail("restart failed");
		return;
	}
	post_start(1, N_AGENTS - 1, POSTS_EACH, "gap");
}

static int done_posts_in_gap(void)
{
	IT_CHECK(!post_failed);
	if (posted < (N_AGENTS - 1) * POSTS_EACH)
		return 0;
	/* the gap is real: A has not reconnected while they were posted */
	IT_CHECK(A->c->gw_opens == opens_before);
	return 1;
}

static int done_gap_filled(void)
{
	if (!online(A) || A->c->gap_fills == gaps_before || mc_client_outbox_count(A->c, NULL))
		return 0;
	if (!a_matches_server())
		return 0;
	IT_CHECK(rel_history_count(ep.api_base, B->c->sess.token, gen_id, "offline-1") == 1);
	IT_CHECK(rel_history_count(ep.api_base, B->c->sess.token, gen_id, "offline-2") == 1);
	char *p = outbox_path();
	struct stat st;
	int gone = stat(p, &st) != 0;
	free(p);
	IT_CHECK(gone); /* an empty outbox leaves no file */
	printf("  A holds %zu messages, as the server\n", gen(A)->n_msgs);
	return 1;
}

/* ---- 4. revoked token ---- */

static void start_revoke(void)
{
	reauths_before = A->c->sess.reauths;
	opens_before = A->c->gw_opens;
	char *p = xasprintf("%s/session-%s.json", state_dir, A->id);
	char *text = fs_read_file(p, NULL);
	free(p);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	const char *rt = cJSON_GetStringValue(cJSON_GetObjectItem(j, "refreshToken"));
	if (!rt) {
		it_fail("no refresh token in the session file");
		cJSON_Delete(j);
		return;
	}
	/* someone else rotates A's pair: A's JWT and refresh token are now revoked */
	char *body = xasprintf("{\"refreshToken\":\"%s\"}", rt);
	char *url = xasprintf("%s/auth/refresh", ep.api_base);
	int st = rel_http("POST", url, NULL, body, NULL);
	free(url);
	free(body);
	cJSON_Delete(j);
	if (st != 200) {
		it_fail("outside refresh: HTTP %d", st);
		return;
	}
	char reply[256], *cmd = xasprintf("{\"cmd\":\"drop\",\"username\":\"%s\"}", A->name);
	if (rel_admin(&srv, cmd, reply, sizeof(reply)) != 0)
		it_fail("admin drop");
	free(cmd);
}

static int done_revoke(void)
{
	IT_CHECK(A->acct->conn != MDL_CONN_FAILED);
	if (A->c->sess.reauths == reauths_before || !online(A) || A->c->gw_opens <= opens_before)
		return 0;
	char *p = xasprintf("%s/session-%s.json", state_dir, A->id);
	char *text = fs_read_file(p, NULL);
	free(p);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token"));
	char *url = xasprintf("%s/agents/@me", ep.api_base);
	int st = tok ? rel_http("GET", url, tok, NULL, NULL) : 0;
	free(url);
	cJSON_Delete(j);
	IT_CHECK(st == 200); /* the saved pair is the one in use, and it works */
	return 1;
}

/* ---- 5. stalled server ---- */

static void gap_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	ev_now_update(l);
	double now = ev_now(l);
	if (last_tick > 0 && now - last_tick > max_gap)
		max_gap = now - last_tick;
	last_tick = now;
}

static void start_stall(void)
{
	A->c->gw_connect_timeout_s = 2.;
	char reply[256], *cmd = xasprintf("{\"cmd\":\"drop\",\"username\":\"%s\"}", A->name);
	if (rel_admin(&srv, cmd, reply, sizeof(reply)) != 0)
		it_fail("admin drop");
	free(cmd);
	rel_srv_signal(&srv, SIGSTOP); /* the kernel still accepts connections: nobody answers */
	max_gap = 0;
	last_tick = 0;
	ev_timer_init(&gap_timer, gap_cb, 0.01, 0.01);
	ev_timer_start(loop, &gap_timer);
	seen_detail[0] = '\0';
}

static int done_stall(void)
{
	const char *d = A->acct->conn_detail;
	if (!(A->acct->conn == MDL_CONN_RECONNECTING && d && strstr(d, "timed out")))
		return 0;
	/* the user keeps typing while requests hang: calls return at once */
	int64_t t0 = mono_ms();
	mc_client_typing(A->c, gen_id);
	int rc = mc_client_send(A->c, gen_id, "stalled-1", NULL);
	mc_client_user_active(A->c);
	send_call_ms = (double)(mono_ms() - t0);
	IT_CHECK(rc == 0);
	return 1;
}

static int done_stall_more(void)
{
	/* keep the stall going a little with a request hanging */
	static double t0;
	if (!t0)
		t0 = ev_now(loop);
	return ev_now(loop) - t0 > 1.5;
}

static void start_resume(void)
{
	ev_timer_stop(loop, &gap_timer);
	printf("  longest loop gap during the stall: %.0f ms; send call %.1f ms\n", max_gap * 1000,
		send_call_ms);
	/* generous for loaded CI machines (a send fsyncs the outbox); a blocking request would
	 * show up as seconds */
	if (max_gap > 0.25 || send_call_ms > 200)
		it_fail("the loop froze during the stall (gap %.0f ms, call %.1f ms)", max_gap * 1000,
			send_call_ms);
	rel_srv_signal(&srv, SIGCONT);
}

static int done_resume(void)
{
	if (!online(A) || mc_client_outbox_count(A->c, NULL))
		return 0;
	IT_CHECK(rel_count_content(gen(A), "stalled-1") == 1);
	IT_CHECK(rel_history_count(ep.api_base, B->c->sess.token, gen_id, "stalled-1") == 1);
	return a_matches_server();
}

/* ---- 6. fresh database ---- */

static void start_fresh_db(void)
{
	rel_srv_kill9(&srv);
	snprintf(srv.db, sizeof(srv.db), "%s/fresh.db", it_tmpdir());
	if (rel_srv_start(&srv) != 0)
		it_fail("restart with a fresh db failed");
}

static int done_fresh_db(void)
{
	if (A->acct->conn != MDL_CONN_FAILED)
		return 0;
	const char *d = A->acct->conn_detail;
	IT_CHECK(d && strstr(d, "unknown"));
	printf("  A: %s\n", d);
	opens_before = A->c->gw_opens;
	fail_seen_at = ev_now(loop);
	return 1;
}

static int done_no_storm(void)
{
	IT_CHECK(A->acct->conn == MDL_CONN_FAILED);
	IT_CHECK(A->c->gw_opens == opens_before);
	return ev_now(loop) - fail_seen_at > 3.;
}

static void cleanup(void)
{
	for (int i = 0; i < N_AGENTS; i++)
		rel_agent_free(&ag[i]);
	mc_net_free(net);
	net = NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(NULL, getenv("IT_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	snprintf(suffix, sizeof(suffix), "%05u", (unsigned)(mono_ms() % 100000));
	srv.port = rel_free_port();
	snprintf(srv.db, sizeof(srv.db), "%s/srv.db", it_tmpdir());
	snprintf(srv.admin, sizeof(srv.admin), "%s/admin.sock", it_tmpdir());
	srv.extra = srv_args;
	int rc = rel_srv_start(&srv);
	if (rc != 0) {
		it_tmp_remove();
		return rc == 77 ? 77 : 1;
	}
	char *err = NULL;
	if (mc_endpoints_init(&ep, srv.base, NULL, &err) != 0) {
		fprintf(stderr, "endpoints: %s\n", err);
		return 1;
	}
	state_dir = xasprintf("%s/state", it_tmpdir());
	loop = ev_loop_new(EVFLAG_AUTO);
	net = mc_net_new(loop, NULL);
	model = mdl_model_new();

	const struct it_step steps[] = {
		{ "register agents", start_register, done_register, 60 },
		{ "clients online", NULL, done_online, 0 },
		{ "A creates a server, all join", start_create, done_create, 0 },
		{ "everyone has #general", NULL, done_join, 0 },
		{ "A and B follow #general", NULL, done_open, 0 },
		{ "admin drop: A reconnects, B's posts in the gap arrive once", start_cut, done_cut, 15 },
		{ "lost ack: found in history, not resent", start_lost_ack, done_lost_ack, 20 },
		{ "kill -9 moltchatsd: A shows the backoff", start_kill, done_kill_seen, 10 },
		{ "sends while offline: pending, persisted 0600", start_offline_sends, done_offline_sends, 15 },
		{ "restart on the same db; 120 posts before A is back", start_restart, done_posts_in_gap, 10 },
		{ "A back: gap filled, outbox sent, exactly the server's history", NULL, done_gap_filled, 20 },
		{ "revoked token: 4001, then challenge + verify", start_revoke, done_revoke, 15 },
		{ "stalled server: handshake times out", start_stall, done_stall, 15 },
		{ "stall continues with a request hanging", NULL, done_stall_more, 5 },
		{ "server resumes: delivered once, loop never froze", start_resume, done_resume, 30 },
		{ "fresh database: clear failure", start_fresh_db, done_fresh_db, 20 },
		{ "no retry storm while failed", NULL, done_no_storm, 10 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);
	if (rc && last_why[0])
		fprintf(stderr, "last mismatch: %s\n", last_why);
	mdl_model_free(model);
	ev_loop_destroy(loop);
	mc_endpoints_free(&ep);
	rel_srv_stop(&srv);
	free(server_id);
	free(state_dir);
	it_tmp_remove();
	log_close();
	return rc;
}
