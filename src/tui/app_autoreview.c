/* Auto-review in the TUI (approvals_reviewer = auto_review): while a review
 * runs the status row says what it reviews (item/autoApprovalReview/started),
 * then its verdict is a row as the reference draws it (approved, denied,
 * timed out) and the server's guardianWarning a warning; /approve lists the
 * recent denials and approves one retry of the chosen one
 * (thread/approveGuardianDeniedAction). */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* How many denials /approve offers (the newest). */
enum { MAX_DENIALS = 20 };

struct app_reviews {
    json_t *denials;   /* item/autoApprovalReview/completed params, denied */
    json_t *reviewing; /* reviewId -> what is being reviewed, while it is */
};

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static struct app_reviews *reviews(struct app *a)
{
    if (!a->reviews) {
        a->reviews = xcalloc(1, sizeof *a->reviews);
        a->reviews->denials = json_array();
        a->reviews->reviewing = json_object();
    }
    return a->reviews;
}

void app_autoreview_free(struct app *a)
{
    if (!a->reviews)
        return;
    json_decref(a->reviews->denials);
    json_decref(a->reviews->reviewing);
    free(a->reviews);
    a->reviews = NULL;
}

/* ---- auto-review decisions ---------------------------------------------------------------- */

/* What a review was about, as its row says it: the command, or a summary. */
static char *action_command(const json_t *action)
{
    const char *type = str(action, "type") ? str(action, "type") : "";
    if (strcmp(type, "command") == 0 && str(action, "command"))
        return cell_display_command(str(action, "command"));
    if (strcmp(type, "execve") == 0) {
        struct buf b = BUF_INIT;
        size_t i;
        json_t *w;
        json_array_foreach(json_object_get(action, "argv"), i, w) {
            if (i)
                buf_putc(&b, ' ');
            buf_puts(&b, json_string_value(w) ? json_string_value(w) : "");
        }
        if (!b.len && str(action, "program"))
            buf_puts(&b, str(action, "program"));
        return buf_detach(&b, NULL);
    }
    return NULL;
}

static char *action_summary(const json_t *action)
{
    char *cmd = action_command(action);
    if (cmd)
        return cmd;
    const char *type = str(action, "type") ? str(action, "type") : "";
    const json_t *files = json_object_get(action, "files");
    if (strcmp(type, "applyPatch") == 0) {
        const char *file = json_string_value(json_array_get(files, 0));
        if (json_array_size(files) == 1)
            return xasprintf("apply_patch touching %s", file ? file : "a file");
        return xasprintf("apply_patch touching %zu files", json_array_size(files));
    }
    if (strcmp(type, "networkAccess") == 0)
        return xasprintf("network access to %s", str(action, "target") ? str(action, "target")
                                                                        : str(action, "host") ? str(action, "host") : "");
    if (strcmp(type, "mcpToolCall") == 0)
        return xasprintf("MCP %s on %s", str(action, "toolName") ? str(action, "toolName") : "",
                         str(action, "server") ? str(action, "server") : "");
    /* Never NULL: a server may leave the action out, and the rows and
     * /approve still need words for it. */
    char *dump = action ? json_dumps(action, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    return dump ? dump : xstrdup("an unnamed action");
}

/* The command, cut to one line of at most 80 characters (the last three
 * "..." when cut). */
static char *snippet(const char *cmd)
{
    size_t nl = strcspn(cmd, "\n");
    char *one = cmd[nl] ? xasprintf("%.*s ...", (int)nl, cmd) : xstrdup(cmd);
    char *safe = tw_sanitize(one, strlen(one), false, NULL);
    free(one);
    char *cut = tw_cut(safe, 80);
    free(safe);
    return cut;
}

static void decision_cell(struct app *a, bool ok, const char *subject, const char *verb,
                          const char *mid, const char *what, const char *after)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    if (subject)
        tline_adds(&l, subject, TSTYLE_PLAIN);
    tline_adds(&l, verb, tstyle_attr(TA_BOLD));
    tline_adds(&l, mid, TSTYLE_PLAIN);
    if (what) {
        char *s = snippet(what);
        tline_adds(&l, s, tstyle_attr(TA_DIM));
        free(s);
    }
    if (after)
        tline_adds(&l, after, tstyle_attr(TA_BOLD));
    cell_text_add(c, &l, ok ? "✔ " : "✗ ", "  ", tstyle_fg(ok ? COL_GREEN : COL_RED));
    tline_free(&l);
    app_add_cell(a, c);
}

static void review_completed(struct app *a, json_t *params)
{
    const json_t *review = json_object_get(params, "review");
    const json_t *action = json_object_get(params, "action");
    const char *status = str(review, "status") ? str(review, "status") : "";
    char *cmd = action_command(action);
    char *summary = action_summary(action);
    const char *type = str(action, "type") ? str(action, "type") : "";
    const json_t *files = json_object_get(action, "files");
    if (strcmp(status, "approved") == 0) {
        if (cmd)
            decision_cell(a, true, "Auto-reviewer ", "approved", " codex to run ", cmd, " this time");
        else
            decision_cell(a, true, "Request ", "approved", " for ", summary, NULL);
    } else if (strcmp(status, "timedOut") == 0) {
        if (cmd)
            decision_cell(a, false, "Review ", "timed out", " before codex could run ", cmd, NULL);
        else
            decision_cell(a, false, "Review ", "timed out", " before ", summary, NULL);
    } else if (strcmp(status, "denied") == 0) {
        struct app_reviews *g = reviews(a);
        json_array_append(g->denials, params);
        while (json_array_size(g->denials) > MAX_DENIALS)
            json_array_remove(g->denials, 0);
        if (cmd) {
            decision_cell(a, false, "Request ", "denied", " for codex to run ", cmd, NULL);
        } else if (strcmp(type, "applyPatch") == 0) {
            char *what = json_array_size(files) == 1
                             ? xstrdup(json_string_value(json_array_get(files, 0)) ? json_string_value(json_array_get(files, 0)) : "")
                             : xasprintf("%zu files", json_array_size(files));
            decision_cell(a, false, "Request ", "denied", " for codex to apply a patch touching ", what, NULL);
            free(what);
        } else {
            decision_cell(a, false, "Request ", "denied", " for ", summary, NULL);
        }
    }
    free(cmd);
    free(summary);
}

bool app_autoreview_notification(struct app *a, const char *method, json_t *params)
{
    const char *tid = str(params, "threadId");
    bool ours = tid && a->thread_id && strcmp(tid, a->thread_id) == 0;
    if (strcmp(method, "turn/completed") == 0) {
        /* Reviews end with their turn (and the app_events.c handles the rest). */
        if (ours && a->reviews)
            json_object_clear(a->reviews->reviewing);
        return false;
    }
    if (strcmp(method, "guardianWarning") == 0) {
        /* The verdict's risk and rationale (or why the review failed), as
         * the server's other warnings are shown. */
        if (ours && str(params, "message"))
            app_add_cell(a, cell_warning_new(str(params, "message"), NULL));
        return true;
    }
    if (strncmp(method, "item/autoApprovalReview/", 24) != 0)
        return false;
    if (!ours)
        return true;
    const char *id = str(params, "reviewId") ? str(params, "reviewId") : "";
    if (strcmp(method + 24, "started") == 0) {
        char *detail = action_summary(json_object_get(params, "action"));
        json_object_set_new(reviews(a)->reviewing, id, json_string(detail));
        free(detail);
    } else if (strcmp(method + 24, "completed") == 0) {
        json_object_del(reviews(a)->reviewing, id);
        review_completed(a, params);
    }
    app_redraw(a);
    return true;
}

char *app_autoreview_status(struct app *a, struct strvec *details)
{
    size_t n = a->reviews ? json_object_size(a->reviews->reviewing) : 0;
    if (n == 0)
        return NULL;
    const char *key;
    json_t *v;
    size_t shown = 0;
    json_object_foreach(a->reviews->reviewing, key, v) {
        const char *d = json_string_value(v) ? json_string_value(v) : "";
        if (n == 1) {
            strvec_push(details, d);
        } else if (shown++ < 3) {
            char *line = xasprintf("• %s", d);
            strvec_push(details, line);
            free(line);
        }
    }
    if (n > 3) {
        char *more = xasprintf("+%zu more", n - 3);
        strvec_push(details, more);
        free(more);
    }
    return n == 1 ? xstrdup("Reviewing approval request") : xasprintf("Reviewing %zu approval requests", n);
}

/* ---- /approve ------------------------------------------------------------------------------ */

void app_cmd_approve(struct app *a, const char *args)
{
    (void)args;
    struct app_reviews *g = reviews(a);
    if (json_array_size(g->denials) == 0) {
        struct cell *c = cell_text_new();
        struct tline l;
        tline_init(&l);
        tline_adds(&l, "No recent auto-review denials in this thread. ", TSTYLE_PLAIN);
        tline_adds(&l, "Denials are recorded after auto-review rejects an action.", tstyle_attr(TA_DIM));
        cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
        tline_free(&l);
        app_add_cell(a, c);
        return;
    }
    picker_reset(&a->picker);
    a->picker.kind = PICK_APPROVE_DENIAL;
    a->help = false;
    struct picker *p = &a->picker;
    picker_header(p, "Auto-review Denials", tstyle_attr(TA_BOLD));
    picker_header(p, "Select a denied action to approve.", tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    for (size_t i = json_array_size(g->denials); i-- > 0;) {
        const json_t *d = json_array_get(g->denials, i);
        const json_t *action = json_object_get(d, "action");
        /* The picker names the action as reviewed: the command unshortened. */
        char *summary = str(action, "command") ? xstrdup(str(action, "command")) : action_summary(action);
        char *one = snippet(summary);
        const char *why = str(json_object_get(d, "review"), "rationale");
        char *value = xasprintf("%zu", i);
        picker_add(p, one, why && *why ? why : "-", value, 0, false);
        free(value);
        free(one);
        free(summary);
    }
    p->fit_column = true;
    p->hint = xstrdup("enter select · esc back");
    a->pane = PANE_PICKER;
    app_redraw(a);
}

static void on_denial_approved(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (app_failed(a, "/approve", error))
        return;
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "Approval recorded for one retry of the selected auto-review denial. ", TSTYLE_PLAIN);
    tline_adds(&l, "The model will see the approval context; the retry still goes through auto-review.",
               tstyle_attr(TA_DIM));
    cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
    tline_free(&l);
    app_add_cell(a, c);
}

void app_autoreview_approve_selected(struct app *a)
{
    struct picker *p = &a->picker;
    size_t i = p->n && p->items[p->sel].value ? (size_t)atol(p->items[p->sel].value) : (size_t)-1;
    app_picker_close(a);
    struct app_reviews *g = reviews(a);
    json_t *d = json_incref(json_array_get(g->denials, i));
    if (!d || !a->thread_id) {
        json_decref(d);
        app_error_cell(a, "That auto-review denial is no longer available.");
        return;
    }
    json_array_remove(g->denials, i);
    const json_t *review = json_object_get(d, "review");
    /* The review as the core protocol spells it (GuardianAssessmentEvent). */
    json_t *event = json_pack("{s:s s:s s:O? s:s s:O?}", "id", str(d, "reviewId") ? str(d, "reviewId") : "",
                              "turn_id", str(d, "turnId") ? str(d, "turnId") : "", "target_item_id",
                              json_object_get(d, "targetItemId"), "status", "denied", "action",
                              json_object_get(d, "action"));
    if (str(review, "riskLevel"))
        json_object_set_new(event, "risk_level", json_string(str(review, "riskLevel")));
    if (str(review, "rationale"))
        json_object_set_new(event, "rationale", json_string(str(review, "rationale")));
    app_request(a, "thread/approveGuardianDeniedAction",
                json_pack("{s:s s:o}", "threadId", a->thread_id, "event", event), on_denial_approved);
    json_decref(d);
}
