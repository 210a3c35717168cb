/* Threads as stored on disk: thread/read, thread/list, thread/archive,
 * thread/unarchive, thread/resume and thread/fork.  The store reads and
 * moves the rollout files (store/rollout_files.h, rollout_summary.h); this
 * file maps its answers to the v2 shapes. */
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "store/rollout_turn_index.h"
#include "store/thread_goals.h"
#include "store/session_names.h"
#include "store/thread_meta.h"
#include "util/json_hollow.h"
#include "util/uuid.h"
#include "util/xalloc.h"

/* Answer a store failure: a failed system call as the reference words OS
 * errors, anything else as an invalid request saying what. */
static void reply_store_error(struct rpc_request *req, struct codex_error *err)
{
    if (err->os_errno) {
        rpc_reply_errno(req, err->os_errno);
    } else {
        char *text = codex_error_text(err);
        rpc_reply_invalid(req, "%s", text);
        free(text);
    }
    codex_error_clear(err);
}

/* Stored turns read back from the index as the answer gets to them. */
struct turn_feed {
    struct rollout_turn_index *ix;
    struct json_hollow hollow;
};

static char *turn_text(json_t *turn, size_t *len)
{
    rpc_turn_complete(turn);
    char *text = jsonrpc_serialize(turn, len);
    json_decref(turn);
    return text;
}

/* A stored turn as sent (rpc_reply_streaming_each): its command outputs
 * go from the file to the answer as the text they are, without a trip
 * through a tree; a turn that cannot be read back any more is left out. */
static char *indexed_turn(void *ud, size_t i, size_t *len)
{
    struct turn_feed *f = ud;
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *turn = rollout_turn_index_turn_hollow(f->ix, i, &f->hollow, &err);
    char *text = turn ? turn_text(turn, len) : NULL;
    if (text && f->hollow.n) {
        char *filled = json_hollow_fill(&f->hollow, text, *len, len);
        free(text);
        text = filled;
        if (!text && (turn = rollout_turn_index_turn(f->ix, i, &err)))
            text = turn_text(turn, len);
    }
    codex_error_clear(&err);
    return text;
}

/* Answer with result, its owner's "turns" written from the index a turn
 * at a time; the index is closed. */
static void reply_indexed_turns(struct rpc_request *req, json_t *result, json_t *owner,
                                struct rollout_turn_index *ix)
{
    struct turn_feed f = {ix, JSON_HOLLOW_INIT};
    rpc_reply_streaming_each(req, result, owner, "turns", rollout_turn_index_count(ix),
                             indexed_turn, &f);
    json_hollow_free(&f.hollow);
    rollout_turn_index_close(ix);
}

/* The stored Thread of a rollout file with its name.  With ix, its turns
 * are indexed into *ix, to be written as the answer is (turns: [] until
 * then).  NULL with err when the file is not a readable rollout. */
static json_t *stored_thread(struct rpc_threads *reg, const char *path,
                             struct rollout_turn_index **ix, bool still_written,
                             struct codex_error *err)
{
    struct rollout_summary s;
    if (ix) {
        if (!(*ix = rollout_turn_index_open(path, still_written, &s, err)))
            return NULL;
    } else if (rollout_summary_read(path, &s, err) != 0) {
        return NULL;
    }
    const char *name = json_string_value(json_object_get(rpc_threads_names(reg), s.id));
    json_t *thread = rpc_thread_stored_json(&s, name);
    rollout_summary_free(&s);
    if (ix)
        json_object_set_new(thread, "turns", json_array());
    return thread;
}

json_t *rpc_thread_stored_file_json(struct rpc_request *req, const char *path)
{
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *thread = stored_thread(rpc_threads_of(req), path, NULL, false, &err);
    codex_error_clear(&err);
    return thread;
}

/* The read state of a thread: a loaded one's, or the initial one. */
static json_t *read_state_of(const struct rpc_thread *t, const char *id)
{
    if (t)
        return rpc_thread_read_state_json(t);
    char revision[64];
    snprintf(revision, sizeof revision, "initial:%s", id);
    return json_pack("{s:n s:s}", "firstUnread", "revision", revision);
}

void rpc_thread_read(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadReadParams", false);
    const char *id;
    bool include_turns = false;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_bool(req, params, "includeTurns", &include_turns))
        return;
    struct rpc_threads *reg = rpc_threads_of(req);
    struct rpc_thread *t = rpc_thread_find(reg, id);
    json_t *thread = NULL;
    struct rollout_turn_index *ix = NULL;
    struct codex_error err = CODEX_ERROR_INIT;
    if (t && (!include_turns || t->ephemeral)) {
        thread = rpc_thread_json(t);
    } else if (t) {
        /* A loaded thread: its live state, its turns from the file. */
        ix = rollout_turn_index_open(agent_rollout_path(t->agent), t->turn_running, NULL, &err);
        if (ix) {
            thread = rpc_thread_json(t);
            json_object_set_new(thread, "turns", json_array());
        }
    } else {
        char *path = rollout_locate(req->server->codex_home, id, NULL);
        if (path)
            thread = stored_thread(reg, path, include_turns ? &ix : NULL, false, &err);
        free(path);
    }
    codex_error_clear(&err);
    if (!thread) {
        rpc_reply_refused(req, "thread not loaded: %s", id);
        return;
    }
    rpc_threads_apply_meta(req->server->codex_home, thread);
    json_t *res = json_pack("{s:O s:o}", "thread", thread, "readState", read_state_of(t, id));
    if (ix)
        reply_indexed_turns(req, res, thread, ix);
    else if (json_is_array(json_object_get(thread, "turns")))
        rpc_reply_streaming(req, res, thread, "turns");
    else
        rpc_reply(req, res);
    json_decref(thread);
}

/* ---- thread/turns/list ------------------------------------------------------ */

#define TURNS_PAGE_DEFAULT 25
#define TURNS_PAGE_MAX 100

/* A turn's items as the view asks, trimmed as the reference trims them:
 * none; the first user message and the final answer; or all. */
static void apply_items_view(json_t *turn, const char *view)
{
    json_t *items = json_object_get(turn, "items");
    if (strcmp(view, "notLoaded") == 0) {
        json_object_set_new(turn, "items", json_array());
    } else if (strcmp(view, "summary") == 0) {
        json_t *user = NULL, *answer = NULL;
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
            const char *type = json_string_value(json_object_get(item, "type"));
            if (type && !user && strcmp(type, "userMessage") == 0)
                user = item;
            if (type && strcmp(type, "agentMessage") == 0)
                answer = item;
        }
        json_t *kept = json_array();
        if (user)
            json_array_append(kept, user);
        if (answer && answer != user)
            json_array_append(kept, answer);
        json_object_set_new(turn, "items", kept);
    }
    json_object_set_new(turn, "itemsView", json_string(view));
}

/* The reference's cursor: JSON naming the anchor turn and whether a page
 * starting from it includes it. */
static json_t *turns_cursor(const char *turn_id, bool include_anchor)
{
    json_t *c = json_pack("{s:s s:b}", "turnId", turn_id, "includeAnchor", include_anchor);
    char *text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(c);
    json_t *s = json_string(text);
    free(text);
    return s;
}

/* A cursor read back: {"turnId": string, "includeAnchor": bool} (other
 * members ignored) or the same two as an array, as the reference's
 * deserializer takes them.  The turn id is a new string.  False when it
 * is neither. */
static bool parse_turns_cursor(const char *text, char **turn_id, bool *include_anchor)
{
    json_t *c = json_loads(text, JSON_DECODE_ANY, NULL);
    json_t *id = NULL, *inc = NULL;
    if (json_is_object(c)) {
        id = json_object_get(c, "turnId");
        inc = json_object_get(c, "includeAnchor");
    } else if (json_is_array(c) && json_array_size(c) == 2) {
        id = json_array_get(c, 0);
        inc = json_array_get(c, 1);
    }
    bool ok = json_is_string(id) && json_is_boolean(inc);
    if (ok) {
        *turn_id = xstrdup(json_string_value(id));
        *include_anchor = json_is_true(inc);
    }
    json_decref(c);
    return ok;
}

void rpc_thread_turns_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadTurnsListParams", false);
    const char *id, *cursor = NULL, *dir = NULL, *view = NULL;
    int64_t limit = 0;
    bool have_limit = false;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_string(req, params, "cursor", false, &cursor) ||
        !rpc_get_string(req, params, "sortDirection", false, &dir) ||
        !rpc_get_string(req, params, "itemsView", false, &view) ||
        !rpc_get_int(req, params, "limit", "u32", 0, UINT32_MAX, &have_limit, &limit))
        return;
    if (view && strcmp(view, "notLoaded") != 0 && strcmp(view, "summary") != 0 &&
        strcmp(view, "full") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected one of `notLoaded`, `summary`, "
                               "`full`", view);
        return;
    }
    if (dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `asc` or `desc`", dir);
        return;
    }
    if (!rpc_check_thread_id(req, id))
        return;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    char *path = t ? (t->ephemeral ? NULL : xstrdup(agent_rollout_path(t->agent)))
                   : rollout_locate(req->server->codex_home, id, NULL);
    if (!t && !path) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not loaded: %s", id);
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    /* Only the turns of the page are read back and built. */
    struct rollout_turn_index *ix =
        path ? rollout_turn_index_open(path, t && t->turn_running, NULL, &err) : NULL;
    bool unreadable = path && !ix;
    free(path);
    if (unreadable) {
        char *text = codex_error_text(&err);
        codex_error_clear(&err);
        rpc_reply_invalid(req, "thread %s: %s", id, text);
        free(text);
        return;
    }
    size_t n = ix ? rollout_turn_index_count(ix) : 0;
    if (n == 0) { /* nothing to page: the cursor is not even looked at */
        rollout_turn_index_close(ix);
        rpc_reply(req, json_pack("{s:[] s:n s:n}", "data", "nextCursor", "backwardsCursor"));
        return;
    }
    char *anchor_id = NULL;
    bool include_anchor = false;
    if (cursor && !parse_turns_cursor(cursor, &anchor_id, &include_anchor)) {
        rollout_turn_index_close(ix);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
        return;
    }
    /* The anchor's position, oldest first. */
    long found = anchor_id ? rollout_turn_index_find(ix, anchor_id) : -1;
    size_t anchor = found < 0 ? n : (size_t)found;
    free(anchor_id);
    if (cursor && anchor == n) {
        rollout_turn_index_close(ix);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "invalid cursor: anchor turn is no longer present");
        return;
    }
    size_t page = have_limit ? (size_t)limit : TURNS_PAGE_DEFAULT;
    page = page < 1 ? 1 : page > TURNS_PAGE_MAX ? TURNS_PAGE_MAX : page;
    /* Newest first unless asked otherwise; a cursor's page starts at its
     * anchor (included or not) and goes on in the asked direction. */
    bool ascending = dir && strcmp(dir, "asc") == 0;
    long step = ascending ? 1 : -1;
    long at = ascending ? 0 : (long)n - 1;
    if (cursor)
        at = (long)anchor + (include_anchor ? 0 : step);
    json_t *data = json_array();
    for (; at >= 0 && at < (long)n && json_array_size(data) < page; at += step) {
        json_t *turn = rollout_turn_index_turn(ix, (size_t)at, &err);
        if (!turn) {
            char *text = codex_error_text(&err);
            codex_error_clear(&err);
            rollout_turn_index_close(ix);
            json_decref(data);
            rpc_reply_invalid(req, "thread %s: %s", id, text);
            free(text);
            return;
        }
        rpc_turn_complete(turn);
        apply_items_view(turn, view ? view : "summary");
        json_array_append_new(data, turn);
    }
    rollout_turn_index_close(ix);
    bool more = at >= 0 && at < (long)n;
    size_t got = json_array_size(data);
    const char *first = got ? json_string_value(json_object_get(json_array_get(data, 0), "id")) : NULL;
    const char *last = got ? json_string_value(json_object_get(json_array_get(data, got - 1), "id")) : NULL;
    json_t *next = more && last ? turns_cursor(last, false) : json_null();
    json_t *back = first ? turns_cursor(first, true) : json_null();
    rpc_reply(req, json_pack("{s:o s:o s:o}", "data", data, "nextCursor", next, "backwardsCursor",
                             back));
}

/* ---- thread/list ---------------------------------------------------------- */

static bool in_list(json_t *list, const char *value)
{
    if (!list || json_array_size(list) == 0)
        return true;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (value && strcmp(json_string_value(v), value) == 0)
            return true;
    return false;
}

/* searchTerm: a case-insensitive substring of the thread's name or its
 * preview (the first user message), the two places a title comes from. */
static bool matches_search(const struct rollout_summary *s, const char *name, const char *term)
{
    if (!term || !*term)
        return true;
    return (s->preview && strcasestr(s->preview, term)) || (name && strcasestr(name, term));
}

struct listed {
    const struct rollout_summary *s;
    int64_t key;
    size_t pos; /* index order: ties keep it */
};

static int cmp_listed_asc(const void *a, const void *b)
{
    const struct listed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_listed_desc(const void *a, const void *b)
{
    return cmp_listed_asc(b, a);
}

typedef int (*listed_cmp)(const void *, const void *);

static void sift_down(struct listed *h, size_t n, size_t i, listed_cmp cmp)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && cmp(&h[l], &h[big]) > 0)
            big = l;
        if (r < n && cmp(&h[r], &h[big]) > 0)
            big = r;
        if (big == i)
            return;
        struct listed t = h[i];
        h[i] = h[big];
        h[big] = t;
        i = big;
    }
}

/* Bring the first `want` hits in cmp order to the front, sorted: a page
 * needs only those, and keeping the best few in a heap costs far less than
 * sorting thousands of sessions on every call. */
static void select_first(struct listed *hits, size_t n, size_t want, listed_cmp cmp)
{
    if (want >= n / 4) {
        qsort(hits, n, sizeof *hits, cmp);
        return;
    }
    /* A heap whose root is the worst of the best `want` so far. */
    for (size_t i = want / 2; i-- > 0;)
        sift_down(hits, want, i, cmp);
    for (size_t i = want; i < n; i++) {
        if (cmp(&hits[i], &hits[0]) < 0) {
            hits[0] = hits[i];
            sift_down(hits, want, 0, cmp);
        }
    }
    qsort(hits, want, sizeof *hits, cmp);
}

/* The listed thread as sent: its name and live status filled in. */
static json_t *listed_json(struct rpc_threads *reg, const struct rollout_summary *s,
                           const json_t *names)
{
    json_t *t = rpc_thread_stored_json(s, json_string_value(json_object_get(names, s->id)));
    struct rpc_thread *live = rpc_thread_find(reg, s->id);
    if (live && live->turn_running)
        json_object_set_new(t, "status", json_pack("{s:s s:[]}", "type", "active", "activeFlags"));
    else if (live)
        json_object_set_new(t, "status", json_pack("{s:s}", "type", "idle"));
    return t;
}

/* The params of thread/list; false after replying. */
struct list_params {
    const char *cursor, *sort_dir, *sort_key, *search;
    bool archived;
    int64_t limit;
    json_t *providers, *kinds, *excluded, *cwds;
    bool by_update;
};

static bool read_list_params(struct rpc_request *req, json_t *params, struct list_params *lp)
{
    bool have_limit = false;
    memset(lp, 0, sizeof *lp);
    lp->limit = 25;
    if (!rpc_get_string(req, params, "cursor", false, &lp->cursor) ||
        !rpc_get_bool(req, params, "archived", &lp->archived) ||
        !rpc_get_int(req, params, "limit", "u32", 0, UINT32_MAX, &have_limit, &lp->limit) ||
        !rpc_get_string_array(req, params, "modelProviders", false, &lp->providers) ||
        !rpc_get_string_array(req, params, "sourceKinds", false, &lp->kinds) ||
        !rpc_get_string_array(req, params, "excludedThreadIds", false, &lp->excluded) ||
        !rpc_get_string(req, params, "sortDirection", false, &lp->sort_dir) ||
        !rpc_get_string(req, params, "sortKey", false, &lp->sort_key) ||
        !rpc_get_string(req, params, "searchTerm", false, &lp->search))
        return false;
    /* Fail loudly rather than silently listing what the client excluded. */
    if (json_array_size(lp->excluded) > 100) {
        rpc_reply_refused(req, "excludedThreadIds holds %zu entries; at most 100 are allowed",
                          json_array_size(lp->excluded));
        return false;
    }
    size_t xi;
    json_t *xv;
    json_array_foreach(lp->excluded, xi, xv) {
        if (!uuid_is_valid(json_string_value(xv))) {
            rpc_reply_refused(req, "excludedThreadIds[%zu]: invalid thread id: %s", xi,
                              json_string_value(xv));
            return false;
        }
    }
    if (lp->sort_key) {
        if (strcmp(lp->sort_key, "updated_at") == 0 || strcmp(lp->sort_key, "recency_at") == 0) {
            lp->by_update = true;
        } else if (strcmp(lp->sort_key, "created_at") != 0 &&
                   strcmp(lp->sort_key, "section_position") != 0) {
            rpc_reply_invalid(req, "unknown variant `%s`, expected one of `created_at`, "
                                   "`updated_at`, `recency_at`, `section_position`",
                              lp->sort_key);
            return false;
        }
    }
    if (rpc_parse_cursor(lp->cursor) < 0) {
        rpc_reply_refused(req, "invalid cursor: %s", lp->cursor);
        return false;
    }
    if (lp->limit == 0)
        lp->limit = 25;
    json_t *cwd = json_object_get(params, "cwd");
    lp->cwds = json_is_string(cwd)  ? json_pack("[O]", cwd)
               : json_is_array(cwd) ? json_incref(cwd)
                                    : NULL;
    return true;
}

/* What a listing depends on besides the index: the tree, the filters and
 * the order.  NULL when it cannot be reused (a search reads names that
 * change without the index; recency of loaded threads changes with them). */
static char *list_key(const struct list_params *lp, json_t *kinds, bool any_loaded)
{
    if ((lp->search && *lp->search) || (lp->by_update && any_loaded))
        return NULL;
    json_t *k = json_pack("[b O? O O? O? s? b]", lp->archived, lp->providers, kinds, lp->cwds,
                          lp->excluded, lp->sort_dir, lp->by_update);
    char *text = json_dumps(k, JSON_COMPACT);
    json_decref(k);
    return text;
}

void rpc_thread_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadListParams", true);
    struct list_params lp;
    if (!params || !read_list_params(req, params, &lp))
        return;
    /* Interactive sessions unless asked otherwise, as the reference. */
    json_t *default_kinds = json_pack("[s s]", "cli", "vscode");
    json_t *kinds = lp.kinds && json_array_size(lp.kinds) ? lp.kinds : default_kinds;
    struct rpc_threads *reg = rpc_threads_of(req);
    const struct rollout_summary *const *all;
    uint64_t generation;
    size_t n = rpc_threads_stored(reg, lp.archived ? ROLLOUT_ARCHIVED : ROLLOUT_ACTIVE, &all,
                                  &generation);
    const json_t *names = rpc_threads_names(reg);
    size_t start = (size_t)rpc_parse_cursor(lp.cursor);
    char *key = list_key(&lp, kinds, reg->list != NULL);
    struct rpc_list_cache *cache = &reg->list_cache;
    if (!key || !cache->key || strcmp(key, cache->key) != 0 || cache->generation != generation) {
        bool ascending = lp.sort_dir && strcmp(lp.sort_dir, "asc") == 0;
        size_t matched = 0;
        struct listed *hits = xcalloc(n ? n : 1, sizeof *hits);
        /* Sessions are indexed oldest first: visiting them in the order
         * asked for lets the page selection keep its first picks. */
        for (size_t i = 0; i < n; i++) {
            size_t k = ascending ? i : n - 1 - i;
            const struct rollout_summary *s = all[k];
            if (!in_list(lp.providers, s->model_provider ? s->model_provider : "openai") ||
                !in_list(kinds, rpc_session_source(s->source)) || !in_list(lp.cwds, s->cwd) ||
                (json_array_size(lp.excluded) && in_list(lp.excluded, s->id)) ||
                (lp.search && *lp.search &&
                 !matches_search(s, json_string_value(json_object_get(names, s->id)), lp.search)))
                continue;
            struct rpc_thread *live = lp.by_update ? rpc_thread_find(reg, s->id) : NULL;
            hits[matched++] = (struct listed){
                .s = s,
                .key = live ? live->updated_at : lp.by_update ? s->updated_at : s->created_at,
                .pos = k,
            };
        }
        listed_cmp cmp = ascending ? cmp_listed_asc : cmp_listed_desc;
        /* A listing that can be reused is ordered completely, once;
         * otherwise only as far as this page needs. */
        size_t want = key ? matched : start + (size_t)lp.limit;
        select_first(hits, matched, want, cmp);
        free(cache->key);
        free(cache->order);
        cache->key = NULL;
        cache->order = xcalloc(matched ? matched : 1, sizeof *cache->order);
        cache->n = matched;
        cache->generation = generation;
        for (size_t i = 0; i < matched; i++)
            cache->order[i] = hits[i].s;
        free(hits);
    }
    free(cache->key);
    cache->key = key; /* NULL: this ordering is for this call only */
    json_t *data = json_array(), *read_states = json_object();
    size_t k = start;
    for (; k < cache->n && (int64_t)json_array_size(data) < lp.limit; k++) {
        const struct rollout_summary *s = cache->order[k];
        json_array_append_new(data, listed_json(reg, s, names));
        struct rpc_thread *live = rpc_thread_find(reg, s->id);
        if (live)
            json_object_set_new(read_states, s->id, rpc_thread_read_state_json(live));
    }
    json_t *next = k < cache->n ? json_sprintf("%zu", k) : json_null();
    json_t *back = json_array_size(data) ? json_sprintf("%zu", start) : json_null();
    json_decref(lp.cwds);
    json_decref(default_kinds);
    rpc_threads_apply_meta(req->server->codex_home, data);
    rpc_reply(req, json_pack("{s:o s:o s:o s:o}", "data", data, "readStates", read_states,
                             "nextCursor", next, "backwardsCursor", back));
}

/* ---- archiving -------------------------------------------------------------- */

/* A thread about to leave the store is closed first, unless a turn runs
 * (then the request is refused and false returned). */
static bool close_if_loaded(struct rpc_request *req, const char *id)
{
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    if (!t)
        return true;
    if (t->turn_running) {
        rpc_reply_refused(req, "thread %s has a running turn; interrupt it first", id);
        return false;
    }
    rpc_thread_notify(t, "thread/closed", json_pack("{s:s}", "threadId", id));
    rpc_thread_unload(t);
    return true;
}

/* thread/delete: the rollout goes for good, active or archived, with the
 * threads it started; a loaded thread is closed first. */
void rpc_thread_delete(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadDeleteParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    const char *home = req->server->codex_home;
    char *path = rollout_locate(home, id, NULL);
    if (!path) {
        rpc_reply_refused(req, "no rollout found for thread id %s", id);
        return;
    }
    if (!close_if_loaded(req, id)) {
        free(path);
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = rollout_delete(path, &err);
    free(path);
    if (rc < 0) {
        reply_store_error(req, &err);
        return;
    }
    rollout_delete_children(home, id);
    bool had_goal; /* its goal goes with it; a failure to say so leaves only a stray entry */
    struct codex_error goal_err = CODEX_ERROR_INIT;
    thread_goal_remove(home, id, &had_goal, &goal_err);
    codex_error_clear(&goal_err);
    /* Its sections, Git facts and attachments go with it. */
    json_t *meta = thread_meta_load(home, &err);
    if (meta && thread_meta_forget(meta, id))
        thread_meta_save(home, meta, &err);
    json_decref(meta);
    codex_error_clear(&err);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, NULL);
    rpc_conn_notify(c, "thread/deleted", json_pack("{s:s}", "threadId", id));
    rpc_conn_unref(c);
}

void rpc_thread_archive(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadArchiveParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    const char *home = req->server->codex_home;
    bool archived;
    char *path = rollout_locate(home, id, &archived);
    if (!path || archived) {
        free(path);
        rpc_reply_refused(req, archived ? "thread %s is already archived" : "no rollout found for thread id %s",
                          id);
        return;
    }
    if (!close_if_loaded(req, id)) {
        free(path);
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    char *dest = rollout_archive(home, path, &err);
    free(path);
    if (!dest) {
        reply_store_error(req, &err);
        return;
    }
    free(dest);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, NULL);
    rpc_conn_notify(c, "thread/archived", json_pack("{s:s}", "threadId", id));
    rpc_conn_unref(c);
}

void rpc_thread_unarchive(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadUnarchiveParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    const char *home = req->server->codex_home;
    char *path = rollout_find_id(home, id, ROLLOUT_ARCHIVED);
    if (!path) {
        rpc_reply_refused(req, "no archived rollout found for thread id %s", id);
        return;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    char *dest = rollout_unarchive(home, path, &err);
    free(path);
    if (!dest) {
        reply_store_error(req, &err);
        return;
    }
    json_t *thread = stored_thread(rpc_threads_of(req), dest, NULL, false, &err);
    free(dest);
    if (!thread) {
        codex_error_clear(&err);
        rpc_reply_refused(req, "thread %s: its rollout is unreadable", id);
        return;
    }
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, json_pack("{s:o}", "thread", thread));
    rpc_conn_notify(c, "thread/unarchived", json_pack("{s:s}", "threadId", id));
    rpc_conn_unref(c);
}

/* ---- resume and fork -------------------------------------------------------- */

/* Answer with the session settings plus the stored turns; with
 * exclude_turns (excludeTurns) without them, and then only the head and
 * tail of the file are read, for the preview. */
/* When thread/started reaches the asking connection. */
enum announce { ANNOUNCE_AFTER, ANNOUNCE_BEFORE, ANNOUNCE_NONE };

static void reply_session(struct rpc_request *req, struct rpc_thread *t, bool exclude_turns,
                          enum announce announce)
{
    json_t *res = rpc_thread_session_json(t);
    const char *path = agent_rollout_path(t->agent);
    struct rollout_summary s;
    struct codex_error err = CODEX_ERROR_INIT;
    struct rollout_turn_index *ix = NULL;
    bool have_summary = false;
    json_t *thread = json_object_get(res, "thread");
    if (path && exclude_turns) {
        have_summary = rollout_summary_read(path, &s, &err) == 0;
        json_object_set_new(thread, "turns", json_array());
    } else if (path) {
        /* Indexed now, written a turn at a time as the answer goes out. */
        ix = rollout_turn_index_open(path, t->turn_running, &s, &err);
        have_summary = ix != NULL;
        if (ix)
            json_object_set_new(thread, "turns", json_array());
    }
    if (have_summary) {
        if (!t->preview)
            t->preview = xstrdup(s.preview);
        json_object_set_new(thread, "preview", json_string(s.preview));
        rollout_summary_free(&s);
    }
    codex_error_clear(&err);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    /* A subagent's thread is never announced, as the reference does. */
    if (t->root)
        announce = ANNOUNCE_NONE;
    if (announce == ANNOUNCE_BEFORE)
        rpc_conn_notify(c, "thread/started", json_pack("{s:o}", "thread", rpc_thread_json(t)));
    if (ix)
        reply_indexed_turns(req, res, thread, ix);
    else
        rpc_reply(req, res);
    if (announce == ANNOUNCE_AFTER)
        rpc_conn_notify(c, "thread/started", json_pack("{s:o}", "thread", rpc_thread_json(t)));
    rpc_conn_unref(c);
    rpc_thread_announced(t);
}

/* What the file said about itself (a torn line, an empty compaction),
 * after the reply, as the reference sends warnings. */
static void notify_warnings(struct rpc_conn *c, struct rpc_thread *t, const struct strvec *warnings)
{
    for (size_t i = 0; i < warnings->n; i++)
        rpc_conn_notify(c, "warning", json_pack("{s:s s:s}", "message", warnings->v[i], "threadId",
                                                rpc_thread_id(t)));
}


/* A resumed or forked thread waiting for its required MCP servers. */
struct resume_wait {
    struct rpc_request *req;
    struct strvec warnings;
    bool exclude_turns;
    const char *doing; /* "resuming", "forking": the reference's error words */
    char *discard;     /* a fork's fresh copy, removed when the thread cannot start */
};

/* The answer, then what the file said about itself; or, when a required
 * MCP server could not start, the reference's error. */
static void resumed(struct rpc_thread *t, const char *error, void *ud)
{
    struct resume_wait *w = ud;
    struct rpc_request *req = w->req;
    if (error) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR,
                        "error %s thread: Fatal error: Failed to initialize session: %s", w->doing,
                        error);
        rpc_thread_unload(t);
        if (w->discard)
            unlink(w->discard);
    } else {
        struct rpc_conn *conn = req->conn; /* the reply frees req */
        rpc_conn_ref(conn);
        reply_session(req, t, w->exclude_turns, ANNOUNCE_AFTER);
        notify_warnings(conn, t, &w->warnings);
        rpc_conn_unref(conn);
    }
    strvec_free(&w->warnings);
    free(w->discard);
    free(w);
}

static void reply_with_warnings(struct rpc_request *req, struct rpc_thread *t, struct strvec *warnings,
                                bool exclude_turns, const char *doing, const char *discard)
{
    struct resume_wait *w = xcalloc(1, sizeof *w);
    w->req = req;
    w->discard = discard ? xstrdup(discard) : NULL;
    w->warnings = *warnings; /* taken over */
    *warnings = (struct strvec)STRVEC_INIT;
    w->exclude_turns = exclude_turns;
    w->doing = doing;
    rpc_thread_mcp_required(t, resumed, w);
}

static struct rpc_thread *start_from(struct rpc_request *req, const struct thread_opts *o,
                                     const char *path, struct strvec *warnings)
{
    struct rollout_session rs;
    struct codex_error err = CODEX_ERROR_INIT;
    if (rollout_load(path, &rs, &err) < 0) {
        char *text = codex_error_text(&err);
        rpc_reply_invalid(req, "%s", text);
        free(text);
        codex_error_clear(&err);
        return NULL;
    }
    struct rpc_thread *t = rpc_thread_create(req, o, &rs, path);
    *warnings = rs.warnings; /* handed over: the caller sends them after the reply */
    rs.warnings = (struct strvec)STRVEC_INIT;
    rollout_session_free(&rs);
    return t;
}

void rpc_thread_resume(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadResumeParams", false);
    struct thread_opts o;
    const char *id;
    bool exclude_turns = false;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_bool(req, params, "excludeTurns", &exclude_turns) ||
        !rpc_thread_read_opts(req, params, &o))
        return;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    if (t) {
        /* Another connection resuming a loaded thread follows it too, and
         * hears of the thread before the answer; one that follows it
         * already is not told again (both as the reference does). */
        bool joining = !rpc_thread_subscribed(t, req->conn);
        rpc_thread_subscribe(t, req->conn);
        struct rpc_conn *conn = req->conn; /* the reply frees req */
        rpc_conn_ref(conn);
        reply_session(req, t, exclude_turns, joining ? ANNOUNCE_BEFORE : ANNOUNCE_NONE);
        rpc_thread_replay_questions(t, conn);
        rpc_conn_unref(conn);
        return;
    }
    char *path = rollout_find_id(req->server->codex_home, id, ROLLOUT_ACTIVE);
    if (!path) {
        rpc_reply_refused(req, "no rollout found for thread id %s", id);
        return;
    }
    o.ephemeral = false;
    struct strvec warnings = STRVEC_INIT;
    t = start_from(req, &o, path, &warnings);
    free(path);
    if (t)
        reply_with_warnings(req, t, &warnings, exclude_turns, "resuming", NULL);
    strvec_free(&warnings);
}

void rpc_thread_fork(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadForkParams", false);
    struct thread_opts o;
    const char *id;
    bool exclude_turns = false;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_bool(req, params, "excludeTurns", &exclude_turns) ||
        !rpc_thread_read_opts(req, params, &o))
        return;
    const char *home = req->server->codex_home;
    struct rpc_thread *live = rpc_thread_find(rpc_threads_of(req), id);
    char *src = live && !live->ephemeral ? xstrdup(agent_rollout_path(live->agent))
                                         : rollout_find_id(home, id, ROLLOUT_ACTIVE);
    if (!src) {
        rpc_reply_refused(req, "no rollout found for thread id %s", id);
        return;
    }
    char new_id[UUID_STR_LEN];
    uuid_v7(new_id);
    struct codex_error err = CODEX_ERROR_INIT;
    char *path = rollout_fork(home, src, new_id, id, &err);
    free(src);
    if (!path) {
        char *text = codex_error_text(&err);
        rpc_reply_refused(req, "thread %s: its rollout could not be copied: %s", id, text);
        free(text);
        codex_error_clear(&err);
        return;
    }
    o.ephemeral = false;
    struct strvec warnings = STRVEC_INIT;
    struct rpc_thread *t = start_from(req, &o, path, &warnings);
    if (t) {
        t->forked_from = xstrdup(id);
        reply_with_warnings(req, t, &warnings, exclude_turns, "forking", path);
    } else {
        unlink(path); /* no thread was made of the copy: it is not one to list */
    }
    free(path);
    strvec_free(&warnings);
}
