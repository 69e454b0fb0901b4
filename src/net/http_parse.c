/* Incremental HTTP/1.x response parser (see http_parse.h). Lines may end in CRLF or a bare LF;
 * anything else that does not follow RFC 9112 ends in HP_ERROR with a short reason, never in
 * a guess: a response that cannot be delimited cannot be trusted. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"

void http_parse_init(struct http_parse *p, struct buf *body, size_t max_body, int head_request)
{
	memset(p, 0, sizeof(*p));
	p->state = HP_STATUS;
	p->content_length = -1;
	p->rl_limit = p->rl_remaining = p->rl_reset = -1;
	p->bodyless = head_request;
	p->max_body = max_body;
	p->body = body;
}

void http_parse_free(struct http_parse *p)
{
	buf_free(&p->line);
}

int http_parse_started(const struct http_parse *p)
{
	return p->seen > 0;
}

static int fail(struct http_parse *p, const char *why)
{
	p->state = HP_ERROR;
	p->error = why;
	return -1;
}

/* "HTTP/1.1 200 OK" */
static int parse_status(struct http_parse *p, const char *s, size_t n)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)s[7]) || s[8] != ' ')
		return -1;
	if (!isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
		!isdigit((unsigned char)s[11]) || (n > 12 && s[12] != ' '))
		return -1;
	p->http_minor = s[7] - '0';
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (p->status < 100)
		return -1;
	p->keep_alive = p->http_minor >= 1;
	p->chunked = 0;
	p->content_length = -1;
	p->rl_limit = p->rl_remaining = p->rl_reset = -1;
	return 0;
}

static int name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

int http_has_token(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t start = i;
		while (i < n && v[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end - start == tl && strncasecmp(v + start, token, tl) == 0)
			return 1;
	}
	return 0;
}

/* decimal digits only; -1 when not a number or too large */
static long long decimal(const char *v, size_t n)
{
	if (n == 0 || n > 18)
		return -1;
	long long x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

static int parse_header(struct http_parse *p, const char *s, size_t n)
{
	if (s[0] == ' ' || s[0] == '\t')
		return 0; /* obsolete line folding: a continuation of a header we do not need */
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return -1;
	size_t nl = (size_t)(colon - s);
	if (s[nl - 1] == ' ' || s[nl - 1] == '\t')
		return -1; /* whitespace before the colon is forbidden (request smuggling) */
	const char *v = colon + 1;
	size_t vn = n - nl - 1;
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;

	if (name_is(s, nl, "Content-Length")) {
		long long cl = decimal(v, vn);
		if (cl < 0 || (p->content_length >= 0 && p->content_length != cl))
			return -1;
		p->content_length = cl;
	} else if (name_is(s, nl, "Transfer-Encoding")) {
		/* only chunked: moltty cannot undo a compression coding it did not offer (TE) */
		if (!(vn == 7 && strncasecmp(v, "chunked", 7) == 0))
			return -3;
		p->chunked = 1;
	} else if (name_is(s, nl, "Connection")) {
		if (http_has_token(v, vn, "close"))
			p->keep_alive = 0;
		else if (http_has_token(v, vn, "keep-alive"))
			p->keep_alive = 1;
	} else if (name_is(s, nl, "Content-Encoding")) {
		/* moltty never sends Accept-Encoding: a coded body is one it cannot read */
		if (!(vn == 0 || (vn == 8 && strncasecmp(v, "identity", 8) == 0)))
			return -2;
	} else if (name_is(s, nl, "X-RateLimit-Limit")) {
		p->rl_limit = decimal(v, vn);
	} else if (name_is(s, nl, "X-RateLimit-Remaining")) {
		p->rl_remaining = decimal(v, vn);
	} else if (name_is(s, nl, "X-RateLimit-Reset")) {
		p->rl_reset = decimal(v, vn);
	}
	return 0;
}

/* The header block ended: decide how the body is delimited. */
static void headers_done(struct http_parse *p)
{
	if (p->status < 200 && p->status != 101) {
		p->state = HP_STATUS; /* an interim response: the real one follows */
		return;
	}
	if (p->bodyless || p->status == 204 || p->status == 304 || p->status == 101) {
		p->state = HP_DONE;
		return;
	}
	if (p->chunked) {
		p->state = HP_CHUNK_SIZE;
		return;
	}
	if (p->content_length >= 0) {
		if ((unsigned long long)p->content_length > p->max_body) {
			fail(p, "response body too large");
			return;
		}
		p->left = (unsigned long long)p->content_length;
		p->state = p->left ? HP_BODY_LENGTH : HP_DONE;
		return;
	}
	p->keep_alive = 0;
	p->state = HP_BODY_EOF;
}

static int chunk_size(struct http_parse *p, const char *s, size_t n)
{
	size_t i = 0;
	unsigned long long x = 0;
	while (i < n && isxdigit((unsigned char)s[i])) {
		if (i >= 15)
			return -1;
		int c = tolower((unsigned char)s[i]);
		x = x * 16 + (unsigned long long)(isdigit(c) ? c - '0' : c - 'a' + 10);
		i++;
	}
	if (i == 0)
		return -1;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] != ';')
		return -1; /* only chunk extensions may follow */
	p->left = x;
	p->state = x ? HP_CHUNK_DATA : HP_TRAILERS;
	return 0;
}

/* A complete line (without its terminator) for the line-based states. */
static int on_line(struct http_parse *p, const char *s, size_t n)
{
	switch (p->state) {
	case HP_STATUS:
		if (n == 0 && p->status >= 100)
			return 0; /* tolerate a blank line between an interim response and the next */
		if (parse_status(p, s, n) != 0)
			return fail(p, "malformed status line");
		p->state = HP_HEADERS;
		return 0;
	case HP_HEADERS: {
		if (n == 0) {
			headers_done(p);
			return 0;
		}
		int rc = parse_header(p, s, n);
		if (rc == -2)
			return fail(p, "the response has a content coding moltty did not ask for");
		if (rc == -3)
			return fail(p, "the response has a transfer coding other than chunked");
		if (rc != 0)
			return fail(p, "malformed header line");
		return 0;
	}
	case HP_CHUNK_SIZE:
		if (chunk_size(p, s, n) != 0)
			return fail(p, "malformed chunk size");
		return 0;
	case HP_CHUNK_END:
		if (n != 0)
			return fail(p, "malformed chunk end");
		p->state = HP_CHUNK_SIZE;
		return 0;
	case HP_TRAILERS:
		if (n == 0)
			p->state = HP_DONE;
		return 0;
	default:
		return fail(p, "internal parser state");
	}
}

static int line_state(enum http_parse_state s)
{
	return s == HP_STATUS || s == HP_HEADERS || s == HP_CHUNK_SIZE || s == HP_CHUNK_END ||
		s == HP_TRAILERS;
}

static int append_body(struct http_parse *p, const char *data, size_t n)
{
	if (p->body->len + n > p->max_body)
		return fail(p, "response body too large");
	buf_append(p->body, data, n);
	return 0;
}

size_t http_parse_feed(struct http_parse *p, const char *data, size_t n)
{
	size_t used = 0;
	p->seen += n;
	while (used < n && p->state != HP_DONE && p->state != HP_ERROR) {
		const char *at = data + used;
		size_t avail = n - used;
		if (line_state(p->state)) {
			const char *nl = memchr(at, '\n', avail);
			size_t take = nl ? (size_t)(nl - at) + 1 : avail;
			int in_head = p->state == HP_STATUS || p->state == HP_HEADERS ||
				p->state == HP_TRAILERS;
			if (in_head) {
				p->header_bytes += take;
				if (p->header_bytes > HTTP_MAX_HEADERS) {
					fail(p, "response headers too large");
					return used;
				}
			}
			if (p->line.len + take > HTTP_MAX_LINE) {
				fail(p, "response line too long");
				return used;
			}
			used += take;
			if (!nl) {
				buf_append(&p->line, at, take);
				break;
			}
			const char *s = at;
			size_t len = take - 1;
			if (p->line.len) {
				buf_append(&p->line, at, take - 1);
				s = p->line.data;
				len = p->line.len;
			}
			if (len && s[len - 1] == '\r')
				len--;
			int rc = on_line(p, s, len);
			buf_reset(&p->line);
			if (rc != 0)
				return used;
			continue;
		}
		if (p->state == HP_BODY_EOF) {
			if (append_body(p, at, avail) != 0)
				return used;
			used += avail;
			continue;
		}
		/* HP_BODY_LENGTH or HP_CHUNK_DATA */
		size_t take = avail < p->left ? avail : (size_t)p->left;
		if (append_body(p, at, take) != 0)
			return used;
		used += take;
		p->left -= take;
		if (p->left == 0)
			p->state = p->state == HP_BODY_LENGTH ? HP_DONE : HP_CHUNK_END;
	}
	return used;
}

int http_parse_eof(struct http_parse *p)
{
	if (p->state == HP_DONE)
		return 0;
	if (p->state == HP_BODY_EOF) {
		p->state = HP_DONE;
		return 0;
	}
	if (p->state != HP_ERROR) {
		p->error = http_parse_started(p) ? "the connection closed in the middle of the response"
						 : "the server closed the connection without a response";
		p->state = HP_ERROR;
	}
	return -1;
}
