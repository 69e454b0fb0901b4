/* Limits and knobs that need more set-up than the main tables: discovery ordering and paging
 * (§3.6), the channel cap (§3.7), auto-ban at the report threshold (§3.9), the admin socket's
 * inject/drop/stats knobs, and, on a second moltchatsd, the registration limit (§2.2, §5) and
 * a short --jwt-lifetime (§2.6, §2.7, §4.2). Every case needs a knob (trusted owners through
 * set_tier, or a second daemon), so all are skipped against a remote server. Agents: f owns
 * the servers here, h j k m fill the listing (h is also the auto-ban target and the knob
 * agent), b c d (from cases_rest.c) join and report; v lives on the second daemon. */
#include <stddef.h>

#include "cf.h"

#define R(n, who, m, p, b, st, sh, ...) \
	{ .name = n, .as = who, .method = m, .path = p, .body = b, .status = st, .shape = sh, __VA_ARGS__ }
#define E(n, who, m, p, b, st, c, ...) \
	{ .name = n, .as = who, .method = m, .path = p, .body = b, .status = st, .code = c, __VA_ARGS__ }
#define AGENT(l) { .name = "setup: agent " l, .agent = l, .flags = F_SETUP | F_LOCAL }
#define TRUSTED(l) { .name = "setup: " l " trusted", .flags = F_SETUP, \
	.admin = "{'cmd':'set_tier','username':'${" l ".name}','tier':'trusted'}", \
	.save = l ".trusted=1" }
/* A server of f's; the rate-limit headers of POST /servers are checked elsewhere. */
#define FSERVER(n, body, var) \
	R(n, "f", "POST", "/servers", body, 201, "{server:@server}", .save = var "=server.id", \
	  .pre = "x=${f.trusted}", .flags = F_SETUP | F_RL_ANY)
#define JOIN(who, srv) \
	R("setup: " who " joins " srv, who, "POST", "/servers/${" srv "}/join", NULL, 201, "{ok:true}", \
	  .flags = F_SETUP)
/* Discovery restricted to this run's servers: "Q<run> s" are the three sort servers. */
#define SORTED "/servers?search=Q${run}%20s"
#define ONE(sort, off, var, name) \
	R(name, "b", "GET", SORTED sort "&limit=1&offset=" #off, NULL, 200, \
	  "{servers:[{id:'${" var "}',...}]#1}")

/* createdAt has millisecond resolution: keep the `new` order free of ties. */
static const char *const tick[] = { "sleep 5", NULL };

static const char *const knob_inject_drop_stats[] = {
	"need ${h.trusted}",
	"open A h", "open B h", "open O -",
	"admin {'cmd':'stats'} {ok:true,agentConnections:2,observerConnections:1,agentsOnline:1,"
	"channelsWithSubscribers:int}",
	/* The frame goes out as given (here an op no server sends), to every socket. */
	"admin {'cmd':'inject','username':'${h.name}','frame':'{\\'op\\':\\'cf_injected\\',"
	"\\'seq\\':7}'} {ok:true,sent:2}",
	"next A cf_injected {op:'cf_injected',seq:7}",
	"next B cf_injected {op:'cf_injected',seq:7}",
	"none O cf_injected 100",
	/* drop: no close frame, the client sees the connection end (1006). */
	"admin {'cmd':'drop','username':'${h.name}'} {ok:true,dropped:2}",
	"closed A 1006",
	"closed B 1006",
	"sleep 200",
	"admin {'cmd':'stats'} {ok:true,agentConnections:0,observerConnections:1,agentsOnline:0,"
	"channelsWithSubscribers:int}",
	"check - /agents/${h.name} {presence:'offline',...}",
	"admin {'cmd':'inject','username':'${h.name}','frame':'x'} {ok:true,sent:0}",
	NULL,
};

const struct row limit_rows[] = {
	AGENT("f"), AGENT("h"), AGENT("j"), AGENT("k"), AGENT("m"),
	TRUSTED("f"), TRUSTED("h"), TRUSTED("j"), TRUSTED("k"), TRUSTED("m"),

	/* ---- §3.6 GET /servers sort: X has 3 members, Y 2, Z 1; created X, Y, Z. */
	FSERVER("setup: server X", "{'name':'Q${run} sX','tags':['t${run}']}", "fx"),
	JOIN("b", "fx"), JOIN("c", "fx"),
	{ .name = "setup: tick", .ws = tick, .flags = F_SETUP | F_LOCAL },
	FSERVER("setup: server Y", "{'name':'Q${run} sY'}", "fy"),
	JOIN("b", "fy"),
	{ .name = "setup: tick", .ws = tick, .flags = F_SETUP | F_LOCAL },
	FSERVER("setup: server Z", "{'name':'Q${run} sZ','tags':['t${run}']}", "fz"),
	R("servers.list.sort-new.all", "b", "GET", SORTED "&sort=new", NULL, 200,
	  "{servers:[@server_listed]#3}", .pre = "x=${fz}"),
	ONE("", 0, "fx", "servers.list.sort-default-popular.1st"),
	ONE("&sort=popular", 0, "fx", "servers.list.sort-popular.1st"),
	ONE("&sort=popular", 1, "fy", "servers.list.sort-popular.2nd"),
	ONE("&sort=popular", 2, "fz", "servers.list.sort-popular.3rd"),
	ONE("&sort=new", 0, "fz", "servers.list.sort-new.1st"),
	ONE("&sort=new", 1, "fy", "servers.list.sort-new.2nd"),
	ONE("&sort=new", 2, "fx", "servers.list.sort-new.3rd"),
	/* All three are younger than an hour: hot divides by 1, so it orders like popular. */
	ONE("&sort=hot", 0, "fx", "servers.list.sort-hot.1st"),
	ONE("&sort=hot", 2, "fz", "servers.list.sort-hot.3rd"),
	ONE("&sort=bogus", 0, "fx", "servers.list.sort-unknown-is-popular"),
	R("servers.list.offset-garbage-is-0", "b", "GET", SORTED "&limit=1&offset=abc", NULL, 200,
	  "{servers:[{id:'${fx}',...}]#1}"),
	/* §3.6: tag is applied after limit/offset. Popular order X(tag) Y Z(tag). */
	R("servers.list.tag", "b", "GET", SORTED "&tag=t${run}", NULL, 200,
	  "{servers:[{id:'${fx}'|'${fz}',tags:['t${run}']#1,...}]#2}"),
	R("servers.list.tag-after-limit.short-page", "b", "GET", SORTED "&tag=t${run}&limit=2", NULL,
	  200, "{servers:[{id:'${fx}',...}]#1}"),
	R("servers.list.tag-after-offset.empty-page", "b", "GET",
	  SORTED "&tag=t${run}&limit=1&offset=1", NULL, 200, "{servers:[any]#0}", .pre = "x=${fx}"),

	/* ---- §3.6 limit: default 20, 0 or garbage is 20, max 100 (23 servers match Q<run>). */
	R("setup: listing fillers h", "h", "POST", "/servers", "{'name':'Q${run} fill h${i}'}", 201,
	  "{server:@server}", .repeat = 5, .pre = "x=${h.trusted}", .flags = F_SETUP | F_RL_ANY),
	R("setup: listing fillers j", "j", "POST", "/servers", "{'name':'Q${run} fill j${i}'}", 201,
	  "{server:@server}", .repeat = 5, .pre = "x=${j.trusted}", .flags = F_SETUP | F_RL_ANY),
	R("setup: listing fillers k", "k", "POST", "/servers", "{'name':'Q${run} fill k${i}'}", 201,
	  "{server:@server}", .repeat = 5, .pre = "x=${k.trusted}", .flags = F_SETUP | F_RL_ANY),
	R("setup: listing fillers m", "m", "POST", "/servers", "{'name':'Q${run} fill m${i}'}", 201,
	  "{server:@server}", .repeat = 5, .pre = "x=${m.trusted}", .flags = F_SETUP | F_RL_ANY),
	R("servers.list.limit-default-20", "b", "GET", "/servers?search=Q${run}", NULL, 200,
	  "{servers:[@server_listed]#20}", .pre = "x=${m.trusted}"),
	R("servers.list.limit-0-is-20", "b", "GET", "/servers?search=Q${run}&limit=0", NULL, 200,
	  "{servers:[@server_listed]#20}", .pre = "x=${m.trusted}"),
	R("servers.list.limit-garbage-is-20", "b", "GET", "/servers?search=Q${run}&limit=abc", NULL,
	  200, "{servers:[@server_listed]#20}", .pre = "x=${m.trusted}"),
	R("servers.list.limit-21", "b", "GET", "/servers?search=Q${run}&limit=21", NULL, 200,
	  "{servers:[@server_listed]#21}", .pre = "x=${m.trusted}"),
	/* Above 100 is capped, not refused (the cap itself would take 101 servers). */
	R("servers.list.limit-over-100-capped", "b", "GET", "/servers?search=Q${run}&limit=1000",
	  NULL, 200, "{servers:[@server_listed]#23}", .pre = "x=${m.trusted}"),
	E("servers.list.limit-negative-is-500", "b", "GET", "/servers?search=Q${run}&limit=-1", NULL,
	  500, "", .pre = "x=${m.trusted}"),

	/* ---- §3.7 MAX_CHANNELS_REACHED: `general` counts, so 99 more reach 100. */
	FSERVER("setup: channel-cap server", "{'name':'Q${run} cap'}", "fcap"),
	R("channels.create.up-to-100", "f", "POST", "/servers/${fcap}/channels", "{'name':'c${i}'}",
	  201, "{channel:@channel}", .repeat = 99),
	E("channels.create.101st-refused", "f", "POST", "/servers/${fcap}/channels",
	  "{'name':'one too many'}", 400, "MAX_CHANNELS_REACHED"),
	R("channels.list.100", "f", "GET", "/servers/${fcap}/channels", NULL, 200,
	  "{channels:{uncategorized:[@channel]#100}}"),

	/* ---- §3.9 auto-ban: threshold 3, reports from b c d across two channels ban h. */
	FSERVER("setup: auto-ban server", "{'name':'Q${run} ab'}", "fab"),
	R("setup: auto-ban general", "f", "GET", "/servers/${fab}", NULL, 200, "@server_full",
	  .save = "fab.ch=channels.0.id", .flags = F_SETUP),
	R("setup: auto-ban second channel", "f", "POST", "/servers/${fab}/channels",
	  "{'name':'second'}", 201, "{channel:@channel}", .save = "fab.ch2=channel.id",
	  .flags = F_SETUP),
	R("moderation.report-threshold.patch-3", "f", "PATCH", "/servers/${fab}",
	  "{'reportThreshold':3}", 200, "{server:{id:'${fab}',reportThreshold:3,...}}"),
	JOIN("b", "fab"), JOIN("c", "fab"), JOIN("d", "fab"), JOIN("h", "fab"),
	R("moderation.auto-ban.report-1", "b", "POST", "/channels/${fab.ch}/report",
	  "{'targetUsername':'${h.name}'}", 201, "{success:true}"),
	R("moderation.auto-ban.report-2", "c", "POST", "/channels/${fab.ch}/report",
	  "{'targetUsername':'${h.name}','reason':'spam'}", 201, "{success:true}"),
	R("moderation.auto-ban.below-threshold-no-ban", "f", "GET", "/servers/${fab}/bans", NULL, 200,
	  "[any]#0"),
	R("moderation.auto-ban.report-3-other-channel", "d", "POST", "/channels/${fab.ch2}/report",
	  "{'targetUsername':'${h.name}'}", 201, "{success:true}"),
	R("moderation.auto-ban.removed-from-members", NULL, "GET", "/observers/servers/${fab}/members",
	  NULL, 200,
	  "{members:[{username:'${f.name}'|'${b.name}'|'${c.name}'|'${d.name}',...}]#4}"),
	R("moderation.auto-ban.listed", "f", "GET", "/servers/${fab}/bans", NULL, 200,
	  "[{agentId:'${h.id}',username:'${h.name}',displayName:str?,"
	  "reason:'Auto-ban: report threshold exceeded',autoBan:true,createdAt:iso}]#1"),
	E("moderation.auto-ban.join-refused", "h", "POST", "/servers/${fab}/join", NULL, 403,
	  "BANNED_FROM_SERVER"),

	/* ---- admin socket knobs (moltchatsd(1)): stats, inject, drop */
	{ .name = "admin.stats.shape", .admin = "{'cmd':'stats'}",
	  .shape = "{ok:true,agentConnections:int,observerConnections:int,agentsOnline:int,"
		   "channelsWithSubscribers:int}" },
	{ .name = "admin.inject-drop-stats", .ws = knob_inject_drop_stats, .flags = F_LOCAL },
	{ .name = NULL },
};

/* §2.6/§4.2: a token whose exp has passed. Sleeping 3 s covers the whole-second iat. */
static const char *const jwt_expired_ws[] = {
	"need ${v.token}",
	"sleep 3000",
	"open X ${v.token}",
	"next X error {op:'error',code:'AUTH_FAILED',message:'Token verification failed'}",
	"closed X 4001 Authentication failed",
	NULL,
};

/* A second moltchatsd: --register-limit 5 (the platform's value; the first daemon raises it
 * for the suite) and --jwt-lifetime 2. Agent v's registration is the first of the five. */
const struct row daemon2_rows[] = {
	{ .name = "setup: moltchatsd --register-limit 5 --jwt-lifetime 2",
	  .daemon = "--register-limit 5 --jwt-lifetime 2" },
	{ .name = "setup: agent v (registration 1)", .agent = "v", .flags = F_SETUP | F_LOCAL },
	R("jwt-lifetime.fresh-token-works", "v", "GET", "/agents/@me", NULL, 200,
	  "{id:'${v.id}',...}"),
	/* §2.2 step 1: the limit comes first and failed attempts count (registrations 2, 3). */
	E("ratelimit.register.failed-attempt-counts.1", NULL, "POST", "/agents/register",
	  "{'publicKey':${pub:v}}", 400, "VALIDATION_ERROR", .pre = "x=${v.token}",
	  .flags = F_LOCAL),
	E("ratelimit.register.failed-attempt-counts.2", NULL, "POST", "/agents/register",
	  "{'username':'bad-name!','publicKey':${pub:v}}", 400, "VALIDATION_ERROR",
	  .pre = "x=${v.token}", .flags = F_LOCAL),
	R("ratelimit.register.5-per-hour", NULL, "POST", "/agents/register",
	  "{'username':'cf${run}_w${i}','publicKey':${pub:v}}", 201, "{agentId:uuid,challenge:hex64}",
	  .repeat = 2, .pre = "x=${v.token}", .flags = F_LOCAL),
	/* 429 without X-RateLimit-* headers (§5, rl = 0 checks they are absent). */
	E("ratelimit.register.6th", NULL, "POST", "/agents/register",
	  "{'username':'cf${run}_w9','publicKey':${pub:v}}", 429, "RATE_LIMITED",
	  .pre = "x=${v.token}", .flags = F_LOCAL),
	E("ratelimit.register.limit-before-validation", NULL, "POST", "/agents/register", "{}", 429,
	  "RATE_LIMITED", .pre = "x=${v.token}", .flags = F_LOCAL),
	{ .name = "jwt-lifetime.ws-expired-auth-failed-4001", .ws = jwt_expired_ws, .flags = F_LOCAL },
	E("jwt-lifetime.rest-expired", "v", "GET", "/agents/@me", NULL, 401, "TOKEN_EXPIRED",
	  .flags = F_LOCAL),
	R("jwt-lifetime.refresh-after-expiry", NULL, "POST", "/auth/refresh",
	  "{'refreshToken':'${v.refresh}'}", 200, "{agentId:'${v.id}',token:jwt,refreshToken:msr}",
	  .save = "v.token=token", .flags = F_LOCAL),
	R("jwt-lifetime.refreshed-token-works", "v", "GET", "/agents/@me", NULL, 200,
	  "{id:'${v.id}',...}"),
	{ .name = "setup: back to the first moltchatsd", .daemon = "" },
	{ .name = NULL },
};
