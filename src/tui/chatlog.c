/* Chat logs: append-only text files, one message per line. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/utf8.h"
#include "chatlog.h"

void chatlog_set_dir(struct chatlog *l, const char *dir)
{
	free(l->dir);
	l->dir = dir && *dir ? fs_expand_home(dir) : fs_xdg_data("moltty/logs");
	l->warned = 0;
}

void chatlog_free(struct chatlog *l)
{
	free(l->dir);
	l->dir = NULL;
}

char *chatlog_path(const struct chatlog *l, const char *server, const char *channel)
{
	char *s = fs_safe_name(server), *c = fs_safe_name(channel);
	char *file = xasprintf("%s.log", c);
	char *sub = fs_join(l->dir, s);
	char *path = fs_join(sub, file);
	free(sub);
	free(file);
	free(s);
	free(c);
	return path;
}

int chatlog_append(struct chatlog *l, const char *server, const char *channel, int64_t ms,
	const char *author, const char *content)
{
	if (!l->dir)
		chatlog_set_dir(l, NULL);
	char *s = fs_safe_name(server);
	char *sub = fs_join(l->dir, s);
	free(s);
	int rc = fs_mkdir_p(sub, 0700);
	free(sub);
	if (rc != 0)
		return -1;
	char *path = chatlog_path(l, server, channel);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;

	char when[32];
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(when, "?");
	/* keep_newlines 0: a newline in the text becomes a visible symbol, so one line per
	 * message holds and nobody can forge a line. */
	char *who = utf8_sanitize(author ? author : "?", 0);
	char *text = utf8_sanitize(content ? content : "", 0);
	char *line = xasprintf("%s <%s> %s\n", when, who, text);
	size_t len = strlen(line), off = 0;
	rc = 0;
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	free(line);
	free(who);
	free(text);
	return rc;
}
