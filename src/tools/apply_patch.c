/* apply_patch: edits files with the patch format.
 *
 * The patch is parsed and planned once, off the loop: every hunk matched,
 * every new content computed, every path resolved to where the write will
 * land.  The approval gate decides on that plan, the user (if asked) sees
 * that plan's changes, and the commit applies that same plan: nothing is
 * parsed twice, so what was checked is what is written. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "patch/patch.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* A patch this small, touching files this small, is planned and committed
 * on the loop: it takes well under a millisecond, and starting the thread
 * pool would cost more (threads, and memory for each of them). */
#define INLINE_PATCH_BYTES (256u << 10)
#define INLINE_FILE_BYTES (4u << 20)

struct patch_job {
    struct tool_call *call;
    char *text;
    char *cwd;
    struct patch *patch;
    struct patch_plan plan;
    bool planned;
    char *error;      /* the model's message when planning or committing failed */
    json_t *changes;  /* fileChange changes, built with the plan */
    json_t *item;
    char *summary;    /* "Success. Updated the following files:..." */
    uint64_t started_ns;
    uv_work_t work;
    bool inline_work; /* small enough to run on the loop */
    char *session_key;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void job_free(struct patch_job *j)
{
    if (j->planned)
        patch_plan_free(&j->plan);
    patch_free(j->patch);
    free(j->text);
    free(j->cwd);
    free(j->error);
    free(j->summary);
    free(j->session_key);
    json_decref(j->changes);
    json_decref(j->item);
    free(j);
}

static void job_finish(struct patch_job *j, char *output)
{
    struct tool_call *call = j->call;
    job_free(j);
    tool_call_finish(call, output);
}

/* What the user sees: each path as written (absolute), what happens to it
 * and the diff (for an add or delete, the whole content, as the reference). */
static json_t *changes_of(const struct patch_plan *plan)
{
    json_t *changes = json_array();
    for (size_t i = 0; i < plan->n_changes; i++) {
        const struct patch_change *c = &plan->changes[i];
        json_t *kind;
        char *diff;
        if (c->kind == PATCH_CHANGE_ADD) {
            kind = json_pack("{s:s}", "type", "add");
            diff = xstrndup(c->new_content ? c->new_content : "", c->new_len);
        } else if (c->kind == PATCH_CHANGE_DELETE) {
            kind = json_pack("{s:s}", "type", "delete");
            diff = xstrndup(c->old_content ? c->old_content : "", c->old_len);
        } else {
            kind = json_pack("{s:s s:s?}", "type", "update", "move_path", c->abs_move_path);
            diff = patch_change_unified_diff(c, 3);
        }
        json_array_append_new(changes, json_pack("{s:s s:o s:s%}", "path", c->abs_path, "kind", kind, "diff",
                                                 diff, strlen(diff)));
        free(diff);
    }
    /* Listed by path, as the reference lists them (insertion sort: patches
     * name few files, and equal paths keep their order). */
    for (size_t i = 1; i < json_array_size(changes); i++) {
        json_t *c = json_incref(json_array_get(changes, i));
        const char *path = json_string_value(json_object_get(c, "path"));
        size_t k = i;
        while (k > 0 && strcmp(json_string_value(json_object_get(json_array_get(changes, k - 1), "path")), path) > 0)
            k--;
        if (k != i) {
            json_array_remove(changes, i);
            json_array_insert(changes, k, c);
        }
        json_decref(c);
    }
    return changes;
}

/* ---- planning (thread pool) --------------------------------------------- */

static void plan_work(uv_work_t *w)
{
    struct patch_job *j = w->data;
    struct patch_error perr = {PATCH_ERR_NONE, 0, NULL};
    struct buf msg = BUF_INIT;
    j->patch = patch_parse(j->text, strlen(j->text), &perr);
    if (!j->patch) {
        patch_error_format(&perr, &msg);
        patch_error_clear(&perr);
    } else if (patch_plan_build(j->patch, j->cwd, &j->plan, &msg) == 0) {
        j->planned = true;
        j->changes = changes_of(&j->plan);
        buf_free(&msg);
        return;
    }
    j->error = xasprintf("apply_patch verification failed: %s", buf_cstr(&msg));
    buf_free(&msg);
}

/* ---- committing (thread pool) ------------------------------------------- */

static void commit_work(uv_work_t *w)
{
    struct patch_job *j = w->data;
    struct buf msg = BUF_INIT;
    if (patch_plan_commit(&j->plan, &msg) == 0) {
        patch_plan_summary(&j->plan, &msg);
        j->summary = buf_detach(&msg, NULL);
    } else {
        j->error = xasprintf("apply_patch verification failed: %s", buf_cstr(&msg));
        buf_free(&msg);
    }
}

static void after_commit(uv_work_t *w, int status)
{
    (void)status;
    struct patch_job *j = w->data;
    if (!tool_call_unhold(j->call)) {
        job_free(j); /* the turn is gone; the files are written all the same */
        return;
    }
    json_object_set_new(j->item, "status", json_string(j->error ? "failed" : "completed"));
    struct tool_event ev = {.kind = TOOL_EV_ITEM_COMPLETED, .item = j->item,
                            .patch = j->error ? NULL : &j->plan};
    j->call->host->ops->emit(j->call->host->ctx, &ev);
    char *text = j->error;
    j->error = NULL;
    if (!text)
        text = xasprintf("Exit code: 0\nWall time: %.1f seconds\nOutput:\n%s",
                         (double)(now_ns() - j->started_ns) / 1e9, j->summary);
    job_finish(j, text);
}

static void commit(struct patch_job *j)
{
    struct tool_call *call = j->call;
    j->item = json_pack("{s:s s:s s:O s:s}", "type", "fileChange", "id", call->call_id, "changes", j->changes,
                        "status", "inProgress");
    tool_emit_item(call->host, TOOL_EV_ITEM_STARTED, j->item);
    tool_call_hold(call);
    j->work.data = j;
    if (j->inline_work) {
        commit_work(&j->work);
        after_commit(&j->work, 0);
        return;
    }
    uv_queue_work(call->host->loop, &j->work, commit_work, after_commit);
}

/* ---- the gate ----------------------------------------------------------- */

static void on_answer(void *ud, enum review_decision decision)
{
    struct patch_job *j = ud;
    if (decision == REVIEW_APPROVED || decision == REVIEW_APPROVED_FOR_SESSION ||
        decision == REVIEW_APPROVED_ALWAYS) {
        commit(j);
        return;
    }
    const struct tool_host *host = j->call->host;
    const char *note = decision == REVIEW_DENIED && host->ops->denial_note ? host->ops->denial_note(host->ctx) : NULL;
    job_finish(j, note ? xstrdup(note) : approval_patch_denied_message());
}

static void after_plan(uv_work_t *w, int status)
{
    (void)status;
    struct patch_job *j = w->data;
    struct tool_call *call = j->call;
    if (!tool_call_unhold(call)) {
        job_free(j);
        return;
    }
    if (j->error) {
        char *text = j->error;
        j->error = NULL;
        job_finish(j, text);
        return;
    }
    struct tool_host *host = call->host;
    struct tool_patch_request req = {
        .call_id = call->call_id,
        .patch = j->text,
        .cwd = j->cwd,
        .plan = &j->plan,
        .changes = j->changes,
    };
    struct tool_gate g = host->ops->gate_patch(host->ctx, &req);
    switch (g.action) {
    case TOOL_GATE_RUN:
    case TOOL_GATE_RUN_UNSANDBOXED:
        commit(j);
        break;
    case TOOL_GATE_REJECT:
        job_finish(j, g.message);
        g.message = NULL;
        break;
    case TOOL_GATE_ASK: {
        j->session_key = g.session_key;
        g.session_key = NULL;
        struct approval_request q = {
            .kind = APPROVAL_KIND_PATCH,
            .call_id = call->call_id,
            .command = j->text,
            .cwd = j->cwd,
            .reason = g.message,
            .changes = j->changes,
            .session_key = j->session_key,
        };
        host->ops->ask(host->ctx, &q, on_answer, j);
        break;
    }
    }
    tool_gate_clear(&g);
}

/* Cheap to plan on the loop?  The patch itself, and every file it would
 * read (stat only: nothing is read here). */
static bool small_job(const struct patch_job *j)
{
    if (strlen(j->text) > INLINE_PATCH_BYTES)
        return false;
    size_t total = 0;
    static const char *const heads[] = {"*** Update File: ", "*** Delete File: "};
    for (const char *line = j->text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t i = 0; i < 2; i++) {
            size_t hl = strlen(heads[i]);
            if (len <= hl || strncmp(line, heads[i], hl) != 0)
                continue;
            char *name = xstrndup(line + hl, len - hl);
            char *path = name[0] == '/' ? xstrdup(name) : fs_join(j->cwd, name);
            struct stat st;
            if (stat(path, &st) == 0)
                total += (size_t)st.st_size;
            free(path);
            free(name);
        }
        line = end ? end + 1 : NULL;
    }
    return total <= INLINE_FILE_BYTES;
}

void tool_apply_patch(struct tool_call *call, const char *patch, const char *dir)
{
    struct tool_host *host = call->host;
    struct patch_job *j = xcalloc(1, sizeof *j);
    j->call = call;
    j->text = xstrdup(patch);
    j->cwd = !dir ? xstrdup(host->cwd) : dir[0] == '/' ? xstrdup(dir) : fs_join(host->cwd, dir);
    j->started_ns = now_ns();
    j->work.data = j;
    j->inline_work = small_job(j);
    tool_call_hold(call);
    if (j->inline_work) {
        plan_work(&j->work);
        after_plan(&j->work, 0);
        return;
    }
    uv_queue_work(host->loop, &j->work, plan_work, after_plan);
}
