/* fuzzy: the channel picker's matching. The query's characters must appear in order
 * (ASCII letters in either case); the score prefers matches at word starts and runs of
 * consecutive characters, then shorter candidates. No curses. */
#ifndef MOLTTY_TUI_FUZZY_H
#define MOLTTY_TUI_FUZZY_H

/* -1 when `query` does not match `text`; otherwise higher is better. "" matches everything
 * with score 0. */
int fuzzy_score(const char *query, const char *text);

#endif
