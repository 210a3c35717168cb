/* `codex features`: list the feature flags, or turn one on or off in
 * config.toml.
 *
 * Reference 0.169.0 behaviour this follows: `list` prints name, stage and
 * effective value in aligned columns; `enable NAME` writes NAME = true under
 * [features]; `disable NAME` writes false, or removes the key when the flag
 * is off by default anyway; an unknown name is "Unknown feature flag" with
 * exit 1; legacy names (collab, connectors, ...) are accepted and written as
 * given.  Unlike 0.169.0, which rejects --profile here, an active profile
 * receives the change (as the documentation describes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_flags.h"
#include "config/config.h"
#include "config/features.h"
#include "config/toml.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void print_help(FILE *out, const char *sub)
{
    if (!sub) {
        fputs("Inspect feature flags\n\n"
              "Usage: codex features [OPTIONS] <COMMAND>\n\n"
              "Commands:\n"
              "  list     Show every feature flag with its stage and effective value\n"
              "  enable   Turn a feature flag on in config.toml\n"
              "  disable  Turn a feature flag off in config.toml\n"
              "  help     Print this message or the help of the given subcommand(s)\n\n"
              "Options:\n",
              out);
    } else if (strcmp(sub, "list") == 0) {
        fputs("Show every feature flag with its stage and effective value\n\n"
              "Usage: codex features list [OPTIONS]\n\n"
              "Options:\n",
              out);
    } else {
        bool on = strcmp(sub, "enable") == 0;
        fprintf(out,
                "Turn a feature flag %s in config.toml\n\n"
                "Usage: codex features %s [OPTIONS] <FEATURE>\n\n"
                "Arguments:\n"
                "  <FEATURE>\n"
                "          Feature flag to change, e.g. unified_exec (see `codex features list`)\n\n"
                "Options:\n",
                on ? "on" : "off", sub);
    }
    cli_print_flags(out, CLI_FLAGS_CONFIG);
    cli_print_option(out, "-h, --help", "Print help");
}

static bool starts_with_value(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Only -c/--config, --enable and --disable are accepted here, as in the
 * reference. */
static bool is_config_flag(const char *arg)
{
    return strncmp(arg, "-c", 2) == 0 || starts_with_value(arg, "--config") ||
           starts_with_value(arg, "--enable") || starts_with_value(arg, "--disable");
}

static int list_features(struct cli_opts *o)
{
    struct codex_config cfg;
    int rc = cli_load_config(o, &cfg);
    if (rc)
        return rc;
    int name_width = 0;
    for (const struct feature_info *f = feature_table; f->name; f++)
        if ((int)strlen(f->name) > name_width)
            name_width = (int)strlen(f->name);
    for (const struct feature_info *f = feature_table; f->name; f++)
        printf("%-*s  %-17s  %s%s\n", name_width, f->name, feature_stage_name(f->stage),
               config_feature_enabled(&cfg, f->name) ? "true" : "false",
               feature_supported(f) ? "" : "   (not yet in codex-c)");
    config_free(&cfg);
    return 0;
}

/* Where the change goes: a profile's file or table when a profile is
 * active, config.toml otherwise. */
struct target {
    char *path;
    char *label;          /* for the confirmation line */
    const char *keys[4];  /* path to the flag inside the file */
    size_t n_keys;
};

static bool has_profile_table(const char *config_path, const char *profile)
{
    size_t len;
    char *text = fs_read_file(config_path, 16u << 20, &len);
    if (!text)
        return false;
    struct toml_error te;
    toml_value *root = toml_parse_dialect(text, len, TOML_1_1, &te);
    free(text);
    const char *keys[] = {"profiles", profile};
    bool found = root && toml_table_get_path(root, keys, 2) != NULL;
    toml_free(root);
    return found;
}

static void choose_target(const struct codex_config *cfg, const char *name, struct target *t)
{
    char *config_path = fs_join(cfg->codex_home, "config.toml");
    t->n_keys = 0;
    if (cfg->profile && has_profile_table(config_path, cfg->profile)) {
        t->path = config_path;
        t->label = xasprintf("config.toml (profile `%s`)", cfg->profile);
        t->keys[t->n_keys++] = "profiles";
        t->keys[t->n_keys++] = cfg->profile;
    } else if (cfg->profile) {
        char *file = xasprintf("%s.config.toml", cfg->profile);
        t->path = fs_join(cfg->codex_home, file);
        t->label = file;
        free(config_path);
    } else {
        t->path = config_path;
        t->label = xstrdup("config.toml");
    }
    t->keys[t->n_keys++] = "features";
    t->keys[t->n_keys++] = name;
}

static int edit_file(const struct target *t, const struct feature_info *f, bool on)
{
    /* Off is the default: drop the key rather than spell it out. */
    toml_value *v = on || f->default_enabled ? toml_new_bool(on) : NULL;
    struct codex_error err = CODEX_ERROR_INIT;
    int r = config_file_set(t->path, t->keys, t->n_keys, v, &err);
    toml_free(v);
    if (r < 0) {
        fprintf(stderr, "Error: %s\n", err.message);
        codex_error_clear(&err);
        return 1;
    }
    return 0;
}

static int set_feature(struct cli_opts *o, const char *name, bool on)
{
    struct codex_config cfg;
    int rc = cli_load_config(o, &cfg);
    if (rc)
        return rc;
    const struct feature_info *f = feature_lookup(name);
    if (!f) {
        fprintf(stderr, "Error: Unknown feature flag: %s; `codex features list` shows the known ones\n", name);
        config_free(&cfg);
        return 1;
    }
    /* Requirements pins cannot be overridden, so writing the opposite would
     * only leave a setting that never takes effect (and a startup error). */
    const toml_value *pin = cfg.feature_pins ? toml_table_get(cfg.feature_pins, f->name) : NULL;
    if (pin && toml_bool(pin) != on) {
        fprintf(stderr, "Error: feature `%s` is pinned to %s by requirements.toml; it cannot be %s\n",
                f->name, toml_bool(pin) ? "true" : "false", on ? "enabled" : "disabled");
        config_free(&cfg);
        return 1;
    }
    struct target t;
    choose_target(&cfg, name, &t);
    rc = edit_file(&t, f, on);
    if (rc == 0) {
        printf("%s feature `%s` in %s.\n", on ? "Enabled" : "Disabled", name, t.label);
        if (!feature_supported(f) && on != f->default_enabled)
            fprintf(stderr, "codex-c: feature `%s` is not supported yet; the setting is saved but changes "
                            "nothing here\n",
                    f->name);
        const toml_value *suppress = toml_table_get(cfg.root, "suppress_unstable_features_warning");
        bool quiet = suppress && toml_type(suppress) == TOML_BOOLEAN && toml_bool(suppress);
        if (on && f->stage == FEATURE_UNDER_DEVELOPMENT && !quiet)
            fprintf(stderr,
                    "Warning: `%s` is under development: it is incomplete and may misbehave. "
                    "Set `suppress_unstable_features_warning = true` in %s to hide this warning.\n",
                    f->name, t.path);
    }
    free(t.path);
    free(t.label);
    config_free(&cfg);
    return rc;
}

int cmd_features(struct cli_opts *o, int argc, char **argv)
{
    const char *sub = NULL, *feature = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help(stdout, sub);
            return 0;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            if (!is_config_flag(arg))
                return cli_usage_error(sub ? "codex features" : "codex features",
                                       "unexpected argument '%s' found", arg);
            if (cli_shared_flag(o, "codex features", argc, argv, &i) < 0)
                return 2;
            continue;
        }
        if (!sub) {
            if (strcmp(arg, "help") == 0) {
                const char *topic = i + 1 < argc ? argv[i + 1] : NULL;
                bool known = topic && (strcmp(topic, "list") == 0 || strcmp(topic, "enable") == 0 ||
                                       strcmp(topic, "disable") == 0);
                print_help(stdout, known ? topic : NULL);
                return 0;
            }
            if (strcmp(arg, "list") != 0 && strcmp(arg, "enable") != 0 && strcmp(arg, "disable") != 0)
                return cli_usage_error("codex features", "unrecognized subcommand '%s'", arg);
            sub = arg;
            continue;
        }
        if (strcmp(sub, "list") == 0 || feature)
            return cli_usage_error("codex features", "unexpected argument '%s' found", arg);
        feature = arg;
    }
    if (!sub) {
        print_help(stderr, NULL);
        return 2;
    }
    if (strcmp(sub, "list") == 0)
        return list_features(o);
    if (!feature)
        return cli_usage_error("codex features",
                               "the following required arguments were not provided:\n  <FEATURE>\n\n"
                               "Usage: codex features %s <FEATURE>",
                               sub);
    return set_feature(o, feature, strcmp(sub, "enable") == 0);
}
