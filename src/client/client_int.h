/* Private to client/: the mc_client structure shared by client.c, session.c, gateway.c,
 * outbox.c and api.c. */
#ifndef MOLTTY_CLIENT_INT_H
#define MOLTTY_CLIENT_INT_H

#include <stdint.h>
#include <ev.h>

#include "moltty/api.h"
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
	int64_t iat_s;            /* JWT iat, 0 when unknown */
	int ever_ready;
	unsigned refreshes;       /* successful refreshes (tests, status) */
	unsigned reauths;         /* successful challenge + verify rounds */
	void (*test_done)(void *ud, int ok); /* session_refresh_now's completion */
	void *test_ud;
};

struct ob_entry {             /* one outgoing chat message (persisted, see outbox_store.c) */
	struct ob_entry *next;
	char *channel_id;
	char *local_id;           /* the model's pending id; NULL until the channel is known */
	char *content;
	char *content_type;       /* NULL: not sent (server default) */
	int64_t queued_ms;        /* wall clock, when the user sent it */
	int64_t sent_ms;          /* wall clock of the last attempt, 0 = never attempted */
	int uncertain;            /* an attempt may have been stored: check history first */
	int64_t after_ms;         /* newest stored message of the channel at the attempt (server */
	char *after_id;           /*   clock), so an older identical message is never taken */
};

/* Per-channel send pacing (protocol §5): fixed 60 s windows, counted from our own sends. */
struct ob_pace {
	char *channel_id;
	int64_t ws_start_ms, rest_start_ms;   /* monotonic; window start */
	int ws_count, rest_count;
	int64_t blocked_until_ms;             /* monotonic; after a refusal (WS error or 429) */
	int64_t noticed_until_ms;             /* the user was told about this wait */
};

#define OB_CLAIMED 64

/* The newest message held when a channel's live feed stopped: a gap fill pages back to it.
 * Kept until a fill reaches it (our own sends confirmed meanwhile are newer, so "newest held
 * at reconnect" would stop too early). */
struct gap_mark {
	char *channel_id;
	int64_t ms;               /* -1: the channel was empty (fill from its start) */
};

enum gw_state { GW_IDLE = 0, GW_CONNECTING, GW_OPEN, GW_WAITING, GW_WAIT_AUTH };

struct typing_mark {
	char *channel_id;
	int64_t last_ms;
};

/* Reactions this client made in this session, per message (never repeated, §3.8). */
struct react_entry {
	char *message_id;
	char **emojis;
	size_t n_emojis;
};

/* A WebSocket trust op waiting to be sent or answered (one in flight at a time: the
 * TRUST_ERROR frame carries no target, so answers are matched by order). */
struct trust_op {
	struct trust_op *next;
	enum proto_op op;         /* VOUCH, VOUCH_REVOKE, FLAG */
	char *target;
	char *reason;
	mc_trust_cb cb;
	void *ud;
};

struct mc_poller {
	int running;
	double interval_s;        /* >= MC_POLL_MIN_S unless a test lowered it */
	ev_timer timer;
	int64_t pending_blocked_until_s; /* wall seconds: X-RateLimit-Reset after 429/Remaining 0 */
	char *since;              /* last checkedAt */
	int inflight;             /* requests of the current round still running */
	int friends_inflight;
	int friends_again;        /* an unknown DM channel showed up: list friends once more */
	int friends_listed;       /* the first /friends listing is done (no "new friend" notices before) */
	int requests_listed;
	int failing;              /* the last round failed: notice only once per run */
	int round_failed;
	unsigned rounds;          /* completed rounds (tests) */
	unsigned pending_calls;   /* GET /agents/@me/pending sent (tests) */
	struct mc_friend_request *requests; /* pending requests, incoming and outgoing */
	size_t n_requests;
	char **known_incoming;    /* request ids already announced */
	size_t n_known_incoming;
	mc_friend_request_cb on_request;
	void *on_request_ud;
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

	/* reactions made in this session */
	struct react_entry *reacts;
	size_t n_reacts;

	/* WebSocket trust ops: head is in flight when trust_inflight */
	struct trust_op *trust_head, *trust_tail;
	int trust_inflight;
	ev_timer trust_timer;

	struct mc_poller poll;

	/* outbox: at most one entry in flight (ob_cur), sent or being checked against history */
	struct ob_entry *ob_head, *ob_tail;
	struct ob_entry *ob_cur;
	int ob_inflight;
	int ob_inflight_ws;
	int ob_checking;          /* ob_cur: history lookup before a resend */
	int ob_hold;              /* the network failed: wait for the socket or ob_hold_timer */
	ev_timer ob_hold_timer;
	struct net_backoff ob_hold_bo;
	ev_timer ob_pace_timer;   /* the next paced send */
	struct ob_pace *pace;
	size_t n_pace;
	int tier_limit;           /* WS messages per channel per minute; -1 unknown (3 assumed) */
	char *claimed[OB_CLAIMED];/* ids confirmed for our sends in this run (ring) */
	size_t n_claimed;
	char *ob_path;            /* <state_dir>/outbox-<agentId>.json */
	unsigned ob_ws_frames;    /* message frames written (tests: no tight loops) */
	unsigned ob_rest_sends;
	unsigned ob_refusals;     /* rate-limit refusals seen */
	unsigned ob_found;        /* uncertain sends found in history (not resent) */
	unsigned ob_resent;       /* uncertain sends not found, sent again */

	/* reliability: gateway timers, keepalive, gap filling */
	ev_timer gw_connect_timer;
	double gw_connect_timeout_s;
	double ping_interval_s;
	long idle_timeout_s;      /* from /agents/@me/config, 0 unknown */
	int gw_ever_open;
	int gw_auth_streak;       /* 4001 closes since the last healthy socket */
	int gw_healthy;           /* this socket answered (pong/subscribed): auth passed */
	int gw_quarantined;       /* waiting out a 4003 */
	unsigned gw_opens;        /* sockets opened (tests) */
	unsigned gw_closes_4002;
	int64_t user_active_ms;   /* monotonic */
	int64_t user_kick_ms;     /* last reconnect brought forward by activity */
	int64_t gw_next_ms;       /* monotonic time of the scheduled reconnect */
	char **gap_busy;          /* channels with a gap fill running */
	size_t n_gap_busy;
	struct gap_mark *gap_marks; /* per channel: what we held when the socket went down */
	size_t n_gap_marks;
	unsigned gap_fills;       /* completed (tests) */
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
/* The socket was refused twice in a row after a fresh token: skip refresh, re-verify. */
void session_reauth(struct mc_client *c);
/* Remove "<path>.tmpXXXXXX" files a killed process left behind (fs_write_atomic's temps). */
void client_remove_stale_temps(const char *path);

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

void gw_unsubscribe(struct mc_client *c, const char *channel_id);
int gw_is_open(const struct mc_client *c);
/* Keepalive: ping often enough for this idleTimeoutSeconds (0: unknown, every 30 s). */
void gw_set_idle_timeout(struct mc_client *c, long seconds);
void gw_fetch_config(struct mc_client *c);        /* GET /agents/@me/config -> the above */
void gw_user_active(struct mc_client *c);
void gw_reconnect_after_auth(struct mc_client *c); /* after a 4001 and a new session */

/* trust_ops.c */
void trust_init(struct mc_client *c);
void trust_free(struct mc_client *c);
void trust_pump(struct mc_client *c);            /* socket open: send the next one */
/* gateway hooks: 1 when the frame was consumed as the in-flight trust op's answer */
int trust_on_ack(struct mc_client *c, enum proto_op op, const char *target);
int trust_on_error(struct mc_client *c, const char *code, const char *message);
void trust_on_ws_down(struct mc_client *c);

/* reactions.c */
int react_has(const struct mc_client *c, const char *message_id, const char *emoji);
void react_add(struct mc_client *c, const char *message_id, const char *emoji);
void react_remove(struct mc_client *c, const char *message_id, const char *emoji);
void react_free_all(struct mc_client *c);

/* poller.c */
#define MC_POLL_DEFAULT_S 60.
#define MC_POLL_MIN_S 10.
void poller_init(struct mc_client *c);
void poller_start(struct mc_client *c);          /* session ready (agents) */
void poller_free(struct mc_client *c);
/* A DM channel is known: make sure it is in the model, subscribed and its history fetched. */
void poller_adopt_dm(struct mc_client *c, const char *dm_channel_id, const char *peer,
	const char *peer_id, const char *display_name, const char *presence);

/* outbox.c */
void ob_enqueue(struct mc_client *c, const char *channel_id, const char *local_id,
	const char *content, const char *content_type, int64_t now_ms);
void ob_pump(struct mc_client *c);
void ob_on_ws_open(struct mc_client *c);           /* the network is back: release a hold */
void ob_on_session_ready(struct mc_client *c);     /* load the persisted outbox, learn the tier */
size_t ob_count(const struct mc_client *c, const char *channel_id);
int ob_budget_left(struct mc_client *c, const char *channel_id);
double ob_wait_s(struct mc_client *c, const char *channel_id);
void ob_entry_free(struct ob_entry *e);

/* outbox_store.c: <state_dir>/outbox-<agentId>.json, written atomically (0600) on change */
void ob_store_init(struct mc_client *c);
void ob_store_save(struct mc_client *c);
/* Entries from the file appended to the queue (local ids unset). Returns how many. */
size_t ob_store_load(struct mc_client *c);

/* outbox_check.c: was an uncertain send stored? Looks in the channel's history. */
void ob_check_start(struct mc_client *c, struct ob_entry *e);
void ob_claim(struct mc_client *c, const char *id);
int ob_claimed(const struct mc_client *c, const char *id);
/* outbox.c, called by outbox_check.c: found (id set), not stored (id NULL), or the
 * lookup itself failed (transient=1). */
void ob_check_done(struct mc_client *c, const char *id, int64_t created_ms, int transient);

/* gapfill.c: after a (re)subscribe, fetch what was posted while we were away */
void gapfill_channel(struct mc_client *c, struct mdl_channel *ch);
void gapfill_note_down(struct mc_client *c);      /* the socket went down: mark every channel */
void gapfill_free(struct mc_client *c);
/* gateway hooks: 1 when the frame was consumed as the in-flight message's answer */
int ob_on_ack(struct mc_client *c, const char *id, int64_t ts_ms);
int ob_on_ws_error(struct mc_client *c, const char *code, const char *message);
void ob_on_ws_down(struct mc_client *c);
void ob_init(struct mc_client *c);
void ob_free(struct mc_client *c);

#endif
