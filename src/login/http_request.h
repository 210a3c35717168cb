/* The head of one HTTP/1.x request, as the sign-in callback server reads
 * it from a browser: the request line (method and target); header lines
 * are skipped.  Bounded, and safe on any bytes (it is fuzzed). */
#ifndef CODEX_LOGIN_HTTP_REQUEST_H
#define CODEX_LOGIN_HTTP_REQUEST_H

#include <stddef.h>

#define HTTP_REQUEST_MAX_HEAD 16384

struct http_request_head {
    char method[16];
    char *target; /* "/path?query", owned */
};

/* 1: the head is complete (out filled, *head_len bytes used); 0: more bytes
 * are needed; -1: malformed or larger than HTTP_REQUEST_MAX_HEAD. */
int http_request_head_parse(const char *data, size_t len, struct http_request_head *out,
                            size_t *head_len);
void http_request_head_free(struct http_request_head *h);

#endif
