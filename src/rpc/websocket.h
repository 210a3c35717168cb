/* RFC 6455 pieces without I/O: the HTTP upgrade request, the accept key,
 * and frame decoding/encoding.  The transport (ws_transport.c) drives them
 * on the event loop; keeping them pure makes them easy to fuzz. */
#ifndef CODEX_RPC_WEBSOCKET_H
#define CODEX_RPC_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>

#define WS_MAX_HTTP_HEADER 16384

enum ws_opcode {
    WS_OP_CONTINUATION = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

struct ws_http_request {
    char *method;
    char *target;
    /* Header values we use (NULL when absent); names match case-insensitively. */
    char *upgrade;
    char *connection;
    char *key;
    char *version;
    char *authorization;
    char *origin;
};

/* Parse the request head in data[0..len).  Returns 1 when complete (*used
 * = bytes of the head), 0 when more bytes are needed, -1 when malformed
 * (*why says what). */
int ws_parse_http_request(const char *data, size_t len, struct ws_http_request *out, size_t *used,
                          const char **why);
void ws_http_request_free(struct ws_http_request *r);

/* Does a comma-separated header value contain token (case-insensitive)? */
bool ws_header_has_token(const char *value, const char *token);

/* Sec-WebSocket-Accept for a client key (28 characters plus NUL). */
void ws_accept_key(const char *client_key, char out[29]);

struct ws_frame {
    bool fin;
    int opcode;
    unsigned char *payload; /* inside the input buffer, already unmasked */
    size_t len;
};

enum ws_decode_result {
    WS_DECODE_NEED_MORE = 0,
    WS_DECODE_ERROR = -1,    /* protocol violation; *why set */
    WS_DECODE_TOO_BIG = -2,  /* payload longer than max_payload */
};

/* Decode one client frame from buf[0..len), unmasking it in place.
 * Returns the bytes it spans (> 0), or an enum ws_decode_result. */
long ws_decode_frame(unsigned char *buf, size_t len, size_t max_payload, struct ws_frame *f,
                     const char **why);

/* Header of an unmasked server frame; returns its length (2 to 10). */
size_t ws_frame_header(unsigned char out[10], int opcode, size_t payload_len);

#endif
