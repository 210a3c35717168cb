/* libcurl, loaded with dlopen on first use so that commands which never talk
 * to a server do not pay for loading it (and the binary does not link it). */
#ifndef CODEX_MODEL_CURL_DL_H
#define CODEX_MODEL_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
    CURLMcode (*multi_cleanup)(CURLM *);
};

/* The loaded API, or NULL with one line in errbuf (e.g. libcurl.so.4 is not
 * installed).  Loaded once per process. */
const struct curl_api *curl_api_get(char *errbuf, size_t errlen);

#endif
