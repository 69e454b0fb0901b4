/* theme: semantic roles ("author.3", "presence.idle", ...) mapped to colours and attributes.
 * Parsing, the built-in themes and colour fallback are curses-free (theme_parse.c,
 * theme_colour.c, unit-tested); theme.c turns a theme into curses attributes: truecolor when
 * the terminal can, else the nearest of 256, 16 or 8 colours; monochrome with NO_COLOR. */
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
	TR_ROLE_OWNER,
	TR_ROLE_ADMIN,
	TR_SEARCH,
	TR_SEARCH_CURRENT,
	TR_MARKER,
	TR_PICKER,
	TR_HINT,
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
/* Colours are a palette index 0-255, or 24-bit RGB tagged with THEME_RGB_FLAG. */
#define THEME_RGB_FLAG 0x1000000
#define THEME_RGB(r, g, b) (THEME_RGB_FLAG | ((r) << 16) | ((g) << 8) | (b))
#define THEME_IS_RGB(c) ((c) >= 0 && ((c) & THEME_RGB_FLAG))

struct theme_style {
	int fg, bg;        /* THEME_COLOR_DEFAULT, 0-255, or THEME_RGB(...) */
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
/* Built-in themes by name (default, light, high-contrast, mono; each equal to
 * themes/NAME.theme), NULL when unknown. theme_builtin_names: NULL-terminated. */
const char *theme_builtin_text(const char *name);
const char *const *theme_builtin_names(void);
/* A theme by name: a path when it contains '/', else $XDG_CONFIG_HOME/moltty/themes/NAME.theme
 * when that exists, else a built-in. Always starts from the default theme, so a file only needs
 * the roles it changes. Returns 0; -1 with *err (caller frees) when some lines were bad (the
 * others still apply); -2 with *err when there is no such theme or its file is unreadable. */
int theme_load(struct theme *t, const char *name, char **err);

/* Colour fallback (theme_colour.c). The RGB value of a colour (the xterm palette for indexes). */
int theme_colour_rgb(int c);
/* The nearest colour a terminal with `colours` colours can show: RGB is kept when
 * colours >= 2^24 (direct colour); else the nearest palette index below `colours`
 * (16-255 for RGB on 256 colours, so the user's 16-colour palette can't distort it). */
int theme_colour_fit(int c, int colours);
/* Apply "role = fg [on bg] [bold|dim|underline|reverse|italic]..." lines ('#' comments) on
 * top of t. Returns 0, or -1 with *err (caller frees) naming the first bad line; good lines
 * before and after it still apply. */
int theme_parse(struct theme *t, const char *text, char **err);
/* A stable colour index for a username (a hash), 0 .. THEME_AUTHOR_COLOURS-1. */
int theme_author_index(const char *username);

#endif
