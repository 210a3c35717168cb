/* The tool declarations sent to the model: the reference's names and
 * parameters, with our own descriptions. */
#ifndef CODEX_TOOLS_SPECS_H
#define CODEX_TOOLS_SPECS_H

#include <stdbool.h>

#include <jansson.h>

struct tool_registry;
struct web_search_tool_config;

struct tool_spec_opts {
    bool update_plan;        /* [tools.update_plan] enabled */
    bool apply_patch_freeform; /* custom tool with a grammar, else a JSON function */
    bool apply_patch;        /* offered at all */
    bool view_image;
    const char *web_search;  /* "live", "cached", "indexed" or NULL/"disabled" */
    const struct web_search_tool_config *web_search_tool; /* [tools.web_search], or NULL */
    bool local_shell;        /* {"type": "local_shell"} instead of exec_command/write_stdin */
    bool no_shell;           /* features.shell_tool = false: no command tool at all */
    /* Tools providers added (tools/registry.h), placed where the reference
     * places them; NULL for none. */
    const struct tool_registry *registry;
    bool tool_search;        /* the model takes client-executed tool_search */
};

/* A new JSON array of tool declarations. */
json_t *tool_specs_build(const struct tool_spec_opts *o);

#endif
