#include "store/thread_index.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout_segments.h"
#include "store/session_names.h"
#include "store/thread_index_file.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* Fewer files than this are checked and read on the calling thread. */
#define PARALLEL_MIN 32
#define MAX_WORKERS 4
#define MAX_INDEX_BYTES (512u << 20)

/* An indexed session: its summary and the walk that last saw its file. */
struct entry {
    struct rollout_summary s;
    unsigned seen;
};

/* ---- entries by path: open addressing, grown at half load --------------- */

struct entry_map {
    struct entry **slots; /* NULL: empty */
    size_t cap, n;
};

static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct entry **map_slot(const struct entry_map *m, const char *path)
{
    size_t i = (size_t)hash_path(path) & (m->cap - 1);
    while (m->slots[i] && strcmp(m->slots[i]->s.path, path) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static struct entry *map_get(const struct entry_map *m, const char *path)
{
    return m->cap ? *map_slot(m, path) : NULL;
}

static void map_put(struct entry_map *m, struct entry *e);

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

/* Insert e, whose path must not be in the map yet. */
static void map_put(struct entry_map *m, struct entry *e)
{
    if (2 * (m->n + 1) > m->cap)
        map_rehash(m, m->cap ? 2 * m->cap : 64);
    *map_slot(m, e->s.path) = e;
    m->n++;
}

static void entry_free(struct entry *e)
{
    rollout_summary_free(&e->s);
    free(e);
}

/* Drop the entries the predicate selects; probe chains are rebuilt. */
static bool map_drop(struct entry_map *m, bool (*drop)(const struct entry *e, const void *arg),
                     const void *arg)
{
    bool dropped = false;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i] && drop(m->slots[i], arg)) {
            entry_free(m->slots[i]);
            m->slots[i] = NULL;
            m->n--;
            dropped = true;
        }
    }
    if (dropped)
        map_rehash(m, m->cap);
    return dropped;
}

static bool is_path(const struct entry *e, const void *path)
{
    return strcmp(e->s.path, path) == 0;
}

/* ---- the index ---------------------------------------------------------- */

/* One tree (sessions/ or archived_sessions/) as last walked. */
struct index_tree {
    bool walked;
    json_t *dirs;        /* directory path -> mtime (ns) when walked */
    struct strvec files; /* rollout paths, sorted by file name */
    const struct rollout_summary **sums;   /* per file; NULL: not a rollout */
    const struct rollout_summary **listed; /* the non-NULL sums, in order */
};

struct thread_index {
    char *codex_home;
    char *file_path;
    struct entry_map map;
    bool loaded;
    bool dirty;          /* changed since the last snapshot */
    unsigned walks;      /* walks so far: marks the entries a walk found */
    uint64_t generation; /* changes whenever a listing may have changed */
    struct index_tree trees[2];
    struct session_names *names;
};

struct thread_index *thread_index_new(const char *codex_home)
{
    struct thread_index *ix = xcalloc(1, sizeof *ix);
    ix->codex_home = xstrdup(codex_home);
    ix->file_path = fs_join(codex_home, "thread_index.tsv");
    return ix;
}

static void add_loaded(void *ud, struct rollout_summary *s)
{
    struct thread_index *ix = ud;
    if (map_get(&ix->map, s->path)) {
        rollout_summary_free(s);
        return;
    }
    struct entry *e = xcalloc(1, sizeof *e);
    e->s = *s;
    map_put(&ix->map, e);
}

static void load_file(struct thread_index *ix)
{
    ix->loaded = true;
    size_t len;
    char *text = fs_read_file(ix->file_path, MAX_INDEX_BYTES, &len);
    /* Missing, unreadable or of another version: rebuilt from the rollouts. */
    if (text && !index_file_parse(text, len, add_loaded, ix))
        ix->dirty = true;
    free(text);
}

/* ---- saving --------------------------------------------------------------- */

struct thread_index_snapshot {
    char *path;
    char *text;
    size_t len;
};

struct thread_index_snapshot *thread_index_snapshot(struct thread_index *ix)
{
    if (!ix->dirty)
        return NULL;
    const struct rollout_summary **all = xcalloc(ix->map.n ? ix->map.n : 1, sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < ix->map.cap; i++)
        if (ix->map.slots[i])
            all[n++] = &ix->map.slots[i]->s;
    struct thread_index_snapshot *snap = xcalloc(1, sizeof *snap);
    snap->path = xstrdup(ix->file_path);
    snap->text = index_file_format(all, n, &snap->len);
    free(all);
    ix->dirty = false;
    return snap;
}

int thread_index_write_snapshot(const struct thread_index_snapshot *snap, struct codex_error *err)
{
    if (fs_write_atomic(snap->path, snap->text, snap->len, 0600) != 0) {
        codex_error_set_os(err, errno, "cannot write the thread index %s", snap->path);
        return -1;
    }
    return 0;
}

void thread_index_snapshot_free(struct thread_index_snapshot *snap)
{
    if (!snap)
        return;
    free(snap->path);
    free(snap->text);
    free(snap);
}

/* ---- walking ---------------------------------------------------------------- */

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

/* Whether an indexed summary still describes its file. */
static bool current(const struct entry *e)
{
    struct stat st;
    return e && stat(e->s.path, &st) == 0 && e->s.size == (int64_t)st.st_size &&
           e->s.mtime_ns == mtime_ns(&st);
}

/* ---- checking and reading files, several at a time ------------------------ */

/* One file to look at: when it has an entry, whether that is still
 * current; otherwise (or when not) its fresh summary. */
struct job {
    const char *path;
    const struct entry *old; /* NULL: read it */
    bool keep;               /* old is current */
    bool ok;                 /* fresh was read */
    struct rollout_summary fresh;
};

struct batch {
    struct job *jobs;
    size_t n;
    atomic_size_t next;
};

static void *worker(void *arg)
{
    struct batch *b = arg;
    for (size_t i; (i = atomic_fetch_add(&b->next, 1)) < b->n;) {
        struct job *j = &b->jobs[i];
        if (j->old && current(j->old)) {
            j->keep = true;
            continue;
        }
        struct codex_error err = CODEX_ERROR_INIT;
        j->ok = rollout_summary_read(j->path, &j->fresh, &err) == 0;
        codex_error_clear(&err);
    }
    return NULL;
}

/* Each job is a stat and perhaps two short reads: a few threads hide the
 * latency of a cold disk cache.  Small batches stay on this thread. */
static void run_jobs(struct job *jobs, size_t n)
{
    struct batch b = {jobs, n, 0};
    pthread_t th[MAX_WORKERS];
    int started = 0;
    if (n >= PARALLEL_MIN) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int want = cpus > MAX_WORKERS ? MAX_WORKERS : cpus < 2 ? 2 : (int)cpus;
        while (started < want - 1 && pthread_create(&th[started], NULL, worker, &b) == 0)
            started++;
    }
    worker(&b);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

/* Record a fresh summary for path (replacing an entry in place, so that
 * the trees' pointers stay valid); NULL when the file is not a rollout. */
static const struct rollout_summary *store(struct thread_index *ix, const char *path,
                                           struct rollout_summary *fresh, bool ok)
{
    struct entry *e = map_get(&ix->map, path);
    ix->dirty = true;
    ix->generation++;
    if (!ok) {
        /* Not (yet) a rollout: no session_meta line. */
        if (e)
            map_drop(&ix->map, is_path, path);
        return NULL;
    }
    if (e) {
        rollout_summary_free(&e->s);
        e->s = *fresh;
    } else {
        e = xcalloc(1, sizeof *e);
        e->s = *fresh;
        e->seen = ix->walks;
        map_put(&ix->map, e);
    }
    return &e->s;
}

struct unseen {
    const char *prefix;
    size_t len;
    unsigned walk;
};

static bool unseen_in_tree(const struct entry *e, const void *arg)
{
    const struct unseen *u = arg;
    return e->seen != u->walk && strncmp(e->s.path, u->prefix, u->len) == 0;
}

static void rewalk(struct thread_index *ix, struct index_tree *t, const char *root)
{
    /* The first walk of this process checks every file against the index
     * file; later ones read only files that are new to it. */
    bool check = !t->walked;
    unsigned walk = ++ix->walks;
    ix->generation++;
    json_decref(t->dirs);
    t->dirs = json_object();
    strvec_free(&t->files);
    free(t->sums);
    free(t->listed);
    rollout_collect_files(root, &t->files, note_dir, t->dirs);
    if (t->files.n)
        qsort(t->files.v, t->files.n, sizeof *t->files.v, by_name);
    size_t nf = t->files.n ? t->files.n : 1;
    t->sums = xcalloc(nf, sizeof *t->sums);
    t->listed = xcalloc(nf, sizeof *t->listed);
    struct job *jobs = xcalloc(nf, sizeof *jobs);
    size_t *where = xcalloc(nf, sizeof *where);
    size_t n_jobs = 0;
    for (size_t i = 0; i < t->files.n; i++) {
        struct entry *e = map_get(&ix->map, t->files.v[i]);
        if (e)
            e->seen = walk;
        if (e && !check) {
            t->sums[i] = &e->s;
            continue;
        }
        where[n_jobs] = i;
        jobs[n_jobs++] = (struct job){.path = t->files.v[i], .old = e};
    }
    /* Sessions gone from the tree leave the index. */
    char *prefix = xasprintf("%s/", root);
    struct unseen u = {prefix, strlen(prefix), walk};
    if (map_drop(&ix->map, unseen_in_tree, &u))
        ix->dirty = true;
    free(prefix);
    run_jobs(jobs, n_jobs);
    for (size_t k = 0; k < n_jobs; k++)
        t->sums[where[k]] = jobs[k].keep ? &jobs[k].old->s
                                         : store(ix, jobs[k].path, &jobs[k].fresh, jobs[k].ok);
    free(jobs);
    free(where);
    t->walked = true;
}

size_t thread_index_list(struct thread_index *ix, enum rollout_tree tree, const char *const *live,
                         size_t n_live, const struct rollout_summary *const **out)
{
    if (!ix->loaded)
        load_file(ix);
    struct index_tree *t = &ix->trees[tree == ROLLOUT_ARCHIVED];
    char *root = rollout_tree_root(ix->codex_home, tree);
    if (tree_changed(root, t))
        rewalk(ix, t, root);
    /* Sessions this process is writing change without their directory.  A
     * summary is replaced in place, so its slot in the tree stays right;
     * only a file that becomes (or stops being) a rollout needs its
     * position looked up. */
    size_t rlen = strlen(root);
    for (size_t k = 0; k < n_live; k++) {
        if (strncmp(live[k], root, rlen) != 0 || live[k][rlen] != '/')
            continue;
        struct entry *e = map_get(&ix->map, live[k]);
        if (current(e))
            continue;
        struct rollout_summary fresh;
        struct codex_error err = CODEX_ERROR_INIT;
        bool ok = rollout_summary_read(live[k], &fresh, &err) == 0;
        codex_error_clear(&err);
        if (e && ok) {
            store(ix, live[k], &fresh, ok);
            continue;
        }
        bool placed = false;
        for (size_t i = 0; i < t->files.n && !placed; i++)
            if (strcmp(t->files.v[i], live[k]) == 0) {
                t->sums[i] = store(ix, live[k], &fresh, ok);
                placed = true;
            }
        if (ok && !placed)
            rollout_summary_free(&fresh); /* not in this tree's walk yet */
    }
    free(root);
    size_t nf = t->files.n ? t->files.n : 1;
    const char **ids = xcalloc(nf, sizeof *ids);
    bool *superseded = xcalloc(nf, sizeof *superseded);
    for (size_t i = 0; i < t->files.n; i++)
        ids[i] = t->sums[i] ? t->sums[i]->id : NULL;
    rollout_segments_mark_superseded((const char *const *)t->files.v, ids, t->files.n, superseded);
    size_t n = 0;
    for (size_t i = 0; i < t->files.n; i++)
        if (t->sums[i] && !superseded[i])
            t->listed[n++] = t->sums[i];
    free(ids);
    free(superseded);
    *out = t->listed;
    return n;
}

uint64_t thread_index_generation(const struct thread_index *ix)
{
    return ix->generation;
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
    struct thread_index_snapshot *snap = thread_index_snapshot(ix);
    if (snap) {
        struct codex_error err = CODEX_ERROR_INIT;
        thread_index_write_snapshot(snap, &err); /* a cache: rebuilt when missing */
        codex_error_clear(&err);
        thread_index_snapshot_free(snap);
    }
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
    free(ix->file_path);
    free(ix);
}
