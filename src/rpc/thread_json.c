/* Thread, Turn, item and session objects as the v2 protocol sends them. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "core/subagents.h"
#include "model/models.h"
#include "tools/command_actions.h"
#include "rpc/thread.h"
#include "store/thread_meta.h"

int64_t rpc_now_ms(void)
{
    uv_timeval64_t tv;
    if (uv_gettimeofday(&tv) != 0)
        return 0;
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

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

/* The one environment a local thread has. */
static json_t *environments_json(const char *cwd)
{
    return json_pack("[{s:s s:s s:[s]}]", "environmentId", "local", "cwd", cwd,
                     "runtimeWorkspaceRoots", cwd);
}

json_t *rpc_thread_status_json(const struct rpc_thread *t)
{
    if (!t->turn_running)
        return json_pack("{s:s}", "type", "idle");
    json_t *flags = json_array();
    if (t->waiting_approvals > 0)
        json_array_append_new(flags, json_string("waitingOnApproval"));
    if (t->waiting_user_input > 0)
        json_array_append_new(flags, json_string("waitingOnUserInput"));
    return json_pack("{s:s s:o}", "type", "active", "activeFlags", flags);
}

json_t *rpc_thread_read_state_json(const struct rpc_thread *t)
{
    json_t *first = t->first_unread_turn
                        ? json_pack("{s:s s:s}", "type", "turn", "turnId", t->first_unread_turn)
                        : json_null();
    return json_pack("{s:o s:s}", "firstUnread", first, "revision", t->read_revision);
}

/* Members every Thread has, from what is known of it. */
static json_t *thread_base(const char *id, const char *cwd, const char *path, bool ephemeral)
{
    return json_pack("{s:s s:s s:o s:n s:n s:n s:n s:b s:n s:n s:n s:s? s:s s:b s:n s:n s:n s:[]}",
                     "id", id, "sessionId", id, "environments", environments_json(cwd), "extra",
                     "forkedFromId", "attachedToThreadId", "parentThreadId", "ephemeral",
                     ephemeral, "section", "sectionEnteredAt", "projectId", "path", path, "cwd",
                     cwd, "canAcceptDirectInput", 1, "agentNickname", "agentRole",
                     "daybreakEnabled", "turns");
}

/* A subagent's Thread says where it comes from (thread_children.c). */
static void child_json(const struct rpc_thread *t, json_t *o)
{
    const struct subagent_link *l = t->root && t->agent ? agent_subagent_link(t->agent) : NULL;
    if (!l)
        return;
    json_t *source;
    if (l->job_source)
        source = json_pack("{s:{s:s}}", "subAgent", "other", l->job_source);
    else
        source = json_pack("{s:{s:{s:s s:i s:n s:s? s:s?}}}", "subAgent", "thread_spawn",
                           "parent_thread_id", l->parent_thread_id, "depth", l->depth,
                           "agent_path", "agent_nickname", l->nickname, "agent_role", l->role);
    json_object_set_new(o, "source", source);
    json_object_set_new(o, "sessionId", json_string(rpc_thread_id(t->root)));
    json_object_set_new(o, "parentThreadId", json_string(l->parent_thread_id));
    json_object_set_new(o, "agentNickname", l->nickname ? json_string(l->nickname) : json_null());
    json_object_set_new(o, "agentRole", l->role ? json_string(l->role) : json_null());
}

json_t *rpc_thread_json(const struct rpc_thread *t)
{
    const char *id = rpc_thread_id(t);
    json_t *o = thread_base(id, t->cfg.cwd, t->ephemeral ? NULL : agent_rollout_path(t->agent),
                            t->ephemeral);
    json_object_set_new(o, "preview", json_string(t->preview ? t->preview : ""));
    json_object_set_new(o, "historyMode", json_string(t->history_mode));
    json_object_set_new(o, "modelProvider", json_string(t->provider_id));
    json_object_set_new(o, "model", json_string(t->model));
    json_object_set_new(o, "reasoningEffort", t->cfg.model_reasoning_effort
                                                  ? json_string(t->cfg.model_reasoning_effort)
                                                  : json_null());
    json_object_set_new(o, "createdAt", json_integer(t->created_at));
    json_object_set_new(o, "updatedAt", json_integer(t->updated_at));
    json_object_set_new(o, "recencyAt", json_integer(t->updated_at));
    json_object_set_new(o, "status", rpc_thread_status_json(t));
    json_object_set_new(o, "cliVersion", json_string(CODEX_VERSION));
    json_object_set_new(o, "originator", t->originator ? json_string(t->originator) : json_null());
    json_object_set_new(o, "source", json_string("vscode"));
    json_object_set_new(o, "threadSource",
                        t->thread_source ? json_string(t->thread_source) : json_null());
    json_object_set_new(o, "gitInfo", t->git_info ? json_incref(t->git_info) : json_null());
    json_object_set_new(o, "name", t->name ? json_string(t->name) : json_null());
    json_object_set_new(o, "forkedFromId",
                        t->forked_from ? json_string(t->forked_from) : json_null());
    child_json(t, o);
    return o;
}

/* The common part of thread/start, resume and fork responses. */
json_t *rpc_thread_session_json(const struct rpc_thread *t)
{
    return json_pack("{s:o s:s s:s s:s? s:[] s:s s:[s] s:[] s:o s:s s:o s:n s:s? s:s}", "thread",
                     rpc_thread_json(t), "model", t->model, "modelProvider", t->provider_id,
                     "serviceTier", t->cfg.service_tier, "disabledPluginIds", "cwd", t->cfg.cwd,
                     "runtimeWorkspaceRoots", t->cfg.cwd, "instructionSources", "approvalPolicy",
                     approval_json(&t->cfg), "approvalsReviewer", t->cfg.auto_review ? "auto_review" : "user", "sandbox",
                     sandbox_json(&t->cfg), "activePermissionProfile", "reasoningEffort",
                     t->cfg.model_reasoning_effort, "multiAgentMode", "explicitRequestOnly");
}

/* ThreadSettings (thread/settings/updated). */
json_t *rpc_thread_settings_json(const struct rpc_thread *t)
{
    return json_pack("{s:[] s:s s:o s:o s:s s:o s:n s:s s:s s:s s:s? s:s? s:{s:s s:{s:s s:s? s:s?}} "
                     "s:s s:n}",
                     "disabledPluginIds", "cwd", t->cfg.cwd, "environments",
                     environments_json(t->cfg.cwd), "approvalPolicy", approval_json(&t->cfg),
                     "approvalsReviewer", t->cfg.auto_review ? "auto_review" : "user", "sandboxPolicy", sandbox_json(&t->cfg),
                     "activePermissionProfile", "model", t->model, "modelProvider",
                     t->provider_id, "serviceTier",
                     t->cfg.service_tier ? t->cfg.service_tier : "default", "effort",
                     t->cfg.model_reasoning_effort, "summary", t->cfg.model_reasoning_summary,
                     "collaborationMode", "mode",
                     collab_mode_name(t->agent ? agent_collaboration_mode(t->agent) : COLLAB_DEFAULT),
                     "settings", "model", t->model, "reasoning_effort", t->cfg.model_reasoning_effort,
                     "developer_instructions",
                     t->agent ? agent_collaboration_instructions(t->agent) : NULL,
                     "multiAgentMode", "explicitRequestOnly",
                     "personality");
}

int64_t rpc_thread_context_window(const struct rpc_thread *t)
{
    if (t->cfg.model_context_window > 0)
        return t->cfg.model_context_window;
    const struct model_request_facts *f = model_facts_lookup(t->model);
    return f ? f->context_window : 0;
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
    json_t *o = thread_base(s->id, s->cwd ? s->cwd : "/", s->path, false);
    json_object_set_new(o, "preview", json_string(s->preview ? s->preview : ""));
    json_object_set_new(o, "historyMode", json_string(s->history_mode ? s->history_mode : "legacy"));
    json_object_set_new(o, "modelProvider",
                        json_string(s->model_provider ? s->model_provider : "openai"));
    json_object_set_new(o, "model", s->model ? json_string(s->model) : json_null());
    json_object_set_new(o, "reasoningEffort", s->effort ? json_string(s->effort) : json_null());
    json_object_set_new(o, "createdAt", json_integer(s->created_at));
    json_object_set_new(o, "updatedAt", json_integer(s->updated_at));
    json_object_set_new(o, "recencyAt", json_integer(s->updated_at));
    json_object_set_new(o, "status", json_pack("{s:s}", "type", "notLoaded"));
    json_object_set_new(o, "cliVersion", json_string(s->cli_version ? s->cli_version : ""));
    json_object_set_new(o, "originator", s->originator ? json_string(s->originator) : json_null());
    json_object_set_new(o, "source", session_source_json(s->source));
    json_object_set_new(o, "threadSource",
                        s->thread_source ? json_string(s->thread_source) : json_null());
    json_object_set_new(o, "gitInfo",
                        s->git_sha || s->git_branch
                            ? json_pack("{s:s? s:s? s:s?}", "sha", s->git_sha, "branch",
                                        s->git_branch, "originUrl", s->git_origin_url)
                            : json_null());
    json_object_set_new(o, "name", name ? json_string(name) : json_null());
    json_object_set_new(o, "forkedFromId",
                        s->forked_from_id ? json_string(s->forked_from_id) : json_null());
    return o;
}

json_t *rpc_turn_json(const char *id, const char *status, int64_t started_ms, int64_t ended_ms,
                      const char *error, json_t *items, const char *items_view)
{
    json_t *turn = json_pack("{s:s s:s s:o s:s s:s}", "id", id, "rootTurnId", id, "items",
                             items ? items : json_array(), "itemsView", items_view, "status",
                             status);
    json_object_set_new(turn, "error", error ? json_pack("{s:s s:n s:n}", "message", error,
                                                         "codexErrorInfo", "additionalDetails")
                                             : json_null());
    json_object_set_new(turn, "startedAt",
                        started_ms ? json_integer(started_ms / 1000) : json_null());
    json_object_set_new(turn, "completedAt", ended_ms ? json_integer(ended_ms / 1000) : json_null());
    json_object_set_new(turn, "durationMs",
                        ended_ms && started_ms ? json_integer(ended_ms - started_ms) : json_null());
    return turn;
}

/* ---- items -------------------------------------------------------------- */

static void set_default(json_t *o, const char *key, json_t *value)
{
    if (!json_object_get(o, key))
        json_object_set(o, key, value);
    json_decref(value);
}

json_t *rpc_wire_item(const json_t *item, int64_t started_ms, int64_t completed_ms, bool starting)
{
    json_t *w = json_deep_copy(item);
    const char *type = json_string_value(json_object_get(w, "type"));
    if (!type)
        type = "";
    if (strcmp(type, "userMessage") == 0) {
        size_t i;
        json_t *part;
        json_array_foreach(json_object_get(w, "content"), i, part)
            set_default(part, "text_elements", json_array());
    } else if (strcmp(type, "agentMessage") == 0) {
        /* The text arrives as deltas after the start. */
        if (starting)
            json_object_set_new(w, "text", json_string(""));
        set_default(w, "phase", json_null());
        set_default(w, "moderation", json_null());
        set_default(w, "memoryCitation", json_null());
        set_default(w, "delivery", json_null());
        set_default(w, "questions", json_null());
    } else if (strcmp(type, "reasoning") == 0 && starting) {
        json_object_set_new(w, "summary", json_array());
        json_object_set_new(w, "content", json_array());
    } else if (strcmp(type, "commandExecution") == 0) {
        if (!json_object_get(w, "commandActions"))
            json_object_set_new(
                w, "commandActions",
                tool_command_actions(json_string_value(json_object_get(w, "command"))));
        set_default(w, "pluginId", json_null());
        set_default(w, "scriptPath", json_null());
        set_default(w, "source", json_string("agent"));
        set_default(w, "processId", json_null());
        set_default(w, "aggregatedOutput", json_null());
        set_default(w, "exitCode", json_null());
        set_default(w, "durationMs", json_null());
    } else if (strcmp(type, "fileChange") == 0) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(w, "changes"), i, c)
            set_default(json_object_get(c, "kind"), "move_path", json_null());
    }
    json_object_set_new(w, "startedAtMs", started_ms ? json_integer(started_ms) : json_null());
    json_object_set_new(w, "completedAtMs", completed_ms ? json_integer(completed_ms) : json_null());
    return w;
}

void rpc_turn_complete(json_t *turn)
{
    size_t k;
    json_t *item;
    json_t *items = json_object_get(turn, "items");
    json_array_foreach(items, k, item) {
        json_t *w = rpc_wire_item(item, json_integer_value(json_object_get(item, "startedAtMs")),
                                  json_integer_value(json_object_get(item, "completedAtMs")), false);
        json_array_set_new(items, k, w);
    }
    const char *id = json_string_value(json_object_get(turn, "id"));
    json_object_set_new(turn, "rootTurnId", json_string(id ? id : ""));
    json_object_set_new(turn, "itemsView", json_string("full"));
    if (!json_object_get(turn, "completedAt"))
        json_object_set_new(turn, "completedAt", json_null());
    if (!json_object_get(turn, "durationMs"))
        json_object_set_new(turn, "durationMs", json_null());
}

void rpc_turns_complete(json_t *turns)
{
    size_t i;
    json_t *turn;
    json_array_foreach(turns, i, turn)
        rpc_turn_complete(turn);
}

void rpc_threads_apply_meta(const char *codex_home, json_t *threads)
{
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *doc = thread_meta_load(codex_home, &err);
    /* A broken file shows no sections; the section methods say why. */
    codex_error_clear(&err);
    if (!doc)
        return;
    if (json_is_array(threads)) {
        size_t i;
        json_t *t;
        json_array_foreach(threads, i, t)
            thread_meta_apply(doc, t);
    } else {
        thread_meta_apply(doc, threads);
    }
    json_decref(doc);
}
