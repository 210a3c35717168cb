/* Run the MCP server on the process's stdin and stdout: one JSON-RPC
 * message per line each way, on the caller's loop.  Returns when input has
 * ended and every running call has been answered (0), or 1 when stdin or
 * stdout cannot be used.  Operator notices go to stderr. */
#ifndef CODEX_MCPSERVER_STDIO_H
#define CODEX_MCPSERVER_STDIO_H

#include "mcpserver/mcpserver.h"

/* p->send, p->log, p->finished and p->ud are set here. */
int mcpserver_run_stdio(struct mcpserver_params *p);

#endif
