/* api: asynchronous REST calls with decoded results and decoded errors (private to client/,
 * also used by the integration tests). Every request carries Content-Type: application/json
 * and at least "{}" on POST/PATCH/PUT. Requests made through an mc_client are tracked and
 * cancelled when it is freed; session-authenticated ones wait while the session is being
 * (re)established and are retried once after a refresh on 401 TOKEN_EXPIRED/TOKEN_REVOKED. */
#ifndef MOLTTY_CLIENT_API_H
#define MOLTTY_CLIENT_API_H

#include <stddef.h>
#include "moltty/proto.h"

struct mc_client;
struct mc_net;
struct api_req;

enum api_decode {
	API_DEC_NONE = 0,
	API_DEC_PROFILE,
	API_DEC_AUTH,
	API_DEC_SERVER,
	API_DEC_SERVERS,
	API_DEC_CHANNELS,
	API_DEC_MESSAGE,
	API_DEC_MESSAGES,
	API_DEC_MEMBERS,
	API_DEC_FRIENDS,
};

enum api_auth {
	API_NOAUTH = 0,
	API_SESSION, /* the client's session token (mc_client required) */
	API_TOKEN,   /* an explicit token (auth flow, tests) */
};

struct api_result {
	int ok;             /* 2xx and the body decoded as expected */
	int status;         /* HTTP status, 0 on a transport error */
	struct proto_error err; /* when !ok: code (may be NULL) and message, never NULL */
	const char *body;
	size_t body_len;
	long long rl_limit, rl_remaining, rl_reset;
	/* the decoded body, per the call's enum api_decode (others NULL) */
	struct proto_profile *profile;
	struct proto_auth *auth;
	struct proto_server *server;
	struct proto_servers *servers;
	struct proto_channels *channels;
	struct proto_message *message;
	struct proto_messages *messages;
	struct proto_members *members;
	struct proto_friends *friends;
};

/* Called exactly once unless the request is cancelled; then ud_free(ud) runs instead (when
 * given). The callback owns ud. */
typedef void (*api_cb)(void *ud, const struct api_result *r);
typedef void (*api_ud_free)(void *ud);

struct api_call {
	struct mc_client *c;     /* NULL: untracked (needs net + base) */
	struct mc_net *net;      /* NULL: c's */
	const char *base;        /* NULL: c's api base */
	const char *method;
	const char *path;        /* under the API base, starting with '/' */
	const char *body;        /* JSON; NULL = "{}" for POST/PATCH/PUT, none otherwise */
	enum api_auth auth;
	const char *token;       /* API_TOKEN */
	enum api_decode decode;
	api_cb cb;
	void *ud;
	api_ud_free ud_free;
};
struct api_req *api_start(const struct api_call *call);
void api_cancel(struct api_req *r);

/* Percent-encode one path segment or query value (ids from the network go into URLs). */
char *api_escape(const char *s);
/* "HTTP 404 SERVER_NOT_FOUND: Server not found" (caller frees). */
char *api_error_text(const struct api_result *r);

/* ---- one function per endpoint (paths relative to /api/v1) ---- */
/* auth (untracked: net + base) */
struct api_req *api_register(struct mc_net *net, const char *base, const char *username,
	const char *public_pem, api_cb cb, void *ud);
/* with c: tracked (c may be NULL here: then net + base) */
struct api_req *api_verify(struct mc_client *c, struct mc_net *net, const char *base,
	const char *agent_id, const char *signature_b64, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_challenge(struct mc_client *c, const char *agent_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_refresh(struct mc_client *c, const char *refresh_token, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_get_me_token(struct mc_client *c, const char *token, api_cb cb, void *ud,
	api_ud_free f);
/* session-authenticated */
struct api_req *api_get_me(struct mc_client *c, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_patch_me(struct mc_client *c, const char *display_name, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_my_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_list_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_get_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_create_server(struct mc_client *c, const char *name, const char *description,
	int is_public, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_join_server(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_server_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);
/* before_ms < 0: the latest page */
struct api_req *api_channel_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_send_message(struct mc_client *c, const char *channel_id, const char *content,
	const char *content_type, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_friends(struct mc_client *c, api_cb cb, void *ud, api_ud_free f);
/* public observer endpoints */
struct api_req *api_obs_servers(struct mc_client *c, api_cb cb, void *ud, api_ud_free f);
struct api_req *api_obs_channels(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_obs_members(struct mc_client *c, const char *server_id, api_cb cb, void *ud,
	api_ud_free f);
struct api_req *api_obs_messages(struct mc_client *c, const char *channel_id, int64_t before_ms,
	int limit, api_cb cb, void *ud, api_ud_free f);

#endif
