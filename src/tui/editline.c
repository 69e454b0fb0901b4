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
	e->hist = &e->own;
}

void el_history_free(struct el_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->items);
	h->items = NULL;
	h->n = 0;
}

void el_set_history(struct editline *e, struct el_history *h)
{
	e->hist = h ? h : &e->own;
	e->history_pos = e->hist->n;
	free(e->draft);
	e->draft = NULL;
}

void el_free(struct editline *e)
{
	el_history_free(&e->own);
	free(e->text);
	free(e->draft);
	free(e->killed);
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
	/* A newline is a line break, never a mark. */
	while (p > 0 && e->text[p] != '\n' && utf8_cp_width(cp_at(e, p, &step)) == 0)
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
	while (at < e->len && e->text[at] != '\n' && utf8_cp_width(cp_at(e, at, &step)) == 0)
		at += step;
	return at;
}

static void cut(struct editline *e, size_t from, size_t to)
{
	free(e->killed);
	e->killed = xstrndup(e->text + from, to - from);
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

static void erase(struct editline *e, size_t from, size_t to)
{
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

int el_delete_back(struct editline *e)
{
	if (e->cursor == 0)
		return 0;
	erase(e, prev_cluster(e, e->cursor), e->cursor);
	return 1;
}

int el_delete_fwd(struct editline *e)
{
	if (e->cursor >= e->len)
		return 0;
	size_t c = e->cursor;
	erase(e, c, next_cluster(e, c));
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
	cut(e, e->cursor, e->len);
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\n';
}

static size_t word_start_before(const struct editline *e, size_t p)
{
	while (p > 0 && is_space(e->text[p - 1]))
		p--;
	while (p > 0 && !is_space(e->text[p - 1]))
		p--;
	return p;
}

static size_t word_end_after(const struct editline *e, size_t p)
{
	while (p < e->len && is_space(e->text[p]))
		p++;
	while (p < e->len && !is_space(e->text[p]))
		p++;
	return p;
}

int el_delete_word_back(struct editline *e)
{
	size_t p = word_start_before(e, e->cursor);
	if (p == e->cursor)
		return 0;
	cut(e, p, e->cursor);
	return 1;
}

int el_kill_word_fwd(struct editline *e)
{
	size_t p = word_end_after(e, e->cursor);
	if (p == e->cursor)
		return 0;
	size_t c = e->cursor;
	cut(e, c, p);
	return 1;
}

int el_yank(struct editline *e)
{
	if (!e->killed || !*e->killed)
		return 0;
	char *k = xstrdup(e->killed);
	el_insert(e, k, strlen(k));
	free(k);
	return 1;
}

int el_word_left(struct editline *e)
{
	size_t p = word_start_before(e, e->cursor);
	int moved = p != e->cursor;
	e->cursor = p;
	return moved;
}

int el_word_right(struct editline *e)
{
	size_t p = word_end_after(e, e->cursor);
	int moved = p != e->cursor;
	e->cursor = p;
	return moved;
}

void el_set(struct editline *e, const char *text, size_t cursor)
{
	/* Completion can bring names from the network: invalid UTF-8 becomes U+FFFD, or a later
	 * edit could join the bytes around the cursor into a code point it sits inside. The
	 * cursor moves to the start of the code point it was in (the end when past it). */
	struct buf copy = BUF_INIT;
	size_t n = strlen(text), at = (size_t)-1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t step = utf8_decode(text + i, n - i, &cp);
		if (at == (size_t)-1 && cursor < i + step)
			at = copy.len;
		char enc[4];
		buf_append(&copy, enc, utf8_encode(cp, enc));
		i += step;
	}
	set_text(e, buf_cstr(&copy));
	buf_free(&copy);
	e->cursor = at == (size_t)-1 ? e->len : at;
}

int el_history_prev(struct editline *e)
{
	if (e->history_pos == 0)
		return 0;
	if (e->history_pos > e->hist->n)
		e->history_pos = e->hist->n;
	if (e->history_pos == e->hist->n) {
		free(e->draft);
		e->draft = xstrdup(e->text);
	}
	e->history_pos--;
	set_text(e, e->hist->items[e->history_pos]);
	return 1;
}

int el_history_next(struct editline *e)
{
	if (e->history_pos >= e->hist->n)
		return 0;
	e->history_pos++;
	if (e->history_pos == e->hist->n) {
		set_text(e, e->draft ? e->draft : "");
		free(e->draft);
		e->draft = NULL;
	} else {
		set_text(e, e->hist->items[e->history_pos]);
	}
	return 1;
}

static void history_push(struct el_history *h, const char *line)
{
	if (h->n > 0 && strcmp(h->items[h->n - 1], line) == 0)
		return;
	if (h->n == EL_HISTORY_MAX) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (h->n - 1) * sizeof(*h->items));
		h->n--;
	}
	h->items = xrealloc(h->items, (h->n + 1) * sizeof(*h->items));
	h->items[h->n++] = xstrdup(line);
}

char *el_take(struct editline *e)
{
	char *line = xstrdup(e->text);
	if (line[strspn(line, " \n")] != '\0')
		history_push(e->hist, line);
	e->history_pos = e->hist->n;
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
	/* Keep the cursor's own cell inside the field: text before it may use cols - 1 columns.
	 * Widths are kept as running sums: re-measuring each step is quadratic on long lines. */
	size_t w = width_between(e, e->view_start, e->cursor);
	while (e->view_start < e->cursor && w > cols - 1) {
		size_t next = next_cluster(e, e->view_start);
		/* the cursor can sit inside a cluster (a ZWJ or mark typed after it): stop there */
		if (next > e->cursor)
			next = e->cursor;
		size_t cw = width_between(e, e->view_start, next);
		w = cw < w ? w - cw : 0;
		e->view_start = next;
	}
	/* Text hidden on the left while the end of the line leaves room: scroll back. */
	size_t tail = width_between(e, e->view_start, e->len);
	while (e->view_start > 0) {
		size_t p = prev_cluster(e, e->view_start);
		tail += width_between(e, p, e->view_start);
		if (tail > cols - 1)
			break;
		e->view_start = p;
	}
	*first_byte = e->view_start;
	*cursor_col = width_between(e, e->view_start, e->cursor);
}

size_t el_rows(const struct editline *e, size_t cols, struct el_row *rows, size_t max_rows,
	size_t *cur_row, size_t *cur_col)
{
	if (cols < 1)
		cols = 1;
	size_t row = 0, col = 0, start = 0, p = 0;
	*cur_row = *cur_col = 0;
	while (1) {
		if (p == e->cursor) {
			if (col >= cols) {
				/* The row is full: the cursor starts the next one. */
				if (row < max_rows)
					rows[row] = (struct el_row){ start, p - start };
				row++;
				start = p;
				col = 0;
			}
			*cur_row = row;
			*cur_col = col;
		}
		if (p >= e->len)
			break;
		if (e->text[p] == '\n') {
			if (row < max_rows)
				rows[row] = (struct el_row){ start, p - start };
			row++;
			p++;
			start = p;
			col = 0;
			continue;
		}
		size_t next = next_cluster(e, p);
		size_t w = width_between(e, p, next);
		if (col + w > cols && col > 0) {
			if (row < max_rows)
				rows[row] = (struct el_row){ start, p - start };
			row++;
			start = p;
			col = 0;
			continue; /* re-examine p (the cursor may sit here) */
		}
		col += w;
		p = next;
	}
	if (row < max_rows)
		rows[row] = (struct el_row){ start, e->len - start };
	return row + 1;
}
