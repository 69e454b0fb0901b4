/* The fast path for `message` frames (src/proto/frame_fast.c) must give exactly what the
 * cJSON path gives, or leave the frame to it. Compared field by field on recorded frames,
 * hand-written edge cases and many random mutations of them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/proto.h"
#include "../../src/proto/frame_fast.h"

static void same_str(const char *a, const char *b, const char *what, const char *text)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		fail_msg("%s differs (%s vs %s) for: %s", what, a ? a : "NULL", b ? b : "NULL", text);
}

/* Parse with both paths and compare everything a message frame carries. Returns 1 when the
 * fast path took the frame. */
static int compare(const char *text, size_t len)
{
	struct proto_frame a, b;
	int ra = proto_frame_parse(text, len, &a);
	int rb = proto_frame_parse_cjson(text, len, &b);
	assert_int_equal(ra, rb);
	int fast = a.pack_ != NULL;
	if (ra == 0) {
		assert_int_equal(a.op, b.op);
		same_str(a.op_name, b.op_name, "op", text);
		same_str(a.channel, b.channel, "channel", text);
		same_str(a.msg.id, b.msg.id, "id", text);
		same_str(a.msg.channel_id, b.msg.channel_id, "channelId", text);
		same_str(a.msg.content, b.msg.content, "content", text);
		same_str(a.msg.content_type, b.msg.content_type, "contentType", text);
		same_str(a.msg.created_at, b.msg.created_at, "createdAt", text);
		assert_true(a.msg.created_ms == b.msg.created_ms);
		same_str(a.msg.trust_tier, b.msg.trust_tier, "trustTier", text);
		same_str(a.msg.channel_name, b.msg.channel_name, "channelName", text);
		same_str(a.msg.server_name, b.msg.server_name, "serverName", text);
		same_str(a.msg.server_id, b.msg.server_id, "serverId", text);
		same_str(a.msg.agent.id, b.msg.agent.id, "agent.id", text);
		same_str(a.msg.agent.username, b.msg.agent.username, "agent.username", text);
		same_str(a.msg.agent.display_name, b.msg.agent.display_name, "agent.displayName", text);
		same_str(a.msg.agent.avatar_url, b.msg.agent.avatar_url, "agent.avatarUrl", text);
		same_str(a.agent, b.agent, "frame agent", text);
		assert_int_equal(a.n_online, b.n_online);
	}
	proto_frame_free(&a);
	proto_frame_free(&b);
	return fast;
}

#define REAL "{\"op\":\"message\",\"channel\":\"e15db907-7b24-44c4-ad6d-618c0a20600e\"," \
	"\"agent\":{\"id\":\"443622a6-7074-43c3-81e9-8f9c3ad2f48a\",\"username\":\"smoke_b\"," \
	"\"displayName\":null,\"avatarUrl\":null},\"content\":\"hello from B\"," \
	"\"contentType\":\"text\",\"id\":\"3948bc12-69f8-4439-b146-7d10589e2984\"," \
	"\"timestamp\":\"2026-11-30T03:49:24.123Z\",\"trustTier\":\"untrusted\"}"

static void proto_fast__real_frame__taken_and_identical(void **state)
{
	assert_int_equal(compare(REAL, strlen(REAL)), 1);
}

static void proto_fast__edge_cases__identical_either_way(void **state)
{
	static const char *const cases[] = {
		"{\"op\":\"message\",\"id\":\"x\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"\\u00e9\\u4e2d\\u0041\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"\\ud83d\\ude00 surrogates\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"nul \\u0000 inside\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"bad \\x escape\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":5}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":null,\"contentType\":false}",
		"{\"op\":\"message\",\"id\":\"x\",\"id\":\"second\",\"op\":\"typing\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"agent\":\"str\",\"agent\":{\"id\":\"a\"}}",
		"{\"op\":\"message\",\"id\":\"x\",\"agent\":{\"username\":\"u\"}}",
		"{\"op\":\"message\",\"id\":\"x\",\"agent\":{\"id\":\"a\",\"x\":{\"id\":\"deep\"},"
		"\"username\":[1,\"u\"]}}",
		"{\"op\":\"message\",\"id\":\"x\",\"extra\":[[],{},[{\"a\":[true,false,null]}]]}",
		"{\"op\":\"message\",\"id\":\"x\"} trailing garbage",
		"{\"op\":\"message\",\"id\":\"x\"",
		"{\"op\":\"message\",\"id\":\"x\",}",
		"  \r\n{ \"op\" : \"message\" , \"id\" : \"x\" , \"channelId\":\"c1\",\"channel\":\"c2\" } ",
		"\f{\"op\":\"message\",\"id\":\"x\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"raw\ttab\"}",
		"{\"op\":\"message\",\"channel\":\"c\",\"content\":\"client frame\"}",
		"{\"op\":\"mess\\u0061ge\",\"id\":\"x\"}",
		"{\"\\u006fp\":\"message\",\"id\":\"x\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"createdAt\":\"garbage\",\"timestamp\":\"2026-01-01T00:00:00Z\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"timestamp\":\"2026-01-01T00:00:00.5+02:00\"}",
		"{\"op\":\"message\",\"id\":\"x\",\"content\":\"\xff\xfe invalid utf-8\"}",
		"{\"op\":\"typing\",\"channel\":\"c\",\"agent\":\"bob\"}",
		"[\"op\",\"message\"]",
		"{\"op\":\"message\",\"id\":\"x\",\"n\":tru}",
		"{}",
		"",
	};
	for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++)
		compare(cases[i], strlen(cases[i]));
	/* a length that cuts the text short */
	compare(REAL, strlen(REAL) - 10);
	compare(REAL, 1);
}

/* Random byte edits of real frames, biased to JSON's structural characters. */
static void proto_fast__mutations__identical_either_way(void **state)
{
	static const char alphabet[] = "\"\\{}[],:u0aAd8 \n\t\x01\xc3\xa9nulltruefalse-1e5/";
	size_t all_len = 0;
	char path[1024];
	snprintf(path, sizeof(path), "%s/ws-frames.jsonl", FIXTURES_DIR);
	char *all = fs_read_file(path, &all_len);
	assert_non_null(all);

	/* frames of the recording: the "frame" object of each line that has one */
	const char *seeds[64];
	size_t seed_len[64], n_seeds = 0;
	for (char *line = all; line && *line && n_seeds < 64;) {
		char *nl = strchr(line, '\n');
		char *fr = strstr(line, "\"frame\":{\"op\":\"message\"");
		if (fr && (!nl || fr < nl) && strstr(fr, "\"id\"")) {
			fr += 8;
			size_t n = (size_t)((nl ? nl : line + strlen(line)) - fr) - 1; /* drop the outer } */
			seeds[n_seeds] = fr;
			seed_len[n_seeds++] = n;
		}
		line = nl ? nl + 1 : NULL;
	}
	seeds[n_seeds] = REAL;
	seed_len[n_seeds++] = strlen(REAL);

	uint64_t rng = 0x1234567;
	char buf[4096];
	int taken = 0;
	for (int iter = 0; iter < 200000; iter++) {
		size_t k = (size_t)(rng % n_seeds);
		size_t n = seed_len[k] < sizeof(buf) - 8 ? seed_len[k] : sizeof(buf) - 8;
		memcpy(buf, seeds[k], n);
		int edits = 1 + (int)((rng >> 8) % 3);
		for (int e = 0; e < edits; e++) {
			rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
			size_t pos = (size_t)(rng % (n + 1));
			char c = alphabet[(rng >> 20) % (sizeof(alphabet) - 1)];
			switch ((rng >> 40) % 3) {
			case 0: if (pos < n) buf[pos] = c; break;
			case 1: if (n < sizeof(buf) - 2) { memmove(buf + pos + 1, buf + pos, n - pos); buf[pos] = c; n++; } break;
			case 2: if (pos < n) { memmove(buf + pos, buf + pos + 1, n - pos - 1); n--; } break;
			}
		}
		buf[n] = '\0';
		taken += compare(buf, n);
	}
	free(all);
	assert_true(taken > 1000); /* the fast path is exercised, not just the fallback */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proto_fast__real_frame__taken_and_identical),
		cmocka_unit_test(proto_fast__edge_cases__identical_either_way),
		cmocka_unit_test(proto_fast__mutations__identical_either_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
