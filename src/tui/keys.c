/* The keymap. Alt+arrows arrive as escape sequences that many terminfo entries don't name
 * (tmux's "screen" has no kUP3), so they are defined here explicitly with define_key. */
#include <string.h>

#include "moltty/utf8.h"
#include "tui_priv.h"

enum {
	KEY_ALT_UP = KEY_MAX + 1,
	KEY_ALT_DOWN,
	KEY_ALT_LEFT,
	KEY_ALT_RIGHT,
};

#define CTRL(c) ((c) & 0x1f)

void keys_init(void)
{
	static const struct { const char *seq; int code; } seqs[] = {
		{ "\033[1;3A", KEY_ALT_UP }, { "\033[1;3B", KEY_ALT_DOWN },
		{ "\033[1;3D", KEY_ALT_LEFT }, { "\033[1;3C", KEY_ALT_RIGHT },
		/* rxvt and some tmux setups send ESC before the plain arrow */
		{ "\033\033[A", KEY_ALT_UP }, { "\033\033[B", KEY_ALT_DOWN },
		{ "\033\033[D", KEY_ALT_LEFT }, { "\033\033[C", KEY_ALT_RIGHT },
		{ "\033\033OA", KEY_ALT_UP }, { "\033\033OB", KEY_ALT_DOWN },
		{ "\033\033OD", KEY_ALT_LEFT }, { "\033\033OC", KEY_ALT_RIGHT },
	};
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		define_key(seqs[i].seq, seqs[i].code);
}

static int page_lines(struct tui *t)
{
	int h = t->lay.log.h - 2;
	return h > 1 ? h : 1;
}

static void handle_keycode(struct tui *t, wint_t k)
{
	struct editline *e = &t->edit;
	switch (k) {
	case KEY_ALT_UP: tui_step_channel(t, -1); break;
	case KEY_ALT_DOWN: tui_step_channel(t, 1); break;
	case KEY_ALT_LEFT: case KEY_F(2): tui_step_server(t, -1); break;
	case KEY_ALT_RIGHT: case KEY_F(3): tui_step_server(t, 1); break;
	case KEY_PPAGE: tui_scroll(t, page_lines(t)); break;
	case KEY_NPAGE: tui_scroll(t, -page_lines(t)); break;
	case KEY_LEFT: t->ui_dirty |= el_left(e); break;
	case KEY_RIGHT: t->ui_dirty |= el_right(e); break;
	case KEY_HOME: t->ui_dirty |= el_home(e); break;
	case KEY_END: t->ui_dirty |= el_end(e); break;
	case KEY_UP: t->ui_dirty |= el_history_prev(e); break;
	case KEY_DOWN: t->ui_dirty |= el_history_next(e); break;
	case KEY_BACKSPACE:
		if (el_delete_back(e))
			tui_after_edit(t);
		break;
	case KEY_DC:
		if (el_delete_fwd(e))
			tui_after_edit(t);
		break;
	case KEY_ENTER: tui_submit_line(t); break;
	case KEY_RESIZE: t->ui_dirty = 1; break;
	default: break;
	}
}

static void handle_char(struct tui *t, wint_t c)
{
	struct editline *e = &t->edit;
	switch (c) {
	case '\r': case '\n': tui_submit_line(t); return;
	case CTRL('C'): tui_request_quit(t); return;
	case CTRL('P'): tui_step_channel(t, -1); return;
	case CTRL('N'): tui_step_channel(t, 1); return;
	case CTRL('A'): t->ui_dirty |= el_home(e); return;
	case CTRL('E'): t->ui_dirty |= el_end(e); return;
	case CTRL('B'): t->ui_dirty |= el_left(e); return;
	case CTRL('F'): t->ui_dirty |= el_right(e); return;
	case CTRL('L'): t->need_relayout = 1; t->ui_dirty = 1; clearok(curscr, TRUE); return;
	case CTRL('U'): if (el_kill_to_start(e)) tui_after_edit(t); return;
	case CTRL('K'): if (el_kill_to_end(e)) tui_after_edit(t); return;
	case CTRL('W'): if (el_delete_word_back(e)) tui_after_edit(t); return;
	case CTRL('H'): case 0x7f: if (el_delete_back(e)) tui_after_edit(t); return;
	case CTRL('D'): if (el_delete_fwd(e)) tui_after_edit(t); return;
	default: break;
	}
	/* Other controls (and a lone Esc) are not text. */
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

void keys_handle(struct tui *t, int is_keycode, wint_t ch)
{
	if (is_keycode)
		handle_keycode(t, ch);
	else
		handle_char(t, ch);
}
