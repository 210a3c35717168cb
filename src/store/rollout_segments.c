#include "store/rollout_segments.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "store/rollout_layout.h"
#include "store/rollout_revert.h"
#include "store/rollout_summary_parts.h"
#include "util/fs.h"
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

void rollout_segments_mark_superseded(const char *const *paths, const char *const *ids, size_t n,
                                      bool *superseded)
{
    /* Only threads with a segment have more than one file: the rest cost
     * one name comparison each. */
    json_t *heads = NULL;
    for (size_t i = 0; i < n; i++) {
        superseded[i] = false;
        const char *seg;
        if (!ids[i] || !rollout_segment_name(paths[i], ids[i], &seg) || !*seg)
            continue;
        if (!heads)
            heads = json_object();
        json_t *h = json_object_get(heads, ids[i]);
        if (!h || rollout_segment_newer(paths[i], paths[json_integer_value(h)], ids[i]))
            json_object_set_new(heads, ids[i], json_integer((json_int_t)i));
    }
    for (size_t i = 0; heads && i < n; i++) {
        json_t *h = ids[i] ? json_object_get(heads, ids[i]) : NULL;
        superseded[i] = h && (size_t)json_integer_value(h) != i &&
                        rollout_segment_name(paths[i], ids[i], NULL);
    }
    json_decref(heads);
}

/* The thread id and history_base of a rollout's first line; false when it
 * names no base. */
struct history_base {
    char *thread_id, *base_id;
    long long end_byte;
};

/* The line that starts at off, parsed (NULL when it is not JSON).  pread:
 * the descriptor's offset is the caller's. */
static json_t *line_at(int fd, off_t off)
{
    struct buf line = BUF_INIT;
    char *nl = NULL;
    for (off_t at = off; !nl && at - off < MAX_META_BYTES;) {
        buf_reserve(&line, 16384);
        ssize_t r = pread(fd, line.data + line.len, 16384, at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        nl = memchr(line.data + line.len, '\n', (size_t)r);
        line.len += (size_t)r;
        at += r;
    }
    json_t *v = nl ? json_loadb(line.data, (size_t)(nl - line.data), 0, NULL) : NULL;
    buf_free(&line);
    return v;
}

static bool read_history_base(int fd, struct history_base *hb)
{
    memset(hb, 0, sizeof *hb);
    json_t *first = line_at(fd, 0);
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
        if (!base && depth >= MAX_SEGMENT_DEPTH)
            codex_error_set(err, "%s:1: its history_base starts a chain of bases that does not end",
                            path);
        else if (!base)
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
    int fd = rollout_open_stat(path, st, err);
    if (fd < 0)
        return -1;
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

/* Where the history of path (a segment, limited to the byte `limit` of it
 * that a later segment keeps, or -1) has turn_id start: 1 with the file it
 * is in (*in, caller frees), its segment id (*in_id) and the offset; 0
 * when it is not in the kept history; -1 with err. */
static int find_turn_in_chain(const char *path, const char *turn_id, char **in, char **in_id,
                              off_t *offset, struct codex_error *err)
{
    char *cur = xstrdup(path);
    int rc = 0;
    for (int depth = 0; depth < MAX_SEGMENT_DEPTH && rc == 0; depth++) {
        int fd = open(cur, O_RDONLY | O_CLOEXEC);
        struct history_base hb;
        bool has_base = fd >= 0 && read_history_base(fd, &hb);
        if (fd >= 0)
            close(fd);
        if (!has_base)
            break;
        char *base = find_base(cur, &hb);
        if (!base) {
            codex_error_set(err, "%s:1: the history it continues (%s) is missing", cur, hb.base_id);
            rc = -1;
        } else {
            off_t at = 0;
            int found = rollout_turn_offset(base, turn_id, &at, err);
            if (found < 0) {
                rc = -1;
            } else if (found > 0 && at < (off_t)hb.end_byte) {
                *in = xstrdup(base);
                *in_id = xstrdup(hb.base_id);
                *offset = at;
                rc = 1;
            }
        }
        history_base_free(&hb);
        free(cur);
        cur = base;
        if (!cur)
            break;
    }
    free(cur);
    return rc;
}

int rollout_segments_turn_in_base(const char *path, const char *turn_id, struct codex_error *err)
{
    char *in = NULL, *in_id = NULL;
    off_t at;
    int rc = find_turn_in_chain(path, turn_id, &in, &in_id, &at, err);
    free(in);
    free(in_id);
    return rc;
}

int rollout_segments_cut_before(const char *path, const char *turn_id, struct codex_error *err)
{
    char *in = NULL, *in_id = NULL;
    off_t at = 0;
    int rc = find_turn_in_chain(path, turn_id, &in, &in_id, &at, err);
    if (rc <= 0)
        return rc;
    rc = -1;
    int bfd = open(in, O_RDONLY | O_CLOEXEC);
    json_t *started = bfd >= 0 ? line_at(bfd, at) : NULL;
    if (bfd >= 0)
        close(bfd);
    int hfd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    json_t *meta = hfd >= 0 && fstat(hfd, &st) == 0 ? line_at(hfd, 0) : NULL;
    if (hfd >= 0)
        close(hfd);
    json_t *ordinal = json_object_get(started, "ordinal");
    json_t *payload = json_object_get(meta, "payload");
    if (!json_is_integer(ordinal) || !json_is_object(payload)) {
        codex_error_set(err, "%s: cannot tell where turn %s starts in %s", path, turn_id, in);
    } else {
        /* The segment starts again where the turn did, as 0.169's next
         * segment would: its first line names the cut, nothing follows. */
        json_object_set_new(payload, "history_base",
                            json_pack("{s:s, s:O, s:I}", "thread_id", in_id,
                                      "end_ordinal_exclusive", ordinal,
                                      "end_byte_offset", (json_int_t)at));
        json_object_set(meta, "ordinal", ordinal);
        char *text = json_dumps(meta, JSON_COMPACT);
        size_t n = strlen(text);
        text = xrealloc(text, n + 2);
        text[n++] = '\n';
        if (fs_write_atomic(path, text, n, st.st_mode & 07777) != 0)
            codex_error_set_os(err, errno, "cannot rewrite %s", path);
        else
            rc = 1;
        free(text);
    }
    json_decref(started);
    json_decref(meta);
    free(in);
    free(in_id);
    return rc;
}

char *rollout_segments_read(const char *path, size_t max, size_t *len, struct codex_error *err)
{
    struct stat st;
    int fd = rollout_segments_open(path, &st, err);
    if (fd < 0)
        return NULL;
    if ((uint64_t)st.st_size > max) {
        close(fd);
        codex_error_set_os(err, EFBIG, "cannot read %s", path);
        return NULL;
    }
    char *text = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = pread(fd, text + got, (size_t)st.st_size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    int saved = errno;
    close(fd);
    if (got != (size_t)st.st_size) {
        codex_error_set_os(err, saved ? saved : EIO, "cannot read %s", path);
        free(text);
        return NULL;
    }
    text[got] = '\0';
    *len = got;
    return text;
}

void rollout_segments_siblings(const char *path, struct strvec *out)
{
    const char *name = base_name(path);
    size_t n = strlen(name);
    /* ...-<thread id>_<segment id>.jsonl: only a segment has siblings. */
    if (n < 2 * SEGMENT_ID_LEN + 8 || strcmp(name + n - 6, ".jsonl") != 0 ||
        name[n - 6 - SEGMENT_ID_LEN - 1] != '_' || name[n - 6 - 2 * SEGMENT_ID_LEN - 2] != '-')
        return;
    char *id = xstrndup(name + n - 6 - 2 * SEGMENT_ID_LEN - 1, SEGMENT_ID_LEN);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char day[11];
    size_t dn = strlen(dir);
    if (rollout_name_day(name, day) && dn > 11 && strcmp(dir + dn - 10, day) == 0 && dir[dn - 11] == '/')
        dir[dn - 11] = '\0'; /* the sessions root */
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(dir, &files, NULL, NULL);
    for (size_t i = 0; i < files.n; i++)
        if (strcmp(files.v[i], path) != 0 && rollout_segment_name(files.v[i], id, NULL))
            strvec_push(out, files.v[i]);
    strvec_free(&files);
    free(dir);
    free(id);
}
