/* The agent's private state, shared by the files of src/core that make it
 * up: agent.c (lifecycle), agent_host.c (what the tools see), turn.c (a
 * turn and its requests), model_output.c (model output becoming items) and
 * tool_calls.c (running a round of tool calls).  Nothing outside src/core
 * includes this header. */
#ifndef CODEX_CORE_AGENT_INTERNAL_H
#define CODEX_CORE_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agent.h"
#include "core/approvals.h"
#include "model/catalog_file.h"
#include "model/models.h"
#include "sandbox/sandbox.h"
#include "store/rollout.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/uuid.h"

struct exec_sessions;
struct stream_event;

struct agent {
    uv_loop_t *loop;
    struct agent_params p;
    const struct model_request_facts *mi;
    agent_event_fn emit_fn;
    void *emit_ud;
    char thread_id[UUID_STR_LEN];
    char turn_id[UUID_STR_LEN];
    struct model_client *client;
    json_t *history;       /* every input item sent to the model, in order */
    struct buf history_json; /* the same, serialized (see request.h) */
    size_t history_serialized; /* items of history already in history_json */
    json_t *tools;
    json_t *attempt_items; /* output items of the sampling attempt in flight */
    struct tool_host host;
    struct exec_sessions *sessions;
    struct sandbox_policy policy;
    struct approvals *approvals;
    struct rollout *rollout;
    char *base_instructions;
    bool context_sent;
    size_t base_headers;   /* provider headers that are not per-turn */
    /* the turn in flight */
    struct token_usage turn_usage;
    struct token_usage thread_usage;
    struct token_usage last_usage; /* of the latest response */
    int64_t turn_started_ms, first_output_ms;
    char *last_message;
    json_t *turn_inputs;   /* the user's messages of the turn in flight (strings) */
    struct model_catalog_file *catalog; /* model_catalog_json, or NULL */
    struct tool_call **calls;
    size_t n_calls, n_done;
    bool dispatching;
    bool interrupting; /* calls finishing now are being torn down, not completed */
    void (*done)(void *ud, bool ok);
    void *done_ud;
};

int64_t agent_now_ms(void);
/* Report an event (thread and turn filled in); completed items also go to
 * the rollout. */
void agent_emit(struct agent *a, struct agent_event *ev);
/* Append an input item to the history and the rollout. */
void agent_record_item(struct agent *a, json_t *item);
/* The tools' host, filled in from the agent. */
void agent_host_init(struct agent *a);
/* The model's context window: model_context_window, else the model's. */
int64_t agent_context_window(const struct agent *a);
/* The reasoning effort to send. */
const char *agent_effort(const struct agent *a);
/* Send the history to the model (one sampling request). */
void agent_sample(struct agent *a);
void agent_finish_turn(struct agent *a, bool ok, const char *error);
void agent_write_token_count(struct agent *a);
/* The model's output, event by event and item by item. */
void agent_on_stream_event(void *ud, const struct stream_event *se);
void agent_on_output_item(struct agent *a, const json_t *item);
/* Start the round of tool calls among the attempt's items, or end the turn
 * when there are none. */
void agent_run_calls(struct agent *a);
/* Run the configured `notify` program for a completed turn. */
void agent_notify_turn_complete(struct agent *a);

#endif
