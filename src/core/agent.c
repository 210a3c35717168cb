/* The agent: a thread's lifecycle.  A thread keeps the conversation
 * history; its turns (turn.c) send it to the model and run the tool calls
 * the model asks for.  Progress is reported as events (events.h) and
 * recorded in the rollout file. */
#include "core/agent_internal.h"
#include "core/auto_review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/context.h"
#include "core/resume_repair.h"
#include "core/subagents.h"
#include "model/provider.h"
#include "model/request.h"
#include "netproxy/session.h"
#include "store/git_head.h"
#include "store/rollout_items.h"
#include "tools/exec_session.h"
#include "util/xalloc.h"

int64_t agent_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void agent_emit(struct agent *a, struct agent_event *ev)
{
    /* A session file that stopped taking writes is said once, as soon as
     * anything else happens: the session goes on, but may not resume whole. */
    char *lost = rollout_take_error(a->rollout);
    if (lost) {
        char *msg = xasprintf("%s; this session may not resume completely", lost);
        struct agent_event warn = {.kind = AGENT_EV_WARNING, .message = msg,
                                   .thread_id = a->thread_id, .turn_id = a->turn_id};
        a->emit_fn(a->emit_ud, &warn);
        free(msg);
        free(lost);
    }
    ev->thread_id = a->thread_id;
    ev->turn_id = a->turn_id;
    if (ev->kind == AGENT_EV_ITEM_COMPLETED) {
        /* Item start times are not tracked: both stamps are the completion. */
        json_int_t at = (json_int_t)agent_now_ms();
        rollout_append(a->rollout, "event_msg",
                       json_pack("{s:s s:s s:s s:o s:I s:I}", "type", "item_completed",
                                 "thread_id", a->thread_id, "turn_id", a->turn_id, "item",
                                 rollout_item_from_v2(ev->item), "started_at_ms", at,
                                 "completed_at_ms", at));
    }
    a->emit_fn(a->emit_ud, ev);
}

/* ---- the tools' host ----------------------------------------------------- */

bool agent_approval_answer(struct agent *a, uint64_t ticket, enum review_decision decision)
{
    if (agent_subagents_is_child_ticket(ticket))
        return agent_subagents_answer(a, ticket, decision);
    return approvals_answer(a->approvals, ticket, decision);
}

/* Sequence numbers as the reference writes them: history[0] (the base
 * instructions) is 0, and "sampled through" is the last item the model had
 * been sent when this one was recorded. */
void agent_record_item(struct agent *a, json_t *item)
{
    json_items_append(&a->history, item);
    json_int_t seq = (json_int_t)json_items_count(&a->history) - 1;
    json_int_t sampled = a->history_sent ? (json_int_t)a->history_sent - 1 : 0;
    rollout_append_item(a->rollout, json_incref(item),
                        json_pack("{s:I s:I s:b}", "history_sequence", seq,
                                  "sampled_through_sequence", sampled, "client_authored", 0));
}

static void write_session_meta(struct agent *a)
{
    char ts[32];
    rollout_timestamp(ts);
    const char *window = a->window_id;
    json_t *meta = json_pack(
        "{s:s s:s s:s s:s s:[s] s:s s:s s:s s:s s:s s:{s:s} s:{s:s}}", "id", a->thread_id,
        "session_id", a->thread_id, "timestamp", ts, "cwd", a->p.cfg->cwd,
        "runtime_workspace_roots", a->p.cfg->cwd, "originator", a->p.originator, "cli_version",
        CODEX_VERSION, "source", a->p.source, "thread_source", a->p.thread_source ? a->p.thread_source : "user", "model_provider",
        a->p.provider_id, "base_instructions", "text", a->base_instructions, "context_window",
        "window_id", window);
    if (a->p.parent_thread_id)
        json_object_set_new(meta, "parent_thread_id", json_string(a->p.parent_thread_id));
    const struct subagent_link *link = a->p.subagent;
    if (a->p.guardian) {
        /* SubAgentSource::Other("guardian"), in the parent's session. */
        json_object_set_new(meta, "session_id", json_string(a->p.guardian->parent_thread_id));
        json_object_set_new(meta, "source", json_pack("{s:{s:s}}", "subagent", "other", "guardian"));
    } else if (link && link->job_source) {
        /* A worker of an agent job: SubAgentSource::Other(label). */
        json_object_set_new(meta, "session_id", json_string(link->parent_thread_id));
        json_object_set_new(meta, "source", json_pack("{s:{s:s}}", "subagent", "other", link->job_source));
    } else if (link) {
        json_object_set_new(meta, "session_id", json_string(link->parent_thread_id));
        json_object_set_new(
            meta, "source",
            json_pack("{s:{s:{s:s s:i s:n s:s? s:s?}}}", "subagent", "thread_spawn",
                      "parent_thread_id", link->parent_thread_id, "depth", link->depth,
                      "agent_path", "agent_nickname", link->nickname, "agent_role", link->role));
        json_object_set_new(meta, "agent_nickname", json_string(link->nickname));
        if (link->role)
            json_object_set_new(meta, "agent_role", json_string(link->role));
        json_object_set_new(meta, "multi_agent_version", json_string("v1"));
    }
    char *commit, *branch;
    if (git_head(a->p.cfg->cwd, &commit, &branch) == 0) {
        json_object_set_new(meta, "git", json_pack("{s:s s:s?}", "commit_hash", commit,
                                                   "branch", branch));
        free(commit);
        free(branch);
    }
    rollout_append(a->rollout, "session_meta", meta);
}

static void add_thread_headers(struct agent *a)
{
    struct strvec *h = &a->p.provider->headers;
    const struct subagent_link *link = a->p.subagent;
    a->front_headers = h->n;
    strvec_push_owned(h, xasprintf("originator: %s", a->p.originator));
    const struct guardian_link *g = a->p.guardian;
    strvec_push_owned(h, xasprintf("session-id: %s", link ? link->parent_thread_id
                                                     : g  ? g->parent_thread_id
                                                          : a->thread_id));
    if (g) {
        strvec_push(h, "x-openai-subagent: guardian");
        strvec_push_owned(h, xasprintf("x-codex-parent-thread-id: %s", g->parent_thread_id));
    } else if (link && link->job_source) {
        strvec_push_owned(h, xasprintf("x-openai-subagent: %s", link->job_source));
    } else if (link) {
        strvec_push(h, "x-openai-subagent: collab_spawn");
        strvec_push_owned(h, xasprintf("x-codex-parent-thread-id: %s", link->parent_thread_id));
    }
    strvec_push_owned(h, xasprintf("thread-id: %s", a->thread_id));
    strvec_push_owned(h, xasprintf("x-client-request-id: %s", a->thread_id));
    a->base_headers = h->n;
}

/* A resumed thread: the stored base instructions, then everything the
 * model saw before; the initial context is already part of it. */
static void resume_history(struct agent *a, struct rollout_session *rs)
{
    if (rs->base_instructions) {
        free(a->base_instructions);
        a->base_instructions = xstrdup(rs->base_instructions);
    }
    const char *base[] = {a->base_instructions};
    json_t *developer = context_message("developer", base, 1);
    json_items_append(&a->history, developer);
    json_decref(developer);
    json_items_move_all(&a->history, &rs->history);
    a->context_sent = true;
    /* The thread goes on in the mode it was in (the last turn_context's). */
    enum collab_mode mode;
    const json_t *cm = rs->collaboration_mode;
    if (cm && collab_mode_parse(json_string_value(json_object_get(cm, "mode")), &mode) &&
        (mode != COLLAB_DEFAULT || a->collab_text))
        agent_set_collaboration_mode(
            a, mode,
            json_string_value(json_object_get(json_object_get(cm, "settings"), "developer_instructions")));
    agent_collab_resume(a);
    a->window_number = rs->window_number;
    a->last_usage.total_tokens = rs->last_total_tokens;
    if (rs->window_id)
        snprintf(a->window_id, sizeof a->window_id, "%s", rs->window_id);
    if (rs->first_window_id)
        snprintf(a->first_window_id, sizeof a->first_window_id, "%s", rs->first_window_id);
}

int agent_reload_history(struct agent *a, struct codex_error *err)
{
    if (!a->rollout) {
        codex_error_set(err, "the thread has no session file");
        return -1;
    }
    char *path = xstrdup(rollout_path(a->rollout));
    struct rollout_session rs;
    if (rollout_load(path, &rs, err) != 0) {
        free(path);
        return -1;
    }
    char *why = NULL;
    struct rollout *r = rollout_reopen(path, rs.n_lines, rs.torn_tail, &why);
    if (!r) {
        codex_error_set(err, "%s", why ? why : "cannot reopen the session file");
        free(why);
        free(path);
        rollout_session_free(&rs);
        return -1;
    }
    rollout_close(a->rollout);
    a->rollout = r;
    json_items_clear(&a->history);
    a->history_sent = 0;
    a->window_number = 0;
    a->last_usage.total_tokens = 0;
    /* Reverted to before the first turn: the initial context went with it
     * and goes in again with the next one. */
    bool kept = json_items_count(&rs.history) > 0;
    resume_history(a, &rs);
    a->context_sent = kept;
    rollout_session_free(&rs);
    free(path);
    return 0;
}

static int open_rollout(struct agent *a, struct codex_error *err)
{
    const struct agent_params *p = &a->p;
    char *why = NULL;
    if (p->resume)
        a->rollout = rollout_reopen(p->resume_path, p->resume->n_lines, p->resume->torn_tail, &why);
    else if ((a->rollout = rollout_create(p->cfg->codex_home, a->thread_id, &why)) != NULL)
        write_session_meta(a);
    if (!a->rollout) {
        codex_error_set(err, "%s", why ? why : "cannot open the session file");
        free(why);
        return -1;
    }
    return 0;
}

struct agent *agent_new(uv_loop_t *loop, const struct agent_params *p, agent_event_fn fn,
                        void *ud, struct codex_error *err)
{
    struct model_catalog_file *catalog = NULL;
    if (p->cfg->model_catalog_json && !(catalog = model_catalog_file_load(p->cfg->model_catalog_json, err)))
        return NULL;
    struct model_client *client = model_client_new(loop, p->provider, err);
    if (!client) {
        model_catalog_file_free(catalog);
        return NULL;
    }
    struct approvals *approvals = approvals_new(loop, p->cfg, p->ignore_rules, &p->approvals, err);
    if (!approvals) {
        model_client_free(client);
        model_catalog_file_free(catalog);
        return NULL;
    }
    struct agent *a = xcalloc(1, sizeof *a);
    a->approvals = approvals;
    if (p->cfg->auto_review)
        approvals_set_reviewer(approvals, agent_auto_review_start, agent_auto_review_cancel, a);
    a->loop = loop;
    a->p = *p;
    a->catalog = catalog;
    agent_set_model(a, p->model);
    a->emit_fn = fn;
    a->emit_ud = ud;
    a->client = client;
    if (p->resume)
        snprintf(a->thread_id, sizeof a->thread_id, "%s", p->resume->thread_id);
    else
        uuid_v7(a->thread_id);
    a->attempt_items = json_array();
    uuid_v7(a->window_id);
    memcpy(a->first_window_id, a->window_id, sizeof a->window_id);
    a->sessions = exec_sessions_new(loop);
    agent_host_init(a);
    agent_tools_init(a);
    agent_mcp_attach(a);
    if (!p->guardian) /* a reviewer only looks */
        agent_subagents_attach(a);
    agent_user_input_attach(a);
    plan_splitter_init(&a->plan_split);
    sandbox_policy_from_config(&a->policy, p->cfg);
    if (!p->guardian) /* a reviewer reads the transcript, not skills */
        agent_skills_load(a);
    a->p.skill_roots = NULL;
    a->p.n_skill_roots = 0;
    const char *from_catalog = model_catalog_file_instructions(catalog, p->model);
    if (p->base_instructions)
        a->base_instructions = xstrdup(p->base_instructions);
    else if (from_catalog && !p->cfg->model_instructions_file)
        a->base_instructions = xstrdup(from_catalog);
    else
        a->base_instructions = context_base_instructions(p->cfg);
    add_thread_headers(a);
    if (p->resume)
        resume_history(a, p->resume);
    if (!p->ephemeral && open_rollout(a, err) < 0) {
        agent_free(a);
        return NULL;
    }
    if (p->resume) {
        /* Calls the previous process never finished get their output now,
         * in the history and in the rollout. */
        json_t *missing = resume_missing_outputs(&a->history);
        size_t i;
        json_t *item;
        json_array_foreach(missing, i, item)
            agent_record_item(a, item);
        json_decref(missing);
    }
    agent_hooks_init(a);
    struct agent_event ev = {.kind = AGENT_EV_THREAD_STARTED};
    agent_emit(a, &ev);
    agent_hooks_announce(a);
    return a;
}

void agent_child_provider(const struct agent *a, struct provider_settings *out)
{
    provider_settings_copy(out, a->p.provider);
    struct strvec *h = &out->headers;
    while (h->n > a->front_headers)
        free(h->v[--h->n]);
    if (h->v)
        h->v[h->n] = NULL;
}

const char *agent_thread_id(const struct agent *a)
{
    return a->thread_id;
}

const char *agent_rollout_path(const struct agent *a)
{
    return rollout_path(a->rollout);
}

const char *agent_last_message(const struct agent *a)
{
    return a->last_message;
}

/* ---- context ----------------------------------------------------------- */

void agent_set_model(struct agent *a, const char *model)
{
    a->p.model = model;
    /* A model the catalog file lists takes its facts from there. */
    const struct model_request_facts *listed = model_catalog_file_facts(a->catalog, model);
    a->mi = listed ? listed : model_facts_lookup(model);
}

void agent_set_output_schema(struct agent *a, const json_t *schema)
{
    a->p.output_schema = schema;
}

void agent_settings_changed(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    a->host.cwd = cfg->cwd;
    sandbox_policy_free(&a->policy);
    sandbox_policy_from_config(&a->policy, cfg);
}

void agent_free(struct agent *a)
{
    if (!a)
        return;
    agent_review_cancel(a);
    agent_hooks_free(a);
    agent_subagents_detach(a);
    agent_user_input_detach(a);
    turn_diff_clear(&a->turn_diff);
    model_client_free(a->client);
    a->interrupting = true; /* nothing that finishes now is a result */
    agent_auto_review_free_all(a);
    approvals_cancel_all(a->approvals);
    approvals_free(a->approvals);
    exec_sessions_free(a->sessions);
    agent_user_shells_stop(a);
    /* Commands still being reaped keep what they need of it. */
    netproxy_session_stop(a->netproxy);
    sandbox_policy_free(&a->policy);
    for (size_t i = 0; i < a->n_calls; i++)
        tool_call_free(a->calls[i]);
    free(a->calls);
    agent_mcp_detach(a);
    rollout_close(a->rollout);
    json_items_free(&a->history);
    json_decref(a->tools);
    agent_tools_free(a);
    free(a->pending_prompt);
    strvec_free(&a->pending_images);
    json_decref(a->attempt_items);
    free(a->base_instructions);
    free(a->last_message);
    free(a->review_trip);
    json_decref(a->turn_inputs);
    json_decref(a->pending_input);
    json_decref(a->steer_inputs);
    json_decref(a->quiet_inputs);
    json_decref(a->pending_notes);
    json_decref(a->network_denials);
    model_catalog_file_free(a->catalog);
    skill_catalog_free(&a->skills);
    strvec_free(&a->selected_skills);
    free(a->collab_text);
    free(a->collab_told);
    plan_splitter_free(&a->plan_split);
    free(a->plan_split_item);
    free(a);
}

