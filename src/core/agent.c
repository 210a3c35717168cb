#include "core/agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/approvals.h"
#include "core/context.h"
#include "store/git_head.h"
#include "model/models.h"
#include "model/request.h"
#include "sandbox/sandbox.h"
#include "store/rollout.h"
#include "tools/exec_session.h"
#include "tools/shell_env.h"
#include "tools/specs.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xalloc.h"

struct agent {
    uv_loop_t *loop;
    struct agent_params p;
    const struct model_request_facts *mi;
    agent_event_fn emit_fn;
    void *emit_ud;
    char thread_id[UUID_STR_LEN];
    char turn_id[UUID_STR_LEN];
    struct model_client *client;
    json_t *history;       /* every input item sent to the model, in order */
    struct buf history_json; /* the same, serialized (see request.h) */
    size_t history_serialized; /* items of history already in history_json */
    json_t *tools;
    json_t *attempt_items; /* output items of the sampling attempt in flight */
    struct tool_host host;
    struct exec_sessions *sessions;
    struct sandbox_policy policy;
    struct approvals *approvals;
    struct rollout *rollout;
    char *base_instructions;
    bool context_sent;
    size_t base_headers;   /* provider headers that are not per-turn */
    /* the turn in flight */
    struct token_usage turn_usage;
    struct token_usage thread_usage;
    struct token_usage last_usage; /* of the latest response */
    int64_t turn_started_ms, first_output_ms;
    char *last_message;
    struct tool_call **calls;
    size_t n_calls, n_done;
    bool dispatching;
    bool interrupting; /* calls finishing now are being torn down, not completed */
    void (*done)(void *ud, bool ok);
    void *done_ud;
};

static void sample(struct agent *a);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void emit(struct agent *a, struct agent_event *ev)
{
    ev->thread_id = a->thread_id;
    ev->turn_id = a->turn_id;
    if (ev->kind == AGENT_EV_ITEM_COMPLETED) {
        /* Item start times are not tracked: both stamps are the completion. */
        json_int_t at = (json_int_t)now_ms();
        rollout_append(a->rollout, "event_msg",
                       json_pack("{s:s s:s s:s s:O s:I s:I}", "type", "item_completed",
                                 "thread_id", a->thread_id, "turn_id", a->turn_id, "item",
                                 ev->item, "started_at_ms", at, "completed_at_ms", at));
    }
    a->emit_fn(a->emit_ud, ev);
}

/* ---- the tools' host ----------------------------------------------------- */

/* Tools report through the same path as the loop itself. */
static void host_emit(void *ctx, const struct tool_event *tev)
{
    struct agent *a = ctx;
    struct agent_event ev = {.item = tev->item, .item_id = tev->item_id, .plan = tev->plan};
    char *delta = NULL;
    switch (tev->kind) {
    case TOOL_EV_ITEM_STARTED: ev.kind = AGENT_EV_ITEM_STARTED; break;
    case TOOL_EV_ITEM_COMPLETED: ev.kind = AGENT_EV_ITEM_COMPLETED; break;
    case TOOL_EV_PLAN_UPDATED: ev.kind = AGENT_EV_PLAN_UPDATED; break;
    case TOOL_EV_OUTPUT_DELTA:
        ev.kind = AGENT_EV_COMMAND_OUTPUT_DELTA;
        ev.delta = delta = xstrndup(tev->delta, tev->delta_len);
        break;
    }
    emit(a, &ev);
    free(delta);
}

static struct tool_gate host_gate_exec(void *ctx, const struct tool_exec_request *req)
{
    struct agent *a = ctx;
    return approvals_gate_exec(a->approvals, &a->policy, req);
}

static struct tool_gate host_gate_patch(void *ctx, const struct tool_patch_request *req)
{
    struct agent *a = ctx;
    return approvals_gate_patch(a->approvals, &a->policy, a->p.cfg->cwd, req);
}

static struct tool_ask *host_ask(void *ctx, const struct approval_request *req, tool_answer_fn answer, void *ud)
{
    struct agent *a = ctx;
    return approvals_ask(a->approvals, req, answer, ud);
}

static void host_ask_cancel(void *ctx, struct tool_ask *ask)
{
    struct agent *a = ctx;
    approvals_ask_cancel(a->approvals, ask);
}

/* Every command a tool starts: the session's environment, and its sandbox
 * unless the gate or the user lifted it.  The writable roots always come
 * from the session's working directory, wherever the command runs. */
static struct proc *host_spawn(void *ctx, const struct tool_spawn *sp, const struct proc_callbacks *cb,
                               struct codex_error *err)
{
    struct agent *a = ctx;
    const struct codex_config *cfg = a->p.cfg;
    struct strvec env = STRVEC_INIT;
    shell_env_build(&cfg->shell_env, (char *const *)cfg->envp, a->p.path_prefix, &env);
    struct proc_spec spec = {
        .argv = sp->argv,
        .envp = (const char *const *)env.v,
        .cwd = sp->cwd,
        .io = sp->tty ? PROC_IO_PTY : PROC_IO_PIPES,
        .stdin_pipe = true,
        .merge_stderr = true,
        .drain_ms = sp->drain_ms,
        .sandbox = sp->unsandboxed ? NULL : &a->policy,
        .policy_cwd = cfg->cwd,
    };
    struct proc *p = proc_spawn(a->loop, &spec, cb, err);
    strvec_free(&env);
    return p;
}

static const struct tool_host_ops host_ops = {
    .emit = host_emit,
    .gate_exec = host_gate_exec,
    .gate_patch = host_gate_patch,
    .ask = host_ask,
    .ask_cancel = host_ask_cancel,
    .spawn = host_spawn,
};

bool agent_approval_answer(struct agent *a, uint64_t ticket, enum review_decision decision)
{
    return approvals_answer(a->approvals, ticket, decision);
}

/* Sequence numbers as the reference writes them: history[0] (the base
 * instructions) is 0, and "sampled through" is the last item the model had
 * been sent when this one was recorded. */
static void record_item(struct agent *a, json_t *item)
{
    json_array_append(a->history, item);
    json_int_t seq = (json_int_t)json_array_size(a->history) - 1;
    json_int_t sampled = a->history_serialized ? (json_int_t)a->history_serialized - 1 : 0;
    rollout_append_item(a->rollout, json_incref(item),
                        json_pack("{s:I s:I s:b}", "history_sequence", seq,
                                  "sampled_through_sequence", sampled, "client_authored", 0));
}


static void write_session_meta(struct agent *a)
{
    char ts[32], window[UUID_STR_LEN];
    rollout_timestamp(ts);
    uuid_v7(window);
    json_t *meta = json_pack(
        "{s:s s:s s:s s:s s:[s] s:s s:s s:s s:s s:s s:{s:s} s:{s:s}}", "id", a->thread_id,
        "session_id", a->thread_id, "timestamp", ts, "cwd", a->p.cfg->cwd,
        "runtime_workspace_roots", a->p.cfg->cwd, "originator", a->p.originator, "cli_version",
        CODEX_VERSION, "source", a->p.source, "thread_source", "user", "model_provider",
        a->p.provider_id, "base_instructions", "text", a->base_instructions, "context_window",
        "window_id", window);
    char *commit, *branch;
    if (git_head(a->p.cfg->cwd, &commit, &branch) == 0) {
        json_object_set_new(meta, "git", json_pack("{s:s s:s?}", "commit_hash", commit,
                                                   "branch", branch));
        free(commit);
        free(branch);
    }
    rollout_append(a->rollout, "session_meta", meta);
}

static void add_thread_headers(struct agent *a)
{
    struct strvec *h = &a->p.provider->headers;
    strvec_push_owned(h, xasprintf("originator: %s", a->p.originator));
    strvec_push_owned(h, xasprintf("session-id: %s", a->thread_id));
    strvec_push_owned(h, xasprintf("thread-id: %s", a->thread_id));
    strvec_push_owned(h, xasprintf("x-client-request-id: %s", a->thread_id));
    strvec_push_owned(h, xasprintf("x-codex-window-id: %s:0", a->thread_id));
    a->base_headers = h->n;
}

/* A resumed thread: the stored base instructions, then everything the
 * model saw before; the initial context is already part of it. */
static void resume_history(struct agent *a, const struct rollout_session *rs)
{
    if (rs->base_instructions) {
        free(a->base_instructions);
        a->base_instructions = xstrdup(rs->base_instructions);
    }
    const char *base[] = {a->base_instructions};
    json_array_append_new(a->history, context_message("developer", base, 1));
    json_array_extend(a->history, rs->history);
    a->context_sent = true;
}

static int open_rollout(struct agent *a, struct codex_error *err)
{
    const struct agent_params *p = &a->p;
    char *why = NULL;
    if (p->resume)
        a->rollout = rollout_reopen(p->resume_path, p->resume->n_lines, p->resume->valid_bytes, &why);
    else if ((a->rollout = rollout_create(p->cfg->codex_home, a->thread_id, &why)) != NULL)
        write_session_meta(a);
    if (!a->rollout) {
        codex_error_set(err, "%s", why ? why : "cannot open the session file");
        free(why);
        return -1;
    }
    return 0;
}

struct agent *agent_new(uv_loop_t *loop, const struct agent_params *p, agent_event_fn fn,
                        void *ud, struct codex_error *err)
{
    char errbuf[512];
    struct model_client *client = model_client_new(loop, p->provider, errbuf, sizeof errbuf);
    if (!client) {
        codex_error_set(err, "%s", errbuf);
        return NULL;
    }
    struct approvals *approvals = approvals_new(loop, p->cfg, p->ignore_rules, &p->approvals, err);
    if (!approvals) {
        model_client_free(client);
        return NULL;
    }
    struct agent *a = xcalloc(1, sizeof *a);
    a->approvals = approvals;
    a->loop = loop;
    a->p = *p;
    a->mi = model_facts_lookup(p->model);
    a->emit_fn = fn;
    a->emit_ud = ud;
    a->client = client;
    if (p->resume)
        snprintf(a->thread_id, sizeof a->thread_id, "%s", p->resume->thread_id);
    else
        uuid_v7(a->thread_id);
    a->history = json_array();
    a->attempt_items = json_array();
    struct tool_spec_opts so = {
        .update_plan = p->update_plan_tool,
        .apply_patch = true,
        .apply_patch_freeform = a->mi->apply_patch_freeform,
        .view_image = true,
        .web_search = p->cfg->web_search,
    };
    a->tools = tool_specs_build(&so);
    a->sessions = exec_sessions_new(loop);
    a->host = (struct tool_host){
        .ops = &host_ops,
        .ctx = a,
        .loop = loop,
        .cwd = p->cfg->cwd,
        .sessions = a->sessions,
    };
    sandbox_policy_from_config(&a->policy, p->cfg);
    a->base_instructions = context_base_instructions(p->cfg);
    add_thread_headers(a);
    if (p->resume)
        resume_history(a, p->resume);
    if (!p->ephemeral && open_rollout(a, err) < 0) {
        agent_free(a);
        return NULL;
    }
    struct agent_event ev = {.kind = AGENT_EV_THREAD_STARTED};
    emit(a, &ev);
    return a;
}

const char *agent_thread_id(const struct agent *a)
{
    return a->thread_id;
}

const char *agent_rollout_path(const struct agent *a)
{
    return rollout_path(a->rollout);
}

const char *agent_last_message(const struct agent *a)
{
    return a->last_message;
}

/* ---- context ----------------------------------------------------------- */

static void send_initial_context(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    const char *base[] = {a->base_instructions};
    json_t *m = context_message("developer", base, 1);
    json_array_append_new(a->history, m); /* kept in session_meta, not as a response_item */

    char *perms = context_permissions(cfg);
    const char *dev[2] = {perms, cfg->developer_instructions};
    record_item(a, m = context_message("developer", dev, cfg->developer_instructions ? 2 : 1));
    json_decref(m);
    free(perms);

    char *agents = context_agents_md(cfg);
    if (agents) {
        char *block = xasprintf("# AGENTS.md instructions for %s\n\n<INSTRUCTIONS>\n%s\n"
                                "</INSTRUCTIONS>",
                                cfg->cwd, agents);
        const char *u[] = {block};
        record_item(a, m = context_message("user", u, 1));
        json_decref(m);
        free(block);
        free(agents);
    }
    char *env = context_environment(cfg->cwd);
    const char *e[] = {env};
    record_item(a, m = context_message("user", e, 1));
    json_decref(m);
    free(env);
}

static void write_turn_context(struct agent *a, const char *effort)
{
    const struct codex_config *cfg = a->p.cfg;
    rollout_append(a->rollout, "turn_context",
                   json_pack("{s:s s:s s:s s:{s:s} s:s s:s?}", "turn_id", a->turn_id, "cwd",
                             cfg->cwd, "approval_policy",
                             approval_policy_name(cfg->approval_policy), "sandbox_policy", "type",
                             sandbox_mode_name(cfg->sandbox_mode), "model", a->p.model, "effort",
                             effort));
}

static void set_turn_headers(struct agent *a, const char *effort)
{
    struct strvec *h = &a->p.provider->headers;
    while (h->n > a->base_headers)
        free(h->v[--h->n]);
    if (h->v)
        h->v[h->n] = NULL;
    json_t *meta = json_pack("{s:s s:s s:s s:s s:s s:s s:s?}", "session_id", a->thread_id,
                             "thread_id", a->thread_id, "turn_id", a->turn_id, "request_kind",
                             "turn", "turn_trigger", "exec", "sandbox_mode",
                             sandbox_mode_name(a->p.cfg->sandbox_mode), "reasoning_effort", effort);
    json_object_set_new(meta, "model", json_string(a->p.model));
    char *text = json_dumps(meta, JSON_COMPACT);
    strvec_push_owned(h, xasprintf("x-codex-turn-metadata: %s", text));
    free(text);
    json_decref(meta);
}

static const char *effort_for(const struct agent *a)
{
    const char *e = a->p.cfg->model_reasoning_effort;
    return e ? e : model_default_effort(a->p.model);
}

/* ---- the turn ---------------------------------------------------------- */

static void finish_turn(struct agent *a, bool ok, const char *error)
{
    struct agent_event ev = {.kind = ok ? AGENT_EV_TURN_COMPLETED : AGENT_EV_TURN_FAILED,
                             .usage = a->turn_usage, .message = error};
    int64_t end = now_ms();
    json_t *complete = json_pack(
        "{s:s s:s s:s s:s? s:I s:I s:I}", "type", "task_complete", "root_turn_id", a->turn_id,
        "turn_id", a->turn_id, "last_agent_message", a->last_message, "started_at",
        (json_int_t)(a->turn_started_ms / 1000), "completed_at", (json_int_t)(end / 1000),
        "duration_ms", (json_int_t)(end - a->turn_started_ms));
    json_object_set_new(complete, "time_to_first_token_ms",
                        a->first_output_ms
                            ? json_integer((json_int_t)(a->first_output_ms - a->turn_started_ms))
                            : json_null());
    rollout_append(a->rollout, "event_msg", complete);
    emit(a, &ev);
    void (*done)(void *, bool) = a->done;
    a->done = NULL;
    if (done)
        done(a->done_ud, ok);
}

static json_t *user_message(const char *prompt, const struct strvec *images)
{
    json_t *content = json_array();
    json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_text", "text", prompt));
    for (size_t i = 0; images && i < images->n; i++)
        json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_image", "image_url",
                                                 images->v[i]));
    return json_pack("{s:s s:s s:o}", "type", "message", "role", "user", "content", content);
}

void agent_start_turn(struct agent *a, const char *prompt, const struct strvec *image_urls,
                      void (*done)(void *ud, bool ok), void *done_ud)
{
    uuid_v7(a->turn_id);
    a->done = done;
    a->done_ud = done_ud;
    memset(&a->turn_usage, 0, sizeof a->turn_usage);
    free(a->last_message);
    a->last_message = NULL;
    struct agent_event ev = {.kind = AGENT_EV_TURN_STARTED};
    emit(a, &ev);
    a->turn_started_ms = now_ms();
    a->first_output_ms = 0;
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:{s:s s:s s:n s:n s:s} s:s s:s s:I s:I s:s}", "type",
                             "task_started", "turn_attribution", "turn_id", a->turn_id,
                             "turn_trigger", "exec", "parent_turn_id", "initiating_agent_path",
                             "root_turn_id", a->turn_id, "turn_id", a->turn_id, "root_turn_id",
                             a->turn_id, "started_at", (json_int_t)(a->turn_started_ms / 1000),
                             "model_context_window", (json_int_t)a->mi->context_window,
                             "collaboration_mode_kind", "default"));
    if (!a->context_sent) {
        send_initial_context(a);
        a->context_sent = true;
    }
    const char *effort = effort_for(a);
    write_turn_context(a, effort);
    set_turn_headers(a, effort);

    json_t *msg = user_message(prompt, image_urls);
    record_item(a, msg);
    json_decref(msg);
    json_t *item = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "userMessage", "id", a->turn_id,
                             "content", "type", "text", "text", prompt);
    struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
    emit(a, &started);
    struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
    emit(a, &completed);
    json_decref(item);
    const char *persist = a->p.cfg->history_persistence;
    if (!a->p.ephemeral && !(persist && strcmp(persist, "none") == 0))
        history_append(a->p.cfg->codex_home, a->thread_id, prompt,
                       (long long)a->p.cfg->history_max_bytes);
    sample(a);
}

/* ---- model output ------------------------------------------------------ */

static char *joined_text(const json_t *parts, const char *type, const char *sep)
{
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *part;
    json_array_foreach(parts, i, part) {
        const char *t = json_string_value(json_object_get(part, "type"));
        const char *text = json_string_value(json_object_get(part, "text"));
        if (!t || !text || strcmp(t, type) != 0)
            continue;
        if (b.len && sep)
            buf_puts(&b, sep);
        buf_puts(&b, text);
    }
    return buf_detach(&b, NULL);
}

static void announce_item(struct agent *a, json_t *item)
{
    struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
    emit(a, &started);
    struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
    emit(a, &completed);
}

static void on_output_item(struct agent *a, const json_t *item)
{
    json_t *kept = json_deep_copy(item);
    const char *type = json_string_value(json_object_get(item, "type"));
    if (type && strcmp(type, "reasoning") == 0) {
        /* Stored and sent back with both keys present, as the reference does. */
        if (!json_object_get(kept, "content"))
            json_object_set_new(kept, "content", json_null());
        if (!json_object_get(kept, "encrypted_content"))
            json_object_set_new(kept, "encrypted_content", json_null());
    }
    json_array_append_new(a->attempt_items, kept);
    const char *id = json_string_value(json_object_get(item, "id"));
    if (strcmp(type, "message") == 0) {
        char *text = joined_text(json_object_get(item, "content"), "output_text", NULL);
        json_t *ev = json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", id ? id : "",
                               "text", text);
        const char *phase = json_string_value(json_object_get(item, "phase"));
        if (phase)
            json_object_set_new(ev, "phase", json_string(phase));
        announce_item(a, ev);
        json_decref(ev);
        free(a->last_message);
        a->last_message = text;
    } else if (strcmp(type, "reasoning") == 0) {
        json_t *summary = json_array();
        size_t i;
        const json_t *part;
        json_array_foreach(json_object_get(item, "summary"), i, part) {
            const char *t = json_string_value(json_object_get(part, "text"));
            if (t)
                json_array_append_new(summary, json_string(t));
        }
        json_t *ev = json_pack("{s:s s:s s:o s:[]}", "type", "reasoning", "id", id ? id : "",
                               "summary", summary, "content");
        announce_item(a, ev);
        json_decref(ev);
    }
}

static void on_stream_event(void *ud, const struct stream_event *se)
{
    struct agent *a = ud;
    struct agent_event ev = {.item_id = se->item_id, .delta = se->text};
    if (!a->first_output_ms)
        a->first_output_ms = now_ms();
    switch (se->kind) {
    case STREAM_EV_TEXT_DELTA:
        ev.kind = AGENT_EV_AGENT_MESSAGE_DELTA;
        emit(a, &ev);
        break;
    case STREAM_EV_REASONING_DELTA:
        ev.kind = AGENT_EV_REASONING_DELTA;
        emit(a, &ev);
        break;
    case STREAM_EV_ITEM_DONE:
        on_output_item(a, se->item);
        break;
    }
}

static void on_attempt(void *ud)
{
    struct agent *a = ud;
    json_array_clear(a->attempt_items);
}

static void on_retry(void *ud, const char *notice)
{
    struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = notice};
    emit(ud, &ev);
}

/* ---- tool calls -------------------------------------------------------- */

/* The reference reports usage once the round's tool outputs are recorded. */
static void write_token_count(struct agent *a)
{
    /* No rate-limit headers are read yet: every field is present and null. */
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:{s:o s:o s:b s:I} s:{s:s s:n s:n s:n s:n s:n s:n s:n s:n}}",
                             "type", "token_count", "info", "total_token_usage",
                             token_usage_to_json(&a->thread_usage, 1), "last_token_usage",
                             token_usage_to_json(&a->last_usage, 1), "last_usage_includes_reasoning",
                             0, "model_context_window", (json_int_t)a->mi->context_window,
                             "rate_limits", "limit_id", "codex", "limit_name", "primary",
                             "secondary", "credits", "individual_limit", "spend_control_reached",
                             "plan_type", "rate_limit_reached_type"));
}

static void all_calls_done(struct agent *a)
{
    for (size_t i = 0; i < a->n_calls; i++) {
        struct tool_call *c = a->calls[i];
        json_t *out = json_pack("{s:s s:s s:s}", "type",
                                c->custom ? "custom_tool_call_output" : "function_call_output",
                                "call_id", c->call_id, "output", c->output ? c->output : "");
        record_item(a, out);
        json_decref(out);
        size_t k;
        json_t *extra;
        json_array_foreach(c->extra_input, k, extra)
            record_item(a, extra);
        tool_call_free(c);
    }
    free(a->calls);
    a->calls = NULL;
    a->n_calls = a->n_done = 0;
    write_token_count(a);
    if (approvals_take_abort(a->approvals)) {
        finish_turn(a, false, "turn aborted: an approval request was answered with abort");
        return;
    }
    sample(a);
}

static void on_call_finished(struct tool_call *call)
{
    struct agent *a = call->owner;
    if (a->interrupting)
        return;
    if (++a->n_done == a->n_calls && !a->dispatching)
        all_calls_done(a);
}

static struct tool_call *new_call(struct agent *a, const json_t *item, bool custom)
{
    struct tool_call *c = xcalloc(1, sizeof *c);
    const char *name = json_string_value(json_object_get(item, "name"));
    const char *call_id = json_string_value(json_object_get(item, "call_id"));
    const char *input = json_string_value(json_object_get(item, custom ? "input" : "arguments"));
    c->host = &a->host;
    c->name = xstrdup(name ? name : "");
    c->call_id = xstrdup(call_id ? call_id : "");
    c->input = xstrdup(input ? input : "");
    c->custom = custom;
    c->on_finished = on_call_finished;
    c->owner = a;
    return c;
}

static void run_calls(struct agent *a)
{
    size_t n = json_array_size(a->attempt_items);
    a->calls = xcalloc(n ? n : 1, sizeof *a->calls);
    size_t i;
    json_t *item;
    json_array_foreach(a->attempt_items, i, item) {
        const char *type = json_string_value(json_object_get(item, "type"));
        if (strcmp(type, "function_call") == 0)
            a->calls[a->n_calls++] = new_call(a, item, false);
        else if (strcmp(type, "custom_tool_call") == 0)
            a->calls[a->n_calls++] = new_call(a, item, true);
    }
    json_array_clear(a->attempt_items);
    if (a->n_calls == 0) {
        free(a->calls);
        a->calls = NULL;
        write_token_count(a);
        finish_turn(a, true, NULL);
        return;
    }
    /* Every call starts before any result is used: they run side by side. */
    a->dispatching = true;
    for (size_t k = 0; k < a->n_calls; k++)
        tool_call_start(a->calls[k]);
    a->dispatching = false;
    if (a->n_done == a->n_calls)
        all_calls_done(a);
}

static void on_sample_done(void *ud, const struct sample_result *res)
{
    struct agent *a = ud;
    if (!res->ok) {
        json_array_clear(a->attempt_items);
        struct agent_event err = {.kind = AGENT_EV_ERROR, .message = res->error};
        emit(a, &err);
        finish_turn(a, false, res->error);
        return;
    }
    token_usage_add(&a->turn_usage, &res->usage);
    token_usage_add(&a->thread_usage, &res->usage);
    size_t i;
    json_t *item;
    json_array_foreach(a->attempt_items, i, item)
        record_item(a, item);
    rollout_append(a->rollout, "token_usage_record",
                   json_pack("{s:s s:s s:s s:s s:s? s:o s:o s:o}", "thread_id", a->thread_id,
                             "turn_id", a->turn_id, "session_id", a->thread_id, "root_turn_id",
                             a->turn_id, "response_id", res->response_id, "usage",
                             token_usage_to_json(&res->usage, 1), "turn_token_usage",
                             token_usage_to_json(&a->turn_usage, 1), "thread_token_usage",
                             token_usage_to_json(&a->thread_usage, 1)));
    a->last_usage = res->usage;
    struct agent_event ev = {.kind = AGENT_EV_TOKEN_USAGE, .usage = res->usage};
    emit(a, &ev);
    run_calls(a);
}

static void sample(struct agent *a)
{
    json_t *meta = json_pack("{s:s s:s s:s s:s}", "session_id", a->thread_id, "thread_id",
                             a->thread_id, "turn_id", a->turn_id, "x-codex-window-id", "");
    json_object_set_new(meta, "x-codex-window-id", json_sprintf("%s:0", a->thread_id));
    struct request_parts rp = {
        .model = a->p.model,
        .tools = a->tools,
        .reasoning_effort = effort_for(a),
        .reasoning_summary = a->mi->known ? a->p.cfg->model_reasoning_summary : "auto",
        .verbosity = a->p.cfg->model_verbosity ? a->p.cfg->model_verbosity : a->mi->verbosity,
        .output_schema = a->p.output_schema,
        .prompt_cache_key = a->thread_id,
        .client_metadata = meta,
        .parallel_tool_calls = a->mi->parallel_tool_calls,
    };
    size_t n = json_array_size(a->history);
    for (; a->history_serialized < n; a->history_serialized++)
        request_append_item(&a->history_json, json_array_get(a->history, a->history_serialized));
    rp.input_json = a->history_json.data ? a->history_json.data : "";
    rp.input_json_len = a->history_json.len;
    size_t len;
    char *body = request_body(&rp, &len);
    json_decref(meta);
    struct sample_callbacks cbs = {.on_attempt = on_attempt, .on_event = on_stream_event,
                                   .on_retry = on_retry, .on_done = on_sample_done, .ud = a};
    model_client_sample(a->client, body, len, &cbs);
    free(body);
}

void agent_interrupt(struct agent *a)
{
    if (!a->done)
        return;
    model_client_cancel(a->client);
    /* Withdrawn questions answer their tools with "abort"; the calls they
     * finish are not the turn's results any more. */
    a->interrupting = true;
    approvals_cancel_all(a->approvals);
    approvals_take_abort(a->approvals);
    /* Killing the sessions drops the tools' waiters without calling them
     * back, so the calls can be freed right after. */
    exec_sessions_free(a->sessions);
    a->sessions = exec_sessions_new(a->loop);
    a->host.sessions = a->sessions;
    for (size_t i = 0; i < a->n_calls; i++)
        tool_call_free(a->calls[i]);
    free(a->calls);
    a->calls = NULL;
    a->n_calls = a->n_done = 0;
    json_array_clear(a->attempt_items);
    a->interrupting = false;
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:s s:s}", "type", "turn_aborted", "turn_id", a->turn_id,
                             "reason", "interrupted"));
    void (*done)(void *, bool) = a->done;
    a->done = NULL;
    done(a->done_ud, false);
}

void agent_set_model(struct agent *a, const char *model)
{
    a->p.model = model;
    a->mi = model_facts_lookup(model);
}

void agent_settings_changed(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    a->host.cwd = cfg->cwd;
    sandbox_policy_free(&a->policy);
    sandbox_policy_from_config(&a->policy, cfg);
}

void agent_free(struct agent *a)
{
    if (!a)
        return;
    model_client_free(a->client);
    a->interrupting = true; /* nothing that finishes now is a result */
    approvals_cancel_all(a->approvals);
    approvals_free(a->approvals);
    exec_sessions_free(a->sessions);
    sandbox_policy_free(&a->policy);
    for (size_t i = 0; i < a->n_calls; i++)
        tool_call_free(a->calls[i]);
    free(a->calls);
    rollout_close(a->rollout);
    json_decref(a->history);
    buf_free(&a->history_json);
    json_decref(a->tools);
    json_decref(a->attempt_items);
    free(a->base_instructions);
    free(a->last_message);
    free(a);
}
