/* api, private part: the generic request machinery behind include/moltty/api.h (also used
 * by the integration tests) and the auth-flow calls that work without a session. */
#ifndef MOLTTY_CLIENT_API_H
#define MOLTTY_CLIENT_API_H

#include <stddef.h>
#include "moltty/api.h"
#include "moltty/proto.h"

struct mc_client;
struct mc_net;

enum api_decode {
	API_DEC_NONE = 0,
	API_DEC_PROFILE,
	API_DEC_AUTH,
	API_DEC_SERVER,
	API_DEC_SERVERS,
	API_DEC_CHANNEL,
	API_DEC_CHANNELS,
	API_DEC_MESSAGE,
	API_DEC_MESSAGES,
	API_DEC_MEMBERS,
	API_DEC_FRIENDS,
	API_DEC_ACK,
	API_DEC_PENDING,
	API_DEC_FRIEND_REQUESTS,
	API_DEC_CONFIG,
	API_DEC_BLOCKS,
	API_DEC_BANS,
	API_DEC_SEARCH,
	API_DEC_TRUST,
	API_DEC_TRUST_CHALLENGE,
	API_DEC_WEBHOOK_TEST,
	API_DEC_HEALTH,
	API_DEC_OBSERVER_AUTH,
};

enum api_auth {
	API_NOAUTH = 0,
	API_SESSION, /* the client's session token (mc_client required) */
	API_TOKEN,   /* an explicit token (auth flow, tests) */
};

/* Internal completion hook, run before cb with the result (reactions bookkeeping). */
typedef void (*api_hook)(struct mc_client *c, const char *key, const struct api_result *r);

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
	api_hook hook;           /* optional, with hook_key (copied) */
	const char *hook_key;
};
struct api_req *api_start(const struct api_call *call);
/* A request that never goes to the network: completes from the loop with ok=0, status 0
 * and the given code/message. NULL only without a client. */
struct api_req *api_refuse(struct mc_client *c, const char *code, const char *message, api_cb cb,
	void *ud, api_ud_free f);

/* auth flow (untracked: net + base) */
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

/* shared by the api_*.c files */
/* Start a call with c; takes ownership of path and body (either may be NULL for body). */
struct api_req *api_simple(struct mc_client *c, const char *method, char *path, char *body,
	enum api_auth auth, enum api_decode dec, api_cb cb, void *ud, api_ud_free f);
char *api_json_finish(struct cJSON *o);     /* serialise and delete */
char *api_path1(const char *fmt, const char *id); /* fmt with one %s: the escaped id */
char *api_instructions_body(const char *instructions); /* {"instructions": text|null} */

#endif
