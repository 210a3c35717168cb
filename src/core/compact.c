/* Compaction: when a thread's history grows towards the model's context
 * window, the model is asked for a handoff summary, and the history is
 * replaced by a fresh initial context, the user's own recent messages (up
 * to a token budget) and the summary.  A new context window begins.
 *
 * Automatic compaction runs before the next request once the last
 * response's usage passes the limit (mid-turn after a round of tool calls,
 * or at the start of a turn); manual compaction (/compact,
 * thread/compact/start) runs as a turn of its own.  A compaction that fails
 * leaves the history as it was. */
#include "core/agent_internal.h"

#include <stdlib.h>
#include <string.h>

#include "model/request.h"
#include "model/stream.h"
#include "store/rollout_items.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The user's messages kept after a compaction, newest first, up to this
 * many tokens (the reference's budget). */
#define KEPT_USER_MESSAGE_TOKENS 20000
/* Each failed attempt because the history itself overflows the window
 * drops its oldest item; give up after this many. */
#define MAX_TRIMS 64

/* Our words for the request and for the summary's introduction. */
static const char default_compact_prompt[] =
    "Please write a handoff note so that another assistant can pick up this task without the "
    "conversation so far. The conversation will be replaced by your note.\n\n"
    "Cover:\n"
    "- the goal and any constraints or preferences the user stated;\n"
    "- what has been done so far, with the files, commands and results that matter;\n"
    "- what is still open: the next steps, unanswered questions and known problems.\n\n"
    "Be concrete and brief. Quote exact names, paths and error messages where they matter.";

#define BRIDGE_PREFIX                                                                              \
    "The conversation so far was condensed to keep it within the context window. Earlier work "   \
    "was done by an assistant that left the handoff note below; the tools and the workspace are " \
    "in the state it left them. Continue from there without repeating finished work.\n"         \
    "Handoff note:\n"

struct compaction {
    struct agent *a;
    bool manual;
    const char *phase;
    agent_compact_done_fn done;
    size_t n_input;     /* the history's items when it began: those are sent, */
    json_t *outputs;    /* the response's output items */
    json_t *item;       /* the contextCompaction item */
    size_t first_trimmable; /* but for the `trims` items from this one on (the */
    int trims;              /* oldest after the context) when it overflows */
    char *response_id;
};

int64_t agent_auto_compact_limit(const struct agent *a)
{
    /* 90% of the model's whole window (our context_window is already net
     * of 5% headroom); a configured limit may only lower it. */
    int64_t window = a->p.cfg->model_context_window > 0 ? a->p.cfg->model_context_window
                                                        : a->mi->context_window * 100 / 95;
    int64_t limit = window * 9 / 10;
    int64_t configured = a->p.cfg->model_auto_compact_token_limit;
    return configured > 0 && configured < limit ? configured : limit;
}

bool agent_needs_compaction(const struct agent *a)
{
    int64_t used = a->last_usage.total_tokens;
    if (a->p.cfg->compact_limit_after_prefix)
        used -= a->window_prefix_tokens;
    return a->last_usage.total_tokens > 0 && used >= agent_auto_compact_limit(a);
}


static char *message_text(const json_t *item, const char *part_type)
{
    struct buf b = BUF_INIT;
    size_t i;
    const json_t *part;
    json_array_foreach(json_object_get(item, "content"), i, part) {
        const char *t = json_string_value(json_object_get(part, "type"));
        const char *text = json_string_value(json_object_get(part, "text"));
        if (!t || !text || strcmp(t, part_type) != 0 || !*text)
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, text);
    }
    return b.len ? buf_detach(&b, NULL) : (buf_free(&b), NULL);
}

/* A user message the user typed, not context codex added nor the note of
 * an earlier compaction. */
static bool is_real_user_message(const json_t *item, char **text_out)
{
    char *text = rollout_user_input_text(item);
    if (text && strncmp(text, BRIDGE_PREFIX, strlen(BRIDGE_PREFIX)) == 0) {
        free(text);
        text = NULL;
    }
    *text_out = text;
    return text != NULL;
}

static json_t *user_text_message(const char *text)
{
    return json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "user", "content", "type",
                     "input_text", "text", text);
}

/* The history after compaction (without the base instructions). */
static json_t *replacement_history(struct agent *a, const char *bridge)
{
    json_t *out = agent_initial_context(a);
    /* The user's messages, newest first within the budget, then in order. */
    struct strvec texts = STRVEC_INIT;
    for (size_t i = 1; i < json_items_count(&a->history); i++) {
        const char *role = json_string_value(json_object_get(json_items_peek(&a->history, i), "role"));
        if (!role || strcmp(role, "user") != 0)
            continue;
        json_t *item = json_items_get(&a->history, i);
        char *text;
        if (item && is_real_user_message(item, &text))
            strvec_push_owned(&texts, text);
        json_decref(item);
    }
    size_t budget = (size_t)KEPT_USER_MESSAGE_TOKENS * 4, first = texts.n;
    while (first > 0 && budget > 0) {
        size_t len = strlen(texts.v[first - 1]);
        if (len > budget) {
            /* The oldest kept message is cut to what is left, marked. */
            char *cut = xasprintf("%.*s\n[\xe2\x80\xa6 truncated]", (int)budget, texts.v[first - 1]);
            free(texts.v[first - 1]);
            texts.v[first - 1] = cut;
            budget = 0;
        } else {
            budget -= len;
        }
        first--;
    }
    for (size_t i = first; i < texts.n; i++)
        json_array_append_new(out, user_text_message(texts.v[i]));
    strvec_free(&texts);
    json_array_append_new(out, user_text_message(bridge));
    return out;
}

static void compaction_free(struct compaction *c)
{
    json_decref(c->outputs);
    json_decref(c->item);
    free(c->response_id);
    free(c);
}

static void finish(struct compaction *c, bool ok, const char *error)
{
    struct agent *a = c->a;
    a->compaction = NULL;
    if (c->item) {
        json_object_set_new(c->item, "status", json_string(ok ? "completed" : "failed"));
        struct agent_event ev = {.kind = AGENT_EV_ITEM_COMPLETED, .item = c->item};
        if (ok)
            agent_emit(a, &ev);
    }
    agent_compact_done_fn done = c->done;
    compaction_free(c);
    /* The next request is an ordinary one again. */
    agent_set_request_headers(a, "turn", NULL);
    done(a, ok, error);
}

static void apply(struct compaction *c)
{
    struct agent *a = c->a;
    char *summary = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(c->outputs, i, item) {
        const char *type = json_string_value(json_object_get(item, "type"));
        if (type && strcmp(type, "message") == 0) {
            free(summary);
            summary = message_text(item, "output_text");
        }
    }
    char *bridge = xasprintf("%s%s", BRIDGE_PREFIX, summary ? summary : "(no summary was produced)");
    free(summary);
    json_t *replacement = replacement_history(a, bridge);

    /* The history becomes the base instructions and the replacement. */
    json_t *base = json_items_get(&a->history, 0);
    json_items_clear(&a->history);
    json_items_append(&a->history, base);
    json_decref(base);
    json_array_foreach(replacement, i, item)
        json_items_append(&a->history, item);
    a->history_sent = 0;

    char previous[UUID_STR_LEN];
    memcpy(previous, a->window_id, sizeof previous);
    uuid_v7(a->window_id);
    a->window_number++;
    rollout_append(a->rollout, "compacted",
                   json_pack("{s:s s:O s:i s:s s:s s:s s:s?}", "message", bridge, "replacement_history",
                             replacement, "window_number", a->window_number, "first_window_id",
                             a->first_window_id, "previous_window_id", previous, "window_id", a->window_id,
                             "compaction_response_id", c->response_id));
    json_decref(replacement);
    free(bridge);
    /* Until the next response says otherwise, the history is what was
     * just written (about four bytes a token). */
    size_t bytes = 0;
    for (i = 0; i < json_items_count(&a->history); i++) {
        char *s = json_dumps(json_items_peek(&a->history, i), JSON_COMPACT);
        bytes += s ? strlen(s) : 0;
        free(s);
    }
    memset(&a->last_usage, 0, sizeof a->last_usage);
    a->last_usage.total_tokens = a->window_prefix_tokens = (int64_t)(bytes / 4);
    agent_write_token_count(a);
    finish(c, true, NULL);
}

static void send_request(struct compaction *c);

static void on_event(void *ud, const struct stream_event *se)
{
    struct compaction *c = ud;
    if (se->kind == STREAM_EV_ITEM_DONE)
        json_array_append_new(c->outputs, json_deep_copy(se->item));
}

static void on_attempt(void *ud)
{
    struct compaction *c = ud;
    json_array_clear(c->outputs);
}

static void on_retry(void *ud, const char *notice)
{
    struct compaction *c = ud;
    struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = notice};
    agent_emit(c->a, &ev);
}

static void on_done(void *ud, const struct sample_result *res)
{
    struct compaction *c = ud;
    if (res->ok) {
        c->response_id = res->response_id ? xstrdup(res->response_id) : NULL;
        token_usage_add(&c->a->turn_usage, &res->usage);
        token_usage_add(&c->a->thread_usage, &res->usage);
        apply(c);
        return;
    }
    /* The history alone overflows the window: drop its oldest item (never
     * the initial context) and try again. */
    bool overflow = res->error && strcmp(res->error, MODEL_CONTEXT_WINDOW_MESSAGE) == 0;
    if (overflow && c->trims < MAX_TRIMS && c->n_input - (size_t)c->trims > c->first_trimmable + 1) {
        c->trims++;
        send_request(c);
        return;
    }
    char *msg = xasprintf("context compaction failed: %s", res->error ? res->error : "no response");
    struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = msg};
    agent_emit(c->a, &ev);
    finish(c, false, msg);
    free(msg);
}

static void send_request(struct compaction *c)
{
    struct agent *a = c->a;
    /* The history's own text, without the trimmed items. */
    struct buf input = BUF_INIT;
    size_t kept_len;
    size_t context = c->first_trimmable < c->n_input ? c->first_trimmable : c->n_input;
    const char *kept = json_items_span(&a->history, 0, context, &kept_len);
    buf_append(&input, kept, kept_len);
    kept = json_items_span(&a->history, c->first_trimmable + (size_t)c->trims, c->n_input, &kept_len);
    if (kept_len && input.len)
        buf_putc(&input, ',');
    buf_append(&input, kept, kept_len);
    json_t *ask = user_text_message(a->p.cfg->compact_prompt ? a->p.cfg->compact_prompt : default_compact_prompt);
    request_append_item(&input, ask);
    json_decref(ask);
    json_t *tools = json_array();
    json_t *meta = json_pack("{s:s s:s s:s}", "session_id", a->thread_id, "thread_id", a->thread_id, "turn_id",
                             a->turn_id);
    json_object_set_new(meta, "x-codex-window-id", json_sprintf("%s:%d", a->thread_id, a->window_number));
    struct request_parts rp = {
        .model = a->p.model,
        .tools = tools,
        .reasoning_effort = agent_effort(a),
        .reasoning_summary = a->mi->known ? a->p.cfg->model_reasoning_summary : "auto",
        .verbosity = a->p.cfg->model_verbosity ? a->p.cfg->model_verbosity : a->mi->verbosity,
        .prompt_cache_key = a->thread_id,
        .client_metadata = meta,
        .parallel_tool_calls = false,
        .service_tier = a->p.cfg->service_tier,
        .input_json = input.data ? input.data : "",
        .input_json_len = input.len,
    };
    agent_set_request_headers(
        a, "compaction",
        json_pack("{s:s s:s s:s s:s s:s}", "trigger", c->manual ? "manual" : "auto", "reason",
                  c->manual ? "user_requested" : "context_limit", "implementation", "responses", "phase",
                  c->phase, "strategy", "memento"));
    size_t len;
    char *body = request_body(&rp, &len);
    json_decref(tools);
    json_decref(meta);
    buf_free(&input);
    struct sample_callbacks cbs = {.on_attempt = on_attempt, .on_event = on_event, .on_retry = on_retry,
                                   .on_done = on_done, .ud = c};
    model_client_sample(a->client, body, len, &cbs);
}

static void compact_begin(struct agent *a, bool manual, const char *phase, agent_compact_done_fn done)
{
    struct compaction *c = xcalloc(1, sizeof *c);
    c->a = a;
    c->manual = manual;
    c->phase = phase;
    c->done = done;
    c->outputs = json_array();
    c->n_input = json_items_count(&a->history);
    /* The base instructions and the context that follows them stay. */
    json_t *context = agent_initial_context(a);
    c->first_trimmable = 1 + json_array_size(context);
    json_decref(context);
    a->compaction = c;
    char id[UUID_STR_LEN];
    uuid_v7(id);
    c->item = json_pack("{s:s s:s}", "type", "contextCompaction", "id", id);
    struct agent_event ev = {.kind = AGENT_EV_ITEM_STARTED, .item = c->item};
    agent_emit(a, &ev);
    send_request(c);
}

void agent_compact_cancel(struct agent *a)
{
    if (!a->compaction)
        return;
    compaction_free(a->compaction);
    a->compaction = NULL;
}

/* A failed automatic compaction leaves the history as it was; the request
 * goes out all the same, and fails on its own if the window is exceeded. */
static void sample_after(struct agent *a, bool ok, const char *error)
{
    (void)ok;
    (void)error;
    agent_sample(a);
}

void agent_sample_or_compact(struct agent *a, const char *phase)
{
    if (agent_needs_compaction(a))
        agent_compact(a, false, phase, sample_after);
    else
        agent_sample(a);
}

/* ---- manual compaction: a turn of its own ---- */

static void manual_done(struct agent *a, bool ok, const char *error)
{
    agent_finish_turn(a, ok, error);
}

void agent_compact_now(struct agent *a, void (*done)(void *ud, bool ok), void *done_ud)
{
    agent_begin_turn(a, json_array(), done, done_ud);
    if (!a->context_sent) {
        /* Nothing to compact yet: the thread has not started. */
        agent_finish_turn(a, true, NULL);
        return;
    }
    agent_compact(a, true, "standalone_turn", manual_done);
}

/* ---- compaction hooks ---------------------------------------------------- */

static json_t *compact_payload(struct agent *a, enum hook_event e)
{
    json_t *p = agent_hook_payload(a, e, true);
    json_object_set_new(p, "trigger", json_string(a->compact_manual ? "manual" : "auto"));
    return p;
}

static void compacted(struct agent *a, bool ok, const char *error)
{
    agent_compact_done_fn done = a->compact_done;
    a->compact_done = NULL;
    if (agent_hooks_has(a, HOOK_POST_COMPACT))
        agent_hooks_notify(a, HOOK_POST_COMPACT, a->compact_manual ? "manual" : "auto",
                           compact_payload(a, HOOK_POST_COMPACT));
    done(a, ok, error);
}

static void after_pre_compact(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    (void)o;
    compact_begin(a, a->compact_manual, a->compact_phase, compacted);
}

void agent_compact(struct agent *a, bool manual, const char *phase, agent_compact_done_fn done)
{
    a->compact_done = done;
    a->compact_manual = manual;
    a->compact_phase = phase;
    agent_hooks_fire(a, HOOK_PRE_COMPACT, manual ? "manual" : "auto",
                     agent_hooks_has(a, HOOK_PRE_COMPACT) ? compact_payload(a, HOOK_PRE_COMPACT)
                                                          : NULL,
                     after_pre_compact, NULL);
}
