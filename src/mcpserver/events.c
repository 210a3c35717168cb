/* Agent events as the reference's EventMsg objects (the `msg` of a
 * codex/event notification).  Items come from the core in the v2 shape;
 * the reference sends both its item events (UserMessage, AgentMessage,
 * Reasoning) and the older per-kind events (user_message, agent_message,
 * exec_command_begin/end, patch_apply_begin/end), so clients written for
 * either keep working. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcpserver/internal.h"
#include "store/rollout_items.h"
#include "util/base64.h"
#include "util/xalloc.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static json_int_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *user_text(const json_t *item)
{
    size_t i;
    const json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        if (strcmp(str(part, "type"), "text") == 0)
            return str(part, "text");
    }
    return "";
}

/* The command events carry what the stored CommandExecution item holds:
 * the argv, the parsed command and its source. */
static json_t *exec_event(const char *kind, const struct agent_event *ev)
{
    json_t *stored = rollout_item_from_v2(ev->item);
    const json_t *item = ev->item;
    json_t *msg = json_pack("{s:s s:s s:s s:O s:s s:O s:O}", "type", kind, "call_id", str(item, "id"),
                            "turn_id", ev->turn_id ? ev->turn_id : "", "command",
                            json_object_get(stored, "command"), "cwd", str(item, "cwd"),
                            "parsed_cmd", json_object_get(stored, "parsed_cmd"), "source",
                            json_object_get(stored, "source"));
    json_decref(stored);
    if (strcmp(kind, "exec_command_end") == 0) {
        json_int_t ms = json_integer_value(json_object_get(item, "durationMs"));
        const char *output = str(item, "aggregatedOutput");
        const json_t *code = json_object_get(item, "exitCode");
        json_t *end = json_pack("{s:s s:s s:s s:I s:{s:I s:I} s:s s:s}", "stdout", output, "stderr",
                                "", "aggregated_output", output, "exit_code",
                                json_is_integer(code) ? json_integer_value(code) : (json_int_t)-1,
                                "duration", "secs", ms / 1000, "nanos", (ms % 1000) * 1000000,
                                "formatted_output", output, "status", str(item, "status"));
        json_object_update(msg, end);
        json_decref(end);
    }
    return msg;
}

/* {path: {type, ...}} as the stored FileChange item has them. */
static json_t *patch_changes(const json_t *item)
{
    json_t *stored = rollout_item_from_v2(item);
    json_t *changes = json_incref(json_object_get(stored, "changes"));
    json_decref(stored);
    return changes ? changes : json_object();
}

static void item_event(json_t *out, const char *kind, const struct agent_event *ev, json_t *turn_item)
{
    json_int_t at = now_ms();
    json_t *msg = json_pack("{s:s s:s s:s s:o s:I}", "type", kind, "thread_id", ev->thread_id,
                            "turn_id", ev->turn_id ? ev->turn_id : "", "item", turn_item,
                            "started_at_ms", at);
    if (strcmp(kind, "item_completed") == 0)
        json_object_set_new(msg, "completed_at_ms", json_integer(at));
    json_array_append_new(out, msg);
}

/* Announce an answer or a reasoning item once, at its first delta or its
 * start, whichever comes first. */
static bool first_start(struct mcps_thread *t, const char *id)
{
    if (!t->open_items)
        t->open_items = json_object();
    if (json_object_get(t->open_items, id))
        return false;
    json_object_set_new(t->open_items, id, json_true());
    return true;
}

static void started_at_delta(json_t *out, struct mcps_thread *t, const struct agent_event *ev,
                             bool reasoning)
{
    const char *id = ev->item_id ? ev->item_id : "";
    if (!first_start(t, id))
        return;
    json_t *item = reasoning ? json_pack("{s:s s:s s:[] s:[]}", "type", "Reasoning", "id", id,
                                         "summary_text", "raw_content")
                             : json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "AgentMessage", "id", id,
                                         "content", "type", "Text", "text", "");
    item_event(out, "item_started", ev, item);
}

static void item_started(json_t *out, struct mcps_thread *t, const struct agent_event *ev)
{
    const char *type = str(ev->item, "type");
    if ((strcmp(type, "agentMessage") == 0 || strcmp(type, "reasoning") == 0) &&
        !first_start(t, str(ev->item, "id")))
        return;
    if (strcmp(type, "commandExecution") == 0)
        json_array_append_new(out, exec_event("exec_command_begin", ev));
    else if (strcmp(type, "fileChange") == 0)
        json_array_append_new(out, json_pack("{s:s s:s s:s s:b s:o}", "type", "patch_apply_begin",
                                             "call_id", str(ev->item, "id"), "turn_id",
                                             ev->turn_id ? ev->turn_id : "", "auto_approved", 0,
                                             "changes", patch_changes(ev->item)));
    else if (strcmp(type, "error") != 0)
        item_event(out, "item_started", ev, rollout_item_from_v2(ev->item));
}

static void item_completed(json_t *out, struct mcps_thread *t, const struct agent_event *ev)
{
    const json_t *item = ev->item;
    const char *type = str(item, "type");
    if (t->open_items)
        json_object_del(t->open_items, str(item, "id"));
    if (strcmp(type, "userMessage") == 0) {
        item_event(out, "item_completed", ev, rollout_item_from_v2(item));
        json_array_append_new(out, json_pack("{s:s s:s s:[] s:[] s:[]}", "type", "user_message",
                                             "message", user_text(item), "images",
                                             "local_images", "text_elements"));
    } else if (strcmp(type, "agentMessage") == 0) {
        item_event(out, "item_completed", ev, rollout_item_from_v2(item));
        const json_t *phase = json_object_get(item, "phase");
        json_array_append_new(out, json_pack("{s:s s:s s:O}", "type", "agent_message", "message",
                                             str(item, "text"), "phase",
                                             phase ? phase : json_null()));
    } else if (strcmp(type, "reasoning") == 0) {
        item_event(out, "item_completed", ev, rollout_item_from_v2(item));
        size_t i;
        const json_t *text;
        json_array_foreach(json_object_get(item, "summary"), i, text)
            json_array_append_new(out, json_pack("{s:s s:s}", "type", "agent_reasoning", "text",
                                                 json_string_value(text) ? json_string_value(text) : ""));
    } else if (strcmp(type, "commandExecution") == 0) {
        json_array_append_new(out, exec_event("exec_command_end", ev));
    } else if (strcmp(type, "fileChange") == 0) {
        const char *status = str(item, "status");
        json_array_append_new(out, json_pack("{s:s s:s s:s s:s s:s s:b s:o s:s}", "type",
                                             "patch_apply_end", "call_id", str(item, "id"),
                                             "turn_id", ev->turn_id ? ev->turn_id : "", "stdout",
                                             "", "stderr", "", "success",
                                             strcmp(status, "completed") == 0, "changes",
                                             patch_changes(item), "status", status));
    } else if (strcmp(type, "error") == 0) {
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "warning", "message",
                                             str(item, "message")));
    } else {
        item_event(out, "item_completed", ev, rollout_item_from_v2(item));
    }
}

static json_t *token_count(struct mcps_thread *t, const struct agent_event *ev)
{
    token_usage_add(&t->total, &ev->usage);
    return json_pack("{s:s s:{s:o s:o s:n} s:n}", "type", "token_count", "info", "total_token_usage",
                     token_usage_to_json(&t->total, 1), "last_token_usage",
                     token_usage_to_json(&ev->usage, 1), "model_context_window", "rate_limits");
}

json_t *mcps_event_msgs(struct mcps_thread *t, const struct agent_event *ev)
{
    json_t *out = json_array();
    const char *turn = ev->turn_id ? ev->turn_id : "";
    switch (ev->kind) {
    case AGENT_EV_THREAD_STARTED:
        break; /* session_configured is sent once the agent exists */
    case AGENT_EV_TURN_STARTED:
        json_object_clear(t->open_items);
        json_array_append_new(out, json_pack("{s:s s:s s:I s:n s:s}", "type", "task_started",
                                             "turn_id", turn, "started_at",
                                             (json_int_t)time(NULL), "model_context_window",
                                             "collaboration_mode_kind", "default"));
        break;
    case AGENT_EV_TURN_COMPLETED: {
        const char *last = agent_last_message(t->agent);
        json_array_append_new(out, json_pack("{s:s s:s s:s?}", "type", "task_complete", "turn_id",
                                             turn, "last_agent_message", last));
        break;
    }
    case AGENT_EV_TURN_FAILED:
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "error", "message",
                                             ev->message ? ev->message : "the turn failed"));
        break;
    case AGENT_EV_ITEM_STARTED:
        item_started(out, t, ev);
        break;
    case AGENT_EV_ITEM_COMPLETED:
        item_completed(out, t, ev);
        break;
    case AGENT_EV_AGENT_MESSAGE_DELTA:
        started_at_delta(out, t, ev, false);
        json_array_append_new(out, json_pack("{s:s s:s s:s s:s s:s}", "type",
                                             "agent_message_content_delta", "thread_id",
                                             ev->thread_id, "turn_id", turn, "item_id",
                                             ev->item_id ? ev->item_id : "", "delta",
                                             ev->delta ? ev->delta : ""));
        break;
    case AGENT_EV_REASONING_DELTA:
        started_at_delta(out, t, ev, true);
        json_array_append_new(out, json_pack("{s:s s:s s:s s:s s:s s:i}", "type",
                                             "reasoning_content_delta", "thread_id", ev->thread_id,
                                             "turn_id", turn, "item_id",
                                             ev->item_id ? ev->item_id : "", "delta",
                                             ev->delta ? ev->delta : "", "summary_index", 0));
        break;
    case AGENT_EV_COMMAND_OUTPUT_DELTA: {
        const char *d = ev->delta ? ev->delta : "";
        char *chunk = base64_encode(d, strlen(d));
        json_array_append_new(out, json_pack("{s:s s:s s:s s:s}", "type", "exec_command_output_delta",
                                             "call_id", ev->item_id ? ev->item_id : "", "stream",
                                             "stdout", "chunk", chunk));
        free(chunk);
        break;
    }
    case AGENT_EV_PLAN_UPDATED: {
        json_t *msg = json_pack("{s:s}", "type", "plan_update");
        const json_t *expl = json_object_get(ev->plan, "explanation");
        const json_t *plan = json_object_get(ev->plan, "plan");
        json_object_set(msg, "explanation", expl ? (json_t *)expl : json_null());
        json_object_set_new(msg, "plan", plan ? json_incref((json_t *)plan) : json_array());
        json_array_append_new(out, msg);
        break;
    }
    case AGENT_EV_ERROR:
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "stream_error", "message",
                                             ev->message ? ev->message : ""));
        break;
    case AGENT_EV_WARNING:
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "warning", "message",
                                             ev->message ? ev->message : ""));
        break;
    case AGENT_EV_DEPRECATION:
        json_array_append_new(out, json_pack("{s:s s:s s:s?}", "type", "deprecation_notice",
                                             "summary", ev->message ? ev->message : "",
                                             "details", ev->details));
        break;
    case AGENT_EV_TOKEN_USAGE:
        json_array_append_new(out, token_count(t, ev));
        break;
    case AGENT_EV_AUTO_REVIEW_STARTED: /* the reference's MCP events carry no review */
    case AGENT_EV_AUTO_REVIEW_COMPLETED:
        break;
    case AGENT_EV_TURN_ABORTED:
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "turn_aborted", "reason", "interrupted"));
        break;
    case AGENT_EV_TURN_DIFF:
        json_array_append_new(out, json_pack("{s:s s:s}", "type", "turn_diff", "unified_diff",
                                             ev->message ? ev->message : ""));
        break;
    case AGENT_EV_PLAN_DELTA:
        break; /* the MCP server's threads are never in Plan mode */
    }
    return out;
}

json_t *mcps_session_configured(struct mcps_thread *t)
{
    const char *id = agent_thread_id(t->agent);
    const char *rollout = agent_rollout_path(t->agent);
    json_t *msg = json_pack("{s:s s:s s:s s:s s:s s:s s:{s:s} s:s s:s? s:I s:I s:s?}", "type",
                            "session_configured", "session_id", id, "thread_id", id, "model",
                            t->model, "model_provider_id", t->provider_id, "approval_policy",
                            approval_policy_name(t->cfg.approval_policy), "sandbox_policy", "type",
                            sandbox_mode_name(t->cfg.sandbox_mode), "cwd", t->cfg.cwd,
                            "reasoning_effort", t->cfg.model_reasoning_effort, "history_log_id",
                            (json_int_t)0, "history_entry_count", (json_int_t)0, "rollout_path",
                            rollout);
    return msg;
}
