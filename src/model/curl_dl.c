#include "model/curl_dl.h"

#include <dlfcn.h>
#include <stdio.h>

static struct curl_api api;
static int loaded; /* 0 not tried, 1 ok, -1 failed */
static char load_error[256];

#define SYM(field, name)                                                                          \
    do {                                                                                          \
        *(void **)&api.field = dlsym(h, name);                                                    \
        if (!api.field) {                                                                         \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 lacks %s; install libcurl4",    \
                     name);                                                                       \
            return -1;                                                                            \
        }                                                                                         \
    } while (0)

static int load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error,
                 "cannot load libcurl.so.4 (%s); install it with: apt-get install libcurl4",
                 dlerror());
        return -1;
    }
    CURLcode (*global_init)(long);
    *(void **)&global_init = dlsym(h, "curl_global_init");
    if (!global_init || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 failed to initialise");
        return -1;
    }
    SYM(easy_init, "curl_easy_init");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
    SYM(multi_init, "curl_multi_init");
    SYM(multi_setopt, "curl_multi_setopt");
    SYM(multi_add_handle, "curl_multi_add_handle");
    SYM(multi_remove_handle, "curl_multi_remove_handle");
    SYM(multi_socket_action, "curl_multi_socket_action");
    SYM(multi_info_read, "curl_multi_info_read");
    SYM(multi_assign, "curl_multi_assign");
    SYM(multi_cleanup, "curl_multi_cleanup");
    return 0;
}

const struct curl_api *curl_api_get(char *errbuf, size_t errlen)
{
    if (loaded == 0)
        loaded = load() == 0 ? 1 : -1;
    if (loaded < 0) {
        snprintf(errbuf, errlen, "%s", load_error);
        return NULL;
    }
    return &api;
}
