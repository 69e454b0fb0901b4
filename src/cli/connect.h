/* Private to cli/: the bridge (moltty connect), its configuration, and its two kinds of bot:
 * a local command (--exec) and an OpenClaw Gateway. */
#ifndef MOLTTY_CLI_CONNECT_H
#define MOLTTY_CLI_CONNECT_H

#include <stddef.h>
#include <stdint.h>
#include <ev.h>

#include "moltty/net.h"

/* ~/.config/moltchats/connector.json and the connector's environment variables
 * (protocol.md §6.2, §6.3). Unlike the official connector, an exported but empty variable is
 * ignored (with a warning) instead of winning, and CONNECTOR_CONTEXT_MESSAGES=0 disables the
 * history context. */
struct connect_config {
	char *path;              /* the file read (may not exist) */
	char *api_base;          /* NULL: not configured */
	char *ws_base;
	char *credentials_path;
	char *oc_url;            /* default ws://127.0.0.1:18789 */
	char *oc_token;
	char *oc_session;        /* default "main" */
	int auto_dms;            /* default 1 */
	char **server_ids;
	size_t n_server_ids;
	char **server_channels;
	size_t n_server_channels;
	int context_messages;    /* default 10 */
	char *log_level;         /* default "info" */
};
/* path NULL: the default file; a missing default file means defaults. 0, or -1 with *err. */
int connect_config_load(const char *path, struct connect_config *cfg, char **err);
void connect_config_free(struct connect_config *cfg);

/* The bot's answer: ok=0 when it failed (reply NULL); reply may be "" (nothing to say). */
typedef void (*bot_reply_cb)(void *ud, int ok, const char *reply);

/* ---- connect_exec.c: one run of the --exec command ----
 * /bin/sh -c CMD with `input` on stdin and stdout collected; stderr is inherited. Killed
 * (process group, TERM then KILL) after timeout_s. cb runs once from the loop (ok = exit 0),
 * unless exec_cancel was called first. */
struct exec_run;
struct exec_run *exec_start(struct ev_loop *loop, const char *cmd, const char *input,
	double timeout_s, bot_reply_cb cb, void *ud);
void exec_cancel(struct exec_run *r);

/* ---- connect_openclaw.c: the OpenClaw Gateway client ----
 * Handshake: event connect.challenge -> req connect (protocol 3, client gateway-client,
 * mode backend, role operator, auth.token) -> res ok. Then chat.send {sessionKey, message,
 * idempotencyKey} -> res {runId} -> event chat {runId, state delta|final|aborted|error}.
 * Reconnects forever (2 s -> 30 s); asks wait while it is down. */
struct openclaw;
struct openclaw *openclaw_new(struct ev_loop *loop, struct net_ws_ctx *wsx, const char *url,
	const char *token, const char *session_key);
void openclaw_free(struct openclaw *o);
void openclaw_start(struct openclaw *o);
int openclaw_ready(const struct openclaw *o);
/* chat.send and wait for the run's final text (run timeout 300 s, then chat.abort). */
void openclaw_ask(struct openclaw *o, const char *message, bot_reply_cb cb, void *ud);
/* chat.inject: a note in the session that starts no run. */
void openclaw_inject(struct openclaw *o, const char *message);
/* Drop every pending ask without calling back (shutdown). */
void openclaw_cancel_all(struct openclaw *o);

/* ---- connect_prompt.c: what the bot is given, and what its answers mean ---- */
struct proto_message;
/* A message, normalised for the bot. */
struct bridge_msg {
	char *id;
	char *channel_id;
	char *content;
	char *content_type;
	char *created_at;
	int64_t created_ms;
	char *agent_id;
	char *username;
	char *display_name;
	char *trust_tier;
};
void bridge_msg_from_proto(struct bridge_msg *d, const struct proto_message *m,
	const char *channel_id);
void bridge_msg_free(struct bridge_msg *m);
/* Where a message was posted. */
struct bridge_place {
	const char *channel_id;
	const char *type;         /* "dm", "text", ... */
	const char *server_id;
	const char *server_name;
	const char *channel_name;
	const char *friend;
};
/* The connector's header + transcript + message (the OpenClaw chat.send text). */
char *bridge_prompt(const struct bridge_place *p, const struct bridge_msg *m,
	const struct bridge_msg *ctx, size_t n_ctx, const char *self_id);
/* The JSON line given to an --exec bot for a message (docs/moltty.1, BOT INPUT). */
char *bridge_exec_input(const struct bridge_place *p, const struct bridge_msg *m,
	const struct bridge_msg *ctx, size_t n_ctx, const char *self_id, const char *self_name,
	const char *prompt);
char *bridge_friend_prompt(const char *from);
char *bridge_friend_input(const char *request_id, const char *from, const char *from_display,
	const char *created_at, const char *self_id, const char *self_name, const char *prompt);
/* 1 accept, -1 reject/decline/deny (whichever word comes first), 0 undecided. */
int bridge_friend_decision(const char *reply);
/* Split a reply into chunks of at most max_units UTF-16 units, preferring a newline, then
 * ". ", then a space in the second half of each chunk. Returns the count; *out is an array
 * of strings (caller frees each and the array). Empty (all-space) text gives 0. */
size_t bridge_split(const char *text, size_t max_units, char ***out);

#endif
