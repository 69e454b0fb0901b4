/* base: buffers, strings, clocks, ISO time, log redaction and the log file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/isotime.h"
#include "moltty/log.h"

static void base__buf__append_printf_steal(void **state)
{
	struct buf b = BUF_INIT;
	assert_string_equal(buf_cstr(&b), "");
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_append(&b, "defg", 2);
	buf_printf(&b, "-%d-%s", 42, "x");
	assert_string_equal(buf_cstr(&b), "abcde-42-x");
	assert_int_equal(b.len, 10);
	for (int i = 0; i < 1000; i++)
		buf_putc(&b, 'z');
	assert_int_equal(b.len, 1010);
	assert_int_equal(strlen(b.data), 1010);
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	buf_printf(&b, "%s", "");
	assert_string_equal(buf_cstr(&b), "");
	buf_puts(&b, "kept");
	char *s = buf_steal(&b);
	assert_string_equal(s, "kept");
	assert_null(b.data);
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
}

static void base__alloc__strdup_and_asprintf(void **state)
{
	assert_null(xstrdup(NULL));
	char *s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = xasprintf("%s=%05.1f", "pi", 3.14159);
	assert_string_equal(s, "pi=003.1");
	free(s);
}

static void base__str__helpers(void **state)
{
	assert_true(str_eq(NULL, NULL));
	assert_false(str_eq("a", NULL));
	assert_true(str_eq("a", "a"));
	assert_true(str_starts_with("token=abc", "token="));
	assert_false(str_starts_with("tok", "token"));
	assert_true(str_ends_with("file.json", ".json"));
	assert_false(str_ends_with("json", "file.json"));
	char text[] = "  \t spaced out \n";
	assert_string_equal(str_trim(text), "spaced out");
	char *dst = xstrdup("old");
	str_replace(&dst, dst); /* aliasing must be safe */
	assert_string_equal(dst, "old");
	str_replace(&dst, "new");
	assert_string_equal(dst, "new");
	str_replace(&dst, NULL);
	assert_null(dst);
	assert_true(str_is_uuid("ff6a8fc3-69d1-49ef-8bae-bb0061616299"));
	assert_true(str_is_uuid("FF6A8FC3-69D1-49EF-8BAE-BB0061616299"));
	assert_false(str_is_uuid("ff6a8fc3-69d1-49ef-8bae-bb006161629"));
	assert_false(str_is_uuid("ff6a8fc3x69d1-49ef-8bae-bb0061616299"));
	assert_false(str_is_uuid("gf6a8fc3-69d1-49ef-8bae-bb0061616299"));
	assert_true(str_is_hex("00ff", 4));
	assert_false(str_is_hex("00FF", 4));
	assert_false(str_is_hex("00ff0", 4));
}

static void base__clock__monotonic_and_wall(void **state)
{
	int64_t a = mono_ms(), b = mono_ms();
	assert_true(b >= a);
	int64_t w = wall_ms();
	assert_true(w > 1700000000000LL); /* after 2023 */
	assert_true(llabs(w / 1000 - (int64_t)time(NULL)) <= 2);
}

static void isotime__parse__platform_formats(void **state)
{
	int64_t ms = 0;
	const int64_t want = 1771128542123LL; /* 2026-02-15T04:09:02.123Z */
	assert_int_equal(iso_parse_ms("2026-02-15T04:09:02.123Z", &ms), 0);
	assert_int_equal(ms, want);
	assert_int_equal(iso_parse_ms("2026-02-15T04:09:02Z", &ms), 0);
	assert_int_equal(ms, want - 123);
	assert_int_equal(iso_parse_ms("2026-02-15T04:09:02.123456Z", &ms), 0);
	assert_int_equal(ms, want);
	assert_int_equal(iso_parse_ms("2026-02-15T04:09:02.1Z", &ms), 0);
	assert_int_equal(ms, want - 23);
	assert_int_equal(iso_parse_ms("2026-02-15T06:09:02.123+02:00", &ms), 0);
	assert_int_equal(ms, want);
	assert_int_equal(iso_parse_ms("2026-02-14T23:39:02.123-04:30", &ms), 0);
	assert_int_equal(ms, want);
	assert_int_equal(iso_parse_ms("2026-02-15T06:09:02.123+0200", &ms), 0);
	assert_int_equal(ms, want);
}

/* Every day of years 0000-9999 (leap years, centuries, before 1970) against timegm. */
static void isotime__parse__agrees_with_timegm(void **state)
{
	for (int year = 0; year <= 9999; year += year < 1900 || year > 2100 ? 7 : 1) {
		for (int mon = 1; mon <= 12; mon++) {
			int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
			int days = mon == 2 ? 28 + leap : mon == 4 || mon == 6 || mon == 9 || mon == 11 ? 30 : 31;
			for (int day = 1; day <= days; day++) {
				char s[40];
				snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, mon, day,
					(day * 7) % 24, (day * 13) % 60, (mon * 11) % 60, day * 31 % 1000);
				struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
					.tm_hour = (day * 7) % 24, .tm_min = (day * 13) % 60,
					.tm_sec = (mon * 11) % 60 };
				int64_t want = (int64_t)timegm(&tm) * 1000 + day * 31 % 1000, ms = 0;
				assert_int_equal(iso_parse_ms(s, &ms), 0);
				if (ms != want)
					fail_msg("%s: %lld, timegm says %lld", s, (long long)ms, (long long)want);
			}
		}
	}
}

static void isotime__parse__garbage_is_rejected(void **state)
{
	static const char *bad[] = { "", "garbage", "2026-02-15", "2026-02-15T04:09:02",
				     "2026-02-15T04:09:02.123", "2026-02-15T04:09:02.Z",
				     "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
				     "2026-02-15T24:00:00Z", "2026-02-15T04:60:00Z",
				     "2026-02-15T04:09:02ZZ", "2026-02-15T04:09:02+2:00",
				     " 2026-02-15T04:09:02Z", "2026-2-15T04:09:02Z",
				     "2026-02-15T04:09:02.1234567890Z" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		int64_t ms = 7;
		assert_int_equal(iso_parse_ms(bad[i], &ms), -1);
		assert_int_equal(ms, 7);
	}
	int64_t ms;
	assert_int_equal(iso_parse_ms(NULL, &ms), -1);
	assert_int_equal(iso_parse_ms("2024-02-29T00:00:00Z", &ms), 0); /* leap day */
	assert_int_equal(iso_parse_ms("2100-02-29T00:00:00Z", &ms), -1);
}

static void isotime__format__round_trips_independent_of_tz(void **state)
{
	char out[ISO_TIME_LEN];
	iso_format_ms(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	iso_format_ms(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	static const char *samples[] = { "2026-02-15T04:09:02.123Z", "2000-02-29T23:59:59.999Z",
					 "2026-11-30T04:29:54.007Z", "1999-12-31T00:00:00.000Z" };
	for (size_t i = 0; i < MC_ARRAY_LEN(samples); i++) {
		int64_t ms;
		assert_int_equal(iso_parse_ms(samples[i], &ms), 0);
		iso_format_ms(ms, out);
		assert_string_equal(out, samples[i]);
	}
	unsetenv("TZ");
	tzset();
	int64_t ms;
	iso_now(out);
	assert_int_equal(strlen(out), ISO_TIME_LEN - 1);
	assert_int_equal(iso_parse_ms(out, &ms), 0);
	assert_true(llabs(ms - wall_ms()) < 5000);
}

static void expect_redacted(const char *in, const char *want)
{
	char *got = log_redact(in);
	assert_string_equal(got, want);
	free(got);
}

#define JWT "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmZjZhOGZjMyJ9.bVfSQsHJuuvNJLTw-EG1JV"

static void log__redact__tokens_keys_and_jwts(void **state)
{
	expect_redacted("connect ws://h/ws?token=" JWT " now", "connect ws://h/ws?token=[REDACTED] now");
	expect_redacted("ws://h/ws?a=1&token=abc&b=2", "ws://h/ws?a=1&token=[REDACTED]&b=2");
	expect_redacted("Authorization: Bearer " JWT, "Authorization: Bearer [REDACTED]");
	expect_redacted("authorization: bearer abc.def", "authorization: bearer [REDACTED]");
	expect_redacted("{\"refreshToken\":\"msr_0123456789abcdef0123456789abcdef0123456789abcdef"
			"0123456789abcdef0123456789abcdef0123456789abcdef\"}",
			"{\"refreshToken\":\"msr_[REDACTED]\"}");
	expect_redacted("token is " JWT ".", "token is [REDACTED].");
	expect_redacted("key: -----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBg\nkqhkiG9w0B\n"
			"-----END PRIVATE KEY-----\n done",
			"key: [REDACTED PRIVATE KEY]\n done");
	expect_redacted("-----BEGIN RSA PRIVATE KEY-----\nMIIE (cut off",
			"[REDACTED PRIVATE KEY]");
	/* public material and ordinary words stay */
	expect_redacted("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
			"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
	expect_redacted("eyJ alone, msr_ alone, tokens=1, ?tokenizer=x",
			"eyJ alone, msr_ alone, tokens=1, ?tokenizer=x");
	char *empty = log_redact(NULL);
	assert_string_equal(empty, "");
	free(empty);
}

static void log__file__format_level_sanitised_redacted(void **state)
{
	char dir[] = "/tmp/moltty-test-log-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = fs_join(dir, "moltty.log");
	assert_int_equal(log_open(path, LOG_INFO), 0);
	log_debug("hidden %d", 1);
	log_info("hello \x1b[2J world ?token=%s", "secret123");
	log_error("bad \x9b byte\nsecond line");
	log_set_level(LOG_DEBUG);
	log_debug("now visible");
	log_close();
	log_info("after close goes nowhere");

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *text = fs_read_file(path, NULL);
	assert_non_null(text);
	assert_null(strstr(text, "hidden"));
	assert_null(strstr(text, "secret123"));
	assert_null(strstr(text, "after close"));
	assert_null(strchr(text, '\x1b'));
	char *line = text;
	static const char *want[] = { " INFO hello \xE2\x90\x9B[2J world ?token=[REDACTED]",
				      " ERROR bad \xEF\xBF\xBD byte\xE2\x90\x8Asecond line",
				      " DEBUG now visible" };
	for (size_t i = 0; i < MC_ARRAY_LEN(want); i++) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		int64_t ms;
		char stamp[ISO_TIME_LEN];
		assert_true(strlen(line) > ISO_TIME_LEN);
		memcpy(stamp, line, ISO_TIME_LEN - 1);
		stamp[ISO_TIME_LEN - 1] = '\0';
		assert_int_equal(iso_parse_ms(stamp, &ms), 0);
		assert_string_equal(line + ISO_TIME_LEN - 1, want[i]);
		line = nl + 1;
	}
	assert_string_equal(line, "");
	free(text);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base__buf__append_printf_steal),
		cmocka_unit_test(base__alloc__strdup_and_asprintf),
		cmocka_unit_test(base__str__helpers),
		cmocka_unit_test(base__clock__monotonic_and_wall),
		cmocka_unit_test(isotime__parse__platform_formats),
		cmocka_unit_test(isotime__parse__agrees_with_timegm),
		cmocka_unit_test(isotime__parse__garbage_is_rejected),
		cmocka_unit_test(isotime__format__round_trips_independent_of_tz),
		cmocka_unit_test(log__redact__tokens_keys_and_jwts),
		cmocka_unit_test(log__file__format_level_sanitised_redacted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
