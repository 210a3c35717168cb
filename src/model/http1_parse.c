#include "model/http1_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum state {
    ST_STATUS,
    ST_HEADERS,
    ST_BODY,        /* Content-Length or until close */
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,
    ST_CHUNK_END,   /* the CRLF after a chunk's data */
    ST_TRAILERS,
    ST_DONE,
    ST_ERROR,
};

void http1_parser_init(struct http1_parser *p, const struct http1_parser_callbacks *cbs)
{
    memset(p, 0, sizeof *p);
    p->cbs = *cbs;
    p->state = ST_STATUS;
    p->line = (struct buf)BUF_INIT;
}

void http1_parser_free(struct http1_parser *p)
{
    buf_free(&p->line);
}

static enum http1_status fail(struct http1_parser *p, const char *why)
{
    snprintf(p->error, sizeof p->error, "malformed HTTP response: %s", why);
    p->state = ST_ERROR;
    return HTTP1_ERROR;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Digits only, no sign, no overflow. */
static bool parse_decimal(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static enum http1_status status_line(struct http1_parser *p, const char *s, size_t n)
{
    if (n < 12 || strncmp(s, "HTTP/1.", 7) != 0 || s[8] != ' ')
        return fail(p, "bad status line");
    uint64_t code;
    if (!parse_decimal(s + 9, 3, &code) || (n > 12 && s[12] != ' ') || code < 100)
        return fail(p, "bad status code");
    p->status = (long)code;
    p->chunked = p->has_length = false;
    p->state = ST_HEADERS;
    return HTTP1_MORE;
}

static enum http1_status header_line(struct http1_parser *p, const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s)
        return fail(p, "bad header line");
    const char *name = s, *value = colon + 1;
    size_t nlen = (size_t)(colon - s), vlen = n - nlen - 1;
    for (size_t i = 0; i < nlen; i++)
        if (name[i] == ' ' || name[i] == '\t')
            return fail(p, "bad header name");
    trim(&value, &vlen);
    if (p->status >= 200) {
        if (nlen == 14 && strncasecmp(name, "content-length", 14) == 0) {
            uint64_t len;
            if (!parse_decimal(value, vlen, &len) || (p->has_length && len != p->remaining))
                return fail(p, "bad Content-Length");
            p->has_length = true;
            p->remaining = len;
        } else if (nlen == 17 && strncasecmp(name, "transfer-encoding", 17) == 0) {
            if (vlen < 7 || strncasecmp(value + vlen - 7, "chunked", 7) != 0)
                return fail(p, "unsupported Transfer-Encoding");
            p->chunked = true;
        }
        if (p->cbs.on_header)
            p->cbs.on_header(p->cbs.ud, name, nlen, value, vlen);
    }
    return HTTP1_MORE;
}

static enum http1_status end_of_head(struct http1_parser *p)
{
    if (p->status < 200) { /* 100 Continue and friends: a real answer follows */
        p->state = ST_STATUS;
        return HTTP1_MORE;
    }
    if (p->status == 204 || p->status == 304) {
        p->state = ST_DONE;
        return HTTP1_DONE;
    }
    if (p->chunked) {
        p->has_length = false;
        p->state = ST_CHUNK_SIZE;
        return HTTP1_MORE;
    }
    p->state = ST_BODY;
    if (p->has_length && p->remaining == 0) {
        p->state = ST_DONE;
        return HTTP1_DONE;
    }
    return HTTP1_MORE;
}

static enum http1_status chunk_size_line(struct http1_parser *p, const char *s, size_t n)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            break;
        if (v > (UINT64_MAX >> 4))
            return fail(p, "chunk size too large");
        v = v << 4 | (uint64_t)d;
    }
    if (i == 0 || (i < n && s[i] != ';' && s[i] != ' ' && s[i] != '\t'))
        return fail(p, "bad chunk size");
    p->remaining = v;
    p->state = v ? ST_CHUNK_DATA : ST_TRAILERS;
    return HTTP1_MORE;
}

/* One complete line (CRLF or bare LF stripped). */
static enum http1_status on_line(struct http1_parser *p, const char *s, size_t n)
{
    switch (p->state) {
    case ST_STATUS:
        return status_line(p, s, n);
    case ST_HEADERS:
        return n == 0 ? end_of_head(p) : header_line(p, s, n);
    case ST_CHUNK_SIZE:
        return chunk_size_line(p, s, n);
    case ST_CHUNK_END:
        if (n != 0)
            return fail(p, "missing CRLF after chunk data");
        p->state = ST_CHUNK_SIZE;
        return HTTP1_MORE;
    case ST_TRAILERS:
        if (n == 0) {
            p->state = ST_DONE;
            return HTTP1_DONE;
        }
        return HTTP1_MORE; /* trailers are not used */
    default:
        return fail(p, "internal state");
    }
}

static bool counts_as_head(const struct http1_parser *p)
{
    return p->state == ST_STATUS || p->state == ST_HEADERS || p->state == ST_TRAILERS;
}

enum http1_status http1_parser_feed(struct http1_parser *p, const char *data, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p->state == ST_DONE)
            return HTTP1_DONE;
        if (p->state == ST_ERROR)
            return HTTP1_ERROR;
        if (p->state == ST_BODY || p->state == ST_CHUNK_DATA) {
            size_t take = n - i;
            if ((p->has_length || p->state == ST_CHUNK_DATA) && take > p->remaining)
                take = (size_t)p->remaining;
            if (p->has_length || p->state == ST_CHUNK_DATA)
                p->remaining -= take;
            if (take && p->cbs.on_body && !p->cbs.on_body(p->cbs.ud, data + i, take))
                return HTTP1_STOPPED;
            i += take;
            if (p->state == ST_CHUNK_DATA && p->remaining == 0)
                p->state = ST_CHUNK_END;
            else if (p->state == ST_BODY && p->has_length && p->remaining == 0) {
                p->state = ST_DONE;
                return HTTP1_DONE;
            }
            continue;
        }
        const char *nl = memchr(data + i, '\n', n - i);
        size_t take = nl ? (size_t)(nl - (data + i)) + 1 : n - i;
        if (counts_as_head(p)) {
            p->head_bytes += take;
            if (p->head_bytes > HTTP1_MAX_HEAD)
                return fail(p, "headers larger than 64 KiB");
        } else if (p->line.len + take > 1024) {
            return fail(p, "chunk size line too long");
        }
        buf_append(&p->line, data + i, take);
        i += take;
        if (!nl)
            break;
        size_t len = p->line.len - 1;
        if (len && p->line.data[len - 1] == '\r')
            len--;
        enum http1_status st = on_line(p, p->line.data, len);
        buf_truncate(&p->line, 0);
        if (st != HTTP1_MORE)
            return st;
    }
    return p->state == ST_DONE ? HTTP1_DONE : p->state == ST_ERROR ? HTTP1_ERROR : HTTP1_MORE;
}

bool http1_parser_eof(struct http1_parser *p)
{
    if (p->state == ST_DONE)
        return true;
    if (p->state == ST_BODY && !p->has_length) {
        p->state = ST_DONE;
        return true;
    }
    return false;
}
