/* The TUI's life cycle (terminal, watchers, the coalesced redraw) and its actions: selecting
 * servers and channels, scrolling, submitting the input line through the command table. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/cmd.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "tui_priv.h"

/* ---- selection ---- */

#define PREFER_WAIT_MS 3000

struct mdl_server *tui_cur_server(struct tui *t)
{
	return t->server_id ? mdl_server_find(t->acct, t->server_id) : NULL;
}

struct mdl_channel *tui_cur_channel(struct tui *t)
{
	return t->channel_id ? mdl_channel_find(t->acct, t->channel_id) : NULL;
}

int tui_channel_hidden(struct tui *t, const struct mdl_channel *c)
{
	for (size_t i = 0; i < t->n_cs; i++)
		if (t->cs[i]->acct == c->server->account && str_eq(t->cs[i]->id, c->id))
			return t->cs[i]->closed;
	return 0;
}

void tui_reset_view(struct tui *t)
{
	t->scroll = 0;
	t->scroll_req = 0;
	t->anchored = 0;
	t->new_below = 0;
	t->log_at_top = 0;
	if (t->search != SEARCH_OFF)
		search_end(t);
}

void tui_select_channel(struct tui *t, struct mdl_channel *c)
{
	struct tui_ident *owner = c ? tui_ident_of(t, c->server->account) : NULL;
	if (owner && owner->acct != t->acct)
		tui_set_active(t, owner); /* picking another identity's channel makes it the sender */
	struct mdl_channel *old = tui_cur_channel(t);
	if (old == c && c)
		return;
	if (old)
		mdl_channel_set_viewing(old, 0);
	str_replace(&t->channel_id, c ? c->id : NULL);
	if (c)
		str_replace(&t->server_id, c->server->id);
	tui_reset_view(t);
	t->ui_dirty = 1;
	el_set_history(&t->edit, c ? &chan_state(t, c)->hist : NULL);
	if (!c)
		return;
	struct chan_state *cs = chan_state(t, c);
	cs->closed = 0;
	mdl_channel_set_viewing(c, 1);
	if (t->client) {
		cs->watched = 1;
		mc_client_open_channel(t->client, c->id);
	}
}

static struct mdl_channel *default_channel(struct tui *t, struct mdl_server *s)
{
	if (t->opt.prefer_channel) {
		struct mdl_channel *c = mdl_channel_find_name(s, t->opt.prefer_channel);
		if (c && !tui_channel_hidden(t, c))
			return c;
	}
	for (size_t i = 0; i < s->n_channels; i++)
		if (!tui_channel_hidden(t, s->channels[i]))
			return s->channels[i];
	return NULL;
}

void tui_select_server(struct tui *t, struct mdl_server *s)
{
	struct tui_ident *owner = tui_ident_of(t, s->account);
	if (owner && owner->acct != t->acct)
		tui_set_active(t, owner);
	struct mdl_channel *c = default_channel(t, s);
	if (c) {
		tui_select_channel(t, c);
	} else {
		/* Channels not loaded yet: remember the server, pick a channel when they arrive. */
		tui_select_channel(t, NULL);
		str_replace(&t->server_id, s->id);
	}
}

/* Called before each draw: the model fills in asynchronously, so the first selection (and a
 * server we just joined) can only be made once its channels exist. */
static void ensure_selection(struct tui *t)
{
	if (t->pending_join) {
		struct mdl_server *s = mdl_server_find(t->acct, t->pending_join);
		if (s && s->n_channels > 0) {
			free(t->pending_join);
			t->pending_join = NULL;
			tui_select_server(t, s);
			return;
		}
	}
	if (tui_cur_channel(t))
		return;
	struct mdl_server *s = tui_cur_server(t);
	if (s && s->n_channels > 0 && !default_channel(t, s))
		return; /* every channel of it was closed with /part: stay */
	if (!s && t->opt.prefer_server) {
		for (size_t i = 0; i < t->acct->n_servers && !s; i++)
			if (t->acct->servers[i]->name &&
				strcasecmp(t->acct->servers[i]->name, t->opt.prefer_server) == 0)
				s = t->acct->servers[i];
		/* Servers arrive one by one (the demo joins several): wait a little for the
		 * preferred one rather than opening whichever came first. */
		if (!s && t->acct->n_servers > 0) {
			int64_t now = mono_ms();
			if (t->prefer_deadline == 0)
				t->prefer_deadline = now + PREFER_WAIT_MS;
			if (now < t->prefer_deadline)
				return;
		}
	}
	struct srv_row *rows;
	size_t n = tui_server_rows(t, &rows);
	/* Nothing preferred: the first server listed opens. Channel lists load in parallel and
	 * arrive in any order, so wait a little for its channels too rather than opening
	 * whichever server answered first. */
	for (size_t i = 0; !s && i < n; i++) {
		if (rows[i].s->account != t->acct)
			continue;
		if (rows[i].s->n_channels == 0) {
			int64_t now = mono_ms();
			if (t->prefer_deadline == 0)
				t->prefer_deadline = now + PREFER_WAIT_MS;
			if (now < t->prefer_deadline) {
				free(rows);
				return;
			}
		}
		break;
	}
	for (size_t i = 0; !s && i < n; i++)
		if (rows[i].s->account == t->acct && rows[i].s->n_channels > 0)
			s = rows[i].s;
	free(rows);
	if (s && s->n_channels > 0)
		tui_select_server(t, s);
}

void tui_step_channel(struct tui *t, int delta)
{
	struct mdl_server *s = tui_cur_server(t);
	if (!s || s->n_channels == 0)
		return;
	struct mdl_channel *c = tui_cur_channel(t);
	size_t n = s->n_channels, i = 0;
	while (c && i < n && s->channels[i] != c)
		i++;
	if (!c || i == n)
		i = delta > 0 ? n - 1 : 0;
	int step = delta > 0 ? 1 : -1;
	for (size_t tries = 0; tries < n; tries++) {
		i = (i + n + (size_t)(step + (int)n)) % n;
		if (!tui_channel_hidden(t, s->channels[i])) {
			tui_select_channel(t, s->channels[i]);
			return;
		}
	}
}

/* Across identities: stepping past the last server of one reaches the next identity. */
void tui_step_server(struct tui *t, int delta)
{
	struct srv_row *rows;
	size_t n = tui_server_rows(t, &rows);
	if (n == 0) {
		free(rows);
		return;
	}
	struct mdl_server *s = tui_cur_server(t);
	size_t i = 0;
	while (s && i < n && rows[i].s != s)
		i++;
	if (!s || i == n)
		i = delta > 0 ? n - 1 : 0;
	i = (i + n + (size_t)(delta % (int)n + (int)n)) % n;
	tui_select_server(t, rows[i].s);
	free(rows);
}

void tui_goto_channel_number(struct tui *t, int number)
{
	struct mdl_server *s = tui_cur_server(t);
	if (!s)
		return;
	int k = 0;
	for (size_t i = 0; i < s->n_channels; i++) {
		if (tui_channel_hidden(t, s->channels[i]))
			continue;
		if (++k == number) {
			tui_select_channel(t, s->channels[i]);
			return;
		}
	}
}

/* Alt-a / Alt-m: the next channel (in list order, across servers, wrapping) with unread
 * messages or mentions. */
void tui_next_activity(struct tui *t, int mentions)
{
	struct mdl_channel *cur = tui_cur_channel(t);
	struct mdl_channel **all = NULL;
	size_t n = 0, at = 0;
	struct srv_row *rows;
	size_t n_rows = tui_server_rows(t, &rows);
	for (size_t i = 0; i < n_rows; i++) {
		struct mdl_server *s = rows[i].s;
		all = xrealloc(all, (n + s->n_channels + 1) * sizeof(*all));
		for (size_t j = 0; j < s->n_channels; j++) {
			if (s->channels[j] == cur)
				at = n;
			all[n++] = s->channels[j];
		}
	}
	for (size_t k = 1; k <= n; k++) {
		struct mdl_channel *c = all[(at + k) % n];
		if (c != cur && (mentions ? c->mentions : c->unread)) {
			tui_select_channel(t, c);
			free(all);
			free(rows);
			return;
		}
	}
	free(all);
	free(rows);
	mdl_notice(t->model, 0, mentions ? "no unread mentions" : "no unread messages");
}

void tui_scroll(struct tui *t, int delta)
{
	t->scroll_req += delta;
	t->ui_dirty = 1; /* the draw applies and clamps it */
}

void tui_scroll_top(struct tui *t)
{
	t->scroll_req = INT_MAX / 4;
	t->ui_dirty = 1;
	/* Anchored at the oldest message, the draw starts its walk there instead of at the
	 * newest: the top of 100,000 messages costs a page, not the whole scrollback. */
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c || c->n_msgs == 0)
		return;
	if (!t->anchored)
		log_pos_newest(t, c, &t->newest_seen);
	t->anchored = 1;
	t->anchor.notices = 0;
	t->anchor.ms = c->msgs[0]->created_ms;
	str_replace(&t->anchor.id, c->msgs[0]->id);
	t->anchor_skip = 0;
}

void tui_scroll_bottom(struct tui *t)
{
	t->scroll_req = 0;
	t->scroll = 0;
	t->anchored = 0;
	t->new_below = 0;
	t->ui_dirty = 1;
}

void tui_request_quit(struct tui *t)
{
	if (t->opt.on_quit)
		t->opt.on_quit(t->opt.ud);
}

void tui_submit_line(struct tui *t)
{
	struct cmd_host h;
	host_init(t, &h);
	cmd_completion_reset(&t->comp);
	const char *text = el_text(&t->edit);
	int chat = text[0] != '/' || text[1] == '/';
	if (chat && text[strspn(text, " \n")] &&
		(t->acct->observer || utf8_utf16_len(text) > 4000)) {
		/* Refused: say why and keep the text, so nothing typed is lost. */
		host_send_text(t, text[0] == '/' ? text + 1 : text, t->code_next);
		t->ui_dirty = 1;
		return;
	}
	char *line = el_take(&t->edit);
	t->ui_dirty = 1;
	if (t->code_next && line[0] && line[0] != '/') {
		t->code_next = 0;
		host_send_text(t, line, 1);
	} else {
		cmd_execute(&h, line);
	}
	free(line);
}

void tui_after_edit(struct tui *t)
{
	struct mdl_channel *c = tui_cur_channel(t);
	const char *text = el_text(&t->edit);
	t->ui_dirty = 1;
	/* Commands are not chat: don't announce typing for them. */
	if (c && t->client && !t->acct->observer && text[0] && text[0] != '/')
		mc_client_typing(t->client, c->id);
}

static void apply_mouse(struct tui *t)
{
	/* The wheel, and a click (on a member: their profile); Shift + drag still selects text
	 * in xterm-like terminals while mouse reporting is on. */
	mmask_t want = t->cfg->mouse ? (BUTTON4_PRESSED | BUTTON5_PRESSED | BUTTON1_PRESSED) : 0;
	mousemask(want, NULL);
	mouseinterval(0);
}

void tui_apply_config(struct tui *t)
{
	t->model->max_msgs_per_channel = (size_t)t->cfg->scrollback_max;
	chatlog_set_dir(&t->chatlog, t->cfg->log_dir);
	apply_mouse(t);
	t->need_relayout = 1;
	t->ui_dirty = 1;
	mdl_mark_dirty(t->model, MDL_DIRTY_ALL);
}

int tui_set_theme(struct tui *t, const char *name)
{
	struct theme th;
	char *err = NULL;
	int rc = theme_load(&th, name, &err);
	if (err)
		mdl_notice(t->model, 1, "theme: %s", err);
	free(err);
	if (rc == -2)
		return -1;
	theme_apply(t, &th);
	clearok(curscr, TRUE);
	t->need_relayout = 1;
	t->ui_dirty = 1;
	return 0;
}

/* ---- watchers ---- */

static void on_stdin(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tui *t = w->data;
	wint_t ch;
	int rc, got = 0;
	while ((rc = get_wch(&ch)) != ERR) {
		keys_handle(t, rc == KEY_CODE_YES, ch);
		got = 1;
	}
	if (got) {
		keys_flush_escape(t);
		t->keys_read = 1;
	}
	/* Readable yet nothing to read: the terminal is gone (hangup, EOF). Stop instead of
	 * spinning on a descriptor that stays readable forever. */
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	if (!got && poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		log_warn("the terminal went away: leaving");
		ev_io_stop(loop, w);
		tui_request_quit(t);
	}
}

static void on_winch(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct tui *t = w->data;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		draw_forget_windows(t); /* stdscr's subwindows: remade for the new size */
		resizeterm(ws.ws_row, ws.ws_col);
	}
	t->need_relayout = 1;
	t->ui_dirty = 1;
}

static void arm_tick(struct tui *t)
{
	int64_t now = wall_ms();
	/* The clock in the status bar changes at the next minute. */
	int64_t next = now - now % 60000 + 60000;
	int64_t typing = mdl_typing_next_expiry(t->model);
	if (typing >= 0 && typing < next)
		next = typing;
	/* Queued sends count down in the status bar. */
	if (statusbar_counting(t) && now + 1000 < next)
		next = now + 1000 - now % 1000;
	/* Still waiting for the preferred server: look again when the wait ends. */
	if (t->prefer_deadline && !tui_cur_channel(t)) {
		int64_t pref = now + (t->prefer_deadline - mono_ms());
		if (pref < next)
			next = pref;
	}
	double after = (double)(next - now) / 1000.0;
	if (after < 0.01)
		after = 0.01;
	ev_timer_stop(t->opt.loop, &t->tick_w);
	ev_timer_set(&t->tick_w, after, 0.);
	ev_timer_start(t->opt.loop, &t->tick_w);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tui *t = w->data;
	mdl_typing_expire(t->model, wall_ms());
	t->ui_dirty = 1; /* the clock */
}

/* Follow every channel, not only the one on screen: unread and mention counts, notifications
 * and logs need their live messages. */
static void watch_channels(struct tui *t)
{
	for (size_t k = 0; k < t->n_ids; k++) {
		struct tui_ident *id = t->ids[k];
		if (!id->client)
			continue;
		for (size_t i = 0; i < id->acct->n_servers; i++) {
			struct mdl_server *s = id->acct->servers[i];
			for (size_t j = 0; j < s->n_channels; j++) {
				struct chan_state *cs = chan_state(t, s->channels[j]);
				if (!cs->watched && !cs->closed) {
					cs->watched = 1;
					mc_client_open_channel(id->client, s->channels[j]->id);
				}
			}
		}
	}
}

/* The frame cap: at 5,000 messages/s the model changes on almost every loop turn (the
 * network wakes the loop ~1,000 times a second), and a redraw per turn took half a core.
 * Changes from the model alone are drawn at most once per FRAME_MS on average, with a burst
 * of FRAME_BURST frames allowed after a quiet spell (a token bucket, kept as one time: GCRA):
 * start-up's few answers in a row, or one message now and then, still draw at once, and a
 * flood settles at one frame per FRAME_MS; a held frame waits for one timer. Keys, resizes
 * and UI changes draw at once (with whatever the model has by then) and use no budget, so
 * typing stays as fast as before. Nothing runs while nothing changes: the timer is only
 * armed while a frame is held back. */
#ifndef FRAME_MS
#define FRAME_MS 16 /* -DFRAME_MS=0: no cap (a redraw per loop turn), for before/after figures */
#endif
#ifndef FRAME_BURST
#define FRAME_BURST 8
#endif

static void on_frame(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tui *t = w->data;
	t->frame_due = 1; /* on_prepare draws in this loop turn */
}

/* 1 when a model-only redraw must wait (the timer is armed for it); else 0, and the frame is
 * counted against the budget. */
static int hold_frame(struct tui *t, struct ev_loop *loop)
{
	const ev_tstamp interval = FRAME_MS / 1000.0;
	ev_tstamp now = ev_now(loop);
	/* frame_tat: when the budget would be full again were nothing drawn from now on */
	ev_tstamp tat = t->frame_tat > now ? t->frame_tat : now;
	ev_tstamp wait = tat - (FRAME_BURST - 1) * interval - now;
	if (wait > 0 && !t->frame_due) {
		if (wait > FRAME_BURST * interval)
			wait = FRAME_BURST * interval; /* the clock went back */
		if (!ev_is_active(&t->frame_w)) {
			ev_timer_set(&t->frame_w, wait, 0.);
			ev_timer_start(loop, &t->frame_w);
		}
		t->n_held++;
		return 1;
	}
	t->frame_tat = tat + interval;
	return 0;
}

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct tui *t = w->data;
	ensure_selection(t);
	int urgent = t->ui_dirty;
	if (!t->model->dirty && !urgent && !inspect_changed(t)) {
		t->keys_read = 0;
		t->frame_due = 0;
		return;
	}
	urgent |= t->keys_read; /* a key that only changed the model (a notice) */
	if (!urgent && hold_frame(t, loop))
		return;
	if (t->model->dirty & (MDL_DIRTY_SERVERS | MDL_DIRTY_CHANNELS))
		watch_channels(t);
	if (t->model->dirty & MDL_DIRTY_LOG)
		notify_scan(t);
	draw_all(t);
	t->n_frames++;
	t->model->dirty = 0;
	t->ui_dirty = 0;
	t->keys_read = 0;
	t->frame_due = 0;
	ev_timer_stop(loop, &t->frame_w);
	/* Scrolled up to the oldest message held: fetch the page before it (a no-op while one
	 * is loading or when the channel's start was reached). */
	struct mdl_channel *c = tui_cur_channel(t);
	if (t->log_at_top && t->anchored && c && t->client && c->history == MDL_HIST_LOADED)
		mc_client_load_older(t->client, c->id);
	arm_tick(t);
}

/* ---- life cycle ---- */

struct tui *tui_new(const struct tui_options *o, char **err)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*err = xstrdup("the interface needs a terminal (stdin and stdout must be a tty)");
		return NULL;
	}
	SCREEN *screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		*err = xstrdup("unknown terminal type (check $TERM)");
		return NULL;
	}
	/* Until a screen has been through endwin() once, ncurses (6.4) flushes its output at
	 * every cursor motion (_nc_mvcur while _endwin is "initial"): a frame went out in hundreds
	 * of write()s, one per jump. Suspending at once makes the first doupdate resume the
	 * screen (alternate screen, modes, mouse) and leaves output buffered per frame. */
	endwin();
	struct tui *t = xcalloc(1, sizeof(*t));
	t->screen = screen;
	t->opt = *o;
	t->model = o->model;
	t->acct = o->account;
	t->cfg = o->config;
	tui_add_identity(t, o->account, NULL);
	t->session_start_ms = wall_ms();
	el_init(&t->edit);
	el_init(&t->search_edit);
	el_init(&t->picker_edit);

	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	keys_init();
	const char *theme = o->theme_file ? o->theme_file : t->cfg->theme;
	if (tui_set_theme(t, theme) != 0)
		tui_set_theme(t, "default");
	tui_apply_config(t);
	t->need_relayout = 1;
	t->ui_dirty = 1;

	ev_io_init(&t->stdin_w, on_stdin, STDIN_FILENO, EV_READ);
	t->stdin_w.data = t;
	ev_io_start(o->loop, &t->stdin_w);
	/* Started after initscr, so libev's SIGWINCH handler replaces ncurses' own. */
	ev_signal_init(&t->winch_w, on_winch, SIGWINCH);
	t->winch_w.data = t;
	ev_signal_start(o->loop, &t->winch_w);
	ev_prepare_init(&t->draw_w, on_prepare);
	t->draw_w.data = t;
	ev_prepare_start(o->loop, &t->draw_w);
	ev_timer_init(&t->tick_w, on_tick, 60., 0.);
	t->tick_w.data = t;
	ev_timer_init(&t->frame_w, on_frame, 0., 0.);
	t->frame_w.data = t;
	return t;
}

void tui_set_client(struct tui *t, struct mc_client *client)
{
	tui_add_identity(t, t->opt.account, client);
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	ev_io_stop(t->opt.loop, &t->stdin_w);
	ev_signal_stop(t->opt.loop, &t->winch_w);
	ev_prepare_stop(t->opt.loop, &t->draw_w);
	ev_timer_stop(t->opt.loop, &t->tick_w);
	ev_timer_stop(t->opt.loop, &t->frame_w);
	log_info("tui: %lu frames drawn, %lu loop turns held for the frame cap", t->n_frames,
		t->n_held);
	draw_forget_windows(t);
	mousemask(0, NULL);
	endwin();
	notify_restore_title(t);
	delscreen(t->screen);
	el_free(&t->edit);
	el_free(&t->search_edit);
	el_free(&t->picker_edit);
	cmd_completion_reset(&t->comp);
	chan_states_free(t);
	inspect_free(t);
	pane_log_free(t);
	chatlog_free(&t->chatlog);
	log_pos_free(&t->anchor);
	log_pos_free(&t->newest_seen);
	free(t->search_query);
	free(t->hit_id);
	free(t->title);
	free(t->server_id);
	free(t->channel_id);
	free(t->pending_join);
	for (size_t i = 0; i < t->n_ids; i++) {
		free(t->ids[i]->server_id);
		free(t->ids[i]->channel_id);
		free(t->ids[i]);
	}
	free(t->ids);
	for (size_t i = 0; i < t->n_server_order; i++)
		free(t->server_order[i]);
	free(t->server_order);
	for (size_t i = 0; i < t->n_member_rows; i++)
		free(t->member_rows[i]);
	free(t->member_rows);
	free(t);
}
