/* What a finished hook run means for its event: its exit code, its stdout
 * (JSON or, for the events that take it, plain text) and its stderr become
 * block / allow / additional context, with the reference's rules:
 *
 *   exit 0    stdout is read: JSON (decision, hookSpecificOutput, continue)
 *             or, for SessionStart and UserPromptSubmit, plain text that
 *             becomes additional context;
 *   exit 2    blocks, with stderr as the reason, where the event can block;
 *   other     the run failed; nothing is blocked (hooks fail open). */
#include "hooks/hooks.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static char *trimmed(const char *s, size_t n)
{
    if (!s)
        return NULL;
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return NULL;
    /* A NUL inside would cut the text short later; it ends it here. */
    size_t len = strnlen(s, n);
    return len ? xstrndup(s, len) : NULL;
}

static char *trimmed_str(const char *s)
{
    return s ? trimmed(s, strlen(s)) : NULL;
}

static bool can_block(enum hook_event e)
{
    return e == HOOK_PRE_TOOL_USE || e == HOOK_POST_TOOL_USE || e == HOOK_USER_PROMPT_SUBMIT ||
           e == HOOK_STOP || e == HOOK_SUBAGENT_STOP || e == HOOK_PERMISSION_REQUEST;
}

static bool takes_context(enum hook_event e)
{
    return e == HOOK_SESSION_START || e == HOOK_USER_PROMPT_SUBMIT || e == HOOK_PRE_TOOL_USE ||
           e == HOOK_POST_TOOL_USE || e == HOOK_SUBAGENT_START;
}

static bool plain_text_is_context(enum hook_event e)
{
    return e == HOOK_SESSION_START || e == HOOK_USER_PROMPT_SUBMIT || e == HOOK_SUBAGENT_START;
}

static void set_error(struct hook_result *r, char *msg)
{
    free(r->error);
    r->error = msg;
}

static void block_with(struct hook_result *r, const char *reason, enum hook_event e)
{
    char *why = trimmed_str(reason);
    if (!why) {
        set_error(r, xasprintf("%s hook returned decision:block without a non-empty reason",
                               hook_event_name(e)));
        return;
    }
    r->block = true;
    free(r->reason);
    r->reason = why;
}

static void read_pre_tool_use(const json_t *doc, const json_t *specific, struct hook_result *r)
{
    const char *decision = json_string_value(json_object_get(specific, "permissionDecision"));
    const json_t *reason = json_object_get(specific, "permissionDecisionReason");
    if (decision || reason || json_object_get(specific, "updatedInput")) {
        if (!decision) {
            set_error(r, xstrdup("PreToolUse hook returned permissionDecisionReason without "
                                 "permissionDecision"));
        } else if (strcmp(decision, "deny") == 0) {
            char *why = trimmed_str(json_string_value(reason));
            if (!why) {
                set_error(r, xstrdup("PreToolUse hook returned permissionDecision:deny without a "
                                     "non-empty permissionDecisionReason"));
            } else {
                r->block = true;
                r->reason = why;
            }
        } else if (strcmp(decision, "allow") == 0) {
            /* Rewriting the input is not supported: refusing to run the
             * tool as the hook did not ask would be wrong either way, so
             * the run counts as failed and the tool runs as the model
             * asked, as the reference does for an allow without input. */
            set_error(r, xstrdup(json_object_get(specific, "updatedInput")
                                     ? "PreToolUse hook returned updatedInput, which codex-c does "
                                       "not support yet"
                                     : "PreToolUse hook returned unsupported permissionDecision:allow"));
        } else {
            set_error(r, xasprintf("PreToolUse hook returned unsupported permissionDecision:%s",
                                   decision));
        }
        return;
    }
    const char *legacy = json_string_value(json_object_get(doc, "decision"));
    if (legacy && strcmp(legacy, "block") == 0)
        block_with(r, json_string_value(json_object_get(doc, "reason")), HOOK_PRE_TOOL_USE);
    else if (legacy && strcmp(legacy, "approve") == 0)
        set_error(r, xstrdup("PreToolUse hook returned unsupported decision:approve"));
    else if (json_object_get(doc, "reason"))
        set_error(r, xstrdup("PreToolUse hook returned reason without decision"));
}

static void read_permission_request(const json_t *specific, struct hook_result *r)
{
    const json_t *decision = json_object_get(specific, "decision");
    if (!decision)
        return;
    const char *behavior = json_string_value(json_object_get(decision, "behavior"));
    if (json_object_get(decision, "updatedInput")) {
        set_error(r, xstrdup("PermissionRequest hook returned unsupported updatedInput"));
    } else if (json_object_get(decision, "updatedPermissions")) {
        set_error(r, xstrdup("PermissionRequest hook returned unsupported updatedPermissions"));
    } else if (json_is_true(json_object_get(decision, "interrupt"))) {
        set_error(r, xstrdup("PermissionRequest hook returned unsupported interrupt:true"));
    } else if (behavior && strcmp(behavior, "allow") == 0) {
        r->permission = 1;
    } else if (behavior && strcmp(behavior, "deny") == 0) {
        r->permission = -1;
        char *why = trimmed_str(json_string_value(json_object_get(decision, "message")));
        r->reason = why ? why : xstrdup("PermissionRequest hook denied approval");
    } else {
        set_error(r, xstrdup("hook returned invalid permission-request JSON output"));
    }
}

static void read_json(enum hook_event e, const json_t *doc, struct hook_result *r)
{
    const json_t *specific = json_object_get(doc, "hookSpecificOutput");
    if (specific && !json_is_object(specific))
        specific = NULL;
    const char *context = json_string_value(json_object_get(specific, "additionalContext"));
    const json_t *cont = json_object_get(doc, "continue");
    bool stop = json_is_false(cont);
    const char *decision = json_string_value(json_object_get(doc, "decision"));
    bool decision_block = decision && strcmp(decision, "block") == 0;

    switch (e) {
    case HOOK_PRE_TOOL_USE:
        if (stop)
            set_error(r, xstrdup("PreToolUse hook returned unsupported continue:false"));
        else
            read_pre_tool_use(doc, specific, r);
        break;
    case HOOK_PERMISSION_REQUEST:
        if (stop)
            set_error(r, xstrdup("PermissionRequest hook returned unsupported continue:false"));
        else
            read_permission_request(specific, r);
        break;
    case HOOK_USER_PROMPT_SUBMIT:
        if (stop) {
            r->block = true;
            r->reason = trimmed_str(json_string_value(json_object_get(doc, "stopReason")));
        } else if (decision_block) {
            block_with(r, json_string_value(json_object_get(doc, "reason")), e);
            if (r->error)
                context = NULL; /* an invalid block adds nothing */
        }
        break;
    case HOOK_POST_TOOL_USE:
    case HOOK_STOP:
    case HOOK_SUBAGENT_STOP:
        if (decision_block)
            block_with(r, json_string_value(json_object_get(doc, "reason")), e);
        else if (e == HOOK_POST_TOOL_USE && !stop && json_object_get(doc, "reason"))
            set_error(r, xstrdup("PostToolUse hook returned reason without decision"));
        break;
    default:
        break;
    }
    if (context && takes_context(e) && !r->error)
        r->context = xstrdup(context);
}

static bool looks_like_json(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    return n && (*s == '{' || *s == '[');
}

void hook_output_interpret(enum hook_event e, int exit_code, const char *failure, const char *out,
                           size_t out_len, const char *err_text, size_t err_len,
                           struct hook_result *r)
{
    memset(r, 0, sizeof *r);
    if (failure) {
        r->error = xstrdup(failure);
        return;
    }
    if (exit_code < 0) {
        r->error = xstrdup("hook exited without a status code");
        return;
    }
    if (exit_code == 2 && can_block(e)) {
        char *why = trimmed(err_text, err_len);
        if (!why) {
            r->error = xasprintf("%s hook exited with code 2 but did not write a blocking reason "
                                 "to stderr",
                                 hook_event_name(e));
            return;
        }
        if (e == HOOK_PERMISSION_REQUEST)
            r->permission = -1;
        r->block = true;
        r->reason = why;
        return;
    }
    if (exit_code != 0) {
        r->error = xasprintf("hook exited with code %d", exit_code);
        return;
    }
    char *text = trimmed(out, out_len);
    if (!text)
        return;
    json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
    if (json_is_object(doc)) {
        read_json(e, doc, r);
    } else if (looks_like_json(text, strlen(text))) {
        r->error = xasprintf("hook returned invalid %s JSON output", hook_event_name(e));
    } else if (plain_text_is_context(e)) {
        r->context = text;
        text = NULL;
    }
    json_decref(doc);
    free(text);
}

void hook_result_free(struct hook_result *r)
{
    free(r->reason);
    free(r->context);
    free(r->error);
    memset(r, 0, sizeof *r);
}
