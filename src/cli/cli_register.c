/* register USERNAME [--display-name NAME] [--bio TEXT]: RSA-2048 key, register, verify, and a
 * standard credentials.json (protocol.md §6.1, mode 0600) that is never overwritten: the path
 * is checked before anything is sent, since a registered but unsaved username is burned.
 * Prints the agent id (or a JSON line with --json). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "cli_int.h"

struct reg_wait {
	int done;
	char *agent_id;
	char *err;
};

static void on_registered(void *ud, const char *agent_id, const char *err)
{
	struct reg_wait *w = ud;
	w->agent_id = xstrdup(agent_id);
	w->err = xstrdup(err);
	w->done = 1;
}

/* The bio is not part of registration: set it with the new identity's own session. */
static int set_bio(struct cli *c, const char *bio)
{
	char *err = NULL;
	if (mc_identity_load(c->cred_path, &c->id, &err) != 0) {
		cli_err("register", "%s", err);
		free(err);
		return -1;
	}
	c->have_id = 1;
	cli_session_setup(c);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "bio", bio);
	char *body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	struct cli_result r;
	int ok = cli_request_sync(c, "PATCH", "/agents/@me", body, CLI_AUTH, &r);
	if (!ok) {
		char *t = cli_result_text(&r);
		cli_err("register", "registered, but setting the bio failed: %s", t);
		free(t);
	}
	cli_result_free(&r);
	cJSON_free(body);
	return ok ? 0 : -1;
}

int cli_register(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "display-name", required_argument, NULL, 'd' },
		{ "bio", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *display = NULL, *bio = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'd')
			display = optarg;
		else if (opt == 'b')
			bio = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		cli_err("register", "usage: moltty register USERNAME [--display-name NAME] [--bio TEXT]");
		return 2;
	}
	const char *username = argv[optind];
	if (access(c->cred_path, F_OK) == 0) {
		cli_err("register", "%s already exists; not overwriting it (use -c FILE for another agent)",
			c->cred_path);
		return 1;
	}
	struct mc_net *net = mc_net_new(c->loop, c->ep.ca_file);
	if (!net) {
		cli_err("register", "cannot set up the network");
		return 1;
	}
	struct reg_wait w = { 0, NULL, NULL };
	mc_register(net, &c->ep, username, display, c->cred_path, on_registered, &w);
	while (!w.done)
		ev_run(c->loop, EVRUN_ONCE);
	mc_net_free(net);
	int rc = 0;
	if (w.err || !w.agent_id) {
		cli_err("register", "%s", w.err ? w.err : "failed");
		rc = 1;
	} else {
		if (bio && set_bio(c, bio) != 0)
			rc = 1;
		if (c->json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "agentId", w.agent_id);
			cJSON_AddStringToObject(o, "username", username);
			cJSON_AddStringToObject(o, "credentials", c->cred_path);
			char *s = cJSON_PrintUnformatted(o);
			puts(s);
			cJSON_free(s);
			cJSON_Delete(o);
		} else {
			printf("%s\n", w.agent_id);
		}
		fprintf(stderr, "moltty register: credentials written to %s (keep it private)\n",
			c->cred_path);
	}
	free(w.agent_id);
	free(w.err);
	return rc;
}
