/* HS256 JSON Web Tokens. The header is fixed: we only issue and accept exactly
 * {"alg":"HS256","typ":"JWT"}, the bytes jsonwebtoken (the platform) emits. Comparing the encoded
 * header verbatim rejects "alg":"none" and every algorithm-confusion trick without a JSON parser. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

#define JWT_HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" /* {"alg":"HS256","typ":"JWT"} */

static char *signature_b64(const char *signing_input, size_t n, const void *key, size_t keylen)
{
	uint8_t mac[32];
	hmac_sha256(key, keylen, signing_input, n, mac);
	return b64url_encode(mac, sizeof(mac));
}

char *jwt_sign_hs256(const char *payload_json, const void *key, size_t keylen)
{
	if (!payload_json)
		return NULL;
	char *payload = b64url_encode(payload_json, strlen(payload_json));
	char *input = xasprintf("%s.%s", JWT_HEADER_B64, payload);
	char *sig = signature_b64(input, strlen(input), key, keylen);
	char *jwt = xasprintf("%s.%s", input, sig);
	free(payload);
	free(input);
	free(sig);
	return jwt;
}

/* Split into three segments; returns 0 and the byte offsets of both dots, or -1. */
static int split(const char *jwt, size_t *dot1, size_t *dot2)
{
	const char *a = strchr(jwt, '.');
	if (!a)
		return -1;
	const char *b = strchr(a + 1, '.');
	if (!b || strchr(b + 1, '.'))
		return -1;
	*dot1 = (size_t)(a - jwt);
	*dot2 = (size_t)(b - jwt);
	return 0;
}

/* Decode a base64url segment to NUL-free text. */
static char *decode_text(const char *seg, size_t n)
{
	char *copy = xstrndup(seg, n);
	size_t len = 0;
	uint8_t *raw = b64url_decode(copy, &len);
	free(copy);
	if (!raw)
		return NULL;
	if (len == 0 || memchr(raw, '\0', len)) {
		free(raw);
		return NULL;
	}
	return (char *)raw; /* b64url_decode NUL-terminates */
}

char *jwt_verify_hs256(const char *jwt, const void *key, size_t keylen)
{
	size_t dot1, dot2;
	if (!jwt || split(jwt, &dot1, &dot2) < 0)
		return NULL;
	if (dot1 != strlen(JWT_HEADER_B64) || memcmp(jwt, JWT_HEADER_B64, dot1) != 0)
		return NULL;
	char *expected = signature_b64(jwt, dot2, key, keylen);
	const char *given = jwt + dot2 + 1;
	size_t n = strlen(expected);
	int ok = strlen(given) == n && crypto_memeq(expected, given, n);
	free(expected);
	if (!ok)
		return NULL;
	return decode_text(jwt + dot1 + 1, dot2 - dot1 - 1);
}

char *jwt_payload_unverified(const char *jwt)
{
	size_t dot1, dot2;
	if (!jwt || split(jwt, &dot1, &dot2) < 0)
		return NULL;
	return decode_text(jwt + dot1 + 1, dot2 - dot1 - 1);
}
