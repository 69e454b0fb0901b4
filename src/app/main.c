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
#include "moltty/cli.h"
#include "moltty/client.h"
#include "moltty/wirelog.h"
#include "moltty/cmd.h"
#include "moltty/config.h"
#include "moltty/fsutil.h"
#include "moltty/log.h"
#include "moltty/model.h"
#include "moltty/tui.h"
#include "app.h"

#define DEMO_SERVER_FIRST "General"
#define DEMO_CHANNEL_FIRST "general"

/* One identity: an agent (credentials) or the anonymous observer, with its account in the
 * model and its client. */
struct app_ident {
	struct mc_identity id;
	int have_identity;  /* 0: the observer */
	struct mdl_account *acct;
	struct mc_client *client;
	int retired;        /* signed out (/account remove); the model keeps the account */
};

struct app {
	struct app_options opt;
	struct ev_loop *loop;
	struct demo demo;
	int demo_running;
	struct mc_endpoints ep;
	struct app_ident **idents;
	size_t n_idents;
	struct mdl_model *model;
	struct mdl_account *acct;   /* the first identity's account */
	struct mc_net *net;
	struct tui *tui;
	char *state_dir;
	struct config cfg;
	char *config_path;
	char *config_err;
	ev_signal sig_w[3];
	ev_timer start_net;     /* starts the network once the first screen is painted */
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

/* The value setlocale(category, "") would take: LC_ALL, else the category's variable, else
 * LANG. */
static const char *locale_from_env(const char *category_var)
{
	const char *v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv(category_var);
	if (!v || !*v)
		v = getenv("LANG");
	return v;
}

/* C.UTF-8 behaves as C in every category but LC_CTYPE: the same strftime output for every
 * conversion, strerror texts, decimal point, collation and nl_langinfo items (compared on
 * glibc 2.36). */
static int same_as_c_locale(const char *name)
{
	return !name || !*name || !strcmp(name, "C") || !strcmp(name, "POSIX") ||
		!strcasecmp(name, "C.UTF-8") || !strcasecmp(name, "C.utf8");
}

/* Wide characters need a UTF-8 LC_CTYPE; many minimal systems only have C.UTF-8. The other
 * categories come from the environment as setlocale(LC_ALL, "") would set them, except that
 * one naming C (or C.UTF-8) stays C, which it already is: without a locale archive every
 * category set was a file loaded (13 files, ~60 system calls before the first screen).
 * LC_NUMERIC always stays C: JSON is read with strtod and written with printf, and a
 * decimal comma would misread "1.5" and write broken JSON. */
static void setup_locale(void)
{
	static const struct {
		int category;
		const char *var;
	} others[] = {
		{ LC_COLLATE, "LC_COLLATE" }, { LC_MONETARY, "LC_MONETARY" },
		{ LC_TIME, "LC_TIME" },
		{ LC_MESSAGES, "LC_MESSAGES" }, { LC_PAPER, "LC_PAPER" }, { LC_NAME, "LC_NAME" },
		{ LC_ADDRESS, "LC_ADDRESS" }, { LC_TELEPHONE, "LC_TELEPHONE" },
		{ LC_MEASUREMENT, "LC_MEASUREMENT" }, { LC_IDENTIFICATION, "LC_IDENTIFICATION" },
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!same_as_c_locale(locale_from_env(others[i].var)))
			setlocale(others[i].category, "");
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	if (!cs || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0)) {
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.utf8");
	}
}

static struct app_ident *ident_new(struct app *a, struct mdl_account *acct)
{
	struct app_ident *x = xcalloc(1, sizeof(*x));
	x->acct = acct;
	a->idents = xrealloc(a->idents, (a->n_idents + 1) * sizeof(*a->idents));
	a->idents[a->n_idents++] = x;
	return x;
}

static void start_client(struct app *a, struct app_ident *x)
{
	x->client = mc_client_new(a->net, x->acct, &a->ep, x->have_identity ? &x->id : NULL,
		a->state_dir);
	tui_add_identity(a->tui, x->acct, x->client);
	mc_client_start(x->client);
}

/* /account add FILE: another agent, live. */
static int app_add_account(void *ud, const char *cred_path, char **err)
{
	struct app *a = ud;
	struct mc_identity id;
	if (!a->net) {
		*err = xstrdup("networking is not set up (see the log)");
		return -1;
	}
	if (mc_identity_load(cred_path, &id, err) != 0)
		return -1;
	struct app_ident *x = NULL;
	for (size_t i = 0; i < a->n_idents; i++) {
		struct app_ident *y = a->idents[i];
		if (!y->have_identity && !y->retired)
			continue;
		if (str_eq(y->acct->agent_id, id.agent_id) || (y->have_identity &&
			str_eq(y->id.agent_id, id.agent_id))) {
			if (!y->retired) {
				*err = xasprintf("already signed in as @%s", id.username);
				mc_identity_free(&id);
				return -1;
			}
			x = y; /* signed out earlier: its account comes back */
		}
	}
	if (!x) {
		char *label = xasprintf("@%s", id.username);
		x = ident_new(a, mdl_account_add(a->model, label, 0));
		free(label);
	}
	x->id = id;
	x->have_identity = 1;
	x->retired = 0;
	log_info("signing in @%s (/account add)", id.username);
	start_client(a, x);
	return 0;
}

/* /account remove: the UI forgets it, then its client (session, socket) stops. */
static int app_remove_account(void *ud, struct mdl_account *acct, char **err)
{
	struct app *a = ud;
	for (size_t i = 0; i < a->n_idents; i++) {
		struct app_ident *x = a->idents[i];
		if (x->acct != acct || x->retired)
			continue;
		tui_remove_identity(a->tui, acct);
		mc_client_free(x->client);
		x->client = NULL;
		x->retired = 1;
		mdl_account_set_conn(acct, MDL_CONN_OFFLINE, NULL);
		if (x->have_identity)
			mc_identity_free(&x->id);
		x->have_identity = 0;
		return 0;
	}
	*err = xstrdup("no such identity");
	return -1;
}

/* Demo: every public server of the sandbox is joined, so the lists are full at once. Joins
 * finish in any order: the list keeps the API's order, General first. */
static void on_demo_servers(void *ud, int ok, size_t n, const char *const *ids,
	const char *const *names)
{
	struct app *a = ud;
	if (!ok) {
		mdl_notice(a->model, 2, "demo: could not list the public servers");
		return;
	}
	const char **order = xcalloc(n ? n : 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcasecmp(names[i], DEMO_SERVER_FIRST) == 0)
			order[k++] = ids[i];
	for (size_t i = 0; i < n; i++)
		if (!names[i] || strcasecmp(names[i], DEMO_SERVER_FIRST) != 0)
			order[k++] = ids[i];
	tui_set_server_order(a->tui, order, k);
	for (size_t i = 0; i < k; i++)
		if (!mdl_server_find(a->acct, order[i]))
			mc_client_join_server(a->idents[0]->client, order[i]);
	free(order);
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
	struct app_ident *x = a->idents[0];
	if (mc_identity_load(a->demo.cred_path, &x->id, &lerr) != 0) {
		mdl_notice(a->model, 2, "demo: %s", lerr);
		mdl_account_set_conn(a->acct, MDL_CONN_FAILED, lerr);
		free(lerr);
		return;
	}
	x->have_identity = 1;
	mdl_notice(a->model, 0, "demo: you are @%s on a local sandbox; type a message and press "
		"Enter, /help for commands", a->demo.username);
	start_client(a, x);
	mc_client_list_public_servers(x->client, on_demo_servers, a);
}

static void on_demo_exit(void *ud, int status)
{
	struct app *a = ud;
	a->demo_running = 0;
	mdl_notice(a->model, 2, "the demo server stopped unexpectedly (wait status %d)", status);
}

/* Identities: every -c FILE (plus an observer with --observer), else the standard file when
 * it exists, else an anonymous observer. Accounts are made later, in the same order. */
static int load_identities(struct app *a, char **err)
{
	if (a->opt.observer && a->opt.n_cred_files == 0)
		return 0;
	for (size_t i = 0; i < a->opt.n_cred_files; i++) {
		char *path = fs_expand_home(a->opt.cred_files[i]);
		struct app_ident *x = ident_new(a, NULL);
		int rc = mc_identity_load(path, &x->id, err);
		if (rc != 0) {
			char *e = xasprintf("%s: %s", path, *err);
			free(*err);
			*err = e;
			free(path);
			return -1;
		}
		free(path);
		x->have_identity = 1;
		for (size_t j = 0; j + 1 < a->n_idents; j++)
			if (str_eq(a->idents[j]->id.agent_id, x->id.agent_id)) {
				*err = xasprintf("-c names @%s twice", x->id.username);
				return -1;
			}
	}
	if (a->opt.n_cred_files)
		return 0;
	char *path = fs_xdg_config("moltchats/credentials.json");
	if (access(path, F_OK) != 0) {
		log_info("no credentials at %s: anonymous observer", path);
		free(path);
		return 0;
	}
	struct app_ident *x = ident_new(a, NULL);
	int rc = mc_identity_load(path, &x->id, err);
	free(path);
	if (rc == 0)
		x->have_identity = 1;
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

static void start_network(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;
	a->net = mc_net_new(a->loop, a->ep.ca_file);
	if (!a->net) {
		mdl_account_set_conn(a->acct, MDL_CONN_FAILED, "cannot set up networking");
		mdl_notice(a->model, 2, "cannot set up networking (see the log); Ctrl-Q quits");
		return;
	}
	if (a->opt.demo) {
		mdl_account_set_conn(a->acct, MDL_CONN_AUTHENTICATING, NULL);
		mdl_notice(a->model, 0, "demo: registering a throw-away agent…");
		mc_register(a->net, &a->ep, a->demo.username, "You", a->demo.cred_path,
			on_demo_registered, a);
	} else {
		for (size_t i = 1; i < a->n_idents; i++)
			tui_add_identity(a->tui, a->idents[i]->acct, NULL); /* listed in order */
		for (size_t i = 0; i < a->n_idents; i++)
			start_client(a, a->idents[i]);
		if (a->n_idents > 1)
			mdl_notice(a->model, 0, "%zu identities: F8 chooses the one that sends (the "
				"status bar names it)", a->n_idents);
	}
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
		if (load_identities(a, err) != 0)
			return -1;
	}
	if (a->opt.ca_file) {
		/* A private CA for https/wss; the system store is replaced, never switched off. */
		free(a->ep.ca_file);
		a->ep.ca_file = fs_expand_home(a->opt.ca_file);
		if (access(a->ep.ca_file, R_OK) != 0) {
			*err = xasprintf("--ca-file %s: %s", a->ep.ca_file, strerror(errno));
			return -1;
		}
	}

	a->model = mdl_model_new();
	if (a->opt.demo) {
		char *label = xasprintf("@%s", a->demo.username);
		ident_new(a, NULL)->acct = mdl_account_add(a->model, label, 0);
		free(label);
	} else {
		for (size_t i = 0; i < a->n_idents; i++) {
			char *label = xasprintf("@%s", a->idents[i]->id.username);
			a->idents[i]->acct = mdl_account_add(a->model, label, 0);
			free(label);
		}
		/* --observer alone, --observer beside agents, or nobody to sign in as. */
		if (a->opt.observer || a->n_idents == 0)
			ident_new(a, NULL)->acct = mdl_account_add(a->model, "observer", 1);
	}
	a->acct = a->idents[0]->acct;
	if (a->config_err)
		mdl_notice(a->model, 1, "config %s", a->config_err);
	if (a->acct->observer && !a->opt.observer)
		mdl_notice(a->model, 0, "no credentials found: observing anonymously (read-only); "
			"use -c FILE to sign in as an agent");

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
		.add_account = a->opt.demo ? NULL : app_add_account,
		.remove_account = app_remove_account,
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

	/* the network starts in the first loop turn, after the first screen was painted (the
	 * TUI paints from an ev_prepare) */
	ev_timer_init(&a->start_net, start_network, 0., 0.);
	a->start_net.data = a;
	ev_timer_start(a->loop, &a->start_net);
	return 0;
}

/* Everything in reverse order; safe on a partial setup. */
static void teardown(struct app *a)
{
	if (a->loop) {
		for (int i = 0; i < 3; i++)
			ev_signal_stop(a->loop, &a->sig_w[i]);
		ev_timer_stop(a->loop, &a->start_net);
	}
	for (size_t i = 0; i < a->n_idents; i++) {
		mc_client_free(a->idents[i]->client);
		a->idents[i]->client = NULL;
	}
	if (a->tui)
		tui_free(a->tui);
	a->tui = NULL;
	if (a->net)
		mc_net_free(a->net);
	/* Everything that went over the wire (bench_tui divides CPU by it: in a flood nearly
	 * all of it is messages). */
	log_info("wire: %llu entries", (unsigned long long)wirelog_last_seq(wirelog_global()));
	wirelog_global_free();
	if (a->opt.demo)
		demo_stop(&a->demo);
	if (a->model)
		mdl_model_free(a->model);
	for (size_t i = 0; i < a->n_idents; i++) {
		if (a->idents[i]->have_identity)
			mc_identity_free(&a->idents[i]->id);
		free(a->idents[i]);
	}
	free(a->idents);
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
	if (argc > 1 && cli_is_subcommand(argv[1]))
		return cli_main(argc, argv); /* headless subcommands (src/cli) */

	char *err = NULL;
	if (app_parse_options(argc, argv, &a.opt, &err) != 0) {
		fprintf(stderr, "moltty: %s\n", err);
		free(err);
		return 2;
	}
	if (a.opt.help) {
		app_usage(stdout, "moltty");
		app_options_free(&a.opt);
		return 0;
	}
	if (a.opt.version) {
		printf("moltty %s\n", PACKAGE_VERSION);
		app_options_free(&a.opt);
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
		app_options_free(&a.opt);
		return 0;
	}

	if (setup(&a, &err) != 0) {
		teardown(&a);
		app_options_free(&a.opt);
		fprintf(stderr, "moltty: %s\n", err ? err : "cannot start");
		free(err);
		return 1;
	}
	ev_run(a.loop, 0);
	log_info("leaving");
	teardown(&a);
	app_options_free(&a.opt);
	return a.exit_code;
}
