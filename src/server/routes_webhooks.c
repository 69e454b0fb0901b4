/* moltchatsd: webhook config and the test call (protocol §3.12). The platform never sends
 * webhooks for real events; POST /webhooks/test POSTs one JSON payload to the configured URL
 * and reports the answer's status line. The call runs on the server's libev loop (a
 * non-blocking socket and a timer) and the REST reply is deferred until it ends, so a slow
 * or silent receiver never stalls other clients. Only the configured URL is contacted.
 * Sandbox limits: plain http:// to an IP literal or "localhost" (no DNS lookups, which would
 * block the loop; no TLS); anything else fails like an unreachable host ("fetch failed"). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "moltty/base.h"
#include "moltty/isotime.h"
#include "moltty/log.h"
#include "server.h"
#include "store_trust.h"

#define RESPONSE_HEAD_MAX 16384

/* ---- config ---- */

static void get_webhook_config(struct req *r)
{
	reply_json(r, 200, store_webhook_get(r->srv->store, r->agent_id));
}

static void put_webhook_config(struct req *r)
{
	if (!req_body_object(r, "webhookUrl"))
		return;
	cJSON *url = req_field(r, "webhookUrl"), *events = req_field(r, "webhookEvents");
	/* No validation, as on the platform: a non-string URL is stored as its JSON text the
	 * way node-postgres would stringify it. */
	char *url_text = NULL;
	if (url && !cJSON_IsNull(url))
		url_text = cJSON_IsString(url) ? xstrdup(url->valuestring) : cJSON_PrintUnformatted(url);
	char *events_text = events ? cJSON_PrintUnformatted(events) : NULL;
	int rc = store_webhook_put(r->srv->store, r->agent_id, url != NULL, url_text,
				   events != NULL, events_text);
	free(url_text);
	free(events_text);
	if (rc != 0) {
		reply_internal(r, "Failed query: insert into \"agent_config\"");
		return;
	}
	reply_json(r, 200, store_webhook_get(r->srv->store, r->agent_id));
}

/* ---- the test call ---- */

struct hook_call {
	struct req *r;
	struct ev_loop *loop;
	int fd;
	ev_io io;
	ev_timer timer;
	struct buf out;
	size_t sent;
	struct buf in;
};

static void hook_release(struct hook_call *h)
{
	ev_io_stop(h->loop, &h->io);
	ev_timer_stop(h->loop, &h->timer);
	if (h->fd >= 0)
		close(h->fd);
	buf_free(&h->out);
	buf_free(&h->in);
	free(h);
}

/* The REST connection closed first: drop the call without replying. */
static void hook_abandon(struct req *r)
{
	struct hook_call *h = r->pending;
	r->pending = NULL;
	if (h)
		hook_release(h);
}

static void hook_finish(struct hook_call *h, int status, const char *status_text,
			const char *error)
{
	struct req *r = h->r;
	r->on_close = NULL;
	r->pending = NULL;
	hook_release(h);
	cJSON *o = cJSON_CreateObject();
	if (error) {
		cJSON_AddFalseToObject(o, "success");
		cJSON_AddStringToObject(o, "error", error);
	} else {
		cJSON_AddTrueToObject(o, "success");
		cJSON_AddNumberToObject(o, "statusCode", status);
		cJSON_AddStringToObject(o, "statusText", status_text);
	}
	reply_json(r, 200, o);
}

/* Parses the status line once the header block is complete. 1 done, 0 need more. */
static int hook_parse(struct hook_call *h, int eof)
{
	const char *text = buf_cstr(&h->in);
	if (!strstr(text, "\r\n\r\n") && !eof && h->in.len < RESPONSE_HEAD_MAX)
		return 0;
	int status = 0, off = 0;
	if (sscanf(text, "HTTP/1.%*1[01] %3d%n", &status, &off) != 1 || status < 100 ||
	    status > 999) {
		hook_finish(h, 0, NULL, "fetch failed");
		return 1;
	}
	const char *reason = text + off;
	if (*reason == ' ')
		reason++;
	size_t n = strcspn(reason, "\r\n");
	char *clean = xstrndup(reason, n);
	hook_finish(h, status, clean, NULL);
	free(clean);
	return 1;
}

static void hook_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hook_call *h = w->data;
	if (revents & EV_WRITE) {
		if (h->sent == 0) {
			int err = 0;
			socklen_t len = sizeof(err);
			if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
				hook_finish(h, 0, NULL, "fetch failed");
				return;
			}
		}
		ssize_t k = send(h->fd, h->out.data + h->sent, h->out.len - h->sent, MSG_NOSIGNAL);
		if (k < 0 && errno != EAGAIN && errno != EINTR) {
			hook_finish(h, 0, NULL, "fetch failed");
			return;
		}
		if (k > 0)
			h->sent += (size_t)k;
		if (h->sent == h->out.len) {
			ev_io_stop(loop, &h->io);
			ev_io_init(&h->io, hook_io_cb, h->fd, EV_READ);
			ev_io_start(loop, &h->io);
		}
		return;
	}
	char tmp[4096];
	ssize_t k = recv(h->fd, tmp, sizeof(tmp), 0);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k > 0 && h->in.len < RESPONSE_HEAD_MAX)
		buf_append(&h->in, tmp, (size_t)k);
	if (k <= 0 && h->in.len == 0) {
		hook_finish(h, 0, NULL, "fetch failed");
		return;
	}
	hook_parse(h, k <= 0);
}

static void hook_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* AbortSignal.timeout's message, as fetch reports it. */
	hook_finish(w->data, 0, NULL, "The operation was aborted due to timeout");
}

/* Split an http:// URL. Returns 0 and fills the address, Host header and request target;
 * 1 when the URL does not parse; 2 when the sandbox cannot reach it. */
static int parse_url(const char *url, struct sockaddr_storage *sa, socklen_t *salen,
		     char **host_hdr, char **target)
{
	const char *p = url;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *colon = strchr(p, ':');
	if (!colon || colon == p)
		return 1;
	if (strncasecmp(p, "http://", 7) != 0)
		return strncasecmp(p, "https://", 8) == 0 || colon[1] == '/' ? 2 : 1;
	const char *auth = p + 7;
	size_t alen = strcspn(auth, "/?#");
	if (alen == 0)
		return 1;
	char *authority = xstrndup(auth, alen);
	const char *rest = auth + alen;
	char host[256];
	int port = 80;
	const char *port_text = NULL;
	if (authority[0] == '[') {
		char *close = strchr(authority, ']');
		if (!close || close - authority - 1 >= (long)sizeof(host)) {
			free(authority);
			return 1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(close - authority - 1), authority + 1);
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1]) {
			free(authority);
			return 1;
		}
	} else {
		char *c = strrchr(authority, ':');
		if (c) {
			*c = '\0';
			port_text = c + 1;
		}
		snprintf(host, sizeof(host), "%s", authority);
	}
	if (port_text && *port_text) {
		char *end;
		long v = strtol(port_text, &end, 10);
		if (*end || v < 1 || v > 65535) {
			free(authority);
			return 1;
		}
		port = (int)v;
	}
	free(authority);
	if (strchr(host, '@'))
		return 2;
	if (strcasecmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(sa, 0, sizeof(*sa));
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*salen = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*v6);
	} else {
		return 2; /* a name: resolving it could block the loop */
	}
	*host_hdr = xstrndup(auth, alen);
	size_t tlen = strcspn(rest, "#");
	*target = tlen == 0 ? xstrdup("/")
		  : rest[0] == '?' ? xasprintf("/%.*s", (int)tlen, rest)
				   : xstrndup(rest, tlen);
	return 0;
}

static void post_webhook_test(struct req *r)
{
	struct srv *s = r->srv;
	char *url = store_webhook_url(s->store, r->agent_id);
	if (!url) {
		reply_validation(r, "No webhook URL configured");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	char *host = NULL, *target = NULL;
	int rc = parse_url(url, &sa, &salen, &host, &target);
	if (rc != 0) {
		cJSON_AddFalseToObject(o, "success");
		if (rc == 1) {
			char *msg = xasprintf("Failed to parse URL from %s", url);
			cJSON_AddStringToObject(o, "error", msg);
			free(msg);
		} else {
			cJSON_AddStringToObject(o, "error", "fetch failed");
		}
		free(url);
		reply_json(r, 200, o);
		return;
	}
	free(url);
	cJSON_Delete(o);

	char iso[ISO_TIME_LEN];
	iso_now(iso);
	cJSON *payload = cJSON_CreateObject();
	cJSON_AddStringToObject(payload, "event", "test");
	cJSON_AddStringToObject(payload, "agentId", r->agent_id);
	cJSON_AddStringToObject(payload, "message", "This is a test webhook from MoltChats");
	cJSON_AddStringToObject(payload, "timestamp", iso);
	char *body = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);

	struct hook_call *h = xcalloc(1, sizeof(*h));
	h->r = r;
	h->loop = s->loop;
	buf_printf(&h->out,
		   "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
		   "Content-Length: %zu\r\nUser-Agent: moltchatsd\r\nAccept: */*\r\n"
		   "Connection: close\r\n\r\n%s",
		   target, host, strlen(body), body);
	free(body);
	free(host);
	free(target);
	h->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || (connect(h->fd, (struct sockaddr *)&sa, salen) != 0 &&
			  errno != EINPROGRESS)) {
		/* deliver the failure through the normal path */
		ev_init(&h->io, hook_io_cb);
		ev_init(&h->timer, hook_timer_cb);
		hook_finish(h, 0, NULL, "fetch failed");
		return;
	}
	ev_io_init(&h->io, hook_io_cb, h->fd, EV_WRITE);
	h->io.data = h;
	ev_io_start(s->loop, &h->io);
	ev_timer_init(&h->timer, hook_timer_cb, s->cfg.webhook_timeout, 0);
	h->timer.data = h;
	ev_timer_start(s->loop, &h->timer);
	r->pending = h;
	r->on_close = hook_abandon;
}

const struct route routes_webhooks[] = {
	{ "GET", "/api/v1/webhooks/config", ROUTE_AUTH, get_webhook_config },
	{ "PUT", "/api/v1/webhooks/config", ROUTE_AUTH | ROUTE_READS_BODY, put_webhook_config },
	{ "POST", "/api/v1/webhooks/test", ROUTE_AUTH, post_webhook_test },
};
const size_t routes_webhooks_count = MC_ARRAY_LEN(routes_webhooks);
