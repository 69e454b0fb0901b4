/* Replaying a recording to a client. The recording is split into sessions at its "open"
 * events; the n-th connection plays the n-th session:
 *  - "recv" frames (what the client received) are sent at the recorded pace (scaled);
 *  - "send" frames (what the client sent) are waited for: the replay pauses until the client
 *    sends a frame with the same op (10 s at most, then it goes on and logs the miss), so the
 *    server's answers keep their place after the client's requests;
 *  - ping/pong and typing are timing noise: pings are answered live, recorded pongs and the
 *    client's typing are not replayed or waited for;
 *  - a "close" the server made (not "client exit") closes the connection with its code.
 * Every client frame is logged, so a run can be compared with the recording. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "replay.h"

#define WAIT_FOR_CLIENT_S 10.
#define RX_MAX (64u * 1024)

enum rdir { R_RECV, R_SEND, R_OPEN, R_CLOSE, R_OTHER };

struct rentry {
	enum rdir dir;
	double ms;
	char *op;
	char *text;   /* the frame, compact JSON (R_RECV, R_SEND) */
	int code;     /* R_CLOSE */
	int client_exit;
};

struct rframe {
	struct rframe *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE, then the text */
};

struct rconn {
	struct replay *r;
	struct lws *wsi;
	size_t pos, end;      /* entries of this connection's session */
	double base_ms;       /* recording time that corresponds to base_real */
	double base_real;     /* ev_now */
	int waiting;          /* for the client's entries[pos] */
	int close_code;
	struct rframe *q_head, *q_tail;
	struct buf rx;
	ev_timer timer;
};

struct replay {
	struct ev_loop *loop;
	double speed;
	struct rentry *v;
	size_t n;
	size_t *sessions;     /* start index of each session */
	size_t n_sessions;
	size_t next_session;
};

static void entry_free(struct rentry *e)
{
	free(e->op);
	free(e->text);
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_free(&r->v[i]);
	free(r->v);
	free(r->sessions);
	free(r);
}

static int parse_line(const char *line, struct rentry *e)
{
	memset(e, 0, sizeof(*e));
	cJSON *j = cJSON_Parse(line);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	const cJSON *dir = cJSON_GetObjectItemCaseSensitive(j, "dir");
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "ms");
	const cJSON *frame = cJSON_GetObjectItemCaseSensitive(j, "frame");
	const char *d = cJSON_IsString(dir) ? dir->valuestring : "";
	e->ms = cJSON_IsNumber(ms) ? ms->valuedouble : 0;
	e->dir = !strcmp(d, "recv") ? R_RECV : !strcmp(d, "send") ? R_SEND :
		!strcmp(d, "open") ? R_OPEN : !strcmp(d, "close") ? R_CLOSE : R_OTHER;
	if (e->dir == R_RECV || e->dir == R_SEND) {
		if (!cJSON_IsObject(frame)) {
			e->dir = R_OTHER; /* unparsable text frames are not replayed */
		} else {
			const cJSON *op = cJSON_GetObjectItemCaseSensitive(frame, "op");
			e->op = xstrdup(cJSON_IsString(op) ? op->valuestring : "");
			char *s = cJSON_PrintUnformatted(frame);
			e->text = xstrdup(s);
			cJSON_free(s);
		}
	} else if (e->dir == R_CLOSE) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(j, "reason");
		e->code = cJSON_IsNumber(code) ? (int)code->valuedouble : 1000;
		e->client_exit = cJSON_IsString(reason) && !strcmp(reason->valuestring, "client exit");
	}
	cJSON_Delete(j);
	return 0;
}

struct replay *replay_load(struct ev_loop *loop, const char *path, double speed, char **err)
{
	char *text = fs_read_file(path, NULL);
	if (!text) {
		*err = xasprintf("cannot read %s", path);
		return NULL;
	}
	struct replay *r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->speed = speed;
	size_t lineno = 0;
	int header = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		lineno++;
		if (!*line)
			continue;
		if (!header) {
			header = 1;
			if (!strstr(line, "\"moltty-record\"")) {
				*err = xasprintf("%s: not a moltty recording (no header line)", path);
				goto fail;
			}
			continue;
		}
		struct rentry e;
		if (parse_line(line, &e) != 0) {
			*err = xasprintf("%s:%zu: not a JSON object", path, lineno);
			goto fail;
		}
		if (e.dir == R_OPEN) {
			r->sessions = xrealloc(r->sessions, (r->n_sessions + 1) * sizeof(*r->sessions));
			r->sessions[r->n_sessions++] = r->n + 1;
		}
		r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
		r->v[r->n++] = e;
	}
	if (!header) {
		*err = xasprintf("%s is empty", path);
		goto fail;
	}
	if (!r->n_sessions) { /* no socket events recorded: one session of everything */
		r->sessions = xmalloc(sizeof(*r->sessions));
		r->sessions[0] = 0;
		r->n_sessions = 1;
	}
	free(text);
	log_info("replay: %zu entries, %zu connection%s from %s", r->n, r->n_sessions,
		r->n_sessions == 1 ? "" : "s", path);
	return r;
fail:
	free(text);
	replay_free(r);
	return NULL;
}

/* ---- one connection ---- */

static void queue_text(struct rconn *c, const char *text)
{
	size_t len = strlen(text);
	struct rframe *f = xmalloc(sizeof(*f) + LWS_PRE + len);
	f->next = NULL;
	f->len = len;
	memcpy(f->buf + LWS_PRE, text, len);
	if (c->q_tail)
		c->q_tail->next = f;
	else
		c->q_head = f;
	c->q_tail = f;
	lws_callback_on_writable(c->wsi);
}

static int is_noise_send(const struct rentry *e)
{
	return !strcmp(e->op, "ping") || !strcmp(e->op, "typing");
}

static void step(struct rconn *c);

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct rconn *c = t->data;
	if (c->waiting) {
		const struct rentry *e = &c->r->v[c->pos];
		log_warn("replay: the client did not send %s within %.0f s; going on", e->op,
			WAIT_FOR_CLIENT_S);
		c->waiting = 0;
		c->pos++;
		c->base_ms = e->ms;
		c->base_real = ev_now(loop);
	}
	step(c);
}

static void step(struct rconn *c)
{
	struct replay *r = c->r;
	while (c->pos < c->end && !c->close_code) {
		const struct rentry *e = &r->v[c->pos];
		if (e->dir == R_OPEN || e->dir == R_OTHER || (e->dir == R_CLOSE && e->client_exit) ||
			(e->dir == R_RECV && !strcmp(e->op, "pong")) ||
			(e->dir == R_SEND && is_noise_send(e))) {
			c->pos++;
			continue;
		}
		if (e->dir == R_SEND) {
			c->waiting = 1;
			ev_timer_set(&c->timer, WAIT_FOR_CLIENT_S, 0.);
			ev_timer_start(r->loop, &c->timer);
			return;
		}
		double due = r->speed > 0 ? c->base_real + (e->ms - c->base_ms) / 1000. / r->speed : 0;
		double now = ev_now(r->loop);
		if (due > now + 0.001) {
			ev_timer_set(&c->timer, due - now, 0.);
			ev_timer_start(r->loop, &c->timer);
			return;
		}
		if (e->dir == R_RECV) {
			queue_text(c, e->text);
		} else { /* R_CLOSE by the server */
			c->close_code = e->code >= 1000 && e->code < 5000 && e->code != 1005 &&
				e->code != 1006 ? e->code : 1001;
			log_info("replay: closing with %d as recorded", c->close_code);
			lws_callback_on_writable(c->wsi);
		}
		c->pos++;
	}
}

static void on_client_frame(struct rconn *c, const char *text, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(text, len);
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(j, "op");
	const char *o = cJSON_IsString(op) ? op->valuestring : "";
	char *compact = j ? cJSON_PrintUnformatted(j) : NULL;
	log_info("replay: client sent %s", compact ? compact : "(not JSON)");
	if (compact)
		cJSON_free(compact);
	if (!strcmp(o, "ping")) {
		queue_text(c, "{\"op\":\"pong\"}");
	} else if (c->waiting && !strcmp(o, c->r->v[c->pos].op)) {
		ev_timer_stop(c->r->loop, &c->timer);
		c->waiting = 0;
		c->base_ms = c->r->v[c->pos].ms;
		c->base_real = ev_now(c->r->loop);
		c->pos++;
		step(c);
	}
	cJSON_Delete(j);
}

static void conn_free(struct rconn *c)
{
	ev_timer_stop(c->r->loop, &c->timer);
	while (c->q_head) {
		struct rframe *f = c->q_head;
		c->q_head = f->next;
		free(f);
	}
	buf_free(&c->rx);
	free(c);
}

int replay_callback(struct replay *r, struct lws *wsi, int reason, void *in, size_t len)
{
	struct rconn *c = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		c = xcalloc(1, sizeof(*c));
		c->r = r;
		c->wsi = wsi;
		lws_set_opaque_user_data(wsi, c);
		ev_timer_init(&c->timer, timer_cb, 0., 0.);
		c->timer.data = c;
		size_t s = r->next_session++;
		if (s < r->n_sessions) {
			c->pos = r->sessions[s];
			c->end = s + 1 < r->n_sessions ? r->sessions[s + 1] : r->n;
			log_info("replay: connection %zu plays entries %zu..%zu", s + 1, c->pos, c->end);
		} else {
			log_info("replay: connection %zu: the recording has no more sessions", s + 1);
		}
		c->base_ms = c->pos < c->end ? r->v[c->pos].ms : 0;
		c->base_real = ev_now(r->loop);
		step(c);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		if (!c)
			return 0;
		if (lws_is_first_fragment(wsi))
			buf_reset(&c->rx);
		if (c->rx.len + len <= RX_MAX)
			buf_append(&c->rx, in, len);
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			on_client_frame(c, c->rx.data ? c->rx.data : "", c->rx.len);
			buf_reset(&c->rx);
		}
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		if (!c)
			return -1;
		struct rframe *f = c->q_head;
		if (f) {
			c->q_head = f->next;
			if (!c->q_head)
				c->q_tail = NULL;
			int n = lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
			free(f);
			if (n < 0)
				return -1;
			if (c->q_head || c->close_code)
				lws_callback_on_writable(wsi);
			return 0;
		}
		if (c->close_code) {
			lws_close_reason(wsi, (enum lws_close_status)c->close_code, NULL, 0);
			return -1;
		}
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (c) {
			lws_set_opaque_user_data(wsi, NULL);
			conn_free(c);
		}
		return 0;
	default:
		return 0;
	}
}
