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
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* A response item as the model gets it back: the reference keeps
 * bookkeeping inside the item that it never sends, and neither do we.  The
 * item is taken from the line's own tree (a new reference; the line is
 * dropped after), not copied: a long history is tens of megabytes. */
static json_t *model_item(json_t *payload)
{
    json_object_del(payload, "internal_chat_message_metadata_passthrough");
    return json_incref(payload);
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
    json_t *history = json_array();
    size_t i;
    json_t *item;
    if (json_array_size(replacement) > 0) {
        json_array_foreach(replacement, i, item)
            if (json_is_object(item))
                json_array_append_new(history, model_item(item));
    } else {
        if (json_is_array(replacement))
            strvec_push_owned(&s->warnings,
                              xasprintf("%s: a compaction with an empty replacement history; resuming "
                                        "from the user's messages and its summary",
                                        where));
        json_array_foreach(s->history, i, item) {
            char *text = rollout_user_input_text(item);
            if (text)
                json_array_append(history, (json_t *)item);
            free(text);
        }
        if (message && *message)
            json_array_append_new(history, json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role",
                                                     "user", "content", "type", "input_text", "text",
                                                     message));
    }
    json_decref(s->history);
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
        json_array_append_new(s->history, model_item(payload));
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

/* Response items read but not parsed yet: a later compaction that brings
 * its own replacement history makes them moot, so until the next one they
 * wait as bytes (a long session that compacted is then mostly skipped). */
struct pending_items {
    char **text;
    size_t *len;
    size_t n, cap;
};

static void pending_push(struct pending_items *p, const char *text, size_t len)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->text = xrealloc(p->text, p->cap * sizeof *p->text);
        p->len = xrealloc(p->len, p->cap * sizeof *p->len);
    }
    p->text[p->n] = xmalloc(len + 1);
    memcpy(p->text[p->n], text, len);
    p->text[p->n][len] = '\0';
    p->len[p->n++] = len;
}

/* Parse the waiting items into the history, oldest first, each freed as
 * soon as it is parsed. */
static void pending_flush(struct rollout_session *s, struct pending_items *p)
{
    for (size_t i = 0; i < p->n; i++) {
        json_t *v = json_loadb(p->text[i], p->len[i], 0, NULL);
        free(p->text[i]);
        if (v)
            load_line(s, v, NULL);
        json_decref(v);
    }
    p->n = 0;
}

static void pending_free(struct pending_items *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->text[i]);
    free(p->text);
    free(p->len);
    memset(p, 0, sizeof *p);
}

/* A parsed compacted line that replaces the whole history. */
static bool replaces_history(json_t *line)
{
    json_t *payload = json_object_get(line, "payload");
    const char *type = json_string_value(json_object_get(line, "type"));
    return type && strcmp(type, "compacted") == 0 && json_is_object(payload) &&
           json_array_size(json_object_get(payload, "replacement_history")) > 0;
}

/* Lines after the first that resume takes something from; the rest (the
 * events, most of a long file) are not parsed. */
static bool wanted_for_resume(const char *type, const char *ptype)
{
    return strcmp(type, "response_item") == 0 || strcmp(type, "compacted") == 0 ||
           strcmp(type, "session_meta") == 0 || strcmp(type, "turn_context") == 0 ||
           (strcmp(type, "event_msg") == 0 && strcmp(ptype, "token_count") == 0);
}

int rollout_load(const char *path, struct rollout_session *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    out->history = json_array();
    /* Read as it was when opened; a line at a time, so the file is never
     * held whole. */
    struct rollout_lines lines;
    rollout_lines_init(&lines, fd, st.st_size);
    const char *line;
    size_t len;
    int got;
    struct pending_items pending = {0};
    while ((got = rollout_lines_next(&lines, &line, &len)) > 0) {
        long line_no = lines.line_no;
        out->n_lines++;
        char type[24], ptype[24];
        if (line_no > 1 &&
            (!rollout_line_type(line, len, type, ptype) || !wanted_for_resume(type, ptype)))
            continue;
        if (line_no > 1 && strcmp(type, "response_item") == 0) {
            pending_push(&pending, line, len);
            continue;
        }
        json_t *v = json_loadb(line, len, 0, NULL);
        if (v && replaces_history(v))
            pending_free(&pending);
        else if (v && line_no > 1 && strcmp(type, "compacted") == 0)
            pending_flush(out, &pending); /* its fallback keeps what came before */
        if (!v && line_no == 1) {
            codex_error_set(err, "%s:1: not a Codex session file: the first line is not JSON", path);
            break;
        }
        if (v) {
            char *where = xasprintf("%s:%ld", path, line_no);
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
    pending_flush(out, &pending);
    pending_free(&pending);
    if (got == 0 && lines.torn) {
        /* Written by a process that was killed mid-line. */
        out->torn_tail = true;
        strvec_push_owned(&out->warnings,
                          xasprintf("%s:%ld: the last line is incomplete (its writer was stopped); "
                                    "it is skipped",
                                    path, lines.line_no + 1));
    }
    rollout_lines_free(&lines);
    close(fd);
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
    json_decref(s->history);
    json_decref(s->collaboration_mode);
    memset(s, 0, sizeof *s);
}
