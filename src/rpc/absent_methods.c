/* Methods of features this build does not have yet, answered with what is
 * true today: no plugins, one collaboration mode.  A client listing them at
 * start-up (the reference TUI does) then carries on; an error would show as
 * a failure.  When the plugins work lands, its module takes these methods
 * over, as skills_methods.c took skills/list and hooks_methods.c hooks/list
 * (docs/app-server.md lists who answers what). */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"

static void plugin_installed(struct rpc_request *req)
{
    if (!rpc_params(req, "PluginInstalledParams", true))
        return;
    rpc_reply(req, json_pack("{s:[] s:[]}", "marketplaces", "marketplaceLoadErrors"));
}

static void plugin_list(struct rpc_request *req)
{
    if (!rpc_params(req, "PluginListParams", true))
        return;
    rpc_reply(req, json_pack("{s:[] s:[] s:[]}", "marketplaces", "marketplaceLoadErrors",
                             "featuredPluginIds"));
}

/* Plan mode is not built: the one mode there is, is the default. */
static void collaboration_mode_list(struct rpc_request *req)
{
    if (!req->conn->experimental_api) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "collaborationMode/list requires experimentalApi capability");
        return;
    }
    if (!rpc_params(req, "CollaborationModeListParams", true))
        return;
    rpc_reply(req, json_pack("{s:[{s:s s:s s:n s:n}]}", "data", "name", "Default", "mode",
                             "default", "model", "reasoning_effort"));
}

const struct rpc_module rpc_absent_module = {
    .name = "absent features",
    .methods =
        (const struct rpc_method[]){
            {"plugin/installed", plugin_installed},
            {"plugin/list", plugin_list},
            {"collaborationMode/list", collaboration_mode_list},
            {NULL, NULL},
        },
};
