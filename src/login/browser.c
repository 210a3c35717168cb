/* The browser flow: authorization code with PKCE, the code delivered to a
 * callback server on 127.0.0.1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login/callback_server.h"
#include "login/flow.h"
#include "login/jwt.h"
#include "login/pages.h"
#include "login/pkce.h"
#include "util/buf.h"
#include "util/url.h"
#include "util/xalloc.h"

#define SCOPES "openid profile email offline_access api.connectors.read api.connectors.invoke"
/* How long the browser gets to fetch the success page once the
 * credentials are stored. */
#define SUCCESS_GRACE_MS 10000

struct login_browser {
    struct flow_options opt;
    struct login_browser_callbacks cbs;
    struct callback_server *server;
    struct pkce pkce;
    char state[44];
    char *redirect_uri;
    int port;
    struct callback_conn *waiting; /* the callback whose code is being exchanged */
    struct oauth_call *call;
    struct oauth_tokens tokens;
    uv_timer_t *grace;
    bool stored;
    bool over;
    bool in_callback; /* on_url is running: a cancel waits for it to return */
};

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void destroy(struct login_browser *b)
{
    callback_server_close(b->server);
    oauth_call_cancel(b->call);
    uv_close((uv_handle_t *)b->grace, close_free);
    oauth_tokens_free(&b->tokens);
    free(b->redirect_uri);
    flow_options_free(&b->opt);
    free(b);
}

static void finish(struct login_browser *b, const char *error)
{
    if (b->over)
        return;
    b->over = true;
    if (error)
        flow_log(&b->opt, "ERROR", "browser login failed: %s", error);
    else
        flow_log(&b->opt, "INFO", "browser login completed");
    struct login_browser_callbacks cbs = b->cbs;
    destroy(b);
    cbs.on_done(cbs.ud, error);
}

static void on_grace(uv_timer_t *t)
{
    finish(t->data, NULL);
}

static void respond_error(struct login_browser *b, struct callback_conn *c, const char *message,
                          const char *code, const char *description)
{
    const char *title = "Sign-in could not be completed";
    const char *help = "Return to Codex to retry, switch accounts, or contact your workspace "
                       "admin if access is restricted.";
    bool entitlement = code && strcmp(code, "access_denied") == 0 && description &&
                       strstr(description, "missing_codex_entitlement");
    if (entitlement) {
        title = "You do not have access to Codex";
        help = "Ask your workspace administrator for access to Codex, then sign in again.";
    }
    char *page = login_page_error(title, message, code, help);
    callback_conn_respond(c, 200, "text/html; charset=utf-8", page, NULL);
    free(page);
    finish(b, message);
}

static char *success_location(struct login_browser *b)
{
    struct chatgpt_claims id, access;
    chatgpt_claims_read(b->tokens.id_token, &id);
    chatgpt_claims_read(b->tokens.access_token, &access);
    bool needs_setup = !id.completed_platform_onboarding && id.is_org_owner;
    struct buf q = BUF_INIT;
    url_param_append(&q, "needs_setup", needs_setup ? "true" : "false");
    url_param_append(&q, "org_id", id.organization_id ? id.organization_id : "");
    url_param_append(&q, "project_id", id.project_id ? id.project_id : "");
    url_param_append(&q, "plan_type", access.plan_type ? access.plan_type : "");
    url_param_append(&q, "platform_url", strcmp(b->opt.issuer, LOGIN_DEFAULT_ISSUER) == 0
                                             ? "https://platform.openai.com"
                                             : "https://platform.api.openai.org");
    char *loc = xasprintf("http://127.0.0.1:%d/success?%s", b->port, buf_cstr(&q));
    buf_free(&q);
    chatgpt_claims_free(&id);
    chatgpt_claims_free(&access);
    return loc;
}

static void on_api_key(void *ud, const char *key, const char *error)
{
    struct login_browser *b = ud;
    b->call = NULL;
    struct callback_conn *c = b->waiting;
    b->waiting = NULL;
    if (error)
        flow_log(&b->opt, "WARN", "%s", error); /* an API key is a bonus, not a must */
    char *persist_error = flow_persist(&b->opt, &b->tokens, key);
    if (persist_error) {
        respond_error(b, c, persist_error, "persist_failed", NULL);
        free(persist_error);
        return;
    }
    b->stored = true;
    char *loc = success_location(b);
    callback_conn_respond(c, 302, NULL, "", loc);
    free(loc);
    uv_timer_start(b->grace, on_grace, SUCCESS_GRACE_MS, 0);
}

static void on_tokens(void *ud, const struct oauth_tokens *t, const char *error)
{
    struct login_browser *b = ud;
    b->call = NULL;
    if (error) {
        char *msg = xasprintf("Token exchange failed: %s", error);
        struct callback_conn *c = b->waiting;
        b->waiting = NULL;
        respond_error(b, c, msg, "token_exchange_failed", NULL);
        free(msg);
        return;
    }
    flow_log(&b->opt, "INFO", "oauth token exchange succeeded");
    b->tokens.id_token = xstrdup(t->id_token);
    b->tokens.access_token = xstrdup(t->access_token);
    b->tokens.refresh_token = xstrdup(t->refresh_token);
    char *denied = flow_check_workspace(&b->opt, t->id_token);
    if (denied) {
        struct callback_conn *c = b->waiting;
        b->waiting = NULL;
        respond_error(b, c, denied, "workspace_restriction", NULL);
        free(denied);
        return;
    }
    char *url = xasprintf("%s/oauth/token", b->opt.issuer);
    struct oauth_endpoint ep = {b->opt.loop, url, b->opt.client_id, b->opt.ca_file};
    b->call = oauth_obtain_api_key(&ep, t->id_token, on_api_key, b);
    free(url);
}

static void handle_callback(struct login_browser *b, struct callback_conn *c, const char *query)
{
    size_t qlen = strlen(query);
    if (b->waiting || b->stored) {
        callback_conn_respond(c, 409, "text/plain; charset=utf-8",
                              "Sign-in is already being completed", NULL);
        return;
    }
    char *state = url_query_get(query, qlen, "state", NULL);
    bool state_ok = state && strcmp(state, b->state) == 0;
    free(state);
    if (!state_ok) {
        flow_log(&b->opt, "WARN", "login callback state mismatch");
        callback_conn_respond(c, 400, "text/plain; charset=utf-8", "State mismatch", NULL);
        return;
    }
    char *error = url_query_get(query, qlen, "error", NULL);
    if (error && *error) {
        char *desc = url_query_get(query, qlen, "error_description", NULL);
        char *msg;
        if (strcmp(error, "access_denied") == 0 && desc && strstr(desc, "missing_codex_entitlement"))
            msg = xstrdup("Codex is not enabled for your workspace. Contact your workspace "
                          "administrator to request access to Codex.");
        else
            msg = xasprintf("Sign-in failed: %s", desc && *desc ? desc : error);
        respond_error(b, c, msg, error, desc);
        free(msg);
        free(desc);
        free(error);
        return;
    }
    free(error);
    char *code = url_query_get(query, qlen, "code", NULL);
    if (!code || !*code) {
        free(code);
        respond_error(b, c, "Missing authorization code. Sign-in could not be completed.",
                      "missing_authorization_code", NULL);
        return;
    }
    char *url = xasprintf("%s/oauth/token", b->opt.issuer);
    flow_log(&b->opt, "INFO", "starting oauth token exchange token_endpoint=%s redirect_uri=%s",
             url, b->redirect_uri);
    struct oauth_endpoint ep = {b->opt.loop, url, b->opt.client_id, b->opt.ca_file};
    b->waiting = c;
    b->call = oauth_exchange_code(&ep, b->redirect_uri, b->pkce.verifier, code, on_tokens, b);
    free(url);
    free(code);
}

static void on_request(void *ud, struct callback_conn *c, const char *method, const char *path,
                       const char *query)
{
    struct login_browser *b = ud;
    (void)method;
    if (strcmp(path, "/auth/callback") == 0) {
        handle_callback(b, c, query);
    } else if (strcmp(path, "/success") == 0 && b->stored) {
        callback_conn_respond(c, 200, "text/html; charset=utf-8", login_page_success(), NULL);
        finish(b, NULL);
    } else if (strcmp(path, "/cancel") == 0) {
        callback_conn_respond(c, 200, "text/plain; charset=utf-8", "Login cancelled", NULL);
        finish(b, "Login cancelled");
    } else {
        callback_conn_respond(c, 404, "text/plain; charset=utf-8", "Not Found", NULL);
    }
}

static char *authorize_url(struct login_browser *b)
{
    struct buf q = BUF_INIT;
    url_param_append(&q, "response_type", "code");
    url_param_append(&q, "client_id", b->opt.client_id);
    url_param_append(&q, "redirect_uri", b->redirect_uri);
    url_param_append(&q, "code_challenge", b->pkce.challenge);
    url_param_append(&q, "code_challenge_method", "S256");
    url_param_append(&q, "state", b->state);
    url_param_append(&q, "scope", SCOPES);
    url_param_append(&q, "id_token_add_organizations", "true");
    url_param_append(&q, "codex_cli_simplified_flow", "true");
    url_param_append(&q, "originator", b->opt.originator);
    if (b->opt.forced_workspace_id)
        url_param_append(&q, "allowed_workspace_id", b->opt.forced_workspace_id);
    char *url = xasprintf("%s/oauth/authorize?%s", b->opt.issuer, buf_cstr(&q));
    buf_free(&q);
    return url;
}

static void on_ready(void *ud, int port)
{
    struct login_browser *b = ud;
    b->port = port;
    b->redirect_uri = xasprintf("http://127.0.0.1:%d/auth/callback", port);
    flow_log(&b->opt, "INFO", "starting browser login flow issuer=%s redirect_uri=%s",
             b->opt.issuer, b->redirect_uri);
    char *url = authorize_url(b);
    b->in_callback = true;
    b->cbs.on_url(b->cbs.ud, url, port);
    b->in_callback = false;
    free(url);
    if (b->over)
        destroy(b);
}

static void on_fail(void *ud, const char *message)
{
    struct login_browser *b = ud;
    b->server = NULL; /* it closed itself */
    finish(b, message);
}

struct login_browser *login_browser_start(const struct login_options *o,
                                          const struct login_browser_callbacks *cbs)
{
    struct login_browser *b = xcalloc(1, sizeof *b);
    flow_options_init(&b->opt, o);
    b->cbs = *cbs;
    pkce_generate(&b->pkce);
    login_random_state(b->state);
    b->grace = xcalloc(1, sizeof *b->grace);
    uv_timer_init(o->loop, b->grace);
    b->grace->data = b;
    struct callback_server_callbacks scb = {on_ready, on_fail, on_request, b};
    b->server = callback_server_start(o->loop, b->opt.port, b->opt.fallback_port, &scb);
    return b;
}

void login_browser_cancel(struct login_browser *b)
{
    if (!b || b->over)
        return;
    b->over = true;
    flow_log(&b->opt, "INFO", "browser login cancelled");
    if (!b->in_callback)
        destroy(b);
}
