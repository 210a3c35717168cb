/* The SandboxPolicy object of command/exec and turn/start
 * ({"type": "workspaceWrite", "writableRoots": [...], ...}), read once for both. */
#ifndef CODEX_RPC_SANDBOX_PARAM_H
#define CODEX_RPC_SANDBOX_PARAM_H

#include <jansson.h>
#include <stdbool.h>

#include "rpc/request.h"
#include "sandbox/sandbox.h"

/* Read a non-null sandboxPolicy into out, which is initialised only on
 * success (free it with sandbox_policy_free).  False after replying with the
 * reference's error wording; writable roots must be absolute. */
bool rpc_read_sandbox_policy(struct rpc_request *req, json_t *policy, struct sandbox_policy *out);

#endif
