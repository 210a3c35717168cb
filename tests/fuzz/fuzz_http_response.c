/* libFuzzer harness for the HTTP/1.1 response parser: the input is fed
 * whole and again split at a point taken from its first byte; both runs
 * must agree on the decoded body and the outcome. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/http1_parse.h"
#include "util/buf.h"

static bool keep_body(void *ud, const char *bytes, size_t n)
{
    buf_append(ud, bytes, n);
    return true;
}

static enum http1_status run(const uint8_t *data, size_t size, size_t split, struct buf *body)
{
    struct http1_parser p;
    struct http1_parser_callbacks cbs = {.on_body = keep_body, .ud = body};
    http1_parser_init(&p, &cbs);
    enum http1_status st = http1_parser_feed(&p, (const char *)data, split);
    if (st == HTTP1_MORE)
        st = http1_parser_feed(&p, (const char *)data + split, size - split);
    if (st == HTTP1_MORE && http1_parser_eof(&p))
        st = HTTP1_DONE;
    http1_parser_free(&p);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t split = data[0] % size;
    struct buf whole = BUF_INIT, parts = BUF_INIT;
    enum http1_status a = run(data + 1, size - 1, 0, &whole);
    enum http1_status b = run(data + 1, size - 1, split < size - 1 ? split : 0, &parts);
    if (a != b || whole.len != parts.len || (whole.len && memcmp(whole.data, parts.data, whole.len)))
        abort();
    buf_free(&whole);
    buf_free(&parts);
    return 0;
}
