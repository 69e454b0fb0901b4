/* Base64 and base64url on top of EVP_EncodeBlock/EVP_DecodeBlock, with strict input checks
 * (EVP_DecodeBlock alone tolerates whitespace and miscounts padding). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

char *b64_encode(const void *data, size_t len)
{
	if (len > (size_t)INT32_MAX / 4 * 3)
		abort(); /* far beyond any frame we ever encode */
	size_t outlen = 4 * ((len + 2) / 3) + 1;
	char *out = xmalloc(outlen);
	if (len == 0) {
		out[0] = '\0';
		return out;
	}
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

static int is_std_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Decode standard-alphabet text of length n (padding optional). */
static uint8_t *decode_std(const char *s, size_t n, size_t *outlen)
{
	size_t pad = 0;
	while (pad < 2 && n > 0 && s[n - 1] == '=') {
		n--;
		pad++;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_std_char(s[i]))
			return NULL;
	if (n % 4 == 1 || (pad > 0 && (n + pad) % 4 != 0) || n > (size_t)INT32_MAX / 2)
		return NULL;
	size_t missing = (4 - n % 4) % 4;
	char *padded = xmalloc(n + missing + 1);
	memcpy(padded, s, n);
	memset(padded + n, '=', missing);
	padded[n + missing] = '\0';
	/* One spare byte so the result can also be used as a C string. */
	uint8_t *out = xmalloc((n + missing) / 4 * 3 + 1);
	int got = n + missing ? EVP_DecodeBlock(out, (unsigned char *)padded, (int)(n + missing)) : 0;
	free(padded);
	if (got < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts each '=' as a zero byte of output. */
	size_t real = (size_t)got - missing;
	out[real] = '\0';
	if (outlen)
		*outlen = real;
	return out;
}

uint8_t *b64_decode(const char *s, size_t *outlen)
{
	if (!s)
		return NULL;
	return decode_std(s, strlen(s), outlen);
}

char *b64url_encode(const void *data, size_t len)
{
	char *out = b64_encode(data, len);
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

uint8_t *b64url_decode(const char *s, size_t *outlen)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *std = xstrdup(s);
	for (size_t i = 0; i < n; i++) {
		if (std[i] == '+' || std[i] == '/') {
			free(std); /* not the url alphabet */
			return NULL;
		}
		if (std[i] == '-')
			std[i] = '+';
		else if (std[i] == '_')
			std[i] = '/';
	}
	uint8_t *out = decode_std(std, n, outlen);
	free(std);
	return out;
}
