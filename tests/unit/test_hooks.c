/* Unit tests for src/hooks: reading hooks.json and [hooks] documents,
 * matchers, trust hashes and [hooks.state], and what a hook's exit code and
 * output mean for each event. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "hooks/hooks.h"

/* ---- documents ----------------------------------------------------------- */

static void parse(struct hook_set *set, const char *text)
{
    memset(set, 0, sizeof *set);
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = hook_set_add_json_text(set, text, strlen(text), "/h/hooks.json", "user", &err);
    if (rc != 0)
        fail_msg("unexpected error: %s", err.message);
}

static char *parse_error(const char *text)
{
    struct hook_set set;
    memset(&set, 0, sizeof set);
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(hook_set_add_json_text(&set, text, strlen(text), "/h/hooks.json", "user", &err),
                     -1);
    assert_int_equal(set.n, 0);
    char *line = codex_error_text(&err);
    codex_error_clear(&err);
    hook_set_free(&set);
    return line;
}

static void documents_give_handlers_in_event_order(void **state)
{
    (void)state;
    struct hook_set set;
    parse(&set, "{\"hooks\":{"
                "\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"s\"}]}],"
                "\"Notification\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"n\"}]}],"
                "\"PreToolUse\":[{\"matcher\":\"Bash\",\"hooks\":["
                "{\"type\":\"command\",\"command\":\"a\",\"timeout\":30,\"statusMessage\":\"m\"},"
                "{\"type\":\"command\",\"command\":\"b\",\"async\":true}]}],"
                "\"SessionEnd\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"e\"}]}]}}");
    assert_int_equal(set.n, 4); /* the unknown event is ignored */
    assert_int_equal(set.v[0].event, HOOK_PRE_TOOL_USE);
    assert_string_equal(set.v[0].command, "a");
    assert_string_equal(set.v[0].matcher, "Bash");
    assert_int_equal(set.v[0].timeout_sec, 30);
    assert_string_equal(set.v[0].status_message, "m");
    assert_string_equal(set.v[0].key, "/h/hooks.json:pre_tool_use:0:0");
    assert_string_equal(set.v[1].key, "/h/hooks.json:pre_tool_use:0:1");
    assert_true(set.v[1].async);
    assert_int_equal(set.v[1].timeout_sec, HOOK_DEFAULT_TIMEOUT_SEC);
    assert_int_equal(set.v[2].event, HOOK_SESSION_END);
    /* SessionEnd runs with at most 3 s, and the user is told. */
    assert_int_equal(set.v[2].timeout_sec, 600);
    assert_int_equal(set.v[2].run_timeout_sec, HOOK_SHUTDOWN_TIMEOUT_SEC);
    assert_int_equal(set.warnings.n, 2);
    assert_string_equal(set.warnings.v[0], "/h/hooks.json: hooks.PreToolUse[0]: async hooks are not "
                                           "supported yet; this one runs before the session goes on");
    assert_string_equal(set.warnings.v[1], "clamping SessionEnd hook timeout to 3s in /h/hooks.json");
    assert_int_equal(set.v[3].event, HOOK_STOP);
    assert_int_equal(set.v[3].trust, HOOK_UNTRUSTED);
    assert_false(hook_handler_runnable(&set, &set.v[3]));
    set.bypass_trust = true;
    assert_true(hook_handler_runnable(&set, &set.v[3]));
    assert_true(hook_set_has(&set, HOOK_STOP));
    assert_false(hook_set_has(&set, HOOK_SESSION_START));
    hook_set_free(&set);
}

static void bad_documents_are_refused_with_their_place(void **state)
{
    (void)state;
    char *e = parse_error("{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\"}]}]}}");
    assert_string_equal(e, "/h/hooks.json: hooks.Stop[0]: a command handler needs \"command\"; "
                           "fix the hooks configuration");
    free(e);
    e = parse_error("{\"hooks\":{\"Stop\":{}}}");
    assert_string_equal(e, "/h/hooks.json: hooks.Stop must be an array of groups");
    free(e);
    e = parse_error("{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"x\","
                    "\"timeout\":0}]}]}}");
    assert_non_null(strstr(e, "timeout must be a positive integer"));
    free(e);
    e = parse_error("{\"hooks\": [}");
    assert_non_null(strstr(e, "/h/hooks.json:1:"));
    free(e);
    e = parse_error("[]");
    assert_non_null(strstr(e, "expected {\"hooks\": {...}}"));
    free(e);
}

static void other_handler_types_are_skipped_with_a_warning(void **state)
{
    (void)state;
    struct hook_set set;
    parse(&set, "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"prompt\",\"prompt\":\"x\"},"
                "{\"type\":\"command\",\"command\":\"c\"}]}]}}");
    assert_int_equal(set.n, 1);
    assert_string_equal(set.v[0].key, "/h/hooks.json:stop:0:1");
    assert_int_equal(set.warnings.n, 1);
    assert_non_null(strstr(set.warnings.v[0], "\"prompt\" is not supported yet"));
    hook_set_free(&set);
}

/* ---- trust ------------------------------------------------------------------ */

static void the_hash_is_the_references(void **state)
{
    (void)state;
    /* hooks_trust_via_state: the reference's hooks/list said so. */
    const char *w = "/tmp/peerwork/features/hooks_trust_via_state";
    struct hook_handler h = {.event = HOOK_PRE_TOOL_USE, .matcher = "Bash", .timeout_sec = 600};
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 %s/hook.py PreToolUse %s/hooklog/log.jsonl", w, w);
    h.command = cmd;
    char hash[72];
    hook_handler_hash(&h, hash);
    assert_string_equal(hash, "sha256:1c93a731196c69f9377039aa968d069b7874b2aa57c4a32e15231dcdabdc79d3");
    h.event = HOOK_SESSION_START;
    h.matcher = NULL;
    snprintf(cmd, sizeof cmd, "python3 %s/hook.py SessionStart %s/hooklog/log.jsonl", w, w);
    hook_handler_hash(&h, hash);
    assert_string_equal(hash, "sha256:eaecbfcdb39b12db3fd582268f4ffe0e181087730c6f60a9d9fd1abbf41d97c6");
}

static void state_trusts_flags_modified_and_disables(void **state)
{
    (void)state;
    struct hook_set set;
    parse(&set, "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"a\"},"
                "{\"type\":\"command\",\"command\":\"b\"},{\"type\":\"command\",\"command\":\"c\"}]}]}}");
    char text[1024];
    snprintf(text, sizeof text,
             "[\"/h/hooks.json:stop:0:0\"]\ntrusted_hash = \"%s\"\n"
             "[\"/h/hooks.json:stop:0:1\"]\ntrusted_hash = \"sha256:0\"\n"
             "[\"/h/hooks.json:stop:0:2\"]\ntrusted_hash = \"%s\"\nenabled = false\n",
             set.v[0].hash, set.v[2].hash);
    struct toml_error te;
    toml_value *st = toml_parse(text, strlen(text), &te);
    assert_non_null(st);
    hook_set_apply_state(&set, st);
    assert_int_equal(set.v[0].trust, HOOK_TRUSTED);
    assert_true(hook_handler_runnable(&set, &set.v[0]));
    assert_int_equal(set.v[1].trust, HOOK_MODIFIED);
    assert_false(hook_handler_runnable(&set, &set.v[1]));
    assert_int_equal(set.v[2].trust, HOOK_TRUSTED);
    assert_false(set.v[2].enabled);
    set.bypass_trust = true; /* the bypass skips trust, not enabled = false */
    assert_false(hook_handler_runnable(&set, &set.v[2]));
    assert_true(hook_handler_runnable(&set, &set.v[1]));
    toml_free(st);
    hook_set_free(&set);
}

/* ---- matchers -------------------------------------------------------------- */

static void matchers_follow_the_reference(void **state)
{
    (void)state;
    assert_true(hook_matcher_matches(NULL, "Bash"));
    assert_true(hook_matcher_matches("", "Bash"));
    assert_true(hook_matcher_matches("*", "anything"));
    assert_true(hook_matcher_matches("Bash", "Bash"));
    assert_false(hook_matcher_matches("Bash", "BashOutput"));
    assert_true(hook_matcher_matches("Edit|Write", "Write"));
    assert_false(hook_matcher_matches("Edit|Write", "Bash"));
    assert_false(hook_matcher_matches("mcp__memory", "mcp__memory__create"));
    assert_true(hook_matcher_matches("^Bash", "BashOutput"));
    assert_true(hook_matcher_matches("mcp__.*__write.*", "mcp__fs__write_file"));
    assert_false(hook_matcher_matches("mcp__.*__write.*", "mcp__fs__read_file"));
    assert_true(hook_matcher_matches("^Bash$", "Bash"));
    assert_false(hook_matcher_matches("[", "Bash")); /* invalid: matches nothing */
    assert_false(hook_matcher_matches("Bash", NULL));
    assert_true(hook_matcher_matches("startup|resume", "resume"));
    /* Patterns that would make regcomp take gigabytes match nothing. */
    assert_false(hook_matcher_matches("a+++++++++++++++++++++++++++++++++++++++++++++++", "aaa"));
    assert_false(hook_matcher_matches("((((((a+)+)+)+)+)+)+", "aaa"));
    assert_false(hook_matcher_matches("(a{200}){200}", "aaa"));
    assert_true(hook_matcher_matches("(Bash|Edit)+", "BashEdit"));
    assert_true(hook_matcher_matches("^mcp__x{1,3}__", "mcp__xx__y"));
}

/* ---- output ------------------------------------------------------------------ */

static void interpret(enum hook_event e, int code, const char *out, const char *err,
                      struct hook_result *r)
{
    hook_output_interpret(e, code, NULL, out, strlen(out), err, strlen(err), r);
}

static void pre_tool_use_blocks_by_exit_2_or_deny(void **state)
{
    (void)state;
    struct hook_result r;
    interpret(HOOK_PRE_TOOL_USE, 2, "", "  PRE-BLOCKED\n", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "PRE-BLOCKED");
    hook_result_free(&r);

    interpret(HOOK_PRE_TOOL_USE, 2, "", " \n", &r);
    assert_false(r.block);
    assert_string_equal(r.error, "PreToolUse hook exited with code 2 but did not write a blocking "
                                 "reason to stderr");
    hook_result_free(&r);

    interpret(HOOK_PRE_TOOL_USE, 0,
              "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":"
              "\"deny\",\"permissionDecisionReason\":\"no\"}}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "no");
    hook_result_free(&r);

    interpret(HOOK_PRE_TOOL_USE, 0, "{\"decision\":\"block\",\"reason\":\"legacy\"}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "legacy");
    hook_result_free(&r);

    interpret(HOOK_PRE_TOOL_USE, 0,
              "{\"hookSpecificOutput\":{\"permissionDecision\":\"deny\"}}", "", &r);
    assert_false(r.block);
    assert_non_null(strstr(r.error, "without a non-empty permissionDecisionReason"));
    hook_result_free(&r);

    interpret(HOOK_PRE_TOOL_USE, 0, "{\"hookSpecificOutput\":{\"permissionDecision\":\"ask\"}}",
              "", &r);
    assert_false(r.block);
    assert_string_equal(r.error, "PreToolUse hook returned unsupported permissionDecision:ask");
    hook_result_free(&r);

    /* Plain text from PreToolUse means nothing; exit 1 is a failure. */
    interpret(HOOK_PRE_TOOL_USE, 0, "just talking", "", &r);
    assert_false(r.block);
    assert_null(r.context);
    assert_null(r.error);
    hook_result_free(&r);
    interpret(HOOK_PRE_TOOL_USE, 1, "", "x", &r);
    assert_false(r.block);
    assert_string_equal(r.error, "hook exited with code 1");
    hook_result_free(&r);
}

static void context_and_blocks_for_the_other_events(void **state)
{
    (void)state;
    struct hook_result r;
    interpret(HOOK_SESSION_START, 0, "PLAIN-TEXT\n", "", &r);
    assert_string_equal(r.context, "PLAIN-TEXT");
    hook_result_free(&r);

    interpret(HOOK_SESSION_START, 0,
              "{\"hookSpecificOutput\":{\"hookEventName\":\"SessionStart\",\"additionalContext\":"
              "\"CTX\"}}", "", &r);
    assert_string_equal(r.context, "CTX");
    assert_false(r.block);
    hook_result_free(&r);

    interpret(HOOK_SESSION_START, 0, "{not json", "", &r);
    assert_null(r.context);
    assert_string_equal(r.error, "hook returned invalid SessionStart JSON output");
    hook_result_free(&r);

    interpret(HOOK_USER_PROMPT_SUBMIT, 0, "{\"decision\":\"block\",\"reason\":\"R\"}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "R");
    hook_result_free(&r);

    interpret(HOOK_USER_PROMPT_SUBMIT, 0,
              "{\"decision\":\"block\",\"hookSpecificOutput\":{\"additionalContext\":\"x\"}}", "", &r);
    assert_false(r.block);
    assert_null(r.context);
    assert_string_equal(r.error,
                        "UserPromptSubmit hook returned decision:block without a non-empty reason");
    hook_result_free(&r);

    interpret(HOOK_USER_PROMPT_SUBMIT, 0, "{\"continue\":false,\"stopReason\":\"pause\"}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "pause");
    hook_result_free(&r);

    interpret(HOOK_POST_TOOL_USE, 0, "{\"decision\":\"block\",\"reason\":\"P\"}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "P");
    hook_result_free(&r);

    interpret(HOOK_POST_TOOL_USE, 0, "{\"reason\":\"P\"}", "", &r);
    assert_false(r.block);
    assert_string_equal(r.error, "PostToolUse hook returned reason without decision");
    hook_result_free(&r);

    interpret(HOOK_STOP, 0, "{\"decision\":\"block\",\"reason\":\"go on\"}", "", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "go on");
    hook_result_free(&r);

    interpret(HOOK_STOP, 2, "", "from stderr", &r);
    assert_true(r.block);
    assert_string_equal(r.reason, "from stderr");
    hook_result_free(&r);

    /* Events that cannot block: exit 2 is only a failure. */
    interpret(HOOK_SESSION_START, 2, "", "nope", &r);
    assert_false(r.block);
    assert_string_equal(r.error, "hook exited with code 2");
    hook_result_free(&r);

    interpret(HOOK_PERMISSION_REQUEST, 0,
              "{\"hookSpecificOutput\":{\"decision\":{\"behavior\":\"deny\"}}}", "", &r);
    assert_int_equal(r.permission, -1);
    assert_string_equal(r.reason, "PermissionRequest hook denied approval");
    hook_result_free(&r);
    interpret(HOOK_PERMISSION_REQUEST, 0,
              "{\"hookSpecificOutput\":{\"decision\":{\"behavior\":\"allow\"}}}", "", &r);
    assert_int_equal(r.permission, 1);
    hook_result_free(&r);

    hook_output_interpret(HOOK_STOP, -1, "hook timed out after 1s", "", 0, "", 0, &r);
    assert_false(r.block);
    assert_string_equal(r.error, "hook timed out after 1s");
    hook_result_free(&r);
}

static void event_names_round_trip(void **state)
{
    (void)state;
    for (int e = 0; e < HOOK_EVENT_COUNT; e++)
        assert_int_equal(hook_event_from_name(hook_event_name(e)), e);
    assert_int_equal(hook_event_from_name("Notification"), -1);
    assert_string_equal(hook_event_snake(HOOK_USER_PROMPT_SUBMIT), "user_prompt_submit");
    assert_string_equal(hook_event_camel(HOOK_PRE_TOOL_USE), "preToolUse");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documents_give_handlers_in_event_order),
        cmocka_unit_test(bad_documents_are_refused_with_their_place),
        cmocka_unit_test(other_handler_types_are_skipped_with_a_warning),
        cmocka_unit_test(the_hash_is_the_references),
        cmocka_unit_test(state_trusts_flags_modified_and_disables),
        cmocka_unit_test(matchers_follow_the_reference),
        cmocka_unit_test(pre_tool_use_blocks_by_exit_2_or_deny),
        cmocka_unit_test(context_and_blocks_for_the_other_events),
        cmocka_unit_test(event_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
