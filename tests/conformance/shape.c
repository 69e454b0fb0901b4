/* shape: parse a compact shape spec (see shape.h) into a small tree, then walk it alongside a
 * cJSON value. The tree lives only for one check; specs are short. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "shape.h"

enum kind { N_TYPE, N_STR, N_NUM, N_OBJ, N_ARR, N_ALT, N_REF };

struct node {
	enum kind kind;
	int nullable;
	char *text;          /* type name, literal string or reference name */
	double num;
	struct node **kids;  /* ALT: alternatives; ARR: one element spec; OBJ: member values */
	size_t nkids;
	char **keys;         /* OBJ member keys, parallel to kids */
	int *optional;
	struct node *rest;   /* OBJ: spec for unlisted keys ('*') */
	int open;            /* OBJ: '...' */
	long count;          /* ARR: exact element count, -1 for any */
	char *src;           /* the spec text of this node, for messages */
};

struct parser {
	const char *s;
	const char *p;
	char err[160];
};

static const struct shape_def *library;

void shape_set_library(const struct shape_def *defs)
{
	library = defs;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++) {
		node_free(n->kids[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n->optional);
	node_free(n->rest);
	free(n->text);
	free(n->src);
	free(n);
}

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n')
		ps->p++;
}

static int fail(struct parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "%s at offset %d", what, (int)(ps->p - ps->s));
	return -1;
}

static void add_kid(struct node *n, struct node *kid)
{
	n->kids = xrealloc(n->kids, (n->nkids + 1) * sizeof(*n->kids));
	n->kids[n->nkids++] = kid;
}

static int is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '@';
}

static struct node *parse_value(struct parser *ps);

static struct node *parse_object(struct parser *ps, struct node *n)
{
	n->kind = N_OBJ;
	ps->p++; /* '{' */
	skip_ws(ps);
	if (*ps->p == '}') {
		ps->p++;
		return n;
	}
	for (;;) {
		skip_ws(ps);
		if (strncmp(ps->p, "...", 3) == 0) {
			n->open = 1;
			ps->p += 3;
		} else if (*ps->p == '*') {
			ps->p++;
			skip_ws(ps);
			if (*ps->p != ':' || n->rest)
				return fail(ps, "expected ':' after '*'"), NULL;
			ps->p++;
			if (!(n->rest = parse_value(ps)))
				return NULL;
		} else {
			const char *k = ps->p;
			while (is_key_char(*ps->p))
				ps->p++;
			if (ps->p == k)
				return fail(ps, "expected a key"), NULL;
			char *key = xstrndup(k, (size_t)(ps->p - k));
			int opt = 0;
			if (*ps->p == '?') {
				opt = 1;
				ps->p++;
			}
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				return fail(ps, "expected ':' after a key"), NULL;
			}
			ps->p++;
			struct node *v = parse_value(ps);
			if (!v) {
				free(key);
				return NULL;
			}
			n->keys = xrealloc(n->keys, (n->nkids + 1) * sizeof(*n->keys));
			n->optional = xrealloc(n->optional, (n->nkids + 1) * sizeof(*n->optional));
			n->keys[n->nkids] = key;
			n->optional[n->nkids] = opt;
			add_kid(n, v);
		}
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			return n;
		}
		return fail(ps, "expected ',' or '}'"), NULL;
	}
}

static struct node *parse_prim(struct parser *ps)
{
	skip_ws(ps);
	const char *start = ps->p;
	struct node *n = xcalloc(1, sizeof(*n));
	n->count = -1;
	struct node *ok = n;
	char c = *ps->p;
	if (c == '{') {
		ok = parse_object(ps, n);
	} else if (c == '[') {
		n->kind = N_ARR;
		ps->p++;
		struct node *el = parse_value(ps);
		if (el) {
			add_kid(n, el);
			skip_ws(ps);
			if (*ps->p == ']') {
				ps->p++;
				if (*ps->p == '#') {
					char *end;
					n->count = strtol(ps->p + 1, &end, 10);
					if (end == ps->p + 1)
						ok = (fail(ps, "expected a count after '#'"), NULL);
					ps->p = end;
				}
			} else {
				ok = (fail(ps, "expected ']'"), NULL);
			}
		} else {
			ok = NULL;
		}
	} else if (c == '\'') {
		n->kind = N_STR;
		struct buf b = BUF_INIT;
		ps->p++;
		while (*ps->p && *ps->p != '\'') {
			if (*ps->p == '\\' && ps->p[1])
				ps->p++;
			buf_putc(&b, *ps->p++);
		}
		n->text = buf_steal(&b);
		if (*ps->p != '\'')
			ok = (fail(ps, "unterminated string"), NULL);
		else
			ps->p++;
	} else if (c == '-' || isdigit((unsigned char)c)) {
		n->kind = N_NUM;
		char *end;
		n->num = strtod(ps->p, &end);
		ps->p = end;
	} else if (c == '@' || isalpha((unsigned char)c)) {
		n->kind = c == '@' ? N_REF : N_TYPE;
		if (c == '@')
			ps->p++;
		const char *k = ps->p;
		while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
			ps->p++;
		n->text = xstrndup(k, (size_t)(ps->p - k));
		static const char *const types[] = { "any", "str", "nestr", "num", "int", "bool",
			"true", "false", "null", "uuid", "iso", "hex16", "hex64", "jwt", "msr" };
		int known = n->kind == N_REF && n->text[0];
		for (size_t i = 0; n->kind == N_TYPE && i < MC_ARRAY_LEN(types); i++)
			known |= strcmp(types[i], n->text) == 0;
		if (!known)
			ok = (fail(ps, "unknown type"), NULL);
	} else {
		ok = (fail(ps, "unexpected character"), NULL);
	}
	if (!ok) {
		node_free(n);
		return NULL;
	}
	n->src = xstrndup(start, (size_t)(ps->p - start));
	return n;
}

static struct node *parse_value(struct parser *ps)
{
	skip_ws(ps);
	const char *start = ps->p;
	struct node *first = parse_prim(ps);
	if (!first)
		return NULL;
	skip_ws(ps);
	struct node *n = first;
	if (*ps->p == '|') {
		n = xcalloc(1, sizeof(*n));
		n->kind = N_ALT;
		n->count = -1;
		add_kid(n, first);
		while (*ps->p == '|') {
			ps->p++;
			struct node *k = parse_prim(ps);
			if (!k) {
				node_free(n);
				return NULL;
			}
			add_kid(n, k);
			skip_ws(ps);
		}
	}
	if (*ps->p == '?') {
		n->nullable = 1;
		ps->p++;
	}
	free(n->src);
	n->src = xstrndup(start, (size_t)(ps->p - start));
	return n;
}

static struct node *parse_spec(const char *spec, char *err, size_t errlen)
{
	struct parser ps = { spec, spec, { 0 } };
	struct node *n = parse_value(&ps);
	if (n) {
		skip_ws(&ps);
		if (*ps.p) {
			fail(&ps, "trailing text");
			node_free(n);
			n = NULL;
		}
	}
	if (!n)
		snprintf(err, errlen, "bad spec: %s in \"%s\"", ps.err, spec);
	return n;
}

/* ---------------------------------------------------------------- matching */

static int is_iso_ms(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (strlen(s) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	}
	return 1;
}

static int is_b64url_segment(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

static int is_jwt(const char *s)
{
	const char *d1 = strchr(s, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || strchr(d2 + 1, '.'))
		return 0;
	return is_b64url_segment(s, (size_t)(d1 - s)) &&
	       is_b64url_segment(d1 + 1, (size_t)(d2 - d1 - 1)) &&
	       is_b64url_segment(d2 + 1, strlen(d2 + 1));
}

static const char *json_kind(const cJSON *j)
{
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return cJSON_IsTrue(j) ? "true" : "false";
	if (cJSON_IsNumber(j))
		return "number";
	if (cJSON_IsString(j))
		return "string";
	if (cJSON_IsArray(j))
		return "array";
	if (cJSON_IsObject(j))
		return "object";
	return "invalid";
}

static int type_matches(const char *t, const cJSON *j)
{
	const char *s = cJSON_IsString(j) ? j->valuestring : NULL;
	if (!strcmp(t, "any"))
		return 1;
	if (!strcmp(t, "str"))
		return s != NULL;
	if (!strcmp(t, "nestr"))
		return s && *s;
	if (!strcmp(t, "num"))
		return cJSON_IsNumber(j);
	if (!strcmp(t, "int"))
		return cJSON_IsNumber(j) && j->valuedouble == floor(j->valuedouble);
	if (!strcmp(t, "bool"))
		return cJSON_IsBool(j);
	if (!strcmp(t, "true"))
		return cJSON_IsTrue(j);
	if (!strcmp(t, "false"))
		return cJSON_IsFalse(j);
	if (!strcmp(t, "null"))
		return cJSON_IsNull(j);
	if (!strcmp(t, "uuid")) /* the platform sends lowercase ids */
		return s && str_is_uuid(s) && strspn(s, "0123456789abcdef-") == 36;
	if (!strcmp(t, "iso"))
		return s && is_iso_ms(s);
	if (!strcmp(t, "hex16"))
		return s && str_is_hex(s, 16);
	if (!strcmp(t, "hex64"))
		return s && str_is_hex(s, 64);
	if (!strcmp(t, "jwt"))
		return s && is_jwt(s);
	if (!strcmp(t, "msr"))
		return s && str_starts_with(s, "msr_") && str_is_hex(s + 4, 96);
	return 0;
}

struct match {
	char *err;
	size_t errlen;
	int depth;
};

static int mismatch(struct match *m, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mismatch(struct match *m, const char *path, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(m->err, m->errlen, "at %s: %s", path, what);
	return -1;
}

static void describe(const cJSON *j, char *out, size_t n)
{
	char *t = cJSON_PrintUnformatted(j);
	if (!t) {
		snprintf(out, n, "%s", json_kind(j));
		return;
	}
	if (strlen(t) > 60)
		snprintf(out, n, "%s %.57s...", json_kind(j), t);
	else
		snprintf(out, n, "%s %s", json_kind(j), t);
	free(t);
}

static int match_node(struct match *m, const struct node *n, const cJSON *j, const char *path);

static int match_ref(struct match *m, const struct node *n, const cJSON *j, const char *path)
{
	for (const struct shape_def *d = library; d && d->name; d++) {
		if (strcmp(d->name, n->text) != 0)
			continue;
		if (m->depth > 32)
			return mismatch(m, path, "named shapes nest too deep");
		struct node *t = parse_spec(d->spec, m->err, m->errlen);
		if (!t)
			return -1;
		m->depth++;
		int r = match_node(m, t, j, path);
		m->depth--;
		node_free(t);
		return r;
	}
	return mismatch(m, path, "bad spec: unknown shape @%s", n->text);
}

static int match_object(struct match *m, const struct node *n, const cJSON *j, const char *path)
{
	char sub[512], got[100];
	if (!cJSON_IsObject(j)) {
		describe(j, got, sizeof(got));
		return mismatch(m, path, "expected an object, got %s", got);
	}
	for (size_t i = 0; i < n->nkids; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, n->keys[i]);
		snprintf(sub, sizeof(sub), "%s.%s", path, n->keys[i]);
		if (!v) {
			if (n->optional[i])
				continue;
			return mismatch(m, path, "missing key \"%s\"", n->keys[i]);
		}
		if (match_node(m, n->kids[i], v, sub))
			return -1;
	}
	const cJSON *v;
	cJSON_ArrayForEach(v, j) {
		int listed = 0;
		for (size_t i = 0; i < n->nkids && !listed; i++)
			listed = strcmp(n->keys[i], v->string) == 0;
		if (listed || n->open)
			continue;
		snprintf(sub, sizeof(sub), "%s.%s", path, v->string);
		if (!n->rest)
			return mismatch(m, path, "unexpected key \"%s\"", v->string);
		if (match_node(m, n->rest, v, sub))
			return -1;
	}
	return 0;
}

static int match_node(struct match *m, const struct node *n, const cJSON *j, const char *path)
{
	char got[100], sub[512];
	if (n->nullable && cJSON_IsNull(j))
		return 0;
	switch (n->kind) {
	case N_TYPE:
		if (type_matches(n->text, j))
			return 0;
		describe(j, got, sizeof(got));
		return mismatch(m, path, "expected %s, got %s", n->src, got);
	case N_STR:
		if (cJSON_IsString(j) && strcmp(j->valuestring, n->text) == 0)
			return 0;
		describe(j, got, sizeof(got));
		return mismatch(m, path, "expected '%s', got %s", n->text, got);
	case N_NUM:
		if (cJSON_IsNumber(j) && j->valuedouble == n->num)
			return 0;
		describe(j, got, sizeof(got));
		return mismatch(m, path, "expected %g, got %s", n->num, got);
	case N_REF:
		return match_ref(m, n, j, path);
	case N_OBJ:
		return match_object(m, n, j, path);
	case N_ARR: {
		if (!cJSON_IsArray(j)) {
			describe(j, got, sizeof(got));
			return mismatch(m, path, "expected an array, got %s", got);
		}
		int count = cJSON_GetArraySize(j);
		if (n->count >= 0 && count != n->count)
			return mismatch(m, path, "expected %ld elements, got %d", n->count, count);
		int i = 0;
		const cJSON *v;
		cJSON_ArrayForEach(v, j) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
			if (match_node(m, n->kids[0], v, sub))
				return -1;
		}
		return 0;
	}
	case N_ALT: {
		/* Report the first alternative's complaint unless one matches: that is the
		 * usual shape, later ones being rarer forms (e.g. a string memberCount). */
		char first[400] = "";
		for (size_t i = 0; i < n->nkids; i++) {
			if (match_node(m, n->kids[i], j, path) == 0)
				return 0;
			if (i == 0)
				snprintf(first, sizeof(first), "%s", m->err);
		}
		snprintf(m->err, m->errlen, "%s (nor any of %s)", first, n->src);
		return -1;
	}
	}
	return mismatch(m, path, "bad spec node");
}

int shape_check(const char *spec, const cJSON *json, char *err, size_t errlen)
{
	struct node *n = parse_spec(spec, err, errlen);
	if (!n)
		return -1;
	struct match m = { err, errlen, 0 };
	int r = json ? match_node(&m, n, json, "$") : mismatch(&m, "$", "no JSON value");
	node_free(n);
	return r;
}
