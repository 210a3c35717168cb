/* The stdio transport: the server is a child process (started through
 * src/proc, unconfined, in its own process group) reading one JSON-RPC
 * message per line on stdin and writing one per line on stdout.  Lines that
 * are not JSON are skipped, as the reference does; a line longer than
 * MCP_MAX_MESSAGE_BYTES ends the connection.  What the server writes on
 * stderr is kept (the last bytes) to explain an exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/transport.h"
#include "proc/proc.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define STDERR_TAIL 1024

struct stdio_transport {
    struct mcp_transport base;
    struct proc *proc;
    struct mcp_transport_events ev;
    struct buf line;     /* the unfinished line */
    size_t scanned;      /* bytes of line known to hold no newline */
    char err_tail[STDERR_TAIL];
    size_t err_len;
    bool closed;         /* on_closed delivered, or close() called */
    int busy;            /* inside a callback of ours: close() only marks */
    bool freed;          /* close() was called while busy */
};

static void destroy(struct stdio_transport *t)
{
    proc_release(t->proc); /* kills the group; no callback after this */
    buf_free(&t->line);
    free(t);
}

static void deliver_closed(struct stdio_transport *t, const char *why)
{
    if (t->closed)
        return;
    t->closed = true;
    t->ev.on_closed(t->ev.ud, why);
}

/* The last line of what the server said on stderr, for messages. */
static void stderr_summary(struct stdio_transport *t, char *out, size_t len)
{
    size_t end = t->err_len;
    while (end && (t->err_tail[end - 1] == '\n' || t->err_tail[end - 1] == '\r' ||
                   t->err_tail[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start && t->err_tail[start - 1] != '\n')
        start--;
    size_t o = 0;
    for (size_t i = start; i < end && o + 1 < len; i++) {
        unsigned char c = (unsigned char)t->err_tail[i];
        out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[o] = 0;
}

static void handle_line(struct stdio_transport *t, const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return;
    json_t *msg = json_loadb(s, n, 0, NULL);
    if (!json_is_object(msg)) {
        json_decref(msg); /* not JSON-RPC: skipped */
        return;
    }
    t->ev.on_message(t->ev.ud, msg);
}

static void on_stdout(struct stdio_transport *t, const char *data, size_t n)
{
    buf_append(&t->line, data, n);
    size_t start = 0;
    for (;;) {
        const char *nl = memchr(t->line.data + t->scanned, '\n', t->line.len - t->scanned);
        if (!nl)
            break;
        size_t end = (size_t)(nl - t->line.data);
        handle_line(t, t->line.data + start, end - start);
        if (t->closed)
            return;
        start = end + 1;
        t->scanned = start;
    }
    if (start) {
        memmove(t->line.data, t->line.data + start, t->line.len - start);
        buf_truncate(&t->line, t->line.len - start);
    }
    t->scanned = t->line.len;
    if (t->line.len > MCP_MAX_MESSAGE_BYTES) {
        char why[128];
        snprintf(why, sizeof why, "the server sent a message longer than %u MiB; disconnected",
                 MCP_MAX_MESSAGE_BYTES >> 20);
        buf_free(&t->line);
        t->scanned = 0;
        proc_signal(t->proc, SIGKILL);
        deliver_closed(t, why);
    }
}

static void on_output(void *ud, enum proc_stream stream, const char *data, size_t n)
{
    struct stdio_transport *t = ud;
    if (t->closed)
        return;
    if (stream == PROC_STDOUT) {
        /* The client may close us from inside on_message. */
        t->busy++;
        on_stdout(t, data, n);
        if (--t->busy == 0 && t->freed)
            destroy(t);
        return;
    }
    /* Keep only the tail of stderr. */
    if (n >= STDERR_TAIL) {
        memcpy(t->err_tail, data + n - STDERR_TAIL, STDERR_TAIL);
        t->err_len = STDERR_TAIL;
    } else {
        if (t->err_len + n > STDERR_TAIL) {
            size_t drop = t->err_len + n - STDERR_TAIL;
            memmove(t->err_tail, t->err_tail + drop, t->err_len - drop);
            t->err_len -= drop;
        }
        memcpy(t->err_tail + t->err_len, data, n);
        t->err_len += n;
    }
}

static void on_exit_cb(void *ud, const struct proc_exit *ex)
{
    struct stdio_transport *t = ud;
    char tail[STDERR_TAIL + 1], why[STDERR_TAIL + 128];
    stderr_summary(t, tail, sizeof tail);
    if (ex->signal)
        snprintf(why, sizeof why, "connection closed: the server was killed by signal %d%s%s",
                 ex->signal, tail[0] ? ": " : "", tail);
    else
        snprintf(why, sizeof why, "connection closed: the server exited with status %d%s%s",
                 ex->code, tail[0] ? ": " : "", tail);
    t->busy++;
    deliver_closed(t, why);
    if (--t->busy == 0 && t->freed)
        destroy(t);
}

static int stdio_send(struct mcp_transport *base, const json_t *msg)
{
    struct stdio_transport *t = (struct stdio_transport *)base;
    if (t->closed)
        return -1;
    char *s = json_dumps(msg, JSON_COMPACT);
    if (!s)
        return -1;
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps leaves room: it is NUL-terminated */
    int r = proc_write(t->proc, s, n + 1);
    free(s);
    return r;
}

static void stdio_initialized(struct mcp_transport *base, const char *protocol_version)
{
    (void)base;
    (void)protocol_version;
}

static void stdio_close(struct mcp_transport *base)
{
    struct stdio_transport *t = (struct stdio_transport *)base;
    t->closed = true;
    if (t->busy)
        t->freed = true;
    else
        destroy(t);
}

static const struct mcp_transport_ops stdio_ops = {
    .send = stdio_send,
    .initialized = stdio_initialized,
    .close = stdio_close,
};

struct mcp_transport *mcp_stdio_start(uv_loop_t *loop, const struct mcp_stdio_spec *spec,
                                      const struct mcp_transport_events *ev, struct codex_error *err)
{
    struct stdio_transport *t = xcalloc(1, sizeof *t);
    t->base.ops = &stdio_ops;
    t->ev = *ev;
    struct proc_spec ps = {
        .argv = spec->argv,
        .envp = spec->envp,
        .cwd = spec->cwd,
        .io = PROC_IO_PIPES,
        .stdin_pipe = true,
        .kill_group_at_exit = true,
    };
    struct proc_callbacks cb = {.on_output = on_output, .on_exit = on_exit_cb, .ud = t};
    t->proc = proc_spawn(loop, &ps, &cb, err);
    if (!t->proc) {
        free(t);
        return NULL;
    }
    return &t->base;
}
