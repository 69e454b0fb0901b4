/* editline: the input line's text and cursor, without curses (unit-tested directly).
 * Text is UTF-8; the cursor is a byte offset that always sits on a cluster boundary (a code
 * point plus the zero-width marks after it), and columns come from utf8_cp_width. */
#ifndef MOLTTY_TUI_EDITLINE_H
#define MOLTTY_TUI_EDITLINE_H

#include <stddef.h>
#include <stdint.h>

#define EL_HISTORY_MAX 200

struct editline {
	char *text;          /* always NUL-terminated */
	size_t len, cap;
	size_t cursor;       /* byte offset */
	size_t view_start;   /* first byte shown when the line is wider than the field */
	char **history;      /* oldest first */
	size_t n_history;
	size_t history_pos;  /* == n_history while editing a fresh line */
	char *draft;         /* the fresh line, kept while browsing history */
};

void el_init(struct editline *e);
void el_free(struct editline *e);
const char *el_text(const struct editline *e);
int el_is_empty(const struct editline *e);

void el_insert(struct editline *e, const char *s, size_t n);
void el_insert_cp(struct editline *e, uint32_t cp);
/* Each returns 1 when the text or the cursor changed. */
int el_delete_back(struct editline *e);   /* Backspace */
int el_delete_fwd(struct editline *e);    /* Delete */
int el_left(struct editline *e);
int el_right(struct editline *e);
int el_home(struct editline *e);          /* Ctrl-A */
int el_end(struct editline *e);           /* Ctrl-E */
int el_kill_to_start(struct editline *e); /* Ctrl-U */
int el_kill_to_end(struct editline *e);   /* Ctrl-K */
int el_delete_word_back(struct editline *e); /* Ctrl-W: spaces, then the word before them */
int el_history_prev(struct editline *e);  /* Up */
int el_history_next(struct editline *e);  /* Down */

/* Take the line (caller frees), remember non-blank lines in the history, clear the editor. */
char *el_take(struct editline *e);

/* Scroll the view so the cursor is visible in a field `cols` wide (one column is kept for the
 * cursor at the end). Sets the first byte to draw and the cursor's column within the field. */
void el_view(struct editline *e, size_t cols, size_t *first_byte, size_t *cursor_col);

#endif
