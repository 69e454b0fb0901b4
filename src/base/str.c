/* Small string helpers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int str_starts_with(const char *s, const char *prefix)
{
	if (!s || !prefix)
		return 0;
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_ends_with(const char *s, const char *suffix)
{
	if (!s || !suffix)
		return 0;
	size_t n = strlen(s), m = strlen(suffix);
	return m <= n && memcmp(s + n - m, suffix, m) == 0;
}

void str_replace(char **dst, const char *src)
{
	char *copy = xstrdup(src); /* copy first: src may point into *dst */
	free(*dst);
	*dst = copy;
}

char *str_trim(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int str_is_uuid(const char *s)
{
	static const size_t dash_at[] = { 8, 13, 18, 23 };
	if (!s || strlen(s) != 36)
		return 0;
	for (size_t i = 0, d = 0; i < 36; i++) {
		if (d < MC_ARRAY_LEN(dash_at) && i == dash_at[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

int str_is_hex(const char *s, size_t len)
{
	if (!s || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}
