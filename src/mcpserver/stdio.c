/* The stdio transport.  stdin may be a pipe, a terminal or a regular file;
 * stdout a pipe or terminal (written through the loop, so a slow reader
 * never blocks it) or a file (written directly). */
#include "mcpserver/stdio.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/jsonrpc.h"
#include "util/xalloc.h"

struct stdio_run {
    uv_loop_t *loop;
    struct mcpserver *server;
    struct jsonrpc_framer framer;
    uv_handle_type in_type, out_type;
    union {
        uv_pipe_t pipe;
        uv_tty_t tty;
    } in, out;
    uv_fs_t file_read;
    char file_buf[65536];
    bool in_open, out_open;
    bool finished;
    bool write_failed;
    uv_signal_t sigint, sigterm;
    int signal; /* the signal that stopped the server, or 0 */
};

struct write_req {
    uv_write_t req;
    char *data;
};

static bool is_stream(uv_handle_type type)
{
    return type == UV_NAMED_PIPE || type == UV_TTY;
}

static void log_line(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}

static void on_written(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct stdio_run *r = req->data;
    if (status < 0 && !r->write_failed) {
        r->write_failed = true;
        fprintf(stderr, "codex mcp-server: writing to stdout failed: %s\n", uv_strerror(status));
    }
    free(w->data);
    free(w);
}

static void send_line(void *ud, const char *text, size_t len)
{
    struct stdio_run *r = ud;
    if (r->write_failed || !r->out_open)
        return;
    char *data = xmalloc(len + 1);
    memcpy(data, text, len);
    data[len] = '\n';
    if (is_stream(r->out_type)) {
        struct write_req *w = xcalloc(1, sizeof *w);
        w->data = data;
        w->req.data = r;
        uv_buf_t b = uv_buf_init(data, (unsigned)(len + 1));
        int rc = uv_write(&w->req, (uv_stream_t *)&r->out, &b, 1, on_written);
        if (rc < 0) {
            free(data);
            free(w);
            r->write_failed = true;
            fprintf(stderr, "codex mcp-server: writing to stdout failed: %s\n", uv_strerror(rc));
        }
        return;
    }
    size_t done = 0;
    while (done < len + 1) {
        ssize_t n = write(STDOUT_FILENO, data + done, len + 1 - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->write_failed = true;
            fprintf(stderr, "codex mcp-server: writing to stdout failed: %s\n", strerror(errno));
            break;
        }
        done += (size_t)n;
    }
    free(data);
}

static void close_stdout(struct stdio_run *r)
{
    if (r->out_open && is_stream(r->out_type))
        uv_close((uv_handle_t *)&r->out, NULL); /* pending writes finish first */
    r->out_open = false;
}

static void on_finished(void *ud)
{
    struct stdio_run *r = ud;
    r->finished = true;
    close_stdout(r);
}

/* Ctrl-C or a kill: stop now; freeing the server kills what its threads
 * started (they run in their own process groups). */
static void on_signal(uv_signal_t *h, int signum)
{
    struct stdio_run *r = h->data;
    r->signal = signum;
    r->finished = true;
}

static void watch_signals(struct stdio_run *r)
{
    uv_signal_init(r->loop, &r->sigint);
    uv_signal_init(r->loop, &r->sigterm);
    r->sigint.data = r->sigterm.data = r;
    uv_signal_start_oneshot(&r->sigint, on_signal, SIGINT);
    uv_signal_start_oneshot(&r->sigterm, on_signal, SIGTERM);
    /* Signals alone must not keep the loop running. */
    uv_unref((uv_handle_t *)&r->sigint);
    uv_unref((uv_handle_t *)&r->sigterm);
}

static bool on_line(void *ctx, const char *line, size_t len)
{
    struct stdio_run *r = ctx;
    mcpserver_receive(r->server, line, len);
    return true;
}

static void feed(struct stdio_run *r, const char *data, size_t n)
{
    if (jsonrpc_framer_feed(&r->framer, data, n, on_line, r) == JSONRPC_FEED_OVERSIZE) {
        fprintf(stderr, "codex mcp-server: a message on stdin is larger than %u bytes; it is "
                        "dropped\n",
                JSONRPC_MAX_MESSAGE);
        jsonrpc_framer_free(&r->framer);
        jsonrpc_framer_init(&r->framer, JSONRPC_MAX_MESSAGE);
    }
}

static void input_ended(struct stdio_run *r)
{
    /* A last line without a newline still counts. */
    feed(r, "\n", 1);
    mcpserver_input_closed(r->server);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = xmalloc(suggested);
    buf->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct stdio_run *r = s->data;
    if (n > 0)
        feed(r, buf->base, (size_t)n);
    free(buf->base);
    if (n < 0) {
        if (n != UV_EOF)
            fprintf(stderr, "codex mcp-server: reading stdin failed: %s\n", uv_strerror((int)n));
        uv_close((uv_handle_t *)s, NULL);
        r->in_open = false;
        input_ended(r);
    }
}

static void on_file_read(uv_fs_t *req)
{
    struct stdio_run *r = req->data;
    ssize_t n = req->result;
    uv_fs_req_cleanup(req);
    if (n > 0) {
        feed(r, r->file_buf, (size_t)n);
        uv_buf_t b = uv_buf_init(r->file_buf, sizeof r->file_buf);
        if (uv_fs_read(r->loop, &r->file_read, STDIN_FILENO, &b, 1, -1, on_file_read) == 0)
            return;
    } else if (n < 0) {
        fprintf(stderr, "codex mcp-server: reading stdin failed: %s\n", uv_strerror((int)n));
    }
    r->in_open = false;
    input_ended(r);
}

static int open_stream(uv_loop_t *loop, int fd, uv_handle_type type, void *handle, bool readable)
{
    if (type == UV_TTY)
        return uv_tty_init(loop, handle, fd, readable);
    int rc = uv_pipe_init(loop, handle, 0);
    return rc < 0 ? rc : uv_pipe_open(handle, fd);
}

static int start_input(struct stdio_run *r)
{
    r->in_type = uv_guess_handle(STDIN_FILENO);
    r->file_read.data = r;
    if (is_stream(r->in_type)) {
        int rc = open_stream(r->loop, STDIN_FILENO, r->in_type, &r->in, true);
        if (rc == 0) {
            r->in.pipe.data = r;
            r->in_open = true;
            rc = uv_read_start((uv_stream_t *)&r->in, on_alloc, on_read);
        }
        return rc;
    }
    if (r->in_type == UV_FILE) {
        r->in_open = true;
        uv_buf_t b = uv_buf_init(r->file_buf, sizeof r->file_buf);
        return uv_fs_read(r->loop, &r->file_read, STDIN_FILENO, &b, 1, -1, on_file_read);
    }
    return UV_EINVAL;
}

int mcpserver_run_stdio(struct mcpserver_params *p)
{
    struct stdio_run *r = xcalloc(1, sizeof *r);
    r->loop = p->loop;
    jsonrpc_framer_init(&r->framer, JSONRPC_MAX_MESSAGE);
    r->out_type = uv_guess_handle(STDOUT_FILENO);
    if (is_stream(r->out_type)) {
        int rc = open_stream(r->loop, STDOUT_FILENO, r->out_type, &r->out, false);
        if (rc < 0) {
            fprintf(stderr, "codex mcp-server: cannot use stdout: %s\n", uv_strerror(rc));
            jsonrpc_framer_free(&r->framer);
            free(r);
            return 1;
        }
    }
    r->out_open = true;
    p->send = send_line;
    p->log = log_line;
    p->finished = on_finished;
    p->ud = r;
    r->server = mcpserver_new(p);
    watch_signals(r);
    int rc = start_input(r);
    if (rc < 0) {
        fprintf(stderr, "codex mcp-server: cannot read stdin: %s\n", uv_strerror(rc));
        if (r->in_open && is_stream(r->in_type))
            uv_close((uv_handle_t *)&r->in, NULL);
        r->in_open = false;
        close_stdout(r);
    }
    while (rc == 0 && !r->finished && uv_run(r->loop, UV_RUN_ONCE))
        ;
    /* Threads end here: their processes are killed and their handles close. */
    mcpserver_free(r->server);
    r->server = NULL;
    if (r->in_open && is_stream(r->in_type) && !uv_is_closing((uv_handle_t *)&r->in))
        uv_close((uv_handle_t *)&r->in, NULL);
    close_stdout(r);
    uv_close((uv_handle_t *)&r->sigint, NULL);
    uv_close((uv_handle_t *)&r->sigterm, NULL);
    uv_run(r->loop, UV_RUN_DEFAULT);
    jsonrpc_framer_free(&r->framer);
    int status = rc < 0 ? 1 : r->signal ? 128 + r->signal : 0;
    if (r->signal)
        fputs("codex mcp-server: interrupted\n", stderr);
    free(r);
    return status;
}
