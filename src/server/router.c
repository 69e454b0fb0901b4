/* moltchatsd: the pure part of routing and body parsing (see router.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "router.h"

int route_match(const char *pattern, const char *path, char *params[ROUTE_MAX_PARAMS],
		int *nparams, int *bad_uuid)
{
	*bad_uuid = -1;
	int np = 0;
	char *vals[ROUTE_MAX_PARAMS] = { 0 };
	const char *p = pattern, *q = path;
	while (*p && *q) {
		if (*p != '/' || *q != '/')
			goto no;
		p++;
		q++;
		size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
		if (*p == ':') {
			if (ql == 0 || np >= ROUTE_MAX_PARAMS)
				goto no;
			vals[np] = xstrndup(q, ql);
			if (strncmp(p, ":uuid", pl) == 0 && pl == 5 && !str_is_uuid(vals[np]) &&
			    *bad_uuid < 0)
				*bad_uuid = np;
			np++;
		} else if (pl != ql || strncmp(p, q, pl) != 0) {
			goto no;
		}
		p += pl;
		q += ql;
	}
	if (*p || *q)
		goto no;
	for (int i = 0; i < np; i++)
		params[i] = vals[i];
	*nparams = np;
	return 1;
no:
	for (int i = 0; i < np; i++)
		free(vals[i]);
	return 0;
}

void route_segment_before(const char *pattern, int param, char *out, size_t outsz)
{
	if (!outsz)
		return;
	out[0] = '\0';
	int seen = 0;
	for (const char *p = pattern; *p == '/' && seen <= param; ) {
		p++;
		size_t n = strcspn(p, "/");
		if (*p == ':')
			seen++;
		else if (seen <= param)
			snprintf(out, outsz, "%.*s", (int)n, p);
		p += n;
	}
}

cJSON *body_parse_json(const char *body, size_t len, char **error)
{
	*error = NULL;
	cJSON *json = cJSON_ParseWithLength(body, len);
	if (json)
		return json;
	const char *err = cJSON_GetErrorPtr();
	if (!err || err < body || err >= body + len || !*err) {
		*error = xstrdup("Unexpected end of JSON input");
		return NULL;
	}
	/* the snippet holds at most 47 bytes and no code point shrinks by more than 4 to 3 when
	 * sanitised, so 256 bytes of body are plenty (and the body need not be NUL-terminated) */
	char *head = xstrndup(body, len < 256 ? len : 256);
	char snippet[48];
	utf8_sanitize_into(head, 0, snippet, sizeof(snippet));
	free(head);
	char tok[8];
	utf8_sanitize_into((char[2]){ *err, 0 }, 0, tok, sizeof(tok));
	*error = xasprintf("Unexpected token '%s', \"%s\" is not valid JSON", tok, snippet);
	return NULL;
}
