/* theme: semantic roles ("author.3", "presence.idle", ...) mapped to colours and attributes.
 * Parsing is curses-free (theme_parse.c, unit-tested); theme.c turns a theme into curses
 * attributes, degrading to 8 colours and to monochrome (NO_COLOR, or no colour terminal). */
#ifndef MOLTTY_TUI_THEME_H
#define MOLTTY_TUI_THEME_H

enum theme_role {
	TR_DEFAULT = 0,
	TR_TITLE,
	TR_BORDER,
	TR_STATUS,
	TR_INPUT,
	TR_TIME,
	TR_DAY,
	TR_SELF,
	TR_MENTION,
	TR_NOTICE,
	TR_WARNING,
	TR_ERROR,
	TR_CODE,
	TR_TYPING,
	TR_PENDING,
	TR_FAILED,
	TR_UNREAD,
	TR_SELECTED,
	TR_CATEGORY,
	TR_USERNAME,
	TR_PRES_ONLINE,
	TR_PRES_IDLE,
	TR_PRES_OFFLINE,
	TR_AUTHOR0,
	TR_AUTHOR_LAST = TR_AUTHOR0 + 7,
	TR_COUNT
};
#define THEME_AUTHOR_COLOURS (TR_AUTHOR_LAST - TR_AUTHOR0 + 1)

enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
};

#define THEME_COLOR_DEFAULT (-1)

struct theme_style {
	short fg, bg;      /* 0-255, or THEME_COLOR_DEFAULT */
	unsigned attrs;    /* THEME_* bits */
};

struct theme {
	struct theme_style style[TR_COUNT];
};

const char *theme_role_name(int role);
int theme_role_find(const char *name); /* -1 when unknown */
/* The built-in theme (the same as themes/default.theme). */
void theme_defaults(struct theme *t);
const char *theme_default_text(void);
/* Apply "role = fg [on bg] [bold|dim|underline|reverse|italic]..." lines ('#' comments) on
 * top of t. Returns 0, or -1 with *err (caller frees) naming the first bad line; good lines
 * before and after it still apply. */
int theme_parse(struct theme *t, const char *text, char **err);
/* A stable colour index for a username (a hash), 0 .. THEME_AUTHOR_COLOURS-1. */
int theme_author_index(const char *username);

#endif
