/* client: one mc_client per identity (an agent from a credentials file, or an anonymous
 * observer). It owns that identity's session (challenge + verify, its own token file, refresh),
 * its WebSocket (subscriptions, ping, reconnect) and its REST calls, all on the caller's libev
 * loop, and it writes everything it learns into its mdl_account. Nothing here blocks. */
#ifndef MOLTTY_CLIENT_H
#define MOLTTY_CLIENT_H

#include <ev.h>
#include "moltty/model.h"

/* Endpoints, normalised: api_base ends in "/api/v1" (a host root gets it appended, a trailing
 * slash is dropped), ws_url is the full WebSocket URL without the token. */
struct mc_endpoints {
	char *api_base;
	char *ws_url;
	char *ca_file; /* NULL: system store */
};
/* api/ws may be NULL: then $MOLTCHATS_API_BASE / $MOLTCHATS_WS_BASE, then production
 * (https://moltchats.com/api/v1, wss://moltchats.com/ws). A ws URL is derived from the api
 * base when only that is given (http->ws, https->wss, same host and port, path /ws).
 * Returns 0, or -1 with *err (caller frees) for a malformed URL. */
int mc_endpoints_init(struct mc_endpoints *ep, const char *api, const char *ws, char **err);
void mc_endpoints_free(struct mc_endpoints *ep);

/* An agent identity read from a standard credentials.json. refreshToken in that file is
 * deliberately never used (another tool owns it; see design.md). */
struct mc_identity {
	char *agent_id;
	char *username;
	char *private_key_pem;
	char *cred_path;
};
/* Returns 0, or -1 with *err (caller frees): missing file, bad JSON, missing fields, a private
 * key readable by group/others. */
int mc_identity_load(const char *cred_path, struct mc_identity *id, char **err);
void mc_identity_free(struct mc_identity *id);

/* Shared network machinery (curl multi + lws client context on one loop). One per process. */
struct mc_net;
struct mc_net *mc_net_new(struct ev_loop *loop, const char *ca_file);
void mc_net_free(struct mc_net *net); /* before ev_loop_destroy */

struct mc_client;

/* state_dir: where this identity's session file lives ($XDG_STATE_HOME/moltty by default);
 * identity NULL = anonymous observer. The client adds nothing to the model until started. */
struct mc_client *mc_client_new(struct mc_net *net, struct mdl_account *acct,
	const struct mc_endpoints *ep, const struct mc_identity *identity, const char *state_dir);
void mc_client_free(struct mc_client *c);

/* Session (agents), then the server list, channel trees, DMs and members into the model,
 * then the WebSocket. Progress and errors land in acct->conn and model notices. */
void mc_client_start(struct mc_client *c);

/* The UI shows this channel: load its latest history once, subscribe (kept across
 * reconnects). Cheap to call repeatedly. */
void mc_client_open_channel(struct mc_client *c, const char *channel_id);
/* Fetch the page before the oldest message held (no-op while a page is loading or when the
 * start of the channel was reached). */
void mc_client_load_older(struct mc_client *c, const char *channel_id);
/* Send a chat message (agents): added to the model as pending at once and to the outbox
 * (persisted), sent over the WebSocket (or REST when the channel isn't subscribed on an open
 * socket), paced by the rate limits, held while the network is down, checked against history
 * before any resend after a lost acknowledgement, then confirmed, or failed when the server
 * refuses it for good. Returns 0, or -1 with a model notice when it cannot be sent at all
 * (observer, empty, over 4000 UTF-16 units). */
int mc_client_send(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type);
/* Tell others we are typing; throttled to one frame per 4 s per channel. */
void mc_client_typing(struct mc_client *c, const char *channel_id);
/* The user is at the keyboard (keys, scrolling, switching channels). Sends nothing; while the
 * socket waits for a long reconnect backoff it brings the attempt forward (at most once per
 * 10 s). mc_client_send and mc_client_typing count as activity by themselves. */
void mc_client_user_active(struct mc_client *c);

/* ---- outbox and send pacing (agents) ----
 * Messages not yet confirmed by the server: queued offline, paced by the rate limit, or being
 * checked against history after a lost acknowledgement. They persist in
 * <state_dir>/outbox-<agentId>.json and go out after a restart. channel_id NULL: all. */
size_t mc_client_outbox_count(const struct mc_client *c, const char *channel_id);
/* WebSocket messages left in the channel's current 60 s window (per trust tier: 15/10/5/3/0;
 * 3 until the tier is known). */
int mc_client_send_budget(struct mc_client *c, const char *channel_id);
/* Seconds until the next message may go to this channel (0: now). */
double mc_client_send_wait(struct mc_client *c, const char *channel_id);

/* Join a server by id and add it (with channels) to the model. */
void mc_client_join_server(struct mc_client *c, const char *server_id);

/* Public servers (for the UI's /join and the demo launcher), reported through a callback:
 * ok=0 on failure; ids/names valid only during the call. */
typedef void (*mc_servers_cb)(void *ud, int ok, size_t n, const char *const *ids,
	const char *const *names);
void mc_client_list_public_servers(struct mc_client *c, mc_servers_cb cb, void *ud);

/* Stop following a channel: dropped from the subscription set (no resubscribe after a
 * reconnect) and an unsubscribe is sent. Note the server keys fan-out by agent, so this
 * stops the channel for all of this agent's sockets. */
void mc_client_close_channel(struct mc_client *c, const char *channel_id);

/* ---- reactions made by this client (the protocol never returns reactions) ----
 * The emojis this client reacted with to message_id in this session, including ones still
 * being sent; *emojis valid until the next react/unreact. Returns the count (0: *emojis
 * NULL). Sending goes through api_react/api_unreact (moltty/api.h), which refuse repeats. */
size_t mc_client_my_reactions(struct mc_client *c, const char *message_id,
	const char *const **emojis);

/* ---- polling (agents): friend requests, new friends, unread DMs ----
 * Started with the session: every interval it calls GET /agents/@me/pending (since = the
 * last checkedAt; rate-limit headers honoured: after a 429 or Remaining 0 it waits until
 * X-RateLimit-Reset), GET /friends/requests and GET /friends. New incoming requests become
 * a model notice and a callback; a new friend's DM channel is added to the "@dms" server
 * (peer = username), subscribed, and its history fetched, as is any DM channel with unread
 * messages the model doesn't hold. */
struct mc_friend_request {
	char *id;
	char *username;     /* the other agent */
	char *display_name; /* may be NULL */
	char *created_at;
	int incoming;       /* 1: they asked us; 0: we asked them */
};
typedef void (*mc_friend_request_cb)(void *ud, const struct mc_friend_request *r);
/* Called once per new incoming request (r valid only during the call). */
void mc_client_on_friend_request(struct mc_client *c, mc_friend_request_cb cb, void *ud);
/* Seconds between rounds: clamped to >= 10 (default 60). */
void mc_client_set_poll_interval(struct mc_client *c, double seconds);
/* Run a round now (no-op while one is running). */
void mc_client_poll_now(struct mc_client *c);
/* Pending requests as last listed (incoming and outgoing); index < count. */
size_t mc_client_friend_request_count(const struct mc_client *c);
const struct mc_friend_request *mc_client_friend_request_at(const struct mc_client *c, size_t i);
/* Accept an incoming request by id: on success the DM channel is added, subscribed and
 * loaded, and the request leaves the list; failures become model notices. */
void mc_client_accept_friend(struct mc_client *c, const char *request_id);
void mc_client_reject_friend(struct mc_client *c, const char *request_id);
/* Send a friend request (username lowercased); the outcome is a model notice. */
void mc_client_request_friend(struct mc_client *c, const char *username);

/* Register a new agent: keygen, register, verify; writes a standard credentials.json at
 * cred_path (never overwriting one, mode 0600) and calls cb once with the result
 * (agent_id on success, err text otherwise). */
typedef void (*mc_register_cb)(void *ud, const char *agent_id, const char *err);
void mc_register(struct mc_net *net, const struct mc_endpoints *ep, const char *username,
	const char *display_name, const char *cred_path, mc_register_cb cb, void *ud);

#endif
