/* layout: where each pane goes for a given terminal size. Pure arithmetic, no curses, so it is
 * unit-tested at many sizes. A pane with h == 0 or w == 0 is hidden. */
#ifndef MOLTTY_TUI_LAYOUT_H
#define MOLTTY_TUI_LAYOUT_H

#include <stddef.h>

struct tui_rect {
	int y, x, h, w;
};

/* Side panes are dropped (members first, then servers, then channels) while the message log
 * would be narrower than this. */
#define LAYOUT_LOG_MIN_COLS 36
#define LAYOUT_INPUT_MAX_ROWS 5

/* What the user asked for (config keys, F5-F7). */
struct layout_params {
	int show_servers, show_channels, show_members;
	int servers_w, channels_w, members_w;
	int input_h;               /* rows the input wants (multi-line), clamped */
};

struct tui_layout {
	int rows, cols;
	struct tui_rect servers;   /* leftmost column */
	struct tui_rect channels;  /* next column */
	struct tui_rect title;     /* "#channel — topic" above the log */
	struct tui_rect log;
	struct tui_rect typing;    /* one line under the log */
	struct tui_rect members;   /* rightmost column */
	struct tui_rect status;
	struct tui_rect input;
	int sep_x[3];              /* columns of vertical separators, -1 when unused */
	int body_h;                /* rows above the status bar */
};

void layout_compute(struct tui_layout *l, int cols, int rows, const struct layout_params *p);

static inline int rect_visible(const struct tui_rect *r)
{
	return r->h > 0 && r->w > 0;
}

#endif
