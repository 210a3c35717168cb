/* The MCP servers of installed, enabled plugins join the configured ones:
 * each plugin's server file is read as if its entries were
 * [mcp_servers.<name>] tables (checked by the same code), a stdio server
 * runs in its plugin's folder unless it names a cwd, and a server the user
 * configured under the same name wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/mcp_servers.h"
#include "plugins/plugins.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct where_ctx {
    const char *file;
};

static void where_plugin(const void *ud, const toml_value *v, char *out, size_t outlen)
{
    (void)v;
    snprintf(out, outlen, "%s", ((const struct where_ctx *)ud)->file);
}

static bool configured(const struct codex_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_mcp_servers; i++)
        if (strcmp(cfg->mcp_servers[i].name, name) == 0)
            return true;
    return false;
}

/* The entries of one plugin file as an mcp_servers table, or NULL with a
 * warning. */
static toml_value *plugin_table(const struct codex_config *cfg, const struct active_plugin *p,
                                struct strvec *warnings)
{
    size_t len;
    char *text = fs_read_file(p->mcp_servers_file, 4u << 20, &len);
    if (!text) {
        strvec_push_owned(warnings, xasprintf("plugin `%s`: cannot read %s", p->id,
                                              p->mcp_servers_file));
        return NULL;
    }
    json_t *servers;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = plugin_mcp_servers_parse(text, len, p->mcp_servers_file, &servers, &err);
    free(text);
    if (rc < 0) {
        char *msg = codex_error_text(&err);
        strvec_push_owned(warnings, xasprintf("plugin `%s`: %s", p->id, msg));
        free(msg);
        codex_error_clear(&err);
        return NULL;
    }
    toml_value *table = toml_new_table();
    const char *name;
    json_t *entry;
    json_object_foreach(servers, name, entry) {
        if (configured(cfg, name))
            continue;
        json_t *copy = json_deep_copy(entry);
        /* the .mcp.json spellings of what config.toml calls otherwise */
        json_object_del(copy, "type");
        json_t *headers = json_object_get(copy, "headers");
        if (headers && !json_object_get(copy, "http_headers"))
            json_object_set(copy, "http_headers", headers);
        json_object_del(copy, "headers");
        const char *cwd = json_string_value(json_object_get(copy, "cwd"));
        if (json_object_get(copy, "command")) {
            char *dir = !cwd ? xstrdup(p->root) : cwd[0] == '/' ? xstrdup(cwd) : fs_join(p->root, cwd);
            json_object_set_new(copy, "cwd", json_string(dir));
            free(dir);
        }
        const char *why = NULL; /* an object without nulls always converts */
        toml_table_set(table, name, toml_from_json(copy, true, &why));
        json_decref(copy);
    }
    json_decref(servers);
    char msg[1024];
    struct where_ctx w = {p->mcp_servers_file};
    if (mcp_servers_check_layer(table, where_plugin, &w, msg, sizeof msg) < 0) {
        strvec_push_owned(warnings, xasprintf("plugin `%s`: %s", p->id, msg));
        toml_free(table);
        return NULL;
    }
    return table;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct mcp_server_config *)a)->name,
                  ((const struct mcp_server_config *)b)->name);
}

void plugins_merge_mcp_servers(struct codex_config *cfg, struct strvec *warnings)
{
    if (!config_feature_enabled(cfg, "plugins"))
        return;
    struct plugins_config pc;
    plugins_config_read(cfg->root, cfg->codex_home, &pc);
    struct active_plugin *active;
    size_t n = plugins_active(cfg->codex_home, &pc, &active);
    plugins_config_free(&pc);
    for (size_t i = 0; i < n; i++) {
        if (!active[i].mcp_servers_file)
            continue;
        toml_value *table = plugin_table(cfg, &active[i], warnings);
        if (!table)
            continue;
        toml_value *root = toml_new_table();
        toml_table_set(root, "mcp_servers", table);
        struct strvec origins = STRVEC_INIT;
        struct mcp_server_config *add = NULL;
        size_t n_add = 0;
        char msg[1024];
        if (mcp_servers_read(root, &origins, &add, &n_add, msg, sizeof msg) < 0) {
            strvec_push_owned(warnings, xasprintf("plugin `%s`: %s: %s", active[i].id,
                                                  active[i].mcp_servers_file, msg));
        } else if (n_add) {
            cfg->mcp_servers = xrealloc(cfg->mcp_servers,
                                        (cfg->n_mcp_servers + n_add) * sizeof *cfg->mcp_servers);
            memcpy(cfg->mcp_servers + cfg->n_mcp_servers, add, n_add * sizeof *add);
            cfg->n_mcp_servers += n_add;
            free(add);
        } else {
            free(add);
        }
        toml_free(root);
    }
    if (cfg->n_mcp_servers > 1)
        qsort(cfg->mcp_servers, cfg->n_mcp_servers, sizeof *cfg->mcp_servers, by_name);
    active_plugins_free(active, n);
}
