/* The recording written by `tail --record` and `connect --record` (docs/record-format.md):
 * JSON lines, a header then one line per frame or socket event, flushed as written so a
 * killed process leaves a usable file. Frames are embedded as JSON (never the URL with its
 * token: the header names the WebSocket URL without the query). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "cli_int.h"

struct cli_record {
	FILE *f;
	int64_t start_ms;   /* monotonic */
};

static void write_line(struct cli_record *r, cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	fputs(s, r->f);
	fputc('\n', r->f);
	fflush(r->f);
	cJSON_free(s);
}

struct cli_record *cli_record_open(const char *path, const char *ws_url, char **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct cli_record *r = xcalloc(1, sizeof(*r));
	r->f = f;
	r->start_ms = mono_ms();
	char now[ISO_TIME_LEN];
	iso_now(now);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "format", "moltty-record");
	cJSON_AddNumberToObject(o, "version", 1);
	cJSON_AddStringToObject(o, "started", now);
	char *url = xstrdup(ws_url);
	url[strcspn(url, "?")] = '\0';
	cJSON_AddStringToObject(o, "ws", url);
	free(url);
	write_line(r, o);
	cJSON_Delete(o);
	return r;
}

void cli_record_close(struct cli_record *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r);
}

static cJSON *entry(struct cli_record *r, const char *dir)
{
	cJSON *o = cJSON_CreateObject();
	char now[ISO_TIME_LEN];
	iso_now(now);
	cJSON_AddNumberToObject(o, "ms", (double)(mono_ms() - r->start_ms));
	cJSON_AddStringToObject(o, "at", now);
	cJSON_AddStringToObject(o, "dir", dir);
	return o;
}

void cli_record_frame(struct cli_record *r, const char *dir, const char *text, size_t len)
{
	if (!r)
		return;
	cJSON *o = entry(r, dir);
	cJSON *frame = cJSON_ParseWithLength(text, len);
	if (frame)
		cJSON_AddItemToObject(o, "frame", frame);
	else {
		char *t = xstrndup(text, len);
		cJSON_AddStringToObject(o, "text", t);
		free(t);
	}
	write_line(r, o);
	cJSON_Delete(o);
}

void cli_record_event(struct cli_record *r, const char *dir, int code, const char *reason)
{
	if (!r)
		return;
	cJSON *o = entry(r, dir);
	if (!strcmp(dir, "close"))
		cJSON_AddNumberToObject(o, "code", code);
	if (reason)
		cJSON_AddStringToObject(o, "reason", reason);
	write_line(r, o);
	cJSON_Delete(o);
}
