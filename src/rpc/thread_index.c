#include "rpc/thread_index.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rpc/thread.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

void rpc_collect_rollouts(const char *dir, struct strvec *out); /* thread_store.c */

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

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(base_name(*(char *const *)a), base_name(*(char *const *)b));
}

json_t *rpc_thread_index_list(const char *codex_home, bool archived)
{
    char *index_path = fs_join(codex_home, "thread_index.json");
    json_t *idx = load_index(index_path);
    json_t *entries = json_object_get(idx, "entries");
    char *root = fs_join(codex_home, archived ? "archived_sessions" : "sessions");
    struct strvec files = STRVEC_INIT;
    rpc_collect_rollouts(root, &files);
    free(root);
    if (files.n)
        qsort(files.v, files.n, sizeof *files.v, by_name);
    json_t *out = json_array();
    bool dirty = false;
    for (size_t i = 0; i < files.n; i++) {
        struct stat st;
        if (stat(files.v[i], &st) != 0)
            continue;
        json_t *e = json_object_get(entries, files.v[i]);
        json_int_t mtime_ns = (json_int_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        if (!e || json_integer_value(json_object_get(e, "size")) != (json_int_t)st.st_size ||
            json_integer_value(json_object_get(e, "mtime")) != mtime_ns) {
            json_t *thread = rpc_thread_from_rollout(files.v[i], false);
            if (!thread)
                continue; /* not (yet) a rollout: no session_meta line */
            e = json_pack("{s:I s:I s:o}", "size", (json_int_t)st.st_size, "mtime", mtime_ns,
                          "thread", thread);
            json_object_set_new(entries, files.v[i], e);
            dirty = true;
        }
        json_array_append(out, json_object_get(e, "thread"));
    }
    /* Entries of files that are gone (archived, deleted) are dropped. */
    const char *key;
    json_t *v;
    void *tmp;
    const char *sub = archived ? "/archived_sessions/" : "/sessions/";
    json_object_foreach_safe(entries, tmp, key, v) {
        if (strstr(key, sub) && !fs_exists(key)) {
            json_object_del(entries, key);
            dirty = true;
        }
    }
    if (dirty) {
        char *text = json_dumps(idx, JSON_COMPACT);
        if (text)
            fs_write_atomic(index_path, text, strlen(text), 0600); /* a cache: best effort */
        free(text);
    }
    strvec_free(&files);
    json_decref(idx);
    free(index_path);
    return out;
}

void rpc_thread_index_touch(const char *codex_home)
{
    (void)codex_home; /* entries are validated against the files on every list */
}
