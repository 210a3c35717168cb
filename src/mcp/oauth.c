#include "mcp/oauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config/config.h"
#include "login/callback_server.h"
#include "login/pkce.h"
#include "model/http_fetch.h"
#include "store/mcp_tokens.h"
#include "util/buf.h"
#include "util/url.h"
#include "util/xalloc.h"

/* Percent-encoded copy of s (caller frees). */
static char *esc(const char *s)
{
    struct buf b = BUF_INIT;
    url_encode_append(&b, s);
    return buf_detach(&b, NULL);
}

#define FETCH_TIMEOUT_MS 30000

/* GET (body NULL) or POST to an OAuth endpoint; done runs once, later. */
static void oauth_fetch(uv_loop_t *loop, const char *method, const char *url, const char *type,
                        const char *body, http_fetch_fn done, void *ud)
{
    struct strvec h = STRVEC_INIT;
    strvec_push(&h, "Accept: application/json");
    if (type)
        strvec_push_owned(&h, xasprintf("Content-Type: %s", type));
    struct http_fetch_request req = {.method = method, .url = url, .headers = &h, .body = body,
                                     .body_len = body ? strlen(body) : 0,
                                     .timeout_ms = FETCH_TIMEOUT_MS};
    http_fetch_start(loop, &req, done, ud);
    strvec_free(&h);
}

/* "https://host:port" and "/path" of a URL (path without a trailing '/'). */
static void split_origin(const char *url, char **origin, char **path)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *slash = strchr(host, '/');
    *origin = slash ? xstrndup(url, (size_t)(slash - url)) : xstrdup(url);
    const char *p = slash ? slash : "";
    size_t n = strcspn(p, "?#");
    while (n && p[n - 1] == '/')
        n--;
    *path = xstrndup(p, n);
}

/* ---- the login -------------------------------------------------------------- */

enum step { RESOURCE, AUTH_SERVER, REGISTER, AUTHORIZE, TOKEN };

struct mcp_login {
    uv_loop_t *loop;
    struct mcp_login_opts o;
    void (*done)(void *ud, const char *error);
    void *ud;
    char *server_name, *server_url, *codex_home;
    struct strvec candidates; /* metadata URLs still to try */
    char *as_issuer;          /* the authorization server's URL */
    char *authorize_url, *token_url, *register_url;
    json_t *resource_scopes;  /* scopes_supported of the resource, or NULL */
    char *client_id, *client_secret;
    struct pkce pkce;
    char state[44];
    char *redirect_uri;
    struct callback_server *server;
    bool listening;           /* the callback server is up: discovery has begun */
    int pending;              /* requests in flight (the struct stays for them) */
    bool finished, cancelled;
};

static void login_free(struct mcp_login *l)
{
    free(l->server_name);
    free(l->server_url);
    free(l->codex_home);
    strvec_free(&l->candidates);
    free(l->as_issuer);
    free(l->authorize_url);
    free(l->token_url);
    free(l->register_url);
    json_decref(l->resource_scopes);
    free(l->client_id);
    free(l->client_secret);
    free(l->redirect_uri);
    free(l);
}

/* A request came back: true when the login is over meanwhile (and l may
 * be gone), so the answer is dropped. */
static bool settle(struct mcp_login *l)
{
    l->pending--;
    if (!l->finished)
        return false;
    if (l->pending == 0)
        login_free(l);
    return true;
}

static void finish(struct mcp_login *l, const char *error)
{
    if (l->finished)
        return;
    l->finished = true;
    callback_server_close(l->server);
    l->server = NULL;
    if (!l->cancelled)
        l->done(l->ud, error);
    if (l->pending == 0)
        login_free(l);
}

static void failf(struct mcp_login *l, const char *fmt, const char *a, const char *b)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    finish(l, msg);
}

static bool fetch(struct mcp_login *l, const char *method, const char *url, const char *type,
                  const char *body, http_fetch_fn fn)
{
    l->pending++;
    oauth_fetch(l->loop, method, url, type, body, fn, l);
    return true;
}

static void next_resource_candidate(struct mcp_login *l);
static void next_as_candidate(struct mcp_login *l);
static void register_client(struct mcp_login *l);
static void authorize(struct mcp_login *l);

static json_t *json_body(const struct http_fetch_result *r)
{
    if (r->status < 200 || r->status >= 300)
        return NULL;
    json_t *v = json_loads(r->body, 0, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static void start_as_discovery(struct mcp_login *l)
{
    char *origin, *path;
    split_origin(l->as_issuer, &origin, &path);
    strvec_free(&l->candidates);
    strvec_push_owned(&l->candidates, xasprintf("%s/.well-known/oauth-authorization-server%s", origin, path));
    strvec_push_owned(&l->candidates, xasprintf("%s/.well-known/openid-configuration%s", origin, path));
    if (*path)
        strvec_push_owned(&l->candidates, xasprintf("%s%s/.well-known/openid-configuration", origin, path));
    if (*path)
        strvec_push_owned(&l->candidates, xasprintf("%s/.well-known/oauth-authorization-server", origin));
    free(origin);
    free(path);
    next_as_candidate(l);
}

static void on_resource(void *ud, const struct http_fetch_result *r)
{
    struct mcp_login *l = ud;
    if (settle(l))
        return;
    json_t *doc = json_body(r);
    const char *as = json_string_value(json_array_get(json_object_get(doc, "authorization_servers"), 0));
    if (!as) {
        json_decref(doc);
        next_resource_candidate(l);
        return;
    }
    l->as_issuer = xstrdup(as);
    if (json_is_array(json_object_get(doc, "scopes_supported")))
        l->resource_scopes = json_incref(json_object_get(doc, "scopes_supported"));
    json_decref(doc);
    start_as_discovery(l);
}

/* Try the next place the protected-resource metadata may be; with none
 * left, the server's own origin is its authorization server. */
static void next_resource_candidate(struct mcp_login *l)
{
    if (l->candidates.n == 0) {
        char *origin, *path;
        split_origin(l->server_url, &origin, &path);
        l->as_issuer = origin;
        free(path);
        start_as_discovery(l);
        return;
    }
    char *url = xstrdup(l->candidates.v[0]);
    free(l->candidates.v[0]);
    memmove(l->candidates.v, l->candidates.v + 1, (l->candidates.n - 1) * sizeof(char *));
    l->candidates.v[--l->candidates.n] = NULL;
    fetch(l, "GET", url, NULL, NULL, on_resource);
    free(url);
}

static void on_as(void *ud, const struct http_fetch_result *r)
{
    struct mcp_login *l = ud;
    if (settle(l))
        return;
    json_t *doc = json_body(r);
    const char *auth = json_string_value(json_object_get(doc, "authorization_endpoint"));
    const char *token = json_string_value(json_object_get(doc, "token_endpoint"));
    if (!auth || !token) {
        json_decref(doc);
        next_as_candidate(l);
        return;
    }
    l->authorize_url = xstrdup(auth);
    l->token_url = xstrdup(token);
    const char *reg = json_string_value(json_object_get(doc, "registration_endpoint"));
    l->register_url = reg ? xstrdup(reg) : NULL;
    if (!l->resource_scopes && json_is_array(json_object_get(doc, "scopes_supported")))
        l->resource_scopes = json_incref(json_object_get(doc, "scopes_supported"));
    json_decref(doc);
    register_client(l);
}

static void next_as_candidate(struct mcp_login *l)
{
    if (l->candidates.n == 0) {
        failf(l, "MCP server '%s' does not advertise OAuth (no authorization server metadata at %s)",
              l->server_name, l->as_issuer);
        return;
    }
    char *url = xstrdup(l->candidates.v[0]);
    free(l->candidates.v[0]);
    memmove(l->candidates.v, l->candidates.v + 1, (l->candidates.n - 1) * sizeof(char *));
    l->candidates.v[--l->candidates.n] = NULL;
    fetch(l, "GET", url, NULL, NULL, on_as);
    free(url);
}

static void on_registered(void *ud, const struct http_fetch_result *r)
{
    struct mcp_login *l = ud;
    if (settle(l))
        return;
    json_t *doc = json_body(r);
    const char *id = json_string_value(json_object_get(doc, "client_id"));
    if (!id) {
        char status[32];
        snprintf(status, sizeof status, "%ld", r->status);
        failf(l, "Registration failed: Dynamic registration failed: HTTP %s from the registration "
                 "endpoint %s", r->error ? r->error : status, r->body ? r->body : "");
        json_decref(doc);
        return;
    }
    l->client_id = xstrdup(id);
    const char *secret = json_string_value(json_object_get(doc, "client_secret"));
    if (secret)
        l->client_secret = xstrdup(secret);
    json_decref(doc);
    authorize(l);
}

static void register_client(struct mcp_login *l)
{
    const struct mcp_server_config *s = l->o.server;
    if (s->oauth_client_id) {
        l->client_id = xstrdup(s->oauth_client_id);
        struct mcp_tokens t;
        struct codex_error err = CODEX_ERROR_INIT;
        if (mcp_tokens_load(l->codex_home, l->server_name, l->server_url, &t, &err) == 1 &&
            t.client_secret)
            l->client_secret = xstrdup(t.client_secret);
        mcp_tokens_free(&t);
        codex_error_clear(&err);
        authorize(l);
        return;
    }
    if (l->o.registration && strcmp(l->o.registration, "cimd") == 0) {
        failf(l, "Registration failed: client ID metadata documents are not supported by codex-c; "
                 "use --oauth-client-registration dcr or configure oauth_client_id%s%s", NULL, NULL);
        return;
    }
    if (!l->register_url) {
        failf(l, "Registration failed: the authorization server of '%s' offers no dynamic client "
                 "registration; set oauth_client_id in [mcp_servers.%s]", l->server_name, l->server_name);
        return;
    }
    json_t *req = json_pack("{s:s s:[s] s:[s s] s:[s] s:s}", "client_name", "Codex",
                            "redirect_uris", l->redirect_uri, "grant_types", "authorization_code",
                            "refresh_token", "response_types", "code",
                            "token_endpoint_auth_method", "none");
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    fetch(l, "POST", l->register_url, "application/json", body, on_registered);
    free(body);
}

static char *scope_string(struct mcp_login *l)
{
    struct buf b = BUF_INIT;
    if (l->o.scopes) {
        for (size_t i = 0; i < l->o.scopes->n; i++)
            buf_printf(&b, "%s%s", b.len ? " " : "", l->o.scopes->v[i]);
    } else if (l->o.server->scopes.n) {
        for (size_t i = 0; i < l->o.server->scopes.n; i++)
            buf_printf(&b, "%s%s", b.len ? " " : "", l->o.server->scopes.v[i]);
    } else {
        size_t i;
        const json_t *s;
        json_array_foreach(l->resource_scopes, i, s) if (json_is_string(s))
            buf_printf(&b, "%s%s", b.len ? " " : "", json_string_value(s));
    }
    return buf_detach(&b, NULL);
}

static void authorize(struct mcp_login *l)
{
    char *scopes = scope_string(l);
    struct buf url = BUF_INIT;
    char *e_client = esc(l->client_id), *e_redirect = esc(l->redirect_uri);
    char *e_state = esc(l->state);
    buf_printf(&url, "%s%sresponse_type=code&client_id=%s&redirect_uri=%s&code_challenge=%s"
                     "&code_challenge_method=S256&state=%s",
               l->authorize_url, strchr(l->authorize_url, '?') ? "&" : "?", e_client, e_redirect,
               l->pkce.challenge, e_state);
    if (*scopes) {
        char *e = esc(scopes);
        buf_printf(&url, "&scope=%s", e);
        free(e);
    }
    const char *resource = l->o.server->oauth_resource;
    if (resource) {
        char *e = esc(resource);
        buf_printf(&url, "&resource=%s", e);
        free(e);
    }
    free(e_client);
    free(e_redirect);
    free(e_state);
    free(scopes);
    l->o.show_url(l->o.ud, buf_cstr(&url));
    buf_free(&url);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* Tokens from a token endpoint's answer, stored; NULL or an error line. */
static char *store_tokens(const char *codex_home, const char *name, const char *url,
                          const char *client_id, const char *client_secret, const char *token_url,
                          const char *old_refresh, const struct http_fetch_result *r)
{
    json_t *doc = json_body(r);
    const char *access = json_string_value(json_object_get(doc, "access_token"));
    if (!access) {
        const char *e = json_string_value(json_object_get(doc, "error"));
        char *msg = xasprintf("the token endpoint refused: %s", e ? e : r->error ? r->error : r->body ? r->body : "");
        json_decref(doc);
        return msg;
    }
    struct mcp_tokens t = {0};
    t.client_id = xstrdup(client_id);
    t.client_secret = client_secret ? xstrdup(client_secret) : NULL;
    t.access_token = xstrdup(access);
    const char *refresh = json_string_value(json_object_get(doc, "refresh_token"));
    t.refresh_token = refresh ? xstrdup(refresh) : old_refresh ? xstrdup(old_refresh) : NULL;
    t.token_endpoint = xstrdup(token_url);
    const json_t *in = json_object_get(doc, "expires_in");
    if (json_is_number(in))
        t.expires_at_ms = (now_s() + (int64_t)json_number_value(in)) * 1000;
    const char *scope = json_string_value(json_object_get(doc, "scope"));
    for (const char *p = scope; p && *p;) {
        size_t n = strcspn(p, " ");
        if (n)
            strvec_push_owned(&t.scopes, xstrndup(p, n));
        p += n;
        while (*p == ' ')
            p++;
    }
    json_decref(doc);
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = mcp_tokens_save(codex_home, name, url, &t, &err);
    mcp_tokens_free(&t);
    char *msg = rc < 0 ? codex_error_text(&err) : NULL;
    codex_error_clear(&err);
    return msg;
}

static void on_token(void *ud, const struct http_fetch_result *r)
{
    struct mcp_login *l = ud;
    if (settle(l))
        return;
    char *error = store_tokens(l->codex_home, l->server_name, l->server_url, l->client_id,
                               l->client_secret, l->token_url, NULL, r);
    finish(l, error);
    free(error);
}

static void got_code(struct mcp_login *l, const char *query)
{
    if (l->finished || l->token_url == NULL || l->client_id == NULL)
        return;
    l->pending++; /* a refusal below finishes the login: l stays until the end */
    size_t qn = strlen(query);
    char *error = url_query_get(query, qn, "error", NULL);
    char *state = url_query_get(query, qn, "state", NULL);
    char *code = url_query_get(query, qn, "code", NULL);
    if (error)
        failf(l, "the authorization server refused the sign-in: %s", error, NULL);
    else if (!state || strcmp(state, l->state) != 0)
        failf(l, "the sign-in answer did not carry this sign-in's state; start it again%s%s", NULL, NULL);
    else if (!code)
        failf(l, "the sign-in answer carried no authorization code%s%s", NULL, NULL);
    if (!l->finished) {
        char *e_code = esc(code), *e_redirect = esc(l->redirect_uri);
        char *e_client = esc(l->client_id), *e_verifier = esc(l->pkce.verifier);
        struct buf body = BUF_INIT;
        buf_printf(&body, "grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s"
                          "&code_verifier=%s",
                   e_code, e_redirect, e_client, e_verifier);
        if (l->client_secret) {
            char *e = esc(l->client_secret);
            buf_printf(&body, "&client_secret=%s", e);
            free(e);
        }
        if (l->o.server->oauth_resource) {
            char *e = esc(l->o.server->oauth_resource);
            buf_printf(&body, "&resource=%s", e);
            free(e);
        }
        fetch(l, "POST", l->token_url, "application/x-www-form-urlencoded", buf_cstr(&body), on_token);
        buf_free(&body);
        free(e_code);
        free(e_redirect);
        free(e_client);
        free(e_verifier);
    }
    free(error);
    free(state);
    free(code);
    settle(l);
}

static void on_request(void *ud, struct callback_conn *c, const char *method, const char *path,
                       const char *query)
{
    struct mcp_login *l = ud;
    (void)method;
    if (strcmp(path, "/callback") != 0) {
        callback_conn_respond(c, 404, "text/plain; charset=utf-8", "Not Found", NULL);
        return;
    }
    callback_conn_respond(c, 200, "text/html; charset=utf-8",
                          "<!doctype html><title>Codex</title><p>Signed in. You can close this "
                          "window and go back to Codex.</p>",
                          NULL);
    got_code(l, query ? query : "");
}

static void on_listen_failed(void *ud, const char *message)
{
    struct mcp_login *l = ud;
    l->server = NULL; /* closed by the callback server itself */
    failf(l, "cannot take the sign-in callback: %s%s", message, NULL);
}

/* The callback server listens: the redirect URI is known, discovery starts. */
static void on_listening(void *ud, int port)
{
    struct mcp_login *l = ud;
    l->listening = true;
    l->redirect_uri = l->o.callback_url ? xstrdup(l->o.callback_url)
                                        : xasprintf("http://127.0.0.1:%d/callback", port);
    char *origin, *path;
    split_origin(l->server_url, &origin, &path);
    strvec_push_owned(&l->candidates, xasprintf("%s/.well-known/oauth-protected-resource%s", origin, path));
    if (*path)
        strvec_push_owned(&l->candidates, xasprintf("%s/.well-known/oauth-protected-resource", origin));
    free(origin);
    free(path);
    next_resource_candidate(l);
}

bool mcp_login_paste(struct mcp_login *l, const char *redirect_url)
{
    const char *q = strchr(redirect_url, '?');
    if (!q || !strstr(q, "code=") || !l->token_url)
        return false;
    char *query = xstrndup(q + 1, strcspn(q + 1, "#\r\n"));
    got_code(l, query);
    free(query);
    return true;
}

bool mcp_login_callback_config(const struct codex_config *cfg, struct mcp_login_opts *o,
                               const char **error)
{
    const toml_value *port = toml_table_get(cfg->root, "mcp_oauth_callback_port");
    const toml_value *url = toml_table_get(cfg->root, "mcp_oauth_callback_url");
    if (port) {
        if (toml_type(port) != TOML_INTEGER || toml_integer(port) < 0 ||
            toml_integer(port) > 65535) {
            *error = "mcp_oauth_callback_port must be a port number (0-65535)";
            return false;
        }
        o->callback_port = (unsigned short)toml_integer(port);
    }
    if (url && toml_type(url) == TOML_STRING)
        o->callback_url = toml_string(url, NULL);
    return true;
}

struct mcp_login *mcp_login_start(uv_loop_t *loop, const struct mcp_login_opts *opts,
                                  void (*done)(void *ud, const char *error), void *ud)
{
    const struct mcp_server_config *s = opts->server;
    struct mcp_login *l = xcalloc(1, sizeof *l);
    l->loop = loop;
    l->o = *opts;
    l->done = done;
    l->ud = ud;
    l->server_name = xstrdup(s->name);
    l->server_url = xstrdup(s->url);
    l->codex_home = xstrdup(opts->codex_home);
    pkce_generate(&l->pkce);
    login_random_state(l->state);
    struct callback_server_callbacks cbs = {on_listening, on_listen_failed, on_request, l};
    l->server = callback_server_start(loop, opts->callback_port, 0, &cbs);
    return l;
}

void mcp_login_cancel(struct mcp_login *l)
{
    if (!l)
        return;
    l->cancelled = true;
    finish(l, NULL);
}

/* ---- refresh ------------------------------------------------------------------------ */

struct refresh {
    char *codex_home, *name, *url, *client_id, *client_secret, *token_url, *refresh_token;
    void (*done)(void *ud, const char *error);
    void *ud;
};

static void on_refreshed(void *ud, const struct http_fetch_result *r)
{
    struct refresh *x = ud;
    char *error = store_tokens(x->codex_home, x->name, x->url, x->client_id, x->client_secret,
                               x->token_url, x->refresh_token, r);
    x->done(x->ud, error);
    free(error);
    free(x->codex_home);
    free(x->name);
    free(x->url);
    free(x->client_id);
    free(x->client_secret);
    free(x->token_url);
    free(x->refresh_token);
    free(x);
}

bool mcp_oauth_refresh(uv_loop_t *loop, const char *codex_home, const struct mcp_server_config *s,
                       void (*done)(void *ud, const char *error), void *ud)
{
    struct mcp_tokens t;
    struct codex_error err = CODEX_ERROR_INIT;
    int found = mcp_tokens_load(codex_home, s->name, s->url, &t, &err);
    codex_error_clear(&err);
    if (found != 1 || !t.refresh_token || !t.token_endpoint || !t.client_id) {
        mcp_tokens_free(&t);
        return false;
    }
    struct refresh *x = xcalloc(1, sizeof *x);
    x->codex_home = xstrdup(codex_home);
    x->name = xstrdup(s->name);
    x->url = xstrdup(s->url);
    x->client_id = xstrdup(t.client_id);
    x->client_secret = t.client_secret ? xstrdup(t.client_secret) : NULL;
    x->token_url = xstrdup(t.token_endpoint);
    x->refresh_token = xstrdup(t.refresh_token);
    x->done = done;
    x->ud = ud;
    char *e_refresh = esc(t.refresh_token), *e_client = esc(t.client_id);
    char *body = xasprintf("grant_type=refresh_token&refresh_token=%s&client_id=%s", e_refresh, e_client);
    free(e_refresh);
    free(e_client);
    mcp_tokens_free(&t);
    oauth_fetch(loop, "POST", x->token_url, "application/x-www-form-urlencoded", body, on_refreshed, x);
    free(body);
    return true;
}
