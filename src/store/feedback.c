/* Feedback reports as local ZIP files (feedback.h). */
#include "store/feedback.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/uuid.h"
#include "util/xalloc.h"
#include "util/zipfile.h"

/* Attachments larger than this are cut (a report must stay mailable). */
#define FEEDBACK_ATTACHMENT_MAX (256u << 20)

static const char *content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".json") == 0)
        return "application/json";
    if (dot && strcmp(dot, ".md") == 0)
        return "text/markdown";
    return "text/plain";
}

static int attach(struct zipfile *z, json_t *manifest, const char *path, struct codex_error *err)
{
    size_t len = 0;
    char *data = fs_read_file(path, FEEDBACK_ATTACHMENT_MAX, &len);
    if (!data) {
        codex_error_set_os(err, errno, "cannot read %s", path);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *entry = xasprintf("attachments/%04zu/%s", json_array_size(manifest), base);
    zipfile_add(z, entry, data, len);
    json_array_append_new(manifest, json_pack("{s:s s:s s:s}", "entry", entry, "filename", base,
                                              "contentType", content_type(base)));
    free(entry);
    free(data);
    return 0;
}

/* "bug" -> "Bug", "bad_result" -> "Bad result". */
static char *classification_title(const char *c)
{
    char *t = xstrdup(c);
    for (char *p = t; *p; p++)
        if (*p == '_')
            *p = ' ';
    t[0] = (char)toupper((unsigned char)t[0]);
    return t;
}

static json_t *report_json(const struct feedback_report *r)
{
    char id[UUID_STR_LEN], event_id[UUID_STR_LEN];
    uuid_v4(id);
    size_t n = 0;
    for (const char *c = id; *c; c++)
        if (*c != '-')
            event_id[n++] = *c;
    event_id[n] = '\0';
    struct timeval tv;
    gettimeofday(&tv, NULL);
    char *title = classification_title(r->classification);
    char *message = xasprintf("[%s]: Codex session %s", title, r->thread_id);
    free(title);
    json_t *tags = json_object();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)r->tags, key, value)
        json_object_set(tags, key, value);
    json_object_set_new(tags, "classification", json_string(r->classification));
    json_object_set_new(tags, "cli_version", json_string(r->cli_version));
    json_object_set_new(tags, "thread_id", json_string(r->thread_id));
    json_t *report = json_pack("{s:s s:s s:f}", "event_id", event_id, "message", message,
                               "timestamp", (double)tv.tv_sec + (double)tv.tv_usec / 1e6);
    if (r->reason)
        json_object_set_new(report, "exception",
                            json_pack("{s:[{s:s s:s}]}", "values", "type", message, "value",
                                      r->reason));
    json_object_set_new(report, "tags", tags);
    free(message);
    return report;
}

static void add_json(struct zipfile *z, const char *name, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    zipfile_add(z, name, text, strlen(text));
    free(text);
}

int feedback_save(const struct feedback_report *r, const char *path, struct codex_error *err)
{
    if (fs_exists(path)) {
        codex_error_set(err, "feedback save path already exists");
        return -1;
    }
    struct zipfile z;
    zipfile_init(&z);
    json_t *manifest = json_array();
    json_t *report = report_json(r);
    add_json(&z, "report.json", report);
    json_decref(report);
    int rc = 0;
    if (r->include_logs && r->rollout_path)
        rc = attach(&z, manifest, r->rollout_path, err);
    for (size_t i = 0; rc == 0 && r->include_logs && i < r->n_extra; i++)
        rc = attach(&z, manifest, r->extra_files[i], err);
    if (rc == 0) {
        add_json(&z, "manifest.json", manifest);
        if (zipfile_write(&z, path) != 0) {
            codex_error_set_os(err, errno, "cannot write %s", path);
            rc = -1;
        }
    }
    json_decref(manifest);
    zipfile_free(&z);
    return rc;
}

char *feedback_prompt_hash(const char *rollout_path)
{
    FILE *f = rollout_path ? fopen(rollout_path, "r") : NULL;
    if (!f)
        return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    char *hash = NULL;
    json_t *meta = n > 0 ? json_loadb(line, (size_t)n, 0, NULL) : NULL;
    free(line);
    json_t *bi = json_object_get(json_object_get(meta, "payload"), "base_instructions");
    const char *text = json_is_string(bi) ? json_string_value(bi)
                                          : json_string_value(json_object_get(bi, "text"));
    if (text) {
        hash = xmalloc(65);
        sha256_hex(text, strlen(text), hash);
    }
    json_decref(meta);
    return hash;
}
