/* Private to tui/: what the platform commands (host_req.c, host_social.c, host_servers.c,
 * host_account.c) share. Each command is one request context: it names the command for
 * messages ("/ban @eve"), remembers the identity that asked, and travels through the
 * API callbacks (a callback owns it and frees it, or hands it to the next call). */
#ifndef MOLTTY_TUI_HOST_REQ_H
#define MOLTTY_TUI_HOST_REQ_H

#include "moltty/api.h"
#include "moltty/cmd.h"
#include "tui_priv.h"

struct req {
	struct tui *t;
	struct mdl_account *acct;  /* the identity that asked (the active one may change) */
	struct mc_client *client;
	char *what;                /* the command, for messages */
	char *user, *key, *text, *id;
	int n;
};

struct req *req_new(struct tui *t, const struct cmd_req *r);
void req_free(void *ud);
/* "what: HTTP 403 NOT_SERVER_ADMIN: ..." as an error notice; frees nothing. */
void req_fail(struct req *q, const struct api_result *r);
/* The call's handle: NULL means it could not start (q is already freed). Returns 0 or -1. */
int req_started(struct tui *t, struct api_req *h, const char *what);
/* Preconditions, each with a notice when unmet. */
int req_need_client(struct tui *t);
struct mdl_server *req_need_server(struct tui *t);   /* the current server, not the DMs */
struct mdl_channel *req_need_channel(struct tui *t); /* the current channel */
/* Hide a channel that is gone on the server (the model has no removal for channels):
 * closed in the UI, unsubscribed, another one selected. */
void req_hide_channel(struct tui *t, struct mdl_channel *c);
/* The DM channel with a friend in an account, or NULL. */
struct mdl_channel *req_dm_channel(struct mdl_account *a, const char *username);
/* "2026-01-02 13:04" from an ISO time (local), or a copy of the text when unparsable. */
char *req_local_time(const char *iso);

int host_social(struct tui *t, const struct cmd_req *r);
int host_servers(struct tui *t, const struct cmd_req *r);
int host_account(struct tui *t, const struct cmd_req *r);

#endif
