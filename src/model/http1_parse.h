/* Incremental parser for one HTTP/1.1 response (status line, headers, then
 * a Content-Length, chunked or close-delimited body).  Bytes may arrive
 * split at any point; the body is handed on as it is decoded. */
#ifndef CODEX_MODEL_HTTP1_PARSE_H
#define CODEX_MODEL_HTTP1_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define HTTP1_MAX_HEAD (64 * 1024) /* status line + headers (+ trailers) */

struct http1_parser_callbacks {
    /* One header of the final (non-1xx) response; name and value are
     * trimmed, not NUL-terminated. */
    void (*on_header)(void *ud, const char *name, size_t nlen, const char *value, size_t vlen);
    /* Decoded body bytes; return false to stop parsing. */
    bool (*on_body)(void *ud, const char *bytes, size_t n);
    void *ud;
};

struct http1_parser {
    struct http1_parser_callbacks cbs;
    int state;
    long status;        /* 0 until the final status line is read */
    bool chunked;
    bool has_length;
    uint64_t remaining; /* body bytes left (Content-Length or chunk) */
    size_t head_bytes;  /* bytes of head read so far, bounded */
    struct buf line;    /* the line being assembled */
    char error[128];
};

enum http1_status {
    HTTP1_MORE,    /* all bytes consumed, the response is not complete */
    HTTP1_DONE,    /* the response is complete (extra bytes are ignored) */
    HTTP1_STOPPED, /* on_body returned false */
    HTTP1_ERROR,   /* malformed or oversized: parser.error says why */
};

void http1_parser_init(struct http1_parser *p, const struct http1_parser_callbacks *cbs);
void http1_parser_free(struct http1_parser *p);
enum http1_status http1_parser_feed(struct http1_parser *p, const char *data, size_t n);
/* The peer closed the connection: true when that ends the response
 * properly (a close-delimited body), false when it was cut short. */
bool http1_parser_eof(struct http1_parser *p);

#endif
