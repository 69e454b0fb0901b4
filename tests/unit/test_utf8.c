/* utf8: decoding, width table, sanitiser against hostile text, fitting and wrapping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/utf8.h"

#define RC "\xEF\xBF\xBD" /* U+FFFD */

static void utf8__decode__valid_and_invalid(void **state)
{
	uint32_t cp;
	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\xC3\xA9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode("\xE4\xB8\xAD", 3, &cp), 3);
	assert_int_equal(cp, 0x4E2D);
	assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);

	/* overlong '/', surrogate, beyond U+10FFFF, truncated, lone continuation, raw C1 byte */
	static const char *bad[] = { "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
				     "\xE2\x82", "\x80", "\x9B", "\xFF" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &cp), 1);
		assert_int_equal(cp, 0xFFFD);
	}
	/* n limits the read even when the string goes on */
	assert_int_equal(utf8_decode("\xE4\xB8\xAD", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
}

static void utf8__encode__round_trips(void **state)
{
	static const uint32_t cps[] = { 0x24, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x1F600,
					0x10FFFF };
	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		char buf[4];
		uint32_t back;
		size_t n = utf8_encode(cps[i], buf);
		assert_int_equal(utf8_decode(buf, n, &back), n);
		assert_int_equal(back, cps[i]);
	}
	char buf[4];
	assert_int_equal(utf8_encode(0xD800, buf), 3); /* surrogates are never emitted */
	assert_memory_equal(buf, RC, 3);
}

static void utf8__utf16_len__counts_surrogate_pairs(void **state)
{
	assert_int_equal(utf8_utf16_len(""), 0);
	assert_int_equal(utf8_utf16_len("a\xF0\x9F\x98\x80\xC3\xA9"), 4);
	assert_int_equal(utf8_utf16_len("\xE4\xB8\xAD\xE6\x96\x87"), 2);
}

static void utf8__cp_width__table(void **state)
{
	assert_int_equal(utf8_cp_width('a'), 1);
	assert_int_equal(utf8_cp_width(0x1B), 0);
	assert_int_equal(utf8_cp_width(0xE9), 1);
	/* zero width: combining marks, ZWJ, variation selectors, Hangul medial jamo */
	static const uint32_t zero[] = { 0x0300, 0x0301, 0x036F, 0x20DD, 0x200D, 0xFE0F, 0xFE00,
					 0xE0100, 0xE01EF, 0x1160, 0x0E31, 0x0951 };
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		assert_int_equal(utf8_cp_width(zero[i]), 0);
	static const uint32_t wide[] = { 0x1100, 0x2E80, 0x3000, 0x4E2D, 0xAC00, 0xD7A3, 0xF900,
					 0xFE30, 0xFF01, 0xFF60, 0xFFE0, 0x20000, 0x2A6DF, 0x3FFFD,
					 0x1F300, 0x1F600, 0x1F64F, 0x1F680, 0x1F9D1, 0x2614, 0x2705,
					 0x231A };
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		assert_int_equal(utf8_cp_width(wide[i]), 2);
	/* narrow by default (text presentation), Latin, Cyrillic, box drawing */
	static const uint32_t narrow[] = { 0x2600, 0x2764, 0x0416, 0x2500, 0xFF61, 0xFFFD, 0x2400 };
	for (size_t i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++)
		assert_int_equal(utf8_cp_width(narrow[i]), 1);
}

static void utf8__width__strings(void **state)
{
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("hello"), 5);
	assert_int_equal(utf8_width("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 6); /* 日本語 */
	assert_int_equal(utf8_width("e\xCC\x81"), 1);                             /* e + U+0301 */
	/* family emoji: man ZWJ woman ZWJ girl = three wide glyphs, joiners take no cell */
	assert_int_equal(utf8_width("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D"
				    "\xF0\x9F\x91\xA7"),
			 6);
	assert_int_equal(utf8_width("\xE2\x9D\xA4\xEF\xB8\x8F"), 1); /* heart + VS16 */
}

static void expect_sanitized(const char *in, int keep, const char *want)
{
	char *got = utf8_sanitize(in, keep);
	assert_string_equal(got, want);
	free(got);
}

static void utf8__sanitize__escape_sequences_become_visible(void **state)
{
	expect_sanitized("\x1b[2J", 0, "\xE2\x90\x9B[2J");
	expect_sanitized("\x1b]0;title\x07", 0, "\xE2\x90\x9B]0;title\xE2\x90\x87");
	expect_sanitized("\x1b]52;c;SGVsbG8=\x1b\\", 0, "\xE2\x90\x9B]52;c;SGVsbG8=\xE2\x90\x9B\\");
	expect_sanitized("\x1bP1$r\x1b\\", 0, "\xE2\x90\x9BP1$r\xE2\x90\x9B\\");
	/* C1 CSI, correctly encoded, and as a raw (invalid UTF-8) byte */
	expect_sanitized("\xC2\x9B" "2J", 0, RC "2J");
	expect_sanitized("\x9B" "2J", 0, RC "2J");
	expect_sanitized("a\x7f", 0, "a\xE2\x90\xA1");
	expect_sanitized("a\rb", 0, "a\xE2\x90\x8D" "b");
	expect_sanitized("\x01\x1f", 0, "\xE2\x90\x81\xE2\x90\x9F");
}

static void utf8__sanitize__bidi_and_invisible_become_replacement(void **state)
{
	static const char *invisible[] = {
		"\xE2\x80\xAE", /* U+202E RLO */
		"\xE2\x80\xAA", /* U+202A */
		"\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9", /* U+2066-2069 */
		"\xE2\x80\x8E", "\xE2\x80\x8F", /* LRM, RLM */
		"\xD8\x9C",                     /* U+061C ALM */
		"\xE2\x80\x8B",                 /* ZWSP */
		"\xE2\x81\xA0", "\xE2\x81\xA1", "\xE2\x81\xA4", /* U+2060-2064 */
		"\xEF\xBB\xBF",                 /* BOM */
		"\xE2\x80\xA8",                 /* line separator */
		"\xF3\xA0\x80\x81",             /* U+E0001 language tag */
	};
	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
		char in[32];
		snprintf(in, sizeof(in), "a%sb", invisible[i]);
		expect_sanitized(in, 1, "a" RC "b");
	}
}

static void utf8__sanitize__keeps_text_newlines_tabs_and_zwj(void **state)
{
	const char *family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9";
	expect_sanitized(family, 0, family);
	expect_sanitized("caf\xC3\xA9 \xE6\x97\xA5", 0, "caf\xC3\xA9 \xE6\x97\xA5");
	expect_sanitized("a\nb", 1, "a\nb");
	expect_sanitized("a\nb", 0, "a\xE2\x90\x8A" "b");
	expect_sanitized("a\tb", 0, "a       b");
	expect_sanitized("\tx", 0, "        x");
	expect_sanitized("ab\n\tc", 1, "ab\n        c");
	expect_sanitized("\xE6\x97\xA5\tx", 0, "\xE6\x97\xA5      x"); /* wide glyph counts 2 */
	char *empty = utf8_sanitize(NULL, 0);
	assert_string_equal(empty, "");
	free(empty);
}

/* Whatever goes in, the output is valid UTF-8 with no C0 (but '\n'), DEL, C1 or format chars. */
static void assert_inert(const char *s, int keep_newlines)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t step = utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD)
			assert_memory_equal(s + i, RC, 3); /* a real U+FFFD, not a bad byte */
		assert_true(cp >= 0x20 || (keep_newlines && cp == '\n'));
		assert_false(cp >= 0x7F && cp <= 0x9F);
		assert_false(cp == 0x202E || cp == 0x200B || cp == 0xFEFF || cp == 0x2066);
		i += step;
	}
}

static void utf8__sanitize__random_bytes_are_inert(void **state)
{
	srand(12345);
	char in[64];
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand() % 63);
		for (size_t i = 0; i < len; i++) {
			int r = rand() % 8;
			/* bias toward the interesting bytes: controls, lead and continuation bytes */
			in[i] = (char)(r == 0 ? 0x1B : r == 1 ? 0x80 + rand() % 64 : r == 2 ? 0xE2 :
				       1 + rand() % 255);
		}
		in[len] = '\0';
		for (int keep = 0; keep < 2; keep++) {
			char *out = utf8_sanitize(in, keep);
			assert_inert(out, keep);
			char small[7];
			utf8_sanitize_into(in, keep, small, sizeof(small));
			assert_inert(small, keep);
			assert_true(strncmp(out, small, strlen(small)) == 0);
			free(out);
		}
	}
}

static void utf8__sanitize_into__truncates_on_code_point(void **state)
{
	char out[5];
	utf8_sanitize_into("\xE6\x97\xA5\xE6\x9C\xAC", 0, out, sizeof(out));
	assert_string_equal(out, "\xE6\x97\xA5");
	utf8_sanitize_into("\x1b", 0, out, 3); /* U+241B needs 3 bytes: nothing fits in 2 */
	assert_string_equal(out, "");
	utf8_sanitize_into("ok", 0, out, sizeof(out));
	assert_string_equal(out, "ok");
}

static void utf8__fit__keeps_marks_and_never_splits(void **state)
{
	size_t used = 99;
	assert_int_equal(utf8_fit("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 5, &used), 6);
	assert_int_equal(used, 4);
	assert_int_equal(utf8_fit("e\xCC\x81x", 1, &used), 3);
	assert_int_equal(used, 1);
	assert_int_equal(utf8_fit("abc", 0, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(utf8_fit("abc", 10, NULL), 3);
	assert_int_equal(utf8_fit("\xF0\x9F\x98\x80", 1, &used), 0);
}

static void expect_lines(const char *s, size_t cols, const char **want, size_t nwant)
{
	struct utf8_line lines[16];
	size_t n = utf8_wrap(s, cols, lines, 16);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++) {
		char got[64];
		assert_true(lines[i].len < sizeof(got));
		memcpy(got, s + lines[i].start, lines[i].len);
		got[lines[i].len] = '\0';
		assert_string_equal(got, want[i]);
	}
}

static void utf8__wrap__words_and_newlines(void **state)
{
	expect_lines("hello world", 5, (const char *[]){ "hello", "world" }, 2);
	expect_lines("hello world foo", 11, (const char *[]){ "hello world", "foo" }, 2);
	expect_lines("a  b", 1, (const char *[]){ "a", "b" }, 2);
	expect_lines("abcdefghij", 4, (const char *[]){ "abcd", "efgh", "ij" }, 3);
	expect_lines("hi abcdefgh", 4, (const char *[]){ "hi", "abcd", "efgh" }, 3);
	expect_lines("a\nb", 80, (const char *[]){ "a", "b" }, 2);
	expect_lines("a\n", 80, (const char *[]){ "a", "" }, 2);
	expect_lines("", 80, (const char *[]){ "" }, 1);
	expect_lines("  indented", 80, (const char *[]){ "  indented" }, 1);
	expect_lines("abc", 0, (const char *[]){ "a", "b", "c" }, 3);
	expect_lines("ab    ", 2, (const char *[]){ "ab" }, 1);
}

static void utf8__wrap__cjk_emoji_and_combining(void **state)
{
	/* 日本語テキスト: 7 wide glyphs in 5 columns -> two per line */
	expect_lines("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9"
		     "\xE3\x83\x88",
		     5,
		     (const char *[]){ "\xE6\x97\xA5\xE6\x9C\xAC", "\xE8\xAA\x9E\xE3\x83\x86",
				       "\xE3\x82\xAD\xE3\x82\xB9", "\xE3\x83\x88" },
		     4);
	expect_lines("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3,
		     (const char *[]){ "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" }, 3);
	/* a glyph wider than the line still gets a line of its own */
	expect_lines("\xF0\x9F\x98\x80x", 1, (const char *[]){ "\xF0\x9F\x98\x80", "x" }, 2);
	/* combining acute accents stay on their base */
	expect_lines("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2,
		     (const char *[]){ "e\xCC\x81" "e\xCC\x81", "e\xCC\x81" }, 2);
	/* ZWJ family + thumbs up with VS16 */
	expect_lines("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 ok", 4,
		     (const char *[]){ "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", "ok" }, 2);
}

static void utf8__wrap__counts_beyond_max_lines(void **state)
{
	struct utf8_line lines[2] = { { 77, 77 }, { 77, 77 } };
	assert_int_equal(utf8_wrap("a b c d", 1, lines, 1), 4);
	assert_int_equal(lines[0].start, 0);
	assert_int_equal(lines[0].len, 1);
	assert_int_equal(lines[1].start, 77); /* untouched */
	assert_int_equal(utf8_wrap("a b c d", 1, NULL, 0), 4);
}

/* Random text: lines never split a code point and never exceed the width when cols >= 2. */
static void utf8__wrap__random_text_invariants(void **state)
{
	static const char *pieces[] = { "a", "bc", " ", "  ", "\xE6\x97\xA5", "\xF0\x9F\x98\x80",
					"\xCC\x81", "\xE2\x80\x8D", "\n", "word" };
	srand(777);
	for (int round = 0; round < 5000; round++) {
		char s[256] = "";
		int k = rand() % 30;
		for (int i = 0; i < k; i++)
			strcat(s, pieces[rand() % 10]);
		size_t cols = 2 + (size_t)(rand() % 10);
		struct utf8_line lines[128];
		size_t n = utf8_wrap(s, cols, lines, 128);
		assert_true(n >= 1 && n <= 128);
		size_t prev_end = 0;
		for (size_t i = 0; i < n; i++) {
			size_t st = lines[i].start, end = st + lines[i].len;
			assert_true(st >= prev_end && end <= strlen(s));
			assert_false(((unsigned char)s[st] & 0xC0) == 0x80);
			assert_false(((unsigned char)s[end] & 0xC0) == 0x80);
			assert_null(memchr(s + st, '\n', lines[i].len));
			char line[256];
			memcpy(line, s + st, lines[i].len);
			line[lines[i].len] = '\0';
			assert_true(utf8_width(line) <= cols);
			prev_end = end;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8__decode__valid_and_invalid),
		cmocka_unit_test(utf8__encode__round_trips),
		cmocka_unit_test(utf8__utf16_len__counts_surrogate_pairs),
		cmocka_unit_test(utf8__cp_width__table),
		cmocka_unit_test(utf8__width__strings),
		cmocka_unit_test(utf8__sanitize__escape_sequences_become_visible),
		cmocka_unit_test(utf8__sanitize__bidi_and_invisible_become_replacement),
		cmocka_unit_test(utf8__sanitize__keeps_text_newlines_tabs_and_zwj),
		cmocka_unit_test(utf8__sanitize__random_bytes_are_inert),
		cmocka_unit_test(utf8__sanitize_into__truncates_on_code_point),
		cmocka_unit_test(utf8__fit__keeps_marks_and_never_splits),
		cmocka_unit_test(utf8__wrap__words_and_newlines),
		cmocka_unit_test(utf8__wrap__cjk_emoji_and_combining),
		cmocka_unit_test(utf8__wrap__counts_beyond_max_lines),
		cmocka_unit_test(utf8__wrap__random_text_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
