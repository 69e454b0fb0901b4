/* Tab completion: which word is being completed, its candidates, and cycling through them on
 * repeated Tabs. Pure string work; the UI supplies channel, user and theme names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/cmd.h"
#include "moltty/config.h"

void cmd_completion_reset(struct cmd_completion *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->matches[i]);
	free(st->matches);
	memset(st, 0, sizeof(*st));
}

enum cmd_complete cmd_complete_kind(const char *text, size_t cursor, size_t *start)
{
	size_t s = cursor;
	while (s > 0 && text[s - 1] != ' ' && text[s - 1] != '\n')
		s--;
	*start = s;
	if (s == 0 && text[0] == '/')
		return CC_COMMAND;
	if (text[s] == '#')
		return CC_CHANNEL;
	if (text[s] == '@')
		return CC_USER;
	if (text[0] != '/' || text[1] == '/')
		return CC_NONE;
	/* A command's first argument: the kind comes from the table. */
	size_t name_len = strcspn(text + 1, " ");
	size_t p = 1 + name_len;
	while (text[p] == ' ')
		p++;
	if (p != s)
		return CC_NONE;
	char *name = xstrndup(text + 1, name_len);
	const struct cmd_def *d = cmd_find(name);
	free(name);
	return d ? d->complete : CC_NONE;
}

static void add_match(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static size_t builtin_candidates(enum cmd_complete kind, int with_slash, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	if (kind == CC_COMMAND) {
		size_t nc;
		const struct cmd_def *t = cmd_table(&nc);
		for (size_t i = 0; i < nc; i++) {
			char *s = xasprintf("%s%s", with_slash ? "/" : "", t[i].name);
			add_match(&v, &n, s);
			free(s);
		}
	} else {
		size_t nk;
		const struct config_key *k = config_keys(&nk);
		for (size_t i = 0; i < nk; i++)
			add_match(&v, &n, k[i].name);
		add_match(&v, &n, "save");
	}
	*out = v;
	return n;
}

int cmd_complete(struct cmd_completion *st, const char *text, size_t cursor,
	cmd_candidates_fn fn, void *ud, char **new_text, size_t *new_cursor)
{
	size_t len = strlen(text);
	if (cursor > len)
		cursor = len;
	int first = !st->active;
	if (first) {
		size_t start;
		enum cmd_complete kind = cmd_complete_kind(text, cursor, &start);
		if (kind == CC_NONE)
			return 0;
		char **cands = NULL;
		size_t nc;
		if (kind == CC_COMMAND || kind == CC_SETTING)
			nc = builtin_candidates(kind, start == 0, &cands);
		else
			nc = fn(ud, kind, &cands);
		const char *prefix = text + start;
		size_t plen = cursor - start;
		cmd_completion_reset(st);
		for (size_t i = 0; i < nc; i++) {
			if (strlen(cands[i]) >= plen && strncasecmp(cands[i], prefix, plen) == 0)
				add_match(&st->matches, &st->n, cands[i]);
			free(cands[i]);
		}
		free(cands);
		if (st->n == 0)
			return 0;
		st->active = 1;
		st->start = start;
		st->len = plen;
		st->idx = 0;
	} else {
		st->idx = (st->idx + 1) % st->n;
		if (st->start + st->len > len)
			st->len = len - st->start;
	}
	const char *m = st->matches[st->idx];
	struct buf b = BUF_INIT;
	buf_append(&b, text, st->start);
	buf_puts(&b, m);
	buf_putc(&b, ' ');
	size_t after = st->start + st->len;
	/* The space we add replaces one already there. */
	if (first && text[after] == ' ')
		after++;
	buf_puts(&b, text + after);
	st->len = strlen(m) + 1;
	*new_cursor = st->start + st->len;
	*new_text = buf_steal(&b);
	return 1;
}
