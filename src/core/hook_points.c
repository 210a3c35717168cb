/* The points of a session where lifecycle hooks (src/hooks) run: the
 * payload each event gets, and waiting for them without blocking the loop.
 * What an outcome changes (a blocked tool, added context, a stop that
 * continues the turn) is decided by the caller in turn.c and tool_calls.c. */
#include "core/agent_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "util/xalloc.h"

struct agent_hook_wait {
    struct agent *a;
    struct hooks_run *run;
    agent_hook_cont cont;
    void *ctx;
    struct agent_hook_wait *next;
};

static void screen_question(void *ud, const struct approval_request *req, uint64_t ticket);

void agent_hooks_init(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    /* A thread another thread started (a reviewer) is part of its parent's
     * session: the parent's hooks cover it. */
    if (!config_feature_enabled(cfg, "hooks") || a->p.parent_thread_id)
        return;
    hook_set_load(&a->hooks, cfg, a->p.bypass_hook_trust);
    a->hooks_on = true;
    if (agent_hooks_has(a, HOOK_PERMISSION_REQUEST))
        approvals_set_screen(a->approvals, screen_question, a);
}

/* Notices the user gets once the thread has started. */
void agent_hooks_announce(struct agent *a)
{
    const toml_value *features = toml_table_get(a->p.cfg->root, "features");
    if (features && toml_type(features) == TOML_TABLE && toml_table_get(features, "codex_hooks")) {
        struct agent_event ev = {
            .kind = AGENT_EV_DEPRECATION,
            .message = "`[features].codex_hooks` is deprecated. Use `[features].hooks` instead.",
            .details = "Enable it with `--enable hooks` or `[features].hooks` in config.toml. See "
                       "https://developers.openai.com/codex/config-basic#feature-flags for "
                       "details."};
        agent_emit(a, &ev);
    }
    if (!a->hooks_on)
        return;
    for (size_t i = 0; i < a->hooks.warnings.n; i++) {
        struct agent_event ev = {.kind = AGENT_EV_WARNING, .message = a->hooks.warnings.v[i]};
        agent_emit(a, &ev);
    }
    if (a->p.bypass_hook_trust) {
        struct agent_event ev = {.kind = AGENT_EV_WARNING,
                                 .message = "`--dangerously-bypass-hook-trust` is enabled. Enabled "
                                            "hooks may run without review for this invocation."};
        agent_emit(a, &ev);
    }
}

static void unlink_wait(struct agent *a, struct agent_hook_wait *w)
{
    for (struct agent_hook_wait **p = &a->hook_waits; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

void agent_hooks_cancel(struct agent *a)
{
    while (a->hook_waits) {
        struct agent_hook_wait *w = a->hook_waits;
        a->hook_waits = w->next;
        hooks_run_cancel(w->run);
        free(w);
    }
}

void agent_hooks_free(struct agent *a)
{
    agent_hooks_cancel(a);
    if (a->hooks_on)
        hook_set_free(&a->hooks);
    a->hooks_on = false;
    json_decref(a->call_contexts);
    a->call_contexts = NULL;
    json_decref(a->prompt_notes);
    a->prompt_notes = NULL;
    json_decref(a->post_model_payload);
    a->post_model_payload = NULL;
}

struct session_end {
    void (*done)(void *ud);
    void *ud;
};

static void session_ended(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)a;
    (void)o;
    struct session_end se = *(struct session_end *)ctx;
    free(ctx);
    se.done(se.ud);
}

void agent_end_session(struct agent *a, void (*done)(void *ud), void *done_ud)
{
    if (!agent_hooks_has(a, HOOK_SESSION_END)) {
        done(done_ud);
        return;
    }
    json_t *payload = agent_hook_payload(a, HOOK_SESSION_END, false);
    json_object_set_new(payload, "reason", json_string("other"));
    struct session_end *se = xcalloc(1, sizeof *se);
    se->done = done;
    se->ud = done_ud;
    agent_hooks_fire(a, HOOK_SESSION_END, NULL, payload, session_ended, se);
}

bool agent_hooks_has(const struct agent *a, enum hook_event e)
{
    return a->hooks_on && hook_set_has(&a->hooks, e);
}

const char *agent_permission_mode(const struct agent *a)
{
    return a->p.cfg->approval_policy == APPROVAL_NEVER ? "bypassPermissions" : "default";
}

json_t *agent_hook_payload(struct agent *a, enum hook_event e, bool with_turn)
{
    const char *path = a->rollout ? agent_rollout_path(a) : NULL;
    json_t *o = json_pack("{s:s}", "session_id", a->thread_id);
    if (with_turn)
        json_object_set_new(o, "turn_id", json_string(a->turn_id));
    json_object_set_new(o, "transcript_path", path ? json_string(path) : json_null());
    json_object_set_new(o, "cwd", json_string(a->p.cfg->cwd));
    json_object_set_new(o, "hook_event_name", json_string(hook_event_name(e)));
    json_object_set_new(o, "model", json_string(a->p.model));
    return o;
}

static void on_hooks_done(void *ud, struct hook_outcome *o)
{
    struct agent_hook_wait *w = ud;
    struct agent *a = w->a;
    unlink_wait(a, w);
    /* A hook that failed decides nothing; the user hears why. */
    for (size_t i = 0; i < o->errors.n; i++) {
        struct agent_event ev = {.kind = AGENT_EV_WARNING, .message = o->errors.v[i]};
        agent_emit(a, &ev);
    }
    agent_hook_cont cont = w->cont;
    void *ctx = w->ctx;
    free(w);
    cont(a, ctx, o);
}

void agent_hooks_fire(struct agent *a, enum hook_event e, const char *matcher_input, json_t *payload,
                      agent_hook_cont cont, void *ctx)
{
    if (!agent_hooks_has(a, e)) {
        json_decref(payload);
        if (cont)
            cont(a, ctx, NULL);
        return;
    }
    struct hooks_env env = {.cwd = a->p.cfg->cwd, .envp = a->p.cfg->envp,
                            .codex_home = a->p.cfg->codex_home};
    struct agent_hook_wait *w = xcalloc(1, sizeof *w);
    w->a = a;
    w->cont = cont;
    w->ctx = ctx;
    w->run = hooks_run_start(a->loop, &a->hooks, &env, e, matcher_input, payload, on_hooks_done, w);
    json_decref(payload);
    if (!w->run) {
        free(w);
        if (cont)
            cont(a, ctx, NULL);
        return;
    }
    w->next = a->hook_waits;
    a->hook_waits = w;
}

static void ignore_outcome(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)a;
    (void)ctx;
    (void)o;
}

void agent_hooks_notify(struct agent *a, enum hook_event e, const char *matcher_input,
                        json_t *payload)
{
    agent_hooks_fire(a, e, matcher_input, payload, ignore_outcome, NULL);
}

void agent_record_developer_notes(struct agent *a, const struct hook_outcome *o)
{
    for (size_t i = 0; o && i < o->contexts.n; i++) {
        const char *text[] = {o->contexts.v[i]};
        json_t *m = context_message("developer", text, 1);
        agent_record_item(a, m);
        json_decref(m);
    }
}

/* ---- tools ----------------------------------------------------------------- */

/* The name hooks know a tool by and its input, for the tools the reference
 * reports to hooks: shell commands as "Bash" with {"command"}, and
 * apply_patch with the patch as "command".  NULL for other tools. */
const char *agent_hook_tool(const struct tool_call *c, json_t **input)
{
    *input = NULL;
    if (c->tool_search || c->namespace_name)
        return NULL;
    if (strcmp(c->name, "apply_patch") == 0) {
        const char *patch = c->input;
        json_t *args = NULL;
        if (!c->custom) {
            args = json_loads(c->input, 0, NULL);
            patch = json_string_value(json_object_get(args, "input"));
        }
        *input = json_pack("{s:s}", "command", patch ? patch : "");
        json_decref(args);
        return "apply_patch";
    }
    if (strcmp(c->name, "exec_command") == 0) {
        json_t *args = json_loads(c->input, 0, NULL);
        const char *cmd = json_string_value(json_object_get(args, "cmd"));
        *input = json_pack("{s:s}", "command", cmd ? cmd : "");
        json_decref(args);
        return "Bash";
    }
    return NULL;
}

/* What the command printed, without the tool's header lines. */
char *agent_hook_tool_response(const struct tool_call *c)
{
    const char *out = c->output ? c->output : "";
    const char *mark = strstr(out, "\nOutput:\n");
    if (mark && strcmp(c->name, "exec_command") == 0)
        return xstrdup(mark + strlen("\nOutput:\n"));
    return xstrdup(out);
}

/* ---- approvals ---------------------------------------------------------------- */

/* PermissionRequest hooks answer a question before the user sees it:
 * allow approves it, deny declines it, anything else asks as usual. */
static void after_permission_hooks(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    approvals_screened(a->approvals, (uint64_t)(uintptr_t)ctx, o ? o->permission : 0);
}

static void screen_question(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct agent *a = ud;
    char *tool;
    json_t *input;
    if (req->kind == APPROVAL_KIND_MCP) {
        tool = xasprintf("mcp__%s__%s", req->mcp_server ? req->mcp_server : "",
                         req->mcp_tool ? req->mcp_tool : "");
        input = req->mcp_arguments ? json_deep_copy(req->mcp_arguments) : json_object();
    } else {
        tool = xstrdup(req->kind == APPROVAL_KIND_PATCH ? "apply_patch" : "Bash");
        input = json_pack("{s:s}", "command", req->command ? req->command : "");
    }
    json_t *payload = agent_hook_payload(a, HOOK_PERMISSION_REQUEST, true);
    json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
    json_object_set_new(payload, "tool_name", json_string(tool));
    json_object_set_new(payload, "tool_input", input);
    agent_hooks_fire(a, HOOK_PERMISSION_REQUEST, tool, payload, after_permission_hooks,
                     (void *)(uintptr_t)ticket);
    free(tool);
}
