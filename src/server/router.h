/* router: the pure part of moltchatsd's request handling (no lws, no store), so fuzzers and
 * tests can drive it with any bytes: matching a path against route patterns, walking the
 * route tables, naming the resource before a path parameter, and parsing a body as JSON with
 * the platform's error text. */
#ifndef MOLTTY_SERVER_ROUTER_H
#define MOLTTY_SERVER_ROUTER_H

#include <stddef.h>

#include "server.h"

/* Match path against pattern ("/api/v1/servers/:uuid/join") segment by segment. On a match
 * returns 1 and stores the parameter values in params[0..*nparams) (caller frees); otherwise
 * returns 0 and stores nothing. *bad_uuid is set to the index of the first ":uuid" value that
 * is not a UUID, or -1. */
int route_match(const char *pattern, const char *path, char *params[ROUTE_MAX_PARAMS],
		int *nparams, int *bad_uuid);

/* The first route of the tables registered in http.c (defined there) whose method and
 * pattern match, with route_match's outputs, or NULL. HEAD requests look up "GET". */
const struct route *route_lookup(const char *method, const char *path,
				 char *params[ROUTE_MAX_PARAMS], int *nparams, int *bad_uuid);

/* The literal path segment before parameter number `param` of pattern (what --strict uses to
 * pick a NOT_FOUND code), truncated to outsz; "" when there is none. */
void route_segment_before(const char *pattern, int param, char *out, size_t outsz);

/* Parse a request body of len bytes as JSON. Returns the value, or NULL and sets *error to
 * the message JSON.parse would give ("Unexpected token 'x', "..." is not valid JSON" or
 * "Unexpected end of JSON input"; caller frees). body need not be NUL-terminated. */
cJSON *body_parse_json(const char *body, size_t len, char **error);

#endif
