/* The account module: account/read, account/login/start and cancel,
 * account/logout, and the account/login/completed and account/updated
 * notifications, on the login library (the same credentials codex login
 * and codex exec use). */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "login/auth_manager.h"
#include "login/login.h"
#include "login/logout.h"
#include "login/session.h"
#include "login/usage.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/uuid.h"
#include "util/xalloc.h"

/* What a login needs from the configuration, loaded once per call. */
struct account_ctx {
    struct codex_config cfg;
    struct login_env env;
    struct login_settings settings;
    bool have_cfg, have_settings;
};

/* A sign-in in flight (one at a time, as the reference allows). */
struct account_login {
    struct account_ctx ctx;
    struct rpc_conn *conn;        /* who started it; hears how it ends */
    struct rpc_request *pending;  /* login/start waiting for the URL or code */
    struct login_browser *browser;
    struct login_device *device;
    uv_loop_t *loop;
    char id[UUID_STR_LEN];
};

struct account_state {
    struct account_login *login;
};

static struct account_state *state_of(struct rpc_request *req)
{
    if (!*req->state)
        *req->state = xcalloc(1, sizeof(struct account_state));
    return *req->state;
}

static void ctx_free(struct account_ctx *c)
{
    if (c->have_settings)
        login_settings_free(&c->settings);
    if (c->have_cfg)
        config_free(&c->cfg);
    memset(c, 0, sizeof *c);
}

static bool ctx_load(struct rpc_request *req, struct account_ctx *c)
{
    struct rpc_server *s = req->server;
    memset(c, 0, sizeof *c);
    struct config_load_opts opts = {
        .envp = s->envp,
        .overrides = s->config_overrides,
        .n_overrides = s->n_config_overrides,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    if (config_load(&opts, &c->cfg, &err) == 0) {
        c->have_cfg = true;
        if (login_env_read(s->envp, &c->env, &err) == 0 &&
            login_settings_read(&c->cfg, &c->settings, &err) == 0) {
            c->have_settings = true;
            return true;
        }
    }
    char *text = codex_error_text(&err);
    rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", text);
    free(text);
    codex_error_clear(&err);
    ctx_free(c);
    return false;
}

static const char *const plan_types[] = {
    "free", "go", "plus", "pro", "prolite", "promax", "team", "self_serve_business_prolite",
    "self_serve_business_usage_based", "business", "ent26", "enterprise_cbp_automation",
    "enterprise_cbp_usage_based", "enterprise", "edu", "edu_plus", "edu_pro", "sci", "sci_plus", NULL,
};

static const char *plan_type(const char *plan)
{
    for (const char *const *p = plan_types; plan && *p; p++)
        if (strcmp(*p, plan) == 0)
            return *p;
    return "unknown";
}

/* The Account object for the credentials in use, or null. */
static json_t *account_json(struct auth_manager *m)
{
    switch (auth_manager_kind(m)) {
    case AUTH_KIND_API_KEY:
        return json_pack("{s:s}", "type", "apiKey");
    case AUTH_KIND_CHATGPT:
    case AUTH_KIND_CHATGPT_EXTERNAL: {
        struct auth_account acc;
        auth_manager_account(m, &acc);
        return json_pack("{s:s s:s? s:s}", "type", "chatgpt", "email", acc.email, "planType",
                         plan_type(acc.plan_type));
    }
    default:
        return json_null();
    }
}

static bool requires_openai_auth(const struct codex_config *cfg)
{
    const char *id = cfg->model_provider ? cfg->model_provider : "openai";
    const struct model_provider *mp = config_provider(cfg, id);
    return strcmp(id, "openai") == 0 || (mp && mp->requires_openai_auth);
}

static struct auth_manager *manager_for(struct rpc_request *req, struct account_ctx *c)
{
    struct codex_error err = CODEX_ERROR_INIT;
    struct auth_manager *m = login_session_auth(req->server->loop, &c->cfg, &c->env, &c->settings,
                                                false, &err);
    if (!m) {
        char *text = codex_error_text(&err);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", text);
        free(text);
        codex_error_clear(&err);
    }
    return m;
}

static void notify_updated(struct rpc_conn *c, struct auth_manager *m)
{
    json_t *account = m ? account_json(m) : json_null();
    const char *mode = m ? auth_kind_name(auth_manager_kind(m)) : NULL;
    rpc_conn_notify(c, "account/updated",
                    json_pack("{s:s? s:O?}", "authMode", mode, "planType",
                              json_object_get(account, "planType")));
    json_decref(account);
}

static void account_read(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "GetAccountParams", true);
    if (!p)
        return;
    struct account_ctx c;
    if (!ctx_load(req, &c))
        return;
    struct auth_manager *m = manager_for(req, &c);
    if (m) {
        rpc_reply(req, json_pack("{s:o s:b}", "account", account_json(m), "requiresOpenaiAuth",
                                 requires_openai_auth(&c.cfg)));
        auth_manager_free(m);
    }
    ctx_free(&c);
}

/* ---- sign-in ------------------------------------------------------------- */

static void login_free(struct account_login *l)
{
    if (l->conn)
        rpc_conn_unref(l->conn);
    ctx_free(&l->ctx);
    free(l);
}

/* A flow ended (or failed to start): its owner hears it, the account
 * changed for everyone on that connection. */
static void login_finished(struct account_state *st, const char *error)
{
    struct account_login *l = st->login;
    st->login = NULL;
    if (l->pending) {
        rpc_reply_error(l->pending, JSONRPC_INTERNAL_ERROR, "login failed: %s", error ? error : "?");
        l->pending = NULL;
    }
    rpc_conn_notify(l->conn, "account/login/completed",
                    json_pack("{s:s s:b s:s?}", "loginId", l->id, "success", error == NULL, "error", error));
    if (!error) {
        struct codex_error err = CODEX_ERROR_INIT;
        struct auth_manager *m = login_session_auth(l->loop, &l->ctx.cfg, &l->ctx.env, &l->ctx.settings,
                                                    false, &err);
        codex_error_clear(&err);
        notify_updated(l->conn, m);
        auth_manager_free(m);
    }
    login_free(l);
}

static void on_url(void *ud, const char *auth_url, int port)
{
    (void)port;
    struct account_state *st = ud;
    struct account_login *l = st->login;
    if (!l || !l->pending)
        return;
    rpc_reply(l->pending, json_pack("{s:s s:s s:s}", "type", "chatgpt", "loginId", l->id, "authUrl",
                                    auth_url));
    l->pending = NULL;
}

static void on_code(void *ud, const char *verification_url, const char *user_code)
{
    struct account_state *st = ud;
    struct account_login *l = st->login;
    if (!l || !l->pending)
        return;
    rpc_reply(l->pending, json_pack("{s:s s:s s:s s:s}", "type", "chatgptDeviceCode", "loginId", l->id,
                                    "verificationUrl", verification_url, "userCode", user_code));
    l->pending = NULL;
}

static void on_login_done(void *ud, const char *error)
{
    struct account_state *st = ud;
    if (st->login) {
        st->login->browser = NULL;
        st->login->device = NULL;
        login_finished(st, error);
    }
}

static void cancel_login(struct account_state *st)
{
    struct account_login *l = st->login;
    if (!l)
        return;
    if (l->browser)
        login_browser_cancel(l->browser);
    if (l->device)
        login_device_cancel(l->device);
    l->browser = NULL;
    l->device = NULL;
    login_finished(st, "login was cancelled");
}

static void login_with_api_key(struct rpc_request *req, json_t *p)
{
    const char *key;
    if (!rpc_get_string(req, p, "apiKey", true, &key))
        return;
    struct account_ctx c;
    if (!ctx_load(req, &c))
        return;
    const char *forced = c.settings.forced_login_method;
    if (forced && strcmp(forced, "chatgpt") == 0) {
        rpc_reply_invalid(req, "API key login is disabled. Use ChatGPT login instead.");
        ctx_free(&c);
        return;
    }
    struct auth_record rec = {0};
    rec.auth_mode = xstrdup("apikey");
    rec.api_key = xstrdup(key);
    struct auth_store store = {c.cfg.codex_home, c.settings.store_mode};
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = auth_store_save(&store, &rec, &err);
    auth_record_free(&rec);
    if (rc < 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err.message);
        codex_error_clear(&err);
        ctx_free(&c);
        return;
    }
    struct rpc_conn *conn = req->conn;
    uv_loop_t *req_loop = req->server->loop;
    rpc_conn_ref(conn);
    rpc_reply(req, json_pack("{s:s}", "type", "apiKey"));
    rpc_conn_notify(conn, "account/login/completed", json_pack("{s:n s:b s:n}", "loginId", "success", 1, "error"));
    struct auth_manager *m = login_session_auth(req_loop, &c.cfg, &c.env, &c.settings, false, &err);
    codex_error_clear(&err);
    notify_updated(conn, m);
    auth_manager_free(m);
    rpc_conn_unref(conn);
    ctx_free(&c);
}

static void account_login_start(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "LoginAccountParams", false);
    const char *type;
    if (!p || !rpc_get_string(req, p, "type", true, &type))
        return;
    if (strcmp(type, "apiKey") == 0) {
        login_with_api_key(req, p);
        return;
    }
    bool device = strcmp(type, "chatgptDeviceCode") == 0;
    if (!device && strcmp(type, "chatgpt") != 0) {
        rpc_reply_invalid(req, "login type %s is not supported by codex-c; use apiKey, chatgpt or "
                               "chatgptDeviceCode", type);
        return;
    }
    struct account_state *st = state_of(req);
    cancel_login(st); /* a new sign-in replaces one in flight */
    struct account_login *l = xcalloc(1, sizeof *l);
    if (!ctx_load(req, &l->ctx)) {
        free(l);
        return;
    }
    const char *forced = l->ctx.settings.forced_login_method;
    if (forced && strcmp(forced, "api") == 0) {
        rpc_reply_invalid(req, "ChatGPT login is disabled. Use API key login instead.");
        login_free(l);
        return;
    }
    uuid_v7(l->id);
    l->loop = req->server->loop;
    l->conn = req->conn;
    rpc_conn_ref(l->conn);
    l->pending = req;
    st->login = l;
    struct login_options o = {
        .loop = req->server->loop,
        .codex_home = l->ctx.cfg.codex_home,
        .store_mode = l->ctx.settings.store_mode,
        .issuer = l->ctx.env.app_server_issuer,
        .originator = "codex_vscode",
        .forced_workspace_id = l->ctx.settings.forced_workspace_id,
        .ca_file = l->ctx.env.ca_file,
        .log_dir = l->ctx.settings.log_dir,
    };
    /* A flow that fails at once reports before it returns, and l is gone. */
    if (device) {
        struct login_device_callbacks cbs = {.on_code = on_code, .on_done = on_login_done, .ud = st};
        struct login_device *d = login_device_start(&o, &cbs);
        if (st->login == l)
            l->device = d;
    } else {
        struct login_browser_callbacks cbs = {.on_url = on_url, .on_done = on_login_done, .ud = st};
        struct login_browser *b = login_browser_start(&o, &cbs);
        if (st->login == l)
            l->browser = b;
    }
}

static void account_login_cancel(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "CancelLoginAccountParams", false);
    const char *id;
    if (!p || !rpc_get_string(req, p, "loginId", true, &id))
        return;
    struct account_state *st = state_of(req);
    bool found = st->login && strcmp(st->login->id, id) == 0;
    if (found)
        cancel_login(st);
    rpc_reply(req, json_pack("{s:s}", "status", found ? "canceled" : "notFound"));
}

/* ---- sign-out ------------------------------------------------------------ */

struct logout_run {
    struct rpc_request *req;
    struct account_ctx ctx;
};

static void on_logged_out(void *ud, int removed, const char *error)
{
    (void)removed;
    struct logout_run *r = ud;
    if (error) {
        rpc_reply_error(r->req, JSONRPC_INTERNAL_ERROR, "%s", error);
    } else {
        struct rpc_conn *conn = r->req->conn;
        rpc_conn_ref(conn);
        rpc_reply(r->req, NULL);
        notify_updated(conn, NULL);
        rpc_conn_unref(conn);
    }
    ctx_free(&r->ctx);
    free(r);
}

static void account_logout(struct rpc_request *req)
{
    struct logout_run *r = xcalloc(1, sizeof *r);
    r->req = req;
    if (!ctx_load(req, &r->ctx)) {
        free(r);
        return;
    }
    struct logout_options o = {
        .loop = req->server->loop,
        .codex_home = r->ctx.cfg.codex_home,
        .store_mode = r->ctx.settings.store_mode,
        .revoke_url = r->ctx.env.revoke_url,
        .ca_file = r->ctx.env.ca_file,
    };
    logout_start(&o, on_logged_out, r);
}

/* ---- rate limits ----------------------------------------------------------- */

struct limits_run {
    struct rpc_request *req;
    struct account_ctx ctx;
    struct auth_manager *m;
};

static json_t *window_json(const json_t *w)
{
    if (!json_is_object(w))
        return json_null();
    const json_t *secs = json_object_get(w, "limit_window_seconds");
    const json_t *reset = json_object_get(w, "reset_at");
    return json_pack("{s:I s:o s:o}", "usedPercent",
                     (json_int_t)json_number_value(json_object_get(w, "used_percent")),
                     "windowDurationMins",
                     json_is_integer(secs) ? json_integer((json_integer_value(secs) + 59) / 60) : json_null(),
                     "resetsAt", json_is_integer(reset) ? json_integer(json_integer_value(reset)) : json_null());
}

/* The backend's usage answer as a RateLimitSnapshot. */
static json_t *snapshot_json(const json_t *body)
{
    const json_t *rl = json_object_get(body, "rate_limit");
    const char *plan = json_string_value(json_object_get(body, "plan_type"));
    bool reached = json_is_true(json_object_get(rl, "limit_reached"));
    return json_pack("{s:s s:n s:s s:o s:o s:s? s:n}", "limitId", "codex", "limitName", "planType",
                     plan_type(plan), "primary", window_json(json_object_get(rl, "primary_window")),
                     "secondary", window_json(json_object_get(rl, "secondary_window")),
                     "rateLimitReachedType", reached ? "rate_limit_reached" : NULL, "credits");
}

static void on_usage(void *ud, const json_t *body, const char *error)
{
    struct limits_run *r = ud;
    if (error) {
        rpc_reply_error(r->req, JSONRPC_INTERNAL_ERROR, "failed to fetch codex rate limits: %s", error);
    } else {
        json_t *snap = snapshot_json(body);
        const json_t *rl = json_object_get(body, "rate_limit");
        const json_t *allowed = json_object_get(rl, "allowed");
        rpc_reply(r->req, json_pack("{s:O s:{s:O} s:o}", "rateLimits", snap, "rateLimitsByLimitId", "codex",
                                    snap, "ordinaryUsageAllowed",
                                    json_is_boolean(allowed) ? json_incref((json_t *)allowed) : json_null()));
        json_decref(snap);
    }
    auth_manager_free(r->m);
    ctx_free(&r->ctx);
    free(r);
}

static void account_rate_limits_read(struct rpc_request *req)
{
    if (!rpc_params(req, "GetAccountRateLimitsParams", true))
        return;
    struct limits_run *r = xcalloc(1, sizeof *r);
    r->req = req;
    if (!ctx_load(req, &r->ctx)) {
        free(r);
        return;
    }
    if (!(r->m = manager_for(req, &r->ctx))) {
        ctx_free(&r->ctx);
        free(r);
        return;
    }
    usage_fetch_start(req->server->loop, r->m, r->ctx.settings.chatgpt_base_url, r->ctx.env.ca_file,
                      on_usage, r);
}

static void free_state(void **slot)
{
    struct account_state *st = *slot;
    if (st) {
        if (st->login)
            cancel_login(st);
        free(st);
    }
    *slot = NULL;
}

const struct rpc_module rpc_account_module = {
    .name = "account",
    .methods =
        (const struct rpc_method[]){
            {"account/read", account_read},
            {"account/login/start", account_login_start},
            {"account/login/cancel", account_login_cancel},
            {"account/logout", account_logout},
            {"account/rateLimits/read", account_rate_limits_read},
            {NULL, NULL},
        },
    .free_state = free_state,
};
