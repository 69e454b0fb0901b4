/* The outbox on disk: <state_dir>/outbox-<agentId>.json, mode 0600, replaced atomically on
 * every change (fs_write_atomic: temp file, fsync, rename), removed when empty. A crash at any
 * moment leaves the previous or the next version, never a torn one.
 *
 *   {"version":1,"agentId":"...","messages":[{"channel":"<uuid>","content":"...",
 *     "contentType":"code"|absent,"queuedAt":ms,"sentAt":ms,"uncertain":true|false,
 *     "afterMs":ms,"afterId":"..."|absent}]}
 *
 * Restored entries are appended to the queue without a model copy; the outbox attaches one
 * when their channel is loaded. Entries that fail validation are dropped with a notice. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/proto.h"
#include "moltty/utf8.h"
#include "client_int.h"

void ob_store_init(struct mc_client *c)
{
	if (!c->agent_id)
		return;
	char *name = xasprintf("outbox-%s.json", c->agent_id);
	char *safe = fs_safe_name(name);
	c->ob_path = fs_join(c->state_dir, safe);
	free(safe);
	free(name);
	client_remove_stale_temps(c->ob_path);
}

void ob_store_save(struct mc_client *c)
{
	if (!c->ob_path)
		return;
	if (!c->ob_head) {
		if (unlink(c->ob_path) != 0 && errno != ENOENT)
			log_warn("outbox: cannot remove %s: %s", c->ob_path, strerror(errno));
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "version", 1);
	cJSON_AddStringToObject(o, "agentId", c->agent_id);
	cJSON *arr = cJSON_AddArrayToObject(o, "messages");
	for (const struct ob_entry *e = c->ob_head; e; e = e->next) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "channel", e->channel_id);
		cJSON_AddStringToObject(m, "content", e->content);
		if (e->content_type)
			cJSON_AddStringToObject(m, "contentType", e->content_type);
		cJSON_AddNumberToObject(m, "queuedAt", (double)e->queued_ms);
		cJSON_AddNumberToObject(m, "sentAt", (double)e->sent_ms);
		cJSON_AddBoolToObject(m, "uncertain", e->uncertain);
		cJSON_AddNumberToObject(m, "afterMs", (double)e->after_ms);
		if (e->after_id)
			cJSON_AddStringToObject(m, "afterId", e->after_id);
		cJSON_AddItemToArray(arr, m);
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	fs_mkdir_p(c->state_dir, 0700);
	if (fs_write_atomic(c->ob_path, s, strlen(s), 0600) != 0) {
		int e = errno;
		log_error("outbox: cannot write %s: %s", c->ob_path, strerror(e));
		mdl_notice(c->model, 2, "cannot save unsent messages to %s: %s", c->ob_path,
			strerror(e));
	}
	cJSON_free(s);
}

static int64_t num_field(const cJSON *m, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

static const char *str_field(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static struct ob_entry *entry_from_json(const cJSON *m)
{
	const char *channel = str_field(m, "channel");
	const char *content = str_field(m, "content");
	const char *type = str_field(m, "contentType");
	if (!channel || !str_is_uuid(channel) || !content || !content[0] ||
		utf8_utf16_len(content) > PROTO_MAX_CONTENT_UTF16)
		return NULL;
	struct ob_entry *e = xcalloc(1, sizeof(*e));
	e->channel_id = xstrdup(channel);
	e->content = xstrdup(content);
	e->content_type = type ? xstrdup(type) : NULL;
	e->queued_ms = num_field(m, "queuedAt", wall_ms());
	e->sent_ms = num_field(m, "sentAt", 0);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "uncertain");
	/* unreadable flag on an attempted entry: assume the worst (check before resending) */
	e->uncertain = cJSON_IsBool(u) ? cJSON_IsTrue(u) : e->sent_ms != 0;
	e->after_ms = num_field(m, "afterMs", -1);
	const char *after_id = str_field(m, "afterId");
	e->after_id = after_id ? xstrdup(after_id) : NULL;
	return e;
}

size_t ob_store_load(struct mc_client *c)
{
	if (!c->ob_path)
		return 0;
	char *text = fs_read_file(c->ob_path, NULL);
	if (!text)
		return 0;
	cJSON *j = cJSON_Parse(text);
	free(text);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "messages");
	const char *owner = str_field(j, "agentId");
	if (!cJSON_IsArray(arr) || (owner && strcmp(owner, c->agent_id) != 0)) {
		mdl_notice(c->model, 2, "ignoring an unreadable outbox file %s", c->ob_path);
		cJSON_Delete(j);
		return 0;
	}
	size_t n = 0, bad = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, arr) {
		struct ob_entry *e = entry_from_json(m);
		if (!e) {
			bad++;
			continue;
		}
		if (c->ob_tail)
			c->ob_tail->next = e;
		else
			c->ob_head = e;
		c->ob_tail = e;
		n++;
	}
	cJSON_Delete(j);
	if (bad)
		mdl_notice(c->model, 1, "%zu unreadable message(s) in %s dropped", bad, c->ob_path);
	if (n)
		mdl_notice(c->model, 0, "%zu unsent message(s) restored from the last session", n);
	return n;
}
