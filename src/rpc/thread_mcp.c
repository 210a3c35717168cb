/* A loaded thread's MCP servers.  They start with the thread, on the loop,
 * and the agent offers their tools as they become ready; the client hears
 * each server's start-up as mcpServer/startupStatus/updated (starting,
 * then ready or failed) once thread/started has gone out.  The client's own
 * requests to them (mcpServer/tool/call, mcpServer/resource/read with a
 * threadId) go through here so that the thread going, or a reload
 * replacing the servers, still answers every one. */
#include <stdlib.h>
#include <string.h>

#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/mcp_tokens.h"
#include "util/xalloc.h"

struct rpc_mcp_request {
    struct rpc_thread *t;
    struct mcp_call *call;
    rpc_mcp_done_fn done;
    void *ud;
    struct rpc_mcp_request *next;
};

void rpc_mcp_env(const struct rpc_server *s, const struct codex_config *cfg,
                 struct mcp_manager_env *env)
{
    *env = (struct mcp_manager_env){
        .envp = s->envp,
        .cwd = cfg->codex_home,
        .client_version = CODEX_VERSION,
        .codex_home = cfg->codex_home,
    };
}

char *rpc_mcp_startup_error(const struct mcp_server *srv)
{
    return xasprintf("MCP startup failed: %s", srv->error ? srv->error : "unknown error");
}

static void report(struct rpc_thread *t, size_t i)
{
    const struct mcp_server *srv = mcp_manager_server(t->mcp.manager, i);
    const char *status = srv->state == MCP_SERVER_READY    ? "ready"
                         : srv->state == MCP_SERVER_FAILED ? "failed"
                                                           : "starting";
    json_t *p = json_pack("{s:s s:s s:s s:n s:n}", "threadId", agent_thread_id(t->agent), "name",
                          srv->cfg->name, "status", status, "error", "failureReason");
    if (srv->state == MCP_SERVER_FAILED) {
        char *why = rpc_mcp_startup_error(srv);
        json_object_set_new(p, "error", json_sprintf("MCP client for `%s` failed to start: %s",
                                                     srv->cfg->name, why));
        free(why);
        /* Tokens we hold were refused: signing in again is what helps. */
        if (srv->cfg->transport == MCP_TRANSPORT_HTTP && srv->error &&
            strstr(srv->error, "HTTP 401") &&
            mcp_tokens_exist(t->cfg.codex_home, srv->cfg->name, srv->cfg->url))
            json_object_set_new(p, "failureReason", json_string("reauthenticationRequired"));
    }
    rpc_thread_notify(t, "mcpServer/startupStatus/updated", p);
}

static void settle_required(struct rpc_thread *t, const char *forced_error)
{
    void (*then)(struct rpc_thread *, const char *, void *) = t->mcp.required_then;
    if (!then || (!forced_error && !mcp_manager_required_settled(t->mcp.manager)))
        return;
    t->mcp.required_then = NULL;
    char *error = forced_error ? NULL : mcp_manager_required_error(t->mcp.manager);
    then(t, forced_error ? forced_error : error, t->mcp.required_ud);
    free(error);
}

void rpc_thread_mcp_required(struct rpc_thread *t,
                             void (*then)(struct rpc_thread *t, const char *error, void *ud),
                             void *ud)
{
    t->mcp.required_then = then;
    t->mcp.required_ud = ud;
    settle_required(t, NULL);
}

/* Only the first outcome of each server is its start-up; a later crash
 * and restart is not. */
static void on_server_changed(void *ud, size_t i)
{
    struct rpc_thread *t = ud;
    settle_required(t, NULL);
    const struct mcp_server *srv = mcp_manager_server(t->mcp.manager, i);
    if (!t->announced || t->mcp.reported[i] || srv->state == MCP_SERVER_STARTING ||
        srv->state == MCP_SERVER_DISABLED)
        return;
    t->mcp.reported[i] = true;
    report(t, i);
}

static void release(struct rpc_thread *t);

static void start_servers(struct rpc_thread *t, const struct codex_config *cfg)
{
    if (cfg->n_mcp_servers == 0)
        return;
    struct mcp_manager_env env;
    rpc_mcp_env(t->reg->server, cfg, &env);
    t->mcp.reported = xcalloc(cfg->n_mcp_servers, sizeof *t->mcp.reported);
    t->mcp.manager = mcp_manager_new(t->reg->server->loop, cfg->mcp_servers, cfg->n_mcp_servers,
                                     &env, NULL);
    mcp_manager_observe(t->mcp.manager, on_server_changed, t);
}

void rpc_thread_mcp_start(struct rpc_thread *t)
{
    t->mcp.release = release;
    start_servers(t, &t->cfg);
}

void rpc_thread_mcp_announced(struct rpc_thread *t)
{
    struct mcp_manager *m = t->mcp.manager;
    for (size_t i = 0; i < mcp_manager_count(m); i++) {
        const struct mcp_server *srv = mcp_manager_server(m, i);
        if (srv->state == MCP_SERVER_DISABLED)
            continue;
        rpc_thread_notify(t, "mcpServer/startupStatus/updated",
                          json_pack("{s:s s:s s:s s:n s:n}", "threadId", agent_thread_id(t->agent), "name",
                                    srv->cfg->name, "status", "starting", "error",
                                    "failureReason"));
    }
    for (size_t i = 0; i < mcp_manager_count(m); i++)
        on_server_changed(t, i);
}

static void unlink_request(struct rpc_mcp_request *r)
{
    for (struct rpc_mcp_request **pp = &r->t->mcp.requests; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            return;
        }
    }
}

static void request_done(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct rpc_mcp_request *r = ud;
    unlink_request(r);
    rpc_mcp_done_fn done = r->done;
    void *done_ud = r->ud;
    free(r);
    done(done_ud, result, f);
}

void rpc_thread_mcp_request(struct rpc_thread *t, size_t i, const char *method, json_t *params,
                            unsigned timeout_ms, rpc_mcp_done_fn done, void *ud)
{
    struct rpc_mcp_request *r = xcalloc(1, sizeof *r);
    r->t = t;
    r->done = done;
    r->ud = ud;
    r->next = t->mcp.requests;
    t->mcp.requests = r;
    struct mcp_request_opts o = {.timeout_ms = timeout_ms, .done = request_done, .ud = r};
    struct mcp_call *c = mcp_manager_call(t->mcp.manager, i, method, params, &o);
    /* NULL: done has run already and r is gone. */
    if (c)
        r->call = c;
}

/* Every request in flight is answered with why (the servers go). */
static void fail_requests(struct rpc_thread *t, const char *why)
{
    while (t->mcp.requests) {
        struct rpc_mcp_request *r = t->mcp.requests;
        t->mcp.requests = r->next;
        mcp_call_cancel(r->call, why);
        struct mcp_failure f = {.kind = MCP_FAIL_CLOSED, .message = why};
        rpc_mcp_done_fn done = r->done;
        void *ud = r->ud;
        free(r);
        done(ud, NULL, &f);
    }
}

static void stop_servers(struct rpc_thread *t, const char *why)
{
    fail_requests(t, why);
    mcp_manager_free(t->mcp.manager);
    t->mcp.manager = NULL;
    free(t->mcp.reported);
    t->mcp.reported = NULL;
    if (t->mcp.cfg) {
        config_free(t->mcp.cfg);
        free(t->mcp.cfg);
        t->mcp.cfg = NULL;
    }
}

void rpc_thread_mcp_apply_reload(struct rpc_thread *t)
{
    struct codex_config *cfg = t->mcp.pending;
    if (!cfg || !t->agent)
        return;
    t->mcp.pending = NULL;
    struct mcp_manager *old = t->mcp.manager;
    /* The agent lets go of the old servers before they stop. */
    agent_set_mcp(t->agent, NULL);
    t->mcp.manager = old;
    stop_servers(t, "the MCP servers were reloaded");
    t->mcp.cfg = cfg;
    start_servers(t, cfg);
    agent_set_mcp(t->agent, t->mcp.manager);
    if (t->announced)
        rpc_thread_mcp_announced(t);
}

void rpc_thread_mcp_reload(struct rpc_thread *t, struct codex_config *cfg)
{
    if (t->mcp.pending) {
        config_free(t->mcp.pending);
        free(t->mcp.pending);
    }
    t->mcp.pending = cfg;
    if (!t->turn_running)
        rpc_thread_mcp_apply_reload(t);
}

/* The thread goes (after its agent): requests in flight fail, the servers
 * stop. */
static void release(struct rpc_thread *t)
{
    settle_required(t, "the thread was closed before its MCP servers started");
    stop_servers(t, "the thread was closed");
    if (t->mcp.pending) {
        config_free(t->mcp.pending);
        free(t->mcp.pending);
        t->mcp.pending = NULL;
    }
}
