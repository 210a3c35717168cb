#include "tools/exec_session.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct exec_session {
    struct exec_sessions *owner;
    struct exec_session *next;
    int id;
    struct proc *proc;
    int pid;
    uint64_t net_attachment; /* its namespace's name at the managed proxy, or 0 */
    uv_timer_t timer; /* the yield of the waiting call */
    bool ended, released, listed;
    int exit_code;
    struct buf fresh; /* since the last take */
    struct buf all;
    struct exec_session_watch watch;
    exec_ready_fn ready;
    void *ready_ud;
    void (*drop_ready_ud)(void *ud);
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
    if (!s->listed)
        return;
    s->listed = false;
    for (struct exec_session **pp = &s->owner->list; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            return;
        }
}

static void timer_closed(uv_handle_t *h)
{
    struct exec_session *s = h->data;
    buf_free(&s->fresh);
    buf_free(&s->all);
    free(s);
}

static void notify_ready(struct exec_session *s)
{
    exec_ready_fn ready = s->ready;
    s->ready = NULL;
    uv_timer_stop(&s->timer);
    if (ready)
        ready(s, s->ready_ud);
}

static void on_output(void *ud, enum proc_stream stream, const char *data, size_t n)
{
    (void)stream;
    struct exec_session *s = ud;
    buf_append(&s->fresh, data, n);
    buf_append(&s->all, data, n);
    if (s->watch.on_output)
        s->watch.on_output(s->watch.ud, data, n);
}

static void on_proc_exit(void *ud, const struct proc_exit *ex)
{
    struct exec_session *s = ud;
    s->ended = true;
    s->exit_code = ex->code;
    struct exec_session_watch w = s->watch;
    s->watch.on_end = NULL;
    s->watch.drop = NULL;
    if (w.on_end)
        w.on_end(s, w.ud);
    notify_ready(s);
}

struct exec_session *exec_session_start(struct exec_sessions *ss, struct tool_host *host,
                                        const struct tool_spawn *sp, const struct exec_session_watch *watch,
                                        struct codex_error *err)
{
    struct exec_session *s = xcalloc(1, sizeof *s);
    s->owner = ss;
    if (watch)
        s->watch = *watch;
    struct proc_callbacks cb = {.on_output = on_output, .on_exit = on_proc_exit, .ud = s};
    s->proc = host->ops->spawn(host->ctx, sp, &cb, err);
    if (!s->proc) {
        free(s);
        return NULL;
    }
    s->pid = (int)proc_pid(s->proc);
    s->net_attachment = proc_netproxy_attachment(s->proc);
    uv_timer_init(ss->loop, &s->timer);
    s->timer.data = s;
    s->id = ss->next_id++;
    s->next = ss->list;
    ss->list = s;
    s->listed = true;
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
    uv_timer_start(&s->timer, on_yield, yield_ms, 0);
}

int exec_session_write(struct exec_session *s, const char *bytes, size_t n)
{
    if (n == 0)
        return 0;
    if (s->ended)
        return -1;
    return proc_write(s->proc, bytes, n);
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
    return s->pid;
}

uint64_t exec_session_network_attachment(const struct exec_session *s)
{
    return s->net_attachment;
}

void exec_session_release(struct exec_session *s)
{
    if (s->released)
        return;
    s->released = true;
    unlink_session(s);
    /* A session dropped before it ended never reports its end. */
    if (s->watch.drop)
        s->watch.drop(s->watch.ud);
    s->watch = (struct exec_session_watch){0};
    proc_release(s->proc);
    s->proc = NULL;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, timer_closed);
}

void exec_sessions_free(struct exec_sessions *ss)
{
    if (!ss)
        return;
    while (ss->list) {
        struct exec_session *s = ss->list;
        if (s->ready && s->drop_ready_ud)
            s->drop_ready_ud(s->ready_ud);
        s->ready = NULL;
        exec_session_release(s);
    }
    free(ss);
}

size_t exec_sessions_terminate(struct exec_sessions *ss)
{
    size_t n = 0;
    for (struct exec_session *s = ss ? ss->list : NULL; s; s = s->next)
        if (!s->ended && s->proc) {
            proc_signal(s->proc, SIGKILL);
            n++;
        }
    return n;
}
