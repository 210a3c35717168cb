/* The skills folders of the installed, enabled plugins, shaped for skills
 * discovery: sessions and skills/list both pass them in. */
#ifndef CODEX_CORE_PLUGIN_SKILLS_H
#define CODEX_CORE_PLUGIN_SKILLS_H

#include <stddef.h>

#include "config/config.h"
#include "plugins/plugins.h"
#include "skills/skills.h"

struct plugin_skill_roots {
    struct active_plugin *active;
    size_t n_active;
    struct skill_plugin_root *roots; /* borrow from active */
    size_t n;
};

/* Nothing when the plugins feature is off. */
void plugin_skill_roots_load(const struct codex_config *cfg, struct plugin_skill_roots *out);
void plugin_skill_roots_free(struct plugin_skill_roots *r);

#endif
