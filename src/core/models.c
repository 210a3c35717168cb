#include "core/models.h"

#include <string.h>

/* Longest prefix first: lookup takes the first match. */
static const struct model_info catalog[] = {
    {"gpt-5.5", 258400, "medium", "low", true, true, true},
    {"gpt-5.4", 258400, "medium", "low", true, true, true},
    {"gpt-5.3-codex", 258400, "medium", "low", true, true, true},
    {"gpt-5.2-codex", 258400, "medium", "low", true, true, true},
    {"gpt-5.1-codex", 258400, "medium", "low", true, true, true},
    {"gpt-5-codex", 258400, "medium", "low", true, true, true},
    {"gpt-5", 258400, "medium", "low", true, true, true},
    {"gpt-6", 258400, "low", "low", true, true, true},
    {"o3", 190000, "medium", NULL, false, true, true},
    {"o4-mini", 190000, "medium", NULL, false, true, true},
    {"gpt-4.1", 1000000, NULL, NULL, false, true, true},
    {"gpt-oss", 128000, "medium", NULL, false, false, true},
};

static const struct model_info fallback = {"", 258400, NULL, NULL, false, true, false};

const struct model_info *model_info_lookup(const char *slug)
{
    for (size_t i = 0; slug && i < sizeof catalog / sizeof catalog[0]; i++)
        if (strncmp(slug, catalog[i].slug_prefix, strlen(catalog[i].slug_prefix)) == 0)
            return &catalog[i];
    return &fallback;
}

const char *model_default_slug(void)
{
    return "gpt-5.5";
}
