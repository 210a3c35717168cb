/* What the agent tells its front ends.  The shape follows the app-server v2
 * model: a thread holds turns, a turn produces items, and every item is
 * started (maybe updated through deltas) and completed.  Items are v2
 * ThreadItem objects (camelCase JSON):
 *
 *   userMessage     {id, content: [{type: "text", text}]}
 *   agentMessage    {id, text, phase?}
 *   reasoning       {id, summary: [text], content: []}
 *   commandExecution{id, command, cwd, status, aggregatedOutput, exitCode,
 *                    durationMs, processId?}
 *   fileChange      {id, changes: [{path, kind: {type}, diff}], status}
 *   error           {id, message}   (a non-fatal notice; not a v2 item)
 *   webSearch       {id, query, action}  (the server searched)
 *   plan            {id, text}      (Plan mode's <proposed_plan>; id "<turn>-plan")
 *
 * status is "inProgress" | "completed" | "failed" | "declined".
 * A plan (update_plan) is its own event, as v2's turn/plan/updated. */
#ifndef CODEX_CORE_EVENTS_H
#define CODEX_CORE_EVENTS_H

#include <stdbool.h>

#include <jansson.h>

#include "model/usage.h"

enum agent_event_kind {
    AGENT_EV_THREAD_STARTED, /* thread_id */
    AGENT_EV_TURN_STARTED,   /* turn_id */
    AGENT_EV_TURN_COMPLETED, /* usage (summed over the turn's requests) */
    AGENT_EV_TURN_FAILED,    /* message */
    AGENT_EV_ITEM_STARTED,   /* item */
    AGENT_EV_ITEM_COMPLETED, /* item */
    AGENT_EV_AGENT_MESSAGE_DELTA, /* item_id, delta */
    AGENT_EV_REASONING_DELTA,     /* item_id, delta */
    AGENT_EV_COMMAND_OUTPUT_DELTA, /* item_id, delta */
    AGENT_EV_PLAN_UPDATED,   /* plan: {explanation?, plan: [{step, status}]} */
    AGENT_EV_PLAN_DELTA,     /* item_id, delta: Plan mode's proposed plan as it streams */
    AGENT_EV_ERROR,          /* message: a notice (e.g. a reconnect); the turn goes on */
    AGENT_EV_WARNING,        /* message: something the user should know; nothing failed */
    AGENT_EV_DEPRECATION,    /* message: what is deprecated; details: what to do, or NULL */
    AGENT_EV_TOKEN_USAGE,    /* usage of the last request */
    AGENT_EV_TURN_DIFF,      /* message: the turn's diff so far, after a patch was written */
    /* An automatic review of an approval question (auto_review.c).  item:
     * {reviewId, targetItemId, startedAtMs, completedAtMs?, decisionSource?,
     * review: {status, riskLevel, userAuthorization, rationale}, action};
     * on completion message is the one-line verdict shown to the user. */
    AGENT_EV_AUTO_REVIEW_STARTED,
    AGENT_EV_AUTO_REVIEW_COMPLETED,
    /* The core interrupted the turn itself (auto-review's circuit breaker);
     * message says why.  The turn's done callback has already run with
     * ok = false. */
    AGENT_EV_TURN_ABORTED,
};

struct agent_event {
    enum agent_event_kind kind;
    const char *thread_id;
    const char *turn_id;
    const json_t *item;  /* borrowed */
    const json_t *plan;  /* borrowed */
    const char *item_id;
    const char *delta;
    const char *message;
    const char *details;
    struct token_usage usage;
};

typedef void (*agent_event_fn)(void *ud, const struct agent_event *ev);

#endif
