/* The proxy server's skeleton: listeners, the life of a connection, the
 * decision flow (decide, ask, resolve, connect) and the byte relay.  The
 * protocols live next door: http.c, socks.c, admin.c, mitm.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netproxy/np_internal.h"
#include "util/xalloc.h"

/* ---- connections ---------------------------------------------------- */

static void conn_handle_released(struct np_conn *c)
{
    if (--c->open_handles > 0)
        return;
    buf_free(&c->in);
    buf_free(&c->upstream_head);
    buf_free(&c->upstream_in);
    free(c->c2u.buf);
    free(c->u2c.buf);
    free(c->unix_socket);
    free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    conn_handle_released(h->data);
}

static void on_upstream_closed(uv_handle_t *h)
{
    struct np_upstream *u = (struct np_upstream *)h;
    struct np_conn *c = u->conn;
    free(u);
    conn_handle_released(c);
}

static void upstream_close(struct np_conn *c)
{
    if (!c->up)
        return;
    c->open_handles++;
    uv_close(&c->up->h.handle, on_upstream_closed);
    c->up = NULL;
}

static struct np_upstream *upstream_new(struct np_conn *c, bool pipe)
{
    struct np_upstream *u = xcalloc(1, sizeof *u);
    u->conn = c;
    u->is_pipe = pipe;
    if (pipe)
        uv_pipe_init(c->srv->loop, &u->h.pipe, 0);
    else
        uv_tcp_init(c->srv->loop, &u->h.tcp);
    u->h.handle.data = c;
    c->up = u;
    return u;
}

struct np_conn *np_conn_new(struct np_server *s, enum np_conn_kind kind, uint64_t attachment)
{
    struct np_conn *c = xcalloc(1, sizeof *c);
    c->srv = s;
    c->id = ++s->next_conn;
    c->kind = kind;
    c->attachment = attachment;
    c->state = NP_READ_HEAD;
    uv_tcp_init(s->loop, &c->client);
    c->client.data = c;
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    c->open_handles = 2;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    return c;
}

static void question_drop_waiter(struct np_server *s, struct np_conn *c);

void np_conn_close(struct np_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    c->state = NP_CLOSING;
    struct np_server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else if (s->conns == c)
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    np_resolve_cancel(c);
    if (c->question)
        question_drop_waiter(s, c);
    if (c->mitm)
        np_mitm_free(c);
    if (c->socks_udp)
        np_udp_assoc_close_for(s, c);
    uv_close((uv_handle_t *)&c->client, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    upstream_close(c);
}

uv_stream_t *np_up_stream(struct np_conn *c)
{
    return &c->up->h.stream;
}

static void on_timeout(uv_timer_t *t)
{
    struct np_conn *c = t->data;
    np_conn_close(c);
}

/* ---- writes and the relay -------------------------------------------- */

struct np_write {
    uv_write_t req;
    struct np_conn *conn;
    struct np_pipe *pipe; /* whose pending count this write holds */
    char *copy;
};

static void resume_source(struct np_conn *c, struct np_pipe *p);

static void on_write_done(uv_write_t *req, int status)
{
    struct np_write *w = (struct np_write *)req;
    struct np_conn *c = w->conn;
    struct np_pipe *p = w->pipe;
    free(w->copy);
    free(w);
    if (c->closing)
        return;
    p->writing--;
    if (status < 0) {
        np_conn_close(c);
        return;
    }
    resume_source(c, p);
}

static void pipe_write(struct np_conn *c, struct np_pipe *p, uv_stream_t *to, const char *data, size_t len,
                       bool copy)
{
    struct np_write *w = xcalloc(1, sizeof *w);
    w->conn = c;
    w->pipe = p;
    if (copy) {
        w->copy = xmalloc(len ? len : 1);
        memcpy(w->copy, data, len);
        data = w->copy;
    }
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
    p->writing++;
    if (uv_write(&w->req, to, &b, 1, on_write_done) != 0) {
        p->writing--;
        free(w->copy);
        free(w);
        np_conn_close(c);
    }
}

void np_write_copy(struct np_conn *c, uv_stream_t *to, const void *data, size_t len)
{
    struct np_pipe *p = to == (uv_stream_t *)&c->client ? &c->u2c : &c->c2u;
    pipe_write(c, p, to, data, len, true);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
    static char discard[4096]; /* what a draining client still sends: never looked at */
    struct np_conn *c = h->data;
    bool from_client = h == (uv_handle_t *)&c->client;
    struct np_pipe *p = from_client ? &c->c2u : &c->u2c;
    if (from_client && c->state == NP_DRAINING) {
        *out = uv_buf_init(discard, sizeof discard);
        return;
    }
    if (!p->buf)
        p->buf = xmalloc(NP_BUF_SIZE);
    *out = uv_buf_init(p->buf, NP_BUF_SIZE);
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);
static void on_upstream_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct np_conn *c = req->data;
    free(req);
    if (c->closing)
        return;
    if (c->c2u.shut && c->u2c.shut)
        np_conn_close(c);
}

static void shutdown_side(struct np_conn *c, uv_stream_t *to, struct np_pipe *p)
{
    if (p->shut)
        return;
    p->shut = true;
    uv_shutdown_t *req = xcalloc(1, sizeof *req);
    req->data = c;
    if (uv_shutdown(req, to, on_shutdown) != 0) {
        free(req);
        np_conn_close(c);
    }
}

/* After a write, or when a pipe's source ended: carry on reading, or pass
 * the end along once everything before it is written. */
static void resume_source(struct np_conn *c, struct np_pipe *p)
{
    bool c2u = p == &c->c2u;
    if (p->writing)
        return;
    if (c->state == NP_RELAY && c->mitm) {
        /* Interception pauses and resumes through the same pipes, but it
         * shuts down sides itself. */
        uv_stream_t *src = c2u ? (uv_stream_t *)&c->client : np_up_stream(c);
        if (!p->eof)
            uv_read_start(src, on_alloc, c2u ? on_client_read : on_upstream_read);
        return;
    }
    if (c->state != NP_RELAY) {
        /* A response of ours to the client went out. */
        return;
    }
    if (p->eof) {
        shutdown_side(c, c2u ? np_up_stream(c) : (uv_stream_t *)&c->client, p);
        return;
    }
    uv_read_start(c2u ? (uv_stream_t *)&c->client : np_up_stream(c), on_alloc,
                  c2u ? on_client_read : on_upstream_read);
}

static void relay_chunk(struct np_conn *c, bool from_client, const char *data, size_t len, bool copy)
{
    struct np_pipe *p = from_client ? &c->c2u : &c->u2c;
    uv_stream_t *src = from_client ? (uv_stream_t *)&c->client : np_up_stream(c);
    uv_stream_t *dst = from_client ? np_up_stream(c) : (uv_stream_t *)&c->client;
    if (len == 0)
        return;
    uv_read_stop(src);
    pipe_write(c, p, dst, data, len, copy);
}

/* Client bytes during the relay: a plain HTTP request passes only its body
 * (then the rest is dropped: the upstream request said Connection: close). */
static void relay_from_client(struct np_conn *c, const char *data, size_t len, bool copy)
{
    if (c->body_streaming && !c->upgrade) {
        const char *why = "";
        long n = http_body_feed(&c->body, data, len, &why);
        if (n < 0) {
            np_log_bad(c->srv, c, "request body", why);
            np_conn_close(c);
            return;
        }
        relay_chunk(c, true, data, (size_t)n, copy);
        return;
    }
    relay_chunk(c, true, data, len, copy);
}

void np_relay_start(struct np_conn *c)
{
    c->state = NP_RELAY;
    uv_timer_stop(&c->timer);
    if (c->body_streaming && !c->upgrade && c->body.done)
        c->in.len = 0; /* pipelined requests are not forwarded */
    if (c->in.len) {
        /* Bytes that arrived with or after the head. */
        struct buf pending = c->in;
        c->in = (struct buf)BUF_INIT;
        if (c->mitm)
            np_mitm_on_client_data(c, pending.data, pending.len);
        else
            relay_from_client(c, pending.data, pending.len, true);
        buf_free(&pending);
        if (c->closing)
            return;
    }
    if (c->upstream_in.len) {
        struct buf early = c->upstream_in;
        c->upstream_in = (struct buf)BUF_INIT;
        if (c->mitm)
            np_mitm_on_upstream_data(c, early.data, early.len);
        else
            pipe_write(c, &c->u2c, (uv_stream_t *)&c->client, early.data, early.len, true);
        buf_free(&early);
        if (c->closing)
            return;
    }
    if (!c->c2u.writing && !c->c2u.eof)
        uv_read_start((uv_stream_t *)&c->client, on_alloc, on_client_read);
    else if (c->c2u.eof && !c->c2u.writing)
        resume_source(c, &c->c2u);
    if (!c->u2c.writing)
        uv_read_start(np_up_stream(c), on_alloc, on_upstream_read);
}

static void upstream_handshake(struct np_conn *c, ssize_t n, const uv_buf_t *b);

static void on_upstream_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct np_conn *c = s->data;
    if (c->closing)
        return;
    if (n == 0)
        return;
    if (c->state == NP_UPSTREAM_HANDSHAKE) {
        upstream_handshake(c, n, b);
        return;
    }
    if (n < 0) {
        uv_read_stop(s);
        if (n != UV_EOF) {
            np_conn_close(c);
            return;
        }
        c->u2c.eof = true;
        if (c->mitm) {
            np_mitm_on_eof(c, false);
            return;
        }
        if (c->body_streaming && !c->upgrade) {
            /* A plain HTTP exchange is over once the origin closes. */
            np_conn_begin_drain(c);
            return;
        }
        resume_source(c, &c->u2c);
        return;
    }
    if (c->mitm) {
        np_mitm_on_upstream_data(c, b->base, (size_t)n);
        return;
    }
    relay_chunk(c, false, b->base, (size_t)n, false);
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct np_conn *c = s->data;
    if (c->closing || n == 0)
        return;
    if (n < 0) {
        uv_read_stop(s);
        if (n != UV_EOF || c->state != NP_RELAY) {
            /* Gone before the exchange started, after a refusal, or broken. */
            np_conn_close(c);
            return;
        }
        c->c2u.eof = true;
        if (c->mitm) {
            np_mitm_on_eof(c, true);
            return;
        }
        resume_source(c, &c->c2u);
        return;
    }
    switch (c->state) {
    case NP_RELAY:
        if (c->mitm)
            np_mitm_on_client_data(c, b->base, (size_t)n);
        else
            relay_from_client(c, b->base, (size_t)n, false);
        return;
    case NP_DRAINING:
        return;
    case NP_READ_HEAD:
        buf_append(&c->in, b->base, (size_t)n);
        if (c->kind == NP_CONN_HTTP)
            np_http_on_read(c);
        else if (c->kind == NP_CONN_SOCKS)
            np_socks_on_read(c);
        else
            np_admin_on_read(c);
        return;
    default:
        /* Waiting for an answer, a name or a connection: keep what comes,
         * within reason. */
        buf_append(&c->in, b->base, (size_t)n);
        if (c->in.len > 4 * NP_MAX_HEAD)
            uv_read_stop(s);
        return;
    }
}

static void on_connected(struct np_conn *c);

static void upstream_handshake(struct np_conn *c, ssize_t n, const uv_buf_t *b)
{
    int status = 0;
    size_t head_len = 0;
    enum http_parse_result r = HTTP_PARSE_BAD;
    if (n > 0) {
        buf_append(&c->upstream_in, b->base, (size_t)n);
        r = http_parse_response_head(c->upstream_in.data, c->upstream_in.len, NP_MAX_HEAD, &status, &head_len);
        if (r == HTTP_PARSE_INCOMPLETE)
            return;
    }
    uv_read_stop(np_up_stream(c));
    if (r != HTTP_PARSE_OK || status != 200) {
        char why[64];
        snprintf(why, sizeof why, r == HTTP_PARSE_OK ? "upstream proxy answered %d" : "upstream proxy failed",
                 status);
        np_log_decision(c->srv, c, "upstream_error", why, NULL);
        if (c->kind == NP_CONN_SOCKS)
            np_socks_refuse(c, "refused");
        else
            np_conn_reply_text(c, 502, why);
        return;
    }
    /* Bytes after the head are the origin's: they reach the client once
     * the relay starts. */
    memmove(c->upstream_in.data, c->upstream_in.data + head_len, c->upstream_in.len - head_len);
    c->upstream_in.len -= head_len;
    c->via_upstream_proxy = false; /* the tunnel stands: carry on as if direct */
    c->state = NP_CONNECTING;
    on_connected(c);
}

/* ---- replies --------------------------------------------------------- */

void np_conn_begin_drain(struct np_conn *c)
{
    c->state = NP_DRAINING;
    uv_timer_stop(&c->timer);
    uv_timer_start(&c->timer, on_timeout, NP_DRAIN_MS, 0);
    shutdown_side(c, (uv_stream_t *)&c->client, &c->u2c);
    /* Keep reading (and discarding) so the client sees the reply rather
     * than a reset; its EOF closes the connection. */
    uv_read_start((uv_stream_t *)&c->client, on_alloc, on_client_read);
}

void np_conn_read_client(struct np_conn *c)
{
    uv_read_start((uv_stream_t *)&c->client, on_alloc, on_client_read);
}

void np_conn_reply(struct np_conn *c, const char *status_line, const char *content_type, const char *extra_headers,
                   const char *body, size_t body_len)
{
    struct buf out = BUF_INIT;
    buf_printf(&out, "HTTP/1.1 %s\r\n", status_line);
    if (content_type)
        buf_printf(&out, "content-type: %s\r\n", content_type);
    if (extra_headers)
        buf_puts(&out, extra_headers);
    buf_printf(&out, "content-length: %zu\r\nconnection: close\r\n\r\n", body_len);
    buf_append(&out, body, body_len);
    c->u2c.eof = true;
    np_write_copy(c, (uv_stream_t *)&c->client, out.data, out.len);
    buf_free(&out);
    if (!c->closing)
        np_conn_begin_drain(c);
}

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "200 OK";
    case 400: return "400 Bad Request";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 405: return "405 Method Not Allowed";
    case 501: return "501 Not Implemented";
    case 502: return "502 Bad Gateway";
    case 503: return "503 Service Unavailable";
    case 504: return "504 Gateway Timeout";
    }
    return "500 Internal Server Error";
}

void np_conn_reply_text(struct np_conn *c, int status, const char *body)
{
    np_conn_reply(c, status_text(status), "text/plain", NULL, body, strlen(body));
}

const char *np_blocked_header(const char *reason)
{
    if (strcmp(reason, NETPROXY_REASON_NOT_ALLOWED) == 0 || strcmp(reason, NETPROXY_REASON_NOT_ALLOWED_LOCAL) == 0)
        return "blocked-by-allowlist";
    if (strcmp(reason, NETPROXY_REASON_DENIED) == 0)
        return "blocked-by-denylist";
    if (strcmp(reason, NETPROXY_REASON_METHOD_NOT_ALLOWED) == 0)
        return "blocked-by-method-policy";
    return "blocked-by-policy";
}

const char *np_blocked_text(const char *reason)
{
    if (strcmp(reason, NETPROXY_REASON_NOT_ALLOWED) == 0)
        return "Domain not in allowlist.";
    if (strcmp(reason, NETPROXY_REASON_NOT_ALLOWED_LOCAL) == 0)
        return "Sandbox policy blocks local/private network addresses.";
    if (strcmp(reason, NETPROXY_REASON_DENIED) == 0)
        return "Domain denied by the sandbox policy.";
    if (strcmp(reason, NETPROXY_REASON_METHOD_NOT_ALLOWED) == 0)
        return "Method not allowed in limited mode.";
    return "Request blocked by network policy.";
}

/* ---- logging and the record of refusals ------------------------------- */

static void json_escape_into(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_printf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            buf_printf(b, "\\u%04x", ch);
        else
            buf_putc(b, (char)ch);
    }
    buf_putc(b, '"');
}

static void log_common(struct buf *b, const struct np_conn *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    buf_printf(b, "{\"ts\":\"%s.%03ldZ\"", when, ts.tv_nsec / 1000000);
    if (c) {
        buf_printf(b, ",\"conn\":%llu,\"attachment\":%llu", (unsigned long long)c->id,
                   (unsigned long long)c->attachment);
        if (c->host[0]) {
            buf_puts(b, ",\"protocol\":");
            json_escape_into(b, netproxy_protocol_name(c->protocol));
            buf_puts(b, ",\"host\":");
            json_escape_into(b, c->host);
            buf_printf(b, ",\"port\":%u", (unsigned)c->port);
        }
        if (c->method[0]) {
            buf_puts(b, ",\"method\":");
            json_escape_into(b, c->method);
        }
    }
}

void np_log_decision(struct np_server *s, const struct np_conn *c, const char *decision, const char *reason,
                     const char *source)
{
    struct buf b = BUF_INIT;
    log_common(&b, c);
    buf_puts(&b, ",\"decision\":");
    json_escape_into(&b, decision);
    if (reason) {
        buf_puts(&b, ",\"reason\":");
        json_escape_into(&b, reason);
    }
    if (source) {
        buf_puts(&b, ",\"source\":");
        json_escape_into(&b, source);
    }
    buf_puts(&b, "}\n");
    np_log_line(s, b.data);
    buf_free(&b);
}

void np_log_bad(struct np_server *s, const struct np_conn *c, const char *what, const char *why)
{
    struct buf b = BUF_INIT;
    log_common(&b, c);
    buf_puts(&b, ",\"decision\":\"bad_request\",\"what\":");
    json_escape_into(&b, what);
    buf_puts(&b, ",\"why\":");
    json_escape_into(&b, why);
    buf_puts(&b, "}\n");
    np_log_line(s, b.data);
    buf_free(&b);
}

void np_record_blocked(struct np_server *s, const struct np_conn *c, const char *reason)
{
    struct np_blocked_entry *e = &s->blocked[s->blocked_next];
    s->blocked_next = (s->blocked_next + 1) % NP_BLOCKED_KEEP;
    if (s->n_blocked < NP_BLOCKED_KEEP)
        s->n_blocked++;
    memset(e, 0, sizeof *e);
    snprintf(e->host, sizeof e->host, "%s", c->host);
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    snprintf(e->protocol, sizeof e->protocol, "%s", netproxy_protocol_name(c->protocol));
    snprintf(e->method, sizeof e->method, "%s", c->method);
    e->port = c->port;
    e->ts = (long long)time(NULL);
    if (s->hooks.blocked) {
        struct np_block_info info = {c->attachment, c->host, c->port, c->protocol, reason,
                                     c->method[0] ? c->method : NULL};
        s->hooks.blocked(s->hooks.ud, &info);
    }
}

/* ---- the decision flow ------------------------------------------------ */

void np_conn_refuse(struct np_conn *c, const char *reason, const char *source, const char *message)
{
    np_log_decision(c->srv, c, "deny", reason, source);
    np_record_blocked(c->srv, c, reason);
    if (c->kind == NP_CONN_SOCKS)
        np_socks_refuse(c, reason);
    else
        np_http_refuse(c, reason, source, message);
}

static void on_connected(struct np_conn *c);
static void try_next_address(struct np_conn *c);

static void on_tcp_connect(uv_connect_t *req, int status)
{
    struct np_conn *c = req->data;
    if (c->closing)
        return;
    if (status < 0) {
        /* Try the next address on a fresh handle. */
        upstream_close(c);
        if (c->next_addr < c->n_addrs) {
            try_next_address(c);
            return;
        }
        np_log_decision(c->srv, c, "upstream_error", uv_err_name(status), NULL);
        if (c->kind == NP_CONN_SOCKS) {
            np_socks_refuse(c, status == UV_ECONNREFUSED ? "refused" : "unreachable");
        } else {
            char body[400];
            snprintf(body, sizeof body, "cannot connect to %s:%u: %s", c->host, (unsigned)c->port,
                     uv_strerror(status));
            np_conn_reply_text(c, 502, body);
        }
        return;
    }
    on_connected(c);
}

static int parse_hostport(const char *url, char *host, size_t hostlen, uint16_t *port)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    struct http_target t;
    const char *why;
    size_t n = strcspn(s, "/");
    bool any_port = n >= 2 && s[n - 2] == ':' && s[n - 1] == '0'; /* listen on an ephemeral port */
    if (http_parse_authority(s, any_port ? n - 2 : n, 80, &t, &why) != 0)
        return -1;
    if (any_port)
        t.port = 0;
    snprintf(host, hostlen, "%s", t.host);
    *port = t.port;
    return 0;
}

static void try_next_address(struct np_conn *c)
{
    const struct ip_addr *a = &c->addrs[c->next_addr++];
    uint16_t port = c->port;
    if (c->via_upstream_proxy) {
        char h[256];
        parse_hostport(c->srv->cfg.upstream_proxy, h, sizeof h, &port);
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (a->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, a->bytes, 4);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, a->bytes, 16);
    }
    struct np_upstream *u = upstream_new(c, false);
    c->connect_req.data = c;
    int r = uv_tcp_connect(&c->connect_req, &u->h.tcp, (struct sockaddr *)&ss, on_tcp_connect);
    if (r != 0) {
        /* Report like a failed connection attempt. */
        on_tcp_connect(&c->connect_req, r);
    }
}

static void on_pipe_connect(uv_connect_t *req, int status)
{
    struct np_conn *c = req->data;
    if (c->closing)
        return;
    if (status < 0) {
        np_log_decision(c->srv, c, "upstream_error", uv_err_name(status), NULL);
        np_conn_reply_text(c, 502, "unix socket proxy failed");
        return;
    }
    on_connected(c);
}

void np_conn_connect_unix(struct np_conn *c)
{
    c->state = NP_CONNECTING;
    struct np_upstream *u = upstream_new(c, true);
    c->connect_req.data = c;
    uv_pipe_connect(&c->connect_req, &u->h.pipe, c->unix_socket, on_pipe_connect);
}

static void on_connected(struct np_conn *c)
{
    uv_tcp_nodelay(&c->client, 1);
    if (!c->up->is_pipe)
        uv_tcp_nodelay(&c->up->h.tcp, 1);
    if (c->via_upstream_proxy && c->protocol != NETPROXY_HTTP) {
        /* A tunnel through the upstream proxy: ask it for one first. */
        char req[600];
        bool v6 = strchr(c->host, ':') != NULL;
        int n = snprintf(req, sizeof req,
                         v6 ? "CONNECT [%s]:%u HTTP/1.1\r\nHost: [%s]:%u\r\n\r\n"
                            : "CONNECT %s:%u HTTP/1.1\r\nHost: %s:%u\r\n\r\n",
                         c->host, (unsigned)c->port, c->host, (unsigned)c->port);
        c->state = NP_UPSTREAM_HANDSHAKE;
        np_write_copy(c, np_up_stream(c), req, (size_t)n);
        if (!c->closing)
            uv_read_start(np_up_stream(c), on_alloc, on_upstream_read);
        return;
    }
    uv_timer_stop(&c->timer);
    if (c->kind == NP_CONN_SOCKS)
        np_socks_on_connected(c);
    else
        np_http_on_connected(c);
}

static void on_resolved(struct np_conn *c, int status, const struct ip_addr *addrs, size_t n)
{
    if (c->closing)
        return;
    if (status != 0 || n == 0) {
        np_log_decision(c->srv, c, "resolve_error", status ? uv_err_name(status) : "no address", NULL);
        if (c->kind == NP_CONN_SOCKS) {
            np_socks_refuse(c, "unreachable");
        } else {
            char body[300];
            snprintf(body, sizeof body, "cannot resolve %s", c->host);
            np_conn_reply_text(c, 502, body);
        }
        return;
    }
    c->n_addrs = 0;
    for (size_t i = 0; i < n && c->n_addrs < NP_MAX_ADDRS; i++) {
        if (!c->via_upstream_proxy && !np_policy_address_ok(&c->srv->policy, &c->decision, &addrs[i])) {
            /* A listed name that leads to a local address (DNS rebinding). */
            np_conn_refuse(c, NETPROXY_REASON_NOT_ALLOWED_LOCAL, "baseline_policy", NULL);
            return;
        }
        c->addrs[c->n_addrs++] = addrs[i];
    }
    c->next_addr = 0;
    c->state = NP_CONNECTING;
    uv_timer_stop(&c->timer);
    uv_timer_start(&c->timer, on_timeout, NP_CONNECT_TIMEOUT_MS, 0);
    try_next_address(c);
}

static void proceed_allowed(struct np_conn *c)
{
    np_log_decision(c->srv, c, "allow", NULL, c->decision.source);
    if (c->unix_socket) {
        np_conn_connect_unix(c);
        return;
    }
    const struct netproxy_config *cfg = &c->srv->cfg;
    c->via_upstream_proxy = cfg->allow_upstream_proxy && cfg->upstream_proxy && c->protocol != NETPROXY_SOCKS5_UDP;
    c->state = NP_RESOLVING;
    np_resolve_start(c, on_resolved);
}

/* Questions ------------------------------------------------------------ */

static void question_free(struct np_question *q)
{
    free(q->host);
    free(q->waiters);
    free(q);
}

static void question_unlink(struct np_server *s, struct np_question *q)
{
    for (struct np_question **pp = &s->questions; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            return;
        }
}

static void question_drop_waiter(struct np_server *s, struct np_conn *c)
{
    struct np_question *q = c->question;
    c->question = NULL;
    for (size_t i = 0; i < q->n_waiters; i++)
        if (q->waiters[i] == c) {
            q->waiters[i] = q->waiters[--q->n_waiters];
            break;
        }
    if (q->n_waiters == 0) {
        question_unlink(s, q);
        if (s->hooks.withdrawn)
            s->hooks.withdrawn(s->hooks.ud, q->id);
        question_free(q);
    }
}

static void ask(struct np_conn *c)
{
    struct np_server *s = c->srv;
    c->state = NP_WAIT_ANSWER;
    uv_timer_stop(&c->timer); /* a person may take a while */
    np_log_decision(s, c, "ask", c->decision.reason, c->decision.source);
    for (struct np_question *q = s->questions; q; q = q->next)
        if (q->port == c->port && q->protocol == c->protocol && strcmp(q->host, c->host) == 0) {
            q->waiters = xrealloc(q->waiters, (q->n_waiters + 1) * sizeof *q->waiters);
            q->waiters[q->n_waiters++] = c;
            c->question = q;
            return;
        }
    struct np_question *q = xcalloc(1, sizeof *q);
    q->id = ++s->next_question;
    q->host = xstrdup(c->host);
    q->port = c->port;
    q->protocol = c->protocol;
    q->attachment = c->attachment;
    q->waiters = xmalloc(sizeof *q->waiters);
    q->waiters[0] = c;
    q->n_waiters = 1;
    q->next = s->questions;
    s->questions = q;
    c->question = q;
    struct np_question_info info = {q->id, q->attachment, q->host, q->port, q->protocol};
    s->hooks.ask(s->hooks.ud, &info);
}

void np_server_answer(struct np_server *s, uint64_t id, enum netproxy_answer a, const char *reason)
{
    struct np_question *q = s->questions;
    while (q && q->id != id)
        q = q->next;
    if (!q)
        return;
    question_unlink(s, q);
    bool allow = a == NETPROXY_ALLOW_ONCE || a == NETPROXY_ALLOW_SESSION || a == NETPROXY_ALLOW_ALWAYS;
    /* Remembered for the session: "for the session" and "always"; a plain
     * no, like a plain yes, holds for this request only (the reference's
     * session cache takes no plain denials either). */
    if (a == NETPROXY_ALLOW_SESSION)
        np_policy_grant(&s->policy, q->host, q->protocol, q->port, false);
    /* "Always" is about the host, every protocol and port, as the
     * reference adds it to its allowed or denied domains (and as the
     * network_rule it writes is read back). */
    if (a == NETPROXY_ALLOW_ALWAYS || a == NETPROXY_DENY_ALWAYS)
        np_policy_grant_host(&s->policy, q->host, !allow);
    /* Waiters may close while being handled: work from a copy. */
    size_t n = q->n_waiters;
    struct np_conn **waiters = q->waiters;
    q->waiters = NULL;
    q->n_waiters = 0;
    for (size_t i = 0; i < n; i++)
        waiters[i]->question = NULL;
    for (size_t i = 0; i < n; i++) {
        struct np_conn *c = waiters[i];
        if (c->closing)
            continue;
        if (allow) {
            c->decision.verdict = NP_ALLOW;
            c->decision.source = "decider";
            proceed_allowed(c);
        } else {
            np_conn_refuse(c, NETPROXY_REASON_NOT_ALLOWED, "decider",
                           reason && *reason ? reason : "Declined by the user.");
        }
    }
    free(waiters);
    question_free(q);
}

void np_conn_start(struct np_conn *c)
{
    np_policy_decide(&c->srv->policy, c->host, c->protocol, c->port, &c->decision);
    switch (c->decision.verdict) {
    case NP_DENY:
        np_conn_refuse(c, c->decision.reason, c->decision.source, NULL);
        return;
    case NP_ASK:
        if (c->srv->hooks.ask) {
            ask(c);
            return;
        }
        np_conn_refuse(c, NETPROXY_REASON_NOT_ALLOWED, "baseline_policy", NULL);
        return;
    case NP_ALLOW:
        proceed_allowed(c);
        return;
    }
}

/* ---- listeners -------------------------------------------------------- */

static void on_listener_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_new_connection(uv_stream_t *server, int status)
{
    struct np_listener *l = server->data;
    if (status < 0)
        return;
    enum np_conn_kind kind = l->kind == NP_LISTEN_HTTP ? NP_CONN_HTTP
                             : l->kind == NP_LISTEN_SOCKS ? NP_CONN_SOCKS
                                                          : NP_CONN_ADMIN;
    struct np_conn *c = np_conn_new(l->srv, kind, l->attachment);
    if (uv_accept(server, (uv_stream_t *)&c->client) != 0) {
        np_conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_timeout, NP_HEAD_TIMEOUT_MS, 0);
    uv_read_start((uv_stream_t *)&c->client, on_alloc, on_client_read);
}

static struct np_listener *listener_new(struct np_server *s, enum np_listener_kind kind, uint64_t attachment)
{
    struct np_listener *l = xcalloc(1, sizeof *l);
    l->srv = s;
    l->kind = kind;
    l->attachment = attachment;
    uv_tcp_init(s->loop, &l->tcp);
    l->tcp.data = l;
    return l;
}

int np_server_adopt_listener(struct np_server *s, int fd, enum np_listener_kind kind, uint64_t attachment,
                             struct codex_error *err)
{
    struct np_listener *l = listener_new(s, kind, attachment);
    int r = uv_tcp_open(&l->tcp, fd);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&l->tcp, 128, on_new_connection);
    if (r != 0) {
        codex_error_set(err, "cannot listen on the command's socket: %s", uv_strerror(r));
        uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
        return -1;
    }
    l->next = s->listeners;
    s->listeners = l;
    return 0;
}

static int listen_on(struct np_server *s, const char *url, bool allow_non_loopback, const char *what,
                     enum np_listener_kind kind, char *addr_out, size_t addr_len, struct codex_error *err)
{
    char host[256] = "127.0.0.1";
    uint16_t port = 0;
    if (url && parse_hostport(url, host, sizeof host, &port) != 0) {
        codex_error_set(err, "invalid %s \"%s\"; write http://127.0.0.1:PORT", what, url);
        return -1;
    }
    if (!url)
        port = 0;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    struct ip_addr a;
    if (!ip_parse(host, &a)) {
        snprintf(host, sizeof host, "127.0.0.1");
        ip_parse(host, &a);
    }
    bool loopback = host_is_loopback_name(host);
    if (!loopback && !allow_non_loopback) {
        /* Only an explicit dangerously_* setting exposes the proxy. */
        fprintf(stderr,
                "codex-network-proxy: %s %s is not a loopback address; listening on 127.0.0.1 instead "
                "(set dangerously_allow_non_loopback_%s to allow it)\n",
                what, url, kind == NP_LISTEN_ADMIN ? "admin" : "proxy");
        snprintf(host, sizeof host, "127.0.0.1");
        ip_parse(host, &a);
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (a.family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, a.bytes, 16);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, a.bytes, 4);
    }
    struct np_listener *l = listener_new(s, kind, 0);
    int r = uv_tcp_bind(&l->tcp, (struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&l->tcp, 128, on_new_connection);
    if (r != 0) {
        codex_error_set(err, "cannot listen for the %s on %s:%u: %s", what, host, (unsigned)port, uv_strerror(r));
        uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
        return -1;
    }
    struct sockaddr_storage bound;
    memset(&bound, 0, sizeof bound);
    int blen = sizeof bound;
    uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &blen);
    char ip[INET6_ADDRSTRLEN] = "";
    unsigned bport;
    if (bound.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&bound)->sin6_addr, ip, sizeof ip);
        bport = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&bound)->sin_addr, ip, sizeof ip);
        bport = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
    int w = snprintf(addr_out, addr_len, bound.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, bport);
    if (w < 0 || (size_t)w >= addr_len)
        addr_out[0] = '\0';
    l->next = s->listeners;
    s->listeners = l;
    return 0;
}

int np_server_listen(struct np_server *s, struct codex_error *err)
{
    const struct netproxy_config *cfg = &s->cfg;
    if (listen_on(s, cfg->admin_url, cfg->allow_non_loopback_admin, "admin endpoint", NP_LISTEN_ADMIN,
                  s->admin_addr, sizeof s->admin_addr, err) != 0)
        return -1;
    if (cfg->proxy_url &&
        listen_on(s, cfg->proxy_url, cfg->allow_non_loopback_proxy, "proxy_url", NP_LISTEN_HTTP, s->http_addr,
                  sizeof s->http_addr, err) != 0)
        return -1;
    if (cfg->socks_url && cfg->enable_socks5 &&
        listen_on(s, cfg->socks_url, cfg->allow_non_loopback_proxy, "socks_url", NP_LISTEN_SOCKS, s->socks_addr,
                  sizeof s->socks_addr, err) != 0)
        return -1;
    return 0;
}

void np_server_detach(struct np_server *s, uint64_t attachment)
{
    for (struct np_listener **pp = &s->listeners; *pp;) {
        struct np_listener *l = *pp;
        if (l->attachment == attachment && attachment != 0) {
            *pp = l->next;
            uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
        } else {
            pp = &l->next;
        }
    }
    for (struct np_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (c->attachment == attachment && attachment != 0)
            np_conn_close(c);
    }
    np_udp_close_all(s, attachment, false);
}

/* ---- the server ------------------------------------------------------- */

struct np_server *np_server_new(uv_loop_t *loop, const struct netproxy_config *cfg,
                                const struct np_server_hooks *hooks, struct codex_error *err)
{
    struct np_server *s = xcalloc(1, sizeof *s);
    s->loop = loop;
    s->log_fd = -1;
    json_t *j = netproxy_config_to_json(cfg);
    int r = netproxy_config_from_json(j, &s->cfg, err);
    json_decref(j);
    if (r != 0) {
        netproxy_config_free(&s->cfg);
        free(s);
        return NULL;
    }
    if (hooks)
        s->hooks = *hooks;
    if (!s->hooks.ask)
        s->cfg.ask = false;
    if (np_policy_init(&s->policy, &s->cfg, err) != 0) {
        netproxy_config_free(&s->cfg);
        free(s);
        return NULL;
    }
    if (np_log_open(s, err) != 0 || (s->cfg.mode == NETPROXY_MODE_LIMITED && np_tls_init(s, err) != 0)) {
        np_server_close(s);
        np_server_free(s);
        return NULL;
    }
    return s;
}

const char *np_server_admin_addr(const struct np_server *s)
{
    return s->admin_addr;
}

const char *np_server_http_addr(const struct np_server *s)
{
    return s->http_addr;
}

const char *np_server_socks_addr(const struct np_server *s)
{
    return s->socks_addr;
}

const char *np_server_ca_cert(const struct np_server *s)
{
    return s->tls ? np_tls_ca_cert(s) : NULL;
}

const char *np_server_ca_bundle(const struct np_server *s)
{
    return s->tls ? np_tls_ca_bundle(s) : NULL;
}

void np_server_close(struct np_server *s)
{
    if (s->closing)
        return;
    s->closing = true;
    while (s->listeners) {
        struct np_listener *l = s->listeners;
        s->listeners = l->next;
        uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
    }
    while (s->conns)
        np_conn_close(s->conns);
    np_udp_close_all(s, 0, true);
    while (s->questions) {
        struct np_question *q = s->questions;
        s->questions = q->next;
        question_free(q);
    }
    np_log_close(s);
}

void np_server_free(struct np_server *s)
{
    if (!s)
        return;
    np_tls_free(s);
    np_policy_free(&s->policy);
    netproxy_config_free(&s->cfg);
    buf_free(&s->log_pending);
    buf_free(&s->log_inflight);
    free(s);
}

const char *netproxy_answer_name(enum netproxy_answer a)
{
    switch (a) {
    case NETPROXY_ALLOW_ONCE: return "allow_once";
    case NETPROXY_ALLOW_SESSION: return "allow_session";
    case NETPROXY_ALLOW_ALWAYS: return "allow_always";
    case NETPROXY_DENY: return "deny";
    case NETPROXY_DENY_ALWAYS: return "deny_always";
    }
    return "deny";
}

int netproxy_answer_parse(const char *s, enum netproxy_answer *out)
{
    static const enum netproxy_answer all[] = {NETPROXY_ALLOW_ONCE, NETPROXY_ALLOW_SESSION, NETPROXY_ALLOW_ALWAYS,
                                               NETPROXY_DENY, NETPROXY_DENY_ALWAYS};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, netproxy_answer_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}
