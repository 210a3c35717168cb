/* Agent events -> v2 notifications of the thread's owner and followers.
 *
 * The wire has an order the core does not keep by itself: an item is
 * announced (item/started, with no content yet) before its deltas, and a
 * command or patch that needs approval is announced before the question.
 * So an item is started here at whichever comes first (the core's start,
 * its first delta, or the approval question); open_items remembers what
 * was announced, and a later start of the same item is not sent again. */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/thread.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xalloc.h"

void rpc_thread_status_changed(struct rpc_thread *t)
{
    rpc_thread_notify(t, "thread/status/changed",
                      json_pack("{s:s s:o}", "threadId", rpc_thread_id(t), "status",
                                rpc_thread_status_json(t)));
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

/* ---- items ---------------------------------------------------------------- */

static bool is_open(const struct rpc_thread *t, const char *id)
{
    return id && json_object_get(t->open_items, id) != NULL;
}

/* clientId of a userMessage: the turn's own message has the turn's id and
 * turn/start's id; any other is the oldest steer not yet shown, whose id
 * leaves the queue here. */
static json_t *user_message_client_id(struct rpc_thread *t, const char *item_id)
{
    if (item_id && strcmp(item_id, t->turn_id) == 0)
        return t->client_message_id ? json_string(t->client_message_id) : NULL;
    json_t *steered = json_incref(json_array_get(t->steer_client_ids, 0));
    json_array_remove(t->steer_client_ids, 0);
    if (json_is_string(steered))
        return steered;
    json_decref(steered);
    return NULL;
}

void rpc_thread_item_started(struct rpc_thread *t, const json_t *item)
{
    const char *id = json_string_value(json_object_get(item, "id"));
    if (is_open(t, id))
        return;
    int64_t now = rpc_now_ms();
    json_t *w = rpc_wire_item(item, now, 0, true);
    const char *type = json_string_value(json_object_get(item, "type"));
    if (type && strcmp(type, "userMessage") == 0) {
        json_t *client_id = user_message_client_id(t, id);
        if (client_id)
            json_object_set_new(w, "clientId", client_id);
    }
    if (id)
        json_object_set(t->open_items, id, w);
    rpc_thread_notify(t, "item/started",
                      json_pack("{s:o s:s s:s s:I}", "item", w, "threadId", rpc_thread_id(t),
                                "turnId", t->turn_id, "startedAtMs", (json_int_t)now));
}

/* item/completed for item (the core's final form), started as announced. */
static void item_completed(struct rpc_thread *t, const json_t *item)
{
    const char *id = json_string_value(json_object_get(item, "id"));
    json_t *opened = id ? json_object_get(t->open_items, id) : NULL;
    int64_t now = rpc_now_ms();
    int64_t started = json_integer_value(json_object_get(opened, "startedAtMs"));
    json_t *w = rpc_wire_item(item, started ? started : now, now, false);
    const char *client_id = json_string_value(json_object_get(opened, "clientId"));
    if (client_id)
        json_object_set_new(w, "clientId", json_string(client_id));
    if (id)
        json_object_del(t->open_items, id);
    const char *type = json_string_value(json_object_get(item, "type"));
    if (type && strcmp(type, "agentMessage") == 0) {
        json_decref(t->last_message);
        t->last_message = json_incref(w);
    }
    if (type && strcmp(type, "userMessage") == 0 && !t->preview) {
        json_t *first = json_array_get(json_object_get(item, "content"), 0);
        const char *text = json_string_value(json_object_get(first, "text"));
        t->preview = xstrdup(text ? text : "");
    }
    rpc_thread_notify(t, "item/completed",
                      json_pack("{s:o s:s s:s s:n s:I}", "item", w, "threadId", rpc_thread_id(t),
                                "turnId", t->turn_id, "contentTokenCount", "completedAtMs",
                                (json_int_t)now));
}

void rpc_thread_item_declined(struct rpc_thread *t, const char *item_id)
{
    json_t *opened = item_id ? json_object_get(t->open_items, item_id) : NULL;
    if (!opened)
        return;
    json_t *item = json_deep_copy(opened);
    json_object_set_new(item, "status", json_string("declined"));
    item_completed(t, item);
    json_decref(item);
}

/* A delta for an item not announced yet starts it (empty). */
static void delta_item(struct rpc_thread *t, const char *type, const char *item_id)
{
    if (!item_id || is_open(t, item_id))
        return;
    json_t *item = json_pack("{s:s s:s}", "type", type, "id", item_id);
    rpc_thread_item_started(t, item);
    json_decref(item);
}

/* An answer cut off by an interrupt is completed with what was streamed,
 * so a client does not lose the part it already showed. */
static void keep_streamed_text(struct rpc_thread *t, const struct agent_event *ev)
{
    json_t *opened = ev->item_id ? json_object_get(t->open_items, ev->item_id) : NULL;
    if (!opened || !ev->delta)
        return;
    const char *had = json_string_value(json_object_get(opened, "text"));
    struct buf b = BUF_INIT;
    buf_puts(&b, had ? had : "");
    buf_puts(&b, ev->delta);
    json_object_set_new(opened, "text", json_string_lossy(buf_cstr(&b), b.len));
    buf_free(&b);
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

/* ---- turns ---------------------------------------------------------------- */

static void notify_error(struct rpc_thread *t, const char *message, bool will_retry)
{
    rpc_thread_notify(t, "error",
                      json_pack("{s:{s:s s:n s:n} s:s s:s s:b}", "error", "message",
                                message ? message : "error", "codexErrorInfo",
                                "additionalDetails", "threadId", rpc_thread_id(t), "turnId",
                                t->turn_id, "willRetry", will_retry));
}

/* A finished turn is what the client has not read yet: a new revision. */
static void mark_unread(struct rpc_thread *t)
{
    free(t->first_unread_turn);
    t->first_unread_turn = xstrdup(t->turn_id);
    uuid_v4(t->read_revision);
    rpc_thread_notify(t, "thread/readState/changed",
                      json_pack("{s:s s:o}", "threadId", rpc_thread_id(t), "readState",
                                rpc_thread_read_state_json(t)));
}

/* A subagent's turn its parent gave it has the parent's turn as its root,
 * as the reference says. */
static json_t *turn_of(const struct rpc_thread *t, json_t *turn)
{
    if (t->root_turn_id[0])
        json_object_set_new(turn, "rootTurnId", json_string(t->root_turn_id));
    return turn;
}

/* End the turn: open items are closed first so every item/started has its
 * item/completed. */
void rpc_thread_end_turn(struct rpc_thread *t, const char *status, const char *error)
{
    const char *id = rpc_thread_id(t);
    /* A copy to walk: item_completed takes each item out of open_items. */
    json_t *open = json_copy(t->open_items);
    const char *key;
    json_t *item;
    json_object_foreach(open, key, item) {
        json_t *ended = json_deep_copy(item);
        if (json_object_get(ended, "status"))
            json_object_set_new(ended, "status", json_string("failed"));
        item_completed(t, ended);
        json_decref(ended);
    }
    json_decref(open);
    /* The user's own command (thread/shellCommand) is nothing new to read,
     * and its turn has no answer to sum it up. */
    bool quiet = t->quiet_turn;
    t->quiet_turn = false;
    /* A subagent's turns are read through its parent (the reference keeps
     * no read state for them). */
    if (!t->ephemeral && !quiet && !t->root)
        mark_unread(t);
    t->turn_running = false;
    t->waiting_approvals = 0;
    t->waiting_user_input = 0;
    t->updated_at = rpc_now_ms() / 1000;
    if (t->goal_turn_ended)
        t->goal_turn_ended(t, status);
    rpc_thread_status_changed(t);
    /* The turn's summary is its last answer; an interrupted turn that gave
     * none has no summary at all ("notLoaded", as 0.169 says it). */
    json_t *items = json_array();
    if (t->last_message)
        json_array_append(items, t->last_message);
    bool no_summary = quiet || (!t->last_message && strcmp(status, "interrupted") == 0);
    rpc_thread_notify(t, "turn/completed",
                      json_pack("{s:s s:o}", "threadId", id, "turn",
                                turn_of(t, rpc_turn_json(t->turn_id, status, t->turn_started_ms,
                                                         rpc_now_ms(), error, items,
                                                         no_summary ? "notLoaded" : "summary"))));
    json_decref(t->last_message);
    t->last_message = NULL;
}

static void turn_started(struct rpc_thread *t, const struct agent_event *ev)
{
    snprintf(t->turn_id, sizeof t->turn_id, "%s", ev->turn_id);
    t->turn_started_ms = rpc_now_ms();
    t->turn_running = true;
    t->goal_tokens_mark = t->total.total_tokens; /* what this turn spends counts toward a goal */
    rpc_thread_status_changed(t);
    rpc_thread_notify(t, "turn/started",
                      json_pack("{s:s s:o}", "threadId", rpc_thread_id(t), "turn",
                                turn_of(t, rpc_turn_json(t->turn_id, "inProgress",
                                                         t->turn_started_ms, 0, NULL, NULL,
                                                         "notLoaded"))));
}

/* After each model response: its usage, the rate limits (none are known
 * without a ChatGPT sign-in) and the turn's diff so far. */
static void token_usage(struct rpc_thread *t, const struct agent_event *ev)
{
    const char *id = rpc_thread_id(t);
    token_usage_add(&t->total, &ev->usage);
    int64_t window = rpc_thread_context_window(t);
    rpc_thread_notify(t, "thread/tokenUsage/updated",
                      json_pack("{s:s s:s s:{s:o s:o s:o}}", "threadId", id, "turnId", t->turn_id,
                                "tokenUsage", "total", usage_json(&t->total), "last",
                                usage_json(&ev->usage), "modelContextWindow",
                                window > 0 ? json_integer(window) : json_null()));
    rpc_thread_notify(t, "account/rateLimits/updated",
                      json_pack("{s:{s:s s:n s:n s:n s:n s:n s:n s:n s:n s:n}}", "rateLimits",
                                "limitId", "codex", "limitName", "normalModelSlug", "primary",
                                "secondary", "credits", "individualLimit", "spendControlReached",
                                "planType", "rateLimitReachedType"));
}

void rpc_thread_notice(struct rpc_thread *t, const char *method, json_t *params)
{
    if (t->announced) {
        rpc_thread_notify(t, method, params);
        return;
    }
    if (!t->early_notices)
        t->early_notices = json_array();
    json_array_append_new(t->early_notices, json_pack("[s o]", method, params));
}

void rpc_thread_warning(struct rpc_thread *t, const char *message)
{
    json_t *params = json_pack("{s:s}", "message", message);
    /* While the agent starts, its thread id is not known here yet: the
     * notice gets it when it goes out. */
    if (t->announced)
        json_object_set_new(params, "threadId", json_string(rpc_thread_id(t)));
    rpc_thread_notice(t, "warning", params);
}

void rpc_thread_event(void *ud, const struct agent_event *ev)
{
    struct rpc_thread *t = ud;
    /* thread/started follows the response of the request (and the agent
     * is not known yet while it announces itself). */
    if (t->closing || ev->kind == AGENT_EV_THREAD_STARTED)
        return;
    /* A review cut short by the interrupt still says so (aborted), before
     * the turn's end. */
    if (t->interrupting && ev->kind != AGENT_EV_AUTO_REVIEW_COMPLETED)
        return;
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
        turn_started(t, ev);
        break;
    case AGENT_EV_ITEM_STARTED:
        rpc_thread_item_started(t, ev->item);
        break;
    case AGENT_EV_ITEM_COMPLETED:
        item_completed(t, ev->item);
        break;
    case AGENT_EV_AGENT_MESSAGE_DELTA:
        delta_item(t, "agentMessage", ev->item_id);
        keep_streamed_text(t, ev);
        notify_delta(t, "item/agentMessage/delta", ev);
        break;
    case AGENT_EV_REASONING_DELTA:
        delta_item(t, "reasoning", ev->item_id);
        notify_delta(t, "item/reasoning/summaryTextDelta", ev);
        break;
    case AGENT_EV_COMMAND_OUTPUT_DELTA:
        notify_delta(t, "item/commandExecution/outputDelta", ev);
        break;
    case AGENT_EV_PLAN_DELTA:
        notify_delta(t, "item/plan/delta", ev);
        break;
    case AGENT_EV_PLAN_UPDATED: {
        json_t *p = json_pack("{s:s s:s s:O}", "threadId", rpc_thread_id(t), "turnId",
                              t->turn_id, "plan", json_object_get(ev->plan, "plan"));
        json_t *expl = json_object_get(ev->plan, "explanation");
        if (json_is_string(expl))
            json_object_set(p, "explanation", expl);
        rpc_thread_notify(t, "turn/plan/updated", p);
        break;
    }
    case AGENT_EV_TURN_DIFF:
        rpc_thread_notify(t, "turn/diff/updated", json_pack("{s:s s:s s:s}", "threadId", rpc_thread_id(t), "turnId",
                                                            t->turn_id, "diff", ev->message));
        break;
    case AGENT_EV_AUTO_REVIEW_STARTED:
    case AGENT_EV_AUTO_REVIEW_COMPLETED: {
        bool done = ev->kind == AGENT_EV_AUTO_REVIEW_COMPLETED;
        if (done && ev->message)
            rpc_thread_notify(t, "guardianWarning",
                              json_pack("{s:s s:s}", "threadId", rpc_thread_id(t), "message", ev->message));
        json_t *p = json_pack("{s:s s:s}", "threadId", rpc_thread_id(t), "turnId", t->turn_id);
        json_object_update(p, (json_t *)ev->item);
        rpc_thread_notify(t, done ? "item/autoApprovalReview/completed" : "item/autoApprovalReview/started", p);
        break;
    }
    case AGENT_EV_TURN_ABORTED:
        if (ev->message)
            rpc_thread_notify(t, "guardianWarning",
                              json_pack("{s:s s:s}", "threadId", rpc_thread_id(t), "message", ev->message));
        rpc_thread_end_turn(t, "interrupted", NULL);
        break;
    case AGENT_EV_WARNING:
        rpc_thread_warning(t, ev->message ? ev->message : "");
        break;
    case AGENT_EV_DEPRECATION:
        rpc_thread_notice(t, "deprecationNotice",
                          json_pack("{s:s s:s?}", "summary", ev->message ? ev->message : "",
                                    "details", ev->details));
        break;
    case AGENT_EV_ERROR:
        free(t->pending_error);
        t->pending_error = xstrdup(ev->message ? ev->message : "error");
        break;
    case AGENT_EV_TOKEN_USAGE:
        token_usage(t, ev);
        break;
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
