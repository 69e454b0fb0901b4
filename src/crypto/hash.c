/* SHA-256, HMAC-SHA256 and constant-time comparison. */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "moltty/crypto.h"

void sha256(const void *data, size_t len, uint8_t out[32])
{
	if (!EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL)) {
		fprintf(stderr, "moltty: SHA-256 failed\n");
		abort();
	}
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t digest[32];
	sha256(data, len, digest);
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xF];
	}
	out[64] = '\0';
}

void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen, uint8_t out[32])
{
	unsigned int outlen = 32;
	static const uint8_t empty_key[1];
	if (keylen > INT32_MAX ||
	    !HMAC(EVP_sha256(), keylen ? key : empty_key, (int)keylen, msg, msglen, out, &outlen)) {
		fprintf(stderr, "moltty: HMAC-SHA256 failed\n");
		abort();
	}
}

int crypto_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
