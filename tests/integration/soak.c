/* Soak test (issue 5), loopback only. Simulated agents post over REST at a bounded rate into
 * many channels of a moltchatsd on a fixed port and --db, while ONE client under test
 * (agent 0, an mc_client) follows every channel; the server is restarted (SIGKILL and
 * SIGTERM in turn) several times during the run. At the end the client must hold, in every
 * channel, each message the server stored exactly once (ids compared with the full REST
 * history, paged), and resident memory must have stopped growing beyond what the new
 * messages explain. Leaks: LeakSanitizer in the sanitizer build (part of make check there);
 * the long form prints a valgrind command.
 *
 *   soak            short form for make check: 20 agents, 10 channels, 25 s, 1 restart
 *   soak --long     make soak: 200 agents, 50 channels, 300 s, 3 restarts
 *
 * The model is unbounded here (max_msgs_per_channel = 0) so the comparison covers the whole
 * history, and the RSS bound allows for the messages it legitimately keeps. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "moltty/net.h"
#include "client_int.h"
#include "client_harness.h"
#include "it_reliability_lib.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif

#define CHANNELS_PER_SERVER 25
#define MAX_IN_FLIGHT 64
#define RSS_EVERY_S 2.
#define DOWN_S 1.5          /* how long the server stays down at each restart */
/* RSS bound for the last quarter: what the unbounded model legitimately adds per new message
 * (struct, six strings, index slot, malloc overhead: the long form measured about 160 bytes;
 * 512 allowed, so a leak of a buffer per message still shows) plus allocator and curl/lws
 * buffer slack. */
#define RSS_PER_MSG 512
#define RSS_SLACK (8u << 20)

struct soak_cfg {
	int agents, channels, restarts;
	double duration_s, rate; /* posts per second, all agents together */
};
static const struct soak_cfg short_cfg = { 20, 10, 1, 25., 100. };
static const struct soak_cfg long_cfg = { 200, 50, 3, 300., 150. };
static struct soak_cfg cfg;

static struct ev_loop *loop;
static struct rel_srv srv;
static struct mc_endpoints ep;
static struct mc_net *net;
static struct net_http *post_http;
static struct mdl_model *model;
static struct rel_agent *ag;
static char **tokens;   /* per agent, read from its credentials file */
static char *state_dir;
static char suffix[16];
static char **chan_ids;
static size_t n_chans;
static int opened;

/* posting */
static ev_timer post_timer;
static unsigned long seq, attempted, stored, refused, in_flight, skipped;
static int next_poster = 1;

/* restarts */
static int restarts_done;
static double soak_started, down_since = -1;

/* RSS (bytes), sampled during the soak phase */
static ev_timer rss_timer;
static long *rss;
static unsigned long *rss_stored; /* messages stored when the sample was taken */
static size_t n_rss, cap_rss;
static long rss_peak;

static char last_why[256];
static double last_try;

static long rss_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * sysconf(_SC_PAGESIZE);
}

static void rss_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	if (n_rss == cap_rss) {
		cap_rss = cap_rss ? cap_rss * 2 : 64;
		rss = xrealloc(rss, cap_rss * sizeof(*rss));
		rss_stored = xrealloc(rss_stored, cap_rss * sizeof(*rss_stored));
	}
	rss[n_rss] = rss_now();
	rss_stored[n_rss] = stored;
	if (rss[n_rss] > rss_peak)
		rss_peak = rss[n_rss];
	n_rss++;
}

/* ---- setup ---- */

static void start_register(void)
{
	for (int i = 0; i < cfg.agents; i++) {
		char name[48];
		snprintf(name, sizeof(name), "soak%d_%s", i, suffix);
		rel_register(net, &ep, &ag[i], name, it_tmpdir());
	}
}

static char *read_token(const char *cred)
{
	char *text = fs_read_file(cred, NULL);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token"));
	char *tok = t && *t ? xstrdup(t) : NULL;
	cJSON_Delete(j);
	return tok;
}

static int done_register(void)
{
	for (int i = 0; i < cfg.agents; i++) {
		IT_CHECK(!ag[i].reg_failed);
		if (!ag[i].reg_done)
			return 0;
	}
	for (int i = 0; i < cfg.agents; i++) {
		tokens[i] = read_token(ag[i].cred);
		IT_CHECK(tokens[i] != NULL);
	}
	return 1;
}

/* POST with agent i's token; the parsed JSON reply (caller deletes) when status matches. */
static cJSON *post_json(int agent, const char *path, const char *json, int want)
{
	char *url = xasprintf("%s%s", ep.api_base, path);
	char *body = NULL;
	int st = rel_http("POST", url, tokens[agent], json, &body);
	free(url);
	cJSON *j = st == want ? cJSON_Parse(body) : NULL;
	if (!j)
		it_fail("POST %s: HTTP %d %s", path, st, body ? body : "");
	free(body);
	return j;
}

static char *take_id(cJSON *j, const char *what)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, what), "id"));
	char *r = id ? xstrdup(id) : NULL;
	cJSON_Delete(j);
	return r;
}

/* Agent 0 creates the servers (each comes with #general) and the other channels; everyone
 * else joins every server. Blocking: nothing else runs yet. */
static int done_layout(void)
{
	int n_servers = (cfg.channels + CHANNELS_PER_SERVER - 1) / CHANNELS_PER_SERVER;
	chan_ids = xcalloc((size_t)cfg.channels, sizeof(char *));
	for (int s = 0; s < n_servers && !it_failed(); s++) {
		char *json = xasprintf("{\"name\":\"Soak %d\",\"description\":\"issue 5 soak\"}", s);
		cJSON *j = post_json(0, "/servers", json, 201);
		free(json);
		if (!j)
			return 0;
		char *sid = take_id(j, "server");
		IT_CHECK(sid != NULL);
		for (int i = 1; i < cfg.agents; i++) {
			char *path = xasprintf("/servers/%s/join", sid);
			char *url = xasprintf("%s%s", ep.api_base, path);
			int st = rel_http("POST", url, tokens[i], NULL, NULL);
			free(url);
			free(path);
			if (st != 200 && st != 201) {
				it_fail("agent %d joins server %d: HTTP %d", i, s, st);
				free(sid);
				return 0;
			}
		}
		/* the channels beyond #general; #general's id comes from the channel list */
		int here = cfg.channels - s * CHANNELS_PER_SERVER;
		if (here > CHANNELS_PER_SERVER)
			here = CHANNELS_PER_SERVER;
		for (int c = 1; c < here; c++) {
			char *path = xasprintf("/servers/%s/channels", sid);
			char *cj = xasprintf("{\"name\":\"soak-%d\",\"category\":\"load\"}", c);
			char *cid = take_id(post_json(0, path, cj, 201), "channel");
			free(path);
			free(cj);
			if (!cid) {
				free(sid);
				return 0;
			}
			chan_ids[n_chans++] = cid;
		}
		char *url = xasprintf("%s/servers/%s/channels", ep.api_base, sid);
		char *body = NULL;
		int st = rel_http("GET", url, tokens[0], NULL, &body);
		free(url);
		cJSON *list = st == 200 ? cJSON_Parse(body) : NULL;
		free(body);
		free(sid);
		/* the reply is grouped or flat depending on the server; find "general" anywhere */
		char *general = NULL;
		cJSON *stack[8] = { list };
		int sp = list ? 1 : 0;
		while (sp > 0 && !general) {
			cJSON *node = stack[--sp], *it;
			cJSON_ArrayForEach(it, node) {
				const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(it, "name"));
				const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(it, "id"));
				if (name && id && !strcmp(name, "general")) {
					general = xstrdup(id);
					break;
				}
				if ((cJSON_IsArray(it) || cJSON_IsObject(it)) && sp < 8)
					stack[sp++] = it;
			}
		}
		cJSON_Delete(list);
		if (!general) {
			it_fail("server %d: no #general in the channel list (HTTP %d)", s, st);
			return 0;
		}
		chan_ids[n_chans++] = general;
	}
	printf("  %d servers, %zu channels, %d agents\n", n_servers, n_chans, cfg.agents);
	return !it_failed() && n_chans == (size_t)cfg.channels;
}

static int client_online(void)
{
	return ag[0].acct->conn == MDL_CONN_ONLINE && ag[0].c->gw_healthy;
}

static void start_client(void)
{
	if (rel_client_start(&ag[0], net, model, &ep, state_dir) != 0)
		it_fail("client under test");
}

static int done_client(void)
{
	IT_CHECK(ag[0].acct->conn != MDL_CONN_FAILED);
	return client_online();
}

static int done_subscribed(void)
{
	for (size_t i = 0; i < n_chans; i++)
		if (!mdl_channel_find(ag[0].acct, chan_ids[i]))
			return 0; /* channel trees still loading */
	if (!opened) {
		for (size_t i = 0; i < n_chans; i++)
			mc_client_open_channel(ag[0].c, chan_ids[i]);
		opened = 1;
	}
	for (size_t i = 0; i < n_chans; i++) {
		struct mdl_channel *ch = mdl_channel_find(ag[0].acct, chan_ids[i]);
		if (!ch->subscribed || ch->history < MDL_HIST_LOADED)
			return 0;
	}
	return 1;
}

/* ---- the soak: posts, restarts, RSS samples ---- */

static void on_posted(void *ud, const struct net_http_result *r)
{
	in_flight--;
	if (r->status == 201)
		stored++;
	else
		refused++; /* the server was down or going down: never stored, or stored unanswered */
}

static void post_one(void)
{
	if (in_flight >= MAX_IN_FLIGHT) {
		skipped++;
		return;
	}
	int agent = next_poster;
	next_poster = next_poster + 1 < cfg.agents ? next_poster + 1 : 1;
	const char *chan = chan_ids[seq % n_chans];
	char *url = xasprintf("%s/channels/%s/messages", ep.api_base, chan);
	char *auth = xasprintf("Authorization: Bearer %s", tokens[agent]);
	char *body = xasprintf("{\"content\":\"soak %lu from agent %d\"}", seq, agent);
	const char *headers[] = { auth, "Content-Type: application/json", NULL };
	struct net_http_opts o = { .method = "POST", .url = url, .headers = headers, .body = body,
		.body_len = strlen(body), .timeout_ms = 5000 };
	seq++;
	attempted++;
	if (net_http_request(post_http, &o, on_posted, NULL))
		in_flight++;
	else
		refused++;
	free(url);
	free(auth);
	free(body);
}

static void post_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	/* 20 ticks a second; the fraction carries over so the rate is exact on average */
	static double owed;
	owed += cfg.rate * t->repeat;
	while (owed >= 1.) {
		post_one();
		owed -= 1.;
	}
}

static void start_soak(void)
{
	soak_started = ev_now(loop);
	ev_timer_init(&post_timer, post_cb, 0.05, 0.05);
	ev_timer_start(loop, &post_timer);
	rss_cb(loop, &rss_timer, 0);
	ev_timer_init(&rss_timer, rss_cb, RSS_EVERY_S, RSS_EVERY_S);
	ev_timer_start(loop, &rss_timer);
}

static int done_soak(void)
{
	double t = ev_now(loop) - soak_started;
	if (down_since >= 0) {
		if (ev_now(loop) - down_since < DOWN_S)
			return 0;
		if (rel_srv_start(&srv) != 0) {
			it_fail("restart %d failed", restarts_done);
			return 0;
		}
		down_since = -1;
		printf("  %.0f s: moltchatsd back (restart %d of %d), %lu stored so far\n", t,
			restarts_done, cfg.restarts, stored);
		return 0;
	}
	if (restarts_done < cfg.restarts &&
		t >= cfg.duration_s * (restarts_done + 1) / (cfg.restarts + 1)) {
		/* alternate a crash (no goodbye to anyone) and an orderly stop */
		if (restarts_done % 2 == 0)
			rel_srv_kill9(&srv);
		else
			rel_srv_stop(&srv);
		printf("  %.0f s: moltchatsd %s\n", t, restarts_done % 2 == 0 ? "killed (SIGKILL)" :
			"stopped (SIGTERM)");
		restarts_done++;
		down_since = ev_now(loop);
		return 0;
	}
	if (t < cfg.duration_s)
		return 0;
	ev_timer_stop(loop, &post_timer);
	ev_timer_stop(loop, &rss_timer);
	rss_cb(loop, &rss_timer, 0);
	return 1;
}

/* ---- settle and compare ---- */

static int channels_match(void)
{
	size_t total = 0;
	for (size_t i = 0; i < n_chans; i++) {
		size_t n = 0;
		char **ids = rel_history_ids(ep.api_base, tokens[1], chan_ids[i], &n);
		if (!ids) {
			snprintf(last_why, sizeof(last_why), "cannot read channel %zu's history", i);
			return 0;
		}
		struct mdl_channel *ch = mdl_channel_find(ag[0].acct, chan_ids[i]);
		char why[200];
		int ok = rel_channel_matches(ch, ids, n, why, sizeof(why));
		rel_free_ids(ids, n);
		if (!ok) {
			snprintf(last_why, sizeof(last_why), "channel %zu: %s", i, why);
			return 0;
		}
		total += n;
	}
	printf("  every channel holds exactly the server's history: %zu messages in %zu "
		"channels\n", total, n_chans);
	return 1;
}

static int done_settle(void)
{
	if (in_flight || !client_online())
		return 0;
	/* the comparison is blocking and reads every channel: at most once a second */
	if (ev_now(loop) - last_try < 1.)
		return 0;
	last_try = ev_now(loop);
	if (channels_match())
		return 1;
	fprintf(stderr, "  (not yet: %s)\n", last_why);
	return 0;
}

/* Resident memory must level off: over the last quarter of the soak it may grow only by
 * what the messages stored in that time explain. */
static int done_rss(void)
{
	IT_CHECK(n_rss >= 4);
	size_t q = n_rss - n_rss / 4 - 1;
	long grew = rss[n_rss - 1] - rss[q];
	unsigned long msgs = rss_stored[n_rss - 1] - rss_stored[q];
	long bound = (long)(msgs * RSS_PER_MSG + RSS_SLACK);
	printf("  RSS first %.1f MiB, peak %.1f MiB, last %.1f MiB; last quarter +%.1f MiB for "
		"%lu messages (bound %.1f MiB)\n", rss[0] / 1048576., rss_peak / 1048576.,
		rss[n_rss - 1] / 1048576., grew / 1048576., msgs, bound / 1048576.);
#ifdef SOAK_ASAN
	printf("  (AddressSanitizer build: its quarantine inflates RSS, so the bound is not "
		"applied; LeakSanitizer checks leaks at exit)\n");
#else
	if (grew > bound)
		it_fail("RSS still growing in the last quarter: +%ld bytes > %ld", grew, bound);
#endif
	return 1;
}

static void cleanup(void)
{
	for (int i = 0; i < cfg.agents; i++)
		rel_agent_free(&ag[i]);
	net_http_free(post_http);
	post_http = NULL;
	mc_net_free(net);
	net = NULL;
}

int main(int argc, char **argv)
{
	int is_long = argc > 1 && !strcmp(argv[1], "--long");
	cfg = is_long ? long_cfg : short_cfg;
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(NULL, getenv("IT_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	snprintf(suffix, sizeof(suffix), "%05u", (unsigned)(mono_ms() % 100000));
	/* the simulated agents post far above the per-agent limits: switch them off in the
	 * server (the client under test only reads) */
	setenv("MOLTCHATSD_NO_RATE_LIMITS", "1", 1);
	static const char *const srv_args[] = { "--default-tier", "trusted", "--register-limit",
		"100000", NULL };
	srv.port = rel_free_port();
	snprintf(srv.db, sizeof(srv.db), "%s/soak.db", it_tmpdir());
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
		free(err);
		rel_srv_stop(&srv);
		return 1;
	}
	printf("soak (%s): %d agents, %d channels, %.0f s at %.0f posts/s, %d restarts\n",
		is_long ? "long" : "short", cfg.agents, cfg.channels, cfg.duration_s, cfg.rate,
		cfg.restarts);
	state_dir = xasprintf("%s/state", it_tmpdir());
	loop = ev_loop_new(EVFLAG_AUTO);
	net = mc_net_new(loop, NULL);
	post_http = net_http_new(loop, NULL);
	model = mdl_model_new();
	model->max_msgs_per_channel = 0; /* unbounded: compare the whole history */
	ag = xcalloc((size_t)cfg.agents, sizeof(*ag));
	tokens = xcalloc((size_t)cfg.agents, sizeof(char *));

	double t0 = mono_ms() / 1000.;
	const struct it_step steps[] = {
		{ "register agents (one RSA key each)", start_register, done_register,
			is_long ? 300 : 120 },
		{ "servers and channels; every agent joins", NULL, done_layout, 60 },
		{ "client under test online", start_client, done_client, 30 },
		{ "client follows every channel", NULL, done_subscribed, 60 },
		{ "soak: posts and restarts", start_soak, done_soak, cfg.duration_s + 60 },
		{ "settle: the client holds exactly the server's history", NULL, done_settle, 120 },
		{ "RSS levels off", NULL, done_rss, 0 },
	};
	rc = it_run(loop, steps, MC_ARRAY_LEN(steps), cleanup);
	if (rc && last_why[0])
		fprintf(stderr, "last mismatch: %s\n", last_why);
	printf("posts: %lu attempted, %lu stored (201), %lu refused or lost around restarts, "
		"%lu skipped (in-flight cap); restarts %d; %.0f s in all\n", attempted, stored,
		refused, skipped, restarts_done, mono_ms() / 1000. - t0);
	if (!rc && stored < attempted / 2) {
		fprintf(stderr, "FAIL: fewer than half of the posts were stored\n");
		rc = 1;
	}
	if (is_long)
		printf("leaks: run the long form under valgrind with\n  MOLTCHATSD=%s valgrind "
			"--leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 %s "
			"--long\n", getenv("MOLTCHATSD"), argv[0]);
	mdl_model_free(model);
	ev_loop_destroy(loop);
	mc_endpoints_free(&ep);
	rel_srv_stop(&srv);
	for (int i = 0; i < cfg.agents; i++)
		free(tokens[i]);
	free(tokens);
	free(ag);
	for (size_t i = 0; i < n_chans; i++)
		free(chan_ids[i]);
	free(chan_ids);
	free(rss);
	free(rss_stored);
	free(state_dir);
	it_tmp_remove();
	log_close();
	return rc;
}
