/* Reading rollout files back: finding a session and rebuilding its history. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/rollout.h"
#include "store/rollout_items.h"
#include "store/rollout_scan.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json_compact.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* A response item as the model gets it back: the reference keeps
 * bookkeeping inside the item that it never sends, and neither do we.  The
 * item is taken from the line's own tree (a new reference; the line is
 * dropped after), not copied: a long history is tens of megabytes. */
static void add_model_item(struct json_items *history, json_t *payload)
{
    json_object_del(payload, "internal_chat_message_metadata_passthrough");
    json_items_append(history, payload);
}

/* A response_item line taken as bytes: when the line is exactly what the
 * parser would dump, its payload is already the text a request carries.
 * False when it must be parsed (anything unusual, or the reference's
 * bookkeeping to drop). */
static bool add_model_item_text(struct json_items *history, const char *line, size_t len)
{
    static const char passthrough[] = "\"internal_chat_message_metadata_passthrough\"";
    size_t off, vlen;
    if (!json_compact_check(line, len, "payload", &off, &vlen) || vlen == 0 || line[off] != '{' ||
        memmem(line + off, vlen, passthrough, sizeof passthrough - 1))
        return false;
    json_items_append_text(history, line + off, vlen);
    return true;
}

static void set_string(char **dst, const json_t *v)
{
    const char *s = json_string_value(v);
    if (s) {
        free(*dst);
        *dst = xstrdup(s);
    }
}

/* A `compacted` line: the history starts over from its replacement.  A
 * line without one (older writers) keeps the user's own messages and the
 * summary, as those writers did. */
static void load_compacted(struct rollout_session *s, json_t *payload, const char *where)
{
    json_t *replacement = json_object_get(payload, "replacement_history");
    const char *message = json_string_value(json_object_get(payload, "message"));
    struct json_items history = JSON_ITEMS_INIT;
    size_t i;
    json_t *item;
    if (json_array_size(replacement) > 0) {
        json_array_foreach(replacement, i, item)
            if (json_is_object(item))
                add_model_item(&history, item);
    } else {
        if (json_is_array(replacement))
            strvec_push_owned(&s->warnings,
                              xasprintf("%s: a compaction with an empty replacement history; resuming "
                                        "from the user's messages and its summary",
                                        where));
        for (i = 0; i < json_items_count(&s->history); i++) {
            const char *type = json_string_value(json_object_get(json_items_peek(&s->history, i), "type"));
            if (!type || strcmp(type, "message") != 0)
                continue;
            item = json_items_get(&s->history, i);
            char *text = item ? rollout_user_input_text(item) : NULL;
            if (text)
                json_items_append(&history, item);
            free(text);
            json_decref(item);
        }
        if (message && *message) {
            item = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "user", "content", "type",
                             "input_text", "text", message);
            json_items_append(&history, item);
            json_decref(item);
        }
    }
    json_items_free(&s->history);
    s->history = history;
    json_t *number = json_object_get(payload, "window_number");
    s->window_number = json_is_integer(number) ? (int)json_integer_value(number) : s->window_number + 1;
    set_string(&s->window_id, json_object_get(payload, "window_id"));
    set_string(&s->first_window_id, json_object_get(payload, "first_window_id"));
}

static void load_line(struct rollout_session *s, json_t *line, const char *where)
{
    const char *type = json_string_value(json_object_get(line, "type"));
    json_t *payload = json_object_get(line, "payload");
    if (!type || !json_is_object(payload))
        return;
    if (strcmp(type, "session_meta") == 0) {
        const char *id = json_string_value(json_object_get(payload, "id"));
        const char *base = json_string_value(
            json_object_get(json_object_get(payload, "base_instructions"), "text"));
        if (id && !s->thread_id)
            s->thread_id = xstrdup(id);
        if (base && !s->base_instructions)
            s->base_instructions = xstrdup(base);
    } else if (strcmp(type, "response_item") == 0) {
        add_model_item(&s->history, payload);
    } else if (strcmp(type, "compacted") == 0) {
        load_compacted(s, payload, where);
        s->last_total_tokens = 0;
    } else if (strcmp(type, "turn_context") == 0) {
        json_t *mode = json_object_get(payload, "collaboration_mode");
        if (json_is_object(mode)) {
            json_decref(s->collaboration_mode);
            s->collaboration_mode = json_incref(mode);
        }
    } else if (strcmp(type, "event_msg") == 0) {
        const char *kind = json_string_value(json_object_get(payload, "type"));
        if (kind && strcmp(kind, "token_count") == 0) {
            json_t *total = json_object_get(
                json_object_get(json_object_get(payload, "info"), "last_token_usage"), "total_tokens");
            if (json_is_integer(total))
                s->last_total_tokens = json_integer_value(total);
        }
    }
}

/* Lines after the first that resume takes something from; the rest (the
 * events, most of a long file) are not parsed. */
static bool wanted_for_resume(const char *type, const char *ptype)
{
    return strcmp(type, "response_item") == 0 || strcmp(type, "compacted") == 0 ||
           strcmp(type, "session_meta") == 0 || strcmp(type, "turn_context") == 0 ||
           (strcmp(type, "event_msg") == 0 && strcmp(ptype, "token_count") == 0);
}

/* Where lines are in the file, to be parsed later if at all. */
struct line_spans {
    struct {
        off_t off;
        size_t len;
        long line_no;
    } *v;
    size_t n, cap;
};

static void note_line(struct line_spans *l, off_t off, size_t len, long line_no)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].off = off;
    l->v[l->n].len = len;
    l->v[l->n].line_no = line_no;
    l->n++;
}

/* Of the lines noted, the last one that load_line takes something from:
 * every token_count and turn_context line replaces what the one before
 * it said, so only the last ones need parsing (one each, as a rule). */
static void load_last_of(struct rollout_session *s, const struct line_spans *l, int fd,
                         const char *path, const char *what)
{
    struct buf b = BUF_INIT;
    for (size_t i = l->n; i-- > 0;) {
        b.len = 0;
        buf_reserve(&b, l->v[i].len);
        if (pread(fd, b.data, l->v[i].len, l->v[i].off) != (ssize_t)l->v[i].len)
            continue;
        json_t *v = json_loadb(b.data, l->v[i].len, 0, NULL);
        json_t *payload = json_object_get(v, "payload");
        bool took;
        if (strcmp(what, "token_count") == 0) {
            json_t *total = json_object_get(
                json_object_get(json_object_get(payload, "info"), "last_token_usage"), "total_tokens");
            took = json_is_integer(total) && json_is_object(payload);
        } else {
            took = json_is_object(json_object_get(payload, "collaboration_mode"));
        }
        if (took) {
            char *where = xasprintf("%s:%ld", path, l->v[i].line_no);
            load_line(s, v, where);
            free(where);
        }
        json_decref(v);
        if (took)
            break;
    }
    buf_free(&b);
}

int rollout_load(const char *path, struct rollout_session *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    /* Read as it was when opened; a line at a time, so the file is never
     * held whole. */
    struct rollout_lines lines;
    if (rollout_lines_open(&lines, path, err) != 0)
        return -1;
    json_items_reserve(&out->history, (size_t)lines.size);
    struct line_spans token_counts = {0}, contexts = {0};
    const char *line;
    size_t len;
    int got;
    while ((got = rollout_lines_next(&lines, &line, &len)) > 0) {
        long line_no = lines.line_no;
        out->n_lines++;
        char type[24], ptype[24];
        if (line_no > 1 &&
            (!rollout_line_type(line, len, type, ptype) || !wanted_for_resume(type, ptype)))
            continue;
        /* Most of a long file: kept as the bytes they are when possible. */
        if (line_no > 1 && strcmp(type, "response_item") == 0 && add_model_item_text(&out->history, line, len))
            continue;
        if (line_no > 1 && strcmp(type, "event_msg") == 0) {
            note_line(&token_counts, lines.line_off, len, line_no);
            continue;
        }
        if (line_no > 1 && strcmp(type, "turn_context") == 0) {
            note_line(&contexts, lines.line_off, len, line_no);
            continue;
        }
        json_t *v = json_loadb(line, len, 0, NULL);
        if (!v && line_no == 1) {
            codex_error_set(err, "%s:1: not a Codex session file: the first line is not JSON", path);
            break;
        }
        if (v) {
            char *where = xasprintf("%s:%ld", path, line_no);
            const char *vtype = json_string_value(json_object_get(v, "type"));
            if (vtype && strcmp(vtype, "compacted") == 0 && json_is_object(json_object_get(v, "payload")))
                token_counts.n = 0; /* a compaction starts the count again */
            load_line(out, v, where);
            free(where);
            json_decref(v);
        }
        if (line_no == 1 && !out->thread_id) {
            codex_error_set(err, "%s:1: not a Codex session file: the first line is not a session_meta record",
                            path);
            break;
        }
    }
    int saved = errno;
    if (got == 0) {
        load_last_of(out, &token_counts, lines.fd, path, "token_count");
        load_last_of(out, &contexts, lines.fd, path, "turn_context");
    }
    free(token_counts.v);
    free(contexts.v);
    if (got == 0 && lines.torn) {
        /* Written by a process that was killed mid-line. */
        out->torn_tail = true;
        strvec_push_owned(&out->warnings,
                          xasprintf("%s:%ld: the last line is incomplete (its writer was stopped); "
                                    "it is skipped",
                                    path, lines.line_no + 1));
    }
    rollout_lines_close(&lines);
    if (got < 0) {
        codex_error_set_os(err, saved, "cannot read %s", path);
        rollout_session_free(out);
        return -1;
    }
    if (!out->thread_id) {
        codex_error_set(err, "%s:1: not a Codex session file: it is empty", path); /* keeps the first */
        rollout_session_free(out);
        return -1;
    }
    return 0;
}

void rollout_session_free(struct rollout_session *s)
{
    free(s->thread_id);
    free(s->base_instructions);
    free(s->window_id);
    free(s->first_window_id);
    strvec_free(&s->warnings);
    json_items_free(&s->history);
    json_decref(s->collaboration_mode);
    memset(s, 0, sizeof *s);
}
