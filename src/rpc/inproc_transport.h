/* The in-process transport: a connection of an app server whose client
 * lives in the same process and on the same loop (the TUI).  Messages go
 * as text both ways, exactly as over stdio or a socket, so the client is
 * the same code whatever it talks to.  Delivery is always deferred to the
 * loop (never from inside the sender's call), in order, so neither side is
 * re-entered while it is in the middle of something. */
#ifndef CODEX_RPC_INPROC_TRANSPORT_H
#define CODEX_RPC_INPROC_TRANSPORT_H

#include <stddef.h>

#include "rpc/server.h"

struct rpc_inproc;

struct rpc_inproc_client {
    /* One message from the server (valid during the call). */
    void (*deliver)(void *ud, const char *text, size_t len);
    /* The server closed the connection (after its last message). */
    void (*closed)(void *ud);
    void *ud;
};

/* Open a connection on server for the client. */
struct rpc_inproc *rpc_inproc_open(struct rpc_server *server, const struct rpc_inproc_client *client);

/* A message from the client (copied). */
void rpc_inproc_send(struct rpc_inproc *t, const char *text, size_t len);

/* The client is done: the connection closes (its threads are unloaded and
 * their processes killed); `closed` is not called; t is freed once the
 * server has let go of it. */
void rpc_inproc_close(struct rpc_inproc *t);

#endif
