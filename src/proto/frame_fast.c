/* The fast path of proto_frame_parse for `message` frames, the one op a busy channel sends
 * thousands of times a second (issue 7). A single pass over the text finds the keys a message
 * needs and decodes their strings into ONE allocation (f->pack_), instead of building a cJSON
 * tree and copying a dozen strings out of it.
 *
 * It only accepts what it fully understands and returns 0 for anything else, so the caller
 * falls back to the cJSON path and the result is always what that path gives: every escape
 * other than the simple ones and \uXXXX outside the surrogates and NUL, raw control bytes in
 * strings, numbers, keys with escapes, unusual whitespace, deep nesting, a message without an
 * id, and every other op. Like cJSON_GetObjectItemCaseSensitive it takes the first of
 * duplicate keys, and like cJSON_ParseWithLength it ignores whatever follows the object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/proto.h"
#include "frame_fast.h"

enum {
	K_OP, K_CHANNEL, K_CHANNEL_ID, K_ID, K_CONTENT, K_CONTENT_TYPE, K_CREATED_AT, K_TIMESTAMP,
	K_TRUST_TIER, K_CHANNEL_NAME, K_SERVER_NAME, K_SERVER_ID, K_AGENT,
	A_ID, A_USERNAME, A_DISPLAY_NAME, A_AVATAR_URL,
	K__COUNT
};

struct val {
	const char *s;  /* string body (between the quotes), raw */
	size_t n;
	size_t out;     /* decoded length (<= n) */
	char seen;      /* the key occurred (first occurrence wins) */
	char is_str;
};

struct scan {
	const char *p, *end;
	struct val v[K__COUNT];
	int agent_obj;  /* the first "agent" was an object */
};

#define MAX_DEPTH 64

static int key_index(const char *k, size_t n, int in_agent)
{
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(k, lit, n))
	if (in_agent) {
		if (IS("id")) return A_ID;
		if (IS("username")) return A_USERNAME;
		if (IS("displayName")) return A_DISPLAY_NAME;
		if (IS("avatarUrl")) return A_AVATAR_URL;
		return -1;
	}
	switch (n) {
	case 2: return IS("op") ? K_OP : IS("id") ? K_ID : -1;
	case 5: return IS("agent") ? K_AGENT : -1;
	case 7: return IS("channel") ? K_CHANNEL : IS("content") ? K_CONTENT : -1;
	case 8: return IS("serverId") ? K_SERVER_ID : -1;
	case 9: return IS("channelId") ? K_CHANNEL_ID : IS("createdAt") ? K_CREATED_AT
		: IS("timestamp") ? K_TIMESTAMP : IS("trustTier") ? K_TRUST_TIER : -1;
	case 10: return IS("serverName") ? K_SERVER_NAME : -1;
	case 11: return IS("contentType") ? K_CONTENT_TYPE : IS("channelName") ? K_CHANNEL_NAME : -1;
	default: return -1;
	}
#undef IS
}

static inline void skip_ws(struct scan *s)
{
	/* compact JSON has none: one comparison for the usual case */
	while (s->p < s->end && (unsigned char)*s->p <= ' ' &&
	       (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int hex4(const char *h, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = h[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* The first quote, backslash or control byte in [p, end), or end. */
static inline const char *next_special(const char *p, const char *end)
{
#ifdef __SSE2__
	/* sixteen bytes per step; x <= 0x1f is "x minus 0x1f saturates to zero" */
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		ctl = _mm_set1_epi8(0x1f), zero = _mm_setzero_si128();
	for (; end - p >= 16; p += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
			_mm_cmpeq_epi8(x, bslash)), _mm_cmpeq_epi8(_mm_subs_epu8(x, ctl), zero));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		if (m)
			return p + __builtin_ctz(m);
	}
#endif
	/* eight per step while no byte of the word is special (the "has zero byte" trick) */
	for (; end - p >= 8; p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
		uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
		uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
		if (hit & highs)
			break;
	}
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

/* At an opening quote: find the closing one, check the escapes we can decode, count the
 * decoded length. 0 on success (s->p after the closing quote). */
static inline __attribute__((always_inline)) int scan_string(struct scan *s, struct val *v)
{
	const char *p = s->p + 1, *start = p;
	size_t saved = 0; /* raw bytes minus decoded bytes of the escapes */
	for (;;) {
		p = next_special(p, s->end);
		if (p >= s->end || (unsigned char)*p < 0x20)
			return -1;
		if (*p == '"')
			break;
		if (p + 1 >= s->end)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p += 2;
			saved += 1;
			break;
		case 'u': {
			unsigned cp;
			if (p + 6 > s->end || hex4(p + 2, &cp) != 0 || cp == 0 ||
			    (cp >= 0xD800 && cp <= 0xDFFF))
				return -1;
			p += 6;
			saved += cp < 0x80 ? 5 : cp < 0x800 ? 4 : 3;
			break;
		}
		default:
			return -1;
		}
	}
	if (v) {
		v->s = start;
		v->n = (size_t)(p - start);
		v->out = v->n - saved;
		v->is_str = 1;
	}
	s->p = p + 1;
	return 0;
}

static char *decode_into(const struct val *v, char *dst)
{
	const char *p = v->s, *e = v->s + v->n;
	if (v->out == v->n) {
		/* no escape (each one decodes shorter): no second look for backslashes */
		memcpy(dst, p, v->n);
		dst[v->n] = '\0';
		return dst + v->n + 1;
	}
	while (p < e) {
		const char *bs = memchr(p, '\\', (size_t)(e - p));
		size_t run = bs ? (size_t)(bs - p) : (size_t)(e - p);
		memcpy(dst, p, run);
		dst += run;
		p += run;
		if (!bs)
			break;
		char c = p[1];
		p += 2;
		switch (c) {
		case 'b': *dst++ = '\b'; break;
		case 'f': *dst++ = '\f'; break;
		case 'n': *dst++ = '\n'; break;
		case 'r': *dst++ = '\r'; break;
		case 't': *dst++ = '\t'; break;
		case 'u': {
			unsigned cp = 0;
			hex4(p, &cp); /* checked by scan_string */
			p += 4;
			if (cp < 0x80) {
				*dst++ = (char)cp;
			} else if (cp < 0x800) {
				*dst++ = (char)(0xC0 | (cp >> 6));
				*dst++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*dst++ = (char)(0xE0 | (cp >> 12));
				*dst++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*dst++ = (char)(0x80 | (cp & 0x3F));
			}
			break;
		}
		default: *dst++ = c; break; /* " \ / */
		}
	}
	*dst = '\0';
	return dst + 1;
}

static int scan_literal(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int scan_object(struct scan *s, int depth, int which); /* which: 0 top, 1 agent, 2 skip */

static int skip_array(struct scan *s, int depth)
{
	s->p++; /* [ */
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		switch (*s->p) {
		case '"': if (scan_string(s, NULL)) return -1; break;
		case '{': if (depth >= MAX_DEPTH || scan_object(s, depth + 1, 2)) return -1; break;
		case '[': if (depth >= MAX_DEPTH || skip_array(s, depth + 1)) return -1; break;
		case 't': if (scan_literal(s, "true", 4)) return -1; break;
		case 'f': if (scan_literal(s, "false", 5)) return -1; break;
		case 'n': if (scan_literal(s, "null", 4)) return -1; break;
		default: return -1; /* numbers and anything odd: the cJSON path decides */
		}
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		return -1;
	}
}

static int scan_object(struct scan *s, int depth, int which)
{
	s->p++; /* { */
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		if (s->p >= s->end || *s->p != '"')
			return -1;
		/* Keys with escapes (decoded length differs), and raw control bytes (cJSON cuts
		 * keys at NUL; scan_string refuses them), go to the cJSON path. */
		struct val key;
		if (scan_string(s, &key) || key.out != key.n)
			return -1;
		int idx = which == 2 ? -1 : key_index(key.s, key.n, which == 1);
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		struct val *v = NULL;
		if (idx >= 0 && !s->v[idx].seen) {
			s->v[idx].seen = 1;
			v = &s->v[idx];
		}
		switch (*s->p) {
		case '"':
			if (scan_string(s, v))
				return -1;
			break;
		case '{':
			if (depth >= MAX_DEPTH)
				return -1;
			if (v && idx == K_AGENT) {
				s->agent_obj = 1;
				if (scan_object(s, depth + 1, 1))
					return -1;
			} else if (scan_object(s, depth + 1, 2)) {
				return -1;
			}
			break;
		case '[': if (depth >= MAX_DEPTH || skip_array(s, depth + 1)) return -1; break;
		case 't': if (scan_literal(s, "true", 4)) return -1; break;
		case 'f': if (scan_literal(s, "false", 5)) return -1; break;
		case 'n': if (scan_literal(s, "null", 4)) return -1; break;
		default: return -1;
		}
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p == '}') {
			s->p++;
			return 0;
		}
		return -1;
	}
}

static int str_is(const struct val *v, const char *lit)
{
	size_t n = strlen(lit);
	return v->is_str && v->n == n && !memcmp(v->s, lit, n);
}

/* One spare pack block per thread, reused frame after frame: a flood then costs no malloc
 * per frame, and the heap isn't fragmented by blocks of every size freed between the
 * model's allocations. The block's capacity sits in front of it. */
#define PACK_KEEP_MAX 65536
static __thread size_t *spare_pack;

static char *proto_pack_get(size_t need)
{
	size_t *b = spare_pack;
	if (b && b[0] >= need) {
		spare_pack = NULL;
		return (char *)(b + 1);
	}
	size_t cap = need < 2048 ? 2048 : need;
	b = xmalloc(sizeof(size_t) + cap);
	b[0] = cap;
	return (char *)(b + 1);
}

void proto_pack_put(void *pack)
{
	size_t *b = (size_t *)pack - 1;
	if (!spare_pack && b[0] <= PACK_KEEP_MAX) {
		spare_pack = b;
		return;
	}
	free(b);
}

int proto_frame_parse_fast(const char *text, size_t len, struct proto_frame *f)
{
	struct scan s;
	memset(&s, 0, sizeof(s));
	s.p = text;
	s.end = text + len;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || scan_object(&s, 1, 0) != 0)
		return 0;
	if (!str_is(&s.v[K_OP], "message") || !s.v[K_ID].is_str)
		return 0; /* other ops, and client->server frames (no id): the cJSON path */

	struct val *v = s.v;
	int have_agent = s.agent_obj && v[A_ID].is_str;
	/* which value fills each output, in the order they are packed */
	static const char lit_text[] = "text";
	struct val content_def = { "", 0, 0, 1, 1 }, type_def = { lit_text, 4, 4, 1, 1 };
	const struct val *chan = v[K_CHANNEL_ID].is_str ? &v[K_CHANNEL_ID] : &v[K_CHANNEL];
	const struct val *created = v[K_CREATED_AT].is_str ? &v[K_CREATED_AT] : &v[K_TIMESTAMP];
	const struct val *src[] = {
		&v[K_OP], &v[K_CHANNEL], &v[K_ID], chan,
		v[K_CONTENT].is_str ? &v[K_CONTENT] : &content_def,
		v[K_CONTENT_TYPE].is_str ? &v[K_CONTENT_TYPE] : &type_def,
		created, &v[K_TRUST_TIER], &v[K_CHANNEL_NAME], &v[K_SERVER_NAME], &v[K_SERVER_ID],
		have_agent ? &v[A_ID] : NULL, have_agent ? &v[A_USERNAME] : NULL,
		have_agent ? &v[A_DISPLAY_NAME] : NULL, have_agent ? &v[A_AVATAR_URL] : NULL,
	};
	char **dst[] = {
		&f->op_name, &f->channel, &f->msg.id, &f->msg.channel_id, &f->msg.content,
		&f->msg.content_type, &f->msg.created_at, &f->msg.trust_tier, &f->msg.channel_name,
		&f->msg.server_name, &f->msg.server_id, &f->msg.agent.id, &f->msg.agent.username,
		&f->msg.agent.display_name, &f->msg.agent.avatar_url,
	};
	size_t total = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(src); i++)
		if (src[i] && src[i]->is_str)
			total += src[i]->out + 1;

	memset(f, 0, sizeof(*f));
	char *pack = proto_pack_get(total);
	char *w = pack;
	for (size_t i = 0; i < MC_ARRAY_LEN(src); i++) {
		if (!src[i] || !src[i]->is_str)
			continue;
		*dst[i] = w;
		w = decode_into(src[i], w);
	}
	f->pack_ = pack;
	f->op = PROTO_OP_MESSAGE;
	if (!f->msg.created_at || iso_parse_ms(f->msg.created_at, &f->msg.created_ms) != 0)
		f->msg.created_ms = 0;
	return 1;
}
