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

#define TYPING_EVERY_S 5.
#define SEEN_MAX 2048
#define POST_TRIES 5
#define CATCHUP_LIMIT 50

struct chan {
	char *id, *type, *server_id, *server_name, *name, *friend;
	int64_t since_ms;         /* history at or before this is not forwarded */
	struct job *q_head, *q_tail;
	struct job *cur;
};

enum job_kind { JOB_MESSAGE, JOB_FRIEND };

struct job {
	struct job *next;
	enum job_kind kind;
	struct bridge *b;
	struct chan *ch;          /* NULL for friend requests */
	struct bridge_msg msg;
	char *req_id, *from, *from_display, *req_at;
	struct exec_run *run;
	ev_timer typing, retry;
	char **chunks;
	size_t n_chunks, next_chunk;
	int tries;
};

struct bridge {
	struct cli *c;
	struct connect_config cfg;
	const char *exec_cmd;
	double exec_timeout;
	const char *log_path;
	enum log_level log_level;
	struct openclaw *oc;
	struct cli_ws *ws;
	struct cli_record *rec;
	struct chan **chans;
	size_t n_chans;
	char *seen[SEEN_MAX];
	size_t seen_pos;
	char **asked;
	size_t n_asked;
	struct job *fq_head, *fq_tail, *fcur;
	int64_t start_ms;
	char *since;
	double poll_s;
	ev_timer poll_timer, wait_timer;
	ev_signal sig_int, sig_term, sig_hup;
	int stopping;
	int friends_listed;
};

static void job_next(struct bridge *b, struct chan *ch);

/* ---- channels and dedupe ---- */

static struct chan *chan_find(struct bridge *b, const char *id)
{
	for (size_t i = 0; id && i < b->n_chans; i++)
		if (!strcmp(b->chans[i]->id, id))
			return b->chans[i];
	return NULL;
}

static struct chan *chan_add(struct bridge *b, const struct cli_channel *cc)
{
	struct chan *ch = chan_find(b, cc->id);
	if (ch)
		return ch;
	ch = xcalloc(1, sizeof(*ch));
	ch->id = xstrdup(cc->id);
	ch->type = xstrdup(cc->type ? cc->type : cc->friend ? "dm" : "text");
	ch->server_id = xstrdup(cc->server_id);
	ch->server_name = xstrdup(cc->server_name);
	ch->name = xstrdup(cc->name);
	ch->friend = xstrdup(cc->friend);
	ch->since_ms = b->start_ms;
	b->chans = xrealloc(b->chans, (b->n_chans + 1) * sizeof(*b->chans));
	b->chans[b->n_chans++] = ch;
	if (b->ws)
		cli_ws_subscribe(b->ws, ch->id);
	log_info("connect: following %s", cc->label ? cc->label : cc->id);
	return ch;
}

static int seen(struct bridge *b, const char *id)
{
	for (size_t i = 0; i < SEEN_MAX; i++)
		if (b->seen[i] && !strcmp(b->seen[i], id))
			return 1;
	return 0;
}

static void mark_seen(struct bridge *b, const char *id)
{
	free(b->seen[b->seen_pos]);
	b->seen[b->seen_pos] = xstrdup(id);
	b->seen_pos = (b->seen_pos + 1) % SEEN_MAX;
}

/* ---- jobs ---- */

static void job_free(struct job *j)
{
	struct ev_loop *loop = j->b->c->loop;
	ev_timer_stop(loop, &j->typing);
	ev_timer_stop(loop, &j->retry);
	if (j->run)
		exec_cancel(j->run);
	bridge_msg_free(&j->msg);
	free(j->req_id);
	free(j->from);
	free(j->from_display);
	free(j->req_at);
	for (size_t i = 0; i < j->n_chunks; i++)
		free(j->chunks[i]);
	free(j->chunks);
	free(j);
}

static void job_done(struct job *j)
{
	struct bridge *b = j->b;
	struct chan *ch = j->ch;
	if (ch)
		ch->cur = NULL;
	else
		b->fcur = NULL;
	job_free(j);
	job_next(b, ch);
}

static void typing_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct job *j = t->data;
	char *f = proto_build_typing(j->ch->id);
	cli_ws_send(j->b->ws, f);
	free(f);
}

static void post_next(struct job *j);

static void retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	post_next(t->data);
}

static void on_posted(void *ud, const struct cli_resp *r)
{
	struct job *j = ud;
	struct bridge *b = j->b;
	if (r->status == 201) {
		struct proto_message m;
		if (proto_decode_message(r->body, r->len, &m) == 0) {
			mark_seen(b, m.id); /* its broadcast comes back to us */
			proto_message_free(&m);
		}
		j->next_chunk++;
		j->tries = 0;
		post_next(j);
		return;
	}
	char *t = cli_resp_text(r);
	int transient = r->status == 0 || r->status == 429 || r->status >= 500;
	if (transient && ++j->tries < POST_TRIES) {
		double wait = 2.0 * j->tries;
		if (r->status == 429)
			wait = r->rl_reset > 0 && r->rl_reset - wall_ms() / 1000 > 0
				? (double)(r->rl_reset - wall_ms() / 1000) : 60.;
		log_warn("connect: reply to %s not stored (%s); trying again in %.0f s", j->ch->id, t, wait);
		ev_timer_set(&j->retry, wait, 0.);
		ev_timer_start(b->c->loop, &j->retry);
	} else {
		log_error("connect: reply to %s lost: %s", j->ch->id, t);
		job_done(j);
	}
	free(t);
}

static void post_next(struct job *j)
{
	if (j->next_chunk >= j->n_chunks) {
		log_info("connect: replied to @%s in %s (%zu message%s)", j->msg.username, j->ch->id,
			j->n_chunks, j->n_chunks == 1 ? "" : "s");
		job_done(j);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "content", j->chunks[j->next_chunk]);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *path = xasprintf("/channels/%s/messages", j->ch->id);
	cli_request(j->b->c, "POST", path, body, CLI_AUTH, on_posted, j);
	free(path);
	cJSON_free(body);
}

static void on_message_reply(void *ud, int ok, const char *reply)
{
	struct job *j = ud;
	j->run = NULL;
	ev_timer_stop(j->b->c->loop, &j->typing);
	if (!ok) {
		log_warn("connect: the bot gave no reply to message %s", j->msg.id);
		job_done(j);
		return;
	}
	j->n_chunks = bridge_split(reply ? reply : "", PROTO_MAX_CONTENT_UTF16, &j->chunks);
	if (!j->n_chunks) {
		log_info("connect: the bot chose not to reply to %s", j->msg.id);
		job_done(j);
		return;
	}
	post_next(j);
}

static void ask_bot(struct bridge *b, struct job *j, const char *input, const char *prompt,
	bot_reply_cb cb)
{
	if (b->exec_cmd) {
		j->run = exec_start(b->c->loop, b->exec_cmd, input, b->exec_timeout, cb, j);
		if (!j->run) {
			log_error("connect: cannot start the bot command");
			cb(j, 0, NULL);
		}
	} else {
		openclaw_ask(b->oc, prompt, cb, j);
	}
}

/* History before the message (oldest first), then the bot. */
static void on_context(void *ud, const struct cli_resp *r)
{
	struct job *j = ud;
	struct bridge *b = j->b;
	struct bridge_msg *ctx = NULL;
	size_t n = 0;
	struct proto_messages l;
	if (r->status == 200 && proto_decode_messages(r->body, r->len, &l) == 0) {
		ctx = xcalloc(l.n ? l.n : 1, sizeof(*ctx));
		for (size_t i = l.n; i-- > 0;) {
			const struct proto_message *m = &l.v[i];
			if (str_eq(m->id, j->msg.id) || (j->msg.created_ms && m->created_ms > j->msg.created_ms))
				continue;
			if (n < (size_t)b->cfg.context_messages)
				bridge_msg_from_proto(&ctx[n++], m, j->ch->id);
		}
		proto_messages_free(&l);
	} else if (r->status) {
		log_warn("connect: no context for %s (HTTP %d)", j->ch->id, r->status);
	}
	struct chan *ch = j->ch;
	struct bridge_place p = { ch->id, ch->type, ch->server_id, ch->server_name, ch->name,
				  ch->friend };
	char *prompt = bridge_prompt(&p, &j->msg, ctx, n, b->c->id.agent_id);
	char *input = b->exec_cmd ? bridge_exec_input(&p, &j->msg, ctx, n, b->c->id.agent_id,
		b->c->id.username, prompt) : NULL;
	for (size_t i = 0; i < n; i++)
		bridge_msg_free(&ctx[i]);
	free(ctx);
	ask_bot(b, j, input, prompt, on_message_reply);
	free(prompt);
	free(input);
}

static void run_message(struct job *j)
{
	struct bridge *b = j->b;
	log_info("connect: %s from @%s in %s: %.80s", j->ch->friend ? "DM" : "message",
		j->msg.username, j->ch->id, j->msg.content);
	typing_cb(b->c->loop, &j->typing, 0);
	ev_timer_start(b->c->loop, &j->typing);
	if (b->cfg.context_messages <= 0) {
		struct cli_resp none;
		memset(&none, 0, sizeof(none));
		none.body = "";
		on_context(j, &none);
		return;
	}
	/* one more than wanted: the message itself is usually the newest */
	char *path = xasprintf("/channels/%s/messages?limit=%d", j->ch->id,
		b->cfg.context_messages + 1 > 100 ? 100 : b->cfg.context_messages + 1);
	cli_request(b->c, "GET", path, NULL, CLI_AUTH, on_context, j);
	free(path);
}

static void adopt_dm(struct bridge *b, const char *channel_id, const char *friend);

static void on_friend_answer(void *ud, const struct cli_resp *r)
{
	struct job *j = ud;
	struct bridge *b = j->b;
	if (r->status != 200) {
		char *t = cli_resp_text(r);
		log_error("connect: answering @%s's friend request failed: %s", j->from, t);
		free(t);
	} else {
		struct proto_ack a;
		if (proto_decode_ack(r->body, r->len, &a) == 0) {
			if (a.dm_channel_id) {
				log_info("connect: accepted @%s's friend request", j->from);
				adopt_dm(b, a.dm_channel_id, j->from);
			} else {
				log_info("connect: rejected @%s's friend request", j->from);
			}
			proto_ack_free(&a);
		}
	}
	job_done(j);
}

static void on_friend_reply(void *ud, int ok, const char *reply)
{
	struct job *j = ud;
	j->run = NULL;
	int d = ok ? bridge_friend_decision(reply) : 0;
	if (!d) {
		log_warn("connect: no decision on @%s's friend request; left pending", j->from);
		job_done(j);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "requestId", j->req_id);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cli_request(j->b->c, "POST", d > 0 ? "/friends/accept" : "/friends/reject", body, CLI_AUTH,
		on_friend_answer, j);
	cJSON_free(body);
}

static void run_friend(struct job *j)
{
	struct bridge *b = j->b;
	log_info("connect: friend request from @%s", j->from);
	char *prompt = bridge_friend_prompt(j->from);
	char *input = b->exec_cmd ? bridge_friend_input(j->req_id, j->from, j->from_display,
		j->req_at, b->c->id.agent_id, b->c->id.username, prompt) : NULL;
	ask_bot(b, j, input, prompt, on_friend_reply);
	free(prompt);
	free(input);
}

static void job_next(struct bridge *b, struct chan *ch)
{
	if (b->stopping)
		return;
	struct job **head = ch ? &ch->q_head : &b->fq_head;
	struct job **tail = ch ? &ch->q_tail : &b->fq_tail;
	struct job **cur = ch ? &ch->cur : &b->fcur;
	if (*cur || !*head)
		return;
	struct job *j = *head;
	*head = j->next;
	if (!*head)
		*tail = NULL;
	j->next = NULL;
	*cur = j;
	if (j->kind == JOB_MESSAGE)
		run_message(j);
	else
		run_friend(j);
}

static struct job *job_new(struct bridge *b, enum job_kind kind, struct chan *ch)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->b = b;
	j->kind = kind;
	j->ch = ch;
	ev_timer_init(&j->typing, typing_cb, TYPING_EVERY_S, TYPING_EVERY_S);
	ev_timer_init(&j->retry, retry_cb, 1., 0.);
	j->typing.data = j->retry.data = j;
	return j;
}

static void enqueue(struct bridge *b, struct job *j)
{
	struct job **head = j->ch ? &j->ch->q_head : &b->fq_head;
	struct job **tail = j->ch ? &j->ch->q_tail : &b->fq_tail;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
	job_next(b, j->ch);
}

/* A message from anywhere (live frame or history): forwarded once, never our own. */
static void consider(struct bridge *b, struct chan *ch, const struct proto_message *m, int live)
{
	if (!m->id || str_eq(m->agent.id, b->c->id.agent_id) || seen(b, m->id))
		return;
	if (!live && m->created_ms && m->created_ms <= ch->since_ms)
		return;
	mark_seen(b, m->id);
	if (m->created_ms > ch->since_ms)
		ch->since_ms = m->created_ms;
	struct job *j = job_new(b, JOB_MESSAGE, ch);
	bridge_msg_from_proto(&j->msg, m, ch->id);
	enqueue(b, j);
}

/* ---- catching up from history ---- */

struct catchup {
	struct bridge *b;
	char *channel_id;         /* channels are never removed, so the id finds it again */
};

static void on_catchup(void *ud, const struct cli_resp *r)
{
	struct catchup *k = ud;
	struct bridge *b = k->b;
	struct chan *ch = chan_find(b, k->channel_id);
	struct proto_messages l;
	if (ch && r->status == 200 && proto_decode_messages(r->body, r->len, &l) == 0) {
		for (size_t i = l.n; i-- > 0;) /* oldest first */
			consider(b, ch, &l.v[i], 0);
		proto_messages_free(&l);
	} else if (r->status != 200) {
		char *t = cli_resp_text(r);
		log_warn("connect: catching up on %s failed: %s", k->channel_id, t);
		free(t);
	}
	free(k->channel_id);
	free(k);
}

static void catch_up(struct bridge *b, struct chan *ch)
{
	struct catchup *k = xcalloc(1, sizeof(*k));
	k->b = b;
	k->channel_id = xstrdup(ch->id);
	char *path = xasprintf("/channels/%s/messages?limit=%d", ch->id, CATCHUP_LIMIT);
	cli_request(b->c, "GET", path, NULL, CLI_AUTH, on_catchup, k);
	free(path);
}

static void adopt_dm(struct bridge *b, const char *channel_id, const char *friend)
{
	if (chan_find(b, channel_id) || !str_is_uuid(channel_id))
		return;
	struct cli_channel cc = { 0 };
	cc.id = (char *)channel_id;
	cc.type = "dm";
	cc.friend = (char *)friend;
	char *label = xasprintf("@%s", friend ? friend : "?");
	cc.label = label;
	struct chan *ch = chan_add(b, &cc);
	free(label);
	catch_up(b, ch); /* the first DM may be there already (protocol §4.13) */
}

/* ---- socket ---- */

static void on_ws_open(void *ud)
{
	struct bridge *b = ud;
	for (size_t i = 0; i < b->n_chans; i++)
		catch_up(b, b->chans[i]);
}

static void on_ws_frame(void *ud, const char *text, size_t len, const struct proto_frame *f)
{
	struct bridge *b = ud;
	if (!f)
		return;
	if (f->op == PROTO_OP_MESSAGE) {
		struct chan *ch = chan_find(b, f->channel);
		if (ch)
			consider(b, ch, &f->msg, 1);
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
		if (!f->dm_channel_id || chan_find(b, f->dm_channel_id))
			continue;
		if (b->friends_listed && b->oc) {
			char *note = xasprintf("[MoltChats] You are now friends with @%s on MoltChats. "
				"You can DM them.", f->username ? f->username : "?");
			openclaw_inject(b->oc, note);
			free(note);
		}
		adopt_dm(b, f->dm_channel_id, f->username);
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
			struct chan *ch = chan_find(b, u->channel_id);
			if (!ch)
				adopt_dm(b, u->channel_id, u->friend_username);
			else if (u->last_message_ms > ch->since_ms)
				catch_up(b, ch); /* the socket may have missed it */
		}
		for (size_t i = 0; i < p.n_requests; i++) {
			const struct proto_friend_request *q = &p.requests[i];
			if (!q->id || !q->username || was_asked(b, q->id))
				continue;
			b->asked = xrealloc(b->asked, (b->n_asked + 1) * sizeof(*b->asked));
			b->asked[b->n_asked++] = xstrdup(q->id);
			struct job *j = job_new(b, JOB_FRIEND, NULL);
			j->req_id = xstrdup(q->id);
			j->from = xstrdup(q->username);
			j->from_display = xstrdup(q->display_name);
			j->req_at = xstrdup(q->created_at);
			enqueue(b, j);
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
			chan_add(b, &v[i]);
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
			chan_add(b, &v[i]);
			cli_channel_free(&v[i]);
		}
		free(v);
	}
	for (size_t s = 0; s < b->cfg.n_server_channels; s++) {
		struct cli_channel cc;
		if (cli_resolve_channel(c, b->cfg.server_channels[s], &cc, err) != 0)
			return -1;
		chan_add(b, &cc);
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
			job_free(ch->cur);
		while (ch->q_head) {
			struct job *j = ch->q_head;
			ch->q_head = j->next;
			job_free(j);
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
		job_free(b->fcur);
	while (b->fq_head) {
		struct job *j = b->fq_head;
		b->fq_head = j->next;
		job_free(j);
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
