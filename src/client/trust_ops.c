/* WebSocket trust ops (protocol.md §4.12): vouch, vouch_revoke, flag. Their failures come
 * back as {"op":"error","code":"TRUST_ERROR"} without the target, so only one op is in
 * flight at a time and answers are matched by order; acks are also checked by target. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "client_int.h"

#define TRUST_TIMEOUT_S 20.

static void op_free(struct trust_op *t)
{
	free(t->target);
	free(t->reason);
	free(t);
}

static const char *op_verb(enum proto_op op)
{
	return op == PROTO_OP_FLAG ? "flag" : op == PROTO_OP_VOUCH_REVOKE ? "vouch revoke" : "vouch";
}

/* Pop the head and report its outcome. */
static void finish(struct mc_client *c, int ok, const char *code, const char *message)
{
	struct trust_op *t = c->trust_head;
	if (!t)
		return;
	c->trust_head = t->next;
	if (!c->trust_head)
		c->trust_tail = NULL;
	c->trust_inflight = 0;
	ev_timer_stop(c->loop, &c->trust_timer);
	if (t->cb) {
		t->cb(t->ud, ok, t->target, code, message);
	} else if (ok) {
		mdl_notice(c->model, 0, "%s %s: done", op_verb(t->op), t->target);
	} else {
		mdl_notice(c->model, 1, "%s %s failed: %s%s%s", op_verb(t->op), t->target,
			code ? code : "", code ? ": " : "", message ? message : "");
	}
	op_free(t);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct mc_client *c = w->data;
	if (c->trust_inflight)
		finish(c, 0, "TIMEOUT", "no answer from the server");
	else
		finish(c, 0, "NOT_CONNECTED", "not connected to the server");
	trust_pump(c);
	if (c->trust_head && !c->trust_inflight) {
		/* still not connected: the next queued op gets its own deadline */
		ev_timer_set(&c->trust_timer, TRUST_TIMEOUT_S, 0.);
		ev_timer_start(c->loop, &c->trust_timer);
	}
}

void trust_pump(struct mc_client *c)
{
	if (c->trust_inflight || !c->trust_head || !gw_is_open(c))
		return;
	struct trust_op *t = c->trust_head;
	ev_timer_stop(c->loop, &c->trust_timer);
	char *frame = proto_build_trust_op(t->op, t->target, t->reason);
	int rc = gw_send_text(c, frame);
	free(frame);
	if (rc != 0)
		return; /* the socket is going down; trust_on_ws_down reports it */
	c->trust_inflight = 1;
	ev_timer_set(&c->trust_timer, TRUST_TIMEOUT_S, 0.);
	ev_timer_start(c->loop, &c->trust_timer);
}

int trust_on_ack(struct mc_client *c, enum proto_op op, const char *target)
{
	struct trust_op *t = c->trust_head;
	if (!c->trust_inflight || !t)
		return 0;
	int kind_ok = op == PROTO_OP_FLAG_ACK ? t->op == PROTO_OP_FLAG : t->op != PROTO_OP_FLAG;
	if (!kind_ok || !str_eq(target, t->target))
		return 0;
	finish(c, 1, NULL, NULL);
	trust_pump(c);
	return 1;
}

int trust_on_error(struct mc_client *c, const char *code, const char *message)
{
	if (!c->trust_inflight)
		return 0;
	/* TRUST_ERROR is ours; a server without the op answers UNKNOWN_OP */
	if (strcmp(code, "TRUST_ERROR") != 0 && strcmp(code, "UNKNOWN_OP") != 0)
		return 0;
	finish(c, 0, code, message);
	trust_pump(c);
	return 1;
}

void trust_on_ws_down(struct mc_client *c)
{
	/* an op in flight may or may not have been applied; queued ones were never sent */
	while (c->trust_head)
		finish(c, 0, "NOT_CONNECTED", "the connection to the server was lost");
}

static int enqueue(struct mc_client *c, enum proto_op op, const char *target, const char *reason,
	mc_trust_cb cb, void *ud)
{
	if (!c->agent_id || !target || !target[0])
		return -1;
	struct trust_op *t = xcalloc(1, sizeof(*t));
	t->op = op;
	t->target = xstrdup(target);
	t->reason = xstrdup(reason);
	t->cb = cb;
	t->ud = ud;
	if (c->trust_tail)
		c->trust_tail->next = t;
	else
		c->trust_head = t;
	c->trust_tail = t;
	if (!gw_is_open(c)) {
		/* sent when the socket opens; without it the deadline reports NOT_CONNECTED */
		if (!ev_is_active(&c->trust_timer)) {
			ev_timer_set(&c->trust_timer, TRUST_TIMEOUT_S, 0.);
			ev_timer_start(c->loop, &c->trust_timer);
		}
		return 0;
	}
	trust_pump(c);
	return 0;
}

int mc_client_vouch(struct mc_client *c, const char *target, mc_trust_cb cb, void *ud)
{
	return enqueue(c, PROTO_OP_VOUCH, target, NULL, cb, ud);
}

int mc_client_vouch_revoke(struct mc_client *c, const char *target, mc_trust_cb cb, void *ud)
{
	return enqueue(c, PROTO_OP_VOUCH_REVOKE, target, NULL, cb, ud);
}

int mc_client_flag(struct mc_client *c, const char *target, const char *reason, mc_trust_cb cb,
	void *ud)
{
	return enqueue(c, PROTO_OP_FLAG, target, reason, cb, ud);
}

void trust_init(struct mc_client *c)
{
	ev_timer_init(&c->trust_timer, timeout_cb, TRUST_TIMEOUT_S, 0.);
	c->trust_timer.data = c;
}

void trust_free(struct mc_client *c)
{
	ev_timer_stop(c->loop, &c->trust_timer);
	while (c->trust_head) {
		struct trust_op *t = c->trust_head;
		c->trust_head = t->next;
		op_free(t);
	}
	c->trust_tail = NULL;
	c->trust_inflight = 0;
}
