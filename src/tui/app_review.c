/* /review: a code review of this thread's workspace by a read-only
 * reviewer (review/start, inline).  `/review TEXT` reviews with those
 * instructions; `/review` alone offers the presets, and the branch and
 * commit presets list what git has, asked through command/exec so that a
 * remote server's workspace is the one listed. */
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "util/xalloc.h"

static void on_review_started(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (error)
        app_error_cell(a, error);
    app_redraw(a);
}

static void start_review(struct app *a, json_t *target)
{
    if (!a->thread_id) {
        json_decref(target);
        app_error_cell(a, "The session is not ready yet; try /review again in a moment");
        return;
    }
    app_request(a, "review/start", json_pack("{s:s s:o s:s}", "threadId", a->thread_id, "target",
                                             target, "delivery", "inline"),
                on_review_started);
}

void app_review_command(struct app *a, const char *args)
{
    while (args && *args == ' ')
        args++;
    if (args && *args) {
        start_review(a, json_pack("{s:s s:s}", "type", "custom", "instructions", args));
        return;
    }
    app_picker_open(a, PICK_REVIEW);
}

/* ---- the lists -------------------------------------------------------------- */

static void fill_from_git(struct app *a, enum picker_kind kind, const char *out)
{
    picker_reset(&a->picker);
    a->picker.kind = kind;
    struct picker *p = &a->picker;
    picker_header(p, kind == PICK_REVIEW_BRANCH ? "Select a base branch" : "Select a commit to review",
                  tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    for (const char *s = out; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        char *line = xstrndup(s, n);
        if (*line) {
            if (kind == PICK_REVIEW_BRANCH) {
                picker_add(p, line, NULL, line, 0, false);
            } else {
                /* "<sha> <subject>": the sha is the value, the subject its title. */
                char *space = strchr(line, ' ');
                if (space)
                    *space = '\0';
                picker_add(p, space ? space + 1 : line, line, line, 0, false);
            }
        }
        free(line);
        s = nl ? nl + 1 : s + n;
    }
    p->hint = xstrdup("Press enter to confirm or esc to go back");
    a->pane = PANE_PICKER;
}

static void on_git_list(struct app *a, enum picker_kind kind, json_t *result, const char *error)
{
    const char *out = json_string_value(json_object_get(result, "stdout"));
    int code = (int)json_integer_value(json_object_get(result, "exitCode"));
    if (error || code != 0 || !out || !*out) {
        const char *err = json_string_value(json_object_get(result, "stderr"));
        app_error_cell(a, error ? error : err && *err ? err : "git listed nothing to review against");
        app_redraw(a);
        return;
    }
    fill_from_git(a, kind, out);
    app_redraw(a);
}

static void on_branches(void *ud, json_t *result, const char *error)
{
    on_git_list(ud, PICK_REVIEW_BRANCH, result, error);
}

static void on_commits(void *ud, json_t *result, const char *error)
{
    on_git_list(ud, PICK_REVIEW_COMMIT, result, error);
}

static void ask_git(struct app *a, const char *format, tclient_result_fn fn)
{
    json_t *p = json_pack("{s:[s s s]}", "command", "bash", "-c", format);
    if (a->cwd)
        json_object_set_new(p, "cwd", json_string(a->cwd));
    app_request(a, "command/exec", p, fn);
}

void app_review_open(struct app *a, enum picker_kind kind)
{
    struct picker *p = &a->picker;
    if (kind != PICK_REVIEW)
        return;
    picker_header(p, "Select a review preset", tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Review against a base branch", "(PR style)", "base", 0, false);
    picker_add(p, "Review uncommitted changes", NULL, "uncommitted", 0, false);
    picker_add(p, "Review a commit", NULL, "commit", 0, false);
    picker_add(p, "Custom review instructions", NULL, "custom", 0, false);
    p->numbered = true;
    p->hint = xstrdup("Press enter to confirm or esc to go back");
}

void app_review_chosen(struct app *a, enum picker_kind kind, const char *value)
{
    if (!value)
        return;
    if (kind == PICK_REVIEW_BRANCH) {
        start_review(a, json_pack("{s:s s:s}", "type", "baseBranch", "branch", value));
    } else if (kind == PICK_REVIEW_COMMIT) {
        start_review(a, json_pack("{s:s s:s}", "type", "commit", "sha", value));
    } else if (strcmp(value, "uncommitted") == 0) {
        start_review(a, json_pack("{s:s}", "type", "uncommittedChanges"));
    } else if (strcmp(value, "base") == 0) {
        ask_git(a, "git for-each-ref --format='%(refname:short)' refs/heads", on_branches);
    } else if (strcmp(value, "commit") == 0) {
        ask_git(a, "git log --no-color --format='%h %s' -n 50", on_commits);
    } else {
        app_notice(a, "Type /review followed by what the reviewer should look at");
    }
}
