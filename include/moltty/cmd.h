/* cmd: the command table. One declarative entry per command (name, arguments, help, completion
 * kind, handler) drives dispatch, /help, Tab completion and the man page's COMMANDS section.
 * No curses and no network here: handlers act through a cmd_host, a small set of callbacks
 * the UI provides, so the table is unit-tested without a terminal or a server. */
#ifndef MOLTTY_CMD_H
#define MOLTTY_CMD_H

#include <stddef.h>

/* What commands can ask the UI to do. Every callback is required. Return values: 0 done,
 * -1 failed (the host already said why with a notice). */
struct cmd_host {
	void *ud;
	void (*notice)(void *ud, int level, const char *text); /* 0 info, 1 warning, 2 error */
	/* Chat text to the current channel; code: send with contentType "code". */
	int (*send)(void *ud, const char *text, int code);
	int (*switch_channel)(void *ud, const char *name);     /* "general" (no '#') in this server */
	int (*join_server)(void *ud, const char *name_or_id);  /* switch to it, or join it */
	int (*part)(void *ud);                                 /* close the current channel's view */
	int (*search)(void *ud, const char *text);             /* search the current scrollback */
	void (*code_next)(void *ud);                           /* send the next line as code */
	int (*theme)(void *ud, const char *name);              /* switch the theme live */
	/* key NULL: list every setting; value NULL: show one; else change it live. */
	int (*set)(void *ud, const char *key, const char *value);
	int (*save_config)(void *ud);
	int (*clear)(void *ud);                                /* empty the view (not the model) */
	int (*whois)(void *ud, const char *username);          /* without '@' */
	void (*quit)(void *ud);
};

/* What Tab completes in a command's first argument. */
enum cmd_complete {
	CC_NONE = 0,
	CC_COMMAND,            /* command names */
	CC_CHANNEL,            /* "#name" in the current server */
	CC_CHANNEL_OR_SERVER,  /* "#name" or a server name */
	CC_USER,               /* "@username", most recently active first */
	CC_THEME,              /* theme names */
	CC_SETTING,            /* config keys, and "save" */
};

struct cmd_def {
	const char *name;  /* without the '/' */
	const char *args;  /* usage synopsis, "" when none */
	const char *help;  /* one sentence (also the man page's text) */
	int min_args;      /* words required after the name */
	enum cmd_complete complete;
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

/* The COMMANDS section of moltty(1), generated from the table (caller frees). */
char *cmd_roff(void);

/* ---- Tab completion (complete.c) ---- */

/* Candidates of a kind other than CC_COMMAND and CC_SETTING, best first, as they are
 * inserted ("#general", "@alice", "General", "light"). Returns the count; *out and its strings
 * are freed by the caller. */
typedef size_t (*cmd_candidates_fn)(void *ud, enum cmd_complete kind, char ***out);

struct cmd_completion {
	int active;
	size_t start;      /* byte offset of the completed word */
	size_t len;        /* bytes of the current replacement, suffix included */
	char **matches;
	size_t n, idx;
};

/* The word before the cursor and what it is. *start: its first byte. */
enum cmd_complete cmd_complete_kind(const char *text, size_t cursor, size_t *start);
/* Tab: the first match replaces the word before the cursor (plus a space); a repeated Tab
 * (st still active) cycles through the matches. Returns 1 with *new_text (caller frees) and
 * *new_cursor when something changed, 0 when there is nothing to complete. */
int cmd_complete(struct cmd_completion *st, const char *text, size_t cursor,
	cmd_candidates_fn fn, void *ud, char **new_text, size_t *new_cursor);
/* Any other key ends the cycle. */
void cmd_completion_reset(struct cmd_completion *st);

#endif
