#include "store/rollout_summary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/rollout_items.h"
#include "store/rollout_summary_parts.h"
#include "store/rollout_scan.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define CHUNK (64u * 1024)

static void set_string(char **slot, const json_t *v)
{
    free(*slot);
    *slot = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static int64_t parse_time(const char *ts)
{
    struct tm tm = {0};
    if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (int64_t)timegm(&tm);
}

/* ---- what one line contributes ------------------------------------------ */

void rollout_summary_take_meta(struct rollout_summary *s, const json_t *p)
{
    if (s->id || !json_is_string(json_object_get(p, "id")))
        return;
    set_string(&s->id, json_object_get(p, "id"));
    s->created_at = parse_time(json_string_value(json_object_get(p, "timestamp")));
    set_string(&s->cwd, json_object_get(p, "cwd"));
    set_string(&s->cli_version, json_object_get(p, "cli_version"));
    set_string(&s->model_provider, json_object_get(p, "model_provider"));
    set_string(&s->originator, json_object_get(p, "originator"));
    const json_t *source = json_object_get(p, "source");
    if (json_is_object(source)) {
        /* A thread another started (a subagent): kept as compact JSON. */
        free(s->source);
        s->source = json_dumps(source, JSON_COMPACT | JSON_PRESERVE_ORDER);
    } else {
        set_string(&s->source, source);
    }
    set_string(&s->forked_from_id, json_object_get(p, "forked_from_id"));
    set_string(&s->thread_source, json_object_get(p, "thread_source"));
    set_string(&s->history_mode, json_object_get(p, "history_mode"));
    const json_t *git = json_object_get(p, "git");
    set_string(&s->git_sha, json_object_get(git, "commit_hash"));
    set_string(&s->git_branch, json_object_get(git, "branch"));
    set_string(&s->git_origin_url, json_object_get(git, "repository_url"));
}

void rollout_summary_take_context(struct rollout_summary *s, const json_t *p)
{
    set_string(&s->model, json_object_get(p, "model"));
    set_string(&s->effort, json_object_get(p, "effort"));
}

/* The v2 item of an item_completed event (new reference), or NULL; with
 * the event's times as startedAtMs and completedAtMs when it has them. */
json_t *rollout_completed_item(const json_t *p)
{
    const json_t *item = json_object_get(p, "item");
    json_t *v2 = json_is_object(item) ? rollout_item_to_v2(item) : NULL;
    const json_t *started = json_object_get(p, "started_at_ms");
    const json_t *completed = json_object_get(p, "completed_at_ms");
    if (v2 && json_is_integer(started) && !json_object_get(v2, "startedAtMs"))
        json_object_set(v2, "startedAtMs", (json_t *)started);
    if (v2 && json_is_integer(completed) && !json_object_get(v2, "completedAtMs"))
        json_object_set(v2, "completedAtMs", (json_t *)completed);
    return v2;
}

void rollout_summary_take_preview(struct rollout_summary *s, const json_t *item)
{
    const char *type = json_string_value(json_object_get(item, "type"));
    if (s->preview || !type || strcmp(type, "userMessage") != 0)
        return;
    json_t *first = json_array_get(json_object_get(item, "content"), 0);
    const char *text = json_string_value(json_object_get(first, "text"));
    s->preview = xstrdup(text ? text : "");
}

/* A line's type and payload; false when it has neither. */
bool rollout_split_line(const json_t *line, const char **type, const json_t **payload)
{
    *type = json_string_value(json_object_get(line, "type"));
    *payload = json_object_get(line, "payload");
    return *type && json_is_object(*payload);
}

/* A head line: the meta, a turn_context, or the first user message.  Lines
 * that cannot be one of those are not parsed. */
static void head_line(struct rollout_summary *s, const char *text, size_t len)
{
    char type[24], ptype[24];
    if (!rollout_line_type(text, len, type, ptype))
        return;
    bool meta = !s->id && strcmp(type, "session_meta") == 0;
    bool context = strcmp(type, "turn_context") == 0;
    bool event = !s->preview && strcmp(type, "event_msg") == 0 &&
                 strcmp(ptype, "item_completed") == 0;
    if (!meta && !context && !event)
        return;
    json_t *line = json_loadb(text, len, 0, NULL);
    const char *t;
    const json_t *p;
    if (rollout_split_line(line, &t, &p)) {
        if (strcmp(t, "session_meta") == 0) {
            rollout_summary_take_meta(s, p);
        } else if (strcmp(t, "turn_context") == 0) {
            rollout_summary_take_context(s, p);
        } else if (strcmp(t, "event_msg") == 0) {
            const char *ev = json_string_value(json_object_get(p, "type"));
            if (ev && strcmp(ev, "item_completed") == 0) {
                json_t *v2 = rollout_completed_item(p);
                rollout_summary_take_preview(s, v2);
                json_decref(v2);
            }
        }
    }
    json_decref(line);
}

/* ---- reading the head and the tail --------------------------------------- */

static ssize_t read_at(int fd, char *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Read forward from the start until the meta and the first user message are
 * known.  Returns the offset just past the last line examined, or -1. */
static off_t read_head(int fd, off_t size, struct rollout_summary *s)
{
    struct buf b = BUF_INIT; /* unexamined bytes, from file offset base on */
    off_t base = 0, file_pos = 0;
    while (file_pos < size && !(s->id && s->preview)) {
        size_t want = CHUNK;
        if ((off_t)want > size - file_pos)
            want = (size_t)(size - file_pos);
        buf_reserve(&b, want);
        ssize_t n = read_at(fd, b.data + b.len, want, file_pos);
        if (n < 0) {
            buf_free(&b);
            return -1;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        file_pos += n;
        /* Complete lines; an unfinished last one waits for the next read. */
        size_t start = 0;
        char *nl;
        while (!(s->id && s->preview) && start < b.len &&
               (nl = memchr(b.data + start, '\n', b.len - start))) {
            size_t end = (size_t)(nl - b.data);
            head_line(s, b.data + start, end - start);
            start = end + 1;
        }
        memmove(b.data, b.data + start, b.len - start);
        b.len -= start;
        base += (off_t)start;
    }
    buf_free(&b);
    return base;
}

/* The latest turn_context between floor (a line start) and the end of the
 * file: complete lines are examined from the last one backwards, a chunk
 * at a time.  A last line without its newline was torn by a killed writer
 * and is not looked at. */
static int read_tail(int fd, off_t floor, off_t size, struct rollout_summary *s)
{
    off_t hi = size; /* lines from hi on have been examined */
    size_t chunk = CHUNK;
    bool trimmed = false;
    char *buf = NULL;
    int rc = 0;
    while (hi > floor) {
        off_t lo = hi - floor > (off_t)chunk ? hi - (off_t)chunk : floor;
        size_t n = (size_t)(hi - lo);
        buf = xrealloc(buf, n);
        if (read_at(fd, buf, n, lo) != (ssize_t)n) {
            rc = -1;
            break;
        }
        if (!trimmed) {
            char *last = memrchr(buf, '\n', n);
            if (!last) {
                if (lo == floor)
                    break;
                chunk *= 2;
                continue;
            }
            n = (size_t)(last - buf) + 1;
            hi = lo + (off_t)n;
            trimmed = true;
        }
        /* [lo, hi) ends with a newline; its first line is whole only when
         * lo is a line start. */
        size_t first = 0;
        if (lo > floor) {
            char *nl = memchr(buf, '\n', n);
            if ((size_t)(nl - buf) + 1 == n) {
                chunk *= 2; /* one line longer than the chunk */
                continue;
            }
            first = (size_t)(nl - buf) + 1;
        }
        for (size_t line_end = n; line_end > first;) {
            size_t start = line_end - 1;
            while (start > first && buf[start - 1] != '\n')
                start--;
            size_t len = line_end - 1 - start;
            char scanned[24];
            if (rollout_line_type(buf + start, len, scanned, NULL) &&
                strcmp(scanned, "turn_context") == 0) {
                json_t *line = json_loadb(buf + start, len, 0, NULL);
                const char *type;
                const json_t *p;
                bool found = rollout_split_line(line, &type, &p) && strcmp(type, "turn_context") == 0;
                if (found)
                    rollout_summary_take_context(s, p);
                json_decref(line);
                if (found) {
                    free(buf);
                    return 0;
                }
            }
            line_end = start;
        }
        hi = lo + (off_t)first;
        chunk = CHUNK;
    }
    free(buf);
    return rc;
}

void rollout_summary_finish(struct rollout_summary *s, const char *path, const struct stat *st)
{
    s->path = xstrdup(path);
    s->size = (int64_t)st->st_size;
    s->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    s->updated_at = (int64_t)st->st_mtim.tv_sec;
    if (!s->preview)
        s->preview = xstrdup("");
}

/* The file open for reading with its stat; -1 with err. */
int rollout_open_stat(const char *path, struct stat *st, struct codex_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int rollout_summary_read(const char *path, struct rollout_summary *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    int fd = rollout_open_stat(path, &st, err);
    if (fd < 0)
        return -1;
    off_t head_end = read_head(fd, st.st_size, out);
    int rc = head_end < 0 ? -1 : 0;
    if (rc == 0 && out->id && head_end < st.st_size) {
        /* The model in the head may have been changed by a later turn. */
        struct rollout_summary tail = {0};
        rc = read_tail(fd, head_end, st.st_size, &tail);
        if (tail.model || tail.effort) {
            free(out->model);
            free(out->effort);
            out->model = tail.model;
            out->effort = tail.effort;
        }
    }
    int saved = errno;
    close(fd);
    if (rc != 0) {
        codex_error_set_os(err, saved, "cannot read %s", path);
        rollout_summary_free(out);
        return -1;
    }
    if (!out->id) {
        codex_error_set_at(err, path, "no session_meta line; not a rollout file");
        rollout_summary_free(out);
        return -1;
    }
    rollout_summary_finish(out, path, &st);
    return 0;
}

void rollout_summary_free(struct rollout_summary *s)
{
    free(s->path);
    free(s->id);
    free(s->cwd);
    free(s->cli_version);
    free(s->model_provider);
    free(s->originator);
    free(s->source);
    free(s->forked_from_id);
    free(s->thread_source);
    free(s->history_mode);
    free(s->git_sha);
    free(s->git_branch);
    free(s->git_origin_url);
    free(s->model);
    free(s->effort);
    free(s->preview);
    memset(s, 0, sizeof *s);
}
