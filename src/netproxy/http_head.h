/* The HTTP/1.x the proxy reads from clients: a request head (request line
 * and header fields), its target, and where its body ends.
 *
 * The parser is strict on purpose: a proxy that reads a message one way
 * while the origin reads it another is the root of request smuggling.  So
 * lines end in CRLF, header names are tokens, folded lines, a
 * Transfer-Encoding that does not end in chunked, Content-Length together
 * with Transfer-Encoding, and conflicting Content-Lengths are all refused.
 * Nothing is copied: the parsed head points into the caller's buffer. */
#ifndef CODEX_NETPROXY_HTTP_HEAD_H
#define CODEX_NETPROXY_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS 100

struct http_header {
    const char *name;
    size_t name_len;
    const char *value; /* without surrounding blanks */
    size_t value_len;
};

enum http_body_kind { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED };

struct http_request_head {
    const char *method;
    size_t method_len;
    const char *target;
    size_t target_len;
    int version_minor; /* HTTP/1.<minor> */
    struct http_header headers[HTTP_MAX_HEADERS];
    size_t n_headers;
    size_t head_len; /* bytes of the head, the final CRLF CRLF included */
    enum http_body_kind body;
    uint64_t content_length;
};

enum http_parse_result {
    HTTP_PARSE_INCOMPLETE = 0, /* need more bytes */
    HTTP_PARSE_OK = 1,
    HTTP_PARSE_BAD = -1,       /* malformed; *why says how */
    HTTP_PARSE_TOO_LARGE = -2, /* the head exceeds max_head bytes */
};

/* Parse the head at the start of buf.  max_head caps the head size; at
 * most that many bytes are looked at. */
enum http_parse_result http_parse_request_head(const char *buf, size_t len, size_t max_head,
                                               struct http_request_head *out, const char **why);

/* The value of the first header named name (case-insensitive), or NULL. */
const struct http_header *http_find_header(const struct http_request_head *h, const char *name);
bool http_method_is(const struct http_request_head *h, const char *method);

/* A request target split for proxying. */
struct http_target {
    char host[256];  /* as written, brackets removed; not normalized */
    uint16_t port;
    const char *path; /* origin-form path and query ("/" when absent); points into the target */
    size_t path_len;
};

/* CONNECT host:port.  Returns 0 or -1 with *why. */
int http_parse_authority(const char *s, size_t len, uint16_t default_port, struct http_target *out,
                         const char **why);
/* An absolute-form target ("http://host[:port]/path"), or an origin-form
 * one ("/path") with host_header supplying the authority.  Returns 0 or -1
 * with *why. */
int http_parse_proxy_target(const struct http_request_head *h, struct http_target *out, const char **why);

/* Where a message body ends, fed as bytes arrive. */
struct http_body_framer {
    enum http_body_kind kind;
    uint64_t remaining; /* LENGTH: bytes left; CHUNKED: bytes left of the current chunk */
    int state;          /* CHUNKED: position in the chunk grammar */
    unsigned line_len;  /* CHUNKED: length of the size or trailer line so far */
    bool done;
};

void http_body_framer_init(struct http_body_framer *f, const struct http_request_head *h);
/* Consume up to len bytes of body.  Returns how many belong to the body
 * (f->done once the body is complete), or -1 with *why on a malformed
 * chunked encoding. */
long http_body_feed(struct http_body_framer *f, const char *data, size_t len, const char **why);

/* The status line of a response ("HTTP/1.1 200 Connection established"),
 * for an upstream proxy's answer to CONNECT.  Returns HTTP_PARSE_OK with
 * *status and *head_len (the whole head), INCOMPLETE, or BAD. */
enum http_parse_result http_parse_response_head(const char *buf, size_t len, size_t max_head, int *status,
                                                size_t *head_len);

#endif
