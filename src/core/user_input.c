/* The request_user_input tool: in Plan mode the model asks the user one to
 * three short questions through the front end and gets the answers back as
 * {"answers":{"<id>":{"answers":[...]}}}.  It is offered in every mode, as
 * the reference offers it; outside Plan mode a call is answered with the
 * reference's refusal.  A question is a ticket the front end answers with
 * agent_user_input_answer; an interrupted turn withdraws it. */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/collab_mode.h"
#include "tools/registry.h"
#include "util/xalloc.h"

struct user_input_wait {
    struct agent *agent;
    struct tool_call *call;
    uint64_t ticket;
    struct user_input_wait *next;
};

/* Our words; the reference's parameter names and limits. */
static const char spec[] =
    "{\"type\":\"function\",\"name\":\"request_user_input\","
    "\"description\":\"Ask the user one to three short questions and wait for the answers. "
    "Only available in Plan mode.\",\"strict\":false,"
    "\"parameters\":{\"type\":\"object\",\"properties\":{"
    "\"questions\":{\"type\":\"array\",\"description\":\"The questions, one if you can, never "
    "more than three.\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"header\":{\"type\":\"string\",\"description\":\"A label of at most 12 characters shown "
    "above the question.\"},"
    "\"id\":{\"type\":\"string\",\"description\":\"A snake_case key the answer comes back "
    "under.\"},"
    "\"options\":{\"type\":\"array\",\"description\":\"Two or three choices that exclude each "
    "other, the recommended one first with \\\"(Recommended)\\\" after its label. The user can "
    "always write their own answer, so do not add an \\\"Other\\\" choice.\","
    "\"items\":{\"type\":\"object\",\"properties\":{"
    "\"description\":{\"type\":\"string\",\"description\":\"One sentence on what choosing it "
    "means.\"},"
    "\"label\":{\"type\":\"string\",\"description\":\"One to five words.\"}},"
    "\"required\":[\"label\",\"description\"],\"additionalProperties\":false}},"
    "\"question\":{\"type\":\"string\",\"description\":\"The question, in one sentence.\"}},"
    "\"required\":[\"id\",\"header\",\"question\",\"options\"],\"additionalProperties\":false}}},"
    "\"required\":[\"questions\"],\"additionalProperties\":false}}";

static void unlink_wait(struct agent *a, struct user_input_wait *w)
{
    for (struct user_input_wait **p = &a->user_input_waits; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

/* The turn went away with the question open. */
static void on_drop(void *ud)
{
    struct user_input_wait *w = ud;
    struct agent *a = w->agent;
    unlink_wait(a, w);
    if (a->p.user_input_withdraw)
        a->p.user_input_withdraw(a->p.user_input_ud, w->ticket);
    free(w);
}

/* The questions as the front end gets them: every one takes a free-form
 * answer besides its options, and none is secret. */
static json_t *front_questions(const json_t *questions)
{
    json_t *out = json_array();
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q) {
        const json_t *options = json_object_get(q, "options");
        json_array_append_new(
            out, json_pack("{s:O s:O s:O s:b s:b s:O}", "id", json_object_get(q, "id"), "header",
                           json_object_get(q, "header"), "question", json_object_get(q, "question"),
                           "isOther", 1, "isSecret", 0, "options",
                           json_is_array(options) ? options : json_null()));
    }
    return out;
}

static const char *questions_problem(const json_t *args)
{
    const json_t *questions = json_object_get(args, "questions");
    if (!json_is_array(questions))
        return "missing field `questions`";
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q) {
        if (!json_is_object(q))
            return "each question must be an object";
        static const char *const keys[] = {"id", "header", "question"};
        for (size_t k = 0; k < 3; k++)
            if (!json_is_string(json_object_get(q, keys[k])))
                return keys[k][0] == 'i'   ? "a question is missing its `id`"
                       : keys[k][0] == 'h' ? "a question is missing its `header`"
                                           : "a question is missing its `question`";
    }
    return NULL;
}

/* The reference refuses a question without options (missing or empty)
 * before asking anything: the free-form answer is only ever the "None of
 * the above" notes. */
static bool every_question_has_options(const json_t *args)
{
    size_t i;
    const json_t *q;
    json_array_foreach(json_object_get(args, "questions"), i, q) {
        if (json_array_size(json_object_get(q, "options")) == 0)
            return false;
    }
    return true;
}

static void dispatch(void *ud, struct tool_call *call)
{
    struct agent *a = ud;
    if (a->collab_mode != COLLAB_PLAN) {
        tool_call_finish(call, xstrdup("request_user_input is unavailable in Default mode"));
        return;
    }
    json_error_t err;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &err);
    const char *problem = !json_is_object(args) ? err.text : questions_problem(args);
    if (problem) {
        tool_call_finish(call, xasprintf("failed to parse function arguments: %s", problem));
        json_decref(args);
        return;
    }
    if (!every_question_has_options(args)) {
        tool_call_finish(call, xstrdup("request_user_input requires non-empty options for every "
                                       "question"));
        json_decref(args);
        return;
    }
    json_t *questions = front_questions(json_object_get(args, "questions"));
    json_decref(args);
    struct user_input_wait *w = xcalloc(1, sizeof *w);
    w->agent = a;
    w->call = call;
    w->ticket = ++a->next_user_input_ticket;
    bool asked = a->p.user_input_ask &&
                 a->p.user_input_ask(a->p.user_input_ud, call->call_id, questions, w->ticket);
    json_decref(questions);
    if (!asked) {
        free(w);
        tool_call_finish(call, xstrdup("request_user_input is unavailable: there is no user to "
                                       "answer it here"));
        return;
    }
    w->next = a->user_input_waits;
    a->user_input_waits = w;
    call->on_drop = on_drop;
    call->drop_ud = w;
}

void agent_user_input_attach(struct agent *a)
{
    json_t *tools = json_pack("[o]", json_loads(spec, 0, NULL));
    struct tool_group g = {.tools = tools, .dispatch = dispatch, .ud = a};
    tool_registry_put(a->registry, &g);
    json_decref(tools);
}

/* The answers as the model reads them: each question's list of strings,
 * under its id; anything else in the answer is left out. */
static json_t *model_answers(const json_t *answers)
{
    json_t *out = json_object();
    const char *id;
    const json_t *v;
    json_object_foreach((json_t *)answers, id, v) {
        json_t *list = json_array();
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(v, "answers"), i, s)
            if (json_is_string(s))
                json_array_append(list, (json_t *)s);
        json_object_set_new(out, id, json_pack("{s:o}", "answers", list));
    }
    return json_pack("{s:o}", "answers", out);
}

bool agent_user_input_answer(struct agent *a, uint64_t ticket, const json_t *answers)
{
    struct user_input_wait *w = a->user_input_waits;
    while (w && w->ticket != ticket)
        w = w->next;
    if (!w)
        return false;
    unlink_wait(a, w);
    struct tool_call *call = w->call;
    call->on_drop = NULL;
    free(w);
    json_t *out = model_answers(json_is_object(answers) ? answers : NULL);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    tool_call_finish(call, text);
    return true;
}

void agent_user_input_detach(struct agent *a)
{
    while (a->user_input_waits) {
        struct user_input_wait *w = a->user_input_waits;
        a->user_input_waits = w->next;
        w->call->on_drop = NULL;
        free(w);
    }
}
