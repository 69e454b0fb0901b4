/* Private to app/: options and the demo launcher. */
#ifndef MOLTTY_APP_H
#define MOLTTY_APP_H

#include <stdio.h>
#include <sys/types.h>
#include <ev.h>

struct app_options {
	int demo;
	int observer;
	const char **cred_files;  /* -c, repeatable: one identity each (owned array) */
	size_t n_cred_files;
	const char *ca_file;
	const char *api;
	const char *ws;
	const char *log_file;
	const char *theme_file;
	const char *config_file;
	int print_config;
	int list_commands_roff;
	int list_config_roff;
	int help;
	int version;
};

/* getopt_long over argv. Returns 0, or -1 with *err (caller frees). */
int app_parse_options(int argc, char **argv, struct app_options *o, char **err);
void app_options_free(struct app_options *o);
void app_usage(FILE *f, const char *argv0);

/* A moltchatsd child on an ephemeral loopback port with a throw-away home. */
struct demo {
	pid_t pid;            /* 0 when not running */
	int reaped;           /* the child was already waited for */
	int status;           /* its wait status when reaped */
	int out_fd;           /* its stdout, drained after the first line */
	char *tmpdir;         /* everything of this session lives here */
	char *api_url;        /* "http://127.0.0.1:PORT" */
	char *ws_url;         /* "ws://127.0.0.1:PORT/ws" */
	char *state_dir;      /* tmpdir/state */
	char *cred_path;      /* tmpdir/credentials.json */
	char *username;       /* "you_<hex>" */
	char *server_log;     /* tmpdir/moltchatsd.log: the child's stderr */
	ev_io out_w;
	ev_child child_w;
	struct ev_loop *loop;
	void (*on_exit)(void *ud, int status); /* the child died while we still ran */
	void *ud;
};

/* Finds moltchatsd, starts it, waits (at most 10 s) for its URL line. Blocking: runs before
 * the terminal is taken. Returns 0, or -1 with *err (caller frees; everything cleaned up). */
int demo_start(struct demo *d, struct ev_loop *loop, char **err);
/* Stop the child (TERM, then KILL after 3 s), wait for it, remove the temporary directory. */
void demo_stop(struct demo *d);

#endif
