#include "rpc/thread_index.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rpc/thread.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define INDEX_VERSION 1

/* One tree (sessions/ or archived_sessions/) as last walked. */
struct index_tree {
    bool walked;
    json_t *dirs;        /* directory path -> mtime (ns) when walked */
    struct strvec files; /* rollout paths, sorted by file name */
    json_t **threads;    /* summary of each file (owned), NULL: not a rollout */
};

struct thread_index {
    json_t *doc;     /* {version, entries: {path: {size, mtime, thread}}} */
    bool dirty;
    struct index_tree trees[2]; /* [archived] */
};

static int64_t mtime_ns(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

static json_t *load_doc(const char *path)
{
    json_t *doc = json_load_file(path, 0, NULL);
    if (!json_is_object(doc) ||
        json_integer_value(json_object_get(doc, "version")) != INDEX_VERSION ||
        !json_is_object(json_object_get(doc, "entries"))) {
        json_decref(doc);
        doc = json_pack("{s:i s:{}}", "version", INDEX_VERSION, "entries");
    }
    return doc;
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

/* Rollout files under dir, recursively, noting each directory's mtime;
 * d_type saves a stat per file. */
static void walk(const char *dir, struct index_tree *t)
{
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return;
    json_object_set_new(t->dirs, dir, json_integer(mtime_ns(&sb)));
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = fs_join(dir, e->d_name);
        bool is_dir = e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && fs_is_dir(p));
        if (is_dir) {
            walk(p, t);
            free(p);
        } else if (strncmp(e->d_name, "rollout-", 8) == 0 && strstr(e->d_name, ".jsonl")) {
            strvec_push_owned(&t->files, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

/* A directory was added, removed or changed since the walk (files are
 * created, renamed and deleted through their directory, so this catches
 * every change to the set of files). */
static bool tree_changed(const char *root, struct index_tree *t)
{
    if (!t->walked)
        return true;
    struct stat sb;
    if (json_object_size(t->dirs) == 0)
        return stat(root, &sb) == 0;
    const char *dir;
    json_t *v;
    json_object_foreach(t->dirs, dir, v) {
        if (stat(dir, &sb) != 0 || mtime_ns(&sb) != json_integer_value(v))
            return true;
    }
    return false;
}

/* Bring the entry of path up to date; NULL when it is not a rollout. */
static json_t *refresh(struct thread_index *ix, const char *path, bool check)
{
    json_t *entries = json_object_get(ix->doc, "entries");
    json_t *e = json_object_get(entries, path);
    if (e && !check)
        return json_object_get(e, "thread");
    struct stat sb;
    if (stat(path, &sb) != 0)
        return NULL;
    if (e && json_integer_value(json_object_get(e, "size")) == (json_int_t)sb.st_size &&
        json_integer_value(json_object_get(e, "mtime")) == mtime_ns(&sb))
        return json_object_get(e, "thread");
    json_t *thread = rpc_thread_from_rollout(path, false);
    if (!thread) {
        if (e) {
            json_object_del(entries, path);
            ix->dirty = true;
        }
        return NULL; /* not (yet) a rollout: no session_meta line */
    }
    json_object_set_new(entries, path,
                        json_pack("{s:I s:I s:o}", "size", (json_int_t)sb.st_size, "mtime",
                                  (json_int_t)mtime_ns(&sb), "thread", thread));
    ix->dirty = true;
    return thread;
}

static void drop_threads(struct index_tree *t)
{
    for (size_t i = 0; t->threads && i < t->files.n; i++)
        json_decref(t->threads[i]);
    free(t->threads);
    t->threads = NULL;
}

static void forget_missing(struct thread_index *ix, const char *prefix, const struct strvec *files)
{
    json_t *present = json_object();
    for (size_t i = 0; i < files->n; i++)
        json_object_set_new(present, files->v[i], json_true());
    json_t *entries = json_object_get(ix->doc, "entries");
    size_t plen = strlen(prefix);
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(entries, tmp, key, v) {
        if (strncmp(key, prefix, plen) == 0 && !json_object_get(present, key)) {
            json_object_del(entries, key);
            ix->dirty = true;
        }
    }
    json_decref(present);
}

json_t *rpc_thread_index_list(struct rpc_server *s, bool archived)
{
    struct rpc_thread_state *st = rpc_threads(s);
    char *doc_path = fs_join(s->codex_home, "thread_index.json");
    if (!st->index) {
        st->index = xcalloc(1, sizeof *st->index);
        st->index->doc = load_doc(doc_path);
    }
    struct thread_index *ix = st->index;
    struct index_tree *t = &ix->trees[archived];
    char *root = fs_join(s->codex_home, archived ? "archived_sessions" : "sessions");
    /* The first walk of this process checks every file against the index
     * on disk; later ones only files that are new to it. */
    bool first = !t->walked;
    if (tree_changed(root, t)) {
        json_decref(t->dirs);
        t->dirs = json_object();
        drop_threads(t);
        strvec_free(&t->files);
        walk(root, t);
        if (t->files.n)
            qsort(t->files.v, t->files.n, sizeof *t->files.v, by_name);
        char *prefix = xasprintf("%s/", root);
        forget_missing(ix, prefix, &t->files);
        free(prefix);
        t->threads = xcalloc(t->files.n ? t->files.n : 1, sizeof *t->threads);
        for (size_t i = 0; i < t->files.n; i++)
            t->threads[i] = json_incref(refresh(ix, t->files.v[i], first));
        t->walked = true;
    }
    /* Sessions this server is writing change without their directory. */
    json_t *live = json_object();
    for (struct rpc_thread *th = st->list; th; th = th->next) {
        const char *p = th->agent && !th->ephemeral ? agent_rollout_path(th->agent) : NULL;
        if (p)
            json_object_set_new(live, p, json_true());
    }
    if (json_object_size(live)) {
        for (size_t i = 0; i < t->files.n; i++) {
            if (!json_object_get(live, t->files.v[i]))
                continue;
            json_decref(t->threads[i]);
            t->threads[i] = json_incref(refresh(ix, t->files.v[i], true));
        }
    }
    json_decref(live);
    json_t *out = json_array();
    for (size_t i = 0; i < t->files.n; i++)
        if (t->threads[i])
            json_array_append(out, t->threads[i]);
    if (ix->dirty) {
        char *text = json_dumps(ix->doc, JSON_COMPACT);
        if (text)
            fs_write_atomic(doc_path, text, strlen(text), 0600); /* a cache: best effort */
        free(text);
        ix->dirty = false;
    }
    free(root);
    free(doc_path);
    return out;
}

void rpc_thread_index_free(struct rpc_server *s)
{
    struct thread_index *ix = s->threads ? s->threads->index : NULL;
    if (!ix)
        return;
    for (int i = 0; i < 2; i++) {
        json_decref(ix->trees[i].dirs);
        drop_threads(&ix->trees[i]);
        strvec_free(&ix->trees[i].files);
    }
    json_decref(ix->doc);
    free(ix);
}
