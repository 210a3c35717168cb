/* Creating threads: the settings thread/start, resume and fork share, the
 * thread's configuration and its agent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config/toml.h"
#include "model/models.h"
#include "plugins/plugins.h"
#include "store/git_head.h"
#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/skills_roots.h"
#include "rpc/thread.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* The server's -c overrides, then the request's `config` object. */
static void collect_overrides(const struct rpc_server *s, json_t *config, struct strvec *out)
{
    for (int i = 0; i < s->n_config_overrides; i++)
        strvec_push(out, s->config_overrides[i]);
    const char *k;
    json_t *v;
    json_object_foreach(config, k, v) {
        if (json_is_null(v))
            continue;
        strvec_push_owned(out, toml_override_from_json(k, v));
    }
}

/* Read the settings thread/start, resume and fork share.  False after
 * replying. */
bool rpc_thread_read_opts(struct rpc_request *req, json_t *params, struct thread_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!rpc_read_approval(req, params, &o->approval_param))
        return false;
    o->approval = o->approval_param.name;
    if (!rpc_get_string(req, params, "sandbox", false, &o->sandbox))
        return false;
    if (o->sandbox && strcmp(o->sandbox, "read-only") != 0 &&
        strcmp(o->sandbox, "workspace-write") != 0 && strcmp(o->sandbox, "danger-full-access") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `read-only`, "
                               "`workspace-write`, `danger-full-access`",
                          o->sandbox);
        return false;
    }
    if (!rpc_get_string(req, params, "model", false, &o->model) ||
        !rpc_get_string(req, params, "modelProvider", false, &o->provider) ||
        !rpc_get_string(req, params, "cwd", false, &o->cwd) ||
        !rpc_get_string(req, params, "baseInstructions", false, &o->base_instructions) ||
        !rpc_get_string(req, params, "developerInstructions", false, &o->developer_instructions) ||
        !rpc_get_bool(req, params, "ephemeral", &o->ephemeral) ||
        !rpc_get_string(req, params, "historyMode", false, &o->history_mode) ||
        !rpc_get_string(req, params, "threadSource", false, &o->thread_source) ||
        !rpc_get_string(req, params, "approvalsReviewer", false, &o->approvals_reviewer))
        return false;
    if (o->approvals_reviewer && strcmp(o->approvals_reviewer, "user") != 0 &&
        strcmp(o->approvals_reviewer, "auto_review") != 0 && strcmp(o->approvals_reviewer, "guardian_subagent") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `user`, `auto_review`, `guardian_subagent`",
                          o->approvals_reviewer);
        return false;
    }
    if (o->history_mode && strcmp(o->history_mode, "legacy") != 0 &&
        strcmp(o->history_mode, "paginated") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `legacy` or `paginated`",
                          o->history_mode);
        return false;
    }
    o->config = json_object_get(params, "config");
    if (o->config && !json_is_null(o->config) && !json_is_object(o->config)) {
        char *what = rpc_describe_value(o->config);
        rpc_reply_invalid(req, "invalid type: %s, expected a map", what);
        free(what);
        return false;
    }
    return true;
}

/* update_plan is offered unless tools.update_plan.enabled says otherwise
 * (a client's side thread turns it off). */
static bool plan_tool_enabled(const struct codex_config *cfg)
{
    const char *path[] = {"tools", "update_plan", "enabled"};
    toml_value *v = cfg->root ? toml_table_get_path(cfg->root, path, 3) : NULL;
    return !v || toml_type(v) != TOML_BOOLEAN || toml_bool(v);
}

/* {sha, branch, originUrl} of the repository around cwd, or NULL. */
static json_t *git_info(const char *cwd)
{
    char *commit = NULL, *branch = NULL;
    if (git_head(cwd, &commit, &branch) != 0)
        return NULL;
    json_t *info = json_pack("{s:s s:s? s:n}", "sha", commit, "branch", branch, "originUrl");
    free(commit);
    free(branch);
    return info;
}


/* A notice from the agent (a skill it skipped, an MCP tool it cannot
 * offer) as a "warning" notification. */
static void rpc_thread_warn(void *ud, const char *message)
{
    rpc_thread_warning(ud, message);
}

void rpc_thread_announced(struct rpc_thread *t)
{
    t->announced = true;
    size_t i;
    json_t *n;
    json_array_foreach(t->early_notices, i, n) {
        const char *method = json_string_value(json_array_get(n, 0));
        json_t *params = json_array_get(n, 1);
        if (strcmp(method, "warning") == 0)
            json_object_set_new(params, "threadId", json_string(rpc_thread_id(t)));
        rpc_thread_notify(t, method, json_incref(params));
    }
    json_decref(t->early_notices);
    t->early_notices = NULL;
    rpc_thread_mcp_announced(t);
}

/* Load a thread's configuration and start its agent.  NULL after replying. */
struct rpc_thread *rpc_thread_create(struct rpc_request *req, const struct thread_opts *o,
                                     struct rollout_session *resume,
                                     const char *resume_path)
{
    const struct rpc_server *s = req->server;
    char *cwd = NULL;
    if (o->cwd) {
        cwd = o->cwd[0] == '/' ? xstrdup(o->cwd) : xasprintf("%s/%s", s->cwd, o->cwd);
        /* Said in the protocol's words: the loader's would name --cd. */
        struct stat st;
        int e = stat(cwd, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
        if (e) {
            rpc_reply_refused(req, "cwd %s: %s", cwd, strerror(e));
            free(cwd);
            return NULL;
        }
    }
    struct strvec overrides = STRVEC_INIT;
    collect_overrides(s, json_is_object(o->config) ? o->config : NULL, &overrides);
    if (o->provider)
        strvec_push_owned(&overrides, xasprintf("model_provider=\"%s\"", o->provider));
    if (o->approvals_reviewer)
        strvec_push_owned(&overrides, xasprintf("approvals_reviewer=\"%s\"", o->approvals_reviewer));
    struct config_load_opts lo = {
        .session = true,
        .envp = s->envp,
        .overrides = (const char *const *)overrides.v,
        .n_overrides = (int)overrides.n,
        .model = o->model,
        .sandbox_mode = o->sandbox,
        .approval_policy = o->approval,
        .cd = cwd ? cwd : s->cwd,
    };
    struct rpc_thread *t = xcalloc(1, sizeof *t);
    struct codex_error cerr = CODEX_ERROR_INIT;
    int rc = config_load(&lo, &t->cfg, &cerr);
    strvec_free(&overrides);
    free(cwd);
    if (rc != 0) {
        free(t);
        rpc_reply_invalid(req, "%s", cerr.message);
        codex_error_clear(&cerr);
        return NULL;
    }
    /* said as "warning" notifications once the thread is announced */
    struct strvec plugin_warnings = STRVEC_INIT;
    plugins_merge_mcp_servers(&t->cfg, &plugin_warnings);
    /* A granular policy has no name the config loader takes. */
    if (o->approval_param.policy == APPROVAL_GRANULAR)
        rpc_apply_approval(&o->approval_param, &t->cfg);
    if (o->developer_instructions) {
        free(t->cfg.developer_instructions);
        t->cfg.developer_instructions = xstrdup(o->developer_instructions);
    }
    t->reg = rpc_threads_of(req);
    t->ephemeral = o->ephemeral;
    t->model = xstrdup(t->cfg.model ? t->cfg.model : model_default_slug());
    t->provider_id = xstrdup(t->cfg.model_provider ? t->cfg.model_provider : "openai");
    t->open_items = json_object();
    t->created_at = t->updated_at = (int64_t)time(NULL);
    t->history_mode = xstrdup(o->history_mode ? o->history_mode : "paginated");
    t->thread_source = o->thread_source ? xstrdup(o->thread_source) : NULL;
    t->git_info = git_info(t->cfg.cwd);
    const char *originator = req->conn->client_name ? req->conn->client_name : "codex_vscode";
    t->originator = xstrdup(originator);
    /* The thread's credentials, as exec has them (CODEX_API_KEY aside). */
    char *err = login_thread_auth(s->loop, &t->cfg, s->envp, &t->login, &t->have_login, &t->auth,
                                  &t->provider_auth);
    if (!err && provider_settings_init_auth(&t->ps, &t->cfg, originator, &t->provider_auth, &err) == 0) {
        t->have_ps = true;
        const struct strvec *skill_roots = rpc_skill_roots(s);
        rpc_thread_mcp_start(t);
        struct agent_params ap = {
            .cfg = &t->cfg,
            .model = t->model,
            .provider_id = t->provider_id,
            .provider = &t->ps,
            .originator = originator,
            .source = "vscode",
            .update_plan_tool = plan_tool_enabled(&t->cfg),
            .thread_source = o->thread_source,
            .ephemeral = o->ephemeral,
            .resume = resume,
            .resume_path = resume_path,
            .approvals = {.ask = rpc_thread_ask, .withdraw = rpc_thread_withdraw,
                          .elicit = rpc_thread_elicit, .ud = t},
            .user_input_ask = rpc_thread_ask_user_input,
            .user_input_withdraw = rpc_thread_withdraw_user_input,
            .user_input_ud = t,
            .warn = rpc_thread_warn,
            .warn_ud = t,
            .mcp = t->mcp.manager,
            .skill_roots = skill_roots ? (const char *const *)skill_roots->v : NULL,
            .n_skill_roots = skill_roots ? skill_roots->n : 0,
            .netproxy_hosts = s->netproxy_hosts,
            .n_netproxy_hosts = s->n_netproxy_hosts,
        };
        rpc_thread_follow_children(t, &ap);
        struct codex_error aerr = CODEX_ERROR_INIT;
        t->agent = agent_new(s->loop, &ap, rpc_thread_event, t, &aerr);
        if (!t->agent)
            err = codex_error_text(&aerr);
        codex_error_clear(&aerr);
    }
    if (!t->agent) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to start thread: %s", err);
        free(err);
        strvec_free(&plugin_warnings);
        rpc_thread_discard(t);
        return NULL;
    }
    for (size_t i = 0; i < plugin_warnings.n; i++) {
        char *msg = xasprintf("%s; its MCP servers are not started", plugin_warnings.v[i]);
        rpc_thread_warning(t, msg);
        free(msg);
    }
    strvec_free(&plugin_warnings);
    rpc_thread_goal_attach(t);
    /* Nothing has happened that could be unread. */
    snprintf(t->read_revision, sizeof t->read_revision, "initial:%s", rpc_thread_id(t));
    rpc_thread_register(rpc_threads_of(req), t, req->conn);
    return t;
}
