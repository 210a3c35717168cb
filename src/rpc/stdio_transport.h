/* The stdio transport: messages are lines on stdin/stdout, read and written
 * without blocking the event loop.  End of input closes the connection
 * (like the reference: in-flight work is dropped), then the transport
 * flushes what is queued and reports the connection closed. */
#ifndef CODEX_RPC_STDIO_TRANSPORT_H
#define CODEX_RPC_STDIO_TRANSPORT_H

#include "rpc/server.h"

/* Open the connection on fds 0 and 1.  Returns 0, or -1 with a message on
 * stderr. */
int rpc_stdio_start(struct rpc_server *server);

#endif
