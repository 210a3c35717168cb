/* One small HTTP exchange whose whole answer is wanted at once: sign-in
 * endpoints, token refresh, account lookups.  The answer body is collected
 * (bounded) whatever the status; the transport is chosen by URL as for
 * http_send (our own HTTP/1.1 for http://, libcurl for https://). */
#ifndef CODEX_MODEL_HTTP_FETCH_H
#define CODEX_MODEL_HTTP_FETCH_H

#include <stddef.h>

#include <uv.h>

#include "util/strvec.h"

#define HTTP_FETCH_MAX_BODY (1024 * 1024)

struct http_fetch_result {
    long status;       /* 0 when no answer arrived */
    const char *error; /* transport failure (connect, timeout, TLS, ...), else NULL */
    const char *body;  /* the answer, NUL-terminated (maybe truncated) */
    size_t body_len;
};

typedef void (*http_fetch_fn)(void *ud, const struct http_fetch_result *res);

struct http_fetch_request {
    const char *method; /* "GET" or "POST" */
    const char *url;
    const struct strvec *headers; /* "Name: value" */
    const char *body;
    size_t body_len;
    const char *ca_file; /* extra roots for HTTPS, or NULL */
    long timeout_ms;     /* whole exchange; 0: 60 s */
};

struct http_fetch;

/* Start the exchange; done runs once on the loop (never from inside this
 * call).  The request's strings are copied. */
struct http_fetch *http_fetch_start(uv_loop_t *loop, const struct http_fetch_request *req,
                                    http_fetch_fn done, void *ud);
/* Abandon it: done is not called. */
void http_fetch_cancel(struct http_fetch *f);

#endif
