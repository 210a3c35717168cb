/* libFuzzer harness for the JSON-RPC framing and message classifier.
 * The input is fed to the line framer in pieces whose sizes come from the
 * first byte; every complete line is classified.  Properties: no crash, a
 * classified request has a string method and an integer or string id, and
 * serializing any parsed object and parsing it again gives the same kind. */
#include "rpc/jsonrpc.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool check_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    struct jsonrpc_message m;
    jsonrpc_parse(line, len, &m);
    if (m.kind == JSONRPC_REQUEST) {
        assert(m.method != NULL);
        assert(json_is_integer(m.id) || json_is_string(m.id));
    }
    if (m.kind != JSONRPC_INVALID) {
        size_t out_len;
        char *text = jsonrpc_serialize(m.root, &out_len);
        struct jsonrpc_message again;
        jsonrpc_parse(text, out_len, &again);
        assert(again.kind == m.kind);
        jsonrpc_message_free(&again);
        free(text);
    }
    jsonrpc_message_free(&m);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] % 17 + 1;
    data++;
    size--;
    struct jsonrpc_framer f;
    jsonrpc_framer_init(&f, 4096);
    for (size_t off = 0; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        if (jsonrpc_framer_feed(&f, (const char *)data + off, n, check_line, NULL) ==
            JSONRPC_FEED_OVERSIZE)
            break;
    }
    jsonrpc_framer_free(&f);
    return 0;
}
