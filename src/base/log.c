/* File (or stderr) log. Each message is redacted, then sanitised to one inert line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/utf8.h"

static FILE *log_fp;
static int log_fp_owned;
static enum log_level log_min = LOG_INFO;

int log_open(const char *path, enum log_level min)
{
	log_close();
	log_min = min;
	if (!path) {
		log_fp = stderr;
		log_fp_owned = 0;
		return 0;
	}
	/* Logs may hold user names and message text: keep them private to the user. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	FILE *fp = fdopen(fd, "a");
	if (!fp) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	log_fp = fp;
	log_fp_owned = 1;
	return 0;
}

void log_close(void)
{
	if (log_fp && log_fp_owned)
		fclose(log_fp);
	log_fp = NULL;
	log_fp_owned = 0;
}

void log_set_level(enum log_level min)
{
	log_min = min;
}

static const char *level_name(enum log_level lvl)
{
	switch (lvl) {
	case LOG_DEBUG:
		return "DEBUG";
	case LOG_INFO:
		return "INFO";
	case LOG_WARN:
		return "WARN";
	case LOG_ERROR:
		return "ERROR";
	}
	return "?";
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (!log_fp || lvl < log_min)
		return;
	int saved_errno = errno; /* callers may log between a failure and reading errno */
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *redacted = log_redact(raw);
	char *clean = utf8_sanitize(redacted, 0);
	char stamp[ISO_TIME_LEN];
	iso_now(stamp);
	fprintf(log_fp, "%s %s %s\n", stamp, level_name(lvl), clean);
	fflush(log_fp);
	free(clean);
	free(redacted);
	free(raw);
	errno = saved_errno;
}
