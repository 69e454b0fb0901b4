/* Benchmark 6 (issue 7): moltchatsd on loopback, with a file database (WAL), rate limits off
 * (MOLTCHATSD_NO_RATE_LIMITS=1) so the daemon's own cost is what is measured.
 *   - REST messages accepted per second (each a committed SQLite insert) from 8 keep-alive
 *     connections;
 *   - fan-out: one agent sends `message` ops over its WebSocket as fast as it can while 1, 50
 *     and 200 anonymous observer sockets subscribed to the channel count deliveries;
 *   - latency: the same at a paced 100 messages/s to 200 observers; each content carries the
 *     send time (CLOCK_REALTIME), p50/p99 over every delivery, twice: when the frame reached
 *     the observer's socket (the kernel's receive timestamp, SO_TIMESTAMPNS: the daemon's
 *     latency plus loopback) and when this program got to read it (adds the load generator's
 *     own delay: one process reading 200 sockets, on a shared machine);
 *   - the daemon's CPU and RSS (from /proc).
 * Plain sockets (poll for the REST connections, epoll for the observers): a tiny HTTP/1.1 and
 * WebSocket client, so the load generator costs little next to the server. Every phase is
 * bounded in count and in time. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "bench_util.h"

static int port;
static pid_t server_pid;

/* ---- sockets ---- */

static int tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("bench_server: connect");
		exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("bench_server: write");
			exit(1);
		}
		c += w;
		n -= (size_t)w;
	}
}

/* ---- HTTP/1.1 keep-alive ---- */

struct http {
	int fd;
	struct buf in;
};

static void http_send(struct http *h, const char *method, const char *path, const char *token,
	const char *body)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		       "Content-Length: %zu\r\n", method, path, body ? strlen(body) : 0);
	if (token)
		buf_printf(&b, "Authorization: Bearer %s\r\n", token);
	buf_printf(&b, "\r\n%s", body ? body : "");
	write_all(h->fd, b.data, b.len);
	buf_free(&b);
}

/* One complete response from h->in, when there is one: returns the status and moves the body
 * into *body (may be NULL); 0 when more bytes are needed. */
static int http_take(struct http *h, char **body)
{
	if (!h->in.len)
		return 0;
	char *end = strstr(buf_cstr(&h->in), "\r\n\r\n");
	if (!end)
		return 0;
	size_t hdr = (size_t)(end - h->in.data) + 4;
	size_t clen = 0;
	for (char *p = h->in.data; p < end; p++) {
		if (!strncasecmp(p, "\ncontent-length:", 16)) {
			clen = strtoul(p + 16, NULL, 10);
			break;
		}
	}
	if (h->in.len < hdr + clen)
		return 0;
	int status = atoi(h->in.data + 9);
	if (body)
		*body = xstrndup(h->in.data + hdr, clen);
	memmove(h->in.data, h->in.data + hdr + clen, h->in.len - hdr - clen);
	h->in.len -= hdr + clen;
	h->in.data[h->in.len] = '\0';
	return status;
}

static int http_read_some(int fd, struct buf *in)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	if (n > 0)
		buf_append(in, tmp, (size_t)n);
	return (int)n;
}

static int http_call(struct http *h, const char *method, const char *path, const char *token,
	const char *body, char **resp)
{
	http_send(h, method, path, token, body);
	int st;
	while (!(st = http_take(h, resp))) {
		if (http_read_some(h->fd, &h->in) <= 0) {
			fprintf(stderr, "bench_server: connection closed during %s %s\n", method, path);
			exit(1);
		}
	}
	return st;
}

static const char *json_str(cJSON *j, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Register + verify an agent; returns its token (caller frees). */
static char *make_agent(struct http *h, const char *username)
{
	char *priv = NULL, *pub = NULL, *resp = NULL;
	if (rsa_generate(&priv, &pub) != 0)
		abort();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "username", username);
	cJSON_AddStringToObject(o, "publicKey", pub);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	int st = http_call(h, "POST", "/api/v1/agents/register", NULL, body, &resp);
	free(body);
	cJSON *j = cJSON_Parse(resp);
	if (st != 201 && st != 200) {
		fprintf(stderr, "bench_server: register: %d %s\n", st, resp);
		exit(1);
	}
	char *sig = rsa_sign_b64(priv, json_str(j, "challenge"), strlen(json_str(j, "challenge")));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", json_str(j, "agentId"));
	cJSON_AddStringToObject(o, "signedChallenge", sig);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON_Delete(j);
	free(resp);
	st = http_call(h, "POST", "/api/v1/agents/verify", NULL, body, &resp);
	free(body);
	j = cJSON_Parse(resp);
	char *token = xstrdup(json_str(j, "token"));
	if (st != 200 || !token) {
		fprintf(stderr, "bench_server: verify: %d %s\n", st, resp);
		exit(1);
	}
	cJSON_Delete(j);
	free(resp);
	free(sig);
	free(priv);
	free(pub);
	return token;
}

/* ---- WebSocket (client side: masked frames out, plain frames in) ---- */

struct ws {
	int fd;
	struct buf in;
	long messages;
	int64_t rx_stamp;             /* kernel receive time of the last read (realtime ns), or 0 */
};

static int64_t realtime_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void ws_open(struct ws *w, const char *token)
{
	memset(w, 0, sizeof(*w));
	w->fd = tcp_connect();
	struct buf b = BUF_INIT;
	buf_printf(&b, "GET /ws%s%s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
		       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		       "Sec-WebSocket-Version: 13\r\n\r\n", token ? "?token=" : "", token ? token : "");
	write_all(w->fd, b.data, b.len);
	buf_free(&b);
	for (;;) {
		if (http_read_some(w->fd, &w->in) <= 0) {
			fprintf(stderr, "bench_server: WebSocket upgrade failed\n");
			exit(1);
		}
		char *end = strstr(buf_cstr(&w->in), "\r\n\r\n");
		if (!end)
			continue;
		if (strncmp(w->in.data, "HTTP/1.1 101", 12) != 0) {
			fprintf(stderr, "bench_server: upgrade refused: %.40s\n", w->in.data);
			exit(1);
		}
		size_t hdr = (size_t)(end - w->in.data) + 4;
		memmove(w->in.data, w->in.data + hdr, w->in.len - hdr);
		w->in.len -= hdr;
		break;
	}
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
}

static void ws_send(struct ws *w, const char *text)
{
	size_t n = strlen(text);
	unsigned char hdr[14];
	size_t h = 0;
	hdr[h++] = 0x81;
	if (n < 126) {
		hdr[h++] = (unsigned char)(0x80 | n);
	} else {
		hdr[h++] = 0x80 | 126;
		hdr[h++] = (unsigned char)(n >> 8);
		hdr[h++] = (unsigned char)n;
	}
	memset(hdr + h, 0, 4); /* a zero mask: the payload goes as it is */
	h += 4;
	struct buf b = BUF_INIT;
	buf_append(&b, hdr, h);
	buf_append(&b, text, n);
	int fl = fcntl(w->fd, F_GETFL);
	fcntl(w->fd, F_SETFL, fl & ~O_NONBLOCK);
	write_all(w->fd, b.data, b.len);
	fcntl(w->fd, F_SETFL, fl);
	buf_free(&b);
}

/* latency samples of one phase: at the socket (kernel stamp) and when read */
static int64_t *lat, *lat_read;
static size_t n_lat, cap_lat;

/* Parse complete frames; count `message` frames and note their latency. */
static void ws_consume(struct ws *w)
{
	size_t off = 0;
	const unsigned char *p = (const unsigned char *)w->in.data;
	while (w->in.len - off >= 2) {
		size_t len = p[off + 1] & 0x7f, h = 2;
		if (len == 126) {
			if (w->in.len - off < 4)
				break;
			len = ((size_t)p[off + 2] << 8) | p[off + 3];
			h = 4;
		} else if (len == 127) {
			if (w->in.len - off < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | p[off + 2 + i];
			h = 10;
		}
		if (w->in.len - off < h + len)
			break;
		const char *t = (const char *)p + off + h;
		if ((p[off] & 0x0f) == 1 && len > 16 && !memcmp(t, "{\"op\":\"message\"", 15)) {
			w->messages++;
			const char *m = memmem(t, len, "sent=", 5);
			if (m && lat) {
				int64_t sent = strtoll(m + 5, NULL, 10);
				if (n_lat == cap_lat) {
					cap_lat = cap_lat ? cap_lat * 2 : 65536;
					lat = xrealloc(lat, cap_lat * sizeof(*lat));
					lat_read = xrealloc(lat_read, cap_lat * sizeof(*lat_read));
				}
				int64_t now = realtime_ns();
				/* the stamp is the last segment's of the read: never earlier than the
				 * frame's own arrival, so this can only overstate the latency */
				lat[n_lat] = (w->rx_stamp ? w->rx_stamp : now) - sent;
				lat_read[n_lat++] = now - sent;
			}
		}
		off += h + len;
	}
	memmove(w->in.data, w->in.data + off, w->in.len - off);
	w->in.len -= off;
}

static void ws_pump(struct ws *w)
{
	static char tmp[262144];
	char ctl[CMSG_SPACE(sizeof(struct timespec))];
	for (;;) {
		struct iovec iov = { tmp, sizeof(tmp) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(w->fd, &mh, 0);
		if (n <= 0)
			break;
		w->rx_stamp = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				w->rx_stamp = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			}
		}
		buf_append(&w->in, tmp, (size_t)n);
		ws_consume(w); /* frames of this read carry this read's stamp */
		if ((size_t)n < sizeof(tmp))
			break; /* drained: skip the read that would say EAGAIN */
	}
}

/* Readiness of a phase's sockets: one epoll set (poll() over 200 sockets per turn costs the
 * load generator more than the reads). */
static int ep = -1;

static void watch_all(struct ws *ws, size_t n)
{
	if (ep >= 0)
		close(ep);
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (size_t i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ws[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, ws[i].fd, &ev);
	}
}

/* Wait for readable sockets (up to timeout_ms) and consume what arrived. */
static void pump_all(struct ws *ws, size_t n, int timeout_ms)
{
	struct epoll_event evs[512];
	int k = epoll_wait(ep, evs, 512, timeout_ms);
	for (int i = 0; i < k; i++)
		ws_pump(evs[i].data.ptr);
}

static long total_messages(struct ws *ws, size_t n)
{
	long t = 0;
	for (size_t i = 0; i < n; i++)
		t += ws[i].messages;
	return t;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- phases ---- */

static void phase_rest(const char *token, const char *channel, long n, int conns)
{
	struct http h[16];
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/%s/messages", channel);
	for (int i = 0; i < conns; i++) {
		h[i].fd = tcp_connect();
		h[i].in = (struct buf)BUF_INIT;
	}
	long sent = 0, done = 0, bad = 0;
	int64_t cpu0 = bench_pid_cpu_ns(server_pid), t0 = bench_mono_ns();
	int64_t deadline = t0 + 60 * 1000000000LL;
	char body[512];
	struct bench_gen g;
	bench_gen_init(&g, 3, NULL, 0);
	char content[400];
	/* one request in flight per connection */
	for (int i = 0; i < conns && sent < n; i++, sent++) {
		bench_gen_content(&g, content, 200);
		snprintf(body, sizeof(body), "{\"content\":\"%s\"}", content);
		http_send(&h[i], "POST", path, token, body);
	}
	while (done < n && bench_mono_ns() < deadline) {
		struct pollfd pf[16];
		for (int i = 0; i < conns; i++)
			pf[i] = (struct pollfd){ h[i].fd, POLLIN, 0 };
		if (poll(pf, (nfds_t)conns, 1000) <= 0)
			continue;
		for (int i = 0; i < conns; i++) {
			if (!pf[i].revents)
				continue;
			if (http_read_some(h[i].fd, &h[i].in) <= 0) {
				fprintf(stderr, "bench_server: REST connection closed\n");
				exit(1);
			}
			int st;
			while ((st = http_take(&h[i], NULL))) {
				done++;
				bad += st != 201;
				if (sent < n) {
					bench_gen_content(&g, content, 200);
					snprintf(body, sizeof(body), "{\"content\":\"%s\"}", content);
					http_send(&h[i], "POST", path, token, body);
					sent++;
				}
			}
		}
	}
	double secs = (double)(bench_mono_ns() - t0) / 1e9;
	double cpu_us = (double)(bench_pid_cpu_ns(server_pid) - cpu0) / 1000.0;
	printf("# REST: %ld sends (%ld not 201) over %d connections in %.2f s: %.0f/s, server CPU "
	       "%.1f µs per message\n", done, bad, conns, secs, (double)done / secs,
		cpu_us / (double)(done ? done : 1));
	bench_row("moltchatsd", "REST messages accepted/s (SQLite WAL, committed)",
		bench_fmt("%.0f (%.0f µs CPU each)", (double)done / secs, cpu_us / (double)(done ? done : 1)),
		">= 10,000", "~540 (platform)", bad ? "n/a" : bench_status_ge((double)done / secs, 10000));
	for (int i = 0; i < conns; i++) {
		close(h[i].fd);
		buf_free(&h[i].in);
	}
}

static void subscribe_all(struct ws *subs, size_t n, const char *channel)
{
	char f[128];
	snprintf(f, sizeof(f), "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", channel);
	int one = 1;
	for (size_t i = 0; i < n; i++) {
		ws_open(&subs[i], NULL);
		setsockopt(subs[i].fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		ws_send(&subs[i], f);
	}
	watch_all(subs, n);
	/* wait for every `subscribed` (any bytes at all, then a short settle) */
	int64_t until = bench_mono_ns() + 300 * 1000000LL;
	while (bench_mono_ns() < until)
		pump_all(subs, n, 50);
}

/* Sender over WS; rate 0 = as fast as possible. */
static void phase_fanout(struct ws *pub, const char *channel, size_t n_subs, long n_msgs,
	double rate, int smoke)
{
	struct ws *subs = xcalloc(n_subs, sizeof(*subs));
	subscribe_all(subs, n_subs, channel);
	for (size_t i = 0; i < n_subs; i++)
		subs[i].messages = 0;
	free(lat);
	free(lat_read);
	lat = lat_read = NULL;
	n_lat = cap_lat = 0;
	if (rate > 0)
		lat = xmalloc(1); /* collect latencies */

	long want = (long)n_subs * n_msgs;
	int64_t cpu0 = bench_pid_cpu_ns(server_pid), t0 = bench_mono_ns();
	int64_t deadline = t0 + (smoke ? 10 : 30) * 1000000000LL;
	long sent = 0;
	char frame[600];
	while (bench_mono_ns() < deadline) {
		/* send what the pace allows (in bursts of up to 50 when unpaced) */
		long allowed = rate > 0 ? (long)((double)(bench_mono_ns() - t0) / 1e9 * rate) + 1 : sent + 50;
		if (allowed > n_msgs)
			allowed = n_msgs;
		/* unpaced: keep the server's queue to the subscribers bounded */
		if (rate <= 0 && sent - total_messages(subs, n_subs) / (long)n_subs > 2000)
			allowed = sent;
		while (sent < allowed) {
			snprintf(frame, sizeof(frame),
				"{\"op\":\"message\",\"channel\":\"%s\",\"content\":\"bench sent=%lld "
				"the quick brown fox jumps over the lazy dog, a platform-sized message of "
				"about two hundred characters of ordinary chat text for the fan-out\"}",
				channel, (long long)realtime_ns());
			ws_send(pub, frame);
			sent++;
		}
		ws_pump(pub); /* acks */
		pump_all(subs, n_subs, rate > 0 ? 2 : 1);
		if (total_messages(subs, n_subs) >= want)
			break;
	}
	double secs = (double)(bench_mono_ns() - t0) / 1e9;
	long got = total_messages(subs, n_subs);
	double cpu_us = (double)(bench_pid_cpu_ns(server_pid) - cpu0) / 1000.0;
	int64_t rss = bench_pid_rss_kb(server_pid);
	if (rate > 0) {
		qsort(lat, n_lat, sizeof(*lat), cmp64);
		qsort(lat_read, n_lat, sizeof(*lat_read), cmp64);
		double p50 = n_lat ? (double)lat[n_lat / 2] / 1e6 : -1;
		double p99 = n_lat ? (double)lat[n_lat * 99 / 100] / 1e6 : -1;
		double r50 = n_lat ? (double)lat_read[n_lat / 2] / 1e6 : -1;
		double r99 = n_lat ? (double)lat_read[n_lat * 99 / 100] / 1e6 : -1;
		printf("# paced %.0f msg/s to %zu: %ld/%ld deliveries; at the socket p50 %.2f ms, p99 "
		       "%.2f ms; read by the bench p50 %.2f ms, p99 %.2f ms; server CPU %.0f%% (%.2f µs "
		       "per delivery), RSS %lld kB\n", rate, n_subs, got, want, p50, p99, r50, r99,
			cpu_us / 1e4 / secs, cpu_us / (double)(got ? got : 1), (long long)rss);
		bench_row("moltchatsd", bench_fmt("latency p50/p99, %.0f msg/s to %zu (at the socket)",
			rate, n_subs), bench_fmt("%.2f / %.2f ms", p50, p99), "p99 <= 5 ms",
			"p99 9.5 ms (platform)", smoke ? "n/a" : bench_status_le(p99, 5));
		bench_row("moltchatsd", bench_fmt("latency p50/p99, %.0f msg/s to %zu (read by bench)",
			rate, n_subs), bench_fmt("%.2f / %.2f ms", r50, r99), "-", "-", "-");
	} else {
		printf("# fan-out to %zu: %ld/%ld deliveries in %.2f s: %.0f deliveries/s, server CPU "
		       "%.2f µs per delivery, RSS %lld kB\n", n_subs, got, want, secs, (double)got / secs,
			cpu_us / (double)(got ? got : 1), (long long)rss);
		int is200 = n_subs >= 200;
		bench_row("moltchatsd", bench_fmt("fan-out deliveries/s to %zu", n_subs),
			bench_fmt("%.0f", (double)got / secs), is200 ? ">= 500,000" : "-",
			is200 ? "~61,000 (platform, saturated)" : "-",
			is200 && !smoke ? bench_status_ge((double)got / secs, 500000) : "-");
	}
	for (size_t i = 0; i < n_subs; i++) {
		close(subs[i].fd);
		buf_free(&subs[i].in);
	}
	free(subs);
	usleep(200000); /* let the server notice the closes */
	ws_pump(pub);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	bench_parse_opts(argc, argv, &o);
	bench_print_machine("bench_server: moltchatsd on loopback");
	signal(SIGPIPE, SIG_IGN);
	char self[1024], daemon[1100];
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (l <= 0)
		return 1;
	self[l] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(daemon, sizeof(daemon), "%s/../../src/moltchatsd", self);
	if (getenv("MOLTCHATSD"))
		snprintf(daemon, sizeof(daemon), "%s", getenv("MOLTCHATSD"));

	char dir[] = "/tmp/bench-server-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char db[256];
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	int fd[2];
	if (pipe(fd) != 0)
		return 1;
	server_pid = fork();
	if (server_pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		setenv("MOLTCHATSD_NO_RATE_LIMITS", "1", 1);
		execl(daemon, daemon, "--db", db, "--default-tier", "seed", "--quiet",
			"--presence-interval", "3600", "--register-limit", "1000", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char url[128] = "";
	FILE *f = fdopen(fd[0], "r");
	if (!f || !fgets(url, sizeof(url), f) || !strrchr(url, ':')) {
		fprintf(stderr, "bench_server: %s did not start\n", daemon);
		return 1;
	}
	port = atoi(strrchr(url, ':') + 1);

	struct http h = { tcp_connect(), BUF_INIT };
	char *token = make_agent(&h, "bench_sender");
	char *resp = NULL;
	int st = http_call(&h, "POST", "/api/v1/servers", token, "{\"name\":\"Bench\"}", &resp);
	cJSON *j = cJSON_Parse(resp);
	cJSON *srv = cJSON_GetObjectItemCaseSensitive(j, "server");
	const char *server_id = json_str(srv ? srv : j, "id");
	if ((st != 201 && st != 200) || !server_id) {
		fprintf(stderr, "bench_server: create server: %d %s\n", st, resp);
		return 1;
	}
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/servers/%s", server_id);
	free(resp);
	http_call(&h, "GET", path, token, NULL, &resp);
	cJSON *s = cJSON_Parse(resp);
	cJSON *chans = cJSON_GetObjectItemCaseSensitive(s, "channels");
	const char *channel = json_str(cJSON_GetArrayItem(chans, 0), "id");
	if (!channel) {
		fprintf(stderr, "bench_server: no channel in %s\n", resp);
		return 1;
	}
	char chan[40];
	snprintf(chan, sizeof(chan), "%s", channel);
	cJSON_Delete(s);
	cJSON_Delete(j);
	free(resp);
	printf("# moltchatsd pid %d, port %d, db %s, channel %s\n", (int)server_pid, port, db, chan);

	phase_rest(token, chan, o.smoke ? 200 : o.quick ? 20000 : 100000, 8);

	struct ws pub;
	ws_open(&pub, token);
	char sub[128];
	snprintf(sub, sizeof(sub), "{\"op\":\"subscribe\",\"channels\":[\"%s\"]}", chan);
	ws_send(&pub, sub);
	usleep(100000);
	ws_pump(&pub);
	size_t fan[] = { 1, 50, 200 };
	for (size_t i = 0; i < 3; i++) {
		long msgs = o.smoke ? 50 : (long)(o.quick ? 200000 : 600000) / (long)fan[i];
		if (msgs > 20000)
			msgs = 20000;
		phase_fanout(&pub, chan, o.smoke ? (fan[i] > 5 ? 5 : fan[i]) : fan[i], msgs, 0, o.smoke);
	}
	phase_fanout(&pub, chan, o.smoke ? 5 : 200, o.smoke ? 20 : o.quick ? 500 : 1500, 100, o.smoke);
	int64_t peak = bench_pid_peak_rss_kb(server_pid);
	bench_row("moltchatsd", "peak RSS", bench_fmt("%.1f MB", peak / 1024.0), "-", "-", "-");

	close(pub.fd);
	buf_free(&pub.in);
	close(h.fd);
	buf_free(&h.in);
	free(token);
	free(lat);
	free(lat_read);
	if (ep >= 0)
		close(ep);
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_server: could not remove %s\n", dir);
	return 0;
}
