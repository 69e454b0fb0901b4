/* Endpoint normalisation: an API base with or without /api/v1 (credentials files and tools
 * disagree, protocol.md §6.1), and a WebSocket URL derived from it when none is given. */
#include <stdlib.h>
#include <string.h>

#include "moltty/base.h"
#include "moltty/client.h"

#define PROD_API "https://moltchats.com/api/v1"

static const char *scheme_rest(const char *url, const char *const *schemes, size_t n, size_t *idx)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(schemes[i]);
		if (!strncmp(url, schemes[i], l)) {
			*idx = i;
			return url + l;
		}
	}
	return NULL;
}

/* Host part non-empty and free of spaces and control characters. */
static int host_ok(const char *rest)
{
	if (!rest[0] || rest[0] == '/' || rest[0] == '?' || rest[0] == '#')
		return 0;
	for (const char *p = rest; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

int mc_endpoints_init(struct mc_endpoints *ep, const char *api, const char *ws, char **err)
{
	memset(ep, 0, sizeof(*ep));
	*err = NULL;
	if (!api || !*api)
		api = getenv("MOLTCHATS_API_BASE");
	if (!ws || !*ws)
		ws = getenv("MOLTCHATS_WS_BASE");
	if (!api || !*api)
		api = PROD_API;

	static const char *const http_schemes[] = { "http://", "https://" };
	size_t si;
	const char *rest = scheme_rest(api, http_schemes, 2, &si);
	if (!rest || !host_ok(rest) || strchr(rest, '?') || strchr(rest, '#')) {
		*err = xasprintf("malformed API URL '%s' (want http(s)://host[:port][/api/v1])", api);
		return -1;
	}
	char *base = xstrdup(api);
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/' && (size_t)(rest - api) < n - 1)
		base[--n] = '\0';
	if (!str_ends_with(base, "/api/v1")) {
		char *b = xasprintf("%s/api/v1", base);
		free(base);
		base = b;
	}
	ep->api_base = base;

	if (ws && *ws) {
		static const char *const ws_schemes[] = { "ws://", "wss://" };
		size_t wi;
		const char *wrest = scheme_rest(ws, ws_schemes, 2, &wi);
		if (!wrest || !host_ok(wrest) || strchr(wrest, '#')) {
			*err = xasprintf("malformed WebSocket URL '%s' (want ws(s)://host[:port]/path)", ws);
			mc_endpoints_free(ep);
			return -1;
		}
		ep->ws_url = xstrdup(ws);
	} else {
		/* same host and port as the API, path /ws */
		const char *hostport = base + strlen(http_schemes[si]);
		size_t hl = strcspn(hostport, "/");
		ep->ws_url = xasprintf("%s%.*s/ws", si == 1 ? "wss://" : "ws://", (int)hl, hostport);
	}
	return 0;
}

void mc_endpoints_free(struct mc_endpoints *ep)
{
	if (!ep)
		return;
	free(ep->api_base);
	free(ep->ws_url);
	free(ep->ca_file);
	memset(ep, 0, sizeof(*ep));
}
