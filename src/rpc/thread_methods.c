/* thread/start, thread/loaded/list, thread/unsubscribe, thread/name/set and
 * the registry of loaded threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/models.h"
#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/thread.h"
#include "rpc/thread_index.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct rpc_thread_state *rpc_threads(struct rpc_server *s)
{
    if (!s->threads)
        s->threads = xcalloc(1, sizeof *s->threads);
    return s->threads;
}

void rpc_threads_free(struct rpc_server *s)
{
    /* Every thread was reaped when its connection closed. */
    rpc_thread_index_free(s);
    free(s->threads);
    s->threads = NULL;
}

const char *rpc_thread_id(const struct rpc_thread *t)
{
    return agent_thread_id(t->agent);
}

struct rpc_thread *rpc_thread_find(struct rpc_server *s, const char *id)
{
    for (struct rpc_thread *t = rpc_threads(s)->list; t; t = t->next)
        if (!t->closing && strcmp(rpc_thread_id(t), id) == 0)
            return t;
    return NULL;
}

struct rpc_thread *rpc_thread_lookup(struct rpc_request *req, json_t *params)
{
    const char *id;
    if (!rpc_get_string(req, params, "threadId", true, &id))
        return NULL;
    struct rpc_thread *t = rpc_thread_find(req->conn->server, id);
    if (!t)
        rpc_reply_invalid(req, "thread not found: %s", id);
    return t;
}

void rpc_thread_notify(struct rpc_thread *t, const char *method, json_t *params)
{
    if (!t->conn || t->closing) {
        json_decref(params);
        return;
    }
    if (t->buffered) {
        json_array_append_new(t->buffered, json_pack("{s:s s:o}", "method", method, "params",
                                                     params));
        return;
    }
    for (struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        rpc_conn_notify(sub->conn, method, json_incref(params));
    rpc_conn_notify(t->conn, method, params);
}

bool rpc_thread_subscribed(const struct rpc_thread *t, const struct rpc_conn *c)
{
    if (t->conn == c)
        return true;
    for (const struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        if (sub->conn == c)
            return true;
    return false;
}

static void free_sub(struct rpc_thread *t, struct rpc_thread_sub *gone)
{
    for (struct rpc_thread_sub **p = &t->subs; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            break;
        }
    free(gone);
}

static void on_subscriber_closed(struct rpc_conn_resource *r)
{
    struct rpc_thread_sub *sub = (struct rpc_thread_sub *)r;
    free_sub(sub->thread, sub); /* the connection has unlinked it already */
}

void rpc_thread_subscribe(struct rpc_thread *t, struct rpc_conn *c)
{
    if (rpc_thread_subscribed(t, c) || t->closing)
        return;
    struct rpc_thread_sub *sub = xcalloc(1, sizeof *sub);
    sub->thread = t;
    sub->conn = c;
    sub->res.on_close = on_subscriber_closed;
    rpc_conn_add_resource(c, &sub->res);
    sub->next = t->subs;
    t->subs = sub;
}

bool rpc_thread_drop_subscriber(struct rpc_thread *t, struct rpc_conn *c)
{
    for (struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        if (sub->conn == c) {
            rpc_conn_remove_resource(c, &sub->res);
            free_sub(t, sub);
            return true;
        }
    return false;
}

/* ---- the Thread object -------------------------------------------------- */

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

/* ---- lifetime ----------------------------------------------------------- */

static void thread_closed(uv_handle_t *h)
{
    struct rpc_thread *t = h->data;
    config_free(&t->cfg);
    if (t->have_ps)
        provider_settings_free(&t->ps);
    free(t->model);
    strvec_free(&t->old_models);
    free(t->provider_id);
    free(t->name);
    free(t->preview);
    free(t->forked_from);
    json_decref(t->open_items);
    json_decref(t->buffered);
    free(t->pending_error);
    rpc_thread_forget_approvals(t);
    free(t);
}

static void reap(uv_timer_t *timer)
{
    struct rpc_thread *t = timer->data;
    struct rpc_thread_state *st = rpc_threads(t->server);
    for (struct rpc_thread **p = &st->list; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    rpc_thread_forget_approvals(t);
    agent_free(t->agent); /* kills the commands it started, drops waiting approvals */
    t->agent = NULL;
    uv_close((uv_handle_t *)timer, thread_closed);
}

/* Unload: nothing more is sent; the agent goes once the current callback
 * (which may be the agent's own) has returned. */
void rpc_thread_unload(struct rpc_thread *t)
{
    if (t->closing)
        return;
    t->closing = true;
    if (t->conn)
        rpc_conn_remove_resource(t->conn, &t->res);
    t->conn = NULL;
    while (t->subs)
        rpc_thread_drop_subscriber(t, t->subs->conn);
    uv_timer_start(&t->reaper, reap, 0, 0);
}

static void on_conn_closed(struct rpc_conn_resource *r)
{
    struct rpc_thread *t = (struct rpc_thread *)r;
    t->conn = NULL; /* already unlinked by the connection */
    rpc_thread_unload(t);
}

/* ---- creating threads ---------------------------------------------------- */

/* A JSON value as a TOML literal for a -c override. */
static void toml_literal(struct buf *b, const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        buf_puts(b, "{");
        i = 0;
        json_object_foreach((json_t *)v, k, x) {
            char *key = json_dumps(json_string(k), JSON_ENCODE_ANY);
            buf_printf(b, "%s%s = ", i++ ? ", " : "", key);
            free(key);
            toml_literal(b, x);
        }
        buf_puts(b, "}");
        break;
    case JSON_ARRAY:
        buf_puts(b, "[");
        json_array_foreach(v, i, x) {
            if (i)
                buf_puts(b, ", ");
            toml_literal(b, x);
        }
        buf_puts(b, "]");
        break;
    default: {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        buf_puts(b, s ? s : "\"\"");
        free(s);
    }
    }
}

/* The server's -c overrides, then the request's `config` object. */
static void collect_overrides(struct rpc_server *s, json_t *config, struct strvec *out)
{
    for (int i = 0; i < s->n_config_overrides; i++)
        strvec_push(out, s->config_overrides[i]);
    const char *k;
    json_t *v;
    json_object_foreach(config, k, v) {
        if (json_is_null(v))
            continue;
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s=", k);
        toml_literal(&b, v);
        strvec_push_owned(out, buf_detach(&b, NULL));
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
        !rpc_get_bool(req, params, "ephemeral", &o->ephemeral))
        return false;
    o->config = json_object_get(params, "config");
    if (o->config && !json_is_null(o->config) && !json_is_object(o->config)) {
        char *what = rpc_describe_value(o->config);
        rpc_reply_invalid(req, "invalid type: %s, expected a map", what);
        free(what);
        return false;
    }
    return true;
}

/* Load a thread's configuration and start its agent.  NULL after replying. */
struct rpc_thread *rpc_thread_create(struct rpc_request *req, const struct thread_opts *o,
                                     const struct rollout_session *resume,
                                     const char *resume_path)
{
    struct rpc_server *s = req->conn->server;
    char *cwd = NULL;
    if (o->cwd)
        cwd = o->cwd[0] == '/' ? xstrdup(o->cwd) : xasprintf("%s/%s", s->cwd, o->cwd);
    struct strvec overrides = STRVEC_INIT;
    collect_overrides(s, json_is_object(o->config) ? o->config : NULL, &overrides);
    if (o->provider)
        strvec_push_owned(&overrides, xasprintf("model_provider=\"%s\"", o->provider));
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
    char errbuf[1024];
    int rc = config_load(&lo, &t->cfg, errbuf, sizeof errbuf);
    strvec_free(&overrides);
    free(cwd);
    if (rc != 0) {
        free(t);
        rpc_reply_invalid(req, "%s", errbuf);
        return NULL;
    }
    /* A granular policy has no name the config loader takes. */
    if (o->approval_param.policy == APPROVAL_GRANULAR)
        rpc_apply_approval(&o->approval_param, &t->cfg);
    if (o->developer_instructions) {
        free(t->cfg.developer_instructions);
        t->cfg.developer_instructions = xstrdup(o->developer_instructions);
    }
    t->server = s;
    t->ephemeral = o->ephemeral;
    t->model = xstrdup(t->cfg.model ? t->cfg.model : model_default_slug());
    t->provider_id = xstrdup(t->cfg.model_provider ? t->cfg.model_provider : "openai");
    t->open_items = json_object();
    t->created_at = t->updated_at = (int64_t)time(NULL);
    const char *originator = req->conn->client_name ? req->conn->client_name : "codex_vscode";
    char *err = NULL;
    if (provider_settings_init(&t->ps, &t->cfg, originator, &err) == 0) {
        t->have_ps = true;
        struct agent_params ap = {
            .cfg = &t->cfg,
            .model = t->model,
            .provider_id = t->provider_id,
            .provider = &t->ps,
            .originator = originator,
            .source = "vscode",
            .update_plan_tool = true,
            .ephemeral = o->ephemeral,
            .resume = resume,
            .resume_path = resume_path,
            .approvals = {.ask = rpc_thread_ask, .withdraw = rpc_thread_withdraw, .ud = t},
        };
        struct codex_error aerr = CODEX_ERROR_INIT;
        t->agent = agent_new(s->loop, &ap, rpc_thread_event, t, &aerr);
        if (!t->agent)
            err = codex_error_text(&aerr);
        codex_error_clear(&aerr);
    }
    if (!t->agent) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to start thread: %s", err);
        free(err);
        t->reaper.data = t;
        thread_closed((uv_handle_t *)&t->reaper);
        return NULL;
    }
    uv_timer_init(s->loop, &t->reaper);
    t->reaper.data = t;
    t->conn = req->conn;
    t->res.on_close = on_conn_closed;
    rpc_conn_add_resource(req->conn, &t->res);
    struct rpc_thread_state *st = rpc_threads(s);
    t->next = st->list;
    st->list = t;
    return t;
}

/* ---- methods ------------------------------------------------------------ */

void rpc_thread_start(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadStartParams", true);
    struct thread_opts o;
    if (!params || !rpc_thread_read_opts(req, params, &o))
        return;
    struct rpc_thread *t = rpc_thread_create(req, &o, NULL, NULL);
    if (!t)
        return;
    struct rpc_conn *c = req->conn;
    rpc_reply(req, rpc_thread_session_json(t));
    rpc_conn_notify(c, "thread/started", json_pack("{s:o}", "thread", rpc_thread_json(t)));
}

void rpc_thread_loaded_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadLoadedListParams", true);
    if (!params)
        return;
    json_t *ids = json_array();
    for (struct rpc_thread *t = rpc_threads(req->conn->server)->list; t; t = t->next)
        if (!t->closing)
            json_array_append_new(ids, json_string(rpc_thread_id(t)));
    rpc_reply(req, json_pack("{s:o s:n}", "data", ids, "nextCursor"));
}

void rpc_thread_unsubscribe(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadUnsubscribeParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    struct rpc_thread *t = rpc_thread_find(req->conn->server, id);
    const char *status = "notLoaded";
    if (t && rpc_thread_drop_subscriber(t, req->conn)) {
        status = "unsubscribed";
    } else if (t && t->conn != req->conn) {
        status = "notSubscribed";
    } else if (t) {
        status = "unsubscribed";
        rpc_thread_notify(t, "thread/closed", json_pack("{s:s}", "threadId", id));
        rpc_thread_unload(t);
    }
    rpc_reply(req, json_pack("{s:s}", "status", status));
}

/* Names live in $CODEX_HOME/session_index.jsonl, one appended line per
 * change; the last line of a thread wins. */
int rpc_thread_store_name(const char *codex_home, const char *id, const char *name)
{
    char ts[32];
    rollout_timestamp(ts);
    json_t *line = json_pack("{s:s s:s s:s}", "id", id, "thread_name", name, "updated_at", ts);
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    char *path = xasprintf("%s/session_index.jsonl", codex_home);
    FILE *f = fopen(path, "a");
    int rc = -1;
    if (f) {
        /* One write per line so concurrent writers never interleave. */
        char *l = xasprintf("%s\n", text);
        rc = fputs(l, f) < 0 ? -1 : 0;
        free(l);
        if (fclose(f) != 0)
            rc = -1;
    }
    free(path);
    free(text);
    return rc;
}
