/* tui/editline: the input line's editing operations, by display width. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "editline.h"

static void type(struct editline *e, const char *s)
{
	el_insert(e, s, strlen(s));
}

static void editline__insert_and_cursor_moves__edit_in_the_middle(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "helo");
	assert_int_equal(el_left(&e), 1);
	type(&e, "l");
	assert_string_equal(el_text(&e), "hello");
	el_home(&e);
	type(&e, ">");
	el_end(&e);
	type(&e, "!");
	assert_string_equal(el_text(&e), ">hello!");
	assert_int_equal(el_right(&e), 0);
	el_free(&e);
}

static void editline__backspace__removes_a_whole_code_point(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "a\xc3\xa9\xe4\xb8\xad"); /* a é 中 */
	assert_int_equal(el_delete_back(&e), 1);
	assert_string_equal(el_text(&e), "a\xc3\xa9");
	el_delete_back(&e);
	assert_string_equal(el_text(&e), "a");
	el_delete_back(&e);
	assert_int_equal(el_delete_back(&e), 0);
	assert_string_equal(el_text(&e), "");
	el_free(&e);
}

static void editline__combining_mark__moves_with_its_base(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "xe\xcc\x81y"); /* x, e + COMBINING ACUTE, y */
	el_left(&e);
	el_left(&e); /* over y, then over e+mark in one step */
	assert_int_equal(e.cursor, 1);
	el_delete_fwd(&e);
	assert_string_equal(el_text(&e), "xy");
	el_free(&e);
}

static void editline__kill_commands__cut_the_right_parts(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "one two  three");
	assert_int_equal(el_delete_word_back(&e), 1);
	assert_string_equal(el_text(&e), "one two  ");
	el_delete_word_back(&e);
	assert_string_equal(el_text(&e), "one ");
	type(&e, "x");
	el_home(&e);
	el_right(&e);
	el_kill_to_end(&e);
	assert_string_equal(el_text(&e), "o");
	type(&e, "ne");
	el_left(&e);
	el_kill_to_start(&e);
	assert_string_equal(el_text(&e), "e");
	assert_int_equal(e.cursor, 0);
	assert_int_equal(el_kill_to_start(&e), 0);
	el_free(&e);
}

static void editline__history__recalls_and_restores_the_draft(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "first");
	free(el_take(&e));
	type(&e, "second");
	char *line = el_take(&e);
	assert_string_equal(line, "second");
	free(line);
	free(el_take(&e)); /* blank lines are not remembered */
	type(&e, "dra");
	assert_int_equal(el_history_prev(&e), 1);
	assert_string_equal(el_text(&e), "second");
	el_history_prev(&e);
	assert_string_equal(el_text(&e), "first");
	assert_int_equal(el_history_prev(&e), 0);
	el_history_next(&e);
	el_history_next(&e);
	assert_string_equal(el_text(&e), "dra");
	assert_int_equal(el_history_next(&e), 0);
	el_free(&e);
}

static void editline__view__scrolls_by_display_width(void **state)
{
	struct editline e;
	el_init(&e);
	size_t first, col;
	type(&e, "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"); /* three CJK, width 6 */
	el_view(&e, 10, &first, &col);
	assert_int_equal(first, 0);
	assert_int_equal(col, 6);
	/* A 5-column field: the cursor needs its cell, so 4 columns of text show before it. */
	el_view(&e, 5, &first, &col);
	assert_int_equal(first, 3);
	assert_int_equal(col, 4);
	el_home(&e);
	el_view(&e, 5, &first, &col);
	assert_int_equal(first, 0);
	assert_int_equal(col, 0);
	el_free(&e);
}

static void editline__yank__inserts_the_last_kill(void **state)
{
	struct editline e;
	el_init(&e);
	assert_int_equal(el_yank(&e), 0);
	type(&e, "hello big world");
	el_delete_word_back(&e);            /* kills "world" */
	assert_string_equal(el_text(&e), "hello big ");
	el_home(&e);
	assert_int_equal(el_yank(&e), 1);
	assert_string_equal(el_text(&e), "worldhello big ");
	el_end(&e);
	el_kill_to_start(&e);               /* a newer kill replaces it */
	assert_string_equal(el_text(&e), "");
	el_yank(&e);
	el_yank(&e);
	assert_string_equal(el_text(&e), "worldhello big worldhello big ");
	/* Backspace and Delete are not kills. */
	el_set(&e, "ab", 2);
	el_kill_to_start(&e);
	type(&e, "xyz");
	el_delete_back(&e);
	el_yank(&e);
	assert_string_equal(el_text(&e), "xyab");
	el_free(&e);
}

static void editline__word_moves__skip_spaces_then_a_word(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "one  two\nthree");
	assert_int_equal(el_word_left(&e), 1);
	assert_int_equal(e.cursor, 9);      /* start of "three" (after the newline) */
	el_word_left(&e);
	assert_int_equal(e.cursor, 5);      /* "two" */
	el_word_left(&e);
	assert_int_equal(e.cursor, 0);
	assert_int_equal(el_word_left(&e), 0);
	el_word_right(&e);
	assert_int_equal(e.cursor, 3);      /* end of "one" */
	el_word_right(&e);
	assert_int_equal(e.cursor, 8);
	assert_int_equal(el_kill_word_fwd(&e), 1);
	assert_string_equal(el_text(&e), "one  two");
	el_free(&e);
}

static void editline__rows__wrap_by_width_and_newlines(void **state)
{
	struct editline e;
	el_init(&e);
	type(&e, "abcdef\n日本語x");
	struct el_row rows[8];
	size_t r, c;
	size_t n = el_rows(&e, 4, rows, 8, &r, &c);
	/* "abcd" "ef" | "日本" "語x" */
	assert_int_equal(n, 4);
	assert_int_equal(rows[0].len, 4);
	assert_int_equal(rows[1].start, 4);
	assert_int_equal(rows[1].len, 2);
	assert_int_equal(rows[2].start, 7);
	assert_int_equal(rows[2].len, 6);
	assert_int_equal(rows[3].len, 4);
	assert_int_equal(r, 3);
	assert_int_equal(c, 3);
	/* A wide glyph never splits: it moves to the next row. */
	el_set(&e, "a日", 1);
	n = el_rows(&e, 2, rows, 8, &r, &c);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].len, 1);
	assert_int_equal(rows[1].len, 3);
	assert_int_equal(r, 1);              /* on the glyph, which starts the next row */
	assert_int_equal(c, 0);
	/* The cursor after a full row starts the next one. */
	el_set(&e, "abcd", 4);
	n = el_rows(&e, 4, rows, 8, &r, &c);
	assert_int_equal(n, 2);
	assert_int_equal(r, 1);
	assert_int_equal(c, 0);
	el_set(&e, "", 0);
	assert_int_equal(el_rows(&e, 10, rows, 8, &r, &c), 1);
	el_free(&e);
}

static void editline__history__is_per_lent_history(void **state)
{
	struct editline e;
	struct el_history a = { 0 }, b = { 0 };
	el_init(&e);
	el_set_history(&e, &a);
	type(&e, "in a");
	free(el_take(&e));
	el_set_history(&e, &b);
	assert_int_equal(el_history_prev(&e), 0);
	type(&e, "in b");
	free(el_take(&e));
	type(&e, "line one\nline two");
	free(el_take(&e));
	el_set_history(&e, &a);
	el_history_prev(&e);
	assert_string_equal(el_text(&e), "in a");
	assert_int_equal(el_history_prev(&e), 0);
	el_set_history(&e, &b);
	el_history_prev(&e);
	assert_string_equal(el_text(&e), "line one\nline two");
	el_history_prev(&e);
	assert_string_equal(el_text(&e), "in b");
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 2);
	el_free(&e);
	el_history_free(&a);
	el_history_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(editline__insert_and_cursor_moves__edit_in_the_middle),
		cmocka_unit_test(editline__backspace__removes_a_whole_code_point),
		cmocka_unit_test(editline__combining_mark__moves_with_its_base),
		cmocka_unit_test(editline__kill_commands__cut_the_right_parts),
		cmocka_unit_test(editline__history__recalls_and_restores_the_draft),
		cmocka_unit_test(editline__view__scrolls_by_display_width),
		cmocka_unit_test(editline__yank__inserts_the_last_kill),
		cmocka_unit_test(editline__word_moves__skip_spaces_then_a_word),
		cmocka_unit_test(editline__rows__wrap_by_width_and_newlines),
		cmocka_unit_test(editline__history__is_per_lent_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
