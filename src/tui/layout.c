/* Sizing the panes: columns servers | channels | log | members, each side pane followed or
 * preceded by a one-column separator. Small terminals lose the member list first, then the
 * server list, then the channel list; the message log, the status bar and the input line stay
 * as long as there is a row for them. */
#include <string.h>

#include "layout.h"

static struct tui_rect rect(int y, int x, int h, int w)
{
	struct tui_rect r = { y, x, h > 0 ? h : 0, w > 0 ? w : 0 };
	if (r.h == 0 || r.w == 0)
		r.h = r.w = 0;
	return r;
}

void layout_compute(struct tui_layout *l, int cols, int rows, const struct layout_params *p)
{
	memset(l, 0, sizeof(*l));
	if (cols < 0)
		cols = 0;
	if (rows < 0)
		rows = 0;
	l->rows = rows;
	l->cols = cols;
	for (int i = 0; i < 3; i++)
		l->sep_x[i] = -1;

	/* Bottom-up: the input is the last thing to go; it grows for multi-line text but leaves
	 * the log at least a few rows. */
	int input_h = p->input_h < 1 ? 1 : p->input_h;
	if (input_h > LAYOUT_INPUT_MAX_ROWS)
		input_h = LAYOUT_INPUT_MAX_ROWS;
	while (input_h > 1 && rows - 2 - input_h < 4)
		input_h--;
	if (input_h > rows)
		input_h = rows;
	l->input = rect(rows - input_h, 0, input_h, cols);
	l->status = rect(rows - input_h - 1, 0, rows > input_h ? 1 : 0, cols);
	int body = rows - input_h - 1;
	if (body < 0)
		body = 0;
	l->body_h = body;

	int sw = p->show_servers ? p->servers_w : 0;
	int cw = p->show_channels ? p->channels_w : 0;
	int mw = p->show_members ? p->members_w : 0;
	/* Each shown side pane costs its width plus a separator. */
#define COST(w) ((w) > 0 ? (w) + 1 : 0)
	if (cols - COST(sw) - COST(cw) - COST(mw) < LAYOUT_LOG_MIN_COLS)
		mw = 0;
	if (cols - COST(sw) - COST(cw) < LAYOUT_LOG_MIN_COLS)
		sw = 0;
	if (cols - COST(cw) < LAYOUT_LOG_MIN_COLS)
		cw = 0;

	int x = 0, k = 0;
	if (sw > 0) {
		l->servers = rect(0, x, body, sw);
		x += sw;
		l->sep_x[k++] = x++;
	}
	if (cw > 0) {
		l->channels = rect(0, x, body, cw);
		x += cw;
		l->sep_x[k++] = x++;
	}
	int log_x = x, log_w = cols - x - COST(mw);
#undef COST
	if (mw > 0) {
		l->sep_x[k++] = cols - mw - 1;
		l->members = rect(0, cols - mw, body, mw);
	}

	/* The log column: title on top, typing line at the bottom, when there is room. */
	int y = 0, h = body;
	if (h >= 3) {
		l->title = rect(0, log_x, 1, log_w);
		y++;
		h--;
	}
	if (h >= 3) {
		l->typing = rect(y + h - 1, log_x, 1, log_w);
		h--;
	}
	l->log = rect(y, log_x, h, log_w);
	if (body == 0)
		for (int i = 0; i < 3; i++)
			l->sep_x[i] = -1;
}
