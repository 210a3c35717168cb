/* Reading rollout files back: finding a session and rebuilding its history. */
#include <dirent.h>
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

int rollout_load(const char *path, struct rollout_session *out, char **err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *text = fs_read_file(path, MAX_ROLLOUT_BYTES, &len);
    if (!text) {
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
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
        *err = xasprintf("%s has no session_meta line; not a rollout file", path);
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

void rollout_collect_files(const char *dir, struct strvec *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = fs_join(dir, e->d_name);
        if (fs_is_dir(p)) {
            rollout_collect_files(p, out);
            free(p);
        } else if (strncmp(e->d_name, "rollout-", 8) == 0 && strstr(e->d_name, ".jsonl")) {
            strvec_push_owned(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

char *rollout_find(const char *codex_home, const char *id, char **err)
{
    char *root = fs_join(codex_home, "sessions");
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(root, &files);
    free(root);
    char *best = NULL;
    for (size_t i = 0; i < files.n; i++) {
        const char *name = base_name(files.v[i]);
        if (id) {
            size_t n = strlen(name), k = strlen(id);
            if (n > k + 6 && strncmp(name + n - 6 - k, id, k) == 0 && name[n - 7 - k] == '-') {
                best = files.v[i];
                break;
            }
        } else if (!best || strcmp(name, base_name(best)) > 0) {
            best = files.v[i]; /* names start with the timestamp: newest sorts last */
        }
    }
    char *found = best ? xstrdup(best) : NULL;
    strvec_free(&files);
    if (!found)
        *err = id ? xasprintf("No saved session found with ID %s", id)
                  : xstrdup("No saved session found to resume");
    return found;
}
