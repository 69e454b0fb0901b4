/* A WebSocket flood source for the end-to-end benchmark: speaks just enough of the MoltChats
 * gateway (protocol §4) for an observer. `ping` gets `pong`; `subscribe` gets `subscribed` for
 * each channel, then the connection receives --count platform-shaped `message` frames spread
 * over its subscribed channels, as fast as the socket takes them (or --rate per second).
 * HTTP requests get 404. Prints "ws://127.0.0.1:PORT" on stdout once listening.
 *
 *   flood_server [--count N] [--rate R [--tick MS]] [--port P] [--gather 1]
 *
 * --tick MS: with --rate, send what is due every MS milliseconds and sleep in between (the
 * TUI benchmark shares the machine with it). Without it a paced flood polls the socket
 * continuously, as it always did.
 * --gather 1: frames packed into 16 KiB writes (see gather_write) instead of one write each.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "bench_util.h"

#define MAX_SUBS 64

struct conn {
	char channels[MAX_SUBS][37];
	const char *chan_ptrs[MAX_SUBS];
	int n_channels;
	char pending[MAX_SUBS + 8][256]; /* control replies waiting for the socket */
	int n_pending;
	long sent;
	int flooding;
	int64_t start_ns;
	struct bench_gen gen;
};

static long opt_count = 100000;
static double opt_rate = 0; /* 0: as fast as possible */
static int opt_tick_ms = 0; /* 0: a paced flood asks for the next writable callback at once */
static volatile int stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void queue_reply(struct lws *wsi, struct conn *c, const char *text)
{
	if (c->n_pending < MAX_SUBS + 8)
		snprintf(c->pending[c->n_pending++], sizeof(c->pending[0]), "%s", text);
	lws_callback_on_writable(wsi);
}

static void on_text(struct lws *wsi, struct conn *c, const char *in, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(in, len);
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(j, "op");
	char reply[256];
	if (cJSON_IsString(op) && !strcmp(op->valuestring, "ping")) {
		queue_reply(wsi, c, "{\"op\":\"pong\"}");
	} else if (cJSON_IsString(op) && !strcmp(op->valuestring, "subscribe")) {
		const cJSON *it, *chans = cJSON_GetObjectItemCaseSensitive(j, "channels");
		cJSON_ArrayForEach(it, chans) {
			if (!cJSON_IsString(it) || c->n_channels >= MAX_SUBS)
				continue;
			snprintf(c->channels[c->n_channels], 37, "%s", it->valuestring);
			c->chan_ptrs[c->n_channels] = c->channels[c->n_channels];
			c->n_channels++;
			snprintf(reply, sizeof(reply), "{\"op\":\"subscribed\",\"channel\":\"%s\"}",
				it->valuestring);
			queue_reply(wsi, c, reply);
		}
		c->gen.channels = c->chan_ptrs;
		c->gen.n_channels = (size_t)c->n_channels;
		if (c->n_channels && !c->flooding) {
			c->flooding = 1;
			c->start_ns = bench_mono_ns();
		}
	}
	cJSON_Delete(j);
}

static int opt_gather = 0;

/* Frames allowed by now under --rate. */
static long allowed(const struct conn *c)
{
	if (opt_rate <= 0)
		return opt_count;
	double s = (double)(bench_mono_ns() - c->start_ns) / 1e9;
	long n = (long)(s * opt_rate) + 1;
	return n < opt_count ? n : opt_count;
}

/* --gather: whole frames (server frames are unmasked, so we can frame them ourselves) packed
 * into one 16 KiB raw write, as moltchatsd's fan-out sends, and as a Node server's socket
 * coalesces queued writes under load. Up to 4 writes per callback, never while choked. */
static int gather_write(struct lws *wsi, struct conn *c)
{
	static unsigned char out[LWS_PRE + 16384];
	static char frame[BENCH_FRAME_MAX];
	for (int w = 0; w < 4 && c->sent < allowed(c) && !lws_send_pipe_choked(wsi); w++) {
		size_t used = 0;
		while (c->sent < allowed(c)) {
			/* the generator is deterministic: regenerate the frame that did not fit */
			struct bench_gen saved = c->gen;
			size_t n = bench_gen_frame(&c->gen, frame, NULL);
			size_t hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
			if (used + hdr + n > 16384) {
				c->gen = saved;
				break;
			}
			unsigned char *p = out + LWS_PRE + used;
			p[0] = 0x81; /* FIN, text */
			if (hdr == 2) {
				p[1] = (unsigned char)n;
			} else if (hdr == 4) {
				p[1] = 126;
				p[2] = (unsigned char)(n >> 8);
				p[3] = (unsigned char)n;
			} else {
				p[1] = 127;
				for (int i = 0; i < 8; i++)
					p[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
			}
			memcpy(p + hdr, frame, n);
			used += hdr + n;
			c->sent++;
		}
		if (used && lws_write(wsi, out + LWS_PRE, used, LWS_WRITE_RAW) < (int)used)
			return -1;
	}
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
	size_t len)
{
	struct conn *c = user;
	static unsigned char buf[LWS_PRE + BENCH_FRAME_MAX];

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return -1;
	case LWS_CALLBACK_ESTABLISHED:
		memset(c, 0, sizeof(*c));
		bench_gen_init(&c->gen, 11, NULL, 0);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		on_text(wsi, c, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c->n_pending) {
			size_t n = strlen(c->pending[0]);
			memcpy(buf + LWS_PRE, c->pending[0], n);
			memmove(c->pending[0], c->pending[1], sizeof(c->pending[0]) * (size_t)(c->n_pending - 1));
			c->n_pending--;
			if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n)
				return -1;
			lws_callback_on_writable(wsi);
			return 0;
		}
		if (!c->flooding)
			return 0;
		if (opt_gather) {
			if (gather_write(wsi, c) < 0)
				return -1;
			goto next;
		}
		/* as many frames as the socket takes without buffering inside lws */
		for (int k = 0; k < 64 && c->sent < allowed(c) && !lws_send_pipe_choked(wsi); k++) {
			size_t n = bench_gen_frame(&c->gen, (char *)buf + LWS_PRE, NULL);
			if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n)
				return -1;
			c->sent++;
		}
next:
		/* --tick: once caught up with the pace, the next tick asks again */
		if (c->sent < opt_count && (!opt_tick_ms || opt_rate <= 0 || c->sent < allowed(c)))
			lws_callback_on_writable(wsi);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ "flood", callback, sizeof(struct conn), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static struct lws_context *tick_ctx;
static lws_sorted_usec_list_t tick_sul;

static void on_tick(lws_sorted_usec_list_t *sul)
{
	lws_callback_on_writable_all_protocol(tick_ctx, &protocols[0]);
	lws_sul_schedule(tick_ctx, 0, &tick_sul, on_tick, (lws_usec_t)opt_tick_ms * 1000);
}

int main(int argc, char **argv)
{
	int port = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			opt_count = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--rate"))
			opt_rate = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "--tick"))
			opt_tick_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--gather"))
			opt_gather = atoi(argv[i + 1]);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = port;
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	struct lws_context *ctx = lws_create_context(&info);
	if (!ctx)
		return 1;
	printf("ws://127.0.0.1:%d\n", lws_get_vhost_listen_port(lws_get_vhost_by_name(ctx, "default")));
	fflush(stdout);
	if (opt_tick_ms > 0 && opt_rate > 0) {
		tick_ctx = ctx;
		lws_sul_schedule(ctx, 0, &tick_sul, on_tick, (lws_usec_t)opt_tick_ms * 1000);
	}
	while (!stop)
		if (lws_service(ctx, opt_rate > 0 ? 1 : 0) < 0)
			break;
	if (tick_ctx)
		lws_sul_cancel(&tick_sul);
	lws_context_destroy(ctx);
	return 0;
}
