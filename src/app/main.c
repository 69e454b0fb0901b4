/* moltty: mode dispatch and the one event loop. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ev.h>

#include "moltty/base.h"
#include "moltty/client.h"
#include "moltty/cmd.h"
#include "moltty/config.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "moltty/tui.h"
#include "app.h"

#define DEMO_SERVER_FIRST "General"
#define DEMO_CHANNEL_FIRST "general"

struct app {
	struct app_options opt;
	struct ev_loop *loop;
	struct demo demo;
	int demo_running;
	struct mc_endpoints ep;
	struct mc_identity id;
	int have_identity;
	struct mdl_model *model;
	struct mdl_account *acct;
	struct mc_net *net;
	struct mc_client *client;
	struct tui *tui;
	char *state_dir;
	struct config cfg;
	char *config_path;
	char *config_err;
	ev_signal sig_w[3];
	int exit_code;
};

static void app_quit(void *ud)
{
	struct app *a = ud;
	ev_break(a->loop, EVBREAK_ALL);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct app *a = w->data;
	log_info("signal %d: leaving", w->signum);
	app_quit(a);
}

/* Wide characters need a UTF-8 LC_CTYPE; many minimal systems only have C.UTF-8. */
static void setup_locale(void)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0)) {
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.utf8");
	}
}

static void start_client(struct app *a)
{
	a->client = mc_client_new(a->net, a->acct, &a->ep, a->have_identity ? &a->id : NULL,
		a->state_dir);
	tui_set_client(a->tui, a->client);
	mc_client_start(a->client);
}

/* Demo: every public server of the sandbox is joined, so the lists are full at once. */
static void on_demo_servers(void *ud, int ok, size_t n, const char *const *ids,
	const char *const *names)
{
	struct app *a = ud;
	if (!ok) {
		mdl_notice(a->model, 2, "demo: could not list the public servers");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!mdl_server_find(a->acct, ids[i]))
			mc_client_join_server(a->client, ids[i]);
}

static void on_demo_registered(void *ud, const char *agent_id, const char *err)
{
	struct app *a = ud;
	if (err) {
		mdl_notice(a->model, 2, "demo: registering the demo agent failed: %s", err);
		mdl_account_set_conn(a->acct, MDL_CONN_FAILED, err);
		return;
	}
	char *lerr = NULL;
	if (mc_identity_load(a->demo.cred_path, &a->id, &lerr) != 0) {
		mdl_notice(a->model, 2, "demo: %s", lerr);
		mdl_account_set_conn(a->acct, MDL_CONN_FAILED, lerr);
		free(lerr);
		return;
	}
	a->have_identity = 1;
	mdl_notice(a->model, 0, "demo: you are @%s on a local sandbox; type a message and press "
		"Enter, /help for commands", a->demo.username);
	start_client(a);
	mc_client_list_public_servers(a->client, on_demo_servers, a);
}

static void on_demo_exit(void *ud, int status)
{
	struct app *a = ud;
	a->demo_running = 0;
	mdl_notice(a->model, 2, "the demo server stopped unexpectedly (wait status %d)", status);
}

/* Credentials: -c, else the standard file when it exists, else an anonymous observer. */
static int load_identity(struct app *a, char **err)
{
	if (a->opt.observer)
		return 0;
	char *path = a->opt.cred_file ? fs_expand_home(a->opt.cred_file) :
		fs_xdg_config("moltchats/credentials.json");
	if (!a->opt.cred_file && access(path, F_OK) != 0) {
		log_info("no credentials at %s: anonymous observer", path);
		free(path);
		return 0;
	}
	int rc = mc_identity_load(path, &a->id, err);
	free(path);
	if (rc == 0)
		a->have_identity = 1;
	return rc;
}

/* The config file: a missing file means defaults; a bad line is reported once the UI is up
 * (the other lines still apply). */
static void load_config(struct app *a)
{
	config_init(&a->cfg);
	a->config_path = a->opt.config_file ? fs_expand_home(a->opt.config_file) :
		fs_xdg_config("moltty/config");
	char *text = fs_read_file(a->config_path, NULL);
	if (!text) {
		if (errno != ENOENT)
			a->config_err = xasprintf("%s: %s", a->config_path, strerror(errno));
		return;
	}
	char *err = NULL;
	if (config_parse(&a->cfg, text, &err) != 0)
		a->config_err = xasprintf("%s: %s", a->config_path, err);
	free(err);
	free(text);
}

static int setup(struct app *a, char **err)
{
	a->loop = ev_default_loop(0);
	load_config(a);
	if (a->opt.demo) {
		if (demo_start(&a->demo, a->loop, err) != 0)
			return -1;
		a->demo_running = 1;
		a->demo.on_exit = on_demo_exit;
		a->demo.ud = a;
		a->state_dir = xstrdup(a->demo.state_dir);
	} else {
		a->state_dir = fs_xdg_state("moltty");
		if (fs_mkdir_p(a->state_dir, 0700) != 0) {
			*err = xasprintf("cannot create %s: %s", a->state_dir, strerror(errno));
			return -1;
		}
	}
	char *log_path = a->opt.log_file ? xstrdup(a->opt.log_file) :
		fs_join(a->state_dir, "moltty.log");
	if (log_open(log_path, LOG_INFO) != 0) {
		*err = xasprintf("cannot open the log %s: %s", log_path, strerror(errno));
		free(log_path);
		return -1;
	}
	free(log_path);
	log_info("moltty %s starting%s", PACKAGE_VERSION, a->opt.demo ? " (demo)" : "");
	if (a->opt.demo)
		log_info("demo: server at %s (pid %ld), home %s", a->demo.api_url,
			(long)a->demo.pid, a->demo.tmpdir);

	if (a->opt.demo) {
		if (mc_endpoints_init(&a->ep, a->demo.api_url, a->demo.ws_url, err) != 0)
			return -1;
	} else {
		if (mc_endpoints_init(&a->ep, a->opt.api, a->opt.ws, err) != 0)
			return -1;
		if (load_identity(a, err) != 0)
			return -1;
	}

	int observer = a->opt.observer || (!a->opt.demo && !a->have_identity);
	char *label = observer ? xstrdup("observer") :
		a->opt.demo ? xasprintf("@%s", a->demo.username) : xasprintf("@%s", a->id.username);
	a->model = mdl_model_new();
	a->acct = mdl_account_add(a->model, label, observer);
	free(label);
	if (a->config_err)
		mdl_notice(a->model, 1, "config %s", a->config_err);
	if (observer && !a->opt.observer)
		mdl_notice(a->model, 0, "no credentials found: observing anonymously (read-only); "
			"use -c FILE to sign in as an agent");

	a->net = mc_net_new(a->loop, a->ep.ca_file);
	if (!a->net) {
		*err = xstrdup("cannot set up networking");
		return -1;
	}

	struct tui_options to = {
		.loop = a->loop,
		.model = a->model,
		.account = a->acct,
		.config = &a->cfg,
		.config_path = a->config_path,
		.theme_file = a->opt.theme_file,
		.prefer_server = a->opt.demo ? DEMO_SERVER_FIRST : NULL,
		.prefer_channel = DEMO_CHANNEL_FIRST,
		.on_quit = app_quit,
		.ud = a,
	};
	a->tui = tui_new(&to, err);
	if (!a->tui)
		return -1;

	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	for (int i = 0; i < 3; i++) {
		ev_signal_init(&a->sig_w[i], on_signal, sigs[i]);
		a->sig_w[i].data = a;
		ev_signal_start(a->loop, &a->sig_w[i]);
	}

	if (a->opt.demo && !observer) {
		mdl_account_set_conn(a->acct, MDL_CONN_AUTHENTICATING, NULL);
		mdl_notice(a->model, 0, "demo: registering a throw-away agent…");
		mc_register(a->net, &a->ep, a->demo.username, "You", a->demo.cred_path,
			on_demo_registered, a);
	} else {
		start_client(a);
	}
	return 0;
}

/* Everything in reverse order; safe on a partial setup. */
static void teardown(struct app *a)
{
	if (a->loop)
		for (int i = 0; i < 3; i++)
			ev_signal_stop(a->loop, &a->sig_w[i]);
	if (a->client)
		mc_client_free(a->client);
	a->client = NULL;
	if (a->tui)
		tui_free(a->tui);
	a->tui = NULL;
	if (a->net)
		mc_net_free(a->net);
	if (a->opt.demo)
		demo_stop(&a->demo);
	if (a->model)
		mdl_model_free(a->model);
	if (a->have_identity)
		mc_identity_free(&a->id);
	mc_endpoints_free(&a->ep);
	free(a->state_dir);
	config_free(&a->cfg);
	free(a->config_path);
	free(a->config_err);
	log_close();
	if (a->loop)
		ev_loop_destroy(a->loop);
}

int main(int argc, char **argv)
{
	struct app a;
	memset(&a, 0, sizeof(a));
	a.demo.out_fd = -1;
	setup_locale();

	char *err = NULL;
	if (app_parse_options(argc, argv, &a.opt, &err) != 0) {
		fprintf(stderr, "moltty: %s\n", err);
		free(err);
		return 2;
	}
	if (a.opt.help) {
		app_usage(stdout, "moltty");
		return 0;
	}
	if (a.opt.version) {
		printf("moltty %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (a.opt.print_config || a.opt.list_commands_roff || a.opt.list_config_roff) {
		struct config defaults;
		config_init(&defaults);
		char *text = a.opt.print_config ? config_format(&defaults) :
			a.opt.list_commands_roff ? cmd_roff() : config_roff();
		fputs(text, stdout);
		free(text);
		config_free(&defaults);
		return 0;
	}

	if (setup(&a, &err) != 0) {
		teardown(&a);
		fprintf(stderr, "moltty: %s\n", err ? err : "cannot start");
		free(err);
		return 1;
	}
	ev_run(a.loop, 0);
	log_info("leaving");
	teardown(&a);
	return a.exit_code;
}
