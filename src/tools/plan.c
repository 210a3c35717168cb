/* update_plan: the model's task list, shown to the user as it changes. */
#include <string.h>

#include "tools/tool.h"
#include "util/xalloc.h"

static const char *check_plan(const json_t *plan)
{
    if (!json_is_array(plan))
        return "\"plan\" must be an array of {step, status}";
    size_t i;
    const json_t *step;
    json_array_foreach(plan, i, step) {
        const char *status = json_string_value(json_object_get(step, "status"));
        if (!json_is_string(json_object_get(step, "step")) || !status)
            return "every plan entry needs a \"step\" and a \"status\" string";
        if (strcmp(status, "pending") && strcmp(status, "in_progress") &&
            strcmp(status, "completed"))
            return "status must be pending, in_progress or completed";
    }
    return NULL;
}

void tool_update_plan(struct tool_call *call, json_t *args)
{
    const char *problem = check_plan(json_object_get(args, "plan"));
    if (problem) {
        tool_call_finish(call, xasprintf("failed to parse function arguments: %s", problem));
        return;
    }
    struct tool_event ev = {.kind = TOOL_EV_PLAN_UPDATED, .plan = args};
    tool_emit(call->host, &ev);
    tool_call_finish(call, xstrdup("Plan updated"));
}
