/* thread/goal/set, get and clear, and what a goal does: while a loaded
 * thread's goal is active, every turn that ends well is followed by
 * another that works toward it (a hidden turn: the model is reminded of
 * the objective and its budget, nobody typed it), until the model reports
 * the goal complete, blocked or paused with update_goal, the client pauses
 * or clears it, or the tokens used reach its budget (budgetLimited).  A
 * turn that fails or is interrupted stops the run; the goal stays active
 * and the next turn the client starts picks it up again.
 *
 * Goals are kept in store/thread_goals.c; thread/goal/updated and
 * thread/goal/cleared tell the thread's subscribers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/conn.h"
#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "store/thread_goals.h"
#include "tools/registry.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct rpc_goal_kick {
    uv_timer_t timer;
    struct rpc_thread *t; /* NULL once the thread is gone */
};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static const char *goal_status(const json_t *goal)
{
    const char *s = json_string_value(json_object_get(goal, "status"));
    return s ? s : "";
}

static const char *const STATUSES[] = {"active", "paused", "blocked", "usageLimited",
                                       "budgetLimited", "complete"};

static bool known_status(const char *s)
{
    for (size_t i = 0; i < sizeof STATUSES / sizeof *STATUSES; i++)
        if (strcmp(s, STATUSES[i]) == 0)
            return true;
    return false;
}

static void notify(struct rpc_thread *t, struct rpc_conn *c, const char *method, json_t *params)
{
    if (t)
        rpc_thread_notify(t, method, params);
    else if (c)
        rpc_conn_notify(c, method, params);
    else
        json_decref(params);
}

static void goal_updated(struct rpc_thread *t, struct rpc_conn *c, const char *id,
                         const char *turn_id, const json_t *goal)
{
    notify(t, c, "thread/goal/updated",
           json_pack("{s:s s:s? s:O}", "threadId", id, "turnId", turn_id, "goal", goal));
}

/* ---- turns toward the goal ----------------------------------------------- */

/* What a turn toward the goal starts with (ours; the budget as numbers so
 * the model can pace itself). */
static char *continuation_prompt(const json_t *goal)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "<codex_internal_context source=\"goal\">\n"
                   "This thread has a goal, and this turn exists to move it forward. Nobody typed "
                   "a new request: keep working toward the objective below.\n\n"
                   "Objective:\n%s\n\n",
               json_string_value(json_object_get(goal, "objective")));
    json_int_t used = json_integer_value(json_object_get(goal, "tokensUsed"));
    json_t *budget = json_object_get(goal, "tokenBudget");
    if (json_is_integer(budget))
        buf_printf(&b, "Tokens: %lld used of a budget of %lld (%lld left).\n\n", (long long)used,
                   (long long)json_integer_value(budget),
                   (long long)(json_integer_value(budget) - used));
    else
        buf_printf(&b, "Tokens used so far: %lld (no budget set).\n\n", (long long)used);
    buf_puts(&b, "How to work:\n"
                 "- Look at the current state of the workspace first; what earlier turns said "
                 "is a hint, not proof.\n"
                 "- Make real progress on the whole objective; do not trade it for a smaller or "
                 "easier target.\n"
                 "- When every part of the objective is done and you have checked it, call "
                 "update_goal with status \"complete\".\n"
                 "- Call update_goal with status \"blocked\" only after the same obstacle has "
                 "stopped three goal turns in a row and only the user can remove it.\n"
                 "- Never pause the goal unless the user asked for it.\n"
                 "</codex_internal_context>");
    return buf_detach(&b, NULL);
}

static void goal_turn_done(void *ud, bool ok)
{
    (void)ud;
    (void)ok; /* the turn's events have told the client everything */
}

static void kick_closed(uv_handle_t *h)
{
    free(h->data);
}

/* Start the next turn toward t's goal, if it is still wanted. */
static void kick(uv_timer_t *timer)
{
    struct rpc_goal_kick *k = timer->data;
    struct rpc_thread *t = k->t;
    uv_close((uv_handle_t *)&k->timer, kick_closed);
    if (!t)
        return;
    t->goal_kick = NULL;
    if (t->closing || t->turn_running || !t->agent)
        return;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(t->reg->server->codex_home, rpc_thread_id(t), &err);
    codex_error_clear(&err);
    if (goal && strcmp(goal_status(goal), "active") == 0) {
        char *prompt = continuation_prompt(goal);
        rpc_thread_mcp_apply_reload(t);
        agent_start_hidden_turn(t->agent, prompt, goal_turn_done, t);
        free(prompt);
    }
    json_decref(goal);
}

/* After the current callback: a turn is never started from inside the end
 * of another. */
static void schedule_turn(struct rpc_thread *t)
{
    if (t->goal_kick || t->ephemeral)
        return;
    struct rpc_goal_kick *k = xcalloc(1, sizeof *k);
    k->t = t;
    uv_timer_init(t->reg->server->loop, &k->timer);
    k->timer.data = k;
    uv_timer_start(&k->timer, kick, 0, 0);
    t->goal_kick = k;
}

static void goal_release(struct rpc_thread *t)
{
    if (t->goal_kick)
        t->goal_kick->t = NULL;
    t->goal_kick = NULL;
}

static void goal_turn_ended(struct rpc_thread *t, const char *turn_status)
{
    if (t->ephemeral || !t->may_have_goal)
        return;
    const char *home = t->reg->server->codex_home;
    const char *id = rpc_thread_id(t);
    int64_t spent = t->total.total_tokens - t->goal_tokens_mark;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(home, id, &err);
    if (!goal || strcmp(goal_status(goal), "active") != 0) {
        codex_error_clear(&err);
        json_decref(goal);
        return;
    }
    json_int_t used = json_integer_value(json_object_get(goal, "tokensUsed")) + (spent > 0 ? spent : 0);
    json_int_t secs = json_integer_value(json_object_get(goal, "timeUsedSeconds")) +
                      (rpc_now_ms() - t->turn_started_ms) / 1000;
    json_object_set_new(goal, "tokensUsed", json_integer(used));
    json_object_set_new(goal, "timeUsedSeconds", json_integer(secs));
    json_t *budget = json_object_get(goal, "tokenBudget");
    if (json_is_integer(budget) && used >= json_integer_value(budget)) {
        json_object_set_new(goal, "status", json_string("budgetLimited"));
        json_object_set_new(goal, "updatedAt", json_integer(now_s()));
    }
    if (thread_goal_save(home, id, goal, &err) != 0) {
        char *text = codex_error_text(&err);
        rpc_thread_warning(t, text);
        free(text);
        codex_error_clear(&err);
        json_decref(goal);
        return;
    }
    goal_updated(t, NULL, id, t->turn_id, goal);
    if (strcmp(goal_status(goal), "active") == 0 && strcmp(turn_status, "completed") == 0)
        schedule_turn(t);
    json_decref(goal);
}

/* ---- the model's tools --------------------------------------------------- */

static const char GOAL_TOOLS[] =
    "["
    "{\"type\":\"function\",\"name\":\"get_goal\",\"description\":\"Read this thread's goal: "
    "the objective, its status, the token budget and how much of it is used.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{},\"required\":[],"
    "\"additionalProperties\":false}},"
    "{\"type\":\"function\",\"name\":\"create_goal\",\"description\":\"Give this thread a goal "
    "that later turns keep working toward. Only when the user or the instructions explicitly ask "
    "for a goal; an ordinary task is not one. Fails while an unfinished goal exists.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"objective\":{\"type\":\"string\","
    "\"description\":\"What must be true when the goal is done.\"},\"token_budget\":{\"type\":"
    "\"integer\",\"description\":\"A positive token budget, only when one was asked for.\"}},"
    "\"required\":[\"objective\"],\"additionalProperties\":false}},"
    "{\"type\":\"function\",\"name\":\"update_goal\",\"description\":\"Report where this thread's "
    "goal stands: complete once the whole objective is achieved and checked; blocked once the same "
    "obstacle has stopped three goal turns in a row and only the user can remove it; paused only "
    "when the user asked to pause. Resuming and budget limits are not yours to set.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\","
    "\"enum\":[\"complete\",\"blocked\",\"paused\"],\"description\":\"The goal's new status.\"}},"
    "\"required\":[\"status\"],\"additionalProperties\":false}}"
    "]";

static void finish_json(struct tool_call *call, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    tool_call_finish(call, text);
}

static void goal_tool(void *ud, struct tool_call *call)
{
    struct rpc_thread *t = ud;
    const char *home = t->reg->server->codex_home;
    const char *id = rpc_thread_id(t);
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(home, id, &err);
    json_t *args = json_loads(call->input ? call->input : "{}", 0, NULL);
    char *fail = NULL;
    if (err.message) {
        fail = codex_error_text(&err);
    } else if (strcmp(call->name, "get_goal") == 0) {
        json_t *out = json_pack("{s:O}", "goal", goal ? goal : json_null());
        json_t *budget = json_object_get(goal, "tokenBudget");
        if (json_is_integer(budget))
            json_object_set_new(out, "remainingTokens",
                                json_integer(json_integer_value(budget) -
                                             json_integer_value(json_object_get(goal, "tokensUsed"))));
        finish_json(call, out);
    } else if (strcmp(call->name, "create_goal") == 0) {
        const char *objective = json_string_value(json_object_get(args, "objective"));
        json_t *budget = json_object_get(args, "token_budget");
        if (goal && strcmp(goal_status(goal), "complete") != 0)
            fail = xstrdup("this thread already has a goal that is not complete; use update_goal");
        else if (!objective || !*objective)
            fail = xstrdup("objective must be a non-empty string");
        else if (budget && !json_is_null(budget) &&
                 (!json_is_integer(budget) || json_integer_value(budget) <= 0))
            fail = xstrdup("token_budget must be a positive integer");
        else {
            int64_t now = now_s();
            json_t *fresh = json_pack("{s:s s:s s:s s:O s:i s:i s:I s:I}", "threadId", id, "objective",
                                      objective, "status", "active", "tokenBudget",
                                      budget ? budget : json_null(), "tokensUsed", 0,
                                      "timeUsedSeconds", 0, "createdAt", (json_int_t)now,
                                      "updatedAt", (json_int_t)now);
            t->may_have_goal = true;
            if (thread_goal_save(home, id, fresh, &err) != 0) {
                fail = codex_error_text(&err);
            } else {
                goal_updated(t, NULL, id, t->turn_id, fresh);
                finish_json(call, json_pack("{s:O}", "goal", fresh));
            }
            json_decref(fresh);
        }
    } else { /* update_goal */
        const char *status = json_string_value(json_object_get(args, "status"));
        if (!goal)
            fail = xstrdup("this thread has no goal");
        else if (!status || (strcmp(status, "complete") != 0 && strcmp(status, "blocked") != 0 &&
                             strcmp(status, "paused") != 0))
            fail = xstrdup("status must be one of complete, blocked, paused");
        else {
            json_object_set_new(goal, "status", json_string(status));
            json_object_set_new(goal, "updatedAt", json_integer(now_s()));
            t->may_have_goal = true;
            if (thread_goal_save(home, id, goal, &err) != 0) {
                fail = codex_error_text(&err);
            } else {
                goal_updated(t, NULL, id, t->turn_id, goal);
                finish_json(call, json_pack("{s:O}", "goal", goal));
            }
        }
    }
    if (fail)
        tool_call_finish(call, fail);
    codex_error_clear(&err);
    json_decref(args);
    json_decref(goal);
}

void rpc_thread_goal_attach(struct rpc_thread *t)
{
    t->goal_turn_ended = goal_turn_ended;
    t->goal_release = goal_release;
    if (t->ephemeral)
        return;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(t->reg->server->codex_home, rpc_thread_id(t), &err);
    t->may_have_goal = goal || err.message; /* unreadable: look again at each turn's end */
    json_decref(goal);
    codex_error_clear(&err);
    json_t *tools = json_loads(GOAL_TOOLS, 0, NULL);
    struct tool_group g = {.tools = tools, .dispatch = goal_tool, .ud = t};
    tool_registry_put(agent_tool_registry(t->agent), &g);
    json_decref(tools);
}

/* ---- the methods --------------------------------------------------------- */

/* The thread params name: loaded (*t set) or stored.  False after
 * replying "thread not found". */
static bool goal_thread(struct rpc_request *req, json_t *params, const char **id,
                        struct rpc_thread **t)
{
    if (!rpc_get_string(req, params, "threadId", true, id) || !rpc_check_thread_id(req, *id))
        return false;
    *t = rpc_thread_find(rpc_threads_of(req), *id);
    if (*t)
        return true;
    char *path = rollout_locate(req->server->codex_home, *id, NULL);
    free(path);
    if (!path) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not found: %s", *id);
        return false;
    }
    return true;
}

static void reply_store_error(struct rpc_request *req, struct codex_error *err)
{
    char *text = codex_error_text(err);
    rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", text);
    free(text);
    codex_error_clear(err);
}

void rpc_thread_goal_get(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadGoalGetParams", false);
    const char *id;
    struct rpc_thread *t;
    if (!params || !goal_thread(req, params, &id, &t))
        return;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(req->server->codex_home, id, &err);
    if (err.message) {
        reply_store_error(req, &err);
        return;
    }
    rpc_reply(req, json_pack("{s:o}", "goal", goal ? goal : json_null()));
}

/* origin: "user", "automatic" or null (every change here is the client's). */
static bool read_origin(struct rpc_request *req, json_t *params)
{
    const char *origin;
    if (!rpc_get_string(req, params, "origin", false, &origin))
        return false;
    if (origin && strcmp(origin, "user") != 0 && strcmp(origin, "automatic") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `user` or `automatic`", origin);
        return false;
    }
    return true;
}

void rpc_thread_goal_set(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadGoalSetParams", false);
    const char *id, *objective = NULL, *status = NULL;
    struct rpc_thread *t;
    if (!params || !rpc_get_string(req, params, "objective", false, &objective) ||
        !rpc_get_string(req, params, "status", false, &status) || !read_origin(req, params))
        return;
    json_t *budget = json_object_get(params, "tokenBudget");
    if (budget && !json_is_null(budget) && !json_is_integer(budget)) {
        char *what = rpc_describe_value(budget);
        rpc_reply_invalid(req, "invalid type: %s, expected i64", what);
        free(what);
        return;
    }
    if (status && !known_status(status)) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `active`, `paused`, `blocked`, "
                               "`usageLimited`, `budgetLimited`, `complete`",
                          status);
        return;
    }
    if (!goal_thread(req, params, &id, &t))
        return;
    if (t && t->ephemeral) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "ephemeral thread does not support goals: %s", id);
        return;
    }
    if (objective && objective[strspn(objective, " \t\r\n")] == '\0') {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "goal objective must not be empty");
        return;
    }
    if (json_is_integer(budget) && json_integer_value(budget) <= 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "goal budgets must be positive when provided");
        return;
    }
    const char *home = req->server->codex_home;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *goal = thread_goal_load(home, id, &err);
    if (err.message) {
        reply_store_error(req, &err);
        return;
    }
    int64_t now = now_s();
    if (!goal && !objective) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "cannot update goal for thread %s: no goal exists",
                        id);
        return;
    }
    if (!goal) {
        goal = json_pack("{s:s s:s s:s s:n s:i s:i s:I s:I}", "threadId", id, "objective", objective,
                         "status", status ? status : "active", "tokenBudget", "tokensUsed", 0,
                         "timeUsedSeconds", 0, "createdAt", (json_int_t)now, "updatedAt",
                         (json_int_t)now);
    } else {
        if (objective)
            json_object_set_new(goal, "objective", json_string(objective));
        if (status)
            json_object_set_new(goal, "status", json_string(status));
        json_object_set_new(goal, "updatedAt", json_integer(now));
    }
    if (budget)
        json_object_set(goal, "tokenBudget", budget);
    /* A spent budget outranks resuming and pausing alike. */
    json_t *limit = json_object_get(goal, "tokenBudget");
    const char *now_status = goal_status(goal);
    if (json_is_integer(limit) &&
        json_integer_value(json_object_get(goal, "tokensUsed")) >= json_integer_value(limit) &&
        (strcmp(now_status, "active") == 0 || strcmp(now_status, "paused") == 0))
        json_object_set_new(goal, "status", json_string("budgetLimited"));
    if (thread_goal_save(home, id, goal, &err) != 0) {
        json_decref(goal);
        reply_store_error(req, &err);
        return;
    }
    if (t)
        t->may_have_goal = true;
    char *tid = xstrdup(id); /* params go with the request once it is answered */
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, json_pack("{s:O}", "goal", goal));
    goal_updated(t, c, tid, NULL, goal);
    rpc_conn_unref(c);
    free(tid);
    if (t && !t->turn_running && strcmp(goal_status(goal), "active") == 0)
        schedule_turn(t);
    json_decref(goal);
}

void rpc_thread_goal_clear(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadGoalClearParams", false);
    const char *id;
    struct rpc_thread *t;
    if (!params || !read_origin(req, params) || !goal_thread(req, params, &id, &t))
        return;
    bool removed = false;
    struct codex_error err = CODEX_ERROR_INIT;
    if (thread_goal_remove(req->server->codex_home, id, &removed, &err) != 0) {
        reply_store_error(req, &err);
        return;
    }
    if (t)
        t->may_have_goal = false;
    char *tid = xstrdup(id);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, json_pack("{s:b}", "cleared", removed));
    if (removed)
        notify(t, c, "thread/goal/cleared", json_pack("{s:s}", "threadId", tid));
    rpc_conn_unref(c);
    free(tid);
}
