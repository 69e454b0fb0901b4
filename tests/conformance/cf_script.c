/* WebSocket scripts: each step is one line, expanded with ${...} first.
 *   open C WHO           connect C; WHO: an agent label, "-" (no token), "empty" (token=),
 *                        or a token template; the upgrade must succeed (§4.1, fact 9)
 *   send C TEXT          send a text frame
 *   expect C OP SPEC     the first queued frame with this op (waiting for it) matches SPEC;
 *                        OP@CHANNEL takes only frames for that channel (an agent's
 *                        sockets share its subscriptions, §4.6)
 *   next C OP SPEC       like expect, but it must be the very next frame (presence aside)
 *   has PATH VALUE       the array at PATH in the last expected frame contains VALUE
 *   lacks PATH VALUE     ... does not contain VALUE
 *   none C OP MS         no frame with this op arrives on C within MS ms
 *   closed C CODE [REASON]  C is closed by the server with CODE (and REASON)
 *   close C              we close C
 *   rest WHO METHOD PATH [BODY]   a REST call that must succeed (2xx)
 *   admin JSON [SPEC]    an admin socket command (the case is skipped without one);
 *                        SPEC: the shape its reply must have
 *   keep VAR KEY         VAR = string KEY of the last expected frame
 *   check WHO PATH SPEC  GET PATH (as agent WHO or "-") answers 200 and matches SPEC
 *   need TEXT            nothing, but its ${...} must exist (else the case is skipped)
 *   sleep MS             run the loop for MS ms
 *   drain C              forget C's queued frames */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf.h"

#define MAX_CONNS 8
#define FRAME_WAIT_MS 3000

struct script {
	struct {
		char name[16];
		struct wsc *c;
	} conns[MAX_CONNS];
	cJSON *last;
	char *msg;
	size_t msglen;
};

static struct wsc *conn_get(struct script *s, const char *name)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].c && strcmp(s->conns[i].name, name) == 0)
			return s->conns[i].c;
	return NULL;
}

static int fail(struct script *s, int step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct script *s, int step, const char *fmt, ...)
{
	char t[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	snprintf(s->msg, s->msglen, "step %d: %s", step + 1, t);
	return -1;
}

/* Split "a b rest of line" into words; the last one takes the rest. */
static int split(char *line, char **w, int maxw)
{
	int n = 0;
	char *p = line;
	while (*p && n < maxw) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		if (n == maxw)
			break;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static const char *frame_op(const cJSON *f)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, "op");
	return cJSON_IsString(o) ? o->valuestring : "?";
}

static int array_has(const cJSON *f, const char *path, const char *value)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(f, path);
	const cJSON *v;
	cJSON_ArrayForEach(v, a) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return 1;
	}
	return 0;
}

static int step_open(struct script *s, int k, char **w, int n)
{
	if (n < 3)
		return fail(s, k, "open needs a name and a token");
	int slot = -1;
	for (int i = 0; i < MAX_CONNS && slot < 0; i++)
		if (!s->conns[i].c)
			slot = i;
	if (slot < 0)
		return fail(s, k, "too many connections");
	char *token = NULL, *missing = NULL;
	if (strcmp(w[2], "-") == 0)
		token = NULL;
	else if (strcmp(w[2], "empty") == 0)
		token = xstrdup("");
	else if (strlen(w[2]) == 1) {
		char *t = xasprintf("${%s.token}", w[2]);
		token = expand(t, &missing);
		free(t);
	} else {
		token = xstrdup(w[2]);
	}
	if (missing) {
		snprintf(s->msg, s->msglen, "%s", missing);
		free(missing);
		return 1;
	}
	char err[300];
	struct wsc *c = wsc_open(token, err, sizeof(err));
	free(token);
	if (!c)
		return fail(s, k, "%s (expected the upgrade to succeed, §4.1)", err);
	snprintf(s->conns[slot].name, sizeof(s->conns[slot].name), "%s", w[1]);
	s->conns[slot].c = c;
	return 0;
}

static int step_expect(struct script *s, int k, char **w, int n, int strict_next)
{
	struct wsc *c = conn_get(s, w[1]);
	if (!c || n < 4)
		return fail(s, k, "bad expect step");
	int timeout = FRAME_WAIT_MS;
	if (str_starts_with(w[2], "presence"))
		timeout = (int)(cf.presence_interval * 1000) + 2500;
	cJSON *f = NULL;
	if (strict_next) {
		/* The very next frame, periodic presence frames aside (unless that is what
		 * the step waits for). */
		int want_presence = str_starts_with(w[2], "presence");
		int64_t deadline = mono_ms() + timeout;
		for (;;) {
			int left = (int)(deadline - mono_ms());
			f = wsc_wait_op(c, NULL, left > 0 ? left : 0);
			if (!f || want_presence || strcmp(frame_op(f), "presence") != 0)
				break;
			cJSON_Delete(f);
		}
		if (f && strncmp(frame_op(f), w[2], strcspn(w[2], "@")) != 0) {
			char *t = cJSON_PrintUnformatted(f);
			cJSON_Delete(f);
			fail(s, k, "%s: expected the next frame to be op %s, got %.300s", w[1], w[2], t);
			free(t);
			return -1;
		}
	} else {
		f = wsc_wait_op(c, w[2], timeout);
	}
	if (!f)
		return fail(s, k, "%s: no %s frame within %d ms%s", w[1], w[2], timeout,
			    wsc_is_closed(c) ? " (socket closed)" : "");
	char err[700];
	if (shape_check(w[3], f, err, sizeof(err))) {
		char *t = cJSON_PrintUnformatted(f);
		fail(s, k, "%s %s: %s; frame %.300s", w[1], w[2], err, t);
		free(t);
		cJSON_Delete(f);
		return -1;
	}
	cJSON_Delete(s->last);
	s->last = f;
	return 0;
}

static int step_none(struct script *s, int k, char **w, int n)
{
	struct wsc *c = conn_get(s, w[1]);
	if (!c || n < 4)
		return fail(s, k, "bad none step");
	wsc_pump(atoi(w[3]));
	cJSON *f = wsc_wait_op(c, w[2], 0);
	if (f) {
		char *t = cJSON_PrintUnformatted(f);
		fail(s, k, "%s: expected no %s frame, got %.300s", w[1], w[2], t);
		free(t);
		cJSON_Delete(f);
		return -1;
	}
	return 0;
}

static int step_closed(struct script *s, int k, char **w, int n)
{
	struct wsc *c = conn_get(s, w[1]);
	if (!c || n < 3)
		return fail(s, k, "bad closed step");
	char reason[128] = "";
	int code = wsc_wait_close(c, 5000, reason, sizeof(reason));
	if (code != atoi(w[2]) || (n > 3 && strcmp(reason, w[3]) != 0))
		return fail(s, k, "%s: expected close %s '%s', got %s%d '%s'", w[1], w[2],
			    n > 3 ? w[3] : "", code ? "" : "no close: ", code, reason);
	return 0;
}

static int step_rest(struct script *s, int k, char **w, int n)
{
	if (n < 4)
		return fail(s, k, "bad rest step");
	char *auth = NULL;
	if (strcmp(w[1], "-") != 0) {
		char name[32];
		snprintf(name, sizeof(name), "%s.token", w[1]);
		if (!var_get(name))
			return fail(s, k, "no token for %s", w[1]);
		auth = xasprintf("Bearer %s", var_get(name));
	}
	for (char *q = n > 4 ? w[4] : NULL; q && *q; q++) /* ' stands for " */
		if (*q == '\'')
			*q = '"';
	struct http_resp h;
	http_do(w[2], w[3], auth, n > 4 ? w[4] : NULL, &h);
	free(auth);
	int bad = h.status < 200 || h.status > 299;
	if (bad)
		fail(s, k, "%s %s: HTTP %d %.200s", w[2], w[3], h.status, h.body ? h.body : h.err);
	http_resp_free(&h);
	return bad ? -1 : 0;
}

static int run_step(struct script *s, int k, char *line)
{
	char *w[5] = { 0 };
	int n;
	if (str_starts_with(line, "expect ") || str_starts_with(line, "next ") ||
	    str_starts_with(line, "closed ") || str_starts_with(line, "check "))
		n = split(line, w, 4);
	else if (str_starts_with(line, "send ") || str_starts_with(line, "has ") ||
		 str_starts_with(line, "lacks "))
		n = split(line, w, 3);
	else if (str_starts_with(line, "admin "))
		n = split(line, w, 3);
	else
		n = split(line, w, 5);
	if (n == 0)
		return 0;
	if (!strcmp(w[0], "open"))
		return step_open(s, k, w, n);
	if (!strcmp(w[0], "send")) {
		struct wsc *c = n == 3 ? conn_get(s, w[1]) : NULL;
		for (char *q = w[2]; *q; q++) /* ' stands for " in scripts */
			if (*q == '\'')
				*q = '"';
		if (!c || wsc_send(c, w[2]))
			return fail(s, k, "cannot send on %s", w[1]);
		return 0;
	}
	if (!strcmp(w[0], "expect") || !strcmp(w[0], "next"))
		return step_expect(s, k, w, n, w[0][0] == 'n');
	if (!strcmp(w[0], "has") || !strcmp(w[0], "lacks")) {
		int want = w[0][0] == 'h';
		if (n < 3 || !s->last)
			return fail(s, k, "bad %s step", w[0]);
		if (array_has(s->last, w[1], w[2]) != want) {
			char *t = cJSON_PrintUnformatted(s->last);
			fail(s, k, "expected %s %s %s in %.300s", w[1], want ? "to contain" : "not to contain",
			     w[2], t);
			free(t);
			return -1;
		}
		return 0;
	}
	if (!strcmp(w[0], "none"))
		return step_none(s, k, w, n);
	if (!strcmp(w[0], "closed"))
		return step_closed(s, k, w, n);
	if (!strcmp(w[0], "close")) {
		for (int i = 0; i < MAX_CONNS; i++) {
			if (s->conns[i].c && strcmp(s->conns[i].name, w[1]) == 0) {
				wsc_free(s->conns[i].c);
				s->conns[i].c = NULL;
			}
		}
		return 0;
	}
	if (!strcmp(w[0], "rest"))
		return step_rest(s, k, w, n);
	if (!strcmp(w[0], "admin")) {
		/* One JSON word, written without spaces, then optionally the reply's shape. */
		if (n != 2 && n != 3)
			return fail(s, k, "admin takes one JSON word and an optional shape");
		const char *cmd = w[1];
		cJSON *reply = NULL;
		char err[700];
		if (admin_cmd(cmd, &reply, err, sizeof(err))) {
			snprintf(s->msg, s->msglen, "%s", err);
			return cf.admin_path ? -1 : 1;
		}
		int bad = n == 3 && shape_check(w[2], reply, err, sizeof(err)) != 0;
		if (bad) {
			char *t = cJSON_PrintUnformatted(reply);
			fail(s, k, "admin reply: %s; reply %.300s", err, t);
			free(t);
		}
		cJSON_Delete(reply);
		return bad ? -1 : 0;
	}
	if (!strcmp(w[0], "check")) {
		/* check WHO PATH SPEC: GET answers 200 with this shape */
		if (n < 4)
			return fail(s, k, "bad check step");
		char name[32], *auth = NULL, err[700];
		snprintf(name, sizeof(name), "%s.token", w[1]);
		if (strcmp(w[1], "-") != 0 && var_get(name))
			auth = xasprintf("Bearer %s", var_get(name));
		struct http_resp h;
		http_do("GET", w[2], auth, NULL, &h);
		free(auth);
		int bad = h.status != 200 || shape_check(w[3], h.json, err, sizeof(err)) != 0;
		if (bad && h.status != 200)
			snprintf(err, sizeof(err), "HTTP %d %.200s", h.status, h.body);
		if (bad)
			fail(s, k, "GET %s: %s", w[2], err);
		http_resp_free(&h);
		return bad ? -1 : 0;
	}
	if (!strcmp(w[0], "need")) /* only its ${...} matter: missing ones skip the case */
		return 0;
	if (!strcmp(w[0], "keep")) {
		/* keep VAR KEY: a string from the last expected frame, for later steps */
		const cJSON *v = n == 3 && s->last ? cJSON_GetObjectItemCaseSensitive(s->last, w[2])
						  : NULL;
		if (!cJSON_IsString(v))
			return fail(s, k, "no string %s to keep", w[2]);
		var_set(w[1], v->valuestring);
		return 0;
	}
	if (!strcmp(w[0], "sleep")) {
		wsc_pump(atoi(w[1]));
		return 0;
	}
	if (!strcmp(w[0], "drain")) {
		struct wsc *c = conn_get(s, w[1]);
		if (c)
			wsc_drain(c);
		return 0;
	}
	return fail(s, k, "unknown step '%s'", w[0]);
}

int ws_script_run(const char *const *script, char *msg, size_t msglen)
{
	struct script s;
	memset(&s, 0, sizeof(s));
	s.msg = msg;
	s.msglen = msglen;
	int rc = 0;
	for (int k = 0; script[k] && rc == 0; k++) {
		char *missing = NULL;
		char *line = expand(script[k], &missing);
		if (!line) {
			snprintf(msg, msglen, "%s", missing);
			free(missing);
			rc = 1;
			break;
		}
		if (cf.verbose)
			fprintf(stderr, "  step: %.200s\n", line);
		rc = run_step(&s, k, line);
		free(line);
	}
	for (int i = 0; i < MAX_CONNS; i++)
		wsc_free(s.conns[i].c);
	cJSON_Delete(s.last);
	/* Let the server see the closes before the next case counts presence. */
	wsc_pump(150);
	return rc;
}
