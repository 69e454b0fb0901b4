/* Private to tui/: the tui struct shared by the pane files. */
#ifndef MOLTTY_TUI_PRIV_H
#define MOLTTY_TUI_PRIV_H

#include <curses.h>
#include <ev.h>

#include "moltty/client.h"
#include "moltty/model.h"
#include "moltty/tui.h"
#include "editline.h"
#include "layout.h"
#include "theme.h"

enum tui_pane {
	PANE_SERVERS,
	PANE_CHANNELS,
	PANE_TITLE,
	PANE_LOG,
	PANE_TYPING,
	PANE_MEMBERS,
	PANE_STATUS,
	PANE_INPUT,
	PANE_COUNT
};

struct tui {
	struct tui_options opt;
	struct mdl_model *model;
	struct mdl_account *acct;
	struct mc_client *client;
	SCREEN *screen;

	attr_t attr[TR_COUNT];
	struct tui_layout lay;
	WINDOW *win[PANE_COUNT];
	int need_relayout;

	struct editline edit;
	char *server_id;        /* current selection, by id: the model may drop entries */
	char *channel_id;
	char *pending_join;     /* a server id we asked to join: switch to it when it appears */
	int scroll;             /* log lines scrolled up from the bottom */
	int log_at_top;         /* the last draw reached the oldest message held */
	int ui_dirty;
	int64_t prefer_deadline; /* mono_ms until which we wait for opt.prefer_server */

	ev_io stdin_w;
	ev_signal winch_w;
	ev_prepare draw_w;
	ev_timer tick_w;
};

/* tui.c: selection and actions */
struct mdl_server *tui_cur_server(struct tui *t);
struct mdl_channel *tui_cur_channel(struct tui *t);
void tui_select_channel(struct tui *t, struct mdl_channel *c);
void tui_select_server(struct tui *t, struct mdl_server *s);
void tui_step_channel(struct tui *t, int delta);
void tui_step_server(struct tui *t, int delta);
void tui_scroll(struct tui *t, int delta_lines);
void tui_submit_line(struct tui *t);
void tui_after_edit(struct tui *t); /* the text changed: tell others we type */
void tui_request_quit(struct tui *t);

/* keys.c */
void keys_init(void);
void keys_handle(struct tui *t, int is_keycode, wint_t ch);

/* theme.c */
void theme_apply(struct tui *t, const struct theme *th);

/* draw.c: every string drawn goes through these (sanitised, clipped by display width) */
int draw_text(WINDOW *w, int y, int x, const char *s, size_t n, int maxw, attr_t attr);
int draw_untrusted(WINDOW *w, int y, int x, const char *raw, int maxw, attr_t attr);
void draw_fill(WINDOW *w, int y, int x, int n, attr_t attr);
void draw_all(struct tui *t);

/* One function per pane, each in its own file. */
void pane_servers_draw(struct tui *t, WINDOW *w);
void pane_channels_draw(struct tui *t, WINDOW *w);
void pane_title_draw(struct tui *t, WINDOW *w);
void pane_log_draw(struct tui *t, WINDOW *w);
void pane_typing_draw(struct tui *t, WINDOW *w);
void pane_members_draw(struct tui *t, WINDOW *w);
void statusbar_draw(struct tui *t, WINDOW *w);
void input_draw(struct tui *t, WINDOW *w);
void input_place_cursor(struct tui *t, WINDOW *w);

/* pane_channels.c: the label of a channel ("# general", "@peer" for DMs) */
char *channel_label(const struct mdl_channel *c);

#endif
