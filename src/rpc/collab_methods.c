/* Collaboration modes: collaborationMode/list names the presets a client
 * offers (Plan, Default); a turn picks one with turn/start's
 * collaborationMode (turn_methods.c). */
#include "core/collab_mode.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"

static void collaboration_mode_list(struct rpc_request *req)
{
    if (!req->conn->experimental_api) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "collaborationMode/list requires experimentalApi capability");
        return;
    }
    if (!rpc_params(req, "CollaborationModeListParams", true))
        return;
    rpc_reply(req, json_pack("{s:o}", "data", collab_mode_presets()));
}

const struct rpc_module rpc_collab_module = {
    .name = "collaboration modes",
    .methods =
        (const struct rpc_method[]){
            {"collaborationMode/list", collaboration_mode_list},
            {NULL, NULL},
        },
};
