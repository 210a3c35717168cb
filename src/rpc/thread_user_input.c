/* request_user_input as a server request: the agent asks (Plan mode) with
 * a ticket, the thread's owner gets item/tool/requestUserInput, and its
 * answer ({"answers": {"<id>": {"answers": [...]}}}) goes back to the
 * model.  The thread is active with the waitingOnUserInput flag while the
 * question is out; an answer of another shape or an error answer counts as
 * no answers, as with the reference.  A question the agent withdraws (the
 * turn was interrupted) is resolved for the client. */
#include <stdio.h>
#include <stdlib.h>

#include "rpc/jsonrpc.h"
#include "rpc/thread.h"
#include "util/xalloc.h"

bool rpc_thread_ask_user_input(void *ud, const char *call_id, const json_t *questions,
                               uint64_t ticket)
{
    struct rpc_thread *t = ud;
    if (!t->conn || t->closing)
        return false;
    struct rpc_approval *a = xcalloc(1, sizeof *a);
    a->id = t->reg->next_request_id++;
    a->ticket = ticket;
    a->kind = RPC_QUESTION_USER_INPUT;
    snprintf(a->item_id, sizeof a->item_id, "%s", call_id ? call_id : "");
    a->next = t->approvals;
    t->approvals = a;
    t->waiting_user_input++;
    rpc_thread_status_changed(t);
    json_t *params = json_pack("{s:s s:s s:s s:O s:b s:n}", "threadId", rpc_thread_id(t), "turnId",
                               t->turn_id, "itemId", a->item_id, "questions", questions,
                               "isBlocking", 1, "autoResolutionMs");
    rpc_thread_send_question(t, a, "item/tool/requestUserInput", params);
    return true;
}

static void resolved(struct rpc_thread *t, struct rpc_approval *a)
{
    if (t->waiting_user_input > 0)
        t->waiting_user_input--;
    if (t->conn && !t->closing) {
        rpc_thread_question_resolved(t, a);
        rpc_thread_status_changed(t);
    }
}

void rpc_thread_withdraw_user_input(void *ud, uint64_t ticket)
{
    struct rpc_thread *t = ud;
    for (struct rpc_approval **p = &t->approvals; *p; p = &(*p)->next) {
        struct rpc_approval *a = *p;
        if (a->ticket != ticket || a->kind != RPC_QUESTION_USER_INPUT)
            continue;
        *p = a->next;
        resolved(t, a);
        rpc_approval_free(a);
        return;
    }
}

void rpc_thread_user_input_answered(struct rpc_thread *t, struct rpc_approval *a,
                                    const json_t *result)
{
    resolved(t, a);
    uint64_t ticket = a->ticket;
    rpc_approval_free(a);
    agent_user_input_answer(t->agent, ticket, json_object_get(result, "answers"));
}
