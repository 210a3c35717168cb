/* Thread, Turn and session objects as the v2 protocol sends them. */
#include <string.h>

#include "rpc/command_actions.h"
#include "rpc/thread.h"

static json_t *sandbox_json(const struct codex_config *cfg)
{
    switch (cfg->sandbox_mode) {
    case SANDBOX_DANGER_FULL_ACCESS:
        return json_pack("{s:s}", "type", "dangerFullAccess");
    case SANDBOX_READ_ONLY:
        return json_pack("{s:s s:b}", "type", "readOnly", "networkAccess", 0);
    case SANDBOX_WORKSPACE_WRITE:
        break;
    }
    json_t *roots = json_array();
    const struct sandbox_workspace_write *w = &cfg->workspace_write;
    for (size_t i = 0; i < w->writable_roots.n; i++)
        json_array_append_new(roots, json_string(w->writable_roots.v[i]));
    return json_pack("{s:s s:o s:b s:b s:b}", "type", "workspaceWrite", "writableRoots", roots,
                     "networkAccess", w->network_access, "excludeTmpdirEnvVar",
                     w->exclude_tmpdir_env_var, "excludeSlashTmp", w->exclude_slash_tmp);
}

static json_t *approval_json(const struct codex_config *cfg)
{
    switch (cfg->approval_policy) {
    case APPROVAL_UNTRUSTED:
        return json_string("untrusted");
    case APPROVAL_NEVER:
        return json_string("never");
    case APPROVAL_GRANULAR:
        return json_pack("{s:{s:b s:b s:b s:b s:b}}", "granular", "sandbox_approval",
                         cfg->granular.sandbox_approval, "rules", cfg->granular.rules,
                         "mcp_elicitations", cfg->granular.mcp_elicitations,
                         "request_permissions", cfg->granular.request_permissions,
                         "skill_approval", cfg->granular.skill_approval);
    case APPROVAL_ON_FAILURE: /* deprecated: the protocol has no spelling for it */
    case APPROVAL_ON_REQUEST:
        break;
    }
    return json_string("on-request");
}

json_t *rpc_thread_json(const struct rpc_thread *t)
{
    const char *id = rpc_thread_id(t);
    const char *path = t->ephemeral ? NULL : agent_rollout_path(t->agent);
    json_t *status = t->turn_running
                         ? json_pack("{s:s s:[]}", "type", "active", "activeFlags")
                         : json_pack("{s:s}", "type", "idle");
    return json_pack("{s:s s:s s:s s:I s:s s:b s:s? s:s s:s s:s s:n s:o s:[] s:I s:s? s:s? "
                     "s:s? s:s}",
                     "id", id, "sessionId", id, "cliVersion", CODEX_VERSION, "createdAt",
                     (json_int_t)t->created_at, "cwd", t->cfg.cwd, "ephemeral", t->ephemeral,
                     "path", path, "modelProvider", t->provider_id, "model", t->model,
                     "preview", t->preview ? t->preview : "", "projectId", "status", status,
                     "turns", "updatedAt", (json_int_t)t->updated_at, "name", t->name,
                     "forkedFromId", t->forked_from, "reasoningEffort",
                     t->cfg.model_reasoning_effort, "source", "vscode");
}

/* The common part of thread/start, resume and fork responses. */
json_t *rpc_thread_session_json(const struct rpc_thread *t)
{
    return json_pack("{s:o s:s s:s s:s s:o s:s s:o s:s? s:[] s:[]}", "thread", rpc_thread_json(t),
                     "model", t->model, "modelProvider", t->provider_id, "cwd", t->cfg.cwd,
                     "approvalPolicy", approval_json(&t->cfg), "approvalsReviewer", "user",
                     "sandbox", sandbox_json(&t->cfg), "reasoningEffort",
                     t->cfg.model_reasoning_effort, "instructionSources", "disabledPluginIds");
}

/* A stored object source, {"subagent": X}: X, or NULL. */
static json_t *subagent_source(const char *s)
{
    if (!s || *s != '{')
        return NULL;
    json_t *j = json_loads(s, 0, NULL);
    json_t *inner = json_incref(json_object_get(j, "subagent"));
    json_decref(j);
    return inner;
}

const char *rpc_session_source(const char *s)
{
    static const char *const known[] = {"cli", "vscode", "exec", "appServer", NULL};
    for (const char *const *k = known; s && *k; k++)
        if (strcmp(s, *k) == 0)
            return *k;
    json_t *sub = subagent_source(s);
    if (!sub)
        return "unknown";
    const char *v = json_string_value(sub);
    const char *kind = v && strcmp(v, "review") == 0    ? "subAgentReview"
                       : v && strcmp(v, "compact") == 0 ? "subAgentCompact"
                       : json_object_get(sub, "thread_spawn") ? "subAgentThreadSpawn"
                                                              : "subAgentOther";
    json_decref(sub);
    return kind;
}

/* The SessionSource of a stored thread: its kind, or {"subAgent": ...}. */
static json_t *session_source_json(const char *s)
{
    json_t *sub = subagent_source(s);
    return sub ? json_pack("{s:o}", "subAgent", sub) : json_string(rpc_session_source(s));
}

json_t *rpc_thread_stored_json(const struct rollout_summary *s, const char *name)
{
    return json_pack("{s:s s:s s:s s:I s:s s:b s:s s:s s:s? s:s? s:s s:n s:{s:s} s:[] s:I s:o "
                     "s:s? s:s?}",
                     "id", s->id, "sessionId", s->id, "cliVersion",
                     s->cli_version ? s->cli_version : "", "createdAt", (json_int_t)s->created_at,
                     "cwd", s->cwd ? s->cwd : "/", "ephemeral", 0, "path", s->path,
                     "modelProvider", s->model_provider ? s->model_provider : "openai", "model",
                     s->model, "reasoningEffort", s->effort, "preview",
                     s->preview ? s->preview : "", "projectId", "status", "type", "notLoaded",
                     "turns", "updatedAt", (json_int_t)s->updated_at, "source",
                     session_source_json(s->source), "originator", s->originator, "name", name);
}

json_t *rpc_turn_json(const char *id, const char *status, int64_t started_ms, int64_t ended_ms,
                      const char *error)
{
    json_t *turn = json_pack("{s:s s:[] s:s s:I}", "id", id, "items", "status", status,
                             "startedAt", (json_int_t)(started_ms / 1000));
    if (ended_ms) {
        json_object_set_new(turn, "completedAt", json_integer(ended_ms / 1000));
        json_object_set_new(turn, "durationMs", json_integer(ended_ms - started_ms));
    }
    json_object_set_new(turn, "error",
                        error ? json_pack("{s:s}", "message", error) : json_null());
    return turn;
}

void rpc_turns_complete(json_t *turns)
{
    size_t i, k;
    json_t *turn, *item;
    json_array_foreach(turns, i, turn) {
        json_array_foreach(json_object_get(turn, "items"), k, item) {
            const char *type = json_string_value(json_object_get(item, "type"));
            if (type && strcmp(type, "commandExecution") == 0 &&
                !json_object_get(item, "commandActions"))
                json_object_set_new(
                    item, "commandActions",
                    rpc_command_actions(json_string_value(json_object_get(item, "command"))));
        }
    }
}
