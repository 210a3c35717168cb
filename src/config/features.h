/* [features] flags: the known names with their lifecycle stage and default,
 * the legacy names that still select one of them, and how the effective value
 * of each flag is resolved from the merged config. */
#ifndef CODEX_CONFIG_FEATURES_H
#define CODEX_CONFIG_FEATURES_H

#include <stdbool.h>

#include "config/toml.h"

enum feature_stage {
    FEATURE_UNDER_DEVELOPMENT,
    FEATURE_EXPERIMENTAL,
    FEATURE_STABLE,
    FEATURE_DEPRECATED,
    FEATURE_REMOVED,
};

struct feature_info {
    const char *name;
    enum feature_stage stage;
    bool default_enabled;
    bool fixed; /* config cannot change it: always default_enabled */
};

/* Sorted by name, terminated by {NULL}. */
extern const struct feature_info feature_table[];

/* The label and one-line description /experimental shows for a flag users
 * may switch; false (and NULL) for the others. */
bool feature_menu_text(const struct feature_info *f, const char **display_name,
                       const char **description);

/* "under development", "experimental", "stable", "deprecated", "removed". */
const char *feature_stage_name(enum feature_stage s);

/* Look a name up, following legacy aliases ("collab" -> multi_agent); NULL
 * when the name is unknown. */
const struct feature_info *feature_lookup(const char *name);

/* Does codex-c act on this flag?  Removed and fixed flags need nothing (the
 * reference ignores them too); the others only when codex-c implements
 * what they switch.  `features list` marks the rest, and setting one to
 * anything but its default warns. */
bool feature_supported(const struct feature_info *f);

/* The flag's value given the merged config root (its [features] table),
 * before requirement pins. */
bool feature_effective(const struct feature_info *f, const toml_value *root);

#endif
