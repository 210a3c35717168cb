/* The loopback listener the browser is sent back to at the end of an OAuth
 * sign-in: 127.0.0.1 only, one request line read per connection (bounded),
 * GET /callback?... handed over, everything else answered 404. */
#include "mcp/oauth_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_REQUEST 8192

struct mcp_callback_listener {
    uv_tcp_t server;
    void (*got)(void *ud, const char *query);
    void *ud;
    bool done;
    int open;       /* handles still open: the server and connections */
    bool closing;
};

struct conn {
    uv_tcp_t tcp;
    struct mcp_callback_listener *l;
    struct buf in;
    uv_write_t write;
    char *reply;
};

static void maybe_free(struct mcp_callback_listener *l)
{
    if (l->closing && l->open == 0)
        free(l);
}

static void conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct mcp_callback_listener *l = c->l;
    buf_free(&c->in);
    free(c->reply);
    free(c);
    l->open--;
    maybe_free(l);
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    struct conn *c = w->data;
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void reply(struct conn *c, const char *status, const char *text)
{
    c->reply = xasprintf("HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         status, strlen(text), text);
    uv_buf_t b = uv_buf_init(c->reply, (unsigned)strlen(c->reply));
    c->write.data = c;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    b->base = xmalloc(suggested);
    b->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct conn *c = s->data;
    if (n > 0)
        buf_append(&c->in, b->base, (size_t)n);
    free(b->base);
    if (n < 0) {
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
        return;
    }
    const char *end = c->in.data ? strstr(buf_cstr(&c->in), "\r\n") : NULL;
    if (!end) {
        if (c->in.len > MAX_REQUEST)
            reply(c, "431 Request Header Fields Too Large", "Too large.");
        return;
    }
    const char *line = buf_cstr(&c->in);
    static const char prefix[] = "GET /callback";
    struct mcp_callback_listener *l = c->l;
    if (strncmp(line, prefix, sizeof prefix - 1) != 0 ||
        (line[sizeof prefix - 1] != '?' && line[sizeof prefix - 1] != ' ')) {
        reply(c, "404 Not Found", "Not found.");
        return;
    }
    const char *q = line + sizeof prefix - 1;
    const char *sp = strchr(q, ' ');
    char *query = *q == '?' ? xstrndup(q + 1, (size_t)((sp ? sp : end) - q - 1)) : xstrdup("");
    bool first = !l->done;
    l->done = true;
    reply(c, "200 OK",
          first ? "<!doctype html><title>Codex</title><p>Signed in. You can close this window and "
                  "go back to Codex.</p>"
                : "<!doctype html><title>Codex</title><p>This sign-in was already used.</p>");
    if (first)
        l->got(l->ud, query);
    free(query);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct mcp_callback_listener *l = server->data;
    if (status < 0 || l->closing)
        return;
    struct conn *c = xcalloc(1, sizeof *c);
    c->l = l;
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    l->open++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void server_closed(uv_handle_t *h)
{
    struct mcp_callback_listener *l = h->data;
    l->open--;
    maybe_free(l);
}

struct mcp_callback_listener *mcp_callback_listen(uv_loop_t *loop, unsigned short port,
                                                  void (*got)(void *ud, const char *query), void *ud,
                                                  unsigned short *bound_port, char **err)
{
    struct mcp_callback_listener *l = xcalloc(1, sizeof *l);
    l->got = got;
    l->ud = ud;
    uv_tcp_init(loop, &l->server);
    l->server.data = l;
    l->open = 1;
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", port, &addr);
    int rc = uv_tcp_bind(&l->server, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&l->server, 8, on_connection);
    if (rc < 0) {
        *err = xasprintf("cannot listen on 127.0.0.1:%u for the sign-in callback: %s", port,
                         uv_strerror(rc));
        l->closing = true;
        uv_close((uv_handle_t *)&l->server, server_closed);
        return NULL;
    }
    struct sockaddr_storage name;
    int len = sizeof name;
    uv_tcp_getsockname(&l->server, (struct sockaddr *)&name, &len);
    *bound_port = ntohs(((struct sockaddr_in *)&name)->sin_port);
    return l;
}

void mcp_callback_close(struct mcp_callback_listener *l)
{
    if (!l || l->closing)
        return;
    l->closing = true;
    uv_close((uv_handle_t *)&l->server, server_closed);
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                 : -1;
}

char *mcp_query_param(const char *query, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = query; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            struct buf b = BUF_INIT;
            for (size_t i = n + 1; i < len; i++) {
                if (p[i] == '+') {
                    buf_putc(&b, ' ');
                } else if (p[i] == '%' && i + 2 < len && hex(p[i + 1]) >= 0 && hex(p[i + 2]) >= 0) {
                    buf_putc(&b, (char)(hex(p[i + 1]) * 16 + hex(p[i + 2])));
                    i += 2;
                } else {
                    buf_putc(&b, p[i]);
                }
            }
            return buf_detach(&b, NULL);
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}
