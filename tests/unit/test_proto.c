/* proto: decoders against real recorded platform traffic, plus hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/isotime.h"
#include "moltty/proto.h"

static char *fixture(const char *name)
{
	char *path = xasprintf("%s/%s", FIXTURES_DIR, name);
	char *text = fs_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read fixture %s", path);
	free(path);
	return text;
}

/* The JSON block printed (indented by 4) after the n-th line containing `request`. */
static char *transcript_block(const char *request, int nth)
{
	char *t = fixture("rest-transcript.txt");
	char *p = t;
	for (int i = 0; i <= nth; i++) {
		p = strstr(p, request);
		if (!p)
			fail_msg("request '%s' #%d not in the transcript", request, nth);
		p += strlen(request);
	}
	p = strchr(p, '\n');
	assert_non_null(p);
	p++;
	struct buf b = BUF_INIT;
	while (*p && !strncmp(p, "    ", 4)) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_append(&b, p + 4, n - 4);
		buf_putc(&b, '\n');
		p = nl ? nl + 1 : p + n;
	}
	free(t);
	return buf_steal(&b);
}

/* ---- WS frames from the recordings ---- */

struct frame_stats {
	int parsed, rejected, messages, presences, acks, errors, typings;
};

static void decode_jsonl(const char *name, struct frame_stats *st)
{
	char *t = fixture(name);
	char *save = NULL;
	for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *rec = cJSON_Parse(line);
		assert_non_null(rec);
		const cJSON *dir = cJSON_GetObjectItem(rec, "dir");
		const cJSON *frame = cJSON_GetObjectItem(rec, "frame");
		if (!cJSON_IsString(dir) || (strcmp(dir->valuestring, "<-") && strcmp(dir->valuestring, "->"))) {
			cJSON_Delete(rec);
			continue;
		}
		/* frames were recorded either as objects or as the raw text sent */
		char *text = cJSON_IsString(frame) ? xstrdup(frame->valuestring) : cJSON_PrintUnformatted(frame);
		struct proto_frame f;
		int rc = proto_frame_parse(text, strlen(text), &f);
		if (!strcmp(text, "this is not json")) {
			assert_int_equal(rc, -1);
			st->rejected++;
		} else {
			assert_int_equal(rc, 0);
			st->parsed++;
			if (strcmp(f.op_name, "bogus") && strcmp(f.op_name, "challenge_vote"))
				assert_int_not_equal(f.op, PROTO_OP_UNKNOWN);
			switch (f.op) {
			case PROTO_OP_MESSAGE:
				if (!strcmp(dir->valuestring, "<-")) {
					st->messages++;
					assert_non_null(f.msg.id);
					assert_true(str_is_uuid(f.msg.agent.id));
					assert_non_null(f.msg.agent.username);
					assert_null(f.msg.agent.display_name);
					assert_string_equal(f.msg.trust_tier, "untrusted");
					assert_string_equal(f.msg.content_type, "text");
					assert_true(f.msg.created_ms > 1700000000000LL);
					assert_string_equal(f.msg.channel_id, f.channel);
				} else {
					assert_non_null(f.msg.content);
				}
				break;
			case PROTO_OP_PRESENCE:
				st->presences++;
				assert_true(f.n_online >= 1);
				for (size_t i = 0; i < f.n_online; i++)
					assert_true(str_is_uuid(f.online[i]));
				break;
			case PROTO_OP_MESSAGE_ACK:
				st->acks++;
				assert_true(str_is_uuid(f.id));
				assert_true(f.ts_ms > 0);
				break;
			case PROTO_OP_ERROR:
				st->errors++;
				assert_true(proto_is_upper_snake(f.code));
				assert_non_null(f.message);
				break;
			case PROTO_OP_TYPING:
				if (!strcmp(dir->valuestring, "<-")) {
					st->typings++;
					assert_string_equal(f.agent, "smoke_b_034922_16776");
				}
				break;
			case PROTO_OP_SUBSCRIBE:
			case PROTO_OP_UNSUBSCRIBE:
				assert_int_equal(f.n_online, 1);
				break;
			case PROTO_OP_CONTEXT:
				assert_non_null(f.platform);
				assert_null(f.channel);
				assert_string_equal(f.server_instr, "Be brief.");
				break;
			default:
				break;
			}
			proto_frame_free(&f);
		}
		if (cJSON_IsString(frame))
			free(text);
		else
			cJSON_free(text);
		cJSON_Delete(rec);
	}
	free(t);
}

static void proto__frames__decode_every_recorded_frame(void **state)
{
	struct frame_stats st = { 0 };
	decode_jsonl("ws-frames.jsonl", &st);
	assert_int_equal(st.rejected, 0);
	assert_true(st.messages >= 5);
	assert_true(st.presences >= 4);
	assert_int_equal(st.acks, 1);
	assert_true(st.errors >= 3);
	assert_true(st.typings >= 2);
	struct frame_stats ex = { 0 };
	decode_jsonl("ws-extra-frames.jsonl", &ex);
	assert_int_equal(ex.rejected, 1); /* "this is not json" */
	assert_int_equal(ex.acks, 2);
	assert_true(ex.errors >= 5);
}

static void proto__frames__message_fields_exact(void **state)
{
	const char *t = "{\"op\":\"message\",\"channel\":\"e15db907-7b24-44c4-ad6d-618c0a20600e\","
		"\"agent\":{\"id\":\"443622a6-7074-43c3-81e9-8f9c3ad2f48a\",\"username\":\"bob\","
		"\"displayName\":\"Bob\",\"avatarUrl\":null},\"content\":\"hi!\",\"contentType\":\"code\","
		"\"id\":\"3948bc12-69f8-4439-b146-7d10589e2984\",\"timestamp\":\"2026-11-30T03:49:24.123Z\","
		"\"trustTier\":\"provisional\"}";
	struct proto_frame f;
	assert_int_equal(proto_frame_parse(t, strlen(t), &f), 0);
	assert_int_equal(f.op, PROTO_OP_MESSAGE);
	assert_string_equal(f.msg.id, "3948bc12-69f8-4439-b146-7d10589e2984");
	assert_string_equal(f.msg.content, "hi!");
	assert_string_equal(f.msg.content_type, "code");
	assert_string_equal(f.msg.agent.display_name, "Bob");
	assert_null(f.msg.agent.avatar_url);
	int64_t ms;
	assert_int_equal(iso_parse_ms("2026-11-30T03:49:24.123Z", &ms), 0);
	assert_int_equal(f.msg.created_ms, ms);
	proto_frame_free(&f);
}

/* ---- REST bodies from the transcript ---- */

static void proto__rest__auth_bodies(void **state)
{
	char *b = transcript_block("POST /api/v1/agents/register -> 201", 0);
	struct proto_auth a;
	assert_int_equal(proto_decode_auth(b, strlen(b), &a), 0);
	assert_string_equal(a.agent_id, "ff6a8fc3-69d1-49ef-8bae-bb0061616299");
	assert_true(str_is_hex(a.challenge, 64));
	assert_null(a.token);
	proto_auth_free(&a);
	free(b);

	b = transcript_block("POST /api/v1/agents/verify -> 200", 0);
	assert_int_equal(proto_decode_auth(b, strlen(b), &a), 0);
	assert_true(str_starts_with(a.token, "eyJ"));
	assert_true(str_starts_with(a.refresh_token, "msr_"));
	assert_int_equal(strlen(a.refresh_token), 100);
	proto_auth_free(&a);
	free(b);

	b = transcript_block("POST /api/v1/auth/refresh -> 200", 0);
	assert_int_equal(proto_decode_auth(b, strlen(b), &a), 0);
	assert_non_null(a.token);
	proto_auth_free(&a);
	free(b);
}

static void proto__rest__error_bodies(void **state)
{
	static const struct { const char *req; int status; const char *code; const char *msg; } cases[] = {
		{ "POST /api/v1/agents/verify -> 400", 400, "INVALID_SIGNATURE", "Invalid signature" },
		{ "POST /api/v1/auth/refresh -> 401", 401, "TOKEN_REVOKED", "Token has been revoked" },
		{ "POST /api/v1/servers -> 403", 403, "INSUFFICIENT_TRUST", "Insufficient trust level for this action" },
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
		char *b = transcript_block(cases[i].req, 0);
		struct proto_error e;
		proto_decode_error(cases[i].status, b, strlen(b), &e);
		assert_int_equal(e.status, cases[i].status);
		assert_string_equal(e.code, cases[i].code);
		assert_string_equal(e.message, cases[i].msg);
		proto_error_free(&e);
		free(b);
	}
}

static void proto__rest__profile(void **state)
{
	char *b = transcript_block("GET /api/v1/agents/@me -> 200", 0);
	struct proto_profile p;
	assert_int_equal(proto_decode_profile(b, strlen(b), &p), 0);
	assert_string_equal(p.username, "smoke_a_034922_16776");
	assert_string_equal(p.presence, "offline");
	assert_null(p.trust_tier); /* null means untrusted */
	assert_null(p.last_seen_at);
	assert_int_equal(p.karma, 0);
	proto_profile_free(&p);
	free(b);
}

static void proto__rest__server_channels_messages(void **state)
{
	char *b = transcript_block("POST /api/v1/servers -> 201", 0);
	struct proto_server s;
	assert_int_equal(proto_decode_server(b, strlen(b), &s), 0);
	assert_string_equal(s.id, "8c8b2457-67b6-465a-9785-59eb3c68dfd7");
	assert_string_equal(s.instructions, "Be brief.");
	assert_int_equal(s.is_public, 1);
	assert_int_equal(s.member_count, -1);
	proto_server_free(&s);
	free(b);

	b = transcript_block("GET /api/v1/servers/8c8b2457-67b6-465a-9785-59eb3c68dfd7/channels -> 200", 0);
	struct proto_channels cl;
	assert_int_equal(proto_decode_channels(b, strlen(b), &cl), 0);
	assert_int_equal(cl.n, 1);
	assert_string_equal(cl.v[0].name, "general");
	assert_null(cl.v[0].category); /* "uncategorized" group */
	assert_int_equal(cl.v[0].position, 0);
	proto_channels_free(&cl);
	free(b);

	b = transcript_block("POST /api/v1/channels/e15db907-7b24-44c4-ad6d-618c0a20600e/messages -> 201", 0);
	struct proto_message m;
	assert_int_equal(proto_decode_message(b, strlen(b), &m), 0);
	assert_string_equal(m.content, "Hello MoltChats from the smoke test!");
	assert_string_equal(m.agent.username, "smoke_a_034922_16776");
	assert_null(m.trust_tier);
	assert_true(m.created_ms > 0);
	proto_message_free(&m);
	free(b);

	b = transcript_block("GET /api/v1/channels/e15db907-7b24-44c4-ad6d-618c0a20600e/messages?limit=10 -> 200", 0);
	struct proto_messages ml;
	assert_int_equal(proto_decode_messages(b, strlen(b), &ml), 0);
	assert_int_equal(ml.n, 1);
	assert_int_equal(ml.n_raw, 1);
	assert_string_equal(ml.v[0].id, "1e8515b7-d6df-460e-872d-3a3d3477c8d9");
	proto_messages_free(&ml);
	free(b);
}

/* The transcript cut these bodies short: decoding must fail cleanly, not crash. */
static void proto__rest__truncated_bodies_rejected(void **state)
{
	char *b = transcript_block("GET /api/v1/servers?sort=new&limit=3 -> 200", 0);
	struct proto_servers sl;
	assert_int_equal(proto_decode_servers(b, strlen(b), &sl), -1);
	assert_null(sl.v);
	free(b);
	b = transcript_block("/messages?limit=2 -> 200", 0);
	struct proto_messages ml;
	assert_int_equal(proto_decode_messages(b, strlen(b), &ml), -1);
	free(b);
	/* every prefix of a real body fails or succeeds without crashing */
	b = transcript_block("POST /api/v1/servers -> 201", 0);
	size_t n = strlen(b);
	for (size_t i = 0; i < n; i++) {
		struct proto_server s;
		if (proto_decode_server(b, i, &s) == 0)
			proto_server_free(&s);
	}
	free(b);
}

/* ---- hostile ---- */

static void proto__servers__member_count_number_or_string(void **state)
{
	const char *t = "{\"servers\":[{\"id\":\"a\",\"memberCount\":\"3\",\"tags\":[\"x\",1,null]},"
		"{\"id\":\"b\",\"memberCount\":12},{\"id\":\"c\",\"memberCount\":\"lots\"},"
		"{\"id\":\"d\",\"memberCount\":1e300},{\"name\":\"no id\"},42,null]}";
	struct proto_servers l;
	assert_int_equal(proto_decode_servers(t, strlen(t), &l), 0);
	assert_int_equal(l.n_raw, 7);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].member_count, 3);
	assert_int_equal(l.v[0].n_tags, 1);
	assert_int_equal(l.v[1].member_count, 12);
	assert_int_equal(l.v[2].member_count, -1);
	assert_int_equal(l.v[3].member_count, -1);
	proto_servers_free(&l);
}

static void proto__decoders__wrong_types_and_nulls(void **state)
{
	const char *t = "[{\"id\":\"m1\",\"content\":5,\"contentType\":null,\"createdAt\":\"garbage\","
		"\"agent\":\"not an object\"},{\"id\":7},{\"id\":\"m2\",\"agent\":{\"id\":null}}]";
	struct proto_messages ml;
	assert_int_equal(proto_decode_messages(t, strlen(t), &ml), 0);
	assert_int_equal(ml.n_raw, 3);
	assert_int_equal(ml.n, 2);
	assert_string_equal(ml.v[0].content, "");
	assert_string_equal(ml.v[0].content_type, "text");
	assert_int_equal(ml.v[0].created_ms, 0);
	assert_null(ml.v[0].agent.id);
	assert_null(ml.v[1].agent.id);
	proto_messages_free(&ml);

	static const char *const bad[] = { "", "null", "{}", "[]", "\"x\"", "{\"servers\":null}",
		"{\"servers\":{}}", "{\"channels\":5}", "{\"members\":\"x\"}", "[1,2", "{\"a\":" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		const char *b = bad[i];
		struct proto_servers s;
		struct proto_channels c;
		struct proto_members m;
		struct proto_friends f;
		struct proto_profile p;
		struct proto_message msg;
		assert_int_equal(proto_decode_servers(b, strlen(b), &s), -1);
		assert_int_equal(proto_decode_channels(b, strlen(b), &c), -1);
		assert_int_equal(proto_decode_members(b, strlen(b), &m), -1);
		assert_int_equal(proto_decode_friends(b, strlen(b), &f), -1);
		assert_int_equal(proto_decode_profile(b, strlen(b), &p), -1);
		assert_int_equal(proto_decode_message(b, strlen(b), &msg), -1);
	}
	assert_int_equal(proto_decode_messages(NULL, 0, &ml), -1);
}

static void proto__channels__grouped_order_and_junk_groups(void **state)
{
	const char *t = "{\"channels\":{\"Chat\":[{\"id\":\"c1\",\"name\":\"a\",\"category\":null,\"position\":\"2\"},"
		"{\"id\":\"c2\",\"name\":\"b\",\"category\":\"Chat\",\"position\":9e99}],"
		"\"bogus\":\"string\",\"uncategorized\":[{\"id\":\"c3\",\"name\":\"general\"},\"junk\"]}}";
	struct proto_channels l;
	assert_int_equal(proto_decode_channels(t, strlen(t), &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.n_raw, 4);
	assert_string_equal(l.v[0].id, "c1");
	assert_string_equal(l.v[0].category, "Chat"); /* from the group key */
	assert_int_equal(l.v[0].position, 2);
	assert_int_equal(l.v[1].position, 0);
	assert_string_equal(l.v[2].id, "c3");
	assert_null(l.v[2].category);
	assert_string_equal(l.v[2].type, "text");
	proto_channels_free(&l);
}

static void proto__members_friends__decode(void **state)
{
	const char *t = "{\"members\":[{\"agentId\":\"u1\",\"role\":\"owner\",\"username\":\"alice\","
		"\"presence\":\"idle\"},{\"username\":\"no id\"}]}";
	struct proto_members m;
	assert_int_equal(proto_decode_members(t, strlen(t), &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].presence, "idle");
	proto_members_free(&m);
	const char *f = "{\"friends\":[{\"friendId\":\"f1\",\"dmChannelId\":\"d1\",\"username\":\"bob\","
		"\"presence\":\"online\"},{\"friendId\":\"f2\",\"username\":\"nodm\"}]}";
	struct proto_friends fl;
	assert_int_equal(proto_decode_friends(f, strlen(f), &fl), 0);
	assert_int_equal(fl.n, 1);
	assert_string_equal(fl.v[0].dm_channel_id, "d1");
	proto_friends_free(&fl);
}

static void proto__error__fallbacks(void **state)
{
	struct proto_error e;
	const char *intended = "{\"error\":\"SERVER_NOT_FOUND\",\"message\":\"Server not found\"}";
	proto_decode_error(404, intended, strlen(intended), &e);
	assert_string_equal(e.code, "SERVER_NOT_FOUND");
	proto_error_free(&e);

	const char *route = "{\"message\":\"Route POST:/api/v1/x not found\",\"error\":\"Not Found\",\"statusCode\":404}";
	proto_decode_error(404, route, strlen(route), &e);
	assert_null(e.code); /* a reason phrase is not a code */
	assert_string_equal(e.message, "Route POST:/api/v1/x not found");
	proto_error_free(&e);

	const char *only_error = "{\"error\":\"Internal Server Error\",\"message\":null}";
	proto_decode_error(500, only_error, strlen(only_error), &e);
	assert_null(e.code);
	assert_string_equal(e.message, "Internal Server Error");
	proto_error_free(&e);

	proto_decode_error(502, "<html>bad gateway</html>", 24, &e);
	assert_int_equal(e.status, 502);
	assert_null(e.code);
	assert_string_equal(e.message, "HTTP 502");
	proto_error_free(&e);

	const char *wrong = "{\"code\":42,\"error\":[\"X\"],\"message\":{}}";
	proto_decode_error(400, wrong, strlen(wrong), &e);
	assert_null(e.code);
	assert_string_equal(e.message, "HTTP 400");
	proto_error_free(&e);

	assert_true(proto_is_upper_snake("TOKEN_EXPIRED"));
	assert_false(proto_is_upper_snake("Not Found"));
	assert_false(proto_is_upper_snake("_X"));
	assert_false(proto_is_upper_snake(NULL));
}

static void proto__frames__hostile(void **state)
{
	static const char *const bad[] = { "", "null", "[]", "{}", "{\"op\":5}", "{\"op\":null}",
		"{\"op\":\"message\"", "\"op\"", "{\"op\":[\"message\"]}" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		struct proto_frame f;
		assert_int_equal(proto_frame_parse(bad[i], strlen(bad[i]), &f), -1);
		assert_null(f.op_name);
	}
	static const char *const odd[] = {
		"{\"op\":\"presence\",\"channel\":5,\"online\":\"x\"}",
		"{\"op\":\"presence\",\"online\":[1,null,\"u\"]}",
		"{\"op\":\"message\",\"channel\":\"c\",\"agent\":null,\"id\":null}",
		"{\"op\":\"message_ack\",\"id\":{},\"timestamp\":7}",
		"{\"op\":\"error\",\"code\":null,\"message\":[]}",
		"{\"op\":\"typing\",\"agent\":{\"x\":1}}",
		"{\"op\":\"subscribe\",\"channels\":\"abc\"}",
		"{\"op\":\"something_new\",\"x\":1}",
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(odd); i++) {
		struct proto_frame f;
		assert_int_equal(proto_frame_parse(odd[i], strlen(odd[i]), &f), 0);
		proto_frame_free(&f);
	}
	struct proto_frame f;
	assert_int_equal(proto_frame_parse(odd[1], strlen(odd[1]), &f), 0);
	assert_int_equal(f.n_online, 1);
	proto_frame_free(&f);
	assert_int_equal(proto_frame_parse(odd[6], strlen(odd[6]), &f), 0);
	assert_int_equal(f.channels_not_array, 1);
	proto_frame_free(&f);
	assert_int_equal(proto_frame_parse(odd[7], strlen(odd[7]), &f), 0);
	assert_int_equal(f.op, PROTO_OP_UNKNOWN);
	assert_string_equal(f.op_name, "something_new");
	proto_frame_free(&f);

	/* deep nesting is bounded by cJSON, not the stack */
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"op\":\"message\",\"x\":");
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, '[');
	assert_int_equal(proto_frame_parse(b.data, b.len, &f), -1);
	buf_free(&b);
}

static void proto__builders__round_trip(void **state)
{
	const char *ids[] = { "c1", "c2" };
	char *s = proto_build_subscribe(ids, 2);
	assert_string_equal(s, "{\"op\":\"subscribe\",\"channels\":[\"c1\",\"c2\"]}");
	struct proto_frame f;
	assert_int_equal(proto_frame_parse(s, strlen(s), &f), 0);
	assert_int_equal(f.op, PROTO_OP_SUBSCRIBE);
	assert_int_equal(f.n_online, 2);
	proto_frame_free(&f);
	free(s);

	s = proto_build_subscribe(NULL, 0); /* always an array, never a string */
	assert_string_equal(s, "{\"op\":\"subscribe\",\"channels\":[]}");
	free(s);
	s = proto_build_unsubscribe(ids, 1);
	assert_string_equal(s, "{\"op\":\"unsubscribe\",\"channels\":[\"c1\"]}");
	free(s);

	const char *content = "quote \" backslash \\ newline \n emoji \xF0\x9F\x98\x80 nul-free";
	s = proto_build_message("c1", content, "code");
	assert_int_equal(proto_frame_parse(s, strlen(s), &f), 0);
	assert_int_equal(f.op, PROTO_OP_MESSAGE);
	assert_string_equal(f.channel, "c1");
	assert_string_equal(f.msg.content, content);
	assert_string_equal(f.msg.content_type, "code");
	proto_frame_free(&f);
	free(s);
	s = proto_build_message("c1", "x", NULL);
	assert_null(strstr(s, "contentType"));
	free(s);

	s = proto_build_typing("c9");
	assert_string_equal(s, "{\"op\":\"typing\",\"channel\":\"c9\"}");
	free(s);
	s = proto_build_ping();
	assert_int_equal(proto_frame_parse(s, strlen(s), &f), 0);
	assert_int_equal(f.op, PROTO_OP_PING);
	proto_frame_free(&f);
	free(s);
}

static void proto__ops__names_round_trip(void **state)
{
	for (int op = 1; op < PROTO_OP__COUNT; op++)
		assert_int_equal(proto_op_parse(proto_op_name((enum proto_op)op)), op);
	assert_int_equal(proto_op_parse("friend_request"), PROTO_OP_UNKNOWN);
	assert_int_equal(proto_op_parse(NULL), PROTO_OP_UNKNOWN);
	assert_string_equal(proto_op_name(PROTO_OP_UNKNOWN), "?");
	assert_string_equal(proto_op_name((enum proto_op)999), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proto__frames__decode_every_recorded_frame),
		cmocka_unit_test(proto__frames__message_fields_exact),
		cmocka_unit_test(proto__rest__auth_bodies),
		cmocka_unit_test(proto__rest__error_bodies),
		cmocka_unit_test(proto__rest__profile),
		cmocka_unit_test(proto__rest__server_channels_messages),
		cmocka_unit_test(proto__rest__truncated_bodies_rejected),
		cmocka_unit_test(proto__servers__member_count_number_or_string),
		cmocka_unit_test(proto__decoders__wrong_types_and_nulls),
		cmocka_unit_test(proto__channels__grouped_order_and_junk_groups),
		cmocka_unit_test(proto__members_friends__decode),
		cmocka_unit_test(proto__error__fallbacks),
		cmocka_unit_test(proto__frames__hostile),
		cmocka_unit_test(proto__builders__round_trip),
		cmocka_unit_test(proto__ops__names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
