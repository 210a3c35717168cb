/* Reading a rollout file back to resume it: the history to send again. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/rollout.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define MAX_ROLLOUT_BYTES (512u << 20)

static void load_line(struct rollout_session *s, json_t *line)
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
        /* The reference keeps bookkeeping inside the item that it never
         * sends to the model; a resumed request must not carry it either. */
        json_t *item = json_copy(payload);
        json_object_del(item, "internal_chat_message_metadata_passthrough");
        json_array_append_new(s->history, item);
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
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            break; /* torn final line: written by a process that was killed */
        json_t *v = json_loadb(line, (size_t)(nl - line), 0, NULL);
        if (v) {
            load_line(out, v);
            out->n_lines++;
            json_decref(v);
        }
        line = nl + 1;
        out->valid_bytes = (long)(line - text);
    }
    free(text);
    if (!out->thread_id) {
        codex_error_set_at(err, path, "no session_meta line; not a rollout file");
        rollout_session_free(out);
        return -1;
    }
    return 0;
}

void rollout_session_free(struct rollout_session *s)
{
    free(s->thread_id);
    free(s->base_instructions);
    json_decref(s->history);
    memset(s, 0, sizeof *s);
}

