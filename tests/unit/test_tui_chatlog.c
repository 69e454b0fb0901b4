/* tui/chatlog and tui/fuzzy: chat log files stay inside their directory, are private and hold
 * one inert line per message; the picker's fuzzy match orders sensibly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "chatlog.h"
#include "fuzzy.h"

static void chatlog__hostile_names__stay_inside_the_directory(void **state)
{
	char tmpl[] = "/tmp/moltty-chatlog-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *dir = fs_join(tmpl, "logs");
	struct chatlog l = { 0 };
	chatlog_set_dir(&l, dir);
	char *p = chatlog_path(&l, "../../etc", "a/../../b");
	assert_true(str_starts_with(p, dir));
	/* No component is "..", and none starts with a dot. */
	assert_null(strstr(p + strlen(dir), "/."));
	free(p);

	assert_int_equal(chatlog_append(&l, "../Gen", ".hidden", 1764504062000LL, "mal\033lory",
		"line one\nline two \033]0;x\007 end"), 0);
	assert_int_equal(chatlog_append(&l, "../Gen", ".hidden", 1764504063000LL, "bob", "hi"), 0);
	p = chatlog_path(&l, "../Gen", ".hidden");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *server_dir = fs_join(dir, "_.._Gen");
	assert_int_equal(stat(p, &st), 0);
	size_t len;
	char *text = fs_read_file(p, &len);
	assert_non_null(text);
	/* Two messages, two lines; no control character survives. */
	int lines = 0;
	for (size_t i = 0; i < len; i++) {
		lines += text[i] == '\n';
		assert_true((unsigned char)text[i] >= 0x20 || text[i] == '\n');
	}
	assert_int_equal(lines, 2);
	assert_non_null(strstr(text, "2025-11-30T12:01:02Z <mal␛lory> line one␊line two ␛]0;x␇ end\n"));
	assert_non_null(strstr(text, "<bob> hi\n"));
	free(text);
	free(server_dir);
	free(p);
	chatlog_free(&l);
	char *cmd = xasprintf("rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void fuzzy__score__orders_matches(void **state)
{
	assert_int_equal(fuzzy_score("", "anything"), 0);
	assert_int_equal(fuzzy_score("xyz", "General/#general"), -1);
	assert_true(fuzzy_score("gen", "General/#general") > 0);
	assert_true(fuzzy_score("RAND", "General/#random") > 0);
	/* In order only. */
	assert_int_equal(fuzzy_score("mr", "General/#random"), -1);
	/* Word starts and runs beat scattered letters. */
	assert_true(fuzzy_score("rev", "Code Review/#reviews") >
		fuzzy_score("rev", "Creative Writing/#prompts-ever"));
	assert_true(fuzzy_score("cr/rev", "Code Review/#reviews") > 0);
	/* Shorter wins a tie. */
	assert_true(fuzzy_score("gen", "X/#general") > fuzzy_score("gen", "X/#general-archive-2024"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chatlog__hostile_names__stay_inside_the_directory),
		cmocka_unit_test(fuzzy__score__orders_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
