/* `codex plugin`: list, add and remove plugins of the configured
 * marketplaces; `codex plugin marketplace ...` is in plugin_marketplace.c.
 * Output, --json shapes, messages and exit codes follow reference 0.169.0
 * (tests/plugins/FINDINGS.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/cli_flags.h"
#include "cli/plugin_cli.h"
#include "config/config.h"
#include "plugins/plugins.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

void plugin_cli_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    puts(s ? s : "null");
    free(s);
    json_decref(v);
}

int plugin_cli_fail(struct codex_error *err)
{
    char *text = codex_error_text(err);
    fprintf(stderr, "Error: %s\n", text ? text : "failed");
    free(text);
    codex_error_clear(err);
    return 1;
}

void plugin_cli_set_market_source(json_t *obj, const struct configured_marketplace *m)
{
    if (m->source_type) /* a found marketplace has none */
        json_object_set_new(obj, "marketplaceSource",
                            json_pack("{s:s s:s}", "sourceType", m->source_type, "source", m->source));
}

void plugin_cli_add_home_marketplace(const struct codex_config *cfg, struct plugins_config *pc)
{
    const char *home = envp_get_nonempty(cfg->envp, "HOME");
    if (home)
        plugins_config_add_found(pc, home, true);
}

static void print_help(FILE *out, const char *sub)
{
    if (!sub) {
        fputs("Manage Codex plugins\n\n"
              "Usage: codex plugin [OPTIONS] <COMMAND>\n\n"
              "Commands:\n"
              "  add          Install a plugin from a configured marketplace\n"
              "  list         List plugins available from configured marketplaces\n"
              "  marketplace  Add, list, upgrade, or remove configured plugin marketplaces\n"
              "  remove       Uninstall a plugin and remove its local cache\n"
              "  help         Print this message or the help of the given subcommand(s)\n\n"
              "Options:\n",
              out);
    } else if (strcmp(sub, "list") == 0) {
        fputs("List plugins available from configured marketplaces\n\n"
              "Usage: codex plugin list [OPTIONS]\n\nOptions:\n",
              out);
        cli_print_option(out, "-m, --marketplace <MARKETPLACE>", "Only list plugins from this marketplace name");
        cli_print_option(out, "--json", "Output plugin list as JSON");
        cli_print_option(out, "--available", "Include uninstalled marketplace plugins in the JSON output");
    } else {
        bool add = strcmp(sub, "add") == 0;
        fprintf(out, "%s\n\nPass either `PLUGIN@MARKETPLACE` or pass `PLUGIN` with `--marketplace "
                     "MARKETPLACE`.\n\nUsage: codex plugin %s [OPTIONS] <PLUGIN[@MARKETPLACE]>\n\n"
                     "Arguments:\n  <PLUGIN[@MARKETPLACE]>\n          Plugin selector to %s: either "
                     "PLUGIN@MARKETPLACE or PLUGIN with --marketplace\n\nOptions:\n",
                add ? "Install a plugin from a configured marketplace."
                    : "Uninstall a plugin and remove its local cache.",
                sub, add ? "install" : "remove");
        cli_print_option(out, "-m, --marketplace <MARKETPLACE>",
                         "Marketplace name to use when PLUGIN does not include @MARKETPLACE");
        cli_print_option(out, "--json", add ? "Output install result as JSON" : "Output remove result as JSON");
    }
    cli_print_flags(out, CLI_FLAGS_CONFIG);
    cli_print_option(out, "-h, --help", "Print help");
}

/* ---- list ------------------------------------------------------------------- */

static json_t *summary_json(const struct catalog_marketplace *cm, const struct plugin_summary *s)
{
    json_t *j = json_pack("{s:s s:s s:s s:o s:b s:b s:{s:s s:s}}", "pluginId", s->id, "name",
                          s->entry->name, "marketplaceName", cm->m.name, "version",
                          s->version ? json_string(s->version) : json_null(), "installed",
                          s->installed, "enabled", s->enabled, "source", "source", "local", "path",
                          s->entry->source_path);
    plugin_cli_set_market_source(j, cm->config);
    json_object_set_new(j, "installPolicy", json_string(s->entry->install_policy));
    json_object_set_new(j, "authPolicy", json_string(s->entry->auth_policy));
    return j;
}

static const char *status_of(const struct plugin_summary *s)
{
    return !s->installed ? "not installed" : s->enabled ? "installed, enabled" : "installed, disabled";
}

static int list(const struct codex_config *cfg, const struct plugins_config *pc, const char *market,
                bool as_json, bool available)
{
    struct plugin_catalog cat;
    plugins_catalog(cfg->codex_home, pc, market, &cat);
    if (market && cat.n == 0 && !as_json) {
        printf("No plugins found in marketplace `%s`.\n", market);
        plugin_catalog_free(&cat);
        return 0;
    }
    for (size_t i = 0; i < cat.n; i++)
        if (cat.markets[i].error)
            fprintf(stderr, "codex-c: skipping marketplace `%s`: %s\n", cat.markets[i].config->name,
                    cat.markets[i].error);
    if (as_json) {
        json_t *installed = json_array(), *avail = json_array();
        for (size_t i = 0; i < cat.n; i++)
            for (size_t k = 0; k < cat.markets[i].n_plugins; k++) {
                const struct plugin_summary *s = &cat.markets[i].plugins[k];
                if (s->installed)
                    json_array_append_new(installed, summary_json(&cat.markets[i], s));
                else if (available)
                    json_array_append_new(avail, summary_json(&cat.markets[i], s));
            }
        plugin_cli_print_json(json_pack("{s:o s:o}", "installed", installed, "available", avail));
        plugin_catalog_free(&cat);
        return 0;
    }
    bool any = false;
    for (size_t i = 0; i < cat.n; i++) {
        const struct catalog_marketplace *cm = &cat.markets[i];
        if (cm->error)
            continue;
        size_t w_id = strlen("PLUGIN"), w_status = strlen("STATUS"), w_ver = strlen("VERSION");
        for (size_t k = 0; k < cm->n_plugins; k++) {
            const struct plugin_summary *s = &cm->plugins[k];
            size_t a = strlen(s->id), b = strlen(status_of(s));
            size_t v = s->installed && s->version ? strlen(s->version) : 0;
            w_id = a > w_id ? a : w_id;
            w_status = b > w_status ? b : w_status;
            w_ver = v > w_ver ? v : w_ver;
        }
        printf("%sMarketplace `%s`\n%s\n\n", any ? "\n" : "", cm->m.name, cm->m.manifest_path);
        any = true;
        printf("%-*s  %-*s  %-*s  SOURCE\n", (int)w_id, "PLUGIN", (int)w_status, "STATUS",
               (int)w_ver, "VERSION");
        for (size_t k = 0; k < cm->n_plugins; k++) {
            const struct plugin_summary *s = &cm->plugins[k];
            printf("%-*s  %-*s  %-*s  %s\n", (int)w_id, s->id, (int)w_status, status_of(s),
                   (int)w_ver, s->installed && s->version ? s->version : "", s->entry->source_path);
        }
    }
    if (!any)
        puts("No marketplace plugins found.");
    plugin_catalog_free(&cat);
    return 0;
}

/* ---- add / remove ------------------------------------------------------------------ */

static int add(const struct codex_config *cfg, const struct plugins_config *pc, const char *plugin,
               const char *market, bool as_json)
{
    struct codex_error err = CODEX_ERROR_INIT;
    const struct configured_marketplace *cm = plugins_config_in_scope(pc, market);
    if (!cm) {
        codex_error_set(&err, "plugin `%s` was not found in marketplace `%s`", plugin, market);
        return plugin_cli_fail(&err);
    }
    char *config_path = fs_join(cfg->codex_home, "config.toml");
    struct plugin_install_result r;
    int rc = plugins_install(cfg->codex_home, config_path, cm->root, plugin, &r, &err);
    free(config_path);
    if (rc < 0)
        return plugin_cli_fail(&err);
    if (as_json) {
        char *id = xasprintf("%s@%s", plugin, market);
        plugin_cli_print_json(json_pack("{s:s s:s s:s s:s s:s s:s}", "pluginId", id, "name", plugin,
                                        "marketplaceName", market, "version", r.version,
                                        "installedPath", r.installed_path, "authPolicy", r.auth_policy));
        free(id);
    } else {
        printf("Added plugin `%s` from marketplace `%s`.\nInstalled plugin root: %s\n", plugin, market,
               r.installed_path);
    }
    plugin_install_result_free(&r);
    return 0;
}

static int remove_plugin(const struct codex_config *cfg, const char *plugin, const char *market,
                         bool as_json)
{
    char *config_path = fs_join(cfg->codex_home, "config.toml");
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = plugins_uninstall(cfg->codex_home, config_path, plugin, market, &err);
    free(config_path);
    if (rc < 0)
        return plugin_cli_fail(&err);
    if (as_json) {
        char *id = xasprintf("%s@%s", plugin, market);
        plugin_cli_print_json(json_pack("{s:s s:s s:s}", "pluginId", id, "name", plugin,
                                        "marketplaceName", market));
        free(id);
    } else {
        printf("Removed plugin `%s` from marketplace `%s`.\n", plugin, market);
    }
    return 0;
}

/* ---- arguments ---------------------------------------------------------------------- */

bool plugin_cli_config_flag(const char *arg)
{
    return strncmp(arg, "-c", 2) == 0 || strncmp(arg, "--config", 8) == 0 ||
           strncmp(arg, "--enable", 8) == 0 || strncmp(arg, "--disable", 9) == 0;
}

int plugin_cli_usage(const char *usage, const char *fmt, const char *arg)
{
    fputs("error: ", stderr);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\nUsage: %s\n\nFor more information, try '--help'.\n", usage);
    return 2;
}

const char *plugin_cli_flag_value(const char *flag, const char *short_flag, int argc, char **argv,
                                  int *i)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], flag) != 0 && !(short_flag && strcmp(argv[*i], short_flag) == 0))
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

int cmd_plugin(struct cli_opts *o, int argc, char **argv)
{
    const char *sub = NULL, *market = NULL, *selector = NULL;
    bool as_json = false, available = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (sub && strcmp(sub, "marketplace") == 0)
            return cmd_plugin_marketplace(o, argc - i + 1, argv + i - 1);
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help(stdout, sub);
            return 0;
        }
        if (plugin_cli_config_flag(arg)) {
            if (cli_shared_flag(o, "codex plugin", argc, argv, &i) < 0)
                return 2;
            continue;
        }
        if (sub && strcmp(arg, "--json") == 0) {
            as_json = true;
            continue;
        }
        if (sub && strcmp(sub, "list") == 0 && strcmp(arg, "--available") == 0) {
            available = true;
            continue;
        }
        if (sub && (v = plugin_cli_flag_value("--marketplace", "-m", argc, argv, &i))) {
            if (!*v)
                return plugin_cli_usage("codex plugin [OPTIONS] <COMMAND>",
                                        "a value is required for '%s' but none was supplied",
                                        "--marketplace <MARKETPLACE>");
            market = v;
            continue;
        }
        if (arg[0] == '-' && arg[1])
            return plugin_cli_usage("codex plugin [OPTIONS] <COMMAND>", "unexpected argument '%s' found", arg);
        if (!sub) {
            if (strcmp(arg, "help") == 0) {
                print_help(stdout, i + 1 < argc ? argv[i + 1] : NULL);
                return 0;
            }
            static const char *const subs[] = {"add", "list", "remove", "marketplace", NULL};
            for (int k = 0; subs[k]; k++)
                if (strcmp(arg, subs[k]) == 0)
                    sub = subs[k];
            if (!sub)
                return plugin_cli_usage("codex plugin [OPTIONS] <COMMAND>",
                                        "unrecognized subcommand '%s'", arg);
            continue;
        }
        if (strcmp(sub, "list") != 0 && !selector) {
            selector = arg;
            continue;
        }
        return plugin_cli_usage("codex plugin [OPTIONS] <COMMAND>", "unexpected argument '%s' found", arg);
    }
    if (!sub) {
        print_help(stderr, NULL);
        return 2;
    }
    if (strcmp(sub, "marketplace") == 0)
        return cmd_plugin_marketplace(o, 1, (char *[]){"marketplace", NULL});
    if (strcmp(sub, "list") != 0 && !selector) {
        fprintf(stderr, "error: the following required arguments were not provided:\n"
                        "  <PLUGIN[@MARKETPLACE]>\n\nUsage: codex plugin %s <PLUGIN[@MARKETPLACE]>\n\n"
                        "For more information, try '--help'.\n", sub);
        return 2;
    }
    struct codex_config cfg;
    int rc = cli_load_config(o, &cfg);
    if (rc)
        return rc;
    struct plugins_config pc;
    plugins_config_read(cfg.root, cfg.codex_home, &pc);
    /* with the feature off the reference sees no marketplaces, so lists
     * are empty and nothing can be added (removing still works) */
    if (!config_feature_enabled(&cfg, "plugins") && strcmp(sub, "remove") != 0)
        plugins_config_free(&pc);
    else
        plugin_cli_add_home_marketplace(&cfg, &pc);
    if (strcmp(sub, "list") == 0) {
        rc = list(&cfg, &pc, market, as_json, available);
    } else {
        char *plugin, *mkt;
        struct codex_error err = CODEX_ERROR_INIT;
        if (plugins_parse_selector(selector, market, &plugin, &mkt, &err) < 0) {
            rc = plugin_cli_fail(&err);
        } else {
            rc = strcmp(sub, "add") == 0 ? add(&cfg, &pc, plugin, mkt, as_json)
                                         : remove_plugin(&cfg, plugin, mkt, as_json);
            free(plugin);
            free(mkt);
        }
    }
    plugins_config_free(&pc);
    config_free(&cfg);
    return rc;
}
