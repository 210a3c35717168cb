/* libFuzzer harness for the TUI's WebSocket client codec: any bytes as the
 * server's upgrade answer and as server frames.  Decoding must stay inside
 * the buffer, report lengths that add up, and a frame we encode (masked)
 * must not be mistaken for a server frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/ws_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t used = 0;
    char why[256];
    int r = wsc_check_response((const char *)data, size, "dGhlIHNhbXBsZSBub25jZQ==", &used, why,
                               sizeof why);
    if (r == 1 && (used == 0 || used > size))
        abort();
    size_t off = 0;
    while (off < size) {
        struct wsc_frame f;
        const char *reason = NULL;
        long n = wsc_decode(data + off, size - off, 1 << 20, &f, &reason);
        if (n == 0 || n == -2)
            break;
        if (n == -1) {
            if (!reason)
                abort();
            break;
        }
        if ((size_t)n > size - off || f.payload < data + off ||
            f.payload + f.len > data + off + (size_t)n)
            abort();
        off += (size_t)n;
    }
    struct buf out = BUF_INIT;
    static const unsigned char mask[4] = {1, 2, 3, 4};
    wsc_encode(&out, 1, data, size, mask);
    struct wsc_frame f;
    const char *reason = NULL;
    if (wsc_decode((const unsigned char *)out.data, out.len, (size_t)-1, &f, &reason) != -1)
        abort();
    buf_free(&out);
    return 0;
}
