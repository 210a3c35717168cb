/* The built-in model catalog: the models the reference offers (0.169.0),
 * their reasoning efforts and defaults.  model/list renders it; the agent
 * core can look models up here (one catalog for the whole program). */
#ifndef CODEX_MODEL_CATALOG_H
#define CODEX_MODEL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

struct model_effort {
    const char *effort;      /* "low", "medium", ... */
    const char *description; /* one line for pickers */
};

struct model_info {
    const char *slug;         /* id sent to the API, e.g. "gpt-6.1-sol" */
    const char *display_name; /* "GPT-6.1-Sol" */
    const char *description;
    const char *default_effort;
    const struct model_effort *efforts; /* terminated by {NULL} */
    const char *upgrade;      /* slug of the suggested successor, or NULL */
    const char *multi_agent_version; /* "v1", "v2" or NULL */
    const char *default_service_tier; /* NULL when none */
    const char *service_tier_description; /* of the "priority" tier */
    bool hidden;              /* not shown in pickers unless asked */
    bool is_default;
};

/* In the reference's display order, terminated by {NULL}. */
extern const struct model_info model_catalog[];

const struct model_info *model_catalog_find(const char *slug);
const struct model_info *model_catalog_default(void);

#endif
