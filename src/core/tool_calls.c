/* A round of tool calls: the calls the model asked for start in order, side
 * by side, except that a call its tool says must run alone (an MCP tool
 * that may write) waits for the ones before it and holds back the ones
 * after it.  When the last one finishes, their outputs join the history
 * and the next request goes out. */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core/subagents.h"
#include "tools/registry.h"
#include "util/xalloc.h"

enum call_kind { CALL_FUNCTION, CALL_CUSTOM, CALL_LOCAL_SHELL, CALL_TOOL_SEARCH };

static json_t *output_item(const struct tool_call *c)
{
    if (c->tool_search) {
        char id[UUID_STR_LEN + 4];
        memcpy(id, "tso_", 4);
        uuid_v7(id + 4);
        return json_pack("{s:s s:s s:s s:s s:s s:O}", "type", "tool_search_output", "id", id,
                         "call_id", c->call_id, "status", "completed", "execution", "client",
                         "tools", c->output_items ? c->output_items : json_array());
    }
    const char *type = c->local_shell ? "local_shell_call_output"
                       : c->custom    ? "custom_tool_call_output"
                                      : "function_call_output";
    if (c->output_items)
        return json_pack("{s:s s:s s:O}", "type", type, "call_id", c->call_id, "output",
                         c->output_items);
    return json_pack("{s:s s:s s:s}", "type", type, "call_id", c->call_id, "output",
                     c->output ? c->output : "");
}

static void all_calls_done(struct agent *a)
{
    for (size_t i = 0; i < a->n_calls; i++) {
        struct tool_call *c = a->calls[i];
        /* Notes of the call's hooks sit between the call and its output. */
        size_t n;
        json_t *note;
        json_array_foreach(json_object_get(a->call_contexts, c->call_id), n, note)
            agent_record_item(a, note);
        json_object_del(a->call_contexts, c->call_id);
        json_t *out = output_item(c);
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
    a->n_calls = a->n_done = a->n_started = a->n_running = 0;
    a->exclusive_running = false;
    agent_write_token_count(a);
    if (approvals_take_abort(a->approvals)) {
        agent_finish_turn(a, false, "turn aborted: an approval request was answered with abort");
        return;
    }
    if (a->review_trip) {
        /* The reviewer refused too often: the turn stops here, with the
         * refusals recorded, instead of asking the model again. */
        char *why = a->review_trip;
        a->review_trip = NULL;
        agent_interrupt(a);
        struct agent_event ev = {.kind = AGENT_EV_TURN_ABORTED, .message = why};
        agent_emit(a, &ev);
        free(why);
        return;
    }
    agent_sample_or_compact(a, "mid_turn");
}

static void start_call(struct agent *a, struct tool_call *c);

/* Start every call that may start now, in order; then, if every call has
 * finished, close the round.  Calls that finish while being started only
 * count: the loop here goes on with the next. */
static void pump(struct agent *a)
{
    if (a->dispatching)
        return;
    a->dispatching = true;
    while (a->n_started < a->n_calls && !a->exclusive_running) {
        struct tool_call *c = a->calls[a->n_started];
        bool alone = tool_registry_exclusive(a->registry, c);
        if (alone && a->n_running > 0)
            break;
        a->n_started++;
        a->n_running++;
        a->exclusive_running = alone;
        start_call(a, c);
    }
    a->dispatching = false;
    if (a->n_done == a->n_calls)
        all_calls_done(a);
}

static void keep_notes(struct agent *a, const struct tool_call *c, const struct hook_outcome *o)
{
    if (!o || !o->contexts.n)
        return;
    if (!a->call_contexts)
        a->call_contexts = json_object();
    json_t *list = json_object_get(a->call_contexts, c->call_id);
    if (!list) {
        list = json_array();
        json_object_set_new(a->call_contexts, c->call_id, list);
    }
    for (size_t i = 0; i < o->contexts.n; i++) {
        const char *text[] = {o->contexts.v[i]};
        json_array_append_new(list, context_message("developer", text, 1));
    }
}

static void call_done(struct agent *a)
{
    a->n_done++;
    a->n_running--;
    a->exclusive_running = false;
    pump(a);
}

/* PostToolUse may replace what the model is told with its reason. */
static void after_post_tool_use(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    struct tool_call *call = ctx;
    keep_notes(a, call, o);
    if (o && o->block && o->reason) {
        json_decref(call->output_items);
        call->output_items = NULL;
        free(call->output);
        call->output = xstrdup(o->reason);
    }
    call_done(a);
}

static void on_call_finished(struct tool_call *call)
{
    struct agent *a = call->owner;
    if (a->interrupting)
        return;
    json_t *input;
    const char *tool = agent_hooks_has(a, HOOK_POST_TOOL_USE) && !call->hook_blocked
                           ? agent_hook_tool(call, &input)
                           : NULL;
    if (!tool) {
        call_done(a);
        return;
    }
    json_t *payload = agent_hook_payload(a, HOOK_POST_TOOL_USE, true);
    json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
    json_object_set_new(payload, "tool_name", json_string(tool));
    json_object_set_new(payload, "tool_input", input);
    char *response = agent_hook_tool_response(call);
    json_object_set_new(payload, "tool_response", json_string(response));
    free(response);
    json_object_set_new(payload, "tool_use_id", json_string(call->call_id));
    agent_hooks_fire(a, HOOK_POST_TOOL_USE, tool, payload, after_post_tool_use, call);
}

/* A call PreToolUse blocked does not run; the model hears why. */
static void after_pre_tool_use(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    struct tool_call *c = ctx;
    keep_notes(a, c, o);
    if (!o || !o->block) {
        tool_call_start(c);
        return;
    }
    json_t *input;
    const char *tool = agent_hook_tool(c, &input);
    const char *command = tool ? json_string_value(json_object_get(input, "command")) : NULL;
    c->hook_blocked = true;
    char *text = xasprintf("Command blocked by PreToolUse hook: %s. Command: %s",
                           o->reason ? o->reason : "", command ? command : "");
    json_decref(input);
    tool_call_finish(c, text);
}

static void start_call(struct agent *a, struct tool_call *c)
{
    json_t *input;
    const char *tool = agent_hooks_has(a, HOOK_PRE_TOOL_USE) ? agent_hook_tool(c, &input) : NULL;
    if (!tool) {
        tool_call_start(c);
        return;
    }
    json_t *payload = agent_hook_payload(a, HOOK_PRE_TOOL_USE, true);
    json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
    json_object_set_new(payload, "tool_name", json_string(tool));
    json_object_set_new(payload, "tool_input", input);
    json_object_set_new(payload, "tool_use_id", json_string(c->call_id));
    agent_hooks_fire(a, HOOK_PRE_TOOL_USE, tool, payload, after_pre_tool_use, c);
}

static struct tool_call *new_call(struct agent *a, const json_t *item, enum call_kind kind)
{
    struct tool_call *c = xcalloc(1, sizeof *c);
    const char *name = kind == CALL_LOCAL_SHELL   ? "local_shell"
                       : kind == CALL_TOOL_SEARCH ? "tool_search"
                                                  : json_string_value(json_object_get(item, "name"));
    const char *ns = json_string_value(json_object_get(item, "namespace"));
    const char *call_id = json_string_value(json_object_get(item, "call_id"));
    c->host = &a->host;
    c->name = xstrdup(name ? name : "");
    c->namespace_name = kind == CALL_FUNCTION && ns ? xstrdup(ns) : NULL;
    c->call_id = xstrdup(call_id ? call_id : "");
    const char *item_id = json_string_value(json_object_get(item, "id"));
    c->item_id = item_id ? xstrdup(item_id) : NULL;
    const json_t *input = json_object_get(item, kind == CALL_CUSTOM ? "input" : "arguments");
    if (kind == CALL_LOCAL_SHELL)
        input = json_object_get(item, "action");
    /* Function arguments arrive as a JSON string; tool_search's and
     * local_shell's as JSON values. */
    c->input = json_is_string(input) ? xstrdup(json_string_value(input))
               : input                ? json_dumps(input, JSON_COMPACT | JSON_ENCODE_ANY)
               : kind == CALL_LOCAL_SHELL ? xstrdup("null")
                                          : xstrdup("");
    c->custom = kind == CALL_CUSTOM;
    c->local_shell = kind == CALL_LOCAL_SHELL;
    c->tool_search = kind == CALL_TOOL_SEARCH;
    c->on_finished = on_call_finished;
    c->owner = a;
    return c;
}

/* A Stop hook that blocks keeps the turn going with its reason as the
 * user's next words. */
static void after_stop(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    if (!o || !o->block || !o->reason) {
        agent_finish_turn(a, true, NULL);
        return;
    }
    char *text = xasprintf("<hook_prompt hook_run_id=\"%s\">%s</hook_prompt>", o->block_run_id,
                           o->reason);
    const char *parts[] = {text};
    json_t *m = context_message("user", parts, 1);
    agent_record_item(a, m);
    json_decref(m);
    free(text);
    a->stop_hook_active = true;
    agent_sample_or_compact(a, "mid_turn");
}

/* A subagent stops as a subagent: the parent's transcript, its own beside
 * it, and who it is. */
static void subagent_stop(struct agent *a, const struct subagent_link *link)
{
    const char *type = link->role ? link->role : "default";
    const char *own = a->rollout ? agent_rollout_path(a) : NULL;
    json_t *payload = json_pack("{s:s s:s s:s? s:s? s:s s:s s:s s:s s:b s:s s:s s:s?}",
                                "session_id", link->parent_thread_id, "turn_id", a->turn_id,
                                "transcript_path", link->parent_rollout_path,
                                "agent_transcript_path", own, "cwd", a->p.cfg->cwd,
                                "hook_event_name", "SubagentStop", "model", a->p.model,
                                "permission_mode", agent_permission_mode(a), "stop_hook_active",
                                a->stop_hook_active, "agent_id", a->thread_id, "agent_type", type,
                                "last_assistant_message", a->last_message);
    if (!json_object_get(payload, "transcript_path"))
        json_object_set_new(payload, "transcript_path", json_null());
    if (!json_object_get(payload, "last_assistant_message"))
        json_object_set_new(payload, "last_assistant_message", json_null());
    agent_hooks_fire(a, HOOK_SUBAGENT_STOP, type, payload, after_stop, NULL);
}

void agent_run_calls(struct agent *a)
{
    static const struct {
        const char *type;
        enum call_kind kind;
    } kinds[] = {
        {"function_call", CALL_FUNCTION},
        {"custom_tool_call", CALL_CUSTOM},
        {"local_shell_call", CALL_LOCAL_SHELL},
        {"tool_search_call", CALL_TOOL_SEARCH},
    };
    size_t n = json_array_size(a->attempt_items);
    a->calls = xcalloc(n ? n : 1, sizeof *a->calls);
    size_t i;
    json_t *item;
    json_array_foreach(a->attempt_items, i, item) {
        const char *type = json_string_value(json_object_get(item, "type"));
        for (size_t k = 0; type && k < sizeof kinds / sizeof kinds[0]; k++)
            if (strcmp(type, kinds[k].type) == 0)
                a->calls[a->n_calls++] = new_call(a, item, kinds[k].kind);
    }
    json_array_clear(a->attempt_items);
    if (a->n_calls == 0) {
        free(a->calls);
        a->calls = NULL;
        agent_write_token_count(a);
        /* Input the user added while the model answered: the turn goes on
         * to take it. */
        if (agent_has_pending_input(a)) {
            agent_sample_or_compact(a, "mid_turn");
            return;
        }
        const struct subagent_link *link = a->p.subagent;
        enum hook_event stop = link ? HOOK_SUBAGENT_STOP : HOOK_STOP;
        if (!agent_hooks_has(a, stop)) {
            agent_finish_turn(a, true, NULL);
            return;
        }
        if (link) {
            subagent_stop(a, link);
            return;
        }
        json_t *payload = agent_hook_payload(a, HOOK_STOP, true);
        json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
        json_object_set_new(payload, "stop_hook_active", json_boolean(a->stop_hook_active));
        json_object_set_new(payload, "last_assistant_message",
                            a->last_message ? json_string(a->last_message) : json_null());
        agent_hooks_fire(a, HOOK_STOP, NULL, payload, after_stop, NULL);
        return;
    }
    pump(a);
}
