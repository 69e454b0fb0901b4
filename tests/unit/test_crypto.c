/* crypto: base64, hashes, randomness, and RSA signatures checked against the real platform's
 * accepted signature and against the openssl command-line tool. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "moltty/base.h"
#include "moltty/crypto.h"
#include "moltty/fsutil.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void crypto__b64__rfc4648_vectors(void **state)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *std[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	for (size_t i = 0; i < MC_ARRAY_LEN(plain); i++) {
		char *e = b64_encode(plain[i], strlen(plain[i]));
		assert_string_equal(e, std[i]);
		free(e);
		e = b64url_encode(plain[i], strlen(plain[i]));
		assert_string_equal(e, url[i]);
		free(e);
		size_t n = 99;
		uint8_t *d = b64_decode(std[i], &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(d, plain[i], n);
		assert_int_equal(d[n], 0);
		free(d);
		d = b64_decode(url[i], &n); /* padding is optional */
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		free(d);
		d = b64url_decode(url[i], &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(d, plain[i], n);
		free(d);
	}
}

static void crypto__b64__round_trip_and_invalid(void **state)
{
	uint8_t bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (uint8_t)(255 - i);
	for (size_t len = 0; len <= sizeof(bytes); len += 1) {
		size_t n;
		char *e = b64_encode(bytes, len);
		uint8_t *d = b64_decode(e, &n);
		assert_int_equal(n, len);
		assert_memory_equal(d, bytes, len);
		free(d);
		free(e);
		e = b64url_encode(bytes, len);
		assert_null(strpbrk(e, "+/="));
		d = b64url_decode(e, &n);
		assert_int_equal(n, len);
		assert_memory_equal(d, bytes, len);
		free(d);
		free(e);
	}
	static const char *bad[] = { "Z", "Zg=", "Zg===", "Z===", "Zm9v!", "Zm 9v", "Zm9v\n",
				     "=Zm9", "Zg==Zg==" };
	for (size_t i = 0; i < MC_ARRAY_LEN(bad); i++) {
		size_t n;
		assert_null(b64_decode(bad[i], &n));
	}
	size_t n;
	assert_null(b64url_decode("ab+/", &n)); /* standard alphabet is not base64url */
	assert_null(b64_decode("ab-_", &n));
	assert_null(b64_decode(NULL, &n));
}

static void crypto__hash__sha256_and_hmac_vectors(void **state)
{
	char hex[65];
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	uint8_t mac[32], key1[20];
	memset(key1, 0x0b, sizeof(key1));
	hmac_sha256(key1, sizeof(key1), "Hi There", 8, mac); /* RFC 4231 test case 1 */
	to_hex(mac, 32, hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac); /* test case 2 */
	to_hex(mac, 32, hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	assert_true(crypto_memeq("abcd", "abcd", 4));
	assert_false(crypto_memeq("abcd", "abce", 4));
}

static void sha1_hex(const void *d, size_t n, char out[41])
{
	uint8_t md[20];
	sha1_insecure(d, n, md);
	to_hex(md, sizeof(md), out);
}

/* FIPS 180-2 appendix A vectors, then OpenSSL's SHA-1 over every length 0..300 (each padding
 * case: one block, two blocks, a block boundary) and a million bytes */
static void crypto__sha1__vectors_and_openssl(void **state)
{
	char hex[41];
	sha1_hex("", 0, hex);
	assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_hex("abc", 3, hex);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha1_hex(two, strlen(two), hex);
	assert_string_equal(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	size_t big = 1000000;
	uint8_t *buf = malloc(big);
	assert_non_null(buf);
	memset(buf, 'a', big);
	sha1_hex(buf, big, hex);
	assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	random_bytes(buf, 301);
	for (size_t n = 0; n <= 300; n++) {
		uint8_t ours[20], theirs[EVP_MAX_MD_SIZE];
		unsigned len = 0;
		sha1_insecure(buf, n, ours);
		assert_int_equal(EVP_Digest(buf, n, theirs, &len, EVP_sha1(), NULL), 1);
		assert_int_equal(len, 20);
		assert_memory_equal(ours, theirs, 20);
	}
	free(buf);
}

static void crypto__random__kernel_bytes_vary(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };
	random_bytes_kernel(a, sizeof(a));
	random_bytes_kernel(b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	random_bytes_kernel(a, 0); /* nothing asked, nothing done */
}

static void crypto__random__hex_and_uuid(void **state)
{
	char a[65], b[65], u[37];
	random_hex(a, 32);
	random_hex(b, 32);
	assert_true(str_is_hex(a, 64));
	assert_string_not_equal(a, b);
	uuid_v4(u);
	assert_true(str_is_uuid(u));
	assert_int_equal(u[14], '4');
	assert_non_null(strchr("89ab", u[19]));
	for (char *p = u; *p; p++)
		assert_false(*p >= 'A' && *p <= 'F');
}

static char *fixture_path(const char *name)
{
	const char *dir = getenv("FIXTURES");
	return fs_join(dir && *dir ? dir : FIXTURES_DIR, name);
}

static const char *json_str(cJSON *obj, const char *key)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	assert_true(cJSON_IsString(item));
	return item->valuestring;
}

/* The key pair, challenge and signature the real MoltChats platform accepted. */
static void crypto__rsa__matches_real_platform_vector(void **state)
{
	char *path = fixture_path("signature-vector.json");
	char *text = fs_read_file(path, NULL);
	assert_non_null(text);
	cJSON *vec = cJSON_Parse(text);
	assert_non_null(vec);
	const char *priv = json_str(vec, "privateKey");
	const char *pub = json_str(vec, "publicKey");
	const char *challenge = json_str(vec, "challenge");
	const char *accepted = json_str(vec, "signature");

	char *sig = rsa_sign_b64(priv, challenge, strlen(challenge));
	assert_non_null(sig);
	assert_int_equal(strlen(sig), 344);
	assert_string_equal(sig, accepted);
	assert_int_equal(rsa_verify_b64(pub, challenge, strlen(challenge), sig), 1);

	char *derived = rsa_public_from_private(priv);
	assert_string_equal(derived, pub);
	free(derived);

	char *with_newline = xasprintf("%s\n", challenge);
	assert_int_equal(rsa_verify_b64(pub, with_newline, strlen(with_newline), accepted), 0);
	char *nl_sig = rsa_sign_b64(priv, with_newline, strlen(with_newline));
	assert_string_not_equal(nl_sig, accepted);
	assert_int_equal(rsa_verify_b64(pub, challenge, strlen(challenge), nl_sig), 0);
	free(nl_sig);
	free(with_newline);

	/* corrupted signature, garbage base64, wrong key material */
	char *bent = xstrdup(accepted);
	bent[10] = bent[10] == 'A' ? 'B' : 'A';
	assert_int_equal(rsa_verify_b64(pub, challenge, strlen(challenge), bent), 0);
	free(bent);
	assert_int_equal(rsa_verify_b64(pub, challenge, strlen(challenge), "!!"), 0);
	assert_int_equal(rsa_verify_b64(pub, challenge, strlen(challenge), ""), 0);
	assert_int_equal(rsa_verify_b64("not a key", challenge, strlen(challenge), accepted), 0);
	assert_int_equal(rsa_verify_b64(priv, challenge, strlen(challenge), accepted), 0);
	assert_null(rsa_sign_b64("not a key", "x", 1));
	assert_null(rsa_sign_b64(pub, "x", 1));
	assert_null(rsa_public_from_private("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));

	free(sig);
	cJSON_Delete(vec);
	free(text);
	free(path);
}

/* Run a shell command and return its combined output. */
static char *run(const char *cmd)
{
	char *full = xasprintf("%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	free(full);
	assert_non_null(p);
	struct buf out = BUF_INIT;
	char chunk[512];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&out, chunk, n);
	pclose(p);
	return buf_steal(&out);
}

static const char *openssl_bin(void)
{
	const char *bin = getenv("OPENSSL_BIN");
	return bin && *bin ? bin : "openssl";
}

struct keydir {
	char dir[64];
	char *priv, *pub;
};

static char *in_dir(struct keydir *k, const char *name)
{
	return fs_join(k->dir, name);
}

static void write_file(struct keydir *k, const char *name, const void *data, size_t len)
{
	char *path = in_dir(k, name);
	assert_int_equal(fs_write_atomic(path, data, len, 0600), 0);
	free(path);
}

static int keydir_setup(void **state)
{
	struct keydir *k = xcalloc(1, sizeof(*k));
	strcpy(k->dir, "/tmp/moltty-test-rsa-XXXXXX");
	if (!mkdtemp(k->dir) || rsa_generate(&k->priv, &k->pub) != 0)
		return -1;
	*state = k;
	return 0;
}

static int keydir_teardown(void **state)
{
	struct keydir *k = *state;
	char *cmd = xasprintf("rm -rf '%s'", k->dir);
	int rc = system(cmd);
	free(cmd);
	free(k->priv);
	free(k->pub);
	free(k);
	return rc == 0 ? 0 : -1;
}

static void crypto__rsa__generated_key_verifies_with_openssl_cli(void **state)
{
	struct keydir *k = *state;
	assert_true(str_starts_with(k->priv, "-----BEGIN PRIVATE KEY-----\n"));
	assert_true(str_starts_with(k->pub, "-----BEGIN PUBLIC KEY-----\n"));
	char challenge[65];
	random_hex(challenge, 32);
	char *sig = rsa_sign_b64(k->priv, challenge, 64);
	assert_non_null(sig);
	assert_int_equal(rsa_verify_b64(k->pub, challenge, 64, sig), 1);
	size_t siglen;
	uint8_t *raw = b64_decode(sig, &siglen);
	assert_int_equal(siglen, 256);
	write_file(k, "pub.pem", k->pub, strlen(k->pub));
	write_file(k, "sig.bin", raw, siglen);
	write_file(k, "msg.txt", challenge, 64);
	char *cmd = xasprintf("cd '%s' && '%s' dgst -sha256 -verify pub.pem -signature sig.bin msg.txt",
			      k->dir, openssl_bin());
	char *out = run(cmd);
	assert_string_equal(out, "Verified OK\n");
	free(out);
	free(cmd);

	/* and a tampered message fails under the CLI too, so the check above can fail */
	write_file(k, "msg.txt", "tampered", 8);
	cmd = xasprintf("cd '%s' && '%s' dgst -sha256 -verify pub.pem -signature sig.bin msg.txt",
			k->dir, openssl_bin());
	out = run(cmd);
	assert_non_null(strstr(out, "Verification failure"));
	free(out);
	free(cmd);
	free(raw);
	free(sig);
}

static void crypto__rsa__openssl_cli_signature_verifies(void **state)
{
	struct keydir *k = *state;
	char challenge[65];
	random_hex(challenge, 32);
	write_file(k, "priv.pem", k->priv, strlen(k->priv));
	write_file(k, "msg.txt", challenge, 64);
	char *cmd = xasprintf("cd '%s' && '%s' dgst -sha256 -sign priv.pem -out cli.sig msg.txt && "
			      "'%s' rsa -in priv.pem -traditional -out pkcs1.pem && "
			      "'%s' rsa -in priv.pem -RSAPublicKey_out -out pkcs1pub.pem",
			      k->dir, openssl_bin(), openssl_bin(), openssl_bin());
	char *out = run(cmd);
	free(out);
	free(cmd);
	char *path = in_dir(k, "cli.sig");
	size_t len = 0;
	char *raw = fs_read_file(path, &len);
	free(path);
	assert_non_null(raw);
	assert_int_equal(len, 256);
	char *sig = b64_encode(raw, len);
	assert_int_equal(rsa_verify_b64(k->pub, challenge, 64, sig), 1);
	assert_int_equal(rsa_verify_b64(k->pub, "x", 1, sig), 0);
	char *ours = rsa_sign_b64(k->priv, challenge, 64);
	assert_string_equal(ours, sig); /* PKCS#1 v1.5 is deterministic */

	/* PKCS#1 PEM forms ("BEGIN RSA PRIVATE KEY", "BEGIN RSA PUBLIC KEY") work too */
	path = in_dir(k, "pkcs1.pem");
	char *pkcs1 = fs_read_file(path, NULL);
	free(path);
	assert_non_null(pkcs1);
	assert_true(str_starts_with(pkcs1, "-----BEGIN RSA PRIVATE KEY-----"));
	char *pub = rsa_public_from_private(pkcs1);
	assert_string_equal(pub, k->pub);
	char *sig1 = rsa_sign_b64(pkcs1, challenge, 64);
	assert_string_equal(sig1, sig);
	path = in_dir(k, "pkcs1pub.pem");
	char *pkcs1pub = fs_read_file(path, NULL);
	free(path);
	assert_non_null(pkcs1pub);
	assert_true(str_starts_with(pkcs1pub, "-----BEGIN RSA PUBLIC KEY-----"));
	assert_int_equal(rsa_verify_b64(pkcs1pub, challenge, 64, sig), 1);
	assert_int_equal(rsa_verify_b64(pkcs1pub, challenge, 63, sig), 0);

	free(pkcs1pub);
	free(sig1);
	free(pub);
	free(pkcs1);
	free(ours);
	free(sig);
	free(raw);
}

static void crypto__rsa__rejects_non_rsa_keys(void **state)
{
	struct keydir *k = *state;
	char *cmd = xasprintf("cd '%s' && '%s' genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
			      "-out ec.pem && '%s' pkey -in ec.pem -pubout -out ecpub.pem",
			      k->dir, openssl_bin(), openssl_bin());
	char *out = run(cmd);
	free(out);
	free(cmd);
	char *path = in_dir(k, "ec.pem");
	char *ec = fs_read_file(path, NULL);
	free(path);
	assert_non_null(ec);
	assert_null(rsa_sign_b64(ec, "x", 1));
	assert_null(rsa_public_from_private(ec));
	path = in_dir(k, "ecpub.pem");
	char *ecpub = fs_read_file(path, NULL);
	free(path);
	assert_non_null(ecpub);
	char *sig = rsa_sign_b64(k->priv, "x", 1);
	assert_int_equal(rsa_verify_b64(ecpub, "x", 1, sig), 0);
	free(sig);
	free(ecpub);
	free(ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crypto__b64__rfc4648_vectors),
		cmocka_unit_test(crypto__b64__round_trip_and_invalid),
		cmocka_unit_test(crypto__hash__sha256_and_hmac_vectors),
		cmocka_unit_test(crypto__random__hex_and_uuid),
		cmocka_unit_test(crypto__sha1__vectors_and_openssl),
		cmocka_unit_test(crypto__random__kernel_bytes_vary),
		cmocka_unit_test(crypto__rsa__matches_real_platform_vector),
		cmocka_unit_test_setup_teardown(crypto__rsa__generated_key_verifies_with_openssl_cli,
						keydir_setup, keydir_teardown),
		cmocka_unit_test_setup_teardown(crypto__rsa__openssl_cli_signature_verifies,
						keydir_setup, keydir_teardown),
		cmocka_unit_test_setup_teardown(crypto__rsa__rejects_non_rsa_keys, keydir_setup,
						keydir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
