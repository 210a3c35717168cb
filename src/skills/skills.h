/* Skills: folders holding a SKILL.md (YAML front matter with a name and a
 * description, then instructions) that the model is told about by name and
 * reads only when it uses one.
 *
 * Discovery walks the skill roots the reference reads, in its listing
 * order: the bundled skills ($CODEX_HOME/skills/.system); the repository's
 * .codex/skills and .agents/skills from cwd up to the project root
 * (closest first); $CODEX_HOME/skills; $HOME/.agents/skills; then extra
 * roots the host adds.  Only the front matter of each SKILL.md is read at
 * discovery; the body is read when a skill is mentioned.  A SKILL.md that
 * cannot be used is reported (file:line:col) and skipped. */
#ifndef CODEX_SKILLS_SKILLS_H
#define CODEX_SKILLS_SKILLS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strvec.h"

enum skill_scope { SKILL_SCOPE_REPO, SKILL_SCOPE_USER, SKILL_SCOPE_SYSTEM, SKILL_SCOPE_ADMIN };

struct skill {
    char *name;
    char *description;       /* one line, at most 1024 characters */
    char *short_description; /* metadata.short-description, or NULL */
    char *path;              /* absolute path of the SKILL.md */
    enum skill_scope scope;
    size_t root;             /* index into skill_catalog.roots */
    bool enabled;            /* not turned off by [[skills.config]] */
    bool implicit;           /* listed to the model (agents/openai.yaml policy) */
    /* agents/openai.yaml "interface", each NULL when absent */
    char *display_name;
    char *interface_short_description;
    char *default_prompt;
    char *brand_color;
    char *plugin_id; /* "<plugin>@<marketplace>" for an installed plugin's skill, else NULL */
};

struct skill_problem {
    char *path;    /* the SKILL.md */
    char *message; /* "FILE:LINE:COL: what" */
};

struct skill_catalog {
    struct skill *skills; /* listing order */
    size_t n;
    struct strvec roots;  /* absolute root directories, by index */
    struct skill_problem *problems;
    size_t n_problems;
};

/* One [[skills.config]] entry: a skill chosen by its SKILL.md path or by
 * name, turned on or off.  Later entries win over earlier ones. */
struct skill_rule {
    const char *path; /* absolute SKILL.md, or NULL */
    const char *name; /* or NULL */
    bool enabled;
};

struct skill_plugin_root {
    const char *dir;    /* absolute */
    const char *plugin; /* the namespace */
    const char *id;     /* "<plugin>@<marketplace>" */
};

struct skills_discover_opts {
    const char *codex_home;  /* absolute */
    const char *home;        /* $HOME, or NULL */
    const char *cwd;         /* absolute */
    const char *project_root; /* where the repo walk stops (the git root), or NULL: cwd only */
    const char *const *extra_roots; /* more user roots (skills/extraRoots/set) */
    size_t n_extra_roots;
    const struct skill_rule *rules; /* [[skills.config]], in order */
    size_t n_rules;
    bool no_bundled; /* [skills.bundled] enabled = false: skip $CODEX_HOME/skills/.system */
    /* Installed plugins' skills folders (after the user roots): a skill
     * found there is named "<plugin>:<name>", as the reference does. */
    const struct skill_plugin_root *plugin_roots;
    size_t n_plugin_roots;
};

void skills_discover(const struct skills_discover_opts *o, struct skill_catalog *out);
void skill_catalog_free(struct skill_catalog *c);

/* The <skills_instructions> block: the roots, every enabled skill the model
 * may pick by itself, and how to use them.  NULL when there is none. */
char *skills_instructions(const struct skill_catalog *c);

/* The enabled skills a user message mentions as $name (or [$name](path)),
 * in catalog order; a name that more than one skill has is ambiguous and
 * selects none.  *out is malloc'd (free it); returns the count. */
size_t skills_mentioned(const struct skill_catalog *c, const char *text, const struct skill ***out);

/* The message that hands a skill's whole SKILL.md to the model, or NULL
 * with err set when the file cannot be read. */
char *skill_injection_text(const struct skill *s, struct codex_error *err);

/* ---- one SKILL.md -------------------------------------------------------- */

struct skill_front_matter {
    char *name;        /* NULL: not given */
    char *description; /* NULL: not given */
    char *short_description;
};

/* Parse the front matter at the top of text (which may stop anywhere after
 * the closing "---").  0, or -1 with err set, located at path:line:col. */
int skill_front_matter_parse(const char *text, size_t len, const char *path,
                             struct skill_front_matter *out, struct codex_error *err);
void skill_front_matter_free(struct skill_front_matter *fm);

/* Collapse runs of whitespace into single spaces and trim (caller frees). */
char *skill_single_line(const char *s);

#endif
