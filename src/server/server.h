/* moltchatsd private interfaces: the daemon state, the SQLite store, the HTTP router, the
 * WebSocket gateway, rate limits and the demo simulation. Nothing outside src/server/ includes
 * this. */
#ifndef MOLTTY_SERVER_H
#define MOLTTY_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <ev.h>

struct lws;
struct lws_context;
struct store;
struct gateway;
struct ratelimit;
struct sim;
struct jwt_cache;

#define SERVER_VERSION_TEXT "moltchatsd " PACKAGE_VERSION
#define UUID_LEN 36

/* Options, filled by main.c. */
struct server_config {
	const char *listen_host;     /* "127.0.0.1" */
	int port;                    /* 0 picks a free port */
	const char *db_path;         /* ":memory:" */
	const char *jwt_secret_file; /* NULL: secret stored in the database */
	const char *default_tier;    /* tier of newly registered agents */
	double presence_interval;    /* seconds between presence frames */
	int jwt_lifetime;            /* seconds */
	int idle_timeout;            /* default idleTimeoutSeconds of new agent configs */
	int register_limit;          /* registrations per hour per IP */
	int demo;
	double demo_rate;            /* demo messages per minute across all channels */
	uint64_t seed;
	int strict;                  /* --strict: 400/404 instead of the platform's 500s (see /work/notes/strict.md) */
	const char *admin_socket;    /* --admin-socket PATH: test knobs (admin.c); NULL = off */
	double webhook_timeout;      /* seconds for POST /webhooks/test (platform: 10) */
	/* hardening (issue 5): size caps, TLS, chaos */
	size_t max_body;             /* request body bytes before 413 (--max-body, 1 MiB) */
	size_t max_frame;            /* incoming WS message bytes before 1009 (--max-frame, 64 KiB) */
	size_t max_queue;            /* queued outgoing bytes per socket before a drop (--max-queue, 8 MiB) */
	const char *tls_cert;        /* --tls-cert PEM: serve https/wss; NULL = plain http */
	const char *tls_key;         /* --tls-key PEM */
	const char *chaos_spec;      /* --chaos SPEC (chaos.h); NULL = off */
};

/* The daemon: one per process, owned by main.c. */
struct srv {
	struct server_config cfg;
	struct ev_loop *loop;
	struct lws_context *lws;
	struct store *store;
	struct gateway *gw;
	struct ratelimit *rl;
	struct sim *sim;
	struct chaos *chaos;         /* always present; idle unless --chaos or the admin cmd */
	char *jwt_secret;
	struct jwt_cache *jwt_cache; /* routes_auth.c: claims of verified tokens */
	int shutting_down;
};

/* lws per-session data: one connection is either an HTTP request or a WebSocket. */
struct req;
struct ws_conn;
struct session {
	struct req *req;
	struct ws_conn *ws;
};

/* ---- strmap.c: string-keyed hash map (values owned by the caller) ---- */
struct strmap;
struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
void *strmap_get(const struct strmap *m, const char *key);
void strmap_put(struct strmap *m, const char *key, void *val);
void *strmap_remove(struct strmap *m, const char *key);
size_t strmap_count(const struct strmap *m);
/* Visit every entry; fn returns 1 to remove the entry it was given. */
void strmap_each(struct strmap *m, int (*fn)(const char *key, void *val, void *ud), void *ud);

/* ---- ratelimit.c: fixed windows that start at the first hit, like the platform's Redis
 * INCR + EXPIRE-on-first-hit ---- */
struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* Count one hit on key. Returns 1 when count <= limit. *count and *reset_ms (absolute
 * wall-clock ms at which the window ends) are set when not NULL. */
int ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s,
		  int *count, int64_t *reset_ms);
/* Per-tier WebSocket message limit per (channel, agent) per 60 s. */
int ratelimit_ws_limit_for_tier(const char *tier);

/* ---- http.c: REST requests ---- */
enum route_flags {
	ROUTE_AUTH = 1,       /* Bearer JWT required */
	ROUTE_READS_BODY = 2, /* handler destructures the body: absent body -> 500 */
};

#define ROUTE_MAX_PARAMS 3
#define REQ_MAX_HEADERS 4

struct req {
	struct srv *srv;
	struct lws *wsi;
	int method;          /* LWSHUMETH_* */
	char method_name[8];
	char path[1024];
	char *params[ROUTE_MAX_PARAMS];
	int nparams;
	char peer[64];       /* filled by req_peer() on first use */
	int content_length;  /* -1 when absent */
	int awaiting_body;
	int body_too_large;
	char *body;
	size_t body_len;
	cJSON *json;         /* parsed body; NULL when no body was sent */
	/* set by the bearer check */
	char agent_id[UUID_LEN + 1];
	char *username;
	/* response */
	int responded;
	int status;
	unsigned char *resp;  /* LWS_PRE bytes of headroom, then the body */
	size_t resp_len;
	size_t resp_sent;
	int head_only;
	char *hdr_names[REQ_MAX_HEADERS];
	char *hdr_values[REQ_MAX_HEADERS];
	int nhdrs;
	/* deferred reply: a handler that answers later sets on_close, which http.c calls if
	 * the connection closes first (the handler must then drop every reference to r). */
	void (*on_close)(struct req *r);
	void *pending;
};

typedef void (*route_handler)(struct req *r);

struct route {
	const char *method;   /* "GET", "POST", ... */
	const char *pattern;  /* "/api/v1/servers/:uuid/join"; ":uuid" must be a UUID (500 if
			       * not, as PostgreSQL would), ":name" is any segment */
	int flags;
	route_handler handler;
};

/* lws callback part for HTTP reasons; returns what the lws callback should return. */
int http_callback(struct srv *s, struct lws *wsi, int reason, void *user, void *in, size_t len);

/* Responses: each request gets exactly one. */
void reply_json(struct req *r, int status, cJSON *body);                   /* takes body */
void reply_error(struct req *r, int status, const char *code, const char *message);
void reply_internal(struct req *r, const char *message);                   /* 500, no code */
void reply_add_header(struct req *r, const char *name, const char *value);
/* A non-JSON reply (the skill documents). */
void reply_text(struct req *r, int status, const char *content_type, const char *text);

/* ---- skill_docs.c: /skill.md, /heartbeat.md, /messaging.md, /rules.md, /trust.md at the host
 * root, as text/markdown (protocol §3.1) ---- */
/* Replies and returns 1 when r->path names a skill document. */
int skill_doc_serve(struct req *r);
/* First 16 hex characters of SHA-256 over skill.md, heartbeat.md, messaging.md and rules.md
 * concatenated (trust.md excluded), as the platform's /agents/@me/pending reports it. */
const char *skill_docs_hash(void);
/* Standard errors by code with their default status and message (protocol §1.3). */
void reply_app_error(struct req *r, const char *code);
/* 400 VALIDATION_ERROR with a message. */
void reply_validation(struct req *r, const char *message);

/* Request helpers */
const char *req_query(struct req *r, const char *name, char *buf, int len); /* NULL if absent */
/* The client's address (a getpeername() call, so only when needed). */
const char *req_peer(struct req *r);
/* The body as an object, or NULL after replying 500 as the platform does when a handler
 * destructures an absent body. */
cJSON *req_body_object(struct req *r, const char *first_field);
/* A body field when the body is an object, else NULL. */
cJSON *req_field(struct req *r, const char *name);

/* ---- routes_*.c: tables ---- */
extern const struct route routes_auth[];
extern const struct route routes_agents[];
extern const struct route routes_servers[];
extern const struct route routes_channels[];
extern const struct route routes_messages[];
extern const struct route routes_observers[];
extern const struct route routes_trust[], routes_webhooks[], routes_observer_accounts[];
extern const size_t routes_trust_count, routes_webhooks_count, routes_observer_accounts_count;
extern const struct route routes_social[]; extern const size_t routes_social_count;
extern const struct route routes_moderation[], routes_reactions[], routes_feed[]; extern const size_t routes_moderation_count, routes_reactions_count, routes_feed_count;
extern const size_t routes_auth_count, routes_agents_count, routes_servers_count,
	routes_channels_count, routes_messages_count, routes_observers_count;

/* routes_auth.c: bearer check (§2.7); replies 401 and returns -1 on failure. */
int auth_bearer(struct req *r);
/* JWT check shared with the gateway: 0 ok, -1 bad (AUTH_FAILED / INVALID_CREDENTIALS),
 * -2 expired. On success *sub, *username, *jti (may be NULL) are set (caller frees). */
int auth_check_jwt(struct srv *s, const char *jwt, char **sub, char **username, char **jti);
void auth_cache_free(struct srv *s);

/* routes_messages.c: history query shared with observers. */
void messages_reply_history(struct req *r, const char *channel_id);

/* ---- gateway.c: WebSocket connections, subscriptions, fan-out, presence ---- */
struct gateway *gateway_new(struct srv *s);
void gateway_free(struct gateway *gw);
int gateway_callback(struct srv *s, struct lws *wsi, int reason, void *user, void *in,
		     size_t len);
/* Build and fan out a `message` frame. exclude_agent: that agent's sockets don't get it
 * (WS sends); NULL for REST and simulated sends. */
void gateway_publish_message(struct gateway *gw, const char *channel_id, const char *msg_id,
			     const char *agent_id, const char *content, const char *content_type,
			     int64_t created_ms, const char *exclude_agent);
void gateway_publish_typing(struct gateway *gw, const char *channel_id, const char *username,
			    const char *exclude_agent);
/* Send presence frames for every channel of a server (simulated agents came or went). */
void gateway_presence_server(struct gateway *gw, const char *server_id);
void gateway_close_all(struct gateway *gw);
/* Subscribed-channel count (for tests/diagnostics). */
size_t gateway_channel_count(struct gateway *gw);

/* ---- sim.c: demo platform ---- */
struct sim *sim_new(struct srv *s);
void sim_free(struct sim *sim);
int sim_seed(struct sim *sim);
void sim_start(struct sim *sim);
void sim_stop(struct sim *sim);
/* Online simulated members of channel's server, appended to a presence list. */
void sim_presence_extra(struct sim *sim, const char *channel_id, cJSON *online);
/* A real agent joined server_id: on its first join of a demo server, simulated agents
 * befriend it and send it a DM (routes_servers.c calls this). */
void sim_agent_joined(struct sim *sim, const char *agent_id, const char *server_id);

/* Platform instructions sent in every agent `context` frame (shared/src/constants.ts). */
extern const char platform_instructions[];

#endif
