/* The client side of the RFC 6455 opening handshake (see ws_frame.h): the HTTP/1.1 upgrade
 * request and the check of the server's 101 response. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h> /* EVP_EncodeBlock: plain base64, no provider initialisation */

#include "moltty/crypto.h"
#include "http_parse.h"
#include "ws_frame.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void ws_upgrade_key(char key[WS_KEY_LEN + 1])
{
	unsigned char raw[16];
	random_bytes_kernel(raw, sizeof(raw));
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
}

void ws_upgrade_accept(const char *key, char accept[WS_ACCEPT_LEN + 1])
{
	char in[128];
	int n = snprintf(in, sizeof(in), "%s%s", key, ws_guid);
	unsigned char md[20];
	if (n < 0 || (size_t)n >= sizeof(in)) {
		accept[0] = '\0'; /* matches no server's answer */
		return;
	}
	sha1_insecure(in, (size_t)n, md);
	EVP_EncodeBlock((unsigned char *)accept, md, sizeof(md));
}

char *ws_upgrade_request(const char *host, int port, int tls, const char *path, const char *key)
{
	/* an IPv6 literal goes in brackets; the port only when it isn't the scheme's default */
	int v6 = strchr(host, ':') != NULL;
	char portpart[16] = "";
	if (port && port != (tls ? 443 : 80))
		snprintf(portpart, sizeof(portpart), ":%d", port);
	return xasprintf("GET %s HTTP/1.1\r\n"
			 "Host: %s%s%s%s\r\n"
			 "Upgrade: websocket\r\n"
			 "Connection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n"
			 "Origin: http%s://%s%s%s\r\n"
			 "\r\n",
		path && path[0] ? path : "/", v6 ? "[" : "", host, v6 ? "]" : "", portpart, key,
		tls ? "s" : "", v6 ? "[" : "", host, v6 ? "]" : "");
}

static const char *find_crlfcrlf(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return buf + i + 1;
	return NULL;
}

enum ws_upgrade_status ws_upgrade_response(const char *buf, size_t len, const char *key,
	size_t *consumed, int *http_status, char *why, size_t why_len)
{
	*http_status = 0;
	const char *end = find_crlfcrlf(buf, len);
	if (!end) {
		if (len >= WS_UPGRADE_MAX_RESPONSE) {
			snprintf(why, why_len, "HS: upgrade response headers too long");
			return WS_UPGRADE_FAILED;
		}
		return WS_UPGRADE_MORE;
	}
	*consumed = (size_t)(end - buf);
	/* status line: HTTP/1.x SP 3DIGIT */
	if (*consumed < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' ||
		buf[9] < '0' || buf[9] > '9' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' ||
		buf[11] > '9') {
		snprintf(why, why_len, "HS: upgrade response is not HTTP");
		return WS_UPGRADE_FAILED;
	}
	int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	*http_status = status;
	if (status != 101) {
		/* lws's wording (callers and logs know it), plus the status it never gave */
		snprintf(why, why_len, "HS: ws upgrade response not 101 (HTTP %d)", status);
		return WS_UPGRADE_FAILED;
	}
	int upgrade = 0, connection = 0, accept_ok = 0;
	char want[WS_ACCEPT_LEN + 1];
	ws_upgrade_accept(key, want);
	const char *p = memchr(buf, '\n', *consumed) + 1;
	while (p < end - 2) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ln = (size_t)(eol - p);
		if (ln && p[ln - 1] == '\r')
			ln--;
		const char *colon = memchr(p, ':', ln);
		if (colon) {
			size_t nl = (size_t)(colon - p);
			const char *v = colon + 1;
			size_t vl = ln - nl - 1;
			while (vl && (*v == ' ' || *v == '\t')) {
				v++;
				vl--;
			}
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (nl == 7 && !strncasecmp(p, "Upgrade", 7))
				upgrade = http_has_token(v, vl, "websocket");
			else if (nl == 10 && !strncasecmp(p, "Connection", 10))
				connection = http_has_token(v, vl, "upgrade");
			else if (nl == 20 && !strncasecmp(p, "Sec-WebSocket-Accept", 20))
				accept_ok = vl == WS_ACCEPT_LEN && !memcmp(v, want, WS_ACCEPT_LEN);
			else if (nl == 24 && !strncasecmp(p, "Sec-WebSocket-Extensions", 24) && vl) {
				snprintf(why, why_len, "HS: server chose an extension we did not offer");
				return WS_UPGRADE_FAILED;
			}
		}
		p = eol + 1;
	}
	if (!upgrade || !connection) {
		snprintf(why, why_len, "HS: 101 without Upgrade: websocket / Connection: Upgrade");
		return WS_UPGRADE_FAILED;
	}
	if (!accept_ok) {
		snprintf(why, why_len, "HS: Sec-WebSocket-Accept does not match our key");
		return WS_UPGRADE_FAILED;
	}
	return WS_UPGRADE_OK;
}
