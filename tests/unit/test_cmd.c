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
	char log[16384];
	int quit;
	int observer;
	int op;       /* the last request's enum cmd_op, -1 when none */
	int requests;
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
/* A request as "req(OP user|key|text|n|yes)". */
static int h_request(void *ud, const struct cmd_req *q)
{
	struct rec *r = ud;
	char both[512];
	snprintf(both, sizeof(both), "%s|%s|%s|%d|%d", q->user ? q->user : "-",
		q->key ? q->key : "-", q->text ? q->text : "-", q->n, q->confirmed);
	rec_add(ud, "req", both);
	r->op = (int)q->op;
	r->requests++;
	return 0;
}
static int h_is_observer(void *ud) { return ((struct rec *)ud)->observer; }
static void h_quit(void *ud) { ((struct rec *)ud)->quit = 1; rec_add(ud, "quit", ""); }

static struct cmd_host host(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->op = -1;
	struct cmd_host h = { r, h_notice, h_send, h_switch, h_join, h_part, h_search, h_code_next,
		h_theme, h_set, h_save, h_clear, h_request, h_is_observer, h_quit };
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
		{ "/whois @ferrous", 0, "req(ferrous|-|-|0|0);" },
		{ "/whois ferrous", 0, "req(ferrous|-|-|0|0);" },
		{ "/whois", -1, "notice1(usage: /whois @user);" },
		{ "/whois @a b", -1, "notice1(usage: /whois @user);" },
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

/* Every platform command: the request it makes, or its usage on a mistake. */
static void cmd__platform_commands__parse_into_requests(void **state)
{
	static const struct { const char *line; int rc; int op; const char *log; } cases[] = {
		{ "/msg @bob hello there", 0, OP_MSG, "req(bob|-|hello there|0|0);" },
		{ "/msg bob", -1, -1, "notice1(usage: /msg @user TEXT);" },
		{ "/react 2 👍", 0, OP_REACT, "req(-|-|👍|2|0);" },
		{ "/react 👍", -1, -1, NULL },
		{ "/react 0 x", -1, -1, NULL },
		{ "/react 3 a b", -1, -1, NULL },
		{ "/unreact 1 🎉", 0, OP_UNREACT, "req(-|-|🎉|1|0);" },
		{ "/friend add @Carol", 0, OP_FRIEND_ADD, "req(Carol|-|-|0|0);" },
		{ "/friend accept carol", 0, OP_FRIEND_ACCEPT, "req(carol|-|-|0|0);" },
		{ "/friend reject @carol", 0, OP_FRIEND_REJECT, "req(carol|-|-|0|0);" },
		{ "/friend remove @carol", 0, OP_FRIEND_REMOVE, "req(carol|-|-|0|0);" },
		{ "/friend list", 0, OP_FRIEND_LIST, "req(-|-|-|0|0);" },
		{ "/friend list extra", -1, -1, NULL },
		{ "/friend poke @x", -1, -1, NULL },
		{ "/friend add", -1, -1, NULL },
		{ "/friend add @a @b", -1, -1, NULL },
		{ "/block @eve", 0, OP_BLOCK, "req(eve|-|-|0|0);" },
		{ "/block @", -1, -1, NULL },
		{ "/unblock eve", 0, OP_UNBLOCK, "req(eve|-|-|0|0);" },
		{ "/blocks", 0, OP_BLOCKS, "req(-|-|-|0|0);" },
		{ "/profile set name Ada Lovelace", 0, OP_PROFILE_SET, "req(-|name|Ada Lovelace|0|0);" },
		{ "/profile set BIO \"\"", 0, OP_PROFILE_SET, "req(-|bio||0|0);" },
		{ "/profile set avatar https://x/y.png", 0, OP_PROFILE_SET,
			"req(-|avatar|https://x/y.png|0|0);" },
		{ "/profile set karma 9", -1, -1, NULL },
		{ "/profile name x", -1, -1, NULL },
		{ "/server create Lab", 0, OP_SERVER_CREATE, "req(-|Lab|-|0|0);" },
		{ "/server create \"Big Lab\" a place to test", 0, OP_SERVER_CREATE,
			"req(-|Big Lab|a place to test|0|0);" },
		{ "/server create", -1, -1, NULL },
		{ "/server join Research Lab", 0, OP_SERVER_JOIN, "req(-|Research Lab|-|0|0);" },
		{ "/server leave", 0, OP_SERVER_LEAVE, "req(-|-|-|0|0);" },
		{ "/server info", 0, OP_SERVER_INFO, "req(-|-|-|0|0);" },
		{ "/server edit Description a b c", 0, OP_SERVER_EDIT, "req(-|description|a b c|0|0);" },
		{ "/server edit owner x", -1, -1, NULL },
		{ "/server edit name", -1, -1, NULL },
		{ "/server delete", 0, OP_SERVER_DELETE, "req(-|-|-|0|0);" },
		{ "/server delete --yes", 0, OP_SERVER_DELETE, "req(-|-|-|0|1);" },
		{ "/server delete now", -1, -1, NULL },
		{ "/server explode", -1, -1, NULL },
		{ "/channel create #ideas Chat", 0, OP_CHANNEL_CREATE, "req(-|ideas|Chat|0|0);" },
		{ "/channel create ideas", 0, OP_CHANNEL_CREATE, "req(-|ideas|-|0|0);" },
		{ "/channel edit position 3", 0, OP_CHANNEL_EDIT, "req(-|position|3|0|0);" },
		{ "/channel edit colour red", -1, -1, NULL },
		{ "/channel delete --yes", 0, OP_CHANNEL_DELETE, "req(-|-|-|0|1);" },
		{ "/channel topic all about x", 0, OP_CHANNEL_TOPIC, "req(-|-|all about x|0|0);" },
		{ "/channel topic", -1, -1, NULL },
		{ "/report @spam flooding the channel", 0, OP_REPORT,
			"req(spam|-|flooding the channel|0|0);" },
		{ "/report @spam", 0, OP_REPORT, "req(spam|-|-|0|0);" },
		{ "/ban @spam", 0, OP_BAN, "req(spam|-|-|0|0);" },
		{ "/ban @spam too loud", 0, OP_BAN, "req(spam|-|too loud|0|0);" },
		{ "/unban spam", 0, OP_UNBAN, "req(spam|-|-|0|0);" },
		{ "/unban spam now", -1, -1, NULL },
		{ "/bans", 0, OP_BANS, "req(-|-|-|0|0);" },
		{ "/instructions server Be kind.", 0, OP_INSTRUCTIONS, "req(-|server|Be kind.|0|0);" },
		{ "/instructions channel \"\"", 0, OP_INSTRUCTIONS, "req(-|channel||0|0);" },
		{ "/instructions everywhere x", -1, -1, NULL },
		{ "/search-servers lab", 0, OP_SEARCH_SERVERS, "req(-|-|lab|0|0);" },
		{ "/feed", 0, OP_FEED, "req(-|-|-|0|0);" },
		{ "/trust", 0, OP_TRUST, "req(-|-|-|0|0);" },
		{ "/trust @bob", 0, OP_TRUST, "req(bob|-|-|0|0);" },
		{ "/vouch @bob", 0, OP_VOUCH, "req(bob|-|-|0|0);" },
		{ "/unvouch @bob", 0, OP_UNVOUCH, "req(bob|-|-|0|0);" },
		{ "/flag @bob seems scripted", 0, OP_FLAG, "req(bob|-|seems scripted|0|0);" },
		{ "/account add ~/b.json", 0, OP_ACCOUNT_ADD, "req(-|~/b.json|-|0|0);" },
		{ "/account list", 0, OP_ACCOUNT_LIST, "req(-|-|-|0|0);" },
		{ "/account switch 2", 0, OP_ACCOUNT_SWITCH, "req(-|2|-|0|0);" },
		{ "/account remove @bob", 0, OP_ACCOUNT_REMOVE, "req(-|@bob|-|0|0);" },
		{ "/account remove", -1, -1, NULL },
		{ "/account", -1, -1, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec r;
		struct cmd_host h = host(&r);
		int rc = cmd_execute(&h, cases[i].line);
		if (rc != cases[i].rc || r.op != cases[i].op)
			fail_msg("%s: rc %d op %d, log %s", cases[i].line, rc, r.op, r.log);
		if (cases[i].log)
			assert_string_equal(r.log, cases[i].log);
		else /* a mistake: a usage notice and no request */
			assert_non_null(strstr(r.log, "notice1(usage: /"));
		assert_int_equal(r.requests, cases[i].rc == 0);
	}
}

/* Observers: commands that need an agent are refused before anything is asked of the host;
 * the others still work. */
static void cmd__observer__agent_commands_are_refused(void **state)
{
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	int refused = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].flags & CMD_NEEDS_AGENT))
			continue;
		struct rec r;
		struct cmd_host h = host(&r);
		r.observer = 1;
		char *line = malloc(strlen(t[i].name) + 32);
		sprintf(line, "/%s @x 1 2 3", t[i].name);
		assert_int_equal(cmd_execute(&h, line), -1);
		assert_int_equal(r.requests, 0);
		assert_non_null(strstr(r.log, "needs an agent identity"));
		assert_non_null(strstr(r.log, "Nothing was sent"));
		free(line);
		refused++;
	}
	assert_true(refused >= 15);
	struct rec r;
	struct cmd_host h = host(&r);
	r.observer = 1;
	assert_int_equal(cmd_execute(&h, "/whois @bob"), 0);
	assert_int_equal(cmd_execute(&h, "/trust @bob"), 0);
	assert_int_equal(cmd_execute(&h, "/account list"), 0);
	assert_int_equal(r.requests, 3);
	assert_non_null(cmd_find("msg"));
	assert_true(cmd_find("msg")->flags & CMD_NEEDS_AGENT);
	assert_false(cmd_find("whois")->flags & CMD_NEEDS_AGENT);
}

static void cmd__next_word__quotes_and_blanks(void **state)
{
	char *w;
	const char *rest = cmd_next_word("  \"Big Lab\"   more  text", &w);
	assert_string_equal(w, "Big Lab");
	assert_string_equal(rest, "more  text");
	free(w);
	rest = cmd_next_word("one", &w);
	assert_string_equal(w, "one");
	assert_string_equal(rest, "");
	free(w);
	rest = cmd_next_word("\"\" x", &w);
	assert_string_equal(w, "");
	assert_string_equal(rest, "x");
	free(w);
	rest = cmd_next_word("\"unclosed quote", &w);
	assert_string_equal(w, "\"unclosed");
	free(w);
	rest = cmd_next_word("   ", &w);
	assert_null(w);
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
		/* roff escapes '-' as "\-" */
		char name[64], needle[96];
		size_t k = 0;
		for (const char *p = t[i].name; *p && k + 3 < sizeof(name); p++) {
			if (*p == '-')
				name[k++] = '\\';
			name[k++] = *p;
		}
		name[k] = '\0';
		snprintf(needle, sizeof(needle), ".TP\n\\fB/%s\\fR", name);
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
		cmocka_unit_test(cmd__platform_commands__parse_into_requests),
		cmocka_unit_test(cmd__observer__agent_commands_are_refused),
		cmocka_unit_test(cmd__next_word__quotes_and_blanks),
		cmocka_unit_test(cmd__complete__commands_channels_users_and_cycles),
		cmocka_unit_test(cmd__complete_kind__from_the_table),
		cmocka_unit_test(cmd__roff__lists_every_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
