/* RSA-2048 keys and RSASSA-PKCS1-v1_5 SHA-256 signatures (what the platform's /agents/verify
 * checks). Byte-identical to `openssl dgst -sha256 -sign` and Node's createSign('SHA256'). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "moltty/base.h"
#include "moltty/crypto.h"

static char *bio_to_string(BIO *bio)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return NULL;
	return xstrndup(data, (size_t)n);
}

static EVP_PKEY *read_private(const char *pem)
{
	if (!pem)
		return NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return NULL;
	/* Reads PKCS#8 ("BEGIN PRIVATE KEY") and PKCS#1 ("BEGIN RSA PRIVATE KEY"). A NULL
	 * password callback with an empty string keeps OpenSSL from prompting on a terminal. */
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (pkey && !EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	if (!pkey)
		ERR_clear_error();
	return pkey;
}

static EVP_PKEY *read_public(const char *pem)
{
	if (!pem)
		return NULL;
	EVP_PKEY *pkey = NULL;
	/* The decoder takes both SPKI ("BEGIN PUBLIC KEY") and PKCS#1 ("BEGIN RSA PUBLIC KEY")
	 * without the deprecated RSA_* API. */
	OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(
		&pkey, "PEM", NULL, "RSA", OSSL_KEYMGMT_SELECT_PUBLIC_KEY, NULL, NULL);
	if (!dctx)
		goto out;
	const unsigned char *data = (const unsigned char *)pem;
	size_t len = strlen(pem);
	if (!OSSL_DECODER_from_data(dctx, &data, &len)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
out:
	if (!pkey)
		ERR_clear_error();
	return pkey;
}

static char *public_pem(EVP_PKEY *pkey)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = NULL;
	if (bio && PEM_write_bio_PUBKEY(bio, pkey))
		pem = bio_to_string(bio);
	BIO_free(bio);
	return pem;
}

int rsa_generate(char **private_pem, char **public_pem_out)
{
	*private_pem = NULL;
	*public_pem_out = NULL;
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!pkey) {
		ERR_clear_error();
		return -1;
	}
	BIO *bio = BIO_new(BIO_s_mem());
	char *priv = NULL;
	if (bio && PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL))
		priv = bio_to_string(bio);
	BIO_free(bio);
	char *pub = priv ? public_pem(pkey) : NULL;
	EVP_PKEY_free(pkey);
	if (!priv || !pub) {
		if (priv)
			OPENSSL_cleanse(priv, strlen(priv));
		free(priv);
		free(pub);
		ERR_clear_error();
		return -1;
	}
	*private_pem = priv;
	*public_pem_out = pub;
	return 0;
}

char *rsa_public_from_private(const char *private_pem)
{
	EVP_PKEY *pkey = read_private(private_pem);
	if (!pkey)
		return NULL;
	char *pub = public_pem(pkey);
	EVP_PKEY_free(pkey);
	if (!pub)
		ERR_clear_error();
	return pub;
}

char *rsa_sign_b64(const char *private_pem, const void *msg, size_t len)
{
	EVP_PKEY *pkey = read_private(private_pem);
	if (!pkey)
		return NULL;
	char *out = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	/* PKCS#1 v1.5 padding is the default for RSA signing contexts. */
	if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, msg, len) != 1)
		goto done;
	sig = xmalloc(siglen);
	if (EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1)
		goto done;
	out = b64_encode(sig, siglen);
done:
	if (!out)
		ERR_clear_error();
	free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return out;
}

int rsa_verify_b64(const char *public_pem, const void *msg, size_t len, const char *sig_b64)
{
	size_t siglen = 0;
	uint8_t *sig = b64_decode(sig_b64, &siglen);
	if (!sig)
		return 0;
	EVP_PKEY *pkey = read_public(public_pem);
	int ok = 0;
	EVP_MD_CTX *ctx = pkey ? EVP_MD_CTX_new() : NULL;
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	if (!ok)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	free(sig);
	return ok;
}
