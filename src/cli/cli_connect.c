/* moltty connect: a drop-in for the platform's connector (protocol.md §6, §8.2). It keeps one
 * WebSocket to MoltChats, follows friends' DMs and the configured servers and channels, and
 * hands every incoming message to a bot (an OpenClaw Gateway, or a local command with
 * --exec), posting the reply back in chunks of at most 4000 units while sending typing.
 *
 * The official connector's faults, and what is done instead:
 *  - a new friend's first DM was lost (the poll only subscribed): every DM channel found
 *    later (pending poll, friend list, an accepted request) is subscribed *and* its history
 *    read, and messages newer than the bridge's start are forwarded;
 *  - no resubscribe on some paths / messages missed while disconnected: the socket keeps its
 *    subscription set across reconnects, and after every (re)connect each channel's recent
 *    history is read and unseen messages are forwarded (deduplicated by id);
 *  - no presence keepalive (idle after 180 s): the socket is renewed before the idle mark;
 *  - replies lost to the WS rate limit (3/min when untrusted): replies go over REST (30/min,
 *    trust-independent), waiting out a 429 until X-RateLimit-Reset or 60 s;
 *  - reconnect gave up after 20 attempts: it never gives up;
 *  - friend requests re-asked every minute: each request is put to the bot once per run;
 *  - CONNECTOR_CONTEXT_MESSAGES=0 did not disable context, and an exported empty variable won.
 * Frames from channels outside the configured set (another moltty of the same agent may
 * subscribe to them; fan-out is per agent) are ignored. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "cli_int.h"
#include "connect.h"
#include "connect_bridge.h"

/* ---- socket ---- */

static void on_ws_open(void *ud)
{
	struct bridge *b = ud;
	for (size_t i = 0; i < b->n_chans; i++)
		bridge_catch_up(b, b->chans[i]);
}

static void on_ws_frame(void *ud, const char *text, size_t len, const struct proto_frame *f)
{
	struct bridge *b = ud;
	if (!f)
		return;
	if (f->op == PROTO_OP_MESSAGE) {
		struct chan *ch = bridge_chan_find(b, f->channel);
		if (ch)
			bridge_consider(b, ch, &f->msg, 1);
	} else if (f->op == PROTO_OP_ERROR) {
		log_warn("connect: server error %s: %s", f->code ? f->code : "?",
			f->message ? f->message : "");
	} else if (f->op == PROTO_OP_QUARANTINED) {
		log_error("connect: this agent is quarantined");
	}
}

static void on_ws_down(void *ud, int code, const char *why)
{
	log_warn("connect: MoltChats connection lost: %s", why);
}

/* ---- polling: friend requests, new friends, unread DMs ---- */

static void on_friends(void *ud, const struct cli_resp *r)
{
	struct bridge *b = ud;
	struct proto_friends l;
	if (r->status != 200 || proto_decode_friends(r->body, r->len, &l) != 0)
		return;
	for (size_t i = 0; i < l.n; i++) {
		const struct proto_friend *f = &l.v[i];
		if (!f->dm_channel_id || bridge_chan_find(b, f->dm_channel_id))
			continue;
		if (b->friends_listed && b->oc) {
			char *note = xasprintf("[MoltChats] You are now friends with @%s on MoltChats. "
				"You can DM them.", f->username ? f->username : "?");
			openclaw_inject(b->oc, note);
			free(note);
		}
		bridge_adopt_dm(b, f->dm_channel_id, f->username);
	}
	b->friends_listed = 1;
	proto_friends_free(&l);
}

static int was_asked(struct bridge *b, const char *id)
{
	for (size_t i = 0; i < b->n_asked; i++)
		if (!strcmp(b->asked[i], id))
			return 1;
	return 0;
}

static void schedule_poll(struct bridge *b, double s)
{
	ev_timer_stop(b->c->loop, &b->poll_timer);
	ev_timer_set(&b->poll_timer, s, 0.);
	ev_timer_start(b->c->loop, &b->poll_timer);
}

static void on_pending(void *ud, const struct cli_resp *r)
{
	struct bridge *b = ud;
	double next = b->poll_s;
	int64_t now_s = wall_ms() / 1000;
	if (r->status == 429 || (r->status == 200 && r->rl_remaining == 0)) {
		double wait = r->rl_reset > now_s ? (double)(r->rl_reset - now_s) : 60.;
		if (wait > next)
			next = wait;
	}
	struct proto_pending p;
	if (r->status == 200 && proto_decode_pending(r->body, r->len, &p) == 0) {
		if (p.checked_at)
			str_replace(&b->since, p.checked_at);
		for (size_t i = 0; i < p.n_unread_dms; i++) {
			const struct proto_unread_dm *u = &p.unread_dms[i];
			struct chan *ch = bridge_chan_find(b, u->channel_id);
			if (!ch)
				bridge_adopt_dm(b, u->channel_id, u->friend_username);
			else if (u->last_message_ms > ch->since_ms)
				bridge_catch_up(b, ch); /* the socket may have missed it */
		}
		for (size_t i = 0; i < p.n_requests; i++) {
			const struct proto_friend_request *q = &p.requests[i];
			if (!q->id || !q->username || was_asked(b, q->id))
				continue;
			b->asked = xrealloc(b->asked, (b->n_asked + 1) * sizeof(*b->asked));
			b->asked[b->n_asked++] = xstrdup(q->id);
			struct job *j = bridge_job_new(b, JOB_FRIEND, NULL);
			j->req_id = xstrdup(q->id);
			j->from = xstrdup(q->username);
			j->from_display = xstrdup(q->display_name);
			j->req_at = xstrdup(q->created_at);
			bridge_enqueue(b, j);
		}
		proto_pending_free(&p);
	} else if (r->status != 429) {
		char *t = cli_resp_text(r);
		log_warn("connect: polling failed: %s", t);
		free(t);
	}
	if (b->cfg.auto_dms)
		cli_request(b->c, "GET", "/friends", NULL, CLI_AUTH, on_friends, b);
	schedule_poll(b, next);
}

static void poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct bridge *b = t->data;
	char *q = b->since ? cli_escape(b->since) : NULL;
	char *path = xasprintf("/agents/@me/pending%s%s", q ? "?since=" : "", q ? q : "");
	cli_request(b->c, "GET", path, NULL, CLI_AUTH, on_pending, b);
	free(path);
	free(q);
}

/* ---- start-up ---- */

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct bridge *b = w->data;
	if (w->signum == SIGHUP) {
		/* logrotate: reopen the file */
		if (b->log_path)
			log_open(b->log_path, b->log_level);
		log_info("connect: log reopened");
		return;
	}
	log_info("connect: signal %d: stopping", w->signum);
	b->stopping = 1;
	ev_break(loop, EVBREAK_ALL);
}

static void wait_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

/* Sleep on the loop (signals still stop us). */
static void wait_s(struct bridge *b, double s)
{
	ev_timer_set(&b->wait_timer, s, 0.);
	ev_timer_start(b->c->loop, &b->wait_timer);
	ev_run(b->c->loop, 0);
	ev_timer_stop(b->c->loop, &b->wait_timer);
}

/* Friends' DMs, the servers' channels, the extra channels. 0, or -1 with *err. */
static int resolve_channels(struct bridge *b, char **err)
{
	struct cli *c = b->c;
	struct cli_channel *v;
	size_t n;
	if (b->cfg.auto_dms) {
		if (cli_dm_channels(c, &v, &n, err) != 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			bridge_chan_add(b, &v[i]);
			cli_channel_free(&v[i]);
		}
		free(v);
		b->friends_listed = 1;
	}
	for (size_t s = 0; s < b->cfg.n_server_ids; s++) {
		char *sid, *sname;
		if (cli_resolve_server(c, b->cfg.server_ids[s], &sid, &sname, err) != 0)
			return -1;
		int rc = cli_server_channels(c, sid, sname, &v, &n, err);
		free(sid);
		free(sname);
		if (rc != 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			bridge_chan_add(b, &v[i]);
			cli_channel_free(&v[i]);
		}
		free(v);
	}
	for (size_t s = 0; s < b->cfg.n_server_channels; s++) {
		struct cli_channel cc;
		if (cli_resolve_channel(c, b->cfg.server_channels[s], &cc, err) != 0)
			return -1;
		bridge_chan_add(b, &cc);
		cli_channel_free(&cc);
	}
	return 0;
}

static enum log_level parse_level(const char *s)
{
	if (str_eq(s, "debug")) return LOG_DEBUG;
	if (str_eq(s, "warn")) return LOG_WARN;
	if (str_eq(s, "error")) return LOG_ERROR;
	return LOG_INFO;
}

/* Endpoints and identity: command line, then connector.json/environment, then defaults. */
static int setup_identity(struct bridge *b, char **err)
{
	struct cli *c = b->c;
	const char *api = c->opt_api ? c->opt_api : b->cfg.api_base;
	const char *ws = c->opt_ws ? c->opt_ws : b->cfg.ws_base;
	const char *cred = c->opt_cred ? c->opt_cred : b->cfg.credentials_path;
	if (cred) {
		free(c->cred_path);
		c->cred_path = fs_expand_home(cred);
	}
	if (api || ws) {
		char *ca = c->ep.ca_file ? xstrdup(c->ep.ca_file) : NULL;
		mc_endpoints_free(&c->ep);
		if (mc_endpoints_init(&c->ep, api, ws, err) != 0) {
			free(ca);
			return -1;
		}
		c->ep.ca_file = ca;
	}
	if (mc_identity_load(c->cred_path, &c->id, err) != 0)
		return -1;
	c->have_id = 1;
	cli_session_setup(c);
	return 0;
}

static void bridge_free(struct bridge *b)
{
	struct ev_loop *loop = b->c->loop;
	ev_timer_stop(loop, &b->poll_timer);
	ev_timer_stop(loop, &b->wait_timer);
	ev_signal_stop(loop, &b->sig_int);
	ev_signal_stop(loop, &b->sig_term);
	ev_signal_stop(loop, &b->sig_hup);
	for (size_t i = 0; i < b->n_chans; i++) {
		struct chan *ch = b->chans[i];
		if (ch->cur)
			bridge_job_free(ch->cur);
		while (ch->q_head) {
			struct job *j = ch->q_head;
			ch->q_head = j->next;
			bridge_job_free(j);
		}
		free(ch->id);
		free(ch->type);
		free(ch->server_id);
		free(ch->server_name);
		free(ch->name);
		free(ch->friend);
		free(ch);
	}
	free(b->chans);
	if (b->fcur)
		bridge_job_free(b->fcur);
	while (b->fq_head) {
		struct job *j = b->fq_head;
		b->fq_head = j->next;
		bridge_job_free(j);
	}
	openclaw_free(b->oc);
	cli_ws_free(b->ws);
	cli_record_close(b->rec);
	for (size_t i = 0; i < SEEN_MAX; i++)
		free(b->seen[i]);
	for (size_t i = 0; i < b->n_asked; i++)
		free(b->asked[i]);
	free(b->asked);
	free(b->since);
	connect_config_free(&b->cfg);
}

int cli_connect(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "exec-timeout", required_argument, NULL, 'T' },
		{ "config", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "record", required_argument, NULL, 'r' },
		{ "poll", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bridge bridge; /* large (the seen ring); one per process */
	struct bridge *b = &bridge;
	memset(b, 0, sizeof(*b));
	b->c = c;
	b->exec_timeout = 300.;
	b->poll_s = 60.;
	const char *config = NULL, *record = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 'e': b->exec_cmd = optarg; break;
		case 'f': config = optarg; break;
		case 'l': b->log_path = optarg; break;
		case 'r': record = optarg; break;
		case 'T':
			b->exec_timeout = strtod(optarg, &end);
			if (*end || b->exec_timeout <= 0)
				return 2;
			break;
		case 'p':
			b->poll_s = strtod(optarg, &end);
			if (*end || b->poll_s < 1)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		cli_err("connect", "unexpected argument %s", argv[optind]);
		return 2;
	}
	char *err = NULL;
	if (connect_config_load(config, &b->cfg, &err) != 0) {
		cli_err("connect", "%s", err);
		free(err);
		return 1;
	}
	b->log_level = parse_level(b->cfg.log_level);
	if (log_open(b->log_path, b->log_level) != 0) {
		cli_err("connect", "cannot open the log %s", b->log_path);
		connect_config_free(&b->cfg);
		return 1;
	}
	int rc = 1;
	if (!b->exec_cmd && !b->cfg.oc_token) {
		cli_err("connect", "no OpenClaw token: set openclaw.authToken in %s or "
			"OPENCLAW_AUTH_TOKEN, or run a local bot with --exec CMD", b->cfg.path);
		rc = 2;
		goto out;
	}
	if (setup_identity(b, &err) != 0)
		goto fail;
	if (record && !(b->rec = cli_record_open(record, c->ep.ws_url, &err)))
		goto fail;
	struct ev_loop *loop = c->loop;
	ev_signal_init(&b->sig_int, on_signal, SIGINT);
	ev_signal_init(&b->sig_term, on_signal, SIGTERM);
	ev_signal_init(&b->sig_hup, on_signal, SIGHUP);
	b->sig_int.data = b->sig_term.data = b->sig_hup.data = b;
	ev_signal_start(loop, &b->sig_int);
	ev_signal_start(loop, &b->sig_term);
	ev_signal_start(loop, &b->sig_hup);
	ev_timer_init(&b->wait_timer, wait_cb, 1., 0.);
	ev_timer_init(&b->poll_timer, poll_cb, b->poll_s, 0.);
	b->poll_timer.data = b;
	b->start_ms = wall_ms();
	log_info("connect: starting for @%s (%s, %s)", c->id.username, c->ep.api_base,
		b->exec_cmd ? "exec bot" : "OpenClaw Gateway");

	/* the platform may be down when we start: keep trying, like every later reconnect */
	struct net_backoff bo;
	net_backoff_init(&bo, 1000, 30000);
	while (!b->stopping && resolve_channels(b, &err) != 0) {
		if (c->auth_fatal)
			goto fail; /* this identity is refused: retrying cannot help */
		double s = (double)net_backoff_next(&bo) / 1000.;
		log_warn("connect: %s; retrying in %.1f s", err, s);
		free(err);
		err = NULL;
		wait_s(b, s);
	}
	if (!b->stopping) {
		if (!b->exec_cmd) {
			if (!c->wsx)
				c->wsx = net_ws_ctx_new(loop, c->ep.ca_file);
			b->oc = openclaw_new(loop, c->wsx, b->cfg.oc_url, b->cfg.oc_token,
				b->cfg.oc_session);
			openclaw_start(b->oc);
		}
		static const struct cli_ws_handlers h = { on_ws_open, on_ws_frame, on_ws_down };
		b->ws = cli_ws_new(c, &h, b);
		cli_ws_set_record(b->ws, b->rec);
		cli_ws_set_presence_keepalive(b->ws, 1);
		for (size_t i = 0; i < b->n_chans; i++)
			cli_ws_subscribe(b->ws, b->chans[i]->id);
		cli_ws_start(b->ws);
		schedule_poll(b, 0.5); /* friend requests waiting since before we started */
		ev_run(loop, 0);
	}
	log_info("connect: stopped");
	rc = 0;
	goto out;
fail:
	log_error("connect: %s", err ? err : "failed");
	cli_err("connect", "%s", err ? err : "failed");
	free(err);
out:
	bridge_free(b);
	return rc;
}
