/* Shared helpers for the benchmarks (see bench_util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "moltty/isotime.h"
#include "bench_util.h"

int64_t bench_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t bench_rss_kb(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int64_t status_field_kb(const char *path, const char *key)
{
	char line[256];
	int64_t v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

int64_t bench_peak_rss_kb(void)
{
	return status_field_kb("/proc/self/status", "VmHWM");
}

int64_t bench_pid_rss_kb(int pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	return status_field_kb(p, "VmRSS");
}

int64_t bench_pid_peak_rss_kb(int pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	return status_field_kb(p, "VmHWM");
}

int64_t bench_pid_ctxsw(int pid, int64_t *voluntary, int64_t *involuntary)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	int64_t v = status_field_kb(p, "voluntary_ctxt_switches");
	int64_t n = status_field_kb(p, "nonvoluntary_ctxt_switches");
	if (voluntary)
		*voluntary = v;
	if (involuntary)
		*involuntary = n;
	return v < 0 || n < 0 ? -1 : v + n;
}

int64_t bench_pid_cpu_ns(int pid)
{
	char p[64], buf[1024];
	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name, which may contain spaces: start after the last ')' */
	char *s = strrchr(buf, ')');
	if (!s)
		return -1;
	unsigned long long ut = 0, st = 0;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (int64_t)((ut + st) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK)));
}

void bench_print_machine(const char *program)
{
	char model[256] = "?";
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "model name", 10)) {
				char *c = strchr(line, ':');
				if (c) {
					snprintf(model, sizeof(model), "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
				break;
			}
		}
		fclose(f);
	}
	struct utsname u;
	uname(&u);
	long mem_mb = (long)((long long)sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024) / 1024);
	double load[3] = { 0, 0, 0 };
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("# %s\n# machine: %s, %ld online CPUs, %ld MB RAM, %s %s %s, load %.2f\n# compiler: gcc %s\n",
		program, model, sysconf(_SC_NPROCESSORS_ONLN), mem_mb, u.sysname, u.release,
		u.machine, load[0], __VERSION__);
	fflush(stdout);
}

void bench_parse_opts(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			o->quick = 1;
		} else if (!strcmp(argv[i], "--smoke")) {
			o->smoke = 1;
			o->quick = 1;
		} else {
			fprintf(stderr, "usage: %s [--quick | --smoke]\n", argv[0]);
			exit(2);
		}
	}
}

void bench_row(const char *bench, const char *metric, const char *value, const char *target,
	const char *reference, const char *status)
{
	printf("| %s | %s | %s | %s | %s | %s |\n", bench, metric, value, target ? target : "-",
		reference ? reference : "-", status ? status : "-");
	fflush(stdout);
}

const char *bench_status_le(double v, double target)
{
	return v <= target ? "MET" : "MISSED";
}

const char *bench_status_ge(double v, double target)
{
	return v >= target ? "MET" : "MISSED";
}

uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

void bench_uuid(uint64_t n, char *out)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	uint64_t k = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	snprintf(out, 37, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(h >> 32),
		(unsigned)(h >> 16) & 0xffff, (unsigned)h & 0xfff, (unsigned)(k >> 52) & 0xfff,
		(unsigned long long)(n & 0xffffffffffffULL));
}

const char *bench_fmt(const char *fmt, ...)
{
	static char slots[8][128];
	static int next;
	char *b = slots[next++ & 7];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof(slots[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* ---- frames ---- */

static const char *const latin[] = {
	"the", "agent", "channel", "model", "latency", "we", "should", "measure", "before",
	"optimising", "anything", "because", "intuition", "about", "performance", "is", "often",
	"wrong", "consider", "a", "cache", "that", "holds", "recent", "messages", "per", "peer",
	"protocol", "frames", "arrive", "in", "bursts", "and", "then", "nothing", "for", "minutes",
	"research", "paper", "suggests", "otherwise", "interesting", "point", "@alice", "@bob_7",
	"https://example.org/x", "v2.1", "42", "ok,", "yes.", "hmm", "review", "merge", "build",
};
static const char *const cyrillic[] = { "привет", "модель", "сообщение", "канал", "быстро" };
static const char *const cjk[] = { "你好", "世界", "模型", "消息", "频道", "こんにちは", "テスト",
	"안녕하세요" };
static const char *const emoji[] = { "🙂", "🚀", "👍🏽", "🧪", "👩‍💻", "✨", "🔥" };

#define PICK(rng, a) (a[bench_rand(rng) % (sizeof(a) / sizeof(a[0]))])

/* Count code points (the platform's "characters", near enough for sizing). */
static size_t cp_count(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

size_t bench_gen_content(struct bench_gen *g, char *out, size_t room)
{
	size_t want = 80 + bench_rand(&g->rng) % 321; /* 80..400 characters */
	size_t len = 0, chars = 0;
	unsigned kind = g->scripts ? (unsigned)(bench_rand(&g->rng) % 10) : 0;
	out[0] = '\0';
	while (chars < want) {
		const char *w;
		unsigned r = (unsigned)(bench_rand(&g->rng) % 100);
		if (kind == 7 && r < 40)
			w = PICK(&g->rng, cyrillic);
		else if (kind == 8 && r < 50)
			w = PICK(&g->rng, cjk);
		else if ((kind == 9 && r < 15) || r == 99)
			w = PICK(&g->rng, emoji);
		else
			w = PICK(&g->rng, latin);
		size_t wl = strlen(w);
		if (len + wl + 2 >= room)
			break;
		if (len) {
			out[len++] = ' ';
			chars++;
		}
		memcpy(out + len, w, wl);
		len += wl;
		chars += cp_count(w);
	}
	out[len] = '\0';
	return len;
}

void bench_gen_init(struct bench_gen *g, uint64_t seed, const char *const *channels, size_t n)
{
	memset(g, 0, sizeof(*g));
	g->rng = seed ? seed * 2654435761ULL + 1 : 88172645463325252ULL;
	g->ts_ms = 1796010564122LL;
	g->channels = channels;
	g->n_channels = n;
	g->scripts = 1;
}

#define N_AUTHORS 50

size_t bench_gen_frame(struct bench_gen *g, char *out, size_t *content_len)
{
	char content[2048], id[37], agent[37], iso[ISO_TIME_LEN];
	size_t cl = bench_gen_content(g, content, sizeof(content));
	unsigned author = (unsigned)(bench_rand(&g->rng) % N_AUTHORS);
	const char *channel = g->n_channels ? g->channels[g->seq % g->n_channels]
					    : "e15db907-7b24-44c4-ad6d-618c0a20600e";
	bench_uuid(g->seq + 1000000, id);
	bench_uuid(author, agent);
	g->ts_ms += 1 + (int64_t)(bench_rand(&g->rng) % 3);
	iso_format_ms(g->ts_ms, iso);
	g->seq++;
	if (content_len)
		*content_len = cl;
	/* a few authors have display names, as on the platform */
	char display[64];
	if (author % 5 == 0)
		snprintf(display, sizeof(display), "\"Agent %u\"", author);
	else
		snprintf(display, sizeof(display), "null");
	int n = snprintf(out, BENCH_FRAME_MAX,
		"{\"op\":\"message\",\"channel\":\"%s\",\"agent\":{\"id\":\"%s\",\"username\":"
		"\"bench_agent_%02u\",\"displayName\":%s,\"avatarUrl\":null},\"content\":\"%s\","
		"\"contentType\":\"text\",\"id\":\"%s\",\"timestamp\":\"%s\",\"trustTier\":\"%s\"}",
		channel, agent, author, display, content, id, iso,
		author % 7 == 0 ? "trusted" : "untrusted");
	return n < BENCH_FRAME_MAX ? (size_t)n : BENCH_FRAME_MAX - 1;
}
