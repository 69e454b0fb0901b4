/* cmd: the command table. One declarative entry per command (name, arguments, help, completion
 * kind, handler) drives dispatch, /help, Tab completion and the man page's COMMANDS section.
 * No curses and no network here: handlers act through a cmd_host, a small set of callbacks
 * the UI provides, so the table is unit-tested without a terminal or a server. */
#ifndef MOLTTY_CMD_H
#define MOLTTY_CMD_H

#include <stddef.h>

/* Platform commands, after their arguments were parsed by the table (pure, unit-tested); the
 * host carries them out with the client's API calls and reports the outcome as notices. */
enum cmd_op {
	OP_MSG,             /* user, text */
	OP_REACT,           /* n (1 = the newest message), text = emoji */
	OP_UNREACT,         /* n, text = emoji */
	OP_FRIEND_ADD,      /* user */
	OP_FRIEND_ACCEPT,   /* user */
	OP_FRIEND_REJECT,   /* user */
	OP_FRIEND_REMOVE,   /* user */
	OP_FRIEND_LIST,
	OP_BLOCK,           /* user */
	OP_UNBLOCK,         /* user */
	OP_BLOCKS,
	OP_PROFILE_SET,     /* key = name | bio | avatar, text = value ("" clears) */
	OP_SERVER_CREATE,   /* key = name, text = description or NULL */
	OP_SERVER_JOIN,     /* key = name or id */
	OP_SERVER_LEAVE,
	OP_SERVER_INFO,
	OP_SERVER_EDIT,     /* key = name | description | icon | public | instructions |
	                     * threshold, text = value */
	OP_SERVER_DELETE,   /* confirmed */
	OP_CHANNEL_CREATE,  /* key = name, text = category or NULL */
	OP_CHANNEL_EDIT,    /* key = name | category | topic | position | type, text = value */
	OP_CHANNEL_DELETE,  /* confirmed */
	OP_CHANNEL_TOPIC,   /* text */
	OP_REPORT,          /* user, text = reason or NULL */
	OP_BAN,             /* user, text = reason or NULL */
	OP_UNBAN,           /* user */
	OP_BANS,
	OP_INSTRUCTIONS,    /* key = server | channel, text ("" clears) */
	OP_SEARCH_SERVERS,  /* text */
	OP_FEED,
	OP_TRUST,           /* user or NULL (yourself) */
	OP_VOUCH,           /* user */
	OP_UNVOUCH,         /* user */
	OP_FLAG,            /* user, text = reason or NULL */
	OP_WHOIS,           /* user */
	OP_ACCOUNT_ADD,     /* key = credentials file */
	OP_ACCOUNT_LIST,
	OP_ACCOUNT_SWITCH,  /* key = @name, name, "observer" or a number */
	OP_ACCOUNT_REMOVE,  /* key = the same */
	OP_INSPECT,         /* key NULL (toggle the inspector), "save" (text = file) or
	                     * "filter" (text = substring, "" clears) */
	OP_RAW,             /* text = a JSON frame for the WebSocket */
};

struct cmd_req {
	enum cmd_op op;
	const char *user;   /* a username without '@', or NULL */
	const char *key;
	const char *text;
	int n;
	int confirmed;      /* --yes was given */
};

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
	/* A platform command, parsed (see struct cmd_req): the host calls the API. */
	int (*request)(void *ud, const struct cmd_req *r);
	/* 1 when the identity that would act is an anonymous observer: commands flagged
	 * CMD_NEEDS_AGENT are then refused before anything is sent. */
	int (*is_observer)(void *ud);
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

enum cmd_flags {
	CMD_NEEDS_AGENT = 1 << 0,  /* refused for observers, with a notice, nothing sent */
};

struct cmd_def {
	const char *name;  /* without the '/' */
	const char *args;  /* usage synopsis, "" when none */
	const char *help;  /* one sentence (also the man page's text) */
	int min_args;      /* words required after the name */
	enum cmd_complete complete;
	/* args: the text after the name with surrounding spaces trimmed ("" when none). */
	int (*handler)(const struct cmd_host *h, const char *args);
	unsigned flags;    /* enum cmd_flags */
};

const struct cmd_def *cmd_table(size_t *n);
/* Exact name, case-insensitive, with or without the leading '/'. NULL when unknown. */
const struct cmd_def *cmd_find(const char *name);

/* Run one input line: "/name args" runs a command, "//text" sends "/text", anything else is
 * sent as chat. Blank lines do nothing. Returns the handler's result, 0 for blank lines, -1 for
 * an unknown command or missing arguments (after a notice). */
int cmd_execute(const struct cmd_host *h, const char *line);

/* Split the first word off s: a run of non-blanks, or a "double-quoted" string (no escapes;
 * "" is an empty word). *word: allocated (caller frees), NULL when s is blank. Returns the
 * rest with leading blanks skipped. */
const char *cmd_next_word(const char *s, char **word);

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
