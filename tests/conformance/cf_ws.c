/* WebSocket connections for the conformance suite: the project's net_ws client on one libev
 * loop. Frames queue up per connection; the script waits for them by op with a deadline, so
 * unrelated frames (a periodic presence) never get in the way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/net.h"
#include "cf.h"

struct frame {
	struct frame *next;
	cJSON *json;
};

struct wsc {
	struct net_ws *ws;
	int opened;
	int failed;
	char fail_reason[160];
	int closed;
	int close_code;
	char close_reason[128];
	struct frame *head, *tail;
};

static void on_open(void *ud)
{
	struct wsc *c = ud;
	c->opened = 1;
}

static void on_text(void *ud, const char *text, size_t len)
{
	struct wsc *c = ud;
	struct frame *f = xcalloc(1, sizeof(*f));
	f->json = cJSON_ParseWithLength(text, len);
	if (!f->json) /* keep non-JSON frames visible as a string */
		f->json = cJSON_CreateString("(not JSON)");
	if (cf.verbose) {
		fprintf(stderr, "  ws<- %.*s\n", (int)(len > 300 ? 300 : len), text);
	}
	if (c->tail)
		c->tail->next = f;
	else
		c->head = f;
	c->tail = f;
}

static void on_close(void *ud, int code, const char *reason)
{
	struct wsc *c = ud;
	c->closed = 1;
	c->close_code = code;
	snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason ? reason : "");
	c->ws = NULL;
}

static void on_error(void *ud, const char *reason)
{
	struct wsc *c = ud;
	c->failed = 1;
	snprintf(c->fail_reason, sizeof(c->fail_reason), "%s", reason ? reason : "?");
	c->ws = NULL;
}

static const struct net_ws_handlers handlers = { on_open, on_text, on_close, on_error };

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

static void check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	int (*pred)(void *) = (int (*)(void *))((void **)w->data)[0];
	void *arg = ((void **)w->data)[1];
	if (pred && pred(arg))
		ev_break(loop, EVBREAK_ONE);
}

/* Run the loop until pred(arg) holds or ms pass. */
static void run_until(int (*pred)(void *), void *arg, int ms)
{
	if (pred && pred(arg))
		return;
	ev_timer t;
	ev_check chk;
	void *data[2] = { (void *)pred, arg };
	ev_timer_init(&t, timeout_cb, ms / 1000.0, 0);
	ev_check_init(&chk, check_cb);
	chk.data = data;
	ev_timer_start(cf.loop, &t);
	ev_check_start(cf.loop, &chk);
	ev_run(cf.loop, 0);
	ev_check_stop(cf.loop, &chk);
	ev_timer_stop(cf.loop, &t);
}

static int open_done(void *arg)
{
	struct wsc *c = arg;
	return c->opened || c->failed || c->closed;
}

struct wsc *wsc_open(const char *token, char *err, size_t errlen)
{
	struct wsc *c = xcalloc(1, sizeof(*c));
	char *url = token ? xasprintf("%s?token=%s", cf.ws_base, token) : xstrdup(cf.ws_base);
	c->ws = net_ws_open(cf.wsx, url, &handlers, c);
	free(url);
	if (!c->ws) {
		snprintf(err, errlen, "malformed WebSocket URL %s", cf.ws_base);
		free(c);
		return NULL;
	}
	run_until(open_done, c, 10000);
	if (c->failed || !c->opened) {
		snprintf(err, errlen, "WebSocket upgrade failed: %s",
			 c->failed ? c->fail_reason : "timeout");
		wsc_free(c);
		return NULL;
	}
	return c;
}

int wsc_send(struct wsc *c, const char *text)
{
	if (!c->ws)
		return -1;
	return net_ws_send(c->ws, text, strlen(text));
}

struct wait_op {
	struct wsc *c;
	const char *op;
};

/* op may be "OP@CHANNEL": only frames of that op for that channel. */
static struct frame **find_op(struct wsc *c, const char *op)
{
	const char *at = op ? strchr(op, '@') : NULL;
	size_t oplen = op ? (at ? (size_t)(at - op) : strlen(op)) : 0;
	for (struct frame **pp = &c->head; *pp; pp = &(*pp)->next) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive((*pp)->json, "op");
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive((*pp)->json, "channel");
		if (!op)
			return pp;
		if (!cJSON_IsString(o) || strlen(o->valuestring) != oplen ||
		    strncmp(o->valuestring, op, oplen) != 0)
			continue;
		if (at && (!cJSON_IsString(ch) || strcmp(ch->valuestring, at + 1) != 0))
			continue;
		return pp;
	}
	return NULL;
}

static int has_op(void *arg)
{
	struct wait_op *w = arg;
	return find_op(w->c, w->op) != NULL || w->c->closed;
}

cJSON *wsc_wait_op(struct wsc *c, const char *op, int timeout_ms)
{
	struct wait_op w = { c, op };
	run_until(has_op, &w, timeout_ms);
	struct frame **pp = find_op(c, op);
	if (!pp)
		return NULL;
	struct frame *f = *pp;
	*pp = f->next;
	if (c->tail == f) {
		c->tail = NULL;
		for (struct frame *g = c->head; g; g = g->next)
			c->tail = g;
	}
	cJSON *j = f->json;
	free(f);
	return j;
}

void wsc_pump(int ms)
{
	run_until(NULL, NULL, ms);
}

static int is_closed(void *arg)
{
	return ((struct wsc *)arg)->closed;
}

int wsc_wait_close(struct wsc *c, int timeout_ms, char *reason, size_t rlen)
{
	run_until(is_closed, c, timeout_ms);
	if (!c->closed)
		return 0;
	if (reason)
		snprintf(reason, rlen, "%s", c->close_reason);
	return c->close_code;
}

int wsc_is_closed(const struct wsc *c)
{
	return c->closed;
}

void wsc_drain(struct wsc *c)
{
	while (c->head) {
		struct frame *f = c->head;
		c->head = f->next;
		cJSON_Delete(f->json);
		free(f);
	}
	c->tail = NULL;
}

void wsc_free(struct wsc *c)
{
	if (!c)
		return;
	if (c->ws)
		net_ws_close(c->ws, 1000, "bye");
	wsc_drain(c);
	free(c);
}
