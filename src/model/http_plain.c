#include "model/http_plain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/http1_parse.h"
#include "util/xalloc.h"

#define ERROR_BODY_MAX (64 * 1024)
#define READ_CHUNK (64 * 1024)

struct http_plain_call {
    uv_loop_t *loop;
    struct http_callbacks cbs;
    char *host;  /* without brackets */
    char *port;
    char *head;  /* request line and headers */
    char *body;      /* a copy of a one-piece body (NULL with parts) */
    size_t body_len; /* of the whole body */
    struct http_body_part parts[HTTP_MAX_BODY_PARTS]; /* borrowed */
    size_t n_parts;
    long connect_timeout_ms;
    long idle_timeout_ms;

    uv_getaddrinfo_t resolve;
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    uv_timer_t timer; /* connect timeout, then idle timeout */
    int pending;      /* requests and handles whose callbacks are outstanding */
    bool finished;
    bool connected;
    bool resolving;
    char early_error[200]; /* failures found inside http_plain_post */

    struct http1_parser parser;
    long retry_after_ms;
    struct buf error_body;
    char read_buf[READ_CHUNK];
};

/* Splits http://host[:port][/path]; false for anything unusual. */
static bool split_url(const char *url, char **host, char **port, char **path)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return false;
    const char *h = url + 7;
    const char *end = h + strcspn(h, "/?#");
    if (*end == '#' || strpbrk(end, "# \t\r\n") || memchr(h, '@', (size_t)(end - h)))
        return false;
    const char *hend, *p = NULL;
    if (*h == '[') {
        hend = memchr(h, ']', (size_t)(end - h));
        if (!hend)
            return false;
        if (hend + 1 < end && hend[1] != ':')
            return false;
        p = hend + 1 < end ? hend + 2 : NULL;
        h++;
    } else {
        hend = memchr(h, ':', (size_t)(end - h));
        if (hend)
            p = hend + 1;
        else
            hend = end;
    }
    if (hend == h)
        return false;
    if (p) {
        if (p == end || end - p > 5 || strspn(p, "0123456789") != (size_t)(end - p) ||
            atoi(p) == 0 || atoi(p) > 65535)
            return false;
    }
    if (host) {
        *host = xstrndup(h, (size_t)(hend - h));
        *port = p ? xstrndup(p, (size_t)(end - p)) : xstrdup("80");
        *path = *end == '/' ? xstrdup(end) : xasprintf("/%s", end);
    }
    return true;
}

bool http_plain_handles(const char *url)
{
    return split_url(url, NULL, NULL, NULL);
}

long http_parse_retry_after(const char *v, size_t n);

static void release(struct http_plain_call *call)
{
    if (--call->pending > 0)
        return;
    http1_parser_free(&call->parser);
    buf_free(&call->error_body);
    free(call->host);
    free(call->port);
    free(call->head);
    free(call->body);
    free(call);
}

static void on_closed(uv_handle_t *h)
{
    release(h->data);
}

/* Tears the call down; its memory goes once libuv is done with it. */
static void shut(struct http_plain_call *call)
{
    call->finished = true;
    uv_close((uv_handle_t *)&call->timer, on_closed);
    uv_close((uv_handle_t *)&call->tcp, on_closed);
    if (call->resolving) /* its callback still runs and drops its reference */
        uv_cancel((uv_req_t *)&call->resolve);
}

static void finish(struct http_plain_call *call, enum http_failure failure, const char *error)
{
    if (call->finished)
        return;
    struct http_callbacks cbs = call->cbs;
    struct buf body = call->error_body;
    call->error_body = (struct buf)BUF_INIT;
    char err[256];
    snprintf(err, sizeof err, "%s", error ? error : "");
    struct http_result res = {
        .failure = failure,
        .status = call->parser.status,
        .error = error ? err : NULL,
        .error_body = body.len ? buf_cstr(&body) : NULL,
        .retry_after_ms = call->retry_after_ms,
    };
    shut(call);
    cbs.on_done(cbs.ud, &res);
    buf_free(&body);
}

static void on_timeout(uv_timer_t *t)
{
    struct http_plain_call *call = t->data;
    if (call->connected)
        finish(call, HTTP_IDLE_TIMEOUT, "idle timeout waiting for SSE");
    else
        finish(call, HTTP_TRANSPORT, "connection timed out");
}

static void touch_idle(struct http_plain_call *call)
{
    if (call->idle_timeout_ms > 0)
        uv_timer_start(&call->timer, on_timeout, (uint64_t)call->idle_timeout_ms, 0);
    else
        uv_timer_stop(&call->timer);
}

static void on_header(void *ud, const char *name, size_t nlen, const char *value, size_t vlen)
{
    struct http_plain_call *call = ud;
    if (nlen == 11 && strncasecmp(name, "retry-after", 11) == 0)
        call->retry_after_ms = http_parse_retry_after(value, vlen);
    if (call->cbs.on_header)
        call->cbs.on_header(call->cbs.ud, name, nlen, value, vlen);
}

static bool on_body(void *ud, const char *bytes, size_t n)
{
    struct http_plain_call *call = ud;
    long status = call->parser.status;
    if (status < 200 || status >= 300) {
        size_t room = ERROR_BODY_MAX - call->error_body.len;
        buf_append(&call->error_body, bytes, n < room ? n : room);
        return true;
    }
    return call->cbs.on_data(call->cbs.ud, bytes, n);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)suggested;
    struct http_plain_call *call = h->data;
    *b = uv_buf_init(call->read_buf, sizeof call->read_buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct http_plain_call *call = s->data;
    if (call->finished || n == 0)
        return;
    if (n < 0) {
        if (n == UV_EOF && http1_parser_eof(&call->parser))
            finish(call, HTTP_OK, NULL);
        else if (n == UV_EOF)
            finish(call, HTTP_TRANSPORT, "connection closed before the response was complete");
        else
            finish(call, HTTP_TRANSPORT, uv_strerror((int)n));
        return;
    }
    touch_idle(call);
    switch (http1_parser_feed(&call->parser, b->base, (size_t)n)) {
    case HTTP1_MORE:
        break;
    case HTTP1_DONE:
        finish(call, HTTP_OK, NULL);
        break;
    case HTTP1_STOPPED:
        finish(call, HTTP_ABORTED, NULL);
        break;
    case HTTP1_ERROR:
        finish(call, HTTP_TRANSPORT, call->parser.error);
        break;
    }
}

static void on_written(uv_write_t *w, int status)
{
    struct http_plain_call *call = w->data;
    if (status < 0 && !call->finished)
        finish(call, HTTP_TRANSPORT, uv_strerror(status));
    release(call);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct http_plain_call *call = req->data;
    release(call); /* the handles still hold the call */
    if (call->finished)
        return;
    if (status < 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "Failed to connect to %s port %s: %s", call->host, call->port,
                 uv_strerror(status));
        finish(call, HTTP_TRANSPORT, msg);
        return;
    }
    call->connected = true;
    touch_idle(call);
    uv_tcp_nodelay(&call->tcp, 1);
    uv_buf_t bufs[1 + HTTP_MAX_BODY_PARTS];
    unsigned n = 0;
    bufs[n++] = uv_buf_init(call->head, (unsigned)strlen(call->head));
    if (call->n_parts == 0)
        bufs[n++] = uv_buf_init(call->body, (unsigned)call->body_len);
    for (size_t i = 0; i < call->n_parts; i++)
        bufs[n++] = uv_buf_init((char *)call->parts[i].data, (unsigned)call->parts[i].len);
    call->write.data = call;
    call->pending++;
    int rc = uv_write(&call->write, (uv_stream_t *)&call->tcp, bufs, n, on_written);
    if (rc < 0) {
        call->pending--;
        finish(call, HTTP_TRANSPORT, uv_strerror(rc));
        return;
    }
    rc = uv_read_start((uv_stream_t *)&call->tcp, on_alloc, on_read);
    if (rc < 0)
        finish(call, HTTP_TRANSPORT, uv_strerror(rc));
}

static void on_early_error(uv_timer_t *t)
{
    struct http_plain_call *call = t->data;
    finish(call, HTTP_TRANSPORT, call->early_error);
}

/* on_done must not run before http_plain_post has returned. */
static void fail_soon(struct http_plain_call *call, const char *msg)
{
    snprintf(call->early_error, sizeof call->early_error, "%s", msg);
    uv_timer_start(&call->timer, on_early_error, 0, 0);
}

static void start_connect(struct http_plain_call *call, const struct sockaddr *addr)
{
    call->connect.data = call;
    call->pending++;
    int rc = uv_tcp_connect(&call->connect, &call->tcp, addr, on_connected);
    if (rc < 0) {
        call->pending--;
        char msg[200];
        snprintf(msg, sizeof msg, "Failed to connect to %s port %s: %s", call->host, call->port,
                 uv_strerror(rc));
        fail_soon(call, msg);
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct http_plain_call *call = req->data;
    call->resolving = false;
    if (!call->finished) {
        if (status < 0 || !res) {
            char msg[200];
            snprintf(msg, sizeof msg, "Could not resolve host: %s", call->host);
            finish(call, HTTP_TRANSPORT, msg);
        } else {
            start_connect(call, res->ai_addr);
        }
    }
    uv_freeaddrinfo(res);
    release(call);
}

static char *request_head(const struct http_request *req, const char *path, const char *host,
                          const char *port)
{
    struct buf b = BUF_INIT;
    bool v6 = strchr(host, ':') != NULL;
    const char *method = req->method ? req->method : "POST";
    buf_printf(&b, "%s %s HTTP/1.1\r\nHost: %s%s%s", method, path, v6 ? "[" : "", host,
               v6 ? "]" : "");
    if (strcmp(port, "80") != 0)
        buf_printf(&b, ":%s", port);
    buf_puts(&b, "\r\n");
    if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)
        buf_printf(&b, "Content-Length: %zu\r\n", http_body_len(req));
    buf_puts(&b, "Connection: close\r\n");
    for (size_t i = 0; req->headers && i < req->headers->n; i++) {
        const char *h = req->headers->v[i];
        if (strpbrk(h, "\r\n"))
            continue; /* never let a header value split the request */
        buf_printf(&b, "%s\r\n", h);
    }
    buf_puts(&b, "\r\n");
    return buf_detach(&b, NULL);
}

struct http_plain_call *http_plain_post(uv_loop_t *loop, const struct http_request *req,
                                        const struct http_callbacks *cbs)
{
    struct http_plain_call *call = xcalloc(1, sizeof *call);
    char *path = NULL;
    if (!split_url(req->url, &call->host, &call->port, &path))
        abort(); /* callers check http_plain_handles first */
    call->loop = loop;
    call->cbs = *cbs;
    call->retry_after_ms = -1;
    call->connect_timeout_ms = req->connect_timeout_ms;
    call->idle_timeout_ms = req->idle_timeout_ms;
    call->head = request_head(req, path, call->host, call->port);
    free(path);
    bool get = req->method && strcmp(req->method, "GET") == 0;
    call->body_len = get ? 0 : http_body_len(req);
    if (!get && req->n_parts > 0 && req->n_parts <= HTTP_MAX_BODY_PARTS) {
        call->n_parts = req->n_parts;
        memcpy(call->parts, req->parts, req->n_parts * sizeof *req->parts);
    } else {
        call->body = xmalloc(call->body_len + 1);
        if (call->body_len)
            memcpy(call->body, req->body, call->body_len);
    }
    call->error_body = (struct buf)BUF_INIT;
    struct http1_parser_callbacks pcb = {.on_header = on_header, .on_body = on_body, .ud = call};
    http1_parser_init(&call->parser, &pcb);

    uv_tcp_init(loop, &call->tcp);
    uv_timer_init(loop, &call->timer);
    call->tcp.data = call->timer.data = call;
    call->pending = 2;
    if (call->connect_timeout_ms > 0)
        uv_timer_start(&call->timer, on_timeout, (uint64_t)call->connect_timeout_ms, 0);

    struct sockaddr_storage addr;
    if (uv_ip4_addr(call->host, atoi(call->port), (struct sockaddr_in *)&addr) == 0 ||
        uv_ip6_addr(call->host, atoi(call->port), (struct sockaddr_in6 *)&addr) == 0) {
        start_connect(call, (struct sockaddr *)&addr);
        return call;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    call->resolve.data = call;
    call->pending++;
    call->resolving = true;
    int rc = uv_getaddrinfo(loop, &call->resolve, on_resolved, call->host, call->port, &hints);
    if (rc < 0) {
        call->pending--;
        call->resolving = false;
        char msg[200];
        snprintf(msg, sizeof msg, "Could not resolve host: %s", call->host);
        fail_soon(call, msg);
    }
    return call;
}

void http_plain_cancel(struct http_plain_call *call)
{
    if (!call->finished)
        shut(call);
}
