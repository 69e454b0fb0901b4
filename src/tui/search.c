/* Searching the current channel's scrollback: Ctrl-R (or /search TEXT) finds the newest
 * message containing the text (ASCII letters match either case), n / Ctrl-R go to older hits,
 * N to newer ones, Esc ends. Hits are highlighted in the log; the view is anchored at the
 * current one. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "tui_priv.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 0x1b

const char *search_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return NULL;
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] &&
			tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return p;
	}
	return NULL;
}

int search_is_hit(const struct tui *t, const struct mdl_message *m)
{
	return t->search != SEARCH_OFF && t->has_hit && m->created_ms == t->hit_ms &&
		str_eq(m->id, t->hit_id);
}

/* Index of the current hit in the channel, or c->n_msgs when there is none. */
static size_t hit_index(struct tui *t, const struct mdl_channel *c)
{
	if (!t->has_hit)
		return c->n_msgs;
	struct log_pos p = { .ms = t->hit_ms, .id = t->hit_id };
	for (size_t i = c->n_msgs; i-- > 0;) {
		int d = log_pos_cmp_msg(&p, c->msgs[i]);
		if (d <= 0)
			return d == 0 ? i : i + 1;
	}
	return 0;
}

/* Put message m a third of the way up the log. */
static void show_hit(struct tui *t, const struct mdl_message *m)
{
	t->has_hit = 1;
	t->hit_ms = m->created_ms;
	str_replace(&t->hit_id, m->id);
	struct mdl_channel *c = tui_cur_channel(t);
	if (!t->anchored)
		log_pos_newest(t, c, &t->newest_seen);
	/* The position just before m: notices newer than it are above the anchor. */
	size_t notices = t->model->n_notices;
	size_t floor = notices > MDL_NOTICES ? notices - MDL_NOTICES : 0;
	while (notices > floor && t->model->notices[(notices - 1) % MDL_NOTICES].at_ms > m->created_ms)
		notices--;
	t->anchor.notices = notices;
	t->anchor.ms = m->created_ms;
	str_replace(&t->anchor.id, m->id);
	/* Skip goes negative: the hit's last line sits this many rows above the bottom. */
	t->anchor_skip = -(t->lay.log.h / 3);
	t->anchored = 1;
	t->scroll_req = 0;
	t->ui_dirty = 1;
}

static int find_from(struct tui *t, size_t from, int older)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c || !t->search_query || !*t->search_query)
		return 0;
	if (older) {
		for (size_t i = from; i-- > 0;)
			if (c->msgs[i]->content && search_find(c->msgs[i]->content, t->search_query)) {
				show_hit(t, c->msgs[i]);
				return 1;
			}
	} else {
		for (size_t i = from + 1; i < c->n_msgs; i++)
			if (c->msgs[i]->content && search_find(c->msgs[i]->content, t->search_query)) {
				show_hit(t, c->msgs[i]);
				return 1;
			}
	}
	return 0;
}

void search_end(struct tui *t)
{
	t->search = SEARCH_OFF;
	t->has_hit = 0;
	t->ui_dirty = 1;
}

void search_start(struct tui *t)
{
	if (!tui_cur_channel(t))
		return;
	if (t->search == SEARCH_BROWSING) {
		search_next(t, 1);
		return;
	}
	t->search = SEARCH_TYPING;
	t->has_hit = 0;
	el_set(&t->search_edit, "", 0);
	t->ui_dirty = 1;
}

int search_run(struct tui *t, const char *query)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c) {
		mdl_notice(t->model, 1, "no channel to search");
		return -1;
	}
	str_replace(&t->search_query, query);
	t->has_hit = 0;
	t->search = SEARCH_BROWSING;
	if (!find_from(t, c->n_msgs, 1)) {
		t->search = SEARCH_OFF;
		mdl_notice(t->model, 1, "no message here contains \"%s\"%s", query,
			c->history == MDL_HIST_COMPLETE ? "" : " (PgUp loads older messages)");
		return -1;
	}
	return 0;
}

void search_next(struct tui *t, int older)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c)
		return;
	if (!find_from(t, hit_index(t, c), older))
		mdl_notice(t->model, 0, older ? "no older match%s" : "no newer match%s",
			older && c->history != MDL_HIST_COMPLETE ? " (PgUp loads older messages)" : "");
}

static int typing_key(struct tui *t, int is_keycode, wint_t ch)
{
	struct editline *e = &t->search_edit;
	int changed = 0;
	t->ui_dirty = 1;
	if (is_keycode) {
		switch (ch) {
		case KEY_BACKSPACE: changed = el_delete_back(e); break;
		case KEY_LEFT: el_left(e); break;
		case KEY_RIGHT: el_right(e); break;
		case KEY_ENTER: goto enter;
		default: break;
		}
	} else if (ch == ESC) {
		search_end(t);
		return 1;
	} else if (ch == '\r' || ch == '\n' || ch == CTRL('R')) {
enter:
		if (el_is_empty(e)) {
			search_end(t);
			return 1;
		}
		if (t->has_hit && ch == CTRL('R'))
			search_next(t, 1);
		else if (!t->has_hit)
			search_run(t, el_text(e));
		t->search = SEARCH_BROWSING;
		return 1;
	} else if (ch == 0x7f || ch == CTRL('H')) {
		changed = el_delete_back(e);
	} else if (ch == CTRL('U')) {
		changed = el_kill_to_start(e);
	} else if (ch >= 0x20 && !(ch >= 0x7f && ch < 0xa0)) {
		el_insert_cp(e, (uint32_t)ch);
		changed = 1;
	}
	if (changed) {
		/* Incremental: the newest hit follows the query as it is typed. */
		str_replace(&t->search_query, el_text(e));
		t->has_hit = 0;
		struct mdl_channel *c = tui_cur_channel(t);
		if (c && !el_is_empty(e))
			find_from(t, c->n_msgs, 1);
	}
	t->ui_dirty = 1;
	return 1;
}

int search_key(struct tui *t, int is_keycode, wint_t ch)
{
	if (t->search == SEARCH_TYPING)
		return typing_key(t, is_keycode, ch);
	if (is_keycode) {
		if (ch == KEY_PPAGE || ch == KEY_NPAGE || ch == KEY_MOUSE || ch == KEY_RESIZE)
			return 0; /* look around the hit without ending the search */
		search_end(t);
		return ch == KEY_ENTER;
	}
	switch (ch) {
	case 'n': case CTRL('R'): search_next(t, 1); return 1;
	case 'N': search_next(t, 0); return 1;
	case '\r': case '\n': search_end(t); return 1;
	case ESC: search_end(t); return 1;
	default: search_end(t); return 0;
	}
}
