/* The MCP methods of the app server, as the reference answers them:
 *
 *   mcpServerStatus/list      every configured server (or one), sorted by
 *                             name and paged: its tools, resources, templates,
 *                             what it said about itself and how it signs in.
 *                             Like the reference, each call connects afresh
 *                             (only the servers of the page); with a threadId,
 *                             the thread's connections give runtimeStatus.
 *   mcpServer/tool/call       tools/call on a loaded thread's server, with
 *                             the thread's id in _meta.
 *   mcpServer/resource/read   resources/read on a thread's server, or on a
 *                             fresh connection to the one server named.
 *   config/mcpServer/reload   every loaded thread re-reads its servers from
 *                             the configuration and restarts them (at its next
 *                             turn when one is running).
 *   mcpServer/oauth/login     the OAuth login of `codex mcp login` (mcp/oauth.h):
 *                             the answer carries the URL to open, and
 *                             mcpServer/oauthLogin/completed the outcome.
 *
 * Fresh connections live in a probe that answers once every server it
 * started has settled; its manager is freed from a timer, never inside
 * one of the manager's own callbacks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "mcp/oauth.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/mcp_tokens.h"
#include "tools/mcp_tools.h"
#include "util/uuid.h"
#include "util/xalloc.h"

/* The reference waits this long for the browser to come back. */
#define OAUTH_DEFAULT_TIMEOUT_SEC 300

/* ---- JSON shapes -------------------------------------------------------------- */

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* v with every object's keys sorted, as the reference sends values it
 * keeps in ordered maps (resources). */
static json_t *sorted_copy(const json_t *v)
{
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(out, sorted_copy(x));
        return out;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    size_t n = json_object_size(v);
    const char **keys = xcalloc(n ? n : 1, sizeof *keys);
    size_t k = 0;
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(out, keys[i], sorted_copy(json_object_get(v, keys[i])));
    free(keys);
    return out;
}

/* A tool in the field order of the reference's Tool. */
static json_t *tool_json(const json_t *tool)
{
    static const char *const order[] = {"name",        "title",        "description",
                                        "inputSchema", "outputSchema", "annotations",
                                        "icons",       "_meta",        NULL};
    json_t *out = json_object();
    for (int k = 0; order[k]; k++) {
        json_t *x = json_object_get(tool, order[k]);
        if (x && !json_is_null(x))
            json_object_set_new(out, order[k], json_deep_copy(x));
    }
    return out;
}

/* The capabilities the reference knows, in the order it sends them
 * (others, such as tasks, it drops). */
static json_t *capabilities_json(const json_t *caps)
{
    static const struct {
        const char *name;
        const char *const fields[3]; /* NULL-terminated; {NULL}: the map as it is */
    } known[] = {
        {"experimental", {NULL}},
        {"logging", {NULL}},
        {"completions", {NULL}},
        {"prompts", {"listChanged", NULL}},
        {"resources", {"subscribe", "listChanged", NULL}},
        {"tools", {"listChanged", NULL}},
    };
    if (!json_is_object(caps))
        return json_null();
    json_t *out = json_object();
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
        const json_t *v = json_object_get(caps, known[k].name);
        if (!json_is_object(v))
            continue;
        if (!known[k].fields[0]) {
            json_object_set_new(out, known[k].name, sorted_copy(v));
            continue;
        }
        json_t *o = json_object();
        for (int f = 0; known[k].fields[f]; f++) {
            const json_t *x = json_object_get(v, known[k].fields[f]);
            if (x && !json_is_null(x))
                json_object_set_new(o, known[k].fields[f], json_deep_copy(x));
        }
        json_object_set_new(out, known[k].name, o);
    }
    return out;
}

static json_t *string_or_null(const json_t *obj, const char *key)
{
    const json_t *x = json_object_get(obj, key);
    return json_is_string(x) ? json_deep_copy(x) : json_null();
}

static json_t *server_info_json(const json_t *info)
{
    if (!json_is_object(info))
        return json_null();
    const json_t *icons = json_object_get(info, "icons");
    const char *name = json_string_value(json_object_get(info, "name"));
    const char *version = json_string_value(json_object_get(info, "version"));
    return json_pack("{s:s s:o s:s s:o s:o s:o}", "name", name ? name : "", "title",
                     string_or_null(info, "title"), "version", version ? version : "",
                     "description", string_or_null(info, "description"), "icons",
                     json_is_array(icons) ? json_deep_copy(icons) : json_null(), "websiteUrl",
                     string_or_null(info, "websiteUrl"));
}

/* scheme://host[:port] of an HTTP server's URL, without credentials. */
static json_t *http_origin(const struct mcp_server_config *cfg)
{
    if (cfg->transport != MCP_TRANSPORT_HTTP || !cfg->url)
        return json_null();
    const char *sep = strstr(cfg->url, "://");
    if (!sep)
        return json_null();
    const char *host = sep + 3;
    size_t len = strcspn(host, "/?#");
    const char *at = memchr(host, '@', len);
    if (at) {
        len -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    return json_sprintf("%.*s://%.*s", (int)(sep - cfg->url), cfg->url, (int)len, host);
}

/* How the server signs in: the reference's McpAuthStatus.  For an HTTP
 * server with nothing configured or stored, the connection just made
 * tells: it answered (no sign-in), it asked for one (401), or it could
 * not be reached. */
static const char *auth_status(const struct mcp_server *srv, const char *codex_home)
{
    const struct mcp_server_config *cfg = srv->cfg;
    if (cfg->transport == MCP_TRANSPORT_STDIO)
        return "unsupported";
    if (cfg->bearer_token_env_var)
        return "bearerToken";
    if (mcp_tokens_exist(codex_home, cfg->name, cfg->url))
        return "oAuth";
    if (srv->state == MCP_SERVER_READY)
        return "unsupported";
    if (srv->state == MCP_SERVER_FAILED && srv->error && strstr(srv->error, "HTTP 401"))
        return "notLoggedIn";
    return "unknown";
}

static const char *runtime_status(const struct mcp_server *srv)
{
    switch (srv->state) {
    case MCP_SERVER_DISABLED:
        return "disabled";
    case MCP_SERVER_STARTING:
        return "starting";
    case MCP_SERVER_READY:
        return "connected";
    case MCP_SERVER_FAILED:
        return "failed";
    }
    return "failed";
}

/* A failed call as the reference answers it: the server's own JSON-RPC
 * error as it is, a server that never started as "failed to get client",
 * anything else under what (a one-line context). */
static void reply_failure(struct rpc_request *req, const struct mcp_server *srv,
                          const struct mcp_failure *f, const char *what)
{
    if (f->kind == MCP_FAIL_RPC) {
        rpc_reply_error(req, (int)f->code, "%s", f->message);
        return;
    }
    if (srv && srv->state == MCP_SERVER_FAILED && !srv->was_ready) {
        char *why = rpc_mcp_startup_error(srv);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to get client: %s", why);
        free(why);
        return;
    }
    rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s: %s", what, f->message);
}

static unsigned call_timeout_ms(const struct mcp_server_config *cfg)
{
    double s = cfg->tool_timeout_sec >= 0 ? cfg->tool_timeout_sec : MCP_DEFAULT_TOOL_TIMEOUT_SEC;
    return s > 0 ? (unsigned)(s * 1000.0) : 1;
}

/* The server named, as a client may use it: NULL after answering
 * "unknown MCP server" (none of that name, or disabled). */
static long usable_server(struct rpc_request *req, const struct mcp_manager *m, const char *name)
{
    long i = mcp_manager_find(m, name);
    if (i < 0 || mcp_manager_server(m, (size_t)i)->state == MCP_SERVER_DISABLED) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "unknown MCP server '%s'", name);
        return -1;
    }
    return i;
}

/* ---- probes: connections made for one request ---------------------------------- */

enum probe_kind { PROBE_STATUS, PROBE_READ };

struct probe {
    enum probe_kind kind;
    struct rpc_request *req;
    struct codex_config cfg;
    struct mcp_server_config *servers; /* shallow copies of cfg's, for the manager */
    size_t n;
    struct mcp_manager *m;
    bool asked;        /* every server settled and the lists were asked for */
    int lists_out;     /* list calls in flight */
    /* mcpServerStatus/list */
    bool full;         /* resources and templates too */
    long next;         /* the next page's first index, or -1 */
    char *thread_id;   /* its connections give runtimeStatus, or NULL */
    json_t *resources; /* per server: arrays */
    json_t *templates;
    /* mcpServer/resource/read */
    char *uri;
    json_t *meta;
    uv_timer_t finish;
};

struct probe_list {
    struct probe *p;
    size_t index;
    const char *method; /* resources/list | resources/templates/list */
    const char *key;    /* resources | resourceTemplates */
};

static void probe_closed(uv_handle_t *h)
{
    struct probe *p = h->data;
    free(p->servers);
    config_free(&p->cfg);
    free(p->thread_id);
    json_decref(p->resources);
    json_decref(p->templates);
    free(p->uri);
    json_decref(p->meta);
    free(p);
}

static void probe_finish_now(uv_timer_t *timer)
{
    struct probe *p = timer->data;
    mcp_manager_free(p->m); /* stdio servers are killed, HTTP sessions ended */
    p->m = NULL;
    uv_close((uv_handle_t *)timer, probe_closed);
}

/* The request has its answer: the connections go once the loop is back. */
static void probe_done(struct probe *p)
{
    p->req = NULL;
    uv_timer_start(&p->finish, probe_finish_now, 0, 0);
}

static json_t *status_entry(struct probe *p, size_t i, const struct mcp_manager *runtime)
{
    const struct mcp_server *srv = mcp_manager_server(p->m, i);
    json_t *rt = json_null();
    if (runtime) {
        long k = mcp_manager_find(runtime, srv->cfg->name);
        if (k >= 0)
            rt = json_string(runtime_status(mcp_manager_server(runtime, (size_t)k)));
    }
    json_t *tools = json_object();
    size_t ti;
    json_t *tool;
    if (srv->state == MCP_SERVER_READY)
        json_array_foreach(srv->tools, ti, tool) {
            const char *name = json_string_value(json_object_get(tool, "name"));
            if (name)
                json_object_set_new(tools, name, tool_json(tool));
        }
    json_t *error = json_null();
    if (srv->state == MCP_SERVER_FAILED) {
        char *why = rpc_mcp_startup_error(srv);
        error = json_string(why);
        free(why);
    }
    bool ready = srv->state == MCP_SERVER_READY;
    return json_pack("{s:s s:o s:n s:o s:o s:o s:n s:o s:o s:O s:O s:s}", "name", srv->cfg->name,
                     "runtimeStatus", rt, "pluginId", "httpOrigin", http_origin(srv->cfg),
                     "serverInfo", ready ? server_info_json(srv->server_info) : json_null(),
                     "serverCapabilities",
                     ready ? capabilities_json(srv->capabilities) : json_null(),
                     "toolListMeta", "tools", tools, "toolsError", error, "resources",
                     json_array_get(p->resources, i), "resourceTemplates",
                     json_array_get(p->templates, i), "authStatus",
                     auth_status(srv, p->cfg.codex_home));
}

static void status_reply(struct probe *p)
{
    struct rpc_thread *t = p->thread_id ? rpc_thread_find(rpc_threads_of(p->req), p->thread_id) : NULL;
    json_t *data = json_array();
    for (size_t i = 0; i < p->n; i++)
        json_array_append_new(data, status_entry(p, i, t ? t->mcp.manager : NULL));
    rpc_reply_page(p->req, data, p->next);
    probe_done(p);
}

static void read_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct probe *p = ud;
    p->lists_out--;
    if (f) {
        reply_failure(p->req, mcp_manager_server(p->m, 0), f, "resource read failed");
    } else {
        json_t *contents = json_object_get(result, "contents");
        rpc_reply(p->req, json_pack("{s:o s:n}", "contents",
                                    json_is_array(contents) ? json_deep_copy(contents)
                                                            : json_array(),
                                    "originCallId"));
    }
    probe_done(p);
}

static void ask_page(struct probe_list *l, const char *cursor);

static void page_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct probe_list *l = ud;
    struct probe *p = l->p;
    json_t *into = json_array_get(strcmp(l->key, "resources") == 0 ? p->resources : p->templates,
                                  l->index);
    const char *cursor = NULL;
    /* A server that cannot list them has none to show. */
    if (!f) {
        size_t i;
        json_t *x;
        /* The reference sends resources with sorted fields and templates
         * in the MCP order. */
        bool resources = strcmp(l->key, "resources") == 0;
        json_array_foreach(json_object_get(result, l->key), i, x)
            json_array_append_new(into, resources ? sorted_copy(x) : mcp_canonical(x));
        cursor = json_string_value(json_object_get(result, "nextCursor"));
    }
    if (cursor && *cursor) {
        ask_page(l, cursor);
        return;
    }
    free(l);
    if (--p->lists_out == 0)
        status_reply(p);
}

static void ask_page(struct probe_list *l, const char *cursor)
{
    json_t *params = json_object();
    if (cursor)
        json_object_set_new(params, "cursor", json_string(cursor));
    struct mcp_request_opts o = {.timeout_ms = call_timeout_ms(&l->p->servers[l->index]),
                                 .done = page_done, .ud = l};
    mcp_manager_call(l->p->m, l->index, l->method, params, &o);
}

static void probe_settled(struct probe *p)
{
    p->asked = true;
    if (p->kind == PROBE_READ) {
        const struct mcp_server *srv = mcp_manager_server(p->m, 0);
        if (srv->state != MCP_SERVER_READY) {
            char *why = rpc_mcp_startup_error(srv);
            rpc_reply_error(p->req, JSONRPC_INTERNAL_ERROR, "failed to get client: %s", why);
            free(why);
            probe_done(p);
            return;
        }
        json_t *params = json_pack("{s:s}", "uri", p->uri);
        if (p->meta)
            json_object_set(params, "_meta", p->meta);
        struct mcp_request_opts o = {.timeout_ms = call_timeout_ms(srv->cfg), .done = read_done,
                                     .ud = p};
        p->lists_out = 1;
        mcp_manager_call(p->m, 0, "resources/read", params, &o);
        return;
    }
    /* One count held while asking, so an answer that comes at once
     * cannot finish the probe halfway. */
    p->lists_out = 1;
    for (size_t i = 0; p->full && i < p->n; i++) {
        if (mcp_manager_server(p->m, i)->state != MCP_SERVER_READY)
            continue;
        static const char *const methods[][2] = {{"resources/list", "resources"},
                                                 {"resources/templates/list", "resourceTemplates"}};
        for (int k = 0; k < 2; k++) {
            struct probe_list *l = xcalloc(1, sizeof *l);
            *l = (struct probe_list){.p = p, .index = i, .method = methods[k][0],
                                     .key = methods[k][1]};
            p->lists_out++;
            ask_page(l, NULL);
        }
    }
    if (--p->lists_out == 0)
        status_reply(p);
}

static void probe_changed(void *ud, size_t i)
{
    (void)i;
    struct probe *p = ud;
    if (!p->asked && mcp_manager_settled(p->m))
        probe_settled(p);
}

/* A probe over the servers picked from p->cfg (indices into its
 * mcp_servers), started at once. */
static void probe_start(struct probe *p, const size_t *pick, size_t n)
{
    p->n = n;
    p->servers = xcalloc(n ? n : 1, sizeof *p->servers);
    p->resources = json_array();
    p->templates = json_array();
    for (size_t i = 0; i < n; i++) {
        p->servers[i] = p->cfg.mcp_servers[pick[i]];
        json_array_append_new(p->resources, json_array());
        json_array_append_new(p->templates, json_array());
    }
    uv_timer_init(p->req->server->loop, &p->finish);
    p->finish.data = p;
    struct mcp_manager_env env;
    rpc_mcp_env(p->req->server, &p->cfg, &env);
    p->m = mcp_manager_new(p->req->server->loop, p->servers, n, &env, NULL);
    mcp_manager_observe(p->m, probe_changed, p);
    probe_changed(p, 0);
}

/* ---- mcpServerStatus/list ---------------------------------------------------------- */

static void rpc_mcp_status_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ListMcpServerStatusParams", true);
    const char *cursor = NULL, *detail = NULL, *server = NULL, *thread_id = NULL;
    bool has_limit = false;
    int64_t limit = 0;
    if (!params || !rpc_get_string(req, params, "cursor", false, &cursor) ||
        !rpc_get_string(req, params, "detail", false, &detail) ||
        !rpc_get_int(req, params, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit) ||
        !rpc_get_string(req, params, "serverName", false, &server) ||
        !rpc_get_string(req, params, "threadId", false, &thread_id))
        return;
    if (detail && strcmp(detail, "full") != 0 && strcmp(detail, "toolsAndAuthOnly") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `full` or `toolsAndAuthOnly`",
                          detail);
        return;
    }
    long start = cursor ? rpc_parse_cursor(cursor) : 0;
    if (start < 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
        return;
    }
    struct rpc_thread *t = NULL;
    if (thread_id && !(t = rpc_thread_for(req, thread_id)))
        return;
    struct probe *p = xcalloc(1, sizeof *p);
    p->kind = PROBE_STATUS;
    p->req = req;
    p->full = !detail || strcmp(detail, "full") == 0;
    if (!rpc_load_config(req, t ? t->cfg.cwd : NULL, &p->cfg)) {
        free(p);
        return;
    }
    p->thread_id = thread_id ? xstrdup(thread_id) : NULL;
    size_t total = p->cfg.n_mcp_servers;
    size_t *pick = xcalloc(total ? total : 1, sizeof *pick);
    size_t n = 0;
    for (size_t i = 0; i < total; i++)
        if (!server || strcmp(p->cfg.mcp_servers[i].name, server) == 0)
            pick[n++] = i;
    /* The servers are sorted by name already (config/mcp_servers.h). */
    size_t from = (size_t)start < n ? (size_t)start : n;
    size_t count = n - from;
    if (has_limit && limit > 0 && (size_t)limit < count)
        count = (size_t)limit;
    p->next = from + count < n ? (long)(from + count) : -1;
    probe_start(p, pick + from, count);
    free(pick);
}

/* ---- mcpServer/tool/call ------------------------------------------------------------- */

struct client_tool_call {
    struct rpc_request *req;
    char *thread_id;
    char *server;
    char *tool;
};

static void tool_call_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct client_tool_call *c = ud;
    if (f) {
        struct rpc_thread *t = rpc_thread_find(rpc_threads_of(c->req), c->thread_id);
        long i = t ? mcp_manager_find(t->mcp.manager, c->server) : -1;
        char *what = xasprintf("tool call failed for `%s/%s`", c->server, c->tool);
        reply_failure(c->req, i >= 0 ? mcp_manager_server(t->mcp.manager, (size_t)i) : NULL, f,
                      what);
        free(what);
    } else {
        json_t *content = json_object_get(result, "content");
        json_t *out = json_pack("{s:o}", "content",
                                json_is_array(content) ? json_deep_copy(content) : json_array());
        static const char *const optional[] = {"structuredContent", "isError", "_meta", NULL};
        for (int k = 0; optional[k]; k++) {
            json_t *x = json_object_get(result, optional[k]);
            if (x && !json_is_null(x))
                json_object_set_new(out, optional[k], json_deep_copy(x));
        }
        rpc_reply(c->req, out);
    }
    free(c->thread_id);
    free(c->server);
    free(c->tool);
    free(c);
}

/* The thread's connection to server, its index in *i; NULL after replying. */
static const struct mcp_server *thread_server(struct rpc_request *req, struct rpc_thread *t,
                                              const char *server, long *i)
{
    *i = usable_server(req, t->mcp.manager, server);
    return *i < 0 ? NULL : mcp_manager_server(t->mcp.manager, (size_t)*i);
}

/* A server that never started is not started again for a client's call;
 * false after replying. */
static bool server_started(struct rpc_request *req, const struct mcp_server *srv)
{
    if (srv->state != MCP_SERVER_FAILED || srv->was_ready)
        return true;
    char *why = rpc_mcp_startup_error(srv);
    rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to get client: %s", why);
    free(why);
    return false;
}

static void rpc_mcp_tool_call(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "McpServerToolCallParams", false);
    const char *thread_id, *server, *tool;
    if (!params || !rpc_get_string(req, params, "threadId", true, &thread_id) ||
        !rpc_get_string(req, params, "server", true, &server) ||
        !rpc_get_string(req, params, "tool", true, &tool))
        return;
    struct rpc_thread *t = rpc_thread_for(req, thread_id);
    if (!t)
        return;
    long i;
    const struct mcp_server *srv = thread_server(req, t, server, &i);
    if (!srv)
        return;
    json_t *arguments = json_object_get(params, "arguments");
    if (arguments && !json_is_null(arguments) && !json_is_object(arguments)) {
        char *got = json_dumps(arguments, JSON_COMPACT | JSON_ENCODE_ANY);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR,
                        "tool call failed for `%s/%s`: MCP tool arguments must be a JSON object, "
                        "got %s",
                        server, tool, got ? got : "?");
        free(got);
        return;
    }
    if (!server_started(req, srv))
        return;
    json_t *meta = json_object_get(params, "_meta");
    json_t *call_meta = json_is_object(meta) ? json_deep_copy(meta) : json_object();
    json_object_set_new(call_meta, "threadId", json_string(thread_id));
    json_t *call = json_pack("{s:o s:s}", "_meta", call_meta, "name", tool);
    if (json_is_object(arguments))
        json_object_set(call, "arguments", arguments);
    struct client_tool_call *c = xcalloc(1, sizeof *c);
    *c = (struct client_tool_call){.req = req, .thread_id = xstrdup(thread_id),
                            .server = xstrdup(server), .tool = xstrdup(tool)};
    rpc_thread_mcp_request(t, (size_t)i, "tools/call", call, call_timeout_ms(srv->cfg),
                           tool_call_done, c);
}

/* ---- mcpServer/resource/read ------------------------------------------------------- */

struct thread_read {
    struct rpc_request *req;
    char *thread_id;
    char *server;
};

static void thread_read_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct thread_read *r = ud;
    if (f) {
        struct rpc_thread *t = rpc_thread_find(rpc_threads_of(r->req), r->thread_id);
        long i = t ? mcp_manager_find(t->mcp.manager, r->server) : -1;
        reply_failure(r->req, i >= 0 ? mcp_manager_server(t->mcp.manager, (size_t)i) : NULL, f,
                      "resource read failed");
    } else {
        json_t *contents = json_object_get(result, "contents");
        rpc_reply(r->req, json_pack("{s:o s:n}", "contents",
                                    json_is_array(contents) ? json_deep_copy(contents)
                                                            : json_array(),
                                    "originCallId"));
    }
    free(r->thread_id);
    free(r->server);
    free(r);
}

static void rpc_mcp_resource_read(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "McpResourceReadParams", false);
    const char *thread_id, *server, *uri;
    if (!params || !rpc_get_string(req, params, "threadId", false, &thread_id) ||
        !rpc_get_string(req, params, "server", true, &server) ||
        !rpc_get_string(req, params, "uri", true, &uri))
        return;
    json_t *meta = json_object_get(params, "_meta");
    if (thread_id) {
        struct rpc_thread *t = rpc_thread_for(req, thread_id);
        if (!t)
            return;
        long i;
        const struct mcp_server *srv = thread_server(req, t, server, &i);
        if (!srv || !server_started(req, srv))
            return;
        json_t *read = json_pack("{s:s}", "uri", uri);
        if (json_is_object(meta))
            json_object_set(read, "_meta", meta);
        struct thread_read *r = xcalloc(1, sizeof *r);
        *r = (struct thread_read){.req = req, .thread_id = xstrdup(thread_id),
                                  .server = xstrdup(server)};
        rpc_thread_mcp_request(t, (size_t)i, "resources/read", read, call_timeout_ms(srv->cfg),
                               thread_read_done, r);
        return;
    }
    struct probe *p = xcalloc(1, sizeof *p);
    p->kind = PROBE_READ;
    p->req = req;
    if (!rpc_load_config(req, NULL, &p->cfg)) {
        free(p);
        return;
    }
    size_t k = 0;
    while (k < p->cfg.n_mcp_servers && strcmp(p->cfg.mcp_servers[k].name, server) != 0)
        k++;
    if (k == p->cfg.n_mcp_servers || !p->cfg.mcp_servers[k].enabled) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "unknown MCP server '%s'", server);
        config_free(&p->cfg);
        free(p);
        return;
    }
    p->uri = xstrdup(uri);
    p->meta = json_is_object(meta) ? json_deep_copy(meta) : NULL;
    probe_start(p, &k, 1);
}

/* ---- config/mcpServer/reload ------------------------------------------------------- */

static void rpc_mcp_reload(struct rpc_request *req)
{
    if (!rpc_params(req, "McpServerRefreshParams", true))
        return;
    /* Every thread's configuration first: one that cannot be read fails
     * the whole reload, and no thread changes. */
    struct rpc_threads *reg = rpc_threads_of(req);
    size_t n = 0;
    for (struct rpc_thread *t = reg->list; t; t = t->next)
        n++;
    struct codex_config **cfgs = xcalloc(n ? n : 1, sizeof *cfgs);
    size_t k = 0;
    for (struct rpc_thread *t = reg->list; t; t = t->next, k++) {
        if (t->closing || t->root) /* a subagent uses no MCP servers of its own */
            continue;
        cfgs[k] = xcalloc(1, sizeof **cfgs);
        if (!rpc_load_config(req, t->cfg.cwd, cfgs[k])) {
            for (size_t j = 0; j <= k; j++) {
                if (cfgs[j] && j < k)
                    config_free(cfgs[j]);
                free(cfgs[j]);
            }
            free(cfgs);
            return;
        }
    }
    k = 0;
    for (struct rpc_thread *t = reg->list; t; t = t->next, k++)
        if (cfgs[k])
            rpc_thread_mcp_reload(t, cfgs[k]);
    free(cfgs);
    rpc_reply(req, NULL);
}

/* ---- mcpServer/oauth/login --------------------------------------------------------- */

struct oauth_login {
    struct rpc_conn_resource res; /* the connection told how it ends */
    struct rpc_conn *conn;
    struct rpc_request *req;      /* until the URL is known */
    struct codex_config cfg;      /* the server's entry is borrowed by the login */
    struct strvec scopes;
    char *name;
    char *thread_id;
    char login_id[UUID_STR_LEN];
    struct mcp_login *login;
    uv_timer_t timer;
};

static void login_closed(uv_handle_t *h)
{
    struct oauth_login *l = h->data;
    if (l->conn) {
        rpc_conn_remove_resource(l->conn, &l->res);
        rpc_conn_unref(l->conn);
    }
    config_free(&l->cfg);
    strvec_free(&l->scopes);
    free(l->name);
    free(l->thread_id);
    free(l);
}

/* The login is over (the mcp_login is gone or cancelled). */
static void login_end(struct oauth_login *l, const char *error)
{
    l->login = NULL;
    uv_timer_stop(&l->timer);
    if (l->req) {
        rpc_reply_error(l->req, JSONRPC_INTERNAL_ERROR, "failed to login to MCP server '%s': %s",
                        l->name, error ? error : "cancelled");
        l->req = NULL;
    } else if (l->conn && !l->conn->closing) {
        json_t *p = json_pack("{s:s s:o s:s s:b s:o}", "name", l->name, "threadId",
                              l->thread_id ? json_string(l->thread_id) : json_null(), "loginId",
                              l->login_id, "success", error == NULL, "error",
                              error ? json_string(error) : json_null());
        rpc_conn_notify(l->conn, "mcpServer/oauthLogin/completed", p);
    }
    uv_close((uv_handle_t *)&l->timer, login_closed);
}

static void login_show_url(void *ud, const char *url)
{
    struct oauth_login *l = ud;
    if (!l->req)
        return;
    rpc_reply(l->req, json_pack("{s:s s:s}", "authorizationUrl", url, "loginId", l->login_id));
    l->req = NULL;
}

static void login_done(void *ud, const char *error)
{
    login_end(ud, error);
}

static void login_timed_out(uv_timer_t *timer)
{
    struct oauth_login *l = timer->data;
    mcp_login_cancel(l->login);
    login_end(l, "timed out waiting for OAuth callback");
}

static void login_conn_closed(struct rpc_conn_resource *r)
{
    struct oauth_login *l = (struct oauth_login *)r;
    /* Already unlinked by the connection; the reference stays for the
     * answer still owed, if any. */
    struct rpc_conn *c = l->conn;
    l->conn = NULL;
    if (l->login) {
        mcp_login_cancel(l->login);
        login_end(l, "the connection closed");
    }
    rpc_conn_unref(c);
}

static void rpc_mcp_oauth_login(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "McpServerOauthLoginParams", false);
    const char *name, *thread_id, *registration;
    json_t *scopes = NULL;
    bool has_timeout = false;
    int64_t timeout = 0;
    if (!params || !rpc_get_string(req, params, "name", true, &name) ||
        !rpc_get_string_array(req, params, "scopes", false, &scopes) ||
        !rpc_get_int(req, params, "timeoutSecs", "i64", INT64_MIN, INT64_MAX, &has_timeout,
                     &timeout) ||
        !rpc_get_string(req, params, "threadId", false, &thread_id) ||
        !rpc_get_string(req, params, "clientRegistration", false, &registration))
        return;
    if (registration && strcmp(registration, "auto") != 0 && strcmp(registration, "cimd") != 0 &&
        strcmp(registration, "dcr") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `auto`, `cimd`, `dcr`",
                          registration);
        return;
    }
    struct rpc_thread *t = NULL;
    if (thread_id && !(t = rpc_thread_for(req, thread_id)))
        return;
    struct oauth_login *l = xcalloc(1, sizeof *l);
    if (!rpc_load_config(req, t ? t->cfg.cwd : NULL, &l->cfg)) {
        free(l);
        return;
    }
    const struct mcp_server_config *server = NULL;
    for (size_t i = 0; i < l->cfg.n_mcp_servers; i++)
        if (strcmp(l->cfg.mcp_servers[i].name, name) == 0)
            server = &l->cfg.mcp_servers[i];
    const char *bad = NULL;
    if (!server)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "No MCP server named '%s' found.", name);
    else if (server->transport != MCP_TRANSPORT_HTTP)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "OAuth login is only supported for streamable HTTP servers.");
    struct mcp_login_opts o = {.codex_home = l->cfg.codex_home, .server = server,
                               .registration = registration, .show_url = login_show_url,
                               .ud = l};
    if (server && server->transport == MCP_TRANSPORT_HTTP &&
        !mcp_login_callback_config(&l->cfg, &o, &bad))
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "%s", bad);
    if (!server || server->transport != MCP_TRANSPORT_HTTP || bad) {
        config_free(&l->cfg);
        free(l);
        return;
    }
    size_t i;
    json_t *scope;
    json_array_foreach(scopes, i, scope) strvec_push(&l->scopes, json_string_value(scope));
    o.scopes = scopes ? &l->scopes : NULL;
    l->req = req;
    l->conn = req->conn;
    rpc_conn_ref(l->conn);
    l->res.on_close = login_conn_closed;
    rpc_conn_add_resource(l->conn, &l->res);
    l->name = xstrdup(name);
    l->thread_id = thread_id ? xstrdup(thread_id) : NULL;
    uuid_v7(l->login_id);
    uv_timer_init(req->server->loop, &l->timer);
    l->timer.data = l;
    int64_t secs = has_timeout && timeout > 0 ? timeout : OAUTH_DEFAULT_TIMEOUT_SEC;
    uv_timer_start(&l->timer, login_timed_out, (uint64_t)secs * 1000u, 0);
    l->login = mcp_login_start(req->server->loop, &o, login_done, l);
}

static const struct rpc_method methods[] = {
    {"mcpServerStatus/list", rpc_mcp_status_list},
    {"mcpServer/tool/call", rpc_mcp_tool_call},
    {"mcpServer/resource/read", rpc_mcp_resource_read},
    {"config/mcpServer/reload", rpc_mcp_reload},
    {"mcpServer/oauth/login", rpc_mcp_oauth_login},
    {NULL, NULL},
};

const struct rpc_module rpc_mcp_module = {
    .name = "mcp",
    .methods = methods,
    .uses_state_of = &rpc_threads_module,
};
