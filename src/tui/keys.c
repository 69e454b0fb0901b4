/* The keymap. Alt+key arrives as ESC then the key: ESC sets esc_pending and the next key of
 * the same read is taken as Alt+key; an ESC alone at the end of a read is the Esc key. Alt+
 * arrows and Alt+Home/End arrive as escape sequences that many terminfo entries don't name
 * (tmux's "screen" has no kUP3), so they are defined here with define_key. */
#include <string.h>

#include "moltty/utf8.h"
#include "tui_priv.h"

enum {
	KEY_ALT_UP = KEY_MAX + 1,
	KEY_ALT_DOWN,
	KEY_ALT_LEFT,
	KEY_ALT_RIGHT,
	KEY_ALT_HOME,
	KEY_ALT_END,
};

#define CTRL(c) ((c) & 0x1f)
#define ESC 0x1b
#define WHEEL_LINES 3

void keys_init(void)
{
	static const struct { const char *seq; int code; } seqs[] = {
		{ "\033[1;3A", KEY_ALT_UP }, { "\033[1;3B", KEY_ALT_DOWN },
		{ "\033[1;3D", KEY_ALT_LEFT }, { "\033[1;3C", KEY_ALT_RIGHT },
		{ "\033[1;3H", KEY_ALT_HOME }, { "\033[1;3F", KEY_ALT_END },
		/* rxvt and some tmux setups send ESC before the plain key */
		{ "\033\033[A", KEY_ALT_UP }, { "\033\033[B", KEY_ALT_DOWN },
		{ "\033\033[D", KEY_ALT_LEFT }, { "\033\033[C", KEY_ALT_RIGHT },
		{ "\033\033OA", KEY_ALT_UP }, { "\033\033OB", KEY_ALT_DOWN },
		{ "\033\033OD", KEY_ALT_LEFT }, { "\033\033OC", KEY_ALT_RIGHT },
		{ "\033\033[1~", KEY_ALT_HOME }, { "\033\033[4~", KEY_ALT_END },
	};
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		define_key(seqs[i].seq, seqs[i].code);
}

static int page_lines(struct tui *t)
{
	int h = t->lay.log.h - 2;
	return h > 1 ? h : 1;
}

static void edited(struct tui *t, int changed)
{
	if (changed)
		tui_after_edit(t);
}

static void toggle(struct tui *t, int *flag)
{
	*flag = !*flag;
	t->need_relayout = 1;
	t->ui_dirty = 1;
}

static void handle_mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	const struct tui_rect *m = &t->lay.members;
	if ((ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) && rect_visible(m) &&
		ev.x >= m->x && ev.x < m->x + m->w && ev.y >= m->y && ev.y < m->y + m->h)
		pane_members_click(t, ev.y - m->y);
	else if (ev.bstate & BUTTON4_PRESSED)
		tui_scroll(t, WHEEL_LINES);
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		tui_scroll(t, -WHEEL_LINES);
#endif
}

static void handle_keycode(struct tui *t, wint_t k, int alt)
{
	struct editline *e = &t->edit;
	int empty = el_is_empty(e);
	switch (k) {
	case KEY_ALT_UP: tui_step_channel(t, -1); break;
	case KEY_ALT_DOWN: tui_step_channel(t, 1); break;
	case KEY_ALT_LEFT: case KEY_F(2): tui_step_server(t, -1); break;
	case KEY_ALT_RIGHT: case KEY_F(3): tui_step_server(t, 1); break;
	case KEY_ALT_HOME: tui_scroll_top(t); break;
	case KEY_ALT_END: tui_scroll_bottom(t); break;
	case KEY_F(5): toggle(t, &t->cfg->show_servers); break;
	case KEY_F(6): toggle(t, &t->cfg->show_channels); break;
	case KEY_F(7): toggle(t, &t->cfg->show_members); break;
	case KEY_F(8): tui_cycle_identity(t, 1); break;
	case KEY_F(9): inspect_toggle(t); break;
	case KEY_PPAGE: tui_scroll(t, page_lines(t)); break;
	case KEY_NPAGE: tui_scroll(t, -page_lines(t)); break;
	case KEY_MOUSE: handle_mouse(t); break;
	case KEY_LEFT: t->ui_dirty |= alt ? el_word_left(e) : el_left(e); break;
	case KEY_RIGHT: t->ui_dirty |= alt ? el_word_right(e) : el_right(e); break;
	case KEY_HOME:
		if (alt || empty)
			tui_scroll_top(t);
		else
			t->ui_dirty |= el_home(e);
		break;
	case KEY_END:
		if (alt || empty)
			tui_scroll_bottom(t);
		else
			t->ui_dirty |= el_end(e);
		break;
	case KEY_UP:
		if (alt)
			tui_step_channel(t, -1);
		else
			t->ui_dirty |= el_history_prev(e);
		break;
	case KEY_DOWN:
		if (alt)
			tui_step_channel(t, 1);
		else
			t->ui_dirty |= el_history_next(e);
		break;
	case KEY_BACKSPACE: edited(t, alt ? el_delete_word_back(e) : el_delete_back(e)); break;
	case KEY_DC: edited(t, el_delete_fwd(e)); break;
	case KEY_ENTER:
		if (alt) {
			el_insert(e, "\n", 1);
			tui_after_edit(t);
		} else {
			tui_submit_line(t);
		}
		break;
	case KEY_RESIZE: t->need_relayout = 1; t->ui_dirty = 1; break;
	default: break;
	}
}

/* Alt + a character. */
static void handle_alt_char(struct tui *t, wint_t c)
{
	struct editline *e = &t->edit;
	if (c >= '1' && c <= '9') {
		tui_goto_channel_number(t, (int)(c - '0'));
		return;
	}
	switch (c) {
	case 'a': tui_next_activity(t, 0); break;
	case 'm': tui_next_activity(t, 1); break;
	case 'b': t->ui_dirty |= el_word_left(e); break;
	case 'f': t->ui_dirty |= el_word_right(e); break;
	case 'd': edited(t, el_kill_word_fwd(e)); break;
	case 'k': picker_open(t); break;
	case '\r': case '\n': el_insert(e, "\n", 1); tui_after_edit(t); break;
	case 0x7f: case CTRL('H'): edited(t, el_delete_word_back(e)); break;
	default: break;
	}
}

static void handle_char(struct tui *t, wint_t c)
{
	struct editline *e = &t->edit;
	switch (c) {
	case '\r': case '\n': tui_submit_line(t); return;
	case '\t': tui_complete(t); return;
	case CTRL('C'): tui_request_quit(t); return;
	case CTRL('P'): tui_step_channel(t, -1); return;
	case CTRL('N'): tui_step_channel(t, 1); return;
	case CTRL('A'): t->ui_dirty |= el_home(e); return;
	case CTRL('E'): t->ui_dirty |= el_end(e); return;
	case CTRL('B'): t->ui_dirty |= el_left(e); return;
	case CTRL('F'): t->ui_dirty |= el_right(e); return;
	case CTRL('L'): t->need_relayout = 1; t->ui_dirty = 1; clearok(curscr, TRUE); return;
	case CTRL('U'): edited(t, el_kill_to_start(e)); return;
	case CTRL('K'):
		/* Kill to the end when there is something after the cursor, else the picker. */
		if (e->cursor < e->len)
			edited(t, el_kill_to_end(e));
		else
			picker_open(t);
		return;
	case CTRL('G'): picker_open(t); return;
	case CTRL('R'): search_start(t); return;
	case CTRL('Y'): edited(t, el_yank(e)); return;
	case CTRL('W'): edited(t, el_delete_word_back(e)); return;
	case CTRL('H'): case 0x7f: edited(t, el_delete_back(e)); return;
	case CTRL('D'): edited(t, el_delete_fwd(e)); return;
	default: break;
	}
	/* Other controls are not text. */
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return;
	/* Typed or pasted bidi and format controls would reach the terminal: refuse them. */
	char enc[5], clean[16];
	enc[utf8_encode((uint32_t)c, enc)] = '\0';
	utf8_sanitize_into(enc, 0, clean, sizeof(clean));
	if (strcmp(enc, clean) != 0)
		return;
	el_insert_cp(e, (uint32_t)c);
	tui_after_edit(t);
}

/* Esc: closes whatever is open, else returns the log to the bottom. */
static void handle_escape(struct tui *t)
{
	if (t->code_next) {
		t->code_next = 0;
		t->ui_dirty = 1;
	} else if (t->anchored) {
		tui_scroll_bottom(t);
	}
}

void keys_flush_escape(struct tui *t)
{
	if (!t->esc_pending)
		return;
	t->esc_pending = 0;
	if (t->picker_open)
		picker_key(t, 0, ESC);
	else if (inspect_focused(t))
		inspect_key(t, 0, ESC);
	else if (t->search != SEARCH_OFF)
		search_key(t, 0, ESC);
	else
		handle_escape(t);
}

void keys_handle(struct tui *t, int is_keycode, wint_t ch)
{
	if (!is_keycode && ch == ESC) {
		if (t->esc_pending) /* ESC ESC: the first one was the Esc key */
			keys_flush_escape(t);
		t->esc_pending = 1;
		return;
	}
	int alt = t->esc_pending;
	t->esc_pending = 0;
	if (t->picker_open) {
		picker_key(t, is_keycode, ch);
		return;
	}
	if (!alt && inspect_focused(t) && inspect_key(t, is_keycode, ch))
		return;
	if (t->search != SEARCH_OFF && !alt && search_key(t, is_keycode, ch))
		return;
	if (is_keycode || ch != '\t')
		cmd_completion_reset(&t->comp);
	if (is_keycode)
		handle_keycode(t, ch, alt);
	else if (alt)
		handle_alt_char(t, ch);
	else
		handle_char(t, ch);
}
