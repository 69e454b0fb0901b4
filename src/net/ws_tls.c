/* TLS client over memory BIOs (see ws_tls.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ws_tls.h"

struct ws_tls_ctx {
	SSL_CTX *ssl_ctx;
	char *ca_file;
	int refs;
	struct ws_tls_ctx *next;
};

/* Contexts are shared by CA file: loading the system store costs ~240 M instructions and
 * megabytes, and REST (http.c) and the WebSocket (ws.c) talk to the same hosts. The client is
 * single-threaded (one libev loop). */
static struct ws_tls_ctx *shared;

static int same_ca(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

struct ws_tls {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
	int ready;
};

struct ws_tls_ctx *ws_tls_ctx_new(const char *ca_file, char *why, size_t why_len)
{
	for (struct ws_tls_ctx *c = shared; c; c = c->next) {
		if (same_ca(c->ca_file, ca_file)) {
			c->refs++;
			return c;
		}
	}
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		snprintf(why, why_len, "TLS: cannot create a client context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		snprintf(why, why_len, "TLS: cannot load the CA certificates%s%s",
			ca_file ? " from " : "", ca_file ? ca_file : "");
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return NULL;
	}
	struct ws_tls_ctx *c = xcalloc(1, sizeof(*c));
	c->ssl_ctx = ctx;
	c->ca_file = xstrdup(ca_file);
	c->refs = 1;
	c->next = shared;
	shared = c;
	return c;
}

void ws_tls_ctx_free(struct ws_tls_ctx *c)
{
	if (!c || --c->refs > 0)
		return;
	for (struct ws_tls_ctx **p = &shared; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	SSL_CTX_free(c->ssl_ctx);
	free(c->ca_file);
	free(c);
}

static int is_ip_literal(const char *host)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

struct ws_tls *ws_tls_new(struct ws_tls_ctx *c, const char *host)
{
	struct ws_tls *t = xcalloc(1, sizeof(*t));
	t->ssl = SSL_new(c->ssl_ctx);
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->rbio || !t->wbio)
		abort(); /* out of memory */
	/* an empty read BIO means "wait for more", not end of file */
	BIO_set_mem_eof_return(t->rbio, -1);
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	SSL_set_connect_state(t->ssl);
	if (is_ip_literal(host)) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
	} else {
		SSL_set_tlsext_host_name(t->ssl, host);
		SSL_set1_host(t->ssl, host);
	}
	return t;
}

void ws_tls_free(struct ws_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl); /* frees both BIOs */
	free(t);
}

int ws_tls_ready(const struct ws_tls *t)
{
	return t->ready;
}

/* Why OpenSSL gave up: the certificate verdict when there is one (the words people know:
 * "unable to get local issuer certificate", "hostname mismatch", "self-signed certificate"). */
static enum ws_tls_status tls_failed(struct ws_tls *t, char *why, size_t why_len)
{
	long v = SSL_get_verify_result(t->ssl);
	unsigned long e = ERR_peek_last_error();
	if (v != X509_V_OK)
		snprintf(why, why_len, "TLS certificate refused: %s", X509_verify_cert_error_string(v));
	else if (e)
		snprintf(why, why_len, "TLS handshake failed: %s", ERR_reason_error_string(e) ?
			ERR_reason_error_string(e) : "unknown error");
	else
		snprintf(why, why_len, "TLS handshake failed");
	ERR_clear_error();
	return WS_TLS_FAILED;
}

static enum ws_tls_status handshake(struct ws_tls *t, char *why, size_t why_len)
{
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		t->ready = 1;
		return WS_TLS_OK;
	}
	int e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return WS_TLS_OK;
	return tls_failed(t, why, why_len);
}

enum ws_tls_status ws_tls_start(struct ws_tls *t, char *why, size_t why_len)
{
	return handshake(t, why, why_len);
}

enum ws_tls_status ws_tls_input(struct ws_tls *t, const void *data, size_t n, struct buf *plain,
	char *why, size_t why_len)
{
	if (n && BIO_write(t->rbio, data, (int)n) != (int)n)
		abort(); /* a memory BIO only fails without memory */
	if (!t->ready) {
		enum ws_tls_status s = handshake(t, why, why_len);
		if (s != WS_TLS_OK || !t->ready)
			return s;
	}
	for (;;) {
		/* decrypt straight into the caller's buffer, a record (<= 16 KiB) at a time */
		buf_reserve(plain, 16384);
		ERR_clear_error();
		int r = SSL_read(t->ssl, plain->data + plain->len, (int)(plain->cap - plain->len - 1));
		if (r > 0) {
			plain->len += (size_t)r;
			plain->data[plain->len] = '\0';
			continue;
		}
		int e = SSL_get_error(t->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return WS_TLS_OK;
		if (e == SSL_ERROR_ZERO_RETURN)
			return WS_TLS_CLOSED;
		return tls_failed(t, why, why_len);
	}
}

void ws_tls_write(struct ws_tls *t, const void *data, size_t n)
{
	/* into a memory BIO SSL_write only fails without memory; it never writes partly */
	ERR_clear_error();
	if (n && SSL_write(t->ssl, data, (int)n) != (int)n)
		abort();
}

void ws_tls_output(struct ws_tls *t, struct buf *out)
{
	size_t pending = BIO_ctrl_pending(t->wbio);
	if (!pending)
		return;
	buf_reserve(out, pending);
	int r = BIO_read(t->wbio, out->data + out->len, (int)pending);
	if (r > 0) {
		out->len += (size_t)r;
		out->data[out->len] = '\0';
	}
}
