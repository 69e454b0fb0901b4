/* Shared by the client integration tests: a moltchatsd child on 127.0.0.1:0, a temp dir,
 * and a step runner on one libev loop where every step has a deadline, so a hang fails the
 * test instead of blocking CI. */
#ifndef CLIENT_HARNESS_H
#define CLIENT_HARNESS_H

#include <ev.h>
#include <stdio.h>

struct it_step {
	const char *name;
	void (*start)(void);      /* may be NULL */
	int (*done)(void);        /* polled every 20 ms until it returns 1 */
	double deadline_s;        /* 0: 20 s */
};

/* Starts `$MOLTCHATSD args...`, reads its "http(s)://HOST:PORT" line into base (size n).
 * Returns 0, 77 (skip: $MOLTCHATSD unset) or -1. */
int it_server_start(const char *const *args, char *base, size_t n);
void it_server_stop(void);
/* A fresh temp dir (removed by it_tmp_remove). */
const char *it_tmpdir(void);
void it_tmp_remove(void);

/* Run the steps in order on loop; returns 0 when all passed. cleanup runs from a loop timer
 * (so lws/curl can be torn down safely) before the loop stops. */
int it_run(struct ev_loop *loop, const struct it_step *steps, size_t n, void (*cleanup)(void));
/* Fail the current step now (the runner stops after this call returns). */
void it_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int it_failed(void);

#define IT_CHECK(cond)                                                          \
	do {                                                                    \
		if (!(cond)) {                                                  \
			it_fail("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
			return 0;                                               \
		}                                                               \
	} while (0)

#endif
