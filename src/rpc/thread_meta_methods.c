/* Sections of threads, corrected Git facts and attachments:
 * threadSection/list, create, update, delete, thread/section/move,
 * thread/metadata/update and thread/attachment/add, list, remove and
 * thread/attachmentOwner/list, kept by store/thread_meta.c (sections and
 * Git facts show in the Thread objects thread/read and thread/list send). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/rollout_find.h"
#include "store/thread_meta.h"
#include "util/xalloc.h"

/* The document, or NULL after answering why it cannot be read. */
static json_t *load(struct rpc_request *req)
{
    struct codex_error err = CODEX_ERROR_INIT;
    json_t *doc = thread_meta_load(req->server->codex_home, &err);
    if (!doc) {
        char *text = codex_error_text(&err);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", text);
        free(text);
        codex_error_clear(&err);
    }
    return doc;
}

/* Save doc and answer result; the error instead when it cannot be written. */
static void save_then_reply(struct rpc_request *req, json_t *doc, json_t *result)
{
    struct codex_error err = CODEX_ERROR_INIT;
    if (thread_meta_save(req->server->codex_home, doc, &err) != 0) {
        json_decref(result);
        char *text = codex_error_text(&err);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", text);
        free(text);
        codex_error_clear(&err);
    } else {
        rpc_reply(req, result);
    }
    json_decref(doc);
}

/* {icon, color} as the reference sends an appearance; NULL after
 * answering a bad one. */
static bool read_appearance(struct rpc_request *req, json_t *params, json_t **out)
{
    json_t *a = json_object_get(params, "appearance");
    *out = NULL;
    if (!a || json_is_null(a))
        return true;
    const char *icon, *color;
    if (!json_is_object(a)) {
        rpc_reply_invalid(req, "invalid type for `appearance`, expected struct "
                               "ThreadSectionAppearance");
        return false;
    }
    if (!rpc_get_string(req, a, "icon", false, &icon) ||
        !rpc_get_string(req, a, "color", false, &color))
        return false;
    *out = json_pack("{s:s? s:s?}", "icon", icon, "color", color);
    return true;
}

void rpc_thread_section_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadSectionListParams", true);
    const char *cursor = NULL;
    int64_t limit = 0;
    bool has_limit = false;
    if (!p || !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit))
        return;
    json_t *doc = load(req);
    if (!doc)
        return;
    const json_t *all = thread_meta_sections(doc);
    size_t i = 0, n = json_array_size(all);
    if (cursor) {
        /* The cursor is the last section of the previous page. */
        while (i < n && strcmp(json_string_value(json_object_get(json_array_get(all, i), "id")),
                               cursor) != 0)
            i++;
        if (i == n) {
            json_decref(doc);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
            return;
        }
        i++;
    }
    json_t *data = json_array();
    for (; i < n && (!has_limit || (int64_t)json_array_size(data) < (limit > 0 ? limit : 1)); i++)
        json_array_append(data, json_array_get(all, i));
    json_t *next = i < n && json_array_size(data)
                       ? json_incref(json_object_get(json_array_get(all, i - 1), "id"))
                       : json_null();
    json_decref(doc);
    rpc_reply(req, json_pack("{s:o s:o}", "data", data, "nextCursor", next));
}

void rpc_thread_section_create(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadSectionCreateParams", false);
    const char *name;
    json_t *appearance;
    if (!p || !rpc_get_string(req, p, "name", true, &name) || !read_appearance(req, p, &appearance))
        return;
    if (!*name) {
        json_decref(appearance);
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "section name must not be empty");
        return;
    }
    json_t *doc = load(req);
    if (doc) {
        json_t *s = thread_meta_section_create(doc, name, appearance);
        save_then_reply(req, doc, json_pack("{s:O}", "section", s));
    }
    json_decref(appearance);
}

void rpc_thread_section_update(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadSectionUpdateParams", false);
    const char *id, *name;
    json_t *appearance;
    if (!p || !rpc_get_string(req, p, "sectionId", true, &id) ||
        !rpc_get_string(req, p, "name", true, &name) || !read_appearance(req, p, &appearance))
        return;
    if (!*name) {
        json_decref(appearance);
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "section name must not be empty");
        return;
    }
    json_t *doc = load(req);
    if (!doc) {
        json_decref(appearance);
        return;
    }
    thread_meta_sections(doc);
    json_t *s = thread_meta_section(doc, id);
    if (!s) {
        json_decref(doc);
        json_decref(appearance);
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "thread section not found: %s", id);
        return;
    }
    json_object_set_new(s, "name", json_string(name));
    /* Absent keeps the appearance, null clears it. */
    if (json_object_get(p, "appearance"))
        json_object_set_new(s, "appearance", appearance ? appearance : json_null());
    else
        json_decref(appearance);
    save_then_reply(req, doc, json_pack("{s:O}", "section", s));
}

void rpc_thread_section_delete(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadSectionDeleteParams", false);
    const char *id;
    if (!p || !rpc_get_string(req, p, "sectionId", true, &id))
        return;
    if (strcmp(id, THREAD_META_PINNED_ID) == 0) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "the built-in pinned section cannot be deleted");
        return;
    }
    json_t *doc = load(req);
    if (!doc)
        return;
    if (!thread_meta_section_delete(doc, id)) {
        json_decref(doc);
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "thread section not found: %s", id);
        return;
    }
    save_then_reply(req, doc, json_object());
}

/* Whether the thread is loaded or stored here. */
static bool thread_known(struct rpc_request *req, const char *id)
{
    if (rpc_thread_find(rpc_threads_of(req), id))
        return true;
    char *path = rollout_locate(req->server->codex_home, id, NULL);
    bool stored = path != NULL;
    free(path);
    return stored;
}

void rpc_thread_section_move(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadSectionMoveParams", false);
    const char *thread_id, *section_id, *before;
    if (!p || !rpc_get_string(req, p, "threadId", true, &thread_id) ||
        !rpc_get_string(req, p, "sectionId", false, &section_id) ||
        !rpc_get_string(req, p, "beforeThreadId", false, &before))
        return;
    if (!json_object_get(p, "sectionId")) {
        rpc_reply_invalid(req, "missing field `sectionId`");
        return;
    }
    if (before) {
        /* Threads of a section are not kept in an order of their own yet. */
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS,
                        "beforeThreadId is not supported yet: codex-c lists the threads of a "
                        "section by when they entered it");
        return;
    }
    if (!thread_known(req, thread_id)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not found: %s", thread_id);
        return;
    }
    json_t *doc = load(req);
    if (!doc)
        return;
    thread_meta_sections(doc);
    if (section_id && !thread_meta_section(doc, section_id)) {
        json_decref(doc);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "section %s does not exist", section_id);
        return;
    }
    thread_meta_move(doc, thread_id, section_id, (long long)time(NULL));
    save_then_reply(req, doc, json_object());
}

void rpc_thread_metadata_update(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadMetadataUpdateParams", false);
    const char *id;
    if (!p || !rpc_get_string(req, p, "threadId", true, &id))
        return;
    json_t *git = json_object_get(p, "gitInfo");
    if (!git || json_is_null(git)) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                        "thread metadata update must include at least one field");
        return;
    }
    if (!json_is_object(git)) {
        rpc_reply_invalid(req, "invalid type for `gitInfo`, expected struct "
                               "ThreadMetadataGitInfoUpdateParams");
        return;
    }
    static const char *const keys[] = {"sha", "branch", "originUrl", NULL};
    json_t *patch = json_object();
    for (const char *const *k = keys; *k; k++) {
        json_t *v = json_object_get(git, *k);
        const char *s;
        if (!v)
            continue;
        if (!rpc_get_string(req, git, *k, false, &s)) {
            json_decref(patch);
            return;
        }
        if (s && !*s) {
            json_decref(patch);
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "gitInfo.%s must not be empty", *k);
            return;
        }
        json_object_set(patch, *k, v);
    }
    if (json_object_size(patch) == 0) {
        json_decref(patch);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "gitInfo must include at least one field");
        return;
    }
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    char *path = t ? NULL : rollout_locate(req->server->codex_home, id, NULL);
    json_t *thread = t ? rpc_thread_json(t) : path ? rpc_thread_stored_file_json(req, path) : NULL;
    free(path);
    if (!thread) {
        json_decref(patch);
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "no rollout found for thread id %s", id);
        return;
    }
    json_t *doc = load(req);
    if (!doc) {
        json_decref(patch);
        json_decref(thread);
        return;
    }
    thread_meta_git_update(doc, id, patch);
    json_decref(patch);
    thread_meta_apply(doc, thread);
    save_then_reply(req, doc, json_pack("{s:o}", "thread", thread));
}

/* ---- attachments ------------------------------------------------------------ */

/* type and key of an attachment request; false after answering. */
static bool read_type_key(struct rpc_request *req, json_t *p, const char **type, const char **key)
{
    if (!rpc_get_string(req, p, "attachmentType", true, type) ||
        !rpc_get_string(req, p, "identityKey", true, key))
        return false;
    if (!**type || !**key) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "%s must not be empty",
                        !**type ? "attachmentType" : "identityKey");
        return false;
    }
    return true;
}

void rpc_thread_attachment_add(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadAttachmentAddParams", false);
    const char *thread_id, *type, *key;
    if (!p || !rpc_get_string(req, p, "threadId", true, &thread_id) ||
        !read_type_key(req, p, &type, &key))
        return;
    json_t *payload = json_object_get(p, "payload");
    if (!payload) {
        rpc_reply_invalid(req, "missing field `payload`");
        return;
    }
    if (!thread_known(req, thread_id)) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "thread not found: %s", thread_id);
        return;
    }
    json_t *doc = load(req);
    if (!doc)
        return;
    bool created;
    const json_t *a = thread_meta_attachment_add(doc, thread_id, type, key, payload,
                                                 (long long)time(NULL), &created);
    json_t *result = json_pack("{s:s s:O}", "outcome", created ? "created" : "existing",
                               "attachment", a);
    if (created) {
        save_then_reply(req, doc, result);
    } else {
        json_decref(doc);
        rpc_reply(req, result);
    }
}

void rpc_thread_attachment_remove(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadAttachmentRemoveParams", false);
    const char *thread_id, *type, *key;
    if (!p || !rpc_get_string(req, p, "threadId", true, &thread_id) ||
        !read_type_key(req, p, &type, &key))
        return;
    json_t *doc = load(req);
    if (!doc)
        return;
    /* Nothing attached there is no error (the reference answers {} too). */
    if (thread_meta_attachment_remove(doc, thread_id, type, key)) {
        save_then_reply(req, doc, json_object());
    } else {
        json_decref(doc);
        rpc_reply(req, json_object());
    }
}

/* The cursor after attachment a of thread_id: "THREAD|CREATED|ID", the
 * reference's shape. */
static json_t *attachment_cursor(const char *thread_id, const json_t *a)
{
    return json_sprintf("%s|%lld|%s", thread_id,
                        (long long)json_integer_value(json_object_get(a, "createdAt")),
                        json_string_value(json_object_get(a, "id")));
}

void rpc_thread_attachment_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadAttachmentListParams", false);
    const char *thread_id, *cursor = NULL;
    int64_t limit = 0;
    bool has_limit = false;
    if (!p || !rpc_get_string(req, p, "threadId", true, &thread_id) ||
        !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit))
        return;
    json_t *doc = load(req);
    if (!doc)
        return;
    const json_t *all = thread_meta_attachments(doc, thread_id);
    size_t i = 0, n = json_array_size(all);
    if (cursor) {
        const char *bar = strrchr(cursor, '|');
        while (bar && i < n &&
               strcmp(json_string_value(json_object_get(json_array_get(all, i), "id")), bar + 1) != 0)
            i++;
        if (!bar || i == n || strncmp(cursor, thread_id, strlen(thread_id)) != 0) {
            json_decref(doc);
            rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "invalid pagination cursor");
            return;
        }
        i++;
    }
    json_t *data = json_array();
    for (; i < n && (!has_limit || (int64_t)json_array_size(data) < (limit > 0 ? limit : 1)); i++)
        json_array_append(data, json_array_get(all, i));
    json_t *next = i < n && json_array_size(data) ? attachment_cursor(thread_id, json_array_get(all, i - 1))
                                                  : json_null();
    json_decref(doc);
    rpc_reply(req, json_pack("{s:o s:o}", "data", data, "nextCursor", next));
}

void rpc_thread_attachment_owner_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ThreadAttachmentOwnerListParams", false);
    const char *type, *key, *cursor = NULL;
    int64_t limit = 0;
    bool has_limit = false, archived_only_not = false;
    json_t *archived = p ? json_object_get(p, "archived") : NULL;
    if (!p || !read_type_key(req, p, &type, &key) ||
        !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit))
        return;
    if (archived && !json_is_null(archived)) {
        if (!json_is_boolean(archived)) {
            rpc_reply_invalid(req, "invalid type for `archived`, expected a boolean");
            return;
        }
        /* false: threads not archived; true (or absent): all of them. */
        archived_only_not = json_is_false(archived);
    }
    json_t *doc = load(req);
    if (!doc)
        return;
    json_t *owners = thread_meta_attachment_owners(doc, type, key);
    json_decref(doc);
    size_t i = 0, n = json_array_size(owners);
    if (cursor) {
        while (i < n && strcmp(json_string_value(json_array_get(owners, i)), cursor) != 0)
            i++;
        if (i == n) {
            json_decref(owners);
            rpc_reply_error(req, JSONRPC_INVALID_PARAMS, "invalid pagination cursor");
            return;
        }
        i++;
    }
    json_t *data = json_array();
    const char *last = NULL;
    for (; i < n && (!has_limit || (int64_t)json_array_size(data) < (limit > 0 ? limit : 1)); i++) {
        const char *tid = json_string_value(json_array_get(owners, i));
        bool in_archive = false;
        char *path = rollout_locate(req->server->codex_home, tid, &in_archive);
        bool known = path || rpc_thread_find(rpc_threads_of(req), tid);
        free(path);
        if (!known || (archived_only_not && in_archive))
            continue; /* a thread deleted since, or not wanted */
        json_array_append_new(data, json_pack("{s:s s:b}", "threadId", tid, "archived", in_archive));
        last = tid;
    }
    json_t *next = i < n && last ? json_string(last) : json_null();
    json_decref(owners);
    rpc_reply(req, json_pack("{s:o s:o}", "data", data, "nextCursor", next));
}
