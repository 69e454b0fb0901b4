/* Theme files: parsing and the built-in default. No curses here. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "theme.h"

static const char *const role_names[TR_COUNT] = {
	[TR_DEFAULT] = "default",
	[TR_TITLE] = "title",
	[TR_BORDER] = "border",
	[TR_STATUS] = "status",
	[TR_INPUT] = "input",
	[TR_TIME] = "time",
	[TR_DAY] = "day",
	[TR_SELF] = "self",
	[TR_MENTION] = "mention",
	[TR_NOTICE] = "notice",
	[TR_WARNING] = "notice.warning",
	[TR_ERROR] = "notice.error",
	[TR_CODE] = "code",
	[TR_TYPING] = "typing",
	[TR_PENDING] = "pending",
	[TR_FAILED] = "failed",
	[TR_UNREAD] = "unread",
	[TR_SELECTED] = "selected",
	[TR_CATEGORY] = "category",
	[TR_USERNAME] = "username",
	[TR_PRES_ONLINE] = "presence.online",
	[TR_PRES_IDLE] = "presence.idle",
	[TR_PRES_OFFLINE] = "presence.offline",
	[TR_ROLE_OWNER] = "role.owner",
	[TR_ROLE_ADMIN] = "role.admin",
	[TR_SEARCH] = "search",
	[TR_SEARCH_CURRENT] = "search.current",
	[TR_MARKER] = "marker",
	[TR_PICKER] = "picker",
	[TR_HINT] = "hint",
	[TR_AUTHOR0 + 0] = "author.0",
	[TR_AUTHOR0 + 1] = "author.1",
	[TR_AUTHOR0 + 2] = "author.2",
	[TR_AUTHOR0 + 3] = "author.3",
	[TR_AUTHOR0 + 4] = "author.4",
	[TR_AUTHOR0 + 5] = "author.5",
	[TR_AUTHOR0 + 6] = "author.6",
	[TR_AUTHOR0 + 7] = "author.7",
};

/* Keep in step with themes/default.theme (a unit test compares them). */
static const char default_theme[] =
	"default = default\n"
	"title = white on blue bold\n"
	"border = blue\n"
	"status = white on blue\n"
	"input = default\n"
	"time = bright-black\n"
	"day = cyan bold\n"
	"self = bright-white bold\n"
	"mention = yellow bold\n"
	"notice = cyan\n"
	"notice.warning = yellow\n"
	"notice.error = red bold\n"
	"code = green\n"
	"typing = bright-black italic\n"
	"pending = bright-black\n"
	"failed = red\n"
	"unread = bright-white bold\n"
	"selected = black on cyan\n"
	"category = bright-black bold\n"
	"username = bright-black\n"
	"presence.online = green\n"
	"presence.idle = yellow\n"
	"presence.offline = bright-black\n"
	"role.owner = yellow bold\n"
	"role.admin = cyan\n"
	"search = black on yellow\n"
	"search.current = black on bright-yellow bold\n"
	"marker = black on yellow bold\n"
	"picker = white on blue\n"
	"hint = bright-black italic\n"
	"author.0 = red\n"
	"author.1 = green\n"
	"author.2 = yellow\n"
	"author.3 = blue\n"
	"author.4 = magenta\n"
	"author.5 = cyan\n"
	"author.6 = bright-red\n"
	"author.7 = bright-magenta\n";

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

const char *theme_role_name(int role)
{
	return role >= 0 && role < TR_COUNT ? role_names[role] : NULL;
}

int theme_role_find(const char *name)
{
	for (int i = 0; i < TR_COUNT; i++)
		if (strcasecmp(role_names[i], name) == 0)
			return i;
	return -1;
}

const char *theme_default_text(void)
{
	return default_theme;
}

void theme_defaults(struct theme *t)
{
	for (int i = 0; i < TR_COUNT; i++) {
		t->style[i].fg = t->style[i].bg = THEME_COLOR_DEFAULT;
		t->style[i].attrs = 0;
	}
	char *err = NULL;
	if (theme_parse(t, default_theme, &err) != 0)
		abort(); /* the built-in theme is covered by a unit test */
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_colour(const char *w, int *out)
{
	if (strcasecmp(w, "default") == 0) {
		*out = THEME_COLOR_DEFAULT;
		return 0;
	}
	if (w[0] == '#') {
		int v = 0;
		if (strlen(w) != 7)
			return -1;
		for (int i = 1; i < 7; i++) {
			int d = hex_digit(w[i]);
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		*out = THEME_RGB_FLAG | v;
		return 0;
	}
	int bright = 0;
	if (strncasecmp(w, "bright-", 7) == 0) {
		bright = 8;
		w += 7;
	}
	for (size_t i = 0; i < MC_ARRAY_LEN(colour_names); i++) {
		if (strcasecmp(w, colour_names[i]) == 0) {
			*out = (int)(i + (size_t)bright);
			return 0;
		}
	}
	if (bright || !*w)
		return -1;
	char *end;
	long n = strtol(w, &end, 10);
	if (*end || n < 0 || n > 255)
		return -1;
	*out = (int)n;
	return 0;
}

static int parse_attr(const char *w, unsigned *attrs)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "bold", THEME_BOLD }, { "dim", THEME_DIM }, { "underline", THEME_UNDERLINE },
		{ "reverse", THEME_REVERSE }, { "italic", THEME_ITALIC },
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(names); i++) {
		if (strcasecmp(w, names[i].name) == 0) {
			*attrs |= names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* '#' starts a comment, except in a colour word "#rrggbb". */
static void strip_comment(char *line)
{
	for (char *p = line; (p = strchr(p, '#')); p++) {
		int at_start = strspn(line, " \t") == (size_t)(p - line);
		int colour = !at_start && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '=') &&
			strspn(p + 1, "0123456789abcdefABCDEF") == 6 &&
			(p[7] == '\0' || p[7] == ' ' || p[7] == '\t');
		if (!colour) {
			*p = '\0';
			return;
		}
	}
}

/* "fg [on bg] attrs...": words separated by spaces. */
static int parse_value(char *v, struct theme_style *out)
{
	struct theme_style st = { THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	int n = 0, want_bg = 0, have_fg = 0;
	for (char *save = NULL, *w = strtok_r(v, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++) {
		if (want_bg) {
			if (parse_colour(w, &st.bg) != 0)
				return -1;
			want_bg = 0;
		} else if (strcasecmp(w, "on") == 0) {
			want_bg = 1;
		} else if (parse_attr(w, &st.attrs) == 0) {
			;
		} else if (!have_fg && parse_colour(w, &st.fg) == 0) {
			have_fg = 1;
		} else {
			return -1;
		}
	}
	if (n == 0 || want_bg)
		return -1;
	*out = st;
	return 0;
}

int theme_parse(struct theme *t, const char *text, char **err)
{
	char *copy = xstrdup(text);
	int lineno = 0, rc = 0;
	if (err)
		*err = NULL;
	/* Walk lines by hand: strtok would skip empty ones and lose the numbering. */
	for (char *line = copy; line; ) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		strip_comment(line);
		char *l = str_trim(line);
		if (*l) {
			char *eq = strchr(l, '=');
			int role = -1;
			struct theme_style st;
			if (eq) {
				*eq = '\0';
				role = theme_role_find(str_trim(l));
			}
			if (!eq || role < 0 || parse_value(str_trim(eq + 1), &st) != 0) {
				if (rc == 0 && err)
					*err = xasprintf("line %d: expected `role = colour [on colour] "
						"[bold|dim|underline|reverse|italic]` with a known role", lineno);
				rc = -1;
			} else {
				t->style[role] = st;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	return rc;
}

int theme_author_index(const char *username)
{
	/* FNV-1a: cheap, stable across runs and machines. */
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)(username ? username : ""); *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return (int)(h % THEME_AUTHOR_COLOURS);
}
