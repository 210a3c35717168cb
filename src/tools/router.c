/* Dispatch of a model's tool call to the tool of that name. */
#include <stdlib.h>
#include <string.h>

#include "tools/registry.h"
#include "tools/tool.h"
#include "util/xalloc.h"

void tool_emit(struct tool_host *h, const struct tool_event *ev)
{
    h->ops->emit(h->ctx, ev);
}

void tool_emit_item(struct tool_host *h, enum tool_event_kind kind, const json_t *item)
{
    struct tool_event ev = {.kind = kind, .item = item};
    h->ops->emit(h->ctx, &ev);
}

void tool_gate_clear(struct tool_gate *g)
{
    free(g->message);
    free(g->session_key);
    g->message = g->session_key = NULL;
    strvec_free(&g->amendment);
}

void tool_call_finish(struct tool_call *call, char *output)
{
    if (call->finished || call->dropped) {
        free(output);
        return;
    }
    call->finished = true;
    call->output = output;
    call->on_finished(call);
}

void tool_call_finish_items(struct tool_call *call, json_t *items)
{
    if (call->finished || call->dropped) {
        json_decref(items);
        return;
    }
    call->finished = true;
    call->output_items = items;
    call->on_finished(call);
}

static void call_destroy(struct tool_call *call)
{
    free(call->name);
    free(call->namespace_name);
    free(call->call_id);
    free(call->item_id);
    free(call->input);
    free(call->output);
    json_decref(call->output_items);
    json_decref(call->extra_input);
    free(call);
}

void tool_call_free(struct tool_call *call)
{
    if (!call)
        return;
    if (!call->finished && call->on_drop) {
        void (*drop)(void *) = call->on_drop;
        call->on_drop = NULL;
        drop(call->drop_ud);
    }
    if (call->holds > 0) {
        call->dropped = true;
        return;
    }
    call_destroy(call);
}

void tool_call_hold(struct tool_call *call)
{
    call->holds++;
}

bool tool_call_unhold(struct tool_call *call)
{
    if (--call->holds == 0 && call->dropped) {
        call_destroy(call);
        return false;
    }
    return !call->dropped;
}

/* Function arguments must be a JSON object; anything else goes back to the
 * model as an error it can correct. */
static json_t *parse_args(struct tool_call *call)
{
    json_error_t err;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &err);
    if (!json_is_object(args)) {
        json_decref(args);
        tool_call_finish(call, xasprintf("failed to parse function arguments: %s at line %d "
                                         "column %d",
                                         err.text[0] ? err.text : "expected a JSON object",
                                         err.line, err.column));
        return NULL;
    }
    return args;
}

void tool_call_start(struct tool_call *call)
{
    const char *name = call->name;
    if (call->tool_search) {
        tool_registry_search(call->host->registry, call);
        return;
    }
    if (call->namespace_name) {
        /* A namespaced function belongs to a provider, whatever its name;
         * an unknown one is reported with both parts run together, as the
         * reference does. */
        if (!tool_registry_dispatch(call->host->registry, call))
            tool_call_finish(call, xasprintf("unsupported call: %s%s", call->namespace_name, name));
        return;
    }
    if (call->local_shell) {
        json_t *action = json_loads(call->input, JSON_DECODE_ANY, NULL);
        tool_local_shell(call, action);
        json_decref(action);
        return;
    }
    if (strcmp(name, "apply_patch") == 0 && call->custom) {
        tool_apply_patch(call, call->input ? call->input : "", NULL);
        return;
    }
    if (call->custom) {
        tool_call_finish(call, xasprintf("unsupported custom tool call: %s", name));
        return;
    }
    static const struct {
        const char *name;
        void (*fn)(struct tool_call *, json_t *);
    } table[] = {
        {"exec_command", tool_exec_command}, {"write_stdin", tool_write_stdin},
        {"update_plan", tool_update_plan},   {"view_image", tool_view_image},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].name) != 0)
            continue;
        json_t *args = parse_args(call);
        if (args) {
            table[i].fn(call, args);
            json_decref(args);
        }
        return;
    }
    if (strcmp(name, "apply_patch") == 0) {
        json_t *args = parse_args(call);
        if (args) {
            const char *patch = json_string_value(json_object_get(args, "input"));
            if (patch)
                tool_apply_patch(call, patch, NULL);
            else
                tool_call_finish(call, xstrdup("apply_patch needs an \"input\" string holding "
                                               "the patch"));
            json_decref(args);
        }
        return;
    }
    if (tool_registry_dispatch(call->host->registry, call))
        return;
    tool_call_finish(call, xasprintf("unsupported call: %s", name));
}
