/* Running the handlers of one event: each through the user's shell in the
 * session's directory, outside the sandbox as the reference runs them, the
 * event's JSON on stdin, side by side on the caller's loop.  A handler is
 * killed (with its process group) at its timeout or as soon as it prints
 * more than HOOK_OUTPUT_CAP on a stream; either way its run has failed and
 * decides nothing. */
#include "hooks/hooks.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/xalloc.h"

struct hooks_run;

struct handler_run {
    struct hooks_run *run;
    const struct hook_handler *h;
    struct proc *proc;
    uv_timer_t timer;
    bool timer_open;
    struct buf out, err;
    bool overflowed, timed_out, finished;
    int exit_code;
    char *failure;
};

struct hooks_run {
    uv_loop_t *loop;
    enum hook_event event;
    struct handler_run *runs;
    size_t n, n_done, n_timers_open;
    uv_idle_t defer; /* reports a run where nothing could start from the loop */
    bool defer_open;
    bool cancelled, reported;
    hooks_done_fn done;
    void *ud;
};

static void maybe_free(struct hooks_run *r)
{
    if (!(r->cancelled || r->reported) || r->n_timers_open || r->defer_open)
        return;
    for (size_t i = 0; i < r->n; i++) {
        buf_free(&r->runs[i].out);
        buf_free(&r->runs[i].err);
        free(r->runs[i].failure);
    }
    free(r->runs);
    free(r);
}

static void on_timer_closed(uv_handle_t *h)
{
    struct handler_run *hr = h->data;
    struct hooks_run *r = hr->run;
    r->n_timers_open--;
    maybe_free(r);
}

static void close_timer(struct handler_run *hr)
{
    if (!hr->timer_open)
        return;
    hr->timer_open = false;
    uv_timer_stop(&hr->timer);
    uv_close((uv_handle_t *)&hr->timer, on_timer_closed);
}

static void on_defer_closed(uv_handle_t *h)
{
    struct hooks_run *r = h->data;
    r->defer_open = false;
    maybe_free(r);
}

void hook_outcome_free(struct hook_outcome *o)
{
    free(o->reason);
    free(o->block_run_id);
    strvec_free(&o->contexts);
    strvec_free(&o->errors);
    memset(o, 0, sizeof *o);
}

static void report(struct hooks_run *r)
{
    if (r->reported || r->cancelled)
        return;
    r->reported = true;
    struct hook_outcome o = {0};
    for (size_t i = 0; i < r->n; i++) {
        struct handler_run *hr = &r->runs[i];
        struct hook_result res;
        hook_output_interpret(r->event, hr->exit_code, hr->failure, buf_cstr(&hr->out), hr->out.len,
                              buf_cstr(&hr->err), hr->err.len, &res);
        o.ran++;
        if (res.error)
            strvec_push_owned(&o.errors, xasprintf("%s hook (%s) failed: %s",
                                                   hook_event_name(r->event), hr->h->command,
                                                   res.error));
        if (res.context)
            strvec_push(&o.contexts, res.context);
        if (res.block && !o.block) {
            o.block = true;
            o.reason = res.reason ? xstrdup(res.reason) : NULL;
            o.block_run_id = xasprintf("%s:%zu:%s", hook_event_snake(r->event),
                                       hr->h->display_order, hr->h->source_path);
        }
        /* A denial anywhere wins over an allow. */
        if (res.permission < 0 || (res.permission > 0 && o.permission == 0)) {
            if (res.permission < 0 && !o.reason && res.reason)
                o.reason = xstrdup(res.reason);
            o.permission = res.permission;
        }
        hook_result_free(&res);
    }
    r->done(r->ud, &o);
    hook_outcome_free(&o);
    maybe_free(r);
}

static void handler_finished(struct handler_run *hr)
{
    if (hr->finished)
        return;
    hr->finished = true;
    close_timer(hr);
    if (hr->proc) {
        proc_release(hr->proc);
        hr->proc = NULL;
    }
    struct hooks_run *r = hr->run;
    if (++r->n_done == r->n)
        report(r);
}

static void on_output(void *ud, enum proc_stream stream, const char *data, size_t n)
{
    struct handler_run *hr = ud;
    struct buf *b = stream == PROC_STDERR ? &hr->err : &hr->out;
    if (hr->overflowed)
        return;
    if (b->len + n > HOOK_OUTPUT_CAP) {
        hr->overflowed = true;
        free(hr->failure);
        hr->failure = xasprintf("hook output exceeded %u bytes; the hook was stopped",
                                HOOK_OUTPUT_CAP);
        proc_signal(hr->proc, SIGKILL);
        return;
    }
    buf_append(b, data, n);
}

static void on_exit_cb(void *ud, const struct proc_exit *ex)
{
    struct handler_run *hr = ud;
    hr->exit_code = ex->signal ? -1 : ex->code;
    if (ex->signal && !hr->failure)
        hr->failure = xasprintf("hook was killed by signal %d", ex->signal);
    handler_finished(hr);
}

static void on_timeout(uv_timer_t *t)
{
    struct handler_run *hr = t->data;
    hr->timed_out = true;
    if (!hr->failure)
        hr->failure = xasprintf("hook timed out after %llds",
                                (long long)hr->h->run_timeout_sec);
    if (hr->proc)
        proc_signal(hr->proc, SIGKILL);
}

static void on_defer(uv_idle_t *idle)
{
    struct hooks_run *r = idle->data;
    uv_idle_stop(idle);
    uv_close((uv_handle_t *)idle, on_defer_closed);
    for (size_t i = 0; i < r->n; i++)
        if (!r->runs[i].proc && !r->runs[i].finished)
            handler_finished(&r->runs[i]);
}

static void start_handler(struct hooks_run *r, struct handler_run *hr, const struct hooks_env *env,
                          const char *stdin_text, size_t stdin_len)
{
    const char *shell = envp_get_nonempty(env->envp, "SHELL");
    const char *argv[] = {shell ? shell : "/bin/sh", "-lc", hr->h->command, NULL};
    struct strvec e = {0};
    envp_copy(env->envp, &e);
    if (env->codex_home)
        envp_set(&e, "CODEX_HOME", env->codex_home);
    struct proc_spec spec = {
        .argv = argv,
        .envp = (const char *const *)e.v,
        .cwd = env->cwd,
        .io = PROC_IO_PIPES,
        .stdin_pipe = true,
        .kill_group_at_exit = true,
    };
    struct proc_callbacks cb = {.on_output = on_output, .on_exit = on_exit_cb, .ud = hr};
    struct codex_error err = CODEX_ERROR_INIT;
    hr->exit_code = -1;
    hr->proc = proc_spawn(r->loop, &spec, &cb, &err);
    strvec_free(&e);
    if (!hr->proc) {
        char *text = codex_error_text(&err);
        hr->failure = xasprintf("hook could not start: %s", text ? text : "unknown error");
        free(text);
        codex_error_clear(&err);
        return;
    }
    proc_write(hr->proc, stdin_text, stdin_len);
    proc_close_stdin(hr->proc);
    uv_timer_init(r->loop, &hr->timer);
    hr->timer.data = hr;
    hr->timer_open = true;
    r->n_timers_open++;
    uv_timer_start(&hr->timer, on_timeout, (uint64_t)hr->h->run_timeout_sec * 1000, 0);
}

struct hooks_run *hooks_run_start(uv_loop_t *loop, const struct hook_set *set,
                                  const struct hooks_env *env, enum hook_event e,
                                  const char *matcher_input, const json_t *payload,
                                  hooks_done_fn done, void *ud)
{
    size_t n = 0;
    for (size_t i = 0; set && i < set->n; i++) {
        const struct hook_handler *h = &set->v[i];
        if (h->event == e && hook_handler_runnable(set, h) &&
            hook_matcher_matches(h->matcher, matcher_input))
            n++;
    }
    if (n == 0)
        return NULL;
    struct hooks_run *r = xcalloc(1, sizeof *r);
    r->loop = loop;
    r->event = e;
    r->done = done;
    r->ud = ud;
    r->runs = xcalloc(n, sizeof *r->runs);
    for (size_t i = 0; i < set->n; i++) {
        const struct hook_handler *h = &set->v[i];
        if (h->event == e && hook_handler_runnable(set, h) &&
            hook_matcher_matches(h->matcher, matcher_input)) {
            r->runs[r->n].run = r;
            r->runs[r->n].h = h;
            r->n++;
        }
    }
    char *text = json_dumps(payload, JSON_COMPACT);
    size_t len = strlen(text);
    bool any_failed = false;
    for (size_t i = 0; i < r->n; i++) {
        start_handler(r, &r->runs[i], env, text, len);
        any_failed |= r->runs[i].proc == NULL;
    }
    free(text);
    /* Handlers that could not start finish from the loop, so done never
     * runs inside this call. */
    if (any_failed) {
        uv_idle_init(loop, &r->defer);
        r->defer.data = r;
        r->defer_open = true;
        uv_idle_start(&r->defer, on_defer);
    }
    return r;
}

void hooks_run_cancel(struct hooks_run *r)
{
    if (!r || r->cancelled)
        return;
    r->cancelled = true;
    for (size_t i = 0; i < r->n; i++) {
        struct handler_run *hr = &r->runs[i];
        close_timer(hr);
        if (hr->proc) {
            proc_release(hr->proc); /* kills what still runs */
            hr->proc = NULL;
        }
        hr->finished = true;
    }
    if (r->defer_open && !uv_is_closing((uv_handle_t *)&r->defer)) {
        uv_idle_stop(&r->defer);
        uv_close((uv_handle_t *)&r->defer, on_defer_closed);
    }
    maybe_free(r);
}
