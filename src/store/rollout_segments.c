#include "store/rollout_segments.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "store/rollout_files.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* A chain longer than this is taken for a loop. */
#define MAX_SEGMENT_DEPTH 64
#define SEGMENT_ID_LEN 36
/* A first line longer than this names no base we follow. */
#define MAX_META_BYTES ((off_t)16 << 20)

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

bool rollout_segment_name(const char *name, const char *id, const char **segment)
{
    name = base_name(name);
    size_t n = strlen(name), k = strlen(id);
    if (k == 0 || n < k + 7 || strcmp(name + n - 6, ".jsonl") != 0)
        return false;
    const char *end = name + n - 6;
    if (strncmp(end - k, id, k) == 0 && end - k > name && end[-(long)k - 1] == '-') {
        if (segment)
            *segment = "";
        return true;
    }
    /* ...-<id>_<segment>.jsonl */
    if (n < k + SEGMENT_ID_LEN + 8)
        return false;
    const char *seg = end - SEGMENT_ID_LEN;
    const char *at = seg - 1 - k;
    if (seg[-1] != '_' || strncmp(at, id, k) != 0 || at[-1] != '-')
        return false;
    if (segment)
        *segment = seg;
    return true;
}

bool rollout_segment_newer(const char *a, const char *b, const char *id)
{
    const char *sa = "", *sb = "";
    rollout_segment_name(a, id, &sa);
    rollout_segment_name(b, id, &sb);
    return strncmp(sa, sb, SEGMENT_ID_LEN) > 0;
}

/* The thread id and history_base of a rollout's first line; false when it
 * names no base. */
struct history_base {
    char *thread_id, *base_id;
    long long end_byte;
};

static bool read_history_base(int fd, struct history_base *hb)
{
    memset(hb, 0, sizeof *hb);
    /* pread: the descriptor's offset is the caller's. */
    struct buf line = BUF_INIT;
    char *nl = NULL;
    for (off_t off = 0; !nl && off < MAX_META_BYTES;) {
        buf_reserve(&line, 16384);
        ssize_t r = pread(fd, line.data + line.len, 16384, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        nl = memchr(line.data + line.len, '\n', (size_t)r);
        line.len += (size_t)r;
        off += r;
    }
    json_t *first = nl ? json_loadb(line.data, (size_t)(nl - line.data), 0, NULL) : NULL;
    buf_free(&line);
    json_t *meta = json_object_get(first, "payload");
    json_t *base = json_object_get(meta, "history_base");
    const char *id = json_string_value(json_object_get(meta, "id"));
    const char *base_id = json_string_value(json_object_get(base, "thread_id"));
    json_t *end = json_object_get(base, "end_byte_offset");
    bool ok = id && base_id && json_is_integer(end) && json_integer_value(end) >= 0;
    if (ok) {
        hb->thread_id = xstrdup(id);
        hb->base_id = xstrdup(base_id);
        hb->end_byte = json_integer_value(end);
    }
    json_decref(first);
    return ok;
}

static void history_base_free(struct history_base *hb)
{
    free(hb->thread_id);
    free(hb->base_id);
}

static char *find_in(const char *dir, const struct history_base *hb)
{
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(dir, &files, NULL, NULL);
    char *found = NULL;
    bool own = strcmp(hb->base_id, hb->thread_id) == 0;
    for (size_t i = 0; i < files.n && !found; i++) {
        const char *seg;
        if (rollout_segment_name(files.v[i], hb->thread_id, &seg) &&
            (own ? *seg == '\0' : strncmp(seg, hb->base_id, SEGMENT_ID_LEN) == 0))
            found = xstrdup(files.v[i]);
    }
    strvec_free(&files);
    return found;
}

/* The base file: next to the segment as a rule, else anywhere in the tree
 * (a revert on a later day writes into that day's folder). */
static char *find_base(const char *path, const struct history_base *hb)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char *found = find_in(dir, hb);
    char day[11];
    size_t n = strlen(dir);
    if (!found && rollout_name_day(base_name(path), day) && n > 11 &&
        strcmp(dir + n - 10, day) == 0 && dir[n - 11] == '/') {
        dir[n - 11] = '\0'; /* the sessions root */
        found = find_in(dir, hb);
    }
    free(dir);
    return found;
}

static bool copy_bytes(int out, int in, off_t limit)
{
    char chunk[65536];
    off_t off = 0;
    while (off < limit) {
        size_t want = (size_t)(limit - off) < sizeof chunk ? (size_t)(limit - off) : sizeof chunk;
        ssize_t r = pread(in, chunk, want, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0;
        for (ssize_t w = 0; w < r;) {
            ssize_t k = write(out, chunk + w, (size_t)(r - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return false;
            w += k;
        }
        off += r;
    }
    return true;
}

/* The first `limit` bytes of path's history (all of it when limit < 0)
 * written to out. */
static bool stitch(int out, const char *path, int fd, off_t limit, int depth,
                   struct codex_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        return false;
    }
    struct history_base hb;
    if (read_history_base(fd, &hb)) {
        char *base = depth < MAX_SEGMENT_DEPTH ? find_base(path, &hb) : NULL;
        int bfd = base ? open(base, O_RDONLY | O_CLOEXEC) : -1;
        bool ok = bfd >= 0 && stitch(out, base, bfd, (off_t)hb.end_byte, depth + 1, err);
        if (!base)
            codex_error_set(err, "%s:1: the history it continues (%s up to byte %lld) is missing",
                            path, hb.base_id, hb.end_byte);
        else if (bfd < 0)
            codex_error_set_os(err, errno, "cannot read %s", base);
        if (bfd >= 0)
            close(bfd);
        free(base);
        history_base_free(&hb);
        if (!ok)
            return false;
    }
    off_t n = limit >= 0 && limit < st.st_size ? limit : st.st_size;
    if (!copy_bytes(out, fd, n)) {
        codex_error_set_os(err, errno ? errno : EIO, "cannot read %s", path);
        return false;
    }
    return true;
}

int rollout_segments_open(const char *path, struct stat *st, struct codex_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct history_base hb;
    if (!read_history_base(fd, &hb))
        return fd;
    history_base_free(&hb);
    /* Held by the kernel, not in our heap; pages the reader has passed are
     * not mapped into the process. */
    int out = memfd_create("codex-rollout", MFD_CLOEXEC);
    if (out < 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        close(fd);
        return -1;
    }
    bool ok = stitch(out, path, fd, -1, 0, err);
    close(fd);
    off_t size = ok ? lseek(out, 0, SEEK_CUR) : -1;
    if (size < 0) {
        if (ok)
            codex_error_set_os(err, errno, "cannot read %s", path);
        close(out);
        return -1;
    }
    st->st_size = size;
    lseek(out, 0, SEEK_SET);
    return out;
}
