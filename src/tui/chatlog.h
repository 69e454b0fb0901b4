/* chatlog: optional per-channel chat logs, one sanitised line per message, under
 * <dir>/<server>/<channel>.log (both components through fs_safe_name, so a name from the
 * network can never leave the directory). Directories 0700, files 0600. No curses. */
#ifndef MOLTTY_TUI_CHATLOG_H
#define MOLTTY_TUI_CHATLOG_H

#include <stdint.h>

struct chatlog {
	char *dir;          /* NULL until chatlog_set_dir */
	int warned;         /* one notice per failure streak is enough */
};

/* dir "" or NULL: $XDG_DATA_HOME/moltty/logs. */
void chatlog_set_dir(struct chatlog *l, const char *dir);
void chatlog_free(struct chatlog *l);
/* The file for a server and channel name (caller frees). */
char *chatlog_path(const struct chatlog *l, const char *server, const char *channel);
/* Append "YYYY-MM-DDTHH:MM:SSZ <author> text". Returns 0, or -1 with errno set. */
int chatlog_append(struct chatlog *l, const char *server, const char *channel, int64_t ms,
	const char *author, const char *content);

#endif
