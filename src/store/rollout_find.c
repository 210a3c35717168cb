#include "store/rollout_find.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store/rollout_segments.h"
#include "store/rollout_summary.h"
#include "store/session_names.h"
#include "util/strvec.h"
#include "util/uuid.h"
#include "util/xalloc.h"

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

char *rollout_find_id(const char *codex_home, const char *id, enum rollout_tree tree)
{
    char *root = rollout_tree_root(codex_home, tree);
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(root, &files, NULL, NULL);
    free(root);
    /* A thread the reference reverted has segments: the newest is the one
     * read and appended to. */
    const char *head = NULL;
    for (size_t i = 0; i < files.n; i++)
        if (rollout_segment_name(files.v[i], id, NULL) &&
            (!head || rollout_segment_newer(files.v[i], head, id)))
            head = files.v[i];
    char *found = head ? xstrdup(head) : NULL;
    strvec_free(&files);
    return found;
}

char *rollout_locate(const char *codex_home, const char *id, bool *archived)
{
    char *p = rollout_find_id(codex_home, id, ROLLOUT_ACTIVE);
    if (archived)
        *archived = false;
    if (!p && (p = rollout_find_id(codex_home, id, ROLLOUT_ARCHIVED)) && archived)
        *archived = true;
    return p;
}

char *rollout_find(const char *codex_home, const char *id_or_name, struct codex_error *err)
{
    char *path = NULL;
    if (!uuid_is_valid(id_or_name)) {
        char *id = session_name_find(codex_home, id_or_name);
        if (id)
            path = rollout_find_id(codex_home, id, ROLLOUT_ACTIVE);
        free(id);
    }
    if (!path)
        path = rollout_find_id(codex_home, id_or_name, ROLLOUT_ACTIVE);
    if (!path)
        codex_error_set(err, "No saved session found with ID %s", id_or_name);
    return path;
}

char *rollout_parent_thread_id(const char *path, bool *is_child)
{
    *is_child = false;
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    json_t *first = n > 0 ? json_loadb(line, (size_t)n, 0, NULL) : NULL;
    free(line);
    json_t *meta = json_object_get(first, "payload");
    const char *parent = json_string_value(json_object_get(meta, "parent_thread_id"));
    const char *source = json_string_value(json_object_get(meta, "thread_source"));
    *is_child = parent || (source && strcmp(source, "subagent") == 0);
    char *out = parent ? xstrdup(parent) : NULL;
    json_decref(first);
    return out;
}

/* Threads another thread started are not what "the last session" means. */
static bool started_by_another_thread(const char *path)
{
    bool child;
    free(rollout_parent_thread_id(path, &child));
    return child;
}

static int by_name_desc(const void *a, const void *b)
{
    return strcmp(base_name(*(char *const *)b), base_name(*(char *const *)a));
}

char *rollout_find_last(const char *codex_home, const char *cwd, struct codex_error *err)
{
    char *root = rollout_tree_root(codex_home, ROLLOUT_ACTIVE);
    struct strvec files = STRVEC_INIT;
    rollout_collect_files(root, &files, NULL, NULL);
    free(root);
    if (files.n)
        qsort(files.v, files.n, sizeof *files.v, by_name_desc);
    char *found = NULL;
    for (size_t i = 0; i < files.n && !found; i++) {
        if (started_by_another_thread(files.v[i]))
            continue;
        if (!cwd) {
            found = xstrdup(files.v[i]);
            break;
        }
        struct rollout_summary s;
        struct codex_error ignored = CODEX_ERROR_INIT;
        if (rollout_summary_read(files.v[i], &s, &ignored) == 0) {
            if (s.cwd && strcmp(s.cwd, cwd) == 0)
                found = xstrdup(files.v[i]);
            rollout_summary_free(&s);
        }
        codex_error_clear(&ignored);
    }
    strvec_free(&files);
    if (!found)
        codex_error_set(err, "No saved session found to resume");
    return found;
}

static bool child_of(const char *path, const char *parent)
{
    bool child;
    char *p = rollout_parent_thread_id(path, &child);
    bool yes = p && strcmp(p, parent) == 0;
    free(p);
    return yes;
}

/* The threads a session started (a reviewer, subagents) go with it. */
void rollout_delete_children(const char *codex_home, const char *id)
{
    for (int tree = ROLLOUT_ACTIVE; tree <= ROLLOUT_ARCHIVED; tree++) {
        char *root = rollout_tree_root(codex_home, (enum rollout_tree)tree);
        struct strvec files = STRVEC_INIT;
        rollout_collect_files(root, &files, NULL, NULL);
        free(root);
        for (size_t i = 0; i < files.n; i++) {
            if (child_of(files.v[i], id)) {
                struct codex_error err = CODEX_ERROR_INIT;
                rollout_delete(files.v[i], &err);
                codex_error_clear(&err);
            }
        }
        strvec_free(&files);
    }
}
