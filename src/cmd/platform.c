/* Platform commands: their arguments parsed into a struct cmd_req for the host, which calls
 * the API. Only parsing and usage messages live here, so every syntax (and every mistake)
 * is unit-tested without a terminal or a server. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/cmd.h"
#include "cmd_priv.h"

#define REACT_N_MAX 1000

const char *cmd_next_word(const char *s, char **word)
{
	while (*s == ' ' || *s == '\t')
		s++;
	*word = NULL;
	if (!*s)
		return s;
	const char *end;
	if (*s == '"' && (end = strchr(s + 1, '"'))) {
		*word = xstrndup(s + 1, (size_t)(end - s - 1));
		s = end + 1;
	} else {
		size_t n = strcspn(s, " \t");
		*word = xstrndup(s, n);
		s += n;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The rest of a line as a value: `""` alone means the empty string (to clear a field). */
static const char *value_of(const char *rest)
{
	return strcmp(rest, "\"\"") == 0 ? "" : rest;
}

static int usage(const struct cmd_host *h, const char *text)
{
	char *msg = xasprintf("usage: %s", text);
	h->notice(h->ud, 1, msg);
	free(msg);
	return -1;
}

/* A username word: "@name" or "name", one word. NULL when it isn't one. */
static const char *user_of(const char *word)
{
	if (!word)
		return NULL;
	const char *u = word[0] == '@' ? word + 1 : word;
	return *u && !strpbrk(u, " \t@") ? u : NULL;
}

static int one_of(const char *word, const char *const *list)
{
	for (; word && *list; list++)
		if (strcasecmp(word, *list) == 0)
			return 1;
	return 0;
}

/* Commands of the form "/cmd @user [text]": text_required 1 (required), 0 (optional),
 * -1 (none allowed). */
static int user_command(const struct cmd_host *h, const char *args, enum cmd_op op,
	int text_required, const char *syntax)
{
	char *w;
	const char *rest = cmd_next_word(args, &w);
	const char *user = user_of(w);
	int rc;
	if (!user || (text_required > 0 && !*rest) || (text_required < 0 && *rest)) {
		rc = usage(h, syntax);
	} else {
		struct cmd_req r = { .op = op, .user = user, .text = *rest ? rest : NULL };
		rc = h->request(h->ud, &r);
	}
	free(w);
	return rc;
}

static int no_args(const struct cmd_host *h, const char *args, enum cmd_op op,
	const char *syntax)
{
	if (*args)
		return usage(h, syntax);
	struct cmd_req r = { .op = op };
	return h->request(h->ud, &r);
}

int cmd_msg(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_MSG, 1, "/msg @user TEXT");
}

/* "/react N EMOJI": N counts messages from the bottom of the log (1 = the newest, or the
 * lowest one on screen while scrolled up). */
static int react_command(const struct cmd_host *h, const char *args, enum cmd_op op,
	const char *syntax)
{
	char *num, *emoji;
	const char *rest = cmd_next_word(args, &num);
	rest = cmd_next_word(rest, &emoji);
	char *end = NULL;
	long n = num ? strtol(num, &end, 10) : 0;
	int rc;
	if (!num || *end || n < 1 || n > REACT_N_MAX || !emoji || !*emoji || *rest) {
		rc = usage(h, syntax);
	} else {
		struct cmd_req r = { .op = op, .n = (int)n, .text = emoji };
		rc = h->request(h->ud, &r);
	}
	free(num);
	free(emoji);
	return rc;
}

int cmd_react(const struct cmd_host *h, const char *args)
{
	return react_command(h, args, OP_REACT,
		"/react N EMOJI (N: the Nth message from the bottom, 1 = the newest)");
}

int cmd_unreact(const struct cmd_host *h, const char *args)
{
	return react_command(h, args, OP_UNREACT,
		"/unreact N EMOJI (N: the Nth message from the bottom, 1 = the newest)");
}

int cmd_friend(const struct cmd_host *h, const char *args)
{
	static const char syntax[] = "/friend add|accept|reject|remove @user, or /friend list";
	static const struct { const char *name; enum cmd_op op; } subs[] = {
		{ "add", OP_FRIEND_ADD }, { "accept", OP_FRIEND_ACCEPT },
		{ "reject", OP_FRIEND_REJECT }, { "remove", OP_FRIEND_REMOVE },
	};
	char *sub;
	const char *rest = cmd_next_word(args, &sub);
	int rc = -2;
	if (sub && strcasecmp(sub, "list") == 0)
		rc = no_args(h, rest, OP_FRIEND_LIST, syntax);
	for (size_t i = 0; sub && rc == -2 && i < MC_ARRAY_LEN(subs); i++)
		if (strcasecmp(sub, subs[i].name) == 0)
			rc = user_command(h, rest, subs[i].op, -1, syntax);
	if (rc == -2)
		rc = usage(h, syntax);
	free(sub);
	return rc;
}

int cmd_accept(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_FRIEND_ACCEPT, -1, "/accept @user");
}

int cmd_reject(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_FRIEND_REJECT, -1, "/reject @user");
}

int cmd_block(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_BLOCK, -1, "/block @user");
}

int cmd_unblock(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_UNBLOCK, -1, "/unblock @user");
}

int cmd_blocks(const struct cmd_host *h, const char *args)
{
	return no_args(h, args, OP_BLOCKS, "/blocks");
}

/* "/sub KEY VALUE" with KEY from a list; the value is the rest of the line. */
static int key_value(const struct cmd_host *h, const char *args, enum cmd_op op,
	const char *const *keys, const char *syntax)
{
	char *key;
	const char *rest = cmd_next_word(args, &key);
	int rc;
	if (!one_of(key, keys) || !*rest) {
		rc = usage(h, syntax);
	} else {
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		struct cmd_req r = { .op = op, .key = key, .text = value_of(rest) };
		rc = h->request(h->ud, &r);
	}
	free(key);
	return rc;
}

int cmd_profile(const struct cmd_host *h, const char *args)
{
	static const char *const keys[] = { "name", "bio", "avatar", NULL };
	static const char syntax[] = "/profile set name|bio|avatar VALUE (\"\" clears it)";
	char *sub;
	const char *rest = cmd_next_word(args, &sub);
	int rc = sub && strcasecmp(sub, "set") == 0 ?
		key_value(h, rest, OP_PROFILE_SET, keys, syntax) : usage(h, syntax);
	free(sub);
	return rc;
}

/* "--yes" alone, or nothing. -1 for anything else. */
static int confirmation(const char *rest)
{
	if (!*rest)
		return 0;
	return strcmp(rest, "--yes") == 0 || strcasecmp(rest, "yes") == 0 ? 1 : -1;
}

/* "create NAME [more]": NAME one word (quotes allowed), more optional. */
static int create_command(const struct cmd_host *h, const char *rest, enum cmd_op op,
	const char *syntax)
{
	char *name;
	const char *more = cmd_next_word(rest, &name);
	int rc;
	if (!name || !*name) {
		rc = usage(h, syntax);
	} else {
		struct cmd_req r = { .op = op, .key = name, .text = *more ? more : NULL };
		rc = h->request(h->ud, &r);
	}
	free(name);
	return rc;
}

static int delete_command(const struct cmd_host *h, const char *rest, enum cmd_op op,
	const char *syntax)
{
	int yes = confirmation(rest);
	if (yes < 0)
		return usage(h, syntax);
	struct cmd_req r = { .op = op, .confirmed = yes };
	return h->request(h->ud, &r);
}

int cmd_server(const struct cmd_host *h, const char *args)
{
	static const char syntax[] = "/server create NAME [DESCRIPTION] | join NAME-or-id | "
		"leave | info | edit KEY VALUE | delete [--yes]";
	static const char *const keys[] = { "name", "description", "icon", "public",
		"instructions", "threshold", NULL };
	char *sub;
	const char *rest = cmd_next_word(args, &sub);
	int rc;
	if (!sub) {
		rc = usage(h, syntax);
	} else if (strcasecmp(sub, "create") == 0) {
		rc = create_command(h, rest, OP_SERVER_CREATE, "/server create NAME [DESCRIPTION]");
	} else if (strcasecmp(sub, "join") == 0) {
		if (!*rest) {
			rc = usage(h, "/server join NAME-or-id");
		} else {
			struct cmd_req r = { .op = OP_SERVER_JOIN, .key = rest };
			rc = h->request(h->ud, &r);
		}
	} else if (strcasecmp(sub, "leave") == 0) {
		rc = no_args(h, rest, OP_SERVER_LEAVE, "/server leave");
	} else if (strcasecmp(sub, "info") == 0) {
		rc = no_args(h, rest, OP_SERVER_INFO, "/server info");
	} else if (strcasecmp(sub, "edit") == 0) {
		rc = key_value(h, rest, OP_SERVER_EDIT, keys, "/server edit name|description|icon|"
			"public|instructions|threshold VALUE");
	} else if (strcasecmp(sub, "delete") == 0) {
		rc = delete_command(h, rest, OP_SERVER_DELETE, "/server delete [--yes]");
	} else {
		rc = usage(h, syntax);
	}
	free(sub);
	return rc;
}

int cmd_channel(const struct cmd_host *h, const char *args)
{
	static const char syntax[] = "/channel create NAME [CATEGORY] | edit KEY VALUE | "
		"delete [--yes] | topic TEXT";
	static const char *const keys[] = { "name", "category", "topic", "position", "type",
		NULL };
	char *sub;
	const char *rest = cmd_next_word(args, &sub);
	int rc;
	if (!sub) {
		rc = usage(h, syntax);
	} else if (strcasecmp(sub, "create") == 0) {
		/* "#name" is accepted as the name. */
		const char *r = *rest == '#' ? rest + 1 : rest;
		rc = create_command(h, r, OP_CHANNEL_CREATE, "/channel create NAME [CATEGORY]");
	} else if (strcasecmp(sub, "edit") == 0) {
		rc = key_value(h, rest, OP_CHANNEL_EDIT, keys,
			"/channel edit name|category|topic|position|type VALUE");
	} else if (strcasecmp(sub, "delete") == 0) {
		rc = delete_command(h, rest, OP_CHANNEL_DELETE, "/channel delete [--yes]");
	} else if (strcasecmp(sub, "topic") == 0) {
		if (!*rest) {
			rc = usage(h, "/channel topic TEXT (\"\" clears it)");
		} else {
			struct cmd_req r = { .op = OP_CHANNEL_TOPIC, .text = value_of(rest) };
			rc = h->request(h->ud, &r);
		}
	} else {
		rc = usage(h, syntax);
	}
	free(sub);
	return rc;
}

int cmd_report(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_REPORT, 0, "/report @user [REASON]");
}

int cmd_ban(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_BAN, 0, "/ban @user [REASON]");
}

int cmd_unban(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_UNBAN, -1, "/unban @user");
}

int cmd_bans(const struct cmd_host *h, const char *args)
{
	return no_args(h, args, OP_BANS, "/bans");
}

int cmd_instructions(const struct cmd_host *h, const char *args)
{
	static const char *const keys[] = { "server", "channel", NULL };
	return key_value(h, args, OP_INSTRUCTIONS, keys,
		"/instructions server|channel TEXT (\"\" clears them)");
}

int cmd_search_servers(const struct cmd_host *h, const char *args)
{
	if (!*args)
		return usage(h, "/search-servers TEXT");
	struct cmd_req r = { .op = OP_SEARCH_SERVERS, .text = args };
	return h->request(h->ud, &r);
}

int cmd_feed(const struct cmd_host *h, const char *args)
{
	return no_args(h, args, OP_FEED, "/feed");
}

int cmd_trust(const struct cmd_host *h, const char *args)
{
	if (!*args) {
		struct cmd_req r = { .op = OP_TRUST };
		return h->request(h->ud, &r);
	}
	return user_command(h, args, OP_TRUST, -1, "/trust [@user]");
}

int cmd_vouch(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_VOUCH, -1, "/vouch @user");
}

int cmd_unvouch(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_UNVOUCH, -1, "/unvouch @user");
}

int cmd_flag(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_FLAG, 0, "/flag @user [REASON]");
}

int cmd_whois(const struct cmd_host *h, const char *args)
{
	return user_command(h, args, OP_WHOIS, -1, "/whois @user");
}

int cmd_account(const struct cmd_host *h, const char *args)
{
	static const char syntax[] = "/account add FILE | list | switch NAME | remove NAME";
	char *sub, *arg = NULL;
	const char *rest = cmd_next_word(args, &sub);
	int rc;
	enum cmd_op op;
	if (sub && strcasecmp(sub, "list") == 0) {
		rc = no_args(h, rest, OP_ACCOUNT_LIST, syntax);
	} else if (sub && (strcasecmp(sub, "add") == 0 || strcasecmp(sub, "switch") == 0 ||
		strcasecmp(sub, "remove") == 0)) {
		op = strcasecmp(sub, "add") == 0 ? OP_ACCOUNT_ADD :
			strcasecmp(sub, "switch") == 0 ? OP_ACCOUNT_SWITCH : OP_ACCOUNT_REMOVE;
		rest = cmd_next_word(rest, &arg);
		if (!arg || !*arg || *rest) {
			rc = usage(h, syntax);
		} else {
			struct cmd_req r = { .op = op, .key = arg };
			rc = h->request(h->ud, &r);
		}
	} else {
		rc = usage(h, syntax);
	}
	free(sub);
	free(arg);
	return rc;
}
