/* base: allocation, growable buffers, small string helpers. No I/O. */
#ifndef MOLTTY_BASE_H
#define MOLTTY_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts with a message on out-of-memory: callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Growable byte buffer, always NUL-terminated once anything was appended. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);           /* len = 0, keeps memory */
const char *buf_cstr(struct buf *b);     /* "" when empty, never NULL */
char *buf_steal(struct buf *b);          /* returns data (or "" copy), buffer becomes empty */
void buf_free(struct buf *b);

/* Strings */
int str_eq(const char *a, const char *b);              /* NULL-safe equality */
int str_starts_with(const char *s, const char *prefix);
int str_ends_with(const char *s, const char *suffix);
void str_replace(char **dst, const char *src);         /* free *dst, *dst = xstrdup(src) */
char *str_trim(char *s);                               /* in place, returns s moved past spaces */
int str_is_uuid(const char *s);                        /* 8-4-4-4-12 hex, either case */
int str_is_hex(const char *s, size_t len);             /* exactly len lowercase hex chars */

/* Monotonic and wall clocks */
int64_t mono_ms(void);
int64_t wall_ms(void);

#endif
