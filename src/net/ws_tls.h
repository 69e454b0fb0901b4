/* ws_tls: TLS for the WebSocket and HTTP clients, run by OpenSSL over memory BIOs on top of
 * a raw socket (lws's for the WebSocket, our own for HTTP). lws 4.1.6's raw client role
 * cannot do TLS itself (it starts the handshake before the socket exists: "tls start fail"),
 * and its ws role parses payloads a byte at a time.
 * Certificates are always verified, host name or IP address included. */
#ifndef MOLTTY_NET_WS_TLS_H
#define MOLTTY_NET_WS_TLS_H

#include <stddef.h>

#include "moltty/base.h"

struct ws_tls_ctx;
struct ws_tls;

/* The client SSL_CTX with the CA store: ca_file, or OpenSSL's default paths (SSL_CERT_FILE,
 * SSL_CERT_DIR honoured). NULL with *why set when the CA file cannot be loaded. Shared
 * (reference counted) between callers asking for the same ca_file: the WebSocket and the
 * HTTP client load the store once. */
struct ws_tls_ctx *ws_tls_ctx_new(const char *ca_file, char *why, size_t why_len);
void ws_tls_ctx_free(struct ws_tls_ctx *c);

/* A client connection to host (name or IP literal: both checked against the certificate). */
struct ws_tls *ws_tls_new(struct ws_tls_ctx *c, const char *host);
void ws_tls_free(struct ws_tls *t);

enum ws_tls_status {
	WS_TLS_OK = 0,      /* nothing more for now */
	WS_TLS_CLOSED,      /* the peer ended TLS (close_notify) */
	WS_TLS_FAILED,      /* why[] says what went wrong */
};

/* Ciphertext from the socket. Drives the handshake; decrypted bytes are appended to plain. */
enum ws_tls_status ws_tls_input(struct ws_tls *t, const void *data, size_t n, struct buf *plain,
	char *why, size_t why_len);
/* Starts the handshake (the ClientHello goes to ws_tls_output). */
enum ws_tls_status ws_tls_start(struct ws_tls *t, char *why, size_t why_len);
int ws_tls_ready(const struct ws_tls *t); /* handshake complete */
/* Encrypt plaintext for the socket (only once ready). */
void ws_tls_write(struct ws_tls *t, const void *data, size_t n);
/* Move the ciphertext waiting for the socket to the end of out. */
void ws_tls_output(struct ws_tls *t, struct buf *out);

#endif
