#include "store/session_names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/rollout_files.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_INDEX_BYTES (256u << 20)

static char *index_path(const char *codex_home)
{
    return fs_join(codex_home, "session_index.jsonl");
}

int session_name_set(const char *codex_home, const char *id, const char *name,
                     struct codex_error *err)
{
    char ts[32];
    rollout_timestamp(ts);
    json_t *line = json_pack("{s:s s:s s:s}", "id", id, "thread_name", name, "updated_at", ts);
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    char *path = index_path(codex_home);
    int rc = -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0 && text) {
        /* One write per line, so that concurrent writers never interleave. */
        size_t len = strlen(text);
        char *l = xrealloc(text, len + 2);
        text = l;
        l[len] = '\n';
        rc = fs_write_all(fd, l, len + 1);
    }
    if (rc != 0)
        codex_error_set_os(err, errno, "cannot record the thread name in %s", path);
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        codex_error_set_os(err, errno, "cannot record the thread name in %s", path);
        rc = -1;
    }
    free(text);
    free(path);
    return rc;
}

/* Each line in order: fn(id, name) for the lines that name a thread. */
static void each_line(const char *codex_home, void (*fn)(void *ud, const char *id, const char *name),
                      void *ud)
{
    char *path = index_path(codex_home);
    size_t len;
    char *text = fs_read_file(path, MAX_INDEX_BYTES, &len);
    free(path);
    if (!text)
        return;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        json_t *j = n ? json_loadb(line, n, 0, NULL) : NULL;
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *name = json_string_value(json_object_get(j, "thread_name"));
        if (id && name)
            fn(ud, id, name);
        json_decref(j);
        line += n + 1;
    }
    free(text);
}

static void add_name(void *ud, const char *id, const char *name)
{
    json_object_set_new(ud, id, json_string(name));
}

json_t *session_names_load(const char *codex_home)
{
    json_t *names = json_object();
    each_line(codex_home, add_name, names);
    return names;
}

char *session_name_get(const char *codex_home, const char *id)
{
    json_t *names = session_names_load(codex_home);
    const char *name = json_string_value(json_object_get(names, id));
    char *out = name ? xstrdup(name) : NULL;
    json_decref(names);
    return out;
}

struct name_search {
    const char *name;
    json_t *current; /* each thread's name now */
    char *id;
};

static void match_name(void *ud, const char *id, const char *name)
{
    struct name_search *s = ud;
    /* A thread renamed since no longer answers to the old name. */
    const char *now = json_string_value(json_object_get(s->current, id));
    if (strcmp(name, s->name) == 0 && now && strcmp(now, name) == 0) {
        free(s->id);
        s->id = xstrdup(id);
    }
}

char *session_name_find(const char *codex_home, const char *name)
{
    struct name_search s = {name, session_names_load(codex_home), NULL};
    each_line(codex_home, match_name, &s);
    json_decref(s.current);
    return s.id;
}

struct session_names {
    char *codex_home;
    json_t *names;
    bool loaded;
    int64_t size, mtime_ns; /* of the file when loaded; -1: missing */
};

struct session_names *session_names_new(const char *codex_home)
{
    struct session_names *n = xcalloc(1, sizeof *n);
    n->codex_home = xstrdup(codex_home);
    return n;
}

const json_t *session_names_current(struct session_names *n)
{
    char *path = index_path(n->codex_home);
    struct stat st;
    int64_t size = -1, mtime = -1;
    if (stat(path, &st) == 0) {
        size = (int64_t)st.st_size;
        mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    free(path);
    if (!n->loaded || size != n->size || mtime != n->mtime_ns) {
        json_decref(n->names);
        n->names = session_names_load(n->codex_home);
        n->loaded = true;
        n->size = size;
        n->mtime_ns = mtime;
    }
    return n->names;
}

void session_names_free(struct session_names *n)
{
    if (!n)
        return;
    json_decref(n->names);
    free(n->codex_home);
    free(n);
}
