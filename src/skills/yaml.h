/* The part of YAML that skill files use: block mappings and sequences,
 * plain, quoted and block (| >) scalars, comments.  Flow collections
 * ([a, b], {a: b}) are kept as their source text.  Anchors, aliases, tags
 * and multiple documents are refused with the place they start.
 *
 * SKILL.md front matter and agents/openai.yaml are read with it; nothing
 * here knows what the keys mean. */
#ifndef CODEX_SKILLS_YAML_H
#define CODEX_SKILLS_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum yaml_kind {
    YAML_NULL,   /* key with no value, "~" or "null" */
    YAML_SCALAR, /* text (numbers and booleans are scalars too) */
    YAML_FLOW,   /* [..] or {..}, kept as written */
    YAML_MAP,
    YAML_SEQ,
};

struct yaml_node {
    enum yaml_kind kind;
    char *text;   /* SCALAR, FLOW: the value */
    bool quoted;  /* SCALAR: written in quotes (never a bool or null) */
    int line, col; /* where the value starts (1-based) */
    char **keys;  /* MAP: the keys, in order */
    struct yaml_node **items; /* MAP: values; SEQ: items */
    size_t n;
};

/* Parse text; line numbers start at first_line (the front matter of a
 * SKILL.md starts on line 2).  On malformed input: NULL with err set, its
 * location "FILE:LINE:COL" (file names the source in messages).  Empty
 * input is a YAML_NULL node. */
struct yaml_node *yaml_parse(const char *text, size_t len, int first_line, const char *file,
                             struct codex_error *err);
void yaml_free(struct yaml_node *n);

/* MAP lookup; NULL when absent or n is not a map. */
const struct yaml_node *yaml_get(const struct yaml_node *map, const char *key);
/* The value of a SCALAR, else NULL. */
const char *yaml_scalar(const struct yaml_node *n);
/* true/false for YAML booleans (true, false, yes, no, on, off in any case);
 * -1 for anything else. */
int yaml_bool(const struct yaml_node *n);

#endif
