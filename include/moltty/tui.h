/* tui: the ncurses interface. It reads the model, draws it when something changed (keys at
 * once, changes from the network at most one frame per 16 ms), and turns keys and input
 * lines into client calls (through the cmd/ table). It owns the terminal from tui_new to
 * tui_free; nothing else may write to it in between. */
#ifndef MOLTTY_TUI_H
#define MOLTTY_TUI_H

#include <ev.h>

#include "moltty/client.h"
#include "moltty/config.h"
#include "moltty/model.h"

struct tui_options {
	struct ev_loop *loop;
	struct mdl_model *model;
	struct mdl_account *account;  /* the first identity (more with tui_add_identity) */
	struct config *config;        /* settings; /set changes them live (owned by the caller) */
	const char *config_path;      /* where /set save writes */
	const char *theme_file;       /* --theme: overrides config->theme when set */
	const char *prefer_server;    /* server name to open first (e.g. "General"), NULL: first */
	const char *prefer_channel;   /* channel name to open first in a server (e.g. "general") */
	void (*on_quit)(void *ud);    /* /quit or Ctrl-C typed: the app decides how to stop */
	/* /account add FILE: sign in with another credentials file (the app creates the
	 * account and its client and calls tui_add_identity). 0, or -1 with *err (caller
	 * frees). NULL: not offered. */
	int (*add_account)(void *ud, const char *cred_path, char **err);
	/* /account remove: the app calls tui_remove_identity, then frees the client. */
	int (*remove_account)(void *ud, struct mdl_account *acct, char **err);
	void *ud;
};

struct tui;

/* Takes over the terminal. Returns NULL with *err (caller frees) when it cannot (not a tty,
 * unknown terminal). A bad theme is reported as a model notice, not an error. */
struct tui *tui_new(const struct tui_options *o, char **err);
/* The client may arrive later (the demo registers its agent first). NULL detaches it. */
void tui_set_client(struct tui *t, struct mc_client *client);
/* Several identities: each account (with its client, possibly arriving later through
 * tui_set_identity_client) gets a group in the server list; F8 or /account switch chooses
 * the one that sends. Removing one forgets it in the UI (the caller frees its client after). */
void tui_add_identity(struct tui *t, struct mdl_account *acct, struct mc_client *client);
void tui_remove_identity(struct tui *t, struct mdl_account *acct);
/* The order servers are listed in, by id (e.g. the API's order); servers not listed follow,
 * in the model's order. */
void tui_set_server_order(struct tui *t, const char *const *ids, size_t n);
/* Gives the terminal back (endwin) and stops every watcher. */
void tui_free(struct tui *t);

#endif
