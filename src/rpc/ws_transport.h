/* The WebSocket transport (`--listen ws://IP:PORT`): a small RFC 6455 server
 * on the libuv loop, one rpc_conn per upgraded client, each message one
 * JSON-RPC message in a text frame.
 *
 * A listener on a non-loopback address needs --ws-auth (rpc/ws_auth.h), as
 * in the reference; loopback ones may go without.  Requests carrying
 * an Origin header are refused, so that a web page cannot drive a local
 * server from a browser. */
#ifndef CODEX_RPC_WS_TRANSPORT_H
#define CODEX_RPC_WS_TRANSPORT_H

#include "rpc/server.h"
#include "rpc/ws_auth.h"

struct ws_options {
    const char *listen_url;      /* "ws://IP:PORT", "unix://PATH" or "unix://" */
    const struct ws_auth_policy *auth; /* ws:// only; must outlive the server */
};

/* Validate options and start listening.  Returns 0, 2 for a usage error or
 * 1 for a failure, after one line on stderr. */
int rpc_ws_start(struct rpc_server *server, const struct ws_options *opts);

#endif
