/* Approvals as server requests: the core asks (core/approvals.h) with a
 * ticket, we send item/commandExecution/requestApproval or
 * item/fileChange/requestApproval to the thread's owner and answer the
 * ticket with the client's decision.  An MCP tool call is asked, as the
 * reference asks it, as an mcpServer/elicitation/request whose _meta says
 * codex_approval_kind "mcp_tool_call".  A network question (the managed
 * proxy holds a connection to an unlisted host) is a command approval
 * carrying networkApprovalContext, about no item; an MCP server's own
 * elicitation/create goes to the client the same way and its answer back
 * to the server (agent_elicitation_answer).
 *
 * The command or patch is announced (item/started) before the question,
 * and the thread is active with the waitingOnApproval flag until it is
 * answered.  Anything but an accept is a refusal: a decline, an error
 * answer, an answer of the wrong shape (logged), or a client that goes
 * away; a refused item ends "declined".  A ticket the core withdraws (the
 * turn ended) is resolved for the client and forgotten; answering a stale
 * ticket is harmless, so no call order matters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "tools/command_actions.h"
#include "util/json_text.h"
#include "rpc/thread.h"
#include "util/xalloc.h"

static json_t *string_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The item the question is about, as it will run. */
static json_t *pending_item(const struct approval_request *req)
{
    const char *id = req->call_id ? req->call_id : "";
    if (req->kind == APPROVAL_KIND_EXEC)
        return json_pack("{s:s s:s s:s? s:s? s:s}", "type", "commandExecution", "id", id,
                         "command", req->command, "cwd", req->cwd, "status", "inProgress");
    return json_pack("{s:s s:s s:O? s:s}", "type", "fileChange", "id", id, "changes",
                     req->changes, "status", "inProgress");
}

static json_t *exec_params(const struct approval_request *req, json_t *params)
{
    json_object_set_new(params, "kind", json_string("command"));
    json_object_set_new(params, "environmentId", json_string("local"));
    json_object_set_new(params, "command", json_string(req->command ? req->command : ""));
    json_object_set_new(params, "cwd", req->cwd ? json_string(req->cwd) : json_null());
    json_object_set_new(params, "commandActions", tool_command_actions(req->command));
    json_t *decisions = json_pack("[s]", "accept");
    if (req->n_proposed_prefix) {
        json_t *prefix = string_array(req->proposed_prefix, req->n_proposed_prefix);
        json_object_set(params, "proposedExecpolicyAmendment", prefix);
        json_array_append_new(decisions, json_pack("{s:{s:o}}", "acceptWithExecpolicyAmendment",
                                                   "execpolicy_amendment", prefix));
    } else {
        json_object_set_new(params, "proposedExecpolicyAmendment", json_null());
    }
    json_array_append_new(decisions, json_string("cancel"));
    json_object_set_new(params, "availableDecisions", decisions);
    return params;
}

/* A network question as the reference asks it: the destination in
 * networkApprovalContext, the two rules "always" could write, and the
 * decisions a client may offer (an allow rule among them). */
static void network_params(const struct approval_request *req, json_t *params)
{
    const char *host = req->network_host ? req->network_host : "";
    json_object_set_new(params, "kind", json_string("command"));
    json_object_set_new(params, "environmentId", json_string("local"));
    json_object_set_new(params, "command", json_string(req->command ? req->command : ""));
    json_object_set_new(params, "cwd", req->cwd ? json_string(req->cwd) : json_null());
    json_object_set_new(params, "commandActions", tool_command_actions(req->command));
    json_object_set_new(params, "networkApprovalContext",
                        json_pack("{s:s s:s}", "host", host, "protocol",
                                  req->network_protocol ? req->network_protocol : "http"));
    json_object_set_new(params, "proposedExecpolicyAmendment", json_null());
    json_object_set_new(params, "proposedNetworkPolicyAmendments",
                        json_pack("[{s:s s:s} {s:s s:s}]", "host", host, "action", "allow", "host", host,
                                  "action", "deny"));
    json_object_set_new(params, "availableDecisions",
                        json_pack("[s s {s:{s:{s:s s:s}}} s]", "accept", "acceptForSession",
                                  "applyNetworkPolicyAmendment", "network_policy_amendment", "host", host,
                                  "action", "allow", "cancel"));
}

/* The reference's question about an MCP tool call (an elicitation form
 * with no fields; its _meta describes the call). */
static void mcp_approval_params(const struct approval_request *req, json_t *params)
{
    const char *server = req->mcp_server ? req->mcp_server : "";
    const char *tool = req->mcp_tool ? req->mcp_tool : "";
    json_t *meta = json_pack("{s:s s:[ss] s:s}", "codex_approval_kind", "mcp_tool_call", "persist",
                             "session", "always", "tool_name", tool);
    if (req->mcp_tool_description)
        json_object_set_new(meta, "tool_description", json_string(req->mcp_tool_description));
    if (req->mcp_arguments) {
        json_object_set_new(meta, "tool_params", json_deep_copy(req->mcp_arguments));
        json_t *display = json_array();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)req->mcp_arguments, k, v)
            json_array_append_new(display, json_pack("{s:s s:O s:s}", "name", k, "value", v,
                                                     "display_name", k));
        json_object_set_new(meta, "tool_params_display", display);
    }
    json_object_set_new(params, "serverName", json_string(server));
    json_object_set_new(params, "mode", json_string("form"));
    json_object_set_new(params, "_meta", meta);
    json_object_set_new(params, "message",
                        json_sprintf("Allow the %s MCP server to run tool \"%s\"?", server, tool));
    json_object_set_new(params, "requestedSchema", json_pack("{s:s s:{}}", "type", "object",
                                                             "properties"));
}

/* The thread that asks: a subagent's own thread when it is loaded, else t. */
static struct rpc_thread *asker_of(struct rpc_thread *t, const char *asker_id)
{
    struct rpc_thread *shown = asker_id && *asker_id ? rpc_thread_find(t->reg, asker_id) : NULL;
    return shown ? shown : t;
}

/* A question goes out: the thread that asks waits on it until it is
 * answered; the question stays with t, whose agent takes the answer. */
static struct rpc_approval *ask_as(struct rpc_thread *t, struct rpc_thread *shown,
                                   enum rpc_question kind, uint64_t ticket, const char *item_id,
                                   const char *method, json_t *params)
{
    shown->waiting_approvals++;
    rpc_thread_status_changed(shown);
    struct rpc_approval *a = xcalloc(1, sizeof *a);
    snprintf(a->asker, sizeof a->asker, "%s", rpc_thread_id(shown));
    a->id = t->reg->next_request_id++;
    a->ticket = ticket;
    a->kind = kind;
    snprintf(a->item_id, sizeof a->item_id, "%s", item_id ? item_id : "");
    a->next = t->approvals;
    t->approvals = a;
    rpc_thread_send_question(t, a, method, params);
    return a;
}

static struct rpc_approval *send_question(struct rpc_thread *t, enum rpc_question kind,
                                          uint64_t ticket, const char *item_id,
                                          const char *method, json_t *params)
{
    return ask_as(t, t, kind, ticket, item_id, method, params);
}

bool rpc_thread_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    if (!t->conn || t->closing)
        return false;
    const char *id = req->call_id ? req->call_id : "";
    if (req->kind == APPROVAL_KIND_MCP) {
        /* The call's item is out already (tools/mcp_tools.c). */
        json_t *params = json_pack("{s:s s:s}", "threadId", rpc_thread_id(t), "turnId", t->turn_id);
        mcp_approval_params(req, params);
        send_question(t, RPC_QUESTION_MCP_APPROVAL, ticket, id, "mcpServer/elicitation/request",
                      params);
        return true;
    }
    /* A child's question names the child's thread, as the reference's do. */
    const char *asker = req->thread_id ? req->thread_id : rpc_thread_id(t);
    if (req->kind == APPROVAL_KIND_NETWORK) {
        /* About a connection, not an item: nothing is announced. */
        json_t *params = json_pack("{s:s s:s s:s s:I s:s?}", "threadId", asker, "turnId",
                                   t->turn_id, "itemId", id, "startedAtMs", (json_int_t)rpc_now_ms(),
                                   "reason", req->reason);
        network_params(req, params);
        send_question(t, RPC_QUESTION_NETWORK, ticket, id, "item/commandExecution/requestApproval", params);
        return true;
    }
    /* The item waiting for the answer is the asker's, announced in its
     * stream: a subagent's in its own thread (thread_children.c). */
    struct rpc_thread *shown = asker_of(t, req->thread_id);
    if (!req->thread_id || shown != t) {
        json_t *item = pending_item(req);
        rpc_thread_item_started(shown, item);
        json_decref(item);
    }
    json_t *opened = json_object_get(shown->open_items, id);
    json_t *params = json_pack("{s:s s:s s:s s:O? s:s?}", "threadId", asker, "turnId",
                               shown->turn_id, "itemId", id, "startedAtMs",
                               json_object_get(opened, "startedAtMs"), "reason", req->reason);
    const char *method = "item/fileChange/requestApproval";
    if (req->kind == APPROVAL_KIND_EXEC) {
        method = "item/commandExecution/requestApproval";
        exec_params(req, params);
    }
    ask_as(t, shown, RPC_QUESTION_APPROVAL, ticket, id, method, params);
    return true;
}

bool rpc_thread_elicit(void *ud, const char *server, const char *turn_id, const json_t *params,
                       uint64_t ticket)
{
    struct rpc_thread *t = ud;
    if (!t->conn || t->closing)
        return false;
    json_t *p = json_pack("{s:s s:s? s:s}", "threadId", rpc_thread_id(t), "turnId", turn_id,
                          "serverName", server);
    const json_t *mode = json_object_get(params, "mode");
    json_object_set_new(p, "mode", json_is_string(mode) ? json_copy((json_t *)mode)
                                                        : json_string("form"));
    const json_t *meta = json_object_get(params, "_meta");
    json_object_set_new(p, "_meta", meta ? json_deep_copy(meta) : json_null());
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)params, k, v)
        if (strcmp(k, "mode") != 0 && strcmp(k, "_meta") != 0)
            json_object_set_new(p, k, json_deep_copy(v));
    send_question(t, RPC_QUESTION_ELICITATION, ticket, NULL, "mcpServer/elicitation/request", p);
    return true;
}

/* The question is settled: the client hears it resolved, the thread stops
 * waiting (when nothing else is asked). */
static void resolved(struct rpc_thread *t, struct rpc_approval *a)
{
    struct rpc_thread *shown = asker_of(t, a->asker);
    if (shown->waiting_approvals > 0)
        shown->waiting_approvals--;
    if (t->conn && !t->closing) {
        rpc_thread_question_resolved(t, a);
        rpc_thread_status_changed(shown);
    }
}

void rpc_thread_withdraw(void *ud, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
        struct rpc_approval *a = *p;
        if (a->ticket != ticket || a->kind == RPC_QUESTION_USER_INPUT)
            continue;
        *p = a->next;
        resolved(t, a);
        rpc_approval_free(a);
        return;
    }
}

/* The decision of an answer; *well_formed says whether it had a shape we
 * know (a wrong one is a refusal too, and worth a line in the log). */
static enum review_decision decision_of(const json_t *result, bool *well_formed)
{
    const json_t *d = json_object_get(result, "decision");
    const char *s = json_string_value(d);
    *well_formed = true;
    if (s && strcmp(s, "accept") == 0)
        return REVIEW_APPROVED;
    if (s && strcmp(s, "acceptForSession") == 0)
        return REVIEW_APPROVED_FOR_SESSION;
    if (s && strcmp(s, "cancel") == 0)
        return REVIEW_ABORT;
    if (s && strcmp(s, "decline") == 0)
        return REVIEW_DENIED;
    if (json_is_object(d) && json_is_object(json_object_get(d, "acceptWithExecpolicyAmendment")))
        return REVIEW_APPROVED_ALWAYS;
    const json_t *net = json_object_get(json_object_get(d, "applyNetworkPolicyAmendment"),
                                        "network_policy_amendment");
    const char *action = json_string_value(json_object_get(net, "action"));
    if (action && strcmp(action, "allow") == 0)
        return REVIEW_APPROVED_ALWAYS;
    if (action && strcmp(action, "deny") == 0)
        return REVIEW_DENIED_ALWAYS;
    *well_formed = false;
    return REVIEW_DENIED;
}

/* An MCP tool call's answer: {action, _meta: {persist: "session" |
 * "always"}?}. */
static enum review_decision mcp_decision_of(const json_t *result, bool *well_formed)
{
    const char *action = json_string_value(json_object_get(result, "action"));
    *well_formed = true;
    if (action && strcmp(action, "accept") == 0) {
        const char *persist = json_string_value(
            json_object_get(json_object_get(result, "_meta"), "persist"));
        if (persist && strcmp(persist, "session") == 0)
            return REVIEW_APPROVED_FOR_SESSION;
        if (persist && strcmp(persist, "always") == 0)
            return REVIEW_APPROVED_ALWAYS;
        return REVIEW_APPROVED;
    }
    if (action && strcmp(action, "cancel") == 0)
        return REVIEW_ABORT;
    if (action && strcmp(action, "decline") == 0)
        return REVIEW_DENIED;
    *well_formed = false;
    return REVIEW_DENIED;
}

bool rpc_threads_client_response(void **slot, struct rpc_conn *c, const json_t *id,
                                 const json_t *result)
{
    struct rpc_threads *reg = *slot;
    if (!json_is_integer(id) || !reg)
        return false;
    for (struct rpc_thread *t = reg->list; t; t = t->next) {
        if (t->closing || !rpc_thread_subscribed(t, c))
            continue;
        for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
            struct rpc_approval *a = *p;
            if (a->id != json_integer_value(id))
                continue;
            *p = a->next;
            if (a->kind == RPC_QUESTION_USER_INPUT) {
                rpc_thread_user_input_answered(t, a, result);
                return true;
            }
            resolved(t, a);
            if (a->kind == RPC_QUESTION_ELICITATION) {
                uint64_t ticket = a->ticket;
                rpc_approval_free(a);
                /* An error answer declines. */
                agent_elicitation_answer(t->agent, ticket, result);
                return true;
            }
            bool well_formed = false;
            /* NULL result: the client answered with an error. */
            enum review_decision decision = !result ? REVIEW_DENIED
                                            : a->kind == RPC_QUESTION_MCP_APPROVAL
                                                ? mcp_decision_of(result, &well_formed)
                                                : decision_of(result, &well_formed);
            if (result && !well_formed) {
                char *text = json_dumps(result, JSON_COMPACT);
                fprintf(stderr,
                        "codex app-server: %s: answer %lld to an approval request has no "
                        "decision we know (%s); taken as a decline\n",
                        c->label, (long long)a->id, text ? text : "?");
                free(text);
            }
            bool approved = decision == REVIEW_APPROVED ||
                            decision == REVIEW_APPROVED_FOR_SESSION ||
                            decision == REVIEW_APPROVED_ALWAYS;
            /* A refused MCP call ends "failed" with the refusal, as the
             * reference's does; the tool reports that itself. */
            if (!approved && a->kind == RPC_QUESTION_APPROVAL)
                rpc_thread_item_declined(asker_of(t, a->asker), a->item_id);
            uint64_t ticket = a->ticket;
            rpc_approval_free(a);
            agent_approval_answer(t->agent, ticket, decision);
            return true;
        }
    }
    return false;
}
