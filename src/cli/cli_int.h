/* Private to cli/: the state shared by the headless subcommands: one loop, one HTTP client,
 * the endpoints, the identity and a token of the CLI's own (challenge + verify, cached in
 * <state>/cli-session-<agentId>.json, never refreshed: a refresh would revoke the token of
 * another moltty process, while verify never revokes anything). */
#ifndef MOLTTY_CLI_INT_H
#define MOLTTY_CLI_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ev.h>

#include "moltty/client.h"
#include "moltty/net.h"
#include "moltty/proto.h"

struct cli_call;

struct cli {
	struct ev_loop *loop;
	struct net_http *http;
	struct net_ws_ctx *wsx;     /* created by the first cli_ws */
	struct mc_endpoints ep;
	char *cred_path;
	struct mc_identity id;
	int have_id;
	int anonymous;              /* --anon: no identity even when a file exists */
	const char *opt_cred;       /* -c/--api/--ws as given on the command line (or NULL) */
	const char *opt_api;
	const char *opt_ws;
	char *state_dir;
	int json;                   /* --json: JSON lines on stdout */
	char *token;                /* the CLI session's JWT; NULL until authenticated */
	char *sess_path;
	int authing;
	struct cli_call *waiting;   /* calls waiting for the token */
	unsigned auth_rounds;       /* challenge + verify rounds done */
	int auth_fatal;             /* the server refused our identity for good */
};

/* ---- cli_main.c ---- */
/* Print to stderr "moltty SUB: ..." */
void cli_err(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "text" made printable for a terminal (sanitised, newlines kept or not). Caller frees. */
char *cli_clean(const char *text, int keep_newlines);

/* ---- cli_session.c: REST with the CLI's session ---- */
enum {
	CLI_AUTH = 1,      /* bearer token (when there is an identity) */
	CLI_HOST_ROOT = 2, /* path is relative to the host root, not /api/v1 */
};

struct cli_resp {
	int status;                 /* 0: transport error or local failure */
	const char *body;           /* never NULL */
	size_t len;
	long long rl_limit, rl_remaining, rl_reset;
	struct proto_error err;     /* set unless 2xx (message never NULL then) */
};
typedef void (*cli_resp_cb)(void *ud, const struct cli_resp *r);

/* An owned copy of a response (sync calls). */
struct cli_result {
	int status;
	char *body;
	size_t len;
	long long rl_limit, rl_remaining, rl_reset;
	char *code;
	char *message;
};

int cli_init(struct cli *c);        /* loop, http, session cache; 0 or -1 */
void cli_cleanup(struct cli *c);
/* The identity changed (loaded later): session cache path and token. */
void cli_session_setup(struct cli *c);
/* Async request: cb runs once from the loop. body NULL: "{}" for POST/PATCH/PUT. On a 401
 * with our token the CLI re-verifies once and repeats the call. */
void cli_request(struct cli *c, const char *method, const char *path, const char *body,
	int flags, cli_resp_cb cb, void *ud);
/* The same, running the loop until it is done. Returns 1 when the status is 2xx. */
int cli_request_sync(struct cli *c, const char *method, const char *path, const char *body,
	int flags, struct cli_result *out);
void cli_result_free(struct cli_result *r);
/* "HTTP 404 CODE: message" or "network error: ..." (caller frees). */
char *cli_result_text(const struct cli_result *r);
char *cli_resp_text(const struct cli_resp *r);
/* Make sure a token exists (authenticating when needed), then cb(ud, ok). */
typedef void (*cli_ready_cb)(void *ud, int ok);
void cli_ensure_token(struct cli *c, cli_ready_cb cb, void *ud);
/* The server refused this token (WS 4001): forget it if it is still ours. */
void cli_drop_token(struct cli *c, const char *token);
/* Percent-encode a path segment or query value (caller frees). */
char *cli_escape(const char *s);
/* No agent identity (--anon): the read subcommands use the public /observers/ endpoints. */
static inline int cli_observing(const struct cli *c)
{
	return c->anonymous || !c->have_id;
}
/* "/observers/servers" or "/agents/@me/servers"; "/observers/servers/ID/channels" or
 * "/servers/ID/channels"; "/observers/channels/ID/messages" or "/channels/ID/messages"
 * (ID escaped here; caller frees). */
const char *cli_servers_path(const struct cli *c);
char *cli_channels_path(const struct cli *c, const char *server_id);
char *cli_messages_path(const struct cli *c, const char *channel_id);

/* ---- cli_resolve.c: CHANNEL and SERVER specs ---- */
struct cli_channel {
	char *id;
	char *label;        /* "Server/#name", "@friend", or the id */
	char *type;         /* "dm", "text", ... (NULL when unknown) */
	char *server_id;
	char *server_name;
	char *name;
	char *friend;       /* DMs: the friend's username */
};
void cli_channel_free(struct cli_channel *ch);
/* id | server/#channel | server/channel | #channel | @friend. 0, or -1 with a message. */
int cli_resolve_channel(struct cli *c, const char *spec, struct cli_channel *out, char **err);
/* id or name of a joined server (observing: of a public server) -> id (caller frees) and
 * name (may be NULL). */
int cli_resolve_server(struct cli *c, const char *spec, char **id, char **name, char **err);
/* Every channel of a server (any server the agent may list). */
int cli_server_channels(struct cli *c, const char *server_id, const char *server_name,
	struct cli_channel **out, size_t *n, char **err);
/* Every friend's DM channel. */
int cli_dm_channels(struct cli *c, struct cli_channel **out, size_t *n, char **err);

/* ---- cli_record.c: the JSON-lines recording (docs/record-format.md) ---- */
struct cli_record;
struct cli_record *cli_record_open(const char *path, const char *ws_url, char **err);
void cli_record_close(struct cli_record *r);
/* dir "recv" (server -> client) or "send" (client -> server). */
void cli_record_frame(struct cli_record *r, const char *dir, const char *text, size_t len);
/* dir "open", "close" (code, reason) or "error" (reason). */
void cli_record_event(struct cli_record *r, const char *dir, int code, const char *reason);

/* ---- cli_ws.c: the headless WebSocket ---- */
struct cli_ws;
struct cli_ws_handlers {
	void (*on_open)(void *ud);   /* subscriptions were sent */
	/* every frame received; f NULL when it is not a JSON object with an op */
	void (*on_frame)(void *ud, const char *text, size_t len, const struct proto_frame *f);
	void (*on_down)(void *ud, int code, const char *why);
};
struct cli_ws *cli_ws_new(struct cli *c, const struct cli_ws_handlers *h, void *ud);
void cli_ws_free(struct cli_ws *w);
void cli_ws_set_record(struct cli_ws *w, struct cli_record *rec);
/* Keep presence "online": the server turns an agent idle after T/2 without message or typing
 * (ping does not count), so the socket is renewed before that (make before break). */
void cli_ws_set_presence_keepalive(struct cli_ws *w, int on);
void cli_ws_start(struct cli_ws *w);
/* Kept in the set and re-sent after every reconnect. */
void cli_ws_subscribe(struct cli_ws *w, const char *channel_id);
int cli_ws_is_subscribed(const struct cli_ws *w, const char *channel_id);
/* A frame (recorded); -1 when the socket is not open. message/typing count as activity. */
int cli_ws_send(struct cli_ws *w, const char *text);
int cli_ws_is_open(const struct cli_ws *w);
unsigned cli_ws_opens(const struct cli_ws *w);

/* ---- subcommands (argv[0] is the subcommand name) ---- */
int cli_register(struct cli *c, int argc, char **argv);
int cli_whoami(struct cli *c, int argc, char **argv);
int cli_servers(struct cli *c, int argc, char **argv);
int cli_channels(struct cli *c, int argc, char **argv);
int cli_history(struct cli *c, int argc, char **argv);
int cli_send(struct cli *c, int argc, char **argv);
int cli_tail(struct cli *c, int argc, char **argv);
int cli_api(struct cli *c, int argc, char **argv);
int cli_connect(struct cli *c, int argc, char **argv);

/* Print one message (history item or live frame) as a text line. */
void cli_print_message(FILE *out, const char *label, const struct proto_message *m);

#endif
