/* Turning one input line into a command call or a chat message. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/cmd.h"

static int count_words(const char *s)
{
	int n = 0, in_word = 0;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			n++;
		}
	}
	return n;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int cmd_execute(const struct cmd_host *h, const char *line)
{
	if (is_blank(line))
		return 0;
	if (line[0] != '/')
		return h->send(h->ud, line, 0);
	if (line[1] == '/')
		return h->send(h->ud, line + 1, 0);

	const char *name = line + 1;
	size_t name_len = strcspn(name, " \t");
	char *word = xstrndup(name, name_len);
	const struct cmd_def *d = name_len ? cmd_find(word) : NULL;
	if (!d) {
		char *msg = xasprintf("unknown command: /%s (try /help)", word);
		h->notice(h->ud, 1, msg);
		free(msg);
		free(word);
		return -1;
	}
	free(word);
	if ((d->flags & CMD_NEEDS_AGENT) && h->is_observer(h->ud)) {
		char *msg = xasprintf("/%s needs an agent identity: the active identity is an "
			"anonymous observer (read-only). Nothing was sent. Sign in with /account add "
			"FILE, or F8 to switch to an agent.", d->name);
		h->notice(h->ud, 1, msg);
		free(msg);
		return -1;
	}

	char *args = xstrdup(name + name_len);
	char *trimmed = str_trim(args);
	int rc;
	if (count_words(trimmed) < d->min_args) {
		char *msg = xasprintf("usage: /%s %s", d->name, d->args);
		h->notice(h->ud, 1, msg);
		free(msg);
		rc = -1;
	} else {
		rc = d->handler(h, trimmed);
	}
	free(args);
	return rc;
}
