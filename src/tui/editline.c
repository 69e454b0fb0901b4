/* The input line's editing operations. Pure text manipulation: no curses, no I/O. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "editline.h"

void el_init(struct editline *e)
{
	memset(e, 0, sizeof(*e));
	e->cap = 64;
	e->text = xcalloc(1, e->cap);
}

void el_free(struct editline *e)
{
	for (size_t i = 0; i < e->n_history; i++)
		free(e->history[i]);
	free(e->history);
	free(e->text);
	free(e->draft);
	memset(e, 0, sizeof(*e));
}

const char *el_text(const struct editline *e)
{
	return e->text;
}

int el_is_empty(const struct editline *e)
{
	return e->len == 0;
}

static void set_text(struct editline *e, const char *s)
{
	size_t n = strlen(s);
	if (n + 1 > e->cap) {
		e->cap = n + 64;
		e->text = xrealloc(e->text, e->cap);
	}
	memcpy(e->text, s, n + 1);
	e->len = n;
	e->cursor = n;
	e->view_start = 0;
}

void el_insert(struct editline *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->cap) {
		e->cap = (e->len + n + 1) * 2;
		e->text = xrealloc(e->text, e->cap);
	}
	memmove(e->text + e->cursor + n, e->text + e->cursor, e->len - e->cursor + 1);
	memcpy(e->text + e->cursor, s, n);
	e->len += n;
	e->cursor += n;
}

void el_insert_cp(struct editline *e, uint32_t cp)
{
	char tmp[4];
	size_t n = utf8_encode(cp, tmp);
	el_insert(e, tmp, n);
}

static uint32_t cp_at(const struct editline *e, size_t at, size_t *step)
{
	uint32_t cp;
	*step = utf8_decode(e->text + at, e->len - at, &cp);
	return cp;
}

/* Start of the code point that ends at `at`. */
static size_t prev_cp(const struct editline *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)e->text[at] & 0xC0) == 0x80)
		at--;
	return at;
}

/* Start of the cluster before `at`: step back over zero-width marks to their base. */
static size_t prev_cluster(const struct editline *e, size_t at)
{
	size_t p = prev_cp(e, at), step;
	while (p > 0 && utf8_cp_width(cp_at(e, p, &step)) == 0)
		p = prev_cp(e, p);
	return p;
}

static size_t next_cluster(const struct editline *e, size_t at)
{
	size_t step;
	if (at >= e->len)
		return e->len;
	cp_at(e, at, &step);
	at += step;
	while (at < e->len && utf8_cp_width(cp_at(e, at, &step)) == 0)
		at += step;
	return at;
}

static void cut(struct editline *e, size_t from, size_t to)
{
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

int el_delete_back(struct editline *e)
{
	if (e->cursor == 0)
		return 0;
	cut(e, prev_cluster(e, e->cursor), e->cursor);
	return 1;
}

int el_delete_fwd(struct editline *e)
{
	if (e->cursor >= e->len)
		return 0;
	size_t c = e->cursor;
	cut(e, c, next_cluster(e, c));
	return 1;
}

int el_left(struct editline *e)
{
	if (e->cursor == 0)
		return 0;
	e->cursor = prev_cluster(e, e->cursor);
	return 1;
}

int el_right(struct editline *e)
{
	if (e->cursor >= e->len)
		return 0;
	e->cursor = next_cluster(e, e->cursor);
	return 1;
}

int el_home(struct editline *e)
{
	int moved = e->cursor != 0;
	e->cursor = 0;
	return moved;
}

int el_end(struct editline *e)
{
	int moved = e->cursor != e->len;
	e->cursor = e->len;
	return moved;
}

int el_kill_to_start(struct editline *e)
{
	if (e->cursor == 0)
		return 0;
	cut(e, 0, e->cursor);
	return 1;
}

int el_kill_to_end(struct editline *e)
{
	if (e->cursor >= e->len)
		return 0;
	e->text[e->cursor] = '\0';
	e->len = e->cursor;
	return 1;
}

int el_delete_word_back(struct editline *e)
{
	size_t p = e->cursor;
	while (p > 0 && e->text[p - 1] == ' ')
		p--;
	while (p > 0 && e->text[p - 1] != ' ')
		p--;
	if (p == e->cursor)
		return 0;
	cut(e, p, e->cursor);
	return 1;
}

int el_history_prev(struct editline *e)
{
	if (e->history_pos == 0)
		return 0;
	if (e->history_pos == e->n_history) {
		free(e->draft);
		e->draft = xstrdup(e->text);
	}
	e->history_pos--;
	set_text(e, e->history[e->history_pos]);
	return 1;
}

int el_history_next(struct editline *e)
{
	if (e->history_pos >= e->n_history)
		return 0;
	e->history_pos++;
	if (e->history_pos == e->n_history) {
		set_text(e, e->draft ? e->draft : "");
		free(e->draft);
		e->draft = NULL;
	} else {
		set_text(e, e->history[e->history_pos]);
	}
	return 1;
}

static void history_push(struct editline *e, const char *line)
{
	if (e->n_history > 0 && strcmp(e->history[e->n_history - 1], line) == 0)
		return;
	if (e->n_history == EL_HISTORY_MAX) {
		free(e->history[0]);
		memmove(e->history, e->history + 1, (e->n_history - 1) * sizeof(*e->history));
		e->n_history--;
	}
	e->history = xrealloc(e->history, (e->n_history + 1) * sizeof(*e->history));
	e->history[e->n_history++] = xstrdup(line);
}

char *el_take(struct editline *e)
{
	char *line = xstrdup(e->text);
	if (line[strspn(line, " ")] != '\0')
		history_push(e, line);
	e->history_pos = e->n_history;
	free(e->draft);
	e->draft = NULL;
	set_text(e, "");
	return line;
}

static size_t width_between(const struct editline *e, size_t from, size_t to)
{
	size_t w = 0, step;
	for (size_t p = from; p < to; p += step)
		w += (size_t)utf8_cp_width(cp_at(e, p, &step));
	return w;
}

void el_view(struct editline *e, size_t cols, size_t *first_byte, size_t *cursor_col)
{
	if (cols < 1)
		cols = 1;
	if (e->view_start > e->cursor)
		e->view_start = e->cursor;
	if (e->view_start > e->len)
		e->view_start = 0;
	/* Keep the cursor's own cell inside the field: text before it may use cols - 1 columns. */
	while (e->view_start < e->cursor && width_between(e, e->view_start, e->cursor) > cols - 1)
		e->view_start = next_cluster(e, e->view_start);
	/* Text hidden on the left while the end of the line leaves room: scroll back. */
	while (e->view_start > 0) {
		size_t p = prev_cluster(e, e->view_start);
		if (width_between(e, p, e->len) > cols - 1)
			break;
		e->view_start = p;
	}
	*first_byte = e->view_start;
	*cursor_col = width_between(e, e->view_start, e->cursor);
}
