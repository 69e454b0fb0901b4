/* libFuzzer target: the line editor (src/tui/editline.c) driven by input bytes: typed code
 * points filtered the way keys.c filters them, newlines, every editing and history command,
 * and el_set with arbitrary text (completion inserts names that came from the network).
 * After every step: the text is valid UTF-8, NUL-terminated at len with no NUL inside, the
 * cursor is in range and on a code point boundary, el_view keeps the
 * cursor in the field, and el_rows' rows are in order, inside the text and no wider than the
 * field unless they hold a single cluster. */
#include "editline.h"
#include "fuzz_util.h"
#include "moltty/utf8.h"

static size_t width_of(const char *s, size_t start, size_t len, size_t *visible)
{
	size_t w = 0, v = 0;
	for (size_t i = start; i < start + len;) {
		uint32_t cp;
		i += utf8_decode(s + i, start + len - i, &cp);
		int cw = utf8_cp_width(cp);
		w += (size_t)cw;
		v += cw > 0;
	}
	*visible = v;
	return w;
}

static void check(struct editline *e, size_t cols)
{
	FUZZ_CHECK(e->text && e->len < e->cap, "len %zu within cap %zu", e->len, e->cap);
	FUZZ_CHECK(strlen(e->text) == e->len, "text has a NUL inside or none at len");
	FUZZ_CHECK(e->cursor <= e->len, "cursor %zu past len %zu", e->cursor, e->len);
	/* typed code points are valid and el_set replaces invalid bytes */
	FUZZ_CHECK(fz_valid_utf8(e->text, e->len), "the editor holds invalid UTF-8");
	FUZZ_CHECK(((unsigned char)e->text[e->cursor] & 0xC0) != 0x80,
		   "cursor %zu inside a code point", e->cursor);
	FUZZ_CHECK(e->hist && e->hist->n <= EL_HISTORY_MAX, "history bounded");

	size_t first = 0, ccol = 0;
	el_view(e, cols, &first, &ccol);
	size_t ecols = cols ? cols : 1;
	FUZZ_CHECK(first <= e->cursor, "view starts after the cursor");
	FUZZ_CHECK(ccol <= ecols - 1, "cursor column %zu outside %zu columns", ccol, ecols);

	struct el_row rows[64];
	size_t cur_row = 0, cur_col = 0;
	size_t n = el_rows(e, cols, rows, 64, &cur_row, &cur_col);
	FUZZ_CHECK(n >= 1 && cur_row < n, "cursor row %zu of %zu", cur_row, n);
	FUZZ_CHECK(cur_col <= ecols, "cursor column %zu of %zu", cur_col, ecols);
	size_t pos = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		FUZZ_CHECK(rows[i].start >= pos && rows[i].start + rows[i].len <= e->len,
			   "row %zu [%zu,+%zu) out of order or outside the text", i, rows[i].start,
			   rows[i].len);
		size_t vis, w = width_of(e->text, rows[i].start, rows[i].len, &vis);
		FUZZ_CHECK(w <= ecols || vis == 1, "row %zu is %zu columns in %zu", i, w, ecols);
		pos = rows[i].start + rows[i].len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct editline e;
	el_init(&e);
	struct el_history other = { 0 };
	size_t cols = 1 + fz_u8(&in) % 40;

	for (int steps = 0; !fz_empty(&in) && steps < 300; steps++) {
		uint8_t op = fz_u8(&in);
		/* yank and history can double the text each step; past 8 KB the per-step checks
		 * (linear) only slow the search down */
		if (e.len > 8192 && (op % 24 == 16 || op % 24 < 6))
			continue;
		switch (op % 24) {
		case 0: case 1: case 2: case 3: case 4: {
			/* a typed character, filtered like keys.c's handle_char */
			uint32_t cp = op < 0x80 ? fz_u8(&in) : fz_u32(&in) % 0x110000;
			if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
				break;
			char enc[5], clean[16];
			enc[utf8_encode(cp, enc)] = '\0';
			utf8_sanitize_into(enc, 0, clean, sizeof(clean));
			if (strcmp(enc, clean) == 0)
				el_insert_cp(&e, cp);
			break;
		}
		case 5: el_insert(&e, "\n", 1); break;
		case 6: el_delete_back(&e); break;
		case 7: el_delete_fwd(&e); break;
		case 8: el_left(&e); break;
		case 9: el_right(&e); break;
		case 10: el_home(&e); break;
		case 11: el_end(&e); break;
		case 12: el_kill_to_start(&e); break;
		case 13: el_kill_to_end(&e); break;
		case 14: el_delete_word_back(&e); break;
		case 15: el_kill_word_fwd(&e); break;
		case 16: el_yank(&e); break;
		case 17: el_word_left(&e); break;
		case 18: el_word_right(&e); break;
		case 19: el_history_prev(&e); break;
		case 20: el_history_next(&e); break;
		case 21: free(el_take(&e)); break;
		case 22: {
			/* completion: arbitrary (possibly invalid UTF-8) text and cursor */
			size_t cur = fz_u8(&in);
			char *t = fz_str(&in, 80);
			el_set(&e, t, cur);
			free(t);
			break;
		}
		case 23:
			if (fz_u8(&in) & 1)
				el_set_history(&e, &other);
			else
				el_set_history(&e, NULL);
			cols = 1 + fz_u8(&in) % 40;
			break;
		}
		check(&e, cols);
	}
	el_set_history(&e, NULL);
	el_history_free(&other);
	el_free(&e);
	return 0;
}
