/* The TUI's life cycle (terminal, watchers, the coalesced redraw) and its actions: selecting
 * servers and channels, scrolling, submitting the input line through the command table. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/cmd.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
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

void tui_select_channel(struct tui *t, struct mdl_channel *c)
{
	struct mdl_channel *old = tui_cur_channel(t);
	if (old == c && c)
		return;
	if (old)
		mdl_channel_set_viewing(old, 0);
	str_replace(&t->channel_id, c ? c->id : NULL);
	if (c)
		str_replace(&t->server_id, c->server->id);
	t->scroll = 0;
	t->log_at_top = 0;
	t->ui_dirty = 1;
	if (!c)
		return;
	mdl_channel_set_viewing(c, 1);
	if (t->client)
		mc_client_open_channel(t->client, c->id);
}

static struct mdl_channel *default_channel(struct tui *t, struct mdl_server *s)
{
	if (s->n_channels == 0)
		return NULL;
	if (t->opt.prefer_channel) {
		struct mdl_channel *c = mdl_channel_find_name(s, t->opt.prefer_channel);
		if (c)
			return c;
	}
	return s->channels[0];
}

void tui_select_server(struct tui *t, struct mdl_server *s)
{
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
	for (size_t i = 0; !s && i < t->acct->n_servers; i++)
		if (t->acct->servers[i]->n_channels > 0)
			s = t->acct->servers[i];
	if (s && s->n_channels > 0)
		tui_select_server(t, s);
}

void tui_step_channel(struct tui *t, int delta)
{
	struct mdl_server *s = tui_cur_server(t);
	if (!s || s->n_channels == 0)
		return;
	struct mdl_channel *c = tui_cur_channel(t);
	size_t i = 0, n = s->n_channels;
	while (c && i < n && s->channels[i] != c)
		i++;
	if (!c || i == n)
		i = delta > 0 ? n - 1 : 0;
	i = (i + n + (size_t)(delta % (int)n + (int)n)) % n;
	tui_select_channel(t, s->channels[i]);
}

void tui_step_server(struct tui *t, int delta)
{
	size_t n = t->acct->n_servers;
	if (n == 0)
		return;
	struct mdl_server *s = tui_cur_server(t);
	size_t i = 0;
	while (s && i < n && t->acct->servers[i] != s)
		i++;
	if (!s || i == n)
		i = delta > 0 ? n - 1 : 0;
	i = (i + n + (size_t)(delta % (int)n + (int)n)) % n;
	tui_select_server(t, t->acct->servers[i]);
}

void tui_scroll(struct tui *t, int delta)
{
	struct mdl_channel *c = tui_cur_channel(t);
	if (delta > 0 && t->log_at_top && c && t->client)
		mc_client_load_older(t->client, c->id);
	t->scroll += delta;
	if (t->scroll < 0)
		t->scroll = 0;
	t->ui_dirty = 1; /* the draw clamps scroll at the top */
}

void tui_request_quit(struct tui *t)
{
	if (t->opt.on_quit)
		t->opt.on_quit(t->opt.ud);
}

/* ---- the command host ---- */

static void host_notice(void *ud, int level, const char *text)
{
	struct tui *t = ud;
	mdl_notice(t->model, level, "%s", text);
}

static int host_send(void *ud, const char *text)
{
	struct tui *t = ud;
	struct mdl_channel *c = tui_cur_channel(t);
	if (!c) {
		mdl_notice(t->model, 1, "no channel selected yet");
		return -1;
	}
	if (!t->client) {
		mdl_notice(t->model, 1, "not connected yet: message not sent");
		return -1;
	}
	t->scroll = 0;
	return mc_client_send(t->client, c->id, text, "text");
}

static int host_switch_channel(void *ud, const char *name)
{
	struct tui *t = ud;
	struct mdl_server *s = tui_cur_server(t);
	struct mdl_channel *c = s ? mdl_channel_find_name(s, name) : NULL;
	if (!c) {
		mdl_notice(t->model, 1, "no channel #%s in this server", name);
		return -1;
	}
	tui_select_channel(t, c);
	return 0;
}

static struct mdl_server *server_by_name_or_id(struct mdl_account *a, const char *key)
{
	for (size_t i = 0; i < a->n_servers; i++) {
		struct mdl_server *s = a->servers[i];
		if (str_eq(s->id, key) || (s->name && strcasecmp(s->name, key) == 0))
			return s;
	}
	return NULL;
}

struct join_req {
	struct tui *t;
	char *key;
};

static void on_public_servers(void *ud, int ok, size_t n, const char *const *ids,
	const char *const *names)
{
	struct join_req *r = ud;
	struct tui *t = r->t;
	if (!ok) {
		mdl_notice(t->model, 2, "could not list public servers");
	} else {
		size_t i;
		for (i = 0; i < n; i++)
			if (str_eq(ids[i], r->key) || (names[i] && strcasecmp(names[i], r->key) == 0))
				break;
		if (i == n) {
			mdl_notice(t->model, 1, "no public server named %s", r->key);
		} else {
			mdl_notice(t->model, 0, "joining %s", names[i] ? names[i] : ids[i]);
			str_replace(&t->pending_join, ids[i]);
			mc_client_join_server(t->client, ids[i]);
		}
	}
	free(r->key);
	free(r);
}

static int host_join_server(void *ud, const char *key)
{
	struct tui *t = ud;
	struct mdl_server *s = server_by_name_or_id(t->acct, key);
	if (s) {
		tui_select_server(t, s);
		return 0;
	}
	if (!t->client) {
		mdl_notice(t->model, 1, "not connected yet");
		return -1;
	}
	if (t->acct->observer) {
		mdl_notice(t->model, 1, "observers cannot join servers");
		return -1;
	}
	struct join_req *r = xcalloc(1, sizeof(*r));
	r->t = t;
	r->key = xstrdup(key);
	mc_client_list_public_servers(t->client, on_public_servers, r);
	return 0;
}

static void host_quit(void *ud)
{
	tui_request_quit(ud);
}

void tui_submit_line(struct tui *t)
{
	struct cmd_host h = {
		.ud = t,
		.notice = host_notice,
		.send = host_send,
		.switch_channel = host_switch_channel,
		.join_server = host_join_server,
		.quit = host_quit,
	};
	char *line = el_take(&t->edit);
	t->ui_dirty = 1;
	cmd_execute(&h, line);
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
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
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

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct tui *t = w->data;
	ensure_selection(t);
	if (!t->model->dirty && !t->ui_dirty)
		return;
	draw_all(t);
	t->model->dirty = 0;
	t->ui_dirty = 0;
	arm_tick(t);
}

/* ---- life cycle ---- */

static void load_theme(struct tui *t)
{
	struct theme th;
	theme_defaults(&th);
	if (t->opt.theme_file) {
		char *text = fs_read_file(t->opt.theme_file, NULL);
		char *err = NULL;
		if (!text)
			mdl_notice(t->model, 1, "theme %s: %s", t->opt.theme_file, strerror(errno));
		else if (theme_parse(&th, text, &err) != 0)
			mdl_notice(t->model, 1, "theme %s: %s", t->opt.theme_file, err);
		free(err);
		free(text);
	}
	theme_apply(t, &th);
}

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
	struct tui *t = xcalloc(1, sizeof(*t));
	t->screen = screen;
	t->opt = *o;
	t->model = o->model;
	t->acct = o->account;
	el_init(&t->edit);

	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	keys_init();
	load_theme(t);
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
	return t;
}

void tui_set_client(struct tui *t, struct mc_client *client)
{
	t->client = client;
	struct mdl_channel *c = tui_cur_channel(t);
	if (client && c)
		mc_client_open_channel(client, c->id);
	t->ui_dirty = 1;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	ev_io_stop(t->opt.loop, &t->stdin_w);
	ev_signal_stop(t->opt.loop, &t->winch_w);
	ev_prepare_stop(t->opt.loop, &t->draw_w);
	ev_timer_stop(t->opt.loop, &t->tick_w);
	for (int i = 0; i < PANE_COUNT; i++)
		if (t->win[i])
			delwin(t->win[i]);
	endwin();
	delscreen(t->screen);
	el_free(&t->edit);
	free(t->server_id);
	free(t->channel_id);
	free(t->pending_join);
	free(t);
}
