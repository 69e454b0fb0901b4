/* shape: a compact spec language for JSON shapes, checked against cJSON values.
 *
 *   value   := alt ['?']                  trailing '?': null is also accepted
 *   alt     := prim ('|' prim)*           any one of the alternatives
 *   prim    := '{' [member (',' member)*] '}'
 *            | '[' value ']' ['#' N]      array whose every element matches; '#N': exactly N
 *            | '\'' text '\''             this exact string (backslash escapes the quote)
 *            | NUMBER                     this exact number
 *            | TYPE | '@' NAME            a base type, or a named shape from the library
 *   member  := KEY ['?'] ':' value        '?' after the key: the key may be absent
 *            | '*' ':' value              any other key, whose value matches
 *            | '...'                      any other key, any value
 *
 * Objects are closed: a key the spec does not list is an error unless '*' or '...' is given.
 * TYPE is one of: any str nestr num int bool true false null uuid iso hex16 hex64 jwt msr.
 * iso means "YYYY-MM-DDTHH:MM:SS.mmmZ" exactly (milliseconds and Z, as the platform sends).
 * Keys are made of letters, digits and _ . - @ characters. */
#ifndef CONFORMANCE_SHAPE_H
#define CONFORMANCE_SHAPE_H

#include <stddef.h>
#include <cJSON.h>

struct shape_def {
	const char *name;
	const char *spec;
};

/* Named shapes for '@NAME' (the array ends with a {NULL, NULL} entry). Not copied. */
void shape_set_library(const struct shape_def *defs);

/* 0 when json matches spec. Otherwise -1 and err holds "at $.path: reason" (a spec syntax
 * error is reported the same way, prefixed "bad spec"). */
int shape_check(const char *spec, const cJSON *json, char *err, size_t errlen);

#endif
