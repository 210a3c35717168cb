#include "store/rollout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct rollout {
    int fd;
    long ordinal;
    char *path;
    struct codex_error error; /* the first failed write */
    bool error_reported;
};

void rollout_timestamp(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
}

struct rollout *rollout_create(const char *codex_home, const char *thread_id, char **err)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char day[16], stamp[32];
    strftime(day, sizeof day, "%Y/%m/%d", &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
    char *dir = xasprintf("%s/sessions/%s", codex_home, day);
    if (fs_mkdir_p(dir, 0700) < 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    char *path = xasprintf("%s/rollout-%s-%s.jsonl", dir, stamp, thread_id);
    free(dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err = xasprintf("cannot create %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    struct rollout *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = path;
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
    if (fd < 0) {
        *err = xasprintf("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct rollout *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->path = xstrdup(path);
    r->ordinal = next_ordinal;
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

static void append_line(struct rollout *r, const char *type, json_t *payload, json_t *metadata)
{
    if (!r) {
        json_decref(payload);
        json_decref(metadata);
        return;
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
        codex_error_set_at(&r->error, r->path, "a %s line could not be encoded; it was left out", type);
        return;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: one write for the whole line */
    if (write_line(r->fd, text, len + 1) < 0)
        codex_error_set_os(&r->error, errno, "%s: the session could not be written to", r->path);
    free(text);
}

void rollout_append(struct rollout *r, const char *type, json_t *payload)
{
    append_line(r, type, payload, NULL);
}

void rollout_append_item(struct rollout *r, json_t *payload, json_t *metadata)
{
    append_line(r, "response_item", payload, metadata);
}

char *rollout_take_error(struct rollout *r)
{
    if (!r || r->error_reported || !codex_error_is_set(&r->error))
        return NULL;
    r->error_reported = true;
    return codex_error_text(&r->error);
}

const char *rollout_path(const struct rollout *r)
{
    return r ? r->path : NULL;
}

void rollout_close(struct rollout *r)
{
    if (!r)
        return;
    close(r->fd);
    free(r->path);
    codex_error_clear(&r->error);
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
