/* Reading rollout files back: finding a session and rebuilding its history. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout.h"
#include "store/rollout_items.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define MAX_ROLLOUT_BYTES (512u << 20)

/* A response item as the model gets it back: the reference keeps
 * bookkeeping inside the item that it never sends, and neither do we. */
static json_t *model_item(const json_t *payload)
{
    json_t *item = json_deep_copy(payload);
    json_object_del(item, "internal_chat_message_metadata_passthrough");
    return item;
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
static void load_compacted(struct rollout_session *s, const json_t *payload, const char *where)
{
    const json_t *replacement = json_object_get(payload, "replacement_history");
    const char *message = json_string_value(json_object_get(payload, "message"));
    json_t *history = json_array();
    size_t i;
    const json_t *item;
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

int rollout_load(const char *path, struct rollout_session *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *text = fs_read_file(path, MAX_ROLLOUT_BYTES, &len);
    if (!text) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        return -1;
    }
    out->history = json_array();
    long line_no = 0;
    for (char *line = text; line < text + len;) {
        line_no++;
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl) {
            /* Written by a process that was killed mid-line. */
            out->torn_tail = true;
            strvec_push_owned(&out->warnings,
                              xasprintf("%s:%ld: the last line is incomplete (its writer was stopped); "
                                        "it is skipped",
                                        path, line_no));
            break;
        }
        json_t *v = json_loadb(line, (size_t)(nl - line), 0, NULL);
        out->n_lines++;
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
        line = nl + 1;
    }
    free(text);
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
    memset(s, 0, sizeof *s);
}
