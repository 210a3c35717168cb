/* model/list: the built-in catalog, paginated with an opaque cursor (the
 * index of the next entry). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "model/catalog.h"
#include "rpc/config_write.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/xalloc.h"

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

/* A provider id made from its name, as the reference makes them: lower
 * case, runs of anything else than letters and digits as one '-'. */
static char *provider_slug(const char *name)
{
    char *slug = xmalloc(strlen(name) + 1);
    size_t n = 0;
    for (const char *c = name; *c; c++) {
        if (isalnum((unsigned char)*c))
            slug[n++] = (char)tolower((unsigned char)*c);
        else if (n && slug[n - 1] != '-')
            slug[n++] = '-';
    }
    while (n && slug[n - 1] == '-')
        n--;
    slug[n] = '\0';
    return slug;
}

static const struct model_provider *find_provider(const struct codex_config *cfg, const char *id)
{
    for (int i = 0; i < cfg->n_providers; i++)
        if (strcmp(cfg->providers[i].id, id) == 0)
            return &cfg->providers[i];
    return NULL;
}

static void reply_provider_error(struct rpc_request *req, const char *code, const char *message)
{
    rpc_reply_error_data(req, JSONRPC_INVALID_REQUEST,
                         json_pack("{s:s}", "config_write_error_code", code), "%s", message);
}

/* The ConfigEdit setting (or, for null, removing) one key of a provider. */
static void add_edit(json_t *edits, const char *id, const char *key, json_t *value)
{
    json_array_append_new(edits, json_pack("{s:o s:o s:s}", "keyPath",
                                           json_sprintf("model_providers.\"%s\".%s", id, key),
                                           "value", value, "mergeStrategy", "replace"));
}

/* modelProvider/config/write for a custom gateway: a new provider (its id
 * made from the name) or changes to one config.toml has; given fields
 * replace, null clears, absent ones stay. */
static void write_custom_gateway(struct rpc_request *req, json_t *settings)
{
    static const char *const fields[] = {"type", "providerId", "name", "baseUrl", "envKey", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(settings, key, v) {
        const char *const *f = fields;
        while (*f && strcmp(*f, key) != 0)
            f++;
        if (!*f) {
            rpc_reply_invalid(req, "unknown field `%s`, expected one of `providerId`, `name`, "
                                   "`baseUrl`, `envKey`", key);
            return;
        }
    }
    const char *provider_id, *name, *base_url, *env_key;
    if (!rpc_get_string(req, settings, "providerId", false, &provider_id) ||
        !rpc_get_string(req, settings, "name", false, &name) ||
        !rpc_get_string(req, settings, "baseUrl", false, &base_url) ||
        !rpc_get_string(req, settings, "envKey", false, &env_key))
        return;
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg))
        return;
    char *id = NULL;
    if (provider_id) {
        if (builtin_provider(provider_id)) {
            reply_provider_error(req, "configValidationError",
                                 "A custom provider or gateway cannot use a built-in provider ID.");
            goto out;
        }
        if (!find_provider(&cfg, provider_id)) {
            reply_provider_error(req, "configPathNotFound", "Unknown provider ID.");
            goto out;
        }
        id = xstrdup(provider_id);
    }
    bool creating = id == NULL;
    if ((creating || json_object_get(settings, "name")) && (!name || !*name)) {
        reply_provider_error(req, "configValidationError", "Enter a provider name.");
        goto out;
    }
    if (creating) {
        char *slug = provider_slug(name);
        if (!*slug) {
            free(slug);
            slug = xstrdup("custom");
        }
        id = xstrdup(slug);
        for (int k = 2; find_provider(&cfg, id) || builtin_provider(id); k++) {
            free(id);
            id = xasprintf("%s-%d", slug, k);
        }
        free(slug);
    }
    json_t *edits = json_array();
    if (name)
        add_edit(edits, id, "name", json_string(name));
    if (json_object_get(settings, "baseUrl"))
        add_edit(edits, id, "base_url", base_url ? json_string(base_url) : json_null());
    if (json_object_get(settings, "envKey"))
        add_edit(edits, id, "env_key", env_key ? json_string(env_key) : json_null());
    if (creating)
        add_edit(edits, id, "wire_api", json_string("responses"));
    bool written = rpc_config_write_user_edits(req, edits);
    json_decref(edits);
    if (!written)
        goto out;
    struct codex_config after;
    if (!rpc_load_config(req, NULL, &after))
        goto out;
    const struct model_provider *p = find_provider(&after, id);
    if (p)
        rpc_reply(req, json_pack("{s:o}", "provider", custom_provider_json(p)));
    else
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "provider %s is not in the configuration "
                                                     "after writing it", id);
    config_free(&after);
out:
    free(id);
    config_free(&cfg);
}

static void rpc_model_provider_config_write(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ModelProviderConfigWriteParams", false);
    if (!p)
        return;
    json_t *settings = json_object_get(p, "settings");
    if (!json_is_object(settings)) {
        if (!settings) {
            rpc_reply_invalid(req, "missing field `settings`");
        } else {
            char *what = rpc_describe_value(settings);
            rpc_reply_invalid(req, "invalid type: %s, expected internally tagged enum "
                                   "ProviderSettingsPatch", what);
            free(what);
        }
        return;
    }
    const char *type;
    if (!rpc_get_string(req, settings, "type", true, &type))
        return;
    if (strcmp(type, "customGateway") == 0)
        write_custom_gateway(req, settings);
    else if (strcmp(type, "bedrock") == 0 || strcmp(type, "gcp") == 0)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "%s providers are not supported by codex-c yet: it talks to "
                        "Responses API endpoints (OpenAI or a custom gateway) only",
                        strcmp(type, "bedrock") == 0 ? "Amazon Bedrock" : "Google Cloud");
    else
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `customGateway`, "
                               "`bedrock`, `gcp`", type);
}

const struct rpc_module rpc_models_module = {
    .name = "models",
    .methods =
        (const struct rpc_method[]){
            {"model/list", rpc_model_list},
            {"modelProvider/list", rpc_model_provider_list},
            {"modelProvider/capabilities/read", rpc_model_provider_capabilities},
            {"modelProvider/config/write", rpc_model_provider_config_write},
            {NULL, NULL},
        },
};
