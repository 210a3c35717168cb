/* The modules the server dispatches to, in lookup order. */
#include "rpc/modules.h"

#include <stddef.h>

const struct rpc_module *const rpc_modules[] = {
    &rpc_threads_module, &rpc_fs_module,      &rpc_fs_watch_module, &rpc_exec_module,
    &rpc_config_module,  &rpc_models_module,  &rpc_account_module,  &rpc_hooks_module,
    &rpc_skills_module,  &rpc_mcp_module,     &rpc_file_search_module, &rpc_collab_module,
    &rpc_feedback_module, &rpc_plugin_module, &rpc_hosted_module,  NULL,
};

_Static_assert(sizeof rpc_modules / sizeof *rpc_modules - 1 <= RPC_MAX_MODULES,
               "struct rpc_server keeps RPC_MAX_MODULES slots");
