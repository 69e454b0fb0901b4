/* moltty connect, per channel: dedupe of message ids, one job at a time per channel (ask the
 * bot with some history as context, then post its reply in chunks while typing, retrying a
 * refused post), friend requests put to the bot once, and catching up from history after
 * every (re)connect. The bridge itself is cli_connect.c. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "connect_bridge.h"

/* ---- channels and dedupe ---- */

struct chan *bridge_chan_find(struct bridge *b, const char *id)
{
	for (size_t i = 0; id && i < b->n_chans; i++)
		if (!strcmp(b->chans[i]->id, id))
			return b->chans[i];
	return NULL;
}

struct chan *bridge_chan_add(struct bridge *b, const struct cli_channel *cc)
{
	struct chan *ch = bridge_chan_find(b, cc->id);
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

int bridge_seen(struct bridge *b, const char *id)
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

void bridge_job_free(struct job *j)
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
	bridge_job_free(j);
	bridge_job_next(b, ch);
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

void bridge_adopt_dm(struct bridge *b, const char *channel_id, const char *friend);

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
				bridge_adopt_dm(b, a.dm_channel_id, j->from);
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

void bridge_job_next(struct bridge *b, struct chan *ch)
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

struct job *bridge_job_new(struct bridge *b, enum job_kind kind, struct chan *ch)
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

void bridge_enqueue(struct bridge *b, struct job *j)
{
	struct job **head = j->ch ? &j->ch->q_head : &b->fq_head;
	struct job **tail = j->ch ? &j->ch->q_tail : &b->fq_tail;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
	bridge_job_next(b, j->ch);
}

/* A message from anywhere (live frame or history): forwarded once, never our own. */
void bridge_consider(struct bridge *b, struct chan *ch, const struct proto_message *m, int live)
{
	if (!m->id || str_eq(m->agent.id, b->c->id.agent_id) || bridge_seen(b, m->id))
		return;
	if (!live && m->created_ms && m->created_ms <= ch->since_ms)
		return;
	mark_seen(b, m->id);
	if (m->created_ms > ch->since_ms)
		ch->since_ms = m->created_ms;
	struct job *j = bridge_job_new(b, JOB_MESSAGE, ch);
	bridge_msg_from_proto(&j->msg, m, ch->id);
	bridge_enqueue(b, j);
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
	struct chan *ch = bridge_chan_find(b, k->channel_id);
	struct proto_messages l;
	if (ch && r->status == 200 && proto_decode_messages(r->body, r->len, &l) == 0) {
		for (size_t i = l.n; i-- > 0;) /* oldest first */
			bridge_consider(b, ch, &l.v[i], 0);
		proto_messages_free(&l);
	} else if (r->status != 200) {
		char *t = cli_resp_text(r);
		log_warn("connect: catching up on %s failed: %s", k->channel_id, t);
		free(t);
	}
	free(k->channel_id);
	free(k);
}

void bridge_catch_up(struct bridge *b, struct chan *ch)
{
	struct catchup *k = xcalloc(1, sizeof(*k));
	k->b = b;
	k->channel_id = xstrdup(ch->id);
	char *path = xasprintf("/channels/%s/messages?limit=%d", ch->id, CATCHUP_LIMIT);
	cli_request(b->c, "GET", path, NULL, CLI_AUTH, on_catchup, k);
	free(path);
}

void bridge_adopt_dm(struct bridge *b, const char *channel_id, const char *friend)
{
	if (bridge_chan_find(b, channel_id) || !str_is_uuid(channel_id))
		return;
	struct cli_channel cc = { 0 };
	cc.id = (char *)channel_id;
	cc.type = "dm";
	cc.friend = (char *)friend;
	char *label = xasprintf("@%s", friend ? friend : "?");
	cc.label = label;
	struct chan *ch = bridge_chan_add(b, &cc);
	free(label);
	bridge_catch_up(b, ch); /* the first DM may be there already (protocol §4.13) */
}
