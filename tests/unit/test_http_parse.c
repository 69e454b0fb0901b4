/* The HTTP/1.x response parser (src/net/http_parse.c): every way a body can be delimited, fed
 * whole and split at every byte, and the malformed responses it must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http_parse.h"

struct outcome {
	enum http_parse_state state;
	int status;
	int keep_alive;
	size_t used;
	char body[512];
	size_t body_len;
	long long rl_limit, rl_remaining, rl_reset;
	const char *error;
};

/* Feed text in pieces of `step` bytes (0 = whole); eof: the connection ends after it. */
static struct outcome run(const char *text, size_t len, size_t step, int eof, size_t max_body)
{
	struct outcome o = { 0 };
	struct buf body = { 0 };
	struct http_parse p;
	http_parse_init(&p, &body, max_body, 0);
	size_t at = 0;
	while (at < len && p.state != HP_DONE && p.state != HP_ERROR) {
		size_t k = step ? step : len;
		if (k > len - at)
			k = len - at;
		size_t used = http_parse_feed(&p, text + at, k);
		at += used;
		if (used < k)
			break;
	}
	if (eof && p.state != HP_ERROR && p.state != HP_DONE)
		http_parse_eof(&p);
	o.state = p.state;
	o.status = p.status;
	o.keep_alive = p.keep_alive;
	o.used = at;
	o.body_len = body.len;
	assert_true(body.len < sizeof(o.body));
	memcpy(o.body, buf_cstr(&body), body.len);
	o.rl_limit = p.rl_limit;
	o.rl_remaining = p.rl_remaining;
	o.rl_reset = p.rl_reset;
	o.error = p.error;
	http_parse_free(&p);
	buf_free(&body);
	return o;
}

/* The same outcome whatever the read boundaries. */
static struct outcome run_all_splits(const char *text, int eof)
{
	size_t len = strlen(text);
	struct outcome whole = run(text, len, 0, eof, 1 << 20);
	for (size_t step = 1; step <= len; step++) {
		struct outcome o = run(text, len, step, eof, 1 << 20);
		assert_int_equal(o.state, whole.state);
		assert_int_equal(o.status, whole.status);
		assert_int_equal(o.keep_alive, whole.keep_alive);
		assert_int_equal(o.body_len, whole.body_len);
		assert_memory_equal(o.body, whole.body, o.body_len);
		assert_int_equal(o.used, whole.used);
	}
	return whole;
}

static void http_parse__content_length__body_and_headers(void **state)
{
	const char *r = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
			"X-RateLimit-Limit: 30\r\nx-ratelimit-remaining:  29 \r\n"
			"X-RateLimit-Reset: 1767225600\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
	struct outcome o = run_all_splits(r, 0);
	assert_int_equal(o.state, HP_DONE);
	assert_int_equal(o.status, 201);
	assert_true(o.keep_alive);
	assert_string_equal(o.body, "{\"ok\":true}");
	assert_int_equal(o.rl_limit, 30);
	assert_int_equal(o.rl_remaining, 29);
	assert_int_equal(o.rl_reset, 1767225600LL);
	assert_int_equal(o.used, strlen(r));
}

static void http_parse__chunked__extensions_and_trailers(void **state)
{
	const char *r = "HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\n"
			"5;name=value\r\nhello\r\n1A\r\n, world of chunked bodies!\r\n"
			"0\r\nX-Trailer: yes\r\n\r\n";
	struct outcome o = run_all_splits(r, 0);
	assert_int_equal(o.state, HP_DONE);
	assert_string_equal(o.body, "hello, world of chunked bodies!");
	assert_true(o.keep_alive);
}

static void http_parse__until_close__ends_with_the_connection(void **state)
{
	const char *r = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
	struct outcome o = run_all_splits(r, 1);
	assert_int_equal(o.state, HP_DONE);
	assert_string_equal(o.body, "all of it");
	assert_false(o.keep_alive);
	/* without the close it is not complete */
	o = run(r, strlen(r), 0, 0, 1 << 20);
	assert_int_equal(o.state, HP_BODY_EOF);
}

static void http_parse__interim_responses__skipped(void **state)
{
	const char *r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
			"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";
	struct outcome o = run_all_splits(r, 0);
	assert_int_equal(o.state, HP_DONE);
	assert_int_equal(o.status, 404);
	assert_string_equal(o.body, "{}");
}

static void http_parse__no_body_statuses__done_at_headers(void **state)
{
	const char *r = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";
	struct outcome o = run_all_splits(r, 0);
	assert_int_equal(o.state, HP_DONE);
	assert_int_equal(o.body_len, 0);
	o = run_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
	assert_int_equal(o.state, HP_DONE);
	assert_true(o.keep_alive);
}

static void http_parse__connection_header__decides_keep_alive(void **state)
{
	struct outcome o = run_all_splits("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\n"
					  "Content-Length: 1\r\n\r\nx", 0);
	assert_false(o.keep_alive);
	o = run_all_splits("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", 0);
	assert_true(o.keep_alive);
	o = run_all_splits("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 0);
	assert_false(o.keep_alive);
}

static void http_parse__bytes_after_the_response__left_unused(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
	struct outcome o = run(r, strlen(r), 0, 0, 1 << 20);
	assert_int_equal(o.state, HP_DONE);
	assert_int_equal(o.used, strlen(r) - strlen("HTTP/1.1 200 OK\r\n"));
}

static void expect_error(const char *text, int eof, const char *why_part)
{
	struct outcome o = run(text, strlen(text), 0, eof, 1 << 20);
	assert_int_equal(o.state, HP_ERROR);
	assert_non_null(o.error);
	if (!strstr(o.error, why_part))
		fail_msg("error \"%s\" does not mention \"%s\" for %s", o.error, why_part, text);
	/* byte by byte the verdict is the same */
	o = run(text, strlen(text), 1, eof, 1 << 20);
	assert_int_equal(o.state, HP_ERROR);
}

static void http_parse__malformed__refused_with_a_reason(void **state)
{
	expect_error("SSH-2.0-OpenSSH_9.2\r\n", 0, "status line");
	expect_error("HTTP/2 200\r\n\r\n", 0, "status line");
	expect_error("HTTP/1.1 20 OK\r\n\r\n", 0, "status line");
	expect_error("HTTP/1.1 099 Odd\r\n\r\n", 0, "status line");
	expect_error("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 0, "header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc", 0, "header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 0,
		"header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, "header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, "header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx", 0,
		"content coding");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0,
		"transfer coding");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, "chunk size");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 0,
		"chunk end");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
		"chunk size");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1, "middle of the response");
	expect_error("", 1, "without a response");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 1, "middle");
}

static void http_parse__limits__line_headers_body(void **state)
{
	static char big[HTTP_MAX_HEADERS + 4096];
	/* one header line longer than HTTP_MAX_LINE */
	strcpy(big, "HTTP/1.1 200 OK\r\nX-Long: ");
	size_t n = strlen(big);
	memset(big + n, 'a', HTTP_MAX_LINE + 10);
	strcpy(big + n + HTTP_MAX_LINE + 10, "\r\n\r\n");
	expect_error(big, 0, "line too long");
	/* many short headers adding up to more than HTTP_MAX_HEADERS */
	strcpy(big, "HTTP/1.1 200 OK\r\n");
	n = strlen(big);
	while (n + 40 < sizeof(big) - 8) {
		memcpy(big + n, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 38);
		n += 38;
	}
	strcpy(big + n, "\r\n");
	expect_error(big, 0, "headers too large");
	/* a body over the cap, declared or chunked or until close */
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789";
	struct outcome o = run(r, strlen(r), 3, 0, 19);
	assert_int_equal(o.state, HP_ERROR);
	assert_string_equal(o.error, "response body too large");
	o = run(r, strlen(r), 3, 0, 20);
	assert_int_equal(o.state, HP_DONE);
	r = "HTTP/1.0 200 OK\r\n\r\n01234567890123456789";
	o = run(r, strlen(r), 0, 1, 10);
	assert_int_equal(o.state, HP_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_parse__content_length__body_and_headers),
		cmocka_unit_test(http_parse__chunked__extensions_and_trailers),
		cmocka_unit_test(http_parse__until_close__ends_with_the_connection),
		cmocka_unit_test(http_parse__interim_responses__skipped),
		cmocka_unit_test(http_parse__no_body_statuses__done_at_headers),
		cmocka_unit_test(http_parse__connection_header__decides_keep_alive),
		cmocka_unit_test(http_parse__bytes_after_the_response__left_unused),
		cmocka_unit_test(http_parse__malformed__refused_with_a_reason),
		cmocka_unit_test(http_parse__limits__line_headers_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
