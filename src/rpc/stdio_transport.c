#include "rpc/stdio_transport.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rpc/jsonrpc.h"
#include "util/xalloc.h"

struct stdio_transport {
    struct rpc_server *server;
    struct rpc_conn *conn;
    struct jsonrpc_framer framer;

    uv_handle_type in_type, out_type;
    union {
        uv_pipe_t pipe;
        uv_tty_t tty;
    } in, out;
    uv_fs_t file_read; /* stdin that is a regular file */
    char file_buf[65536];

    int open_handles;  /* stream handles not yet closed */
    bool read_pending; /* a uv_fs_read on a file stdin is under way */
    bool closing;
    bool stream_queued; /* the rest of this streamed answer is queued */
};

struct write_req {
    uv_write_t req;
    struct stdio_transport *t;
    char *data;
    size_t len;
    bool last; /* the message ends with this piece (its newline follows) */
};

static bool is_stream(uv_handle_type type)
{
    return type == UV_NAMED_PIPE || type == UV_TTY || type == UV_TCP;
}

static void release(struct stdio_transport *t)
{
    if (--t->open_handles > 0)
        return;
    jsonrpc_framer_free(&t->framer);
    struct rpc_conn *c = t->conn;
    free(t);
    rpc_conn_transport_closed(c);
}

static void handle_closed(uv_handle_t *h)
{
    release(h->data);
}

static void close_handles(struct stdio_transport *t)
{
    /* An extra count keeps t alive while the handles close one by one. */
    t->open_handles++;
    if (is_stream(t->in_type) && !uv_is_closing((uv_handle_t *)&t->in))
        uv_close((uv_handle_t *)&t->in, handle_closed);
    if (is_stream(t->out_type) && !uv_is_closing((uv_handle_t *)&t->out))
        uv_close((uv_handle_t *)&t->out, handle_closed);
    release(t);
}

static void finish_close(struct stdio_transport *t);

static bool on_line(void *ctx, const char *line, size_t len)
{
    struct stdio_transport *t = ctx;
    if (len == 0)
        return true;
    rpc_conn_receive(t->conn, line, len);
    return !t->closing;
}

static void feed(struct stdio_transport *t, const char *data, size_t n)
{
    enum jsonrpc_feed_result r = jsonrpc_framer_feed(&t->framer, data, n, on_line, t);
    if (r == JSONRPC_FEED_OVERSIZE)
        rpc_conn_close(t->conn, "message exceeds the 64 MiB limit");
}

static void on_eof(struct stdio_transport *t)
{
    if (t->framer.pending.len > 0 && !t->closing) {
        /* A last message without its newline still counts. */
        struct buf rest = t->framer.pending;
        memset(&t->framer.pending, 0, sizeof t->framer.pending);
        rpc_conn_receive(t->conn, rest.data, rest.len);
        buf_free(&rest);
    }
    rpc_conn_input_ended(t->conn);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    static char storage[65536]; /* one reader, one loop thread */
    buf->base = storage;
    buf->len = sizeof storage;
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct stdio_transport *t = s->data;
    if (nread > 0) {
        feed(t, buf->base, (size_t)nread);
    } else if (nread < 0) {
        if (nread != UV_EOF)
            fprintf(stderr, "codex app-server: reading stdin: %s\n", uv_strerror((int)nread));
        on_eof(t);
    }
}

static void file_read_cb(uv_fs_t *r)
{
    struct stdio_transport *t = r->data;
    ssize_t n = r->result;
    uv_fs_req_cleanup(r);
    /* read_pending stays set while feeding, so that a close requested from
     * inside leaves the final step to us. */
    if (n > 0 && !t->closing)
        feed(t, t->file_buf, (size_t)n);
    else if (!t->closing)
        on_eof(t);
    t->read_pending = false;
    if (t->closing) {
        finish_close(t);
        return;
    }
    uv_buf_t b = uv_buf_init(t->file_buf, sizeof t->file_buf);
    t->read_pending = true;
    uv_fs_read(t->server->loop, &t->file_read, 0, &b, 1, -1, file_read_cb);
}

static void write_cb(uv_write_t *w, int status)
{
    struct write_req *wr = (struct write_req *)w;
    struct stdio_transport *t = wr->t;
    rpc_conn_sent_part(t->conn, wr->len, wr->last);
    free(wr->data);
    free(wr);
    if (status < 0 && !t->closing)
        rpc_conn_close(t->conn, status == UV_EPIPE ? NULL : uv_strerror(status));
}

/* A message, or a piece of one (the newline goes after the last). */
static void send_piece(struct rpc_conn *c, char *data, size_t len, bool last)
{
    struct stdio_transport *t = c->transport;
    int n_bufs = last ? 2 : 1;
    if (!is_stream(t->out_type)) {
        /* A regular file or device: writes do not block for long. */
        struct iovec iov[2] = {{data, len}, {"\n", 1}};
        size_t total = len + (last ? 1 : 0), done = 0;
        while (done < total) {
            ssize_t w = writev(1, iov, n_bufs);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                break;
            done += (size_t)w;
            for (int i = 0; i < n_bufs && w > 0; i++) {
                size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
                iov[i].iov_base = (char *)iov[i].iov_base + take;
                iov[i].iov_len -= take;
                w -= (ssize_t)take;
            }
        }
        free(data);
        rpc_conn_sent_part(c, len, last);
        return;
    }
    struct write_req *wr = xmalloc(sizeof *wr);
    wr->t = t;
    wr->data = data;
    wr->len = len;
    wr->last = last;
    uv_buf_t bufs[2] = {uv_buf_init(data, (unsigned)len), uv_buf_init("\n", 1)};
    int rc = uv_write(&wr->req, (uv_stream_t *)&t->out, bufs, (unsigned)n_bufs, write_cb);
    if (rc < 0) {
        free(data);
        free(wr);
        rpc_conn_sent_part(c, len, last);
        rpc_conn_close(c, uv_strerror(rc));
    }
}

/* How long a piece of a streamed answer waits for the client to read
 * before the rest of the answer is queued instead. */
#define STREAM_WAIT_MS 5000

/* Write what can be written of p now, waiting up to STREAM_WAIT_MS each
 * time the pipe is full; the bytes written (fewer when the client did not
 * read in time or the write failed). */
static size_t write_waiting(struct stdio_transport *t, const char *p, size_t len)
{
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&t->out, &fd) != 0)
        return 0;
    size_t done = 0;
    while (done < len) {
        uv_buf_t b = uv_buf_init((char *)p + done, (unsigned)(len - done));
        int n = uv_try_write((uv_stream_t *)&t->out, &b, 1);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int ready;
        do
            ready = poll(&pfd, 1, STREAM_WAIT_MS);
        while (ready < 0 && errno == EINTR);
        if (n != UV_EAGAIN || ready <= 0 || (pfd.revents & (POLLERR | POLLHUP)))
            break;
    }
    return done;
}

/* A piece of a streamed answer (a long thread's turns) goes out at once,
 * waiting for the client to take it: the answer is made as fast as it is
 * read instead of being queued whole in memory.  Only while nothing is
 * queued before it (order first); a client that does not read for
 * STREAM_WAIT_MS, or a write that fails, gets the rest queued as usual. */
static void send_stream_piece(struct rpc_conn *c, char *data, size_t len, bool last)
{
    struct stdio_transport *t = c->transport;
    if (!is_stream(t->out_type) || t->stream_queued || t->closing ||
        uv_stream_get_write_queue_size((uv_stream_t *)&t->out) > 0) {
        t->stream_queued = !last;
        send_piece(c, data, len, last);
        return;
    }
    size_t done = write_waiting(t, data, len);
    if (done == len && (!last || write_waiting(t, "\n", 1) == 1)) {
        free(data);
        rpc_conn_sent_part(c, len, last);
        return;
    }
    /* Queue what is left: the piece's remaining bytes (or only the
     * newline of a last piece). */
    size_t rest = len - done;
    char *copy = xmalloc(rest ? rest : 1);
    memcpy(copy, data + done, rest);
    free(data);
    rpc_conn_sent_part(c, done, false);
    t->stream_queued = !last;
    send_piece(c, copy, rest, last);
}

static void send_message(struct rpc_conn *c, char *data, size_t len)
{
    send_piece(c, data, len, true);
}

static void shutdown_cb(uv_shutdown_t *r, int status)
{
    (void)status;
    struct stdio_transport *t = r->data;
    free(r);
    close_handles(t);
}

static void finish_close(struct stdio_transport *t)
{
    if (is_stream(t->out_type) && !t->conn->aborting) {
        /* Shutdown completes after every queued write is flushed. */
        uv_shutdown_t *r = xmalloc(sizeof *r);
        r->data = t;
        if (uv_shutdown(r, (uv_stream_t *)&t->out, shutdown_cb) == 0)
            return;
        free(r);
    }
    close_handles(t);
}

static void close_transport(struct rpc_conn *c)
{
    struct stdio_transport *t = c->transport;
    if (t->closing)
        return;
    t->closing = true;
    if (is_stream(t->in_type))
        uv_read_stop((uv_stream_t *)&t->in);
    if (!t->read_pending) /* else the pending file read finishes the close */
        finish_close(t);
}

static const struct rpc_transport_ops stdio_ops = {
    .send = send_message,
    .send_part = send_stream_piece,
    .close = close_transport,
};

static int open_stream(uv_loop_t *loop, int fd, uv_handle_type type, void *handle, bool readable)
{
    if (type == UV_TTY)
        return uv_tty_init(loop, handle, fd, readable);
    int rc = uv_pipe_init(loop, handle, 0);
    if (rc == 0)
        rc = uv_pipe_open(handle, fd);
    return rc;
}

int rpc_stdio_start(struct rpc_server *server)
{
    struct stdio_transport *t = xcalloc(1, sizeof *t);
    t->server = server;
    jsonrpc_framer_init(&t->framer, JSONRPC_MAX_MESSAGE);
    t->in_type = uv_guess_handle(0);
    t->out_type = uv_guess_handle(1);
    if (is_stream(t->in_type)) {
        int rc = open_stream(server->loop, 0, t->in_type, &t->in, true);
        if (rc < 0) {
            fprintf(stderr, "codex app-server: cannot use stdin: %s\n", uv_strerror(rc));
            free(t);
            return -1;
        }
        t->in.pipe.data = t;
        t->open_handles++;
    }
    if (is_stream(t->out_type)) {
        int rc = open_stream(server->loop, 1, t->out_type, &t->out, false);
        if (rc < 0) {
            fprintf(stderr, "codex app-server: cannot use stdout: %s\n", uv_strerror(rc));
            exit(1);
        }
        t->out.pipe.data = t;
        t->open_handles++;
    }
    t->conn = rpc_server_open_conn(server, &stdio_ops, t, "stdio");
    if (is_stream(t->in_type)) {
        uv_read_start((uv_stream_t *)&t->in, alloc_cb, read_cb);
    } else {
        uv_buf_t b = uv_buf_init(t->file_buf, sizeof t->file_buf);
        t->file_read.data = t;
        t->read_pending = true;
        uv_fs_read(server->loop, &t->file_read, 0, &b, 1, -1, file_read_cb);
    }
    return 0;
}
