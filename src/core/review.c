/* Code review as a turn: the parent thread records the request, a reviewer
 * thread (its own agent on the same loop, read-only, asking nobody) does
 * the looking, and its answer comes back parsed and rendered. */
#include "core/review.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/agent.h"
#include "core/agent_internal.h"
#include "model/provider.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xalloc.h"

/* The reviewer's standing instructions (they replace the base
 * instructions of its thread). */
static const char reviewer_instructions[] =
    "You review a code change written by someone else. Read the change and the code around it "
    "with the tools you have; you cannot modify anything, and you should not try.\n\n"
    "Report only problems the author would want to fix before merging:\n"
    "- real defects introduced by this change: wrong results, crashes, data loss, security "
    "holes, races, resource leaks, serious slowdowns, broken edge cases;\n"
    "- each one specific and actionable, shown by the code itself rather than guessed from "
    "assumptions about code you have not read;\n"
    "- not style preferences, not problems that were there before the change, not deliberate "
    "choices of the author.\n"
    "When nothing qualifies, say so; an empty list is a good review of a good change.\n\n"
    "For each finding write a short title that starts with its priority tag ([P0] must fix "
    "now, [P1] must fix before merging, [P2] should fix, [P3] nice to fix), and a body of one "
    "short paragraph that says what goes wrong, when, and why. Keep code quotes to three "
    "lines. Point at the smallest line range that shows the problem, in a file the change "
    "touches.\n\n"
    "Answer with exactly one JSON object and nothing else, in this shape:\n"
    "{\n"
    "  \"findings\": [\n"
    "    {\n"
    "      \"title\": \"[P1] ...\",\n"
    "      \"body\": \"...\",\n"
    "      \"confidence_score\": 0.0-1.0,\n"
    "      \"priority\": 0-3,\n"
    "      \"code_location\": {\n"
    "        \"absolute_file_path\": \"/absolute/path\",\n"
    "        \"line_range\": {\"start\": 1, \"end\": 1}\n"
    "      }\n"
    "    }\n"
    "  ],\n"
    "  \"overall_correctness\": \"patch is correct\" or \"patch is incorrect\",\n"
    "  \"overall_explanation\": \"one to three sentences on the change as a whole\",\n"
    "  \"overall_confidence_score\": 0.0-1.0\n"
    "}";

json_t *review_target_json(const struct review_target *t)
{
    switch (t->kind) {
    case REVIEW_UNCOMMITTED:
        return json_pack("{s:s}", "type", "uncommittedChanges");
    case REVIEW_BASE_BRANCH:
        return json_pack("{s:s s:s}", "type", "baseBranch", "branch", t->branch);
    case REVIEW_COMMIT:
        return json_pack("{s:s s:s s:s?}", "type", "commit", "sha", t->sha, "title", t->title);
    case REVIEW_CUSTOM:
        break;
    }
    return json_pack("{s:s s:s}", "type", "custom", "instructions", t->instructions);
}

static const char *nonempty(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? s : NULL;
}

bool review_target_from_json(const json_t *j, struct review_target *out, const char **why)
{
    memset(out, 0, sizeof *out);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!type) {
        *why = "target.type must be one of uncommittedChanges, baseBranch, commit, custom";
        return false;
    }
    if (strcmp(type, "uncommittedChanges") == 0) {
        out->kind = REVIEW_UNCOMMITTED;
    } else if (strcmp(type, "baseBranch") == 0) {
        out->kind = REVIEW_BASE_BRANCH;
        if (!(out->branch = nonempty(j, "branch")))
            return *why = "target.branch must be a non-empty string", false;
    } else if (strcmp(type, "commit") == 0) {
        out->kind = REVIEW_COMMIT;
        if (!(out->sha = nonempty(j, "sha")))
            return *why = "target.sha must be a non-empty string", false;
        out->title = nonempty(j, "title");
    } else if (strcmp(type, "custom") == 0) {
        out->kind = REVIEW_CUSTOM;
        if (!(out->instructions = nonempty(j, "instructions")))
            return *why = "target.instructions must be a non-empty string", false;
    } else {
        *why = "target.type must be one of uncommittedChanges, baseBranch, commit, custom";
        return false;
    }
    return true;
}

char *review_target_hint(const struct review_target *t)
{
    switch (t->kind) {
    case REVIEW_UNCOMMITTED:
        return xstrdup("current changes");
    case REVIEW_BASE_BRANCH:
        return xasprintf("changes against '%s'", t->branch);
    case REVIEW_COMMIT:
        return t->title ? xasprintf("commit %.7s: %s", t->sha, t->title) : xasprintf("commit %.7s", t->sha);
    case REVIEW_CUSTOM:
        break;
    }
    return xstrdup(t->instructions);
}

char *review_target_prompt(const struct review_target *t)
{
    switch (t->kind) {
    case REVIEW_UNCOMMITTED:
        return xstrdup("Review the work in progress in this repository: staged and unstaged "
                       "changes and untracked files (`git status`, `git diff HEAD`, and read the "
                       "new files). Report prioritized findings.");
    case REVIEW_BASE_BRANCH:
        return xasprintf("Review what this branch would bring into '%s'. Find the merge base "
                         "first (`git merge-base HEAD %s`, or against the upstream of %s when it "
                         "has one), then read `git diff` from that commit. Report prioritized "
                         "findings.",
                         t->branch, t->branch, t->branch);
    case REVIEW_COMMIT:
        if (t->title)
            return xasprintf("Review the change made by commit %s (\"%s\"); `git show %s` has "
                             "it. Report prioritized findings.",
                             t->sha, t->title, t->sha);
        return xasprintf("Review the change made by commit %s; `git show %s` has it. Report "
                         "prioritized findings.",
                         t->sha, t->sha);
    case REVIEW_CUSTOM:
        break;
    }
    return xstrdup(t->instructions);
}

/* ---- the reviewer's answer --------------------------------------------- */

static bool is_review_output(const json_t *j)
{
    return json_is_object(j) && (json_object_get(j, "findings") ||
                                 json_object_get(j, "overall_explanation"));
}

/* The text with each invalid UTF-8 sequence replaced by U+FFFD (a JSON
 * string must be valid UTF-8; a model's text always is, other input may
 * not be). */
static char *lossy_utf8(const char *text)
{
    struct buf b = BUF_INIT;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) {
            buf_puts(&b, "\xef\xbf\xbd");
            p++;
        } else {
            buf_append(&b, (const char *)p, (size_t)n);
            p += n;
        }
    }
    return buf_detach(&b, NULL);
}

json_t *review_output_parse(const char *text)
{
    if (!text)
        text = "";
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!is_review_output(j)) {
        json_decref(j);
        j = NULL;
        /* A model that wraps the object in prose or a code fence. */
        const char *open = strchr(text, '{'), *close = strrchr(text, '}');
        if (open && close && close > open) {
            j = json_loadb(open, (size_t)(close - open + 1), 0, NULL);
            if (!is_review_output(j)) {
                json_decref(j);
                j = NULL;
            }
        }
    }
    if (!j) {
        char *clean = lossy_utf8(text);
        j = json_pack("{s:[] s:s s:s s:f}", "findings", "overall_correctness", "",
                      "overall_explanation", clean, "overall_confidence_score", 0.0);
        free(clean);
        return j;
    }
    if (!json_is_array(json_object_get(j, "findings")))
        json_object_set_new(j, "findings", json_array());
    return j;
}

static void render_finding(struct buf *b, const json_t *f)
{
    const json_t *loc = json_object_get(f, "code_location");
    const json_t *range = json_object_get(loc, "line_range");
    const char *title = json_string_value(json_object_get(f, "title"));
    const char *path = json_string_value(json_object_get(loc, "absolute_file_path"));
    buf_printf(b, "- %s", title ? title : "(untitled)");
    if (path)
        buf_printf(b, " \xe2\x80\x94 %s:%lld-%lld", path,
                   (long long)json_integer_value(json_object_get(range, "start")),
                   (long long)json_integer_value(json_object_get(range, "end")));
    buf_puts(b, "\n");
    const char *body = json_string_value(json_object_get(f, "body"));
    for (const char *p = body ? body : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_printf(b, "  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

char *review_output_render(const json_t *output)
{
    struct buf b = BUF_INIT;
    const char *explanation = json_string_value(json_object_get(output, "overall_explanation"));
    if (explanation && *explanation)
        buf_puts(&b, explanation);
    const json_t *findings = json_object_get(output, "findings");
    size_t n = json_array_size(findings);
    if (n) {
        if (b.len)
            buf_puts(&b, "\n\n");
        buf_puts(&b, n == 1 ? "Review comment:\n" : "Full review comments:\n");
        for (size_t i = 0; i < n; i++) {
            buf_puts(&b, "\n");
            render_finding(&b, json_array_get(findings, i));
        }
        while (b.len && b.data[b.len - 1] == '\n')
            b.data[--b.len] = '\0';
    }
    if (!b.len)
        buf_puts(&b, "Reviewer failed to output a response.");
    return buf_detach(&b, NULL);
}

/* ---- the review turn --------------------------------------------------- */

struct review_run {
    struct agent *parent;
    struct agent *reviewer;
    struct codex_config cfg; /* the parent's, read-only and asking nobody */
    struct provider_settings ps;
    bool have_ps;
    char *hint;
    char *item_id;
    bool cancelled;
    uv_timer_t reaper;
};

static void review_run_free(struct review_run *r)
{
    if (r->reviewer)
        agent_free(r->reviewer);
    if (r->have_ps)
        provider_settings_free(&r->ps);
    free(r->hint);
    free(r->item_id);
    free(r);
}

static void on_reaper_closed(uv_handle_t *h)
{
    review_run_free(h->data);
}

/* The reviewer cannot be freed from inside its own callback. */
static void reap_later(uv_timer_t *t)
{
    uv_close((uv_handle_t *)t, on_reaper_closed);
}

static void emit_item(struct agent *a, json_t *item, bool started)
{
    if (started) {
        struct agent_event ev = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
        agent_emit(a, &ev);
    }
    struct agent_event ev = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
    agent_emit(a, &ev);
}

static json_t *text_message(const char *role, const char *part, const char *text)
{
    return json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", role, "content", "type",
                     part, "text", text);
}

static void finish_review(struct review_run *r, bool ok, const char *error)
{
    struct agent *a = r->parent;
    a->review = NULL;
    uv_timer_init(a->loop, &r->reaper);
    r->reaper.data = r;
    uv_timer_start(&r->reaper, reap_later, 0, 0);
    agent_finish_turn(a, ok, error);
}

static void on_reviewer_event(void *ud, const struct agent_event *ev)
{
    struct review_run *r = ud;
    /* The reviewer's own errors (retries, a failed request) are the
     * review's; its items stay in its thread. */
    if (ev->kind == AGENT_EV_ERROR) {
        struct agent_event copy = *ev;
        agent_emit(r->parent, &copy);
    }
}

static void on_reviewer_done(void *ud, bool ok)
{
    struct review_run *r = ud;
    if (r->cancelled)
        return;
    struct agent *a = r->parent;
    const char *answer = agent_last_message(r->reviewer);
    if (!ok && !answer) {
        finish_review(r, false, "the reviewer stopped before it answered");
        return;
    }
    json_t *output = review_output_parse(answer);
    char *rendered = review_output_render(output);

    /* The parent thread keeps what the user saw, so later turns can act
     * on the findings. */
    char *out_text = json_dumps(output, JSON_COMPACT | JSON_INDENT(2));
    char *note = xasprintf("<user_action>\n  <context>The user asked for a code review (%s). "
                           "The reviewer's full answer follows; the user may ask for some of "
                           "the findings to be fixed.</context>\n  <action>review</action>\n"
                           "  <results>\n%s\n  </results>\n</user_action>",
                           r->hint, out_text ? out_text : "{}");
    json_t *msg = text_message("user", "input_text", note);
    agent_record_item(a, msg);
    json_decref(msg);
    free(note);
    free(out_text);

    json_t *exited = json_pack("{s:s s:s s:s}", "type", "exitedReviewMode", "id", r->item_id,
                               "review", rendered);
    emit_item(a, exited, true);
    json_decref(exited);

    msg = text_message("assistant", "output_text", rendered);
    agent_record_item(a, msg);
    json_decref(msg);
    char id[UUID_STR_LEN];
    uuid_v7(id);
    json_t *said = json_pack("{s:s s:s s:s}", "type", "agentMessage", "id", id, "text", rendered);
    emit_item(a, said, true);
    json_decref(said);
    free(a->last_message);
    a->last_message = rendered;
    json_decref(output);
    finish_review(r, true, NULL);
}

static bool start_reviewer(struct review_run *r, const struct review_target *t,
                           struct codex_error *err)
{
    struct agent *a = r->parent;
    r->cfg = *a->p.cfg;
    r->cfg.sandbox_mode = SANDBOX_READ_ONLY;
    r->cfg.approval_policy = APPROVAL_NEVER;
    const char *model = r->cfg.review_model ? r->cfg.review_model : a->p.model;
    agent_child_provider(a, &r->ps);
    r->have_ps = true;
    struct agent_params p = {
        .cfg = &r->cfg,
        .model = model,
        .provider_id = a->p.provider_id,
        .provider = &r->ps,
        .originator = a->p.originator,
        .source = a->p.source,
        .thread_source = "subagent",
        .parent_thread_id = a->thread_id,
        .base_instructions = reviewer_instructions,
        .ephemeral = a->p.ephemeral,
        .path_prefix = a->p.path_prefix,
        .ignore_rules = a->p.ignore_rules,
    };
    r->reviewer = agent_new(a->loop, &p, on_reviewer_event, r, err);
    if (!r->reviewer)
        return false;
    char *prompt = review_target_prompt(t);
    agent_start_turn(r->reviewer, prompt, NULL, on_reviewer_done, r);
    free(prompt);
    return true;
}

void agent_start_review(struct agent *a, const struct review_target *t,
                        void (*done)(void *ud, bool ok), void *done_ud)
{
    struct review_run *r = xcalloc(1, sizeof *r);
    r->parent = a;
    r->hint = review_target_hint(t);
    char id[UUID_STR_LEN];
    uuid_v7(id);
    r->item_id = xstrdup(id);
    agent_begin_turn(a, json_pack("[s]", r->hint), done, done_ud);
    a->review = r;
    json_t *entered = json_pack("{s:s s:s s:s}", "type", "enteredReviewMode", "id", r->item_id,
                                "review", r->hint);
    emit_item(a, entered, true);
    json_decref(entered);
    struct codex_error err = CODEX_ERROR_INIT;
    if (!start_reviewer(r, t, &err)) {
        char *text = codex_error_text(&err);
        codex_error_clear(&err);
        struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = text};
        agent_emit(a, &ev);
        finish_review(r, false, text);
        free(text);
    }
}

void agent_review_cancel(struct agent *a)
{
    struct review_run *r = a->review;
    if (!r)
        return;
    a->review = NULL;
    r->cancelled = true;
    if (r->reviewer)
        agent_interrupt(r->reviewer);
    uv_timer_init(a->loop, &r->reaper);
    r->reaper.data = r;
    uv_timer_start(&r->reaper, reap_later, 0, 0);
}
