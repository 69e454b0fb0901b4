/* Private to tui/: the tui struct shared by the pane files. */
#ifndef MOLTTY_TUI_PRIV_H
#define MOLTTY_TUI_PRIV_H

#include <curses.h>
#include <ev.h>

#include "moltty/client.h"
#include "moltty/cmd.h"
#include "moltty/config.h"
#include "moltty/model.h"
#include "moltty/tui.h"
#include "chatlog.h"
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

/* A position in the merged stream of a channel's messages and the model's notices: everything
 * at or before it (in drawing order). Stable while older pages arrive or old messages drop. */
struct log_pos {
	size_t notices;   /* notices at or before (a count over the notice ring's history) */
	int64_t ms;       /* the newest message at or before: its time and id (-1: none) */
	char *id;
};

/* What the UI remembers per channel (the model knows nothing of it). */
struct chan_state {
	struct mdl_account *acct; /* the same channel seen by two identities has two states */
	char *id;
	struct el_history hist;  /* lines typed in this channel */
	int closed;              /* /part: hidden from the lists until /join */
	int watched;             /* subscribed (for unread counts) through the client */
	int cleared;             /* /clear: entries at or before `clear` are not drawn */
	struct log_pos clear;
	int64_t seen_ms;         /* messages after (seen_ms, seen_id) are new: notified, logged */
	char *seen_id;
};

enum search_mode { SEARCH_OFF = 0, SEARCH_TYPING, SEARCH_BROWSING };

/* An identity the UI shows: an account and its client (NULL until it exists). */
struct tui_ident {
	struct mdl_account *acct;
	struct mc_client *client;
	char *server_id, *channel_id; /* its selection while another identity is active */
	int budget_max;         /* the largest send budget seen: below it, it is recovering */
};

/* A row of the server list: servers grouped by identity, in display order. */
struct srv_row {
	struct tui_ident *id;
	struct mdl_server *s;
};

struct tui {
	struct tui_options opt;
	struct mdl_model *model;
	/* The active identity: the one whose servers are selected and that sends. */
	struct mdl_account *acct;
	struct mc_client *client;
	struct tui_ident **ids;
	size_t n_ids;
	char **server_order;    /* tui_set_server_order */
	size_t n_server_order;
	char **member_rows;     /* usernames as the member list drew them, top row first */
	size_t n_member_rows;
	struct config *cfg;
	SCREEN *screen;

	attr_t attr[TR_COUNT];
	int colours_started;
	struct tui_layout lay;
	WINDOW *win[PANE_COUNT];
	int need_relayout;

	struct editline edit;
	struct cmd_completion comp;
	int code_next;          /* /code: the next line goes out as a code block */
	int esc_pending;        /* ESC seen: the next key is Alt+key */
	char *server_id;        /* current selection, by id: the model may drop entries */
	char *channel_id;
	char *pending_join;     /* a server id we asked to join: switch to it when it appears */

	/* The log's view: following the bottom (scroll == 0), or anchored at `anchor` with
	 * `anchor_skip` of its lines below the screen, so nothing moves when messages arrive. */
	int scroll;             /* log lines hidden below the screen, recomputed every draw */
	int scroll_req;         /* lines to scroll by at the next draw (+ up, - down) */
	int anchored;
	struct log_pos anchor;
	int anchor_skip;
	struct log_pos newest_seen; /* the newest entry when the user scrolled away */
	unsigned new_below;     /* messages newer than that, shown on the marker */
	int log_at_top;         /* the last draw reached the oldest message held */

	/* search */
	enum search_mode search;
	struct editline search_edit;
	char *search_query;
	int has_hit;
	int64_t hit_ms;
	char *hit_id;

	/* channel picker */
	int picker_open;
	struct editline picker_edit;
	size_t picker_sel;

	/* notifications */
	int64_t last_notify_ms; /* mono_ms of the last notify_command run */
	char *title;            /* what we last put in the window title, NULL: never set */
	int64_t session_start_ms;

	struct chan_state **cs;
	size_t n_cs;
	struct chatlog chatlog;

	struct inspect *inspect; /* the protocol inspector's view (pane_inspect.c), lazily */
	struct log_cache *log_cache; /* messages laid out for the log (pane_log.c), lazily */

	int ui_dirty;
	/* The frame cap (tui.c hold_frame): a redraw caused only by the model (the network) may
	 * wait; keys and UI changes draw at once. */
	int keys_read;          /* input was read this loop turn: draw now if anything changed */
	int frame_due;          /* frame_w fired: the held-back frame may be drawn */
	ev_tstamp frame_tat;    /* the frame budget, as a time (GCRA) */
	unsigned long n_frames, n_held; /* logged at exit (bench_tui reads them) */
	int64_t prefer_deadline; /* mono_ms until which we wait for opt.prefer_server */

	ev_io stdin_w;
	ev_signal winch_w;
	ev_prepare draw_w;
	ev_timer tick_w;
	ev_timer frame_w;       /* one-shot, armed only while a frame is held back */
};

/* tui.c: selection and actions */
struct mdl_server *tui_cur_server(struct tui *t);
struct mdl_channel *tui_cur_channel(struct tui *t);
void tui_select_channel(struct tui *t, struct mdl_channel *c);
void tui_select_server(struct tui *t, struct mdl_server *s);
void tui_step_channel(struct tui *t, int delta);
void tui_step_server(struct tui *t, int delta);
void tui_goto_channel_number(struct tui *t, int n);   /* Alt-1..9: 1-based, visible ones */
void tui_next_activity(struct tui *t, int mentions);  /* Alt-a / Alt-m */
void tui_scroll(struct tui *t, int delta_lines);
void tui_scroll_top(struct tui *t);
void tui_scroll_bottom(struct tui *t);
void tui_submit_line(struct tui *t);
void tui_after_edit(struct tui *t); /* the text changed: tell others we type */
void tui_request_quit(struct tui *t);
void tui_apply_config(struct tui *t); /* after /set: layout, limits, mouse */
int tui_set_theme(struct tui *t, const char *name);
int tui_channel_hidden(struct tui *t, const struct mdl_channel *c);
void tui_complete(struct tui *t);

void tui_reset_view(struct tui *t); /* follow the bottom, no search */

/* identities.c */
struct tui_ident *tui_ident_of(struct tui *t, const struct mdl_account *a);
/* Make another identity active with nothing selected (the caller selects). */
void tui_set_active(struct tui *t, struct tui_ident *id);
void tui_activate(struct tui *t, struct mdl_account *a); /* make it the one that sends */
void tui_cycle_identity(struct tui *t, int delta);       /* F8 */
/* Every identity's servers in display order (caller frees *out). */
size_t tui_server_rows(struct tui *t, struct srv_row **out);

/* host.c: the cmd_host the command table acts through */
void host_init(struct tui *t, struct cmd_host *h);
int host_send_text(struct tui *t, const char *text, int code);
int host_join_server(void *ud, const char *name_or_id);
/* host_req.c and friends: platform commands (struct cmd_req) through the client's API */
int host_request(void *ud, const struct cmd_req *r);
/* The full profile (GET /agents/:username) as notice lines. */
int host_whois(struct tui *t, const char *username);

/* chanstate.c */
struct chan_state *chan_state(struct tui *t, const struct mdl_channel *c);
void chan_states_free(struct tui *t);
void log_pos_free(struct log_pos *p);
void log_pos_copy(struct log_pos *dst, const struct log_pos *src);
/* The newest position of a channel (everything in it). */
void log_pos_newest(const struct tui *t, const struct mdl_channel *c, struct log_pos *p);
/* Compare a message to a position's message key: <0 older, 0 same, >0 newer. */
int log_pos_cmp_msg(const struct log_pos *p, const struct mdl_message *m);

/* keys.c */
void keys_init(void);
void keys_handle(struct tui *t, int is_keycode, wint_t ch);
void keys_flush_escape(struct tui *t); /* a lone ESC at the end of a read: the Esc key */

/* theme.c */
void theme_apply(struct tui *t, const struct theme *th);
int theme_colour_mode(void);

/* draw.c: every string drawn goes through these (sanitised, clipped by display width) */
int draw_text(WINDOW *w, int y, int x, const char *s, size_t n, int maxw, attr_t attr);
int draw_untrusted(WINDOW *w, int y, int x, const char *raw, int maxw, attr_t attr);
void draw_fill(WINDOW *w, int y, int x, int n, attr_t attr);
void draw_all(struct tui *t);
/* Delete the panes' windows (subwindows of stdscr): before stdscr is resized, and by
 * relayout (which makes new ones at the next draw). */
void draw_forget_windows(struct tui *t);

/* One function per pane, each in its own file. */
void pane_servers_draw(struct tui *t, WINDOW *w);
void pane_channels_draw(struct tui *t, WINDOW *w);
void pane_title_draw(struct tui *t, WINDOW *w);
void pane_log_draw(struct tui *t, WINDOW *w);
void pane_log_free(struct tui *t); /* the log's layout cache */
void pane_typing_draw(struct tui *t, WINDOW *w);
void pane_members_draw(struct tui *t, WINDOW *w);
void pane_members_click(struct tui *t, int row); /* a row of the pane: /whois that member */
void statusbar_draw(struct tui *t, WINDOW *w);
/* The send budget and queue of the current channel changed or counts down: 1 while the
 * status bar needs a redraw every second. */
int statusbar_counting(struct tui *t);
void input_draw(struct tui *t, WINDOW *w);
void input_place_cursor(struct tui *t, WINDOW *w);
int input_rows_wanted(struct tui *t, int cols);
void picker_draw(struct tui *t);          /* an overlay over the body, when open */
void picker_open(struct tui *t);
void picker_key(struct tui *t, int is_keycode, wint_t ch);

/* search.c */
void search_start(struct tui *t);                     /* Ctrl-R: type a query */
int search_run(struct tui *t, const char *query);     /* /search TEXT: jump to the newest hit */
void search_next(struct tui *t, int older);           /* n / N / Ctrl-R */
void search_end(struct tui *t);
int search_key(struct tui *t, int is_keycode, wint_t ch); /* 1: consumed */
/* ASCII-case-insensitive substring search; NULL when absent or needle is empty. */
const char *search_find(const char *hay, const char *needle);
int search_is_hit(const struct tui *t, const struct mdl_message *m);

/* notify.c: new messages since the last look: notifications and chat logs */
void notify_scan(struct tui *t);
void notify_restore_title(struct tui *t);

/* pane_inspect.c: the protocol inspector (F9, /inspect, /raw) */
void inspect_toggle(struct tui *t);          /* F9: open with the keyboard in it, or close */
int inspect_open(const struct tui *t);
int inspect_focused(const struct tui *t);
int inspect_key(struct tui *t, int is_keycode, wint_t ch); /* 1: consumed */
int inspect_changed(const struct tui *t);    /* open, and the wire ring grew since the draw */
int inspect_command(struct tui *t, const struct cmd_req *r);
int inspect_raw(struct tui *t, const char *json);
void inspect_free(struct tui *t);
/* The log pane's place: the log, or the inspector above the log while it is open. */
void pane_body_draw(struct tui *t, WINDOW *w);

/* pane_channels.c: the label of a channel ("# general", "@peer" for DMs) */
char *channel_label(const struct mdl_channel *c);

#endif
