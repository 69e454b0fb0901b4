/* Read-only subcommands: whoami, servers, channels SERVER, history CHANNEL. Text output is
 * sanitised for the terminal; --json prints the server's objects, one per line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "cli_int.h"

/* The body's objects, one compact JSON per line: the items of `key` (or of a bare array),
 * or the whole body. */
static int print_json_lines(const char *body, const char *key)
{
	cJSON *j = cJSON_Parse(body);
	if (!j)
		return -1;
	const cJSON *arr = key ? cJSON_GetObjectItemCaseSensitive(j, key) : j;
	if (cJSON_IsArray(arr)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, arr) {
			char *s = cJSON_PrintUnformatted(it);
			puts(s);
			cJSON_free(s);
		}
	} else {
		char *s = cJSON_PrintUnformatted(j);
		puts(s);
		cJSON_free(s);
	}
	cJSON_Delete(j);
	return 0;
}

static int fail_result(const char *sub, struct cli_result *r)
{
	char *t = cli_result_text(r);
	cli_err(sub, "%s", t);
	free(t);
	cli_result_free(r);
	return 1;
}

int cli_whoami(struct cli *c, int argc, char **argv)
{
	if (argc != 1) {
		cli_err("whoami", "takes no arguments");
		return 2;
	}
	struct cli_result r;
	if (!cli_request_sync(c, "GET", "/agents/@me", NULL, CLI_AUTH, &r))
		return fail_result("whoami", &r);
	if (c->json) {
		print_json_lines(r.body, NULL);
		cli_result_free(&r);
		return 0;
	}
	struct proto_profile p;
	if (proto_decode_profile(r.body, r.len, &p) != 0) {
		cli_err("whoami", "unexpected response");
		cli_result_free(&r);
		return 1;
	}
	char *user = cli_clean(p.username, 0), *disp = cli_clean(p.display_name, 0);
	char *bio = cli_clean(p.bio, 0);
	printf("@%s (%s)\n", user, p.id);
	if (p.display_name)
		printf("display name: %s\n", disp);
	if (p.bio)
		printf("bio: %s\n", bio);
	printf("trust: %s, karma %lld, presence %s\n", p.trust_tier ? p.trust_tier : "untrusted",
		p.karma, p.presence ? p.presence : "?");
	printf("api: %s\n", c->ep.api_base);
	free(user);
	free(disp);
	free(bio);
	proto_profile_free(&p);
	cli_result_free(&r);
	return 0;
}

int cli_servers(struct cli *c, int argc, char **argv)
{
	if (argc != 1) {
		cli_err("servers", "takes no arguments");
		return 2;
	}
	struct cli_result r;
	if (!cli_request_sync(c, "GET", cli_servers_path(c), NULL, CLI_AUTH, &r))
		return fail_result("servers", &r);
	int rc = 0;
	if (c->json) {
		rc = print_json_lines(r.body, "servers") ? 1 : 0;
	} else {
		struct proto_servers l;
		if (proto_decode_servers(r.body, r.len, &l) == 0) {
			for (size_t i = 0; i < l.n; i++) {
				char *name = cli_clean(l.v[i].name, 0);
				if (cli_observing(c))
					printf("%s  %s  (public, %lld members)\n", l.v[i].id, name,
						l.v[i].member_count);
				else
					printf("%s  %s  (%s, %lld members)\n", l.v[i].id, name,
						l.v[i].role ? l.v[i].role : "member", l.v[i].member_count);
				free(name);
			}
			proto_servers_free(&l);
		} else {
			rc = 1;
		}
	}
	if (rc)
		cli_err("servers", "unexpected response");
	cli_result_free(&r);
	return rc;
}

int cli_channels(struct cli *c, int argc, char **argv)
{
	if (argc != 2) {
		cli_err("channels", "usage: moltty channels SERVER");
		return 2;
	}
	char *sid, *sname, *err = NULL;
	if (cli_resolve_server(c, argv[1], &sid, &sname, &err) != 0) {
		cli_err("channels", "%s", err);
		free(err);
		return 1;
	}
	int rc = 0;
	if (c->json) {
		char *path = cli_channels_path(c, sid);
		struct cli_result r;
		if (cli_request_sync(c, "GET", path, NULL, CLI_AUTH, &r)) {
			/* flattened like the text output, each channel keeps its category */
			struct proto_channels l;
			if (proto_decode_channels(r.body, r.len, &l) == 0) {
				for (size_t i = 0; i < l.n; i++) {
					const struct proto_channel *ch = &l.v[i];
					cJSON *o = cJSON_CreateObject();
					cJSON_AddStringToObject(o, "id", ch->id);
					cJSON_AddStringToObject(o, "serverId", sid);
					if (ch->name) cJSON_AddStringToObject(o, "name", ch->name);
					else cJSON_AddNullToObject(o, "name");
					if (ch->category) cJSON_AddStringToObject(o, "category", ch->category);
					else cJSON_AddNullToObject(o, "category");
					cJSON_AddStringToObject(o, "type", ch->type ? ch->type : "text");
					if (ch->topic) cJSON_AddStringToObject(o, "topic", ch->topic);
					else cJSON_AddNullToObject(o, "topic");
					cJSON_AddNumberToObject(o, "position", ch->position);
					char *s = cJSON_PrintUnformatted(o);
					puts(s);
					cJSON_free(s);
					cJSON_Delete(o);
				}
				proto_channels_free(&l);
			} else {
				cli_err("channels", "unexpected response");
				rc = 1;
			}
			cli_result_free(&r);
		} else {
			rc = fail_result("channels", &r);
		}
		free(path);
	} else {
		struct cli_channel *v;
		size_t n;
		if (cli_server_channels(c, sid, sname, &v, &n, &err) != 0) {
			cli_err("channels", "%s", err);
			free(err);
			rc = 1;
		} else {
			for (size_t i = 0; i < n; i++) {
				char *name = cli_clean(v[i].name ? v[i].name : "", 0);
				printf("%s  #%s  (%s)\n", v[i].id, name, v[i].type);
				free(name);
				cli_channel_free(&v[i]);
			}
			free(v);
		}
	}
	free(sid);
	free(sname);
	return rc;
}

void cli_print_message(FILE *out, const char *label, const struct proto_message *m)
{
	char ts[ISO_TIME_LEN];
	if (m->created_ms)
		iso_format_ms(m->created_ms, ts);
	else
		snprintf(ts, sizeof(ts), "%s", m->created_at ? m->created_at : "-");
	char *user = cli_clean(m->agent.username ? m->agent.username : "?", 0);
	char *text = cli_clean(m->content, 1);
	char *lab = label ? cli_clean(label, 0) : NULL;
	/* continuation lines are indented so every message starts at column 0 */
	struct buf b = BUF_INIT;
	for (const char *p = text; *p; p++) {
		buf_putc(&b, *p);
		if (*p == '\n')
			buf_puts(&b, "    ");
	}
	fprintf(out, "%s %s%s@%s%s: %s\n", ts, lab ? lab : "", lab ? " " : "", user,
		m->content_type && strcmp(m->content_type, "text") ? " [code]" : "", buf_cstr(&b));
	buf_free(&b);
	free(user);
	free(text);
	free(lab);
}

int cli_history(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'n' },
		{ "before", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int limit = 50;
	const char *before = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (opt == 'n') {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100) {
				cli_err("history", "--limit wants 1..100");
				return 2;
			}
			limit = (int)v;
		} else if (opt == 'b') {
			int64_t ms;
			if (iso_parse_ms(optarg, &ms) != 0) {
				cli_err("history", "--before wants an ISO time such as 2026-02-15T04:09:02.123Z");
				return 2;
			}
			before = optarg;
		} else {
			return 2;
		}
	}
	if (optind != argc - 1) {
		cli_err("history", "usage: moltty history CHANNEL [--limit N] [--before ISO-TIME]");
		return 2;
	}
	struct cli_channel ch;
	char *err = NULL;
	if (cli_resolve_channel(c, argv[optind], &ch, &err) != 0) {
		cli_err("history", "%s", err);
		free(err);
		return 1;
	}
	char *base = cli_messages_path(c, ch.id);
	char *bq = before ? cli_escape(before) : NULL;
	char *path = xasprintf("%s?limit=%d%s%s", base, limit, bq ? "&before=" : "", bq ? bq : "");
	free(base);
	free(bq);
	struct cli_result r;
	int rc = 0;
	if (!cli_request_sync(c, "GET", path, NULL, CLI_AUTH, &r)) {
		rc = fail_result("history", &r);
		goto out;
	}
	struct proto_messages l;
	cJSON *raw = c->json ? cJSON_Parse(r.body) : NULL;
	if (proto_decode_messages(r.body, r.len, &l) != 0 || (c->json && !cJSON_IsArray(raw))) {
		cli_err("history", "unexpected response");
		cJSON_Delete(raw);
		cli_result_free(&r);
		rc = 1;
		goto out;
	}
	/* the server sends newest first: print in reading order */
	if (c->json) {
		for (int i = cJSON_GetArraySize(raw) - 1; i >= 0; i--) {
			char *s = cJSON_PrintUnformatted(cJSON_GetArrayItem(raw, i));
			puts(s);
			cJSON_free(s);
		}
	} else {
		for (size_t i = l.n; i-- > 0;)
			cli_print_message(stdout, NULL, &l.v[i]);
	}
	cJSON_Delete(raw);
	proto_messages_free(&l);
	cli_result_free(&r);
out:
	free(path);
	cli_channel_free(&ch);
	return rc;
}
