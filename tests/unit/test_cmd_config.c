/* cmd/config: settings parsing, validation, formatting and the generated man section. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/config.h"
#include "moltty/fsutil.h"

static void config__defaults__match_the_table(void **state)
{
	struct config c;
	config_init(&c);
	assert_string_equal(c.theme, "default");
	assert_string_equal(c.timestamp_format, "%H:%M");
	assert_int_equal(c.show_members, 1);
	assert_int_equal(c.log_messages, 0);
	assert_int_equal(c.scrollback_max, 5000);
	assert_string_equal(c.notify_command, "");
	size_t n;
	const struct config_key *k = config_keys(&n);
	for (size_t i = 0; i < n; i++) {
		char *v = config_get(&c, k[i].name);
		assert_string_equal(v, k[i].def);
		free(v);
	}
	static const char *const required[] = { "theme", "timestamp_format", "show_members",
		"show_servers", "servers_width", "members_width", "channels_width", "set_title", "bell",
		"notify_command", "log_messages", "log_dir", "scrollback_max" };
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert_non_null(config_key_find(required[i]));
	config_free(&c);
}

static void config__parse__applies_good_lines_and_names_the_bad_one(void **state)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	int rc = config_parse(&c, "# comment\n\n theme = light \nbell = off\n"
		"members_width = 999\nwhat = ever\nnotify_command = notify-send -u low\n"
		"timestamp_format = \"%H:%M:%S \"\nlog_messages=yes\nno equals sign\n", &err);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "line 5"));
	assert_non_null(strstr(err, "members_width"));
	free(err);
	assert_string_equal(c.theme, "light");
	assert_int_equal(c.bell, 0);
	assert_int_equal(c.members_width, 20);       /* out of range: unchanged */
	assert_string_equal(c.notify_command, "notify-send -u low");
	assert_string_equal(c.timestamp_format, "%H:%M:%S ");
	assert_int_equal(c.log_messages, 1);
	config_free(&c);
}

static void config__set__validates_types(void **state)
{
	struct config c;
	config_init(&c);
	char *err = NULL;
	assert_int_equal(config_set(&c, "show_members", "maybe", &err), -1);
	assert_non_null(strstr(err, "yes or no"));
	free(err);
	assert_int_equal(config_set(&c, "servers_width", "12x", &err), -1);
	free(err);
	assert_int_equal(config_set(&c, "nope", "1", &err), -1);
	assert_non_null(strstr(err, "unknown setting"));
	free(err);
	assert_int_equal(config_set(&c, "SHOW_MEMBERS", "off", &err), 0);
	assert_int_equal(c.show_members, 0);
	assert_int_equal(config_set(&c, "scrollback_max", "0", &err), 0);
	assert_int_equal(c.scrollback_max, 0);
	assert_int_equal(config_set(&c, "log_dir", "a\nb", &err), -1);
	free(err);
	config_free(&c);
}

static void config__format__round_trips_and_comments_defaults(void **state)
{
	struct config c, back;
	config_init(&c);
	char *err = NULL;
	config_set(&c, "theme", "mono", &err);
	config_set(&c, "timestamp_format", " %H:%M ", &err);
	config_set(&c, "members_width", "33", &err);
	char *text = config_format(&c);
	assert_non_null(strstr(text, "\ntheme = mono\n"));
	assert_non_null(strstr(text, "\n#bell = yes\n"));        /* a default: commented out */
	config_init(&back);
	assert_int_equal(config_parse(&back, text, &err), 0);
	assert_string_equal(back.theme, "mono");
	assert_string_equal(back.timestamp_format, " %H:%M ");
	assert_int_equal(back.members_width, 33);
	/* Every key is documented in the file with a comment. */
	size_t n;
	const struct config_key *k = config_keys(&n);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strstr(text, k[i].name));
	free(text);
	config_free(&c);
	config_free(&back);
}

static void config__man_page__documents_every_key(void **state)
{
	char *roff = config_roff();
	char *man = fs_read_file(MAN_PAGE, NULL);
	assert_non_null(man);
	size_t n;
	const struct config_key *k = config_keys(&n);
	for (size_t i = 0; i < n; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\\fB%s\\fR", k[i].name);
		assert_non_null(strstr(roff, needle));
		assert_non_null(strstr(man, needle));
	}
	free(man);
	free(roff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config__defaults__match_the_table),
		cmocka_unit_test(config__parse__applies_good_lines_and_names_the_bad_one),
		cmocka_unit_test(config__set__validates_types),
		cmocka_unit_test(config__format__round_trips_and_comments_defaults),
		cmocka_unit_test(config__man_page__documents_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
