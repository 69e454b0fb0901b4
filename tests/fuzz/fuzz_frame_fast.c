/* libFuzzer target, differential: the single-pass decoder for `message` frames
 * (src/proto/frame_fast.c, reached through proto_frame_parse) must give exactly what the
 * general cJSON path gives, or leave the frame to it. Every field a message frame carries is
 * compared; any difference is a crash with the input saved. */
#include "frame_fast.h"
#include "fuzz_util.h"
#include "moltty/proto.h"

static void same(const char *a, const char *b, const char *what)
{
	FUZZ_CHECK((a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0),
		   "%s differs: fast path '%s', cJSON '%s'", what, a ? a : "NULL", b ? b : "NULL");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size heap copy: neither path may read past len */
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct proto_frame a, b;
	int ra = proto_frame_parse(text, size, &a);
	int rb = proto_frame_parse_cjson(text, size, &b);
	FUZZ_CHECK(ra == rb, "fast path says %d, cJSON %d", ra, rb);
	if (ra == 0) {
		FUZZ_CHECK(a.op == b.op, "op %d vs %d", a.op, b.op);
		same(a.op_name, b.op_name, "op");
		same(a.channel, b.channel, "channel");
		same(a.msg.id, b.msg.id, "id");
		same(a.msg.channel_id, b.msg.channel_id, "channelId");
		same(a.msg.content, b.msg.content, "content");
		same(a.msg.content_type, b.msg.content_type, "contentType");
		same(a.msg.created_at, b.msg.created_at, "createdAt");
		FUZZ_CHECK(a.msg.created_ms == b.msg.created_ms, "created_ms");
		same(a.msg.trust_tier, b.msg.trust_tier, "trustTier");
		same(a.msg.channel_name, b.msg.channel_name, "channelName");
		same(a.msg.server_name, b.msg.server_name, "serverName");
		same(a.msg.server_id, b.msg.server_id, "serverId");
		same(a.msg.agent.id, b.msg.agent.id, "agent.id");
		same(a.msg.agent.username, b.msg.agent.username, "agent.username");
		same(a.msg.agent.display_name, b.msg.agent.display_name, "agent.displayName");
		same(a.msg.agent.avatar_url, b.msg.agent.avatar_url, "agent.avatarUrl");
		same(a.agent, b.agent, "frame agent");
		same(a.id, b.id, "frame id");
		same(a.timestamp, b.timestamp, "timestamp");
		FUZZ_CHECK(a.ts_ms == b.ts_ms, "ts_ms");
		FUZZ_CHECK(a.n_online == b.n_online, "n_online");
		proto_frame_free(&a);
		proto_frame_free(&b);
	}
	free(text);
	return 0;
}
