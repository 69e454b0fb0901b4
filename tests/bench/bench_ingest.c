/* Benchmark 1 (issue 7): headless ingest. Platform-shaped message frames are decoded and stored
 * into the model exactly as the client's gateway does it (proto_frame_parse, find the channel,
 * mdl_message_add, mdl_typing_clear), spread over 20 channels. Frames are generated in batches
 * outside the timed region. Reports messages/s, CPU ns per message and RSS growth per stored
 * message at N = 10k, 100k, 1M, plus the parse-only baselines (bare cJSON, proto_frame_parse)
 * and the RSS with the default per-channel scrollback cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/model.h"
#include "moltty/proto.h"
#include "bench_util.h"

#define N_CHANNELS 20
#define BATCH 2048

static char channel_ids[N_CHANNELS][37];
static const char *channel_ptrs[N_CHANNELS];

struct batch {
	char *text;            /* BATCH frames, each BENCH_FRAME_MAX apart */
	size_t len[BATCH];
	size_t content_bytes;
};

static void batch_fill(struct batch *b, struct bench_gen *g, size_t n)
{
	b->content_bytes = 0;
	for (size_t i = 0; i < n; i++) {
		size_t cl;
		b->len[i] = bench_gen_frame(g, b->text + i * BENCH_FRAME_MAX, &cl);
		b->content_bytes += cl;
	}
}

/* What src/client/gateway.c does with a `message` frame. */
__attribute__((noinline)) static void ingest_one(struct mdl_account *a, const char *text, size_t len)
{
	struct proto_frame f;
	if (proto_frame_parse(text, len, &f) != 0)
		abort();
	struct mdl_channel *ch = mdl_channel_find(a, f.channel);
	if (ch && f.op == PROTO_OP_MESSAGE) {
		const struct proto_message *m = &f.msg;
		struct mdl_msg_in in = {
			.id = m->id,
			.author_id = m->agent.id,
			.author_username = m->agent.username,
			.author_display = m->agent.display_name,
			.content = m->content,
			.content_type = m->content_type,
			.trust_tier = m->trust_tier,
			.created_ms = m->created_ms,
		};
		mdl_message_add(ch, &in, 1);
		if (m->agent.username)
			mdl_typing_clear(ch, m->agent.username);
	}
	proto_frame_free(&f);
}

enum mode { MODE_CJSON, MODE_FRAME, MODE_INGEST };

struct result {
	double msgs_per_s, cpu_ns_per_msg, rss_per_msg, content_per_msg, frame_per_msg;
	int64_t rss_kb_after;
	size_t stored;
};

static struct result run(enum mode mode, size_t n, size_t cap, struct batch *b)
{
	struct bench_gen g;
	bench_gen_init(&g, 7, channel_ptrs, N_CHANNELS);
	struct mdl_model *m = mdl_model_new();
	m->max_msgs_per_channel = cap;
	struct mdl_account *a = mdl_account_add(m, "observer", 1);
	struct mdl_server *s = mdl_server_upsert(a, "bench-server", "Bench");
	for (int i = 0; i < N_CHANNELS; i++)
		mdl_channel_upsert(s, channel_ids[i]);

	int64_t rss0 = bench_rss_kb();
	int64_t cpu = 0, wall = 0;
	size_t content = 0, frames = 0;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < BATCH ? n - done : BATCH;
		batch_fill(b, &g, k);
		content += b->content_bytes;
		int64_t c0 = bench_cpu_ns(), w0 = bench_mono_ns();
		for (size_t i = 0; i < k; i++) {
			const char *t = b->text + i * BENCH_FRAME_MAX;
			frames += b->len[i];
			if (mode == MODE_CJSON) {
				cJSON *j = cJSON_ParseWithLength(t, b->len[i]);
				if (!j)
					abort();
				cJSON_Delete(j);
			} else if (mode == MODE_FRAME) {
				struct proto_frame f;
				if (proto_frame_parse(t, b->len[i], &f) != 0)
					abort();
				proto_frame_free(&f);
			} else {
				ingest_one(a, t, b->len[i]);
			}
		}
		cpu += bench_cpu_ns() - c0;
		wall += bench_mono_ns() - w0;
		done += k;
	}
	struct result r;
	memset(&r, 0, sizeof(r));
	r.rss_kb_after = bench_rss_kb();
	if (getenv("BENCH_MALLINFO"))
		{ struct mallinfo2 mi = mallinfo2(); fprintf(stderr, "malloc in use: %.0f B/msg, free in heap %zu kB, arena %zu kB, mmap %zu kB\n", (double)mi.uordblks / (double)n, mi.fordblks / 1024, mi.arena / 1024, mi.hblkhd / 1024); }
	r.msgs_per_s = (double)n / ((double)wall / 1e9);
	r.cpu_ns_per_msg = (double)cpu / (double)n;
	r.rss_per_msg = (double)(r.rss_kb_after - rss0) * 1024.0 / (double)n;
	r.content_per_msg = (double)content / (double)n;
	r.frame_per_msg = (double)frames / (double)n;
	for (size_t i = 0; i < s->n_channels; i++)
		r.stored += s->channels[i]->n_msgs;
	mdl_model_free(m);
	return r;
}

/* Each measurement in a fresh child, so memory freed by one run can't hide the next one's
 * growth. */
static struct result run_isolated(enum mode mode, size_t n, size_t cap, struct batch *b)
{
	struct result r;
	int fd[2];
	memset(&r, 0, sizeof(r));
	if (pipe(fd) != 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		r = run(mode, n, cap, b);
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		fprintf(stderr, "bench_ingest: child failed\n");
		exit(1);
	}
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return r;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	/* --profile N CAP: one ingest run in this process (for callgrind/perf) */
	if (argc == 4 && !strcmp(argv[1], "--profile")) {
		for (int i = 0; i < N_CHANNELS; i++) {
			bench_uuid(900000 + (uint64_t)i, channel_ids[i]);
			channel_ptrs[i] = channel_ids[i];
		}
		struct batch b;
		b.text = xmalloc((size_t)BATCH * BENCH_FRAME_MAX);
		memset(b.text, 0, (size_t)BATCH * BENCH_FRAME_MAX); /* touched before the baseline */
		struct result r = run(MODE_INGEST, strtoul(argv[2], NULL, 10),
			strtoul(argv[3], NULL, 10), &b);
		printf("%.0f ns CPU/msg, RSS +%.0f B/msg, content %.0f B/msg\n", r.cpu_ns_per_msg,
			r.rss_per_msg, r.content_per_msg);
		free(b.text);
		return 0;
	}
	bench_parse_opts(argc, argv, &o);
	bench_print_machine("bench_ingest: decode + store message frames, headless");
	for (int i = 0; i < N_CHANNELS; i++) {
		bench_uuid(900000 + (uint64_t)i, channel_ids[i]);
		channel_ptrs[i] = channel_ids[i];
	}
	struct batch b;
	b.text = xmalloc((size_t)BATCH * BENCH_FRAME_MAX);
	memset(b.text, 0, (size_t)BATCH * BENCH_FRAME_MAX);

	size_t sizes_full[] = { 10000, 100000, 1000000 };
	size_t sizes_quick[] = { 10000, 100000 };
	size_t sizes_smoke[] = { 500 };
	size_t *sizes = o.smoke ? sizes_smoke : o.quick ? sizes_quick : sizes_full;
	size_t n_sizes = o.smoke ? 1 : o.quick ? 2 : 3;
	size_t n_base = o.smoke ? 500 : 200000;

	struct result c = run_isolated(MODE_CJSON, n_base, 0, &b);
	struct result f = run_isolated(MODE_FRAME, n_base, 0, &b);
	printf("# frames: %.0f bytes on average, content %.0f bytes\n", f.frame_per_msg,
		f.content_per_msg);
	printf("# baseline cJSON parse only:     %9.0f msg/s  %6.0f ns CPU/msg\n", c.msgs_per_s,
		c.cpu_ns_per_msg);
	printf("# proto_frame_parse + free:      %9.0f msg/s  %6.0f ns CPU/msg\n", f.msgs_per_s,
		f.cpu_ns_per_msg);
	bench_row("ingest", "cJSON parse only (ceiling)", bench_fmt("%.0f msg/s, %.2f µs", c.msgs_per_s,
		c.cpu_ns_per_msg / 1000), NULL, "614,000 msg/s, 1.6 µs (cJSON C)", "-");
	bench_row("ingest", "proto_frame_parse", bench_fmt("%.0f msg/s, %.2f µs", f.msgs_per_s,
		f.cpu_ns_per_msg / 1000), NULL, "-", "-");

	for (size_t i = 0; i < n_sizes; i++) {
		size_t n = sizes[i];
		struct result r = run_isolated(MODE_INGEST, n, 0, &b);
		double budget = 1.5 * r.content_per_msg + 64;
		printf("# ingest N=%zu: %.0f msg/s, %.0f ns CPU/msg, RSS +%.0f B/msg (content %.0f B, "
		       "budget %.0f B), RSS after %lld kB, stored %zu\n",
			n, r.msgs_per_s, r.cpu_ns_per_msg, r.rss_per_msg, r.content_per_msg, budget,
			(long long)r.rss_kb_after, r.stored);
		const char *nn = n >= 1000000 ? "1M" : n >= 1000 ? bench_fmt("%zuk", n / 1000)
								 : bench_fmt("%zu", n);
		/* throughput of one core from its CPU time: wall clock on a shared 2-vCPU machine
		 * also counts other processes' turns (both are printed) */
		double cpu_rate = 1e9 / r.cpu_ns_per_msg;
		bench_row("ingest", bench_fmt("msgs/s, N=%s (CPU-bound; wall)", nn),
			bench_fmt("%.0f; %.0f", cpu_rate, r.msgs_per_s), ">= 350,000",
			"135,000 (Node SDK)", o.smoke ? "n/a" : bench_status_ge(cpu_rate, 350000));
		bench_row("ingest", bench_fmt("CPU per msg, N=%s", nn),
			bench_fmt("%.2f µs", r.cpu_ns_per_msg / 1000), "-", "7 µs (Node SDK)", "-");
		bench_row("ingest", bench_fmt("RSS per stored msg, N=%s", nn),
			bench_fmt("%.0f B (content %.0f B)", r.rss_per_msg, r.content_per_msg),
			bench_fmt("<= %.0f B", budget),
			n >= 1000000 ? "936 B (Node SDK, 936 MB/1M)" : n >= 100000 ? "1710 B (Node SDK)" : "-",
			o.smoke ? "n/a" : bench_status_le(r.rss_per_msg, budget));
	}
	/* the bounded case: what a long flood costs with the default cap */
	size_t capn = o.smoke ? 2000 : o.quick ? 200000 : 1000000;
	struct result capped = run_isolated(MODE_INGEST, capn, 5000, &b);
	printf("# capped 5000/channel x %d channels, N=%zu: %.0f msg/s, %.0f ns CPU/msg, RSS %lld kB, "
	       "kept %zu\n", N_CHANNELS, capn, capped.msgs_per_s, capped.cpu_ns_per_msg,
		(long long)capped.rss_kb_after, capped.stored);
	bench_row("ingest", bench_fmt("capped 5000/chan x20, N=%zu", capn),
		bench_fmt("%.0f msg/s (CPU-bound), %.2f µs, kept %zu", 1e9 / capped.cpu_ns_per_msg,
			capped.cpu_ns_per_msg / 1000, capped.stored), ">= 350,000 msg/s", "-",
		o.smoke ? "n/a" : bench_status_ge(1e9 / capped.cpu_ns_per_msg, 350000));
	free(b.text);
	return 0;
}
