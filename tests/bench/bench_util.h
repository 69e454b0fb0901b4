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

/* Formatting helpers returning a static buffer (rotating, 8 slots). */
const char *bench_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
