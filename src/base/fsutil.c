/* Files and paths: whole-file reads, crash-safe writes, XDG directories, safe file names. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"

#define SAFE_NAME_MAX 64

char *fs_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct buf b = BUF_INIT;
	buf_reserve(&b, 0);
	for (;;) {
		buf_reserve(&b, 4096);
		ssize_t r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			close(fd);
			buf_free(&b);
			errno = saved;
			return NULL;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	b.data[b.len] = '\0';
	if (len)
		*len = b.len;
	return buf_steal(&b);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	char *copy = xstrdup(path);
	char *dir = xstrdup(dirname(copy));
	free(copy);
	return dir;
}

/* fsync the directory holding path so a rename or link survives a crash. */
static int fsync_dir_of(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Create a fully written, fsynced temp file next to path. Returns its name (caller frees and
 * removes it) or NULL with errno set. The mode is set before any byte is written. */
static char *write_temp(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int saved = errno;
		free(tmp);
		errno = saved;
		return NULL;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return NULL;
	}
	if (close(fd) < 0) {
		int saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return NULL;
	}
	return tmp;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = write_temp(path, data, len, mode);
	if (!tmp)
		return -1;
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	return fsync_dir_of(path);
}

int fs_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = write_temp(path, data, len, mode);
	if (!tmp)
		return -1;
	/* link(2) fails with EEXIST instead of replacing: no window where another writer loses. */
	int rc = link(tmp, path);
	int saved = errno;
	unlink(tmp);
	free(tmp);
	if (rc < 0) {
		errno = saved;
		return -1;
	}
	return fsync_dir_of(path);
}

int fs_mkdir_p(const char *path, mode_t mode)
{
	if (!path || !*path) {
		errno = ENOENT;
		return -1;
	}
	char *p = xstrdup(path);
	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char saved_c = *q;
		*q = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			int saved = errno;
			free(p);
			errno = saved;
			return -1;
		}
		*q = saved_c;
		if (saved_c == '\0')
			break;
	}
	struct stat st;
	int rc = stat(p, &st);
	free(p);
	if (rc < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

char *fs_join(const char *a, const char *b)
{
	if (!a || !*a)
		return xstrdup(b ? b : "");
	if (!b || !*b)
		return xstrdup(a);
	size_t alen = strlen(a);
	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	while (*b == '/')
		b++;
	if (alen == 1 && a[0] == '/')
		return xasprintf("/%s", b);
	return xasprintf("%.*s/%s", (int)alen, a, b);
}

static char *xdg_dir(const char *env, const char *fallback, const char *sub)
{
	const char *base = getenv(env);
	char *dir;
	/* The XDG spec says relative values are invalid and must be ignored. */
	if (base && base[0] == '/') {
		dir = xstrdup(base);
	} else {
		const char *home = getenv("HOME");
		dir = fs_join(home && *home ? home : "/", fallback);
	}
	if (!sub || !*sub)
		return dir;
	char *joined = fs_join(dir, sub);
	free(dir);
	return joined;
}

char *fs_xdg_config(const char *sub)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config", sub);
}

char *fs_xdg_state(const char *sub)
{
	return xdg_dir("XDG_STATE_HOME", ".local/state", sub);
}

char *fs_xdg_data(const char *sub)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share", sub);
}

char *fs_expand_home(const char *path)
{
	if (!path)
		return NULL;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		const char *home = getenv("HOME");
		return fs_join(home && *home ? home : "/", path[1] ? path + 2 : "");
	}
	return xstrdup(path);
}

char *fs_safe_name(const char *s)
{
	char out[SAFE_NAME_MAX + 1];
	size_t n = 0;
	for (const char *p = s ? s : ""; *p && n < SAFE_NAME_MAX; p++) {
		char c = *p;
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
	/* A leading '.' would hide the file and allows "." and ".."; '.' never leads. */
	if (n > 0 && out[0] == '.')
		out[0] = '_';
	if (n == 0)
		return xstrdup("_");
	return xstrdup(out);
}

int fs_is_group_or_world_accessible(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	return (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
}
