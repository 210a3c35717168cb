#include "store/thread_index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/session_names.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define INDEX_VERSION 2
/* The index file is a cache: while sessions are being written it is saved
 * at most this often (and when the index is freed). */
#define SAVE_INTERVAL_S 10
/* Fewer files than this are read on the calling thread. */
#define PARALLEL_MIN 32
#define MAX_READERS 4

/* ---- summaries by path: open addressing, grown at half load ------------- */

struct entry_map {
    struct rollout_summary **slots; /* NULL: empty */
    size_t cap, n;
};

static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct rollout_summary **map_slot(const struct entry_map *m, const char *path)
{
    size_t i = (size_t)hash_path(path) & (m->cap - 1);
    while (m->slots[i] && strcmp(m->slots[i]->path, path) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static struct rollout_summary *map_get(const struct entry_map *m, const char *path)
{
    return m->cap ? *map_slot(m, path) : NULL;
}

static void map_put(struct entry_map *m, struct rollout_summary *s);

static void map_rehash(struct entry_map *m, size_t cap)
{
    struct entry_map old = *m;
    m->slots = xcalloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i])
            map_put(m, old.slots[i]);
    free(old.slots);
}

/* Insert s, which must not be in the map yet. */
static void map_put(struct entry_map *m, struct rollout_summary *s)
{
    if (2 * (m->n + 1) > m->cap)
        map_rehash(m, m->cap ? 2 * m->cap : 64);
    *map_slot(m, s->path) = s;
    m->n++;
}

static void entry_free(struct rollout_summary *s)
{
    rollout_summary_free(s);
    free(s);
}

/* Drop the entries under prefix that the walk did not find. */
static bool map_forget_missing(struct entry_map *m, const char *prefix, const json_t *present)
{
    size_t plen = strlen(prefix);
    bool removed = false;
    for (size_t i = 0; i < m->cap; i++) {
        struct rollout_summary *s = m->slots[i];
        if (s && strncmp(s->path, prefix, plen) == 0 && !json_object_get(present, s->path)) {
            entry_free(s);
            m->slots[i] = NULL;
            m->n--;
            removed = true;
        }
    }
    if (removed)
        map_rehash(m, m->cap); /* probe chains must not break at the holes */
    return removed;
}

static void map_remove(struct entry_map *m, const char *path)
{
    struct rollout_summary **slot = m->cap ? map_slot(m, path) : NULL;
    if (!slot || !*slot)
        return;
    entry_free(*slot);
    *slot = NULL;
    m->n--;
    map_rehash(m, m->cap);
}

/* ---- the index ---------------------------------------------------------- */

/* One tree (sessions/ or archived_sessions/) as last walked. */
struct index_tree {
    bool walked;
    json_t *dirs;        /* directory path -> mtime (ns) when walked */
    struct strvec files; /* rollout paths, sorted by file name */
    const struct rollout_summary **sums; /* per file; NULL: not a rollout */
    const struct rollout_summary **listed; /* the non-NULL sums, in order */
};

struct thread_index {
    char *codex_home;
    char *doc_path;
    struct entry_map map;
    bool loaded, dirty, saved_once;
    time_t saved_at;
    struct index_tree trees[2];
    struct session_names *names;
};

struct thread_index *thread_index_new(const char *codex_home)
{
    struct thread_index *ix = xcalloc(1, sizeof *ix);
    ix->codex_home = xstrdup(codex_home);
    ix->doc_path = fs_join(codex_home, "thread_index.json");
    return ix;
}

static void load_doc(struct thread_index *ix)
{
    ix->loaded = true;
    json_t *doc = json_load_file(ix->doc_path, 0, NULL);
    json_t *entries = json_object_get(doc, "entries");
    if (json_integer_value(json_object_get(doc, "version")) == INDEX_VERSION &&
        json_is_object(entries)) {
        const char *path;
        json_t *v;
        json_object_foreach(entries, path, v) {
            struct rollout_summary *s = xmalloc(sizeof *s);
            if (rollout_summary_from_json(v, path, s) == 0 && !map_get(&ix->map, path))
                map_put(&ix->map, s);
            else
                entry_free(s);
        }
    }
    json_decref(doc);
}

static void save_doc(struct thread_index *ix)
{
    json_t *entries = json_object();
    for (size_t i = 0; i < ix->map.cap; i++)
        if (ix->map.slots[i])
            json_object_set_new(entries, ix->map.slots[i]->path,
                                rollout_summary_to_json(ix->map.slots[i]));
    json_t *doc = json_pack("{s:i s:o}", "version", INDEX_VERSION, "entries", entries);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    /* A cache: when it cannot be written the next process rebuilds it. */
    if (text)
        fs_write_atomic(ix->doc_path, text, strlen(text), 0600);
    free(text);
    ix->dirty = false;
    ix->saved_once = true;
    ix->saved_at = time(NULL);
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void note_dir(void *ud, const char *dir, const struct stat *st)
{
    json_object_set_new(ud, dir, json_integer(mtime_ns(st)));
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(base_name(*(char *const *)a), base_name(*(char *const *)b));
}

/* A directory was added, removed or changed since the walk: files are
 * created, renamed and deleted through their directory, so this catches
 * every change to the set of files. */
static bool tree_changed(const char *root, const struct index_tree *t)
{
    if (!t->walked)
        return true;
    struct stat st;
    if (json_object_size(t->dirs) == 0)
        return stat(root, &st) == 0;
    const char *dir;
    json_t *v;
    json_object_foreach(t->dirs, dir, v) {
        if (stat(dir, &st) != 0 || mtime_ns(&st) != json_integer_value(v))
            return true;
    }
    return false;
}

/* ---- reading summaries, several at a time -------------------------------- */

struct read_job {
    const char **paths;
    struct rollout_summary *out;
    bool *ok;
    size_t n;
    atomic_size_t next;
};

static void *reader(void *arg)
{
    struct read_job *job = arg;
    for (size_t i; (i = atomic_fetch_add(&job->next, 1)) < job->n;) {
        struct codex_error err = CODEX_ERROR_INIT;
        job->ok[i] = rollout_summary_read(job->paths[i], &job->out[i], &err) == 0;
        codex_error_clear(&err);
    }
    return NULL;
}

/* Read the summaries of n files into out[] (ok[i] false: not a rollout).
 * Each read is two short preads, so a few threads hide the latency of a
 * cold disk cache; small batches stay on this thread. */
static void read_summaries(const char **paths, size_t n, struct rollout_summary *out, bool *ok)
{
    struct read_job job = {paths, out, ok, n, 0};
    pthread_t th[MAX_READERS];
    int started = 0;
    if (n >= PARALLEL_MIN) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int want = cpus > MAX_READERS ? MAX_READERS : cpus < 2 ? 2 : (int)cpus;
        while (started < want - 1 && pthread_create(&th[started], NULL, reader, &job) == 0)
            started++;
    }
    reader(&job);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

/* Store a fresh summary for its path (replacing the old one in place, so
 * that pointers held by the trees stay valid); NULL when not a rollout. */
static const struct rollout_summary *store(struct thread_index *ix, const char *path,
                                           struct rollout_summary *fresh, bool ok)
{
    struct rollout_summary *e = map_get(&ix->map, path);
    ix->dirty = true;
    if (!ok) {
        /* Not (yet) a rollout: no session_meta line. */
        map_remove(&ix->map, path);
        return NULL;
    }
    if (e) {
        rollout_summary_free(e);
        *e = *fresh;
    } else {
        e = xmalloc(sizeof *e);
        *e = *fresh;
        map_put(&ix->map, e);
    }
    return e;
}

/* Whether an indexed summary still describes the file. */
static bool current(const struct rollout_summary *e, const char *path)
{
    struct stat st;
    return e && e->id && stat(path, &st) == 0 && e->size == (int64_t)st.st_size &&
           e->mtime_ns == mtime_ns(&st);
}

static void rewalk(struct thread_index *ix, struct index_tree *t, const char *root)
{
    /* The first walk of this process checks every file against the index
     * file; later ones read only files that are new to it. */
    bool check = !t->walked;
    json_decref(t->dirs);
    t->dirs = json_object();
    strvec_free(&t->files);
    free(t->sums);
    free(t->listed);
    rollout_collect_files(root, &t->files, note_dir, t->dirs);
    if (t->files.n)
        qsort(t->files.v, t->files.n, sizeof *t->files.v, by_name);
    json_t *present = json_object();
    for (size_t i = 0; i < t->files.n; i++)
        json_object_set_new(present, t->files.v[i], json_true());
    char *prefix = xasprintf("%s/", root);
    if (map_forget_missing(&ix->map, prefix, present))
        ix->dirty = true;
    free(prefix);
    json_decref(present);

    t->sums = xcalloc(t->files.n ? t->files.n : 1, sizeof *t->sums);
    t->listed = xcalloc(t->files.n ? t->files.n : 1, sizeof *t->listed);
    size_t n_stale = 0;
    const char **stale = xcalloc(t->files.n ? t->files.n : 1, sizeof *stale);
    size_t *where = xcalloc(t->files.n ? t->files.n : 1, sizeof *where);
    for (size_t i = 0; i < t->files.n; i++) {
        struct rollout_summary *e = map_get(&ix->map, t->files.v[i]);
        if (e && e->id && (!check || current(e, t->files.v[i]))) {
            t->sums[i] = e;
        } else {
            where[n_stale] = i;
            stale[n_stale++] = t->files.v[i];
        }
    }
    struct rollout_summary *fresh = xcalloc(n_stale ? n_stale : 1, sizeof *fresh);
    bool *ok = xcalloc(n_stale ? n_stale : 1, sizeof *ok);
    read_summaries(stale, n_stale, fresh, ok);
    for (size_t k = 0; k < n_stale; k++)
        t->sums[where[k]] = store(ix, stale[k], &fresh[k], ok[k]);
    free(fresh);
    free(ok);
    free(stale);
    free(where);
    t->walked = true;
}

size_t thread_index_list(struct thread_index *ix, enum rollout_tree tree, const char *const *live,
                         size_t n_live, const struct rollout_summary *const **out)
{
    if (!ix->loaded)
        load_doc(ix);
    struct index_tree *t = &ix->trees[tree == ROLLOUT_ARCHIVED];
    char *root = rollout_tree_root(ix->codex_home, tree);
    if (tree_changed(root, t))
        rewalk(ix, t, root);
    /* Sessions this process is writing change without their directory.  An
     * indexed summary is replaced in place, so its slot in the tree stays
     * right; only a file that becomes (or stops being) a rollout needs its
     * position looked up. */
    size_t rlen = strlen(root);
    for (size_t k = 0; k < n_live; k++) {
        if (strncmp(live[k], root, rlen) != 0 || live[k][rlen] != '/')
            continue;
        struct rollout_summary *e = map_get(&ix->map, live[k]);
        if (current(e, live[k]))
            continue;
        struct rollout_summary fresh;
        struct codex_error err = CODEX_ERROR_INIT;
        bool ok = rollout_summary_read(live[k], &fresh, &err) == 0;
        codex_error_clear(&err);
        if (e && ok) {
            store(ix, live[k], &fresh, ok);
            continue;
        }
        for (size_t i = 0; i < t->files.n; i++)
            if (strcmp(t->files.v[i], live[k]) == 0) {
                t->sums[i] = store(ix, live[k], &fresh, ok);
                break;
            }
        if (ok && !map_get(&ix->map, live[k]))
            rollout_summary_free(&fresh); /* not in this tree's walk yet */
    }
    free(root);
    if (ix->dirty && (!ix->saved_once || time(NULL) - ix->saved_at >= SAVE_INTERVAL_S))
        save_doc(ix);
    size_t n = 0;
    for (size_t i = 0; i < t->files.n; i++)
        if (t->sums[i])
            t->listed[n++] = t->sums[i];
    *out = t->listed;
    return n;
}

const json_t *thread_index_names(struct thread_index *ix)
{
    if (!ix->names)
        ix->names = session_names_new(ix->codex_home);
    return session_names_current(ix->names);
}

void thread_index_free(struct thread_index *ix)
{
    if (!ix)
        return;
    if (ix->dirty)
        save_doc(ix);
    for (int i = 0; i < 2; i++) {
        json_decref(ix->trees[i].dirs);
        strvec_free(&ix->trees[i].files);
        free(ix->trees[i].sums);
        free(ix->trees[i].listed);
    }
    for (size_t i = 0; i < ix->map.cap; i++)
        if (ix->map.slots[i])
            entry_free(ix->map.slots[i]);
    free(ix->map.slots);
    session_names_free(ix->names);
    free(ix->codex_home);
    free(ix->doc_path);
    free(ix);
}
