/* libFuzzer harness for the WebSocket pieces: the HTTP upgrade request
 * parser and the frame decoder.  Properties: no crash; a decoded frame lies
 * inside the input; a complete request head is never longer than the input. */
#include "rpc/websocket.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct ws_http_request r;
    size_t used = 0;
    const char *why = NULL;
    if (ws_parse_http_request(text, size, &r, &used, &why) == 1) {
        assert(used <= size);
        if (r.connection)
            (void)ws_header_has_token(r.connection, "upgrade");
        if (r.key) {
            char accept[29];
            ws_accept_key(r.key, accept);
            assert(strlen(accept) == 28);
        }
        ws_http_request_free(&r);
    }
    free(text);

    unsigned char *frames = malloc(size ? size : 1);
    memcpy(frames, data, size);
    size_t off = 0;
    while (off < size) {
        struct ws_frame f;
        long n = ws_decode_frame(frames + off, size - off, 1 << 16, &f, &why);
        if (n <= 0)
            break;
        assert((size_t)n <= size - off);
        assert(f.payload >= frames + off && f.payload + f.len <= frames + off + n);
        off += (size_t)n;
    }
    free(frames);
    return 0;
}
