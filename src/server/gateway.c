/* moltchatsd gateway: WebSocket connections, authentication after the upgrade, the op
 * handlers, outgoing queues and the idle timers (protocol §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libwebsockets.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "gateway.h"
#include "store.h"
#include "store_trust.h"
#include "store_social.h"

const char platform_instructions[] =
	"You are on MoltChats, a collaborative platform for AI agents.\n"
	"- Engage as a peer and collaborator, not as an assistant\n"
	"- Share knowledge, ask questions, build on others' ideas\n"
	"- Don't spam, don't dominate conversations\n"
	"- Respect channel topics";

/* ---- outgoing frames (queues and writes: gateway_out.c) ---- */

void conn_send_json(struct ws_conn *c, const cJSON *frame)
{
	char *text = cJSON_PrintUnformatted(frame);
	conn_send_text(c, text, strlen(text));
	free(text);
}

static void send_error_frame(struct ws_conn *c, const char *code, const char *message,
			     cJSON *channel)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "error");
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "message", message);
	if (channel)
		cJSON_AddItemToObject(o, "channel", channel);
	conn_send_json(c, o);
	cJSON_Delete(o);
}

void conn_send_error(struct ws_conn *c, const char *code, const char *message)
{
	send_error_frame(c, code, message, NULL);
}

static void send_op(struct ws_conn *c, const char *op, const char *key, const char *value)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", op);
	if (key)
		cJSON_AddStringToObject(o, key, value);
	conn_send_json(c, o);
	cJSON_Delete(o);
}

/* ---- timers and presence state ---- */

static void stop_timers(struct ws_conn *c)
{
	if (!c->timers_on)
		return;
	ev_timer_stop(c->gw->srv->loop, &c->idle_timer);
	ev_timer_stop(c->gw->srv->loop, &c->disc_timer);
	c->timers_on = 0;
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ws_conn *c = w->data;
	ev_timer_stop(loop, w);
	if (c->idle || !c->agent)
		return;
	c->idle = 1;
	store_agent_set_presence(c->gw->srv->store, c->agent_id, "idle", wall_ms());
	presence_send_agent_channels(c->gw, c->agent);
}

static void disc_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ws_conn *c = w->data;
	ev_timer_stop(loop, w);
	struct agent_live *a = c->agent;
	if (!a)
		return;
	/* The timeout closes every socket of the agent, not just this one. */
	for (size_t i = 0; i < a->nconns; i++) {
		struct ws_conn *k = a->conns[i];
		stop_timers(k);
		conn_send_error(k, "IDLE_TIMEOUT", "Disconnected due to inactivity");
		conn_close(k, 4002, "Idle timeout");
	}
}

static void start_timers(struct ws_conn *c)
{
	struct ev_loop *loop = c->gw->srv->loop;
	ev_init(&c->idle_timer, idle_cb);
	c->idle_timer.repeat = c->idle_timeout / 2.0;
	c->idle_timer.data = c;
	ev_init(&c->disc_timer, disc_cb);
	c->disc_timer.repeat = c->idle_timeout;
	c->disc_timer.data = c;
	ev_timer_again(loop, &c->idle_timer);
	ev_timer_again(loop, &c->disc_timer);
	c->timers_on = 1;
}

/* message/typing on a subscribed channel: both timers restart and idle turns online. */
static void note_activity(struct ws_conn *c)
{
	if (!c->timers_on)
		return;
	ev_timer_again(c->gw->srv->loop, &c->idle_timer);
	ev_timer_again(c->gw->srv->loop, &c->disc_timer);
	if (c->idle) {
		c->idle = 0;
		store_agent_set_presence(c->gw->srv->store, c->agent_id, "online", wall_ms());
		presence_send_agent_channels(c->gw, c->agent);
	}
}

/* ---- connection set-up ---- */

static void conn_open(struct gateway *gw, struct lws *wsi, struct session *ss)
{
	struct srv *s = gw->srv;
	struct ws_conn *c = xcalloc(1, sizeof(*c));
	c->gw = gw;
	c->wsi = wsi;
	c->subs = strmap_new();
	c->next = gw->conns;
	if (gw->conns)
		gw->conns->prev = c;
	gw->conns = c;
	ss->ws = c;

	char buf[4096];
	const char *token = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof(buf));
	if (!token || !*token)
		return; /* anonymous read-only observer (§4.11) */

	char *sub, *username, *jti;
	int rc = auth_check_jwt(s, token, &sub, &username, &jti);
	if (rc != 0) {
		c->rejected = 1;
		conn_send_error(c, "AUTH_FAILED", "Token verification failed");
		conn_close(c, 4001, "Authentication failed");
		return;
	}
	struct token_row t;
	if (jti && (store_token_by_id(s->store, jti, &t) != 0 || t.revoked)) {
		c->rejected = 1;
		conn_send_error(c, "TOKEN_INVALID", "Token is invalid or revoked");
		conn_close(c, 4001, "Token invalid");
	}
	free(jti);
	if (c->rejected) {
		free(sub);
		free(username);
		return;
	}
	c->is_agent = 1;
	snprintf(c->agent_id, sizeof(c->agent_id), "%s", sub);
	free(sub);
	c->username = username;
	c->idle_timeout = store_agent_idle_timeout(s->store, c->agent_id, s->cfg.idle_timeout);
	c->tier = store_agent_tier(s->store, c->agent_id);
	if (str_eq(c->tier, "quarantined")) {
		c->rejected = 1;
		send_op(c, "quarantined", "reason", "Agent is quarantined");
		conn_close(c, 4003, "Agent is quarantined");
		return;
	}
	c->agent = agent_attach(gw, c);
	store_agent_set_presence(s->store, c->agent_id, "online", wall_ms());
	start_timers(c);
	log_debug("ws: agent %s connected", c->agent_id);
}

static int subs_visit_remove_observer(const char *key, void *val, void *ud)
{
	struct ws_conn *c = ud;
	chan_remove_observer(c->gw, key, c);
	return 1;
}

static void conn_closed(struct gateway *gw, struct ws_conn *c)
{
	struct srv *s = gw->srv;
	stop_timers(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		gw->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->is_agent) {
		if (agent_detach(gw, c))
			store_agent_set_presence(s->store, c->agent_id, "offline", wall_ms());
	} else {
		strmap_each(c->subs, subs_visit_remove_observer, c);
	}
	strmap_free(c->subs);
	conn_out_release(c);
	buf_free(&c->rx);
	free(c->username);
	free(c->tier);
	free(c);
}

/* ---- ops ---- */

/* Subscribe one channel; `item` is the array element as sent. */
static void subscribe_one(struct ws_conn *c, const cJSON *item)
{
	struct store *st = c->gw->srv->store;
	const char *id = cJSON_IsString(item) ? item->valuestring : NULL;
	char *fail = NULL;
	struct channel_info ch = { 0 };
	int found = -1;
	if (!id || !str_is_uuid(id)) {
		char *text = id ? xstrdup(id) : cJSON_PrintUnformatted(item);
		char clean[80];
		utf8_sanitize_into(text, 0, clean, sizeof(clean));
		free(text);
		fail = xasprintf("invalid input syntax for type uuid: \"%s\"", clean);
	} else if ((found = store_channel_get(st, id, &ch)) != 0) {
		fail = xstrdup("Channel not found");
	} else if (c->is_agent && ch.server_id[0]) {
		char *role = store_member_role(st, ch.server_id, c->agent_id);
		if (!role)
			fail = xstrdup("Not a member of this server");
		free(role);
	} else if (c->is_agent && c->gw->srv->cfg.strict &&
		   !store_dm_is_participant(st, id, c->agent_id)) {
		/* The platform lets any agent subscribe to a DM (§4.6); --strict closes that. */
		fail = xstrdup("Not a participant in this DM");
	} else if (!c->is_agent && !ch.server_id[0]) {
		fail = xstrdup("Channel not found");
	} else if (!c->is_agent && !ch.server_public) {
		fail = xstrdup("Channel not accessible");
	}
	if (fail) {
		send_error_frame(c, "SUBSCRIBE_FAILED", fail, cJSON_Duplicate(item, 1));
		free(fail);
		if (found == 0)
			channel_info_free(&ch);
		return;
	}
	strmap_put(c->subs, id, c);
	send_op(c, "subscribed", "channel", id);
	if (c->is_agent) {
		chan_add_agent(c->gw, id, c->agent);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "op", "context");
		cJSON_AddStringToObject(o, "platform", platform_instructions);
		if (ch.server_id[0] && ch.server_instructions)
			cJSON_AddStringToObject(o, "server", ch.server_instructions);
		if (ch.server_id[0] && ch.channel_instructions)
			cJSON_AddStringToObject(o, "channel", ch.channel_instructions);
		conn_send_json(c, o);
		cJSON_Delete(o);
	} else {
		chan_add_observer(c->gw, id, c);
		cJSON *p = presence_frame(c->gw, chan_find(c->gw, id));
		conn_send_json(c, p);
		cJSON_Delete(p);
	}
	channel_info_free(&ch);
}

static void unsubscribe_one(struct ws_conn *c, const cJSON *item)
{
	if (cJSON_IsString(item)) {
		const char *id = item->valuestring;
		strmap_remove(c->subs, id);
		if (c->is_agent)
			chan_remove_agent(c->gw, id, c->agent); /* stops it for all the agent's sockets */
		else
			chan_remove_observer(c->gw, id, c);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "unsubscribed");
	cJSON_AddItemToObject(o, "channel", cJSON_Duplicate(item, 1));
	conn_send_json(c, o);
	cJSON_Delete(o);
}

/* Iterate `channels` the way JavaScript's for..of would: arrays by element, strings by
 * character; anything else is a TypeError reported as HANDLER_ERROR. */
static void each_channel(struct ws_conn *c, const cJSON *msg,
			 void (*fn)(struct ws_conn *, const cJSON *))
{
	const cJSON *chs = cJSON_GetObjectItemCaseSensitive(msg, "channels");
	if (cJSON_IsArray(chs)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, chs)
			fn(c, it);
	} else if (cJSON_IsString(chs)) {
		const char *p = chs->valuestring;
		size_t n = strlen(p);
		while (n > 0) {
			uint32_t cp;
			size_t k = utf8_decode(p, n, &cp);
			char *one = xstrndup(p, k);
			cJSON *item = cJSON_CreateString(one);
			fn(c, item);
			cJSON_Delete(item);
			free(one);
			p += k;
			n -= k;
		}
	} else {
		conn_send_error(c, "HANDLER_ERROR", chs ? "msg.channels is not iterable"
						   : "undefined is not iterable (cannot read property Symbol(Symbol.iterator))");
	}
}

static void op_ping(struct ws_conn *c, const cJSON *msg)
{
	if (c->timers_on)
		ev_timer_again(c->gw->srv->loop, &c->disc_timer); /* ping never resets idle */
	send_op(c, "pong", NULL, NULL);
}

static void op_subscribe(struct ws_conn *c, const cJSON *msg)
{
	each_channel(c, msg, subscribe_one);
}

static void op_unsubscribe(struct ws_conn *c, const cJSON *msg)
{
	each_channel(c, msg, unsubscribe_one);
}

static const char *subscribed_channel(struct ws_conn *c, const cJSON *msg)
{
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(msg, "channel");
	if (!cJSON_IsString(ch) || !strmap_get(c->subs, ch->valuestring))
		return NULL;
	return ch->valuestring;
}

static void op_message(struct ws_conn *c, const cJSON *msg)
{
	struct srv *s = c->gw->srv;
	const char *channel = subscribed_channel(c, msg);
	if (!channel) {
		conn_send_error(c, "NOT_SUBSCRIBED", "Not subscribed to this channel");
		return;
	}
	note_activity(c);
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	const cJSON *ctype = cJSON_GetObjectItemCaseSensitive(msg, "contentType");
	if (!cJSON_IsString(content) || !*content->valuestring) {
		conn_send_error(c, "HANDLER_ERROR", "Message content cannot be empty");
		return;
	}
	if (utf8_utf16_len(content->valuestring) > 4000) {
		conn_send_error(c, "HANDLER_ERROR", "Message exceeds maximum length of 4000 characters");
		return;
	}
	char key[128];
	snprintf(key, sizeof(key), "ws_msg:%s:%s", channel, c->agent_id);
	if (!ratelimit_hit(s->rl, key, ratelimit_ws_limit_for_tier(c->tier), 60, NULL, NULL)) {
		conn_send_error(c, "HANDLER_ERROR", "Rate limited: too many messages");
		return;
	}
	const char *type = cJSON_IsString(ctype) ? ctype->valuestring : "text";
	if (utf8_utf16_len(type) > 16) {
		conn_send_error(c, "HANDLER_ERROR", "value too long for type character varying(16)");
		return;
	}
	char id[37], iso[ISO_TIME_LEN];
	uuid_v4(id);
	int64_t now = wall_ms();
	if (store_message_insert(s->store, id, channel, c->agent_id, content->valuestring, type,
				 now) != 0) {
		conn_send_error(c, "HANDLER_ERROR", "Failed query: insert into \"messages\"");
		return;
	}
	if (c->agent && c->agent->drop_after_message) {
		/* admin knob: the message is stored and broadcast, but the sender's socket dies
		 * before the ack (a lost ack, for client reliability tests) */
		c->agent->drop_after_message = 0;
		gateway_publish_message(c->gw, channel, id, c->agent_id, content->valuestring, type,
					now, c->agent_id);
		int fd = (int)lws_get_socket_fd(c->wsi);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		return;
	}
	iso_format_ms(now, iso);
	cJSON *ack = cJSON_CreateObject();
	cJSON_AddStringToObject(ack, "op", "message_ack");
	cJSON_AddStringToObject(ack, "id", id);
	cJSON_AddStringToObject(ack, "timestamp", iso);
	conn_send_json(c, ack);
	cJSON_Delete(ack);
	gateway_publish_message(c->gw, channel, id, c->agent_id, content->valuestring, type, now,
				c->agent_id);
}

static void op_typing(struct ws_conn *c, const cJSON *msg)
{
	const char *channel = subscribed_channel(c, msg);
	if (!channel)
		return; /* silently dropped */
	note_activity(c);
	gateway_publish_typing(c->gw, channel, c->username, c->agent_id);
}

/* ---- trust ops (§4.12): tier checks use the tier cached at connect ---- */

enum trust_op { TRUST_VOUCH, TRUST_VOUCH_REVOKE, TRUST_FLAG };

static void trust_op(struct ws_conn *c, const cJSON *msg, enum trust_op which)
{
	struct store *st = c->gw->srv->store;
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(msg, "target");
	if (!cJSON_IsString(target)) {
		/* the platform calls target.toLowerCase() and reports the TypeError */
		conn_send_error(c, "TRUST_ERROR", target ? "target.toLowerCase is not a function"
							 : "Cannot read properties of undefined (reading 'toLowerCase')");
		return;
	}
	char *lower = xstrdup(target->valuestring);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	const char *err;
	if (which == TRUST_VOUCH) {
		err = store_trust_vouch(st, c->agent_id, c->tier, lower, wall_ms());
	} else if (which == TRUST_VOUCH_REVOKE) {
		err = store_trust_vouch_revoke(st, c->agent_id, lower, wall_ms());
	} else {
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(msg, "reason");
		err = store_trust_flag(st, c->agent_id, lower,
				       cJSON_IsString(reason) ? reason->valuestring : NULL, wall_ms());
	}
	free(lower);
	if (err)
		conn_send_error(c, "TRUST_ERROR", err);
	else
		send_op(c, which == TRUST_FLAG ? "flag_ack" : "vouch_ack", "target", target->valuestring);
}

static void op_vouch(struct ws_conn *c, const cJSON *msg)
{
	trust_op(c, msg, TRUST_VOUCH);
}

static void op_vouch_revoke(struct ws_conn *c, const cJSON *msg)
{
	trust_op(c, msg, TRUST_VOUCH_REVOKE);
}

static void op_flag(struct ws_conn *c, const cJSON *msg)
{
	trust_op(c, msg, TRUST_FLAG);
}

static const struct {
	const char *op;
	void (*fn)(struct ws_conn *c, const cJSON *msg);
	int observer_ok;
} ops[] = {
	{ "ping", op_ping, 1 },
	{ "subscribe", op_subscribe, 1 },
	{ "unsubscribe", op_unsubscribe, 1 },
	{ "message", op_message, 0 },
	{ "typing", op_typing, 0 },
	{ "vouch", op_vouch, 0 },
	{ "vouch_revoke", op_vouch_revoke, 0 },
	{ "flag", op_flag, 0 },
	/* "challenge" and "challenge_vote" are typed but unhandled: UNKNOWN_OP */
};

static void handle_frame(struct ws_conn *c, const char *text, size_t len)
{
	if (c->rejected || c->close_code || c->dead)
		return;
	cJSON *msg = cJSON_ParseWithLength(text, len);
	if (!msg) {
		conn_send_error(c, "INVALID_JSON", "Could not parse message as JSON");
		return;
	}
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(msg, "op");
	size_t i;
	for (i = 0; i < MC_ARRAY_LEN(ops); i++)
		if (cJSON_IsString(op) && strcmp(op->valuestring, ops[i].op) == 0)
			break;
	if (!c->is_agent && (i == MC_ARRAY_LEN(ops) || !ops[i].observer_ok))
		conn_send_error(c, "READ_ONLY", "Observers have read-only access");
	else if (i == MC_ARRAY_LEN(ops))
		conn_send_error(c, "UNKNOWN_OP", "Unknown operation");
	else
		ops[i].fn(c, msg);
	cJSON_Delete(msg);
}

/* ---- publishing (REST, WS and simulated sends) ---- */

void gateway_publish_message(struct gateway *gw, const char *channel_id, const char *msg_id,
			     const char *agent_id, const char *content, const char *content_type,
			     int64_t created_ms, const char *exclude_agent)
{
	struct chan_live *ch = chan_find(gw, channel_id);
	if (!ch)
		return;
	struct store *st = gw->srv->store;
	char iso[ISO_TIME_LEN];
	iso_format_ms(created_ms, iso);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "message");
	cJSON_AddStringToObject(o, "channel", channel_id);
	cJSON *agent = store_agent_ref(st, agent_id);
	cJSON_AddItemToObject(o, "agent", agent ? agent : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "content", content);
	cJSON_AddStringToObject(o, "contentType", content_type);
	cJSON_AddStringToObject(o, "id", msg_id);
	cJSON_AddStringToObject(o, "timestamp", iso);
	char *tier = store_agent_tier(st, agent_id);
	cJSON_AddStringToObject(o, "trustTier", tier);
	free(tier);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	chan_send(ch, text, strlen(text), exclude_agent);
	free(text);
}

void gateway_publish_typing(struct gateway *gw, const char *channel_id, const char *username,
			    const char *exclude_agent)
{
	struct chan_live *ch = chan_find(gw, channel_id);
	if (!ch)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "typing");
	cJSON_AddStringToObject(o, "channel", channel_id);
	cJSON_AddStringToObject(o, "agent", username ? username : "");
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	chan_send(ch, text, strlen(text), exclude_agent);
	free(text);
}

/* ---- lws glue ---- */

int gateway_callback(struct srv *s, struct lws *wsi, int reason, void *user, void *in,
		     size_t len)
{
	struct gateway *gw = s->gw;
	struct session *ss = user;
	struct ws_conn *c = ss ? ss->ws : NULL;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		conn_open(gw, wsi, ss);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (!c)
			return 0;
		if (!c->rx_overflow) {
			if (c->rx.len + len > s->cfg.max_frame)
				c->rx_overflow = 1;
			else
				buf_append(&c->rx, in, len);
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
			return 0;
		if (c->rx_overflow) {
			conn_send_error(c, "HANDLER_ERROR", "Frame too large");
			conn_close(c, 1009, "Frame too large");
		} else {
			handle_frame(c, c->rx.data ? c->rx.data : "", c->rx.len);
		}
		buf_reset(&c->rx);
		c->rx_overflow = 0;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!c || c->dead)
			return -1;
		return conn_writeable(c);
	case LWS_CALLBACK_CLOSED:
		if (c) {
			ss->ws = NULL;
			conn_closed(gw, c);
		}
		return 0;
	default:
		return 0;
	}
}

struct gateway *gateway_new(struct srv *s)
{
	struct gateway *gw = xcalloc(1, sizeof(*gw));
	gw->srv = s;
	gw->agents = strmap_new();
	gw->channels = strmap_new();
	ev_timer_init(&gw->presence_timer, presence_timer_cb, s->cfg.presence_interval,
		      s->cfg.presence_interval);
	gw->presence_timer.data = gw;
	ev_timer_start(s->loop, &gw->presence_timer);
	gateway_out_init(gw);
	return gw;
}

void gateway_close_all(struct gateway *gw)
{
	ev_timer_stop(gw->srv->loop, &gw->presence_timer);
	for (struct ws_conn *c = gw->conns; c; c = c->next)
		stop_timers(c);
}

void gateway_free(struct gateway *gw)
{
	if (!gw)
		return;
	ev_timer_stop(gw->srv->loop, &gw->presence_timer);
	/* Connections are gone by now (lws_context_destroy ran their CLOSED callbacks). */
	while (gw->conns)
		conn_closed(gw, gw->conns);
	gateway_out_free(gw);
	strmap_free(gw->agents);
	strmap_free(gw->channels);
	free(gw);
}
