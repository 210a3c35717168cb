/* Writing the user's config.toml for methods of other modules (the config
 * module's editor: format kept, atomic write, the result checked before it
 * is written). */
#ifndef CODEX_RPC_CONFIG_WRITE_H
#define CODEX_RPC_CONFIG_WRITE_H

#include <stdbool.h>

#include <jansson.h>

#include "rpc/request.h"

/* Apply ConfigEdit objects ({keyPath, value, mergeStrategy}; a null value
 * removes the key).  True when written (nothing is answered: the caller
 * does); false after answering the error. */
bool rpc_config_write_user_edits(struct rpc_request *req, json_t *edits);

#endif
