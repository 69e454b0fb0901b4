/* The protocol inspector's wire ring: bounded with the oldest dropped, texts capped on a
 * UTF-8 boundary, and no secret (query tokens, bearer tokens, JWTs, refresh tokens,
 * passwords) ever stored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/wirelog.h"

#define JWT "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

static void wirelog__ring__wraps_keeping_the_newest(void **state)
{
	struct wirelog *w = wirelog_new(3, 100);
	for (int i = 0; i < 5; i++) {
		char frame[64];
		snprintf(frame, sizeof(frame), "{\"op\":\"op%d\"}", i);
		wirelog_add_ws(w, "@a", WIRELOG_WS_IN, frame, strlen(frame));
	}
	assert_int_equal(wirelog_count(w), 3);
	assert_int_equal(wirelog_last_seq(w), 5);
	assert_string_equal(wirelog_at(w, 0)->what, "op2");
	assert_int_equal(wirelog_at(w, 0)->seq, 3);
	assert_string_equal(wirelog_at(w, 2)->what, "op4");
	assert_int_equal(wirelog_at(w, 2)->seq, 5);
	assert_null(wirelog_at(w, 3));
	wirelog_free(w);
}

static void wirelog__rest__records_exchange(void **state)
{
	struct wirelog *w = wirelog_new(10, 100);
	const char *body = "{\"id\":\"x\"}";
	wirelog_add_rest(w, "@a", "GET", "http://127.0.0.1:9/api/v1", "/agents/@me", 200, 12, NULL, body, strlen(body));
	const struct wirelog_entry *e = wirelog_at(w, 0);
	assert_int_equal(e->kind, WIRELOG_REST);
	assert_string_equal(e->method, "GET");
	assert_string_equal(e->what, "/api/v1/agents/@me");
	assert_int_equal(e->status, 200);
	assert_int_equal(e->duration_ms, 12);
	assert_int_equal(e->size, strlen(body));
	assert_string_equal(e->text, body); /* nothing secret: kept byte-exact */
	assert_null(e->request);
	assert_string_equal(wirelog_dir(e->kind), "rest");
	wirelog_free(w);
}

static void wirelog__redaction__no_secret_is_stored(void **state)
{
	struct wirelog *w = wirelog_new(10, 4096);
	const char *auth = "{\"token\":\"" JWT "\",\"refreshToken\":\"msr_abcdefABCDEF0123\","
		"\"expiresIn\":\"1h\"}";
	const char *req = "{\"refreshToken\":\"msr_zzzzyyyyxxxx\"}";
	wirelog_add_rest(w, "@a", "POST", NULL, "/auth/refresh?token=sekrit123", 200, 5, req, auth,
		strlen(auth));
	const struct wirelog_entry *e = wirelog_at(w, 0);
	assert_null(strstr(e->text, "eyJ"));
	assert_null(strstr(e->text, "abcdefABCDEF"));
	assert_non_null(strstr(e->text, "\"expiresIn\":\"1h\""));
	assert_non_null(strstr(e->text, "\"token\":\"[REDACTED]\"")); /* the key stays */
	assert_non_null(strstr(e->text, "\"refreshToken\":\"[REDACTED]\""));
	assert_null(strstr(e->request, "zzzzyyyy"));
	assert_null(strstr(e->what, "sekrit123"));
	assert_int_equal(e->size, strlen(auth)); /* the size on the wire, not the redacted one */

	const char *login = "{\"email\":\"a@b.c\",\"password\":\"hunter2\"}";
	wirelog_add_rest(w, "observer", "POST", "https://h", "/observers/login", 401, 5, login, "{}", 2);
	assert_null(strstr(wirelog_at(w, 1)->request, "hunter2"));
	assert_non_null(strstr(wirelog_at(w, 1)->request, "a@b.c"));

	/* not JSON: the text scanners still apply */
	const char *hdr = "Authorization: Bearer abc.def and ws://h/ws?token=" JWT " msr_Q1w2e3";
	wirelog_add_ws(w, "@a", WIRELOG_WS_OUT, hdr, strlen(hdr));
	e = wirelog_at(w, 2);
	assert_null(strstr(e->text, "abc.def"));
	assert_null(strstr(e->text, "eyJ"));
	assert_null(strstr(e->text, "Q1w2e3"));
	assert_string_equal(e->what, "?");
	assert_string_equal(wirelog_dir(e->kind), "->");

	/* nested and in arrays */
	const char *nested = "{\"op\":\"x\",\"data\":[{\"privateKey\":\"PEMDATA\"}]}";
	wirelog_add_ws(w, "@a", WIRELOG_WS_IN, nested, strlen(nested));
	assert_null(strstr(wirelog_at(w, 3)->text, "PEMDATA"));
	assert_string_equal(wirelog_at(w, 3)->what, "x");
	wirelog_free(w);
}

static void wirelog__caps__text_cut_on_utf8_boundary(void **state)
{
	struct wirelog *w = wirelog_new(2, 10);
	const char *frame = "abcdefghi\xc3\xa9xyz"; /* é straddles the 10-byte cap */
	wirelog_add_ws(w, "@a", WIRELOG_WS_IN, frame, strlen(frame));
	const struct wirelog_entry *e = wirelog_at(w, 0);
	assert_true(e->truncated);
	assert_string_equal(e->text, "abcdefghi");
	assert_int_equal(e->size, strlen(frame));
	wirelog_free(w);
	/* len bytes only: no terminator needed */
	w = wirelog_new(2, 100);
	wirelog_add_ws(w, "@a", WIRELOG_WS_IN, "{\"op\":\"pong\"}GARBAGE", 13);
	assert_string_equal(wirelog_at(w, 0)->text, "{\"op\":\"pong\"}");
	assert_string_equal(wirelog_at(w, 0)->what, "pong");
	assert_false(wirelog_at(w, 0)->truncated);
	wirelog_free(w);
}

static void wirelog__global__created_once(void **state)
{
	struct wirelog *g = wirelog_global();
	assert_non_null(g);
	assert_ptr_equal(g, wirelog_global());
	wirelog_global_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wirelog__ring__wraps_keeping_the_newest),
		cmocka_unit_test(wirelog__rest__records_exchange),
		cmocka_unit_test(wirelog__redaction__no_secret_is_stored),
		cmocka_unit_test(wirelog__caps__text_cut_on_utf8_boundary),
		cmocka_unit_test(wirelog__global__created_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
