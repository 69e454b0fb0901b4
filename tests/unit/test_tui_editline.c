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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(editline__insert_and_cursor_moves__edit_in_the_middle),
		cmocka_unit_test(editline__backspace__removes_a_whole_code_point),
		cmocka_unit_test(editline__combining_mark__moves_with_its_base),
		cmocka_unit_test(editline__kill_commands__cut_the_right_parts),
		cmocka_unit_test(editline__history__recalls_and_restores_the_draft),
		cmocka_unit_test(editline__view__scrolls_by_display_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
