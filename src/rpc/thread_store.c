/* Threads as stored on disk: thread/read, thread/list, thread/resume,
 * thread/fork, thread/name/set, thread/archive and thread/unarchive.  The
 * rollout files are the source of truth; archived ones live flat in
 * $CODEX_HOME/archived_sessions. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rpc/command_actions.h"
#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/thread.h"
#include "rpc/thread_index.h"
#include "store/rollout.h"
#include "store/rollout_items.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The file of thread id under CODEX_HOME/sub, or NULL. */
static char *find_rollout(const char *codex_home, const char *sub, const char *id)
{
    char *root = fs_join(codex_home, sub);
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(root, &files);
    free(root);
    char *found = NULL;
    size_t k = strlen(id);
    for (size_t i = 0; i < files.n && !found; i++) {
        const char *name = base_name(files.v[i]);
        size_t n = strlen(name);
        if (n > k + 7 && strncmp(name + n - 6 - k, id, k) == 0 && name[n - 7 - k] == '-' &&
            strcmp(name + n - 6, ".jsonl") == 0)
            found = xstrdup(files.v[i]);
    }
    strvec_free(&files);
    return found;
}

static int64_t parse_time(const char *ts)
{
    struct tm tm = {0};
    if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (int64_t)timegm(&tm);
}

static const char *session_source(const char *s)
{
    static const char *const known[] = {"cli", "vscode", "exec", "appServer", NULL};
    for (const char *const *k = known; s && *k; k++)
        if (strcmp(s, *k) == 0)
            return *k;
    return "unknown";
}

/* The last name set for id in session_index.jsonl, or NULL. */
static char *stored_name(const char *codex_home, const char *id)
{
    char *path = xasprintf("%s/session_index.jsonl", codex_home);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f)
        return NULL;
    char *name = NULL, *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (!strstr(line, id))
            continue;
        json_t *j = json_loads(line, 0, NULL);
        const char *jid = json_string_value(json_object_get(j, "id"));
        const char *n = json_string_value(json_object_get(j, "thread_name"));
        if (jid && n && strcmp(jid, id) == 0) {
            free(name);
            name = xstrdup(n);
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    return name;
}

static json_t *find_turn(json_t *turns, const char *id)
{
    size_t i;
    json_t *t;
    json_array_foreach(turns, i, t)
        if (id && strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
            return t;
    return NULL;
}

static json_t *add_turn(json_t *turns, const char *id, int64_t started)
{
    json_t *t = json_pack("{s:s s:[] s:s s:I s:n}", "id", id, "items", "status", "inProgress",
                          "startedAt", (json_int_t)started, "error");
    json_array_append_new(turns, t);
    return t;
}

/* One stored line into the summary (meta) and, when wanted, the turns. */
static void read_line(json_t *line, json_t *meta, json_t *turns, char **preview)
{
    const char *type = json_string_value(json_object_get(line, "type"));
    json_t *p = json_object_get(line, "payload");
    if (!type || !json_is_object(p))
        return;
    if (strcmp(type, "session_meta") == 0) {
        if (!json_object_get(meta, "id"))
            json_object_update(meta, p);
        return;
    }
    if (strcmp(type, "turn_context") == 0) {
        json_object_set(meta, "model", json_object_get(p, "model"));
        json_object_set(meta, "effort", json_object_get(p, "effort"));
        return;
    }
    if (strcmp(type, "event_msg") != 0)
        return;
    const char *ev = json_string_value(json_object_get(p, "type"));
    const char *turn_id = json_string_value(json_object_get(p, "turn_id"));
    if (!ev)
        return;
    if (strcmp(ev, "item_completed") == 0) {
        /* Ours store v2 items; the reference's own shape is converted. */
        json_t *item = json_is_object(json_object_get(p, "item"))
                           ? rollout_item_to_v2(json_object_get(p, "item"))
                           : NULL;
        const char *itype = json_string_value(json_object_get(item, "type"));
        if (!*preview && itype && strcmp(itype, "userMessage") == 0) {
            json_t *first = json_array_get(json_object_get(item, "content"), 0);
            const char *text = json_string_value(json_object_get(first, "text"));
            *preview = xstrdup(text ? text : "");
        }
        if (!turns || !turn_id || !item || !itype) {
            json_decref(item);
            return;
        }
        json_t *turn = find_turn(turns, turn_id);
        if (!turn)
            turn = add_turn(turns, turn_id, 0);
        if (strcmp(itype, "commandExecution") == 0 && !json_object_get(item, "commandActions"))
            json_object_set_new(item, "commandActions",
                                rpc_command_actions(json_string_value(json_object_get(item, "command"))));
        json_array_append_new(json_object_get(turn, "items"), item);
    } else if (turns && turn_id && strcmp(ev, "task_started") == 0) {
        if (!find_turn(turns, turn_id))
            add_turn(turns, turn_id, json_integer_value(json_object_get(p, "started_at")));
    } else if (turns && turn_id &&
               (strcmp(ev, "task_complete") == 0 || strcmp(ev, "turn_aborted") == 0)) {
        json_t *turn = find_turn(turns, turn_id);
        if (turn)
            json_object_set_new(turn, "status", json_string(strcmp(ev, "task_complete") == 0
                                                                ? "completed"
                                                                : "interrupted"));
    }
}

json_t *rpc_thread_from_rollout(const char *path, bool include_turns)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    json_t *meta = json_object();
    json_t *turns = include_turns ? json_array() : NULL;
    char *preview = NULL, *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break; /* a torn last line */
        json_t *j = json_loads(line, 0, NULL);
        if (j)
            read_line(j, meta, turns, &preview);
        json_decref(j);
        /* A summary needs the meta and the first prompt only. */
        if (!include_turns && preview && json_object_get(meta, "model"))
            break;
    }
    free(line);
    fclose(f);
    const char *id = json_string_value(json_object_get(meta, "id"));
    json_t *thread = NULL;
    if (id) {
        struct stat st;
        int64_t updated = stat(path, &st) == 0 ? (int64_t)st.st_mtime : 0;
        const char *cwd = json_string_value(json_object_get(meta, "cwd"));
        const char *cli = json_string_value(json_object_get(meta, "cli_version"));
        const char *provider = json_string_value(json_object_get(meta, "model_provider"));
        /* Turns still open in a file nobody writes were cut short. */
        size_t i;
        json_t *t;
        json_array_foreach(turns, i, t)
            if (strcmp(json_string_value(json_object_get(t, "status")), "inProgress") == 0)
                json_object_set_new(t, "status", json_string("interrupted"));
        thread = json_pack(
            "{s:s s:s s:s s:I s:s s:b s:s s:s s:O? s:O? s:s s:n s:{s:s} s:o s:I s:s s:s?}", "id",
            id, "sessionId", id, "cliVersion", cli ? cli : "", "createdAt",
            (json_int_t)parse_time(json_string_value(json_object_get(meta, "timestamp"))), "cwd",
            cwd ? cwd : "/", "ephemeral", 0, "path", path, "modelProvider",
            provider ? provider : "openai", "model", json_object_get(meta, "model"),
            "reasoningEffort", json_object_get(meta, "effort"), "preview",
            preview ? preview : "", "projectId", "status", "type", "notLoaded", "turns",
            turns ? json_incref(turns) : json_array(), "updatedAt", (json_int_t)updated,
            "source", session_source(json_string_value(json_object_get(meta, "source"))),
            "originator", json_string_value(json_object_get(meta, "originator")));
    }
    json_decref(turns);
    json_decref(meta);
    free(preview);
    return thread;
}

/* The rollout of a thread id, active or archived (*archived says which). */
static char *locate(const char *codex_home, const char *id, bool *archived)
{
    char *p = find_rollout(codex_home, "sessions", id);
    if (archived)
        *archived = false;
    if (!p && (p = find_rollout(codex_home, "archived_sessions", id)) && archived)
        *archived = true;
    return p;
}

static void set_name(const char *codex_home, json_t *thread)
{
    char *name = stored_name(codex_home, json_string_value(json_object_get(thread, "id")));
    json_object_set_new(thread, "name", name ? json_string(name) : json_null());
    free(name);
}

void rpc_thread_read(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadReadParams", false);
    const char *id;
    bool include_turns = false;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_bool(req, params, "includeTurns", &include_turns))
        return;
    struct rpc_server *s = req->conn->server;
    struct rpc_thread *t = rpc_thread_find(s, id);
    json_t *thread = NULL;
    if (t && (!include_turns || t->ephemeral)) {
        thread = rpc_thread_json(t);
    } else {
        char *path = t ? xstrdup(agent_rollout_path(t->agent)) : locate(s->codex_home, id, NULL);
        if (path)
            thread = rpc_thread_from_rollout(path, include_turns);
        free(path);
        if (thread && t) {
            json_t *live = rpc_thread_json(t);
            json_object_set(live, "turns", json_object_get(thread, "turns"));
            json_decref(thread);
            thread = live;
        } else if (thread) {
            set_name(s->codex_home, thread);
        }
    }
    if (!thread) {
        rpc_reply_invalid(req, "thread not found: %s", id);
        return;
    }
    rpc_reply(req, json_pack("{s:o}", "thread", thread));
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

static bool is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* searchTerm: a case-insensitive substring of the thread's name or its
 * preview (the first user message), the two places a title comes from. */
static bool matches_search(const char *codex_home, json_t *t, const char *term)
{
    if (!term || !*term)
        return true;
    const char *preview = json_string_value(json_object_get(t, "preview"));
    if (preview && strcasestr(preview, term))
        return true;
    char *name = stored_name(codex_home, json_string_value(json_object_get(t, "id")));
    bool hit = name && strcasestr(name, term);
    free(name);
    return hit;
}

struct listed {
    json_t *thread;
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

/* The listed thread as sent: its name and live status filled in. */
static json_t *listed_json(struct rpc_server *s, json_t *t)
{
    json_t *copy = json_deep_copy(t);
    set_name(s->codex_home, copy);
    struct rpc_thread *live = rpc_thread_find(s, json_string_value(json_object_get(t, "id")));
    if (live && live->turn_running)
        json_object_set_new(copy, "status",
                            json_pack("{s:s s:[]}", "type", "active", "activeFlags"));
    else if (live)
        json_object_set_new(copy, "status", json_pack("{s:s}", "type", "idle"));
    return copy;
}

void rpc_thread_list(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadListParams", true);
    const char *cursor = NULL, *sort_dir = NULL, *sort_key = NULL, *search = NULL;
    bool archived = false, have_limit = false;
    int64_t limit = 25;
    json_t *providers = NULL, *kinds = NULL, *excluded = NULL;
    if (!params || !rpc_get_string(req, params, "cursor", false, &cursor) ||
        !rpc_get_bool(req, params, "archived", &archived) ||
        !rpc_get_int(req, params, "limit", "u32", 0, UINT32_MAX, &have_limit, &limit) ||
        !rpc_get_string_array(req, params, "modelProviders", false, &providers) ||
        !rpc_get_string_array(req, params, "sourceKinds", false, &kinds) ||
        !rpc_get_string_array(req, params, "excludedThreadIds", false, &excluded) ||
        !rpc_get_string(req, params, "sortDirection", false, &sort_dir) ||
        !rpc_get_string(req, params, "sortKey", false, &sort_key) ||
        !rpc_get_string(req, params, "searchTerm", false, &search))
        return;
    /* Fail loudly rather than silently listing what the client excluded. */
    if (json_array_size(excluded) > 100) {
        rpc_reply_invalid(req, "excludedThreadIds holds %zu entries; at most 100 are allowed",
                          json_array_size(excluded));
        return;
    }
    size_t xi;
    json_t *xv;
    json_array_foreach(excluded, xi, xv) {
        if (!is_uuid(json_string_value(xv))) {
            rpc_reply_invalid(req, "excludedThreadIds[%zu]: invalid thread id: %s", xi,
                              json_string_value(xv));
            return;
        }
    }
    bool by_update = false;
    if (sort_key) {
        if (strcmp(sort_key, "updated_at") == 0 || strcmp(sort_key, "recency_at") == 0) {
            by_update = true;
        } else if (strcmp(sort_key, "created_at") != 0 &&
                   strcmp(sort_key, "section_position") != 0) {
            rpc_reply_invalid(req, "unknown variant `%s`, expected one of `created_at`, "
                                   "`updated_at`, `recency_at`, `section_position`",
                              sort_key);
            return;
        }
    }
    json_t *cwd = json_object_get(params, "cwd");
    json_t *cwds = json_is_string(cwd) ? json_pack("[O]", cwd)
                   : json_is_array(cwd) ? json_incref(cwd)
                                        : NULL;
    long start = rpc_parse_cursor(cursor);
    if (start < 0) {
        json_decref(cwds);
        rpc_reply_invalid(req, "invalid cursor: %s", cursor);
        return;
    }
    if (limit == 0)
        limit = 25;
    /* Interactive sessions unless asked otherwise, as the reference. */
    json_t *default_kinds = json_pack("[s s]", "cli", "vscode");
    if (!kinds || json_array_size(kinds) == 0)
        kinds = default_kinds;
    struct rpc_server *s = req->conn->server;
    json_t *all = rpc_thread_index_list(s, archived);
    size_t n = json_array_size(all), matched = 0;
    struct listed *hits = xcalloc(n ? n : 1, sizeof *hits);
    for (size_t k = 0; k < n; k++) {
        json_t *t = json_array_get(all, k);
        const char *id = json_string_value(json_object_get(t, "id"));
        if (!in_list(providers, json_string_value(json_object_get(t, "modelProvider"))) ||
            !in_list(kinds, json_string_value(json_object_get(t, "source"))) ||
            !in_list(cwds, json_string_value(json_object_get(t, "cwd"))) ||
            (json_array_size(excluded) && in_list(excluded, id)) ||
            !matches_search(s->codex_home, t, search))
            continue;
        struct rpc_thread *live = by_update ? rpc_thread_find(s, id) : NULL;
        json_t *key = json_object_get(t, by_update ? "updatedAt" : "createdAt");
        hits[matched++] = (struct listed){
            .thread = t,
            .key = live ? live->updated_at : json_integer_value(key),
            .pos = k,
        };
    }
    bool ascending = sort_dir && strcmp(sort_dir, "asc") == 0;
    qsort(hits, matched, sizeof *hits, ascending ? cmp_listed_asc : cmp_listed_desc);
    json_t *data = json_array();
    size_t k = (size_t)start;
    for (; k < matched && (int64_t)json_array_size(data) < limit; k++)
        json_array_append_new(data, listed_json(s, hits[k].thread));
    json_t *next = k < matched ? json_sprintf("%zu", k) : json_null();
    free(hits);
    json_decref(all);
    json_decref(cwds);
    json_decref(default_kinds);
    rpc_reply(req, json_pack("{s:o s:o}", "data", data, "nextCursor", next));
}

/* ---- names and archiving ---------------------------------------------------- */

void rpc_thread_name_set(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadSetNameParams", false);
    const char *id, *name;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_get_string(req, params, "name", true, &name))
        return;
    struct rpc_server *s = req->conn->server;
    struct rpc_thread *t = rpc_thread_find(s, id);
    char *path = t ? NULL : locate(s->codex_home, id, NULL);
    if (!t && !path) {
        rpc_reply_invalid(req, "thread not found: %s", id);
        return;
    }
    free(path);
    if (!*name) {
        rpc_reply_invalid(req, "thread name must not be empty");
        return;
    }
    if (rpc_thread_store_name(s->codex_home, id, name) != 0) {
        rpc_reply_errno(req, errno);
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

void rpc_thread_archive(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadArchiveParams", false);
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id))
        return;
    struct rpc_server *s = req->conn->server;
    bool archived;
    char *path = locate(s->codex_home, id, &archived);
    if (!path || archived) {
        free(path);
        rpc_reply_invalid(req, archived ? "thread %s is already archived" : "thread not found: %s",
                          id);
        return;
    }
    struct rpc_thread *t = rpc_thread_find(s, id);
    if (t) {
        if (t->turn_running) {
            free(path);
            rpc_reply_invalid(req, "thread %s has a running turn; interrupt it first", id);
            return;
        }
        rpc_thread_notify(t, "thread/closed", json_pack("{s:s}", "threadId", id));
        rpc_thread_unload(t);
    }
    char *dir = fs_join(s->codex_home, "archived_sessions");
    char *dest = fs_join(dir, base_name(path));
    int rc = fs_mkdir_p(dir, 0755) == 0 ? rename(path, dest) : -1;
    int err = errno;
    free(dir);
    free(dest);
    free(path);
    if (rc != 0) {
        rpc_reply_errno(req, err);
        return;
    }
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
    struct rpc_server *s = req->conn->server;
    char *path = find_rollout(s->codex_home, "archived_sessions", id);
    if (!path) {
        rpc_reply_invalid(req, "archived thread not found: %s", id);
        return;
    }
    /* Back under sessions/YYYY/MM/DD of the name's timestamp. */
    const char *name = base_name(path);
    char day[11] = "1970/01/01";
    if (strlen(name) > 18 && name[12] == '-' && name[15] == '-')
        snprintf(day, sizeof day, "%.4s/%.2s/%.2s", name + 8, name + 13, name + 16);
    char *dir = xasprintf("%s/sessions/%s", s->codex_home, day);
    char *dest = fs_join(dir, name);
    int rc = fs_mkdir_p(dir, 0755) == 0 ? rename(path, dest) : -1;
    int err = errno;
    free(dir);
    free(path);
    if (rc != 0) {
        free(dest);
        rpc_reply_errno(req, err);
        return;
    }
    json_t *thread = rpc_thread_from_rollout(dest, false);
    free(dest);
    if (!thread) {
        rpc_reply_invalid(req, "thread %s: its rollout is unreadable", id);
        return;
    }
    set_name(s->codex_home, thread);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, json_pack("{s:o}", "thread", thread));
    rpc_conn_notify(c, "thread/unarchived", json_pack("{s:s}", "threadId", id));
    rpc_conn_unref(c);
}

/* ---- resume and fork -------------------------------------------------------- */

/* Answer with the session settings plus the stored turns. */
static void reply_session(struct rpc_request *req, struct rpc_thread *t)
{
    json_t *res = rpc_thread_session_json(t);
    const char *path = agent_rollout_path(t->agent);
    json_t *stored = path ? rpc_thread_from_rollout(path, true) : NULL;
    if (stored) {
        json_t *thread = json_object_get(res, "thread");
        json_object_set(thread, "turns", json_object_get(stored, "turns"));
        if (!t->preview)
            t->preview = xstrdup(json_string_value(json_object_get(stored, "preview")));
        json_object_set(thread, "preview", json_object_get(stored, "preview"));
    }
    json_decref(stored);
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, res);
    rpc_conn_notify(c, "thread/started", json_pack("{s:o}", "thread", rpc_thread_json(t)));
    rpc_conn_unref(c);
}

/* What the rollout reader had to say about a damaged file. */
static void notify_warnings(struct rpc_conn *c, struct rpc_thread *t, const struct strvec *warnings)
{
    for (size_t i = 0; i < warnings->n; i++)
        rpc_conn_notify(c, "warning", json_pack("{s:s s:s}", "message", warnings->v[i], "threadId",
                                                rpc_thread_id(t)));
}

static struct rpc_thread *start_from(struct rpc_request *req, const struct thread_opts *o,
                                     const char *path, struct strvec *warnings)
{
    struct rollout_session rs;
    char *err = NULL;
    if (rollout_load(path, &rs, &err) < 0) {
        rpc_reply_invalid(req, "%s", err);
        free(err);
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
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_thread_read_opts(req, params, &o))
        return;
    struct rpc_server *s = req->conn->server;
    struct rpc_thread *t = rpc_thread_find(s, id);
    if (t) {
        /* Another connection resuming a loaded thread follows it too. */
        rpc_thread_subscribe(t, req->conn);
        reply_session(req, t);
        return;
    }
    char *path = find_rollout(s->codex_home, "sessions", id);
    if (!path) {
        rpc_reply_invalid(req, "no rollout found for thread id %s", id);
        return;
    }
    o.ephemeral = false;
    struct strvec warnings = STRVEC_INIT;
    t = start_from(req, &o, path, &warnings);
    free(path);
    if (t) {
        struct rpc_conn *conn = req->conn; /* the reply frees req */
        reply_session(req, t);
        notify_warnings(conn, t, &warnings);
    }
    strvec_free(&warnings);
}

/* A copy of the source rollout under a new thread id: its first line names
 * the new thread and where it came from. */
static char *copy_rollout(const char *codex_home, const char *src, const char *new_id,
                          const char *from_id)
{
    size_t len;
    char *text = fs_read_file(src, (size_t)1 << 31, &len);
    if (!text)
        return NULL;
    char *eol = memchr(text, '\n', len);
    json_t *first = eol ? json_loadb(text, (size_t)(eol - text), 0, NULL) : NULL;
    json_t *payload = json_object_get(first, "payload");
    char *dest = NULL;
    if (json_is_object(payload)) {
        char ts[32];
        rollout_timestamp(ts);
        json_object_set_new(payload, "id", json_string(new_id));
        json_object_set_new(payload, "session_id", json_string(new_id));
        json_object_set_new(payload, "forked_from_id", json_string(from_id));
        json_object_set_new(payload, "timestamp", json_string(ts));
        char *line = json_dumps(first, JSON_COMPACT);
        struct buf b = BUF_INIT;
        buf_puts(&b, line);
        buf_append(&b, eol, len - (size_t)(eol - text));
        free(line);
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char day[16], stamp[32];
        strftime(day, sizeof day, "%Y/%m/%d", &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
        char *dir = xasprintf("%s/sessions/%s", codex_home, day);
        dest = xasprintf("%s/rollout-%s-%s.jsonl", dir, stamp, new_id);
        if (fs_mkdir_p(dir, 0755) != 0 || fs_write_atomic(dest, b.data, b.len, 0600) != 0) {
            free(dest);
            dest = NULL;
        }
        free(dir);
        buf_free(&b);
    }
    json_decref(first);
    free(text);
    return dest;
}

void rpc_thread_fork(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "ThreadForkParams", false);
    struct thread_opts o;
    const char *id;
    if (!params || !rpc_get_string(req, params, "threadId", true, &id) ||
        !rpc_thread_read_opts(req, params, &o))
        return;
    struct rpc_server *s = req->conn->server;
    struct rpc_thread *live = rpc_thread_find(s, id);
    char *src = live && !live->ephemeral ? xstrdup(agent_rollout_path(live->agent))
                                         : find_rollout(s->codex_home, "sessions", id);
    if (!src) {
        rpc_reply_invalid(req, "no rollout found for thread id %s", id);
        return;
    }
    char new_id[UUID_STR_LEN];
    uuid_v7(new_id);
    char *path = copy_rollout(s->codex_home, src, new_id, id);
    free(src);
    if (!path) {
        rpc_reply_invalid(req, "thread %s: its rollout could not be copied", id);
        return;
    }
    o.ephemeral = false;
    struct strvec warnings = STRVEC_INIT;
    struct rpc_thread *t = start_from(req, &o, path, &warnings);
    free(path);
    if (t) {
        struct rpc_conn *conn = req->conn; /* the reply frees req */
        t->forked_from = xstrdup(id);
        reply_session(req, t);
        notify_warnings(conn, t, &warnings);
    }
    strvec_free(&warnings);
}
