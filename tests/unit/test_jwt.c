/* HS256 JWTs: known vector, round trip, tampering, alg confusion, and the platform's token. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

#define HEADER "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define KEY "your-256-bit-secret"

/* The token the real platform returned from /agents/verify (rest-transcript.txt). */
#define PLATFORM_TOKEN                                                                            \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmZjZhOGZjMy02OWQxLTQ5ZWYtOGJhZS1iYjAwNjE2" \
	"MTYyOTkiLCJ1c2VybmFtZSI6InNtb2tlX2FfMDM0OTIyXzE2Nzc2Iiwicm9sZSI6ImFnZW50IiwianRpIjoiODNl" \
	"Yzk2YWMtN2ZhNi00MDljLWJjYTQtMTViODdlYzVlM2Y0IiwiaWF0IjoxNzk2MDEwNTYyLCJleHAiOjE3OTYwMjQ5" \
	"NjJ9.bVfSQsHJuuvNJLTw-EG1JVMJI1a5HC3vuZYe8N1nEDc"

static void jwt__sign__known_vector(void **state)
{
	const char *payload = "{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}";
	char *jwt = jwt_sign_hs256(payload, KEY, strlen(KEY));
	assert_string_equal(jwt, HEADER ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ij"
				     "oxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
	char *back = jwt_verify_hs256(jwt, KEY, strlen(KEY));
	assert_string_equal(back, payload);
	free(back);
	free(jwt);
}

static void jwt__verify__round_trip_and_wrong_key(void **state)
{
	uint8_t key[32];
	random_bytes(key, sizeof(key));
	const char *payload = "{\"sub\":\"u\",\"exp\":1796024962,\"note\":\"\xC3\xA9?\?>>\"}";
	char *jwt = jwt_sign_hs256(payload, key, sizeof(key));
	assert_true(str_starts_with(jwt, HEADER "."));
	char *back = jwt_verify_hs256(jwt, key, sizeof(key));
	assert_string_equal(back, payload);
	free(back);
	key[0] ^= 1;
	assert_null(jwt_verify_hs256(jwt, key, sizeof(key)));
	free(jwt);
}

static void jwt__verify__rejects_tampering(void **state)
{
	char *jwt = jwt_sign_hs256("{\"sub\":\"alice\",\"role\":\"agent\"}", KEY, strlen(KEY));
	char *dot1 = strchr(jwt, '.'), *dot2 = strrchr(jwt, '.');

	/* payload swapped for another user's, signature kept */
	char *evil_payload = b64url_encode("{\"sub\":\"admin\",\"role\":\"agent\"}", 30);
	char *forged = xasprintf("%.*s.%s%s", (int)(dot1 - jwt), jwt, evil_payload, dot2);
	assert_null(jwt_verify_hs256(forged, KEY, strlen(KEY)));
	free(forged);

	/* one flipped signature character, truncated and extended signature */
	char *bent = xstrdup(jwt);
	char *c = bent + strlen(bent) - 5;
	*c = *c == 'A' ? 'B' : 'A';
	assert_null(jwt_verify_hs256(bent, KEY, strlen(KEY)));
	bent[strlen(bent) - 1] = '\0';
	assert_null(jwt_verify_hs256(bent, KEY, strlen(KEY)));
	free(bent);
	char *longer = xasprintf("%sA", jwt);
	assert_null(jwt_verify_hs256(longer, KEY, strlen(KEY)));
	free(longer);

	/* alg none with an empty signature, and an HS512 header with a valid HS256 MAC */
	char *none_hdr = b64url_encode("{\"alg\":\"none\",\"typ\":\"JWT\"}", 27);
	char *none = xasprintf("%s%.*s.", none_hdr, (int)(dot2 - dot1), dot1);
	assert_null(jwt_verify_hs256(none, KEY, strlen(KEY)));
	assert_null(jwt_verify_hs256(PLATFORM_TOKEN, KEY, strlen(KEY)));
	free(none);
	free(none_hdr);

	static const char *malformed[] = { "", "abc", "a.b", "a.b.c.d", HEADER "..",
					   HEADER ".!!!.sig" };
	for (size_t i = 0; i < MC_ARRAY_LEN(malformed); i++) {
		assert_null(jwt_verify_hs256(malformed[i], KEY, strlen(KEY)));
		assert_null(jwt_payload_unverified(malformed[i]));
	}
	assert_null(jwt_verify_hs256(NULL, KEY, strlen(KEY)));
	free(evil_payload);
	free(jwt);
}

static void jwt__payload_unverified__reads_platform_token(void **state)
{
	char *payload = jwt_payload_unverified(PLATFORM_TOKEN);
	assert_non_null(payload);
	cJSON *obj = cJSON_Parse(payload);
	assert_non_null(obj);
	assert_string_equal(cJSON_GetObjectItem(obj, "sub")->valuestring,
			    "ff6a8fc3-69d1-49ef-8bae-bb0061616299");
	assert_string_equal(cJSON_GetObjectItem(obj, "username")->valuestring,
			    "smoke_a_034922_16776");
	assert_string_equal(cJSON_GetObjectItem(obj, "role")->valuestring, "agent");
	assert_string_equal(cJSON_GetObjectItem(obj, "jti")->valuestring,
			    "83ec96ac-7fa6-409c-bca4-15b87ec5e3f4");
	assert_int_equal((int64_t)cJSON_GetObjectItem(obj, "iat")->valuedouble, 1796010562);
	assert_int_equal((int64_t)cJSON_GetObjectItem(obj, "exp")->valuedouble, 1796024962);
	cJSON_Delete(obj);
	free(payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jwt__sign__known_vector),
		cmocka_unit_test(jwt__verify__round_trip_and_wrong_key),
		cmocka_unit_test(jwt__verify__rejects_tampering),
		cmocka_unit_test(jwt__payload_unverified__reads_platform_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
