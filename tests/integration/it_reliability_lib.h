/* Shared by the reliability tests (issue 5): a moltchatsd child on a fixed port and database
 * that can be killed (-9), stopped (SIGSTOP) and restarted on the same address, its admin
 * socket, blocking HTTP helpers for checks made outside the client under test, and agent
 * setup (register, identity, client) on the shared loop. */
#ifndef IT_RELIABILITY_LIB_H
#define IT_RELIABILITY_LIB_H

#include <stddef.h>
#include <sys/types.h>

#include "moltty/client.h"
#include "moltty/model.h"

struct rel_srv {
	pid_t pid;
	int port;
	char db[256];
	char admin[256];
	char base[128];        /* http://127.0.0.1:PORT */
	const char *const *extra; /* extra arguments, NULL-terminated (kept by the caller) */
};

/* A port that was free a moment ago (bind to :0, read it, close). */
int rel_free_port(void);
/* Start (or restart) moltchatsd with --listen 127.0.0.1:port --db db --admin-socket admin
 * plus s->extra; waits for its URL line. 0, 77 (MOLTCHATSD unset) or -1. */
int rel_srv_start(struct rel_srv *s);
void rel_srv_kill9(struct rel_srv *s);
void rel_srv_signal(struct rel_srv *s, int sig); /* SIGSTOP / SIGCONT */
void rel_srv_stop(struct rel_srv *s);             /* SIGTERM, then SIGKILL */

/* One admin command (a JSON line); the reply line into reply. 0, or -1 (timeout 5 s). */
int rel_admin(struct rel_srv *s, const char *line, char *reply, size_t n);

/* Blocking HTTP (libcurl easy) to the server, 10 s timeout. Returns the status (0 on a
 * transport error); *body (caller frees) may be NULL. token/body may be NULL. */
int rel_http(const char *method, const char *url, const char *token, const char *json,
	char **body);

/* Every message id of a channel, newest first, paging with before= (deduplicated). NULL on
 * failure. *n set. */
char **rel_history_ids(const char *api_base, const char *token, const char *channel_id,
	size_t *n);
/* How many history messages of the channel have exactly this content. -1 on failure. */
int rel_history_count(const char *api_base, const char *token, const char *channel_id,
	const char *content);
void rel_free_ids(char **ids, size_t n);

struct rel_agent {
	char name[48];
	char *cred;
	char *id;
	int reg_done, reg_failed;
	struct mc_identity ident;
	struct mdl_account *acct;
	struct mc_client *c;
};

/* Start registering (async on the loop of net). */
void rel_register(struct mc_net *net, const struct mc_endpoints *ep, struct rel_agent *a,
	const char *name, const char *dir);
/* Load the identity and start a client. 0 or -1. */
int rel_client_start(struct rel_agent *a, struct mc_net *net, struct mdl_model *model,
	const struct mc_endpoints *ep, const char *state_dir);
void rel_agent_free(struct rel_agent *a);

/* The channel named "general" of server_id in a's model, or NULL. */
struct mdl_channel *rel_general(struct rel_agent *a, const char *server_id);
size_t rel_count_content(const struct mdl_channel *ch, const char *content);
/* 1 when the channel holds exactly the ids (any order), each once, all stored. */
int rel_channel_matches(const struct mdl_channel *ch, char **ids, size_t n, char *why,
	size_t why_n);

#endif
