/* Sections and corrected Git facts of threads (thread_meta.h). */
#include "store/thread_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/uuid.h"
#include "util/xalloc.h"

#define THREAD_META_FILE "thread_meta.json"
#define THREAD_META_MAX_BYTES (64u << 20)

static json_t *empty_doc(void)
{
    return json_pack("{s:[] s:{}}", "sections", "threads");
}

json_t *thread_meta_load(const char *codex_home, struct codex_error *err)
{
    char *path = fs_join(codex_home, THREAD_META_FILE);
    size_t len = 0;
    char *text = fs_read_file(path, THREAD_META_MAX_BYTES, &len);
    if (!text) {
        int e = errno;
        if (e == ENOENT) {
            free(path);
            return empty_doc();
        }
        codex_error_set_os(err, e, "cannot read %s", path);
        free(path);
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    free(text);
    if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "sections")) ||
        !json_is_object(json_object_get(doc, "threads"))) {
        codex_error_set_at(err, path, "not a thread metadata file (%s); move it away to start "
                                      "afresh", doc ? "wrong shape" : je.text);
        json_decref(doc);
        free(path);
        return NULL;
    }
    free(path);
    return doc;
}

int thread_meta_save(const char *codex_home, const json_t *doc, struct codex_error *err)
{
    char *path = fs_join(codex_home, THREAD_META_FILE);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = 0;
    if (fs_mkdir_p(codex_home, 0700) != 0 ||
        fs_write_atomic(path, text, strlen(text), 0600) != 0) {
        codex_error_set_os(err, errno, "cannot write %s", path);
        rc = -1;
    }
    free(text);
    free(path);
    return rc;
}

static json_t *pinned(void)
{
    return json_pack("{s:s s:s s:n}", "id", THREAD_META_PINNED_ID, "name", "Pinned",
                     "appearance");
}

const json_t *thread_meta_sections(json_t *doc)
{
    json_t *list = json_object_get(doc, "sections");
    /* Pinned is always there, first. */
    if (!thread_meta_section(doc, THREAD_META_PINNED_ID))
        json_array_insert_new(list, 0, pinned());
    return list;
}

json_t *thread_meta_section(json_t *doc, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "sections"), i, s) {
        const char *sid = json_string_value(json_object_get(s, "id"));
        if (sid && strcmp(sid, id) == 0)
            return s;
    }
    return NULL;
}

json_t *thread_meta_section_create(json_t *doc, const char *name, const json_t *appearance)
{
    thread_meta_sections(doc);
    char id[UUID_STR_LEN];
    uuid_v7(id);
    json_t *s = json_pack("{s:s s:s s:O}", "id", id, "name", name, "appearance",
                          appearance ? appearance : json_null());
    json_array_append_new(json_object_get(doc, "sections"), s);
    return s;
}

bool thread_meta_section_delete(json_t *doc, const char *id)
{
    json_t *list = json_object_get(doc, "sections");
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s) {
        const char *sid = json_string_value(json_object_get(s, "id"));
        if (sid && strcmp(sid, id) == 0) {
            json_array_remove(list, i);
            const char *tid;
            json_t *t;
            json_object_foreach(json_object_get(doc, "threads"), tid, t) {
                const char *in = json_string_value(json_object_get(t, "section"));
                if (in && strcmp(in, id) == 0) {
                    json_object_del(t, "section");
                    json_object_del(t, "sectionEnteredAt");
                }
            }
            return true;
        }
    }
    return false;
}

static json_t *thread_entry(json_t *doc, const char *thread_id)
{
    json_t *threads = json_object_get(doc, "threads");
    json_t *t = json_object_get(threads, thread_id);
    if (!t) {
        t = json_object();
        json_object_set_new(threads, thread_id, t);
    }
    return t;
}

void thread_meta_move(json_t *doc, const char *thread_id, const char *section_id, long long now)
{
    json_t *t = thread_entry(doc, thread_id);
    if (section_id) {
        json_object_set_new(t, "section", json_string(section_id));
        json_object_set_new(t, "sectionEnteredAt", json_integer(now));
    } else {
        json_object_del(t, "section");
        json_object_del(t, "sectionEnteredAt");
    }
}

void thread_meta_git_update(json_t *doc, const char *thread_id, const json_t *patch)
{
    json_t *t = thread_entry(doc, thread_id);
    json_t *git = json_object_get(t, "gitInfo");
    if (!git) {
        git = json_object();
        json_object_set_new(t, "gitInfo", git);
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)patch, key, v)
        json_object_set(git, key, v);
}

const json_t *thread_meta_attachments(json_t *doc, const char *thread_id)
{
    return json_object_get(json_object_get(json_object_get(doc, "threads"), thread_id),
                           "attachments");
}

static bool attached_under(const json_t *a, const char *type, const char *key)
{
    const char *t = json_string_value(json_object_get(a, "attachmentType"));
    const char *k = json_string_value(json_object_get(a, "identityKey"));
    return t && k && strcmp(t, type) == 0 && strcmp(k, key) == 0;
}

const json_t *thread_meta_attachment_add(json_t *doc, const char *thread_id, const char *type,
                                         const char *key, const json_t *payload, long long now,
                                         bool *created)
{
    json_t *t = thread_entry(doc, thread_id);
    json_t *list = json_object_get(t, "attachments");
    if (!list) {
        list = json_array();
        json_object_set_new(t, "attachments", list);
    }
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        if (attached_under(a, type, key)) {
            *created = false;
            return a;
        }
    }
    char id[UUID_STR_LEN];
    uuid_v7(id);
    a = json_pack("{s:s s:s s:s s:O s:I}", "id", id, "attachmentType", type, "identityKey", key,
                  "payload", payload, "createdAt", (json_int_t)now);
    json_array_append_new(list, a);
    *created = true;
    return a;
}

bool thread_meta_attachment_remove(json_t *doc, const char *thread_id, const char *type,
                                   const char *key)
{
    json_t *list = (json_t *)thread_meta_attachments(doc, thread_id);
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        if (attached_under(a, type, key)) {
            json_array_remove(list, i);
            return true;
        }
    }
    return false;
}

json_t *thread_meta_attachment_owners(json_t *doc, const char *type, const char *key)
{
    json_t *owners = json_array();
    const char *tid;
    json_t *t;
    json_object_foreach(json_object_get(doc, "threads"), tid, t) {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(t, "attachments"), i, a) {
            if (attached_under(a, type, key)) {
                json_array_append_new(owners, json_string(tid));
                break;
            }
        }
    }
    return owners;
}

bool thread_meta_forget(json_t *doc, const char *thread_id)
{
    return json_object_del(json_object_get(doc, "threads"), thread_id) == 0;
}

void thread_meta_apply(json_t *doc, json_t *thread_json)
{
    const char *id = json_string_value(json_object_get(thread_json, "id"));
    json_t *t = id ? json_object_get(json_object_get(doc, "threads"), id) : NULL;
    if (!t)
        return;
    const char *sid = json_string_value(json_object_get(t, "section"));
    json_t *section = sid ? thread_meta_section(doc, sid) : NULL;
    if (section) {
        json_object_set(thread_json, "section", section);
        json_object_set(thread_json, "sectionEnteredAt", json_object_get(t, "sectionEnteredAt"));
    }
    json_t *git = json_object_get(t, "gitInfo");
    if (git) {
        json_t *now = json_object_get(thread_json, "gitInfo");
        json_t *merged = json_is_object(now) ? json_deep_copy(now)
                                             : json_pack("{s:n s:n s:n}", "sha", "branch",
                                                         "originUrl");
        json_object_update(merged, git);
        json_object_set_new(thread_json, "gitInfo", merged);
    }
}
