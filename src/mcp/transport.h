/* How an MCP client talks to one server: whole JSON-RPC messages out, whole
 * messages in.  Two transports implement it: a child process speaking
 * newline-delimited JSON on stdin/stdout (stdio.c) and streamable HTTP
 * (http.c).  Everything runs on the caller's libuv loop. */
#ifndef CODEX_MCP_TRANSPORT_H
#define CODEX_MCP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "util/error.h"
#include "util/strvec.h"

/* The largest message a server may send; a longer one ends the connection
 * (a 10 MB tool result fits, a runaway line does not). */
#define MCP_MAX_MESSAGE_BYTES (32u << 20)

struct mcp_transport;
struct mcp_transport_ops;

struct mcp_transport_events {
    /* One message from the server (the transport keeps the reference). */
    void (*on_message)(void *ud, json_t *msg);
    /* The connection is gone (process exited, stream broke, line too long);
     * once, and nothing is delivered after it. */
    void (*on_closed)(void *ud, const char *why);
    void *ud;
};

struct mcp_transport_ops {
    /* Queue one message; -1 when the connection is already gone. */
    int (*send)(struct mcp_transport *t, const json_t *msg);
    /* The handshake finished with this protocol version (HTTP sends it as a
     * header from now on and opens its event stream). */
    void (*initialized)(struct mcp_transport *t, const char *protocol_version);
    /* Tear down (kill the process; end the HTTP session).  No event is
     * delivered after this; the memory goes when the loop is done with it. */
    void (*close)(struct mcp_transport *t);
};

struct mcp_transport {
    const struct mcp_transport_ops *ops;
};

/* A stdio server: argv[0] looked up on envp's PATH, run in cwd with exactly
 * envp.  NULL with err set when it cannot start. */
struct mcp_stdio_spec {
    const char *const *argv;
    const char *const *envp;
    const char *cwd;
};
struct mcp_transport *mcp_stdio_start(uv_loop_t *loop, const struct mcp_stdio_spec *spec,
                                      const struct mcp_transport_events *ev, struct codex_error *err);

/* A streamable HTTP server at url; headers ("Name: value") go with every
 * request.  NULL with err set when no HTTP client can be made (https://
 * without libcurl). */
struct mcp_http_spec {
    const char *url;
    const struct strvec *headers;
    const char *user_agent;
};
struct mcp_transport *mcp_http_start(uv_loop_t *loop, const struct mcp_http_spec *spec,
                                     const struct mcp_transport_events *ev, struct codex_error *err);

#endif
