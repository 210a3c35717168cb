#include "tui/ws_client.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/un.h>

#include "rpc/jsonrpc.h"
#include "rpc/websocket.h"
#include "tui/ws_frame.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xalloc.h"

#define HANDSHAKE_TIMEOUT_MS 10000

enum ws_state { WS_RESOLVING, WS_CONNECTING, WS_HANDSHAKE, WS_OPEN, WS_CLOSED };

struct wsclient {
    uv_loop_t *loop;
    struct wsclient_callbacks cb;
    bool is_unix;
    char *host, *port, *path, *bearer;
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } sock;
    bool sock_init;
    uv_getaddrinfo_t gai;
    uv_connect_t connect_req;
    uv_timer_t timer;
    enum ws_state state;
    char key[32];
    struct buf in;
    struct buf message; /* a fragmented message being assembled */
    bool in_message;
    bool user_closed; /* wsclient_close was called */
    int open_handles;
    bool reported;
};

struct write_req {
    uv_write_t req;
    char *data;
};

static void report_closed(struct wsclient *w, const char *reason)
{
    if (w->reported || w->user_closed)
        return;
    w->reported = true;
    if (w->cb.closed)
        w->cb.closed(w->cb.ud, reason);
}

/* Drop one hold on w (a handle or the address lookup); the last frees it. */
static void release(struct wsclient *w)
{
    if (--w->open_handles > 0)
        return;
    buf_free(&w->in);
    buf_free(&w->message);
    free(w->host);
    free(w->port);
    free(w->path);
    free(w->bearer);
    free(w);
}

static void handle_closed(uv_handle_t *h)
{
    release(h->data);
}

static void shutdown_handles(struct wsclient *w)
{
    if (w->state == WS_CLOSED)
        return;
    w->state = WS_CLOSED;
    uv_timer_stop(&w->timer);
    if (w->sock_init && !uv_is_closing((uv_handle_t *)&w->sock)) {
        uv_read_stop((uv_stream_t *)&w->sock);
        uv_close((uv_handle_t *)&w->sock, handle_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&w->timer))
        uv_close((uv_handle_t *)&w->timer, handle_closed);
}

static void fail(struct wsclient *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct wsclient *w, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bool was_closed = w->state == WS_CLOSED;
    shutdown_handles(w);
    if (!was_closed)
        report_closed(w, msg);
}

static void on_written(uv_write_t *req, int status)
{
    struct write_req *wr = (struct write_req *)req;
    free(wr->data);
    free(wr);
    (void)status; /* a failed write shows up as a read error or EOF */
}

static void write_raw(struct wsclient *w, char *data, size_t len)
{
    if (w->state == WS_CLOSED) {
        free(data);
        return;
    }
    struct write_req *wr = xmalloc(sizeof *wr);
    wr->data = data;
    uv_buf_t b = uv_buf_init(data, (unsigned)len);
    if (uv_write(&wr->req, (uv_stream_t *)&w->sock, &b, 1, on_written) != 0) {
        free(data);
        free(wr);
        fail(w, "cannot write to the app server");
    }
}

static void send_frame(struct wsclient *w, int opcode, const void *payload, size_t len)
{
    unsigned char mask[4];
    char hex[9];
    random_hex(hex, 4);
    for (int i = 0; i < 4; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        mask[i] = (unsigned char)v;
    }
    struct buf out = BUF_INIT;
    wsc_encode(&out, opcode, payload, len, mask);
    size_t n;
    char *data = buf_detach(&out, &n);
    write_raw(w, data, n);
}

void wsclient_send(struct wsclient *w, const char *text, size_t len)
{
    if (w->state != WS_OPEN)
        return;
    send_frame(w, WS_OP_TEXT, text, len);
}

static void process_frames(struct wsclient *w)
{
    size_t off = 0;
    while (w->state == WS_OPEN && off < w->in.len) {
        struct wsc_frame f;
        const char *why = "";
        long n = wsc_decode((const unsigned char *)w->in.data + off, w->in.len - off,
                            JSONRPC_MAX_MESSAGE, &f, &why);
        if (n == 0)
            break;
        if (n < 0) {
            fail(w, "the app server sent a bad WebSocket frame: %s",
                 n == -2 ? "message too large" : why);
            return;
        }
        off += (size_t)n;
        switch (f.opcode) {
        case WS_OP_TEXT:
        case WS_OP_BINARY:
        case WS_OP_CONTINUATION:
            if (f.opcode != WS_OP_CONTINUATION) {
                buf_truncate(&w->message, 0);
                w->in_message = true;
            } else if (!w->in_message) {
                fail(w, "the app server sent a continuation frame out of place");
                return;
            }
            buf_append(&w->message, f.payload, f.len);
            if (w->message.len > JSONRPC_MAX_MESSAGE) {
                fail(w, "the app server sent a message over the size limit");
                return;
            }
            if (f.fin) {
                w->in_message = false;
                if (w->cb.message)
                    w->cb.message(w->cb.ud, buf_cstr(&w->message), w->message.len);
                buf_truncate(&w->message, 0);
            }
            break;
        case WS_OP_PING:
            send_frame(w, WS_OP_PONG, f.payload, f.len);
            break;
        case WS_OP_PONG:
            break;
        case WS_OP_CLOSE: {
            send_frame(w, WS_OP_CLOSE, f.payload, f.len < 2 ? 0 : 2);
            shutdown_handles(w);
            report_closed(w, "the app server closed the connection");
            return;
        }
        default:
            break;
        }
    }
    if (off > 0 && w->state != WS_CLOSED) {
        memmove(w->in.data, w->in.data + off, w->in.len - off);
        buf_truncate(&w->in, w->in.len - off);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    b->base = xmalloc(suggested);
    b->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct wsclient *w = s->data;
    if (n < 0) {
        free(b->base);
        if (w->state == WS_HANDSHAKE)
            fail(w, "the app server closed the connection during the WebSocket handshake");
        else
            fail(w, "the app server disconnected%s%s", n == UV_EOF ? "" : ": ",
                 n == UV_EOF ? "" : uv_strerror((int)n));
        return;
    }
    buf_append(&w->in, b->base, (size_t)n);
    free(b->base);
    if (w->state == WS_HANDSHAKE) {
        size_t used = 0;
        char why[256];
        int r = wsc_check_response(w->in.data, w->in.len, w->key, &used, why, sizeof why);
        if (r == 0)
            return;
        if (r < 0) {
            fail(w, "%s", why);
            return;
        }
        memmove(w->in.data, w->in.data + used, w->in.len - used);
        buf_truncate(&w->in, w->in.len - used);
        w->state = WS_OPEN;
        uv_timer_stop(&w->timer);
        if (w->cb.opened)
            w->cb.opened(w->cb.ud);
    }
    process_frames(w);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct wsclient *w = req->data;
    if (w->state == WS_CLOSED)
        return;
    if (status < 0) {
        if (w->is_unix)
            fail(w, "cannot connect to unix://%s: %s", w->path, uv_strerror(status));
        else
            fail(w, "cannot connect to ws://%s:%s: %s", w->host, w->port, uv_strerror(status));
        return;
    }
    uv_read_start((uv_stream_t *)&w->sock, on_alloc, on_read);
    if (w->is_unix) {
        /* The control socket speaks frames with no HTTP upgrade. */
        w->state = WS_OPEN;
        uv_timer_stop(&w->timer);
        if (w->cb.opened)
            w->cb.opened(w->cb.ud);
        return;
    }
    w->state = WS_HANDSHAKE;
    struct buf rq = BUF_INIT;
    char host[300];
    bool v6 = strchr(w->host, ':') != NULL;
    snprintf(host, sizeof host, "%s%s%s:%s", v6 ? "[" : "", w->host, v6 ? "]" : "", w->port);
    wsc_request(&rq, host, w->path, w->key, w->bearer);
    size_t len;
    char *data = buf_detach(&rq, &len);
    write_raw(w, data, len);
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a);
    }
    return false;
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct wsclient *w = req->data;
    if (w->user_closed || w->state == WS_CLOSED) {
        uv_freeaddrinfo(res);
        shutdown_handles(w);
        release(w); /* the lookup's hold */
        return;
    }
    w->open_handles--; /* the lookup's hold; the timer still holds w */
    if (status < 0 || !res) {
        fail(w, "cannot resolve %s: %s", w->host, uv_strerror(status));
        uv_freeaddrinfo(res);
        return;
    }
    if (w->bearer && !is_loopback(res->ai_addr)) {
        uv_freeaddrinfo(res);
        fail(w, "--remote-auth-token-env sends a token only to a loopback ws:// address "
                "(wss:// is not supported yet)");
        return;
    }
    uv_tcp_init(w->loop, &w->sock.tcp);
    w->sock.tcp.data = w;
    w->sock_init = true;
    w->open_handles++;
    w->state = WS_CONNECTING;
    w->connect_req.data = w;
    int rc = uv_tcp_connect(&w->connect_req, &w->sock.tcp, res->ai_addr, on_connected);
    uv_freeaddrinfo(res);
    if (rc != 0)
        fail(w, "cannot connect to ws://%s:%s: %s", w->host, w->port, uv_strerror(rc));
}

static void on_timeout(uv_timer_t *t)
{
    struct wsclient *w = t->data;
    fail(w, "the app server did not answer within %d seconds", HANDSHAKE_TIMEOUT_MS / 1000);
}

/* Split ws://HOST:PORT[/PATH] or unix://PATH.  Returns false with err. */
static bool parse_url(const char *url, bool *is_unix, char **host, char **port, char **path,
                      struct codex_error *err)
{
    *host = *port = *path = NULL;
    if (strncmp(url, "unix://", 7) == 0) {
        *is_unix = true;
        if (!url[7]) {
            codex_error_set(err, "--remote unix:// needs a socket path: unix://PATH");
            return false;
        }
        *path = xstrdup(url + 7);
        return true;
    }
    *is_unix = false;
    if (strncmp(url, "wss://", 6) == 0) {
        codex_error_set(err, "--remote %s: wss:// is not supported yet; use ws://HOST:PORT on a "
                             "loopback address or unix://PATH", url);
        return false;
    }
    if (strncmp(url, "ws://", 5) != 0) {
        codex_error_set(err, "--remote %s: expected ws://HOST:PORT or unix://PATH", url);
        return false;
    }
    const char *h = url + 5;
    const char *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    const char *colon;
    if (*h == '[') {
        const char *rb = memchr(h, ']', hl);
        if (!rb || rb + 1 >= h + hl || rb[1] != ':') {
            codex_error_set(err, "--remote %s: expected ws://[IPV6]:PORT", url);
            return false;
        }
        *host = xstrndup(h + 1, (size_t)(rb - h - 1));
        colon = rb + 1;
    } else {
        colon = memchr(h, ':', hl);
        if (!colon) {
            codex_error_set(err, "--remote %s: the port is missing (ws://HOST:PORT)", url);
            return false;
        }
        *host = xstrndup(h, (size_t)(colon - h));
    }
    size_t pl = (size_t)(h + hl - colon - 1);
    char *end = NULL;
    char *p = xstrndup(colon + 1, pl);
    long v = strtol(p, &end, 10);
    if (!*p || *end || v <= 0 || v > 65535 || !**host) {
        codex_error_set(err, "--remote %s: expected ws://HOST:PORT with a port from 1 to 65535",
                        url);
        free(p);
        free(*host);
        *host = NULL;
        return false;
    }
    *port = p;
    *path = xstrdup(slash ? slash : "/");
    return true;
}

int wsclient_check_url(const char *url, const char *bearer, struct codex_error *err)
{
    bool is_unix;
    char *host, *port, *path;
    if (!parse_url(url, &is_unix, &host, &port, &path, err))
        return -1;
    free(host);
    free(port);
    free(path);
    (void)bearer;
    return 0;
}

struct wsclient *wsclient_connect(uv_loop_t *loop, const char *url, const char *bearer,
                                  const struct wsclient_callbacks *cb, struct codex_error *err)
{
    bool is_unix;
    char *host, *port, *path;
    if (!parse_url(url, &is_unix, &host, &port, &path, err))
        return NULL;
    struct wsclient *w = xcalloc(1, sizeof *w);
    w->loop = loop;
    w->cb = *cb;
    w->is_unix = is_unix;
    w->host = host;
    w->port = port;
    w->path = path;
    w->bearer = bearer ? xstrdup(bearer) : NULL;
    unsigned char raw[16];
    char hex[33];
    random_hex(hex, 16);
    for (int i = 0; i < 16; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        raw[i] = (unsigned char)v;
    }
    char *k = base64_encode(raw, sizeof raw);
    snprintf(w->key, sizeof w->key, "%s", k);
    free(k);
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    w->open_handles = 1;
    uv_timer_start(&w->timer, on_timeout, HANDSHAKE_TIMEOUT_MS, 0);
    if (is_unix) {
        uv_pipe_init(loop, &w->sock.pipe, 0);
        w->sock.pipe.data = w;
        w->sock_init = true;
        w->open_handles++;
        w->state = WS_CONNECTING;
        w->connect_req.data = w;
        /* A server binds a path too long for sun_path through a symlink
         * to the real socket; connect to where it points. */
        char real[PATH_MAX];
        const char *target = w->path;
        if (strlen(w->path) >= sizeof(((struct sockaddr_un *)0)->sun_path) &&
            realpath(w->path, real))
            target = real;
        uv_pipe_connect(&w->connect_req, &w->sock.pipe, target, on_connected);
        return w;
    }
    w->state = WS_RESOLVING;
    w->gai.data = w;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    w->open_handles++;
    int rc = uv_getaddrinfo(loop, &w->gai, on_resolved, w->host, w->port, &hints);
    if (rc != 0) {
        w->open_handles--;
        codex_error_set(err, "cannot resolve %s: %s", w->host, uv_strerror(rc));
        w->user_closed = true;
        shutdown_handles(w);
        return NULL;
    }
    return w;
}

void wsclient_close(struct wsclient *w)
{
    if (!w || w->user_closed)
        return;
    w->user_closed = true;
    if (w->state == WS_OPEN)
        send_frame(w, WS_OP_CLOSE, "\x03\xe8", 2);
    if (w->state == WS_RESOLVING) {
        /* The lookup finishes (or is cancelled) first; it closes for us. */
        uv_cancel((uv_req_t *)&w->gai);
        return;
    }
    shutdown_handles(w);
}
