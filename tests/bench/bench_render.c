/* Benchmark 3 (issue 7): rendering. The real TUI (tui_new, its libev watchers, ncursesw with
 * TERM=xterm-256color) runs in this process on a 200x60 pseudo-terminal; a thread plays the
 * terminal and drains the pty master, so every figure includes doupdate's output reaching a
 * terminal. One channel holds 100,000 messages (mixed scripts from bench_util's generator,
 * every tenth a long one that wraps over several rows, a few code blocks and mentions).
 *
 * Keys are written into the pty master like a terminal would; a measured step is "stdin is
 * readable" to "the draw has returned" (get_wch, the key handler, every pane's drawing and
 * doupdate), wall clock and this thread's CPU:
 *   - full redraw: Ctrl-L (clearok: all 200x60 cells are sent again), and a redraw of every
 *     pane with nothing changed (model dirty: the draw path, little output);
 *   - scroll a page: PgUp from the bottom; PgDn near the oldest message (Home first), with the
 *     whole scrollback below the view;
 *   - incoming: N messages added to the model as the gateway does, then one coalesced draw.
 *
 *   bench_render [--quick | --smoke]
 *   bench_render --profile N WHAT   one case, 100 times, in N messages (for callgrind/perf):
 *                                   redraw (Ctrl-L), pgup (from the bottom), deep (PgDn
 *                                   after Home), incoming (10 messages, then a draw),
 *                                   burst (1000 messages, then a draw; 10 times)
 *   bench_render --dump N FILE      the text of the screen after each of a fixed sequence of
 *                                   keys and arrivals, to check a change draws the same
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <ev.h>

#include "moltty/base.h"
#include "moltty/config.h"
#include "moltty/model.h"
#include "moltty/tui.h"
#include "bench_util.h"

#define SCREEN_COLS 200
#define SCREEN_ROWS 60
#define N_CHANNELS 20
#define N_AUTHORS 50
#define MSG_SPACING_MS 7000 /* 100k messages span 8 days: day separators too */
#define HISTORY_END_MS 1700000000000LL /* fixed, so --dump output is the same on every run */
#define N_NOTICES 12        /* spread through the history: the log merges them by time */

#define SEQ_CTRL_L "\014"
#define SEQ_PGUP "\033[5~"
#define SEQ_PGDN "\033[6~"
#define SEQ_HOME "\033OH"  /* xterm in keypad-transmit mode (smkx) */
#define SEQ_END "\033OF"

/* The terminal: a thread reading everything the TUI writes. */
struct term {
	int master;
	pthread_t thread;
	atomic_long bytes;
	atomic_int saw_marker; /* the server name reached the screen: something real was drawn */
};

static void *drain(void *arg)
{
	struct term *tm = arg;
	static const char marker[] = "Bench/#general";
	char buf[65536 + sizeof(marker)];
	size_t keep = 0;
	for (;;) {
		ssize_t n = read(tm->master, buf + keep, sizeof(buf) - keep - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EIO: every slave descriptor is closed */
		atomic_fetch_add(&tm->bytes, n);
		size_t len = keep + (size_t)n;
		buf[len] = '\0';
		if (memmem(buf, len, marker, sizeof(marker) - 1))
			atomic_store(&tm->saw_marker, 1);
		keep = len < sizeof(marker) ? len : sizeof(marker) - 1;
		memmove(buf, buf + len - keep, keep);
	}
	return NULL;
}

struct bench {
	struct ev_loop *loop;
	struct tui *tui;
	struct mdl_model *model;
	struct mdl_channel *chan;
	struct term term;
	struct bench_gen gen;
	long next_seq;
	int64_t next_ms;
};

/* Rows are printed once the terminal is given back (stdout is the pty until then). */
static char rows[32][512];
static int n_rows;

static void row(const char *metric, const char *value, const char *target, const char *status)
{
	if (n_rows < 32)
		snprintf(rows[n_rows++], sizeof(rows[0]), "| render | %s | %s | %s | - | %s |",
			metric, value, target ? target : "-", status ? status : "-");
}

static void fatal(const char *what)
{
	fprintf(stderr, "bench_render: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void add_message(struct bench *b, int live)
{
	char content[4096], id[37], author_id[37], user[32], display[32];
	long i = b->next_seq++;
	size_t len = bench_gen_content(&b->gen, content, 1024);
	if (i % 10 == 9) {
		/* a long message: three generated texts in one, wrapping over several rows */
		for (int k = 0; k < 2 && len + 2 < sizeof(content) - 1024; k++) {
			content[len++] = ' ';
			len += bench_gen_content(&b->gen, content + len, 1024);
		}
	}
	unsigned a = (unsigned)((i * 7) % N_AUTHORS);
	bench_uuid((uint64_t)i + 1000000, id);
	bench_uuid(a + 5000000, author_id);
	snprintf(user, sizeof(user), "bench_agent_%02u", a);
	snprintf(display, sizeof(display), "Agent %u", a);
	struct mdl_msg_in in = {
		.id = id,
		.author_id = author_id,
		.author_username = user,
		.author_display = a % 5 == 0 ? display : NULL,
		.content = content,
		.content_type = i % 97 == 0 ? "code" : "text",
		.trust_tier = "untrusted",
		.created_ms = b->next_ms,
	};
	b->next_ms += live ? 1 + (int64_t)(i % 3) : MSG_SPACING_MS;
	mdl_message_add(b->chan, &in, live);
}

static void build_model(struct bench *b, long n_msgs, int live_now)
{
	b->model = mdl_model_new();
	struct mdl_account *acct = mdl_account_add(b->model, "@alice", 0);
	/* "alice": the generator's "@alice" words are mentions, drawn highlighted */
	mdl_account_set_identity(acct, "00000000-0000-4000-a000-00000000a11c", "alice");
	mdl_account_set_conn(acct, MDL_CONN_ONLINE, NULL);
	struct mdl_server *s = mdl_server_upsert(acct, "bench-server", "Bench");
	static const char *const names[N_CHANNELS] = { "general", "random", "research",
		"benchmarks", "ops", "alerts", "design", "protocol", "tui", "server", "client",
		"памяти", "频道", "emoji-🚀", "long-channel-name-that-gets-clipped", "x", "y", "z",
		"announcements", "off-topic" };
	for (int i = 0; i < N_CHANNELS; i++) {
		char id[37];
		bench_uuid(9000000 + (uint64_t)i, id);
		struct mdl_channel *c = mdl_channel_upsert(s, id);
		mdl_channel_set(c, names[i], i < 10 ? "work" : "chat", "text",
			i == 0 ? "where the 100,000 messages are" : NULL, i);
		c->history = MDL_HIST_LOADED;
		if (i == 0)
			b->chan = c;
	}
	for (unsigned a = 0; a < N_AUTHORS; a++) {
		char id[37], user[32], display[32];
		bench_uuid(a + 5000000, id);
		snprintf(user, sizeof(user), "bench_agent_%02u", a);
		snprintf(display, sizeof(display), "Agent %u", a);
		mdl_member_upsert(s, id, user, a % 5 == 0 ? display : NULL, a == 0 ? "owner" : "member",
			a % 3 ? MDL_PRES_ONLINE : MDL_PRES_OFFLINE);
	}
	bench_gen_init(&b->gen, 3, NULL, 0);
	b->next_ms = HISTORY_END_MS - (int64_t)n_msgs * MSG_SPACING_MS;
	for (long i = 0; i < n_msgs; i++) {
		add_message(b, 0);
		if (n_msgs >= N_NOTICES && i % (n_msgs / N_NOTICES) == 0) {
			/* as if said then: notices hold the time they were made */
			mdl_notice(b->model, (int)(i % 3), "bench_render: notice after message %ld", i);
			b->model->notices[(b->model->n_notices - 1) % MDL_NOTICES].at_ms = b->next_ms - 1;
		}
	}
	/* live messages: now in a real run (they are news: notifications scan them) */
	b->next_ms = live_now ? wall_ms() : HISTORY_END_MS + 3600000;
}

/* A redraw caused only by the model waits until 16 ms (FRAME_MS in src/tui/tui.c) after
 * the previous one; keys draw at once. Steps that change only the model wait this long
 * first, so their loop turn draws, as the first change after a quiet spell does. */
#define FRAME_GAP_US 20000
static void frame_gap(struct ev_loop *loop)
{
	usleep(FRAME_GAP_US);
	ev_now_update(loop); /* as the return from a real wait does */
}

/* Until the TUI's stdin (the pty slave) has the bytes the terminal wrote. */
static void wait_input(void)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	poll(&p, 1, 2000);
}

/* One loop turn reads the key (its io watcher), the next one draws (the prepare watcher). */
static void key_and_draw(struct bench *b, const char *key, double *wall_ms_out, double *cpu_ms_out)
{
	if (write(b->term.master, key, strlen(key)) != (ssize_t)strlen(key))
		fatal("write to the pty");
	wait_input();
	int64_t t0 = bench_mono_ns(), c0 = thread_cpu_ns();
	ev_run(b->loop, EVRUN_NOWAIT);
	ev_run(b->loop, EVRUN_NOWAIT);
	if (wall_ms_out)
		*wall_ms_out = (double)(bench_mono_ns() - t0) / 1e6;
	if (cpu_ms_out)
		*cpu_ms_out = (double)(thread_cpu_ns() - c0) / 1e6;
}

struct series {
	double wall[1024], cpu[1024];
	size_t n;
	long bytes;
};

static void repeat_key(struct bench *b, const char *key, int reps, struct series *s)
{
	long before = atomic_load(&b->term.bytes);
	s->n = 0;
	for (int i = 0; i < reps && s->n < 1024; i++, s->n++)
		key_and_draw(b, key, &s->wall[s->n], &s->cpu[s->n]);
	usleep(20000); /* let the terminal thread read the last frame */
	s->bytes = (atomic_load(&b->term.bytes) - before) / (reps ? reps : 1);
}

static void report(const char *metric, struct series *s, double target)
{
	size_t n = s->n;
	double med = bench_quantile(s->wall, n, 0.5), p90 = bench_quantile(s->wall, n, 0.9);
	double cpu = bench_quantile(s->cpu, n, 0.5);
	char tgt[32] = "-";
	if (target > 0)
		snprintf(tgt, sizeof(tgt), "<= %.0f ms", target);
	row(bench_fmt("%s (median of %zu)", metric, n),
		bench_fmt("%.3f ms (p90 %.3f, CPU %.3f ms, %ld bytes out)", med, p90, cpu, s->bytes),
		tgt, target > 0 ? bench_status_le(med, target) : "-");
}

/* N messages arrive in one loop turn, then one coalesced draw. */
static void incoming(struct bench *b, int n, int reps, const char *where)
{
	double draw[256], total[256];
	int k = reps < 256 ? reps : 256;
	for (int r = 0; r < k; r++) {
		frame_gap(b->loop);
		int64_t t0 = bench_mono_ns();
		for (int i = 0; i < n; i++)
			add_message(b, 1);
		int64_t t1 = bench_mono_ns();
		ev_run(b->loop, EVRUN_NOWAIT);
		int64_t t2 = bench_mono_ns();
		draw[r] = (double)(t2 - t1) / 1e6;
		total[r] = (double)(t2 - t0) / 1e6;
	}
	double d = bench_quantile(draw, (size_t)k, 0.5), t = bench_quantile(total, (size_t)k, 0.5);
	row(bench_fmt("%d incoming message%s then 1 redraw, %s (median of %d)", n, n == 1 ? "" : "s",
		where, k), bench_fmt("%.3f ms redraw; %.3f ms with the model's ingest (%.1f us per "
		"message)", d, t, t * 1000 / n), "-", "-");
}

/* The screen as curses knows it (curscr), minus the status bar (its clock moves). */
static void dump_screen(FILE *f, const char *step)
{
	fprintf(f, "==== %s\n", step);
	wchar_t line[SCREEN_COLS + 1];
	for (int y = 0; y < SCREEN_ROWS; y++) {
		if (mvwinnwstr(curscr, y, 0, line, SCREEN_COLS) == ERR)
			continue;
		char out[SCREEN_COLS * MB_LEN_MAX + 1];
		size_t n = wcstombs(out, line, sizeof(out));
		if (n == (size_t)-1 || strstr(out, "[@alice"))
			continue;
		fprintf(f, "%s\n", out);
	}
}

/* Keys and arrivals that exercise the log's walk: paging both ways, the top, the bottom,
 * searching (the hit a third up the screen), arrivals while scrolled. */
static void dump_run(struct bench *b, FILE *f)
{
	static const struct { const char *key; int times; const char *name; } steps[] = {
		{ SEQ_PGUP, 12, "PgUp" }, { SEQ_CTRL_L, 1, "Ctrl-L" }, { SEQ_PGDN, 5, "PgDn" },
		{ "live", 3, "3 arrivals" }, { SEQ_PGUP, 3, "PgUp" }, { SEQ_HOME, 1, "Home" },
		{ SEQ_PGDN, 14, "PgDn" }, { SEQ_PGUP, 4, "PgUp" }, { "live", 2, "2 arrivals" },
		{ SEQ_END, 1, "End" }, { "\022", 1, "Ctrl-R" }, { "hmm", 1, "query" },
		{ "\r", 1, "Enter" }, { "n", 6, "n" }, { SEQ_PGDN, 2, "PgDn" }, { "N", 3, "N" },
		{ SEQ_PGUP, 2, "PgUp" }, { "\033", 1, "Esc" }, { SEQ_PGUP, 1, "PgUp" },
		{ "\033", 1, "Esc" }, { "live", 2, "2 arrivals" },
	};
	dump_screen(f, "start");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		for (int k = 0; k < steps[i].times; k++) {
			if (!strcmp(steps[i].key, "live")) {
				frame_gap(b->loop);
				add_message(b, 1);
				ev_run(b->loop, EVRUN_NOWAIT);
			} else {
				key_and_draw(b, steps[i].key, NULL, NULL);
				if (steps[i].key[0] == '\033' && !steps[i].key[1]) {
					usleep(60000); /* a lone Esc: curses waits ESCDELAY for more */
					ev_run(b->loop, EVRUN_NOWAIT);
					ev_run(b->loop, EVRUN_NOWAIT);
				}
			}
			dump_screen(f, bench_fmt("%s %d", steps[i].name, k + 1));
		}
	}
}

static void setup_locale(void)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0))
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.utf8");
}

static void on_quit(void *ud)
{
}

int main(int argc, char **argv)
{
	long profile_n = 0;
	const char *profile = NULL;
	FILE *dump = NULL;
	if (argc == 4 && !strcmp(argv[1], "--profile")) {
		profile_n = strtol(argv[2], NULL, 10);
		profile = argv[3];
	}
	if (argc == 4 && !strcmp(argv[1], "--dump")) {
		profile_n = strtol(argv[2], NULL, 10);
		if (!(dump = fopen(argv[3], "w")))
			fatal(argv[3]);
	}
	struct bench_opts o = { 0 };
	if (!profile_n)
		bench_parse_opts(argc, argv, &o);
	long n_msgs = profile_n ? profile_n : o.smoke ? 300 : 100000;
	int reps = o.smoke ? 3 : o.quick ? 30 : 100;
	int deep_reps = o.smoke ? 2 : o.quick ? 10 : 30;

	if (!profile_n)
		bench_print_machine("bench_render: a 200x60 TUI on a pty, one channel's scrollback");
	setup_locale();
	setenv("TERM", "xterm-256color", 1);
	unsetenv("NO_COLOR");

	struct bench b = { 0 };
	int64_t t_fill = bench_mono_ns();
	build_model(&b, n_msgs, !dump);
	double fill_ms = (double)(bench_mono_ns() - t_fill) / 1e6;

	int slave;
	struct winsize ws = { .ws_row = SCREEN_ROWS, .ws_col = SCREEN_COLS };
	if (openpty(&b.term.master, &slave, NULL, NULL, &ws) != 0)
		fatal("openpty");
	pthread_create(&b.term.thread, NULL, drain, &b.term);
	fflush(stdout);
	int saved_in = dup(STDIN_FILENO), saved_out = dup(STDOUT_FILENO);
	dup2(slave, STDIN_FILENO);
	dup2(slave, STDOUT_FILENO);
	close(slave);

	struct config cfg;
	config_init(&cfg);
	cfg.scrollback_max = 0; /* keep all of them */
	cfg.bell = 0;
	b.loop = ev_loop_new(EVFLAG_AUTO);
	struct tui_options to = {
		.loop = b.loop,
		.model = b.model,
		.account = b.model->accounts[0],
		.config = &cfg,
		.prefer_channel = "general",
		.on_quit = on_quit,
		.ud = &b,
	};
	char *err = NULL;
	int64_t t0 = bench_mono_ns();
	b.tui = tui_new(&to, &err);
	if (!b.tui) {
		fprintf(stderr, "bench_render: tui_new: %s\n", err);
		return 1;
	}
	ev_run(b.loop, EVRUN_NOWAIT); /* selects #general, draws the first screen */
	double first_ms = (double)(bench_mono_ns() - t0) / 1e6;

	struct series s;
	if (dump) {
		dump_run(&b, dump);
		fclose(dump);
	} else if (profile) {
		if (!strcmp(profile, "deep"))
			key_and_draw(&b, SEQ_HOME, NULL, NULL);
		if (!strcmp(profile, "incoming"))
			for (int i = 0; i < 100; i++)
				incoming(&b, 10, 1, "");
		else if (!strcmp(profile, "burst"))
			for (int i = 0; i < 10; i++)
				incoming(&b, 1000, 1, "");
		else
			repeat_key(&b, !strcmp(profile, "redraw") ? SEQ_CTRL_L :
				!strcmp(profile, "pgup") ? SEQ_PGUP : SEQ_PGDN, 100, &s);
	} else {
		row(bench_fmt("messages in the channel (model filled in %.0f ms)", fill_ms),
			bench_fmt("%ld", n_msgs), "-", "-");
		row("first paint: tui_new + first draw", bench_fmt("%.2f ms", first_ms), "-", "-");
		repeat_key(&b, SEQ_CTRL_L, reps, &s);
		report("full redraw 200x60 (Ctrl-L: every cell sent again)", &s, 2);
		s.n = 0;
		for (int i = 0; i < reps; i++, s.n++) {
			frame_gap(b.loop);
			mdl_mark_dirty(b.model, MDL_DIRTY_ALL);
			int64_t w0 = bench_mono_ns(), c0 = thread_cpu_ns();
			ev_run(b.loop, EVRUN_NOWAIT);
			s.wall[s.n] = (double)(bench_mono_ns() - w0) / 1e6;
			s.cpu[s.n] = (double)(thread_cpu_ns() - c0) / 1e6;
		}
		s.bytes = 0;
		report("redraw of every pane, nothing changed", &s, 2);
		repeat_key(&b, SEQ_PGUP, reps, &s);
		report("scroll a page up (PgUp) from the bottom", &s, 2);
		repeat_key(&b, SEQ_CTRL_L, reps / 3 + 1, &s);
		report(bench_fmt("full redraw scrolled up %d pages", reps), &s, 2);
		incoming(&b, 100, reps / 3 + 1, "scrolled up");
		double home_wall, home_cpu;
		key_and_draw(&b, SEQ_HOME, &home_wall, &home_cpu);
		row("jump to the oldest message (Home)",
			bench_fmt("%.3f ms (CPU %.3f ms)", home_wall, home_cpu), "-", "-");
		repeat_key(&b, SEQ_PGDN, deep_reps, &s);
		report(bench_fmt("scroll a page down (PgDn) deep: ~%ld messages below", n_msgs), &s, 2);
		repeat_key(&b, SEQ_PGUP, deep_reps, &s);
		report("scroll a page up (PgUp) deep", &s, 2);
		repeat_key(&b, SEQ_CTRL_L, deep_reps, &s);
		report("full redraw deep in the scrollback", &s, 2);
		incoming(&b, 100, deep_reps, "scrolled deep");
		key_and_draw(&b, SEQ_END, NULL, NULL);
		incoming(&b, 1, reps, "following the bottom");
		incoming(&b, 10, reps, "following the bottom");
		incoming(&b, 100, reps, "following the bottom");
		incoming(&b, 1000, reps / 10 + 1, "following the bottom");
	}

	tui_free(b.tui);
	fflush(stdout);
	dup2(saved_in, STDIN_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved_in);
	close(saved_out);
	pthread_join(b.term.thread, NULL); /* returns at EIO: no slave descriptor is left */
	close(b.term.master);
	int saw = atomic_load(&b.term.saw_marker);
	long bytes = atomic_load(&b.term.bytes);
	ev_loop_destroy(b.loop);
	mdl_model_free(b.model);
	config_free(&cfg);
	if (!saw || bytes == 0) {
		fprintf(stderr, "bench_render: the screen never showed Bench/#general (%ld bytes)\n",
			bytes);
		return 1;
	}
	for (int i = 0; i < n_rows; i++)
		printf("%s\n", rows[i]);
	printf("# %ld bytes reached the terminal in all\n", bytes);
	return 0;
}
