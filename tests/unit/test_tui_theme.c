/* tui/theme: theme files, and themes/default.theme matching the built-in theme. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/fsutil.h"
#include "theme.h"

static void theme__shipped_file__equals_builtin_and_names_every_role(void **state)
{
	char *text = fs_read_file(THEMES_DIR "/default.theme", NULL);
	assert_non_null(text);
	struct theme builtin, file;
	theme_defaults(&builtin);
	memset(&file, 0x55, sizeof(file));
	char *err = NULL;
	assert_int_equal(theme_parse(&file, text, &err), 0);
	assert_null(err);
	assert_memory_equal(&builtin, &file, sizeof(builtin));
	for (int i = 0; i < TR_COUNT; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\n%s = ", theme_role_name(i));
		assert_non_null(strstr(text, needle));
	}
	free(text);
}

static void theme__values__parse_colours_and_attributes(void **state)
{
	struct theme t;
	theme_defaults(&t);
	char *err = NULL;
	assert_int_equal(theme_parse(&t, "# c\n\nmention = bright-red on 17 bold underline\n"
		"time=default dim # trailing comment\n", &err), 0);
	const struct theme_style *m = &t.style[TR_MENTION];
	assert_int_equal(m->fg, 9);
	assert_int_equal(m->bg, 17);
	assert_int_equal(m->attrs, THEME_BOLD | THEME_UNDERLINE);
	assert_int_equal(t.style[TR_TIME].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.style[TR_TIME].attrs, THEME_DIM);
}

static void theme__bad_lines__are_reported_and_skipped(void **state)
{
	struct theme t;
	theme_defaults(&t);
	char *err = NULL;
	assert_int_equal(theme_parse(&t, "code = green\nnope = red\ncode = 300\n"
		"typing = blue on\nday = magenta\n", &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "line 2"));
	free(err);
	assert_int_equal(t.style[TR_CODE].fg, 2);
	assert_int_equal(t.style[TR_DAY].fg, 5); /* lines after a bad one still apply */
}

static void theme__author_index__is_stable_and_in_range(void **state)
{
	assert_int_equal(theme_author_index("alice"), theme_author_index("alice"));
	int seen[THEME_AUTHOR_COLOURS] = { 0 };
	const char *names[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" };
	int distinct = 0;
	for (size_t i = 0; i < 8; i++) {
		int k = theme_author_index(names[i]);
		assert_true(k >= 0 && k < THEME_AUTHOR_COLOURS);
		distinct += !seen[k]++;
	}
	assert_true(distinct >= 3);
	assert_int_equal(theme_author_index(NULL), theme_author_index(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(theme__shipped_file__equals_builtin_and_names_every_role),
		cmocka_unit_test(theme__values__parse_colours_and_attributes),
		cmocka_unit_test(theme__bad_lines__are_reported_and_skipped),
		cmocka_unit_test(theme__author_index__is_stable_and_in_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
