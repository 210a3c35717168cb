/* libFuzzer harness: the SSE framing and the Responses stream interpreter
 * must take any byte sequence, split anywhere, without crashing or leaking. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/stream.h"

static void ignore(void *ud, const struct stream_event *ev)
{
    (void)ud;
    (void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct response_stream rs;
    response_stream_init(&rs, 4096, ignore, NULL);
    /* The first byte picks the chunk size, to exercise split lines. */
    size_t chunk = size ? (size_t)(data[0] % 17) + 1 : 1;
    for (size_t off = size ? 1 : 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (response_stream_feed(&rs, (const char *)data + off, n) != SSE_OK)
            break;
    }
    response_stream_free(&rs);
    return 0;
}
