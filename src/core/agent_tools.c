/* The tools a request offers: the built-in ones, then what providers added
 * through the registry (tools/registry.h), rebuilt only when the registry
 * or the model changes; and the <tools> notes that name deferred
 * namespaces, in the first developer message and, for namespaces that
 * arrive later, in a developer message of their own before the request
 * that first shows them. */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "tools/registry.h"
#include "tools/specs.h"

void agent_tools_init(struct agent *a)
{
    a->registry = tool_registry_new();
    a->host.registry = a->registry;
    a->tools_generation = ~0u;
}

void agent_tools_free(struct agent *a)
{
    tool_registry_free(a->registry);
    a->registry = NULL;
}

struct tool_registry *agent_tool_registry(struct agent *a)
{
    return a->registry;
}

static void rebuild(struct agent *a)
{
    const struct agent_params *p = &a->p;
    bool looks_only = p->guardian != NULL; /* an auto-review reviewer */
    struct tool_spec_opts so = {
        .update_plan = p->update_plan_tool && !looks_only,
        .apply_patch = p->cfg->include_apply_patch_tool && !looks_only,
        .apply_patch_freeform = a->mi->apply_patch_freeform,
        .view_image = config_feature_enabled(p->cfg, "view_image"),
        .no_shell = !config_feature_enabled(p->cfg, "shell_tool"),
        .web_search = looks_only ? NULL : p->cfg->web_search,
        .web_search_tool = &p->cfg->web_search_tool,
        .local_shell = a->mi->local_shell,
        .registry = looks_only ? NULL : a->registry,
        .tool_search = a->mi->tool_search,
    };
    json_decref(a->tools);
    a->tools = tool_specs_build(&so);
    a->tools_generation = tool_registry_generation(a->registry);
    a->tools_mi = a->mi;
}

char *agent_tools_note(struct agent *a)
{
    a->tools_noted = true;
    return tool_registry_note(a->registry, a->mi->tool_search);
}

/* A resumed thread's history already told the model about the namespaces
 * its developer messages name in <tools> notes. */
static void note_what_history_named(struct agent *a)
{
    for (size_t i = 0; i < json_items_count(&a->history); i++) {
        const char *role = json_string_value(json_object_get(json_items_peek(&a->history, i), "role"));
        if (!role || strcmp(role, "developer") != 0)
            continue;
        json_t *item = json_items_get(&a->history, i);
        size_t k;
        json_t *part;
        json_array_foreach(json_object_get(item, "content"), k, part) {
            const char *text = json_string_value(json_object_get(part, "text"));
            if (text)
                tool_registry_note_seen(a->registry, text);
        }
        json_decref(item);
    }
}

void agent_tools_before_request(struct agent *a)
{
    /* The first request after the initial context carries its note; any
     * other request (a resumed thread's included) announces what is new. */
    bool first = a->tools_noted && !a->tools_requested;
    if (a->p.resume && !a->tools_requested)
        note_what_history_named(a);
    char *added = tool_registry_begin_request(a->registry, a->mi->tool_search, first);
    a->tools_requested = true;
    if (added) {
        const char *parts[] = {added};
        json_t *m = context_message("developer", parts, 1);
        agent_record_item(a, m);
        json_decref(m);
        free(added);
    }
    if (!a->tools || a->tools_generation != tool_registry_generation(a->registry) ||
        a->tools_mi != a->mi)
        rebuild(a);
}

void agent_tools_when_ready(struct agent *a, void (*then)(struct agent *a))
{
    if (agent_mcp_wait(a, then))
        return;
    then(a);
}
