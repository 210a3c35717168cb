#include "core/plugin_skills.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void plugin_skill_roots_load(const struct codex_config *cfg, struct plugin_skill_roots *out)
{
    memset(out, 0, sizeof *out);
    if (!config_feature_enabled(cfg, "plugins"))
        return;
    struct plugins_config pc;
    plugins_config_read(cfg->root, cfg->codex_home, &pc);
    out->n_active = plugins_active(cfg->codex_home, &pc, &out->active);
    plugins_config_free(&pc);
    out->roots = xcalloc(out->n_active ? out->n_active : 1, sizeof *out->roots);
    for (size_t i = 0; i < out->n_active; i++)
        if (out->active[i].skills_dir)
            out->roots[out->n++] = (struct skill_plugin_root){
                out->active[i].skills_dir, out->active[i].name, out->active[i].id};
}

void plugin_skill_roots_free(struct plugin_skill_roots *r)
{
    active_plugins_free(r->active, r->n_active);
    free(r->roots);
    memset(r, 0, sizeof *r);
}
