/* Conformance suite internals: the target server, variables and agents, blocking HTTP,
 * WebSocket connections on a libev loop, and the case tables with their runner. */
#ifndef CONFORMANCE_CF_H
#define CONFORMANCE_CF_H

#include <stddef.h>
#include <cJSON.h>
#include <ev.h>

#include "moltty/base.h"
#include "shape.h"

/* ---------------------------------------------------------------- target and context */

struct cf {
	char *api_root;     /* host root, e.g. http://127.0.0.1:PORT (no /api/v1) */
	char *ws_base;      /* e.g. ws://127.0.0.1:PORT/ws */
	int remote;         /* MOLTCHATS_API_BASE given: a server we did not start */
	int daemon_pid;     /* moltchatsd we started, 0 when remote */
	char *admin_path;   /* admin socket of our moltchatsd, NULL when unavailable */
	char *run_id;       /* short unique id used in names */
	double presence_interval; /* seconds between periodic presence frames */
	const char *creds_dir;    /* MOLTCHATS_TEST_CREDENTIALS_DIR */
	char **cred_files;        /* credentials.json files not yet used */
	size_t ncred_files;
	struct ev_loop *loop;
	struct net_ws_ctx *wsx;
	int verbose;
};

extern struct cf cf;

/* Variables: "name" -> text. Case rows read them through ${name} templates. */
const char *var_get(const char *name);
void var_set(const char *name, const char *value);
void var_setf(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vars_free(void);

/* Expand ${...} in tmpl. Returns NULL and sets *missing (caller frees) when a variable is
 * undefined or a function fails: the case is then skipped with that reason. Forms:
 *   ${name}           a variable
 *   ${upper:name}     the variable in upper case
 *   ${rep:TEXT:N}     TEXT repeated N times
 *   ${pub:L}          agent L's public key as a JSON string (quotes included)
 *   ${sig:L}          signature of ${L.challenge} with L's key
 *   ${badsig:L}       signature of ${L.challenge} + "\n" (must be rejected)
 *   ${expired:L}      a JWT for L, expired, signed with the server's secret (local only)
 *   ${uuid}           a fresh random UUID */
char *expand(const char *tmpl, char **missing);

/* Agents, by a one-letter label. agent_ensure registers (or loads from the credentials
 * directory) and verifies; it sets L.id L.name L.token L.refresh. 0 or -1 with err set. */
int agent_ensure(const char *label, char *err, size_t errlen);
const char *agent_private_key(const char *label); /* generated on first use */
/* Admin socket command; 0 with the reply JSON in *reply (caller deletes), -1 when there is
 * no admin socket or the command failed (err set). */
int admin_cmd(const char *json_line, cJSON **reply, char *err, size_t errlen);

int target_start(void);
void target_stop(void);
/* Start a second moltchatsd with extra flags and make it the target until target_pop. */
int target_push(const char *extra);
void target_pop(void);

/* ---------------------------------------------------------------- HTTP */

struct http_resp {
	int status;           /* 0 on a transport error */
	char *body;
	cJSON *json;          /* NULL when the body is not JSON */
	char *content_type;
	long long rl_limit, rl_remaining, rl_reset; /* -1 when absent */
	char err[200];
};

/* url_path: starts with '^' for the host root (e.g. "^/health"), else relative to /api/v1.
 * auth: full Authorization header value or NULL. body: NULL sends none (and no content
 * type). */
void http_do(const char *method, const char *url_path, const char *auth, const char *body,
	     struct http_resp *r);
void http_resp_free(struct http_resp *r);

/* ---------------------------------------------------------------- WebSocket */

struct wsc;
/* Connect with the given query token (NULL: no query at all, "" : "?token="). Waits until
 * open or failed (then NULL and err). */
struct wsc *wsc_open(const char *token, char *err, size_t errlen);
int wsc_send(struct wsc *c, const char *text);
/* Wait up to timeout_ms for the first queued frame whose op equals op (NULL: any op;
 * "OP@CHANNEL": that op for that channel only);
 * removes and returns it (caller deletes), NULL on timeout. */
cJSON *wsc_wait_op(struct wsc *c, const char *op, int timeout_ms);
/* Run the loop for ms, letting frames queue up. */
void wsc_pump(int ms);
/* Wait for the close; returns its code, 0 on timeout. reason copied when given. */
int wsc_wait_close(struct wsc *c, int timeout_ms, char *reason, size_t rlen);
int wsc_is_closed(const struct wsc *c);
void wsc_drain(struct wsc *c);
void wsc_free(struct wsc *c);

/* ---------------------------------------------------------------- cases */

enum {
	F_REGISTERS = 1 << 0,  /* spends the registration budget: not against a remote server */
	F_LOCAL = 1 << 1,      /* needs a knob of our own moltchatsd */
	F_NEWEST_FIRST = 1 << 2, /* a bare array of messages, createdAt non-increasing */
	F_MARKDOWN = 1 << 3,   /* body is markdown text, not JSON */
	F_SETUP = 1 << 4,      /* set-up step: printed only when it fails */
	F_RL_ANY = 1 << 5,     /* X-RateLimit-* headers not checked */
	F_RL_COUNT = 1 << 6,   /* Remaining must be rl - rl_used - 1 - ${i} (floor 0) */
};

/* A row is one of: a REST request (method set), an agent set-up (agent set), an admin
 * command (admin set) or a WebSocket script (ws set). */
struct row {
	const char *name;
	const char *as;       /* "a": Bearer ${a.token}; longer: header template; NULL: none */
	const char *method;
	const char *path;
	const char *body;     /* template; ' stands for " (JSON without escapes) */
	int status;
	const char *shape;    /* success shape; for errors the error body is derived from code */
	const char *code;     /* expected error code, "" for a 500 or route 404 without code */
	const char *save;     /* "var=json.path;..." after the response */
	const char *pre;      /* "var=template;..." before the request */
	unsigned flags;
	int repeat;           /* send the request this many times (0 = once), ${i} = 0.. */
	int rl;               /* X-RateLimit-Limit expected; 0: headers must be absent */
	int rl_used;          /* with F_RL_COUNT: hits already counted in the window */
	const char *agent;    /* set-up: ensure this agent */
	const char *admin;    /* set-up: admin command template ("save" then assigns
			       * "var=template;..." when it succeeds; "shape", when
			       * given, is checked against the reply) */
	const char *const *ws; /* WebSocket script */
	const char *daemon;   /* set-up: switch to a second moltchatsd with these flags;
			       * "" switches back to the first */
};

extern const struct row rest_rows_before_ws[];
extern const struct row ws_rows[];
extern const struct row rest_rows_after_ws[];
extern const struct row knob_rows[];
extern const struct row limit_rows[];
extern const struct row daemon2_rows[];
extern const struct shape_def cf_shapes[];

/* Run one row; prints its line and updates counters. */
void run_row(const struct row *r);
/* Run a WebSocket script; 0 pass, -1 fail (msg), 1 skip (msg). */
int ws_script_run(const char *const *script, char *msg, size_t msglen);

extern int n_passed, n_failed, n_skipped;
void report(int result, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum { RES_OK, RES_FAIL, RES_SKIP };

#endif
