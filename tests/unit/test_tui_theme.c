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

static void theme__every_builtin__equals_its_shipped_file(void **state)
{
	for (const char *const *name = theme_builtin_names(); *name; name++) {
		char path[256];
		snprintf(path, sizeof(path), THEMES_DIR "/%s.theme", *name);
		char *text = fs_read_file(path, NULL);
		assert_non_null(text);
		struct theme builtin, file;
		char *err = NULL;
		theme_defaults(&builtin);
		assert_int_equal(theme_parse(&builtin, theme_builtin_text(*name), &err), 0);
		theme_defaults(&file);
		assert_int_equal(theme_parse(&file, text, &err), 0);
		assert_null(err);
		assert_memory_equal(&builtin, &file, sizeof(builtin));
		/* Complete: every role is set by the theme itself. */
		for (int i = 0; i < TR_COUNT; i++) {
			char needle[64];
			snprintf(needle, sizeof(needle), "\n%s = ", theme_role_name(i));
			assert_non_null(strstr(text, needle));
		}
		free(text);
	}
	assert_null(theme_builtin_text("nope"));
}

static void theme__template__documents_every_role(void **state)
{
	char *text = fs_read_file(THEMES_DIR "/template.theme", NULL);
	assert_non_null(text);
	struct theme t;
	char *err = NULL;
	theme_defaults(&t);
	assert_int_equal(theme_parse(&t, text, &err), 0);
	for (int i = 0; i < TR_COUNT; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\n%s = ", theme_role_name(i));
		const char *at = strstr(text, needle);
		assert_non_null(at);
		/* The line before it is a comment saying what the role colours. */
		const char *prev = at - 1;
		while (prev > text && prev[-1] != '\n')
			prev--;
		assert_int_equal(prev[0], '#');
		assert_true(at - prev > 10);
	}
	free(text);
}

static void theme__rgb__parses_and_is_not_a_comment(void **state)
{
	struct theme t;
	char *err = NULL;
	theme_defaults(&t);
	assert_int_equal(theme_parse(&t, "code = #1a2B3c on #000000 bold # a comment\n"
		"# #abcdef whole-line comment\nday=#ff0000\n", &err), 0);
	assert_int_equal(t.style[TR_CODE].fg, THEME_RGB(0x1a, 0x2b, 0x3c));
	assert_int_equal(t.style[TR_CODE].bg, THEME_RGB(0, 0, 0));
	assert_int_equal(t.style[TR_CODE].attrs, THEME_BOLD);
	assert_int_equal(t.style[TR_DAY].fg, THEME_RGB(0xff, 0, 0));
	assert_int_equal(theme_parse(&t, "code = #12345\n", &err), -1);
	free(err);
	assert_int_equal(theme_parse(&t, "code = #12345g\n", &err), -1);
	free(err);
}

static void theme__colour_fallback__picks_the_nearest(void **state)
{
	int orange = THEME_RGB(0xff, 0x87, 0x00);
	/* 256 colours: #ff8700 is cube entry 208 exactly. */
	assert_int_equal(theme_colour_fit(orange, 256), 208);
	/* Direct colour keeps the RGB value; low ANSI indexes stay, others become RGB. */
	assert_int_equal(theme_colour_fit(orange, 1 << 24), 0xff8700);
	assert_int_equal(theme_colour_fit(3, 1 << 24), 3);
	assert_int_equal(theme_colour_fit(196, 1 << 24), 0xff0000);
	/* 16 and 8 colours: nearest of the basic palette. */
	assert_int_equal(theme_colour_fit(THEME_RGB(0xff, 0, 0), 16), 9);
	assert_int_equal(theme_colour_fit(THEME_RGB(0xff, 0, 0), 8), 1);
	assert_int_equal(theme_colour_fit(THEME_RGB(0x10, 0x10, 0x10), 8), 0);
	assert_int_equal(theme_colour_fit(THEME_RGB(0xfa, 0xfa, 0xfa), 16), 15);
	assert_int_equal(theme_colour_fit(196, 16), 9);       /* 256 -> 16 */
	assert_int_equal(theme_colour_fit(12, 8), 4);         /* bright blue -> blue */
	assert_int_equal(theme_colour_fit(5, 8), 5);          /* fits: unchanged */
	assert_int_equal(theme_colour_fit(THEME_COLOR_DEFAULT, 8), THEME_COLOR_DEFAULT);
	/* RGB on 256 colours never lands on the (user-redefinable) first 16. */
	assert_true(theme_colour_fit(THEME_RGB(0xcd, 0, 0), 256) >= 16);
	assert_int_equal(theme_colour_rgb(16), 0x000000);
	assert_int_equal(theme_colour_rgb(231), 0xffffff);
	assert_int_equal(theme_colour_rgb(232), 0x080808);
}

static void theme__load__by_name_file_or_error(void **state)
{
	struct theme t, light;
	char *err = NULL;
	assert_int_equal(theme_load(&t, "light", &err), 0);
	assert_null(err);
	theme_defaults(&light);
	theme_parse(&light, theme_builtin_text("light"), &err);
	assert_memory_equal(&t, &light, sizeof(t));
	assert_int_equal(theme_load(&t, "no-such-theme", &err), -2);
	assert_non_null(strstr(err, "unknown theme"));
	free(err);
	assert_int_equal(theme_load(&t, "..hidden", &err), -2);
	free(err);
	assert_int_equal(theme_load(&t, THEMES_DIR "/mono.theme", &err), 0);
	assert_int_equal(t.style[TR_SELECTED].attrs, THEME_REVERSE);
	assert_int_equal(t.style[TR_SELECTED].fg, THEME_COLOR_DEFAULT);
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
		cmocka_unit_test(theme__every_builtin__equals_its_shipped_file),
		cmocka_unit_test(theme__template__documents_every_role),
		cmocka_unit_test(theme__rgb__parses_and_is_not_a_comment),
		cmocka_unit_test(theme__colour_fallback__picks_the_nearest),
		cmocka_unit_test(theme__load__by_name_file_or_error),
		cmocka_unit_test(theme__values__parse_colours_and_attributes),
		cmocka_unit_test(theme__bad_lines__are_reported_and_skipped),
		cmocka_unit_test(theme__author_index__is_stable_and_in_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
