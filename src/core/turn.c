/* A turn: the user's input, the context sent once per thread, the
 * sampling requests and the end of the turn (completed, failed or
 * interrupted). */
#include "core/agent_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/context.h"
#include "core/subagents.h"
#include "model/request.h"
#include "tools/exec_session.h"
#include "util/xalloc.h"

json_t *agent_initial_context(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    json_t *items = json_array();
    /* One developer message (the skills list, permissions, the deferred
     * tools, developer_instructions) and one user message (AGENTS.md, the
     * environment), each part an input_text, as the reference sends them.
     * include_permissions_instructions = false leaves out the permissions
     * part; a message goes only when something is left in it. */
    char *skills = a->p.guardian ? NULL : agent_skills_instructions(a);
    char *perms = cfg->include_permissions_instructions ? context_permissions(cfg) : NULL;
    char *collab = agent_collab_context_text(a);
    char *tools = agent_tools_note(a);
    const char *dev[5];
    int n_dev = 0;
    if (skills)
        dev[n_dev++] = skills;
    if (perms)
        dev[n_dev++] = perms;
    if (collab)
        dev[n_dev++] = collab;
    if (tools)
        dev[n_dev++] = tools;
    if (cfg->developer_instructions)
        dev[n_dev++] = cfg->developer_instructions;
    if (n_dev)
        json_array_append_new(items, context_message("developer", dev, n_dev));
    free(skills);
    free(perms);
    free(collab);
    free(tools);

    const char *user[2];
    int n_user = 0;
    char *agents = context_agents_md(cfg);
    char *block = agents ? xasprintf("# AGENTS.md instructions for %s\n\n<INSTRUCTIONS>\n%s\n"
                                     "</INSTRUCTIONS>",
                                     cfg->cwd, agents)
                         : NULL;
    free(agents);
    if (block)
        user[n_user++] = block;
    char *env = cfg->include_environment_context ? context_environment(cfg->cwd, cfg->envp) : NULL;
    if (env)
        user[n_user++] = env;
    if (n_user)
        json_array_append_new(items, context_message("user", user, n_user));
    free(block);
    free(env);
    return items;
}

static void send_initial_context(struct agent *a)
{
    const char *base[] = {a->base_instructions};
    json_t *m = context_message("developer", base, 1);
    json_items_append(&a->history, m); /* kept in session_meta, not as a response_item */
    json_decref(m);
    json_t *items = agent_initial_context(a);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
        agent_record_item(a, item);
    json_decref(items);
}

void agent_ensure_context(struct agent *a)
{
    if (a->context_sent)
        return;
    send_initial_context(a);
    a->context_sent = true;
    a->context_early = true;
}

static void write_turn_context(struct agent *a, const char *effort)
{
    const struct codex_config *cfg = a->p.cfg;
    /* The mode as 0.169 records it; its developer_instructions only when a
     * client gave its own (null stands for the mode's built-in text).  A
     * resumed thread picks the mode up from here. */
    const char *own = a->collab_text && strcmp(a->collab_text, collab_mode_instructions(a->collab_mode)) != 0
                          ? a->collab_text
                          : NULL;
    json_t *mode = json_pack("{s:s s:{s:s s:s? s:s?}}", "mode", collab_mode_name(a->collab_mode),
                             "settings", "model", a->p.model, "reasoning_effort", effort,
                             "developer_instructions", own);
    rollout_append(a->rollout, "turn_context",
                   json_pack("{s:s s:s s:s s:{s:s} s:s s:s? s:o}", "turn_id", a->turn_id, "cwd",
                             cfg->cwd, "approval_policy",
                             approval_policy_name(cfg->approval_policy), "sandbox_policy", "type",
                             sandbox_mode_name(cfg->sandbox_mode), "model", a->p.model, "effort",
                             effort, "collaboration_mode", mode));
}

void agent_set_request_headers(struct agent *a, const char *kind, json_t *compaction)
{
    struct strvec *h = &a->p.provider->headers;
    while (h->n > a->base_headers)
        free(h->v[--h->n]);
    if (h->v)
        h->v[h->n] = NULL;
    strvec_push_owned(h, xasprintf("x-codex-window-id: %s:%d", a->thread_id, a->window_number));
    json_t *meta = json_pack("{s:s s:s s:s s:s s:s s:s s:s}", "session_id", a->thread_id, "thread_id",
                             a->thread_id, "turn_id", a->turn_id, "window_id", "", "request_kind", kind,
                             "turn_trigger", "exec", "sandbox_mode", sandbox_mode_name(a->p.cfg->sandbox_mode));
    json_object_set_new(meta, "window_id", json_sprintf("%s:%d", a->thread_id, a->window_number));
    json_object_set_new(meta, "window_number", json_integer(a->window_number));
    json_object_set_new(meta, "context_window_id", json_string(a->window_id));
    const struct subagent_link *link = a->p.subagent;
    if (link) {
        json_object_set_new(meta, "parent_thread_id", json_string(link->parent_thread_id));
        json_object_set_new(meta, "parent_turn_id", json_string(link->parent_turn_id));
        if (!link->job_source)
            json_object_set_new(meta, "subagent_kind", json_string("thread_spawn"));
        json_object_set_new(meta, "thread_source", json_string("subagent"));
    }
    const struct guardian_link *g = a->p.guardian;
    if (g) {
        json_object_set_new(meta, "session_id", json_string(g->parent_thread_id));
        json_object_set_new(meta, "parent_thread_id", json_string(g->parent_thread_id));
        json_object_set_new(meta, "parent_turn_id", json_string(g->parent_turn_id));
        json_object_set_new(meta, "subagent_kind", json_string("guardian"));
        json_object_set_new(meta, "thread_source", json_string("guardian_review"));
        json_object_set_new(meta, "turn_trigger", json_string("guardian_review"));
    }
    if (compaction) {
        json_object_set_new(meta, "compaction", compaction);
    } else {
        const char *effort = agent_effort(a);
        if (effort)
            json_object_set_new(meta, "reasoning_effort", json_string(effort));
        json_object_set_new(meta, "model", json_string(a->p.model));
    }
    char *text = json_dumps(meta, JSON_COMPACT);
    strvec_push_owned(h, xasprintf("x-codex-turn-metadata: %s", text));
    free(text);
    json_decref(meta);
}

const char *agent_effort(const struct agent *a)
{
    const char *e = a->p.cfg->model_reasoning_effort;
    if (e)
        return e;
    if (model_catalog_file_facts(a->catalog, a->p.model))
        return a->mi->default_effort;
    return model_default_effort(a->p.model);
}

int64_t agent_context_window(const struct agent *a)
{
    int64_t configured = a->p.cfg->model_context_window;
    return configured > 0 ? configured : a->mi->context_window;
}

/* ---- the turn ---------------------------------------------------------- */

void agent_finish_turn(struct agent *a, bool ok, const char *error)
{
    struct agent_event ev = {.kind = ok ? AGENT_EV_TURN_COMPLETED : AGENT_EV_TURN_FAILED,
                             .usage = a->turn_usage, .message = error};
    int64_t end = agent_now_ms();
    json_t *complete = json_pack(
        "{s:s s:s s:s s:s? s:I s:I s:I}", "type", "task_complete", "root_turn_id", a->turn_id,
        "turn_id", a->turn_id, "last_agent_message", a->last_message, "started_at",
        (json_int_t)(a->turn_started_ms / 1000), "completed_at", (json_int_t)(end / 1000),
        "duration_ms", (json_int_t)(end - a->turn_started_ms));
    json_object_set_new(complete, "time_to_first_token_ms",
                        a->first_output_ms
                            ? json_integer((json_int_t)(a->first_output_ms - a->turn_started_ms))
                            : json_null());
    rollout_append(a->rollout, "event_msg", complete);
    agent_emit(a, &ev);
    if (ok)
        agent_notify_turn_complete(a);
    void (*done)(void *, bool) = a->done;
    a->done = NULL;
    if (done)
        done(a->done_ud, ok);
}

static json_t *user_message(const char *prompt, const struct strvec *images)
{
    json_t *content = json_array();
    json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_text", "text", prompt));
    for (size_t i = 0; images && i < images->n; i++)
        json_array_append_new(content, json_pack("{s:s s:s}", "type", "input_image", "image_url",
                                                 images->v[i]));
    return json_pack("{s:s s:s s:o}", "type", "message", "role", "user", "content", content);
}

static void continue_turn(struct agent *a);

/* The turn's user message enters the history (after any pre-turn
 * compaction, whether or not it succeeded), then the model is asked. */
static void record_input_then_sample(struct agent *a, bool compacted, const char *error)
{
    (void)compacted;
    (void)error;
    json_t *msg = a->pending_input;
    a->pending_input = NULL;
    agent_collab_record_change(a);
    agent_record_item(a, msg);
    json_decref(msg);
    size_t k;
    json_t *note;
    json_array_foreach(a->prompt_notes, k, note) {
        const char *text[] = {json_string_value(note)};
        json_t *m = context_message("developer", text, 1);
        agent_record_item(a, m);
        json_decref(m);
    }
    json_decref(a->prompt_notes);
    a->prompt_notes = NULL;
    if (a->hidden_turn) {
        a->hidden_turn = false;
        agent_sample(a);
        return;
    }
    const char *prompt = json_string_value(json_array_get(a->turn_inputs, 0));
    agent_skills_inject(a, prompt);
    json_t *item = json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "userMessage", "id", a->turn_id,
                             "content", "type", "text", "text", prompt);
    struct agent_event started = {.kind = AGENT_EV_ITEM_STARTED, .item = item};
    agent_emit(a, &started);
    struct agent_event completed = {.kind = AGENT_EV_ITEM_COMPLETED, .item = item};
    agent_emit(a, &completed);
    json_decref(item);
    agent_sample(a);
}

void agent_begin_turn(struct agent *a, json_t *inputs, void (*done)(void *ud, bool ok),
                      void *done_ud)
{
    uuid_v7(a->turn_id);
    a->done = done;
    a->done_ud = done_ud;
    memset(&a->turn_usage, 0, sizeof a->turn_usage);
    a->review_denials_in_row = 0;
    a->review_window_n = a->review_window_next = 0;
    free(a->review_trip);
    a->review_trip = NULL;
    free(a->last_message);
    a->last_message = NULL;
    json_decref(a->turn_inputs);
    a->turn_inputs = inputs;
    turn_diff_clear(&a->turn_diff);
    a->turn_started_ms = agent_now_ms();
    a->first_output_ms = 0;
    a->stop_hook_active = false;
    a->plan_item_started = false;
    struct agent_event ev = {.kind = AGENT_EV_TURN_STARTED};
    agent_emit(a, &ev);
}

static void start_turn(struct agent *a, const char *prompt, const struct strvec *image_urls,
                       bool hidden, void (*done)(void *ud, bool ok), void *done_ud)
{
    agent_begin_turn(a, json_pack("[s]", prompt), done, done_ud);
    a->hidden_turn = hidden;
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:{s:s s:s s:n s:n s:s} s:s s:s s:I s:I s:s}", "type",
                             "task_started", "turn_attribution", "turn_id", a->turn_id,
                             "turn_trigger", "exec", "parent_turn_id", "initiating_agent_path",
                             "root_turn_id", a->turn_id, "turn_id", a->turn_id, "root_turn_id",
                             a->turn_id, "started_at", (json_int_t)(a->turn_started_ms / 1000),
                             "model_context_window", (json_int_t)agent_context_window(a),
                             "collaboration_mode_kind", collab_mode_name(a->collab_mode)));
    /* The context and the first request wait for the session's tools (MCP
     * servers still starting); the turn is under way meanwhile. */
    free(a->pending_prompt);
    a->pending_prompt = xstrdup(prompt);
    strvec_free(&a->pending_images);
    for (size_t i = 0; image_urls && i < image_urls->n; i++)
        strvec_push(&a->pending_images, image_urls->v[i]);
    agent_tools_when_ready(a, continue_turn);
}

static void after_prompt_hooks(struct agent *a, void *ctx, const struct hook_outcome *o);

/* The first turn of a session runs the SessionStart hooks once the
 * context is in place; their notes follow the context. */
static void after_session_start(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    agent_record_developer_notes(a, o);
    if (a->hidden_turn) {
        after_prompt_hooks(a, NULL, NULL);
        return;
    }
    json_t *payload = agent_hook_payload(a, HOOK_USER_PROMPT_SUBMIT, true);
    json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
    json_object_set_new(payload, "prompt", json_string(a->pending_prompt));
    agent_hooks_fire(a, HOOK_USER_PROMPT_SUBMIT, NULL, payload, after_prompt_hooks, NULL);
}

void agent_start_turn(struct agent *a, const char *prompt, const struct strvec *image_urls,
                      void (*done)(void *ud, bool ok), void *done_ud)
{
    start_turn(a, prompt, image_urls, false, done, done_ud);
}

void agent_start_hidden_turn(struct agent *a, const char *context, void (*done)(void *ud, bool ok),
                             void *done_ud)
{
    start_turn(a, context, NULL, true, done, done_ud);
}

static void continue_turn(struct agent *a)
{
    bool resumed = a->context_sent && !a->context_early;
    a->context_early = false;
    agent_ensure_context(a);
    if (a->session_started) {
        after_session_start(a, NULL, NULL);
        return;
    }
    a->session_started = true;
    const struct subagent_link *link = a->p.subagent;
    if (link) {
        /* A subagent's session is its parent's: it starts as a subagent. */
        const char *type = link->role ? link->role : "default";
        json_t *payload = agent_hook_payload(a, HOOK_SUBAGENT_START, true);
        json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
        json_object_set_new(payload, "agent_id", json_string(a->thread_id));
        json_object_set_new(payload, "agent_type", json_string(type));
        agent_hooks_fire(a, HOOK_SUBAGENT_START, type, payload, after_session_start, NULL);
        return;
    }
    const char *source = resumed ? "resume" : "startup";
    json_t *payload = agent_hook_payload(a, HOOK_SESSION_START, false);
    json_object_set_new(payload, "permission_mode", json_string(agent_permission_mode(a)));
    json_object_set_new(payload, "source", json_string(source));
    agent_hooks_fire(a, HOOK_SESSION_START, source, payload, after_session_start, NULL);
}

/* A prompt a UserPromptSubmit hook blocked is not recorded and nothing is
 * asked: the turn completes empty.  Otherwise the hooks' notes follow the
 * prompt. */
static void after_prompt_hooks(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    char *prompt = a->pending_prompt;
    a->pending_prompt = NULL;
    if (o && o->block) {
        free(prompt);
        strvec_free(&a->pending_images);
        agent_finish_turn(a, true, NULL);
        return;
    }
    const char *effort = agent_effort(a);
    write_turn_context(a, effort);
    agent_set_request_headers(a, "turn", NULL);

    /* A window already full is compacted before the new message joins the
     * history, so the message follows the summary rather than being folded
     * into it. */
    a->pending_input = user_message(prompt, &a->pending_images);
    strvec_free(&a->pending_images);
    free(prompt);
    json_decref(a->prompt_notes);
    a->prompt_notes = NULL;
    if (o && o->contexts.n) {
        a->prompt_notes = json_array();
        for (size_t i = 0; i < o->contexts.n; i++)
            json_array_append_new(a->prompt_notes, json_string(o->contexts.v[i]));
    }
    if (agent_needs_compaction(a))
        agent_compact(a, false, "pre_turn", record_input_then_sample);
    else
        record_input_then_sample(a, true, NULL);
}

/* ---- model output ------------------------------------------------------ */

static void on_attempt(void *ud)
{
    struct agent *a = ud;
    json_array_clear(a->attempt_items);
}

static void on_retry(void *ud, const char *notice)
{
    struct agent_event ev = {.kind = AGENT_EV_ERROR, .message = notice};
    agent_emit(ud, &ev);
}

/* ---- tool calls -------------------------------------------------------- */

/* The reference reports usage once the round's tool outputs are recorded. */
void agent_write_token_count(struct agent *a)
{
    /* No rate-limit headers are read yet: every field is present and null. */
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:{s:o s:o s:b s:I} s:{s:s s:n s:n s:n s:n s:n s:n s:n s:n}}",
                             "type", "token_count", "info", "total_token_usage",
                             token_usage_to_json(&a->thread_usage, 1), "last_token_usage",
                             token_usage_to_json(&a->last_usage, 1), "last_usage_includes_reasoning",
                             0, "model_context_window", (json_int_t)agent_context_window(a),
                             "rate_limits", "limit_id", "codex", "limit_name", "primary",
                             "secondary", "credits", "individual_limit", "spend_control_reached",
                             "plan_type", "rate_limit_reached_type"));
}

static void after_post_model_request(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    (void)o;
    agent_run_calls(a);
}

static void on_sample_done(void *ud, const struct sample_result *res)
{
    struct agent *a = ud;
    if (agent_hooks_has(a, HOOK_POST_MODEL_REQUEST)) {
        json_t *payload = agent_hook_payload(a, HOOK_POST_MODEL_REQUEST, true);
        json_object_set_new(payload, "status", json_string(res->ok ? "completed" : "failed"));
        json_object_set_new(payload, "error", res->ok ? json_null() : json_string(res->error ? res->error : ""));
        json_object_set_new(payload, "token_usage", res->ok ? token_usage_to_json(&res->usage, 1) : json_null());
        if (!res->ok)
            agent_hooks_notify(a, HOOK_POST_MODEL_REQUEST, NULL, payload);
        else
            a->post_model_payload = payload;
    }
    if (!res->ok) {
        json_array_clear(a->attempt_items);
        struct agent_event err = {.kind = AGENT_EV_ERROR, .message = res->error};
        agent_emit(a, &err);
        agent_finish_turn(a, false, res->error);
        return;
    }
    token_usage_add(&a->turn_usage, &res->usage);
    token_usage_add(&a->thread_usage, &res->usage);
    size_t i;
    json_t *item;
    json_array_foreach(a->attempt_items, i, item)
        agent_record_item(a, item);
    rollout_append(a->rollout, "token_usage_record",
                   json_pack("{s:s s:s s:s s:s s:s? s:o s:o s:o}", "thread_id", a->thread_id,
                             "turn_id", a->turn_id, "session_id", a->thread_id, "root_turn_id",
                             a->turn_id, "response_id", res->response_id, "usage",
                             token_usage_to_json(&res->usage, 1), "turn_token_usage",
                             token_usage_to_json(&a->turn_usage, 1), "thread_token_usage",
                             token_usage_to_json(&a->thread_usage, 1)));
    a->last_usage = res->usage;
    struct agent_event ev = {.kind = AGENT_EV_TOKEN_USAGE, .usage = res->usage};
    agent_emit(a, &ev);
    json_t *payload = a->post_model_payload;
    a->post_model_payload = NULL;
    if (payload)
        agent_hooks_fire(a, HOOK_POST_MODEL_REQUEST, NULL, payload, after_post_model_request, NULL);
    else
        agent_run_calls(a);
}

static void sample_now(struct agent *a);

static void after_pre_model_request(struct agent *a, void *ctx, const struct hook_outcome *o)
{
    (void)ctx;
    (void)o;
    sample_now(a);
}

void agent_sample(struct agent *a)
{
    agent_hooks_fire(a, HOOK_PRE_MODEL_REQUEST, NULL,
                     agent_hooks_has(a, HOOK_PRE_MODEL_REQUEST)
                         ? agent_hook_payload(a, HOOK_PRE_MODEL_REQUEST, true)
                         : NULL,
                     after_pre_model_request, NULL);
}

static void sample_now(struct agent *a)
{
    agent_steer_flush(a);
    agent_subagents_flush_notes(a);
    agent_tools_before_request(a);
    json_t *meta = json_pack("{s:s s:s s:s s:s}", "session_id", a->thread_id, "thread_id",
                             a->thread_id, "turn_id", a->turn_id, "x-codex-window-id", "");
    json_object_set_new(meta, "x-codex-window-id", json_sprintf("%s:%d", a->thread_id, a->window_number));
    const struct guardian_link *g = a->p.guardian;
    char *cache_key = g ? xasprintf("guardian:%s", g->parent_thread_id) : NULL;
    if (g) {
        /* The reference's marks of its reviewer's requests. */
        json_object_set_new(meta, "session_id", json_string(g->parent_thread_id));
        json_object_set_new(meta, "x-openai-subagent", json_string("guardian"));
        json_object_set_new(meta, "x-codex-parent-thread-id", json_string(g->parent_thread_id));
        json_object_set_new(meta, "parent_turn_id", json_string(g->parent_turn_id));
    }
    struct request_parts rp = {
        .model = a->p.model,
        .tools = a->tools,
        .reasoning_effort = agent_effort(a),
        .reasoning_summary = a->mi->known ? a->p.cfg->model_reasoning_summary : "auto",
        .verbosity = a->p.cfg->model_verbosity ? a->p.cfg->model_verbosity : a->mi->verbosity,
        .output_schema = a->p.output_schema,
        .output_schema_lenient = g != NULL, /* the verdict's schema has optional members */
        .prompt_cache_key = cache_key ? cache_key : a->thread_id,
        .client_metadata = meta,
        .parallel_tool_calls = a->mi->parallel_tool_calls,
        .service_tier = a->p.cfg->service_tier,
    };
    rp.input_json = json_items_text(&a->history, &rp.input_json_len);
    a->history_sent = json_items_count(&a->history);
    struct request_split sp;
    request_body_split(&rp, &sp);
    json_decref(meta);
    free(cache_key);
    struct sample_callbacks cbs = {.on_attempt = on_attempt, .on_event = agent_on_stream_event,
                                   .on_retry = on_retry, .on_done = on_sample_done, .ud = a};
    /* The history's text only grows in here and is cut only by a compaction,
     * which never runs while a sampling is in flight. */
    model_client_sample_parts(a->client, sp.head, sp.head_len, rp.input_json, rp.input_json_len,
                              sp.tail, sp.tail_len, &cbs);
}

size_t agent_stop_background_terminals(struct agent *a)
{
    return exec_sessions_terminate(a->sessions);
}

void agent_interrupt(struct agent *a)
{
    if (!a->done)
        return;
    model_client_cancel(a->client);
    agent_hooks_cancel(a);
    json_decref(a->post_model_payload);
    a->post_model_payload = NULL;
    agent_compact_cancel(a);
    agent_review_cancel(a);
    if (a->pending_input) {
        /* Interrupted while compacting first: what the user said still
         * belongs to the thread. */
        agent_record_item(a, a->pending_input);
        json_decref(a->pending_input);
        a->pending_input = NULL;
    }
    /* Withdrawn questions answer their tools with "abort"; the calls they
     * finish are not the turn's results any more. */
    a->interrupting = true;
    approvals_cancel_all(a->approvals);
    approvals_take_abort(a->approvals);
    agent_mcp_interrupt(a);
    /* Killing the sessions drops the tools' waiters without calling them
     * back, so the calls can be freed right after. */
    exec_sessions_free(a->sessions);
    a->sessions = exec_sessions_new(a->loop);
    agent_user_shells_stop(a);
    a->host.sessions = a->sessions;
    for (size_t i = 0; i < a->n_calls; i++)
        tool_call_free(a->calls[i]);
    free(a->calls);
    a->calls = NULL;
    a->n_calls = a->n_done = a->n_started = a->n_running = 0;
    a->exclusive_running = false;
    json_array_clear(a->attempt_items);
    a->interrupting = false;
    /* The children work for this turn: they stop with it (after its calls
     * are gone, so a wait_agent they would end has no turn to resume). */
    agent_subagents_interrupt(a);
    /* A turn still waiting for its tools never started its requests. */
    a->waiting_for_tools = false;
    a->tools_ready_then = NULL;
    free(a->pending_prompt);
    a->pending_prompt = NULL;
    strvec_free(&a->pending_images);
    rollout_append(a->rollout, "event_msg",
                   json_pack("{s:s s:s s:s}", "type", "turn_aborted", "turn_id", a->turn_id,
                             "reason", "interrupted"));
    if (agent_hooks_has(a, HOOK_INTERRUPT))
        agent_hooks_notify(a, HOOK_INTERRUPT, NULL, agent_hook_payload(a, HOOK_INTERRUPT, true));
    void (*done)(void *, bool) = a->done;
    a->done = NULL;
    done(a->done_ud, false);
}

