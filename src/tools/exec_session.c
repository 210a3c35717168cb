#include "tools/exec_session.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

/* How long to keep reading after the process exited, for output still in
 * the pipe or held open by a background child. */
#define DRAIN_AFTER_EXIT_MS 100

struct exec_session {
    struct exec_sessions *owner;
    struct exec_session *next;
    int id;
    uv_process_t proc;
    uv_pipe_t out;
    uv_pipe_t in;
    uv_timer_t timer;   /* yield and drain timer */
    int open_handles;
    bool exited, eof, ended, released, in_open;
    int exit_code;
    struct buf fresh;   /* since the last take */
    struct buf all;
    exec_ended_fn on_end;
    void *end_ud;
    exec_ready_fn ready;
    void *ready_ud;
    void (*drop_ready_ud)(void *ud);
    void (*drop_end_ud)(void *ud);
    void (*on_output)(void *end_ud, const char *data, size_t n);
    void *owned;
    void (*free_owned)(void *owned);
};

struct exec_sessions {
    uv_loop_t *loop;
    struct exec_session *list;
    int next_id;
};

struct exec_sessions *exec_sessions_new(uv_loop_t *loop)
{
    struct exec_sessions *ss = xcalloc(1, sizeof *ss);
    ss->loop = loop;
    ss->next_id = 1;
    return ss;
}

static void unlink_session(struct exec_session *s)
{
    struct exec_session **pp = &s->owner->list;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp)
        *pp = s->next;
}

static void on_handle_closed(uv_handle_t *h)
{
    struct exec_session *s = h->data;
    if (--s->open_handles == 0) {
        if (s->free_owned)
            s->free_owned(s->owned);
        buf_free(&s->fresh);
        buf_free(&s->all);
        free(s);
    }
}

static void close_handle(struct exec_session *s, uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, on_handle_closed);
}

static void close_all(struct exec_session *s)
{
    uv_timer_stop(&s->timer);
    close_handle(s, (uv_handle_t *)&s->timer);
    close_handle(s, (uv_handle_t *)&s->out);
    if (s->in_open)
        close_handle(s, (uv_handle_t *)&s->in);
    close_handle(s, (uv_handle_t *)&s->proc);
}

static void notify_ready(struct exec_session *s)
{
    exec_ready_fn ready = s->ready;
    s->ready = NULL;
    uv_timer_stop(&s->timer);
    if (ready)
        ready(s, s->ready_ud);
}

static void mark_ended(struct exec_session *s)
{
    if (s->ended)
        return;
    s->ended = true;
    uv_timer_stop(&s->timer);
    uv_read_stop((uv_stream_t *)&s->out);
    if (s->on_end)
        s->on_end(s, s->end_ud);
    notify_ready(s);
}

static void on_drain_timeout(uv_timer_t *t)
{
    mark_ended(t->data);
}

static void on_process_exit(uv_process_t *p, int64_t status, int term_signal)
{
    struct exec_session *s = p->data;
    s->exited = true;
    s->exit_code = term_signal ? 128 + term_signal : (int)status;
    if (s->eof)
        mark_ended(s);
    else
        uv_timer_start(&s->timer, on_drain_timeout, DRAIN_AFTER_EXIT_MS, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct exec_session *s = h->data;
    (void)suggested;
    buf_reserve(&s->fresh, 65536);
    b->base = s->fresh.data + s->fresh.len;
    b->len = s->fresh.cap - s->fresh.len - 1;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    struct exec_session *s = st->data;
    (void)b;
    if (n > 0) {
        buf_append(&s->all, s->fresh.data + s->fresh.len, (size_t)n);
        if (s->on_output && s->on_end && !s->ended)
            s->on_output(s->end_ud, s->fresh.data + s->fresh.len, (size_t)n);
        s->fresh.len += (size_t)n;
        s->fresh.data[s->fresh.len] = '\0';
        return;
    }
    if (n == 0)
        return;
    /* EOF, or EIO from a pty whose last slave closed. */
    s->eof = true;
    uv_read_stop(st);
    if (s->exited)
        mark_ended(s);
}

static int make_output_channel(bool tty, int *parent_fd, int *child_fd)
{
    if (tty) {
        int m, sl;
        if (openpty(&m, &sl, NULL, NULL, NULL) < 0)
            return -errno;
        fcntl(m, F_SETFD, FD_CLOEXEC);
        fcntl(sl, F_SETFD, FD_CLOEXEC);
        *parent_fd = m;
        *child_fd = sl;
        return 0;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    *parent_fd = fds[0];
    *child_fd = fds[1];
    return 0;
}

static int start_process(struct exec_session *s, const struct exec_spawn *sp, int child_fd)
{
    uv_stdio_container_t stdio[4];
    if (sp->tty) {
        for (int i = 0; i < 3; i++) {
            stdio[i].flags = UV_INHERIT_FD;
            stdio[i].data.fd = child_fd;
        }
    } else {
        uv_pipe_init(s->owner->loop, &s->in, 0);
        s->in.data = s;
        s->in_open = true;
        s->open_handles++;
        stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
        stdio[0].data.stream = (uv_stream_t *)&s->in;
        stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
        stdio[1].data.fd = stdio[2].data.fd = child_fd;
    }
    stdio[3].flags = UV_INHERIT_FD;
    stdio[3].data.fd = sp->extra_fd;
    uv_process_options_t opts = {
        .exit_cb = on_process_exit,
        .file = sp->file ? sp->file : sp->argv->v[0],
        .args = sp->argv->v,
        .env = sp->env ? sp->env->v : NULL,
        .cwd = sp->cwd,
        .stdio_count = sp->extra_fd >= 0 ? 4 : 3,
        .stdio = stdio,
        .flags = UV_PROCESS_DETACHED, /* own process group, killable as one */
    };
    s->proc.data = s;
    return uv_spawn(s->owner->loop, &s->proc, &opts);
}

struct exec_session *exec_session_spawn(struct exec_sessions *ss, const struct exec_spawn *sp,
                                        exec_ended_fn on_end, void *end_ud, char **err)
{
    int parent_fd = -1, child_fd = -1;
    int rc = make_output_channel(sp->tty, &parent_fd, &child_fd);
    if (rc < 0) {
        *err = xasprintf("cannot create the output channel: %s", strerror(-rc));
        return NULL;
    }
    struct exec_session *s = xcalloc(1, sizeof *s);
    s->owner = ss;
    s->owned = sp->owned;
    s->free_owned = sp->free_owned;
    s->drop_end_ud = sp->drop_end_ud;
    s->on_end = on_end;
    s->end_ud = end_ud;
    s->on_output = sp->on_output;
    uv_loop_t *loop = ss->loop;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    uv_pipe_init(loop, &s->out, 0);
    s->out.data = s;
    s->open_handles = 2;
    rc = start_process(s, sp, child_fd);
    close(child_fd);
    if (rc < 0) {
        close(parent_fd);
        *err = xasprintf("failed to start %s: %s", sp->argv->v[0], uv_strerror(rc));
        if (s->in_open)
            close_handle(s, (uv_handle_t *)&s->in);
        close_handle(s, (uv_handle_t *)&s->timer);
        close_handle(s, (uv_handle_t *)&s->out);
        /* uv_spawn leaves the process handle initialised; close it too. */
        s->open_handles++;
        close_handle(s, (uv_handle_t *)&s->proc);
        return NULL;
    }
    s->open_handles++; /* the process handle */
    uv_pipe_open(&s->out, parent_fd);
    uv_read_start((uv_stream_t *)&s->out, on_alloc, on_read);
    s->id = ss->next_id++;
    s->next = ss->list;
    ss->list = s;
    return s;
}

struct exec_session *exec_session_find(struct exec_sessions *ss, int id)
{
    for (struct exec_session *s = ss->list; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

static void on_yield(uv_timer_t *t)
{
    notify_ready(t->data);
}

void exec_session_wait(struct exec_session *s, uint64_t yield_ms, exec_ready_fn ready, void *ud,
                       void (*drop)(void *ud))
{
    s->ready = ready;
    s->ready_ud = ud;
    s->drop_ready_ud = drop;
    if (s->ended) {
        notify_ready(s);
        return;
    }
    if (!s->exited)
        uv_timer_start(&s->timer, on_yield, yield_ms, 0);
}

int exec_session_write(struct exec_session *s, const char *bytes, size_t n)
{
    if (n == 0)
        return 0;
    uv_stream_t *st = s->in_open ? (uv_stream_t *)&s->in : (uv_stream_t *)&s->out;
    uv_buf_t b = uv_buf_init((char *)bytes, (unsigned)n);
    int rc = uv_try_write(st, &b, 1);
    return rc < 0 ? rc : 0;
}

char *exec_session_take_output(struct exec_session *s, size_t *len)
{
    return buf_detach(&s->fresh, len);
}

const struct buf *exec_session_all_output(const struct exec_session *s)
{
    return &s->all;
}

bool exec_session_ended(const struct exec_session *s)
{
    return s->ended;
}

int exec_session_exit_code(const struct exec_session *s)
{
    return s->exit_code;
}

int exec_session_id(const struct exec_session *s)
{
    return s->id;
}

int exec_session_pid(const struct exec_session *s)
{
    return s->proc.pid;
}

void exec_session_release(struct exec_session *s)
{
    if (s->released)
        return;
    s->released = true;
    unlink_session(s);
    if (!s->exited)
        uv_kill(-s->proc.pid, SIGKILL);
    close_all(s);
}

void exec_sessions_free(struct exec_sessions *ss)
{
    if (!ss)
        return;
    while (ss->list) {
        struct exec_session *s = ss->list;
        if (s->on_end && !s->ended && s->drop_end_ud)
            s->drop_end_ud(s->end_ud);
        if (s->ready && s->drop_ready_ud)
            s->drop_ready_ud(s->ready_ud);
        s->on_end = NULL;
        s->ready = NULL;
        exec_session_release(s);
    }
    free(ss);
}
