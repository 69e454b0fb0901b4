/* libFuzzer target: every proto decoder of remote input. The first byte picks the decoder
 * (REST bodies, item decoders over a parsed cJSON tree, WS frames); the rest is the body. */
#include <cJSON.h>

#include "fuzz_util.h"
#include "moltty/proto.h"

#define DECODE(type, fn, freefn)                                                               \
	do {                                                                                   \
		type v;                                                                        \
		memset(&v, 0xA5, sizeof(v)); /* decoders must not rely on a zeroed output */   \
		if (fn(body, len, &v) == 0)                                                    \
			freefn(&v);                                                            \
		else                                                                           \
			check_zeroed(&v, sizeof(v), #fn);                                      \
	} while (0)

/* Decoders that fail must leave their output zeroed (proto.h), or callers that free it anyway
 * would free garbage. Only checked where the header promises it. */
static int promises_zeroed = 0;
static void check_zeroed(const void *p, size_t n, const char *what)
{
	if (!promises_zeroed)
		return;
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(b[i] == 0, "%s left its output dirty after failing", what);
}

#define ITEM(type, fn, freefn)                                                                 \
	do {                                                                                   \
		type v;                                                                        \
		memset(&v, 0xA5, sizeof(v));                                                   \
		if (fn(j, &v) == 0) {                                                          \
			freefn(&v);                                                            \
		} else {                                                                       \
			promises_zeroed = 1;                                                   \
			check_zeroed(&v, sizeof(v), #fn);                                      \
			promises_zeroed = 0;                                                   \
		}                                                                              \
	} while (0)

static void frame(const char *body, size_t len)
{
	struct proto_frame f;
	memset(&f, 0xA5, sizeof(f));
	if (proto_frame_parse(body, len, &f) == 0) {
		FUZZ_CHECK(f.op_name != NULL, "a parsed frame has its op name");
		FUZZ_CHECK(f.op >= PROTO_OP_UNKNOWN && f.op < PROTO_OP__COUNT, "op in range");
		FUZZ_CHECK(proto_op_name(f.op) != NULL, "every op has a name");
		for (size_t i = 0; i < f.n_online; i++)
			FUZZ_CHECK(f.online[i] != NULL, "online[%zu] is set", i);
		proto_frame_free(&f);
	} else {
		promises_zeroed = 1;
		check_zeroed(&f, sizeof(f), "proto_frame_parse");
		promises_zeroed = 0;
	}
}

/* What we send must read back the same: message, typing, subscribe and trust-op builders with
 * hostile channel ids, content and reasons (valid UTF-8, as the editor produces). */
static void build_round_trip(const uint8_t *data, size_t len)
{
	char *all = fz_cstr(data, len);
	size_t n = strlen(all), half = n / 2;
	char *channel = strndup(all, half), *content = strdup(all + half);
	if (fz_valid_utf8(all, n)) {
		struct proto_frame f;
		char *text = proto_build_message(channel, content, half & 1 ? "code" : NULL);
		FUZZ_CHECK(text && proto_frame_parse(text, strlen(text), &f) == 0, "message frame");
		FUZZ_CHECK(f.op == PROTO_OP_MESSAGE && f.channel && strcmp(f.channel, channel) == 0 &&
				   f.msg.content && strcmp(f.msg.content, content) == 0,
			   "message frame round trip");
		proto_frame_free(&f);
		free(text);

		text = proto_build_typing(channel);
		FUZZ_CHECK(text && proto_frame_parse(text, strlen(text), &f) == 0 &&
				   f.op == PROTO_OP_TYPING && strcmp(f.channel, channel) == 0,
			   "typing frame round trip");
		proto_frame_free(&f);
		free(text);

		const char *ids[2] = { channel, content };
		text = proto_build_subscribe(ids, 2);
		FUZZ_CHECK(text && proto_frame_parse(text, strlen(text), &f) == 0 &&
				   f.op == PROTO_OP_SUBSCRIBE && f.n_online == 2 &&
				   strcmp(f.online[0], channel) == 0 && strcmp(f.online[1], content) == 0,
			   "subscribe frame round trip");
		proto_frame_free(&f);
		free(text);

		text = proto_build_trust_op(PROTO_OP_FLAG, channel, content);
		FUZZ_CHECK(text && proto_frame_parse(text, strlen(text), &f) == 0 &&
				   f.op == PROTO_OP_FLAG,
			   "flag frame round trip");
		proto_frame_free(&f);
		free(text);
	}
	free(channel);
	free(content);
	free(all);
}

static void items(const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!root)
		return;
	/* the root and, for arrays/objects, each child */
	const cJSON *j = root;
	for (int pass = 0; j && pass < 64; pass++) {
		ITEM(struct proto_agent_ref, proto_agent_ref_from_json, proto_agent_ref_free);
		ITEM(struct proto_channel, proto_channel_from_json, proto_channel_free);
		ITEM(struct proto_server, proto_server_from_json, proto_server_free);
		ITEM(struct proto_message, proto_message_from_json, proto_message_free);
		ITEM(struct proto_profile, proto_profile_from_json, proto_profile_free);
		j = pass == 0 ? root->child : j->next;
	}
	cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned which = data[0];
	size_t len = size - 1;
	/* the decoders take (text, len) and must not read past len: give them an exact-size
	 * heap copy so ASan catches any overread */
	char *body = malloc(len ? len : 1);
	memcpy(body, data + 1, len);

	switch (which % 28) {
	case 0: frame(body, len); break;
	case 1: DECODE(struct proto_profile, proto_decode_profile, proto_profile_free); break;
	case 2: DECODE(struct proto_auth, proto_decode_auth, proto_auth_free); break;
	case 3: DECODE(struct proto_server, proto_decode_server, proto_server_free); break;
	case 4: DECODE(struct proto_servers, proto_decode_servers, proto_servers_free); break;
	case 5: DECODE(struct proto_channels, proto_decode_channels, proto_channels_free); break;
	case 6: DECODE(struct proto_channel, proto_decode_channel, proto_channel_free); break;
	case 7: DECODE(struct proto_message, proto_decode_message, proto_message_free); break;
	case 8: DECODE(struct proto_messages, proto_decode_messages, proto_messages_free); break;
	case 9: DECODE(struct proto_members, proto_decode_members, proto_members_free); break;
	case 10: DECODE(struct proto_friends, proto_decode_friends, proto_friends_free); break;
	case 11: {
		struct proto_error e;
		proto_decode_error(200 + (int)(len % 400), body, len, &e);
		FUZZ_CHECK(e.message != NULL, "an error always has a message");
		proto_error_free(&e);
		break;
	}
	case 12: DECODE(struct proto_ack, proto_decode_ack, proto_ack_free); break;
	case 13: DECODE(struct proto_pending, proto_decode_pending, proto_pending_free); break;
	case 14: DECODE(struct proto_friend_requests, proto_decode_friend_requests,
			proto_friend_requests_free); break;
	case 15: DECODE(struct proto_agent_config, proto_decode_agent_config,
			proto_agent_config_free); break;
	case 16: DECODE(struct proto_blocks, proto_decode_blocks, proto_blocks_free); break;
	case 17: DECODE(struct proto_bans, proto_decode_bans, proto_bans_free); break;
	case 18: DECODE(struct proto_search, proto_decode_search, proto_search_free); break;
	case 19: DECODE(struct proto_trust, proto_decode_trust, proto_trust_free); break;
	case 20: DECODE(struct proto_trust_challenge, proto_decode_trust_challenge,
			proto_trust_challenge_free); break;
	case 21: DECODE(struct proto_webhook_test, proto_decode_webhook_test,
			proto_webhook_test_free); break;
	case 22: DECODE(struct proto_health, proto_decode_health, proto_health_free); break;
	case 23: DECODE(struct proto_observer_auth, proto_decode_observer_auth,
			proto_observer_auth_free); break;
	case 24: items(body, len); break;
	case 25: {
		char *s = fz_cstr(data + 1, len);
		enum proto_op op = proto_op_parse(s);
		FUZZ_CHECK(op >= PROTO_OP_UNKNOWN && op < PROTO_OP__COUNT, "op in range");
		(void)proto_is_upper_snake(s);
		free(s);
		break;
	}
	case 26: frame(body, len); break; /* frames get two selectors: they are the hot path */
	case 27: build_round_trip(data + 1, len); break;
	}
	free(body);
	return 0;
}
