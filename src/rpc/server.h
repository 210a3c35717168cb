/* The app server: connections, the lifecycle (initialize / initialized) and
 * the method table that requests are dispatched through.
 *
 * A method handler receives an rpc_request and must answer it exactly once,
 * now or later from the event loop (rpc_reply / rpc_reply_error); the
 * request keeps its connection alive until then.  Later subsystems (threads,
 * turns) plug in by adding rows to the method table in methods.c. */
#ifndef CODEX_RPC_SERVER_H
#define CODEX_RPC_SERVER_H

#include <stdbool.h>

#include <jansson.h>
#include <uv.h>

#include "rpc/conn.h"

struct rpc_exec_state;
struct rpc_thread_state;
struct ws_server;

struct rpc_server {
    uv_loop_t *loop;
    char *codex_home; /* absolute */
    char *cwd;        /* the server's working directory */
    const char *const *envp; /* the process environment, from the front end */
    const char *const *config_overrides; /* -c key=value given to app-server */
    int n_config_overrides;
    int n_conns;
    /* Called when the last connection has closed. */
    void (*on_all_closed)(struct rpc_server *s);
    struct rpc_exec_state *exec; /* command/exec processes (command_exec.c) */
    struct ws_server *ws;        /* the WebSocket listener, if any (ws_transport.c) */
    struct rpc_thread_state *threads; /* loaded threads (thread_methods.c) */
};

struct rpc_request {
    struct rpc_conn *conn;
    json_t *id;
    char *id_key;
    const char *method; /* static name from the method table */
    json_t *params;     /* NULL when absent */
};

typedef void (*rpc_method_fn)(struct rpc_request *req);

struct rpc_method {
    const char *name;
    rpc_method_fn fn; /* NULL: known to the protocol but not supported yet */
};

/* Every client request method of the protocol, in the reference's order
 * (its "unknown variant" message lists them), NULL-terminated. */
extern const char *const rpc_protocol_methods[];
/* Implemented methods, {NULL, NULL}-terminated. */
extern const struct rpc_method rpc_method_table[];

void rpc_server_init(struct rpc_server *s, uv_loop_t *loop);
void rpc_server_free(struct rpc_server *s);

/* Entry points used by rpc_conn. */
void rpc_server_dispatch(struct rpc_conn *c, const char *text, size_t len);
void rpc_server_conn_opened(struct rpc_server *s, struct rpc_conn *c);
void rpc_server_conn_closed(struct rpc_server *s, struct rpc_conn *c);

/* Answer a request (result stolen; NULL means {}) and free it. */
void rpc_reply(struct rpc_request *req, json_t *result);
void rpc_reply_error(struct rpc_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error with a "data" member (stolen). */
void rpc_reply_error_data(struct rpc_request *req, int code, json_t *data, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "Invalid request: <detail>", code -32600, as the reference words bad params. */
void rpc_reply_invalid(struct rpc_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The error for an OS failure, as the reference words it:
 * "No such file or directory (os error 2)", code -32603. */
void rpc_reply_errno(struct rpc_request *req, int err);

#endif
