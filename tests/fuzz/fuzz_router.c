/* libFuzzer target: moltchatsd's pure request handling (src/server/router.c): route lookup
 * of method + path over every registered route table, path parameters and the :uuid check,
 * the --strict resource naming, and request-body JSON parsing with its error text.
 * Input: one byte picks the method, then the path up to a NUL, then the body.
 * Invariants: a matched route has that method and a pattern that, with the parameters put
 * back, gives the path again; parameters are non-empty and hold no '/'; bad_uuid names a
 * :uuid parameter that is not a UUID; a failed body parse gives a sanitised message. */
#include "fuzz_util.h"
#include "moltty/base.h"
#include "moltty/utf8.h"
#include "router.h"

static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
				       "OPTIONS", "CONNECT" };

static void check_route(const struct route *rt, const char *method, const char *path,
			char **params, int np, int bad_uuid)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	FUZZ_CHECK(strcmp(rt->method, want) == 0, "%s matched a %s route", method, rt->method);
	FUZZ_CHECK(np >= 0 && np <= ROUTE_MAX_PARAMS, "%d params", np);
	FUZZ_CHECK(bad_uuid >= -1 && bad_uuid < np, "bad_uuid %d of %d", bad_uuid, np);
	/* rebuild the path from the pattern and the parameters */
	struct buf b = BUF_INIT;
	int k = 0, uuid_index = -1;
	for (const char *p = rt->pattern; *p;) {
		size_t n = strcspn(p + 1, "/") + 1; /* "/segment" */
		if (p[1] == ':') {
			FUZZ_CHECK(k < np, "pattern %s has more params than matched", rt->pattern);
			FUZZ_CHECK(params[k][0] && !strchr(params[k], '/'), "param %d '%s'", k,
				   params[k]);
			if (n == 6 && strncmp(p + 1, ":uuid", 5) == 0 && !str_is_uuid(params[k]) &&
			    uuid_index < 0)
				uuid_index = k;
			buf_putc(&b, '/');
			buf_puts(&b, params[k]);
			k++;
		} else {
			buf_append(&b, p, n);
		}
		p += n;
	}
	FUZZ_CHECK(k == np, "matched %d params, pattern has %d", np, k);
	FUZZ_CHECK(strcmp(buf_cstr(&b), path) == 0, "pattern %s rebuilt '%s' for '%s'",
		   rt->pattern, buf_cstr(&b), path);
	FUZZ_CHECK(uuid_index == bad_uuid, "bad_uuid %d, expected %d", bad_uuid, uuid_index);
	buf_free(&b);

	for (int i = -1; i <= np; i++) {
		char seg[32];
		route_segment_before(rt->pattern, i, seg, sizeof(seg));
		FUZZ_CHECK(strlen(seg) < sizeof(seg) && !strchr(seg, '/') && seg[0] != ':',
			   "segment before param %d of %s: '%s'", i, rt->pattern, seg);
	}
	char tiny[1];
	route_segment_before(rt->pattern, 0, tiny, sizeof(tiny));
	FUZZ_CHECK(tiny[0] == '\0', "a 1-byte segment buffer holds only the NUL");
}

static void check_body(const uint8_t *data, size_t len)
{
	/* exact-size heap copy: the parser must not read past len */
	char *body = malloc(len ? len : 1);
	memcpy(body, data, len);
	char *err = (char *)1;
	cJSON *json = body_parse_json(body, len, &err);
	if (json) {
		FUZZ_CHECK(err == NULL, "error set on success");
		cJSON_Delete(json);
	} else {
		FUZZ_CHECK(err != NULL, "no error text on failure");
		size_t n = strlen(err);
		FUZZ_CHECK(fz_valid_utf8(err, n), "error text is valid UTF-8");
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7F,
				   "control byte 0x%02x in the error text", (unsigned char)err[i]);
		free(err);
	}
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const char *method = methods[fz_u8(&in) % (sizeof(methods) / sizeof(methods[0]))];
	/* lws hands over at most what fits the request's path buffer (1024) */
	char *path = fz_str(&in, 1023);

	char *params[ROUTE_MAX_PARAMS] = { 0 };
	int np = -7, bad_uuid = -7;
	const struct route *rt = route_lookup(method, path, params, &np, &bad_uuid);
	if (rt) {
		check_route(rt, method, path, params, np, bad_uuid);
		for (int i = 0; i < np; i++)
			free(params[i]);
	} else {
		for (int i = 0; i < ROUTE_MAX_PARAMS; i++)
			FUZZ_CHECK(params[i] == NULL, "params set without a match");
	}
	free(path);
	check_body(in.p, in.n);
	return 0;
}
