/* The WebSocket transport (`--listen ws://IP:PORT`): a small RFC 6455 server
 * on the libuv loop, one rpc_conn per upgraded client, each message one
 * JSON-RPC message in a text frame.
 *
 * Only loopback listeners are allowed: without TLS a capability token (or
 * anything else) would cross the network in clear text.  Requests carrying
 * an Origin header are refused, so that a web page cannot drive a local
 * server from a browser. */
#ifndef CODEX_RPC_WS_TRANSPORT_H
#define CODEX_RPC_WS_TRANSPORT_H

#include "rpc/server.h"

struct ws_options {
    const char *listen_url;   /* "ws://IP:PORT", "unix://PATH" or "unix://" */
    const char *token_file;   /* capability token file (absolute), or NULL */
    /* --ws-auth signed-bearer-token: HS256 JWTs signed with the secret in
     * this file (at least 32 bytes), with an exp; iss and aud checked when
     * set; times allowed max_skew_s seconds off (negative: 30). */
    const char *shared_secret_file;
    const char *issuer, *audience;
    long max_skew_s;
};

/* Validate options and start listening.  Returns 0, 2 for a usage error or
 * 1 for a failure, after one line on stderr. */
int rpc_ws_start(struct rpc_server *server, const struct ws_options *opts);

#endif
