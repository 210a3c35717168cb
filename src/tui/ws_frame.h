/* The client half of RFC 6455 without I/O: the upgrade request, checking
 * the server's 101 answer, masked client frames out and unmasked server
 * frames in.  (src/rpc/websocket.c is the server half.) */
#ifndef CODEX_TUI_WS_FRAME_H
#define CODEX_TUI_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct wsc_frame {
    bool fin;
    int opcode;
    const unsigned char *payload;
    size_t len;
};

/* The upgrade request for host (as in the Host header) and path, with a
 * bearer token when not NULL; key is the Sec-WebSocket-Key. */
void wsc_request(struct buf *out, const char *host, const char *path, const char *key,
                 const char *bearer);

/* The server's answer head in data[0..len): 1 when it is a valid 101 for
 * key (*used = bytes of the head), 0 when more bytes are needed, -1 when
 * refused (*why says what, e.g. the status line). */
int wsc_check_response(const char *data, size_t len, const char *key, size_t *used,
                       char *why, size_t whylen);

/* Append a masked client frame. */
void wsc_encode(struct buf *out, int opcode, const void *payload, size_t len,
                const unsigned char mask[4]);

/* One server frame from buf[0..len): returns the bytes it spans (> 0), 0
 * when more are needed, -1 on a protocol error (*why), -2 when the payload
 * is longer than max_payload. */
long wsc_decode(const unsigned char *buf, size_t len, size_t max_payload, struct wsc_frame *f,
                const char **why);

#endif
