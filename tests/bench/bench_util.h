/* Shared helpers for the benchmark programs in tests/bench: clocks, CPU time, memory, the
 * machine banner, platform-shaped message frames and the result-row format that `make bench`
 * collects into one table.
 *
 * Result rows are printed as
 *   | bench | metric | value | target | reference | status |
 * and nothing else in the output starts with "| ". */
#ifndef MOLTTY_BENCH_UTIL_H
#define MOLTTY_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t bench_mono_ns(void);
int64_t bench_cpu_ns(void);            /* this process, user + system */
int64_t bench_rss_kb(void);            /* resident now (/proc/self/statm) */
int64_t bench_peak_rss_kb(void);       /* VmHWM */
/* Another process: CPU ticks in ns (utime+stime), RSS and peak RSS in kB, context switches
 * (voluntary + involuntary). -1 when the process is gone. */
int64_t bench_pid_cpu_ns(int pid);
int64_t bench_pid_rss_kb(int pid);
int64_t bench_pid_peak_rss_kb(int pid);
int64_t bench_pid_ctxsw(int pid, int64_t *voluntary, int64_t *involuntary);

/* CPU, cores, kernel, compiler: printed once at the top of each program. */
void bench_print_machine(const char *program);

/* Options common to every program: --quick (smaller N, shorter runs), --smoke (tiny N, for
 * make check; figures meaningless). */
struct bench_opts {
	int quick;
	int smoke;
};
void bench_parse_opts(int argc, char **argv, struct bench_opts *o);

/* One result row. status: "MET", "MISSED", "-" (no target), or "n/a". */
void bench_row(const char *bench, const char *metric, const char *value, const char *target,
	const char *reference, const char *status);
const char *bench_status_le(double v, double target); /* MET when v <= target */
const char *bench_status_ge(double v, double target);

/* Deterministic xorshift generator. */
uint64_t bench_rand(uint64_t *state);

/* Platform-shaped message frames (protocol §4.5, as recorded from the real platform):
 * {"op":"message","channel":C,"agent":{"id","username","displayName","avatarUrl"},
 *  "content":..., "contentType":"text","id":UUID,"timestamp":ISO,"trustTier":...}
 * with 80-400 characters of content mixing Latin, Cyrillic, CJK and emoji (mostly ASCII, so
 * the average frame is about 590 bytes like the platform's). */
struct bench_gen {
	uint64_t rng;
	uint64_t seq;
	int64_t ts_ms;
	const char *const *channels; /* channel ids to spread frames over */
	size_t n_channels;
	int scripts;                 /* 0: ASCII only; 1: mixed scripts */
};
void bench_gen_init(struct bench_gen *g, uint64_t seed, const char *const *channels, size_t n);
/* Writes one frame into out (room >= BENCH_FRAME_MAX), returns its length; *content_len gets
 * the content's byte length when not NULL. */
#define BENCH_FRAME_MAX 4096
size_t bench_gen_frame(struct bench_gen *g, char *out, size_t *content_len);
/* Only the content text (for render benches that fill the model directly). */
size_t bench_gen_content(struct bench_gen *g, char *out, size_t room);
/* A UUID-looking id derived from n (deterministic). out: 37 bytes. */
void bench_uuid(uint64_t n, char *out);

/* The q-quantile (0..1, nearest rank) of n values; sorts v in place. 0 when n is 0. */
double bench_quantile(double *v, size_t n, double q);

/* Formatting helpers returning a static buffer (rotating, 8 slots). */
const char *bench_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A small terminal emulator (xterm-like, what ncurses sends for TERM=xterm-256color: cursor
 * addressing, erase, insert/delete, repeat, scroll regions; colours and modes ignored), so a
 * benchmark can tell what a program on a pty has put on the screen. Cells hold code points;
 * the right half of a wide glyph holds BENCH_VT_WIDE_RIGHT. */
#define BENCH_VT_WIDE_RIGHT 0xFFFFFFFFu
struct bench_vt {
	int rows, cols;
	uint32_t *cells;
	int y, x, wrap_next;
	int top, bottom;        /* scroll region, inclusive */
	int saved_y, saved_x;
	int state;              /* parser state */
	char params[64];
	size_t n_params;
	unsigned char utf8[4];
	size_t n_utf8, want_utf8;
	uint32_t last;          /* the last glyph drawn (for REP) */
};
void bench_vt_init(struct bench_vt *vt, int rows, int cols);
void bench_vt_free(struct bench_vt *vt);
void bench_vt_feed(struct bench_vt *vt, const char *data, size_t n);
/* Row y as UTF-8 text (blank cells as spaces); returns out. */
char *bench_vt_row(const struct bench_vt *vt, int y, char *out, size_t room);
/* The first row (from `from`) containing `needle`, or -1. */
int bench_vt_find(const struct bench_vt *vt, int from, const char *needle);

/* Runs argv on a new pseudo-terminal of rows x cols (its stdin, stdout and stderr; TERM and
 * the environment as the caller set them). Returns the pid; *master is the terminal's end. */
int bench_pty_spawn(char *const argv[], int rows, int cols, int *master);
/* Starts a helper (moltchatsd, flood_server) whose first stdout line is its URL; returns its
 * pid, or -1 with a message on stderr. */
int bench_spawn_url(char *const argv[], char *url, size_t url_len);
/* A program of this build: $ENV_NAME when set, else `fallback` (relative to the build dir). */
const char *bench_program(const char *env_name, const char *fallback);
/* A throw-away HOME (and XDG dirs in it) for programs started from here; returns its path. */
const char *bench_private_home(void);
void bench_private_home_remove(void); /* and everything in it */

#endif
