/* Randomness from the OpenSSL CSPRNG. A failing CSPRNG is fatal: never fall back to weak ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/rand.h>

#include "moltty/crypto.h"

void random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		int chunk = n > 65536 ? 65536 : (int)n;
		if (RAND_bytes(p, chunk) != 1) {
			fprintf(stderr, "moltty: the random number generator failed\n");
			abort();
		}
		p += chunk;
		n -= (size_t)chunk;
	}
}

void random_bytes_kernel(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			fprintf(stderr, "moltty: getrandom failed: %s\n", strerror(errno));
			abort();
		}
		p += got;
		n -= (size_t)got;
	}
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0xF];
	}
	out[2 * n] = '\0';
}

void random_hex(char *out, size_t nbytes)
{
	uint8_t *b = malloc(nbytes ? nbytes : 1);
	if (!b)
		abort();
	random_bytes(b, nbytes);
	to_hex(b, nbytes, out);
	free(b);
}

void uuid_v4(char out[37])
{
	uint8_t b[16];
	char hex[33];
	random_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
	to_hex(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
