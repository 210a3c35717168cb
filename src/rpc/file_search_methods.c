/* fuzzyFileSearch and the fuzzyFileSearch/session* methods, on
 * src/filesearch.
 *
 * fuzzyFileSearch walks its roots and answers the best 50 matches, as the
 * reference does; a later request with the same cancellationToken cancels
 * the earlier one, which then answers no files.  A session (experimental
 * API) walks its roots once, at sessionStart; every sessionUpdate then only
 * matches, and its results come as fuzzyFileSearch/sessionUpdated followed
 * by fuzzyFileSearch/sessionCompleted.  A session belongs to the connection
 * that started it and ends with it.
 *
 * Walks and matches run on libuv's thread pool, one job per session at a
 * time; a query typed while one runs waits, and only the newest waiting
 * query runs.  Relative roots are taken from the server's directory and
 * echoed as given. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "filesearch/filesearch.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/xalloc.h"

struct search_state;

/* ---- the result shape --------------------------------------------------- */

static json_t *hits_json(const struct file_index *ix, const struct file_results *r)
{
    json_t *files = json_array();
    for (size_t i = 0; r && i < r->n; i++) {
        const struct file_hit *h = &r->hits[i];
        json_t *idx = json_array();
        for (size_t k = 0; k < h->nindices; k++)
            json_array_append_new(idx, json_integer(h->indices[k]));
        json_t *o = json_object();
        json_object_set_new(o, "root", json_string(file_index_root(ix, h->root)));
        json_object_set_new(o, "path", json_string(h->path));
        json_object_set_new(o, "match_type", json_string(h->is_dir ? "directory" : "file"));
        json_object_set_new(o, "file_name", json_string(h->file_name));
        json_object_set_new(o, "score", json_integer(h->score));
        json_object_set_new(o, "indices", idx);
        json_array_append_new(files, o);
    }
    return files;
}

static char **copy_roots(json_t *roots, size_t *n)
{
    *n = json_array_size(roots);
    char **v = xcalloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = xstrdup(json_string_value(json_array_get(roots, i)));
    return v;
}

static void free_roots(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- fuzzyFileSearch ------------------------------------------------------ */

struct oneshot {
    uv_work_t work;
    struct search_state *state;
    struct rpc_request *req;
    char *query, *token, *cwd;
    char **roots;
    size_t nroots;
    atomic_bool cancel;
    json_t *files; /* built on the worker */
    struct oneshot *next;
};

struct session;

struct search_state {
    struct oneshot *oneshots; /* in flight */
    struct session *sessions;
};

static struct search_state *state_of(struct rpc_request *req)
{
    if (!*req->state)
        *req->state = xcalloc(1, sizeof(struct search_state));
    return *req->state;
}

static void oneshot_work(uv_work_t *w)
{
    struct oneshot *o = w->data;
    struct file_index *ix =
        file_index_walk((const char *const *)o->roots, o->nroots, o->cwd, &o->cancel);
    struct file_results r = {0};
    if (!atomic_load(&o->cancel)) {
        struct file_searcher *s = file_searcher_new(ix);
        file_searcher_run(s, o->query, FILESEARCH_DEFAULT_LIMIT, &r);
        file_searcher_free(s);
    }
    o->files = atomic_load(&o->cancel) ? json_array() : hits_json(ix, &r);
    file_results_free(&r);
    file_index_free(ix);
}

static void oneshot_done(uv_work_t *w, int status)
{
    struct oneshot *o = w->data;
    for (struct oneshot **p = &o->state->oneshots; *p; p = &(*p)->next) {
        if (*p == o) {
            *p = o->next;
            break;
        }
    }
    if (status != 0 || !o->files) {
        json_decref(o->files);
        o->files = json_array();
    }
    rpc_reply(o->req, json_pack("{s:o}", "files", o->files));
    free(o->query);
    free(o->token);
    free(o->cwd);
    free_roots(o->roots, o->nroots);
    free(o);
}

static void fuzzy_file_search(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "FuzzyFileSearchParams", false);
    const char *query, *token;
    json_t *roots;
    if (!p || !rpc_get_string(req, p, "query", true, &query) ||
        !rpc_get_string_array(req, p, "roots", true, &roots) ||
        !rpc_get_string(req, p, "cancellationToken", false, &token))
        return;
    struct search_state *st = state_of(req);
    if (token) {
        for (struct oneshot *o = st->oneshots; o; o = o->next)
            if (o->token && strcmp(o->token, token) == 0)
                atomic_store(&o->cancel, true);
    }
    struct oneshot *o = xcalloc(1, sizeof *o);
    o->state = st;
    o->req = req;
    o->query = xstrdup(query);
    o->token = token ? xstrdup(token) : NULL;
    o->cwd = xstrdup(req->server->cwd ? req->server->cwd : "/");
    o->roots = copy_roots(roots, &o->nroots);
    atomic_init(&o->cancel, false);
    o->work.data = o;
    o->next = st->oneshots;
    st->oneshots = o;
    if (uv_queue_work(req->server->loop, &o->work, oneshot_work, oneshot_done) != 0)
        oneshot_done(&o->work, -1);
}

/* ---- sessions --------------------------------------------------------------- */

struct session {
    struct rpc_conn_resource res; /* first: the connection's close finds us */
    struct search_state *state;
    struct rpc_conn *conn;
    char *id, *cwd;
    char **roots;
    size_t nroots;
    struct file_index *ix; /* NULL until the walk is done */
    struct file_searcher *searcher;
    atomic_bool cancel;
    uv_work_t work;
    uv_loop_t *loop;
    bool busy, stopped;
    bool walked; /* the index is built (read on the loop thread only) */
    char *query;      /* the newest query asked for */
    char *job_query;  /* the query the running job matches (NULL: walking) */
    bool query_dirty; /* query has not been matched yet */
    json_t *files;    /* the running job's answer */
    struct session *next;
};

static void session_free(struct session *s)
{
    file_searcher_free(s->searcher);
    file_index_free(s->ix);
    free_roots(s->roots, s->nroots);
    json_decref(s->files);
    free(s->id);
    free(s->cwd);
    free(s->query);
    free(s->job_query);
    free(s);
}

static void session_unlink(struct session *s)
{
    for (struct session **p = &s->state->sessions; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            return;
        }
    }
}

/* Stop: the session is forgotten at once, freed when no job holds it. */
static void session_stop(struct session *s)
{
    s->stopped = true;
    atomic_store(&s->cancel, true);
    session_unlink(s);
    if (!s->busy)
        session_free(s);
}

static void notify_files(struct session *s, const char *query, json_t *files)
{
    rpc_conn_notify(s->conn, "fuzzyFileSearch/sessionUpdated",
                    json_pack("{s:s s:s s:o}", "sessionId", s->id, "query", query, "files", files));
}

static void session_work(uv_work_t *w)
{
    struct session *s = w->data;
    if (!s->ix) {
        s->ix = file_index_walk((const char *const *)s->roots, s->nroots, s->cwd, &s->cancel);
        s->searcher = file_searcher_new(s->ix);
    }
    struct file_results r = {0};
    file_searcher_run(s->searcher, s->job_query, FILESEARCH_DEFAULT_LIMIT, &r);
    s->files = hits_json(s->ix, &r);
    file_results_free(&r);
}

static void session_next(struct session *s);

static void session_done(uv_work_t *w, int status)
{
    struct session *s = w->data;
    s->busy = false;
    s->walked = true;
    if (s->stopped) {
        session_free(s);
        return;
    }
    json_t *files = s->files;
    s->files = NULL;
    if (status == 0 && files && !s->query_dirty) {
        notify_files(s, s->job_query, files);
        rpc_conn_notify(s->conn, "fuzzyFileSearch/sessionCompleted",
                        json_pack("{s:s}", "sessionId", s->id));
    } else {
        json_decref(files);
    }
    session_next(s);
}

/* Start matching the newest query when one is waiting and nothing runs. */
static void session_next(struct session *s)
{
    if (s->busy || (!s->query_dirty && s->walked))
        return;
    free(s->job_query);
    s->job_query = xstrdup(s->query);
    s->query_dirty = false;
    s->busy = true;
    s->work.data = s;
    if (uv_queue_work(s->loop, &s->work, session_work, session_done) != 0)
        s->busy = false;
}

static void session_conn_closed(struct rpc_conn_resource *r)
{
    session_stop((struct session *)r);
}

static struct session *find_session(struct search_state *st, struct rpc_conn *c, const char *id)
{
    for (struct session *s = st->sessions; s; s = s->next)
        if (s->conn == c && strcmp(s->id, id) == 0)
            return s;
    return NULL;
}

static bool experimental(struct rpc_request *req)
{
    if (req->conn->experimental_api)
        return true;
    rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "%s requires experimentalApi capability",
                    req->method);
    return false;
}

static void session_start(struct rpc_request *req)
{
    if (!experimental(req))
        return;
    json_t *p = rpc_params(req, "FuzzyFileSearchSessionStartParams", false);
    const char *id;
    json_t *roots;
    if (!p || !rpc_get_string(req, p, "sessionId", true, &id) ||
        !rpc_get_string_array(req, p, "roots", true, &roots))
        return;
    if (json_array_size(roots) == 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR,
                        "failed to start fuzzy file search session: at least one search "
                        "directory is required");
        return;
    }
    struct search_state *st = state_of(req);
    struct session *old = find_session(st, req->conn, id);
    if (old) {
        rpc_conn_remove_resource(old->conn, &old->res);
        session_stop(old);
    }
    struct session *s = xcalloc(1, sizeof *s);
    s->res.on_close = session_conn_closed;
    s->state = st;
    s->conn = req->conn;
    s->loop = req->server->loop;
    s->id = xstrdup(id);
    s->cwd = xstrdup(req->server->cwd ? req->server->cwd : "/");
    s->roots = copy_roots(roots, &s->nroots);
    s->query = xstrdup("");
    atomic_init(&s->cancel, false);
    s->next = st->sessions;
    st->sessions = s;
    rpc_conn_add_resource(req->conn, &s->res);
    rpc_reply(req, NULL);
    session_next(s); /* the walk, then the empty query */
}

static void session_update(struct rpc_request *req)
{
    if (!experimental(req))
        return;
    json_t *p = rpc_params(req, "FuzzyFileSearchSessionUpdateParams", false);
    const char *id, *query;
    if (!p || !rpc_get_string(req, p, "sessionId", true, &id) ||
        !rpc_get_string(req, p, "query", true, &query))
        return;
    struct session *s = find_session(state_of(req), req->conn, id);
    if (!s) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "fuzzy file search session not found: %s",
                        id);
        return;
    }
    free(s->query);
    s->query = xstrdup(query);
    s->query_dirty = true;
    rpc_reply(req, NULL);
    if (!s->walked) /* still walking: nothing matched yet */
        notify_files(s, query, json_array());
    session_next(s);
}

static void session_stop_method(struct rpc_request *req)
{
    if (!experimental(req))
        return;
    json_t *p = rpc_params(req, "FuzzyFileSearchSessionStopParams", false);
    const char *id;
    if (!p || !rpc_get_string(req, p, "sessionId", true, &id))
        return;
    struct session *s = find_session(state_of(req), req->conn, id);
    if (s) {
        rpc_conn_remove_resource(s->conn, &s->res);
        session_stop(s);
    }
    rpc_reply(req, NULL);
}

static void free_state(void **slot)
{
    struct search_state *st = *slot;
    if (!st)
        return;
    while (st->sessions) {
        struct session *s = st->sessions;
        st->sessions = s->next;
        session_free(s);
    }
    free(st);
    *slot = NULL;
}

static const struct rpc_method methods[] = {
    {"fuzzyFileSearch", fuzzy_file_search},
    {"fuzzyFileSearch/sessionStart", session_start},
    {"fuzzyFileSearch/sessionUpdate", session_update},
    {"fuzzyFileSearch/sessionStop", session_stop_method},
    {NULL, NULL},
};

const struct rpc_module rpc_file_search_module = {
    .name = "fuzzy file search",
    .methods = methods,
    .free_state = free_state,
};
