#include "store/rollout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/rollout_files.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct rollout {
    int fd;
    long ordinal;
    char *path;
    off_t size;               /* bytes of complete lines written */
    struct codex_error error; /* the first failed append; none after it */
    bool error_reported;      /* rollout_take_error gave it out */
};

static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return xstrndup(path, (size_t)(slash - path));
}

struct rollout *rollout_create(const char *codex_home, const char *thread_id, char **err)
{
    char *path = rollout_new_path(codex_home, time(NULL), thread_id);
    char *dir = parent_of(path);
    if (fs_mkdir_p(dir, 0700) < 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        free(path);
        return NULL;
    }
    free(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *err = xasprintf("cannot create %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(path);
        return NULL;
    }
    struct rollout *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = path;
    r->size = st.st_size;
    return r;
}

static int write_line(int fd, const char *line, size_t len);

struct rollout *rollout_reopen(const char *path, long next_ordinal, bool torn_tail, char **err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0 && torn_tail && write_line(fd, "\n", 1) < 0) {
        close(fd);
        fd = -1;
    }
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        *err = xasprintf("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct rollout *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = xstrdup(path);
    r->ordinal = next_ordinal;
    r->size = st.st_size;
    return r;
}

static int write_line(int fd, const char *line, size_t len)
{
    while (len) {
        ssize_t n = write(fd, line, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        line += n;
        len -= (size_t)n;
    }
    return 0;
}

static int append_line(struct rollout *r, const char *type, json_t *payload, json_t *metadata)
{
    if (!r || codex_error_is_set(&r->error)) {
        json_decref(payload);
        json_decref(metadata);
        return r ? -1 : 0;
    }
    char ts[32];
    rollout_timestamp(ts);
    json_t *line = json_pack("{s:s s:I s:s s:o}", "timestamp", ts, "ordinal",
                             (json_int_t)r->ordinal++, "type", type, "payload", payload);
    if (metadata)
        json_object_set_new(line, "metadata", metadata);
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (!text) {
        codex_error_set_at(&r->error, r->path, "a %s record could not be serialized", type);
        return -1;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: one write for the whole line */
    int rc = write_line(r->fd, text, len + 1);
    free(text);
    if (rc != 0) {
        /* Cut a partly written line off, so that the file stays a sequence
         * of whole records, and write nothing after a failure. */
        codex_error_set_os(&r->error, errno, "cannot append to %s", r->path);
        if (ftruncate(r->fd, r->size) != 0) {
            /* the torn line stays last; readers skip it */
        }
        return -1;
    }
    r->size += (off_t)len + 1;
    return 0;
}

int rollout_append(struct rollout *r, const char *type, json_t *payload)
{
    return append_line(r, type, payload, NULL);
}

int rollout_append_item(struct rollout *r, json_t *payload, json_t *metadata)
{
    return append_line(r, "response_item", payload, metadata);
}

const char *rollout_path(const struct rollout *r)
{
    return r ? r->path : NULL;
}

const struct codex_error *rollout_error(const struct rollout *r)
{
    return r && codex_error_is_set(&r->error) ? &r->error : NULL;
}

char *rollout_take_error(struct rollout *r)
{
    if (!r || r->error_reported || !codex_error_is_set(&r->error))
        return NULL;
    r->error_reported = true;
    return codex_error_text(&r->error);
}

void rollout_close(struct rollout *r)
{
    if (!r)
        return;
    close(r->fd);
    codex_error_clear(&r->error);
    free(r->path);
    free(r);
}

/* Keep the newest whole lines that fit in max_bytes. */
static void history_trim(const char *path, long long max_bytes)
{
    size_t len;
    char *data = fs_read_file(path, 256u << 20, &len);
    if (!data || (long long)len <= max_bytes) {
        free(data);
        return;
    }
    size_t start = len - (size_t)max_bytes;
    while (start < len && data[start - 1] != '\n')
        start++;
    fs_write_atomic(path, data + start, len - start, 0600);
    free(data);
}

int history_append(const char *codex_home, const char *session_id, const char *text,
                   long long max_bytes)
{
    char *path = fs_join(codex_home, "history.jsonl");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    free(path);
    if (fd < 0)
        return -1;
    json_t *entry = json_pack("{s:s s:I s:s}", "session_id", session_id, "ts",
                              (json_int_t)time(NULL), "text", text);
    char *line = json_dumps(entry, JSON_COMPACT);
    json_decref(entry);
    int rc = -1;
    if (line) {
        size_t len = strlen(line);
        line[len] = '\n';
        rc = write_line(fd, line, len + 1);
        free(line);
    }
    close(fd);
    if (rc == 0 && max_bytes > 0) {
        char *p = fs_join(codex_home, "history.jsonl");
        history_trim(p, max_bytes);
        free(p);
    }
    return rc;
}
