/* thread/items/list (a thread's items, page by page, from its rollout) and
 * thread/inject_items (raw items for the model's history). */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "util/xalloc.h"

/* Items per page when the client names no limit. */
#define ITEMS_PAGE_DEFAULT 200

/* A page position: the item at index `at` of the listing, itself included
 * or not.  Written as the reference writes its cursors (an opaque JSON
 * string a client hands back unchanged). */
struct items_cursor {
    long at;
    bool include;
};

static json_t *cursor_json(const char *thread_id, long at, bool include)
{
    json_t *c = json_pack("{s:s s:I s:b s:{s:s}}", "requestedThreadId", thread_id,
                          "rolloutOrdinal", (json_int_t)at, "includeAnchor", include, "scope",
                          "kind", "itemsByCreatedAtOrdinal");
    char *text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(c);
    json_t *s = json_string(text);
    free(text);
    return s;
}

static bool parse_cursor(const char *text, const char *thread_id, struct items_cursor *out)
{
    json_t *c = json_loads(text, 0, NULL);
    json_t *at = json_object_get(c, "rolloutOrdinal");
    const char *tid = json_string_value(json_object_get(c, "requestedThreadId"));
    bool ok = json_is_integer(at) && json_integer_value(at) >= 0 && tid &&
              strcmp(tid, thread_id) == 0;
    if (ok) {
        out->at = (long)json_integer_value(at);
        out->include = json_is_true(json_object_get(c, "includeAnchor"));
    }
    json_decref(c);
    return ok;
}

/* Every item of the thread (of one turn when turn_id is set) as
 * ThreadItemEntry objects, oldest first; NULL after replying. */
static json_t *thread_entries(struct rpc_request *req, const char *id, const char *turn_id)
{
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    char *path = t ? (t->ephemeral ? NULL : xstrdup(agent_rollout_path(t->agent)))
                   : rollout_locate(req->server->codex_home, id, NULL);
    if (!t && !path) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not found: %s", id);
        return NULL;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *turns = path ? rollout_read_turns(path, t && t->turn_running, NULL, &err)
                         : json_array();
    free(path);
    if (!turns) {
        char *text = codex_error_text(&err);
        codex_error_clear(&err);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread %s: %s", id, text);
        free(text);
        return NULL;
    }
    rpc_turns_complete(turns);
    json_t *entries = json_array();
    bool turn_seen = false;
    size_t i, k;
    json_t *turn, *item;
    json_array_foreach(turns, i, turn) {
        const char *tid = json_string_value(json_object_get(turn, "id"));
        if (turn_id && (!tid || strcmp(tid, turn_id) != 0))
            continue;
        turn_seen = true;
        json_array_foreach(json_object_get(turn, "items"), k, item) {
            json_t *started = json_object_get(item, "startedAtMs");
            json_t *completed = json_object_get(item, "completedAtMs");
            json_array_append_new(
                entries, json_pack("{s:s s:O s:O s:O}", "turnId", tid ? tid : "", "item", item,
                                   "startedAtMs", started ? started : json_null(),
                                   "completedAtMs", completed ? completed : json_null()));
        }
    }
    json_decref(turns);
    if (turn_id && !turn_seen) {
        json_decref(entries);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "turn not found: %s", turn_id);
        return NULL;
    }
    return entries;
}

/* The index of the item an anchor {type: "item", itemId} names. */
static long anchor_index(json_t *entries, const char *item_id)
{
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        const char *id = json_string_value(json_object_get(json_object_get(e, "item"), "id"));
        if (id && strcmp(id, item_id) == 0)
            return (long)i;
    }
    return -1;
}

void rpc_thread_items_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadItemsListParams", false);
    const char *id, *turn_id = NULL, *dir = NULL;
    int64_t limit = ITEMS_PAGE_DEFAULT;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_string(req, params, "turnId", false, &turn_id) ||
        !rpc_get_string(req, params, "sortDirection", false, &dir) ||
        !rpc_get_int(req, params, "limit", "u32", 0, UINT32_MAX, NULL, &limit))
        return;
    if (dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `asc` or `desc`", dir);
        return;
    }
    bool ascending = !dir || strcmp(dir, "asc") == 0;
    if (limit < 1)
        limit = 1; /* as the reference: a page holds at least one item */
    json_t *cursor = json_object_get(params, "cursor");
    if (json_is_object(cursor) && (!turn_id || !*turn_id)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "an item anchor requires a non-empty turnId");
        return;
    }
    json_t *entries = thread_entries(req, id, turn_id);
    if (!entries)
        return;
    long n = (long)json_array_size(entries);
    /* The first index of the page, walking in the page's direction. */
    long from = ascending ? 0 : n - 1;
    if (json_is_string(cursor)) {
        struct items_cursor c;
        if (!parse_cursor(json_string_value(cursor), id, &c)) {
            json_decref(entries);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s",
                            json_string_value(cursor));
            return;
        }
        from = c.include ? c.at : ascending ? c.at + 1 : c.at - 1;
    } else if (json_is_object(cursor)) {
        const char *type = json_string_value(json_object_get(cursor, "type"));
        const char *item_id = json_string_value(json_object_get(cursor, "itemId"));
        long at = item_id && type && strcmp(type, "item") == 0 ? anchor_index(entries, item_id)
                                                                 : -1;
        if (at < 0) {
            json_decref(entries);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "item not found in turn %s: %s",
                            turn_id, item_id ? item_id : "(no itemId)");
            return;
        }
        from = ascending ? at + 1 : at - 1;
    } else if (cursor && !json_is_null(cursor)) {
        json_decref(entries);
        rpc_reply_invalid(req, "invalid type for `cursor`, expected a string or an item anchor");
        return;
    }
    json_t *data = json_array();
    long k = from, first = -1, last = -1;
    for (; k >= 0 && k < n && (int64_t)json_array_size(data) < limit; k += ascending ? 1 : -1) {
        json_array_append(data, json_array_get(entries, (size_t)k));
        if (first < 0)
            first = k;
        last = k;
    }
    json_decref(entries);
    bool more = k >= 0 && k < n;
    json_t *result = json_pack("{s:o s:o s:o}", "data", data, "nextCursor",
                               more ? cursor_json(id, last, false) : json_null(),
                               "backwardsCursor",
                               first >= 0 ? cursor_json(id, first, true) : json_null());
    rpc_reply(req, result);
}

/* A raw Responses API item: an object with a type (serde's words when not). */
static bool valid_response_item(const json_t *item, char **why)
{
    if (!json_is_object(item)) {
        *why = xstrdup("expected an object");
        return false;
    }
    const char *type = json_string_value(json_object_get(item, "type"));
    if (!type) {
        *why = xstrdup("missing field `type`");
        return false;
    }
    if (strcmp(type, "message") == 0) {
        if (!json_is_string(json_object_get(item, "role"))) {
            *why = xstrdup("missing field `role`");
            return false;
        }
        if (!json_is_array(json_object_get(item, "content"))) {
            *why = xstrdup("missing field `content`");
            return false;
        }
    }
    return true;
}

void rpc_thread_inject_items(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadInjectItemsParams", false);
    if (!params)
        return;
    json_t *items = json_object_get(params, "items");
    if (!json_is_array(items)) {
        rpc_reply_invalid(req, items ? "invalid type for `items`, expected a sequence"
                                     : "missing field `items`");
        return;
    }
    struct rpc_thread *t = rpc_thread_lookup(req, params);
    if (!t)
        return;
    if (json_array_size(items) == 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "items must not be empty");
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        char *why = NULL;
        if (!valid_response_item(item, &why)) {
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "items[%zu] is not a valid response item: %s",
                            i, why);
            free(why);
            return;
        }
    }
    agent_inject_items(t->agent, items);
    rpc_reply(req, json_object());
}
