/* wirelog: the protocol inspector's record of the wire. A bounded ring (oldest dropped) of
 * every REST exchange (method, path, status, duration, sizes, bodies) and every WebSocket
 * frame in either direction, for every identity in the process. Recording is a capped copy
 * only (it sits on the hot path of every frame); the texts handed out by wirelog_at are
 * redacted (token-like JSON fields, ?token=, Bearer, JWTs, msr_ tokens, private keys) when
 * first asked for, but NOT sanitised: whoever draws or writes them sanitises (utf8_sanitize)
 * or escapes them. */
#ifndef MOLTTY_WIRELOG_H
#define MOLTTY_WIRELOG_H

#include <stddef.h>
#include <stdint.h>

struct mc_client;

#define WIRELOG_DEFAULT_CAP 1000
#define WIRELOG_TEXT_CAP (8 * 1024)

enum wirelog_kind { WIRELOG_REST = 0, WIRELOG_WS_IN, WIRELOG_WS_OUT };

struct wirelog_entry {
	uint64_t seq;        /* 1, 2, ... in arrival order; stable while the ring wraps */
	int64_t wall_ms;     /* when it finished (REST) or passed (WS) */
	char *account;       /* "@username" or "observer" */
	enum wirelog_kind kind;
	char *method;        /* REST: "GET"...; WS: NULL */
	char *what;          /* REST: the path (query included, redacted); WS: the op ("?" unknown) */
	int status;          /* REST: HTTP status, 0 when the transport failed; WS: 0 */
	int64_t duration_ms; /* REST; WS: 0 */
	size_t size;         /* bytes on the wire: the response body, or the frame */
	char *request;       /* REST request body (redacted, capped) or NULL */
	char *text;          /* REST response body or the frame (redacted, capped), never NULL */
	int truncated;       /* text (or request) was cut at the cap */
	int raw;             /* private: request/text still hold the unredacted capped copy */
};

struct wirelog;

struct wirelog *wirelog_new(size_t cap, size_t text_cap);
void wirelog_free(struct wirelog *w);
/* body/frame need not be NUL-terminated; len bytes are looked at. base: the API base URL
 * (its path, e.g. "/api/v1", is put before path; scheme and host are dropped) or NULL. */
void wirelog_add_rest(struct wirelog *w, const char *account, const char *method,
	const char *base, const char *path, int status, int64_t duration_ms, const char *request,
	const char *body, size_t body_len);
void wirelog_add_ws(struct wirelog *w, const char *account, enum wirelog_kind kind,
	const char *frame, size_t len);
/* Entries held, oldest first: i in [0, count). The entry's texts are redacted on the first
 * call for it. */
size_t wirelog_count(const struct wirelog *w);
const struct wirelog_entry *wirelog_at(const struct wirelog *w, size_t i);
/* The seq of the newest entry (0: none yet): changes whenever something is added. */
uint64_t wirelog_last_seq(const struct wirelog *w);
/* "->" (WS out), "<-" (WS in) or "rest". */
const char *wirelog_dir(enum wirelog_kind k);
/* Redaction for stored texts (exposed for tests): JSON values of secret-named keys (token,
 * refreshToken, password, privateKey, secret, ...) become "[REDACTED]", then log_redact.
 * Caller frees. */
char *wirelog_redact(const char *text, size_t len);

/* The process's ring (created on first use with the defaults), fed by client/api.c and
 * client/gateway.c; wirelog_global_free at exit. */
struct wirelog *wirelog_global(void);
void wirelog_global_free(void);

/* Send a raw text frame over the client's WebSocket (the inspector's /raw): 0, or -1 when
 * it is not open or the client is an observer (read-only). Recorded like any sent frame. */
int mc_client_send_raw(struct mc_client *c, const char *text);

#endif
