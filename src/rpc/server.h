/* The app server's core: the connections a transport opens, the lifecycle
 * of each (initialize, then any method), and dispatch of requests to the
 * feature modules (module.h, modules.c).  What the front end passes down
 * (the Codex home, the working directory, the environment, -c overrides)
 * is read here by every module; the modules' own state is not: each keeps
 * it in the slot the server holds for it. */
#ifndef CODEX_RPC_SERVER_H
#define CODEX_RPC_SERVER_H

#include <stdbool.h>

#include <jansson.h>
#include <uv.h>

#include "rpc/conn.h"
#include "rpc/module.h"

struct ws_server;

struct rpc_server {
    uv_loop_t *loop;
    char *codex_home; /* absolute */
    char *cwd;        /* the server's working directory */
    const char *const *envp; /* the process environment, from the front end */
    const char *const *config_overrides; /* -c key=value given to app-server */
    /* The managed proxy's resolver overrides ("name=address", tests), from
     * the front end; threads' proxies get them. */
    const char *const *netproxy_hosts;
    size_t n_netproxy_hosts;
    int n_config_overrides;
    int n_conns;
    /* Called when the last connection has closed. */
    void (*on_all_closed)(struct rpc_server *s);
    struct ws_server *ws; /* the WebSocket listener, if any (ws_transport.c) */
    void *module_state[RPC_MAX_MODULES]; /* one opaque slot per module */
};

void rpc_server_init(struct rpc_server *s, uv_loop_t *loop);
/* After the loop has finished: every module releases its state. */
void rpc_server_free(struct rpc_server *s);

/* The user agent a client is told at initialize: "originator/version (OS
 * VERSION; ARCH) TERMINAL (client; version) codex-c/VERSION".  Caller
 * frees. */
char *rpc_user_agent(const char *originator, const char *version, const char *client_name,
                     const char *client_version, const char *const *envp);

/* A transport's new connection, counted until its transport closes. */
struct rpc_conn *rpc_server_open_conn(struct rpc_server *s, const struct rpc_transport_ops *ops,
                                      void *transport, const char *label);

#endif
