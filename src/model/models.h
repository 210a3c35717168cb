/* How to talk to a model: the request shape and limits a model family needs.
 * Which models exist (for pickers and model/list) is model/catalog.h; this
 * file only maps a slug to request facts, by family prefix. */
#ifndef CODEX_MODEL_MODELS_H
#define CODEX_MODEL_MODELS_H

#include <stdbool.h>
#include <stdint.h>

struct model_request_facts {
    const char *slug_prefix;
    int64_t context_window;       /* tokens usable for input (already net of headroom) */
    const char *default_effort;   /* NULL: the model takes no reasoning effort */
    const char *verbosity;        /* text.verbosity, NULL: not sent */
    bool apply_patch_freeform;    /* custom grammar tool, else JSON function */
    bool parallel_tool_calls;
    bool known;                   /* false for the fallback entry */
    bool local_shell;             /* takes the Responses API's local_shell tool */
    bool tool_search;             /* takes client-executed tool_search (deferred tools) */
};

/* The facts for slug's family; unknown slugs get a conservative fallback
 * that still offers apply_patch (as a JSON function). */
const struct model_request_facts *model_facts_lookup(const char *slug);
/* The reasoning effort to send when none is configured: the catalog model's
 * own default, else its family's; NULL when the model takes none. */
const char *model_default_effort(const char *slug);
/* The model used when none is configured: the catalog's default. */
const char *model_default_slug(void);

#endif
