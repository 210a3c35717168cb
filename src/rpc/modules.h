/* The feature modules of the app server (module.h), one descriptor each. */
#ifndef CODEX_RPC_MODULES_H
#define CODEX_RPC_MODULES_H

#include "rpc/module.h"

extern const struct rpc_module rpc_fs_module;      /* fs/...: fs_methods.c */
extern const struct rpc_module rpc_fs_watch_module; /* fs/watch, fs/unwatch: fs_watch.c */
extern const struct rpc_module rpc_exec_module;    /* command/exec...: command_exec.c */
extern const struct rpc_module rpc_config_module;  /* config/..., experimentalFeature/list */
extern const struct rpc_module rpc_models_module;  /* model/list: model_methods.c */
extern const struct rpc_module rpc_account_module; /* account/...: account_module.c */
extern const struct rpc_module rpc_hooks_module;   /* hooks/list: hooks_methods.c */
extern const struct rpc_module rpc_threads_module; /* thread/..., turn/...: threads_module.c */
extern const struct rpc_module rpc_plugin_module;  /* plugin/..., marketplace/...: plugin_methods.c */
extern const struct rpc_module rpc_collab_module;  /* collaborationMode/list: collab_methods.c */
extern const struct rpc_module rpc_hosted_module;  /* hosted-only: hosted_methods.c */
extern const struct rpc_module rpc_skills_module;  /* skills/...: skills_methods.c */
extern const struct rpc_module rpc_mcp_module;     /* mcpServer..., MCP reload: mcp_methods.c */
extern const struct rpc_module rpc_feedback_module; /* feedback/save: feedback_methods.c */
extern const struct rpc_module rpc_file_search_module; /* fuzzyFileSearch...: file_search_methods.c */

#endif
