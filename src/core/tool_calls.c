/* A round of tool calls: every call the model asked for starts before any
 * result is used, so they run side by side; when the last one finishes,
 * their outputs join the history and the next request goes out. */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static void all_calls_done(struct agent *a)
{
    for (size_t i = 0; i < a->n_calls; i++) {
        struct tool_call *c = a->calls[i];
        const char *type = c->local_shell ? "local_shell_call_output"
                           : c->custom    ? "custom_tool_call_output"
                                          : "function_call_output";
        json_t *out = json_pack("{s:s s:s s:s}", "type", type, "call_id", c->call_id, "output",
                                c->output ? c->output : "");
        agent_record_item(a, out);
        json_decref(out);
        size_t k;
        json_t *extra;
        json_array_foreach(c->extra_input, k, extra)
            agent_record_item(a, extra);
        tool_call_free(c);
    }
    free(a->calls);
    a->calls = NULL;
    a->n_calls = a->n_done = 0;
    agent_write_token_count(a);
    if (approvals_take_abort(a->approvals)) {
        agent_finish_turn(a, false, "turn aborted: an approval request was answered with abort");
        return;
    }
    agent_sample(a);
}

static void on_call_finished(struct tool_call *call)
{
    struct agent *a = call->owner;
    if (a->interrupting)
        return;
    if (++a->n_done == a->n_calls && !a->dispatching)
        all_calls_done(a);
}

static struct tool_call *new_call(struct agent *a, const json_t *item, bool custom, bool local_shell)
{
    struct tool_call *c = xcalloc(1, sizeof *c);
    const char *name = local_shell ? "local_shell" : json_string_value(json_object_get(item, "name"));
    const char *call_id = json_string_value(json_object_get(item, "call_id"));
    const char *input = json_string_value(json_object_get(item, custom ? "input" : "arguments"));
    c->host = &a->host;
    c->name = xstrdup(name ? name : "");
    c->call_id = xstrdup(call_id ? call_id : "");
    c->input = local_shell ? json_dumps(json_object_get(item, "action"), JSON_COMPACT | JSON_ENCODE_ANY)
                           : xstrdup(input ? input : "");
    if (!c->input)
        c->input = xstrdup("null");
    c->custom = custom;
    c->local_shell = local_shell;
    c->on_finished = on_call_finished;
    c->owner = a;
    return c;
}

void agent_run_calls(struct agent *a)
{
    size_t n = json_array_size(a->attempt_items);
    a->calls = xcalloc(n ? n : 1, sizeof *a->calls);
    size_t i;
    json_t *item;
    json_array_foreach(a->attempt_items, i, item) {
        const char *type = json_string_value(json_object_get(item, "type"));
        if (strcmp(type, "function_call") == 0)
            a->calls[a->n_calls++] = new_call(a, item, false, false);
        else if (strcmp(type, "custom_tool_call") == 0)
            a->calls[a->n_calls++] = new_call(a, item, true, false);
        else if (strcmp(type, "local_shell_call") == 0)
            a->calls[a->n_calls++] = new_call(a, item, false, true);
    }
    json_array_clear(a->attempt_items);
    if (a->n_calls == 0) {
        free(a->calls);
        a->calls = NULL;
        agent_write_token_count(a);
        agent_finish_turn(a, true, NULL);
        return;
    }
    /* Every call starts before any result is used: they run side by side. */
    a->dispatching = true;
    for (size_t k = 0; k < a->n_calls; k++)
        tool_call_start(a->calls[k]);
    a->dispatching = false;
    if (a->n_done == a->n_calls)
        all_calls_done(a);
}

