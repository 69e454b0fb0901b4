/* config: moltty's settings ($XDG_CONFIG_HOME/moltty/config: "key = value" lines, '#'
 * comments). One table of keys (name, type, default, help) drives parsing, /set, completion,
 * `moltty --print-config` and the man page's CONFIGURATION section. No curses, no I/O. */
#ifndef MOLTTY_CONFIG_H
#define MOLTTY_CONFIG_H

#include <stddef.h>

struct config {
	char *theme;            /* a theme name (built-in or ~/.config/moltty/themes/NAME.theme)
	                         * or a path containing '/' */
	char *timestamp_format; /* strftime(3) */
	int show_servers, show_channels, show_members;
	int servers_width, channels_width, members_width;
	int set_title;          /* OSC 2 window title on mentions and DMs */
	int bell;               /* terminal bell on mentions and DMs */
	char *notify_command;   /* "" = none; split on spaces, never run through a shell */
	int notify_interval;    /* seconds between two notify_command runs, at least */
	int log_messages;
	char *log_dir;          /* "" = $XDG_DATA_HOME/moltty/logs */
	int scrollback_max;     /* messages kept per channel, 0 = unbounded */
	int mouse;              /* wheel scrolling (Shift + drag still selects text) */
};

enum config_type { CONFIG_BOOL, CONFIG_INT, CONFIG_STRING };

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;          /* into struct config */
	const char *def;        /* default, as written in the file */
	int min, max;           /* CONFIG_INT bounds */
	const char *help;       /* one sentence */
};

const struct config_key *config_keys(size_t *n);
const struct config_key *config_key_find(const char *name);

void config_init(struct config *c);   /* every key at its default */
void config_free(struct config *c);
/* Set one key from text ("yes"/"no"/"on"/"off"/"true"/"false"/"1"/"0" for booleans).
 * Returns 0, or -1 with *err (caller frees) and c unchanged. */
int config_set(struct config *c, const char *key, const char *value, char **err);
/* The current value as text (caller frees), NULL for an unknown key. */
char *config_get(const struct config *c, const char *key);
/* Apply a whole file. Bad lines are reported (the first one in *err, caller frees) and
 * skipped; the others still apply. Returns 0 or -1. */
int config_parse(struct config *c, const char *text, char **err);
/* A complete config file: every key with its help as a comment and its current value
 * (commented out when it equals the default, so a saved file follows future defaults). */
char *config_format(const struct config *c);
/* The CONFIGURATION section of moltty(1), generated from the table (caller frees). */
char *config_roff(void);

#endif
