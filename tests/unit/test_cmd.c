/* cmd: parsing input lines and dispatching through the command table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/cmd.h"

/* A host that records what it was asked to do. */
struct rec {
	char log[2048];
	int quit;
};

static void rec_add(struct rec *r, const char *kind, const char *arg)
{
	size_t n = strlen(r->log);
	snprintf(r->log + n, sizeof(r->log) - n, "%s(%s);", kind, arg);
}

static void h_notice(void *ud, int level, const char *text)
{
	char tag[16];
	snprintf(tag, sizeof(tag), "notice%d", level);
	rec_add(ud, tag, text);
}
static int h_send(void *ud, const char *text) { rec_add(ud, "send", text); return 0; }
static int h_switch(void *ud, const char *name) { rec_add(ud, "switch", name); return 0; }
static int h_join(void *ud, const char *key) { rec_add(ud, "join", key); return 0; }
static void h_quit(void *ud) { ((struct rec *)ud)->quit = 1; rec_add(ud, "quit", ""); }

static struct cmd_host host(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	struct cmd_host h = { r, h_notice, h_send, h_switch, h_join, h_quit };
	return h;
}

static void cmd__plain_line__is_sent_as_chat(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	assert_int_equal(cmd_execute(&h, "hello world"), 0);
	assert_string_equal(r.log, "send(hello world);");
}

static void cmd__double_slash__sends_the_slash_text(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	cmd_execute(&h, "//join is a command");
	assert_string_equal(r.log, "send(/join is a command);");
}

static void cmd__blank_line__does_nothing(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	assert_int_equal(cmd_execute(&h, "   "), 0);
	assert_int_equal(cmd_execute(&h, ""), 0);
	assert_string_equal(r.log, "");
}

static void cmd__join_hash__switches_channel(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	assert_int_equal(cmd_execute(&h, "/join   #random  "), 0);
	assert_string_equal(r.log, "switch(random);");
}

static void cmd__join_name__joins_server_with_spaces_kept(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	cmd_execute(&h, "/JOIN Research Lab");
	assert_string_equal(r.log, "join(Research Lab);");
}

static void cmd__join_without_args__prints_usage(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	assert_int_equal(cmd_execute(&h, "/join"), -1);
	assert_non_null(strstr(r.log, "notice1(usage: /join"));
	assert_null(strstr(r.log, "join("));
	cmd_execute(&h, "/join #");
	assert_null(strstr(r.log, "switch("));
}

static void cmd__unknown__gives_a_clear_notice(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	assert_int_equal(cmd_execute(&h, "/frobnicate now"), -1);
	assert_string_equal(r.log, "notice1(unknown command: /frobnicate (try /help));");
	host(&r);
	assert_int_equal(cmd_execute(&h, "/"), -1);
	assert_non_null(strstr(r.log, "unknown command"));
}

static void cmd__quit__calls_quit(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	cmd_execute(&h, "/quit");
	assert_int_equal(r.quit, 1);
}

static void cmd__help__lists_every_command_from_the_table(void **state)
{
	struct rec r;
	struct cmd_host h = host(&r);
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	assert_true(n >= 3);
	cmd_execute(&h, "/help");
	for (size_t i = 0; i < n; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "notice0(/%s", t[i].name);
		assert_non_null(strstr(r.log, needle));
	}
	host(&r);
	cmd_execute(&h, "/help join");
	assert_non_null(strstr(r.log, "notice0(/join #channel | server"));
	host(&r);
	assert_int_equal(cmd_execute(&h, "/help nope"), -1);
	assert_non_null(strstr(r.log, "no such command: nope"));
}

static void cmd__find__ignores_case_and_slash(void **state)
{
	assert_non_null(cmd_find("/Quit"));
	assert_non_null(cmd_find("help"));
	assert_null(cmd_find("qui"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmd__plain_line__is_sent_as_chat),
		cmocka_unit_test(cmd__double_slash__sends_the_slash_text),
		cmocka_unit_test(cmd__blank_line__does_nothing),
		cmocka_unit_test(cmd__join_hash__switches_channel),
		cmocka_unit_test(cmd__join_name__joins_server_with_spaces_kept),
		cmocka_unit_test(cmd__join_without_args__prints_usage),
		cmocka_unit_test(cmd__unknown__gives_a_clear_notice),
		cmocka_unit_test(cmd__quit__calls_quit),
		cmocka_unit_test(cmd__help__lists_every_command_from_the_table),
		cmocka_unit_test(cmd__find__ignores_case_and_slash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
