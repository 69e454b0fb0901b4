/* libcurl, loaded with dlopen when the first HTTP client is made instead of at exec: libcurl
 * and the ~30 libraries it pulls in (ldap, krb5, gnutls, ssh2, ...) were half of moltty's
 * time to its first painted screen (docs/performance.md). http.c calls the usual curl_*
 * names, which this header maps onto the loaded functions. Private to net/. */
#ifndef MOLTTY_NET_CURL_LAZY_H
#define MOLTTY_NET_CURL_LAZY_H

#include <curl/curl.h>

struct curl_api {
	CURLcode (*global_init)(long flags);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev, int *running);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *e);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};
extern struct curl_api curl_api;

/* Loads libcurl.so.4 once and runs curl_global_init. 0, or -1 with a message in *err. */
int curl_api_load(char **err);

#ifndef CURL_LAZY_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init curl_api.global_init
#define curl_multi_init curl_api.multi_init
#define curl_multi_setopt curl_api.multi_setopt
#define curl_multi_socket_action curl_api.multi_socket_action
#define curl_multi_assign curl_api.multi_assign
#define curl_multi_info_read curl_api.multi_info_read
#define curl_multi_add_handle curl_api.multi_add_handle
#define curl_multi_remove_handle curl_api.multi_remove_handle
#define curl_multi_cleanup curl_api.multi_cleanup
#define curl_easy_init curl_api.easy_init
#define curl_easy_setopt curl_api.easy_setopt
#define curl_easy_getinfo curl_api.easy_getinfo
#define curl_easy_cleanup curl_api.easy_cleanup
#define curl_easy_strerror curl_api.easy_strerror
#define curl_slist_append curl_api.slist_append
#define curl_slist_free_all curl_api.slist_free_all
#endif

#endif
