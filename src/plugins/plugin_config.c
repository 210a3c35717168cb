/* [marketplaces] and [plugins] of config.toml: what the user added and
 * installed. */
#include <stdlib.h>
#include <string.h>

#include "plugins/plugins.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *string_of(const toml_value *t, const char *key)
{
    const toml_value *v = toml_table_get(t, key);
    if (!v || toml_type(v) != TOML_STRING)
        return NULL;
    size_t n;
    const char *s = toml_string(v, &n);
    return xstrndup(s, n);
}

char *plugins_git_marketplace_dir(const char *codex_home, const char *name)
{
    return xasprintf("%s/.tmp/marketplaces/%s", codex_home, name);
}

void plugins_config_read(const toml_value *root, const char *codex_home, struct plugins_config *out)
{
    memset(out, 0, sizeof *out);
    const toml_value *m = root ? toml_table_get(root, "marketplaces") : NULL;
    if (m && toml_type(m) == TOML_TABLE) {
        size_t n = toml_table_len(m);
        out->marketplaces = xcalloc(n ? n : 1, sizeof *out->marketplaces);
        for (size_t i = 0; i < n; i++) {
            const char *name = toml_table_key_at(m, i);
            const toml_value *t = toml_table_value_at(m, i);
            if (toml_type(t) != TOML_TABLE || !plugin_segment_valid(name))
                continue;
            char *type = string_of(t, "source_type"), *source = string_of(t, "source");
            if (!type || !source || (strcmp(type, "local") != 0 && strcmp(type, "git") != 0)) {
                free(type);
                free(source);
                continue;
            }
            struct configured_marketplace *c = &out->marketplaces[out->n_marketplaces++];
            c->name = xstrdup(name);
            c->source_type = type;
            c->source = source;
            c->ref = string_of(t, "ref");
            const toml_value *sp = toml_table_get(t, "sparse_paths");
            if (sp && toml_type(sp) == TOML_ARRAY)
                for (size_t k = 0; k < toml_array_len(sp); k++) {
                    const toml_value *e = toml_array_at(sp, k);
                    if (toml_type(e) == TOML_STRING)
                        strvec_push(&c->sparse_paths, toml_string(e, NULL));
                }
            c->root = strcmp(type, "git") == 0 ? plugins_git_marketplace_dir(codex_home, name)
                                               : xstrdup(source);
        }
    }
    const toml_value *p = root ? toml_table_get(root, "plugins") : NULL;
    if (p && toml_type(p) == TOML_TABLE) {
        size_t n = toml_table_len(p);
        out->plugins = xcalloc(n ? n : 1, sizeof *out->plugins);
        for (size_t i = 0; i < n; i++) {
            const toml_value *t = toml_table_value_at(p, i);
            if (toml_type(t) != TOML_TABLE)
                continue;
            const toml_value *e = toml_table_get(t, "enabled");
            struct configured_plugin *c = &out->plugins[out->n_plugins++];
            c->id = xstrdup(toml_table_key_at(p, i));
            c->enabled = !e || toml_type(e) != TOML_BOOLEAN || toml_bool(e);
        }
    }
}

void plugins_config_free(struct plugins_config *c)
{
    for (size_t i = 0; i < c->n_marketplaces; i++) {
        free(c->marketplaces[i].name);
        free(c->marketplaces[i].source_type);
        free(c->marketplaces[i].source);
        free(c->marketplaces[i].ref);
        free(c->marketplaces[i].root);
        strvec_free(&c->marketplaces[i].sparse_paths);
    }
    free(c->marketplaces);
    for (size_t i = 0; i < c->n_plugins; i++)
        free(c->plugins[i].id);
    free(c->plugins);
    memset(c, 0, sizeof *c);
}

const struct configured_marketplace *plugins_config_marketplace(const struct plugins_config *c,
                                                                const char *name)
{
    for (size_t i = 0; i < c->n_marketplaces; i++)
        if (c->marketplaces[i].source_type && strcmp(c->marketplaces[i].name, name) == 0)
            return &c->marketplaces[i];
    return NULL;
}

const struct configured_marketplace *plugins_config_in_scope(const struct plugins_config *c,
                                                             const char *name)
{
    const struct configured_marketplace *m = plugins_config_marketplace(c, name);
    for (size_t i = 0; !m && i < c->n_marketplaces; i++)
        if (strcmp(c->marketplaces[i].name, name) == 0)
            m = &c->marketplaces[i];
    return m;
}

void plugins_config_add_found(struct plugins_config *c, const char *root, bool first)
{
    char *manifest = fs_join(root, PLUGIN_MARKETPLACE_MANIFEST);
    bool there = fs_exists(manifest);
    free(manifest);
    if (!there)
        return;
    for (size_t i = 0; i < c->n_marketplaces; i++)
        if (strcmp(c->marketplaces[i].root, root) == 0)
            return;
    /* the name is the manifest's; one that cannot be read still shows, as
     * a load error of the listing */
    struct marketplace m;
    struct codex_error err = CODEX_ERROR_INIT;
    char *name = marketplace_load(root, &m, &err) == 0 ? xstrdup(m.name) : xstrdup("");
    if (!codex_error_is_set(&err))
        marketplace_free(&m);
    codex_error_clear(&err);
    c->marketplaces = xrealloc(c->marketplaces, (c->n_marketplaces + 1) * sizeof *c->marketplaces);
    size_t at = first ? 0 : c->n_marketplaces;
    memmove(c->marketplaces + at + 1, c->marketplaces + at,
            (c->n_marketplaces - at) * sizeof *c->marketplaces);
    memset(&c->marketplaces[at], 0, sizeof c->marketplaces[at]);
    c->marketplaces[at].name = name;
    c->marketplaces[at].root = xstrdup(root);
    c->n_marketplaces++;
}

int plugins_config_enabled(const struct plugins_config *c, const char *id)
{
    for (size_t i = 0; i < c->n_plugins; i++)
        if (strcmp(c->plugins[i].id, id) == 0)
            return c->plugins[i].enabled;
    return -1;
}
