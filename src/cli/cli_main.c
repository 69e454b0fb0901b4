/* Subcommand dispatch: the options every subcommand shares are taken out of argv first, then
 * the subcommand parses what is left. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/cli.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/utf8.h"
#include "cli_int.h"

struct subcommand {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	int needs_identity;   /* 1: fail without a credentials file; 2: unless --anon (observer) */
	const char *usage;
};

static const struct subcommand subcommands[] = {
	{ "register", cli_register, 0, "register USERNAME [--display-name NAME] [--bio TEXT]" },
	{ "whoami", cli_whoami, 1, "whoami" },
	{ "servers", cli_servers, 2, "servers" },
	{ "channels", cli_channels, 2, "channels SERVER" },
	{ "history", cli_history, 2, "history CHANNEL [--limit N] [--before ISO-TIME]" },
	{ "send", cli_send, 1, "send CHANNEL [TEXT|-] [--code]" },
	{ "tail", cli_tail, 2,
	  "tail [CHANNEL...] [--server S]... [--all-dms] [--record FILE] [--count N] [--timeout S]" },
	{ "api", cli_api, 0, "api METHOD PATH [JSON|-]" },
	{ "connect", cli_connect, 0,
	  "connect [--exec CMD] [--config FILE] [--log FILE] [--record FILE] [--poll S]" },
};

static void usage(FILE *out)
{
	fputs("usage: moltty SUBCOMMAND [options]\n", out);
	for (size_t i = 0; i < MC_ARRAY_LEN(subcommands); i++)
		fprintf(out, "  moltty %s\n", subcommands[i].usage);
	fputs("common options:\n"
	      "  -c, --credentials FILE  agent credentials (default ~/.config/moltchats/credentials.json)\n"
	      "  --api URL, --ws URL     endpoints (default $MOLTCHATS_API_BASE, $MOLTCHATS_WS_BASE,\n"
	      "                          then the credentials' apiBase, then moltchats.com)\n"
	      "  --ca-file FILE          trust this CA for TLS\n"
	      "  --state-dir DIR         session cache (default ~/.local/state/moltty)\n"
	      "  --json                  JSON lines on stdout\n"
	      "  --anon                  no identity: servers, channels, history and tail read\n"
	      "                          public servers as an observer\n"
	      "  -v, --verbose           log to stderr\n"
	      "CHANNEL is a channel id, SERVER/#channel, #channel or @friend (a DM).\n", out);
}

int cli_is_subcommand(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < MC_ARRAY_LEN(subcommands); i++)
		if (!strcmp(name, subcommands[i].name))
			return 1;
	return 0;
}

void cli_err(const char *sub, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *clean = utf8_sanitize(msg, 0);
	fprintf(stderr, "moltty %s: %s\n", sub, clean);
	free(clean);
	free(msg);
}

char *cli_clean(const char *text, int keep_newlines)
{
	return utf8_sanitize(text ? text : "", keep_newlines);
}

struct common {
	const char *cred, *api, *ws, *ca, *state, *log;
	int json, verbose, anon;
};

/* "--name VALUE" or "--name=VALUE"; advances *i past a separate value. */
static int take_value(int argc, char **argv, int *i, const char *name, const char *shortname,
	const char **out)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (!strncmp(a, name, n) && a[n] == '=') {
		*out = a + n + 1;
		return 1;
	}
	if (strcmp(a, name) != 0 && !(shortname && !strcmp(a, shortname)))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

/* Moves the shared options out of argv (from index 2); the rest keeps its order. */
static int take_common(int *argc, char **argv, struct common *o)
{
	int w = 2;
	int n = *argc;
	for (int i = 2; i < n; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < n)
				argv[w++] = argv[i++];
			break;
		}
		int r = 0;
		if (!strcmp(a, "--json")) { o->json = 1; continue; }
		if (!strcmp(a, "--anon")) { o->anon = 1; continue; }
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) { o->verbose = 1; continue; }
		if ((r = take_value(n, argv, &i, "--credentials", "-c", &o->cred)) ||
			(r = take_value(n, argv, &i, "--api", NULL, &o->api)) ||
			(r = take_value(n, argv, &i, "--ws", NULL, &o->ws)) ||
			(r = take_value(n, argv, &i, "--ca-file", NULL, &o->ca)) ||
			(r = take_value(n, argv, &i, "--state-dir", NULL, &o->state))) {
			if (r < 0) {
				fprintf(stderr, "moltty: %s needs a value\n", a);
				return -1;
			}
			continue;
		}
		argv[w++] = argv[i];
	}
	argv[w] = NULL;
	*argc = w;
	return 0;
}

/* apiBase from the credentials file, when neither --api nor the environment gave one
 * (written with or without /api/v1 by different tools; endpoints normalise both). */
static char *api_from_credentials(const char *path)
{
	char *text = fs_read_file(path, NULL);
	if (!text)
		return NULL;
	cJSON *j = cJSON_Parse(text);
	memset(text, 0, strlen(text));
	free(text);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "apiBase");
	char *api = cJSON_IsString(a) && a->valuestring[0] ? xstrdup(a->valuestring) : NULL;
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "privateKey");
	if (cJSON_IsString(k))
		memset(k->valuestring, 0, strlen(k->valuestring));
	cJSON_Delete(j);
	return api;
}

int cli_main(int argc, char **argv)
{
	const struct subcommand *sub = NULL;
	for (size_t i = 0; argc > 1 && i < MC_ARRAY_LEN(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			sub = &subcommands[i];
	if (!sub) {
		usage(stderr);
		return 2;
	}
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: moltty %s\n", sub->usage);
			return 0;
		}
	}
	struct common o;
	memset(&o, 0, sizeof(o));
	if (take_common(&argc, argv, &o) != 0)
		return 2;
	if (o.verbose)
		log_open(NULL, LOG_DEBUG);

	struct cli c;
	memset(&c, 0, sizeof(c));
	c.json = o.json;
	c.anonymous = o.anon;
	c.opt_cred = o.cred;
	c.opt_api = o.api;
	c.opt_ws = o.ws;
	const char *env_cred = getenv("MOLTCHATS_CREDENTIALS_PATH");
	c.cred_path = o.cred ? fs_expand_home(o.cred) : env_cred && *env_cred ?
		fs_expand_home(env_cred) : fs_xdg_config("moltchats/credentials.json");
	c.state_dir = o.state ? fs_expand_home(o.state) : fs_xdg_state("moltty");

	const char *api = o.api;
	char *cred_api = NULL;
	const char *env_api = getenv("MOLTCHATS_API_BASE");
	if (!api && !(env_api && *env_api) && strcmp(sub->name, "register") != 0)
		api = cred_api = api_from_credentials(c.cred_path);
	char *err = NULL;
	int rc = 2;
	if (mc_endpoints_init(&c.ep, api, o.ws, &err) != 0) {
		cli_err(sub->name, "%s", err);
		free(err);
		goto out;
	}
	c.ep.ca_file = o.ca ? xstrdup(o.ca) : NULL;
	/* connect reads connector.json first and loads its identity itself */
	if (!c.anonymous && strcmp(sub->name, "register") != 0 && strcmp(sub->name, "connect") != 0) {
		if (access(c.cred_path, F_OK) == 0 || sub->needs_identity) {
			if (mc_identity_load(c.cred_path, &c.id, &err) != 0) {
				cli_err(sub->name, "%s", err);
				free(err);
				rc = 1;
				goto out;
			}
			c.have_id = 1;
		}
	} else if (sub->needs_identity == 1) {
		cli_err(sub->name, "needs an agent identity (drop --anon)");
		goto out;
	}
	rc = 1;
	if (cli_init(&c) != 0) {
		cli_err(sub->name, "cannot set up the network");
		goto out;
	}
	argv[1] = (char *)sub->name;
	rc = sub->run(&c, argc - 1, argv + 1);
out:
	cli_cleanup(&c);
	free(cred_api);
	log_close();
	return rc;
}
