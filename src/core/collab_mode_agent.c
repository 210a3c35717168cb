/* The agent's collaboration mode: which instructions the model has been
 * given, and Plan mode's messages split into the message and the plan
 * item (collab_mode.h says how). */
#include "core/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "util/xalloc.h"

void agent_set_collaboration_mode(struct agent *a, enum collab_mode mode, const char *instructions)
{
    a->collab_mode = mode;
    free(a->collab_text);
    a->collab_text = xstrdup(instructions ? instructions : collab_mode_instructions(mode));
}

enum collab_mode agent_collaboration_mode(const struct agent *a)
{
    return a->collab_mode;
}

const char *agent_collaboration_instructions(const struct agent *a)
{
    return a->collab_text;
}

static char *wrapped(const char *text)
{
    return xasprintf("<collaboration_mode>%s</collaboration_mode>", text);
}

char *agent_collab_context_text(struct agent *a)
{
    if (!a->collab_text)
        return NULL;
    free(a->collab_told);
    a->collab_told = xstrdup(a->collab_text);
    return wrapped(a->collab_text);
}

void agent_collab_record_change(struct agent *a)
{
    if (!a->collab_text || (a->collab_told && strcmp(a->collab_told, a->collab_text) == 0))
        return;
    char *text = agent_collab_context_text(a);
    const char *parts[] = {text};
    json_t *m = context_message("developer", parts, 1);
    agent_record_item(a, m);
    json_decref(m);
    free(text);
}

/* ---- Plan mode's <proposed_plan> ------------------------------------------ */

static void plan_item_event(struct agent *a, enum agent_event_kind kind, const char *text)
{
    char id[UUID_STR_LEN + 8];
    snprintf(id, sizeof id, "%s-plan", a->turn_id);
    json_t *item = json_pack("{s:s s:s s:s}", "type", "plan", "id", id, "text", text);
    struct agent_event ev = {.kind = kind, .item = item};
    agent_emit(a, &ev);
    json_decref(item);
}

static void plan_item_id(struct agent *a, char *out, size_t n)
{
    snprintf(out, n, "%s-plan", a->turn_id);
}

/* A resumed thread: the last <collaboration_mode> text of its history is
 * what the model was told. */
void agent_collab_resume(struct agent *a)
{
    static const char open[] = "<collaboration_mode>", close[] = "</collaboration_mode>";
    for (size_t i = 0; i < json_items_count(&a->history); i++) {
        const char *role = json_string_value(json_object_get(json_items_peek(&a->history, i), "role"));
        if (!role || strcmp(role, "developer") != 0)
            continue;
        json_t *item = json_items_get(&a->history, i);
        size_t k;
        const json_t *part;
        json_array_foreach(json_object_get(item, "content"), k, part) {
            const char *t = json_string_value(json_object_get(part, "text"));
            size_t n = t ? strlen(t) : 0;
            if (n < sizeof open + sizeof close - 2 || strncmp(t, open, sizeof open - 1) != 0 ||
                strcmp(t + n - (sizeof close - 1), close) != 0)
                continue;
            free(a->collab_told);
            a->collab_told = xstrndup(t + sizeof open - 1, n - (sizeof open - 1) - (sizeof close - 1));
        }
        json_decref(item);
    }
}

void agent_plan_stream_delta(struct agent *a, const char *item_id, const char *delta)
{
    const char *id = item_id ? item_id : "";
    if (!a->plan_split_item || strcmp(a->plan_split_item, id) != 0) {
        plan_splitter_free(&a->plan_split);
        free(a->plan_split_item);
        a->plan_split_item = xstrdup(id);
    }
    struct buf text = BUF_INIT, plan = BUF_INIT;
    bool was_inside = a->plan_split.inside;
    plan_splitter_feed(&a->plan_split, delta, &text, &plan);
    if (text.len) {
        struct agent_event ev = {.kind = AGENT_EV_AGENT_MESSAGE_DELTA, .item_id = item_id,
                                 .delta = buf_cstr(&text)};
        agent_emit(a, &ev);
    }
    if ((a->plan_split.inside || was_inside || plan.len) && !a->plan_item_started) {
        a->plan_item_started = true;
        plan_item_event(a, AGENT_EV_ITEM_STARTED, "");
    }
    if (plan.len) {
        char pid[UUID_STR_LEN + 8];
        plan_item_id(a, pid, sizeof pid);
        struct agent_event ev = {.kind = AGENT_EV_PLAN_DELTA, .item_id = pid,
                                 .delta = buf_cstr(&plan)};
        agent_emit(a, &ev);
    }
    buf_free(&text);
    buf_free(&plan);
}

void agent_plan_message_done(struct agent *a, json_t *agent_message)
{
    plan_splitter_free(&a->plan_split);
    free(a->plan_split_item);
    a->plan_split_item = NULL;
    char *text, *plan;
    plan_split_text(json_string_value(json_object_get(agent_message, "text")), &text, &plan);
    if (plan) {
        if (!a->plan_item_started) {
            a->plan_item_started = true;
            plan_item_event(a, AGENT_EV_ITEM_STARTED, "");
        }
        plan_item_event(a, AGENT_EV_ITEM_COMPLETED, plan);
        json_object_set_new(agent_message, "text", json_string(text));
    }
    free(text);
    free(plan);
}
