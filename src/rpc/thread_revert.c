/* thread/revert: the thread goes on from the history before one of its
 * turns.  The session file is cut back where that turn began
 * (store/rollout_revert.h); a loaded thread reads its history again from
 * the shorter file, so the next request carries none of the reverted turns.
 * Files the turns changed stay as they are: only the conversation goes. */
#include <stdlib.h>
#include <string.h>

#include "rpc/conn.h"
#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "store/rollout_segments.h"
#include "store/rollout_revert.h"
#include "store/rollout_summary.h"
#include "util/xalloc.h"

/* The cursors thread/turns/list and thread/items/list take to page the
 * kept history backwards from its end (null when nothing is left). */
static void backwards_cursors(const char *id, json_t *turns, json_t *result)
{
    size_t n = json_array_size(turns), items = 0;
    for (size_t i = 0; i < n; i++)
        items += json_array_size(json_object_get(json_array_get(turns, i), "items"));
    json_t *turn_cursor = json_null(), *item_cursor = json_null();
    if (n) {
        const char *last = json_string_value(json_object_get(json_array_get(turns, n - 1), "id"));
        json_t *c = json_pack("{s:s s:b}", "turnId", last ? last : "", "includeAnchor", 1);
        char *text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
        turn_cursor = json_string(text);
        free(text);
        json_decref(c);
    }
    if (items) {
        json_t *c = json_pack("{s:s s:I s:b s:{s:s}}", "requestedThreadId", id, "rolloutOrdinal",
                              (json_int_t)(items - 1), "includeAnchor", 1, "scope", "kind",
                              "itemsByCreatedAtOrdinal");
        char *text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
        item_cursor = json_string(text);
        free(text);
        json_decref(c);
    }
    json_object_set_new(result, "turnsBackwardsCursor", turn_cursor);
    json_object_set_new(result, "itemsBackwardsCursor", item_cursor);
}

/* The turn the client has not read yet is gone when it was reverted. */
static void forget_reverted_unread(struct rpc_thread *t, json_t *turns)
{
    if (!t->first_unread_turn)
        return;
    size_t i;
    json_t *turn;
    json_array_foreach(turns, i, turn) {
        const char *id = json_string_value(json_object_get(turn, "id"));
        if (id && strcmp(id, t->first_unread_turn) == 0)
            return;
    }
    free(t->first_unread_turn);
    t->first_unread_turn = NULL;
}

void rpc_thread_revert(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadRevertParams", false);
    const char *id, *before;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_string(req, params, "beforeTurnId", true, &before) ||
        !rpc_check_thread_id(req, id))
        return;
    struct rpc_threads *reg = rpc_threads_of(req);
    struct rpc_thread *t = rpc_thread_find(reg, id);
    if (t && t->ephemeral) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "ephemeral threads do not support thread/revert");
        return;
    }
    if (t && t->history_mode && strcmp(t->history_mode, "legacy") == 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread/revert only supports paginated threads");
        return;
    }
    char *path = t ? xstrdup(agent_rollout_path(t->agent))
                   : rollout_find_id(req->server->codex_home, id, ROLLOUT_ACTIVE);
    if (!path) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not found: %s", id);
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    off_t offset = 0;
    int found = rollout_turn_offset(path, before, &offset, &err);
    /* A thread the reference reverted: the turn may lie in a base. */
    bool in_base = false;
    if (found == 0 && (found = rollout_segments_turn_in_base(path, before, &err)) > 0)
        in_base = true;
    if (found == 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "turn not found: %s", before);
        free(path);
        return;
    }
    if (found > 0 && t && t->turn_running) {
        /* As the reference: a running turn is interrupted first (the
         * client hears turn/completed, interrupted), then the cut. */
        t->interrupting = true;
        agent_interrupt(t->agent);
        t->interrupting = false;
        rpc_thread_end_turn(t, "interrupted", NULL);
    }
    if (found < 0 ||
        (in_base ? rollout_segments_cut_before(path, before, &err) <= 0
                 : rollout_cut(path, offset, &err) != 0) ||
        (t && agent_reload_history(t->agent, &err) != 0)) {
        char *text = codex_error_text(&err);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to revert thread %s: %s", id, text);
        free(text);
        codex_error_clear(&err);
        free(path);
        return;
    }
    json_t *turns = rollout_read_turns(path, false, NULL, &err);
    codex_error_clear(&err);
    if (!turns)
        turns = json_array();
    json_t *thread = NULL;
    if (t) {
        forget_reverted_unread(t, turns);
        thread = rpc_thread_json(t);
    } else {
        thread = rpc_thread_stored_file_json(req, path);
    }
    free(path);
    if (!thread) {
        json_decref(turns);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to reload thread %s after revert", id);
        return;
    }
    rpc_threads_apply_meta(req->server->codex_home, thread);
    json_t *result = json_pack("{s:o}", "thread", thread);
    backwards_cursors(id, turns, result);
    json_decref(turns);
    /* The request (and id with it) is gone once answered. */
    json_t *note = json_pack("{s:s}", "threadId", id);
    struct rpc_conn *conn = req->conn;
    rpc_reply(req, result);
    if (t)
        rpc_thread_notify(t, "thread/reverted", note);
    else
        rpc_conn_notify(conn, "thread/reverted", note);
}
