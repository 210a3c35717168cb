/* `codex plugin marketplace`: add, list, upgrade and remove the marketplaces
 * of config.toml.  Git sources are cloned with the `git` program in the
 * foreground (nothing else runs in this process meanwhile). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_flags.h"
#include "cli/plugin_cli.h"
#include "config/config.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/json_text.h"

static void print_help(FILE *out, const char *sub)
{
    if (!sub) {
        fputs("Add, list, upgrade, or remove configured plugin marketplaces\n\n"
              "Usage: codex plugin marketplace [OPTIONS] <COMMAND>\n\n"
              "Commands:\n"
              "  add      Add a local or Git marketplace to the configured marketplace sources\n"
              "  list     List plugin marketplaces Codex is currently considering and their roots\n"
              "  upgrade  Refresh configured Git marketplace snapshots\n"
              "  remove   Remove a configured marketplace source by name\n"
              "  help     Print this message or the help of the given subcommand(s)\n\n"
              "Options:\n",
              out);
    } else if (strcmp(sub, "add") == 0) {
        fputs("Add a local or Git marketplace to the configured marketplace sources\n\n"
              "Usage: codex plugin marketplace add [OPTIONS] <SOURCE>\n\n"
              "Arguments:\n  <SOURCE>\n          Marketplace source: a local path, owner/repo[@ref], "
              "HTTPS Git URL, or SSH Git URL\n\nOptions:\n",
              out);
        cli_print_option(out, "--ref <REF>", "Git ref to fetch for Git marketplace sources");
        cli_print_option(out, "--sparse <PATH>",
                         "Sparse checkout path for Git marketplace sources. Can be repeated");
        cli_print_option(out, "--json", "Output add result as JSON");
    } else if (strcmp(sub, "list") == 0) {
        fputs("List plugin marketplaces Codex is currently considering and their roots\n\n"
              "Usage: codex plugin marketplace list [OPTIONS]\n\nOptions:\n",
              out);
        cli_print_option(out, "--json", "Output marketplace list as JSON");
    } else if (strcmp(sub, "upgrade") == 0) {
        fputs("Refresh configured Git marketplace snapshots.\n\n"
              "Omit MARKETPLACE_NAME to upgrade all configured Git marketplaces.\n\n"
              "Usage: codex plugin marketplace upgrade [OPTIONS] [MARKETPLACE_NAME]\n\n"
              "Arguments:\n  [MARKETPLACE_NAME]\n          Optional configured marketplace name to "
              "upgrade. Omit to upgrade all Git marketplaces\n\nOptions:\n",
              out);
        cli_print_option(out, "--json", "Output upgrade result as JSON");
    } else {
        fputs("Remove a configured marketplace source by name\n\n"
              "Usage: codex plugin marketplace remove [OPTIONS] <MARKETPLACE_NAME>\n\n"
              "Arguments:\n  <MARKETPLACE_NAME>\n          Configured marketplace name to remove\n\n"
              "Options:\n",
              out);
        cli_print_option(out, "--json", "Output remove result as JSON");
    }
    cli_print_flags(out, CLI_FLAGS_CONFIG);
    cli_print_option(out, "-h, --help", "Print help");
}

static int list(const struct plugins_config *pc, bool as_json)
{
    if (as_json) {
        json_t *a = json_array();
        for (size_t i = 0; i < pc->n_marketplaces; i++) {
            const struct configured_marketplace *m = &pc->marketplaces[i];
            json_t *j = json_pack("{s:s s:s}", "name", m->name, "root", m->root);
            plugin_cli_set_market_source(j, m);
            json_array_append_new(a, j);
        }
        plugin_cli_print_json(json_pack("{s:o}", "marketplaces", a));
        return 0;
    }
    if (!pc->n_marketplaces) {
        puts("No plugin marketplaces in scope.");
        return 0;
    }
    int w = (int)strlen("MARKETPLACE");
    for (size_t i = 0; i < pc->n_marketplaces; i++)
        if ((int)strlen(pc->marketplaces[i].name) > w)
            w = (int)strlen(pc->marketplaces[i].name);
    printf("%-*s  ROOT\n", w, "MARKETPLACE");
    for (size_t i = 0; i < pc->n_marketplaces; i++)
        printf("%-*s  %s\n", w, pc->marketplaces[i].name, pc->marketplaces[i].root);
    return 0;
}

static int add(const struct codex_config *cfg, const struct plugins_config *pc, const char *source,
               const char *ref, const struct strvec *sparse, bool as_json)
{
    char *config_path = fs_join(cfg->codex_home, "config.toml");
    struct marketplace_add_opts o = {
        .source = source, .ref = ref, .sparse_paths = (const char *const *)sparse->v,
        .n_sparse = sparse->n, .cwd = cfg->cwd, .envp = cfg->envp,
    };
    struct marketplace_add_result r;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = plugins_marketplace_add(cfg->codex_home, config_path, pc, &o, &r, &err);
    free(config_path);
    if (rc < 0)
        return plugin_cli_fail(&err);
    if (as_json) {
        json_t *j = json_pack("{s:s s:s}", "marketplaceName", r.name, "installedRoot", r.installed_root);
        if (r.already_added)
            json_object_set_new(j, "alreadyAdded", json_true());
        plugin_cli_print_json(j);
    } else if (r.already_added) {
        printf("Marketplace `%s` is already added from %s.\nInstalled marketplace root: %s\n", r.name,
               r.display_source, r.installed_root);
    } else {
        printf("Added marketplace `%s` from %s.\nInstalled marketplace root: %s\n", r.name,
               r.display_source, r.installed_root);
    }
    marketplace_add_result_free(&r);
    return 0;
}

static int remove_market(const struct codex_config *cfg, const struct plugins_config *pc,
                         const char *name, bool as_json)
{
    char *config_path = fs_join(cfg->codex_home, "config.toml");
    char *removed = NULL;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = plugins_marketplace_remove(cfg->codex_home, config_path, pc, name, &removed, &err);
    free(config_path);
    if (rc < 0)
        return plugin_cli_fail(&err);
    if (as_json) {
        plugin_cli_print_json(json_pack("{s:s s:o}", "marketplaceName", name, "installedRoot",
                                        removed ? json_string(removed) : json_null()));
    } else {
        printf("Removed marketplace `%s`.\n", name);
        if (removed)
            printf("Removed installed marketplace root: %s\n", removed);
    }
    free(removed);
    return 0;
}

static int upgrade(const struct codex_config *cfg, const struct plugins_config *pc, const char *name,
                   bool as_json)
{
    struct marketplace_upgrade_result r;
    struct codex_error err = CODEX_ERROR_INIT;
    if (plugins_marketplace_upgrade(cfg->codex_home, pc, name, cfg->envp, &r, &err) < 0)
        return plugin_cli_fail(&err);
    int rc = r.errors.n ? 1 : 0;
    if (as_json) {
        plugin_cli_print_json(json_pack("{s:o s:o s:o}", "selectedMarketplaces", json_string_array(&r.selected),
                                        "upgradedRoots", json_string_array(&r.upgraded_roots), "errors",
                                        json_string_array(&r.errors)));
    } else if (!r.selected.n) {
        puts("No configured Git marketplaces to upgrade.");
    } else {
        if (r.upgraded_roots.n) {
            printf("Upgraded %zu marketplace(s).\n", r.upgraded_roots.n);
            for (size_t i = 0; i < r.upgraded_roots.n; i++)
                printf("Installed marketplace root: %s\n", r.upgraded_roots.v[i]);
        } else if (!r.errors.n) {
            puts("All configured Git marketplaces are already up to date.");
        }
        for (size_t i = 0; i < r.errors.n; i++)
            fprintf(stderr, "Error: %s\n", r.errors.v[i]);
    }
    marketplace_upgrade_result_free(&r);
    return rc;
}

int cmd_plugin_marketplace(struct cli_opts *o, int argc, char **argv)
{
    const char *sub = NULL, *arg1 = NULL, *ref = NULL;
    struct strvec sparse = {0};
    bool as_json = false;
    int rc = 2;
    static const char usage[] = "codex plugin marketplace [OPTIONS] <COMMAND>";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help(stdout, sub);
            rc = 0;
            goto done;
        }
        if (plugin_cli_config_flag(arg)) {
            if (cli_shared_flag(o, "codex plugin marketplace", argc, argv, &i) < 0)
                goto done;
            continue;
        }
        if (sub && strcmp(arg, "--json") == 0) {
            as_json = true;
            continue;
        }
        if (sub && strcmp(sub, "add") == 0) {
            if ((v = plugin_cli_flag_value("--ref", NULL, argc, argv, &i))) {
                ref = v;
                continue;
            }
            if ((v = plugin_cli_flag_value("--sparse", NULL, argc, argv, &i))) {
                strvec_push(&sparse, v);
                continue;
            }
        }
        if (arg[0] == '-' && arg[1]) {
            rc = plugin_cli_usage(usage, "unexpected argument '%s' found", arg);
            goto done;
        }
        if (!sub) {
            if (strcmp(arg, "help") == 0) {
                print_help(stdout, i + 1 < argc ? argv[i + 1] : NULL);
                rc = 0;
                goto done;
            }
            static const char *const subs[] = {"add", "list", "upgrade", "remove", NULL};
            for (int k = 0; subs[k]; k++)
                if (strcmp(arg, subs[k]) == 0)
                    sub = subs[k];
            if (!sub) {
                rc = plugin_cli_usage(usage, "unrecognized subcommand '%s'", arg);
                goto done;
            }
            continue;
        }
        if (strcmp(sub, "list") != 0 && !arg1) {
            arg1 = arg;
            continue;
        }
        rc = plugin_cli_usage(usage, "unexpected argument '%s' found", arg);
        goto done;
    }
    if (!sub) {
        print_help(stderr, NULL);
        goto done;
    }
    if (!arg1 && (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0)) {
        fprintf(stderr, "error: the following required arguments were not provided:\n  %s\n\n"
                        "Usage: codex plugin marketplace %s %s\n\nFor more information, try '--help'.\n",
                strcmp(sub, "add") == 0 ? "<SOURCE>" : "<MARKETPLACE_NAME>", sub,
                strcmp(sub, "add") == 0 ? "<SOURCE>" : "<MARKETPLACE_NAME>");
        goto done;
    }
    struct codex_config cfg;
    rc = cli_load_config(o, &cfg);
    if (rc)
        goto done;
    struct plugins_config pc;
    plugins_config_read(cfg.root, cfg.codex_home, &pc);
    if (strcmp(sub, "list") == 0 && !config_feature_enabled(&cfg, "plugins"))
        rc = list(&(struct plugins_config){0}, as_json); /* the feature is off: none in scope */
    else if (strcmp(sub, "list") == 0) {
        plugin_cli_add_home_marketplace(&cfg, &pc);
        rc = list(&pc, as_json);
    }
    else if (strcmp(sub, "add") == 0)
        rc = add(&cfg, &pc, arg1, ref, &sparse, as_json);
    else if (strcmp(sub, "remove") == 0)
        rc = remove_market(&cfg, &pc, arg1, as_json);
    else
        rc = upgrade(&cfg, &pc, arg1, as_json);
    plugins_config_free(&pc);
    config_free(&cfg);
done:
    strvec_free(&sparse);
    return rc;
}
