/* Private helpers for reading untrusted cJSON trees: every getter tolerates NULL nodes,
 * missing keys and wrong types. */
#ifndef MOLTTY_PROTO_JSONUTIL_H
#define MOLTTY_PROTO_JSONUTIL_H

#include <cjson/cJSON.h>

/* Copy of obj[key] when it is a string, else NULL. */
char *ju_str(const cJSON *obj, const char *key);
/* Copy of obj[key] when it is a string, else a copy of def. */
char *ju_str_or(const cJSON *obj, const char *key, const char *def);
/* obj[key] as a number: a JSON number or a numeric string (PostgreSQL bigints); def otherwise. */
long long ju_ll(const cJSON *obj, const char *key, long long def);
/* obj[key] as a boolean: true/false only; def otherwise. */
int ju_bool(const cJSON *obj, const char *key, int def);
/* obj[key] as a double: a finite JSON number or numeric string; def otherwise. */
double ju_double(const cJSON *obj, const char *key, double def);
/* Copies of the strings in the array obj[key] (others skipped); NULL and *n = 0 when the
 * key is not an array. */
char **ju_strings(const cJSON *obj, const char *key, size_t *n);
/* Parse text of length len; NULL when malformed. */
cJSON *ju_parse(const char *text, size_t len);

#endif
