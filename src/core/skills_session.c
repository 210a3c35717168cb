/* Skills in a session: the catalog is found once when the agent starts,
 * its list goes into the initial context, and a skill the user names as
 * $name in a turn's message has its whole SKILL.md added after that
 * message (skills/skills.h). */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "skills/system.h"
#include "core/plugin_skills.h"
#include "util/envp.h"
#include "util/xalloc.h"

void agent_skills_load(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    struct skill_rule *rules = xcalloc(cfg->n_skill_rules ? cfg->n_skill_rules : 1, sizeof *rules);
    for (size_t i = 0; i < cfg->n_skill_rules; i++)
        rules[i] = (struct skill_rule){cfg->skill_rules[i].path, cfg->skill_rules[i].name,
                                       cfg->skill_rules[i].enabled};
    /* The bundled skills are written at the first session of a process
     * (the reference writes them at start-up); later ones read the marker
     * no more. */
    if (cfg->skills_bundled)
        skills_system_ensure(cfg->codex_home, a->p.warn, a->p.warn_ud);
    struct skills_discover_opts o = {
        .codex_home = cfg->codex_home,
        .home = envp_get_nonempty(cfg->envp, "HOME"),
        .cwd = cfg->cwd,
        .project_root = cfg->project_root,
        .extra_roots = a->p.skill_roots,
        .n_extra_roots = a->p.n_skill_roots,
        .rules = rules,
        .n_rules = cfg->n_skill_rules,
        .no_bundled = !cfg->skills_bundled,
    };
    struct plugin_skill_roots plugin_roots;
    plugin_skill_roots_load(cfg, &plugin_roots);
    o.plugin_roots = plugin_roots.roots;
    o.n_plugin_roots = plugin_roots.n;
    skills_discover(&o, &a->skills);
    plugin_skill_roots_free(&plugin_roots);
    free(rules);
    for (size_t i = 0; i < a->skills.n_problems && a->p.warn; i++) {
        char *msg = xasprintf("skipped skill %s", a->skills.problems[i].message);
        a->p.warn(a->p.warn_ud, msg);
        free(msg);
    }
}

char *agent_skills_instructions(const struct agent *a)
{
    return skills_instructions(&a->skills);
}

void agent_select_skills(struct agent *a, const struct strvec *paths)
{
    strvec_free(&a->selected_skills);
    for (size_t i = 0; paths && i < paths->n; i++)
        strvec_push(&a->selected_skills, paths->v[i]);
}

void agent_skills_inject(struct agent *a, const char *prompt)
{
    const struct skill **hit = NULL;
    size_t n_hit = skills_mentioned(&a->skills, prompt, &hit);
    /* Named in the text, or chosen by path for this turn (turn/start's
     * skill items); each once, in catalog order. */
    size_t n = a->skills.n;
    bool *take = xcalloc(n ? n : 1, sizeof *take);
    for (size_t i = 0; i < n_hit; i++)
        take[hit[i] - a->skills.skills] = true;
    free(hit);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < a->selected_skills.n && !take[i]; k++)
            take[i] = a->skills.skills[i].enabled &&
                      strcmp(a->skills.skills[i].path, a->selected_skills.v[k]) == 0;
    strvec_free(&a->selected_skills);
    for (size_t i = 0; i < n; i++) {
        if (!take[i])
            continue;
        struct codex_error err = CODEX_ERROR_INIT;
        char *text = skill_injection_text(&a->skills.skills[i], &err);
        if (!text) {
            /* The file went away since discovery: the model is told about
             * the skill by the list and can say it cannot read it. */
            char *msg = codex_error_text(&err);
            if (a->p.warn)
                a->p.warn(a->p.warn_ud, msg);
            free(msg);
            codex_error_clear(&err);
            continue;
        }
        const char *texts[] = {text};
        json_t *item = context_message("user", texts, 1);
        agent_record_item(a, item);
        json_decref(item);
        free(text);
    }
    free(take);
}
