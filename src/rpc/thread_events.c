/* Agent events -> v2 notifications of the thread's owner and followers. */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "rpc/command_actions.h"
#include "rpc/jsonrpc.h"
#include "rpc/thread.h"
#include "util/xalloc.h"

static int64_t now_ms(void)
{
    uv_timeval64_t tv;
    if (uv_gettimeofday(&tv) != 0)
        return 0;
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The core's items are v2 ThreadItems but for members the schema requires
 * and the core has no use for. */
static json_t *wire_item(const json_t *item)
{
    json_t *w = json_deep_copy(item);
    const char *type = json_string_value(json_object_get(w, "type"));
    if (type && strcmp(type, "commandExecution") == 0 && !json_object_get(w, "commandActions"))
        json_object_set_new(w, "commandActions",
                            rpc_command_actions(json_string_value(json_object_get(w, "command"))));
    return w;
}

static json_t *usage_json(const struct token_usage *u)
{
    return json_pack("{s:I s:I s:I s:I s:I s:I}", "inputTokens", (json_int_t)u->input_tokens,
                     "cachedInputTokens", (json_int_t)u->cached_input_tokens,
                     "cacheWriteInputTokens", (json_int_t)u->cache_write_input_tokens,
                     "outputTokens", (json_int_t)u->output_tokens, "reasoningOutputTokens",
                     (json_int_t)u->reasoning_output_tokens, "totalTokens",
                     (json_int_t)u->total_tokens);
}

static void status_changed(struct rpc_thread *t, bool active)
{
    json_t *status = active ? json_pack("{s:s s:[]}", "type", "active", "activeFlags")
                            : json_pack("{s:s}", "type", "idle");
    rpc_thread_notify(t, "thread/status/changed",
                      json_pack("{s:s s:o}", "threadId", rpc_thread_id(t), "status", status));
}

/* End the turn: open items are closed first so every item/started has its
 * item/completed. */
void rpc_thread_end_turn(struct rpc_thread *t, const char *status, const char *error)
{
    const char *id = rpc_thread_id(t);
    const char *key;
    json_t *item;
    json_object_foreach(t->open_items, key, item) {
        json_t *w = wire_item(item);
        if (json_object_get(w, "status"))
            json_object_set_new(w, "status", json_string("failed"));
        rpc_thread_notify(t, "item/completed",
                          json_pack("{s:o s:I s:s s:s}", "item", w, "completedAtMs",
                                    (json_int_t)now_ms(), "threadId", id, "turnId", t->turn_id));
    }
    json_object_clear(t->open_items);
    t->turn_running = false;
    t->updated_at = now_ms() / 1000;
    rpc_thread_notify(t, "turn/completed",
                      json_pack("{s:s s:o}", "threadId", id, "turn",
                                rpc_turn_json(t->turn_id, status, t->turn_started_ms, now_ms(),
                                              error)));
    status_changed(t, false);
}

static void notify_item(struct rpc_thread *t, const char *method, const json_t *item,
                        const char *stamp)
{
    rpc_thread_notify(t, method,
                      json_pack("{s:o s:I s:s s:s}", "item", wire_item(item), stamp,
                                (json_int_t)now_ms(), "threadId", rpc_thread_id(t), "turnId",
                                t->turn_id));
}

static void notify_delta(struct rpc_thread *t, const char *method, const struct agent_event *ev)
{
    const char *delta = ev->delta ? ev->delta : "";
    /* Process output may be any bytes. */
    json_t *p = json_pack("{s:s s:s s:s s:o}", "threadId", rpc_thread_id(t), "turnId",
                          t->turn_id, "itemId", ev->item_id ? ev->item_id : "", "delta",
                          json_string_lossy(delta, strlen(delta)));
    if (strcmp(method, "item/reasoning/summaryTextDelta") == 0)
        json_object_set_new(p, "summaryIndex", json_integer(0));
    rpc_thread_notify(t, method, p);
}

static void notify_error(struct rpc_thread *t, const char *message, bool will_retry)
{
    rpc_thread_notify(t, "error",
                      json_pack("{s:{s:s} s:s s:s s:b}", "error", "message",
                                message ? message : "error", "threadId", rpc_thread_id(t),
                                "turnId", t->turn_id, "willRetry", will_retry));
}

void rpc_thread_event(void *ud, const struct agent_event *ev)
{
    struct rpc_thread *t = ud;
    /* thread/started follows the response of the request (and the agent
     * is not known yet while it announces itself). */
    if (t->closing || t->interrupting || ev->kind == AGENT_EV_THREAD_STARTED)
        return;
    const char *id = rpc_thread_id(t);
    /* A fatal error is announced as AGENT_EV_ERROR right before the turn
     * fails: it is sent then, without willRetry. */
    if (t->pending_error && ev->kind != AGENT_EV_TURN_FAILED) {
        notify_error(t, t->pending_error, true);
        free(t->pending_error);
        t->pending_error = NULL;
    }
    switch (ev->kind) {
    case AGENT_EV_THREAD_STARTED:
        break;
    case AGENT_EV_TURN_STARTED:
        snprintf(t->turn_id, sizeof t->turn_id, "%s", ev->turn_id);
        t->turn_started_ms = now_ms();
        t->turn_running = true;
        status_changed(t, true);
        rpc_thread_notify(t, "turn/started",
                          json_pack("{s:s s:o}", "threadId", id, "turn",
                                    rpc_turn_json(t->turn_id, "inProgress", t->turn_started_ms,
                                                  0, NULL)));
        break;
    case AGENT_EV_ITEM_STARTED: {
        const char *item_id = json_string_value(json_object_get(ev->item, "id"));
        if (item_id)
            json_object_set_new(t->open_items, item_id, json_deep_copy(ev->item));
        notify_item(t, "item/started", ev->item, "startedAtMs");
        const char *type = json_string_value(json_object_get(ev->item, "type"));
        if (type && strcmp(type, "userMessage") == 0 && !t->preview) {
            json_t *first = json_array_get(json_object_get(ev->item, "content"), 0);
            const char *text = json_string_value(json_object_get(first, "text"));
            t->preview = xstrdup(text ? text : "");
        }
        break;
    }
    case AGENT_EV_ITEM_COMPLETED: {
        const char *item_id = json_string_value(json_object_get(ev->item, "id"));
        if (item_id)
            json_object_del(t->open_items, item_id);
        notify_item(t, "item/completed", ev->item, "completedAtMs");
        break;
    }
    case AGENT_EV_AGENT_MESSAGE_DELTA:
        notify_delta(t, "item/agentMessage/delta", ev);
        break;
    case AGENT_EV_REASONING_DELTA:
        notify_delta(t, "item/reasoning/summaryTextDelta", ev);
        break;
    case AGENT_EV_COMMAND_OUTPUT_DELTA:
        notify_delta(t, "item/commandExecution/outputDelta", ev);
        break;
    case AGENT_EV_PLAN_UPDATED: {
        json_t *p = json_pack("{s:s s:s s:O}", "threadId", id, "turnId", t->turn_id, "plan",
                              json_object_get(ev->plan, "plan"));
        json_t *expl = json_object_get(ev->plan, "explanation");
        if (json_is_string(expl))
            json_object_set(p, "explanation", expl);
        rpc_thread_notify(t, "turn/plan/updated", p);
        break;
    }
    case AGENT_EV_TURN_DIFF:
        rpc_thread_notify(t, "turn/diff/updated", json_pack("{s:s s:s s:s}", "threadId", id, "turnId",
                                                            t->turn_id, "diff", ev->message));
        break;
    case AGENT_EV_ERROR:
        free(t->pending_error);
        t->pending_error = xstrdup(ev->message ? ev->message : "error");
        break;
    case AGENT_EV_TOKEN_USAGE: {
        token_usage_add(&t->total, &ev->usage);
        rpc_thread_notify(t, "thread/tokenUsage/updated",
                          json_pack("{s:s s:s s:{s:o s:o}}", "threadId", id, "turnId",
                                    t->turn_id, "tokenUsage", "total", usage_json(&t->total),
                                    "last", usage_json(&ev->usage)));
        break;
    }
    case AGENT_EV_TURN_COMPLETED:
        rpc_thread_end_turn(t, "completed", NULL);
        break;
    case AGENT_EV_TURN_FAILED:
        notify_error(t, t->pending_error ? t->pending_error : ev->message, false);
        free(t->pending_error);
        t->pending_error = NULL;
        rpc_thread_end_turn(t, "failed", ev->message);
        break;
    }
}
