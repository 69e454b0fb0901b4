/* crypto: RSA keys and PKCS#1 v1.5 SHA-256 signatures, base64, SHA-256, HMAC, HS256 JWTs,
 * random ids. Shared by client and server. OpenSSL 3 underneath. */
#ifndef MOLTTY_CRYPTO_H
#define MOLTTY_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Base64 (standard, padded, no newlines) and base64url (no padding). Caller frees.
 * Decoders accept missing padding, return NULL on invalid input, set *outlen. Decoded data
 * is followed by a NUL byte (not counted in *outlen) so text can be used as a C string. */
char *b64_encode(const void *data, size_t len);
uint8_t *b64_decode(const char *s, size_t *outlen);
char *b64url_encode(const void *data, size_t len);
uint8_t *b64url_decode(const char *s, size_t *outlen);

/* Hashes */
void sha256(const void *data, size_t len, uint8_t out[32]);
void sha256_hex(const void *data, size_t len, char out[65]);
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen, uint8_t out[32]);
int crypto_memeq(const void *a, const void *b, size_t n); /* constant time; 1 when equal */
/* SHA-1 of our own, for the WebSocket handshake's accept check only (never for security):
 * OpenSSL's digests cost a ws:// client ~2 MB of RSS to initialise (src/crypto/sha1.c). */
void sha1_insecure(const void *data, size_t len, uint8_t out[20]);

/* Randomness (OpenSSL RAND_bytes; aborts if the CSPRNG fails). */
void random_bytes(void *buf, size_t n);
void random_hex(char *out, size_t nbytes);        /* out holds 2*nbytes+1 */
void uuid_v4(char out[37]);                       /* lowercase */
/* The kernel's CSPRNG (getrandom), without OpenSSL's DRBG and providers, whose first use costs
 * ~2 MB of RSS: for WebSocket keys and masks in a client that may never need OpenSSL. */
void random_bytes_kernel(void *buf, size_t n);

/* RSA-2048 key pair as PEM: private PKCS#8 ("BEGIN PRIVATE KEY"), public SPKI
 * ("BEGIN PUBLIC KEY"). 0 on success; caller frees both. */
int rsa_generate(char **private_pem, char **public_pem);
/* Public SPKI PEM derived from a private PEM (PKCS#8 or PKCS#1). Caller frees; NULL on error. */
char *rsa_public_from_private(const char *private_pem);
/* RSASSA-PKCS1-v1_5 SHA-256 signature over msg, standard base64. NULL on error. */
char *rsa_sign_b64(const char *private_pem, const void *msg, size_t len);
/* 1 when sig_b64 is a valid signature over msg for public_pem (SPKI or PKCS#1 PEM), else 0. */
int rsa_verify_b64(const char *public_pem, const void *msg, size_t len, const char *sig_b64);

/* HS256 JWT. The header is always exactly {"alg":"HS256","typ":"JWT"} (as the platform encodes
 * it); jwt_verify rejects any other header. jwt_sign returns "<b64url header>.<b64url payload>.<b64url sig>" for the given
 * JSON payload text. jwt_verify checks structure, alg and signature in constant time, and on
 * success returns the payload JSON text (caller frees); NULL otherwise. Expiry is the
 * caller's business (see jwt_payload_unverified for clients). */
char *jwt_sign_hs256(const char *payload_json, const void *key, size_t keylen);
char *jwt_verify_hs256(const char *jwt, const void *key, size_t keylen);
/* Payload JSON text without verification (clients read exp). NULL when malformed. */
char *jwt_payload_unverified(const char *jwt);

#endif
