/* Plan mode in the TUI.  The collaboration mode is the TUI's choice, sent
 * with every turn once the user has picked one (/plan, Shift+Tab cycles
 * Default and Plan as the reference does); Plan mode runs at the Plan
 * preset's reasoning effort (collaborationMode/list) and the footer says
 * so.  A plan turn's proposed plan (the plan item, streamed with
 * item/plan/delta) gets its own cell, and when such a turn ends the user is
 * asked whether to implement it: here (Default mode, "Implement the
 * plan."), in a fresh thread (the plan handed over in the first prompt),
 * or not yet. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "util/xalloc.h"

/* What the implement options send (the reference's texts). */
static const char implement_text[] = "Implement the plan.";
/* Our words: the fresh thread has none of the planning turns, so the
 * message says where the plan came from and that the work is now to do. */
static const char fresh_prefix[] =
    "The plan below was written in an earlier planning session for the user's task; that "
    "session's conversation is not available here. Carry the plan out from the start: take it "
    "as what the user wants, read the files again before changing them, and check the result "
    "when done.";

static void replace_str(char **slot, const char *v)
{
    char *n = v ? xstrdup(v) : NULL;
    free(*slot);
    *slot = n;
}

static void set_mode(struct app *a, bool plan)
{
    if (a->mode_chosen && a->plan_mode == plan)
        return;
    if (plan && !a->plan_mode) {
        free(a->default_effort);
        a->default_effort = a->effort;
        a->effort = xstrdup(a->plan_effort ? a->plan_effort : "medium");
    } else if (!plan && a->plan_mode) {
        free(a->effort);
        a->effort = a->default_effort;
        a->default_effort = NULL;
    }
    a->plan_mode = plan;
    a->mode_chosen = true;
    char *note = xasprintf("Model changed to %s %s for %s mode.", a->model ? a->model : "default",
                           a->effort ? a->effort : "default", plan ? "Plan" : "Default");
    app_notice(a, note);
    free(note);
    app_redraw(a);
}

/* "/plan <prompt>": the prompt is the first Plan turn's, sent once the
 * mode is set (the Plan preset may still be on its way). */
static void submit_prompt(struct app *a, const char *text)
{
    if (a->turn_running) {
        app_steer(a, text);
        return;
    }
    app_add_cell(a, cell_user_new(text, 0));
    a->echo_pending++;
    app_submit(a, text, NULL);
}

/* The Plan preset's effort, asked once; the switch waits for it. */
static void on_modes(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)error;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(result, "data"), i, m) {
        const char *mode = json_string_value(json_object_get(m, "mode"));
        const char *effort = json_string_value(json_object_get(m, "reasoning_effort"));
        if (mode && strcmp(mode, "plan") == 0 && effort)
            replace_str(&a->plan_effort, effort);
    }
    if (!a->plan_effort)
        replace_str(&a->plan_effort, "medium");
    int switches = a->mode_switches_pending > 0 ? a->mode_switches_pending : 1;
    a->mode_switches_pending = 0;
    for (int k = 0; k < switches; k++)
        set_mode(a, !a->plan_mode);
    if (a->plan_prompt) {
        char *text = a->plan_prompt;
        a->plan_prompt = NULL;
        submit_prompt(a, text);
        free(text);
    }
}

static void enter_plan(struct app *a)
{
    if (a->plan_effort || !a->client) {
        set_mode(a, true);
        return;
    }
    if (a->mode_switches_pending == 0)
        app_request(a, "collaborationMode/list", json_object(), on_modes);
    a->mode_switches_pending = 1;
}

void app_plan_cycle(struct app *a)
{
    if (a->mode_switches_pending) {
        /* Shift+Tab again before the Plan preset came: it counts too. */
        a->mode_switches_pending++;
        return;
    }
    if (a->plan_mode)
        set_mode(a, false);
    else
        enter_plan(a);
}

void app_cmd_plan(struct app *a, const char *args)
{
    if (!a->plan_mode)
        enter_plan(a);
    if (args && *args) {
        if (a->plan_mode)
            submit_prompt(a, args);
        else
            replace_str(&a->plan_prompt, args);
    }
}

void app_plan_turn_params(struct app *a, json_t *p)
{
    free(a->plan_text);
    a->plan_text = NULL;
    if (!a->mode_chosen)
        return;
    json_object_set_new(p, "collaborationMode",
                        json_pack("{s:s s:{s:s? s:s? s:n}}", "mode",
                                  a->plan_mode ? "plan" : "default", "settings", "model", a->model,
                                  "reasoning_effort", a->effort, "developer_instructions"));
}

void app_plan_footer(struct app *a, struct tline *right, bool brief)
{
    if (!a->plan_mode)
        return;
    tline_adds(right, "Plan mode", tstyle_fg(COL_MAGENTA));
    if (brief)
        return;
    tline_adds(right, " (", TSTYLE_PLAIN);
    tline_adds(right, "shift+tab", tstyle_attr(TA_BOLD));
    tline_adds(right, " to cycle)", TSTYLE_PLAIN);
}

/* ---- the proposed plan -------------------------------------------------------------- */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static struct cell *plan_cell(struct app *a, const char *id)
{
    struct cell *c = transcript_find(&a->tr, id);
    if (c && c->type == CT_PROPOSED_PLAN)
        return c;
    if (c)
        return NULL;
    c = cell_proposed_plan_new(id);
    app_add_cell(a, c);
    return c;
}

bool app_plan_notification(struct app *a, const char *method, json_t *params)
{
    if (strcmp(method, "item/plan/delta") == 0) {
        const char *id = str(params, "itemId"), *delta = str(params, "delta");
        struct cell *c = id && delta ? plan_cell(a, id) : NULL;
        if (c)
            cell_proposed_plan_append(c, delta, strlen(delta));
        app_redraw(a);
        return true;
    }
    bool started = strcmp(method, "item/started") == 0;
    if (!started && strcmp(method, "item/completed") != 0)
        return false;
    json_t *item = json_object_get(params, "item");
    const char *type = str(item, "type"), *id = str(item, "id");
    if (!type || strcmp(type, "plan") != 0)
        return false;
    struct cell *c = id ? plan_cell(a, id) : NULL;
    const char *text = str(item, "text");
    if (c && text && (!started || *text))
        cell_proposed_plan_set(c, text);
    if (c && !started) {
        c->finished = true;
        cell_touch(c);
        replace_str(&a->plan_text, text);
    }
    app_redraw(a);
    return true;
}

void app_plan_replay_item(struct app *a, const json_t *item)
{
    struct cell *c = cell_proposed_plan_new(str(item, "id"));
    cell_proposed_plan_set(c, str(item, "text") ? str(item, "text") : "");
    c->finished = true;
    transcript_push(&a->tr, c);
}

/* ---- "Implement this plan?" ---------------------------------------------------------- */

static void open_implement(struct app *a)
{
    struct picker *p = &a->picker;
    picker_reset(p);
    p->kind = PICK_PLAN_IMPLEMENT;
    p->numbered = true;
    p->fit_column = true;
    picker_header(p, "Implement this plan?", tstyle_attr(TA_BOLD));
    picker_header(p, "", TSTYLE_PLAIN);
    picker_header(p, "", TSTYLE_PLAIN);
    picker_add(p, "Yes, implement this plan", "Switch to Default and start coding", "implement",
               0, false);
    char *fresh;
    if (a->context_window > 0 && a->context_used > 0) {
        long pct = (long)((a->context_used * 100 + a->context_window / 2) / a->context_window);
        fresh = xasprintf("Start a fresh thread (current context: %ld%% used)", pct ? pct : 1);
    } else {
        fresh = xstrdup("Start a fresh thread");
    }
    picker_add(p, "Yes, clear context and implement", fresh, "fresh", 0, false);
    free(fresh);
    picker_add(p, "No, stay in Plan mode", "Continue planning with the model", "stay", 0, false);
    a->help = false;
    a->pane = PANE_PICKER;
    app_redraw(a);
}

void app_plan_turn_finished(struct app *a, const char *status)
{
    if (!a->plan_mode || !a->plan_text || !*a->plan_text || a->turn_running ||
        a->pane != PANE_COMPOSER || !status || strcmp(status, "completed") != 0)
        return;
    open_implement(a);
}

void app_plan_select(struct app *a)
{
    struct picker *p = &a->picker;
    const char *v = p->n ? p->items[p->sel].value : NULL;
    char *choice = v ? xstrdup(v) : NULL;
    app_picker_close(a);
    if (choice && strcmp(choice, "implement") == 0) {
        set_mode(a, false);
        app_add_cell(a, cell_user_new(implement_text, 0));
        a->echo_pending++;
        app_submit(a, implement_text, NULL);
    } else if (choice && strcmp(choice, "fresh") == 0 && a->plan_text) {
        char *text = xasprintf("%s\n\n%s", fresh_prefix, a->plan_text);
        set_mode(a, false);
        app_slash_run(a, "/clear");
        /* Sent once the new thread is there. */
        app_submit(a, text, NULL);
        free(text);
    }
    free(choice);
    app_redraw(a);
}

void app_plan_free(struct app *a)
{
    free(a->default_effort);
    free(a->plan_effort);
    free(a->plan_text);
    free(a->plan_prompt);
    a->default_effort = a->plan_effort = a->plan_text = a->plan_prompt = NULL;
}
