/* cmd: the command table. One declarative entry per command (name, arguments, help, handler)
 * drives dispatch, /help and (later) completion. No curses and no network here: handlers act
 * through a cmd_host, a small set of callbacks the UI provides, so the table is unit-tested
 * without a terminal or a server. */
#ifndef MOLTTY_CMD_H
#define MOLTTY_CMD_H

#include <stddef.h>

/* What commands can ask the UI to do. Every callback is required. Return values: 0 done,
 * -1 failed (the host already said why with a notice). */
struct cmd_host {
	void *ud;
	void (*notice)(void *ud, int level, const char *text); /* 0 info, 1 warning, 2 error */
	int (*send)(void *ud, const char *text);               /* chat text to the current channel */
	int (*switch_channel)(void *ud, const char *name);     /* "general" (no '#') in this server */
	int (*join_server)(void *ud, const char *name_or_id);  /* switch to it, or join it */
	void (*quit)(void *ud);
};

struct cmd_def {
	const char *name;  /* without the '/' */
	const char *args;  /* usage synopsis, "" when none */
	const char *help;  /* one line */
	int min_args;      /* words required after the name */
	/* args: the text after the name with surrounding spaces trimmed ("" when none). */
	int (*handler)(const struct cmd_host *h, const char *args);
};

const struct cmd_def *cmd_table(size_t *n);
/* Exact name, case-insensitive, with or without the leading '/'. NULL when unknown. */
const struct cmd_def *cmd_find(const char *name);

/* Run one input line: "/name args" runs a command, "//text" sends "/text", anything else is
 * sent as chat. Blank lines do nothing. Returns the handler's result, 0 for blank lines, -1 for
 * an unknown command or missing arguments (after a notice). */
int cmd_execute(const struct cmd_host *h, const char *line);

#endif
