/* The questions a thread asks its clients (approvals, elicitations,
 * request_user_input): each goes to every connection on the thread with one
 * request id, is kept as sent so that a connection resuming the thread gets
 * it again, and its settling is heard by all of them, as with the
 * reference's app server.  Whichever connection answers first decides. */
#include <stdlib.h>

#include "rpc/jsonrpc.h"
#include "rpc/thread.h"

void rpc_thread_send_question(struct rpc_thread *t, struct rpc_approval *a, const char *method,
                              json_t *params)
{
    json_t *rid = json_integer(a->id);
    a->request = jsonrpc_make_request(rid, method, params);
    json_decref(rid);
    for (struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        rpc_conn_send(sub->conn, json_incref(a->request));
    if (t->conn)
        rpc_conn_send(t->conn, json_incref(a->request));
}

static void replay(struct rpc_conn *c, const struct rpc_approval *a)
{
    if (!a)
        return;
    replay(c, a->next); /* the list is newest first; they go out in the order asked */
    if (a->request)
        rpc_conn_send(c, json_incref(a->request));
}

void rpc_thread_replay_questions(struct rpc_thread *t, struct rpc_conn *c)
{
    replay(c, t->approvals);
}

void rpc_thread_question_resolved(struct rpc_thread *t, const struct rpc_approval *a)
{
    /* A subagent's question is resolved in the subagent's name. */
    rpc_thread_notify(t, "serverRequest/resolved",
                      json_pack("{s:s s:I}", "threadId", a->asker[0] ? a->asker : rpc_thread_id(t),
                                "requestId", a->id));
}

void rpc_approval_free(struct rpc_approval *a)
{
    json_decref(a->request);
    free(a);
}
