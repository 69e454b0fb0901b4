/* libFuzzer target: the sanitiser and the width/fit/wrap functions over hostile text.
 * Invariants: sanitised output is valid UTF-8 with no C0 (except '\n' when kept), no DEL, no
 * C1, no ESC and no bidi controls; utf8_fit never splits a code point and fits; wrapped lines
 * never exceed the width (except one glyph wider than it), never split a code point, and
 * cover every byte of the text except the spaces and newlines they break at. */
#include "fuzz_util.h"
#include "moltty/utf8.h"

static int is_bidi(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

static void check_clean(const char *s, int keep_newlines)
{
	size_t n = strlen(s);
	FUZZ_CHECK(fz_valid_utf8(s, n), "sanitised text is valid UTF-8");
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t step = utf8_decode(s + i, n - i, &cp);
		FUZZ_CHECK(step >= 1 && step <= 4 && i + step <= n, "decode step %zu", step);
		FUZZ_CHECK(cp != 0xFFFD || step == 3, "valid text decodes without U+FFFD errors");
		if (cp < 0x20)
			FUZZ_CHECK(cp == '\n' && keep_newlines, "C0 0x%02x survived at %zu", cp, i);
		FUZZ_CHECK(cp != 0x7F, "DEL survived at %zu", i);
		FUZZ_CHECK(!(cp >= 0x80 && cp <= 0x9F), "C1 U+%04X survived at %zu", cp, i);
		FUZZ_CHECK(!is_bidi(cp), "bidi control U+%04X survived at %zu", cp, i);
		FUZZ_CHECK(cp != 0xFEFF && cp != 0x200B && cp != 0x00AD && cp != 0x2028 &&
				   cp != 0x2029 && !(cp >= 0xE0000 && cp <= 0xE007F),
			   "invisible format U+%04X survived at %zu", cp, i);
		FUZZ_CHECK(utf8_cp_width(cp) >= 0 && utf8_cp_width(cp) <= 2, "width in 0..2");
		i += step;
	}
}

static int is_boundary(const char *s, size_t at)
{
	return ((unsigned char)s[at] & 0xC0) != 0x80;
}

/* Width of s[start, start+len), measured on a copy. */
static size_t range_width(const char *s, size_t start, size_t len, size_t *glyphs)
{
	size_t w = 0, g = 0;
	for (size_t i = start; i < start + len;) {
		uint32_t cp;
		i += utf8_decode(s + i, start + len - i, &cp);
		int cw = utf8_cp_width(cp);
		w += (size_t)cw;
		if (cw > 0)
			g++;
	}
	*glyphs = g;
	return w;
}

static void check_fit(const char *s, size_t cols)
{
	size_t used = (size_t)-1;
	size_t n = strlen(s), fit = utf8_fit(s, cols, &used);
	FUZZ_CHECK(fit <= n, "fit %zu within %zu bytes", fit, n);
	FUZZ_CHECK(is_boundary(s, fit), "fit ends on a code point boundary (%zu)", fit);
	size_t g, w = range_width(s, 0, fit, &g);
	FUZZ_CHECK(w == used, "fit reports the prefix width (%zu vs %zu)", used, w);
	FUZZ_CHECK(used <= cols, "fit %zu <= %zu cols", used, cols);
	if (fit < n) {
		/* longest: the next code point is visible and would not fit */
		uint32_t cp;
		utf8_decode(s + fit, n - fit, &cp);
		FUZZ_CHECK(utf8_cp_width(cp) > 0 && used + (size_t)utf8_cp_width(cp) > cols,
			   "fit stopped early at %zu", fit);
	}
	FUZZ_CHECK(utf8_width(s) == range_width(s, 0, n, &g), "utf8_width agrees");
}

static void check_wrap(const char *s, size_t cols)
{
	size_t n = strlen(s);
	size_t count = utf8_wrap(s, cols, NULL, 0);
	FUZZ_CHECK(count >= 1, "at least one line");
	struct utf8_line *lines = malloc(count * sizeof(*lines));
	size_t again = utf8_wrap(s, cols, lines, count);
	FUZZ_CHECK(again == count, "same count with room (%zu vs %zu)", again, count);
	size_t ecols = cols < 1 ? 1 : cols, pos = 0, newlines = 0;
	for (size_t i = 0; i < n; i++)
		newlines += s[i] == '\n';
	FUZZ_CHECK(count >= newlines + 1, "one line per newline at least");
	for (size_t k = 0; k < count; k++) {
		size_t st = lines[k].start, len = lines[k].len;
		FUZZ_CHECK(st >= pos && st + len <= n, "line %zu [%zu,+%zu) in order and in the text",
			   k, st, len);
		/* what the lines skip is only break spaces and newlines */
		for (size_t i = pos; i < st; i++)
			FUZZ_CHECK(s[i] == ' ' || s[i] == '\n', "byte %zu (0x%02x) lost between lines",
				   i, (unsigned char)s[i]);
		FUZZ_CHECK(is_boundary(s, st) && is_boundary(s, st + len),
			   "line %zu splits a code point", k);
		for (size_t i = st; i < st + len; i++)
			FUZZ_CHECK(s[i] != '\n', "a line holds no newline");
		size_t glyphs, w = range_width(s, st, len, &glyphs);
		FUZZ_CHECK(w <= ecols || glyphs == 1, "line %zu is %zu columns wide in %zu", k, w,
			   ecols);
		pos = st + len;
	}
	for (size_t i = pos; i < n; i++)
		FUZZ_CHECK(s[i] == ' ' || s[i] == '\n', "byte %zu lost after the last line", i);
	free(lines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t cols = data[0] % 64;
	int keep = data[1] & 1;
	char *raw = fz_cstr(data + 2, size - 2);

	char *clean = utf8_sanitize(raw, keep);
	check_clean(clean, keep);
	/* sanitising is idempotent on its own output except for tabs, which it already expanded */
	char *twice = utf8_sanitize(clean, keep);
	FUZZ_CHECK(strcmp(clean, twice) == 0, "sanitising twice changes nothing");
	free(twice);

	char small[24];
	utf8_sanitize_into(raw, keep, small, sizeof(small));
	FUZZ_CHECK(strlen(small) < sizeof(small) && fz_valid_utf8(small, strlen(small)),
		   "sanitize_into stays valid and terminated");
	FUZZ_CHECK(strncmp(small, clean, strlen(small)) == 0, "sanitize_into is a prefix");

	check_fit(clean, cols);
	check_wrap(clean, cols);
	/* wrap and fit on raw text too: they must not crash or overrun on invalid UTF-8 */
	(void)utf8_wrap(raw, cols, NULL, 0);
	(void)utf8_fit(raw, cols, NULL);
	(void)utf8_width(raw);
	(void)utf8_utf16_len(clean);

	free(clean);
	free(raw);
	return 0;
}
