/* Sizing the panes. Small terminals lose the member list first, then the server list, then the
 * channel list; the message log, the status bar and the input line stay as long as there is a
 * row for them. */
#include <string.h>

#include "layout.h"

static struct tui_rect rect(int y, int x, int h, int w)
{
	struct tui_rect r = { y, x, h > 0 ? h : 0, w > 0 ? w : 0 };
	if (r.h == 0 || r.w == 0)
		r.h = r.w = 0;
	return r;
}

void layout_compute(struct tui_layout *l, int cols, int rows, size_t n_servers)
{
	memset(l, 0, sizeof(*l));
	if (cols < 0)
		cols = 0;
	if (rows < 0)
		rows = 0;
	l->rows = rows;
	l->cols = cols;
	l->left_sep_x = l->right_sep_x = -1;

	/* Bottom-up: the input line is the last thing to go. */
	l->input = rect(rows - 1, 0, rows >= 1 ? 1 : 0, cols);
	l->status = rect(rows - 2, 0, rows >= 2 ? 1 : 0, cols);
	int body = rows - 2;
	if (body < 0)
		body = 0;
	l->body_h = body;

	int show_members = cols >= LAYOUT_MEMBERS_MIN_COLS;
	int show_servers = cols >= LAYOUT_SERVERS_MIN_COLS;
	int show_channels = cols >= LAYOUT_CHANNELS_MIN_COLS;
	int left_w = show_channels ? (show_servers ? LAYOUT_LEFT_W : LAYOUT_LEFT_W - 4) : 0;
	int members_w = show_members ? LAYOUT_MEMBERS_W : 0;

	int log_x = 0, log_w = cols;
	if (left_w > 0) {
		l->left_sep_x = left_w;
		log_x = left_w + 1;
		log_w -= left_w + 1;
	}
	if (members_w > 0) {
		l->right_sep_x = cols - members_w - 1;
		log_w -= members_w + 1;
		l->members = rect(0, cols - members_w, body, members_w);
	}

	if (left_w > 0) {
		int servers_h = 0;
		/* The server list needs a title and one row, and must leave the channels room. */
		if (show_servers && body >= 6) {
			servers_h = (int)n_servers + 1;
			if (servers_h < 2)
				servers_h = 2;
			if (servers_h > body / 3)
				servers_h = body / 3;
		}
		l->servers = rect(0, 0, servers_h, left_w);
		l->channels = rect(servers_h, 0, body - servers_h, left_w);
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
	if (log_w <= 0) {
		l->left_sep_x = l->right_sep_x = -1;
	}
}
