/* Streaming HTTP POSTs driven by the libuv loop (libcurl's multi-socket
 * API, or our own HTTP/1.1 for plain http://): no thread, no blocking.  The body of a 2xx answer is handed over
 * as it arrives; a non-2xx body is collected (bounded) for the error
 * message.  A stream that stays silent longer than idle_timeout_ms is
 * aborted. */
#ifndef CODEX_MODEL_HTTP_H
#define CODEX_MODEL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "util/buf.h"
#include "util/strvec.h"

struct http_client;
struct http_call;

enum http_failure {
    HTTP_OK,           /* the exchange finished; look at status */
    HTTP_TRANSPORT,    /* connect/reset/etc.: message in error */
    HTTP_IDLE_TIMEOUT, /* no bytes for idle_timeout_ms */
    HTTP_ABORTED,      /* the data callback asked to stop */
};

struct http_result {
    enum http_failure failure;
    long status;             /* HTTP status, 0 when none was received */
    const char *error;       /* transport error text */
    const char *error_body;  /* body of a non-2xx answer (truncated) */
    long retry_after_ms;     /* from Retry-After, -1 when absent */
};

struct http_callbacks {
    /* Body bytes of a 2xx answer; return false to abort the call. */
    bool (*on_data)(void *ud, const char *bytes, size_t n);
    /* Exactly once per call, after which the call is gone. */
    void (*on_done)(void *ud, const struct http_result *res);
    void *ud;
    /* Optional: each header of the response (name and value trimmed, not
     * NUL-terminated), before its body. */
    void (*on_header)(void *ud, const char *name, size_t nlen, const char *value, size_t vlen);
};

#define HTTP_MAX_BODY_PARTS 4

struct http_request {
    const char *method;           /* NULL: POST; also "GET" (no body), "DELETE" */
    const char *url;
    const struct strvec *headers; /* "Name: value" lines */
    const char *body;
    size_t body_len;
    /* Or, when n_parts > 0, the body is these pieces one after another
     * (body and body_len are then ignored).  They stay valid and unchanged
     * until the call is done or cancelled, so plain HTTP sends them from
     * where they are instead of copying: a request that carries a long
     * history is tens of megabytes. */
    const struct http_body_part {
        const char *data;
        size_t len;
    } *parts;
    size_t n_parts;
    long connect_timeout_ms;
    long idle_timeout_ms; /* 0: none */
    /* A PEM bundle of extra roots for HTTPS (CODEX_CA_CERTIFICATE, then
     * SSL_CERT_FILE, as the front end found them), or NULL. */
    const char *ca_file;
};

/* The length of a request's body, whole or in parts. */
size_t http_body_len(const struct http_request *req);

/* A client for posting to url: plain http:// URLs are spoken directly over
 * libuv TCP (HTTP/1.1), anything else through libcurl, loaded here.  NULL
 * with errbuf set when libcurl is needed and cannot be loaded. */
struct http_client *http_client_new(uv_loop_t *loop, const char *url, char *errbuf,
                                    size_t errlen);
/* Starts the request (a POST unless req->method says otherwise); callbacks
 * run later from the loop.  The request's strings are copied. */
struct http_call *http_send(struct http_client *c, const struct http_request *req,
                            const struct http_callbacks *cbs);
/* Abort a call in flight; on_done is not called. */
void http_call_cancel(struct http_call *call);
/* Closes handles; the loop must then be run until it has no more work. */
void http_client_free(struct http_client *c);

#endif
