/* moltchatsd: a MoltChats-compatible server (REST + WebSocket on one port, SQLite store) for
 * tests, demos and offline bot development. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>
#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "server.h"
#include "admin.h"
#include "chaos.h"
#include "gateway.h"
#include "store.h"
#include "replay.h"

static struct replay *replay; /* --replay: the WebSocket plays a recording */
static const char *replay_path;
static double replay_speed = 1.;

static void usage(FILE *out)
{
	fputs("usage: moltchatsd [options]\n"
	      "  --listen HOST:PORT        address to listen on (default 127.0.0.1:0, 0 = free port)\n"
	      "  --db FILE                 SQLite database (default :memory:)\n"
	      "  --jwt-secret-file FILE    HS256 secret (default: generated once per database)\n"
	      "  --default-tier TIER       trust tier of new agents: seed, trusted, provisional,\n"
	      "                            untrusted (default), quarantined\n"
	      "  --presence-interval SECS  seconds between presence frames (default 30)\n"
	      "  --jwt-lifetime SECS       access token lifetime (default 14400)\n"
	      "  --idle-timeout SECS       default idleTimeoutSeconds of new agents (default 360)\n"
	      "  --register-limit N        registrations per hour per IP (default 5)\n"
	      "  --strict                  400/404 where the platform answers 500, DM checks on\n"
	      "                            WS subscribe (default: faithful to the platform)\n"
	      "  --admin-socket PATH       UNIX socket for test knobs (set_tier, mint_token, inject,\n"
	      "                            drop, add_challenge, stats)\n"
	      "  --webhook-timeout SECS    timeout of POST /webhooks/test (default 10)\n"
	      "  --max-body BYTES          request body cap, 413 above (default 1048576)\n"
	      "  --max-frame BYTES         incoming WebSocket message cap, 1009 above (default 65536)\n"
	      "  --max-queue BYTES         queued outgoing bytes per socket before a drop (default 8 MiB)\n"
	      "  --tls-cert FILE           serve https/wss with this PEM certificate (chain)\n"
	      "  --tls-key FILE            and this PEM private key\n"
	      "  --chaos SPEC              tests only: hostile frames and floods (see moltchatsd(1))\n"
	      "  --replay FILE             WebSocket clients get a `moltty tail --record` file played\n"
	      "                            back instead of the live gateway (REST works as usual)\n"
	      "  --replay-speed X          replay pace: 1 as recorded (default), 0 without pauses\n"
	      "  --demo                    seed demo servers and run simulated agents\n"
	      "  --demo-rate N             demo messages per minute (default 20)\n"
	      "  --seed N                  demo random seed (default 1)\n"
	      "  --log FILE                log to FILE instead of stderr\n"
	      "  --quiet                   log warnings and errors only\n"
	      "  --verbose                 log debug messages\n"
	      "  --help, --version\n"
	      "Prints one line \"http://HOST:PORT\" on stdout once listening.\n",
	      out);
}

static int parse_listen(const char *arg, char **host, int *port)
{
	const char *colon = strrchr(arg, ':');
	const char *p = colon ? colon + 1 : arg;
	char *end;
	long v = strtol(p, &end, 10);
	if (!*p || *end || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	if (colon && colon != arg)
		*host = xstrndup(arg, (size_t)(colon - arg));
	return 0;
}

static int parse_num(const char *arg, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int valid_tier(const char *t)
{
	static const char *const tiers[] = { "seed", "trusted", "provisional", "untrusted",
					     "quarantined" };
	for (size_t i = 0; i < MC_ARRAY_LEN(tiers); i++)
		if (strcmp(t, tiers[i]) == 0)
			return 1;
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct srv *s = lws_context_user(lws_get_context(wsi));
	switch (reason) {
	case LWS_CALLBACK_HTTP:
	case LWS_CALLBACK_HTTP_BODY:
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_CLOSED_HTTP:
		return http_callback(s, wsi, (int)reason, user, in, len);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		return http_callback(s, wsi, LWS_CALLBACK_CLOSED_HTTP, user, in, len);
	case LWS_CALLBACK_WSI_DESTROY:
		/* Last chance to free per-connection state lws did not close explicitly. */
		http_callback(s, wsi, LWS_CALLBACK_CLOSED_HTTP, user, in, len);
		gateway_callback(s, wsi, LWS_CALLBACK_CLOSED, user, in, len);
		if (replay)
			replay_callback(replay, wsi, LWS_CALLBACK_CLOSED, in, len);
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED:
		if (replay)
			return replay_callback(replay, wsi, (int)reason, in, len);
		return gateway_callback(s, wsi, (int)reason, user, in, len);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "moltchats", callback, sizeof(struct session), 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_error("lws: %.*s", (int)n, line);
	else
		log_warn("lws: %.*s", (int)n, line);
}

static ev_timer shutdown_timer, service_timer;
static ev_prepare commit_watcher;
static struct admin *admin;
static ev_signal sigint_watcher, sigterm_watcher;

/* Group commit (store.h): the REST sends of this loop turn were inserted in one open
 * transaction; commit it before the loop sleeps, then let their replies and fan-out go. */
static void commit_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct srv *s = w->data;
	if (store_batch_busy(s->store)) {
		store_flush(s->store);
		store_run_completions(s->store);
	}
}

/* lws's libev backend can leave its own timers late; a regular wake-up keeps them honest. */
static void service_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srv *s = w->data;
	if (s->lws)
		lws_cancel_service(s->lws);
}

static void shutdown_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srv *s = w->data;
	s->shutting_down = 1;
	store_flush(s->store); /* answer what was accepted while the sockets are still there */
	store_run_completions(s->store);
	if (s->sim)
		sim_stop(s->sim);
	gateway_close_all(s->gw);
	ev_timer_stop(loop, &service_timer);
	ev_signal_stop(loop, &sigint_watcher);
	ev_signal_stop(loop, &sigterm_watcher);
	admin_close(admin);
	admin = NULL;
	lws_context_destroy(s->lws);
	s->lws = NULL;
	ev_break(loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	/* Tear down from a timer callback, outside any lws or signal processing. */
	log_info("signal %d: shutting down", w->signum);
	ev_timer_start(loop, &shutdown_timer);
}

static char *load_secret(struct srv *s, const char *file)
{
	if (file) {
		char *text = fs_read_file(file, NULL);
		if (!text) {
			fprintf(stderr, "moltchatsd: cannot read %s: %s\n", file, strerror(errno));
			return NULL;
		}
		size_t n = strlen(text);
		while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
			text[--n] = '\0';
		if (!n) {
			fprintf(stderr, "moltchatsd: %s is empty\n", file);
			free(text);
			return NULL;
		}
		return text;
	}
	char *secret = store_meta_get(s->store, "jwt_secret");
	if (!secret) {
		char hex[65];
		random_hex(hex, 32);
		store_meta_set(s->store, "jwt_secret", hex);
		secret = xstrdup(hex);
	}
	return secret;
}

enum {
	OPT_LISTEN = 256, OPT_DB, OPT_SECRET, OPT_TIER, OPT_PRESENCE, OPT_JWT_LIFE, OPT_IDLE,
	OPT_REGISTER, OPT_DEMO, OPT_DEMO_RATE, OPT_SEED, OPT_LOG, OPT_QUIET, OPT_VERBOSE,
	OPT_HELP, OPT_VERSION, OPT_STRICT, OPT_ADMIN, OPT_WEBHOOK_TIMEOUT, OPT_MAX_BODY,
	OPT_MAX_FRAME, OPT_MAX_QUEUE, OPT_TLS_CERT, OPT_TLS_KEY, OPT_CHAOS, OPT_REPLAY,
	OPT_REPLAY_SPEED,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "db", required_argument, NULL, OPT_DB },
	{ "jwt-secret-file", required_argument, NULL, OPT_SECRET },
	{ "default-tier", required_argument, NULL, OPT_TIER },
	{ "presence-interval", required_argument, NULL, OPT_PRESENCE },
	{ "jwt-lifetime", required_argument, NULL, OPT_JWT_LIFE },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "register-limit", required_argument, NULL, OPT_REGISTER },
	{ "demo", no_argument, NULL, OPT_DEMO },
	{ "demo-rate", required_argument, NULL, OPT_DEMO_RATE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "admin-socket", required_argument, NULL, OPT_ADMIN },
	{ "webhook-timeout", required_argument, NULL, OPT_WEBHOOK_TIMEOUT },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
	{ "max-queue", required_argument, NULL, OPT_MAX_QUEUE },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "chaos", required_argument, NULL, OPT_CHAOS },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "replay-speed", required_argument, NULL, OPT_REPLAY_SPEED },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	static struct srv srv;
	struct srv *s = &srv;
	char *host = NULL;
	const char *log_path = NULL, *tier = NULL;
	enum log_level level = LOG_INFO;
	double v;
	s->cfg = (struct server_config){
		.listen_host = "127.0.0.1", .port = 0, .db_path = ":memory:",
		.default_tier = "untrusted", .presence_interval = 30, .jwt_lifetime = 14400,
		.idle_timeout = 360, .register_limit = 5, .demo_rate = 20, .seed = 1,
		.webhook_timeout = 10, .max_body = 1024 * 1024, .max_frame = WS_FRAME_MAX,
		.max_queue = WS_QUEUE_MAX,
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		int bad = 0;
		switch (opt) {
		case OPT_LISTEN: bad = parse_listen(optarg, &host, &s->cfg.port); break;
		case OPT_DB: s->cfg.db_path = optarg; break;
		case OPT_SECRET: s->cfg.jwt_secret_file = optarg; break;
		case OPT_TIER: tier = optarg; bad = !valid_tier(optarg); break;
		case OPT_PRESENCE:
			bad = parse_num(optarg, 0.05, 86400, &s->cfg.presence_interval);
			break;
		case OPT_JWT_LIFE:
			bad = parse_num(optarg, 1, 1e9, &v);
			s->cfg.jwt_lifetime = (int)v;
			break;
		case OPT_IDLE:
			bad = parse_num(optarg, 1, 86400, &v);
			s->cfg.idle_timeout = (int)v;
			break;
		case OPT_REGISTER:
			bad = parse_num(optarg, 0, 1e9, &v);
			s->cfg.register_limit = (int)v;
			break;
		case OPT_DEMO: s->cfg.demo = 1; break;
		case OPT_DEMO_RATE: bad = parse_num(optarg, 0.1, 6000, &s->cfg.demo_rate); break;
		case OPT_SEED:
			bad = parse_num(optarg, 0, 1e18, &v);
			s->cfg.seed = (uint64_t)v;
			break;
		case OPT_LOG: log_path = optarg; break;
		case OPT_QUIET: level = LOG_WARN; break;
		case OPT_VERBOSE: level = LOG_DEBUG; break;
		case OPT_HELP: usage(stdout); return 0;
		case OPT_STRICT: s->cfg.strict = 1; break;
		case OPT_ADMIN: s->cfg.admin_socket = optarg; break;
		case OPT_WEBHOOK_TIMEOUT:
			bad = parse_num(optarg, 0.05, 3600, &s->cfg.webhook_timeout);
			break;
		case OPT_MAX_BODY:
			bad = parse_num(optarg, 1024, 1 << 30, &v);
			s->cfg.max_body = (size_t)v;
			break;
		case OPT_MAX_FRAME:
			bad = parse_num(optarg, 1024, 1 << 30, &v);
			s->cfg.max_frame = (size_t)v;
			break;
		case OPT_MAX_QUEUE:
			bad = parse_num(optarg, 64 * 1024, 1 << 30, &v);
			s->cfg.max_queue = (size_t)v;
			break;
		case OPT_TLS_CERT: s->cfg.tls_cert = optarg; break;
		case OPT_TLS_KEY: s->cfg.tls_key = optarg; break;
		case OPT_CHAOS: s->cfg.chaos_spec = optarg; break;
		case OPT_REPLAY: replay_path = optarg; break;
		case OPT_REPLAY_SPEED: bad = parse_num(optarg, 0, 1000, &replay_speed); break;
		case OPT_VERSION: puts("moltchatsd " PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "moltchatsd: invalid value for --%s: %s\n",
				long_opts[opt - OPT_LISTEN].name, optarg);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (host)
		s->cfg.listen_host = host;
	if (!s->cfg.tls_cert != !s->cfg.tls_key) {
		fprintf(stderr, "moltchatsd: --tls-cert and --tls-key go together\n");
		return 2;
	}
	/* Demo mode lets a person chat freely unless a tier was asked for. */
	s->cfg.default_tier = tier ? tier : s->cfg.demo ? "seed" : "untrusted";

	if (log_open(log_path, level) != 0) {
		fprintf(stderr, "moltchatsd: cannot open log %s\n", log_path);
		return 1;
	}
	lws_set_log_level(level == LOG_WARN ? LLL_ERR : LLL_ERR | LLL_WARN, lws_log_emit);

	char *err = NULL;
	s->store = store_open(s->cfg.db_path, &err);
	if (!s->store) {
		fprintf(stderr, "moltchatsd: %s\n", err);
		free(err);
		return 1;
	}
	s->jwt_secret = load_secret(s, s->cfg.jwt_secret_file);
	if (!s->jwt_secret) {
		store_close(s->store);
		return 1;
	}
	s->loop = ev_default_loop(0);
	s->rl = ratelimit_new();
	s->gw = gateway_new(s);
	s->chaos = chaos_new(s);
	char *replay_err = NULL;
	if (replay_path && !(replay = replay_load(s->loop, replay_path, replay_speed, &replay_err))) {
		fprintf(stderr, "moltchatsd: %s\n", replay_err);
		free(replay_err);
		return 1;
	}
	const char *chaos_err;
	if (s->cfg.chaos_spec && chaos_configure(s->chaos, s->cfg.chaos_spec, &chaos_err) != 0) {
		fprintf(stderr, "moltchatsd: %s\n", chaos_err);
		return 2;
	}
	if (s->cfg.admin_socket && !(admin = admin_open(s, s->cfg.admin_socket))) {
		fprintf(stderr, "moltchatsd: cannot open admin socket %s\n", s->cfg.admin_socket);
		return 1;
	}
	if (s->cfg.demo) {
		s->sim = sim_new(s);
		if (sim_seed(s->sim) != 0) {
			fprintf(stderr, "moltchatsd: could not seed demo data\n");
			return 1;
		}
	}

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	void *foreign_loops[1] = { s->loop };
	info.port = s->cfg.port;
	info.iface = s->cfg.listen_host;
	info.protocols = protocols;
	info.vhost_name = "default";
	info.options = LWS_SERVER_OPTION_LIBEV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = foreign_loops;
	info.user = s;
	info.max_http_header_data = 16384;
	info.pt_serv_buf_size = 16384;
	if (s->cfg.tls_cert) {
		/* https and wss on the one port; lws (OpenSSL) checks that key and cert match */
		info.ssl_cert_filepath = s->cfg.tls_cert;
		info.ssl_private_key_filepath = s->cfg.tls_key;
	}
	s->lws = lws_create_context(&info);
	if (!s->lws) {
		fprintf(stderr, "moltchatsd: cannot listen on %s:%d%s\n", s->cfg.listen_host,
			s->cfg.port, s->cfg.tls_cert ? " (or cannot load the TLS certificate/key)" : "");
		return 1;
	}
	const char *scheme = s->cfg.tls_cert ? "https" : "http";
	int port = lws_get_vhost_listen_port(lws_get_vhost_by_name(s->lws, "default"));
	printf("%s://%s:%d\n", scheme, s->cfg.listen_host, port);
	fflush(stdout);
	log_info("listening on %s://%s:%d (db %s)", scheme, s->cfg.listen_host, port,
		 s->cfg.db_path);

	ev_timer_init(&service_timer, service_cb, 0.5, 0.5);
	service_timer.data = s;
	ev_timer_start(s->loop, &service_timer);
	ev_prepare_init(&commit_watcher, commit_cb);
	commit_watcher.data = s;
	ev_prepare_start(s->loop, &commit_watcher);
	ev_unref(s->loop); /* housekeeping: it must not keep ev_run going by itself */
	ev_timer_init(&shutdown_timer, shutdown_cb, 0, 0);
	shutdown_timer.data = s;
	ev_signal_init(&sigint_watcher, signal_cb, SIGINT);
	ev_signal_init(&sigterm_watcher, signal_cb, SIGTERM);
	ev_signal_start(s->loop, &sigint_watcher);
	ev_signal_start(s->loop, &sigterm_watcher);
	if (s->sim)
		sim_start(s->sim);

	ev_run(s->loop, 0);

	admin_close(admin);
	if (s->lws)
		lws_context_destroy(s->lws);
	/* commit what the last turn accepted; the completions still use the gateway */
	store_flush(s->store);
	store_run_completions(s->store);
	ev_ref(s->loop);
	ev_prepare_stop(s->loop, &commit_watcher);
	sim_free(s->sim);
	s->sim = NULL;
	chaos_free(s->chaos);
	s->chaos = NULL;
	replay_free(replay);
	gateway_free(s->gw);
	ratelimit_free(s->rl);
	store_close(s->store);
	auth_cache_free(s);
	free(s->jwt_secret);
	free(host);
	ev_loop_destroy(s->loop);
	log_close();
	return 0;
}
