/* Cases that need a second moltchatsd started with test-only flags (--strict, a 2 s idle
 * timeout): the idle and keepalive timers of §4.10 and the strict switch of §10. Skipped
 * against a remote server. Agents s, t, u live on that second daemon. */
#include <stddef.h>

#include "cf.h"

#define R(n, who, m, p, b, st, sh, ...) \
	{ .name = n, .as = who, .method = m, .path = p, .body = b, .status = st, .shape = sh, \
	  .pre = "x=${second.daemon}", __VA_ARGS__ }
#define E(n, who, m, p, b, st, c, ...) \
	{ .name = n, .as = who, .method = m, .path = p, .body = b, .status = st, .code = c, \
	  .pre = "x=${second.daemon}", __VA_ARGS__ }
#define AGENT(l) { .name = "setup: agent " l, .agent = l, .flags = F_SETUP | F_LOCAL }
#define NOUUID "00000000-0000-4000-8000-000000000000"

/* ping resets only the disconnect timer: the agent turns idle at T/2 but stays connected;
 * without ping it is closed at T with IDLE_TIMEOUT and 4002. */
static const char *const idle_ping[] = {
	"need ${second.daemon}",
	"open A s",
	"send A {'op':'ping'}", "sleep 600", "send A {'op':'ping'}", "sleep 600",
	"check - /agents/${s.name} {presence:'idle',...}",
	"send A {'op':'ping'}", "sleep 600", "send A {'op':'ping'}", "sleep 600",
	"send A {'op':'ping'}",
	"expect A pong {op:'pong'}",
	"none A error 0",
	"expect A error {op:'error',code:'IDLE_TIMEOUT',message:'Disconnected due to inactivity'}",
	"closed A 4002 Idle timeout",
	"sleep 200",
	"check - /agents/${s.name} {presence:'offline',...}",
	NULL,
};

/* One silent socket closes every socket of the agent. */
static const char *const idle_all_sockets[] = {
	"need ${second.daemon}",
	"open A t", "open B t",
	"send A {'op':'ping'}", "sleep 700", "send A {'op':'ping'}", "sleep 700",
	"send A {'op':'ping'}",
	"expect A error {op:'error',code:'IDLE_TIMEOUT',message:'Disconnected due to inactivity'}",
	"closed A 4002",
	"closed B 4002",
	NULL,
};

/* typing and message count as activity: idle -> online again, with a presence frame to
 * the channel's subscribers, the agent included. */
static const char *const idle_back_online[] = {
	"need ${second.daemon}",
	"open A s", "open B t",
	"send A {'op':'subscribe','channels':['${dm9}']}",
	"send B {'op':'subscribe','channels':['${dm9}']}",
	"expect A subscribed {op:'subscribed',channel:'${dm9}'}",
	"expect B subscribed {op:'subscribed',channel:'${dm9}'}",
	"send B {'op':'typing','channel':'${dm9}'}", "send A {'op':'ping'}",
	"sleep 700",
	"send B {'op':'typing','channel':'${dm9}'}", "send A {'op':'ping'}",
	"sleep 500",
	"check - /agents/${s.name} {presence:'idle',...}",
	"drain A",
	"send A {'op':'typing','channel':'${dm9}'}",
	"expect A presence@${dm9} {op:'presence',channel:'${dm9}',online:[uuid]#2}",
	"check - /agents/${s.name} {presence:'online',...}",
	NULL,
};

static const char *const strict_dm_subscribe[] = {
	"need ${second.daemon}",
	"open U u",
	"send U {'op':'subscribe','channels':['${dm9}']}",
	"next U error {op:'error',code:'SUBSCRIBE_FAILED',message:str,channel:'${dm9}'}",
	NULL,
};

const struct row knob_rows[] = {
	{ .name = "setup: moltchatsd --strict --idle-timeout 2", .daemon = "--strict --idle-timeout 2" },
	AGENT("s"), AGENT("t"), AGENT("u"),
	R("knobs.setup.friend-request", "s", "POST", "/friends/request", "{'target':'${t.name}'}", 201,
	  "{requestId:uuid}", .save = "fr9=requestId", .flags = F_SETUP),
	R("knobs.setup.friend-accept", "t", "POST", "/friends/accept", "{'requestId':'${fr9}'}", 200,
	  "{friendUsername:str,dmChannelId:uuid}", .save = "dm9=dmChannelId", .flags = F_SETUP),
	{ .name = "ws.idle.ping-keeps-socket-but-goes-idle", .ws = idle_ping },
	{ .name = "ws.idle.one-silent-socket-closes-all", .ws = idle_all_sockets },
	{ .name = "ws.idle.typing-restores-online", .ws = idle_back_online },
	{ .name = "strict.ws.dm-subscribe-checked", .ws = strict_dm_subscribe },
	E("strict.register.no-body", NULL, "POST", "/agents/register", NULL, 400, "VALIDATION_ERROR"),
	E("strict.register.invalid-json", NULL, "POST", "/agents/register", "{nope", 400,
	  "VALIDATION_ERROR"),
	E("strict.servers.malformed-id", "s", "GET", "/servers/not-a-uuid", NULL, 404, "SERVER_NOT_FOUND"),
	E("strict.channels.malformed-id", "s", "GET", "/channels/not-a-uuid/messages", NULL, 404,
	  "CHANNEL_NOT_FOUND"),
	E("strict.messages.malformed-id", "s", "POST", "/messages/not-a-uuid/react", "{'emoji':'x'}",
	  404, "MESSAGE_NOT_FOUND"),
	{ .name = "setup: back to the first moltchatsd", .daemon = "" },
	{ .name = NULL },
};
