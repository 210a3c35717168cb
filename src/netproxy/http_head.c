/* A strict HTTP/1.x request-head parser and body framer for the proxy. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "netproxy/http_head.h"

#define MAX_CHUNK_LINE 4096

static bool is_tchar(unsigned char c)
{
    return isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool name_is(const struct http_header *h, const char *name)
{
    return strlen(name) == h->name_len && strncasecmp(h->name, name, h->name_len) == 0;
}

const struct http_header *http_find_header(const struct http_request_head *h, const char *name)
{
    for (size_t i = 0; i < h->n_headers; i++)
        if (name_is(&h->headers[i], name))
            return &h->headers[i];
    return NULL;
}

bool http_method_is(const struct http_request_head *h, const char *method)
{
    return strlen(method) == h->method_len && memcmp(h->method, method, h->method_len) == 0;
}

/* The next line [pos, *end) without its CRLF; *next is where the following
 * line starts.  Returns 1, 0 when incomplete, -1 on a bare LF. */
static int next_line(const char *buf, size_t len, size_t pos, size_t *end, size_t *next)
{
    const char *lf = memchr(buf + pos, '\n', len - pos);
    if (!lf)
        return 0;
    size_t p = (size_t)(lf - buf);
    if (p == pos || buf[p - 1] != '\r')
        return -1;
    *end = p - 1;
    *next = p + 1;
    return 1;
}

static int parse_request_line(const char *s, size_t n, struct http_request_head *out, const char **why)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ' ') {
        *why = "malformed request line (expected METHOD TARGET HTTP/1.x)";
        return -1;
    }
    out->method = s;
    out->method_len = i;
    size_t t = ++i;
    while (i < n && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f)
        i++;
    if (i == t || i >= n || s[i] != ' ') {
        *why = "malformed request target";
        return -1;
    }
    out->target = s + t;
    out->target_len = i - t;
    i++;
    if (n - i != 8 || memcmp(s + i, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)s[i + 7])) {
        *why = "unsupported protocol version (expected HTTP/1.0 or HTTP/1.1)";
        return -1;
    }
    out->version_minor = s[i + 7] - '0';
    if (out->version_minor > 1) {
        *why = "unsupported protocol version (expected HTTP/1.0 or HTTP/1.1)";
        return -1;
    }
    return 0;
}

static int parse_header_line(const char *s, size_t n, struct http_header *h, const char **why)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ':') {
        *why = n && (s[0] == ' ' || s[0] == '\t') ? "folded header lines are not accepted"
                                                  : "malformed header field";
        return -1;
    }
    h->name = s;
    h->name_len = i;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    for (size_t k = i; k < e; k++) {
        unsigned char c = (unsigned char)s[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            *why = "control character in a header value";
            return -1;
        }
    }
    h->value = s + i;
    h->value_len = e - i;
    return 0;
}

static int parse_content_length(const struct http_header *h, uint64_t *out)
{
    if (h->value_len == 0 || h->value_len > 18)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < h->value_len; i++) {
        if (!isdigit((unsigned char)h->value[i]))
            return -1;
        v = v * 10 + (uint64_t)(h->value[i] - '0');
    }
    *out = v;
    return 0;
}

/* Transfer-Encoding is a comma list; the last coding must be chunked. */
static bool te_ends_chunked(const struct http_header *h)
{
    size_t e = h->value_len;
    while (e > 0 && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t'))
        e--;
    size_t s = e;
    while (s > 0 && h->value[s - 1] != ',')
        s--;
    while (s < e && (h->value[s] == ' ' || h->value[s] == '\t'))
        s++;
    return e - s == 7 && strncasecmp(h->value + s, "chunked", 7) == 0;
}

static int decide_body(struct http_request_head *out, const char **why)
{
    const struct http_header *te = NULL;
    bool have_cl = false;
    uint64_t cl = 0;
    for (size_t i = 0; i < out->n_headers; i++) {
        const struct http_header *h = &out->headers[i];
        if (name_is(h, "transfer-encoding")) {
            if (te) {
                *why = "more than one Transfer-Encoding header";
                return -1;
            }
            te = h;
        } else if (name_is(h, "content-length")) {
            uint64_t v;
            if (parse_content_length(h, &v) != 0) {
                *why = "invalid Content-Length";
                return -1;
            }
            if (have_cl && v != cl) {
                *why = "conflicting Content-Length headers";
                return -1;
            }
            have_cl = true;
            cl = v;
        }
    }
    if (te && have_cl) {
        *why = "both Transfer-Encoding and Content-Length";
        return -1;
    }
    if (te) {
        if (!te_ends_chunked(te)) {
            *why = "unsupported Transfer-Encoding (the last coding must be chunked)";
            return -1;
        }
        out->body = HTTP_BODY_CHUNKED;
    } else if (have_cl && cl > 0) {
        out->body = HTTP_BODY_LENGTH;
        out->content_length = cl;
    } else {
        out->body = HTTP_BODY_NONE;
    }
    return 0;
}

enum http_parse_result http_parse_request_head(const char *buf, size_t len, size_t max_head,
                                               struct http_request_head *out, const char **why)
{
    static const char *unused;
    if (!why)
        why = &unused;
    memset(out, 0, sizeof *out);
    size_t limit = len < max_head ? len : max_head;
    size_t pos = 0, end, next;
    /* A client may send blank lines before a request (RFC 9112 2.2). */
    for (int blanks = 0;; blanks++) {
        int r = next_line(buf, limit, pos, &end, &next);
        if (r < 0) {
            *why = "line ends in a bare LF";
            return HTTP_PARSE_BAD;
        }
        if (r == 0)
            return len >= max_head ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
        if (end > pos)
            break;
        if (blanks >= 4) {
            *why = "empty request line";
            return HTTP_PARSE_BAD;
        }
        pos = next;
    }
    if (parse_request_line(buf + pos, end - pos, out, why) != 0)
        return HTTP_PARSE_BAD;
    pos = next;
    for (;;) {
        int r = next_line(buf, limit, pos, &end, &next);
        if (r < 0) {
            *why = "line ends in a bare LF";
            return HTTP_PARSE_BAD;
        }
        if (r == 0)
            return len >= max_head ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
        if (end == pos)
            break;
        if (out->n_headers == HTTP_MAX_HEADERS) {
            *why = "too many header fields";
            return HTTP_PARSE_BAD;
        }
        if (parse_header_line(buf + pos, end - pos, &out->headers[out->n_headers], why) != 0)
            return HTTP_PARSE_BAD;
        out->n_headers++;
        pos = next;
    }
    out->head_len = next;
    if (decide_body(out, why) != 0)
        return HTTP_PARSE_BAD;
    return HTTP_PARSE_OK;
}

int http_parse_authority(const char *s, size_t len, uint16_t default_port, struct http_target *out,
                         const char **why)
{
    memset(out, 0, sizeof *out);
    const char *e = s + len, *host = s, *host_end;
    if (len == 0) {
        *why = "missing host";
        return -1;
    }
    if (memchr(s, '@', len)) {
        *why = "credentials in the request target are not accepted";
        return -1;
    }
    const char *port_at = NULL;
    if (*s == '[') {
        const char *close = memchr(s, ']', len);
        if (!close) {
            *why = "unterminated IPv6 literal";
            return -1;
        }
        host = s + 1;
        host_end = close;
        if (close + 1 < e) {
            if (close[1] != ':') {
                *why = "malformed authority";
                return -1;
            }
            port_at = close + 2;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon && memchr(colon + 1, ':', (size_t)(e - colon - 1))) {
            *why = "IPv6 addresses must be written in brackets";
            return -1;
        }
        host_end = colon ? colon : e;
        if (colon)
            port_at = colon + 1;
    }
    if (host_end == host || (size_t)(host_end - host) >= sizeof out->host) {
        *why = host_end == host ? "missing host" : "host name too long";
        return -1;
    }
    memcpy(out->host, host, (size_t)(host_end - host));
    out->host[host_end - host] = '\0';
    if (strchr(out->host, '\0') != out->host + (host_end - host)) {
        *why = "NUL in host";
        return -1;
    }
    out->port = default_port;
    if (port_at) {
        unsigned long port = 0;
        if (port_at == e) {
            *why = "empty port";
            return -1;
        }
        for (const char *p = port_at; p < e; p++) {
            if (!isdigit((unsigned char)*p) || (port = port * 10 + (unsigned long)(*p - '0')) > 65535) {
                *why = "invalid port";
                return -1;
            }
        }
        if (port == 0) {
            *why = "invalid port";
            return -1;
        }
        out->port = (uint16_t)port;
    }
    if (out->port == 0) {
        *why = "missing port";
        return -1;
    }
    return 0;
}

int http_parse_proxy_target(const struct http_request_head *h, struct http_target *out, const char **why)
{
    const char *t = h->target;
    size_t n = h->target_len;
    if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
        const char *auth = t + 7, *e = t + n;
        const char *slash = auth;
        while (slash < e && *slash != '/' && *slash != '?' && *slash != '#')
            slash++;
        if (http_parse_authority(auth, (size_t)(slash - auth), 80, out, why) != 0)
            return -1;
        if (slash == e || *slash != '/') {
            out->path = "/";
            out->path_len = 1;
            /* "http://h?q" keeps its query: the origin needs "/?q". */
            if (slash < e && *slash == '?') {
                *why = "a query without a path is not supported; add '/' before '?'";
                return -1;
            }
        } else {
            out->path = slash;
            out->path_len = (size_t)(e - slash);
        }
        return 0;
    }
    if (n >= 8 && strncasecmp(t, "https://", 8) == 0) {
        *why = "https:// targets must be reached with CONNECT";
        return -1;
    }
    if (n > 0 && t[0] == '/') {
        const struct http_header *host = http_find_header(h, "host");
        if (!host) {
            *why = "missing host";
            return -1;
        }
        if (http_parse_authority(host->value, host->value_len, 80, out, why) != 0)
            return -1;
        out->path = t;
        out->path_len = n;
        return 0;
    }
    *why = "unsupported request target";
    return -1;
}

enum {
    CH_SIZE,
    CH_EXT,
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER_START,
    CH_TRAILER,
    CH_TRAILER_LF,
    CH_END_LF,
};

void http_body_framer_init(struct http_body_framer *f, const struct http_request_head *h)
{
    memset(f, 0, sizeof *f);
    f->kind = h ? h->body : HTTP_BODY_NONE;
    if (f->kind == HTTP_BODY_LENGTH)
        f->remaining = h->content_length;
    f->done = f->kind == HTTP_BODY_NONE;
    f->state = CH_SIZE;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

long http_body_feed(struct http_body_framer *f, const char *data, size_t len, const char **why)
{
    if (f->done)
        return 0;
    if (f->kind == HTTP_BODY_LENGTH) {
        size_t take = f->remaining < len ? (size_t)f->remaining : len;
        f->remaining -= take;
        f->done = f->remaining == 0;
        return (long)take;
    }
    size_t i = 0;
    while (i < len && !f->done) {
        unsigned char c = (unsigned char)data[i];
        switch (f->state) {
        case CH_SIZE: {
            int v = hexval(c);
            if (v >= 0) {
                if (f->remaining >> 56) {
                    *why = "chunk size too large";
                    return -1;
                }
                f->remaining = f->remaining * 16 + (uint64_t)v;
                f->line_len++;
                i++;
                break;
            }
            if (f->line_len == 0) {
                *why = "malformed chunk size";
                return -1;
            }
            if (c == ';' || c == ' ' || c == '\t') {
                f->state = CH_EXT;
            } else if (c == '\r') {
                f->state = CH_SIZE_LF;
                i++;
            } else {
                *why = "malformed chunk size";
                return -1;
            }
            break;
        }
        case CH_EXT:
            if (c == '\r') {
                f->state = CH_SIZE_LF;
            } else if (c == '\n' || ++f->line_len > MAX_CHUNK_LINE) {
                *why = "malformed chunk extension";
                return -1;
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (c != '\n') {
                *why = "chunk size line does not end in CRLF";
                return -1;
            }
            i++;
            f->line_len = 0;
            f->state = f->remaining ? CH_DATA : CH_TRAILER_START;
            break;
        case CH_DATA: {
            size_t take = len - i < f->remaining ? len - i : (size_t)f->remaining;
            f->remaining -= take;
            i += take;
            if (f->remaining == 0)
                f->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
        case CH_DATA_LF:
            if (c != (f->state == CH_DATA_CR ? '\r' : '\n')) {
                *why = "chunk data does not end in CRLF";
                return -1;
            }
            i++;
            f->state = f->state == CH_DATA_CR ? CH_DATA_LF : CH_SIZE;
            break;
        case CH_TRAILER_START:
            if (c == '\r') {
                f->state = CH_END_LF;
            } else if (c == '\n') {
                *why = "line ends in a bare LF";
                return -1;
            } else {
                f->state = CH_TRAILER;
                f->line_len = 1;
            }
            i++;
            break;
        case CH_TRAILER:
            if (c == '\r') {
                f->state = CH_TRAILER_LF;
            } else if (c == '\n' || ++f->line_len > MAX_CHUNK_LINE) {
                *why = "malformed trailer field";
                return -1;
            }
            i++;
            break;
        case CH_TRAILER_LF:
        case CH_END_LF:
            if (c != '\n') {
                *why = "line ends in a bare CR";
                return -1;
            }
            i++;
            if (f->state == CH_END_LF)
                f->done = true;
            else
                f->state = CH_TRAILER_START;
            break;
        }
    }
    return (long)i;
}

enum http_parse_result http_parse_response_head(const char *buf, size_t len, size_t max_head, int *status,
                                                size_t *head_len)
{
    size_t limit = len < max_head ? len : max_head;
    const char *end = NULL;
    for (size_t i = 0; i + 3 < limit; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = buf + i;
            break;
        }
    if (!end)
        return len >= max_head ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
    if (end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)buf[7]) || buf[8] != ' ' ||
        !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) || !isdigit((unsigned char)buf[11]))
        return HTTP_PARSE_BAD;
    *status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    *head_len = (size_t)(end - buf) + 4;
    return HTTP_PARSE_OK;
}
