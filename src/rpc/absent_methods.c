/* Methods of features this build does not have yet, answered with what is
 * true today: no plugins.  A client listing them at
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

const struct rpc_module rpc_absent_module = {
    .name = "absent features",
    .methods =
        (const struct rpc_method[]){
            {"plugin/installed", plugin_installed},
            {"plugin/list", plugin_list},
            {NULL, NULL},
        },
};
