#include "store/rollout_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/rollout_segments.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_ROLLOUT_BYTES ((size_t)1 << 31)

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ---- fork, archive, delete ---------------------------------------------- */

static char *parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

char *rollout_fork(const char *codex_home, const char *src, const char *new_id,
                   const char *from_id, struct codex_error *err)
{
    size_t len;
    /* A thread the reference reverted forks with its stitched history. */
    char *text = rollout_segments_read(src, MAX_ROLLOUT_BYTES, &len, err);
    if (!text)
        return NULL;
    char *eol = memchr(text, '\n', len);
    json_t *first = eol ? json_loadb(text, (size_t)(eol - text), 0, NULL) : NULL;
    json_t *payload = json_object_get(first, "payload");
    char *dest = NULL;
    if (!json_is_object(payload)) {
        codex_error_set_at(err, src, "the first line is not a session_meta record; not a rollout");
        goto out;
    }
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
    dest = rollout_new_path(codex_home, time(NULL), new_id);
    char *dir = parent_dir(dest);
    if (fs_mkdir_p(dir, 0700) != 0 || fs_write_atomic(dest, b.data, b.len, 0600) != 0) {
        codex_error_set_os(err, errno, "cannot write %s", dest);
        free(dest);
        dest = NULL;
    }
    free(dir);
    buf_free(&b);
out:
    json_decref(first);
    free(text);
    return dest;
}

static char *move_to(const char *path, const char *dir, struct codex_error *err)
{
    char *dest = fs_join(dir, base_name(path));
    if (fs_mkdir_p(dir, 0700) != 0 || rename(path, dest) != 0) {
        codex_error_set_os(err, errno, "cannot move %s to %s", path, dir);
        free(dest);
        return NULL;
    }
    return dest;
}

char *rollout_archive(const char *codex_home, const char *path, struct codex_error *err)
{
    char *dir = rollout_tree_root(codex_home, ROLLOUT_ARCHIVED);
    struct strvec bases = STRVEC_INIT;
    rollout_segments_siblings(path, &bases);
    char *dest = move_to(path, dir, err);
    /* A reverted thread's older segments go with it (one that cannot be
     * moved stays where it was; the thread reads without it as before). */
    for (size_t i = 0; dest && i < bases.n; i++) {
        struct codex_error ignored = CODEX_ERROR_INIT;
        free(move_to(bases.v[i], dir, &ignored));
        codex_error_clear(&ignored);
    }
    strvec_free(&bases);
    free(dir);
    return dest;
}

char *rollout_unarchive(const char *codex_home, const char *path, struct codex_error *err)
{
    /* Back into the day folder of the name's stamp; a file named otherwise
     * goes to the day it was last written. */
    char day[11];
    char *dir;
    if (rollout_name_day(path, day)) {
        dir = xasprintf("%s/sessions/%s", codex_home, day);
    } else {
        struct stat st;
        char *layout = rollout_new_path(codex_home, stat(path, &st) == 0 ? st.st_mtime : time(NULL),
                                        "x");
        dir = parent_dir(layout);
        free(layout);
    }
    struct strvec bases = STRVEC_INIT;
    rollout_segments_siblings(path, &bases);
    char *dest = move_to(path, dir, err);
    free(dir);
    for (size_t i = 0; dest && i < bases.n; i++) {
        char base_day[11];
        if (!rollout_name_day(bases.v[i], base_day))
            continue;
        char *base_dir = xasprintf("%s/sessions/%s", codex_home, base_day);
        struct codex_error ignored = CODEX_ERROR_INIT;
        free(move_to(bases.v[i], base_dir, &ignored));
        codex_error_clear(&ignored);
        free(base_dir);
    }
    strvec_free(&bases);
    return dest;
}

int rollout_delete(const char *path, struct codex_error *err)
{
    struct strvec bases = STRVEC_INIT;
    rollout_segments_siblings(path, &bases);
    if (unlink(path) != 0) {
        codex_error_set_os(err, errno, "cannot delete %s", path);
        strvec_free(&bases);
        return -1;
    }
    for (size_t i = 0; i < bases.n; i++)
        unlink(bases.v[i]); /* a reverted thread's older segments go with it */
    strvec_free(&bases);
    return 0;
}
