/* The command table: every command the input line understands, in /help order. */
#include <ctype.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/cmd.h"

static int cmd_join(const struct cmd_host *h, const char *args)
{
	if (args[0] == '#') {
		const char *name = args + 1;
		if (!*name) {
			h->notice(h->ud, 1, "usage: /join #channel");
			return -1;
		}
		return h->switch_channel(h->ud, name);
	}
	return h->join_server(h->ud, args);
}

static int cmd_quit(const struct cmd_host *h, const char *args)
{
	h->quit(h->ud);
	return 0;
}

static void help_line(const struct cmd_host *h, const struct cmd_def *d)
{
	char *line = xasprintf("/%s%s%s  %s", d->name, d->args[0] ? " " : "", d->args, d->help);
	h->notice(h->ud, 0, line);
	free(line);
}

static int cmd_help(const struct cmd_host *h, const char *args)
{
	size_t n;
	const struct cmd_def *t = cmd_table(&n);
	if (*args) {
		const struct cmd_def *d = cmd_find(args);
		if (!d) {
			char *msg = xasprintf("no such command: %s", args);
			h->notice(h->ud, 1, msg);
			free(msg);
			return -1;
		}
		help_line(h, d);
		return 0;
	}
	h->notice(h->ud, 0, "Commands (a line without '/' is a message; '//text' sends '/text'):");
	for (size_t i = 0; i < n; i++)
		help_line(h, &t[i]);
	return 0;
}

static const struct cmd_def commands[] = {
	{ "join", "#channel | server", "switch to a channel of this server, or to a server "
		"(joining it if needed) by name or id", 1, cmd_join },
	{ "help", "[command]", "list commands, or describe one", 0, cmd_help },
	{ "quit", "", "leave moltty", 0, cmd_quit },
};

const struct cmd_def *cmd_table(size_t *n)
{
	*n = MC_ARRAY_LEN(commands);
	return commands;
}

const struct cmd_def *cmd_find(const char *name)
{
	if (name[0] == '/')
		name++;
	for (size_t i = 0; i < MC_ARRAY_LEN(commands); i++)
		if (strcasecmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
