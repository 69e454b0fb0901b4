/* layout: where each pane goes for a given terminal size. Pure arithmetic, no curses, so it is
 * unit-tested at many sizes. A pane with h == 0 or w == 0 is hidden. */
#ifndef MOLTTY_TUI_LAYOUT_H
#define MOLTTY_TUI_LAYOUT_H

#include <stddef.h>

struct tui_rect {
	int y, x, h, w;
};

/* Below these widths a side pane gives its columns to the message log. */
#define LAYOUT_MEMBERS_MIN_COLS 90
#define LAYOUT_SERVERS_MIN_COLS 70
#define LAYOUT_CHANNELS_MIN_COLS 50
#define LAYOUT_LEFT_W 20
#define LAYOUT_MEMBERS_W 20

struct tui_layout {
	int rows, cols;
	struct tui_rect servers;   /* top of the left column */
	struct tui_rect channels;  /* rest of the left column */
	struct tui_rect title;     /* "#channel — topic" above the log */
	struct tui_rect log;
	struct tui_rect typing;    /* one line under the log */
	struct tui_rect members;
	struct tui_rect status;
	struct tui_rect input;
	int left_sep_x;            /* column of the separator after the left column, or -1 */
	int right_sep_x;           /* column of the separator before the members, or -1 */
	int body_h;                /* rows above the status bar */
};

/* n_servers sizes the server list (it takes what it needs, at most a third of the body). */
void layout_compute(struct tui_layout *l, int cols, int rows, size_t n_servers);

static inline int rect_visible(const struct tui_rect *r)
{
	return r->h > 0 && r->w > 0;
}

#endif
