/* proto: decoders of the social, moderation, trust and configuration bodies (protocol.md
 * §3.3-§3.13), with the shapes the platform sends, plus hostile variants. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/proto.h"

#define S(x) (x), strlen(x)

static void proto__pending__full_body(void **state)
{
	const char *body = "{\"hasActivity\":true,"
		"\"unreadDMs\":[{\"channelId\":\"c1\",\"friendUsername\":\"bob\",\"friendDisplayName\":null,"
		"\"unreadCount\":2,\"lastMessageContent\":\"hi\",\"lastMessageAt\":\"2026-02-15T04:09:02.123Z\"},"
		"{\"friendUsername\":\"no channel id: skipped\"}],"
		"\"pendingFriendRequests\":[{\"id\":\"r1\",\"fromUsername\":\"carol\",\"fromDisplayName\":\"Carol\","
		"\"createdAt\":\"2026-02-15T04:00:00.000Z\"},{\"id\":\"r2\"}],"
		"\"checkedAt\":\"2026-02-15T04:10:00.000Z\",\"skillHash\":\"18332b88de2f9ef2\"}";
	struct proto_pending p;
	assert_int_equal(proto_decode_pending(S(body), &p), 0);
	assert_true(p.has_activity);
	assert_int_equal(p.n_unread_dms, 1);
	assert_string_equal(p.unread_dms[0].channel_id, "c1");
	assert_string_equal(p.unread_dms[0].friend_username, "bob");
	assert_null(p.unread_dms[0].friend_display_name);
	assert_int_equal(p.unread_dms[0].unread_count, 2);
	assert_string_equal(p.unread_dms[0].last_message_content, "hi");
	assert_true(p.unread_dms[0].last_message_ms == 1771128542123LL);
	assert_int_equal(p.n_requests, 1); /* r2 has no fromUsername */
	assert_string_equal(p.requests[0].id, "r1");
	assert_string_equal(p.requests[0].username, "carol");
	assert_string_equal(p.requests[0].display_name, "Carol");
	assert_string_equal(p.checked_at, "2026-02-15T04:10:00.000Z");
	assert_string_equal(p.skill_hash, "18332b88de2f9ef2");
	proto_pending_free(&p);

	/* the recorded real body */
	const char *real = "{\"hasActivity\":false,\"unreadDMs\":[],\"pendingFriendRequests\":[],"
		"\"checkedAt\":\"2026-11-30T03:49:23.956Z\",\"skillHash\":\"18332b88de2f9ef2\"}";
	assert_int_equal(proto_decode_pending(S(real), &p), 0);
	assert_false(p.has_activity);
	assert_int_equal(p.n_unread_dms, 0);
	assert_int_equal(p.n_requests, 0);
	proto_pending_free(&p);

	/* no checkedAt: not a pending body; wrong types inside are tolerated */
	assert_int_equal(proto_decode_pending(S("{\"hasActivity\":true}"), &p), -1);
	assert_int_equal(proto_decode_pending(S("{\"checkedAt\":\"x\",\"unreadDMs\":7,"
		"\"pendingFriendRequests\":{\"id\":1},\"hasActivity\":\"yes\"}"), &p), 0);
	assert_false(p.has_activity);
	assert_int_equal(p.n_unread_dms + p.n_requests, 0);
	proto_pending_free(&p);
	assert_int_equal(proto_decode_pending(S("[1,2]"), &p), -1);
}

static void proto__friend_requests__incoming_outgoing(void **state)
{
	const char *body = "{\"incoming\":[{\"id\":\"i1\",\"fromUsername\":\"carol\",\"fromDisplayName\":null,"
		"\"fromAvatarUrl\":\"http://a/x.png\",\"createdAt\":\"t1\"}],"
		"\"outgoing\":[{\"id\":\"o1\",\"toUsername\":\"dave\",\"toDisplayName\":\"Dave\",\"toAvatarUrl\":null,"
		"\"createdAt\":\"t2\"},{\"id\":\"o2\",\"fromUsername\":\"wrong side\"}]}";
	struct proto_friend_requests l;
	assert_int_equal(proto_decode_friend_requests(S(body), &l), 0);
	assert_int_equal(l.n_incoming, 1);
	assert_string_equal(l.incoming[0].username, "carol");
	assert_string_equal(l.incoming[0].avatar_url, "http://a/x.png");
	assert_int_equal(l.n_outgoing, 1);
	assert_string_equal(l.outgoing[0].id, "o1");
	assert_string_equal(l.outgoing[0].username, "dave");
	assert_string_equal(l.outgoing[0].display_name, "Dave");
	assert_string_equal(l.outgoing[0].created_at, "t2");
	proto_friend_requests_free(&l);
	assert_int_equal(proto_decode_friend_requests(S("{\"incoming\":[]}"), &l), -1);
	assert_int_equal(proto_decode_friend_requests(S("{\"incoming\":[],\"outgoing\":[]}"), &l), 0);
	proto_friend_requests_free(&l);
}

static void proto__ack__shapes(void **state)
{
	struct proto_ack a;
	assert_int_equal(proto_decode_ack(S("{\"ok\":true}"), &a), 0);
	assert_true(a.ok);
	proto_ack_free(&a);
	assert_int_equal(proto_decode_ack(S("{\"success\":true}"), &a), 0);
	assert_true(a.ok);
	proto_ack_free(&a);
	assert_int_equal(proto_decode_ack(S("{\"requestId\":\"r9\"}"), &a), 0);
	assert_false(a.ok);
	assert_string_equal(a.request_id, "r9");
	proto_ack_free(&a);
	assert_int_equal(proto_decode_ack(S("{\"friendUsername\":\"bob\",\"dmChannelId\":\"d1\"}"), &a), 0);
	assert_string_equal(a.friend_username, "bob");
	assert_string_equal(a.dm_channel_id, "d1");
	proto_ack_free(&a);
	assert_int_equal(proto_decode_ack(S("{\"ok\":\"true\"}"), &a), 0);
	assert_false(a.ok); /* only a JSON true counts */
	proto_ack_free(&a);
	assert_int_equal(proto_decode_ack(S("true"), &a), -1);
	assert_int_equal(proto_decode_ack(S(""), &a), -1);
}

static void proto__config__agent_and_webhook_shapes(void **state)
{
	const char *body = "{\"agentId\":\"a1\",\"webhookUrl\":null,\"webhookEvents\":[\"dm.received\","
		"\"mention.received\",5,\"reply.received\"],\"idleTimeoutSeconds\":360,\"maxOutboundPerHour\":100,"
		"\"maxInboundWakesPerHour\":10,\"heartbeatHintSeconds\":14400}";
	struct proto_agent_config c;
	assert_int_equal(proto_decode_agent_config(S(body), &c), 0);
	assert_string_equal(c.agent_id, "a1");
	assert_null(c.webhook_url);
	assert_int_equal(c.n_webhook_events, 3);
	assert_string_equal(c.webhook_events[2], "reply.received");
	assert_int_equal(c.idle_timeout_seconds, 360);
	assert_int_equal(c.max_outbound_per_hour, 100);
	assert_int_equal(c.max_inbound_wakes_per_hour, 10);
	assert_int_equal(c.heartbeat_hint_seconds, 14400);
	proto_agent_config_free(&c);

	assert_int_equal(proto_decode_agent_config(S("{\"webhookUrl\":\"http://h/x\",\"webhookEvents\":[]}"), &c), 0);
	assert_null(c.agent_id);
	assert_string_equal(c.webhook_url, "http://h/x");
	assert_int_equal(c.n_webhook_events, 0);
	assert_int_equal(c.idle_timeout_seconds, -1);
	proto_agent_config_free(&c);
	assert_int_equal(proto_decode_agent_config(S("{\"ok\":true}"), &c), -1);
}

static void proto__blocks_bans__decode(void **state)
{
	struct proto_blocks b;
	assert_int_equal(proto_decode_blocks(S("{\"blocked\":[{\"username\":\"eve\",\"displayName\":null,"
		"\"avatarUrl\":null,\"blockedAt\":\"t\"},{\"displayName\":\"no name\"},3]}"), &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.n_raw, 3);
	assert_string_equal(b.v[0].username, "eve");
	assert_string_equal(b.v[0].blocked_at, "t");
	proto_blocks_free(&b);
	assert_int_equal(proto_decode_blocks(S("[]"), &b), -1);

	struct proto_bans l;
	assert_int_equal(proto_decode_bans(S("[{\"agentId\":\"a\",\"username\":\"bob\",\"displayName\":null,"
		"\"reason\":\"spam\",\"autoBan\":true,\"createdAt\":\"t\"},{}]"), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].username, "bob");
	assert_string_equal(l.v[0].reason, "spam");
	assert_true(l.v[0].auto_ban);
	proto_bans_free(&l);
	assert_int_equal(proto_decode_bans(S("{\"bans\":[]}"), &l), -1); /* the real body is bare */
}

static void proto__search__agents_and_servers(void **state)
{
	struct proto_search s;
	assert_int_equal(proto_decode_search(S("{\"type\":\"agents\",\"results\":[{\"id\":\"1\",\"username\":"
		"\"alice\",\"displayName\":\"Alice\",\"avatarUrl\":null,\"bio\":\"hi\",\"agentType\":\"openclaw\"},"
		"{\"id\":\"2\"}]}"), &s), 0);
	assert_true(s.is_agents);
	assert_int_equal(s.n_agents, 1);
	assert_string_equal(s.agents[0].username, "alice");
	assert_string_equal(s.agents[0].bio, "hi");
	assert_string_equal(s.agents[0].agent_type, "openclaw");
	assert_int_equal(s.n_servers, 0);
	proto_search_free(&s);
	assert_int_equal(proto_decode_search(S("{\"type\":\"servers\",\"results\":[{\"id\":\"s\",\"name\":\"N\","
		"\"description\":null,\"iconUrl\":null,\"isPublic\":true,\"createdAt\":\"t\"}]}"), &s), 0);
	assert_false(s.is_agents);
	assert_int_equal(s.n_servers, 1);
	assert_string_equal(s.servers[0].name, "N");
	proto_search_free(&s);
	assert_int_equal(proto_decode_search(S("{\"type\":\"agents\"}"), &s), -1);
}

static void proto__trust__me_and_public(void **state)
{
	const char *me = "{\"tier\":\"provisional\",\"eigentrustScore\":0.25,\"normalizedKarma\":0.5,"
		"\"isSeed\":false,\"computedAt\":null,"
		"\"vouchesGiven\":[{\"voucheeId\":\"v1\",\"username\":\"bob\",\"weight\":1,\"createdAt\":\"t\"}],"
		"\"vouchesReceived\":[{\"voucherId\":\"v2\",\"username\":\"eve\",\"weight\":0.5,\"createdAt\":\"t\"},"
		"{\"voucherId\":\"v3\",\"username\":\"joe\",\"weight\":1,\"createdAt\":\"t\"}],"
		"\"flagsReceived\":1,\"challenges\":[{\"id\":\"c\",\"status\":\"pending\",\"triggeredBy\":\"x\","
		"\"createdAt\":\"t\",\"completedAt\":null}]}";
	struct proto_trust t;
	assert_int_equal(proto_decode_trust(S(me), &t), 0);
	assert_string_equal(t.tier, "provisional");
	assert_true(t.eigentrust_score > 0.24 && t.eigentrust_score < 0.26);
	assert_true(t.normalized_karma > 0.49 && t.normalized_karma < 0.51);
	assert_int_equal(t.n_vouches_given, 1);
	assert_string_equal(t.vouches_given[0].agent_id, "v1");
	assert_int_equal(t.n_vouches_received, 2);
	assert_int_equal(t.vouches_received_count, 2);
	assert_string_equal(t.vouches_received[1].username, "joe");
	assert_int_equal(t.flags_received, 1);
	assert_int_equal(t.n_challenges, 1);
	assert_string_equal(t.challenges[0].status, "pending");
	assert_null(t.username);
	proto_trust_free(&t);

	assert_int_equal(proto_decode_trust(S("{\"username\":\"Bob\",\"tier\":null,\"eigentrustScore\":null,"
		"\"isSeed\":true,\"vouchesReceived\":3,\"computedAt\":\"t\"}"), &t), 0);
	assert_string_equal(t.username, "Bob");
	assert_string_equal(t.tier, "untrusted"); /* null means untrusted */
	assert_true(t.is_seed);
	assert_int_equal(t.vouches_received_count, 3);
	assert_int_equal(t.n_vouches_received, 0);
	proto_trust_free(&t);
	assert_int_equal(proto_decode_trust(S("{\"username\":\"x\"}"), &t), -1);

	struct proto_trust_challenge ch;
	assert_int_equal(proto_decode_trust_challenge(S("{\"id\":\"c\",\"suspectId\":\"s\",\"channelId\":null,"
		"\"status\":\"active\",\"triggeredBy\":\"x\",\"createdAt\":\"t\",\"completedAt\":null,"
		"\"votes\":[{\"voterId\":\"v\",\"verdict\":\"ai\",\"createdAt\":\"t\"},{\"verdict\":\"human\"}]}"), &ch), 0);
	assert_string_equal(ch.suspect_id, "s");
	assert_null(ch.channel_id);
	assert_int_equal(ch.n_votes, 1);
	assert_string_equal(ch.votes[0].verdict, "ai");
	proto_trust_challenge_free(&ch);
	assert_int_equal(proto_decode_trust_challenge(S("{}"), &ch), -1);
}

static void proto__webhook_health_observer__decode(void **state)
{
	struct proto_webhook_test w;
	assert_int_equal(proto_decode_webhook_test(S("{\"success\":true,\"statusCode\":200,\"statusText\":\"OK\"}"), &w), 0);
	assert_true(w.success);
	assert_int_equal(w.status_code, 200);
	assert_string_equal(w.status_text, "OK");
	proto_webhook_test_free(&w);
	assert_int_equal(proto_decode_webhook_test(S("{\"success\":false,\"error\":\"fetch failed\"}"), &w), 0);
	assert_false(w.success);
	assert_int_equal(w.status_code, -1);
	assert_string_equal(w.error, "fetch failed");
	proto_webhook_test_free(&w);
	assert_int_equal(proto_decode_webhook_test(S("{\"ok\":true}"), &w), -1);

	struct proto_health h;
	assert_int_equal(proto_decode_health(S("{\"status\":\"ok\",\"timestamp\":\"2026-11-30T03:49:22.099Z\"}"), &h), 0);
	assert_string_equal(h.status, "ok");
	assert_string_equal(h.timestamp, "2026-11-30T03:49:22.099Z");
	proto_health_free(&h);
	assert_int_equal(proto_decode_health(S("<html>"), &h), -1);

	struct proto_observer_auth o;
	assert_int_equal(proto_decode_observer_auth(S("{\"id\":\"u\",\"email\":\"a@b\"}"), &o), 0);
	assert_string_equal(o.id, "u");
	assert_string_equal(o.email, "a@b");
	assert_null(o.token);
	proto_observer_auth_free(&o);
	assert_int_equal(proto_decode_observer_auth(S("{\"token\":\"eyJ.x.y\"}"), &o), 0);
	assert_string_equal(o.token, "eyJ.x.y");
	proto_observer_auth_free(&o);
	assert_int_equal(proto_decode_observer_auth(S("{\"email\":\"a@b\"}"), &o), -1);
}

static void proto__profile_server_feed__new_fields(void **state)
{
	struct proto_profile p;
	assert_int_equal(proto_decode_profile(S("{\"id\":\"1\",\"username\":\"a\",\"capabilities\":[\"chat\",null,"
		"\"code\"],\"eigentrustScore\":0.75,\"karma\":\"3\"}"), &p), 0);
	assert_int_equal(p.n_capabilities, 2);
	assert_string_equal(p.capabilities[1], "code");
	assert_true(p.eigentrust_score > 0.74 && p.eigentrust_score < 0.76);
	assert_int_equal(p.karma, 3);
	proto_profile_free(&p);
	assert_int_equal(proto_decode_profile(S("{\"id\":\"1\",\"username\":\"a\",\"eigentrustScore\":null}"), &p), 0);
	assert_true(p.eigentrust_score == 0);
	assert_null(p.capabilities);
	proto_profile_free(&p);

	struct proto_server s;
	assert_int_equal(proto_decode_server(S("{\"server\":{\"id\":\"s\",\"name\":\"n\",\"maxMembers\":500,"
		"\"reportThreshold\":10}}"), &s), 0);
	assert_int_equal(s.max_members, 500);
	assert_int_equal(s.report_threshold, 10);
	proto_server_free(&s);

	struct proto_messages m;
	assert_int_equal(proto_decode_messages(S("[{\"id\":\"m\",\"channelId\":\"c\",\"content\":\"x\","
		"\"createdAt\":\"2026-02-15T04:09:02.123Z\",\"agent\":{\"id\":\"a\",\"username\":\"u\"},"
		"\"channelName\":\"general\",\"serverName\":\"S\",\"serverId\":\"sid\"}]"), &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].channel_name, "general");
	assert_string_equal(m.v[0].server_name, "S");
	assert_string_equal(m.v[0].server_id, "sid");
	proto_messages_free(&m);
}

static void proto__builders__trust_ops(void **state)
{
	char *s = proto_build_trust_op(PROTO_OP_VOUCH, "Bob", "ignored for vouch");
	assert_string_equal(s, "{\"op\":\"vouch\",\"target\":\"Bob\"}");
	free(s);
	s = proto_build_trust_op(PROTO_OP_VOUCH_REVOKE, "bob", NULL);
	assert_string_equal(s, "{\"op\":\"vouch_revoke\",\"target\":\"bob\"}");
	free(s);
	s = proto_build_trust_op(PROTO_OP_FLAG, "eve", "spam \"links\"");
	assert_string_equal(s, "{\"op\":\"flag\",\"target\":\"eve\",\"reason\":\"spam \\\"links\\\"\"}");
	free(s);
	struct proto_frame f;
	assert_int_equal(proto_frame_parse(S("{\"op\":\"flag_ack\",\"target\":\"Eve\"}"), &f), 0);
	assert_int_equal(f.op, PROTO_OP_FLAG_ACK);
	assert_string_equal(f.target, "Eve");
	proto_frame_free(&f);
}

/* Every proper prefix of a valid body is refused (and never crashes or leaks). */
static void proto__social__truncated_bodies(void **state)
{
	const char *pending = "{\"hasActivity\":true,\"unreadDMs\":[{\"channelId\":\"c\",\"lastMessageAt\":\"2026-02-15T04:09:02.123Z\"}],"
		"\"pendingFriendRequests\":[{\"id\":\"r\",\"fromUsername\":\"x\"}],\"checkedAt\":\"t\"}";
	struct proto_pending p;
	struct proto_ack a;
	struct proto_friend_requests fr;
	for (size_t n = 0; n < strlen(pending); n++) {
		assert_int_equal(proto_decode_pending(pending, n, &p), -1);
		assert_int_equal(proto_decode_ack(pending, n, &a), -1);
		assert_int_equal(proto_decode_friend_requests(pending, n, &fr), -1);
	}
	assert_int_equal(proto_decode_pending(pending, strlen(pending), &p), 0);
	assert_int_equal(p.n_unread_dms, 1);
	proto_pending_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proto__pending__full_body),
		cmocka_unit_test(proto__friend_requests__incoming_outgoing),
		cmocka_unit_test(proto__ack__shapes),
		cmocka_unit_test(proto__config__agent_and_webhook_shapes),
		cmocka_unit_test(proto__blocks_bans__decode),
		cmocka_unit_test(proto__search__agents_and_servers),
		cmocka_unit_test(proto__trust__me_and_public),
		cmocka_unit_test(proto__webhook_health_observer__decode),
		cmocka_unit_test(proto__profile_server_feed__new_fields),
		cmocka_unit_test(proto__builders__trust_ops),
		cmocka_unit_test(proto__social__truncated_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
