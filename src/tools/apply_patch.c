/* apply_patch: edits files with the patch format.  The patch is applied by
 * this same binary in its apply_patch role (codex --codex-run-as-apply-patch),
 * run as a child on the loop, so the tool shares one implementation with the
 * apply_patch command that shell commands see on their PATH. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/approvals.h"
#include "tools/exec_session.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void run_patch(struct tool_call *call, const char *patch, const char *cwd);

struct patch_run {
    struct tool_call *call;
    json_t *item;
    uint64_t started_ns;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static char *abs_path(const char *cwd, const char *p, size_t n)
{
    char *rel = xstrndup(p, n);
    while (n && (rel[n - 1] == ' ' || rel[n - 1] == '\r'))
        rel[--n] = '\0';
    if (rel[0] == '/')
        return rel;
    char *abs = fs_join(cwd, rel);
    free(rel);
    return abs;
}

static void add_change(json_t *changes, const char *path, const char *kind)
{
    json_array_append_new(changes, json_pack("{s:s s:{s:s} s:s}", "path", path, "kind", "type",
                                             kind, "diff", ""));
}

/* The files a patch touches, from its headers. */
static json_t *patch_changes(const char *cwd, const char *patch)
{
    static const struct {
        const char *prefix;
        const char *kind;
    } heads[] = {{"*** Add File: ", "add"}, {"*** Delete File: ", "delete"},
                 {"*** Update File: ", "update"}};
    json_t *changes = json_array();
    for (const char *line = patch; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t i = 0; i < 3; i++) {
            size_t pl = strlen(heads[i].prefix);
            if (len > pl && strncmp(line, heads[i].prefix, pl) == 0) {
                char *path = abs_path(cwd, line + pl, len - pl);
                add_change(changes, path, heads[i].kind);
                free(path);
            }
        }
        line = end ? end + 1 : NULL;
    }
    return changes;
}

static bool under(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0' || root[n - 1] == '/');
}

static const char *writable_denial(const struct tool_env *env, const char *path)
{
    if (env->sandbox == SANDBOX_DANGER_FULL_ACCESS)
        return NULL;
    if (env->sandbox == SANDBOX_READ_ONLY)
        return "the sandbox is read-only";
    if (under(path, env->cwd))
        return NULL;
    const struct sandbox_workspace_write *ww = env->workspace_write;
    for (size_t i = 0; ww && i < ww->writable_roots.n; i++)
        if (under(path, ww->writable_roots.v[i]))
            return NULL;
    return "the path is outside the writable roots";
}

static bool writes_outside_roots(const struct tool_env *env, const json_t *changes)
{
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c)
        if (writable_denial(env, json_string_value(json_object_get(c, "path"))))
            return true;
    return false;
}

/* What the reference calls verification: every file to change exists and
 * may be written.  Returns a message for the model, or NULL. */
static char *verify(const struct tool_env *env, const json_t *changes, bool approved_anywhere)
{
    if (json_array_size(changes) == 0)
        return xstrdup("apply_patch verification failed: Invalid patch: the patch names no file "
                       "to add, delete or update");
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        const char *path = json_string_value(json_object_get(c, "path"));
        const char *kind = json_string_value(json_object_get(json_object_get(c, "kind"), "type"));
        const char *denied = approved_anywhere ? NULL : writable_denial(env, path);
        if (denied)
            return xasprintf("apply_patch rejected: cannot write %s: %s", path, denied);
        if (strcmp(kind, "add") != 0 && !fs_exists(path))
            return xasprintf("apply_patch verification failed: Failed to read file to %s %s: No "
                             "such file or directory (os error 2)",
                             strcmp(kind, "delete") == 0 ? "delete" : "update", path);
    }
    return NULL;
}

static void drop_run(void *ud)
{
    struct patch_run *run = ud;
    json_decref(run->item);
    free(run);
}

static void on_patch_done(struct exec_session *s, void *ud)
{
    struct patch_run *run = ud;
    size_t len;
    char *out = exec_session_take_output(s, &len);
    int code = exec_session_exit_code(s);
    double secs = (double)(now_ns() - run->started_ns) / 1e9;
    exec_session_release(s);
    json_object_set_new(run->item, "status", json_string(code == 0 ? "completed" : "failed"));
    struct agent_event ev = {.kind = AGENT_EV_ITEM_COMPLETED, .item = run->item};
    tool_emit(run->call->env, &ev);
    char *text = code == 0 ? xasprintf("Exit code: 0\nWall time: %.1f seconds\nOutput:\n%s", secs, out)
                           : xasprintf("apply_patch verification failed: %s", out);
    free(out);
    json_decref(run->item);
    tool_call_finish(run->call, text);
    free(run);
}

static char *self_exe(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return xstrdup(buf);
}

void tool_apply_patch(struct tool_call *call, const char *patch)
{
    tool_apply_patch_in(call, patch, NULL);
}

void tool_apply_patch_in(struct tool_call *call, const char *patch, const char *dir)
{
    struct tool_env *env = call->env;
    char *cwd = !dir ? xstrdup(env->cwd) : dir[0] == '/' ? xstrdup(dir) : fs_join(env->cwd, dir);
    run_patch(call, patch, cwd);
    free(cwd);
}

static void run_patch(struct tool_call *call, const char *patch, const char *cwd)
{
    struct tool_env *env = call->env;
    json_t *changes = patch_changes(cwd, patch);
    if (approvals_hold_patch(call, patch, cwd, writes_outside_roots(env, changes),
                             env->sandbox == SANDBOX_READ_ONLY, run_patch)) {
        json_decref(changes);
        return;
    }
    char *problem = verify(env, changes, call->unsandboxed);
    char *exe = problem ? NULL : self_exe();
    if (!problem && !exe)
        problem = xstrdup("apply_patch failed: cannot find the codex executable");
    if (problem) {
        json_decref(changes);
        tool_call_finish(call, problem);
        return;
    }
    struct patch_run *run = xcalloc(1, sizeof *run);
    run->call = call;
    run->started_ns = now_ns();
    run->item = json_pack("{s:s s:s s:o s:s}", "type", "fileChange", "id", call->call_id,
                          "changes", changes, "status", "inProgress");
    struct agent_event ev = {.kind = AGENT_EV_ITEM_STARTED, .item = run->item};
    tool_emit(env, &ev);

    struct strvec argv = STRVEC_INIT;
    strvec_push(&argv, exe);
    strvec_push(&argv, "--codex-run-as-apply-patch");
    strvec_push(&argv, patch);
    struct exec_spawn sp = {.argv = &argv, .env = NULL, .cwd = cwd, .extra_fd = -1};
    char *err = NULL;
    struct exec_session *s = exec_session_spawn(env->sessions, &sp, NULL, NULL, &err);
    strvec_free(&argv);
    free(exe);
    if (!s) {
        json_object_set_new(run->item, "status", json_string("failed"));
        struct agent_event done = {.kind = AGENT_EV_ITEM_COMPLETED, .item = run->item};
        tool_emit(env, &done);
        json_decref(run->item);
        free(run);
        tool_call_finish(call, xasprintf("apply_patch failed: %s", err));
        free(err);
        return;
    }
    exec_session_wait(s, 600000, on_patch_done, run, drop_run);
}
