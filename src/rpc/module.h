/* A feature module of the app server: a group of methods (threads, turns,
 * command/exec, fs, config, models, ...) and the state they share.
 *
 * The server core knows modules only through this descriptor and the list
 * in modules.c.  It keeps one opaque slot per module (rpc_request.state
 * points at it): the module creates its state there on first use and the
 * server hands the slot back to free_state when it shuts down.  Nothing a
 * module owns lives in struct rpc_server. */
#ifndef CODEX_RPC_MODULE_H
#define CODEX_RPC_MODULE_H

#include <stdbool.h>

#include <jansson.h>

struct rpc_conn;
struct rpc_request;

typedef void (*rpc_method_fn)(struct rpc_request *req);

struct rpc_method {
    const char *name;
    rpc_method_fn fn;
};

struct rpc_module {
    const char *name;
    const struct rpc_method *methods; /* {NULL, NULL}-terminated */
    /* Release the state in *slot once the loop has finished (may be NULL
     * when the module keeps none). */
    void (*free_state)(void **slot);
    /* A client's answer to a request this module sent (result NULL for an
     * error answer); false when it is not one of this module's.  May be
     * NULL. */
    bool (*client_response)(void **slot, struct rpc_conn *c, const json_t *id,
                            const json_t *result);
    /* The module whose slot this module's requests get instead of one of
     * their own (methods working on another module's state: the MCP
     * methods on the loaded threads), or NULL. */
    const struct rpc_module *uses_state_of;
};

/* Every module, NULL-terminated (modules.c). */
extern const struct rpc_module *const rpc_modules[];
#define RPC_MAX_MODULES 16

/* Every client request method of the protocol, in the reference's order
 * (its "unknown variant" message lists them), NULL-terminated
 * (protocol.c). */
extern const char *const rpc_protocol_methods[];

#endif
