/* fsutil: atomic and exclusive writes, modes, directories, XDG paths and safe names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"

static char tmpdir[64];

static int make_dir(void **state)
{
	strcpy(tmpdir, "/tmp/moltty-test-fs-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void fs__write_atomic__mode_content_and_replace(void **state)
{
	char *path = fs_join(tmpdir, "creds.json");
	assert_int_equal(fs_write_atomic(path, "first", 5, 0600), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(fs_is_group_or_world_accessible(path));

	/* replacing a 0644 file yields the requested mode, not the old one */
	assert_int_equal(chmod(path, 0644), 0);
	assert_true(fs_is_group_or_world_accessible(path));
	assert_int_equal(fs_write_atomic(path, "second\0x", 8, 0600), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	size_t len = 0;
	char *data = fs_read_file(path, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(data, "second\0x", 8);
	free(data);
	assert_int_equal(count_entries(tmpdir), 1); /* no temp file left behind */
	free(path);
}

static void fs__write_atomic__failure_keeps_old_file(void **state)
{
	char *path = fs_join(tmpdir, "keep.txt");
	assert_int_equal(fs_write_atomic(path, "old contents", 12, 0600), 0);

	/* A file size limit makes the write itself fail (EFBIG) half way. */
	struct rlimit saved, small = { 16, 16 };
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small.rlim_max = saved.rlim_max;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	char big[4096];
	memset(big, 'x', sizeof(big));
	int rc = fs_write_atomic(path, big, sizeof(big), 0600);
	int err = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old_handler);
	assert_int_equal(rc, -1);
	assert_int_equal(err, EFBIG);

	char *data = fs_read_file(path, NULL);
	assert_string_equal(data, "old contents");
	free(data);
	assert_int_equal(count_entries(tmpdir), 1);

	/* a missing directory fails cleanly too */
	char *nowhere = fs_join(tmpdir, "missing/dir/file");
	assert_int_equal(fs_write_atomic(nowhere, "x", 1, 0600), -1);
	assert_int_equal(errno, ENOENT);
	free(nowhere);
	free(path);
}

static void fs__write_new__never_overwrites(void **state)
{
	char *path = fs_join(tmpdir, "agent.pem");
	assert_int_equal(fs_write_new(path, "key one", 7, 0600), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_nlink, 1); /* the temp link is gone */
	assert_int_equal(fs_write_new(path, "key two", 7, 0600), -1);
	assert_int_equal(errno, EEXIST);
	char *data = fs_read_file(path, NULL);
	assert_string_equal(data, "key one");
	free(data);
	assert_int_equal(count_entries(tmpdir), 1);
	free(path);
}

static void fs__read_file__missing_sets_errno(void **state)
{
	char *path = fs_join(tmpdir, "nope");
	errno = 0;
	assert_null(fs_read_file(path, NULL));
	assert_int_equal(errno, ENOENT);
	free(path);
	/* a file larger than one read chunk */
	path = fs_join(tmpdir, "big");
	char *big = xmalloc(100000);
	for (size_t i = 0; i < 100000; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(fs_write_atomic(path, big, 100000, 0644), 0);
	size_t len;
	char *back = fs_read_file(path, &len);
	assert_int_equal(len, 100000);
	assert_memory_equal(back, big, 100000);
	assert_int_equal(back[len], '\0');
	free(back);
	free(big);
	free(path);
}

static void fs__mkdir_p__nested_with_mode(void **state)
{
	char *deep = fs_join(tmpdir, "a/b/c/");
	assert_int_equal(fs_mkdir_p(deep, 0700), 0);
	assert_int_equal(fs_mkdir_p(deep, 0700), 0); /* idempotent */
	struct stat st;
	char *mid = fs_join(tmpdir, "a/b");
	assert_int_equal(stat(mid, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	char *file = fs_join(tmpdir, "a/file");
	assert_int_equal(fs_write_atomic(file, "x", 1, 0600), 0);
	char *under_file = fs_join(file, "sub");
	assert_int_equal(fs_mkdir_p(under_file, 0700), -1);
	assert_int_equal(fs_mkdir_p(file, 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	free(deep);
	free(mid);
	free(file);
	free(under_file);
}

static void expect_str(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void fs__paths__join_home_and_xdg(void **state)
{
	expect_str(fs_join("a", "b"), "a/b");
	expect_str(fs_join("a/", "/b"), "a/b");
	expect_str(fs_join("/", "b"), "/b");
	expect_str(fs_join("", "b"), "b");
	expect_str(fs_join("a", ""), "a");

	setenv("HOME", "/home/tester", 1);
	expect_str(fs_expand_home("~/x/y"), "/home/tester/x/y");
	expect_str(fs_expand_home("~"), "/home/tester");
	expect_str(fs_expand_home("~other/x"), "~other/x");
	expect_str(fs_expand_home("/abs"), "/abs");

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_DATA_HOME");
	expect_str(fs_xdg_config("moltty"), "/home/tester/.config/moltty");
	expect_str(fs_xdg_state("moltty"), "/home/tester/.local/state/moltty");
	expect_str(fs_xdg_data("moltty"), "/home/tester/.local/share/moltty");
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	setenv("XDG_STATE_HOME", "relative/ignored", 1);
	expect_str(fs_xdg_config("moltty"), "/cfg/moltty");
	expect_str(fs_xdg_state("moltty"), "/home/tester/.local/state/moltty");
	expect_str(fs_xdg_config(NULL), "/cfg");
}

static void fs__safe_name__hostile_names(void **state)
{
	expect_str(fs_safe_name("../../etc/passwd"), "_._.._etc_passwd");
	expect_str(fs_safe_name(""), "_");
	expect_str(fs_safe_name(NULL), "_");
	expect_str(fs_safe_name("."), "_");
	expect_str(fs_safe_name(".."), "_.");
	expect_str(fs_safe_name(".hidden"), "_hidden");
	expect_str(fs_safe_name("general-chat_2.log"), "general-chat_2.log");
	expect_str(fs_safe_name("caf\xC3\xA9 \xE6\x97\xA5"), "caf______");
	expect_str(fs_safe_name("a/b\\c\nd"), "a_b_c_d");
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char *s = fs_safe_name(longname);
	assert_int_equal(strlen(s), 64);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fs__write_atomic__mode_content_and_replace, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(fs__write_atomic__failure_keeps_old_file, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(fs__write_new__never_overwrites, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(fs__read_file__missing_sets_errno, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(fs__mkdir_p__nested_with_mode, make_dir, remove_dir),
		cmocka_unit_test(fs__paths__join_home_and_xdg),
		cmocka_unit_test(fs__safe_name__hostile_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
