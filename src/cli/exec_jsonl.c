#include "cli/exec_jsonl.h"

#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void exec_jsonl_init(struct exec_jsonl *x, void (*write)(void *ud, json_t *line), void *ud)
{
    memset(x, 0, sizeof *x);
    x->ids = json_object();
    x->write = write;
    x->ud = ud;
}

void exec_jsonl_free(struct exec_jsonl *x)
{
    json_decref(x->ids);
    json_decref(x->todo);
}

static json_t *new_id(struct exec_jsonl *x)
{
    return json_sprintf("item_%d", x->next_item++);
}

/* The public id of an internal one: opened on start, closed on completion. */
static json_t *public_id(struct exec_jsonl *x, const char *internal, bool opening, bool closing)
{
    json_t *id = internal ? json_object_get(x->ids, internal) : NULL;
    if (id) {
        json_incref(id);
    } else {
        id = new_id(x);
        if (internal && opening && !closing)
            json_object_set(x->ids, internal, id);
    }
    if (closing && internal)
        json_object_del(x->ids, internal);
    return id;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static const char *exec_status(const char *v2)
{
    if (strcmp(v2, "inProgress") == 0)
        return "in_progress";
    return v2; /* completed, failed, declined */
}

static json_t *file_changes(const json_t *changes)
{
    json_t *out = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        json_array_append_new(out, json_pack("{s:s s:s}", "path", str(c, "path"), "kind",
                                             str(json_object_get(c, "kind"), "type")));
    }
    return out;
}

static char *reasoning_text(const json_t *item)
{
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(item, "summary"), i, s) {
        if (b.len)
            buf_puts(&b, "\n\n");
        buf_puts(&b, json_string_value(s) ? json_string_value(s) : "");
    }
    return buf_detach(&b, NULL);
}

/* An MCP call as exec shows it: the result's content and
 * structured_content, or the error; snake_case status. */
static json_t *mcp_tool_call(const json_t *item, json_t *id)
{
    const json_t *args = json_object_get(item, "arguments");
    const json_t *result = json_object_get(item, "result");
    const json_t *error = json_object_get(item, "error");
    json_t *r = json_null(), *e = json_null();
    if (json_is_object(result)) {
        const json_t *sc = json_object_get(result, "structuredContent");
        r = json_pack("{s:O s:O}", "content", json_object_get(result, "content"),
                      "structured_content", sc ? sc : json_null());
    }
    if (json_is_object(error))
        e = json_pack("{s:s}", "message", str(error, "message"));
    return json_pack("{s:O s:s s:s s:s s:O s:o s:o s:s}", "id", id, "type", "mcp_tool_call",
                     "server", str(item, "server"), "tool", str(item, "tool"), "arguments",
                     args ? args : json_null(), "result", r, "error", e, "status",
                     exec_status(str(item, "status")));
}

/* camelCase to snake_case ("spawnAgent" -> "spawn_agent"). */
static json_t *snake(const char *s)
{
    char out[64];
    size_t n = 0;
    for (; *s && n + 2 < sizeof out; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            out[n++] = '_';
            out[n++] = (char)(*s - 'A' + 'a');
        } else {
            out[n++] = *s;
        }
    }
    return json_stringn(out, n);
}

/* A subagent tool call as exec shows it: snake_case tool, status and
 * agent states ("wait" stays "wait"). */
static json_t *collab_tool_call(const json_t *item, json_t *id)
{
    json_t *states = json_object();
    const char *key;
    const json_t *st;
    json_object_foreach((json_t *)json_object_get(item, "agentsStates"), key, st) {
        const json_t *msg = json_object_get(st, "message");
        json_object_set_new(states, key, json_pack("{s:o s:O}", "status", snake(str(st, "status")),
                                                   "message", msg ? msg : json_null()));
    }
    const json_t *prompt = json_object_get(item, "prompt");
    const json_t *ids = json_object_get(item, "receiverThreadIds");
    return json_pack("{s:O s:s s:o s:s s:o s:o s:o s:o}", "id", id, "type", "collab_tool_call",
                     "tool", snake(str(item, "tool")), "sender_thread_id", str(item, "senderThreadId"),
                     "receiver_thread_ids", ids ? json_incref((json_t *)ids) : json_array(), "prompt",
                     prompt ? json_incref((json_t *)prompt) : json_null(), "agents_states", states, "status",
                     snake(str(item, "status")));
}

/* The exec item for a v2 item, or NULL when exec does not show it. */
static json_t *project_item(const json_t *item, json_t *id)
{
    const char *type = str(item, "type");
    if (strcmp(type, "agentMessage") == 0)
        return json_pack("{s:O s:s s:s}", "id", id, "type", "agent_message", "text",
                         str(item, "text"));
    if (strcmp(type, "reasoning") == 0) {
        char *text = reasoning_text(item);
        json_t *o = json_pack("{s:O s:s s:s}", "id", id, "type", "reasoning", "text", text);
        free(text);
        return o;
    }
    if (strcmp(type, "commandExecution") == 0)
        return json_pack("{s:O s:s s:s s:s s:O s:s}", "id", id, "type", "command_execution",
                         "command", str(item, "command"), "aggregated_output",
                         str(item, "aggregatedOutput"), "exit_code",
                         json_object_get(item, "exitCode") ? json_object_get(item, "exitCode")
                                                           : json_null(),
                         "status", exec_status(str(item, "status")));
    if (strcmp(type, "fileChange") == 0)
        return json_pack("{s:O s:s s:o s:s}", "id", id, "type", "file_change", "changes",
                         file_changes(json_object_get(item, "changes")), "status",
                         exec_status(str(item, "status")));
    if (strcmp(type, "mcpToolCall") == 0)
        return mcp_tool_call(item, id);
    if (strcmp(type, "collabAgentToolCall") == 0)
        return collab_tool_call(item, id);
    return NULL;
}

static void emit_item(struct exec_jsonl *x, const char *type, json_t *item)
{
    x->write(x->ud, json_pack("{s:s s:o}", "type", type, "item", item));
}

static void on_item(struct exec_jsonl *x, const json_t *item, bool completed)
{
    const char *type = str(item, "type");
    bool only_completion = strcmp(type, "agentMessage") == 0 || strcmp(type, "reasoning") == 0;
    if (strcmp(type, "userMessage") == 0 || (only_completion && !completed))
        return;
    /* Items exec does not show (contextCompaction, ...) take no item_N. */
    static const char *const shown[] = {"agentMessage", "reasoning", "commandExecution", "fileChange",
                                        "mcpToolCall", "collabAgentToolCall", NULL};
    bool is_shown = false;
    for (const char *const *s = shown; *s && !is_shown; s++)
        is_shown = strcmp(type, *s) == 0;
    if (!is_shown)
        return;
    json_t *id = public_id(x, json_string_value(json_object_get(item, "id")), !completed,
                           completed);
    json_t *out = project_item(item, id);
    json_decref(id);
    if (out)
        emit_item(x, completed ? "item.completed" : "item.started", out);
}

static json_t *todo_items(const json_t *plan)
{
    json_t *items = json_array();
    size_t i;
    const json_t *step;
    json_array_foreach(json_object_get(plan, "plan"), i, step) {
        json_array_append_new(items, json_pack("{s:s s:b}", "text", str(step, "step"),
                                               "completed",
                                               strcmp(str(step, "status"), "completed") == 0));
    }
    return items;
}

static void on_plan(struct exec_jsonl *x, const json_t *plan)
{
    const char *type = "item.updated";
    if (!x->todo) {
        json_t *id = new_id(x);
        x->todo = json_pack("{s:o s:s}", "id", id, "type", "todo_list");
        type = "item.started";
    }
    json_object_set_new(x->todo, "items", todo_items(plan));
    emit_item(x, type, json_deep_copy(x->todo));
}

static void on_turn_end(struct exec_jsonl *x, const struct agent_event *ev)
{
    if (ev->kind == AGENT_EV_TURN_COMPLETED) {
        if (x->todo)
            emit_item(x, "item.completed", json_deep_copy(x->todo));
        json_t *usage = token_usage_to_json(&ev->usage, 0);
        x->write(x->ud, json_pack("{s:s s:o}", "type", "turn.completed", "usage", usage));
    } else {
        x->write(x->ud, json_pack("{s:s s:{s:s}}", "type", "turn.failed", "error", "message",
                                  ev->message ? ev->message : "turn failed"));
    }
    json_decref(x->todo);
    x->todo = NULL;
}

void exec_jsonl_handle(struct exec_jsonl *x, const struct agent_event *ev)
{
    switch (ev->kind) {
    case AGENT_EV_THREAD_STARTED:
        x->write(x->ud, json_pack("{s:s s:s}", "type", "thread.started", "thread_id",
                                  ev->thread_id));
        break;
    case AGENT_EV_TURN_STARTED:
        x->write(x->ud, json_pack("{s:s}", "type", "turn.started"));
        break;
    case AGENT_EV_ITEM_STARTED:
    case AGENT_EV_ITEM_COMPLETED:
        on_item(x, ev->item, ev->kind == AGENT_EV_ITEM_COMPLETED);
        break;
    case AGENT_EV_PLAN_UPDATED:
        on_plan(x, ev->plan);
        break;
    case AGENT_EV_ERROR:
        x->write(x->ud, json_pack("{s:s s:s}", "type", "error", "message",
                                  ev->message ? ev->message : ""));
        break;
    case AGENT_EV_WARNING:
    case AGENT_EV_DEPRECATION: {
        /* Warnings are items of type error here, as the reference has them;
         * a deprecation carries its details in parentheses. */
        json_t *msg = ev->details ? json_sprintf("%s (%s)", ev->message, ev->details)
                                  : json_string(ev->message ? ev->message : "");
        x->write(x->ud, json_pack("{s:s s:{s:o s:s s:o}}", "type", "item.completed", "item", "id",
                                  new_id(x), "type", "error", "message", msg));
        break;
    }
    case AGENT_EV_TURN_COMPLETED:
    case AGENT_EV_TURN_FAILED:
        on_turn_end(x, ev);
        break;
    default:
        break; /* deltas and usage updates are not part of the exec stream */
    }
}
