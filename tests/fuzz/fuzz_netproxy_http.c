/* libFuzzer harness for the proxy's request parsing: the head parser, the
 * target and authority parsers, and the body framer.  The framer is fed the
 * body whole and byte by byte; both must agree on where the body ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netproxy/http_head.h"

static long frame(const struct http_request_head *h, const char *data, size_t n, size_t step, bool *done)
{
    struct http_body_framer f;
    http_body_framer_init(&f, h);
    size_t used = 0;
    const char *why = "";
    while (used < n && !f.done) {
        size_t chunk = step && n - used > step ? step : n - used;
        long r = http_body_feed(&f, data + used, chunk, &why);
        if (r < 0)
            return -1;
        if ((size_t)r > chunk || !why)
            abort();
        used += (size_t)r;
        if ((size_t)r < chunk && !f.done)
            abort(); /* the framer stops early only at the end of the body */
    }
    *done = f.done;
    return (long)used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct http_request_head h;
    const char *why = "";
    enum http_parse_result r = http_parse_request_head(buf, size, 4096, &h, &why);
    if (r == HTTP_PARSE_BAD && (!why || !*why))
        abort(); /* every refusal says why */
    if (r != HTTP_PARSE_OK)
        return 0;
    if (h.head_len > size || h.method_len == 0 || h.target_len == 0)
        abort();
    struct http_target t;
    if (http_parse_proxy_target(&h, &t, &why) == 0 && (t.port == 0 || !t.path || t.path_len == 0))
        abort();
    http_parse_authority(h.target, h.target_len, 443, &t, &why);
    bool done_a = false, done_b = false;
    long a = frame(&h, buf + h.head_len, size - h.head_len, 0, &done_a);
    long b = frame(&h, buf + h.head_len, size - h.head_len, 1, &done_b);
    if (a != b || done_a != done_b)
        abort();
    int status;
    size_t head_len;
    if (http_parse_response_head(buf, size, 4096, &status, &head_len) == HTTP_PARSE_OK &&
        (head_len > size || status < 0 || status > 999))
        abort();
    return 0;
}
