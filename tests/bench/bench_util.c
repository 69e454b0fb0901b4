/* Shared helpers for the benchmarks (see bench_util.h). */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "moltty/isotime.h"
#include "moltty/utf8.h"
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double bench_quantile(double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t k = (size_t)(q * (double)n);
	return v[k < n ? k : n - 1];
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

/* ---- a small terminal emulator ---- */

void bench_vt_init(struct bench_vt *vt, int rows, int cols)
{
	memset(vt, 0, sizeof(*vt));
	vt->rows = rows;
	vt->cols = cols;
	vt->cells = calloc((size_t)rows * (size_t)cols, sizeof(uint32_t));
	vt->bottom = rows - 1;
}

void bench_vt_free(struct bench_vt *vt)
{
	free(vt->cells);
	vt->cells = NULL;
}

static uint32_t *vt_cell(struct bench_vt *vt, int y, int x)
{
	return &vt->cells[(size_t)y * (size_t)vt->cols + (size_t)x];
}

static void vt_clear(struct bench_vt *vt, int y, int x0, int x1)
{
	if (y < 0 || y >= vt->rows)
		return;
	for (int x = x0 < 0 ? 0 : x0; x < x1 && x < vt->cols; x++)
		*vt_cell(vt, y, x) = 0;
}

/* Lines top..bottom move up by n (n < 0: down); the lines left behind are blank. */
static void vt_scroll(struct bench_vt *vt, int top, int bottom, int n)
{
	if (top < 0 || bottom >= vt->rows || top > bottom || n == 0)
		return;
	int h = bottom - top + 1, k = n > 0 ? n : -n;
	if (k > h)
		k = h;
	size_t row = (size_t)vt->cols * sizeof(uint32_t);
	if (n > 0) {
		memmove(vt_cell(vt, top, 0), vt_cell(vt, top + k, 0), (size_t)(h - k) * row);
		for (int y = bottom - k + 1; y <= bottom; y++)
			vt_clear(vt, y, 0, vt->cols);
	} else {
		memmove(vt_cell(vt, top + k, 0), vt_cell(vt, top, 0), (size_t)(h - k) * row);
		for (int y = top; y < top + k; y++)
			vt_clear(vt, y, 0, vt->cols);
	}
}

static void vt_linefeed(struct bench_vt *vt)
{
	if (vt->y == vt->bottom)
		vt_scroll(vt, vt->top, vt->bottom, 1);
	else if (vt->y < vt->rows - 1)
		vt->y++;
}

static void vt_put(struct bench_vt *vt, uint32_t cp)
{
	int w = utf8_cp_width(cp);
	if (w == 0)
		return; /* marks join the glyph before: not needed to read the screen */
	if (vt->wrap_next || vt->x + w > vt->cols) {
		vt->x = 0;
		vt_linefeed(vt);
	}
	vt->wrap_next = 0;
	*vt_cell(vt, vt->y, vt->x) = cp;
	if (w == 2)
		*vt_cell(vt, vt->y, vt->x + 1) = BENCH_VT_WIDE_RIGHT;
	vt->last = cp;
	if (vt->x + w >= vt->cols)
		vt->wrap_next = 1;
	else
		vt->x += w;
}

static int vt_param(const struct bench_vt *vt, int i, int def)
{
	const char *p = vt->params;
	if (*p == '?' || *p == '>')
		p++;
	for (int k = 0; k < i && p; k++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p || *p < '0' || *p > '9')
		return def;
	int v = atoi(p);
	return v ? v : def;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void vt_csi(struct bench_vt *vt, char final)
{
	int n = vt_param(vt, 0, 1);
	int private = vt->params[0] == '?' || vt->params[0] == '>';
	if (private)
		return; /* modes */
	switch (final) {
	case 'H': case 'f':
		vt->y = clamp(vt_param(vt, 0, 1) - 1, 0, vt->rows - 1);
		vt->x = clamp(vt_param(vt, 1, 1) - 1, 0, vt->cols - 1);
		break;
	case 'A': vt->y = clamp(vt->y - n, 0, vt->rows - 1); break;
	case 'B': vt->y = clamp(vt->y + n, 0, vt->rows - 1); break;
	case 'C': vt->x = clamp(vt->x + n, 0, vt->cols - 1); break;
	case 'D': vt->x = clamp(vt->x - n, 0, vt->cols - 1); break;
	case 'G': case '`': vt->x = clamp(n - 1, 0, vt->cols - 1); break;
	case 'd': vt->y = clamp(n - 1, 0, vt->rows - 1); break;
	case 'K': {
		int mode = vt_param(vt, 0, 0);
		if (mode == 0)
			vt_clear(vt, vt->y, vt->x, vt->cols);
		else if (mode == 1)
			vt_clear(vt, vt->y, 0, vt->x + 1);
		else
			vt_clear(vt, vt->y, 0, vt->cols);
		break;
	}
	case 'J': {
		int mode = vt_param(vt, 0, 0);
		int y0 = mode == 0 ? vt->y + 1 : 0, y1 = mode == 1 ? vt->y : vt->rows;
		if (mode == 0)
			vt_clear(vt, vt->y, vt->x, vt->cols);
		if (mode == 1)
			vt_clear(vt, vt->y, 0, vt->x + 1);
		for (int y = y0; y < y1; y++)
			vt_clear(vt, y, 0, vt->cols);
		break;
	}
	case 'X': vt_clear(vt, vt->y, vt->x, vt->x + n); break;
	case 'b':
		for (int i = 0; i < n && vt->last; i++)
			vt_put(vt, vt->last);
		break;
	case 'L': if (vt->y >= vt->top && vt->y <= vt->bottom) vt_scroll(vt, vt->y, vt->bottom, -n); break;
	case 'M': if (vt->y >= vt->top && vt->y <= vt->bottom) vt_scroll(vt, vt->y, vt->bottom, n); break;
	case 'S': vt_scroll(vt, vt->top, vt->bottom, n); break;
	case 'T': vt_scroll(vt, vt->top, vt->bottom, -n); break;
	case 'P': {
		uint32_t *row = vt_cell(vt, vt->y, 0);
		int k = clamp(n, 0, vt->cols - vt->x);
		memmove(row + vt->x, row + vt->x + k, (size_t)(vt->cols - vt->x - k) * sizeof(*row));
		vt_clear(vt, vt->y, vt->cols - k, vt->cols);
		break;
	}
	case '@': {
		uint32_t *row = vt_cell(vt, vt->y, 0);
		int k = clamp(n, 0, vt->cols - vt->x);
		memmove(row + vt->x + k, row + vt->x, (size_t)(vt->cols - vt->x - k) * sizeof(*row));
		vt_clear(vt, vt->y, vt->x, vt->x + k);
		break;
	}
	case 'r':
		vt->top = clamp(vt_param(vt, 0, 1) - 1, 0, vt->rows - 1);
		vt->bottom = clamp(vt_param(vt, 1, vt->rows) - 1, vt->top, vt->rows - 1);
		vt->y = vt->x = 0;
		break;
	default: break; /* m (colours), h/l, t (window ops), ... */
	}
	vt->wrap_next = 0;
}

enum { VT_GROUND, VT_ESC, VT_CSI, VT_OSC, VT_OSC_ESC, VT_CHARSET };

void bench_vt_feed(struct bench_vt *vt, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		switch (vt->state) {
		case VT_ESC:
			vt->state = VT_GROUND;
			switch (c) {
			case '[': vt->state = VT_CSI; vt->n_params = 0; vt->params[0] = '\0'; break;
			case ']': vt->state = VT_OSC; break;
			case '(': case ')': case '*': case '+': vt->state = VT_CHARSET; break;
			case '7': vt->saved_y = vt->y; vt->saved_x = vt->x; break;
			case '8': vt->y = vt->saved_y; vt->x = vt->saved_x; vt->wrap_next = 0; break;
			case 'D': vt_linefeed(vt); break;
			case 'E': vt->x = 0; vt_linefeed(vt); break;
			case 'M':
				if (vt->y == vt->top)
					vt_scroll(vt, vt->top, vt->bottom, -1);
				else if (vt->y > 0)
					vt->y--;
				break;
			case 'c': {
				int r = vt->rows, k = vt->cols;
				uint32_t *cells = vt->cells;
				memset(cells, 0, (size_t)r * (size_t)k * sizeof(*cells));
				memset(vt, 0, sizeof(*vt));
				vt->rows = r, vt->cols = k, vt->cells = cells, vt->bottom = r - 1;
				break;
			}
			default: break;
			}
			continue;
		case VT_CSI:
			if (c >= 0x40 && c <= 0x7e) {
				vt->params[vt->n_params] = '\0';
				vt_csi(vt, (char)c);
				vt->state = VT_GROUND;
			} else if (vt->n_params + 1 < sizeof(vt->params)) {
				vt->params[vt->n_params++] = (char)c;
				vt->params[vt->n_params] = '\0';
			}
			continue;
		case VT_OSC:
			if (c == 0x07)
				vt->state = VT_GROUND;
			else if (c == 0x1b)
				vt->state = VT_OSC_ESC;
			continue;
		case VT_OSC_ESC:
			vt->state = c == '\\' ? VT_GROUND : VT_OSC;
			continue;
		case VT_CHARSET:
			vt->state = VT_GROUND;
			continue;
		default:
			break;
		}
		if (vt->want_utf8) {
			if ((c & 0xc0) == 0x80) {
				vt->utf8[vt->n_utf8++] = c;
				if (vt->n_utf8 == vt->want_utf8) {
					uint32_t cp;
					utf8_decode((const char *)vt->utf8, vt->n_utf8, &cp);
					vt->want_utf8 = 0;
					vt_put(vt, cp);
				}
				continue;
			}
			vt->want_utf8 = 0; /* broken sequence: drop it, then read c afresh */
		}
		if (c >= 0xc2 && c <= 0xf4) {
			vt->utf8[0] = c;
			vt->n_utf8 = 1;
			vt->want_utf8 = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			continue;
		}
		switch (c) {
		case 0x1b: vt->state = VT_ESC; break;
		case '\r': vt->x = 0; vt->wrap_next = 0; break;
		case '\n': case 0x0b: case 0x0c: vt_linefeed(vt); vt->wrap_next = 0; break;
		case '\b': if (vt->x > 0) vt->x--; vt->wrap_next = 0; break;
		case '\t': vt->x = clamp((vt->x / 8 + 1) * 8, 0, vt->cols - 1); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				vt_put(vt, c);
			break;
		}
	}
}

char *bench_vt_row(const struct bench_vt *vt, int y, char *out, size_t room)
{
	size_t len = 0;
	out[0] = '\0';
	if (y < 0 || y >= vt->rows || room < 8)
		return out;
	for (int x = 0; x < vt->cols && len + 5 < room; x++) {
		uint32_t cp = vt->cells[(size_t)y * (size_t)vt->cols + (size_t)x];
		if (cp == BENCH_VT_WIDE_RIGHT)
			continue;
		len += utf8_encode(cp ? cp : ' ', out + len);
	}
	out[len] = '\0';
	return out;
}

int bench_vt_find(const struct bench_vt *vt, int from, const char *needle)
{
	char row[4096];
	for (int y = from < 0 ? 0 : from; y < vt->rows; y++)
		if (strstr(bench_vt_row(vt, y, row, sizeof(row)), needle))
			return y;
	return -1;
}

int bench_pty_spawn(char *const argv[], int rows, int cols, int *master)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	pid_t pid = forkpty(master, NULL, NULL, &ws);
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return (int)pid;
}

int bench_spawn_url(char *const argv[], char *url, size_t url_len)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	int ok = f && fgets(url, (int)url_len, f);
	if (f)
		fclose(f);
	if (!ok) {
		fprintf(stderr, "%s printed no URL\n", argv[0]);
		return -1;
	}
	url[strcspn(url, "\n")] = '\0';
	return (int)pid;
}

const char *bench_program(const char *env_name, const char *fallback)
{
	const char *p = getenv(env_name);
	return p && *p ? p : fallback;
}

static char private_home[64];

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

void bench_private_home_remove(void)
{
	if (private_home[0])
		nftw(private_home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	private_home[0] = '\0';
}

const char *bench_private_home(void)
{
	char *dir = private_home;
	if (dir[0])
		return dir;
	snprintf(dir, sizeof(private_home), "/tmp/moltty-bench.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	char sub[128];
	static const char *const subs[] = { ".config", ".local", ".local/state", ".local/share" };
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, subs[i]);
		mkdir(sub, 0700);
	}
	setenv("HOME", dir, 1);
	snprintf(sub, sizeof(sub), "%s/.config", dir);
	setenv("XDG_CONFIG_HOME", sub, 1);
	snprintf(sub, sizeof(sub), "%s/.local/state", dir);
	setenv("XDG_STATE_HOME", sub, 1);
	snprintf(sub, sizeof(sub), "%s/.local/share", dir);
	setenv("XDG_DATA_HOME", sub, 1);
	unsetenv("MOLTCHATS_API_BASE");
	unsetenv("MOLTCHATS_WS_BASE");
	unsetenv("NO_COLOR");
	return dir;
}
