#include "store/thread_goals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define GOALS_FILE "thread_goals.json"
#define GOALS_MAX_BYTES (64u << 20)

static char *goals_path(const char *codex_home)
{
    return xasprintf("%s/" GOALS_FILE, codex_home);
}

/* Every goal: {} when there is no file yet; NULL with err when it cannot be
 * read or is not a JSON object. */
static json_t *load_all(const char *codex_home, struct codex_error *err)
{
    char *path = goals_path(codex_home);
    size_t len = 0;
    char *text = fs_read_file(path, GOALS_MAX_BYTES, &len);
    json_t *all = NULL;
    if (!text) {
        if (errno == ENOENT)
            all = json_object();
        else
            codex_error_set_os(err, errno, "cannot read %s", path);
    } else {
        json_error_t jerr;
        all = json_loadb(text, len, 0, &jerr);
        if (!json_is_object(all)) {
            codex_error_set(err, "%s:%d:%d: not a goals file: %s", path, jerr.line, jerr.column,
                            all ? "expected an object" : jerr.text);
            json_decref(all);
            all = NULL;
        }
    }
    free(text);
    free(path);
    return all;
}

static int save_all(const char *codex_home, const json_t *all, struct codex_error *err)
{
    char *path = goals_path(codex_home);
    char *text = json_dumps(all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int rc = 0;
    if (!text || fs_write_atomic(path, text, strlen(text), 0644) != 0) {
        codex_error_set_os(err, text ? errno : ENOMEM, "cannot write %s", path);
        rc = -1;
    }
    free(text);
    free(path);
    return rc;
}

json_t *thread_goal_load(const char *codex_home, const char *id, struct codex_error *err)
{
    json_t *all = load_all(codex_home, err);
    json_t *goal = json_object_get(all, id);
    goal = json_is_object(goal) ? json_incref(goal) : NULL;
    json_decref(all);
    return goal;
}

int thread_goal_save(const char *codex_home, const char *id, const json_t *goal,
                     struct codex_error *err)
{
    json_t *all = load_all(codex_home, err);
    if (!all)
        return -1;
    json_object_set_new(all, id, json_deep_copy(goal));
    int rc = save_all(codex_home, all, err);
    json_decref(all);
    return rc;
}

int thread_goal_remove(const char *codex_home, const char *id, bool *removed,
                       struct codex_error *err)
{
    *removed = false;
    json_t *all = load_all(codex_home, err);
    if (!all)
        return -1;
    int rc = 0;
    if (json_object_get(all, id)) {
        json_object_del(all, id);
        rc = save_all(codex_home, all, err);
        *removed = rc == 0;
    }
    json_decref(all);
    return rc;
}
