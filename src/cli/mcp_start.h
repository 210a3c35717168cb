/* Starting a session's MCP servers from a front end (exec, the MCP server):
 * every enabled server starts at once; the call returns when the required
 * ones have settled, so that a required server that fails stops the
 * session before anything is sent or reported.  Failures, then and later,
 * get one line on stderr. */
#ifndef CODEX_CLI_MCP_START_H
#define CODEX_CLI_MCP_START_H

#include <uv.h>

#include "config/config.h"
#include "mcp/manager.h"

/* NULL when no server is configured.  *required_error (caller frees) is
 * set, and the manager freed, when a required server failed. */
struct mcp_manager *cli_mcp_start(uv_loop_t *loop, const struct codex_config *cfg,
                                  const char *path_prefix, char **required_error);
/* One line on stderr for a message of the session (agent_params.warn). */
void cli_mcp_warn(void *ud, const char *message);

#endif
