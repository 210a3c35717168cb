/* A session killed between a tool call and its output leaves the call
 * dangling in the rollout, and the Responses API refuses any request that
 * carries a call without its output (400).  On resume every such call gets
 * an output saying it was interrupted, so every rollout stays resumable. */
#include "core/resume_repair.h"

#include <stdbool.h>
#include <string.h>

/* The output item type that answers a call item type, or NULL. */
static const char *output_type_for(const char *call_type)
{
    if (strcmp(call_type, "function_call") == 0)
        return "function_call_output";
    if (strcmp(call_type, "custom_tool_call") == 0)
        return "custom_tool_call_output";
    if (strcmp(call_type, "local_shell_call") == 0)
        return "local_shell_call_output";
    return NULL;
}

static bool is_output(const char *type)
{
    size_t n = strlen(type);
    return n > 7 && strcmp(type + n - 7, "_output") == 0;
}

json_t *resume_missing_outputs(const struct json_items *history)
{
    json_t *answered = json_object(); /* call_id -> true */
    size_t i, n = json_items_count(history);
    const json_t *item;
    /* Only the type and call_id are looked at: a long output stays text. */
    for (i = 0; i < n && (item = json_items_peek(history, i)) != NULL; i++) {
        const char *type = json_string_value(json_object_get(item, "type"));
        const char *call_id = json_string_value(json_object_get(item, "call_id"));
        if (type && call_id && is_output(type))
            json_object_set_new(answered, call_id, json_true());
    }
    json_t *missing = json_array();
    for (i = 0; i < n && (item = json_items_peek(history, i)) != NULL; i++) {
        const char *type = json_string_value(json_object_get(item, "type"));
        const char *call_id = json_string_value(json_object_get(item, "call_id"));
        const char *out_type = type ? output_type_for(type) : NULL;
        if (!out_type || !call_id || json_object_get(answered, call_id))
            continue;
        json_array_append_new(missing, json_pack("{s:s s:s s:s}", "type", out_type, "call_id", call_id,
                                                 "output", RESUME_INTERRUPTED_OUTPUT));
        json_object_set_new(answered, call_id, json_true());
    }
    json_decref(answered);
    return missing;
}
