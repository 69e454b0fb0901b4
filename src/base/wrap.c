/* Word wrapping by display width (utf8_cp_width), over sanitised text. */
#include <string.h>

#include "moltty/utf8.h"

struct wrap_state {
	struct utf8_line *lines;
	size_t max_lines;
	size_t count;
};

static void emit(struct wrap_state *st, size_t start, size_t len)
{
	if (st->count < st->max_lines) {
		st->lines[st->count].start = start;
		st->lines[st->count].len = len;
	}
	st->count++;
}

/* Emit s[start, end) of width w; spaces overhanging the width at its end are dropped. */
static void emit_fitted(struct wrap_state *st, const char *s, size_t start, size_t end, size_t w,
			size_t cols)
{
	while (w > cols && end > start && s[end - 1] == ' ') {
		end--;
		w--;
	}
	emit(st, start, end - start);
}

/* Wrap one logical line s[start, end) that contains no '\n'. */
static void wrap_line(struct wrap_state *st, const char *s, size_t start, size_t end, size_t cols)
{
	size_t line_start = start, w = 0;
	int seen_word = 0;      /* a space before any word is indentation, not a break point */
	int have_break = 0;
	size_t run_start = 0;   /* first byte of the last space run after a word */
	size_t run_end = 0;     /* byte after that run: where the next line starts */
	size_t w_at_run_end = 0;
	int prev_space = 0;

	for (size_t pos = start; pos < end;) {
		uint32_t cp;
		size_t step = utf8_decode(s + pos, end - pos, &cp);
		size_t cw = (size_t)utf8_cp_width(cp);
		uint32_t next = 0;
		if (pos + step < end)
			utf8_decode(s + pos + step, end - pos - step, &next);
		/* A space carrying a combining mark is a visible glyph, not a break point. */
		if (cp == ' ' && (pos + step >= end || utf8_cp_width(next) > 0)) {
			if (seen_word) {
				if (!prev_space)
					run_start = pos;
				run_end = pos + step;
				w_at_run_end = w + cw;
				have_break = 1;
			}
			/* Spaces never force a break themselves: trailing ones are dropped at a break. */
			w += cw;
			pos += step;
			prev_space = 1;
			continue;
		}
		while (cw > 0 && w + cw > cols) {
			if (have_break) {
				emit(st, line_start, run_start - line_start);
				line_start = run_end;
				w -= w_at_run_end;
				have_break = 0;
			} else if (pos > line_start) {
				/* hard break inside a long word (or after indentation) */
				emit_fitted(st, s, line_start, pos, w, cols);
				line_start = pos;
				w = 0;
			} else {
				break; /* a glyph wider than the line: give it a line of its own */
			}
		}
		w += cw;
		pos += step;
		seen_word = 1;
		prev_space = 0;
	}
	emit_fitted(st, s, line_start, end, w, cols);
}

size_t utf8_wrap(const char *s, size_t cols, struct utf8_line *lines, size_t max_lines)
{
	struct wrap_state st = { lines, max_lines, 0 };
	if (cols < 1)
		cols = 1;
	size_t n = strlen(s), start = 0;
	for (;;) {
		const char *nl = memchr(s + start, '\n', n - start);
		size_t end = nl ? (size_t)(nl - s) : n;
		wrap_line(&st, s, start, end, cols);
		if (!nl)
			break;
		start = end + 1;
	}
	return st.count;
}
