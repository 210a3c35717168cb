#include "model/catalog.h"

#include <string.h>

#define EFFORT_LOW {"low", "Quick answers with light reasoning"}
#define EFFORT_MEDIUM {"medium", "A balance of speed and depth for everyday work"}
#define EFFORT_HIGH {"high", "Deeper reasoning for hard problems"}
#define EFFORT_XHIGH {"xhigh", "Very deep reasoning for the hardest problems"}
#define EFFORT_MAX {"max", "The deepest reasoning the model offers"}
#define EFFORT_ULTRA {"ultra", "Deepest reasoning, delegating parts of the task automatically"}

static const struct model_effort efforts_ultra[] = {
    EFFORT_LOW, EFFORT_MEDIUM, EFFORT_HIGH, EFFORT_XHIGH, EFFORT_MAX, EFFORT_ULTRA, {NULL, NULL},
};
static const struct model_effort efforts_max[] = {
    EFFORT_LOW, EFFORT_MEDIUM, EFFORT_HIGH, EFFORT_XHIGH, EFFORT_MAX, {NULL, NULL},
};
static const struct model_effort efforts_xhigh[] = {
    EFFORT_LOW, EFFORT_MEDIUM, EFFORT_HIGH, EFFORT_XHIGH, {NULL, NULL},
};

const struct model_info model_catalog[] = {
    {"gpt-6.1-sol", "GPT-6.1-Sol", "Current general model for coding and everyday work.", "low",
     efforts_ultra, NULL, "v2", NULL, "2x speed, increased usage", false, true},
    {"gpt-6-astra", "GPT-6-Astra", "Most capable model, for the hardest work.", "low",
     efforts_ultra, NULL, "v2", NULL, "2x speed, increased usage", false, false},
    {"gpt-6-sol", "GPT-6-Sol", "Previous general model.", "medium", efforts_ultra, NULL, "v2",
     "priority", "1.5x speed", false, false},
    {"gpt-6-luna", "GPT-6-Luna", "Fast, low-cost model for simpler tasks.", "medium", efforts_max,
     NULL, "v2", "priority", "1.5x speed", false, false},
    {"gpt-5.6-sol", "GPT-5.6-Sol", "Older general model.", "low", efforts_ultra, "gpt-6-sol", "v2",
     NULL, "1.5x speed, increased usage", false, false},
    {"gpt-6.1-terra", "GPT-6.1 Terra", "GPT-6.1 Terra model for Codex.", "low", efforts_ultra, NULL,
     "v2", NULL, "1.5x speed", false, false},
    {"gpt-5.6-terra", "GPT-5.6-Terra", "Older balanced model for plain tasks.", "medium",
     efforts_ultra, "gpt-6-sol", "v2", NULL, "1.5x speed, increased usage", false, false},
    {"gpt-5.6-luna", "GPT-5.6-Luna", "Older fast, low-cost model.", "medium", efforts_max,
     "gpt-6-luna", "v1", NULL, "1.5x speed, increased usage", false, false},
    {"gpt-5.5", "GPT-5.5", "Legacy coding model.", "medium", efforts_xhigh, "gpt-6-sol", NULL, NULL,
     "1.5x speed, increased usage", false, false},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, false},
};

const struct model_info *model_catalog_find(const char *slug)
{
    for (const struct model_info *m = model_catalog; m->slug; m++)
        if (strcmp(m->slug, slug) == 0)
            return m;
    return NULL;
}

const struct model_info *model_catalog_default(void)
{
    for (const struct model_info *m = model_catalog; m->slug; m++)
        if (m->is_default)
            return m;
    return &model_catalog[0];
}
