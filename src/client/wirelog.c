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
	/* bytes allocated for ring[i].text, kept when a frame's entry is reused (0: not ours to
	 * reuse). Every received frame is recorded: a malloc and a free of ~600 bytes each, plus a
	 * copy of the account label, were a few percent of the client's CPU in a flood. */
	size_t *text_alloc;
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
	w->text_alloc = xcalloc(w->cap, sizeof(*w->text_alloc));
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
	free(w->text_alloc);
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

static void entry_finish(const struct wirelog *w, struct wirelog_entry *e);

const struct wirelog_entry *wirelog_at(const struct wirelog *w, size_t i)
{
	if (!w || i >= w->count)
		return NULL;
	struct wirelog_entry *e = &w->ring[(w->head + i) % w->cap];
	entry_finish(w, e); /* the ring is the caller's to read: finishing an entry is not a change */
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

/* The next entry, emptied; its text buffer (text_alloc bytes) and account label are handed
 * to the caller when keep is set, else freed. */
static struct wirelog_entry *next_slot_keep(struct wirelog *w, int keep, char **text,
	size_t *text_alloc, char **account)
{
	struct wirelog_entry *e;
	size_t i;
	if (w->count < w->cap) {
		i = (w->head + w->count) % w->cap;
		w->count++;
	} else {
		i = w->head; /* full: the oldest goes */
		w->head = (w->head + 1) % w->cap;
	}
	e = &w->ring[i];
	if (keep) {
		*text = e->text;
		*text_alloc = e->text ? w->text_alloc[i] : 0;
		*account = e->account;
		e->text = e->account = NULL;
	}
	entry_clear(e);
	w->text_alloc[i] = 0;
	e->seq = ++w->seq;
	e->wall_ms = wall_ms();
	return e;
}

static struct wirelog_entry *next_slot(struct wirelog *w)
{
	return next_slot_keep(w, 0, NULL, NULL, NULL);
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
	char *text, *old_account;
	size_t alloc;
	struct wirelog_entry *e = next_slot_keep(w, 1, &text, &alloc, &old_account);
	const char *label = account ? account : "-";
	if (old_account && !strcmp(old_account, label)) {
		e->account = old_account;
	} else {
		free(old_account);
		e->account = xstrdup(label);
	}
	e->kind = kind;
	e->size = frame ? len : 0;
	/* what capped_copy keeps, in the entry's old buffer when it fits and is at most about
	 * twice the size needed (the ring holds no more than twice its texts) */
	size_t n = frame ? len : 0;
	n = frame ? strnlen(frame, n > w->text_cap ? w->text_cap + 1 : n) : 0;
	if (!text || alloc < n + 1 || alloc > 2 * (n + 1) + 128) {
		free(text);
		alloc = (n + 1 + 63) & ~(size_t)63;
		text = xmalloc(alloc);
	}
	memcpy(text, frame ? frame : "", n);
	text[n] = '\0';
	e->truncated |= cap_text(text, w->text_cap);
	e->text = text;
	w->text_alloc[e - w->ring] = alloc;
	e->raw = 1;
}

/* Redaction (and the op of a frame) happen here, once, when an entry is first looked at. */
static void entry_finish(const struct wirelog *w, struct wirelog_entry *e)
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
	w->text_alloc[e - w->ring] = strlen(t) + 1;
	e->raw = 0;
}

/* ---- /raw ---- */

int mc_client_send_raw(struct mc_client *c, const char *text)
{
	if (!c || !c->agent_id || !text)
		return -1;
	return gw_send_text(c, text);
}
