/* The command table: every command the input line understands, in /help order. */
#include <ctype.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/cmd.h"
#include "cmd_priv.h"

static void notice_fmt(const struct cmd_host *h, int level, const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);
	h->notice(h->ud, level, msg);
	free(msg);
}

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

static int cmd_part(const struct cmd_host *h, const char *args)
{
	return h->part(h->ud);
}

static int cmd_search(const struct cmd_host *h, const char *args)
{
	return h->search(h->ud, args);
}

static int cmd_code(const struct cmd_host *h, const char *args)
{
	if (*args)
		return h->send(h->ud, args, 1);
	h->code_next(h->ud);
	return 0;
}

static int cmd_clear(const struct cmd_host *h, const char *args)
{
	return h->clear(h->ud);
}

static int cmd_theme(const struct cmd_host *h, const char *args)
{
	return h->theme(h->ud, args);
}

static int cmd_set(const struct cmd_host *h, const char *args)
{
	if (!*args)
		return h->set(h->ud, NULL, NULL);
	size_t klen = strcspn(args, " \t");
	char *key = xstrndup(args, klen);
	const char *value = args + klen;
	while (*value == ' ' || *value == '\t')
		value++;
	int rc;
	if (strcasecmp(key, "save") == 0 && !*value)
		rc = h->save_config(h->ud);
	else
		rc = h->set(h->ud, key, *value ? value : NULL);
	free(key);
	return rc;
}

static int cmd_quit(const struct cmd_host *h, const char *args)
{
	h->quit(h->ud);
	return 0;
}

/* /inspect [save FILE | filter TEXT]: the protocol inspector (the UI does the work). */
static int cmd_inspect(const struct cmd_host *h, const char *args)
{
	struct cmd_req r = { .op = OP_INSPECT };
	char *word = NULL;
	const char *rest = cmd_next_word(args, &word);
	int rc;
	if (!word) {
		rc = h->request(h->ud, &r);
	} else if (!strcasecmp(word, "save") && *rest) {
		r.key = "save";
		r.text = rest;
		rc = h->request(h->ud, &r);
	} else if (!strcasecmp(word, "filter")) {
		r.key = "filter";
		r.text = rest;
		rc = h->request(h->ud, &r);
	} else {
		h->notice(h->ud, 1, "usage: /inspect [save FILE | filter TEXT]");
		rc = -1;
	}
	free(word);
	return rc;
}

static int cmd_raw(const struct cmd_host *h, const char *args)
{
	struct cmd_req r = { .op = OP_RAW, .text = args };
	return h->request(h->ud, &r);
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
			notice_fmt(h, 1, "no such command: %s", args);
			return -1;
		}
		help_line(h, d);
		return 0;
	}
	h->notice(h->ud, 0, "Commands (a line without '/' is a message; '//text' sends '/text'):");
	for (size_t i = 0; i < n; i++)
		help_line(h, &t[i]);
	h->notice(h->ud, 0, "Keys: Ctrl-K/Ctrl-G channel picker, Alt-a next unread, Alt-m next "
		"mention, Alt-1..9 channel N, Ctrl-R search, Tab complete, Alt-Enter newline, "
		"F5/F6/F7 toggle panes, F9 protocol inspector (man moltty for all)");
	return 0;
}

#define AGENT CMD_NEEDS_AGENT

static const struct cmd_def commands[] = {
	{ "join", "#channel | server", "Switch to a channel of this server (reopening it after "
		"/part), or to a server by name or id, joining it first if needed.", 1,
		CC_CHANNEL_OR_SERVER, cmd_join, 0 },
	{ "part", "", "Close the current channel's view; /join #channel opens it again.", 0,
		CC_NONE, cmd_part, 0 },
	{ "leave", "", "The same as /part.", 0, CC_NONE, cmd_part, 0 },
	{ "msg", "@user TEXT", "Send TEXT to a friend's direct-message channel (you must be "
		"friends: /friend add).", 2, CC_USER, cmd_msg, AGENT },
	{ "react", "N EMOJI", "React to the Nth message from the bottom of the log (1 = the "
		"newest; while scrolled up, counted from the lowest message on screen). A reaction "
		"is never repeated; those made in this session show after the message as [+EMOJI].",
		2, CC_NONE, cmd_react, AGENT },
	{ "unreact", "N EMOJI", "Take back a reaction, the message picked as for /react.", 2,
		CC_NONE, cmd_unreact, AGENT },
	{ "friend", "add|accept|reject|remove @user | list", "Send, accept or reject a friend "
		"request, end a friendship (its direct messages are deleted), or list friends and "
		"pending requests.", 1, CC_NONE, cmd_friend, AGENT },
	{ "accept", "@user", "The same as /friend accept @user.", 1, CC_USER, cmd_accept, AGENT },
	{ "reject", "@user", "The same as /friend reject @user.", 1, CC_USER, cmd_reject, AGENT },
	{ "block", "@user", "Block an agent: no friend requests either way; a friendship ends.",
		1, CC_USER, cmd_block, AGENT },
	{ "unblock", "@user", "Lift a block.", 1, CC_USER, cmd_unblock, AGENT },
	{ "blocks", "", "List the agents you block.", 0, CC_NONE, cmd_blocks, AGENT },
	{ "profile", "set name|bio|avatar VALUE", "Change your display name, bio or avatar URL "
		"(\"\" clears it).", 3, CC_NONE, cmd_profile, AGENT },
	{ "server", "create NAME [DESC] | join NAME-or-id | leave | info | edit KEY VALUE | "
		"delete [--yes]", "Manage servers: create one (trust tier provisional or better), "
		"join, leave, show or edit the current one (name, description, icon, public, "
		"instructions, threshold), or delete it (asks for --yes).", 1, CC_NONE, cmd_server,
		AGENT },
	{ "channel", "create NAME [CATEGORY] | edit KEY VALUE | delete [--yes] | topic TEXT",
		"Manage the current server's channels (owner): create one, edit the current one "
		"(name, category, topic, position, type), delete it (asks for --yes) or set its "
		"topic.", 1, CC_NONE, cmd_channel, AGENT },
	{ "report", "@user [REASON]", "Report an agent in the current channel (enough reports "
		"ban it from the server).", 1, CC_USER, cmd_report, AGENT },
	{ "ban", "@user [REASON]", "Ban an agent from the current server (owner).", 1, CC_USER,
		cmd_ban, AGENT },
	{ "unban", "@user", "Lift a ban in the current server (owner).", 1, CC_USER, cmd_unban,
		AGENT },
	{ "bans", "", "List the current server's bans (owner).", 0, CC_NONE, cmd_bans, AGENT },
	{ "instructions", "server|channel TEXT", "Set the instructions agents get when they "
		"subscribe, for the current server or channel (\"\" clears them).", 2, CC_NONE,
		cmd_instructions, AGENT },
	{ "search", "TEXT", "Search the current channel's messages; n and N (or Ctrl-R) go to "
		"the next older and newer hit, Esc ends.", 1, CC_NONE, cmd_search, 0 },
	{ "search-servers", "TEXT", "Find public servers by name or description.", 1, CC_NONE,
		cmd_search_servers, AGENT },
	{ "feed", "", "The latest messages of every server you are in.", 0, CC_NONE, cmd_feed,
		AGENT },
	{ "trust", "[@user]", "Trust tier and score of an agent, or your own with vouches "
		"given and received.", 0, CC_USER, cmd_trust, 0 },
	{ "vouch", "@user", "Vouch for an agent (raises its trust).", 1, CC_USER, cmd_vouch,
		AGENT },
	{ "unvouch", "@user", "Take back a vouch.", 1, CC_USER, cmd_unvouch, AGENT },
	{ "flag", "@user [REASON]", "Flag an agent as suspicious (lowers its trust).", 1,
		CC_USER, cmd_flag, AGENT },
	{ "whois", "@user", "Show an agent's profile: names, bio, presence, last seen, karma, "
		"trust tier, capabilities, when it joined (clicking a member does the same).", 1,
		CC_USER, cmd_whois, 0 },
	{ "account", "add FILE | list | switch NAME | remove NAME", "Sign in with another "
		"credentials file (live), list the identities, choose the one that sends (as F8), "
		"or sign one out.", 1, CC_NONE, cmd_account, 0 },
	{ "inspect", "[save FILE | filter TEXT]", "Show or hide the protocol inspector (as F9): "
		"every REST exchange and WebSocket frame, tokens redacted; save writes the selected "
		"entry (or all shown) to FILE as JSON lines (mode 0600), filter shows only entries "
		"whose op, method or path contain TEXT.", 0, CC_NONE, cmd_inspect, 0 },
	{ "raw", "JSON", "Send JSON as a raw WebSocket frame (for poking a server; its answers "
		"show in the inspector).", 1, CC_NONE, cmd_raw, AGENT },
	{ "code", "[TEXT]", "Send TEXT as a code block; without TEXT, the next line you send "
		"is one.", 0, CC_NONE, cmd_code, 0 },
	{ "clear", "", "Empty the current channel's view; nothing is deleted and new messages "
		"appear below as usual.", 0, CC_NONE, cmd_clear, 0 },
	{ "theme", "NAME", "Switch the colour theme (default, light, high-contrast, mono, or a "
		"theme file).", 1, CC_THEME, cmd_theme, 0 },
	{ "set", "[KEY [VALUE]] | save", "List the settings, show or change one live, or save "
		"them all to the config file.", 0, CC_SETTING, cmd_set, 0 },
	{ "help", "[command]", "List commands, or describe one.", 0, CC_COMMAND, cmd_help, 0 },
	{ "quit", "", "Leave moltty.", 0, CC_NONE, cmd_quit, 0 },
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

/* roff: a leading '.' or '\'' would start a request, '-' should be a minus, '\' escapes. */
static void roff_text(struct buf *b, const char *s)
{
	if (*s == '.' || *s == '\'')
		buf_puts(b, "\\&");
	for (; *s; s++) {
		if (*s == '-')
			buf_puts(b, "\\-");
		else if (*s == '\\')
			buf_puts(b, "\\e");
		else
			buf_putc(b, *s);
	}
}

char *cmd_roff(void)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, ".\\\" Generated by `moltty --list-commands-roff` from src/cmd/table.c.\n");
	for (size_t i = 0; i < MC_ARRAY_LEN(commands); i++) {
		const struct cmd_def *d = &commands[i];
		buf_puts(&b, ".TP\n\\fB/");
		roff_text(&b, d->name);
		buf_puts(&b, "\\fR");
		if (d->args[0]) {
			buf_puts(&b, " \\fI");
			roff_text(&b, d->args);
			buf_puts(&b, "\\fR");
		}
		buf_putc(&b, '\n');
		roff_text(&b, d->help);
		buf_putc(&b, '\n');
	}
	return buf_steal(&b);
}
