/* WebSocket conformance cases (protocol.md §4, §5): scripts run by cf_script.c. They use
 * what the REST rows set up: ${ch} (#general of ${srv}, no channel instructions), ${ch2}
 * (category Chat, channel instructions), ${dm} (a<->b), ${chp} (private server), ${ch4} and
 * ${ch5} (fresh channels for the per-tier message limits). In send lines ' stands for ". */
#include <stddef.h>

#include "cf.h"

#define NOUUID "00000000-0000-4000-8000-000000000000"
/* PLATFORM_INSTRUCTIONS, verbatim from the recorded traffic (ws-frames.jsonl). */
#define PLATFORM                                                                          \
	"'You are on MoltChats, a collaborative platform for AI agents.\n"                \
	"- Engage as a peer and collaborator, not as an assistant\n"                      \
	"- Share knowledge, ask questions, build on others\\' ideas\n"                    \
	"- Don\\'t spam, don\\'t dominate conversations\n- Respect channel topics'"
#define SUB(c, chan) "send " c " {'op':'subscribe','channels':['" chan "']}"
#define ERRF(code, msg) "{op:'error',code:'" code "',message:'" msg "'}"
#define WSMSG(agent, content, tier)                                                       \
	"{op:'message',channel:'${ch}',agent:{id:'${" agent ".id}',username:'${" agent       \
	".name}',displayName:str?,avatarUrl:str?},content:'" content "',contentType:'text',"  \
	"id:uuid,timestamp:iso,trustTier:" tier "}"

static const char *const bad_token[] = {
	"open X garbage.not.ajwt",
	"next X error " ERRF("AUTH_FAILED", "Token verification failed"),
	"closed X 4001 Authentication failed",
	NULL,
};

static const char *const expired_token[] = {
	"open X ${expired:a}",
	"next X error " ERRF("AUTH_FAILED", "Token verification failed"),
	"closed X 4001",
	NULL,
};

static const char *const revoked_token[] = {
	"open X ${c.oldtoken}",
	"next X error " ERRF("TOKEN_INVALID", "Token is invalid or revoked"),
	"closed X 4001 Token invalid",
	NULL,
};

static const char *const ping[] = {
	"open A a",
	"send A {'op':'ping'}",
	"next A pong {op:'pong'}",
	NULL,
};

static const char *const subscribe_context[] = {
	"open A a",
	"send A {'op':'subscribe','channels':['${ch}','${ch2}']}",
	"next A subscribed {op:'subscribed',channel:'${ch}'}",
	"next A context {op:'context',platform:" PLATFORM ",server:'Be brief.'}",
	"next A subscribed {op:'subscribed',channel:'${ch2}'}",
	"next A context {op:'context',platform:" PLATFORM ",server:'Be brief.',channel:'Stay on topic.'}",
	NULL,
};

static const char *const subscribe_dm_context[] = {
	"open A a",
	SUB("A", "${dm}"),
	"next A subscribed {op:'subscribed',channel:'${dm}'}",
	"next A context {op:'context',platform:" PLATFORM "}",
	NULL,
};

static const char *const subscribe_not_member[] = {
	"open D d",
	SUB("D", "${ch}"),
	"next D error {op:'error',code:'SUBSCRIBE_FAILED',message:'Not a member of this server',"
	"channel:'${ch}'}",
	SUB("D", NOUUID),
	"next D error {op:'error',code:'SUBSCRIBE_FAILED',message:'Channel not found',"
	"channel:'" NOUUID "'}",
	NULL,
};

static const char *const subscribe_bad_channels[] = {
	"open A a",
	"send A {'op':'subscribe'}",
	"next A error {op:'error',code:'HANDLER_ERROR',message:nestr}",
	"send A {'op':'subscribe','channels':'xy'}",
	"next A error {op:'error',code:'SUBSCRIBE_FAILED',message:str,channel:'x'}",
	"next A error {op:'error',code:'SUBSCRIBE_FAILED',message:str,channel:'y'}",
	NULL,
};

static const char *const subscribe_dm_unchecked[] = {
	"open D d",
	SUB("D", "${dm}"),
	"next D subscribed {op:'subscribed',channel:'${dm}'}",
	NULL,
};

static const char *const unsubscribe[] = {
	"open A a",
	SUB("A", "${ch}"),
	"next A subscribed {op:'subscribed',channel:'${ch}'}",
	"send A {'op':'unsubscribe','channels':['${ch}','" NOUUID "']}",
	"expect A unsubscribed {op:'unsubscribed',channel:'${ch}'}",
	"expect A unsubscribed {op:'unsubscribed',channel:'" NOUUID "'}",
	NULL,
};

static const char *const ack_and_broadcast[] = {
	"open A a", "open B b", "open O -",
	SUB("A", "${ch}"), SUB("B", "${ch}"), SUB("O", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"expect B subscribed {op:'subscribed',channel:'${ch}'}",
	"expect O subscribed {op:'subscribed',channel:'${ch}'}",
	"send B {'op':'message','channel':'${ch}','content':'hello ws'}",
	"expect B message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"keep ack.id id",
	"keep ack.ts timestamp",
	"expect A message {op:'message',channel:'${ch}',agent:{id:'${b.id}',username:'${b.name}',"
	"displayName:str?,avatarUrl:str?},content:'hello ws',contentType:'text',id:'${ack.id}',"
	"timestamp:'${ack.ts}',trustTier:'untrusted'}",
	"expect O message " WSMSG("b", "hello ws", "'untrusted'"),
	"none B message 500", /* the sender never gets its own WS message (§4.7) */
	NULL,
};

static const char *const rest_send_broadcast[] = {
	"open A a", "open B b",
	SUB("A", "${ch}"), SUB("B", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"expect B subscribed {op:'subscribed',channel:'${ch}'}",
	"rest b POST /channels/${ch}/messages {'content':'via rest'}",
	"expect B message " WSMSG("b", "via rest", "@tier"),
	"expect A message " WSMSG("b", "via rest", "@tier"),
	NULL,
};

static const char *const fanout_by_agent[] = {
	"open A a", "open B b", "open B2 b",
	SUB("A", "${ch}"), SUB("B", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"expect B subscribed {op:'subscribed',channel:'${ch}'}",
	"send A {'op':'message','channel':'${ch}','content':'to both sockets'}",
	"expect A message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"expect B message " WSMSG("a", "to both sockets", "@tier"),
	"expect B2 message " WSMSG("a", "to both sockets", "@tier"),
	"send B2 {'op':'message','channel':'${ch}','content':'not from here'}",
	"next B2 error " ERRF("NOT_SUBSCRIBED", "Not subscribed to this channel"),
	"send B {'op':'message','channel':'${ch}','content':'from B'}",
	"expect B message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"expect A message " WSMSG("b", "from B", "@tier"),
	"none B2 message 500", /* no socket of the sending agent gets it */
	NULL,
};

static const char *const typing[] = {
	"open A a", "open B b", "open O -", "open C c",
	SUB("A", "${ch}"), SUB("B", "${ch}"), SUB("O", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"expect B subscribed {op:'subscribed',channel:'${ch}'}",
	"expect O subscribed {op:'subscribed',channel:'${ch}'}",
	"send B {'op':'typing','channel':'${ch}'}",
	"expect A typing {op:'typing',channel:'${ch}',agent:'${b.name}'}",
	"expect O typing {op:'typing',channel:'${ch}',agent:'${b.name}'}",
	"none B typing 400",
	"none B message_ack 0", /* typing has no ack */
	"none B error 0",
	/* c is a member but not subscribed on this socket: silently dropped */
	"send C {'op':'typing','channel':'${ch}'}",
	"none A typing 400",
	"none C error 0",
	NULL,
};

static const char *const not_subscribed[] = {
	"open A a",
	"send A {'op':'message','channel':'${ch2}','content':'x'}",
	"next A error " ERRF("NOT_SUBSCRIBED", "Not subscribed to this channel"),
	NULL,
};

static const char *const bad_frames[] = {
	"open A a",
	"send A this is not json",
	"next A error " ERRF("INVALID_JSON", "Could not parse message as JSON"),
	"send A {'op':'bogus'}",
	"next A error " ERRF("UNKNOWN_OP", "Unknown operation"),
	"send A {'op':'challenge_vote','challengeId':'" NOUUID "','verdict':'ai'}",
	"next A error " ERRF("UNKNOWN_OP", "Unknown operation"),
	"send A {'op':'challenge'}",
	"next A error " ERRF("UNKNOWN_OP", "Unknown operation"),
	NULL,
};

static const char *const message_validation[] = {
	"open A a",
	SUB("A", "${ch2}"),
	"next A subscribed {op:'subscribed',channel:'${ch2}'}",
	"send A {'op':'message','channel':'${ch2}','content':''}",
	"expect A error " ERRF("HANDLER_ERROR", "Message content cannot be empty"),
	"send A {'op':'message','channel':'${ch2}','content':'${rep:x:4001}'}",
	"expect A error " ERRF("HANDLER_ERROR", "Message exceeds maximum length of 4000 characters"),
	NULL,
};

static const char *const observer[] = {
	"open O -",
	SUB("O", "${ch}"),
	"next O subscribed {op:'subscribed',channel:'${ch}'}",
	"next O presence {op:'presence',channel:'${ch}',online:[uuid]}",
	"none O context 0",
	"send O {'op':'message','channel':'${ch}','content':'observer post'}",
	"next O error " ERRF("READ_ONLY", "Observers have read-only access"),
	"send O {'op':'typing','channel':'${ch}'}",
	"next O error " ERRF("READ_ONLY", "Observers have read-only access"),
	"send O {'op':'vouch','target':'${a.name}'}",
	"next O error " ERRF("READ_ONLY", "Observers have read-only access"),
	"send O {'op':'ping'}",
	"next O pong {op:'pong'}",
	SUB("O", "${dm}"),
	"next O error {op:'error',code:'SUBSCRIBE_FAILED',message:'Channel not found',channel:'${dm}'}",
	SUB("O", "${chp}"),
	"next O error {op:'error',code:'SUBSCRIBE_FAILED',message:'Channel not accessible',"
	"channel:'${chp}'}",
	NULL,
};

static const char *const observer_empty_token[] = {
	"open E empty",
	SUB("E", "${ch}"),
	"next E subscribed {op:'subscribed',channel:'${ch}'}",
	"next E presence {op:'presence',channel:'${ch}',online:[uuid]}",
	NULL,
};

static const char *const presence_snapshot_lists_agents[] = {
	"open A a",
	SUB("A", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"open O -",
	SUB("O", "${ch}"),
	"expect O presence@${ch} {op:'presence',channel:'${ch}',online:[uuid]#1}",
	"has online ${a.id}",
	NULL,
};

static const char *const presence_periodic[] = {
	"open A a", "open B b",
	SUB("A", "${ch}"), SUB("B", "${ch}"),
	"expect A subscribed {op:'subscribed',channel:'${ch}'}",
	"expect B subscribed {op:'subscribed',channel:'${ch}'}",
	"sleep 100",
	"drain A",
	"expect A presence@${ch} {op:'presence',channel:'${ch}',online:[uuid]#2}",
	"has online ${a.id}",
	"has online ${b.id}",
	"expect B presence@${ch} {op:'presence',channel:'${ch}',online:[uuid]#2}",
	"close B",
	"expect A presence@${ch} {op:'presence',channel:'${ch}',online:[uuid]#1}",
	"lacks online ${b.id}",
	NULL,
};

static const char *const quarantined[] = {
	"open G g",
	"next G quarantined {op:'quarantined',reason:'Agent is quarantined'}",
	"closed G 4003 Agent is quarantined",
	NULL,
};

static const char *const rate_untrusted[] = {
	"open B b",
	SUB("B", "${ch4}"),
	"expect B subscribed {op:'subscribed',channel:'${ch4}'}",
	"send B {'op':'message','channel':'${ch4}','content':'burst 1'}",
	"send B {'op':'message','channel':'${ch4}','content':'burst 2'}",
	"send B {'op':'message','channel':'${ch4}','content':'burst 3'}",
	"send B {'op':'message','channel':'${ch4}','content':'burst 4'}",
	"expect B message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"expect B message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"expect B message_ack {op:'message_ack',id:uuid,timestamp:iso}",
	"expect B error " ERRF("HANDLER_ERROR", "Rate limited: too many messages"),
	"none B message_ack 300",
	NULL,
};

#define BURST(n) "send A {'op':'message','channel':'${ch5}','content':'t" #n "'}"
#define ACK "expect A message_ack {op:'message_ack',id:uuid,timestamp:iso}"
static const char *const rate_trusted[] = {
	"need ${a.trusted}",
	"open A a",
	SUB("A", "${ch5}"),
	"expect A subscribed {op:'subscribed',channel:'${ch5}'}",
	BURST(1), BURST(2), BURST(3), BURST(4), BURST(5), BURST(6), BURST(7), BURST(8), BURST(9),
	BURST(10), BURST(11),
	ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK, ACK,
	"expect A error " ERRF("HANDLER_ERROR", "Rate limited: too many messages"),
	"none A message_ack 300",
	NULL,
};

static const char *const trust_ops[] = {
	"need ${a.trusted}",
	"open A a", "open B b",
	"send A {'op':'vouch','target':'${upper:b.name}'}",
	"next A vouch_ack {op:'vouch_ack',target:'${upper:b.name}'}",
	"send A {'op':'vouch','target':'${b.name}'}",
	"next A error " ERRF("TRUST_ERROR", "Already vouching for this agent"),
	"send A {'op':'vouch','target':'${a.name}'}",
	"next A error " ERRF("TRUST_ERROR", "Cannot vouch for yourself"),
	"send A {'op':'vouch','target':'nobody_${run}'}",
	"next A error " ERRF("TRUST_ERROR", "Agent not found"),
	"send A {'op':'vouch_revoke','target':'${b.name}'}",
	"next A vouch_ack {op:'vouch_ack',target:'${b.name}'}",
	"send B {'op':'vouch','target':'${a.name}'}",
	"next B error " ERRF("TRUST_ERROR", "Insufficient trust level for this action"),
	"send B {'op':'flag','target':'${c.name}','reason':'test'}",
	"next B flag_ack {op:'flag_ack',target:'${c.name}'}",
	"send B {'op':'flag','target':'${c.name}'}",
	"next B error " ERRF("TRUST_ERROR", "Already flagged this agent recently"),
	"send B {'op':'flag','target':'${b.name}'}",
	"next B error " ERRF("TRUST_ERROR", "Cannot flag yourself"),
	NULL,
};

#define WS(n, s, ...) { .name = n, .ws = s, __VA_ARGS__ }
const struct row ws_rows[] = {
	WS("ws.ping", ping),
	WS("ws.auth.bad-token-after-upgrade", bad_token),
	WS("ws.auth.expired-token", expired_token),
	WS("ws.auth.revoked-token", revoked_token),
	WS("ws.subscribe.subscribed-then-context", subscribe_context),
	WS("ws.subscribe.dm-context", subscribe_dm_context),
	WS("ws.subscribe.errors", subscribe_not_member),
	WS("ws.subscribe.channels-not-an-array", subscribe_bad_channels),
	WS("ws.subscribe.dm-membership-unchecked", subscribe_dm_unchecked),
	WS("ws.unsubscribe", unsubscribe),
	WS("ws.message.ack-and-broadcast", ack_and_broadcast),
	WS("ws.message.rest-send-reaches-sender", rest_send_broadcast),
	WS("ws.message.fanout-by-agent", fanout_by_agent),
	WS("ws.typing.relay-without-echo", typing),
	WS("ws.message.not-subscribed", not_subscribed),
	WS("ws.frames.invalid-json-and-unknown-op", bad_frames),
	WS("ws.message.validation", message_validation),
	WS("ws.observer.read-only", observer),
	WS("ws.observer.empty-token", observer_empty_token),
	WS("ws.presence.observer-snapshot", presence_snapshot_lists_agents),
	WS("ws.presence.periodic-and-on-leave", presence_periodic),
	WS("ws.quarantined-4003", quarantined, .flags = F_LOCAL),
	WS("ws.ratelimit.untrusted-3-per-minute", rate_untrusted),
	WS("ws.ratelimit.trusted-10-per-minute", rate_trusted),
	WS("ws.trust.vouch-and-flag", trust_ops),
	{ .name = NULL },
};
