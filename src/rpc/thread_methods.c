/* thread/start, thread/loaded/list, thread/unsubscribe, thread/name/set and
 * thread/approveGuardianDeniedAction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/jsonrpc.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "store/session_names.h"
#include "util/uuid.h"
#include "util/xalloc.h"

/* The thread is usable once its required MCP servers are up; the
 * reference fails thread/start when one of them cannot start. */
static void started(struct rpc_thread *t, const char *error, void *ud)
{
    struct rpc_request *req = ud;
    if (error) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR,
                        "error creating thread: Fatal error: Failed to initialize session: %s", error);
        rpc_thread_unload(t);
        return;
    }
    struct rpc_conn *c = req->conn;
    rpc_reply(req, rpc_thread_session_json(t));
    rpc_conn_notify(c, "thread/started", json_pack("{s:o}", "thread", rpc_thread_json(t)));
    rpc_thread_announced(t);
}

void rpc_thread_start(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadStartParams", true);
    struct thread_opts o;
    if (!params || !rpc_thread_read_opts(req, params, &o))
        return;
    struct rpc_thread *t = rpc_thread_create(req, &o, NULL, NULL);
    if (t)
        rpc_thread_mcp_required(t, started, req);
}

void rpc_thread_loaded_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadLoadedListParams", true);
    if (!params)
        return;
    json_t *ids = json_array();
    for (struct rpc_thread *t = rpc_threads_of(req)->list; t; t = t->next)
        if (!t->closing)
            json_array_append_new(ids, json_string(rpc_thread_id(t)));
    rpc_reply(req, json_pack("{s:o s:n}", "data", ids, "nextCursor"));
}

/* A connection stops following a thread.  The thread stays loaded while
 * anyone follows it (the longest follower becomes its owner, who gets the
 * approval questions); the last one out unloads it.  Nobody is told: the
 * ones leaving asked for it. */
void rpc_thread_unsubscribe(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadUnsubscribeParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    const char *status = "notLoaded";
    if (t && rpc_thread_drop_subscriber(t, req->conn)) {
        status = "unsubscribed";
    } else if (t && t->conn != req->conn) {
        status = "notSubscribed";
    } else if (t) {
        status = "unsubscribed";
        if (!rpc_thread_pass_ownership(t))
            rpc_thread_unload(t);
    }
    rpc_reply(req, json_pack("{s:s}", "status", status));
}

/* thread/readState/update: the client read the thread (or marks it
 * unread again), guarded by the revision it last saw. */
void rpc_thread_read_state_update(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadReadStateUpdateParams", false);
    const char *expected = NULL, *op = NULL;
    if (!params || !rpc_get_string(req, params, "expectedRevision", false, &expected))
        return;
    json_t *operation = json_object_get(params, "operation");
    if (!json_is_object(operation)) {
        rpc_reply_invalid(req, operation ? "invalid type for `operation`, expected an object"
                                         : "missing field `operation`");
        return;
    }
    if (!rpc_get_string(req, operation, "type", true, &op))
        return;
    if (strcmp(op, "read") != 0 && strcmp(op, "unread") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `read` or `unread`", op);
        return;
    }
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    if (!t)
        return;
    if (expected && strcmp(expected, t->read_revision) != 0) {
        rpc_reply_refused(req, "read state of thread %s changed since revision %s (now %s)",
                          rpc_thread_id(t), expected, t->read_revision);
        return;
    }
    free(t->first_unread_turn);
    t->first_unread_turn = strcmp(op, "unread") == 0 && t->turn_id[0] ? xstrdup(t->turn_id) : NULL;
    uuid_v4(t->read_revision);
    rpc_thread_notify(t, "thread/readState/changed",
                      json_pack("{s:s s:o}", "threadId", rpc_thread_id(t), "readState",
                                rpc_thread_read_state_json(t)));
    rpc_reply(req, json_pack("{s:o}", "readState", rpc_thread_read_state_json(t)));
}

void rpc_thread_name_set(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadSetNameParams", false);
    const char *id, *name;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_string(req, params, "name", true, &name))
        return;
    const char *home = req->server->codex_home;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    char *path = t ? NULL : rollout_locate(home, id, NULL);
    if (!t && !path) {
        rpc_reply_refused(req, "no rollout found for thread id %s", id);
        return;
    }
    free(path);
    if (!*name) {
        rpc_reply_refused(req, "thread name must not be empty");
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    if (session_name_set(home, id, name, &err) != 0) {
        int e = err.os_errno ? err.os_errno : EIO;
        codex_error_clear(&err);
        rpc_reply_errno(req, e);
        return;
    }
    if (t) {
        free(t->name);
        t->name = xstrdup(name);
    }
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, NULL);
    rpc_conn_notify(c, "thread/name/updated",
                    json_pack("{s:s s:s}", "threadId", id, "threadName", name));
    rpc_conn_unref(c);
}

/* thread/approveGuardianDeniedAction: the user overrides an automatic
 * review's denial.  event is the review as the core protocol spells it
 * ({id, status, action, ...}); a denial becomes a note to the model, any
 * other status is accepted and changes nothing, as in the reference. */
void rpc_thread_approve_denied_action(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadApproveGuardianDeniedActionParams", false);
    if (!params)
        return;
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    if (!t)
        return;
    json_t *event = json_object_get(params, "event");
    const char *missing = !json_is_string(json_object_get(event, "id"))       ? "id"
                          : !json_is_object(json_object_get(event, "action")) ? "action"
                          : !json_is_string(json_object_get(event, "status")) ? "status"
                                                                              : NULL;
    if (missing) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid Guardian denial event: missing field `%s`", missing);
        return;
    }
    if (strcmp(json_string_value(json_object_get(event, "status")), "denied") == 0)
        agent_approve_denied_action(t->agent, json_object_get(event, "action"));
    rpc_reply(req, json_object());
}
