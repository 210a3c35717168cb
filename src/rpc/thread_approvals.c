/* Approvals as server requests: the core asks (core/approvals.h) with a
 * ticket, we send item/commandExecution/requestApproval or
 * item/fileChange/requestApproval to the thread's owner and answer the
 * ticket with the client's decision.
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

bool rpc_thread_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    if (!t->conn || t->closing)
        return false;
    json_t *item = pending_item(req);
    rpc_thread_item_started(t, item);
    json_decref(item);
    t->waiting_approvals++;
    rpc_thread_status_changed(t);
    struct rpc_approval *a = xcalloc(1, sizeof *a);
    a->id = t->reg->next_request_id++;
    a->ticket = ticket;
    snprintf(a->item_id, sizeof a->item_id, "%s", req->call_id ? req->call_id : "");
    a->next = t->approvals;
    t->approvals = a;
    const char *id = req->call_id ? req->call_id : "";
    json_t *opened = json_object_get(t->open_items, id);
    json_t *params = json_pack("{s:s s:s s:s s:O? s:s?}", "threadId", rpc_thread_id(t), "turnId",
                               t->turn_id, "itemId", id, "startedAtMs",
                               json_object_get(opened, "startedAtMs"), "reason", req->reason);
    const char *method = "item/fileChange/requestApproval";
    if (req->kind == APPROVAL_KIND_EXEC) {
        method = "item/commandExecution/requestApproval";
        exec_params(req, params);
    }
    json_t *rid = json_integer(a->id);
    rpc_conn_send(t->conn, jsonrpc_make_request(rid, method, params));
    json_decref(rid);
    return true;
}

/* The question is settled: the client hears it resolved, the thread stops
 * waiting (when nothing else is asked). */
static void resolved(struct rpc_thread *t, struct rpc_approval *a)
{
    if (t->waiting_approvals > 0)
        t->waiting_approvals--;
    if (t->conn && !t->closing) {
        rpc_conn_notify(t->conn, "serverRequest/resolved",
                        json_pack("{s:s s:I}", "threadId", rpc_thread_id(t), "requestId", a->id));
        rpc_thread_status_changed(t);
    }
}

void rpc_thread_withdraw(void *ud, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
        struct rpc_approval *a = *p;
        if (a->ticket != ticket || a->user_input)
            continue;
        *p = a->next;
        resolved(t, a);
        free(a);
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
        if (t->conn != c || t->closing)
            continue;
        for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
            struct rpc_approval *a = *p;
            if (a->id != json_integer_value(id))
                continue;
            *p = a->next;
            if (a->user_input) {
                rpc_thread_user_input_answered(t, a, result);
                return true;
            }
            bool well_formed = false;
            /* NULL result: the client answered with an error. */
            enum review_decision decision = result ? decision_of(result, &well_formed)
                                                   : REVIEW_DENIED;
            if (result && !well_formed) {
                char *text = json_dumps(result, JSON_COMPACT);
                fprintf(stderr,
                        "codex app-server: %s: answer %lld to an approval request has no "
                        "decision we know (%s); taken as a decline\n",
                        c->label, (long long)a->id, text ? text : "?");
                free(text);
            }
            resolved(t, a);
            bool approved = decision == REVIEW_APPROVED ||
                            decision == REVIEW_APPROVED_FOR_SESSION ||
                            decision == REVIEW_APPROVED_ALWAYS;
            if (!approved)
                rpc_thread_item_declined(t, a->item_id);
            uint64_t ticket = a->ticket;
            free(a);
            agent_approval_answer(t->agent, ticket, decision);
            return true;
        }
    }
    return false;
}
