/* editline: the input line's text and cursor, without curses (unit-tested directly).
 * Text is UTF-8; the cursor is a byte offset that always sits on a cluster boundary (a code
 * point plus the zero-width marks after it), and columns come from utf8_cp_width. */
#ifndef MOLTTY_TUI_EDITLINE_H
#define MOLTTY_TUI_EDITLINE_H

#include <stddef.h>
#include <stdint.h>

#define EL_HISTORY_MAX 200

/* Lines sent, oldest first. The UI keeps one per channel and lends it to the editor. */
struct el_history {
	char **items;
	size_t n;
};
void el_history_free(struct el_history *h);

struct editline {
	char *text;          /* always NUL-terminated; may hold '\n' (multi-line input) */
	size_t len, cap;
	size_t cursor;       /* byte offset */
	size_t view_start;   /* first byte shown when the line is wider than the field */
	struct el_history own;   /* used when no other history is lent */
	struct el_history *hist; /* never NULL after el_init */
	size_t history_pos;  /* == hist->n while editing a fresh line */
	char *draft;         /* the fresh line, kept while browsing history */
	char *killed;        /* the last text cut by a kill command, for el_yank */
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
int el_kill_word_fwd(struct editline *e); /* Alt-D */
int el_yank(struct editline *e);          /* Ctrl-Y: insert the last killed text */
int el_word_left(struct editline *e);     /* Alt-B */
int el_word_right(struct editline *e);    /* Alt-F */
int el_history_prev(struct editline *e);  /* Up */
int el_history_next(struct editline *e);  /* Down */

/* Use h (NULL: the editor's own) from now on; history browsing starts over. */
void el_set_history(struct editline *e, struct el_history *h);
/* Replace the whole text and put the cursor at byte `cursor` (clamped). */
void el_set(struct editline *e, const char *text, size_t cursor);

/* Take the line (caller frees), remember non-blank lines in the history, clear the editor. */
char *el_take(struct editline *e);

/* Scroll the view so the cursor is visible in a field `cols` wide (one column is kept for the
 * cursor at the end). Sets the first byte to draw and the cursor's column within the field. */
void el_view(struct editline *e, size_t cols, size_t *first_byte, size_t *cursor_col);

/* Multi-line layout: the text cut into rows of at most `cols` columns (at '\n' and where a
 * row is full). Fills up to max_rows rows (byte ranges, newline excluded) and returns the
 * total number of rows; *cur_row / *cur_col say where the cursor is (a cursor after a full
 * row goes to the start of the next one, which then counts as a row). */
struct el_row {
	size_t start, len;
};
size_t el_rows(const struct editline *e, size_t cols, struct el_row *rows, size_t max_rows,
	size_t *cur_row, size_t *cur_col);

#endif
