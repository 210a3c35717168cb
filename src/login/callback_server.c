#include "login/callback_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login/http_request.h"
#include "login/oauth.h"
#include "model/http_fetch.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define BIND_ATTEMPTS 10
#define BIND_RETRY_MS 200
#define READ_TIMEOUT_MS 10000
#define MAX_CONNS 8

struct callback_conn {
    struct callback_server *server;
    struct callback_conn *next;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_write_t write;
    struct buf in;
    char *out;
    int closing; /* handles still to close */
    bool answered;
    char scratch[4096];
};

struct callback_server {
    uv_loop_t *loop;
    struct callback_server_callbacks cbs;
    uv_tcp_t *listener;
    uv_timer_t *retry;
    struct http_fetch *cancel_fetch;
    struct callback_conn *conns;
    int n_conns;
    int port, fallback_port, current_port;
    int attempts;
    bool cancel_sent;
    bool listening;
    bool closed;
    int pending; /* handles and conns not yet released */
};

static void server_release(struct callback_server *s)
{
    if (--s->pending == 0 && s->closed)
        free(s);
}

static void on_handle_freed(uv_handle_t *h)
{
    struct callback_server *s = h->data;
    free(h);
    server_release(s);
}

static void conn_closed(uv_handle_t *h)
{
    struct callback_conn *c = h->data;
    if (--c->closing > 0)
        return;
    struct callback_server *s = c->server;
    buf_free(&c->in);
    free(c->out);
    free(c);
    server_release(s);
}

static void conn_close(struct callback_conn *c)
{
    if (c->closing)
        return;
    struct callback_server *s = c->server;
    struct callback_conn **pp = &s->conns;
    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
    s->n_conns--;
    c->closing = 2;
    uv_close((uv_handle_t *)&c->timer, conn_closed);
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    conn_close(w->data);
}

void callback_conn_respond(struct callback_conn *c, int status, const char *content_type,
                           const char *body, const char *location)
{
    if (c->answered || c->closing)
        return;
    c->answered = true;
    const char *reason = http_reason_phrase(status);
    struct buf b = BUF_INIT;
    body = body ? body : "";
    buf_printf(&b, "HTTP/1.1 %d %s\r\n", status, *reason ? reason : "Status");
    if (content_type)
        buf_printf(&b, "Content-Type: %s\r\n", content_type);
    if (location)
        buf_printf(&b, "Location: %s\r\n", location);
    buf_printf(&b, "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s",
               strlen(body), body);
    size_t len;
    c->out = buf_detach(&b, &len);
    uv_buf_t ub = uv_buf_init(c->out, (unsigned)len);
    c->write.data = c;
    if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &ub, 1, on_written) < 0)
        conn_close(c);
}

static void on_conn_timeout(uv_timer_t *t)
{
    conn_close(t->data);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)suggested;
    struct callback_conn *c = h->data;
    *b = uv_buf_init(c->scratch, sizeof c->scratch);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    struct callback_conn *c = st->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (n == 0 || c->answered)
        return;
    buf_append(&c->in, b->base, (size_t)n);
    struct http_request_head head;
    size_t used;
    int rc = http_request_head_parse(c->in.data, c->in.len, &head, &used);
    if (rc == 0)
        return;
    uv_read_stop(st);
    if (rc < 0) {
        callback_conn_respond(c, 400, "text/plain; charset=utf-8", "Bad Request", NULL);
        return;
    }
    char *q = strchr(head.target, '?');
    if (q)
        *q++ = '\0';
    struct callback_server *s = c->server;
    s->cbs.on_request(s->cbs.ud, c, head.method, head.target, q ? q : "");
    http_request_head_free(&head);
}

static void on_connection(uv_stream_t *l, int status)
{
    struct callback_server *s = l->data;
    if (status < 0 || s->closed)
        return;
    struct callback_conn *c = xcalloc(1, sizeof *c);
    c->server = s;
    uv_tcp_init(s->loop, &c->tcp);
    uv_timer_init(s->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    s->pending++;
    c->next = s->conns;
    s->conns = c;
    s->n_conns++;
    if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0 || s->n_conns > MAX_CONNS) {
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_conn_timeout, READ_TIMEOUT_MS, 0);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static int try_bind(struct callback_server *s, int port)
{
    uv_tcp_t *l = xcalloc(1, sizeof *l);
    uv_tcp_init(s->loop, l);
    l->data = s;
    s->pending++;
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", port, &addr);
    int rc = uv_tcp_bind(l, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)l, 16, on_connection);
    if (rc < 0) {
        uv_close((uv_handle_t *)l, on_handle_freed);
        return rc;
    }
    s->listener = l;
    return 0;
}

static void on_cancel_answered(void *ud, const struct http_fetch_result *res)
{
    (void)res;
    struct callback_server *s = ud;
    s->cancel_fetch = NULL;
}

/* Ask whatever holds the port (an earlier sign-in server) to stop. */
static void send_cancel(struct callback_server *s, int port)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cancel", port);
    struct http_fetch_request req = {.method = "GET", .url = url, .timeout_ms = 2000};
    s->cancel_fetch = http_fetch_start(s->loop, &req, on_cancel_answered, s);
}

static void attempt(struct callback_server *s);

static void on_retry(uv_timer_t *t)
{
    attempt(t->data);
}

static void attempt(struct callback_server *s)
{
    int rc = try_bind(s, s->current_port);
    if (rc == 0) {
        s->listening = true;
        if (s->current_port == 0) { /* any free port: say which one */
            struct sockaddr_storage name;
            int len = sizeof name;
            if (uv_tcp_getsockname(s->listener, (struct sockaddr *)&name, &len) == 0)
                s->current_port = ntohs(((struct sockaddr_in *)&name)->sin_port);
        }
        s->cbs.on_ready(s->cbs.ud, s->current_port);
        return;
    }
    if (rc == UV_EADDRINUSE) {
        if (!s->cancel_sent && s->current_port == s->port) {
            s->cancel_sent = true;
            send_cancel(s, s->port);
        }
        if (++s->attempts < BIND_ATTEMPTS) {
            uv_timer_start(s->retry, on_retry, BIND_RETRY_MS, 0);
            return;
        }
        if (s->current_port == s->port && s->fallback_port) {
            s->current_port = s->fallback_port;
            s->attempts = 0;
            uv_timer_start(s->retry, on_retry, 0, 0);
            return;
        }
    }
    char msg[160];
    if (rc == UV_EADDRINUSE)
        snprintf(msg, sizeof msg, "Port 127.0.0.1:%d is already in use", s->current_port);
    else
        snprintf(msg, sizeof msg, "cannot listen on 127.0.0.1:%d: %s", s->current_port,
                 uv_strerror(rc));
    struct callback_server_callbacks cbs = s->cbs;
    callback_server_close(s);
    cbs.on_fail(cbs.ud, msg);
}

struct callback_server *callback_server_start(uv_loop_t *loop, int port, int fallback_port,
                                              const struct callback_server_callbacks *cbs)
{
    struct callback_server *s = xcalloc(1, sizeof *s);
    s->loop = loop;
    s->cbs = *cbs;
    s->port = s->current_port = port;
    s->fallback_port = fallback_port;
    s->retry = xcalloc(1, sizeof *s->retry);
    uv_timer_init(loop, s->retry);
    s->retry->data = s;
    s->pending = 1; /* the retry timer */
    uv_timer_start(s->retry, on_retry, 0, 0); /* callbacks never run inside start */
    return s;
}

void callback_server_close(struct callback_server *s)
{
    if (!s || s->closed)
        return;
    s->closed = true;
    s->pending++; /* held until the end of this function */
    http_fetch_cancel(s->cancel_fetch);
    s->cancel_fetch = NULL;
    uv_timer_stop(s->retry);
    uv_close((uv_handle_t *)s->retry, on_handle_freed);
    if (s->listener)
        uv_close((uv_handle_t *)s->listener, on_handle_freed);
    s->listener = NULL;
    /* An answer being written is let finish (the success page must reach
     * the browser); the rest are dropped. */
    struct callback_conn *c = s->conns, *next;
    for (; c; c = next) {
        next = c->next;
        if (!c->answered)
            conn_close(c);
    }
    server_release(s);
}
