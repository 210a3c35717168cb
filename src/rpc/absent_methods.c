/* Methods of features this build does not have yet, answered with what is
 * true today: no hooks, no skills, no plugins, one collaboration mode.  A
 * client listing them at start-up (the reference TUI does) then carries on;
 * an error would show as a failure.  When the hooks, skills or plugins work
 * lands, its module takes these methods over (docs/app-server.md lists who
 * answers what). */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"

/* params.cwds (absolute paths) or the server's directory: one entry each,
 * made by entry(cwd).  False after replying. */
static bool per_cwd(struct rpc_request *req, const char *params_type,
                    json_t *(*entry)(const char *cwd))
{
    json_t *params = rpc_params(req, params_type, true);
    json_t *cwds = NULL;
    if (!params || !rpc_get_string_array(req, params, "cwds", false, &cwds))
        return false;
    json_t *data = json_array();
    size_t i;
    json_t *cwd;
    json_array_foreach(cwds, i, cwd) json_array_append_new(data, entry(json_string_value(cwd)));
    if (json_array_size(cwds) == 0)
        json_array_append_new(data, entry(req->server->cwd));
    rpc_reply(req, json_pack("{s:o}", "data", data));
    return true;
}

static json_t *no_hooks(const char *cwd)
{
    return json_pack("{s:s s:[] s:[] s:[]}", "cwd", cwd, "hooks", "warnings", "errors");
}

static json_t *no_skills(const char *cwd)
{
    return json_pack("{s:s s:[] s:[]}", "cwd", cwd, "skills", "errors");
}

static void hooks_list(struct rpc_request *req)
{
    per_cwd(req, "HooksListParams", no_hooks);
}

static void skills_list(struct rpc_request *req)
{
    per_cwd(req, "SkillsListParams", no_skills);
}

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
            {"hooks/list", hooks_list},
            {"skills/list", skills_list},
            {"plugin/installed", plugin_installed},
            {"plugin/list", plugin_list},
            {"collaborationMode/list", collaboration_mode_list},
            {NULL, NULL},
        },
};
