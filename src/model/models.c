#include "model/models.h"

#include <string.h>

#include "model/catalog.h"

/* Longest prefix first: lookup takes the first match. */
static const struct model_request_facts families[] = {
    {"gpt-6", 258400, "low", "low", true, true, true, false, true},
    {"gpt-5.6", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5.5", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5.4", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5.3-codex", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5.2-codex", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5.1-codex", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5-codex", 258400, "medium", "low", true, true, true, false, true},
    {"gpt-5", 258400, "medium", "low", true, true, true, false, true},
    {"o3", 190000, "medium", NULL, false, true, true, false, false},
    {"o4-mini", 190000, "medium", NULL, false, true, true, false, false},
    {"gpt-4.1", 1000000, NULL, NULL, false, true, true, false, false},
    {"gpt-oss", 128000, "medium", NULL, false, false, true, false, false},
    /* codex-mini was trained on the Responses API's own local_shell tool. */
    {"codex-mini", 200000, "medium", NULL, false, false, true, true, false},
};

static const struct model_request_facts fallback = {"", 258400, NULL, NULL, false, true, false, false, false};

const struct model_request_facts *model_facts_lookup(const char *slug)
{
    for (size_t i = 0; slug && i < sizeof families / sizeof families[0]; i++)
        if (strncmp(slug, families[i].slug_prefix, strlen(families[i].slug_prefix)) == 0)
            return &families[i];
    return &fallback;
}

const char *model_default_effort(const char *slug)
{
    const struct model_request_facts *family = model_facts_lookup(slug);
    const struct model_info *m = slug ? model_catalog_find(slug) : NULL;
    if (m && family->default_effort && m->default_effort)
        return m->default_effort;
    return family->default_effort;
}

const char *model_default_slug(void)
{
    return model_catalog_default()->slug;
}
