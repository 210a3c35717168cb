/* What we know about model slugs: the request shape and limits they need. */
#ifndef CODEX_CORE_MODELS_H
#define CODEX_CORE_MODELS_H

#include <stdbool.h>
#include <stdint.h>

struct model_info {
    const char *slug_prefix;
    int64_t context_window;       /* tokens usable for input (already net of headroom) */
    const char *default_effort;   /* NULL: the model takes no reasoning effort */
    const char *verbosity;        /* text.verbosity, NULL: not sent */
    bool apply_patch_freeform;    /* custom grammar tool, else JSON function */
    bool parallel_tool_calls;
    bool known;                   /* false for the fallback entry */
};

/* The catalog entry for slug; unknown slugs get a conservative fallback that
 * still offers apply_patch. */
const struct model_info *model_info_lookup(const char *slug);
const char *model_default_slug(void);

#endif
