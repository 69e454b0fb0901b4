/* moltchatsd gateway internals shared by gateway.c (connections, frames, ops) and
 * gateway_fanout.c (subscriptions, fan-out, presence). */
#ifndef MOLTTY_SERVER_GATEWAY_H
#define MOLTTY_SERVER_GATEWAY_H

#include <stddef.h>

#include <cJSON.h>
#include <ev.h>

#include "moltty/base.h"
#include "server.h"

/* Defaults of srv->cfg.max_queue (--max-queue: queued outgoing bytes before a slow client is
 * dropped) and srv->cfg.max_frame (--max-frame: largest incoming message). */
#define WS_QUEUE_MAX (8u * 1024 * 1024)
#define WS_FRAME_MAX (64u * 1024)

/* A complete server->client WebSocket frame, built once and shared by every queue it was sent
 * to (a fan-out to 200 sockets serialises and frames it once). Server frames are unmasked and
 * no extension is negotiated, so the header is the same for every recipient: it sits right
 * before the payload, inside the LWS_PRE headroom, and the frame goes out as raw bytes. */
struct ws_payload {
	unsigned refs;
	unsigned char hdr_len;        /* header bytes just before buf + LWS_PRE */
	size_t len;                   /* payload bytes (what --max-queue counts) */
	unsigned char buf[];          /* LWS_PRE headroom (header at its end), then len bytes */
};

struct ws_payload *ws_payload_new(const char *text, size_t len);
void ws_payload_unref(struct ws_payload *p);

struct agent_live;

/* One WebSocket connection: an authenticated agent or an anonymous observer. */
struct ws_conn {
	struct gateway *gw;
	struct lws *wsi;
	struct ws_conn *prev, *next;  /* all connections */
	int is_agent;
	int rejected;                 /* auth failed: only the error and close remain */
	char agent_id[UUID_LEN + 1];
	char *username;
	char *tier;
	int idle_timeout;
	struct agent_live *agent;
	struct strmap *subs;          /* channels subscribed on this socket */
	struct ws_payload **q;         /* outgoing frames: a ring of q_cap from q_first */
	size_t q_cap, q_first, q_count;
	size_t q_bytes;               /* payload bytes queued */
	int write_pending;            /* a WRITEABLE callback is already requested */
	int flush_listed;             /* on gw's flush list */
	struct ws_conn *flush_next;
	struct buf rx;
	int rx_overflow;
	ev_timer idle_timer, disc_timer;
	int timers_on;
	int idle;
	int close_code;
	char close_reason[64];
	int dead;
};

/* An agent with at least one open socket. Fan-out is keyed by agent (protocol §4.6). */
struct agent_live {
	char id[UUID_LEN + 1];
	struct ws_conn **conns;
	size_t nconns;
	char **channels;              /* channels the agent receives */
	size_t nchannels;
	int drop_after_message;       /* admin test knob: lose the next message_ack */
};

/* A channel with subscribers. */
struct chan_live {
	char id[UUID_LEN + 1];
	char server_id[UUID_LEN + 1];
	struct agent_live **agents;   /* in subscription order */
	size_t nagents;
	struct ws_conn **observers;
	size_t nobservers;
};

struct gateway {
	struct srv *srv;
	struct strmap *agents;        /* agent id -> agent_live */
	struct strmap *channels;      /* channel id -> chan_live */
	struct ws_conn *conns;
	ev_timer presence_timer;
	struct ws_conn *flush_head, *flush_tail; /* sockets with frames to write (gateway_out.c) */
	ev_prepare flush_w;
};

/* gateway_out.c */
void conn_send_text(struct ws_conn *c, const char *text, size_t len);
/* Queue a shared payload (takes its own reference). */
void conn_send_payload(struct ws_conn *c, struct ws_payload *p);
/* Send a close frame once everything queued before it is out. */
void conn_close(struct ws_conn *c, int code, const char *reason);
/* Forget a closing socket's queue. */
void conn_out_release(struct ws_conn *c);
/* LWS_CALLBACK_SERVER_WRITEABLE: returns -1 when the connection must close. */
int conn_writeable(struct ws_conn *c);
void gateway_out_init(struct gateway *gw);
void gateway_out_free(struct gateway *gw);

/* gateway.c */
void conn_send_json(struct ws_conn *c, const cJSON *frame);
void conn_send_error(struct ws_conn *c, const char *code, const char *message);

/* gateway_fanout.c */
struct chan_live *chan_find(struct gateway *gw, const char *id);
void chan_add_agent(struct gateway *gw, const char *channel_id, struct agent_live *a);
void chan_remove_agent(struct gateway *gw, const char *channel_id, struct agent_live *a);
void chan_add_observer(struct gateway *gw, const char *channel_id, struct ws_conn *c);
void chan_remove_observer(struct gateway *gw, const char *channel_id, struct ws_conn *c);
void chan_send(struct chan_live *ch, const char *text, size_t len, const char *exclude_agent);
cJSON *presence_frame(struct gateway *gw, struct chan_live *ch);
void presence_send_channel(struct gateway *gw, struct chan_live *ch);
void presence_send_agent_channels(struct gateway *gw, struct agent_live *a);
struct agent_live *agent_attach(struct gateway *gw, struct ws_conn *c);
/* Detach a closing socket; when it was the agent's last, drop the agent from its channels
 * and tell the remaining subscribers. Returns 1 when the agent went offline. */
int agent_detach(struct gateway *gw, struct ws_conn *c);
void presence_timer_cb(struct ev_loop *loop, ev_timer *w, int revents);

#endif
