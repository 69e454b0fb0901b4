/* Blocking HTTP for the conformance suite: one libcurl easy handle per request. Collects the
 * body, the content type and the X-RateLimit-* headers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cf.h"

struct collect {
	struct buf body;
	struct http_resp *r;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct collect *c = ud;
	if (c->body.len + size * n > (16u << 20))
		return 0;
	buf_append(&c->body, p, size * n);
	return size * n;
}

static int header_is(const char *line, size_t n, const char *name, const char **value)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	*value = line + k + 1;
	return 1;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct collect *c = ud;
	size_t len = size * n;
	const char *v;
	char tmp[256];
	size_t k = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;
	memcpy(tmp, p, k);
	tmp[k] = '\0';
	while (k && (tmp[k - 1] == '\r' || tmp[k - 1] == '\n'))
		tmp[--k] = '\0';
	/* A new response (redirect or 100 Continue) starts over. */
	if (strncmp(tmp, "HTTP/", 5) == 0) {
		c->r->rl_limit = c->r->rl_remaining = c->r->rl_reset = -1;
		return len;
	}
	if (header_is(tmp, k, "x-ratelimit-limit", &v))
		c->r->rl_limit = strtoll(v, NULL, 10);
	else if (header_is(tmp, k, "x-ratelimit-remaining", &v))
		c->r->rl_remaining = strtoll(v, NULL, 10);
	else if (header_is(tmp, k, "x-ratelimit-reset", &v))
		c->r->rl_reset = strtoll(v, NULL, 10);
	else if (header_is(tmp, k, "content-type", &v)) {
		while (*v == ' ')
			v++;
		str_replace(&c->r->content_type, v);
	}
	return len;
}

void http_do(const char *method, const char *url_path, const char *auth, const char *body,
	     struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->rl_limit = r->rl_remaining = r->rl_reset = -1;
	char *url = url_path[0] == '^' ? xasprintf("%s%s", cf.api_root, url_path + 1)
				       : xasprintf("%s/api/v1%s", cf.api_root, url_path);
	CURL *h = curl_easy_init();
	struct collect c = { BUF_INIT, r };
	struct curl_slist *hdrs = NULL;
	char *authh = NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (auth) {
		authh = xasprintf("Authorization: %s", auth);
		hdrs = curl_slist_append(hdrs, authh);
	}
	if (body) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
	} else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
		   strcmp(method, "PATCH") == 0) {
		/* No body and no content type, the way the official SDK calls join or block. */
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, "");
		hdrs = curl_slist_append(hdrs, "Content-Type:");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "transport: %s", curl_easy_strerror(rc));
	} else {
		long st = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
		r->status = (int)st;
	}
	r->body = buf_steal(&c.body);
	r->json = cJSON_Parse(r->body);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	free(authh);
	free(url);
}

void http_resp_free(struct http_resp *r)
{
	free(r->body);
	free(r->content_type);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}
