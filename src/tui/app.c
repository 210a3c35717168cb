/* The TUI's life: open the terminal, connect to the app server (in this
 * process or remote), initialize, start / resume / fork the thread, run
 * turns, and on exit restore the terminal and say how to continue. */
#include "tui/app.h"

#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/rollout.h"
#include "tui/cells.h"
#include "tui/highlight.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define FRAME_INTERVAL_NS (16 * 1000000ull)
#define TICK_MS 200
#define CPR_TIMEOUT_MS 300

static void start_session(struct app *a);
static void request_title(struct app *a, const char *prompt);

uint64_t app_now_ns(void)
{
    return uv_hrtime();
}

/* ---- requests ------------------------------------------------------------ */

/* Every callback gets the app; requests made while shutting down are
 * dropped with the connection. */
void app_request(struct app *a, const char *method, json_t *params, tclient_result_fn fn)
{
    if (!a->client || a->shutting_down) {
        json_decref(params);
        return;
    }
    tclient_request(a->client, method, params, fn, a);
}

/* ---- frames ------------------------------------------------------------------ */

static void on_frame_timer(uv_timer_t *t)
{
    struct app *a = t->data;
    a->frame_pending = false;
    if (a->quitting || !a->started_ui || a->editing)
        return;
    a->last_frame_ns = app_now_ns();
    app_draw(a);
}

void app_redraw(struct app *a)
{
    if (a->frame_pending || a->quitting)
        return;
    a->frame_pending = true;
    /* At most one frame per FRAME_INTERVAL: a burst of deltas costs one
     * layout, while a keystroke after a quiet spell is drawn at once. */
    uint64_t now = app_now_ns(), since = now - a->last_frame_ns;
    uint64_t wait = since >= FRAME_INTERVAL_NS ? 0 : (FRAME_INTERVAL_NS - since) / 1000000;
    uv_timer_start(&a->frame_timer, on_frame_timer, wait, 0);
}

static void on_tick(uv_timer_t *t)
{
    struct app *a = t->data;
    a->spinner++;
    app_agents_tick(a);
    app_write_terminal_title(a);
    app_redraw(a);
}

/* The spinner and elapsed time need a timer only while a turn runs; an
 * idle TUI has no timer at all. */
static void update_ticking(struct app *a)
{
    bool want = a->turn_running && !a->quitting;
    if (want && !a->ticking)
        uv_timer_start(&a->tick_timer, on_tick, TICK_MS, TICK_MS);
    else if (!want && a->ticking)
        uv_timer_stop(&a->tick_timer);
    a->ticking = want;
}

/* ---- cells -------------------------------------------------------------------- */

void app_add_cell(struct app *a, struct cell *c)
{
    transcript_push(&a->tr, c);
    a->scroll = 0;
    app_redraw(a);
}

void app_notice(struct app *a, const char *text)
{
    app_add_cell(a, cell_notice_new(text, TSTYLE_PLAIN));
}

void app_error_cell(struct app *a, const char *text)
{
    app_add_cell(a, cell_error_new(text));
}

char *app_display_path(const struct app *a, const char *path)
{
    if (!path)
        return xstrdup("");
    const char *home = a->opt->home;
    size_t hl = home ? strlen(home) : 0;
    if (hl > 1 && strncmp(path, home, hl) == 0 && (path[hl] == '/' || path[hl] == '\0'))
        return xasprintf("~%s", path + hl);
    return xstrdup(path);
}

/* "GPT-5.5" for gpt-5.5: the catalogue's display name, else the slug. */
const char *app_model_display(const struct app *a)
{
    size_t i;
    json_t *m;
    json_array_foreach(a->models, i, m) {
        const char *slug = json_string_value(json_object_get(m, "model"));
        const char *id = json_string_value(json_object_get(m, "id"));
        if (a->model && ((slug && strcmp(slug, a->model) == 0) || (id && strcmp(id, a->model) == 0))) {
            const char *dn = json_string_value(json_object_get(m, "displayName"));
            if (dn && *dn)
                return dn;
        }
    }
    return a->model ? a->model : "";
}

static void replace(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

void app_set_title(struct app *a, const char *title)
{
    replace(&a->thread_title, title && *title ? title : NULL);
    app_write_terminal_title(a);
    app_redraw(a);
}

/* OSC 0: "<spinner> <title> | <dir>" while working, "<title> | <dir>". */
void app_write_terminal_title(struct app *a)
{
    if (!a->term_open || a->quitting)
        return;
    char *title = app_title_text(a);
    struct buf t = BUF_INIT;
    buf_printf(&t, "\x1b]0;%s\x07", title);
    free(title);
    tterm_write(&a->term, t.data, t.len);
    buf_free(&t);
}

/* tui.notifications: tell a user who looked away (OSC 9, or a bell). */
void app_notify(struct app *a, const char *text)
{
    if (!a->opt->notifications || a->focused || !a->term_open)
        return;
    if (a->opt->notify_bel) {
        tterm_write(&a->term, "\a", 1);
        return;
    }
    char *seq = xasprintf("\x1b]9;%s\x07", text);
    tterm_write(&a->term, seq, strlen(seq));
    free(seq);
}

/* ---- leaving ------------------------------------------------------------------ */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void shutdown_all(struct app *a)
{
    if (a->shutting_down)
        return;
    a->shutting_down = true;
    a->quitting = true;
    uv_timer_stop(&a->frame_timer);
    uv_timer_stop(&a->tick_timer);
    if (a->term_open) {
        struct buf out = BUF_INIT;
        trender_erase_viewport(&a->render, &out);
        buf_puts(&out, "\x1b]0;\x07");
        tterm_write(&a->term, out.data, out.len);
        buf_free(&out);
        tterm_close(&a->term);
        a->term_open = false;
    }
    app_question_decline_all(a);
    if (a->client)
        tclient_close(a->client);
    if (a->inproc) {
        rpc_inproc_close(a->inproc);
        a->inproc = NULL;
    }
    if (a->ws) {
        wsclient_close(a->ws);
        a->ws = NULL;
    }
    uv_close((uv_handle_t *)&a->frame_timer, NULL);
    uv_close((uv_handle_t *)&a->tick_timer, NULL);
}

void app_quit(struct app *a, int status)
{
    if (a->quitting)
        return;
    a->exit_status = status;
    shutdown_all(a);
}

void app_fail(struct app *a, const char *fmt, ...)
{
    if (a->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    struct buf b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    a->fatal = buf_detach(&b, NULL);
    app_quit(a, 1);
}

static void thousands(int64_t v, char *out, size_t outlen)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t n = strlen(digits), o = 0;
    if (v < 0 && o + 1 < outlen)
        out[o++] = '-';
    for (size_t i = 0; i < n && o + 2 < outlen; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void print_exit_text(struct app *a)
{
    if (a->fatal) {
        fprintf(stderr, "Error: %s\n", a->fatal);
        return;
    }
    for (size_t i = 0; i < a->after_exit.n; i++)
        printf("%s\n", a->after_exit.v[i]);
    if (a->tokens_total > 0) {
        char t[32], in[32], out[32];
        thousands(a->tokens_total, t, sizeof t);
        thousands(a->tokens_input, in, sizeof in);
        thousands(a->tokens_output, out, sizeof out);
        printf("Token usage: total=%s input=%s output=%s\n", t, in, out);
    }
    /* Only a thread that ran a turn has a session to continue. */
    bool ran = false;
    for (size_t i = 0; i < a->tr.n && !ran; i++)
        ran = a->tr.v[i]->type == CT_USER;
    if (a->thread_id && ran) {
        printf("To continue this session, run:\n");
        if (a->opt->remote)
            printf("  codex --remote %s resume %s\n", a->opt->remote, a->thread_id);
        else
            printf("  codex resume %s\n", a->thread_id);
        if (a->thread_title)
            printf("Or run codex resume and select %s.\n", a->thread_title);
    }
    fflush(stdout);
}

/* ---- the terminal ------------------------------------------------------------- */

static void on_resize(void *ud, int w, int h)
{
    struct app *a = ud;
    a->w = w;
    a->h = h;
    trender_resize(&a->render, w, h);
    app_redraw(a);
}

static void on_signal(void *ud, int signum)
{
    struct app *a = ud;
    app_quit(a, 128 + signum);
}

static void on_resumed(void *ud)
{
    struct app *a = ud;
    trender_invalidate(&a->render);
    if (a->term_open)
        tterm_size(a->opt->out_fd, &a->w, &a->h);
    trender_resize(&a->render, a->w, a->h);
    app_redraw(a);
}

static void on_input_closed(void *ud)
{
    struct app *a = ud;
    app_quit(a, 1);
}

static void begin_ui(struct app *a)
{
    if (a->started_ui)
        return;
    a->started_ui = true;
    app_redraw(a);
}

/* Inline mode starts below the shell prompt: where the cursor is. */
static void on_cpr_timeout(uv_timer_t *t)
{
    struct app *a = t->data;
    if (a->started_ui)
        return;
    /* No answer: take the bottom of the screen. */
    trender_set_top(&a->render, a->h - 1);
    begin_ui(a);
}

static void on_term_event(void *ud, const struct tev *ev)
{
    struct app *a = ud;
    if (ev->kind == TEV_CPR && !a->started_ui) {
        trender_set_top(&a->render, ev->row);
        begin_ui(a);
        return;
    }
    app_on_event(a, ev);
}

/* ---- the session ---------------------------------------------------------------- */

json_t *app_thread_params(const struct app *a)
{
    const struct tui_options *o = a->opt;
    json_t *p = json_object();
    if (o->model)
        json_object_set_new(p, "model", json_string(o->model));
    if (o->provider)
        json_object_set_new(p, "modelProvider", json_string(o->provider));
    if (o->sandbox)
        json_object_set_new(p, "sandbox", json_string(o->sandbox));
    if (o->approval)
        json_object_set_new(p, "approvalPolicy", json_string(o->approval));
    json_object_set_new(p, "cwd", json_string(o->cwd));
    if (o->remote && o->config && json_object_size(o->config))
        json_object_set(p, "config", o->config);
    return p;
}

static void set_str_from(char **slot, const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (v)
        replace(slot, v);
}

static void describe_policy(struct app *a, const json_t *result)
{
    json_t *ap = json_object_get(result, "approvalPolicy");
    if (json_is_string(ap))
        replace(&a->approval_policy, json_string_value(ap));
    else if (json_is_object(ap))
        replace(&a->approval_policy, "granular");
    json_t *sb = json_object_get(result, "sandbox");
    const char *type = json_string_value(json_object_get(sb, "type"));
    if (type)
        replace(&a->sandbox_mode, type);
}

static void after_thread(struct app *a, json_t *result)
{
    json_t *thread = json_object_get(result, "thread");
    set_str_from(&a->thread_id, thread, "id");
    set_str_from(&a->thread_path, thread, "path");
    set_str_from(&a->model, result, "model");
    set_str_from(&a->provider, result, "modelProvider");
    set_str_from(&a->cwd, result, "cwd");
    if (json_is_string(json_object_get(result, "reasoningEffort")))
        set_str_from(&a->effort, result, "reasoningEffort");
    describe_policy(a, result);
    const char *name = json_string_value(json_object_get(thread, "name"));
    if (!name || !*name)
        name = a->pending_title; /* as the session list named it */
    if (name && *name) {
        replace(&a->thread_title, name);
        a->title_requested = true;
    }
    free(a->pending_title);
    a->pending_title = NULL;
    if (a->tr.n > 0 && a->tr.v[0]->type == CT_HEADER) {
        char *shown = app_display_path(a, a->cwd);
        cell_header_set(a->tr.v[0], a->model, shown);
        free(shown);
    }
    app_write_terminal_title(a);
    app_redraw(a);
}

static void on_thread_read(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        app_error_cell(a, error);
        return;
    }
    app_replay_thread(a, json_object_get(result, "thread"));
}

static void send_pending_prompt(struct app *a)
{
    if (!a->pending_prompt && a->pending_images.n == 0)
        return;
    char *prompt = a->pending_prompt;
    a->pending_prompt = NULL;
    struct strvec images = a->pending_images;
    memset(&a->pending_images, 0, sizeof a->pending_images);
    /* Shown now, with its images; the server's echo is skipped. */
    app_add_cell(a, cell_user_new(prompt ? prompt : "", (int)images.n));
    a->echo_pending++;
    app_submit(a, prompt ? prompt : "", &images);
    free(prompt);
    strvec_free(&images);
}

static void on_thread_ready(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    a->pending_starts--;
    if (error) {
        app_fail(a, "could not start the session: %s", error);
        return;
    }
    bool resumed = a->resuming;
    a->resuming = false;
    after_thread(a, result);
    json_t *thread = json_object_get(result, "thread");
    if (json_array_size(json_object_get(thread, "turns")) > 0) {
        app_replay_thread(a, thread);
    } else if (resumed && a->thread_id) {
        app_request(a, "thread/read",
                    json_pack("{s:s s:b}", "threadId", a->thread_id, "includeTurns", 1),
                    on_thread_read);
    }
    send_pending_prompt(a);
}

void app_new_thread(struct app *a)
{
    a->pending_starts++;
    free(a->thread_id);
    a->thread_id = NULL;
    free(a->thread_title);
    a->thread_title = NULL;
    a->title_requested = false;
    a->tokens_total = a->tokens_input = a->tokens_output = a->tokens_cached = 0;
    app_request(a, "thread/start", app_thread_params(a), on_thread_ready);
}

void app_resume_thread(struct app *a, const char *id, bool fork, const char *name)
{
    replace(&a->pending_title, fork ? NULL : name);
    a->resuming = true;
    json_t *p = app_thread_params(a);
    json_object_set_new(p, "threadId", json_string(id));
    /* A resumed thread keeps its own directory and model unless the flags
     * said otherwise. */
    if (!a->opt->model)
        json_object_del(p, "model");
    json_object_del(p, "cwd");
    a->pending_starts++;
    free(a->thread_id);
    a->thread_id = NULL;
    app_request(a, fork ? "thread/fork" : "thread/resume", p, on_thread_ready);
}

static void on_last_listed(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        app_fail(a, "could not list sessions: %s", error);
        return;
    }
    json_t *data = json_object_get(result, "data");
    const char *want = a->opt->session_id;
    size_t i;
    json_t *t;
    json_array_foreach(data, i, t) {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *preview = json_string_value(json_object_get(t, "preview"));
        if (!id || !preview || !*preview)
            continue; /* a session without a turn */
        if (!want || (name && strcmp(name, want) == 0) || strcmp(id, want) == 0) {
            app_resume_thread(a, id, a->opt->start == TUI_START_FORK, name);
            return;
        }
    }
    if (want)
        app_fail(a, "no saved session matches %s; `codex resume` lists them", want);
    else
        app_fail(a, "no saved session to %s in %s; start one with `codex`",
                 a->opt->start == TUI_START_FORK ? "fork" : "resume", a->opt->cwd);
}

static bool looks_like_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    }
    return true;
}

static void start_session(struct app *a)
{
    const struct tui_options *o = a->opt;
    if (o->start == TUI_START_NEW) {
        app_new_thread(a); /* the prompt goes once it exists */
        return;
    }
    bool fork = o->start == TUI_START_FORK;
    if (o->session_id && looks_like_uuid(o->session_id)) {
        app_resume_thread(a, o->session_id, fork, NULL);
        return;
    }
    if (o->session_id || o->last) {
        json_t *p = json_pack("{s:i s:s}", "limit", 100, "sortKey", "updated_at");
        if (o->session_id)
            json_object_set_new(p, "searchTerm", json_string(o->session_id));
        else if (!o->all)
            json_object_set_new(p, "cwd", json_string(o->cwd));
        app_request(a, "thread/list", p, on_last_listed);
        return;
    }
    app_resume_open(a, fork);
}

static void on_models(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error)
        return; /* the footer shows the slug */
    json_decref(a->models);
    a->models = json_incref(json_object_get(result, "data"));
    app_redraw(a);
}

void app_after_trust(struct app *a)
{
    a->pane = PANE_COMPOSER;
    if (a->login_pending) {
        a->login_pending = false;
        app_picker_open(a, PICK_LOGIN);
    }
    start_session(a);
    app_redraw(a);
}

static void on_steered(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (a->steering.n == 0)
        return;
    char *text = a->steering.v[0];
    memmove(a->steering.v, a->steering.v + 1, (a->steering.n - 1) * sizeof *a->steering.v);
    a->steering.v[--a->steering.n] = NULL;
    if (error) {
        /* The turn ended before the words reached it: they start the next
         * one instead of being lost. */
        a->echo_pending--;
        strvec_push(&a->queued, text);
        app_redraw(a);
    }
    free(text);
}

void app_steer(struct app *a, const char *text)
{
    app_add_cell(a, cell_user_new(text, 0));
    a->echo_pending++;
    strvec_push(&a->steering, text);
    app_request(a, "turn/steer",
                json_pack("{s:s s:s s:[{s:s s:s}]}", "threadId", a->thread_id, "expectedTurnId",
                          a->turn_id, "input", "type", "text", "text", text),
                on_steered);
}

static void on_initialized(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        app_fail(a, "initialize failed: %s", error);
        return;
    }
    (void)result;
    a->initialized = true;
    tclient_notify(a->client, "initialized", NULL);
    app_request(a, "model/list", json_pack("{s:b}", "includeHidden", 1), on_models);
    app_login_check(a);
    if (a->opt->ask_trust) {
        a->pane = PANE_TRUST;
        app_redraw(a);
        return;
    }
    start_session(a);
}

static void initialize(struct app *a)
{
    a->connected = true;
    json_t *p = json_pack("{s:{s:s s:s s:s} s:{s:b}}", "clientInfo", "name", "codex-tui", "title",
                          "Codex", "version", a->opt->version, "capabilities", "experimentalApi",
                          1);
    app_request(a, "initialize", p, on_initialized);
}

/* ---- transports ------------------------------------------------------------------ */

static void inproc_deliver(void *ud, const char *text, size_t len)
{
    struct app *a = ud;
    if (a->client)
        tclient_receive(a->client, text, len);
}

static void inproc_closed(void *ud)
{
    struct app *a = ud;
    a->inproc = NULL;
    if (a->client)
        tclient_transport_closed(a->client, "the in-process app server closed");
}

static void inproc_send(void *t, const char *text, size_t len)
{
    struct app *a = t;
    if (a->inproc)
        rpc_inproc_send(a->inproc, text, len);
}

static void inproc_close(void *t)
{
    (void)t; /* shutdown_all closes the in-process connection */
}

static void ws_opened(void *ud)
{
    initialize(ud);
}

static void ws_message(void *ud, const char *text, size_t len)
{
    struct app *a = ud;
    if (a->client)
        tclient_receive(a->client, text, len);
}

static void ws_closed(void *ud, const char *reason)
{
    struct app *a = ud;
    a->ws = NULL;
    if (a->client)
        tclient_transport_closed(a->client, reason);
}

static void ws_send(void *t, const char *text, size_t len)
{
    struct app *a = t;
    if (a->ws)
        wsclient_send(a->ws, text, len);
}

static void ws_close(void *t)
{
    (void)t;
}

static void on_client_closed(void *ud, const char *reason)
{
    struct app *a = ud;
    if (a->quitting)
        return;
    app_fail(a, "%s", reason ? reason : "the app server closed the connection");
}

static int connect_server(struct app *a, struct codex_error *err)
{
    struct tclient_handlers h = {
        .notification = app_on_notification,
        .request = app_on_server_request,
        .closed = on_client_closed,
        .ud = a,
    };
    a->client = tclient_new(&h);
    const struct tui_options *o = a->opt;
    if (o->remote) {
        struct wsclient_callbacks cb = {ws_opened, ws_message, ws_closed, a};
        a->ws = wsclient_connect(a->loop, o->remote, o->remote_token, &cb, err);
        if (!a->ws)
            return -1;
        struct tclient_transport t = {ws_send, ws_close, a};
        tclient_set_transport(a->client, &t);
        return 0;
    }
    rpc_server_init(&a->server, a->loop);
    a->server_init = true;
    a->server.codex_home = xstrdup(o->codex_home);
    a->save_history = o->save_history;
    a->history_max_bytes = o->history_max_bytes;
    a->server.cwd = xstrdup(o->cwd);
    a->server.envp = o->envp;
    a->server.netproxy_hosts = o->netproxy_hosts;
    a->server.n_netproxy_hosts = o->n_netproxy_hosts;
    a->server.config_overrides = o->server_overrides;
    a->server.n_config_overrides = o->n_server_overrides;
    struct rpc_inproc_client c = {inproc_deliver, inproc_closed, a};
    a->inproc = rpc_inproc_open(&a->server, &c);
    struct tclient_transport t = {inproc_send, inproc_close, a};
    tclient_set_transport(a->client, &t);
    initialize(a);
    return 0;
}

/* ---- turns ----------------------------------------------------------------------- */

static void on_turn_started(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    if (error) {
        a->turn_running = false;
        update_ticking(a);
        app_error_cell(a, error);
        return;
    }
    const char *id = json_string_value(json_object_get(json_object_get(result, "turn"), "id"));
    if (id && !a->turn_id)
        replace(&a->turn_id, id);
}

void app_submit(struct app *a, const char *text, const struct strvec *images)
{
    if (!a->thread_id) {
        /* The thread is still starting: send once it is there. */
        replace(&a->pending_prompt, text);
        for (size_t i = 0; images && i < images->n; i++)
            strvec_push(&a->pending_images, images->v[i]);
        return;
    }
    json_t *input = json_array();
    if (*text)
        json_array_append_new(input, json_pack("{s:s s:s s:[]}", "type", "text", "text", text,
                                               "text_elements"));
    for (size_t i = 0; images && i < images->n; i++)
        json_array_append_new(input, json_pack("{s:s s:s}", "type", "localImage", "path",
                                               images->v[i]));
    json_t *p = json_pack("{s:s s:o}", "threadId", a->thread_id, "input", input);
    if (a->cwd)
        json_object_set_new(p, "cwd", json_string(a->cwd));
    if (a->model)
        json_object_set_new(p, "model", json_string(a->model));
    if (a->effort)
        json_object_set_new(p, "effort", json_string(a->effort));
    if (a->policy_changed && a->sandbox_mode && a->approval_policy) {
        json_object_set_new(p, "approvalPolicy", json_string(a->approval_policy));
        json_object_set_new(p, "sandboxPolicy", json_pack("{s:s}", "type", a->sandbox_mode));
    }
    app_plan_turn_params(a, p);
    history_add(&a->hist, text);
    if (a->save_history && a->thread_id && *text)
        history_append(a->server.codex_home, a->thread_id, text, a->history_max_bytes);
    a->hist_pos = -1;
    a->turn_running = true;
    a->turn_started = app_now_ns();
    free(a->turn_id);
    a->turn_id = NULL;
    a->answer_streaming = false;
    update_ticking(a);
    app_request(a, "turn/start", p, on_turn_started);
    if (!a->title_requested && *text)
        request_title(a, text);
    app_write_terminal_title(a);
    app_redraw(a);
}

void app_interrupt(struct app *a)
{
    if (!a->turn_running || !a->thread_id)
        return;
    if (!a->turn_id) {
        /* The turn's id is not known yet: stop it as soon as it is. */
        a->interrupt_requested = true;
        return;
    }
    app_request(a, "turn/interrupt",
                json_pack("{s:s s:s}", "threadId", a->thread_id, "turnId", a->turn_id), NULL);
}

/* Called by app_events.c when a turn ends. */
void app_turn_finished(struct app *a, const char *status, const char *error)
{
    (void)error;
    bool was_running = a->turn_running;
    a->turn_running = false;
    a->answer_streaming = false;
    a->running_commands = 0;
    update_ticking(a);
    if (was_running && status && strcmp(status, "interrupted") != 0) {
        char el[64], line[128], clock[16];
        cell_format_elapsed((int64_t)((app_now_ns() - a->turn_started) / 1000000), el, sizeof el);
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(clock, sizeof clock, "%H:%M", &tm);
        snprintf(line, sizeof line, "Worked for %s • %s", el, clock);
        struct cell *c = cell_text_new();
        struct tline l;
        tline_init(&l);
        tline_adds(&l, line, tstyle_attr(TA_DIM));
        cell_text_add(c, &l, "  ", "  ", TSTYLE_PLAIN);
        tline_free(&l);
        c->is_turn_end = true;
        app_add_cell(a, c);
    }
    app_write_terminal_title(a);
    /* Follow-ups queued with Tab go out one per turn. */
    if (a->queued.n > 0 && (!status || strcmp(status, "interrupted") != 0)) {
        char *next = xstrdup(a->queued.v[0]);
        free(a->queued.v[0]);
        memmove(a->queued.v, a->queued.v + 1, (a->queued.n - 1) * sizeof *a->queued.v);
        a->queued.n--;
        if (a->queued.v)
            a->queued.v[a->queued.n] = NULL;
        app_add_cell(a, cell_user_new(next, 0));
        app_submit(a, next, NULL);
        free(next);
    }
    app_plan_turn_finished(a, status);
    app_notify(a, "Codex is done");
    /* A turn leaves freed buffers behind (streamed text, JSON of large
     * items): give them back rather than hold them while idle. */
    malloc_trim(0);
    app_redraw(a);
}

/* ---- the thread title: a side request, as the reference makes it --------------- */

struct title_req {
    struct app *a;
    char *thread;
    struct buf answer;
};

static const char TITLE_PROMPT[] =
    "Name this coding session. Reply with JSON only, {\"title\": \"...\"}: a title of at most "
    "36 characters, in the user's language, that says what the session is about. The user's "
    "first message follows.\n\n";

static void title_done(struct app *a, const char *answer)
{
    json_t *j = json_loads(answer, 0, NULL);
    const char *title = json_string_value(json_object_get(j, "title"));
    if (title && *title && strlen(title) <= 200 && a->thread_id) {
        char *safe = tw_sanitize(title, strlen(title), false, NULL);
        app_request(a, "thread/name/set", json_pack("{s:s s:s}", "threadId", a->thread_id,
                                                    "name", safe),
                    NULL);
        app_set_title(a, safe);
        free(safe);
    } else {
        /* Not an answer: try again after the next turn. */
        a->title_requested = false;
    }
    json_decref(j);
}

static void title_free(struct app *a)
{
    struct title_req *t = a->title;
    if (!t)
        return;
    a->title = NULL;
    free(t->thread);
    buf_free(&t->answer);
    free(t);
}

/* The side thread's events arrive as notifications; app_events.c hands
 * them here by thread id. */
bool app_title_event(struct app *a, const char *method, json_t *params)
{
    struct title_req *t = a->title;
    const char *tid = json_string_value(json_object_get(params, "threadId"));
    if (!t || !tid || !t->thread || strcmp(tid, t->thread) != 0)
        return false;
    if (strcmp(method, "item/completed") == 0) {
        json_t *item = json_object_get(params, "item");
        const char *type = json_string_value(json_object_get(item, "type"));
        const char *text = json_string_value(json_object_get(item, "text"));
        if (type && strcmp(type, "agentMessage") == 0 && text) {
            buf_truncate(&t->answer, 0);
            buf_puts(&t->answer, text);
        }
    } else if (strcmp(method, "turn/completed") == 0) {
        title_done(a, buf_cstr(&t->answer));
        app_request(a, "thread/unsubscribe", json_pack("{s:s}", "threadId", t->thread), NULL);
        title_free(a);
    }
    return true;
}

static void on_title_thread(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    struct title_req *t = a->title;
    if (!t)
        return;
    const char *id = json_string_value(json_object_get(json_object_get(result, "thread"), "id"));
    if (error || !id) {
        title_free(a);
        a->title_requested = false;
        return;
    }
    t->thread = xstrdup(id);
    json_t *schema = json_pack("{s:s s:{s:{s:s s:i s:i}} s:[s] s:b}", "type", "object",
                               "properties", "title", "type", "string", "minLength", 1, "maxLength",
                               36, "required", "title", "additionalProperties", 0);
    json_t *p = json_pack("{s:s s:[{s:s s:s%}] s:o}", "threadId", id, "input", "type", "text",
                          "text", buf_cstr(&t->answer), t->answer.len, "outputSchema", schema);
    buf_truncate(&t->answer, 0);
    app_request(a, "turn/start", p, NULL);
}

static void request_title(struct app *a, const char *prompt)
{
    if (a->title)
        return;
    a->title_requested = true;
    struct title_req *t = xcalloc(1, sizeof *t);
    t->a = a;
    buf_puts(&t->answer, TITLE_PROMPT);
    buf_puts(&t->answer, prompt);
    a->title = t;
    json_t *p = app_thread_params(a);
    json_object_set_new(p, "ephemeral", json_true());
    json_object_set_new(p, "sandbox", json_string("read-only"));
    json_object_set_new(p, "approvalPolicy", json_string("never"));
    json_object_set_new(p, "threadSource", json_string("thread_title"));
    if (a->model)
        json_object_set_new(p, "model", json_string(a->model));
    app_request(a, "thread/start", p, on_title_thread);
}

/* ---- run ----------------------------------------------------------------------- */

int tui_run(const struct tui_options *o)
{
    struct app *a = xcalloc(1, sizeof *a);
    a->opt = o;
    app_items_init(a);
    a->loop = uv_default_loop();
    a->fullscreen = o->alt_screen;
    a->focused = true;
    a->hist_pos = -1;
    composer_init(&a->comp);
    transcript_init(&a->tr);
    history_init(&a->hist);
    if (o->history_enabled && !o->remote)
        history_load(&a->hist, o->codex_home);
    tgrid_init(&a->frame, 0, 0);
    tgrid_init(&a->scratch, 0, 0);
    replace(&a->cwd, o->cwd);
    replace(&a->model, o->model);
    replace(&a->effort, o->effort);
    /* plan_mode_reasoning_effort stands in for the Plan preset's effort. */
    if (o->plan_effort)
        replace(&a->plan_effort, o->plan_effort);
    if (o->prompt && *o->prompt)
        a->pending_prompt = xstrdup(o->prompt);
    for (int i = 0; i < o->n_images; i++)
        strvec_push(&a->pending_images, o->images[i]);
    uv_timer_init(a->loop, &a->frame_timer);
    a->frame_timer.data = a;
    uv_timer_init(a->loop, &a->tick_timer);
    a->tick_timer.data = a;

    struct codex_error err = CODEX_ERROR_INIT;
    struct tterm_callbacks cb = {on_term_event, on_resize, on_signal, on_resumed,
                                 on_input_closed, a};
    if (tterm_open(&a->term, a->loop, o->in_fd, o->out_fd, o->alt_screen, &cb, &err) != 0) {
        char *msg = codex_error_text(&err);
        fprintf(stderr, "Error: %s; use `codex exec` for non-interactive use\n", msg);
        free(msg);
        codex_error_clear(&err);
        uv_close((uv_handle_t *)&a->frame_timer, NULL);
        uv_close((uv_handle_t *)&a->tick_timer, NULL);
        uv_run(a->loop, UV_RUN_DEFAULT);
        composer_free(&a->comp);
        transcript_free(&a->tr);
        history_free(&a->hist);
        tgrid_free(&a->frame);
        tgrid_free(&a->scratch);
        strvec_free(&a->pending_images);
        free(a->pending_prompt);
        free(a->cwd);
        free(a->model);
        free(a->effort);
        free(a);
        return 1;
    }
    a->term_open = true;
    a->w = a->term.w;
    a->h = a->term.h;
    trender_init(&a->render, o->depth, !o->alt_screen, a->w, a->h);
    char *shown = app_display_path(a, o->cwd);
    app_add_cell(a, cell_header_new(o->version, o->model, shown));
    free(shown);
    if (o->theme && !hl_set_theme(o->theme)) {
        char *m = xasprintf("Unknown syntax theme \"%s\" in tui.theme; using %s (see /theme)",
                            o->theme, hl_theme_name());
        app_error_cell(a, m);
        free(m);
    }

    uv_timer_t cpr_timer;
    uv_timer_init(a->loop, &cpr_timer);
    cpr_timer.data = a;
    if (o->alt_screen) {
        begin_ui(a);
    } else {
        tterm_query_cursor(&a->term);
        uv_timer_start(&cpr_timer, on_cpr_timeout, CPR_TIMEOUT_MS, 0);
    }
    if (connect_server(a, &err) != 0) {
        char *msg = codex_error_text(&err);
        app_fail(a, "%s", msg);
        free(msg);
        codex_error_clear(&err);
    }
    uv_run(a->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&cpr_timer, NULL);
    if (!a->shutting_down)
        shutdown_all(a);
    uv_run(a->loop, UV_RUN_DEFAULT);
    /* Whatever the server left (its SIGCHLD watcher, process handles). */
    uv_walk(a->loop, close_walk, NULL);
    uv_run(a->loop, UV_RUN_DEFAULT);
    print_exit_text(a);
    int status = a->exit_status;

    if (a->server_init)
        rpc_server_free(&a->server);
    tclient_free(a->client);
    trender_free(&a->render);
    tgrid_free(&a->frame);
    tgrid_free(&a->scratch);
    buf_free(&a->out);
    composer_free(&a->comp);
    app_mention_free(a);
    transcript_free(&a->tr);
    if (a->status_cell)
        cell_free(a->status_cell);
    history_free(&a->hist);
    picker_reset(&a->picker);
    app_approvals_cancel_all(a);
    app_plan_free(a);
    if (a->pager)
        app_pager_close(a);
    if (a->resume) {
        json_decref(a->resume->threads);
        buf_free(&a->resume->query);
        free(a->resume->error);
        free(a->resume);
    }
    title_free(a);
    free(a->retry_note);
    free(a->login_id);
    json_decref(a->models);
    strvec_free(&a->queued);
    strvec_free(&a->steering);
    strvec_free(&a->pending_images);
    strvec_free(&a->after_exit);
    free(a->composer_next);
    app_items_free(a);
    app_agents_free(a);
    app_autoreview_free(a);
    buf_free(&a->search);
    free(a->hist_draft);
    free(a->pending_prompt);
    free(a->pending_title);
    free(a->thread_id);
    free(a->thread_title);
    free(a->thread_path);
    free(a->model);
    free(a->provider);
    free(a->effort);
    free(a->cwd);
    free(a->approval_policy);
    free(a->sandbox_mode);
    free(a->turn_id);
    free(a->fatal);
    free(a);
    return status;
}
