/* tail [CHANNEL...] [--server S]... [--all-dms]: live frames until SIGINT/SIGTERM (exit 0),
 * --count N message frames (exit 0) or --timeout S (exit 0, or 1 when --count was not
 * reached). Text mode prints messages (and typing/presence with --events, errors on stderr);
 * --json prints every received frame but pong, one compact JSON per line. The socket
 * reconnects and resubscribes by itself. --record FILE writes the whole conversation with
 * timestamps (docs/record-format.md), for moltchatsd --replay. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "cli_int.h"

struct tail {
	struct cli *c;
	struct cli_ws *ws;
	struct cli_channel *chans;
	size_t n_chans;
	long count;         /* stop after this many message frames (0: never) */
	long seen;
	int events;
	int exit_code;
	ev_signal sig_int, sig_term;
	ev_timer timeout;
	ev_prepare flush;   /* stdout is block-buffered and flushed once per loop turn */
};

static void add_channel(struct tail *t, struct cli_channel *ch)
{
	for (size_t i = 0; i < t->n_chans; i++) {
		if (!strcmp(t->chans[i].id, ch->id)) {
			cli_channel_free(ch);
			return;
		}
	}
	t->chans = xrealloc(t->chans, (t->n_chans + 1) * sizeof(*t->chans));
	t->chans[t->n_chans++] = *ch;
	memset(ch, 0, sizeof(*ch));
}

static const char *label_of(const struct tail *t, const char *id)
{
	for (size_t i = 0; id && i < t->n_chans; i++)
		if (!strcmp(t->chans[i].id, id))
			return t->chans[i].label;
	return id ? id : "?";
}

static void stop(struct tail *t, int code)
{
	t->exit_code = code;
	ev_break(t->c->loop, EVBREAK_ALL);
}

static void print_text(struct tail *t, const struct proto_frame *f)
{
	char ts[ISO_TIME_LEN];
	iso_now(ts);
	char *label = cli_clean(label_of(t, f->channel), 0);
	switch (f->op) {
	case PROTO_OP_MESSAGE:
		cli_print_message(stdout, label_of(t, f->channel), &f->msg);
		break;
	case PROTO_OP_TYPING:
		if (t->events) {
			char *who = cli_clean(f->agent, 0);
			printf("%s %s @%s is typing\n", ts, label, who);
			free(who);
		}
		break;
	case PROTO_OP_PRESENCE:
		if (t->events)
			printf("%s %s presence: %zu online\n", ts, label, f->n_online);
		break;
	case PROTO_OP_SUBSCRIBED:
		if (t->events)
			printf("%s %s subscribed\n", ts, label);
		break;
	case PROTO_OP_ERROR: {
		char *code = cli_clean(f->code, 0), *msg = cli_clean(f->message, 0);
		fprintf(stderr, "moltty tail: server error %s: %s%s%s\n", code, msg,
			f->channel ? " " : "", f->channel ? label : "");
		free(code);
		free(msg);
		break;
	}
	default:
		break;
	}
	free(label);
}

/* One frame, one line. A frame without any byte below 0x20 is already one line of JSON
 * (inside strings such bytes must be escaped, so none can be a newline) and is printed as
 * received: re-serialising every frame of a flood cost more than receiving it. Anything
 * else is parsed and printed compact. Escaped control characters stay escaped either way. */
static void print_json_line(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && (unsigned char)text[i] >= 0x20)
		i++;
	if (i == len && len) {
		fwrite(text, 1, len, stdout);
		putchar('\n');
		return;
	}
	cJSON *j = cJSON_ParseWithLength(text, len);
	char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	if (s)
		puts(s);
	else
		log_warn("tail: a frame that is not JSON was left out");
	cJSON_free(s);
	cJSON_Delete(j);
}

static void on_frame(void *ud, const char *text, size_t len, const struct proto_frame *f)
{
	struct tail *t = ud;
	if (!f)
		return;
	if (t->c->json) {
		if (f->op != PROTO_OP_PONG)
			print_json_line(text, len);
	} else {
		print_text(t, f);
	}
	if (f->op == PROTO_OP_MESSAGE && t->count > 0 && ++t->seen >= t->count)
		stop(t, 0);
}

static void on_down(void *ud, int code, const char *why)
{
	char *w = cli_clean(why, 0);
	fprintf(stderr, "moltty tail: connection lost: %s; reconnecting\n", w);
	free(w);
}

/* Before the loop waits: whatever this turn printed reaches the pipe now, in one write
 * instead of one per line. A reader that went away (EPIPE: `| head`) ends tail normally;
 * any other write error (a full disk) ends it with status 1. */
/* After a failed write of stdout: 0 when its reader went away (EPIPE), 1 after another
 * error, which is reported. */
static int write_failed(int e)
{
	if (e != EPIPE)
		fprintf(stderr, "moltty tail: cannot write the output: %s\n", strerror(e));
	clearerr(stdout);
	return e == EPIPE ? 0 : 1;
}

static void on_flush(struct ev_loop *loop, ev_prepare *w, int revents)
{
	if (fflush(stdout) != 0)
		stop(w->data, write_failed(errno));
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	stop(w->data, 0);
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tail *t = w->data;
	stop(t, t->count > 0 && t->seen < t->count ? 1 : 0);
}

int cli_tail(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "all-dms", no_argument, NULL, 'd' },
		{ "record", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "events", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct tail t;
	memset(&t, 0, sizeof(t));
	t.c = c;
	const char **servers = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t n_servers = 0;
	int all_dms = 0;
	const char *record = NULL;
	double timeout = 0;
	int opt, rc = 2;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 's': servers[n_servers++] = optarg; break;
		case 'd': all_dms = 1; break;
		case 'r': record = optarg; break;
		case 'e': t.events = 1; break;
		case 'n':
			t.count = strtol(optarg, &end, 10);
			if (*end || t.count < 1)
				goto usage;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || timeout <= 0)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc && !n_servers && !all_dms)
		goto usage;
	if (cli_observing(c) && all_dms) {
		cli_err("tail", "--all-dms needs an agent identity (drop --anon)");
		goto out;
	}

	rc = 1;
	char *err = NULL;
	for (int i = optind; i < argc; i++) {
		struct cli_channel ch;
		if (cli_resolve_channel(c, argv[i], &ch, &err) != 0)
			goto fail;
		add_channel(&t, &ch);
	}
	for (size_t i = 0; i < n_servers; i++) {
		char *sid, *sname;
		struct cli_channel *v;
		size_t n;
		if (cli_resolve_server(c, servers[i], &sid, &sname, &err) != 0)
			goto fail;
		int r = cli_server_channels(c, sid, sname, &v, &n, &err);
		free(sid);
		free(sname);
		if (r != 0)
			goto fail;
		for (size_t j = 0; j < n; j++)
			add_channel(&t, &v[j]);
		free(v);
	}
	if (all_dms) {
		struct cli_channel *v;
		size_t n;
		if (cli_dm_channels(c, &v, &n, &err) != 0)
			goto fail;
		for (size_t j = 0; j < n; j++)
			add_channel(&t, &v[j]);
		free(v);
	}
	if (!t.n_chans) {
		cli_err("tail", "no channels to follow");
		goto out;
	}

	struct cli_record *rec = NULL;
	if (record && !(rec = cli_record_open(record, c->ep.ws_url, &err)))
		goto fail;
	/* on_flush empties it every loop turn; glibc ignores the size without a buffer (4 KiB
	 * writes: three times the syscalls of the socket reads) */
	static char out_buf[1 << 16];
	setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	static const struct cli_ws_handlers h = { NULL, on_frame, on_down };
	t.ws = cli_ws_new(c, &h, &t);
	cli_ws_set_record(t.ws, rec);
	for (size_t i = 0; i < t.n_chans; i++)
		cli_ws_subscribe(t.ws, t.chans[i].id);
	ev_signal_init(&t.sig_int, on_signal, SIGINT);
	ev_signal_init(&t.sig_term, on_signal, SIGTERM);
	t.sig_int.data = t.sig_term.data = &t;
	ev_signal_start(c->loop, &t.sig_int);
	ev_signal_start(c->loop, &t.sig_term);
	ev_prepare_init(&t.flush, on_flush);
	t.flush.data = &t;
	ev_prepare_start(c->loop, &t.flush);
	ev_timer_init(&t.timeout, on_timeout, timeout, 0.);
	t.timeout.data = &t;
	if (timeout > 0)
		ev_timer_start(c->loop, &t.timeout);
	cli_ws_start(t.ws);
	ev_run(c->loop, 0);
	ev_prepare_stop(c->loop, &t.flush);
	if (fflush(stdout) != 0 && write_failed(errno))
		t.exit_code = 1;
	ev_timer_stop(c->loop, &t.timeout);
	ev_signal_stop(c->loop, &t.sig_int);
	ev_signal_stop(c->loop, &t.sig_term);
	cli_ws_free(t.ws);
	cli_record_close(rec);
	rc = t.exit_code;
	goto out;
fail:
	cli_err("tail", "%s", err);
	free(err);
	goto out;
usage:
	cli_err("tail", "usage: moltty tail [CHANNEL...] [--server S]... [--all-dms] "
		"[--record FILE] [--count N] [--timeout S] [--events]");
out:
	for (size_t i = 0; i < t.n_chans; i++)
		cli_channel_free(&t.chans[i]);
	free(t.chans);
	free(servers);
	return rc;
}
