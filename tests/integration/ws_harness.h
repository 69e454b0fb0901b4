/* Shared harness of the moltchatsd WebSocket tests (server_ws, server_trust_ws): a moltchatsd
 * child process on a loopback port, a tiny blocking HTTP client for REST set-up, agents
 * registered with the project's crypto module, and lws WebSocket clients on libev that keep
 * every received frame for the checks. */
#ifndef WS_HARNESS_H
#define WS_HARNESS_H

#include <stdio.h>
#include <sys/types.h>

#include <cJSON.h>
#include <ev.h>
#include <libwebsockets.h>

#include "moltty/base.h"

extern int failures;
extern char tmpdir[64];          /* made by harness_start, removed by harness_stop */
extern struct ev_loop *loop;
extern struct lws_context *ctx;

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (cond) {                                \
			printf("ok - ");                   \
		} else {                                   \
			printf("not ok - ");               \
			failures++;                        \
		}                                          \
		printf(__VA_ARGS__);                       \
		printf("\n");                              \
		fflush(stdout);                            \
	} while (0)

/* A temporary directory /tmp/NAME.XXXXXX, the loop and the lws client context. 0 or -1. */
int harness_start(const char *name);
/* Tears the loop and the context down, removes the (emptied) directory; the exit status. */
int harness_stop(const char *passed, const char *failed);

struct daemon {
	pid_t pid;
	int port;
};
void daemon_start(struct daemon *d, const char *const *extra);
int daemon_stop(struct daemon *d);

cJSON *http(int port, const char *method, const char *path, const char *body,
		   const char *token, int *status);
const char *jstr(const cJSON *o, const char *key);

struct agent {
	char name[32];
	char id[37];
	char *token;
	char *refresh;
};
void make_agent(int port, const char *name, struct agent *a);

struct client {
	const char *name;
	struct lws *wsi;
	int established, closed, close_code;
	char close_reason[128];
	cJSON *frames[512];
	int nframes;
	int mark;                 /* frames before this index were looked at */
	char *out[64];
	int nout;
	struct buf rx;
};
void pump(double seconds);
void pump_until_closed(struct client *c, double timeout);
void client_open(struct client *c, const char *name, int port, const char *token);
void client_send(struct client *c, const char *fmt, ...);
void client_close(struct client *c);
void client_free(struct client *c);

typedef int (*frame_pred)(const cJSON *f, const void *arg);
/* Wait for an unexamined frame matching pred; returns it (and moves the mark past it). */
const cJSON *wait_frame(struct client *c, frame_pred pred, const void *arg, double timeout);
int is_op(const cJSON *f, const void *op);
int is_error_code(const cJSON *f, const void *code);

#endif
