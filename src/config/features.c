/* Feature lookup and effective values (the table is in features_table.c). */
#include <stdlib.h>
#include <string.h>

#include "config/features.h"

/* Older names still accepted in [features], by --enable and by
 * `codex features enable`; the reference 0.169.0 maps them like this
 * (checked with --enable NAME + `features list`). */
static const struct {
    const char *legacy;
    const char *canonical;
} feature_aliases[] = {
    {"collab", "multi_agent"},
    {"codex_hooks", "hooks"},
    {"connectors", "apps"},
    {"web_search", "web_search_request"},
    {"experimental_use_unified_exec_tool", "unified_exec"},
    {"memory_tool", "memories"},
    {"telepathy", "chronicle"},
    {"request_permissions", "exec_permission_approvals"},
    {"enable_experimental_windows_sandbox", "experimental_windows_sandbox"},
};

/* Flags whose setting changes what codex-c does.  A feature that starts
 * working adds its name here. */
static const char *const supported_flags[] = {
    "hooks", "plugins", "shell_tool", "use_legacy_landlock", "view_image", "web_search_cached",
    "web_search_request", NULL,
};

bool feature_supported(const struct feature_info *f)
{
    if (f->stage == FEATURE_REMOVED || f->fixed)
        return true;
    for (const char *const *n = supported_flags; *n; n++)
        if (strcmp(*n, f->name) == 0)
            return true;
    return false;
}

const char *feature_stage_name(enum feature_stage s)
{
    switch (s) {
    case FEATURE_UNDER_DEVELOPMENT:
        return "under development";
    case FEATURE_EXPERIMENTAL:
        return "experimental";
    case FEATURE_STABLE:
        return "stable";
    case FEATURE_DEPRECATED:
        return "deprecated";
    case FEATURE_REMOVED:
        return "removed";
    }
    return "unknown";
}

static int compare_feature(const void *key, const void *elem)
{
    return strcmp(key, ((const struct feature_info *)elem)->name);
}

static const struct feature_info *find_canonical(const char *name)
{
    size_t n = 0;
    while (feature_table[n].name)
        n++;
    return bsearch(name, feature_table, n, sizeof feature_table[0], compare_feature);
}

const struct feature_info *feature_lookup(const char *name)
{
    const struct feature_info *f = find_canonical(name);
    if (f)
        return f;
    for (size_t i = 0; i < sizeof feature_aliases / sizeof feature_aliases[0]; i++)
        if (strcmp(name, feature_aliases[i].legacy) == 0)
            return find_canonical(feature_aliases[i].canonical);
    return NULL;
}

/* A [features] entry is a boolean, or for a few flags a table of settings
 * that turns the flag on unless it says `enabled = false`. */
static bool entry_value(const toml_value *v, bool *out)
{
    if (toml_type(v) == TOML_BOOLEAN) {
        *out = toml_bool(v);
        return true;
    }
    if (toml_type(v) == TOML_TABLE) {
        const toml_value *e = toml_table_get(v, "enabled");
        *out = !(e && toml_type(e) == TOML_BOOLEAN && !toml_bool(e));
        return true;
    }
    return false;
}

bool feature_effective(const struct feature_info *f, const toml_value *root)
{
    bool value = f->default_enabled;
    if (f->fixed || !root)
        return value;
    const toml_value *table = toml_table_get(root, "features");
    if (!table || toml_type(table) != TOML_TABLE)
        return value;
    /* Entries apply in file order, so a canonical name written after its
     * legacy alias wins, as a later key would. */
    for (size_t i = 0; i < toml_table_len(table); i++) {
        const char *key = toml_table_key_at(table, i);
        if (feature_lookup(key) != f)
            continue;
        bool b;
        if (entry_value(toml_table_value_at(table, i), &b))
            value = b;
    }
    return value;
}
