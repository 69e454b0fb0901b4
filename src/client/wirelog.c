/* The protocol inspector's ring of wire events (REST exchanges and WebSocket frames), with
 * secrets redacted before anything is stored: the ring is shown on screen and saved to
 * files, so a token must never reach it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/wirelog.h"
#include "client_int.h"

struct wirelog {
	struct wirelog_entry *ring;
	size_t cap, text_cap;
	size_t head;   /* index of the oldest entry */
	size_t count;
	uint64_t seq;
};

static struct wirelog *global_log;

struct wirelog *wirelog_new(size_t cap, size_t text_cap)
{
	struct wirelog *w = xcalloc(1, sizeof(*w));
	w->cap = cap ? cap : 1;
	w->text_cap = text_cap ? text_cap : 1;
	w->ring = xcalloc(w->cap, sizeof(*w->ring));
	return w;
}

static void entry_clear(struct wirelog_entry *e)
{
	free(e->account);
	free(e->method);
	free(e->what);
	free(e->request);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

void wirelog_free(struct wirelog *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->cap; i++)
		entry_clear(&w->ring[i]);
	free(w->ring);
	free(w);
}

struct wirelog *wirelog_global(void)
{
	if (!global_log)
		global_log = wirelog_new(WIRELOG_DEFAULT_CAP, WIRELOG_TEXT_CAP);
	return global_log;
}

void wirelog_global_free(void)
{
	wirelog_free(global_log);
	global_log = NULL;
}

size_t wirelog_count(const struct wirelog *w)
{
	return w ? w->count : 0;
}

static void entry_finish(struct wirelog_entry *e);

const struct wirelog_entry *wirelog_at(const struct wirelog *w, size_t i)
{
	if (!w || i >= w->count)
		return NULL;
	struct wirelog_entry *e = &w->ring[(w->head + i) % w->cap];
	entry_finish(e); /* the ring is the caller's to read: finishing an entry is not a change */
	return e;
}

uint64_t wirelog_last_seq(const struct wirelog *w)
{
	return w ? w->seq : 0;
}

const char *wirelog_dir(enum wirelog_kind k)
{
	switch (k) {
	case WIRELOG_WS_IN: return "<-";
	case WIRELOG_WS_OUT: return "->";
	default: return "rest";
	}
}

/* ---- redaction ---- */

static int secret_key(const char *k)
{
	static const char *const names[] = {
		"token", "refreshToken", "accessToken", "password", "privateKey", "secret",
		"apiKey", "webhookSecret", "authorization", "private_key_pem", "refresh_token",
	};
	if (!k)
		return 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(names); i++)
		if (!strcasecmp(k, names[i]))
			return 1;
	return 0;
}

/* Replaces the values of secret-named keys anywhere in the tree; returns how many. */
static int redact_tree(cJSON *node)
{
	int n = 0;
	for (cJSON *it = node ? node->child : NULL; it; it = it->next) {
		if (secret_key(it->string) && !cJSON_IsNull(it)) {
			cJSON *rep = cJSON_CreateString("[REDACTED]");
			rep->string = it->string; /* the key moves to the replacement */
			it->string = NULL;
			cJSON_ReplaceItemViaPointer(node, it, rep);
			it = rep;
			n++;
		} else {
			n += redact_tree(it);
		}
	}
	return n;
}

char *wirelog_redact(const char *text, size_t len)
{
	char *copy = xstrndup(text ? text : "", text ? len : 0);
	cJSON *j = cJSON_ParseWithLength(copy, strlen(copy));
	if (j && redact_tree(j) > 0) {
		/* only re-serialised when something changed: the stored text stays byte-exact */
		char *p = cJSON_PrintUnformatted(j);
		if (p) {
			free(copy);
			copy = xstrdup(p);
			cJSON_free(p);
		}
	}
	cJSON_Delete(j);
	char *out = log_redact(copy);
	free(copy);
	return out;
}

/* Cut s to at most cap bytes on a UTF-8 boundary; 1 when it was cut. */
static int cap_text(char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n <= cap)
		return 0;
	while (cap > 0 && ((unsigned char)s[cap] & 0xC0) == 0x80)
		cap--;
	s[cap] = '\0';
	return 1;
}

static struct wirelog_entry *next_slot(struct wirelog *w)
{
	struct wirelog_entry *e;
	if (w->count < w->cap) {
		e = &w->ring[(w->head + w->count) % w->cap];
		w->count++;
	} else {
		e = &w->ring[w->head]; /* full: the oldest goes */
		w->head = (w->head + 1) % w->cap;
	}
	entry_clear(e);
	e->seq = ++w->seq;
	e->wall_ms = wall_ms();
	return e;
}

/* The path part of a base URL ("http://h:1/api/v1" -> "/api/v1"; "" when none). */
static const char *url_path(const char *base)
{
	const char *p = base ? strstr(base, "://") : NULL;
	p = p ? strchr(p + 3, '/') : NULL;
	return p ? p : "";
}

/* A capped copy of len bytes (cut on a UTF-8 boundary); *cut set when it was cut. */
static char *capped_copy(const char *text, size_t len, size_t cap, int *cut)
{
	size_t n = text ? len : 0;
	/* never copy a huge frame whole: one byte past the cap tells cap_text it was cut */
	char *s = xstrndup(text ? text : "", n > cap ? cap + 1 : n);
	*cut |= cap_text(s, cap);
	return s;
}

void wirelog_add_rest(struct wirelog *w, const char *account, const char *method,
	const char *base, const char *path, int status, int64_t duration_ms, const char *request,
	const char *body, size_t body_len)
{
	if (!w)
		return;
	struct wirelog_entry *e = next_slot(w);
	e->account = xstrdup(account ? account : "-");
	e->kind = WIRELOG_REST;
	e->method = xstrdup(method ? method : "?");
	char *full = xasprintf("%s%s", url_path(base), path ? path : "?");
	e->what = log_redact(full);
	free(full);
	e->status = status;
	e->duration_ms = duration_ms;
	e->size = body ? body_len : 0;
	if (request)
		e->request = capped_copy(request, strlen(request), w->text_cap, &e->truncated);
	e->text = capped_copy(body, body ? body_len : 0, w->text_cap, &e->truncated);
	e->raw = 1;
}

void wirelog_add_ws(struct wirelog *w, const char *account, enum wirelog_kind kind,
	const char *frame, size_t len)
{
	if (!w)
		return;
	struct wirelog_entry *e = next_slot(w);
	e->account = xstrdup(account ? account : "-");
	e->kind = kind;
	e->size = frame ? len : 0;
	e->text = capped_copy(frame, frame ? len : 0, w->text_cap, &e->truncated);
	e->raw = 1;
}

/* Redaction (and the op of a frame) happen here, once, when an entry is first looked at. */
static void entry_finish(struct wirelog_entry *e)
{
	if (!e->raw)
		return;
	if (e->kind != WIRELOG_REST) {
		cJSON *j = cJSON_Parse(e->text);
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(j, "op");
		free(e->what);
		e->what = log_redact(cJSON_IsString(op) ? op->valuestring : "?");
		cJSON_Delete(j);
	}
	if (e->request) {
		char *r = wirelog_redact(e->request, strlen(e->request));
		free(e->request);
		e->request = r;
	}
	char *t = wirelog_redact(e->text, strlen(e->text));
	free(e->text);
	e->text = t;
	e->raw = 0;
}

/* ---- /raw ---- */

int mc_client_send_raw(struct mc_client *c, const char *text)
{
	if (!c || !c->agent_id || !text)
		return -1;
	return gw_send_text(c, text);
}
