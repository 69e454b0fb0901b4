/* WebSocket frames (protocol.md §4): op names, parsing of any frame in either direction, and
 * builders for the client->server ops. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/proto.h"
#include "jsonutil.h"
#include "frame_fast.h"

static const char *const op_names[PROTO_OP__COUNT] = {
	[PROTO_OP_UNKNOWN] = "?",
	[PROTO_OP_PING] = "ping",
	[PROTO_OP_SUBSCRIBE] = "subscribe",
	[PROTO_OP_UNSUBSCRIBE] = "unsubscribe",
	[PROTO_OP_MESSAGE] = "message",
	[PROTO_OP_TYPING] = "typing",
	[PROTO_OP_VOUCH] = "vouch",
	[PROTO_OP_VOUCH_REVOKE] = "vouch_revoke",
	[PROTO_OP_FLAG] = "flag",
	[PROTO_OP_PONG] = "pong",
	[PROTO_OP_SUBSCRIBED] = "subscribed",
	[PROTO_OP_UNSUBSCRIBED] = "unsubscribed",
	[PROTO_OP_CONTEXT] = "context",
	[PROTO_OP_MESSAGE_ACK] = "message_ack",
	[PROTO_OP_PRESENCE] = "presence",
	[PROTO_OP_ERROR] = "error",
	[PROTO_OP_VOUCH_ACK] = "vouch_ack",
	[PROTO_OP_FLAG_ACK] = "flag_ack",
	[PROTO_OP_QUARANTINED] = "quarantined",
};

enum proto_op proto_op_parse(const char *name)
{
	if (!name)
		return PROTO_OP_UNKNOWN;
	for (int i = 1; i < PROTO_OP__COUNT; i++) {
		if (op_names[i] && strcmp(op_names[i], name) == 0)
			return (enum proto_op)i;
	}
	return PROTO_OP_UNKNOWN;
}

const char *proto_op_name(enum proto_op op)
{
	if ((int)op <= 0 || op >= PROTO_OP__COUNT || !op_names[op])
		return "?";
	return op_names[op];
}

void proto_frame_free(struct proto_frame *f)
{
	if (!f)
		return;
	if (f->pack_) {
		/* the fast path's frames: one block, no online list */
		proto_pack_put(f->pack_);
		memset(f, 0, sizeof(*f));
		return;
	}
	free(f->op_name);
	free(f->channel);
	free(f->code);
	free(f->message);
	free(f->agent);
	free(f->id);
	free(f->timestamp);
	free(f->platform);
	free(f->server_instr);
	free(f->channel_instr);
	free(f->reason);
	free(f->target);
	for (size_t i = 0; i < f->n_online; i++)
		free(f->online[i]);
	free(f->online);
	proto_message_free(&f->msg);
	memset(f, 0, sizeof(*f));
}

/* Strings of arr into f->online (non-strings skipped). */
static void take_string_array(const cJSON *arr, struct proto_frame *f)
{
	int n = cJSON_GetArraySize(arr);
	f->online = xcalloc(n > 0 ? (size_t)n : 1, sizeof(char *));
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		if (cJSON_IsString(it) && it->valuestring)
			f->online[f->n_online++] = xstrdup(it->valuestring);
	}
}

int proto_frame_parse(const char *text, size_t len, struct proto_frame *f)
{
	if (text && proto_frame_parse_fast(text, len, f))
		return 0;
	return proto_frame_parse_cjson(text, len, f);
}

int proto_frame_parse_cjson(const char *text, size_t len, struct proto_frame *f)
{
	memset(f, 0, sizeof(*f));
	cJSON *j = ju_parse(text, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	f->op_name = ju_str(j, "op");
	if (!f->op_name) {
		cJSON_Delete(j);
		return -1;
	}
	f->op = proto_op_parse(f->op_name);
	f->channel = ju_str(j, "channel");

	switch (f->op) {
	case PROTO_OP_TYPING:
		f->agent = ju_str(j, "agent"); /* server->client: the typist's username */
		break;
	case PROTO_OP_PRESENCE: {
		const cJSON *online = cJSON_GetObjectItemCaseSensitive(j, "online");
		if (cJSON_IsArray(online))
			take_string_array(online, f);
		break;
	}
	case PROTO_OP_SUBSCRIBE:
	case PROTO_OP_UNSUBSCRIBE: {
		const cJSON *chans = cJSON_GetObjectItemCaseSensitive(j, "channels");
		if (cJSON_IsArray(chans))
			take_string_array(chans, f);
		else
			f->channels_not_array = 1;
		break;
	}
	case PROTO_OP_MESSAGE_ACK:
		f->id = ju_str(j, "id");
		f->timestamp = ju_str(j, "timestamp");
		if (!f->timestamp || iso_parse_ms(f->timestamp, &f->ts_ms) != 0)
			f->ts_ms = 0;
		break;
	case PROTO_OP_MESSAGE:
		if (proto_message_from_json(j, &f->msg) != 0) {
			/* client->server frames carry no id: keep content for the server */
			memset(&f->msg, 0, sizeof(f->msg));
			f->msg.content = ju_str(j, "content");
			f->msg.content_type = ju_str(j, "contentType");
			f->msg.channel_id = xstrdup(f->channel);
		}
		break;
	case PROTO_OP_ERROR:
		f->code = ju_str(j, "code");
		f->message = ju_str(j, "message");
		break;
	case PROTO_OP_CONTEXT:
		f->platform = ju_str(j, "platform");
		f->server_instr = ju_str(j, "server");
		f->channel_instr = ju_str(j, "channel");
		free(f->channel); /* `channel` is instructions text here, not an id */
		f->channel = NULL;
		break;
	case PROTO_OP_QUARANTINED:
		f->reason = ju_str(j, "reason");
		break;
	case PROTO_OP_VOUCH:
	case PROTO_OP_VOUCH_REVOKE:
	case PROTO_OP_FLAG:
	case PROTO_OP_VOUCH_ACK:
	case PROTO_OP_FLAG_ACK:
		f->target = ju_str(j, "target");
		f->reason = ju_str(j, "reason");
		break;
	default:
		break;
	}
	cJSON_Delete(j);
	return 0;
}

/* Serialise and free obj. */
static char *finish(cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (!s)
		abort(); /* cJSON only fails on out-of-memory */
	char *copy = xstrdup(s); /* callers free() with the libc allocator */
	cJSON_free(s);
	return copy;
}

static char *build_channels_op(const char *op, const char *const *ids, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", op);
	cJSON *arr = cJSON_AddArrayToObject(o, "channels");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(ids[i] ? ids[i] : ""));
	return finish(o);
}

char *proto_build_subscribe(const char *const *channel_ids, size_t n)
{
	return build_channels_op("subscribe", channel_ids, n);
}

char *proto_build_unsubscribe(const char *const *channel_ids, size_t n)
{
	return build_channels_op("unsubscribe", channel_ids, n);
}

char *proto_build_message(const char *channel_id, const char *content, const char *content_type)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "message");
	cJSON_AddStringToObject(o, "channel", channel_id ? channel_id : "");
	cJSON_AddStringToObject(o, "content", content ? content : "");
	if (content_type)
		cJSON_AddStringToObject(o, "contentType", content_type);
	return finish(o);
}

char *proto_build_typing(const char *channel_id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "typing");
	cJSON_AddStringToObject(o, "channel", channel_id ? channel_id : "");
	return finish(o);
}

char *proto_build_ping(void)
{
	return xstrdup("{\"op\":\"ping\"}");
}

char *proto_build_trust_op(enum proto_op op, const char *target, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", proto_op_name(op));
	cJSON_AddStringToObject(o, "target", target ? target : "");
	if (reason && op == PROTO_OP_FLAG)
		cJSON_AddStringToObject(o, "reason", reason);
	return finish(o);
}
