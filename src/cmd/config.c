/* Settings: the key table, parsing and formatting of the config file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/config.h"

#define KEY_BOOL(n, def, help) { #n, CONFIG_BOOL, offsetof(struct config, n), def, 0, 1, help }
#define KEY_INT(n, def, lo, hi, help) { #n, CONFIG_INT, offsetof(struct config, n), def, lo, hi, help }
#define KEY_STR(n, def, help) { #n, CONFIG_STRING, offsetof(struct config, n), def, 0, 0, help }

static const struct config_key keys[] = {
	KEY_STR(theme, "default", "Colour theme: default, light, high-contrast, mono, a NAME "
		"found as $XDG_CONFIG_HOME/moltty/themes/NAME.theme, or a file path."),
	KEY_STR(timestamp_format, "%H:%M", "strftime(3) format of the time before each message."),
	KEY_BOOL(show_servers, "yes", "Show the server list (F5 toggles)."),
	KEY_BOOL(show_channels, "yes", "Show the channel list (F6 toggles)."),
	KEY_BOOL(show_members, "yes", "Show the member list (F7 toggles)."),
	KEY_INT(servers_width, "16", 6, 60, "Width of the server list in columns."),
	KEY_INT(channels_width, "20", 8, 60, "Width of the channel list in columns."),
	KEY_INT(members_width, "20", 8, 60, "Width of the member list in columns."),
	KEY_BOOL(set_title, "yes", "Put a summary of mentions and direct messages in the "
		"terminal's window title."),
	KEY_BOOL(bell, "yes", "Ring the terminal bell on mentions and direct messages."),
	KEY_STR(notify_command, "", "Program run on mentions and direct messages, with the "
		"sanitised summary as its last argument; split on spaces, never run by a shell. "
		"Empty: none."),
	KEY_INT(notify_interval, "10", 0, 3600, "Seconds between two runs of notify_command, at "
		"least."),
	KEY_BOOL(log_messages, "no", "Append every new message to a log file per channel."),
	KEY_STR(log_dir, "", "Where the chat logs go (empty: $XDG_DATA_HOME/moltty/logs)."),
	KEY_INT(scrollback_max, "5000", 0, 1000000, "Messages kept in memory per channel "
		"(0: no limit); the oldest are dropped first."),
	KEY_BOOL(mouse, "yes", "Scroll with the mouse wheel (hold Shift to select text)."),
};

const struct config_key *config_keys(size_t *n)
{
	*n = MC_ARRAY_LEN(keys);
	return keys;
}

const struct config_key *config_key_find(const char *name)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	for (size_t i = 0; i < MC_ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int set_key(struct config *c, const struct config_key *k, const char *value, char **err)
{
	char *field = (char *)c + k->offset;
	switch (k->type) {
	case CONFIG_BOOL: {
		int b;
		if (parse_bool(value, &b) != 0) {
			*err = xasprintf("%s: expected yes or no, not \"%s\"", k->name, value);
			return -1;
		}
		*(int *)field = b;
		return 0;
	}
	case CONFIG_INT: {
		char *end;
		long n = strtol(value, &end, 10);
		if (!*value || *end || n < k->min || n > k->max) {
			*err = xasprintf("%s: expected a number from %d to %d, not \"%s\"", k->name,
				k->min, k->max, value);
			return -1;
		}
		*(int *)field = (int)n;
		return 0;
	}
	case CONFIG_STRING:
		if (strchr(value, '\n')) {
			*err = xasprintf("%s: one line only", k->name);
			return -1;
		}
		str_replace((char **)field, value);
		return 0;
	}
	return -1;
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++) {
		char *err = NULL;
		if (set_key(c, &keys[i], keys[i].def, &err) != 0)
			abort(); /* the defaults are covered by a unit test */
	}
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++)
		if (keys[i].type == CONFIG_STRING)
			free(*(char **)((char *)c + keys[i].offset));
	memset(c, 0, sizeof(*c));
}

int config_set(struct config *c, const char *key, const char *value, char **err)
{
	const struct config_key *k = config_key_find(key);
	*err = NULL;
	if (!k) {
		*err = xasprintf("unknown setting: %s", key);
		return -1;
	}
	return set_key(c, k, value, err);
}

static char *value_text(const struct config *c, const struct config_key *k)
{
	const char *field = (const char *)c + k->offset;
	switch (k->type) {
	case CONFIG_BOOL: return xstrdup(*(const int *)field ? "yes" : "no");
	case CONFIG_INT: return xasprintf("%d", *(const int *)field);
	default: return xstrdup(*(char *const *)field ? *(char *const *)field : "");
	}
}

char *config_get(const struct config *c, const char *key)
{
	const struct config_key *k = config_key_find(key);
	return k ? value_text(c, k) : NULL;
}

int config_parse(struct config *c, const char *text, char **err)
{
	char *copy = xstrdup(text);
	int lineno = 0, rc = 0;
	*err = NULL;
	for (char *line = copy; line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		/* '#' starts a comment only at the start of a line: values (timestamp formats,
		 * commands) may contain it. */
		char *l = str_trim(line);
		if (*l && *l != '#') {
			char *eq = strchr(l, '=');
			char *why = NULL;
			if (!eq) {
				why = xstrdup("expected key = value");
			} else {
				*eq = '\0';
				char *key = str_trim(l), *value = str_trim(eq + 1);
				size_t vl = strlen(value);
				/* "value" in double quotes keeps leading and trailing spaces. */
				if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
					value[vl - 1] = '\0';
					value++;
				}
				config_set(c, key, value, &why);
			}
			if (why) {
				if (rc == 0)
					*err = xasprintf("line %d: %s", lineno, why);
				free(why);
				rc = -1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	return rc;
}

/* Wrap a help sentence into "# " comment lines of about 76 columns. */
static void comment(struct buf *b, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strlen(p);
		if (n > 74) {
			n = 74;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(p, " ");
		}
		buf_puts(b, "# ");
		buf_append(b, p, n);
		buf_putc(b, '\n');
		p += n;
		while (*p == ' ')
			p++;
	}
}

char *config_format(const struct config *c)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "# moltty configuration: key = value, one per line; '#' starts a comment line.\n"
		"# Every setting can be changed live with /set KEY VALUE; /set save writes this file.\n"
		"# Lines starting with '#' show the defaults.\n");
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++) {
		const struct config_key *k = &keys[i];
		char *v = value_text(c, k);
		buf_putc(&b, '\n');
		comment(&b, k->help);
		int is_default = strcmp(v, k->def) == 0;
		int quote = k->type == CONFIG_STRING && v[0] && (v[0] == ' ' || v[strlen(v) - 1] == ' ');
		buf_printf(&b, "%s%s = %s%s%s\n", is_default ? "#" : "", k->name, quote ? "\"" : "", v,
			quote ? "\"" : "");
		free(v);
	}
	return buf_steal(&b);
}

char *config_roff(void)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, ".\\\" Generated by `moltty --list-config-roff` from src/cmd/config.c.\n");
	for (size_t i = 0; i < MC_ARRAY_LEN(keys); i++) {
		const struct config_key *k = &keys[i];
		buf_printf(&b, ".TP\n\\fB%s\\fR = \\fI%s\\fR\n", k->name,
			k->type == CONFIG_BOOL ? "yes|no" : k->type == CONFIG_INT ? "N" : "text");
		for (const char *p = k->help; *p; p++) {
			if (*p == '-')
				buf_puts(&b, "\\-");
			else if (*p == '\\')
				buf_puts(&b, "\\e");
			else
				buf_putc(&b, *p);
		}
		buf_printf(&b, "\nDefault: %s%s%s.\n", k->def[0] ? "\\fB" : "",
			k->def[0] ? k->def : "empty", k->def[0] ? "\\fR" : "");
	}
	return buf_steal(&b);
}
