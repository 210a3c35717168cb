/* plugin/list, plugin/installed, plugin/read, plugin/install,
 * plugin/uninstall and marketplace/add|remove|upgrade over the local
 * marketplaces of config.toml (src/plugins).  Shapes follow reference
 * 0.169.0; what only OpenAI's hosted plugin catalog has (remote
 * marketplaces) is refused with the reason; plugin/skill/read, which reads
 * a skill of a remote plugin only, is in hosted_methods.c.  Installing
 * and anything that runs git happens on the thread pool, so the loop keeps
 * serving other requests meanwhile. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "config/config.h"
#include "core/plugin_skills.h"
#include "plugins/plugins.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "skills/skills.h"
#include "store/git_root.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const char remote_refusal[] =
    "remote plugin marketplaces are a service of OpenAI's hosted catalog, which codex-c does not "
    "connect to; pass marketplacePath of a local marketplace (codex plugin marketplace add)";

/* ---- shapes ------------------------------------------------------------------- */

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A "./..." asset path of the manifest, absolute under the plugin root. */
static json_t *asset_path(const char *plugin_root, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "./", 2) != 0 || strstr(s, ".."))
        return json_null();
    char *p = fs_join(plugin_root, s + 2);
    json_t *r = json_string(p);
    free(p);
    return r;
}

static json_t *string_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_incref(v) : json_null();
}

/* PluginInterface from plugin.json's "interface" (and the marketplace's
 * category, which wins); null when neither says anything. */
static json_t *interface_json(const char *plugin_root, const char *manifest_iface,
                              const char *category)
{
    json_t *src = manifest_iface ? json_loads(manifest_iface, 0, NULL) : NULL;
    if (!src && !category)
        return json_null();
    if (!src)
        src = json_object();
    json_t *caps = json_array(), *shots = json_array();
    json_t *c = json_object_get(src, "capabilities");
    for (size_t i = 0; i < json_array_size(c); i++)
        if (json_is_string(json_array_get(c, i)))
            json_array_append(caps, json_array_get(c, i));
    json_t *sc = json_object_get(src, "screenshots");
    for (size_t i = 0; i < json_array_size(sc); i++) {
        json_t *p = asset_path(plugin_root, json_array_get(sc, i));
        if (json_is_null(p))
            json_decref(p);
        else
            json_array_append_new(shots, p);
    }
    json_t *prompt = json_object_get(src, "defaultPrompt");
    json_t *prompts = json_null();
    if (json_is_string(prompt)) {
        prompts = json_pack("[O]", prompt);
    } else if (json_is_array(prompt)) {
        prompts = json_array();
        for (size_t i = 0; i < json_array_size(prompt) && json_array_size(prompts) < 3; i++)
            if (json_is_string(json_array_get(prompt, i)))
                json_array_append(prompts, json_array_get(prompt, i));
    }
    json_t *website = json_object_get(src, "websiteUrl") ? string_or_null(src, "websiteUrl")
                                                         : string_or_null(src, "websiteURL");
    json_t *privacy = json_object_get(src, "privacyPolicyUrl") ? string_or_null(src, "privacyPolicyUrl")
                                                               : string_or_null(src, "privacyPolicyURL");
    json_t *terms = json_object_get(src, "termsOfServiceUrl") ? string_or_null(src, "termsOfServiceUrl")
                                                              : string_or_null(src, "termsOfServiceURL");
    json_t *r = json_pack(
        "{s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:n s:o s:n s:n s:n s:o s:[]}",
        "displayName", string_or_null(src, "displayName"), "shortDescription",
        string_or_null(src, "shortDescription"), "longDescription", string_or_null(src, "longDescription"),
        "developerName", string_or_null(src, "developerName"), "category",
        category ? json_string(category) : string_or_null(src, "category"), "capabilities", caps,
        "websiteUrl", website, "privacyPolicyUrl", privacy, "termsOfServiceUrl", terms,
        "defaultPrompt", prompts, "brandColor", string_or_null(src, "brandColor"), "composerIcon",
        asset_path(plugin_root, json_object_get(src, "composerIcon")), "composerIconUrl", "logo",
        asset_path(plugin_root, json_object_get(src, "logo")), "logoDark", "logoUrl", "logoUrlDark",
        "screenshots", shots, "screenshotUrls");
    json_decref(src);
    return r;
}

static json_t *summary_json(const struct marketplace_plugin *mp, const char *id, const char *version,
                            bool installed, bool enabled)
{
    struct plugin_manifest pm;
    struct codex_error err = CODEX_ERROR_INIT;
    bool have = plugin_manifest_load(mp->source_path, &pm, &err) == 0;
    codex_error_clear(&err);
    json_t *iface = interface_json(mp->source_path, have ? pm.interface_json : NULL, mp->category);
    json_t *r = json_pack("{s:s s:n s:n s:o s:s s:n s:{s:s s:s} s:b s:n s:b s:s s:n s:n s:s s:s s:n "
                          "s:n s:o s:[]}",
                          "id", id, "remotePluginId", "version", "localVersion", opt_str(version),
                          "name", mp->name, "shareContext", "source", "type", "local", "path",
                          mp->source_path, "installed", installed, "installedAt", "enabled", enabled,
                          "installPolicy", mp->install_policy, "installPolicySource",
                          "mustShowInstallationInterstitial", "authPolicy", mp->auth_policy,
                          "availability", "AVAILABLE", "disabledReason", "eligiblePlanTypes",
                          "interface", iface, "keywords");
    if (have)
        plugin_manifest_free(&pm);
    return r;
}

static json_t *market_json(const struct catalog_marketplace *cm, bool installed_only)
{
    json_t *plugins = json_array();
    for (size_t k = 0; k < cm->n_plugins; k++) {
        const struct plugin_summary *s = &cm->plugins[k];
        if (installed_only && !s->installed)
            continue;
        json_array_append_new(plugins, summary_json(s->entry, s->id, s->version, s->installed,
                                                    s->enabled));
    }
    return json_pack("{s:s s:s s:o s:o}", "name", cm->m.name, "path", cm->m.manifest_path,
                     "interface",
                     cm->m.display_name ? json_pack("{s:s}", "displayName", cm->m.display_name)
                                        : json_null(),
                     "plugins", plugins);
}

/* ---- listing ------------------------------------------------------------------ */

/* The marketplaces in scope: $HOME's first, the configured ones, then the
 * repository marketplace of each of cwds (the folder itself, else its Git
 * root), as the reference considers them. */
static void in_scope(struct rpc_request *req, const struct codex_config *cfg, json_t *cwds,
                     struct plugins_config *pc)
{
    plugins_config_read(cfg->root, cfg->codex_home, pc);
    if (!config_feature_enabled(cfg, "plugins")) {
        plugins_config_free(pc); /* the feature is off: no marketplaces */
        return;
    }
    const char *home = envp_get_nonempty(req->server->envp, "HOME");
    if (home)
        plugins_config_add_found(pc, home, true);
    for (size_t i = 0; i < json_array_size(cwds); i++) {
        const char *cwd = json_string_value(json_array_get(cwds, i));
        if (!cwd || cwd[0] != '/')
            continue;
        char *manifest = fs_join(cwd, PLUGIN_MARKETPLACE_MANIFEST);
        bool direct = fs_exists(manifest);
        free(manifest);
        char *root = direct ? xstrdup(cwd) : git_repo_root(cwd);
        if (root)
            plugins_config_add_found(pc, root, false);
        free(root);
    }
}

static void list_common(struct rpc_request *req, json_t *params, bool installed_only)
{
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg))
        return;
    struct plugins_config pc;
    in_scope(req, &cfg, json_object_get(params, "cwds"), &pc);
    struct plugin_catalog cat;
    plugins_catalog(cfg.codex_home, &pc, NULL, &cat);
    json_t *markets = json_array(), *errors = json_array();
    for (size_t i = 0; i < cat.n; i++) {
        const struct catalog_marketplace *cm = &cat.markets[i];
        if (cm->error) {
            char *path = fs_join(cm->config->root, PLUGIN_MARKETPLACE_MANIFEST);
            json_array_append_new(errors, json_pack("{s:s s:s}", "marketplacePath", path, "message",
                                                    cm->error));
            free(path);
            continue;
        }
        bool any = !installed_only;
        for (size_t k = 0; k < cm->n_plugins && !any; k++)
            any = cm->plugins[k].installed;
        if (any)
            json_array_append_new(markets, market_json(cm, installed_only));
    }
    json_t *r = json_pack("{s:o s:o}", "marketplaces", markets, "marketplaceLoadErrors", errors);
    if (!installed_only)
        json_object_set_new(r, "featuredPluginIds", json_array());
    plugin_catalog_free(&cat);
    plugins_config_free(&pc);
    config_free(&cfg);
    rpc_reply(req, r);
}

static void plugin_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PluginListParams", true);
    if (!p)
        return;
    json_t *kinds = json_object_get(p, "marketplaceKinds");
    for (size_t i = 0; i < json_array_size(kinds); i++) {
        const char *k = json_string_value(json_array_get(kinds, i));
        if (k && strcmp(k, "local") != 0) {
            rpc_reply_refused(req, "marketplace kind `%s`: %s", k, remote_refusal);
            return;
        }
    }
    list_common(req, p, false);
}

static void plugin_installed(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PluginInstalledParams", true);
    if (!p)
        return;
    list_common(req, p, true);
}

/* The marketplace root of a marketplacePath (…/.agents/plugins/marketplace.json). */
static char *root_of_manifest(const char *path)
{
    size_t n = strlen(path), m = strlen("/" PLUGIN_MARKETPLACE_MANIFEST);
    if (n <= m || strcmp(path + n - m, "/" PLUGIN_MARKETPLACE_MANIFEST) != 0)
        return NULL;
    return xstrndup(path, n - m);
}

/* marketplacePath, or a refusal for the remote forms; NULL after replying. */
static char *local_market_root(struct rpc_request *req, json_t *p)
{
    const char *remote = NULL;
    if (!rpc_get_string(req, p, "remoteMarketplaceName", false, &remote))
        return NULL;
    char *path = NULL;
    if (!rpc_get_abs_path(req, p, "marketplacePath", false, &path))
        return NULL;
    if (remote || !path) {
        free(path);
        rpc_reply_refused(req, "%s", remote_refusal);
        return NULL;
    }
    char *root = root_of_manifest(path);
    if (!root)
        rpc_reply_refused(req, "invalid marketplace file `%s`: marketplace file must live under "
                          "`<root>/%s`", path, PLUGIN_MARKETPLACE_MANIFEST);
    free(path);
    return root;
}

static void plugin_read(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PluginReadParams", false);
    const char *name;
    if (!p || !rpc_get_string(req, p, "pluginName", true, &name))
        return;
    char *root = local_market_root(req, p);
    if (!root)
        return;
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg)) {
        free(root);
        return;
    }
    struct marketplace m;
    struct codex_error err = CODEX_ERROR_INIT;
    if (marketplace_load(root, &m, &err) < 0) {
        char *text = codex_error_text(&err);
        rpc_reply_refused(req, "%s", text);
        free(text);
        codex_error_clear(&err);
        config_free(&cfg);
        free(root);
        return;
    }
    const struct marketplace_plugin *mp = marketplace_find(&m, name);
    if (!mp) {
        rpc_reply_refused(req, "plugin `%s` was not found in marketplace `%s`", name, m.name);
        goto done;
    }
    struct plugins_config pc;
    plugins_config_read(cfg.root, cfg.codex_home, &pc);
    char *id = xasprintf("%s@%s", mp->name, m.name), *version = NULL;
    char *installed_root = plugins_installed_root(cfg.codex_home, m.name, mp->name, &version);
    bool enabled = installed_root && plugins_config_enabled(&pc, id) == 1;
    struct plugin_manifest pm;
    bool have = plugin_manifest_load(mp->source_path, &pm, &err) == 0;
    codex_error_clear(&err);
    if (!version && have && pm.version)
        version = xstrdup(pm.version);
    json_t *skills = json_array(), *servers = json_array();
    if (have && pm.skills_dir) {
        struct skill_plugin_root pr = {pm.skills_dir, mp->name, id};
        struct skills_discover_opts o = {.plugin_roots = &pr, .n_plugin_roots = 1};
        struct skill_catalog sc;
        skills_discover(&o, &sc);
        size_t n = strlen(pm.skills_dir);
        for (size_t i = 0; i < sc.n; i++) {
            const struct skill *s = &sc.skills[i];
            if (strncmp(s->path, pm.skills_dir, n) != 0)
                continue;
            json_array_append_new(skills, json_pack("{s:s s:s s:o s:n s:s s:b}", "name", s->name,
                                                    "description", s->description,
                                                    "shortDescription", opt_str(s->short_description),
                                                    "interface", "path", s->path, "enabled", s->enabled));
        }
        skill_catalog_free(&sc);
    }
    if (have && pm.mcp_servers_file) {
        struct strvec names = {0};
        if (plugin_mcp_server_names(pm.mcp_servers_file, &names) == 0)
            for (size_t i = 0; i < names.n; i++)
                json_array_append_new(servers, json_string(names.v[i]));
        strvec_free(&names);
    }
    json_t *detail = json_pack("{s:s s:s s:o s:n s:o s:o s:n s:[] s:[] s:[] s:o s:n}", "marketplaceName",
                               m.name, "marketplacePath", m.manifest_path, "summary",
                               summary_json(mp, id, version, installed_root != NULL, enabled),
                               "shareUrl", "description",
                               opt_str(have ? pm.description : NULL), "skills", skills,
                               "onboardingSkill", "hooks", "apps", "appTemplates", "mcpServers",
                               servers, "scheduledTasks");
    rpc_reply(req, json_pack("{s:o}", "plugin", detail));
    if (have)
        plugin_manifest_free(&pm);
    free(installed_root);
    free(version);
    free(id);
    plugins_config_free(&pc);
done:
    marketplace_free(&m);
    config_free(&cfg);
    free(root);
}

/* ---- work on the thread pool ----------------------------------------------------- */

enum job_kind { JOB_INSTALL, JOB_MARKET_ADD, JOB_MARKET_UPGRADE };

struct plugin_job {
    uv_work_t work;
    struct rpc_request *req;
    enum job_kind kind;
    char *codex_home, *config_path, *cwd;
    const char *const *envp;
    struct plugins_config pc;
    char *arg;   /* install: the marketplace root; add: the source; upgrade: a name or NULL */
    char *arg2;  /* install: the plugin; add: the ref */
    struct strvec sparse;
    json_t *result; /* or NULL with err set */
    struct codex_error err;
};

static void job_work(uv_work_t *w)
{
    struct plugin_job *j = w->data;
    if (j->kind == JOB_INSTALL) {
        struct plugin_install_result r;
        if (plugins_install(j->codex_home, j->config_path, j->arg, j->arg2, &r, &j->err) == 0) {
            j->result = json_pack("{s:s s:[]}", "authPolicy", r.auth_policy, "appsNeedingAuth");
            plugin_install_result_free(&r);
        }
    } else if (j->kind == JOB_MARKET_ADD) {
        struct marketplace_add_opts o = {
            .source = j->arg, .ref = j->arg2, .sparse_paths = (const char *const *)j->sparse.v,
            .n_sparse = j->sparse.n, .cwd = j->cwd, .envp = j->envp,
        };
        struct marketplace_add_result r;
        if (plugins_marketplace_add(j->codex_home, j->config_path, &j->pc, &o, &r, &j->err) == 0) {
            j->result = json_pack("{s:s s:s s:b}", "marketplaceName", r.name, "installedRoot",
                                  r.installed_root, "alreadyAdded", r.already_added);
            marketplace_add_result_free(&r);
        }
    } else {
        struct marketplace_upgrade_result r;
        if (plugins_marketplace_upgrade(j->codex_home, &j->pc, j->arg, j->envp, &r, &j->err) == 0) {
            json_t *sel = json_array(), *up = json_array(), *errs = json_array();
            for (size_t i = 0; i < r.selected.n; i++)
                json_array_append_new(sel, json_string(r.selected.v[i]));
            for (size_t i = 0; i < r.upgraded_roots.n; i++)
                json_array_append_new(up, json_string(r.upgraded_roots.v[i]));
            for (size_t i = 0; i < r.errors.n; i++) {
                const char *colon = strstr(r.errors.v[i], ": ");
                char *name = colon ? xstrndup(r.errors.v[i], (size_t)(colon - r.errors.v[i]))
                                   : xstrdup(r.errors.v[i]);
                json_array_append_new(errs, json_pack("{s:s s:s}", "marketplaceName", name,
                                                      "message", colon ? colon + 2 : r.errors.v[i]));
                free(name);
            }
            j->result = json_pack("{s:o s:o s:o}", "selectedMarketplaces", sel, "upgradedRoots", up,
                                  "errors", errs);
            marketplace_upgrade_result_free(&r);
        }
    }
}

static void job_done(uv_work_t *w, int status)
{
    struct plugin_job *j = w->data;
    if (j->result)
        rpc_reply(j->req, j->result);
    else if (status == UV_ECANCELED)
        rpc_reply_refused(j->req, "cancelled");
    else {
        char *text = codex_error_text(&j->err);
        rpc_reply_refused(j->req, "%s", text ? text : "failed");
        free(text);
    }
    codex_error_clear(&j->err);
    plugins_config_free(&j->pc);
    strvec_free(&j->sparse);
    free(j->codex_home);
    free(j->config_path);
    free(j->cwd);
    free(j->arg);
    free(j->arg2);
    free(j);
}

static void start_job(struct rpc_request *req, enum job_kind kind, char *arg, char *arg2,
                      json_t *sparse)
{
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg)) {
        free(arg);
        free(arg2);
        return;
    }
    struct plugin_job *j = xcalloc(1, sizeof *j);
    j->req = req;
    j->kind = kind;
    j->codex_home = xstrdup(cfg.codex_home);
    j->config_path = fs_join(cfg.codex_home, "config.toml");
    j->cwd = xstrdup(cfg.cwd);
    j->envp = req->server->envp;
    plugins_config_read(cfg.root, cfg.codex_home, &j->pc);
    j->arg = arg;
    j->arg2 = arg2;
    for (size_t i = 0; i < json_array_size(sparse); i++)
        strvec_push(&j->sparse, json_string_value(json_array_get(sparse, i)));
    config_free(&cfg);
    j->work.data = j;
    if (uv_queue_work(req->server->loop, &j->work, job_work, job_done) != 0) {
        j->result = NULL;
        codex_error_set(&j->err, "could not start the work");
        job_done(&j->work, 0);
    }
}

static void plugin_install(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PluginInstallParams", false);
    const char *name;
    if (!p || !rpc_get_string(req, p, "pluginName", true, &name))
        return;
    char *root = local_market_root(req, p);
    if (root)
        start_job(req, JOB_INSTALL, root, xstrdup(name), NULL);
}

static void plugin_uninstall(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PluginUninstallParams", false);
    const char *id;
    if (!p || !rpc_get_string(req, p, "pluginId", true, &id))
        return;
    char *plugin, *market;
    struct codex_error err = CODEX_ERROR_INIT;
    if (plugins_parse_selector(id, NULL, &plugin, &market, &err) < 0) {
        rpc_reply_refused(req, "invalid plugin id `%s`: expected <plugin>@<marketplace>", id);
        codex_error_clear(&err);
        return;
    }
    struct codex_config cfg;
    if (rpc_load_config(req, NULL, &cfg)) {
        char *config_path = fs_join(cfg.codex_home, "config.toml");
        if (plugins_uninstall(cfg.codex_home, config_path, plugin, market, &err) == 0) {
            rpc_reply(req, json_object());
        } else {
            char *text = codex_error_text(&err);
            rpc_reply_refused(req, "%s", text);
            free(text);
            codex_error_clear(&err);
        }
        free(config_path);
        config_free(&cfg);
    }
    free(plugin);
    free(market);
}

static void marketplace_add(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "MarketplaceAddParams", false);
    const char *source, *ref = NULL;
    json_t *sparse = NULL;
    if (!p || !rpc_get_string(req, p, "source", true, &source) ||
        !rpc_get_string(req, p, "refName", false, &ref) ||
        !rpc_get_string_array(req, p, "sparsePaths", false, &sparse))
        return;
    start_job(req, JOB_MARKET_ADD, xstrdup(source), ref ? xstrdup(ref) : NULL, sparse);
}

static void marketplace_upgrade(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "MarketplaceUpgradeParams", true);
    const char *name = NULL;
    if (!p || !rpc_get_string(req, p, "marketplaceName", false, &name))
        return;
    start_job(req, JOB_MARKET_UPGRADE, name ? xstrdup(name) : NULL, NULL, NULL);
}

static void marketplace_remove(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "MarketplaceRemoveParams", false);
    const char *name;
    if (!p || !rpc_get_string(req, p, "marketplaceName", true, &name))
        return;
    struct codex_config cfg;
    if (!rpc_load_config(req, NULL, &cfg))
        return;
    struct plugins_config pc;
    plugins_config_read(cfg.root, cfg.codex_home, &pc);
    char *config_path = fs_join(cfg.codex_home, "config.toml"), *removed = NULL;
    struct codex_error err = CODEX_ERROR_INIT;
    if (plugins_marketplace_remove(cfg.codex_home, config_path, &pc, name, &removed, &err) == 0) {
        rpc_reply(req, json_pack("{s:s s:o}", "marketplaceName", name, "installedRoot",
                                 opt_str(removed)));
    } else {
        char *text = codex_error_text(&err);
        rpc_reply_refused(req, "%s", text);
        free(text);
        codex_error_clear(&err);
    }
    free(removed);
    free(config_path);
    plugins_config_free(&pc);
    config_free(&cfg);
}

const struct rpc_module rpc_plugin_module = {
    .name = "plugins",
    .methods =
        (const struct rpc_method[]){
            {"plugin/list", plugin_list},
            {"plugin/installed", plugin_installed},
            {"plugin/read", plugin_read},
            {"plugin/install", plugin_install},
            {"plugin/uninstall", plugin_uninstall},
            {"marketplace/add", marketplace_add},
            {"marketplace/remove", marketplace_remove},
            {"marketplace/upgrade", marketplace_upgrade},
            {NULL, NULL},
        },
};
