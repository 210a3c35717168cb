/* Plain-text HTTP/1.1 POSTs over libuv TCP, for http:// base URLs (local
 * providers and proxies): spares loading libcurl and its ~35 libraries.
 * Same contract as http_send in model/http.h. */
#ifndef CODEX_MODEL_HTTP_PLAIN_H
#define CODEX_MODEL_HTTP_PLAIN_H

#include <stdbool.h>

#include "model/http.h"

struct http_plain_call;

/* True when url is http://host[:port][/path] with nothing we leave to
 * libcurl (userinfo, https, fragments, ...). */
bool http_plain_handles(const char *url);
struct http_plain_call *http_plain_post(uv_loop_t *loop, const struct http_request *req,
                                        const struct http_callbacks *cbs);
/* Seconds of a Retry-After value in ms; -1 for the HTTP-date form or junk.
 * Shared with the libcurl transport. */
long http_parse_retry_after(const char *v, size_t n);
/* on_done is not called. */
void http_plain_cancel(struct http_plain_call *call);

#endif
