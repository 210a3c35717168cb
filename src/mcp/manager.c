#include "mcp/manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/oauth.h"
#include "store/mcp_tokens.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/xalloc.h"

/* What the reference passes a stdio server from its own environment. */
static const char *const inherited[] = {
    "HOME", "LANG", "LC_ALL", "LOGNAME", "PATH", "SHELL", "TERM", "TMPDIR", "TZ", "USER",
    /* CA bundles, so a server behind a TLS-inspecting proxy still works. */
    "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS", "PIP_CERT",
    "REQUESTS_CA_BUNDLE", NULL,
};

struct slot {
    struct mcp_manager *m;
    size_t index;
    struct mcp_client *client;
    bool refreshing;       /* its OAuth tokens are being refreshed */
    struct refresh_wait *refresh; /* that refresh, told when the manager goes */
    bool refreshed_at_start; /* one refresh per start-up failure */
};

struct mcp_call {
    struct mcp_manager *m;
    struct mcp_call *next; /* waiting for the server */
    size_t index;
    char *method;
    json_t *params;        /* until sent */
    json_t *sent;          /* a copy of what was sent, for one retry after a refresh */
    struct mcp_request_opts opts;
    struct mcp_request *req;
    bool retried;
};

struct mcp_manager {
    uv_loop_t *loop;
    struct mcp_manager_env env;
    struct mcp_manager_callbacks cb;
    struct mcp_server *servers;
    struct slot *slots;
    size_t n;
    struct mcp_call *waiting;
    bool freeing;
    void (*observer)(void *ud, size_t index);
    void *observer_ud;
};

void mcp_manager_set_callbacks(struct mcp_manager *m, const struct mcp_manager_callbacks *cb)
{
    m->cb = cb ? *cb : (struct mcp_manager_callbacks){0};
}

void mcp_manager_observe(struct mcp_manager *m, void (*fn)(void *ud, size_t index), void *ud)
{
    m->observer = fn;
    m->observer_ud = ud;
}

static void changed(struct mcp_manager *m, size_t index)
{
    if (m->cb.on_server_changed)
        m->cb.on_server_changed(m->cb.ud, index);
    if (m->observer)
        m->observer(m->observer_ud, index);
}

void mcp_server_env(const struct mcp_server_config *cfg, const struct mcp_manager_env *env,
                    struct strvec *out)
{
    for (int i = 0; inherited[i]; i++) {
        const char *v = envp_get(env->envp, inherited[i]);
        if (v)
            envp_set(out, inherited[i], v);
    }
    for (size_t i = 0; i < cfg->env_vars.n; i++) {
        const char *v = envp_get(env->envp, cfg->env_vars.v[i]);
        if (v)
            envp_set(out, cfg->env_vars.v[i], v);
    }
    for (size_t i = 0; i < cfg->env.names.n; i++)
        envp_set(out, cfg->env.names.v[i], cfg->env.values.v[i]);
    if (env->path_prefix) {
        const char *path = envp_get((const char *const *)out->v, "PATH");
        char *joined = path && *path ? xasprintf("%s:%s", env->path_prefix, path)
                                     : xstrdup(env->path_prefix);
        envp_set(out, "PATH", joined);
        free(joined);
    }
}

static bool header_safe(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return false;
    return true;
}

static void push_header(struct strvec *h, const char *name, const char *value)
{
    if (header_safe(name) && header_safe(value) && *name && !strchr(name, ':'))
        strvec_push_owned(h, xasprintf("%s: %s", name, value));
}

/* The headers of an HTTP server; -1 with why set when its bearer token
 * variable is unset. */
static int http_headers(struct mcp_manager *m, const struct mcp_server_config *cfg,
                        struct strvec *h, char **why)
{
    if (cfg->bearer_token_env_var) {
        const char *token = envp_get_nonempty(m->env.envp, cfg->bearer_token_env_var);
        if (!token) {
            *why = xasprintf("environment variable %s for MCP server '%s' is not set",
                             cfg->bearer_token_env_var, cfg->name);
            return -1;
        }
        char *v = xasprintf("Bearer %s", token);
        push_header(h, "Authorization", v);
        free(v);
    } else if (m->env.codex_home) {
        struct mcp_tokens t;
        struct codex_error err = CODEX_ERROR_INIT;
        if (mcp_tokens_load(m->env.codex_home, cfg->name, cfg->url, &t, &err) == 1 &&
            t.access_token) {
            char *v = xasprintf("Bearer %s", t.access_token);
            push_header(h, "Authorization", v);
            free(v);
        }
        mcp_tokens_free(&t);
        codex_error_clear(&err);
    }
    for (size_t i = 0; i < cfg->http_headers.names.n; i++)
        push_header(h, cfg->http_headers.names.v[i], cfg->http_headers.values.v[i]);
    for (size_t i = 0; i < cfg->env_http_headers.names.n; i++) {
        const char *v = envp_get_nonempty(m->env.envp, cfg->env_http_headers.values.v[i]);
        if (v)
            push_header(h, cfg->env_http_headers.names.v[i], v);
    }
    return 0;
}

static bool listed(const struct strvec *names, const char *name)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->v[i], name) == 0)
            return true;
    return false;
}

/* enabled_tools (an allow-list) and then disabled_tools. */
static json_t *filtered_tools(const struct mcp_server_config *cfg, const json_t *tools)
{
    json_t *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        if (cfg->has_enabled_tools && !listed(&cfg->enabled_tools, name))
            continue;
        if (listed(&cfg->disabled_tools, name))
            continue;
        json_array_append(out, t);
    }
    return out;
}

static void start_server(struct mcp_manager *m, size_t i);

static void fail_waiting(struct mcp_manager *m, size_t index, const char *why)
{
    for (struct mcp_call **pp = &m->waiting; *pp;) {
        struct mcp_call *c = *pp;
        if (c->index != index) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        struct mcp_failure f = {.kind = MCP_FAIL_CLOSED, .message = why};
        struct mcp_request_opts o = c->opts;
        json_decref(c->params);
        json_decref(c->sent);
        free(c->method);
        free(c);
        o.done(o.ud, NULL, &f);
    }
}

static bool refresh_then_retry(struct mcp_call *c);

static void call_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct mcp_call *c = ud;
    if (f && f->kind == MCP_FAIL_RPC && f->code == -32001 && refresh_then_retry(c))
        return;
    struct mcp_request_opts o = c->opts;
    json_decref(c->sent);
    free(c->method);
    free(c);
    o.done(o.ud, result, f);
}

static void call_progress(void *ud, const json_t *params)
{
    struct mcp_call *c = ud;
    if (c->opts.progress)
        c->opts.progress(c->opts.ud, params);
}

/* False when the call failed at once (done has run, c is gone). */
static bool send_call(struct mcp_manager *m, struct mcp_call *c)
{
    struct mcp_request_opts o = {.timeout_ms = c->opts.timeout_ms, .done = call_done,
                                 .progress = c->opts.progress ? call_progress : NULL, .ud = c};
    json_t *params = c->params;
    c->params = NULL;
    json_decref(c->sent);
    c->sent = json_deep_copy(params);
    c->req = mcp_client_request(m->slots[c->index].client, c->method, params, &o);
    if (!c->req) {
        struct mcp_failure f = {.kind = MCP_FAIL_CLOSED, .message = "connection closed"};
        call_done(c, NULL, &f);
        return false;
    }
    return true;
}

static void send_waiting(struct mcp_manager *m, size_t index)
{
    for (struct mcp_call **pp = &m->waiting; *pp;) {
        struct mcp_call *c = *pp;
        if (c->index != index) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        send_call(m, c);
    }
}

/* ---- OAuth refresh after a 401 ---------------------------------------------- */

static bool refreshable(const struct mcp_manager *m, const struct mcp_server_config *cfg)
{
    return m->env.codex_home && cfg->transport == MCP_TRANSPORT_HTTP && !cfg->bearer_token_env_var;
}

struct refresh_wait {
    struct mcp_manager *m;
    size_t index;
};

static void on_refreshed(void *ud, const char *error)
{
    struct refresh_wait *w = ud;
    struct mcp_manager *m = w->m;
    size_t i = w->index;
    free(w);
    if (!m)
        return; /* the manager went meanwhile */
    m->slots[i].refreshing = false;
    m->slots[i].refresh = NULL;
    if (error) {
        char *why = xasprintf("the OAuth token could not be refreshed: %s; run `codex mcp login %s`",
                              error, m->servers[i].cfg->name);
        m->servers[i].state = MCP_SERVER_FAILED;
        free(m->servers[i].error);
        m->servers[i].error = why;
        changed(m, i);
        fail_waiting(m, i, why);
        return;
    }
    /* New tokens: a new connection carries them. */
    mcp_client_free(m->slots[i].client);
    m->slots[i].client = NULL;
    start_server(m, i);
    if (!m->slots[i].client)
        fail_waiting(m, i, m->servers[i].error ? m->servers[i].error : "the server could not start");
}

/* Refresh the server's tokens; the server is restarted with them once
 * refreshed.  False when there is nothing to refresh. */
static bool start_refresh(struct mcp_manager *m, size_t i)
{
    if (m->slots[i].refreshing)
        return true;
    if (!refreshable(m, m->servers[i].cfg))
        return false;
    struct refresh_wait *w = xcalloc(1, sizeof *w);
    w->m = m;
    w->index = i;
    m->slots[i].refreshing = true;
    m->slots[i].refresh = w;
    enum mcp_server_state was = m->servers[i].state;
    m->servers[i].state = MCP_SERVER_STARTING;
    if (!mcp_oauth_refresh(m->loop, m->env.codex_home, m->servers[i].cfg, on_refreshed, w)) {
        m->slots[i].refreshing = false;
        m->slots[i].refresh = NULL;
        m->servers[i].state = was;
        free(w);
        return false;
    }
    return true;
}

static bool refresh_then_retry(struct mcp_call *c)
{
    struct mcp_manager *m = c->m;
    if (c->retried || !c->sent || m->freeing || !start_refresh(m, c->index))
        return false;
    c->retried = true;
    c->req = NULL;
    c->params = c->sent;
    c->sent = NULL;
    c->next = m->waiting;
    m->waiting = c;
    return true;
}

static void on_ready(void *ud, struct mcp_client *client)
{
    struct slot *s = ud;
    struct mcp_manager *m = s->m;
    struct mcp_server *srv = &m->servers[s->index];
    srv->state = MCP_SERVER_READY;
    srv->was_ready = true;
    free(srv->error);
    srv->error = NULL;
    json_decref(srv->tools);
    srv->tools = filtered_tools(srv->cfg, mcp_client_tools(client));
    free(srv->instructions);
    const char *ins = mcp_client_instructions(client);
    srv->instructions = ins ? xstrdup(ins) : NULL;
    json_decref(srv->server_info);
    srv->server_info = json_deep_copy(mcp_client_server_info(client));
    json_decref(srv->capabilities);
    srv->capabilities = json_deep_copy(mcp_client_capabilities(client));
    changed(m, s->index);
    send_waiting(m, s->index);
}

static void on_failed(void *ud, struct mcp_client *client, const char *why)
{
    (void)client;
    struct slot *s = ud;
    struct mcp_manager *m = s->m;
    struct mcp_server *srv = &m->servers[s->index];
    /* A 401 while starting: once, refresh the stored tokens and start
     * again with them. */
    if (!srv->was_ready && !s->refreshed_at_start && strstr(why, "HTTP 401") &&
        refreshable(m, srv->cfg) && !m->freeing) {
        s->refreshed_at_start = true;
        mcp_client_free(s->client);
        s->client = NULL;
        if (start_refresh(m, s->index))
            return;
    }
    srv->state = MCP_SERVER_FAILED;
    free(srv->error);
    srv->error = xstrdup(why);
    /* The connection is gone; a later call starts a new one. */
    mcp_client_free(s->client);
    s->client = NULL;
    if (m->freeing)
        return;
    changed(m, s->index);
    fail_waiting(m, s->index, why);
}

static void on_server_request(void *ud, struct mcp_client *client, const json_t *id,
                              const char *method, const json_t *params)
{
    struct slot *s = ud;
    struct mcp_manager *m = s->m;
    if (m->cb.on_server_request) {
        m->cb.on_server_request(m->cb.ud, s->index, id, method, params);
        return;
    }
    if (strcmp(method, "elicitation/create") == 0)
        mcp_client_answer(client, id, json_pack("{s:s}", "action", "decline"), 0, NULL);
    else
        mcp_client_answer(client, id, NULL, -32601, "Method not supported");
}

static void start_server(struct mcp_manager *m, size_t i)
{
    struct mcp_server *srv = &m->servers[i];
    const struct mcp_server_config *cfg = srv->cfg;
    struct slot *s = &m->slots[i];
    srv->state = MCP_SERVER_STARTING;
    double secs = cfg->startup_timeout_sec >= 0 ? cfg->startup_timeout_sec
                                                : MCP_DEFAULT_STARTUP_TIMEOUT_SEC;
    struct mcp_client_opts o = {
        .name = cfg->name,
        .startup_timeout_ms = secs > 0 ? (unsigned)(secs * 1000.0) : 1,
        .client_version = m->env.client_version,
    };
    struct mcp_client_callbacks cb = {.on_ready = on_ready, .on_failed = on_failed,
                                      .on_server_request = on_server_request, .ud = s};
    struct codex_error err = CODEX_ERROR_INIT;
    struct strvec env = STRVEC_INIT, argv = STRVEC_INIT, headers = STRVEC_INIT;
    char *why = NULL, *agent = NULL;
    if (cfg->transport == MCP_TRANSPORT_STDIO) {
        strvec_push(&argv, cfg->command);
        for (size_t k = 0; k < cfg->args.n; k++)
            strvec_push(&argv, cfg->args.v[k]);
        mcp_server_env(cfg, &m->env, &env);
        static const char *const no_env[] = {NULL};
        struct mcp_stdio_spec spec = {.argv = (const char *const *)argv.v,
                                      .envp = env.v ? (const char *const *)env.v : no_env,
                                      .cwd = cfg->cwd ? cfg->cwd : m->env.cwd};
        o.stdio = &spec;
        s->client = mcp_client_new(m->loop, &o, &cb, &err);
    } else if (http_headers(m, cfg, &headers, &why) == 0) {
        agent = xasprintf("codex-mcp-client/%s", m->env.client_version);
        struct mcp_http_spec spec = {.url = cfg->url, .headers = &headers, .user_agent = agent};
        o.http = &spec;
        s->client = mcp_client_new(m->loop, &o, &cb, &err);
    }
    strvec_free(&env);
    strvec_free(&argv);
    strvec_free(&headers);
    free(agent);
    if (!s->client) {
        char *text = why ? why : codex_error_text(&err);
        srv->state = MCP_SERVER_FAILED;
        free(srv->error);
        srv->error = xasprintf("handshaking with MCP server failed: %s",
                               text ? text : "the server could not start");
        free(text);
        codex_error_clear(&err);
    }
}

struct mcp_manager *mcp_manager_new(uv_loop_t *loop, const struct mcp_server_config *servers,
                                    size_t n, const struct mcp_manager_env *env,
                                    const struct mcp_manager_callbacks *cb)
{
    struct mcp_manager *m = xcalloc(1, sizeof *m);
    m->loop = loop;
    m->env = *env;
    if (cb)
        m->cb = *cb;
    m->n = n;
    m->servers = xcalloc(n ? n : 1, sizeof *m->servers);
    m->slots = xcalloc(n ? n : 1, sizeof *m->slots);
    for (size_t i = 0; i < n; i++) {
        m->servers[i].cfg = &servers[i];
        m->slots[i] = (struct slot){.m = m, .index = i};
    }
    for (size_t i = 0; i < n; i++) {
        if (!servers[i].enabled) {
            m->servers[i].state = MCP_SERVER_DISABLED;
            continue;
        }
        start_server(m, i);
    }
    /* A server that could not even start is FAILED already; the caller
     * looks at the states once it holds the manager. */
    return m;
}

void mcp_manager_free(struct mcp_manager *m)
{
    if (!m)
        return;
    m->freeing = true;
    while (m->waiting) {
        struct mcp_call *c = m->waiting;
        m->waiting = c->next;
        json_decref(c->params);
        json_decref(c->sent);
        free(c->method);
        free(c);
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->slots[i].refresh)
            m->slots[i].refresh->m = NULL;
        mcp_client_free(m->slots[i].client);
        free(m->servers[i].error);
        json_decref(m->servers[i].tools);
        free(m->servers[i].instructions);
        json_decref(m->servers[i].server_info);
        json_decref(m->servers[i].capabilities);
    }
    free(m->servers);
    free(m->slots);
    free(m);
}

size_t mcp_manager_count(const struct mcp_manager *m)
{
    return m ? m->n : 0;
}

const struct mcp_server *mcp_manager_server(const struct mcp_manager *m, size_t i)
{
    return i < m->n ? &m->servers[i] : NULL;
}

long mcp_manager_find(const struct mcp_manager *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->n; i++)
        if (strcmp(m->servers[i].cfg->name, name) == 0)
            return (long)i;
    return -1;
}

bool mcp_manager_settled(const struct mcp_manager *m)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (m->servers[i].state == MCP_SERVER_STARTING)
            return false;
    return true;
}

bool mcp_manager_required_settled(const struct mcp_manager *m)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (m->servers[i].cfg->required && m->servers[i].state == MCP_SERVER_STARTING)
            return false;
    return true;
}

char *mcp_manager_required_error(const struct mcp_manager *m)
{
    struct buf why = BUF_INIT;
    for (size_t i = 0; m && i < m->n; i++) {
        const struct mcp_server *s = &m->servers[i];
        if (s->cfg->required && s->state == MCP_SERVER_FAILED)
            buf_printf(&why, "%s%s: %s", why.len ? "; " : "", s->cfg->name,
                       s->error ? s->error : "failed");
    }
    if (!why.len)
        return NULL;
    char *text = xasprintf("required MCP servers failed to initialize: %s", buf_cstr(&why));
    buf_free(&why);
    return text;
}

struct mcp_call *mcp_manager_call(struct mcp_manager *m, size_t i, const char *method,
                                  json_t *params, const struct mcp_request_opts *opts)
{
    struct mcp_call *c = xcalloc(1, sizeof *c);
    c->m = m;
    c->index = i;
    c->method = xstrdup(method);
    c->params = params;
    c->opts = *opts;
    struct mcp_server *srv = &m->servers[i];
    if (srv->state == MCP_SERVER_READY && m->slots[i].client)
        return send_call(m, c) ? c : NULL;
    c->next = m->waiting;
    m->waiting = c;
    if (srv->state == MCP_SERVER_FAILED || srv->state == MCP_SERVER_DISABLED) {
        start_server(m, i);
        if (!m->slots[i].client) {
            char *why = xstrdup(srv->error ? srv->error : "the server could not start");
            fail_waiting(m, i, why);
            free(why);
            return NULL;
        }
    }
    return c;
}

void mcp_call_cancel(struct mcp_call *c, const char *reason)
{
    if (!c)
        return;
    if (c->req) {
        mcp_request_cancel(c->req, reason);
        json_decref(c->sent);
        free(c->method);
        free(c);
        return;
    }
    for (struct mcp_call **pp = &c->m->waiting; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    json_decref(c->params);
    json_decref(c->sent);
    free(c->method);
    free(c);
}

long mcp_call_request_id(const struct mcp_call *c)
{
    return c && c->req ? mcp_request_id(c->req) : -1;
}

void mcp_manager_answer(struct mcp_manager *m, size_t i, const json_t *id, json_t *result,
                        long code, const char *message)
{
    if (i < m->n && m->slots[i].client)
        mcp_client_answer(m->slots[i].client, id, result, code, message);
    else
        json_decref(result);
}
