/* model/list: the built-in catalog, paginated with an opaque cursor (the
 * index of the next entry). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "model/catalog.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"

static json_t *model_json(const struct model_info *m)
{
    json_t *efforts = json_array();
    for (const struct model_effort *e = m->efforts; e->effort; e++)
        json_array_append_new(efforts, json_pack("{s:s, s:s}", "reasoningEffort", e->effort,
                                                 "description", e->description));
    json_t *upgrade_info = json_null();
    if (m->upgrade)
        upgrade_info = json_pack("{s:s, s:n, s:n, s:n, s:n}", "model", m->upgrade, "upgradeCopy",
                                 "modelLink", "migrationMarkdown", "retirementAt");
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(m->slug));
    json_object_set_new(o, "model", json_string(m->slug));
    json_object_set_new(o, "upgrade", m->upgrade ? json_string(m->upgrade) : json_null());
    json_object_set_new(o, "upgradeInfo", upgrade_info);
    json_object_set_new(o, "availabilityNux", json_null());
    json_object_set_new(o, "displayName", json_string(m->display_name));
    json_object_set_new(o, "description", json_string(m->description));
    json_object_set_new(o, "modelSpecialty", json_null());
    json_object_set_new(o, "hidden", json_boolean(m->hidden));
    json_object_set_new(o, "supportedReasoningEfforts", efforts);
    json_object_set_new(o, "defaultReasoningEffort", json_string(m->default_effort));
    json_object_set_new(o, "inputModalities", json_pack("[s, s]", "text", "image"));
    json_object_set_new(o, "supportsPersonality", json_false());
    json_object_set_new(o, "multiAgentVersion",
                        m->multi_agent_version ? json_string(m->multi_agent_version) : json_null());
    json_object_set_new(o, "additionalSpeedTiers", json_pack("[s]", "fast"));
    json_object_set_new(o, "serviceTiers",
                        json_pack("[{s:s, s:s, s:s}]", "id", "priority", "name", "Fast",
                                  "description", m->service_tier_description));
    json_object_set_new(o, "defaultServiceTier", m->default_service_tier
                                                     ? json_string(m->default_service_tier)
                                                     : json_null());
    json_object_set_new(o, "availableAccessPrograms", json_null());
    json_object_set_new(o, "isDefault", json_boolean(m->is_default));
    return o;
}

static void rpc_model_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ModelListParams", true);
    const char *cursor = NULL, *provider = NULL;
    bool include_hidden = false, has_limit = false;
    int64_t limit = 0;
    if (!p || !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_bool(req, p, "includeHidden", &include_hidden) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit) ||
        !rpc_get_string(req, p, "modelProvider", false, &provider))
        return;
    long start = rpc_parse_cursor(cursor);
    if (start < 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
        return;
    }
    json_t *data = json_array();
    long index = 0, next = -1;
    for (const struct model_info *m = model_catalog; m->slug; m++) {
        if (m->hidden && !include_hidden)
            continue;
        if (index++ < start)
            continue;
        if (has_limit && (int64_t)json_array_size(data) >= (limit > 0 ? limit : 1)) {
            next = index - 1;
            break;
        }
        json_array_append_new(data, model_json(m));
    }
    rpc_reply_page(req, data, next);
}

/* ---- model providers -------------------------------------------------------- */

static bool builtin_provider(const char *id)
{
    return strcmp(id, "openai") == 0 || strcmp(id, "ollama") == 0 || strcmp(id, "lmstudio") == 0;
}

/* A provider of config.toml, as a client's provider picker shows it: a
 * custom gateway with how it authenticates (the key's variable name, never
 * its value). */
static json_t *custom_provider_json(const struct model_provider *p)
{
    json_t *auth = p->env_key ? json_pack("{s:s s:s}", "mode", "environmentVariable", "envKey",
                                          p->env_key)
                              : json_pack("{s:s}", "mode", "none");
    return json_pack("{s:s s:s s:b s:s? s:{s:s s:o}}", "id", p->id, "name",
                     p->name ? p->name : p->id, "canEdit", 1, "baseUrl", p->base_url, "settings",
                     "type", "customGateway", "auth", auth);
}

/* modelProvider/list: the providers config.toml defines, then the built-in
 * OpenAI one (its endpoint is not shown, as the reference does). */
static void rpc_model_provider_list(struct rpc_request *req)
{
    if (!rpc_params(req, "ModelProviderListParams", true))
        return;
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg))
        return;
    json_t *data = json_array();
    for (int i = 0; i < cfg.n_providers; i++)
        if (!builtin_provider(cfg.providers[i].id))
            json_array_append_new(data, custom_provider_json(&cfg.providers[i]));
    json_array_append_new(data, json_pack("{s:s s:s s:b s:n s:{s:s}}", "id", "openai", "name",
                                          "OpenAI", "canEdit", 0, "baseUrl", "settings", "type",
                                          "openai"));
    rpc_reply(req, json_pack("{s:o s:s s:b}", "data", data, "defaultProviderId",
                             cfg.model_provider ? cfg.model_provider : "openai",
                             "canChangeDefault", 1));
    config_free(&cfg);
}

/* modelProvider/capabilities/read: what the Responses API of the provider
 * offers beyond text and tools, as the reference reports it for both
 * built-in and custom providers. */
static void rpc_model_provider_capabilities(struct rpc_request *req)
{
    if (!rpc_params(req, "ModelProviderCapabilitiesReadParams", true))
        return;
    rpc_reply(req, json_pack("{s:b s:b}", "imageGeneration", 1, "webSearch", 1));
}

const struct rpc_module rpc_models_module = {
    .name = "models",
    .methods =
        (const struct rpc_method[]){
            {"model/list", rpc_model_list},
            {"modelProvider/list", rpc_model_provider_list},
            {"modelProvider/capabilities/read", rpc_model_provider_capabilities},
            {NULL, NULL},
        },
};
