/* api METHOD PATH [JSON|-]: one raw call with the CLI's session (when there is an identity).
 * Prints "HTTP <status>", the X-RateLimit-* headers when the server sent them, then the body
 * verbatim (after a blank line), so `sed 1,/^$/d` or `tail -n 1` leaves JSON for jq.
 * PATH is under /api/v1 unless it starts with /api/ or is one of the host-root files
 * (/health, /skill.md ...). Exit 0 for 2xx, 1 otherwise. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "cli_int.h"

static int is_host_root(const char *path)
{
	return str_starts_with(path, "/api/") || !strcmp(path, "/health") ||
		(strchr(path + 1, '/') == NULL && str_ends_with(path, ".md"));
}

static char *read_all_stdin(void)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&b, chunk, n);
	return buf_steal(&b);
}

int cli_api(struct cli *c, int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		cli_err("api", "usage: moltty api METHOD PATH [JSON|-]");
		return 2;
	}
	char method[16];
	size_t ml = strlen(argv[1]);
	if (ml == 0 || ml >= sizeof(method)) {
		cli_err("api", "bad method %s", argv[1]);
		return 2;
	}
	for (size_t i = 0; i <= ml; i++)
		method[i] = (char)toupper((unsigned char)argv[1][i]);
	static const char *const known[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	int ok = 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(known); i++)
		ok |= !strcmp(method, known[i]);
	const char *path = argv[2];
	if (!ok || path[0] != '/') {
		cli_err("api", "want METHOD in GET POST PUT PATCH DELETE and PATH starting with /");
		return 2;
	}
	char *body = NULL;
	if (argc == 4)
		body = !strcmp(argv[3], "-") ? read_all_stdin() : xstrdup(argv[3]);
	if (body) {
		cJSON *j = cJSON_Parse(body);
		if (!j)
			fprintf(stderr, "moltty api: warning: the body is not valid JSON; sending it anyway\n");
		cJSON_Delete(j);
	}
	int flags = CLI_AUTH;
	if (is_host_root(path))
		flags |= CLI_HOST_ROOT;
	struct cli_result r;
	int good = cli_request_sync(c, method, path, body, flags, &r);
	if (r.status == 0) {
		cli_err("api", "network error: %s", r.message ? r.message : "?");
	} else if (c->json) {
		/* one line: {"status", "rateLimit": {...}|null, "body": JSON or the raw text} */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "status", r.status);
		if (r.rl_limit >= 0 || r.rl_remaining >= 0 || r.rl_reset >= 0) {
			cJSON *rl = cJSON_AddObjectToObject(o, "rateLimit");
			cJSON_AddNumberToObject(rl, "limit", (double)r.rl_limit);
			cJSON_AddNumberToObject(rl, "remaining", (double)r.rl_remaining);
			cJSON_AddNumberToObject(rl, "reset", (double)r.rl_reset);
		} else {
			cJSON_AddNullToObject(o, "rateLimit");
		}
		cJSON *b = cJSON_Parse(r.body);
		cJSON_AddItemToObject(o, "body", b ? b : cJSON_CreateString(r.body));
		char *s = cJSON_PrintUnformatted(o);
		puts(s);
		cJSON_free(s);
		cJSON_Delete(o);
	} else {
		printf("HTTP %d\n", r.status);
		if (r.rl_limit >= 0)
			printf("X-RateLimit-Limit: %lld\n", r.rl_limit);
		if (r.rl_remaining >= 0)
			printf("X-RateLimit-Remaining: %lld\n", r.rl_remaining);
		if (r.rl_reset >= 0)
			printf("X-RateLimit-Reset: %lld\n", r.rl_reset);
		printf("\n");
		fwrite(r.body, 1, r.len, stdout);
		if (!r.len || r.body[r.len - 1] != '\n')
			putchar('\n');
	}
	cli_result_free(&r);
	free(body);
	return good ? 0 : 1;
}
