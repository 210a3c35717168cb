/* Lifecycle hooks: commands the user configures to run at points of a
 * session (a tool about to run, a prompt submitted, a turn stopping, ...).
 *
 * Configuration comes from hooks.json files ($CODEX_HOME/hooks.json and, in
 * a trusted project, <dir>/.codex/hooks.json) and from inline [hooks] tables
 * of config.toml, all in one shape: event name -> groups, each with an
 * optional matcher and a list of command handlers.  A handler runs only when
 * the user trusted it ([hooks.state."<key>"] trusted_hash equal to the
 * handler's current hash) or the run bypasses trust.
 *
 * Running (hooks_run.c) happens on the caller's libuv loop through src/proc:
 * the event's JSON goes to the command's stdin, its output is capped, it is
 * killed at its timeout, and what it printed and its exit code are read
 * (hooks_output.c) into block / allow / additional context as the reference
 * defines per event. */
#ifndef CODEX_HOOKS_HOOKS_H
#define CODEX_HOOKS_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "config/config.h"
#include "util/error.h"
#include "util/strvec.h"

/* In the reference's order, which is also the display and run order. */
enum hook_event {
    HOOK_PRE_MODEL_REQUEST,
    HOOK_POST_MODEL_REQUEST,
    HOOK_PRE_TOOL_USE,
    HOOK_PERMISSION_REQUEST,
    HOOK_POST_TOOL_USE,
    HOOK_PRE_COMPACT,
    HOOK_POST_COMPACT,
    HOOK_SESSION_START,
    HOOK_SESSION_END,
    HOOK_USER_PROMPT_SUBMIT,
    HOOK_SUBAGENT_START,
    HOOK_SUBAGENT_STOP,
    HOOK_STOP,
    HOOK_INTERRUPT,
    HOOK_EVENT_COUNT
};

const char *hook_event_name(enum hook_event e);  /* "PreToolUse" */
const char *hook_event_snake(enum hook_event e); /* "pre_tool_use" */
const char *hook_event_camel(enum hook_event e); /* "preToolUse" */
/* -1 for a name that is no event (ignored, as the reference does). */
int hook_event_from_name(const char *name);

enum hook_trust { HOOK_UNTRUSTED, HOOK_TRUSTED, HOOK_MODIFIED, HOOK_MANAGED };
const char *hook_trust_name(enum hook_trust t); /* "untrusted", ... */

#define HOOK_DEFAULT_TIMEOUT_SEC 600
/* SessionEnd and Interrupt run while the session is going away. */
#define HOOK_SHUTDOWN_TIMEOUT_SEC 3

struct hook_handler {
    enum hook_event event;
    char *matcher;        /* NULL: every occurrence */
    char *command;
    int64_t timeout_sec;  /* as configured (default 600) */
    int64_t run_timeout_sec; /* what is applied (shutdown events clamped) */
    bool async;
    char *status_message; /* or NULL */
    char *source_path;    /* the file it came from */
    const char *source;   /* "user" | "project" */
    size_t group, index;  /* position in its file */
    size_t display_order;
    char *key;            /* "<source path>:<event_snake>:<group>:<index>" */
    char hash[72];        /* "sha256:<hex>" of its canonical form */
    enum hook_trust trust;
    bool enabled;
};

struct hook_set {
    struct hook_handler *v;
    size_t n, cap;
    struct strvec warnings; /* one line each, for the user */
    bool bypass_trust;      /* --dangerously-bypass-hook-trust */
};

/* Add the handlers of one hooks document (the object holding event names,
 * i.e. hooks.json's "hooks" or config.toml's [hooks] as JSON).  Returns -1
 * with err set (naming source_path) when its shape is wrong. */
int hook_set_add_document(struct hook_set *set, const json_t *events, const char *source_path,
                          const char *source, struct codex_error *err);
/* Parse a hooks.json text and add its handlers. */
int hook_set_add_json_text(struct hook_set *set, const char *text, size_t len,
                           const char *source_path, const char *source, struct codex_error *err);
/* Apply [hooks.state] (a table of key -> {trusted_hash, enabled}, or NULL):
 * each handler's trust status and enabled flag. */
void hook_set_apply_state(struct hook_set *set, const toml_value *state);
/* Every hook the configuration defines, trust applied.  A file that cannot
 * be read or has the wrong shape is reported in set->warnings and skipped. */
void hook_set_load(struct hook_set *set, const struct codex_config *cfg, bool bypass_trust);
void hook_set_free(struct hook_set *set);
/* Whether the handler runs: enabled, and trusted (or trust bypassed). */
bool hook_handler_runnable(const struct hook_set *set, const struct hook_handler *h);
/* Whether any runnable handler exists for the event. */
bool hook_set_has(const struct hook_set *set, enum hook_event e);
/* The reference's matcher rules: absent, "" or "*" match everything;
 * letters, digits, '_' and '|' are exact alternatives; anything else is a
 * regular expression searched in input (an invalid one matches nothing). */
bool hook_matcher_matches(const char *matcher, const char *input);
/* The handler's canonical hash ("sha256:<hex>"). */
void hook_handler_hash(const struct hook_handler *h, char out[72]);

/* ---- what a hook's run means (hooks_output.c) ---- */

struct hook_result {
    bool block;              /* PreToolUse deny, prompt/stop/post-tool block */
    char *reason;            /* why, for the model (or NULL) */
    char *context;           /* additional context for the model (or NULL) */
    int permission;          /* PermissionRequest: 1 allow, -1 deny, 0 no say */
    char *error;             /* the run failed or its output was invalid (or NULL) */
};

/* Read one finished run: exit_code < 0 means it did not exit normally
 * (timed out, killed, not started; failure says why). */
void hook_output_interpret(enum hook_event e, int exit_code, const char *failure,
                           const char *out, size_t out_len, const char *err_text,
                           size_t err_len, struct hook_result *r);
void hook_result_free(struct hook_result *r);

/* ---- running (hooks_run.c) ---- */

/* What every run of a session shares. */
struct hooks_env {
    const char *cwd;               /* where commands run */
    const char *const *envp;       /* their environment */
    const char *codex_home;        /* exported as CODEX_HOME */
};

/* All handlers of one event together. */
struct hook_outcome {
    bool block;
    char *reason;                /* of the first blocking handler */
    char *block_run_id;          /* "<event_snake>:<display order>:<source path>" of it */
    struct strvec contexts;      /* additional contexts, in display order */
    int permission;              /* PermissionRequest: 1 allow, -1 deny, 0 none */
    struct strvec errors;        /* failures, one line each */
    size_t ran;                  /* handlers that ran */
};
void hook_outcome_free(struct hook_outcome *o);

/* Output beyond this, per stream, is cut off and the hook killed. */
#define HOOK_OUTPUT_CAP (1u << 20)

struct hooks_run;
typedef void (*hooks_done_fn)(void *ud, struct hook_outcome *outcome);

/* Run every runnable handler of the event whose matcher accepts
 * matcher_input (NULL for events without one), side by side, with payload
 * on stdin.  done runs on the loop when all have finished (never inside
 * this call); the outcome is the callee's until done returns.  Returns NULL
 * when nothing matched: done is not called then. */
struct hooks_run *hooks_run_start(uv_loop_t *loop, const struct hook_set *set,
                                  const struct hooks_env *env, enum hook_event e,
                                  const char *matcher_input, const json_t *payload,
                                  hooks_done_fn done, void *ud);
/* Stop the handlers of a run (killed); done is not called. */
void hooks_run_cancel(struct hooks_run *r);

#endif
