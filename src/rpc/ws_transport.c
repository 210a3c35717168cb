#include "rpc/ws_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>

#include "rpc/jsonrpc.h"
#include "rpc/websocket.h"
#include "rpc/ws_auth.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

struct ws_client;

/* A listener or a client: TCP for ws://, a Unix socket for unix://. */
union ws_stream {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
};

struct ws_server {
    struct rpc_server *server;
    union ws_stream listener;
    bool on_unix;
    char *socket_path;   /* unix://: what we bound, removed at exit */
    char *socket_target; /* where a long path's symlink points, or NULL */
    uv_signal_t sigint, sigterm;
    const struct ws_auth_policy *auth; /* ws:// only; a unix socket is guarded by its mode */
    struct ws_client *clients;
    int next_id;
    bool stopping;
};

struct ws_client {
    union ws_stream io;
    struct ws_server *ws;
    struct rpc_conn *conn; /* NULL until upgraded */
    char label[80];
    struct buf in;         /* bytes received, not yet processed */
    struct buf message;    /* fragments of the current data message */
    bool in_message;
    bool closing;
    struct ws_client *next;
};

struct ws_write {
    uv_write_t req;
    struct ws_client *client;
    char *data;       /* freed after the write */
    size_t rpc_len;   /* > 0 when this was an rpc_conn message */
    unsigned char header[10];
};


/* ---- Writing ------------------------------------------------------------ */

static void write_done(uv_write_t *req, int status)
{
    struct ws_write *w = (struct ws_write *)req;
    if (w->rpc_len && w->client->conn)
        rpc_conn_sent(w->client->conn, w->rpc_len);
    free(w->data);
    free(w);
    (void)status; /* a failed write shows up as a read error or EOF */
}

/* Queue raw bytes (header may be NULL). */
static void write_raw(struct ws_client *c, const unsigned char *header, size_t header_len,
                      char *data, size_t len, size_t rpc_len)
{
    struct ws_write *w = xcalloc(1, sizeof *w);
    w->client = c;
    w->data = data;
    w->rpc_len = rpc_len;
    uv_buf_t bufs[2];
    int n = 0;
    if (header_len) {
        memcpy(w->header, header, header_len);
        bufs[n++] = uv_buf_init((char *)w->header, (unsigned)header_len);
    }
    bufs[n++] = uv_buf_init(data, (unsigned)len);
    if (uv_is_closing((uv_handle_t *)&c->io) ||
        uv_write(&w->req, (uv_stream_t *)&c->io, bufs, n, write_done) != 0) {
        if (rpc_len && c->conn)
            rpc_conn_sent(c->conn, rpc_len);
        free(data);
        free(w);
    }
}

static void write_frame(struct ws_client *c, int opcode, const void *payload, size_t len)
{
    unsigned char header[10];
    size_t hl = ws_frame_header(header, opcode, len);
    char *copy = xmalloc(len + 1);
    memcpy(copy, payload, len);
    write_raw(c, header, hl, copy, len, 0);
}

static void write_http(struct ws_client *c, const char *status, const char *body)
{
    char *text = xasprintf("HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                           "Connection: close\r\n\r\n%s",
                           status, strlen(body), body);
    write_raw(c, NULL, 0, text, strlen(text), 0);
}

/* ---- Closing ------------------------------------------------------------ */

static void client_closed(uv_handle_t *h)
{
    struct ws_client *c = h->data;
    struct ws_server *ws = c->ws;
    for (struct ws_client **p = &ws->clients; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    buf_free(&c->in);
    buf_free(&c->message);
    struct rpc_conn *conn = c->conn;
    free(c);
    if (conn)
        rpc_conn_transport_closed(conn);
}

static void shutdown_done(uv_shutdown_t *req, int status)
{
    (void)status;
    struct ws_client *c = req->data;
    free(req);
    if (!uv_is_closing((uv_handle_t *)&c->io))
        uv_close((uv_handle_t *)&c->io, client_closed);
}

/* Flush what is queued, then close. */
static void close_client(struct ws_client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_read_stop((uv_stream_t *)&c->io);
    uv_shutdown_t *req = xmalloc(sizeof *req);
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->io, shutdown_done) != 0) {
        free(req);
        uv_close((uv_handle_t *)&c->io, client_closed);
    }
}

static void send_close(struct ws_client *c, unsigned code, const char *reason)
{
    unsigned char payload[125];
    size_t n = strlen(reason) > 120 ? 120 : strlen(reason);
    payload[0] = (unsigned char)(code >> 8);
    payload[1] = (unsigned char)code;
    memcpy(payload + 2, reason, n);
    write_frame(c, WS_OP_CLOSE, payload, n + 2);
}

/* ---- rpc_conn transport ops --------------------------------------------- */

static void ws_send(struct rpc_conn *conn, char *data, size_t len)
{
    struct ws_client *c = conn->transport;
    unsigned char header[10];
    size_t hl = ws_frame_header(header, WS_OP_TEXT, len);
    write_raw(c, header, hl, data, len, len);
}

static void ws_close(struct rpc_conn *conn)
{
    struct ws_client *c = conn->transport;
    if (conn->aborting) { /* the client is not reading: do not wait for it */
        c->closing = true;
        uv_read_stop((uv_stream_t *)&c->io);
        if (!uv_is_closing((uv_handle_t *)&c->io))
            uv_close((uv_handle_t *)&c->io, client_closed);
        return;
    }
    if (!c->closing)
        send_close(c, 1000, "");
    close_client(c);
}

static const struct rpc_transport_ops ws_ops = {.send = ws_send, .close = ws_close};

/* ---- Reading ------------------------------------------------------------ */

/* Handle the HTTP request head; false when the connection is done. */
static bool handle_http(struct ws_client *c)
{
    struct ws_http_request r;
    size_t used = 0;
    const char *why = NULL;
    int rc = ws_parse_http_request(c->in.data, c->in.len, &r, &used, &why);
    if (rc == 0)
        return true;
    if (rc < 0) {
        write_http(c, "400 Bad Request", why);
        close_client(c);
        return false;
    }
    bool upgrade = r.upgrade && ws_header_has_token(r.upgrade, "websocket");
    const char *refused;
    if (strcmp(r.method, "GET") != 0) {
        write_http(c, "405 Method Not Allowed", "only GET is supported\n");
    } else if (!upgrade && (strcmp(r.target, "/readyz") == 0 || strcmp(r.target, "/healthz") == 0)) {
        write_http(c, "200 OK", "ok\n");
    } else if (!upgrade) {
        write_http(c, "404 Not Found", "not found\n");
    } else if (r.origin) {
        write_http(c, "403 Forbidden", "requests from web pages (with an Origin header) are refused\n");
    } else if (!r.key || !r.version || strcmp(r.version, "13") != 0 || !r.connection ||
               !ws_header_has_token(r.connection, "upgrade")) {
        write_http(c, "400 Bad Request", "not a valid WebSocket upgrade (version 13 required)\n");
    } else if ((refused = ws_auth_check(c->ws->auth, r.authorization, (int64_t)time(NULL)))) {
        fprintf(stderr, "codex app-server: refused %s: %s\n", c->label, refused);
        write_http(c, "401 Unauthorized", refused);
    } else {
        char accept[29];
        ws_accept_key(r.key, accept);
        char *resp = xasprintf("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                               accept);
        write_raw(c, NULL, 0, resp, strlen(resp), 0);
        ws_http_request_free(&r);
        memmove(c->in.data, c->in.data + used, c->in.len - used);
        buf_truncate(&c->in, c->in.len - used);
        c->conn = rpc_server_open_conn(c->ws->server, &ws_ops, c, c->label);
        return true;
    }
    ws_http_request_free(&r);
    close_client(c);
    return false;
}

static void handle_frames(struct ws_client *c)
{
    size_t off = 0;
    while (!c->closing && off < c->in.len) {
        struct ws_frame f;
        const char *why = NULL;
        long n = ws_decode_frame((unsigned char *)c->in.data + off, c->in.len - off,
                                 JSONRPC_MAX_MESSAGE - c->message.len, &f, &why);
        if (n == WS_DECODE_NEED_MORE)
            break;
        if (n == WS_DECODE_TOO_BIG) {
            send_close(c, 1009, "message too big");
            rpc_conn_close(c->conn, "message exceeds the 64 MiB limit");
            return;
        }
        if (n < 0) {
            send_close(c, 1002, why);
            rpc_conn_close(c->conn, why);
            return;
        }
        off += (size_t)n;
        switch (f.opcode) {
        case WS_OP_PING:
            write_frame(c, WS_OP_PONG, f.payload, f.len);
            continue;
        case WS_OP_PONG:
            continue;
        case WS_OP_CLOSE:
            rpc_conn_close(c->conn, NULL);
            return;
        case WS_OP_CONTINUATION:
            if (!c->in_message) {
                send_close(c, 1002, "continuation without a message");
                rpc_conn_close(c->conn, "protocol error: continuation without a message");
                return;
            }
            break;
        default: /* text or binary: both carry one JSON message */
            if (c->in_message) {
                send_close(c, 1002, "new message inside a fragmented one");
                rpc_conn_close(c->conn, "protocol error: interleaved message");
                return;
            }
            c->in_message = true;
            break;
        }
        buf_append(&c->message, f.payload, f.len);
        if (f.fin) {
            c->in_message = false;
            rpc_conn_receive(c->conn, c->message.data ? c->message.data : "", c->message.len);
            buf_truncate(&c->message, 0);
        }
    }
    if (off > 0) {
        memmove(c->in.data, c->in.data + off, c->in.len - off);
        buf_truncate(&c->in, c->in.len - off);
    }
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    static char storage[65536];
    buf->base = storage;
    buf->len = sizeof storage;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct ws_client *c = s->data;
    if (nread < 0) {
        if (c->conn)
            rpc_conn_close(c->conn, nread == UV_EOF ? NULL : uv_strerror((int)nread));
        else
            close_client(c);
        return;
    }
    buf_append(&c->in, buf->base, (size_t)nread);
    if (!c->conn && !handle_http(c))
        return;
    if (c->conn)
        handle_frames(c);
}

static void free_unaccepted(uv_handle_t *h)
{
    free(h->data);
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct ws_server *ws = listener->data;
    if (status < 0)
        return;
    struct ws_client *c = xcalloc(1, sizeof *c);
    c->ws = ws;
    if (ws->on_unix) {
        uv_pipe_init(listener->loop, &c->io.pipe, 0);
        c->io.pipe.data = c;
    } else {
        uv_tcp_init(listener->loop, &c->io.tcp);
        c->io.tcp.data = c;
    }
    if (uv_accept(listener, (uv_stream_t *)&c->io) != 0) {
        uv_close((uv_handle_t *)&c->io, free_unaccepted);
        return;
    }
    if (!ws->on_unix)
        uv_tcp_nodelay(&c->io.tcp, 1);
    snprintf(c->label, sizeof c->label, "websocket #%d", ++ws->next_id);
    c->next = ws->clients;
    ws->clients = c;
    uv_read_start((uv_stream_t *)&c->io, alloc_cb, read_cb);
}

/* ---- Start and stop ----------------------------------------------------- */

static void remove_socket(struct ws_server *ws);

static void stop(uv_signal_t *h, int signum)
{
    (void)signum;
    struct ws_server *ws = h->data;
    if (ws->stopping)
        return;
    ws->stopping = true;
    uv_close((uv_handle_t *)&ws->listener, NULL);
    remove_socket(ws);
    uv_close((uv_handle_t *)&ws->sigint, NULL);
    uv_close((uv_handle_t *)&ws->sigterm, NULL);
    for (struct ws_client *c = ws->clients; c; c = c->next) {
        if (c->conn)
            rpc_conn_close(c->conn, NULL);
        else
            close_client(c);
    }
}

static void all_closed(struct rpc_server *s)
{
    (void)s; /* the listener keeps the loop running until a signal stops it */
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

/* "ws://IP:PORT" (IPv6 in brackets) into a socket address. */
static bool parse_listen_url(const char *url, struct sockaddr_storage *ss)
{
    const char *hostport = url + 5;
    char host[64];
    const char *port;
    if (*hostport == '[') {
        const char *close = strchr(hostport, ']');
        if (!close || close[1] != ':' || (size_t)(close - hostport - 1) >= sizeof host)
            return false;
        memcpy(host, hostport + 1, (size_t)(close - hostport - 1));
        host[close - hostport - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(hostport, ':');
        if (!colon || (size_t)(colon - hostport) >= sizeof host)
            return false;
        memcpy(host, hostport, (size_t)(colon - hostport));
        host[colon - hostport] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p < 0 || p > 65535)
        return false;
    memset(ss, 0, sizeof *ss);
    if (uv_ip4_addr(host, (int)p, (struct sockaddr_in *)ss) == 0)
        return true;
    return uv_ip6_addr(host, (int)p, (struct sockaddr_in6 *)ss) == 0;
}

/* The socket file goes when the server does (a stale one would make the
 * next start think a server is still there). */
static void remove_socket(struct ws_server *ws)
{
    if (ws->socket_path) {
        unlink(ws->socket_path);
        if (ws->socket_target)
            unlink(ws->socket_target);
    }
    free(ws->socket_path);
    free(ws->socket_target);
    ws->socket_path = ws->socket_target = NULL;
}

/* Whether a server answers on the socket at path. */
static bool socket_is_live(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    /* connect(2) follows a symlink, which is how a long path is bound. */
    char real[PATH_MAX];
    const char *target = realpath(path, real) ? real : path;
    bool live = strlen(target) < sizeof sa.sun_path &&
                (memcpy(sa.sun_path, target, strlen(target) + 1),
                 connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
    close(fd);
    return live;
}

/* Bind the Unix socket at path.  A live socket there is refused (another
 * server owns it); a stale one is replaced.  A path too long for sun_path
 * becomes a symlink to a short socket in a private directory, as the
 * reference does. */
static int listen_unix(struct ws_server *ws, uv_loop_t *loop, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (socket_is_live(path)) {
            fprintf(stderr, "Error: app-server control socket is already in use at %s\n", path);
            return 1;
        }
        if (!S_ISSOCK(st.st_mode) && !S_ISLNK(st.st_mode)) {
            fprintf(stderr, "Error: %s exists and is not a socket; remove it or choose another "
                            "unix:// path\n", path);
            return 1;
        }
        char real[PATH_MAX];
        if (S_ISLNK(st.st_mode) && realpath(path, real))
            unlink(real);
        unlink(path);
    }
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (fs_mkdir_p(dir, 0700) != 0) {
            fprintf(stderr, "Error: cannot create %s for the control socket: %s\n", dir,
                    strerror(errno));
            free(dir);
            return 1;
        }
    }
    free(dir);
    const char *bind_path = path;
    struct sockaddr_un sa;
    if (strlen(path) >= sizeof sa.sun_path) {
        unsigned char digest[32];
        struct sha256 h;
        sha256_init(&h);
        sha256_update(&h, path, strlen(path));
        sha256_final(&h, digest);
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", digest[i]);
        char *private_dir = xasprintf("/tmp/codex-daemon-%u", (unsigned)getuid());
        if (mkdir(private_dir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "Error: cannot create %s: %s\n", private_dir, strerror(errno));
            free(private_dir);
            return 1;
        }
        ws->socket_target = xasprintf("%s/%s", private_dir, hex);
        free(private_dir);
        unlink(ws->socket_target);
        bind_path = ws->socket_target;
    }
    uv_pipe_init(loop, &ws->listener.pipe, 0);
    ws->listener.pipe.data = ws;
    ws->on_unix = true;
    /* Only the owner may connect: the socket drives an agent that runs
     * commands. */
    mode_t old_mask = umask(0177);
    int rc = uv_pipe_bind(&ws->listener.pipe, bind_path);
    umask(old_mask);
    if (rc == 0 && ws->socket_target && symlink(ws->socket_target, path) != 0)
        rc = uv_translate_sys_error(errno);
    if (rc == 0) {
        ws->socket_path = xstrdup(path);
        rc = uv_listen((uv_stream_t *)&ws->listener, 64, on_connection);
    }
    if (rc != 0) {
        fprintf(stderr, "codex app-server: cannot listen on unix://%s: %s\n", path,
                uv_strerror(rc));
        uv_close((uv_handle_t *)&ws->listener, NULL);
        uv_run(loop, UV_RUN_NOWAIT);
        remove_socket(ws);
        return 1;
    }
    return 0;
}

static void watch_signals(struct rpc_server *server, struct ws_server *ws)
{
    uv_signal_init(server->loop, &ws->sigint);
    uv_signal_init(server->loop, &ws->sigterm);
    ws->sigint.data = ws->sigterm.data = ws;
    uv_signal_start(&ws->sigint, stop, SIGINT);
    uv_signal_start(&ws->sigterm, stop, SIGTERM);
    server->on_all_closed = all_closed;
    server->ws = ws;
}

int rpc_ws_start(struct rpc_server *server, const struct ws_options *opts)
{
    if (strncmp(opts->listen_url, "unix://", 7) == 0) {
        const char *path = opts->listen_url + 7;
        char *fallback = NULL;
        if (!*path)
            path = fallback = xasprintf("%s/app-server-control/app-server-control.sock",
                                        server->codex_home);
        if (path[0] != '/') {
            fprintf(stderr, "error: invalid value '%s' for '--listen <URL>': a unix:// path must "
                            "be absolute\n",
                    opts->listen_url);
            free(fallback);
            return 2;
        }
        struct ws_server *ws = xcalloc(1, sizeof *ws);
        ws->server = server;
        int rc = listen_unix(ws, server->loop, path);
        free(fallback);
        if (rc != 0) {
            free(ws);
            return rc;
        }
        fprintf(stderr, "codex app-server (WebSockets)\n  listening on: unix://%s\n",
                ws->socket_path);
        fflush(stderr);
        watch_signals(server, ws);
        return 0;
    }
    struct sockaddr_storage addr;
    if (!parse_listen_url(opts->listen_url, &addr)) {
        fprintf(stderr,
                "error: invalid value '%s' for '--listen <URL>': invalid websocket --listen URL "
                "`%s`; expected `ws://IP:PORT`\n\nFor more information, try '--help'.\n",
                opts->listen_url, opts->listen_url);
        return 2;
    }
    bool loopback = is_loopback(&addr);
    if (!loopback && opts->auth->mode == WS_AUTH_NONE) {
        fprintf(stderr, "Error: refusing to start non-loopback websocket listener %s without "
                        "auth; configure `--ws-auth capability-token` or `--ws-auth "
                        "signed-bearer-token`\n",
                opts->listen_url + 5);
        return 1;
    }
    struct ws_server *ws = xcalloc(1, sizeof *ws);
    ws->server = server;
    ws->auth = opts->auth;
    uv_tcp_init(server->loop, &ws->listener.tcp);
    ws->listener.tcp.data = ws;
    int rc = uv_tcp_bind(&ws->listener.tcp, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&ws->listener, 64, on_connection);
    if (rc != 0) {
        fprintf(stderr, "codex app-server: cannot listen on %s: %s\n", opts->listen_url,
                uv_strerror(rc));
        uv_close((uv_handle_t *)&ws->listener, NULL);
        uv_run(server->loop, UV_RUN_NOWAIT);
        free(ws);
        return 1;
    }
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    uv_tcp_getsockname(&ws->listener.tcp, (struct sockaddr *)&bound, &blen);
    char ip[64];
    int port;
    if (bound.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&bound, ip + 1, sizeof ip - 2);
        ip[0] = '[';
        strcat(ip, "]");
        port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    } else {
        uv_ip4_name((struct sockaddr_in *)&bound, ip, sizeof ip);
        port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
    fprintf(stderr,
            "codex app-server (WebSockets)\n  listening on: ws://%s:%d\n  readyz: http://%s:%d/readyz\n"
            "  healthz: http://%s:%d/healthz\n  note: %s\n",
            ip, port, ip, port, ip, port,
            loopback ? "binds localhost only (use SSH port-forwarding for remote access)"
                     : "websocket auth is required for non-localhost listeners; ws:// is not "
                       "encrypted, so put TLS in front of it");
    fflush(stderr);
    watch_signals(server, ws);
    return 0;
}
