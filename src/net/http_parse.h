/* http_parse: an incremental parser for one HTTP/1.x response, fed bytes as they arrive from
 * the socket: the status line, the headers moltty needs, and a body delimited by
 * Content-Length, chunked transfer coding, or the end of the connection. Interim 1xx
 * responses are skipped. No I/O; private to net/ (http.c, its tests and fuzz target). */
#ifndef MOLTTY_NET_HTTP_PARSE_H
#define MOLTTY_NET_HTTP_PARSE_H

#include <stddef.h>

#include "moltty/base.h"

#define HTTP_MAX_LINE 8192          /* one status, header or chunk-size line */
#define HTTP_MAX_HEADERS (64u << 10) /* the whole header block */

enum http_parse_state {
	HP_STATUS,      /* reading the status line */
	HP_HEADERS,
	HP_BODY_LENGTH, /* Content-Length bytes */
	HP_CHUNK_SIZE,
	HP_CHUNK_DATA,
	HP_CHUNK_END,   /* the CRLF after a chunk's data */
	HP_TRAILERS,
	HP_BODY_EOF,    /* until the connection closes */
	HP_DONE,
	HP_ERROR,
};

struct http_parse {
	enum http_parse_state state;
	int status;
	int http_minor;          /* HTTP/1.<minor> */
	int keep_alive;          /* the connection may carry another request once HP_DONE */
	int chunked;
	long long content_length; /* -1 when absent */
	unsigned long long left; /* body or chunk bytes still to come */
	long long rl_limit, rl_remaining, rl_reset; /* X-RateLimit-*, -1 when absent */
	size_t header_bytes;
	unsigned long long seen;  /* bytes fed so far */
	int bodyless;            /* the request was HEAD: no body whatever the headers say */
	size_t max_body;
	struct buf *body;        /* the decoded body goes here (not owned) */
	struct buf line;         /* a line split across reads */
	const char *error;       /* static text once HP_ERROR */
};

void http_parse_init(struct http_parse *p, struct buf *body, size_t max_body, int head_request);
void http_parse_free(struct http_parse *p);
/* Consume bytes; returns how many were used. Stops at HP_DONE (bytes after the response are
 * left unused: the caller decides whether the connection can be kept) or HP_ERROR. */
size_t http_parse_feed(struct http_parse *p, const char *data, size_t n);
/* The connection ended. 0 when that completes the response (a body read until close),
 * -1 otherwise (p->error says why). */
int http_parse_eof(struct http_parse *p);
/* Does a comma-separated header value (v, n bytes) contain token, case-insensitively?
 * (Connection: close; the WebSocket upgrade's Connection: Upgrade.) */
int http_has_token(const char *v, size_t n, const char *token);
/* Any byte of the response seen yet. */
int http_parse_started(const struct http_parse *p);

#endif
