/* Secret redaction for log lines: query tokens, bearer tokens, JWTs, msr_ refresh tokens and
 * PEM private key blocks. Deliberately greedy: a false positive only costs a log detail. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/log.h"

#define REDACTED "[REDACTED]"

static int is_b64url(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* Characters that end a token value in URLs, headers and JSON. */
static int ends_value(char c)
{
	return c == '\0' || c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' ||
	       c == '>' || c == ',' || c == ';' || isspace((unsigned char)c);
}

static size_t value_len(const char *s)
{
	size_t n = 0;
	while (!ends_value(s[n]))
		n++;
	return n;
}

/* Length of a JWT-shaped token at s (eyJ<b64url>.<b64url>.<b64url>), or 0. */
static size_t jwt_len(const char *s)
{
	if (strncmp(s, "eyJ", 3) != 0)
		return 0;
	size_t n = 3;
	for (int dots = 0; dots < 2; dots++) {
		while (is_b64url(s[n]))
			n++;
		if (s[n] != '.')
			return 0;
		n++;
	}
	while (is_b64url(s[n]) || s[n] == '=')
		n++;
	return n;
}

/* Length of a PEM private key block starting at s (to its END line, or to the end), or 0. */
static size_t pem_private_len(const char *s)
{
	if (strncmp(s, "-----BEGIN ", 11) != 0)
		return 0;
	const char *eol = strstr(s + 11, "-----");
	if (!eol)
		return 0;
	const char *label_end = eol;
	if (label_end - s < 11 + 11 || strncmp(label_end - 11, "PRIVATE KEY", 11) != 0)
		return 0;
	const char *end = strstr(eol + 5, "-----END ");
	if (!end)
		return strlen(s);
	const char *close = strstr(end + 9, "-----");
	return close ? (size_t)(close + 5 - s) : strlen(s);
}

char *log_redact(const char *s)
{
	struct buf out = BUF_INIT;
	if (!s)
		return xstrdup("");
	for (size_t i = 0; s[i];) {
		const char *p = s + i;
		size_t n;
		if ((n = pem_private_len(p)) > 0) {
			buf_puts(&out, "[REDACTED PRIVATE KEY]");
			i += n;
		} else if ((p[0] == '?' || p[0] == '&') && strncasecmp(p + 1, "token=", 6) == 0) {
			buf_append(&out, p, 7);
			buf_puts(&out, REDACTED);
			i += 7 + value_len(p + 7);
		} else if (strncasecmp(p, "Bearer ", 7) == 0 && !ends_value(p[7])) {
			buf_append(&out, p, 7);
			buf_puts(&out, REDACTED);
			i += 7 + value_len(p + 7);
		} else if (strncmp(p, "msr_", 4) == 0 && is_b64url(p[4])) {
			buf_puts(&out, "msr_" REDACTED);
			i += 4;
			while (is_b64url(s[i]))
				i++;
		} else if ((n = jwt_len(p)) > 0) {
			buf_puts(&out, REDACTED);
			i += n;
		} else {
			buf_putc(&out, s[i]);
			i++;
		}
	}
	return buf_steal(&out);
}
