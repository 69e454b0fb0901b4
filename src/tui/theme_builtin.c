/* The themes built into the binary (each the same as themes/NAME.theme, a unit test checks
 * it) and finding a theme by name. No curses here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "theme.h"

static const char light_theme[] =
	"default = default\n"
	"title = black on #d0d8e8 bold\n"
	"border = #8090a0\n"
	"status = black on #d0d8e8\n"
	"input = default\n"
	"time = #707070\n"
	"day = #005f87 bold\n"
	"self = black bold\n"
	"mention = #af5f00 bold\n"
	"notice = #005f87\n"
	"notice.warning = #af5f00\n"
	"notice.error = #d70000 bold\n"
	"code = #005f00\n"
	"typing = #707070 italic\n"
	"pending = #909090\n"
	"failed = #d70000\n"
	"unread = black bold\n"
	"selected = white on #005f87\n"
	"category = #707070 bold\n"
	"username = #707070\n"
	"presence.online = #008700\n"
	"presence.idle = #af8700\n"
	"presence.offline = #a0a0a0\n"
	"role.owner = #af5f00 bold\n"
	"role.admin = #005f87\n"
	"search = black on #ffd75f\n"
	"search.current = black on #ffaf00 bold\n"
	"marker = white on #af5f00 bold\n"
	"picker = black on #e4e4e4\n"
	"hint = #707070 italic\n"
	"author.0 = #af0000\n"
	"author.1 = #008700\n"
	"author.2 = #875f00\n"
	"author.3 = #0000af\n"
	"author.4 = #870087\n"
	"author.5 = #005f5f\n"
	"author.6 = #d75f00\n"
	"author.7 = #5f00af\n";

static const char high_contrast_theme[] =
	"default = bright-white on black\n"
	"title = black on bright-white bold\n"
	"border = bright-white\n"
	"status = black on bright-yellow bold\n"
	"input = bright-white on black bold\n"
	"time = bright-white\n"
	"day = bright-cyan bold underline\n"
	"self = bright-white bold underline\n"
	"mention = black on bright-yellow bold\n"
	"notice = bright-cyan bold\n"
	"notice.warning = bright-yellow bold\n"
	"notice.error = bright-white on red bold\n"
	"code = bright-green bold\n"
	"typing = bright-white italic\n"
	"pending = bright-white dim\n"
	"failed = bright-white on red\n"
	"unread = bright-white bold underline\n"
	"selected = black on bright-cyan bold\n"
	"category = bright-white bold underline\n"
	"username = bright-white\n"
	"presence.online = bright-green bold\n"
	"presence.idle = bright-yellow bold\n"
	"presence.offline = bright-white\n"
	"role.owner = bright-yellow bold\n"
	"role.admin = bright-cyan bold\n"
	"search = black on bright-yellow bold\n"
	"search.current = black on bright-green bold\n"
	"marker = black on bright-yellow bold\n"
	"picker = black on bright-white\n"
	"hint = bright-white italic\n"
	"author.0 = bright-red bold\n"
	"author.1 = bright-green bold\n"
	"author.2 = bright-yellow bold\n"
	"author.3 = bright-cyan bold\n"
	"author.4 = bright-magenta bold\n"
	"author.5 = bright-white bold\n"
	"author.6 = bright-red bold underline\n"
	"author.7 = bright-green bold underline\n";

static const char mono_theme[] =
	"default = default\n"
	"title = default reverse bold\n"
	"border = default\n"
	"status = default reverse\n"
	"input = default\n"
	"time = default dim\n"
	"day = default bold\n"
	"self = default bold\n"
	"mention = default bold underline\n"
	"notice = default\n"
	"notice.warning = default bold\n"
	"notice.error = default bold reverse\n"
	"code = default\n"
	"typing = default dim\n"
	"pending = default dim\n"
	"failed = default bold\n"
	"unread = default bold\n"
	"selected = default reverse\n"
	"category = default underline\n"
	"username = default dim\n"
	"presence.online = default bold\n"
	"presence.idle = default\n"
	"presence.offline = default dim\n"
	"role.owner = default bold\n"
	"role.admin = default\n"
	"search = default reverse\n"
	"search.current = default reverse bold underline\n"
	"marker = default reverse bold\n"
	"picker = default reverse\n"
	"hint = default dim\n"
	"author.0 = default\n"
	"author.1 = default\n"
	"author.2 = default\n"
	"author.3 = default\n"
	"author.4 = default\n"
	"author.5 = default\n"
	"author.6 = default\n"
	"author.7 = default\n";

static const char *const names[] = { "default", "light", "high-contrast", "mono", NULL };

const char *const *theme_builtin_names(void)
{
	return names;
}

const char *theme_builtin_text(const char *name)
{
	if (strcasecmp(name, "default") == 0 || strcasecmp(name, "dark") == 0)
		return theme_default_text();
	if (strcasecmp(name, "light") == 0)
		return light_theme;
	if (strcasecmp(name, "high-contrast") == 0)
		return high_contrast_theme;
	if (strcasecmp(name, "mono") == 0)
		return mono_theme;
	return NULL;
}

static int safe_theme_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		strlen(s);
}

int theme_load(struct theme *t, const char *name, char **err)
{
	*err = NULL;
	theme_defaults(t);
	char *path = NULL;
	if (strchr(name, '/')) {
		path = fs_expand_home(name);
	} else if (safe_theme_name(name)) {
		char *sub = xasprintf("moltty/themes/%s.theme", name);
		path = fs_xdg_config(sub);
		free(sub);
		if (access(path, F_OK) != 0) {
			free(path);
			path = NULL;
			const char *text = theme_builtin_text(name);
			if (text)
				return theme_parse(t, text, err);
		}
	}
	if (!path) {
		*err = xasprintf("unknown theme \"%s\" (built in: default, light, high-contrast, "
			"mono; or a file)", name);
		return -2;
	}
	char *text = fs_read_file(path, NULL);
	if (!text) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -2;
	}
	char *perr = NULL;
	int rc = theme_parse(t, text, &perr);
	if (rc != 0)
		*err = xasprintf("%s: %s", path, perr);
	free(perr);
	free(text);
	free(path);
	return rc;
}
