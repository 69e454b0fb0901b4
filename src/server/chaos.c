/* moltchatsd chaos mode (see chaos.h): hostile frames and floods for client robustness
 * tests. Everything runs from two ev_timers on the daemon's loop; frames go out through the
 * gateway's normal queues (chan_send), so the per-connection queue cap still applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "chaos.h"
#include "gateway.h"
#include "store.h"
#include "store_trust.h"

#define DEFAULT_EVERY_MS 50
#define DEFAULT_HUGE (2u * 1024 * 1024)
#define BIG_BYTES (900u * 1024)
#define HUGE_MIN_GAP_S 3.0
#define FLOOD_MAX_PER_TICK 64 /* catch-up per 1 ms tick when the loop was late */
#define RECENT 64              /* stored messages remembered for `dup` */
#define BACKDATE_MS (3600 * 1000LL)

enum kind {
	K_TRUNCATED, K_TYPES, K_MISSING, K_HUGE, K_BIG, K_UTF8, K_UNKNOWN, K_DUP, K_ORDER,
	K_ESCAPES, K__COUNT
};

static const char *const kind_names[K__COUNT] = {
	"truncated", "types", "missing", "huge", "big", "utf8", "unknown", "dup", "order", "escapes",
};

struct recent_msg {
	char id[UUID_LEN + 1];
	char channel[UUID_LEN + 1];
	int agent;
	char *content;
	int64_t created_ms;
};

struct chaos {
	struct srv *srv;
	int running;
	uint64_t rng;
	double every_s;
	unsigned kinds;              /* bit per enum kind */
	size_t huge;
	double flood_s, flood_after_s;
	ev_timer tick, flood;
	double flood_start, last_huge;
	uint64_t flood_sent;
	char agent_ids[2][UUID_LEN + 1];
	struct recent_msg recent[RECENT];
	size_t n_recent, recent_next;
	uint64_t counts[K__COUNT], stored, flooded;
};

/* Hostile display names and usernames (the platform would refuse these usernames; a broken
 * or malicious server can send anything). */
static const char *const agent_usernames[2] = { "chaos\x1b[31m_red", "chaos\xe2\x80\xae_bidi" };
static const char *const agent_displays[2] = {
	"\x1b]0;pwned\x07\x1b[2JEvil \x1b[5mblink",
	"\xe2\x80\xae" "desrever\xe2\x81\xa6 \xc2\x9b" "31m C1 \r\b",
};

/* Content for `escapes`: each one must reach the screen inert. */
static const char *const hostile_contents[] = {
	"clear \x1b[2J\x1b[H screen",
	"title \x1b]0;owned\x07 set",
	"osc52 \x1b]52;c;ZXZpbA==\x07 clipboard",
	"bidi \xe2\x80\xae" "txet desrever\xe2\x80\xac end",
	"isolate \xe2\x81\xa6 RLI \xe2\x81\xa9 PDI",
	"c1 csi \xc2\x9b" "31m red \xc2\x9c",
	"cr \r overwrite and bell \x07 and bs \b\b",
	"zero\xe2\x80\x8bwidth\xef\xbb\xbf bom",
	"wide \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 emoji",
	"combining e\xcc\x81\xcc\x81\xcc\x81",
	"dcs \x1bP1$r\x1b\\ and apc \x1b_x\x1b\\",
	"tab\there\vvt\fff",
};

/* ---- PRNG (splitmix64): reproducible for a seed ---- */

static uint64_t rnd(struct chaos *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rnd_below(struct chaos *c, unsigned n)
{
	return n ? (unsigned)(rnd(c) % n) : 0;
}

static void rnd_uuid(struct chaos *c, char out[UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t a = rnd(c), b = rnd(c);
	int k = 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			out[i] = '-';
			continue;
		}
		uint64_t *src = k < 16 ? &a : &b;
		out[i] = hex[*src & 15];
		*src >>= 4;
		k++;
	}
	out[14] = '4';
	out[19] = hex[8 + (rnd(c) & 3)];
	out[36] = '\0';
}

/* ---- channels with subscribers ---- */

struct chan_list {
	char (*ids)[UUID_LEN + 1];
	size_t n;
};

static int collect_channel(const char *key, void *val, void *ud)
{
	struct chan_list *l = ud;
	l->ids = xrealloc(l->ids, (l->n + 1) * sizeof(*l->ids));
	snprintf(l->ids[l->n++], UUID_LEN + 1, "%s", key);
	return 0;
}

/* A random subscribed channel, or NULL when nobody is subscribed. */
static struct chan_live *pick_channel(struct chaos *c)
{
	struct chan_list l = { NULL, 0 };
	strmap_each(c->srv->gw->channels, collect_channel, &l);
	struct chan_live *ch = l.n ? chan_find(c->srv->gw, l.ids[rnd_below(c, (unsigned)l.n)]) : NULL;
	free(l.ids);
	return ch;
}

static void send_raw(struct chan_live *ch, const char *text, size_t len)
{
	chan_send(ch, text, len, NULL);
}

static void send_json(struct chan_live *ch, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	send_raw(ch, text, strlen(text));
	free(text);
}

/* ---- stored (valid) messages ---- */

static void remember(struct chaos *c, const char *id, const char *channel, int agent,
		     const char *content, int64_t created_ms)
{
	struct recent_msg *r = &c->recent[c->recent_next];
	free(r->content);
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->channel, sizeof(r->channel), "%s", channel);
	r->agent = agent;
	r->content = xstrdup(content);
	r->created_ms = created_ms;
	c->recent_next = (c->recent_next + 1) % RECENT;
	if (c->n_recent < RECENT)
		c->n_recent++;
}

/* Store a message and publish it like any other; it then appears in REST history. */
static int store_and_publish(struct chaos *c, struct chan_live *ch, const char *content,
			     int64_t created_ms)
{
	int agent = (int)rnd_below(c, 2);
	char id[UUID_LEN + 1];
	rnd_uuid(c, id);
	if (store_message_insert(c->srv->store, id, ch->id, c->agent_ids[agent], content, "text",
				 created_ms) != 0)
		return -1;
	c->stored++;
	remember(c, id, ch->id, agent, content, created_ms);
	gateway_publish_message(c->srv->gw, ch->id, id, c->agent_ids[agent], content, "text",
				created_ms, NULL);
	return 0;
}

/* A message frame with a fresh id (never stored), for the malformed variants. */
static cJSON *fake_message(struct chaos *c, struct chan_live *ch)
{
	char id[UUID_LEN + 1], iso[ISO_TIME_LEN];
	rnd_uuid(c, id);
	iso_format_ms(wall_ms(), iso);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "op", "message");
	cJSON_AddStringToObject(o, "channel", ch->id);
	cJSON *agent = store_agent_ref(c->srv->store, c->agent_ids[rnd_below(c, 2)]);
	cJSON_AddItemToObject(o, "agent", agent ? agent : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "content", "[chaos] this frame is malformed: never show it");
	cJSON_AddStringToObject(o, "contentType", "text");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "timestamp", iso);
	cJSON_AddStringToObject(o, "trustTier", "untrusted");
	return o;
}

/* ---- hostile events ---- */

static void ev_truncated(struct chaos *c, struct chan_live *ch)
{
	cJSON *o = fake_message(c, ch);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	size_t n = strlen(text);
	send_raw(ch, text, 1 + rnd_below(c, (unsigned)(n - 1))); /* never the closing brace */
	free(text);
}

static void ev_types(struct chaos *c, struct chan_live *ch)
{
	cJSON *o;
	switch (rnd_below(c, 9)) {
	case 0: /* content is a number */
		o = fake_message(c, ch);
		cJSON_ReplaceItemInObject(o, "content", cJSON_CreateNumber(5));
		break;
	case 1: /* agent is a string */
		o = fake_message(c, ch);
		cJSON_ReplaceItemInObject(o, "agent", cJSON_CreateString("x"));
		break;
	case 2: /* id is an object, timestamp a boolean */
		o = fake_message(c, ch);
		cJSON_ReplaceItemInObject(o, "id", cJSON_CreateObject());
		cJSON_ReplaceItemInObject(o, "timestamp", cJSON_CreateTrue());
		break;
	case 3: /* agent.id is a number */
		o = fake_message(c, ch);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "agent"), "id", cJSON_CreateNumber(7));
		break;
	case 4:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "op", "presence");
		cJSON_AddStringToObject(o, "channel", ch->id);
		cJSON_AddStringToObject(o, "online", "notalist");
		break;
	case 5:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "op", "presence");
		cJSON_AddStringToObject(o, "channel", ch->id);
		cJSON *arr = cJSON_AddArrayToObject(o, "online");
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(1));
		cJSON_AddItemToArray(arr, cJSON_CreateNull());
		cJSON_AddItemToArray(arr, cJSON_CreateObject());
		break;
	case 6:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "op", "typing");
		cJSON_AddNumberToObject(o, "channel", 12);
		cJSON_AddNumberToObject(o, "agent", 42);
		break;
	case 7:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "op", "error");
		cJSON_AddItemToObject(o, "code", cJSON_CreateObject());
		cJSON_AddItemToObject(o, "message", cJSON_CreateArray());
		break;
	default:
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "op", 5);
		cJSON_AddStringToObject(o, "channel", ch->id);
		break;
	}
	send_json(ch, o);
}

static void ev_missing(struct chaos *c, struct chan_live *ch)
{
	static const char *const fields[] = { "id", "channel", "content", "agent", "op" };
	cJSON *o = fake_message(c, ch);
	unsigned which = rnd_below(c, MC_ARRAY_LEN(fields) + 1);
	if (which < MC_ARRAY_LEN(fields))
		cJSON_DeleteItemFromObject(o, fields[which]);
	else /* an agent object without its id */
		cJSON_DeleteItemFromObject(cJSON_GetObjectItem(o, "agent"), "id");
	send_json(ch, o);
}

/* A message frame padded to `bytes` with a fresh id: over the client's cap it must be
 * refused; under it, it is still not a stored message. */
static void send_padded(struct chaos *c, struct chan_live *ch, size_t bytes, const char *op)
{
	char *pad = xmalloc(bytes + 1);
	memset(pad, 'A', bytes);
	pad[bytes] = '\0';
	cJSON *o = fake_message(c, ch);
	cJSON_ReplaceItemInObject(o, "op", cJSON_CreateString(op));
	cJSON_ReplaceItemInObject(o, "content", cJSON_CreateString(pad));
	free(pad);
	send_json(ch, o);
}

static void ev_utf8(struct chaos *c, struct chan_live *ch)
{
	/* lws sends text frames as given (it checks UTF-8 only on receive, and only when asked
	 * to), so these bytes reach the client inside a text frame. */
	static const char *const bad[] = {
		"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80\x80",
	};
	cJSON *o = fake_message(c, ch);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	const char *b = bad[rnd_below(c, MC_ARRAY_LEN(bad))];
	/* splice the bytes into the content string */
	const char *at = strstr(text, "malformed");
	struct buf out = BUF_INIT;
	buf_append(&out, text, (size_t)(at - text));
	buf_puts(&out, b);
	buf_puts(&out, at);
	send_raw(ch, out.data, out.len);
	buf_free(&out);
	free(text);
}

static void ev_unknown(struct chaos *c, struct chan_live *ch)
{
	static const char *const frames[] = {
		"[1,2,3]", "\"just a string\"", "null", "42", "{}", "", "{\"op\":\"\"}",
		"{\"op\":null}", "{\"op\":\"message\"}", "{\"op\":\"presence\"}",
		"{\"op\":\"subscribed\"}", "{\"op\":\"message_ack\",\"id\":7}",
		"{\"op\":\"message_ack\",\"id\":\"00000000-0000-4000-8000-000000000000\"}",
		"{\"op\":\"vouch_ack\",\"target\":{}}", "{\"op\":\"quarantined\",\"reason\":[]}",
		"{\"op\":\"context\",\"platform\":1,\"channel\":{}}",
		"{\"op\":\"op\\u0000nul\"}", "{\"a\":{\"b\":{\"c\":{\"d\":[[[[[[[[[[]]]]]]]]]]}}}}",
	};
	unsigned i = rnd_below(c, MC_ARRAY_LEN(frames) + 1);
	if (i < MC_ARRAY_LEN(frames)) {
		send_raw(ch, frames[i], strlen(frames[i]));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	char name[32];
	snprintf(name, sizeof(name), "chaos_op_%u", rnd_below(c, 1000));
	cJSON_AddStringToObject(o, "op", name);
	cJSON_AddStringToObject(o, "channel", ch->id);
	send_json(ch, o);
}

static void ev_dup(struct chaos *c, struct chan_live *ch)
{
	if (!c->n_recent)
		return;
	struct recent_msg *r = &c->recent[rnd_below(c, (unsigned)c->n_recent)];
	if (!chan_find(c->srv->gw, r->channel))
		return;
	/* twice in a row, after newer ones: the same id, an older timestamp */
	for (int i = 0; i < 2; i++)
		gateway_publish_message(c->srv->gw, r->channel, r->id, c->agent_ids[r->agent],
					r->content, "text", r->created_ms, NULL);
}

static void ev_order(struct chaos *c, struct chan_live *ch)
{
	char *content = xasprintf("[backdated] stored with a timestamp an hour old (%u)",
				  rnd_below(c, 100000));
	store_and_publish(c, ch, content, wall_ms() - BACKDATE_MS);
	free(content);
}

static void ev_escapes(struct chaos *c, struct chan_live *ch)
{
	store_and_publish(c, ch, hostile_contents[rnd_below(c, MC_ARRAY_LEN(hostile_contents))],
			  wall_ms());
}

static void run_event(struct chaos *c, enum kind k, struct chan_live *ch)
{
	switch (k) {
	case K_TRUNCATED: ev_truncated(c, ch); break;
	case K_TYPES: ev_types(c, ch); break;
	case K_MISSING: ev_missing(c, ch); break;
	case K_HUGE: send_padded(c, ch, c->huge, "message"); break;
	case K_BIG: send_padded(c, ch, BIG_BYTES, "chaos_big"); break;
	case K_UTF8: ev_utf8(c, ch); break;
	case K_UNKNOWN: ev_unknown(c, ch); break;
	case K_DUP: ev_dup(c, ch); break;
	case K_ORDER: ev_order(c, ch); break;
	case K_ESCAPES: ev_escapes(c, ch); break;
	default: break;
	}
	c->counts[k]++;
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct chaos *c = w->data;
	if (c->srv->shutting_down)
		return;
	struct chan_live *ch = pick_channel(c);
	if (!ch)
		return;
	enum kind enabled[K__COUNT];
	size_t n = 0;
	for (int k = 0; k < K__COUNT; k++) {
		if (!(c->kinds & (1u << k)))
			continue;
		/* huge frames cost the client its connection: keep them rare */
		if (k == K_HUGE && ev_now(loop) - c->last_huge < HUGE_MIN_GAP_S)
			continue;
		enabled[n++] = (enum kind)k;
	}
	if (!n)
		return;
	enum kind k = enabled[rnd_below(c, (unsigned)n)];
	if (k == K_HUGE)
		c->last_huge = ev_now(loop);
	run_event(c, k, ch);
}

/* ---- flood ---- */

static void flood_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct chaos *c = w->data;
	double now = ev_now(loop);
	if (c->flood_start == 0) {
		c->flood_start = now;
		c->flood_sent = 0;
		log_info("chaos: flood for %.1f s", c->flood_s);
	}
	double elapsed = now - c->flood_start;
	if (elapsed >= c->flood_s || c->srv->shutting_down) {
		ev_timer_stop(loop, w);
		log_info("chaos: flood done (%llu messages)", (unsigned long long)c->flood_sent);
		return;
	}
	/* one per elapsed millisecond, catching up a little when the loop was late */
	uint64_t target = (uint64_t)(elapsed * 1000.0) + 1;
	for (int i = 0; i < FLOOD_MAX_PER_TICK && c->flood_sent < target; i++) {
		struct chan_live *ch = pick_channel(c);
		if (!ch)
			break;
		char text[64];
		snprintf(text, sizeof(text), "flood #%llu", (unsigned long long)c->flood_sent);
		if (store_and_publish(c, ch, text, wall_ms()) != 0)
			break;
		c->flood_sent++;
		c->flooded++;
	}
}

/* ---- set-up ---- */

static void ensure_agents(struct chaos *c)
{
	struct store *st = c->srv->store;
	for (int i = 0; i < 2; i++) {
		if (c->agent_ids[i][0])
			continue;
		char *id = store_agent_id_by_username(st, agent_usernames[i]);
		if (id) {
			snprintf(c->agent_ids[i], sizeof(c->agent_ids[i]), "%s", id);
			free(id);
			continue;
		}
		rnd_uuid(c, c->agent_ids[i]);
		if (store_agent_insert_full(st, c->agent_ids[i], agent_usernames[i], agent_displays[i],
					    "chaos agent", "seed", "online", wall_ms()) != 0)
			log_warn("chaos: could not create agent %d", i);
	}
}

static int parse_kinds(const char *v, unsigned *out)
{
	*out = 0;
	char *copy = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(copy, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
		int k;
		for (k = 0; k < K__COUNT; k++)
			if (!strcmp(t, kind_names[k]))
				break;
		if (k == K__COUNT) {
			free(copy);
			return -1;
		}
		*out |= 1u << k;
	}
	free(copy);
	return 0;
}

static int parse_num(const char *v, double min, double max, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (end == v || *end || d < min || d > max)
		return -1;
	*out = d;
	return 0;
}

static void chaos_stop(struct chaos *c)
{
	ev_timer_stop(c->srv->loop, &c->tick);
	ev_timer_stop(c->srv->loop, &c->flood);
	c->running = 0;
}

int chaos_configure(struct chaos *c, const char *spec, const char **err)
{
	*err = NULL;
	if (!strcmp(spec, "off")) {
		chaos_stop(c);
		log_info("chaos: off");
		return 0;
	}
	double seed = 1, every = DEFAULT_EVERY_MS, huge = DEFAULT_HUGE, flood = 0, after = 0;
	unsigned kinds = (1u << K__COUNT) - 1;
	char *copy = xstrdup(spec), *save = NULL;
	int bad = 0;
	for (char *t = strtok_r(copy, ",", &save); t && !bad; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (!eq) {
			bad = 1;
			break;
		}
		*eq++ = '\0';
		if (!strcmp(t, "seed"))
			bad = parse_num(eq, 0, 1e15, &seed);
		else if (!strcmp(t, "every"))
			bad = parse_num(eq, 0, 3600e3, &every);
		else if (!strcmp(t, "kinds"))
			bad = parse_kinds(eq, &kinds);
		else if (!strcmp(t, "huge"))
			bad = parse_num(eq, 1, 64 << 20, &huge);
		else if (!strcmp(t, "flood"))
			bad = parse_num(eq, 0, 3600, &flood);
		else if (!strcmp(t, "flood_after"))
			bad = parse_num(eq, 0, 3600, &after);
		else
			bad = 1;
	}
	free(copy);
	if (bad) {
		*err = "chaos spec: expected off or key=value[,...] with keys seed, every, kinds, "
		       "huge, flood, flood_after";
		return -1;
	}
	chaos_stop(c);
	c->rng = (uint64_t)seed;
	c->every_s = every / 1000.0;
	c->kinds = kinds;
	c->huge = (size_t)huge;
	c->flood_s = flood;
	c->flood_after_s = after;
	c->last_huge = 0;
	ensure_agents(c);
	struct ev_loop *loop = c->srv->loop;
	if (c->every_s > 0) {
		ev_timer_set(&c->tick, c->every_s, c->every_s);
		ev_timer_start(loop, &c->tick);
	}
	if (c->flood_s > 0) {
		c->flood_start = 0;
		ev_timer_set(&c->flood, after > 0 ? after : 0.001, 0.001);
		ev_timer_start(loop, &c->flood);
	}
	c->running = 1;
	log_info("chaos: on (%s)", spec);
	return 0;
}

cJSON *chaos_stats(struct chaos *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "running", c->running);
	cJSON *k = cJSON_AddObjectToObject(o, "sent");
	for (int i = 0; i < K__COUNT; i++)
		cJSON_AddNumberToObject(k, kind_names[i], (double)c->counts[i]);
	cJSON_AddNumberToObject(o, "stored", (double)c->stored);
	cJSON_AddNumberToObject(o, "flooded", (double)c->flooded);
	cJSON_AddBoolToObject(o, "flooding", ev_is_active(&c->flood));
	return o;
}

struct chaos *chaos_new(struct srv *s)
{
	struct chaos *c = xcalloc(1, sizeof(*c));
	c->srv = s;
	c->rng = 1;
	ev_init(&c->tick, tick_cb);
	c->tick.data = c;
	ev_init(&c->flood, flood_cb);
	c->flood.data = c;
	return c;
}

void chaos_free(struct chaos *c)
{
	if (!c)
		return;
	chaos_stop(c);
	for (size_t i = 0; i < RECENT; i++)
		free(c->recent[i].content);
	free(c);
}
