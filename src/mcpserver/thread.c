/* A thread of the MCP server: the configuration a `codex` call asks for
 * (the server's -c overrides, then the call's `config`, then its named
 * arguments), its credentials as exec has them, and its agent.  One call
 * at a time runs a turn on it. */
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "login/auth_manager.h"
#include "mcp/manager.h"
#include "mcpserver/internal.h"
#include "model/models.h"
#include "plugins/plugins.h"
#include "util/xalloc.h"

static void on_agent_event(void *ud, const struct agent_event *ev)
{
    struct mcps_thread *t = ud;
    if (!t->agent || !t->call_id)
        return; /* nothing of a thread is sent while no call waits on it */
    if (ev->kind == AGENT_EV_TURN_STARTED)
        snprintf(t->turn_id, sizeof t->turn_id, "%s", ev->turn_id ? ev->turn_id : "");
    if (ev->kind == AGENT_EV_TURN_FAILED) {
        free(t->failure);
        t->failure = xstrdup(ev->message ? ev->message : "the turn failed");
    }
    json_t *msgs = mcps_event_msgs(t, ev);
    size_t i;
    json_t *msg;
    json_array_foreach(msgs, i, msg)
        mcps_send_event(t, ev->turn_id ? ev->turn_id : "", json_incref(msg));
    json_decref(msgs);
}

static char *load_config(struct mcpserver *s, const struct mcps_codex_args *a, struct codex_config *cfg)
{
    struct strvec overrides = STRVEC_INIT;
    for (int i = 0; i < s->p.n_config_overrides; i++)
        strvec_push(&overrides, s->p.config_overrides[i]);
    const char *key;
    json_t *v;
    json_object_foreach(a->config, key, v) {
        if (!json_is_null(v))
            strvec_push_owned(&overrides, toml_override_from_json(key, v));
    }
    char *cwd = NULL;
    if (a->cwd)
        cwd = a->cwd[0] == '/' ? xstrdup(a->cwd) : xasprintf("%s/%s", s->p.cwd, a->cwd);
    struct config_load_opts lo = {
        .session = true,
        .envp = s->p.envp,
        .overrides = (const char *const *)overrides.v,
        .n_overrides = (int)overrides.n,
        .profile = a->profile,
        .model = a->model,
        .sandbox_mode = a->sandbox,
        .approval_policy = a->approval_policy,
        .cd = cwd ? cwd : s->p.cwd,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = config_load(&lo, cfg, &err);
    strvec_free(&overrides);
    free(cwd);
    if (rc == 0) {
        struct strvec warnings = STRVEC_INIT;
        plugins_merge_mcp_servers(cfg, &warnings);
        strvec_free(&warnings);
        return NULL;
    }
    char *why = codex_error_text(&err);
    codex_error_clear(&err);
    return why;
}

struct mcps_thread *mcps_thread_new(struct mcpserver *s, const struct mcps_codex_args *a, char **why)
{
    struct mcps_thread *t = xcalloc(1, sizeof *t);
    t->server = s;
    if ((*why = load_config(s, a, &t->cfg))) {
        free(t);
        return NULL;
    }
    t->have_cfg = true;
    if (a->developer_instructions) {
        free(t->cfg.developer_instructions);
        t->cfg.developer_instructions = xstrdup(a->developer_instructions);
    }
    if (a->compact_prompt) {
        free(t->cfg.compact_prompt);
        t->cfg.compact_prompt = xstrdup(a->compact_prompt);
    }
    if (t->cfg.n_mcp_servers) {
        struct mcp_manager_env env = {.envp = s->p.envp, .cwd = t->cfg.cwd,
                                      .client_version = CODEX_VERSION,
                                      .codex_home = t->cfg.codex_home};
        t->mcp = mcp_manager_new(s->p.loop, t->cfg.mcp_servers, t->cfg.n_mcp_servers, &env, NULL);
    }
    t->model = xstrdup(t->cfg.model ? t->cfg.model : model_default_slug());
    t->provider_id = xstrdup(t->cfg.model_provider ? t->cfg.model_provider : "openai");
    t->base_instructions = a->base_instructions ? xstrdup(a->base_instructions) : NULL;
    const char *originator = "codex_cli_rs";
    *why = login_thread_auth(s->p.loop, &t->cfg, s->p.envp, &t->login, &t->have_login, &t->auth,
                             &t->provider_auth);
    if (!*why && provider_settings_init_auth(&t->ps, &t->cfg, originator, &t->provider_auth, why) == 0) {
        t->have_ps = true;
        struct agent_params ap = {
            .cfg = &t->cfg,
            .model = t->model,
            .provider_id = t->provider_id,
            .provider = &t->ps,
            .originator = originator,
            .source = "mcp",
            .base_instructions = t->base_instructions,
            .approvals = {.ask = mcps_ask, .withdraw = mcps_withdraw, .ud = t},
            .mcp = t->mcp,
        };
        struct codex_error err = CODEX_ERROR_INIT;
        t->agent = agent_new(s->p.loop, &ap, on_agent_event, t, &err);
        if (!t->agent)
            *why = codex_error_text(&err);
        codex_error_clear(&err);
    }
    if (!t->agent) {
        mcps_thread_free(t);
        return NULL;
    }
    t->next = s->threads;
    s->threads = t;
    return t;
}

struct mcps_thread *mcps_thread_find(struct mcpserver *s, const char *thread_id)
{
    for (struct mcps_thread *t = s->threads; t; t = t->next)
        if (strcmp(agent_thread_id(t->agent), thread_id) == 0)
            return t;
    return NULL;
}

static void on_turn_done(void *ud, bool ok)
{
    struct mcps_thread *t = ud;
    if (!t->call_id)
        return;
    if (t->cancelled) {
        /* A cancelled request gets no answer (MCP); the client only sees
         * the turn end. */
        json_t *aborted = json_pack("{s:s s:s s:s}", "type", "turn_aborted", "turn_id", t->turn_id,
                                    "reason", "interrupted");
        mcps_send_event(t, t->turn_id, aborted);
        mcps_finish_call(t, NULL);
        return;
    }
    const char *thread_id = agent_thread_id(t->agent);
    json_t *result;
    if (ok) {
        const char *last = agent_last_message(t->agent);
        last = last ? last : "";
        result = json_pack("{s:{s:s s:s} s:[{s:s s:s}]}", "structuredContent", "threadId", thread_id,
                           "content", last, "content", "type", "text", "text", last);
    } else {
        const char *why = t->failure ? t->failure : "the turn failed";
        result = json_pack("{s:b s:{s:s s:s} s:[{s:s s:s}]}", "isError", 1, "structuredContent",
                           "threadId", thread_id, "content", why, "content", "type", "text", "text",
                           why);
    }
    mcps_finish_call(t, result);
}

void mcps_thread_start_turn(struct mcps_thread *t, const json_t *call_id, const char *prompt)
{
    t->call_id = json_deep_copy(call_id);
    t->cancelled = false;
    t->turn_id[0] = '\0';
    free(t->failure);
    t->failure = NULL;
    agent_start_turn(t->agent, prompt, NULL, on_turn_done, t);
}

/* ---- the first call, after the servers' startup ---- */

static void report_startup(struct mcps_thread *t)
{
    json_t *ready = json_array(), *failed = json_array();
    for (size_t i = 0; i < mcp_manager_count(t->mcp); i++) {
        const struct mcp_server *srv = mcp_manager_server(t->mcp, i);
        if (srv->state == MCP_SERVER_READY)
            json_array_append_new(ready, json_string(srv->cfg->name));
        else if (srv->state == MCP_SERVER_FAILED)
            json_array_append_new(failed, json_pack("{s:s s:s}", "server", srv->cfg->name, "error",
                                                    srv->error ? srv->error : "unknown error"));
    }
    mcps_send_event(t, "", json_pack("{s:s s:o s:o s:[]}", "type", "mcp_startup_complete", "ready",
                                     ready, "failed", failed, "cancelled"));
}

static void begin_first_turn(struct mcps_thread *t)
{
    char *prompt = t->startup_prompt;
    t->startup_prompt = NULL;
    report_startup(t);
    json_t *call_id = t->call_id;
    t->call_id = NULL;
    if (t->cancelled) { /* cancelled while the servers started: no answer */
        json_decref(call_id);
        free(prompt);
        mcps_finish_call(t, NULL);
        return;
    }
    char *required = t->mcp ? mcp_manager_required_error(t->mcp) : NULL;
    if (required) {
        t->call_id = call_id;
        mcps_finish_call(t, mcps_error_result("Failed to start Codex session: Failed to initialize "
                                              "session: %s",
                                              required));
        free(required);
        free(prompt);
        mcps_thread_drop(t);
        return;
    }
    mcps_thread_start_turn(t, call_id, prompt);
    json_decref(call_id);
    free(prompt);
}

static void on_server_settled(void *ud, size_t index)
{
    (void)index;
    struct mcps_thread *t = ud;
    if (t->startup_prompt && mcp_manager_settled(t->mcp))
        begin_first_turn(t);
}

void mcps_thread_open(struct mcps_thread *t, const json_t *call_id, const char *prompt)
{
    t->call_id = json_deep_copy(call_id);
    t->cancelled = false;
    t->startup_prompt = xstrdup(prompt);
    mcps_send_event(t, "", mcps_session_configured(t));
    if (t->mcp && !mcp_manager_settled(t->mcp)) {
        mcp_manager_observe(t->mcp, on_server_settled, t);
        return;
    }
    begin_first_turn(t);
}

void mcps_thread_drop(struct mcps_thread *t)
{
    for (struct mcps_thread **p = &t->server->threads; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = t->server->dead;
    t->server->dead = t;
}

void mcps_thread_free(struct mcps_thread *t)
{
    if (t->agent)
        agent_free(t->agent);
    if (t->mcp) {
        mcp_manager_observe(t->mcp, NULL, NULL);
        mcp_manager_free(t->mcp);
    }
    free(t->startup_prompt);
    if (t->have_ps)
        provider_settings_free(&t->ps);
    auth_manager_free(t->auth);
    if (t->have_login)
        login_settings_free(&t->login);
    if (t->have_cfg)
        config_free(&t->cfg);
    json_decref(t->call_id);
    json_decref(t->open_items);
    free(t->model);
    free(t->provider_id);
    free(t->base_instructions);
    free(t->failure);
    free(t);
}
