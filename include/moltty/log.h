/* log: a file log (never the terminal under curses). Every line is sanitised, and secrets are
 * redacted: "?token=..."/"&token=..." query values, "Bearer xxx", JWT-shaped strings,
 * "msr_" refresh tokens and PEM private key blocks. */
#ifndef MOLTTY_LOG_H
#define MOLTTY_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* path NULL: log to stderr (headless programs, the server). Returns 0 or -1.
 * A log file is created 0600 and appended to. Before log_open (or after log_close) nothing is
 * written anywhere, so a curses screen is never disturbed. Redaction happens before sanitising. */
int log_open(const char *path, enum log_level min);
void log_close(void);
void log_set_level(enum log_level min);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Redact secrets (see above) in s; returns a new string. */
char *log_redact(const char *s);

#endif
