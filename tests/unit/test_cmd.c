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
static int h_send(void *ud, const char *text, int code)
{
	rec_add(ud, code ? "code" : "send", text);
	return 0;
}
static int h_switch(void *ud, const char *name) { rec_add(ud, "switch", name); return 0; }
static int h_join(void *ud, const char *key) { rec_add(ud, "join", key); return 0; }
static int h_part(void *ud) { rec_add(ud, "part", ""); return 0; }
static int h_search(void *ud, const char *q) { rec_add(ud, "search", q); return 0; }
static void h_code_next(void *ud) { rec_add(ud, "code_next", ""); }
static int h_theme(void *ud, const char *n) { rec_add(ud, "theme", n); return 0; }
static int h_set(void *ud, const char *k, const char *v)
{
	char both[256];
	snprintf(both, sizeof(both), "%s=%s", k ? k : "(null)", v ? v : "(null)");
	rec_add(ud, "set", both);
	return 0;
}
static int h_save(void *ud) { rec_add(ud, "save", ""); return 0; }
static int h_clear(void *ud) { rec_add(ud, "clear", ""); return 0; }
static int h_whois(void *ud, const char *u) { rec_add(ud, "whois", u); return 0; }
static void h_quit(void *ud) { ((struct rec *)ud)->quit = 1; rec_add(ud, "quit", ""); }

static struct cmd_host host(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	struct cmd_host h = { r, h_notice, h_send, h_switch, h_join, h_part, h_search, h_code_next,
		h_theme, h_set, h_save, h_clear, h_whois, h_quit };
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

static void cmd__every_command__happy_path_and_error_path(void **state)
{
	static const struct { const char *line; int rc; const char *log; } cases[] = {
		{ "/part", 0, "part();" },
		{ "/leave", 0, "part();" },
		{ "/search needle  in haystack", 0, "search(needle  in haystack);" },
		{ "/search", -1, "notice1(usage: /search TEXT);" },
		{ "/code int x;", 0, "code(int x;);" },
		{ "/code", 0, "code_next();" },
		{ "/clear", 0, "clear();" },
		{ "/whois @ferrous", 0, "whois(ferrous);" },
		{ "/whois ferrous", 0, "whois(ferrous);" },
		{ "/whois", -1, "notice1(usage: /whois @user);" },
		{ "/whois @a b", -1, "notice1(usage: /whois @username);" },
		{ "/theme light", 0, "theme(light);" },
		{ "/theme", -1, "notice1(usage: /theme NAME);" },
		{ "/set", 0, "set((null)=(null));" },
		{ "/set bell", 0, "set(bell=(null));" },
		{ "/set timestamp_format %H:%M:%S", 0, "set(timestamp_format=%H:%M:%S);" },
		{ "/set save", 0, "save();" },
		{ "/quit", 0, "quit();" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec r;
		struct cmd_host h = host(&r);
		assert_int_equal(cmd_execute(&h, cases[i].line), cases[i].rc);
		assert_string_equal(r.log, cases[i].log);
	}
}

static size_t fake_candidates(void *ud, enum cmd_complete kind, char ***out)
{
	static const char *const channels[] = { "#general", "#random", "#ranch" };
	static const char *const users[] = { "@ferrous", "@fern", "@ada_loop", "@ferrous" };
	const char *const *v = kind == CC_USER ? users : channels;
	size_t n = kind == CC_USER ? 4 : kind == CC_CHANNEL || kind == CC_CHANNEL_OR_SERVER ? 3 : 0;
	*out = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = strdup(v[i]);
	return n;
}

static char *complete(struct cmd_completion *st, const char *text, size_t cursor)
{
	char *out = NULL;
	size_t cur;
	if (!cmd_complete(st, text, cursor, fake_candidates, NULL, &out, &cur))
		return NULL;
	return out;
}

static void cmd__complete__commands_channels_users_and_cycles(void **state)
{
	struct cmd_completion st = { 0 };
	char *s = complete(&st, "/he", 3);
	assert_string_equal(s, "/help ");
	free(s);
	cmd_completion_reset(&st);

	s = complete(&st, "see #ran", 8);
	assert_string_equal(s, "see #random ");
	char *again = complete(&st, s, strlen(s));   /* Tab again: the next match */
	assert_string_equal(again, "see #ranch ");
	char *wrap = complete(&st, again, strlen(again));
	assert_string_equal(wrap, "see #random ");
	free(s);
	free(again);
	free(wrap);
	cmd_completion_reset(&st);

	/* Users: in the order given (most recently active first), deduplicated, any case. */
	s = complete(&st, "hi @FER there", 7);
	assert_string_equal(s, "hi @ferrous there");
	again = complete(&st, s, 12);
	assert_string_equal(again, "hi @fern there");
	wrap = complete(&st, again, 9);
	assert_string_equal(wrap, "hi @ferrous there");
	free(s);
	free(again);
	free(wrap);
	cmd_completion_reset(&st);

	/* Arguments by the table's kind: settings, command names for /help. */
	s = complete(&st, "/set scroll", 11);
	assert_string_equal(s, "/set scrollback_max ");
	free(s);
	cmd_completion_reset(&st);
	s = complete(&st, "/help qu", 8);
	assert_string_equal(s, "/help quit ");
	free(s);
	cmd_completion_reset(&st);
	s = complete(&st, "/join #gen", 10);
	assert_string_equal(s, "/join #general ");
	free(s);
	cmd_completion_reset(&st);

	/* Nothing to complete. */
	assert_null(complete(&st, "plain words", 11));
	assert_null(complete(&st, "#zzz", 4));
	assert_null(complete(&st, "/nosuchcmd ar", 13));
	cmd_completion_reset(&st);
}

static void cmd__complete_kind__from_the_table(void **state)
{
	size_t start;
	assert_int_equal(cmd_complete_kind("/th", 3, &start), CC_COMMAND);
	assert_int_equal(start, 0);
	assert_int_equal(cmd_complete_kind("/theme li", 9, &start), CC_THEME);
	assert_int_equal(start, 7);
	assert_int_equal(cmd_complete_kind("/whois f", 8, &start), CC_USER);
	assert_int_equal(cmd_complete_kind("/theme light x", 14, &start), CC_NONE);
	assert_int_equal(cmd_complete_kind("//x #g", 6, &start), CC_CHANNEL);
	/* Every command declares a kind the completer knows. */
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	for (size_t i = 0; i < n; i++)
		assert_true(t[i].complete >= CC_NONE && t[i].complete <= CC_SETTING);
}

static void cmd__roff__lists_every_command(void **state)
{
	char *roff = cmd_roff();
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	for (size_t i = 0; i < n; i++) {
		char needle[64];
		snprintf(needle, sizeof(needle), ".TP\n\\fB/%s\\fR", t[i].name);
		assert_non_null(strstr(roff, needle));
	}
	/* Hyphens are escaped so man renders them as minus signs. */
	assert_non_null(strstr(roff, "high\\-contrast"));
	free(roff);
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
		cmocka_unit_test(cmd__every_command__happy_path_and_error_path),
		cmocka_unit_test(cmd__complete__commands_channels_users_and_cycles),
		cmocka_unit_test(cmd__complete_kind__from_the_table),
		cmocka_unit_test(cmd__roff__lists_every_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
