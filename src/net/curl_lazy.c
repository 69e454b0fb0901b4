/* libcurl loaded on first use: see curl_lazy.h. */
#define CURL_LAZY_IMPL
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "moltty/base.h"
#include "curl_lazy.h"

struct curl_api curl_api;

int curl_api_load(char **err)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	static char why[256];
	if (state == 0) {
		void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
		const char *missing = NULL;
		if (!lib) {
			snprintf(why, sizeof(why), "cannot load libcurl: %s", dlerror());
			state = -1;
		} else {
			static const struct { const char *name; size_t off; } syms[] = {
#define SYM(field, name) { name, offsetof(struct curl_api, field) }
				SYM(global_init, "curl_global_init"),
				SYM(multi_init, "curl_multi_init"),
				SYM(multi_setopt, "curl_multi_setopt"),
				SYM(multi_socket_action, "curl_multi_socket_action"),
				SYM(multi_assign, "curl_multi_assign"),
				SYM(multi_info_read, "curl_multi_info_read"),
				SYM(multi_add_handle, "curl_multi_add_handle"),
				SYM(multi_remove_handle, "curl_multi_remove_handle"),
				SYM(multi_cleanup, "curl_multi_cleanup"),
				SYM(easy_init, "curl_easy_init"),
				SYM(easy_setopt, "curl_easy_setopt"),
				SYM(easy_getinfo, "curl_easy_getinfo"),
				SYM(easy_cleanup, "curl_easy_cleanup"),
				SYM(easy_strerror, "curl_easy_strerror"),
				SYM(slist_append, "curl_slist_append"),
				SYM(slist_free_all, "curl_slist_free_all"),
#undef SYM
			};
			for (size_t i = 0; i < MC_ARRAY_LEN(syms) && !missing; i++) {
				void *f = dlsym(lib, syms[i].name);
				if (!f)
					missing = syms[i].name;
				/* function pointers and void * have one representation on every
				 * platform dlsym exists on (POSIX requires it) */
				memcpy((char *)&curl_api + syms[i].off, &f, sizeof(f));
			}
			if (missing) {
				snprintf(why, sizeof(why), "libcurl lacks %s", missing);
				state = -1;
			} else if (curl_api.global_init(CURL_GLOBAL_DEFAULT) != 0) {
				snprintf(why, sizeof(why), "curl_global_init failed");
				state = -1;
			} else {
				state = 1;
			}
		}
	}
	if (state < 0 && err)
		*err = xstrdup(why);
	return state > 0 ? 0 : -1;
}
