/* Client robustness under moltchatsd's chaos mode: an agent client and an anonymous observer,
 * each subscribed to two channels, while the server mixes hostile frames into their streams
 * for ~10 s (truncated JSON, wrong types, missing fields, 2 MiB and 900 KiB frames, invalid
 * UTF-8, unknown ops, duplicates, backdated messages, escape/bidi content) and floods the
 * channels with a stored message every millisecond for 2 s. Afterwards:
 *   - the process is alive (under ASan/UBSan in the sanitizer build) and both clients are
 *     back online;
 *   - each channel holds, exactly once, every stored message of the newest `CAP` of the
 *     channel's REST history (the model's per-channel cap), and nothing that history doesn't
 *     have (hostile frames carry ids the server never stored);
 *   - no held message lacks an author, content or timestamp;
 *   - errors became model notices, and resident memory grew by less than a bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/api.h"
#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "moltty/net.h"
#include "client_int.h"
#include "client_harness.h"
#include "it_reliability_lib.h"

#define CAP 500            /* model->max_msgs_per_channel */
#define CHAOS_SECONDS 10.0
#define CHAOS_SPEC "seed=7,every=10,flood=2,flood_after=4"

/* Resident-memory growth allowed over the chaos run. The model keeps at most CAP messages per
 * channel (4 channels in 2 accounts, each message well under 1 KiB of strings: < 2 MiB); the
 * transient buffers are one reassembly buffer per socket (<= 1 MiB, NET_WS_MAX_MESSAGE) and
 * curl's history pages (100 messages each). 48 MiB leaves room for malloc arenas keeping
 * freed 1-2 MiB blocks; a leak of the 2000 flood messages' frames, or an unbounded channel,
 * goes far beyond it. ASan keeps freed memory in quarantine (256 MiB by default) and adds its
 * shadow, so there only a looser bound applies. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_GROWTH_MAX (640L << 20)
#else
#define RSS_GROWTH_MAX (48L << 20)
#endif

static struct ev_loop *loop;
static struct rel_srv srv;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct mdl_model *model;
static struct rel_agent agent;
static struct mdl_account *obs_acct;
static struct mc_client *obs;
static char *state_dir;
static char *server_id;
static char *chan_ids[2];
static int channel_made;
static long rss_before;
static double chaos_started, last_check;
static size_t notices_before;

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, resident = 0;
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static int admin(const char *line, cJSON **out)
{
	char reply[8192];
	if (rel_admin(&srv, line, reply, sizeof(reply)) != 0)
		return -1;
	cJSON *j = cJSON_Parse(reply);
	int ok = cJSON_IsTrue(cJSON_GetObjectItem(j, "ok"));
	if (out)
		*out = j;
	else
		cJSON_Delete(j);
	return ok ? 0 : -1;
}

/* ---- set-up ---- */

static void start_register(void)
{
	char name[40];
	snprintf(name, sizeof(name), "it_chaos_%d", (int)getpid());
	rel_register(net, &ep, &agent, name, it_tmpdir());
}

static int done_register(void)
{
	IT_CHECK(!agent.reg_failed);
	return agent.id != NULL;
}

static void start_client(void)
{
	if (rel_client_start(&agent, net, model, &ep, state_dir) != 0)
		it_fail("client did not start");
}

static int done_client(void)
{
	return agent.acct->conn == MDL_CONN_ONLINE;
}

static void on_channel(void *ud, const struct api_result *r)
{
	if (!r->ok)
		it_fail("create channel failed");
	channel_made = 1;
}

static void on_server(void *ud, const struct api_result *r)
{
	if (!r->ok) {
		char *e = api_error_text(r);
		it_fail("create server: %s", e);
		free(e);
		return;
	}
	server_id = xstrdup(r->server->id);
	struct api_channel_fields f = { .name = "second" };
	api_create_channel(agent.c, server_id, &f, on_channel, NULL, NULL);
}

static void start_server_setup(void)
{
	api_create_server(agent.c, "Chaos", "hostile frames ahead", 1, on_server, NULL, NULL);
}

static int done_server_setup(void)
{
	if (!channel_made)
		return 0;
	mc_client_join_server(agent.c, server_id); /* loads the server and both channels */
	return 1;
}

static struct mdl_channel *chan_of(struct mdl_account *a, int i)
{
	return chan_ids[i] ? mdl_channel_find(a, chan_ids[i]) : NULL;
}

static int done_channels(void)
{
	struct mdl_server *s = mdl_server_find(agent.acct, server_id);
	if (!s)
		return 0;
	struct mdl_channel *g = mdl_channel_find_name(s, "general");
	struct mdl_channel *t = mdl_channel_find_name(s, "second");
	if (!g || !t)
		return 0;
	chan_ids[0] = xstrdup(g->id);
	chan_ids[1] = xstrdup(t->id);
	for (int i = 0; i < 2; i++)
		mc_client_open_channel(agent.c, chan_ids[i]);
	obs_acct = mdl_account_add(model, "observer", 1);
	obs = mc_client_new(net, obs_acct, &ep, NULL, state_dir);
	mc_client_start(obs);
	return 1;
}

static int subscribed(struct mdl_account *a)
{
	for (int i = 0; i < 2; i++) {
		struct mdl_channel *ch = chan_of(a, i);
		if (!ch || !ch->subscribed || ch->history == MDL_HIST_NONE ||
		    ch->history == MDL_HIST_LOADING)
			return 0;
	}
	return 1;
}

static int done_subscribed(void)
{
	/* the observer learns the public server from its list, then opens both channels */
	if (obs_acct->conn == MDL_CONN_ONLINE && chan_of(obs_acct, 0) && chan_of(obs_acct, 1)) {
		mc_client_open_channel(obs, chan_ids[0]);
		mc_client_open_channel(obs, chan_ids[1]);
	}
	return subscribed(agent.acct) && subscribed(obs_acct);
}

/* ---- observer mode is read-only ---- */

static const char *const ro_ops[] = { "message", "typing", "vouch", "vouch_revoke", "flag",
	"challenge_vote", "chaos_op" };
#define N_RO (sizeof(ro_ops) / sizeof(ro_ops[0]))
static struct net_ws *ro_ws;
static int ro_read_only, ro_other, ro_subscribed, ro_closed;

static void ro_open(void *ud)
{
	char *sub = xasprintf("{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", chan_ids[0]);
	net_ws_send(ro_ws, sub, strlen(sub));
	free(sub);
	for (size_t i = 0; i < N_RO; i++) {
		char *f = xasprintf("{\"op\":\"%s\",\"channel\":\"%s\",\"content\":\"observer post\","
				    "\"target\":\"%s\",\"reason\":\"x\"}", ro_ops[i], chan_ids[0], agent.name);
		net_ws_send(ro_ws, f, strlen(f));
		free(f);
	}
}

static void ro_text(void *ud, const char *text, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(text, len);
	const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(j, "op"));
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(j, "code"));
	if (str_eq(op, "error") && str_eq(code, "READ_ONLY"))
		ro_read_only++;
	else if (str_eq(op, "subscribed"))
		ro_subscribed++;
	else if (!str_eq(op, "presence"))
		ro_other++;
	cJSON_Delete(j);
}

static void ro_close(void *ud, int code, const char *reason)
{
	ro_closed = 1;
	ro_ws = NULL;
}

static void ro_error(void *ud, const char *reason)
{
	ro_closed = 1;
	ro_ws = NULL;
}

static void start_read_only(void)
{
	/* the client core refuses to send as an observer */
	if (mc_client_send(obs, chan_ids[0], "observer via the client", NULL) != -1)
		it_fail("mc_client_send as an observer was accepted");
	mc_client_typing(obs, chan_ids[0]);
	/* a raw socket without a token tries every writing op */
	static const struct net_ws_handlers h = { ro_open, ro_text, ro_close, ro_error };
	/* on the client's own lws context: a second client context in one process makes lws
	 * 4.1.6 leak its shared TLS client SSL_CTX at exit (seen under LeakSanitizer) */
	ro_ws = net_ws_open(net->ws, ep.ws_url, &h, NULL);
}

static int done_read_only(void)
{
	IT_CHECK(!ro_closed);
	if (ro_read_only < (int)N_RO || !ro_subscribed)
		return 0;
	IT_CHECK(ro_other == 0);
	net_ws_close(ro_ws, 1000, "done");
	ro_ws = NULL;
	/* REST without a token: every write is refused */
	struct { const char *method, *fmt, *body; } writes[] = {
		{ "POST", "%s/channels/%s/messages", "{\"content\":\"anonymous post\"}" },
		{ "POST", "%s/servers/%s/join", "{}" },
		{ "PATCH", "%s/channels/%s", "{\"name\":\"renamed\"}" },
		{ "PATCH", "%s/agents/@me%.0s", "{\"displayName\":\"pwned\"}" },
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(writes); i++) {
		const char *arg = strstr(writes[i].fmt, "servers") ? server_id : chan_ids[0];
		char *url = xasprintf(writes[i].fmt, ep.api_base, arg);
		int st = rel_http(writes[i].method, url, NULL, writes[i].body, NULL);
		free(url);
		if (st != 401) {
			it_fail("%s %s without a token answered %d, not 401", writes[i].method,
				writes[i].fmt, st);
			return 0;
		}
	}
	/* and the server's state shows nothing changed: no message, same channel name, no
	 * typing seen by the agent */
	char *url = xasprintf("%s/channels/%s/messages?limit=100", ep.api_base, chan_ids[0]);
	char *body = NULL;
	int st = rel_http("GET", url, session_token(agent.c), NULL, &body);
	free(url);
	cJSON *arr = cJSON_Parse(body);
	free(body);
	IT_CHECK(st == 200 && cJSON_IsArray(arr));
	int n = cJSON_GetArraySize(arr);
	cJSON_Delete(arr);
	IT_CHECK(n == 0);
	struct mdl_channel *g = mdl_channel_find(agent.acct, chan_ids[0]);
	IT_CHECK(g && !strcmp(g->name, "general") && g->n_typing == 0 && g->n_msgs == 0);
	return 1;
}

/* ---- chaos ---- */

static void start_chaos(void)
{
	rss_before = rss_bytes();
	notices_before = model->n_notices;
	if (admin("{\"cmd\":\"chaos\",\"spec\":\"" CHAOS_SPEC "\"}", NULL) != 0)
		it_fail("admin: chaos did not start");
	/* one hostile error frame for certain (the random ones may fall into a reconnect) */
	char *line = xasprintf("{\"cmd\":\"inject\",\"username\":\"%s\",\"frame\":"
			       "\"{\\\"op\\\":\\\"error\\\",\\\"code\\\":\\\"CHAOS\\\","
			       "\\\"message\\\":\\\"injected \\\\u001b[2J\\\"}\"}", agent.name);
	if (admin(line, NULL) != 0)
		it_fail("admin: inject failed: %s", line);
	free(line);
	chaos_started = ev_now(loop);
}

static int held_within_cap(struct mdl_account *a)
{
	for (int i = 0; i < 2; i++) {
		struct mdl_channel *ch = chan_of(a, i);
		if (ch && ch->n_msgs > CAP)
			return 0;
	}
	return 1;
}

static int done_chaos(void)
{
	/* the cap holds at every moment, not just at the end */
	IT_CHECK(held_within_cap(agent.acct) && held_within_cap(obs_acct));
	if (ev_now(loop) - chaos_started < CHAOS_SECONDS)
		return 0;
	cJSON *st = NULL;
	IT_CHECK(admin("{\"cmd\":\"chaos\",\"spec\":\"off\"}", &st) == 0);
	char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "chaos"));
	printf("  server: %s\n", text);
	free(text);
	const cJSON *c = cJSON_GetObjectItem(st, "chaos");
	double flooded = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "flooded"));
	const cJSON *sent = cJSON_GetObjectItem(c, "sent");
	int kinds_hit = 0;
	const cJSON *k;
	cJSON_ArrayForEach(k, sent)
		kinds_hit += cJSON_GetNumberValue(k) > 0;
	cJSON_Delete(st);
	IT_CHECK(flooded >= 1000);  /* about one per millisecond for 2 s */
	IT_CHECK(kinds_hit == 10);  /* every hostile kind went out at least once */
	return 1;
}

/* ---- the comparison with REST history ---- */

struct hmsg {
	char *id;
	int64_t ms;
	int backdated;
};

static int hmsg_cmp(const void *a, const void *b)
{
	const struct hmsg *x = a, *y = b;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Every message of the channel, oldest first (sorted like the model). NULL on failure. */
static struct hmsg *history(const char *channel_id, size_t *n)
{
	struct hmsg *all = NULL;
	size_t cnt = 0;
	int64_t before = -1;
	for (int page = 0; page < 200; page++) {
		char iso[ISO_TIME_LEN] = "";
		if (before >= 0)
			iso_format_ms(before, iso);
		char *url = xasprintf("%s/channels/%s/messages?limit=100%s%s", ep.api_base,
				      channel_id, before >= 0 ? "&before=" : "", iso);
		char *body = NULL;
		int status = rel_http("GET", url, session_token(agent.c), NULL, &body);
		free(url);
		cJSON *arr = status == 200 ? cJSON_Parse(body) : NULL;
		free(body);
		if (!cJSON_IsArray(arr)) {
			cJSON_Delete(arr);
			for (size_t i = 0; i < cnt; i++)
				free(all[i].id);
			free(all);
			return NULL;
		}
		int64_t oldest = -1;
		const cJSON *m;
		cJSON_ArrayForEach(m, arr) {
			const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(m, "id"));
			const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(m, "createdAt"));
			const char *content = cJSON_GetStringValue(cJSON_GetObjectItem(m, "content"));
			int64_t ms = 0;
			if (!id || !at || iso_parse_ms(at, &ms) != 0)
				continue;
			if (oldest < 0 || ms < oldest)
				oldest = ms;
			all = xrealloc(all, (cnt + 1) * sizeof(*all));
			all[cnt].id = xstrdup(id);
			all[cnt].ms = ms;
			all[cnt].backdated = content && str_starts_with(content, "[backdated]");
			cnt++;
		}
		int got = cJSON_GetArraySize(arr);
		cJSON_Delete(arr);
		if (got < 100)
			break;
		/* before is exclusive: step back to include the oldest millisecond again (ties),
		 * duplicates are removed below */
		before = oldest + 1;
	}
	qsort(all, cnt, sizeof(*all), hmsg_cmp);
	size_t w = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (w && !strcmp(all[w - 1].id, all[i].id)) {
			free(all[i].id);
			continue;
		}
		all[w++] = all[i];
	}
	*n = w;
	return all;
}

static struct hmsg *find_h(struct hmsg *h, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].id, id))
			return &h[i];
	return NULL;
}

/* 1: the channel matches; 0: not yet (messages still missing); -1: wrong for good. */
static int channel_matches(struct mdl_account *a, const char *channel_id, struct hmsg *h, size_t nh,
			   char *why, size_t why_n)
{
	struct mdl_channel *ch = mdl_channel_find(a, channel_id);
	if (!ch)
		return snprintf(why, why_n, "%s: channel gone", a->label), -1;
	if (ch->n_msgs > CAP)
		return snprintf(why, why_n, "%s: %zu messages > cap", a->label, ch->n_msgs), -1;
	for (size_t i = 0; i < ch->n_msgs; i++) {
		const struct mdl_message *m = ch->msgs[i];
		if (!str_is_uuid(m->id) || !m->author_id || !m->author_username || !m->content[0] ||
		    m->created_ms <= 0 || m->state != MDL_MSG_STORED)
			return snprintf(why, why_n, "%s: message %s lacks fields (author %s, content '%.40s')",
					a->label, m->id, m->author_id ? m->author_id : "NULL", m->content), -1;
		if (i && !strcmp(ch->msgs[i - 1]->id, m->id))
			return snprintf(why, why_n, "%s: %s held twice", a->label, m->id), -1;
		if (!find_h(h, nh, m->id))
			return snprintf(why, why_n, "%s: holds %s ('%.40s') that history doesn't have",
					a->label, m->id, m->content), -1;
	}
	/* every stored message of the newest CAP must be there (backdated ones may legitimately
	 * be missed: a gap fill after a reconnect stops at the newest message held) */
	size_t first = nh > CAP ? nh - CAP : 0;
	for (size_t i = first; i < nh; i++) {
		if (h[i].backdated || mdl_message_find(ch, h[i].id))
			continue;
		snprintf(why, why_n, "%s: missing %s at %lld (%zu of %zu, %zu held; oldest held %lld)",
			 a->label, h[i].id, (long long)h[i].ms, i - first + 1, nh - first, ch->n_msgs,
			 ch->n_msgs ? (long long)ch->msgs[0]->created_ms : -1LL);
		if (getenv("IT_CHAOS_DEBUG"))
			for (size_t j = 0; j < ch->n_msgs; j++)
				if (ch->msgs[j]->created_ms > h[i].ms - 400 && ch->msgs[j]->created_ms < h[i].ms + 400)
					fprintf(stderr, "   held %s %lld %.30s\n", ch->msgs[j]->id,
						(long long)ch->msgs[j]->created_ms, ch->msgs[j]->content);
		return 0;
	}
	return 1;
}

static char last_why[256];

static int done_converged(void)
{
	IT_CHECK(agent.acct->conn != MDL_CONN_FAILED && obs_acct->conn != MDL_CONN_FAILED);
	if (agent.acct->conn != MDL_CONN_ONLINE || obs_acct->conn != MDL_CONN_ONLINE ||
	    !subscribed(agent.acct) || !subscribed(obs_acct))
		return 0;
	if (ev_now(loop) - last_check < 1.0)
		return 0;
	last_check = ev_now(loop);
	int all_ok = 1;
	for (int i = 0; i < 2 && all_ok; i++) {
		size_t nh = 0;
		struct hmsg *h = history(chan_ids[i], &nh);
		IT_CHECK(h);
		struct mdl_account *accts[2] = { agent.acct, obs_acct };
		for (int k = 0; k < 2 && all_ok; k++) {
			int rc = channel_matches(accts[k], chan_ids[i], h, nh, last_why, sizeof(last_why));
			if (rc < 0) {
				it_fail("%s", last_why);
				all_ok = 0;
			} else if (rc == 0) {
				all_ok = 0;
			}
		}
		if (all_ok)
			printf("  channel %d: %zu in history, %zu held by each\n", i, nh,
			       mdl_channel_find(agent.acct, chan_ids[i])->n_msgs);
		for (size_t j = 0; j < nh; j++)
			free(h[j].id);
		free(h);
	}
	return all_ok;
}

static int done_memory(void)
{
	long rss_after = rss_bytes();
	printf("  rss before %ld KiB, after %ld KiB (bound +%ld KiB); notices %zu\n",
	       rss_before / 1024, rss_after / 1024, RSS_GROWTH_MAX / 1024,
	       model->n_notices - notices_before);
	IT_CHECK(rss_before > 0 && rss_after > 0);
	IT_CHECK(rss_after - rss_before < RSS_GROWTH_MAX);
	/* hostile error frames reached the person as notices (the ring stays bounded) */
	IT_CHECK(model->n_notices > notices_before);
	return 1;
}

static void cleanup(void)
{
	if (ro_ws)
		net_ws_close(ro_ws, 1000, "bye");
	ro_ws = NULL;
	mc_client_free(obs);
	obs = NULL;
	rel_agent_free(&agent);
	mc_net_free(net);
	net = NULL;
}

int main(void)
{
	const char *tmp = it_tmpdir();
	srv.port = rel_free_port();
	snprintf(srv.db, sizeof(srv.db), "%s/chaos.db", tmp);
	snprintf(srv.admin, sizeof(srv.admin), "%s/admin.sock", tmp);
	static const char *const extra[] = { "--default-tier", "trusted", "--register-limit", "1000",
		"--presence-interval", "1", NULL };
	srv.extra = extra;
	int rc = rel_srv_start(&srv);
	if (rc)
		return rc == 77 ? 77 : 1;
	char *logpath = xasprintf("%s/client.log", tmp);
	log_open(logpath, getenv("IT_CHAOS_DEBUG") ? LOG_DEBUG : LOG_INFO);
	state_dir = xasprintf("%s/state", tmp);
	char *err = NULL;
	if (mc_endpoints_init(&ep, srv.base, NULL, &err) != 0) {
		fprintf(stderr, "endpoints: %s\n", err);
		rel_srv_stop(&srv);
		return 1;
	}
	loop = EV_DEFAULT;
	net = mc_net_new(loop, NULL);
	model = mdl_model_new();
	model->max_msgs_per_channel = CAP;

	static const struct it_step steps[] = {
		{ "register an agent", start_register, done_register, 30 },
		{ "agent online", start_client, done_client, 0 },
		{ "a public server with two channels", start_server_setup, done_server_setup, 0 },
		{ "both channels in the model", NULL, done_channels, 0 },
		{ "agent and observer subscribed to both", NULL, done_subscribed, 0 },
		{ "observer: client, raw WS and REST cannot write", start_read_only, done_read_only, 0 },
		{ "10 s of chaos incl. a 2 s flood: alive, cap held", start_chaos, done_chaos, 30 },
		{ "models converge on REST history, nothing hostile held", NULL, done_converged, 60 },
		{ "memory bounded, errors shown as notices", NULL, done_memory, 0 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);
	if (rc) {
		if (last_why[0])
			fprintf(stderr, "last comparison: %s\n", last_why);
		fprintf(stderr, "client log: %s (IT_KEEP_TMP=1 keeps it)\n", logpath);
		char *cmd = xasprintf("grep -v DEBUG '%s' | tail -n 30 >&2", logpath);
		if (system(cmd) != 0)
			fprintf(stderr, "(cannot show the log)\n");
		free(cmd);
	}
	rel_srv_stop(&srv);
	mdl_model_free(model);
	mc_endpoints_free(&ep);
	log_close();
	it_tmp_remove();
	free(logpath);
	free(state_dir);
	free(server_id);
	free(chan_ids[0]);
	free(chan_ids[1]);
	return rc;
}
