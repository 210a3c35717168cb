/* Approvals as server requests: the core asks (core/approvals.h) with a
 * ticket, we send item/commandExecution/requestApproval or
 * item/fileChange/requestApproval to the thread's client and answer the
 * ticket with the client's decision.  Anything but an explicit accept is a
 * refusal: an error answer, an unknown decision, or a client that goes away.
 * A ticket the core withdraws (the turn ended) is resolved for the client
 * and forgotten; answering a stale ticket is harmless. */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/thread.h"
#include "util/xalloc.h"

bool rpc_thread_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    if (!t->conn || t->closing)
        return false;
    struct rpc_approval *a = xcalloc(1, sizeof *a);
    a->id = ++t->reg->next_request_id;
    a->ticket = ticket;
    a->next = t->approvals;
    t->approvals = a;
    json_t *params = json_pack("{s:s s:s s:s}", "threadId", rpc_thread_id(t), "turnId",
                               t->turn_id, "itemId", req->call_id ? req->call_id : "");
    if (req->reason)
        json_object_set_new(params, "reason", json_string(req->reason));
    const char *method = "item/fileChange/requestApproval";
    if (req->kind == APPROVAL_KIND_EXEC) {
        method = "item/commandExecution/requestApproval";
        if (req->command)
            json_object_set_new(params, "command", json_string(req->command));
        if (req->cwd)
            json_object_set_new(params, "cwd", json_string(req->cwd));
        if (req->n_proposed_prefix) {
            json_t *prefix = json_array();
            for (size_t i = 0; i < req->n_proposed_prefix; i++)
                json_array_append_new(prefix, json_string(req->proposed_prefix[i]));
            json_object_set_new(params, "proposedExecpolicyAmendment", prefix);
        }
    }
    json_t *id = json_integer(a->id);
    rpc_conn_send(t->conn, jsonrpc_make_request(id, method, params));
    json_decref(id);
    return true;
}

void rpc_thread_withdraw(void *ud, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
        struct rpc_approval *a = *p;
        if (a->ticket != ticket)
            continue;
        *p = a->next;
        if (t->conn && !t->closing)
            rpc_conn_notify(t->conn, "serverRequest/resolved",
                            json_pack("{s:s s:I}", "threadId", rpc_thread_id(t), "requestId", a->id));
        free(a);
        return;
    }
}

static enum review_decision decision_of(const json_t *result)
{
    const json_t *d = json_object_get(result, "decision");
    const char *s = json_string_value(d);
    if (s && strcmp(s, "accept") == 0)
        return REVIEW_APPROVED;
    if (s && strcmp(s, "acceptForSession") == 0)
        return REVIEW_APPROVED_FOR_SESSION;
    if (s && strcmp(s, "cancel") == 0)
        return REVIEW_ABORT;
    if (json_is_object(d) && json_object_get(d, "acceptWithExecpolicyAmendment"))
        return REVIEW_APPROVED_ALWAYS;
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
            uint64_t ticket = a->ticket;
            free(a);
            rpc_conn_notify(c, "serverRequest/resolved",
                            json_pack("{s:s s:I}", "threadId", rpc_thread_id(t), "requestId",
                                      json_integer_value(id)));
            /* NULL result: the client answered with an error. */
            agent_approval_answer(t->agent, ticket, result ? decision_of(result) : REVIEW_DENIED);
            return true;
        }
    }
    return false;
}
