#include "rpc/thread_index.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rpc/thread.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define INDEX_VERSION 1

static json_t *load_index(const char *path)
{
    json_t *idx = json_load_file(path, 0, NULL);
    if (!json_is_object(idx) ||
        json_integer_value(json_object_get(idx, "version")) != INDEX_VERSION ||
        !json_is_object(json_object_get(idx, "entries"))) {
        json_decref(idx);
        idx = json_pack("{s:i s:{}}", "version", INDEX_VERSION, "entries");
    }
    return idx;
}

/* Rollout files under dir, recursively; d_type saves a stat per entry. */
static void walk(const char *dir, struct strvec *out)
{
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
            walk(p, out);
            free(p);
        } else if (strncmp(e->d_name, "rollout-", 8) == 0 && strstr(e->d_name, ".jsonl")) {
            strvec_push_owned(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
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

json_t *rpc_thread_index_list(struct rpc_server *s, bool archived)
{
    struct rpc_thread_state *st = rpc_threads(s);
    char *index_path = fs_join(s->codex_home, "thread_index.json");
    if (!st->index)
        st->index = load_index(index_path);
    json_t *entries = json_object_get(st->index, "entries");
    char *root = fs_join(s->codex_home, archived ? "archived_sessions" : "sessions");
    struct strvec files = STRVEC_INIT;
    walk(root, &files);
    free(root);
    if (files.n)
        qsort(files.v, files.n, sizeof *files.v, by_name);
    json_t *out = json_array();
    json_t *seen = json_object();
    bool dirty = false;
    for (size_t i = 0; i < files.n; i++) {
        struct stat sb;
        if (stat(files.v[i], &sb) != 0)
            continue;
        json_t *e = json_object_get(entries, files.v[i]);
        json_int_t mtime_ns = (json_int_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        if (!e || json_integer_value(json_object_get(e, "size")) != (json_int_t)sb.st_size ||
            json_integer_value(json_object_get(e, "mtime")) != mtime_ns) {
            json_t *thread = rpc_thread_from_rollout(files.v[i], false);
            if (!thread)
                continue; /* not (yet) a rollout: no session_meta line */
            e = json_pack("{s:I s:I s:o}", "size", (json_int_t)sb.st_size, "mtime", mtime_ns,
                          "thread", thread);
            json_object_set_new(entries, files.v[i], e);
            dirty = true;
        }
        json_object_set_new(seen, files.v[i], json_true());
        json_array_append(out, json_object_get(e, "thread"));
    }
    /* Entries of files that are gone from this tree (archived, deleted). */
    const char *key;
    json_t *v;
    void *tmp;
    char *prefix = xasprintf("%s/%s/", s->codex_home, archived ? "archived_sessions" : "sessions");
    size_t plen = strlen(prefix);
    json_object_foreach_safe(entries, tmp, key, v) {
        if (strncmp(key, prefix, plen) == 0 && !json_object_get(seen, key)) {
            json_object_del(entries, key);
            dirty = true;
        }
    }
    free(prefix);
    json_decref(seen);
    if (dirty) {
        char *text = json_dumps(st->index, JSON_COMPACT);
        if (text)
            fs_write_atomic(index_path, text, strlen(text), 0600); /* a cache: best effort */
        free(text);
    }
    strvec_free(&files);
    free(index_path);
    return out;
}

void rpc_thread_index_free(struct rpc_server *s)
{
    if (s->threads)
        json_decref(s->threads->index);
}
