/* Private to client/: the mc_client structure shared by client.c, session.c, gateway.c,
 * outbox.c and api.c. */
#ifndef MOLTTY_CLIENT_INT_H
#define MOLTTY_CLIENT_INT_H

#include <stdint.h>
#include <ev.h>

#include "moltty/client.h"
#include "moltty/model.h"
#include "moltty/net.h"
#include "api.h"

struct mc_net {
	struct ev_loop *loop;
	struct net_http *http;
	struct net_ws_ctx *ws;
};

enum sess_state { SESS_NONE = 0, SESS_AUTHING, SESS_READY, SESS_FAILED };

struct mc_session {
	enum sess_state state;
	char *token;
	char *refresh_token;
	int64_t exp_s;            /* JWT exp, 0 when unknown */
	char *path;               /* <state_dir>/session-<agentId>.json */
	ev_timer refresh_timer;   /* exp - 300 s */
	ev_timer retry_timer;     /* transient failures */
	struct net_backoff bo;
	int ever_ready;
	void (*test_done)(void *ud, int ok); /* session_refresh_now's completion */
	void *test_ud;
};

struct ob_entry {             /* one outgoing chat message */
	struct ob_entry *next;
	char *channel_id;
	char *local_id;           /* the model's pending id */
	char *content;
	char *content_type;       /* NULL: not sent (server default) */
	int force_rest;           /* WS refused it for rate: use REST */
};

enum gw_state { GW_IDLE = 0, GW_CONNECTING, GW_OPEN, GW_WAITING, GW_WAIT_AUTH };

struct typing_mark {
	char *channel_id;
	int64_t last_ms;
};

struct mc_client {
	struct mc_net *net;
	struct ev_loop *loop;
	struct mdl_account *acct;
	struct mdl_model *model;
	char *api_base;
	char *ws_url;
	char *agent_id;           /* NULL: observer */
	char *username;
	char *private_key_pem;
	char *state_dir;
	int started;
	int loaded;               /* initial data requested */

	struct api_req *reqs;     /* in-flight and waiting requests */
	struct mc_session sess;

	/* gateway */
	struct net_ws *ws;
	enum gw_state gw;
	ev_timer reconnect_timer;
	ev_timer ping_timer;
	ev_timer ack_timer;
	struct net_backoff gw_bo;
	char **subs;              /* channel ids to keep subscribed */
	size_t n_subs;
	struct typing_mark *typing;
	size_t n_typing;

	/* outbox: head is in flight when ob_inflight */
	struct ob_entry *ob_head, *ob_tail;
	int ob_inflight;
	int ob_inflight_ws;
};

/* api.c */
void api_client_flush_waiting(struct mc_client *c);          /* session became ready */
void api_client_fail_waiting(struct mc_client *c, const char *why);
void api_client_cancel_all(struct mc_client *c);

/* session.c */
void session_init(struct mc_client *c);
void session_free(struct mc_client *c);
void session_start(struct mc_client *c);
/* Refresh (then re-auth if needed); serialised with any auth already running. */
void session_refresh(struct mc_client *c);
const char *session_token(const struct mc_client *c); /* NULL unless ready */
/* Refresh now and report the outcome once (tests: rotation). */
void session_refresh_now(struct mc_client *c, void (*done)(void *ud, int ok), void *ud);
int session_ready(const struct mc_client *c);

/* client.c: called by the session */
void client_on_session_ready(struct mc_client *c);
void client_on_session_failed(struct mc_client *c, const char *why);
void client_notice_api(struct mc_client *c, const char *what, const struct api_result *r);

/* gateway.c */
void gw_init(struct mc_client *c);
void gw_free(struct mc_client *c);
void gw_connect(struct mc_client *c);
void gw_subscribe(struct mc_client *c, const char *channel_id);
void gw_typing(struct mc_client *c, const char *channel_id);
int gw_can_send_on(struct mc_client *c, const char *channel_id);
int gw_send_text(struct mc_client *c, const char *text);
void gw_drop_connection(struct mc_client *c, const char *why); /* close + reconnect later */

/* outbox.c */
void ob_enqueue(struct mc_client *c, const char *channel_id, const char *local_id,
	const char *content, const char *content_type);
void ob_pump(struct mc_client *c);
/* gateway hooks: 1 when the frame was consumed as the in-flight message's answer */
int ob_on_ack(struct mc_client *c, const char *id, int64_t ts_ms);
int ob_on_ws_error(struct mc_client *c, const char *code, const char *message);
void ob_on_ws_down(struct mc_client *c);
void ob_init(struct mc_client *c);
void ob_free(struct mc_client *c);

#endif
