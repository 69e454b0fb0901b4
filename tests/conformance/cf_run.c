/* The runner: executes case rows (REST requests, agent and admin set-up, WebSocket scripts),
 * checks status, shape, error body, headers, and prints one line per case. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cf.h"

int n_passed, n_failed, n_skipped;

void report(int result, const char *name, const char *fmt, ...)
{
	char msg[1200] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	/* Keep each case on one line whatever the server sent. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (result == RES_OK) {
		n_passed++;
		printf("ok - %s\n", name);
	} else if (result == RES_FAIL) {
		n_failed++;
		printf("FAIL - %s: %s\n", name, msg);
	} else {
		n_skipped++;
		printf("skip - %s: %s\n", name, msg);
	}
	fflush(stdout);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	default: return "?";
	}
}

/* Value at a dotted path ("channels.uncategorized.0.id"); numeric parts index arrays. */
static const cJSON *json_at(const cJSON *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *part = strtok_r(copy, ".", &save); part && j; part = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(j))
			j = cJSON_GetArrayItem(j, atoi(part));
		else
			j = cJSON_GetObjectItemCaseSensitive(j, part);
	}
	free(copy);
	return j;
}

static char *json_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v))
		return xasprintf("%.17g", v->valuedouble);
	return cJSON_PrintUnformatted(v);
}

/* "name=template;..." -> variables. Returns -1 with *missing set when a template fails. */
static int assign_templates(const char *list, char **missing)
{
	*missing = NULL;
	if (!list)
		return 0;
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *a = strtok_r(copy, ";", &save); a && !rc; a = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(a, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *v = expand(eq + 1, missing);
		if (!v) {
			rc = -1;
			break;
		}
		var_set(a, v);
		free(v);
	}
	free(copy);
	return rc;
}

/* "name=json.path;..." from a response. Names are templates too (e.g. e.srv${i}). */
static int save_from(const char *list, const cJSON *json, char *err, size_t errlen)
{
	if (!list)
		return 0;
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *a = strtok_r(copy, ";", &save); a && !rc; a = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(a, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *missing = NULL;
		char *name = expand(a, &missing);
		const cJSON *v = json_at(json, eq + 1);
		if (name && str_ends_with(name, "_json") && cJSON_IsNull(v)) {
			/* Kept to be sent back later: null is restored as "" (which sets null). */
			var_set(name, "\"\"");
		} else if (name && str_ends_with(name, "_json") && v) {
			char *t = cJSON_PrintUnformatted(v);
			var_set(name, t);
			free(t);
		} else if (!name || !v || cJSON_IsNull(v)) {
			snprintf(err, errlen, "response has no %s to keep", eq + 1);
			rc = -1;
		} else {
			char *t = json_text(v);
			var_set(name, t);
			free(t);
		}
		free(name);
		free(missing);
	}
	free(copy);
	return rc;
}

static int check_newest_first(const cJSON *arr, char *err, size_t errlen)
{
	const char *prev = NULL;
	const cJSON *m;
	cJSON_ArrayForEach(m, arr) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "createdAt");
		if (!cJSON_IsString(t))
			continue;
		if (prev && strcmp(prev, t->valuestring) < 0) {
			snprintf(err, errlen, "expected newest first, got %s before %s", prev,
				 t->valuestring);
			return -1;
		}
		prev = t->valuestring;
	}
	return 0;
}

static int check_rate_headers(const struct row *r, const struct http_resp *h, int iter,
			      char *err, size_t errlen)
{
	if (r->flags & F_RL_ANY)
		return 0;
	int any = h->rl_limit >= 0 || h->rl_remaining >= 0 || h->rl_reset >= 0;
	if (r->rl == 0) {
		if (any) {
			snprintf(err, errlen, "expected no X-RateLimit-* headers (§5: only pending "
					      "and server creation), got Limit=%lld",
				 h->rl_limit);
			return -1;
		}
		return 0;
	}
	long long now = (long long)time(NULL);
	if (h->rl_limit != r->rl || h->rl_remaining < 0 || h->rl_reset < 0) {
		snprintf(err, errlen, "expected X-RateLimit-Limit %d with Remaining and Reset, got "
				      "Limit=%lld Remaining=%lld Reset=%lld",
			 r->rl, h->rl_limit, h->rl_remaining, h->rl_reset);
		return -1;
	}
	if (r->flags & F_RL_COUNT) {
		long long want = (long long)r->rl - r->rl_used - 1 - iter;
		if (want < 0)
			want = 0;
		if (h->rl_remaining != want) {
			snprintf(err, errlen, "expected X-RateLimit-Remaining %lld, got %lld", want,
				 h->rl_remaining);
			return -1;
		}
	}
	/* Reset is an absolute Unix time within the window (60 s or 86400 s), rounded up to
	 * the second; time() reads the coarse clock, which can be a tick behind the server's
	 * precise one: 2 s of slack above. */
	if (h->rl_reset < now - 2 || h->rl_reset > now + 86402) {
		snprintf(err, errlen, "expected X-RateLimit-Reset as absolute Unix seconds near "
				      "%lld, got %lld",
			 now, h->rl_reset);
		return -1;
	}
	return 0;
}

static char *auth_header(const char *as, char **missing)
{
	*missing = NULL;
	if (!as)
		return NULL;
	if (strlen(as) == 1) {
		char *t = xasprintf("Bearer ${%s.token}", as);
		char *v = expand(t, missing);
		free(t);
		return v;
	}
	return expand(as, missing);
}

/* One request of a row; 0 or -1 with err. */
static int rest_once(const struct row *r, const char *spec, const char *path, const char *body,
		     const char *auth, int iter, char *err, size_t errlen)
{
	struct http_resp h;
	http_do(r->method, path, auth, body, &h);
	int rc = -1;
	char serr[600] = "";
	char *errspec = NULL;
	if (h.status == 0) {
		snprintf(err, errlen, "%s", h.err);
		goto out;
	}
	if (h.status != r->status) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(h.json, "code");
		snprintf(err, errlen, "expected HTTP %d%s%s, got %d %.200s", r->status,
			 r->code && *r->code ? " " : "", r->code ? r->code : "", h.status,
			 cJSON_IsString(code) ? code->valuestring : h.body);
		goto out;
	}
	if (r->flags & F_MARKDOWN) {
		if (!h.content_type || !str_starts_with(h.content_type, "text/markdown")) {
			snprintf(err, errlen, "expected Content-Type text/markdown, got %s",
				 h.content_type ? h.content_type : "none");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (!spec && r->status >= 400) {
		if (r->code && *r->code)
			errspec = xasprintf("{statusCode:%d,code:'%s',error:'%s',message:str}",
					    r->status, r->code, reason_phrase(r->status));
		else
			errspec = xasprintf("{statusCode:%d,error:'%s',message:str}", r->status,
					    reason_phrase(r->status));
		spec = errspec;
	}
	if (spec) {
		int bad = shape_check(spec, h.json, serr, sizeof(serr)) != 0;
		if (bad && h.json == NULL)
			snprintf(serr, sizeof(serr), "body is not JSON: %.150s", h.body);
		if (bad) {
			snprintf(err, errlen, "%s", serr);
			goto out;
		}
		if (!h.content_type || !str_starts_with(h.content_type, "application/json")) {
			snprintf(err, errlen, "expected Content-Type application/json, got %s",
				 h.content_type ? h.content_type : "none");
			goto out;
		}
	}
	if ((r->flags & F_NEWEST_FIRST) && check_newest_first(h.json, err, errlen))
		goto out;
	if (check_rate_headers(r, &h, iter, err, errlen))
		goto out;
	if (save_from(r->save, h.json, err, errlen))
		goto out;
	rc = 0;
out:
	free(errspec);
	http_resp_free(&h);
	return rc;
}

static void run_rest(const struct row *r)
{
	char *missing = NULL;
	if ((r->flags & F_REGISTERS) && cf.remote) {
		report(RES_SKIP, r->name, "would spend the registration budget of a real server "
					"(5/hour/IP)");
		return;
	}
	if ((r->flags & F_LOCAL) && cf.remote) {
		report(RES_SKIP, r->name, "needs a test-only knob of moltchatsd");
		return;
	}
	if (assign_templates(r->pre, &missing)) {
		report(RES_SKIP, r->name, "%s", missing);
		free(missing);
		return;
	}
	int times = r->repeat > 0 ? r->repeat : 1;
	for (int i = 0; i < times; i++) {
		var_setf("i", "%d", i);
		char *auth = auth_header(r->as, &missing);
		char *path = missing ? NULL : expand(r->path, &missing);
		char *btmpl = r->body ? xstrdup(r->body) : NULL;
		for (char *q = btmpl; q && *q; q++)
			if (*q == '\'')
				*q = '"';
		char *body = missing || !btmpl ? NULL : expand(btmpl, &missing);
		free(btmpl);
		/* The shape too, before the request: a missing variable skips the case. */
		char *spec = missing || !r->shape ? NULL : expand(r->shape, &missing);
		if (missing) {
			report(RES_SKIP, r->name, "%s", missing);
			free(missing);
			free(auth);
			free(path);
			free(body);
			return;
		}
		char err[1000] = "";
		int rc = rest_once(r, spec, path, body, auth, i, err, sizeof(err));
		free(spec);
		free(auth);
		free(path);
		free(body);
		if (rc) {
			if (times > 1)
				report(RES_FAIL, r->name, "request %d of %d: %s", i + 1, times, err);
			else
				report(RES_FAIL, r->name, "%s", err);
			return;
		}
	}
	if (!(r->flags & F_SETUP))
		report(RES_OK, r->name, NULL);
}

static void run_admin(const struct row *r)
{
	char *missing = NULL;
	char *cmd = expand(r->admin, &missing);
	if (!cmd) {
		report(RES_SKIP, r->name, "%s", missing);
		free(missing);
		return;
	}
	cJSON *reply = NULL;
	char err[300];
	if (admin_cmd(cmd, &reply, err, sizeof(err))) {
		report(cf.admin_path ? RES_FAIL : RES_SKIP, r->name, "%s", err);
		/* Rows needing what this step would have set say why they skip. */
		char *copy = xstrdup(r->save ? r->save : ""), *save = NULL;
		for (char *a = strtok_r(copy, ";", &save); a; a = strtok_r(NULL, ";", &save)) {
			char *eq = strchr(a, '=');
			if (eq)
				*eq = '\0';
			char why[96];
			snprintf(why, sizeof(why), "why.%s", a);
			var_set(why, err);
		}
		free(copy);
	} else {
		/* .shape, when given, is checked against the admin reply. */
		char *m2 = NULL, *spec = r->shape ? expand(r->shape, &m2) : NULL;
		char serr[600] = "";
		if (r->shape && (!spec || shape_check(spec, reply, serr, sizeof(serr)))) {
			char *t = cJSON_PrintUnformatted(reply);
			report(spec ? RES_FAIL : RES_SKIP, r->name, "%s; reply %.300s",
			       spec ? serr : m2, t);
			free(t);
		} else {
			free(m2);
			m2 = NULL;
			assign_templates(r->save, &m2);
			if (!(r->flags & F_SETUP))
				report(RES_OK, r->name, NULL);
		}
		free(m2);
		free(spec);
	}
	cJSON_Delete(reply);
	free(cmd);
}

void run_row(const struct row *r)
{
	if (r->daemon) {
		if (!*r->daemon)
			target_pop();
		else if (cf.remote)
			report(RES_SKIP, r->name, "needs our own moltchatsd with test-only flags");
		else if (target_push(r->daemon))
			report(RES_FAIL, r->name, "could not start moltchatsd %s", r->daemon);
		else
			var_set("second.daemon", "1");
		return;
	}
	if (r->agent && (r->flags & F_LOCAL) && cf.remote) {
		report(RES_SKIP, r->name, "only for our own moltchatsd (saves registrations)");
	} else if (r->agent) {
		char err[300];
		if (agent_ensure(r->agent, err, sizeof(err)))
			report(RES_FAIL, r->name, "%s", err);
		else if (!(r->flags & F_SETUP))
			report(RES_OK, r->name, NULL);
	} else if (r->admin) {
		run_admin(r);
	} else if (r->ws) {
		if ((r->flags & F_LOCAL) && cf.remote) {
			if (!(r->flags & F_SETUP))
				report(RES_SKIP, r->name, "needs a test-only knob of moltchatsd");
			return;
		}
		char msg[1000] = "";
		int rc = ws_script_run(r->ws, msg, sizeof(msg));
		if (rc != 0 || !(r->flags & F_SETUP))
			report(rc == 0 ? RES_OK : rc < 0 ? RES_FAIL : RES_SKIP, r->name, "%s", msg);
	} else if (r->method) {
		run_rest(r);
	}
}
