/* send CHANNEL [TEXT|-] [--code]: one message over REST. The exit status says whether the
 * server stored it: 0 stored (201, the id is printed), 1 refused or unknown, 2 not sent
 * (usage, empty, longer than 4000 UTF-16 units). REST rather than the WebSocket: its answer
 * names the stored message, and its limit (30/min/channel) does not depend on trust. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/utf8.h"
#include "cli_int.h"

#define STDIN_MAX (1u << 20)

static char *read_stdin(void)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > STDIN_MAX)
			break;
	}
	/* one trailing newline is the shell's, not the message's */
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

int cli_send(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "code", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	int code = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'C')
			return 2;
		code = 1;
	}
	int nargs = argc - optind;
	if (nargs < 1 || nargs > 2) {
		cli_err("send", "usage: moltty send CHANNEL [TEXT|-] [--code]");
		return 2;
	}
	char *text = nargs == 2 && strcmp(argv[optind + 1], "-") != 0 ? xstrdup(argv[optind + 1])
		: read_stdin();
	int rc = 2;
	if (!text[0] || strspn(text, " \t\r\n") == strlen(text)) {
		cli_err("send", "empty message not sent");
		free(text);
		return 2;
	}
	size_t units = utf8_utf16_len(text);
	if (units > PROTO_MAX_CONTENT_UTF16) {
		cli_err("send", "message too long: %zu of at most %d characters (UTF-16 units); not sent",
			units, PROTO_MAX_CONTENT_UTF16);
		free(text);
		return 2;
	}
	struct cli_channel ch;
	char *err = NULL;
	if (cli_resolve_channel(c, argv[optind], &ch, &err) != 0) {
		cli_err("send", "%s", err);
		free(err);
		free(text);
		return 1;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "content", text);
	cJSON_AddStringToObject(o, "contentType", code ? "code" : "text");
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	char *esc = cli_escape(ch.id);
	char *path = xasprintf("/channels/%s/messages", esc);
	free(esc);
	struct cli_result r;
	if (cli_request_sync(c, "POST", path, body, CLI_AUTH, &r)) {
		struct proto_message m;
		if (r.status == 201 && proto_decode_message(r.body, r.len, &m) == 0) {
			if (c->json) {
				cJSON *j = cJSON_Parse(r.body);
				char *s = cJSON_PrintUnformatted(j);
				puts(s);
				cJSON_free(s);
				cJSON_Delete(j);
			} else {
				printf("%s\n", m.id);
			}
			proto_message_free(&m);
			rc = 0;
		} else {
			cli_err("send", "unexpected answer (HTTP %d): the message may not be stored", r.status);
			rc = 1;
		}
	} else {
		char *t = cli_result_text(&r);
		cli_err("send", "not stored: %s", t);
		free(t);
		rc = 1;
	}
	cli_result_free(&r);
	free(path);
	cJSON_free(body);
	free(text);
	cli_channel_free(&ch);
	return rc;
}
