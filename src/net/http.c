/* HTTP client: curl multi driven by libev (socket + timer callbacks, as measured in
 * pitfalls.md). One net_http per process; requests are independent and cancellable.
 * libcurl itself is loaded when the first net_http is made (curl_lazy.c). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moltty/base.h"
#include "moltty/log.h"
#include "moltty/net.h"
#include "curl_lazy.h"

struct net_http {
	struct ev_loop *loop;
	CURLM *multi;
	ev_timer timer;
	char *ca_file;
	struct net_http_req *reqs; /* doubly linked, for cancel-all */
	size_t n_active;
};

struct net_http_req {
	struct net_http *h;
	struct net_http_req *prev, *next;
	CURL *easy;
	struct curl_slist *hdrs;
	struct buf body;
	int too_big;
	long long rl_limit, rl_remaining, rl_reset;
	net_http_cb cb;
	void *ud;
	char errbuf[CURL_ERROR_SIZE];
};

/* One ev_io per curl socket, attached with curl_multi_assign. */
struct sock_watch {
	ev_io io;
	struct net_http *h;
};

static void check_done(struct net_http *h);

static void unlink_req(struct net_http_req *r)
{
	struct net_http *h = r->h;
	if (r->prev)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	h->n_active--;
}

static void free_req(struct net_http_req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	buf_free(&r->body);
	free(r);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sock_watch *sw = (struct sock_watch *)w;
	struct net_http *h = sw->h;
	int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
		((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(h->multi, w->fd, action, &running);
	check_done(h);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct net_http *h = w->data;
	int running;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int socket_fn(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct net_http *h = userp;
	struct sock_watch *sw = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (sw) {
			ev_io_stop(h->loop, &sw->io);
			free(sw);
			curl_multi_assign(h->multi, s, NULL);
		}
		return 0;
	}
	int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (!sw) {
		sw = xcalloc(1, sizeof(*sw));
		sw->h = h;
		curl_multi_assign(h->multi, s, sw);
	} else {
		ev_io_stop(h->loop, &sw->io); /* never ev_io_set a running watcher */
	}
	ev_io_init(&sw->io, io_cb, s, events);
	ev_io_start(h->loop, &sw->io);
	return 0;
}

static int timer_fn(CURLM *multi, long timeout_ms, void *userp)
{
	struct net_http *h = userp;
	/* only curl stops this timer: stopping it elsewhere hangs requests added later */
	ev_timer_stop(h->loop, &h->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&h->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
	return 0;
}

static size_t write_fn(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct net_http_req *r = userdata;
	size_t n = size * nmemb;
	if (r->body.len + n > NET_HTTP_MAX_BODY) {
		r->too_big = 1;
		return 0; /* aborts the transfer */
	}
	buf_append(&r->body, ptr, n);
	return n;
}

/* "X-RateLimit-Remaining: 9\r\n" -> 9 when name matches */
static int header_value(const char *line, size_t n, const char *name, long long *out)
{
	size_t nl = strlen(name);
	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return 0;
	size_t i = nl + 1;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	long long v = 0;
	int digits = 0;
	while (i < n && isdigit((unsigned char)line[i]) && digits < 18) {
		v = v * 10 + (line[i] - '0');
		i++;
		digits++;
	}
	if (digits)
		*out = v;
	return 1;
}

static size_t header_fn(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct net_http_req *r = userdata;
	size_t n = size * nitems;
	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		/* a new response (e.g. after a 100): forget earlier headers */
		r->rl_limit = r->rl_remaining = r->rl_reset = -1;
		return n;
	}
	if (header_value(buffer, n, "X-RateLimit-Limit", &r->rl_limit) ||
		header_value(buffer, n, "X-RateLimit-Remaining", &r->rl_remaining) ||
		header_value(buffer, n, "X-RateLimit-Reset", &r->rl_reset))
		return n;
	return n;
}

static void check_done(struct net_http *h)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(h->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;
		struct net_http_req *r = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
		curl_multi_remove_handle(h->multi, easy);
		if (!r) {
			curl_easy_cleanup(easy);
			continue;
		}
		unlink_req(r);

		struct net_http_result res = { 0 };
		long status = 0;
		if (rc == CURLE_OK) {
			curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
			res.status = (int)status;
		} else {
			res.status = 0;
			res.error = r->too_big ? "response body too large"
				: (r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
		}
		res.body = buf_cstr(&r->body);
		res.body_len = r->body.len;
		res.rl_limit = r->rl_limit;
		res.rl_remaining = r->rl_remaining;
		res.rl_reset = r->rl_reset;
		if (r->cb)
			r->cb(r->ud, &res);
		free_req(r);
	}
}

struct net_http *net_http_new(struct ev_loop *loop, const char *ca_file)
{
	char *err = NULL;
	if (curl_api_load(&err) != 0) {
		log_error("http: %s", err);
		free(err);
		return NULL;
	}
	struct net_http *h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	h->ca_file = xstrdup(ca_file);
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h->ca_file);
		free(h);
		return NULL;
	}
	ev_timer_init(&h->timer, timer_cb, 0., 0.);
	h->timer.data = h;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_fn);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void net_http_cancel(struct net_http_req *r)
{
	if (!r)
		return;
	curl_multi_remove_handle(r->h->multi, r->easy);
	unlink_req(r);
	free_req(r);
}

void net_http_free(struct net_http *h)
{
	if (!h)
		return;
	while (h->reqs)
		net_http_cancel(h->reqs);
	curl_multi_cleanup(h->multi); /* removes remaining socket watchers via CURL_POLL_REMOVE */
	ev_timer_stop(h->loop, &h->timer);
	free(h->ca_file);
	free(h);
}

size_t net_http_active(const struct net_http *h)
{
	return h ? h->n_active : 0;
}

struct net_http_req *net_http_request(struct net_http *h, const struct net_http_opts *o,
	net_http_cb cb, void *ud)
{
	if (!h || !o || !o->url)
		return NULL;
	struct net_http_req *r = xcalloc(1, sizeof(*r));
	r->h = h;
	r->cb = cb;
	r->ud = ud;
	r->rl_limit = r->rl_remaining = r->rl_reset = -1;
	r->easy = curl_easy_init();
	if (!r->easy) {
		free(r);
		return NULL;
	}
	CURL *e = r->easy;
	const char *method = o->method ? o->method : "GET";
	int ok = curl_easy_setopt(e, CURLOPT_URL, o->url) == CURLE_OK;
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_fn);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_fn);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : (long)NET_HTTP_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_USERAGENT, "moltty/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (h->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	if (o->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, o->body);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, "");
	}
	/* lws-based servers never answer 100-continue: never ask for it */
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	for (size_t i = 0; o->headers && o->headers[i]; i++)
		r->hdrs = curl_slist_append(r->hdrs, o->headers[i]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);

	if (!ok || curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		free_req(r);
		return NULL;
	}
	r->next = h->reqs;
	if (h->reqs)
		h->reqs->prev = r;
	h->reqs = r;
	h->n_active++;
	return r;
}
