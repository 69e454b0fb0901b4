/* Reliability over time (issue 5), one minute against moltchatsd --jwt-lifetime 20
 * --idle-timeout 6:
 * - A (seed) sends every 5 s for a minute: its token is refreshed at 80 % of the lifetime,
 *   again and again, without a failure, a reconnect, or a lost message;
 * - nobody is disconnected for idleness (4002): pings follow the 6 s idle timeout;
 * - B (untrusted: 3 WS messages per channel per minute) sends 5 at once: 3 go now, 2 wait
 *   for the next window, the budget and the wait are visible, and exactly 5 message frames
 *   are written (no refusal, no tight loop);
 * - D believes it may send 10 (its count is wrong, as when another device used the budget):
 *   the server refuses the 4th, D waits a whole window instead of retrying, then delivers
 *   the rest; 6 frames in all;
 * - E sends over REST (its channel is not subscribed) after 28 REST posts were made with
 *   its identity elsewhere: the 3rd of its 4 messages gets a real 429, E waits the window
 *   and delivers the rest; 5 requests in all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "client_int.h"
#include "client_harness.h"
#include "it_reliability_lib.h"

#define N_A_SENDS 12
#define A_EVERY_S 5.

static struct ev_loop *loop;
static struct rel_srv srv;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct rel_agent A, B, D, E;
static char *state_dir;
static char *server_id;
static const char *gen_id;
static char suffix[16];
static int created;
static ev_timer a_timer;
static int a_sent;
static double t0, b4_at = -1, d4_at = -1, e3_at = -1;
#define E_PRESPENT 28

static const char *const srv_args[] = { "--jwt-lifetime", "20", "--idle-timeout", "6",
	"--register-limit", "100", NULL };

static struct mdl_channel *gen(struct rel_agent *a)
{
	return rel_general(a, server_id);
}

static int online(struct rel_agent *a)
{
	return a->acct->conn == MDL_CONN_ONLINE && a->c->gw_healthy;
}

static const struct mdl_message *find(struct mdl_channel *ch, const char *content)
{
	for (size_t i = 0; ch && i < ch->n_msgs; i++)
		if (!strcmp(ch->msgs[i]->content, content))
			return ch->msgs[i];
	return NULL;
}

static int stored_once(struct rel_agent *a, const char *content)
{
	const struct mdl_message *m = find(gen(a), content);
	return m && m->state == MDL_MSG_STORED && rel_count_content(gen(a), content) == 1;
}

static void start_register(void)
{
	char *n;
	n = xasprintf("rs_a_%s", suffix);
	rel_register(net, &ep, &A, n, it_tmpdir());
	free(n);
	n = xasprintf("rs_b_%s", suffix);
	rel_register(net, &ep, &B, n, it_tmpdir());
	free(n);
	n = xasprintf("rs_d_%s", suffix);
	rel_register(net, &ep, &D, n, it_tmpdir());
	free(n);
	n = xasprintf("rs_e_%s", suffix);
	rel_register(net, &ep, &E, n, it_tmpdir());
	free(n);
}

static int done_register(void)
{
	IT_CHECK(!A.reg_failed && !B.reg_failed && !D.reg_failed && !E.reg_failed);
	if (!A.reg_done || !B.reg_done || !D.reg_done || !E.reg_done)
		return 0;
	char reply[256], *cmd = xasprintf("{\"cmd\":\"set_tier\",\"username\":\"%s\",\"tier\":\"seed\"}",
		A.name);
	int rc = rel_admin(&srv, cmd, reply, sizeof(reply));
	free(cmd);
	IT_CHECK(rc == 0 && strstr(reply, "\"ok\":true"));
	IT_CHECK(rel_client_start(&A, net, model, &ep, state_dir) == 0);
	IT_CHECK(rel_client_start(&B, net, model, &ep, state_dir) == 0);
	IT_CHECK(rel_client_start(&D, net, model, &ep, state_dir) == 0);
	IT_CHECK(rel_client_start(&E, net, model, &ep, state_dir) == 0);
	return 1;
}

static int done_online(void)
{
	if (!online(&A) || !online(&B) || !online(&D) || !online(&E))
		return 0;
	/* the tiers are known (the pace depends on them) and the keepalive follows the idle
	 * timeout */
	if (A.c->tier_limit != 15 || B.c->tier_limit != 3 || D.c->tier_limit != 3)
		return 0;
	if (A.c->idle_timeout_s != 6 || B.c->idle_timeout_s != 6)
		return 0;
	IT_CHECK(A.c->ping_interval_s <= 2.0 && B.c->ping_interval_s <= 2.0);
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
	api_create_server(A.c, "Pace", "issue 5", 1, on_created, NULL, NULL);
}

static int done_create(void)
{
	if (!created)
		return 0;
	mc_client_join_server(A.c, server_id);
	mc_client_join_server(B.c, server_id);
	mc_client_join_server(D.c, server_id);
	mc_client_join_server(E.c, server_id);
	return 1;
}

static int done_join(void)
{
	if (!gen(&A) || !gen(&B) || !gen(&D) || !gen(&E))
		return 0;
	gen_id = gen(&A)->id;
	mc_client_open_channel(A.c, gen_id);
	mc_client_open_channel(B.c, gen_id);
	mc_client_open_channel(D.c, gen_id);
	return 1;
}

static int done_open(void)
{
	return gen(&A)->subscribed && gen(&B)->subscribed && gen(&D)->subscribed;
}

/* ---- the minute ---- */

static void a_send_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	char text[32];
	snprintf(text, sizeof(text), "a-%d", ++a_sent);
	if (mc_client_send(A.c, gen_id, text, NULL) != 0)
		it_fail("A's send refused");
	if (a_sent >= N_A_SENDS)
		ev_timer_stop(l, t);
}

/* Someone else spends 28 of E's 30 REST messages for this minute. */
static int spend_e_budget(void)
{
	char reply[4096], *cmd = xasprintf("{\"cmd\":\"mint_token\",\"username\":\"%s\"}", E.name);
	int rc = rel_admin(&srv, cmd, reply, sizeof(reply));
	free(cmd);
	char *tok = rc == 0 && strstr(reply, "\"token\":\"") ? xstrdup(strstr(reply, "\"token\":\"") + 9)
		: NULL;
	if (!tok)
		return -1;
	*strchr(tok, '"') = '\0';
	char *url = xasprintf("%s/channels/%s/messages", ep.api_base, gen_id);
	int ok = 0;
	for (int i = 0; i < E_PRESPENT; i++)
		ok += rel_http("POST", url, tok, "{\"content\":\"elsewhere\"}", NULL) == 201;
	free(url);
	free(tok);
	return ok == E_PRESPENT ? 0 : -1;
}

static void start_minute(void)
{
	if (spend_e_budget() != 0) {
		it_fail("could not spend E's REST budget");
		return;
	}
	t0 = ev_now(loop);
	char text[32];
	for (int i = 1; i <= 5; i++) {
		snprintf(text, sizeof(text), "b-%d", i);
		if (mc_client_send(B.c, gen_id, text, NULL) != 0)
			it_fail("B's send refused");
	}
	D.c->tier_limit = 10; /* D's idea of its budget is wrong; the server knows better */
	for (int i = 1; i <= 5; i++) {
		snprintf(text, sizeof(text), "d-%d", i);
		if (mc_client_send(D.c, gen_id, text, NULL) != 0)
			it_fail("D's send refused");
	}
	for (int i = 1; i <= 4; i++) {
		snprintf(text, sizeof(text), "e-%d", i);
		if (mc_client_send(E.c, gen_id, text, NULL) != 0)
			it_fail("E's send refused");
	}
	ev_timer_init(&a_timer, a_send_cb, 0.01, A_EVERY_S);
	ev_timer_start(loop, &a_timer);
}

static int notice_has(const char *needle)
{
	size_t n = model->n_notices < MDL_NOTICES ? model->n_notices : MDL_NOTICES;
	for (size_t i = 0; i < n; i++)
		if (model->notices[i].text && strstr(model->notices[i].text, needle))
			return 1;
	return 0;
}

static int done_first_three(void)
{
	for (int i = 1; i <= 3; i++) {
		char t[8];
		snprintf(t, sizeof(t), "b-%d", i);
		if (!stored_once(&B, t))
			return 0;
		snprintf(t, sizeof(t), "d-%d", i);
		if (!stored_once(&D, t))
			return 0;
	}
	if (D.c->ob_refusals < 1 || E.c->ob_refusals < 1)
		return 0;
	IT_CHECK(stored_once(&E, "e-1") && stored_once(&E, "e-2"));
	IT_CHECK(find(gen(&E), "e-3")->state == MDL_MSG_PENDING);
	IT_CHECK(E.c->ob_rest_sends == 3 && E.c->ob_ws_frames == 0);
	IT_CHECK(mc_client_send_wait(E.c, gen_id) > 55.);
	/* the user is told */
	IT_CHECK(notice_has("rate limit in #general"));
	IT_CHECK(notice_has("rate limited in #general"));
	/* B paced itself: nothing refused, two waiting, the wait visible */
	IT_CHECK(B.c->ob_refusals == 0);
	IT_CHECK(find(gen(&B), "b-4")->state == MDL_MSG_PENDING);
	IT_CHECK(find(gen(&B), "b-5")->state == MDL_MSG_PENDING);
	IT_CHECK(mc_client_outbox_count(B.c, gen_id) == 2);
	IT_CHECK(mc_client_send_budget(B.c, gen_id) == 0);
	double w = mc_client_send_wait(B.c, gen_id);
	IT_CHECK(w > 50. && w < 63.);
	IT_CHECK(B.c->ob_ws_frames == 3);
	IT_CHECK(D.c->ob_ws_frames == 4); /* the 4th was refused, and not retried */
	IT_CHECK(mc_client_send_wait(D.c, gen_id) > 55.);
	printf("  B: budget 0, next send in %.0f s\n", w);
	return 1;
}

static int done_minute(void)
{
	double now = ev_now(loop) - t0;
	if (b4_at < 0 && find(gen(&B), "b-4") && find(gen(&B), "b-4")->state == MDL_MSG_STORED)
		b4_at = now;
	if (d4_at < 0 && find(gen(&D), "d-4") && find(gen(&D), "d-4")->state == MDL_MSG_STORED)
		d4_at = now;
	if (e3_at < 0 && find(gen(&E), "e-3") && find(gen(&E), "e-3")->state == MDL_MSG_STORED)
		e3_at = now;
	/* nobody reconnects during the minute: no 4002, no auth trouble */
	struct rel_agent *all[] = { &A, &B, &D, &E };
	for (size_t i = 0; i < 4; i++) {
		IT_CHECK(all[i]->c->gw_opens == 1);
		IT_CHECK(all[i]->c->gw_closes_4002 == 0);
		IT_CHECK(all[i]->acct->conn == MDL_CONN_ONLINE);
	}
	/* no tight loops: frames written stay at what the messages need */
	IT_CHECK(B.c->ob_ws_frames <= 5 && D.c->ob_ws_frames <= 6 && D.c->ob_refusals <= 1);
	IT_CHECK(B.c->ob_rest_sends == 0 && D.c->ob_rest_sends == 0);
	IT_CHECK(E.c->ob_rest_sends <= 5 && E.c->ob_refusals <= 1);
	if (a_sent < N_A_SENDS || mc_client_outbox_count(A.c, NULL) ||
		mc_client_outbox_count(B.c, NULL) || mc_client_outbox_count(D.c, NULL) ||
		mc_client_outbox_count(E.c, NULL))
		return 0;
	for (int i = 1; i <= 4; i++) {
		char t[8];
		snprintf(t, sizeof(t), "e-%d", i);
		IT_CHECK(stored_once(&E, t));
	}
	IT_CHECK(E.c->ob_rest_sends == 5 && e3_at >= 59.);
	char t[8];
	for (int i = 1; i <= 5; i++) {
		snprintf(t, sizeof(t), "b-%d", i);
		IT_CHECK(stored_once(&B, t));
		if (!stored_once(&A, t))
			return 0;
		snprintf(t, sizeof(t), "d-%d", i);
		IT_CHECK(stored_once(&D, t));
		if (!stored_once(&A, t))
			return 0;
	}
	for (int i = 1; i <= N_A_SENDS; i++) {
		snprintf(t, sizeof(t), "a-%d", i);
		IT_CHECK(stored_once(&A, t));
		if (!stored_once(&B, t))
			return 0;
	}
	IT_CHECK(B.c->ob_ws_frames == 5 && D.c->ob_ws_frames == 6);
	IT_CHECK(b4_at >= 59. && d4_at >= 59.); /* after the window, not before */
	IT_CHECK(A.c->sess.refreshes >= 3);     /* 20 s tokens, refreshed at 16 s */
	IT_CHECK(A.c->sess.reauths == 1);       /* only the first login */
	size_t n = 0;
	char **ids = rel_history_ids(ep.api_base, A.c->sess.token, gen_id, &n);
	IT_CHECK(ids);
	char why[256];
	int ok = rel_channel_matches(gen(&A), ids, n, why, sizeof(why));
	rel_free_ids(ids, n);
	if (!ok)
		it_fail("A's channel differs from the server: %s", why);
	printf("  %u refreshes; b-4 after %.1f s, d-4 after %.1f s, e-3 after %.1f s; %zu messages\n",
		A.c->sess.refreshes, b4_at, d4_at, e3_at, n);
	return ok;
}

static void cleanup(void)
{
	ev_timer_stop(loop, &a_timer);
	rel_agent_free(&A);
	rel_agent_free(&B);
	rel_agent_free(&D);
	rel_agent_free(&E);
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
		{ "register A, B, D, E; A is seed", start_register, done_register, 60 },
		{ "online; tiers and idle timeout learnt", NULL, done_online, 0 },
		{ "A creates a server, all join", start_create, done_create, 0 },
		{ "everyone has #general", NULL, done_join, 0 },
		{ "all follow #general", NULL, done_open, 0 },
		{ "B, D, E send at once: some go, the rest wait", start_minute, done_first_three, 10 },
		{ "a minute of sends, refreshes and pings", NULL, done_minute, 80 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);
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
