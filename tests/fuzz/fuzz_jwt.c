/* libFuzzer target: HS256 JWT verification (the server checks every bearer token and WS
 * token with it) and the clients' unverified payload read. Invariants: a token verifies only
 * with the fixed header and the right signature; what verifies has the same payload
 * unverified; signing any payload text verifies back to it. */
#include "fuzz_util.h"
#include "moltty/crypto.h"

static const char key[] = "fuzz-secret-key-0123456789abcdef";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *jwt = fz_cstr(data, size);
	char *verified = jwt_verify_hs256(jwt, key, sizeof(key) - 1);
	char *unverified = jwt_payload_unverified(jwt);
	if (verified) {
		FUZZ_CHECK(strncmp(jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0,
			   "verified a token with another header");
		FUZZ_CHECK(unverified && strcmp(verified, unverified) == 0,
			   "verified and unverified payloads differ");
	}
	/* a key of the wrong length must not verify what the right key signed */
	char *wrong = jwt_verify_hs256(jwt, key, sizeof(key) - 2);
	FUZZ_CHECK(!(verified && wrong), "two keys verified the same token");
	free(wrong);
	free(verified);
	free(unverified);

	/* sign the input as payload text, then it must verify to exactly that text */
	if (jwt[0]) {
		char *signed_jwt = jwt_sign_hs256(jwt, key, sizeof(key) - 1);
		char *back = jwt_verify_hs256(signed_jwt, key, sizeof(key) - 1);
		FUZZ_CHECK(back && strcmp(back, jwt) == 0, "sign -> verify lost the payload");
		char *peek = jwt_payload_unverified(signed_jwt);
		FUZZ_CHECK(peek && strcmp(peek, jwt) == 0, "sign -> unverified lost the payload");
		free(peek);
		free(back);
		free(signed_jwt);
	}
	free(jwt);
	return 0;
}
