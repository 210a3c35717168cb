/* What the configured marketplaces offer and what of it is installed: the
 * data behind `codex plugin list` and plugin/list. */
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"
#include "util/xalloc.h"

static void summarize(const char *codex_home, const struct plugins_config *c,
                      struct catalog_marketplace *cm)
{
    cm->plugins = xcalloc(cm->m.n_plugins ? cm->m.n_plugins : 1, sizeof *cm->plugins);
    for (size_t i = 0; i < cm->m.n_plugins; i++) {
        const struct marketplace_plugin *mp = &cm->m.plugins[i];
        struct plugin_summary *s = &cm->plugins[cm->n_plugins++];
        s->entry = mp;
        s->id = xasprintf("%s@%s", mp->name, cm->m.name);
        char *version = NULL;
        char *root = plugins_installed_root(codex_home, cm->m.name, mp->name, &version);
        s->installed = root != NULL;
        free(root);
        s->enabled = s->installed && plugins_config_enabled(c, s->id) == 1;
        if (version) {
            s->version = version;
        } else {
            struct plugin_manifest pm;
            struct codex_error err = CODEX_ERROR_INIT;
            if (plugin_manifest_load(mp->source_path, &pm, &err) == 0) {
                s->version = pm.version ? xstrdup(pm.version) : NULL;
                plugin_manifest_free(&pm);
            }
            codex_error_clear(&err);
        }
    }
}

void plugins_catalog(const char *codex_home, const struct plugins_config *c, const char *only,
                     struct plugin_catalog *out)
{
    memset(out, 0, sizeof *out);
    out->markets = xcalloc(c->n_marketplaces ? c->n_marketplaces : 1, sizeof *out->markets);
    for (size_t i = 0; i < c->n_marketplaces; i++) {
        if (only && strcmp(c->marketplaces[i].name, only) != 0)
            continue;
        struct catalog_marketplace *cm = &out->markets[out->n++];
        cm->config = &c->marketplaces[i];
        struct codex_error err = CODEX_ERROR_INIT;
        if (marketplace_load(cm->config->root, &cm->m, &err) < 0)
            cm->error = codex_error_text(&err);
        else
            summarize(codex_home, c, cm);
        codex_error_clear(&err);
    }
}

void plugin_catalog_free(struct plugin_catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++) {
        struct catalog_marketplace *cm = &cat->markets[i];
        for (size_t k = 0; k < cm->n_plugins; k++) {
            free(cm->plugins[k].id);
            free(cm->plugins[k].version);
        }
        free(cm->plugins);
        free(cm->error);
        marketplace_free(&cm->m);
    }
    free(cat->markets);
    memset(cat, 0, sizeof *cat);
}

int plugins_parse_selector(const char *selector, const char *market_flag, char **plugin,
                           char **market, struct codex_error *err)
{
    *plugin = *market = NULL;
    const char *at = strrchr(selector, '@');
    if (at) {
        *plugin = xstrndup(selector, (size_t)(at - selector));
        *market = xstrdup(at + 1);
    } else if (market_flag) {
        *plugin = xstrdup(selector);
        *market = xstrdup(market_flag);
    } else {
        codex_error_set(err, "plugin requires --marketplace unless passed as <plugin>@<marketplace>");
        return -1;
    }
    if (!plugin_segment_valid(*plugin) || !plugin_segment_valid(*market)) {
        codex_error_set(err, "invalid plugin selector `%s`: names use letters, digits, `-`, `_` "
                        "and `.`", selector);
        free(*plugin);
        free(*market);
        *plugin = *market = NULL;
        return -1;
    }
    return 0;
}
