/* Plugins: bundles of skills and MCP servers found in marketplaces.
 *
 * A marketplace is a directory holding .agents/plugins/marketplace.json,
 * which names its plugins and where each one's folder is (relative to the
 * marketplace root).  A plugin folder holds .codex-plugin/plugin.json:
 * its name, version and the relative paths of its skills folder and MCP
 * server file.  config.toml records the marketplaces the user added
 * ([marketplaces.<name>]: source_type "local" or "git", source, ref,
 * sparse_paths) and the installed plugins ([plugins."<plugin>@<market>"]
 * enabled).  Installing copies the plugin folder to
 * $CODEX_HOME/plugins/cache/<market>/<plugin>/<version>; a Git marketplace
 * is cloned to $CODEX_HOME/.tmp/marketplaces/<name>.  Formats, paths and
 * messages follow reference 0.169.0 (tests/plugins/FINDINGS.md). */
#ifndef CODEX_PLUGINS_PLUGINS_H
#define CODEX_PLUGINS_PLUGINS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config/toml.h"
#include "util/error.h"
#include "util/strvec.h"

#define PLUGIN_MARKETPLACE_MANIFEST ".agents/plugins/marketplace.json"
#define PLUGIN_MANIFEST ".codex-plugin/plugin.json"

/* ---- marketplace.json ------------------------------------------------------ */

struct marketplace_plugin {
    char *name;
    char *source_path;    /* absolute: the marketplace root joined with ./path */
    char *install_policy; /* "AVAILABLE" | "NOT_AVAILABLE" | "INSTALLED_BY_DEFAULT" */
    char *auth_policy;    /* "ON_INSTALL" | "ON_USE" */
    char *category;       /* or NULL */
};

struct marketplace {
    char *name;
    char *display_name; /* interface.displayName, or NULL */
    char *root;         /* absolute */
    char *manifest_path;
    struct marketplace_plugin *plugins;
    size_t n_plugins;
};

/* Parse marketplace.json text read from manifest_path under root.  0, or -1
 * with err "PATH:LINE:COL: what". */
int marketplace_parse(const char *text, size_t len, const char *manifest_path, const char *root,
                      struct marketplace *out, struct codex_error *err);
/* Read root/.agents/plugins/marketplace.json. */
int marketplace_load(const char *root, struct marketplace *out, struct codex_error *err);
void marketplace_free(struct marketplace *m);
const struct marketplace_plugin *marketplace_find(const struct marketplace *m, const char *name);

/* ---- plugin.json ------------------------------------------------------------- */

struct plugin_manifest {
    char *name;
    char *version;     /* trimmed, or NULL */
    char *description; /* or NULL */
    char *skills_dir;  /* absolute, or NULL (absent or not "./..." inside the plugin) */
    char *mcp_servers_file;
    char *interface_json; /* the "interface" object as compact JSON, or NULL */
};

int plugin_manifest_parse(const char *text, size_t len, const char *manifest_path,
                          const char *plugin_root, struct plugin_manifest *out,
                          struct codex_error *err);
int plugin_manifest_load(const char *plugin_root, struct plugin_manifest *out,
                         struct codex_error *err);
void plugin_manifest_free(struct plugin_manifest *m);

/* A plugin or marketplace name may be used as a path segment: ASCII
 * letters, digits, '-', '_' and '.' other than "." and "..". */
bool plugin_segment_valid(const char *s);

/* ---- what config.toml records ------------------------------------------------ */

struct configured_marketplace {
    char *name;
    /* "local" | "git"; NULL for a marketplace found rather than configured
     * ($HOME/.agents/plugins, a repository's), which has no source */
    char *source_type;
    char *source;
    char *ref;         /* or NULL */
    struct strvec sparse_paths;
    char *root;        /* where its marketplace.json lives under */
};

struct configured_plugin {
    char *id; /* "plugin@market" */
    bool enabled;
};

struct plugins_config {
    struct configured_marketplace *marketplaces; /* config order */
    size_t n_marketplaces;
    struct configured_plugin *plugins;
    size_t n_plugins;
};

/* Read [marketplaces] and [plugins] of a merged config tree (NULL: none). */
void plugins_config_read(const toml_value *root, const char *codex_home, struct plugins_config *out);
void plugins_config_free(struct plugins_config *c);
/* A configured marketplace by name (not a found one). */
const struct configured_marketplace *plugins_config_marketplace(const struct plugins_config *c,
                                                                const char *name);
/* Any marketplace in scope by name, configured or found. */
const struct configured_marketplace *plugins_config_in_scope(const struct plugins_config *c,
                                                             const char *name);
/* Add the marketplace at root (one with .agents/plugins/marketplace.json)
 * as found, unless one with that root is in scope already; first puts it
 * before the others (the reference lists $HOME's first). */
void plugins_config_add_found(struct plugins_config *c, const char *root, bool first);
/* -1: not in config; else 0/1 enabled. */
int plugins_config_enabled(const struct plugins_config *c, const char *id);

/* The checkout directory of a Git marketplace. */
char *plugins_git_marketplace_dir(const char *codex_home, const char *name);

/* ---- the install cache ------------------------------------------------------- */

/* The installed version's directory, or NULL when the plugin is not
 * installed ("local" wins, else the greatest version name). */
char *plugins_installed_root(const char *codex_home, const char *market, const char *plugin,
                             char **version_out);

struct plugin_install_result {
    char *market; /* the marketplace's name */
    char *installed_path;
    char *version;
    char *auth_policy;
};

/* Install plugin from the marketplace at market_root: copy into a
 * staging directory, then rename into the cache; record it enabled in
 * config_path.  Never leaves a half-copied plugin. */
int plugins_install(const char *codex_home, const char *config_path, const char *market_root,
                    const char *plugin, struct plugin_install_result *out, struct codex_error *err);
void plugin_install_result_free(struct plugin_install_result *r);
/* Remove the cache entry and the config entry (either may be absent). */
int plugins_uninstall(const char *codex_home, const char *config_path, const char *plugin,
                      const char *market, struct codex_error *err);

/* ---- marketplaces ------------------------------------------------------------ */

struct marketplace_add_opts {
    const char *source; /* as the user gave it */
    const char *ref;
    const char *const *sparse_paths;
    size_t n_sparse;
    const char *cwd;               /* relative local paths resolve here */
    const char *const *envp;       /* for git */
};

struct marketplace_add_result {
    char *name;
    char *installed_root;
    char *display_source; /* what "Added marketplace `x` from ..." shows */
    bool already_added;
};

int plugins_marketplace_add(const char *codex_home, const char *config_path,
                            const struct plugins_config *c, const struct marketplace_add_opts *o,
                            struct marketplace_add_result *out, struct codex_error *err);
void marketplace_add_result_free(struct marketplace_add_result *r);

/* Forget a marketplace; a Git one's checkout is deleted (*removed_root set
 * to it, else NULL). */
int plugins_marketplace_remove(const char *codex_home, const char *config_path,
                               const struct plugins_config *c, const char *name,
                               char **removed_root, struct codex_error *err);

struct marketplace_upgrade_result {
    struct strvec selected;
    struct strvec upgraded_roots;
    struct strvec errors; /* "name: message" */
};

/* Fetch configured Git marketplaces (all, or only name) and move each
 * changed checkout into place.  -1 with err only for a bad name. */
int plugins_marketplace_upgrade(const char *codex_home, const struct plugins_config *c,
                                const char *name, const char *const *envp,
                                struct marketplace_upgrade_result *out, struct codex_error *err);
void marketplace_upgrade_result_free(struct marketplace_upgrade_result *r);

/* ---- a plugin's MCP server file ------------------------------------------------- */

/* The servers object of an .mcp.json: {"mcpServers": {name: {...}}} (or the
 * name map itself).  *servers is a new reference; -1 with err
 * "PATH:LINE:COL: what". */
int plugin_mcp_servers_parse(const char *text, size_t len, const char *path, json_t **servers,
                             struct codex_error *err);
/* Its server names, sorted; -1 when the file cannot be read or parsed. */
int plugin_mcp_server_names(const char *file, struct strvec *names);

/* ---- what sessions use --------------------------------------------------------- */

struct active_plugin {
    char *id;
    char *name;
    char *root;       /* installed root */
    char *skills_dir; /* or NULL */
    char *mcp_servers_file; /* or NULL */
};

/* The installed, enabled plugins of configured marketplaces, config order. */
size_t plugins_active(const char *codex_home, const struct plugins_config *c,
                      struct active_plugin **out);
void active_plugins_free(struct active_plugin *a, size_t n);

/* ---- listing --------------------------------------------------------------------- */

struct plugin_summary {
    char *id;
    const struct marketplace_plugin *entry; /* into its marketplace */
    char *version; /* installed version, else the source manifest's, else NULL */
    bool installed;
    bool enabled;
};

struct catalog_marketplace {
    const struct configured_marketplace *config;
    struct marketplace m;  /* loaded; empty when error is set */
    char *error;           /* why it could not be loaded, or NULL */
    struct plugin_summary *plugins;
    size_t n_plugins;
};

struct plugin_catalog {
    struct catalog_marketplace *markets;
    size_t n;
};

/* Every configured marketplace (only `only` when not NULL) with its plugins. */
void plugins_catalog(const char *codex_home, const struct plugins_config *c, const char *only,
                     struct plugin_catalog *out);
void plugin_catalog_free(struct plugin_catalog *cat);

/* "plugin@market" or plugin with market: 0 with plugin and market set
 * (malloc'd), or -1 with err. */
int plugins_parse_selector(const char *selector, const char *market_flag, char **plugin,
                           char **market, struct codex_error *err);

/* Add the MCP servers of the installed, enabled plugins to cfg (one the
 * user configured under the same name wins); a plugin file that cannot be
 * used adds a line to warnings and nothing else.  Nothing when the plugins
 * feature is off. */
struct codex_config;
void plugins_merge_mcp_servers(struct codex_config *cfg, struct strvec *warnings);

/* ---- files --------------------------------------------------------------------- */

int plugins_remove_tree(const char *path);
int plugins_copy_tree(const char *from, const char *to, struct codex_error *err);

#endif
