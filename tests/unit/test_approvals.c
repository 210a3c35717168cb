/* Unit tests for approvals (src/core/approvals*.c): the pure decision over
 * policy x rule verdict x known-safe x escalation, the reference's messages,
 * the asynchronous gate with its session cache, and the "always" rule
 * append. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approvals.h"
#include "tools/tool.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const struct granular_approval all_on = {true, true, true, true, true};

static struct approval_decision decide(enum approval_policy policy, enum ep_outcome rule, bool safe, bool escalation)
{
    struct approval_inputs in = {.policy = policy, .granular = all_on, .sandbox = SANDBOX_WORKSPACE_WRITE,
                                 .rule = rule, .known_safe = safe, .escalation = escalation};
    return approval_decide(&in);
}

#define EXPECT(d, act, rej) \
    do { \
        struct approval_decision d_ = (d); \
        assert_int_equal(d_.action, act); \
        assert_int_equal(d_.reject, rej); \
    } while (0)

static void forbidden_rules_reject_under_every_policy(void **state)
{
    (void)state;
    enum approval_policy all[] = {APPROVAL_UNTRUSTED, APPROVAL_ON_FAILURE, APPROVAL_ON_REQUEST, APPROVAL_NEVER,
                                  APPROVAL_GRANULAR};
    for (size_t i = 0; i < 5; i++)
        for (int safe = 0; safe < 2; safe++)
            EXPECT(decide(all[i], EP_OUTCOME_REJECT, safe, false), APPROVAL_REJECT, APPROVAL_REJECT_FORBIDDEN_RULE);
}

static void prompt_rules_ask_unless_nobody_may_be_asked(void **state)
{
    (void)state;
    EXPECT(decide(APPROVAL_NEVER, EP_OUTCOME_ASK, true, false), APPROVAL_REJECT, APPROVAL_REJECT_PROMPT_NEVER);
    EXPECT(decide(APPROVAL_ON_REQUEST, EP_OUTCOME_ASK, true, false), APPROVAL_ASK, APPROVAL_REJECT_NONE);
    EXPECT(decide(APPROVAL_UNTRUSTED, EP_OUTCOME_ASK, true, false), APPROVAL_ASK, APPROVAL_REJECT_NONE);
    EXPECT(decide(APPROVAL_ON_FAILURE, EP_OUTCOME_ASK, false, false), APPROVAL_ASK, APPROVAL_REJECT_NONE);
    EXPECT(decide(APPROVAL_GRANULAR, EP_OUTCOME_ASK, false, false), APPROVAL_ASK, APPROVAL_REJECT_NONE);
    struct approval_inputs in = {.policy = APPROVAL_GRANULAR, .granular = all_on, .rule = EP_OUTCOME_ASK};
    in.granular.rules = false;
    EXPECT(approval_decide(&in), APPROVAL_REJECT, APPROVAL_REJECT_PROMPT_GRANULAR);
    /* A prompt answered "for this session" is not asked again, and stays
     * in the sandbox. */
    in.granular.rules = true;
    in.session_approved = true;
    EXPECT(approval_decide(&in), APPROVAL_RUN, APPROVAL_REJECT_NONE);
}

static void allow_rules_run_sandboxed_without_asking(void **state)
{
    (void)state;
    EXPECT(decide(APPROVAL_UNTRUSTED, EP_OUTCOME_RUN, false, false), APPROVAL_RUN, APPROVAL_REJECT_NONE);
    EXPECT(decide(APPROVAL_NEVER, EP_OUTCOME_RUN, false, false), APPROVAL_RUN, APPROVAL_REJECT_NONE);
    EXPECT(decide(APPROVAL_ON_REQUEST, EP_OUTCOME_RUN, false, false), APPROVAL_RUN, APPROVAL_REJECT_NONE);
}

static void unmatched_commands_follow_the_policy(void **state)
{
    (void)state;
    EXPECT(decide(APPROVAL_UNTRUSTED, EP_OUTCOME_UNMATCHED, true, false), APPROVAL_RUN, APPROVAL_REJECT_NONE);
    struct approval_decision d = decide(APPROVAL_UNTRUSTED, EP_OUTCOME_UNMATCHED, false, false);
    EXPECT(d, APPROVAL_ASK, APPROVAL_REJECT_NONE);
    assert_false(d.unsandboxed_if_approved);
    enum approval_policy sandboxed[] = {APPROVAL_ON_FAILURE, APPROVAL_ON_REQUEST, APPROVAL_NEVER, APPROVAL_GRANULAR};
    for (size_t i = 0; i < 4; i++)
        for (int safe = 0; safe < 2; safe++)
            EXPECT(decide(sandboxed[i], EP_OUTCOME_UNMATCHED, safe, false), APPROVAL_RUN, APPROVAL_REJECT_NONE);
}

static void escalations_are_asked_only_where_they_can_be(void **state)
{
    (void)state;
    struct approval_decision d = decide(APPROVAL_ON_REQUEST, EP_OUTCOME_UNMATCHED, true, true);
    EXPECT(d, APPROVAL_ASK, APPROVAL_REJECT_NONE);
    assert_true(d.unsandboxed_if_approved);
    d = decide(APPROVAL_GRANULAR, EP_OUTCOME_UNMATCHED, true, true);
    EXPECT(d, APPROVAL_ASK, APPROVAL_REJECT_NONE);
    assert_true(d.unsandboxed_if_approved);
    enum approval_policy refusing[] = {APPROVAL_UNTRUSTED, APPROVAL_ON_FAILURE, APPROVAL_NEVER};
    for (size_t i = 0; i < 3; i++) {
        EXPECT(decide(refusing[i], EP_OUTCOME_UNMATCHED, true, true), APPROVAL_REJECT, APPROVAL_REJECT_ESCALATION);
        /* The escalation check comes before the rules, as in the reference. */
        EXPECT(decide(refusing[i], EP_OUTCOME_REJECT, true, true), APPROVAL_REJECT, APPROVAL_REJECT_ESCALATION);
        EXPECT(decide(refusing[i], EP_OUTCOME_RUN, true, true), APPROVAL_REJECT, APPROVAL_REJECT_ESCALATION);
    }
    struct approval_inputs in = {.policy = APPROVAL_GRANULAR, .granular = all_on, .escalation = true};
    in.granular.sandbox_approval = false;
    EXPECT(approval_decide(&in), APPROVAL_REJECT, APPROVAL_REJECT_ESCALATION);
    /* An allow rule does not cover an escalation: the user is asked. */
    d = decide(APPROVAL_ON_REQUEST, EP_OUTCOME_RUN, true, true);
    EXPECT(d, APPROVAL_ASK, APPROVAL_REJECT_NONE);
    /* A prompt rule with an escalation asks once, then runs unsandboxed. */
    d = decide(APPROVAL_ON_REQUEST, EP_OUTCOME_ASK, true, true);
    EXPECT(d, APPROVAL_ASK, APPROVAL_REJECT_NONE);
    assert_true(d.unsandboxed_if_approved);
    in = (struct approval_inputs){.policy = APPROVAL_ON_REQUEST, .escalation = true, .session_approved = true,
                                  .sandbox = SANDBOX_WORKSPACE_WRITE};
    EXPECT(approval_decide(&in), APPROVAL_RUN_UNSANDBOXED, APPROVAL_REJECT_NONE);
    /* Nothing to escalate to under danger-full-access. */
    in.session_approved = false;
    in.sandbox = SANDBOX_DANGER_FULL_ACCESS;
    EXPECT(approval_decide(&in), APPROVAL_RUN, APPROVAL_REJECT_NONE);
}

static void unsandboxed_retries_only_where_the_user_is_asked(void **state)
{
    (void)state;
    struct granular_approval g = all_on;
    assert_true(approval_may_retry_unsandboxed(APPROVAL_ON_FAILURE, &g));
    assert_true(approval_may_retry_unsandboxed(APPROVAL_UNTRUSTED, &g));
    assert_false(approval_may_retry_unsandboxed(APPROVAL_ON_REQUEST, &g));
    assert_false(approval_may_retry_unsandboxed(APPROVAL_NEVER, &g));
    assert_true(approval_may_retry_unsandboxed(APPROVAL_GRANULAR, &g));
    g.sandbox_approval = false;
    assert_false(approval_may_retry_unsandboxed(APPROVAL_GRANULAR, &g));
}

static void patches_outside_the_roots_ask_or_are_rejected(void **state)
{
    (void)state;
    struct granular_approval g = all_on;
    assert_int_equal(approval_decide_patch(APPROVAL_ON_REQUEST, &g, false, false).action, APPROVAL_RUN);
    assert_int_equal(approval_decide_patch(APPROVAL_ON_REQUEST, &g, true, false).action, APPROVAL_ASK);
    assert_int_equal(approval_decide_patch(APPROVAL_ON_REQUEST, &g, true, true).action, APPROVAL_RUN);
    assert_int_equal(approval_decide_patch(APPROVAL_NEVER, &g, true, false).action, APPROVAL_REJECT);
    assert_int_equal(approval_decide_patch(APPROVAL_NEVER, &g, false, false).action, APPROVAL_RUN);
    assert_int_equal(approval_decide_patch(APPROVAL_UNTRUSTED, &g, false, false).action, APPROVAL_ASK);
    g.sandbox_approval = false;
    assert_int_equal(approval_decide_patch(APPROVAL_GRANULAR, &g, true, false).action, APPROVAL_REJECT);
}

static void messages_use_the_reference_wording(void **state)
{
    (void)state;
    struct approval_inputs in = {.policy = APPROVAL_NEVER};
    char *m = approval_reject_message(APPROVAL_REJECT_ESCALATION, &in, NULL, NULL, 0);
    assert_string_equal(m, "approval policy is Never; reject command \xe2\x80\x94 you cannot ask for escalated "
                           "permissions if the approval policy is Never");
    free(m);
    m = approval_reject_message(APPROVAL_REJECT_PROMPT_NEVER, &in, NULL, NULL, 0);
    assert_string_equal(m, "exec_command failed: CreateProcess { message: \"Rejected(\\\"approval required by "
                           "policy, but AskForApproval is set to Never\\\")\" }");
    free(m);
    m = approval_denied_message();
    assert_string_equal(m, "exec_command failed: CreateProcess { message: \"Rejected(\\\"rejected by user\\\")\" }");
    free(m);
    /* A justification with quotes is escaped at both levels. */
    struct ep_policy *p = ep_policy_new();
    char *err = NULL;
    const char *rules = "prefix_rule(pattern=[\"rm\"], decision=\"forbidden\", justification='say \"no\"')\n";
    assert_int_equal(ep_policy_parse(p, "t.rules", rules, strlen(rules), &err), 0);
    const char *argv[] = {"/bin/bash", "-lc", "rm -rf x"};
    struct ep_evaluation ev = {0};
    ep_check_command(p, argv, 3, false, &ev);
    m = approval_reject_message(APPROVAL_REJECT_FORBIDDEN_RULE, &in, &ev, argv, 3);
    assert_string_equal(m, "exec_command failed: CreateProcess { message: \"Rejected(\\\"`/bin/bash -lc 'rm -rf "
                           "x'` rejected: say \\\\\\\"no\\\\\\\"\\\")\" }");
    free(m);
    ep_evaluation_free(&ev);
    ep_policy_free(p);
    m = approval_patch_reject_message(true);
    assert_string_equal(m, "patch rejected: writing is blocked by read-only sandbox; rejected by user approval "
                           "settings");
    free(m);
}

/* ---- the gate ---------------------------------------------------------- */

struct fixture {
    char home[64];
    struct codex_config cfg;
    struct approvals *ap;
    struct tool_env env;
    struct approval_pending *pending;
    int asked, resumed, finished;
    char *last_output;
    char *last_command;
};

static struct fixture *fx;

static void on_ask(void *ud, const struct approval_request *req, struct approval_pending *pending)
{
    struct fixture *f = ud;
    f->asked++;
    free(f->last_command);
    f->last_command = xstrdup(req->command);
    f->pending = pending;
}

static void on_finished(struct tool_call *call)
{
    fx->finished++;
    free(fx->last_output);
    fx->last_output = call->output ? call->output : xstrdup("");
    call->output = NULL;
}

static void resume(struct tool_call *call, json_t *args)
{
    (void)args;
    (void)call;
    fx->resumed++;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->home, sizeof f->home, "/tmp/test_approvals_XXXXXX");
    assert_non_null(mkdtemp(f->home));
    setenv("CODEX_REQUIREMENTS_PATH", "/nonexistent/requirements.toml", 1);
    f->cfg.codex_home = f->home;
    f->cfg.cwd = f->home;
    f->cfg.approval_policy = APPROVAL_ON_REQUEST;
    f->cfg.granular = all_on;
    char *rules_dir = fs_join(f->home, "rules");
    fs_mkdir_p(rules_dir, 0700);
    char *file = fs_join(rules_dir, "a.rules");
    const char *text = "prefix_rule(pattern=[\"make\"], decision=\"prompt\")\n";
    assert_int_equal(fs_write_atomic(file, text, strlen(text), 0600), 0);
    free(file);
    free(rules_dir);
    char *err = NULL;
    f->ap = approvals_new(&f->cfg, false, on_ask, f, &err);
    assert_non_null(f->ap);
    f->env.cwd = f->home;
    f->env.sandbox = SANDBOX_WORKSPACE_WRITE;
    f->env.approvals = f->ap;
    fx = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    approvals_free(f->ap);
    char *cmd = xasprintf("rm -rf '%s'", f->home);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f->last_output);
    free(f->last_command);
    free(f);
    return 0;
}

static bool gate(struct fixture *f, struct tool_call *call, const char *script, const char *args_json)
{
    memset(call, 0, sizeof *call);
    call->env = &f->env;
    call->call_id = "c1";
    call->on_finished = on_finished;
    json_t *args = json_loads(args_json, 0, NULL);
    struct strvec argv = STRVEC_INIT;
    strvec_push(&argv, "/bin/bash");
    strvec_push(&argv, "-lc");
    strvec_push(&argv, script);
    bool held = approvals_hold_exec(call, args, &argv, resume);
    strvec_free(&argv);
    json_decref(args);
    return held;
}

static void gate_runs_asks_and_caches_for_the_session(void **state)
{
    struct fixture *f = *state;
    struct tool_call call;
    /* Unmatched under on-request: runs in the sandbox, no question. */
    assert_false(gate(f, &call, "ls", "{}"));
    assert_true(call.gate_passed);
    assert_false(call.unsandboxed);
    /* A prompt rule: asked; "approve once" resumes inside the sandbox ... */
    assert_true(gate(f, &call, "make all", "{}"));
    assert_int_equal(f->asked, 1);
    assert_string_equal(f->last_command, "/bin/bash -lc 'make all'");
    approval_reply(f->pending, REVIEW_APPROVED);
    assert_int_equal(f->resumed, 1);
    assert_true(call.gate_passed);
    assert_false(call.unsandboxed);
    /* ... and is asked again next time; "for this session" is not. */
    assert_true(gate(f, &call, "make all", "{}"));
    assert_int_equal(f->asked, 2);
    approval_reply(f->pending, REVIEW_APPROVED_FOR_SESSION);
    assert_int_equal(f->resumed, 2);
    assert_false(gate(f, &call, "make all", "{}"));
    assert_int_equal(f->asked, 2);
    /* The cache is per command. */
    assert_true(gate(f, &call, "make clean", "{}"));
    assert_int_equal(f->asked, 3);
    approval_reply(f->pending, REVIEW_DENIED);
    assert_int_equal(f->resumed, 2);
    assert_int_equal(f->finished, 1);
    assert_string_equal(f->last_output,
                        "exec_command failed: CreateProcess { message: \"Rejected(\\\"rejected by user\\\")\" }");
    assert_false(approvals_take_abort(f->ap));
}

static void escalation_approval_runs_unsandboxed_and_abort_ends_the_turn(void **state)
{
    struct fixture *f = *state;
    struct tool_call call;
    const char *esc = "{\"sandbox_permissions\":\"require_escalated\",\"justification\":\"needs the network\"}";
    assert_true(gate(f, &call, "curl example.com", esc));
    approval_reply(f->pending, REVIEW_APPROVED);
    assert_true(call.unsandboxed);
    assert_int_equal(f->resumed, 1);
    assert_true(gate(f, &call, "curl example.com", esc));
    approval_reply(f->pending, REVIEW_ABORT);
    assert_int_equal(f->finished, 1);
    assert_true(approvals_take_abort(f->ap));
    assert_false(approvals_take_abort(f->ap));
    /* Nobody to ask (codex exec): denied at once. */
    struct approvals *lone = approvals_new(&f->cfg, true, NULL, NULL, &(char *){NULL});
    f->env.approvals = lone;
    assert_true(gate(f, &call, "curl example.com", esc));
    assert_int_equal(f->finished, 2);
    assert_int_equal(f->resumed, 1);
    f->env.approvals = f->ap;
    approvals_free(lone);
}

static void always_appends_the_proposed_rule_and_allows_it(void **state)
{
    struct fixture *f = *state;
    struct tool_call call;
    const char *esc = "{\"sandbox_permissions\":\"require_escalated\",\"prefix_rule\":[\"cargo\",\"test\"]}";
    assert_true(gate(f, &call, "cargo test -p x", esc));
    approval_reply(f->pending, REVIEW_APPROVED_ALWAYS);
    char *path = fs_join(f->home, "rules/default.rules");
    size_t len;
    char *text = fs_read_file(path, 1 << 20, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"cargo\", \"test\""));
    free(text);
    free(path);
    /* The loaded rules allow it now: another cargo test runs in the sandbox
     * without a question. */
    assert_false(gate(f, &call, "cargo test -p y", "{}"));
    assert_int_equal(f->asked, 1);
    /* Interpreters are never offered as "always" prefixes. */
    const char *bad[] = {"python3", "-c"};
    char *err = NULL;
    assert_int_equal(approvals_persist_prefix(f->ap, bad, 2, &err), -1);
    assert_non_null(err);
    free(err);
}

static void sandbox_denials_are_recognised(void **state)
{
    (void)state;
    const char *ro = "touch: cannot touch '/x': Read-only file system\n";
    assert_true(approvals_looks_sandbox_denied(1, ro, strlen(ro)));
    assert_true(approvals_looks_sandbox_denied(1, "EPERM: Operation not permitted", 30));
    assert_false(approvals_looks_sandbox_denied(0, ro, strlen(ro)));
    assert_false(approvals_looks_sandbox_denied(127, ro, strlen(ro))); /* missing program */
    assert_false(approvals_looks_sandbox_denied(1, "make: *** [all] Error 1", 23));
}

static void failed_sandboxed_commands_may_be_retried_after_approval(void **state)
{
    struct fixture *f = *state;
    struct tool_call call = {.env = &f->env, .call_id = "c9", .on_finished = on_finished};
    json_t *args = json_pack("{s:s}", "cmd", "touch /etc/x");
    /* on-request: the denial goes to the model, no retry offered. */
    char *result = xstrdup("sandboxed result");
    assert_false(approvals_offer_retry(&call, args, result, resume));
    free(result);
    f->cfg.approval_policy = APPROVAL_ON_FAILURE;
    /* Declined: the model gets the sandboxed run's result. */
    assert_true(approvals_offer_retry(&call, args, xstrdup("sandboxed result"), resume));
    assert_int_equal(f->asked, 1);
    assert_string_equal(f->last_command, "/bin/bash -lc 'touch /etc/x'");
    approval_reply(f->pending, REVIEW_DENIED);
    assert_string_equal(f->last_output, "sandboxed result");
    assert_int_equal(f->resumed, 0);
    /* Approved for the session: re-run outside the sandbox, and the next
     * denial of the same command is retried without a question. */
    call = (struct tool_call){.env = &f->env, .call_id = "c9", .on_finished = on_finished};
    assert_true(approvals_offer_retry(&call, args, xstrdup("again"), resume));
    approval_reply(f->pending, REVIEW_APPROVED_FOR_SESSION);
    assert_int_equal(f->resumed, 1);
    assert_true(call.unsandboxed);
    call = (struct tool_call){.env = &f->env, .call_id = "c9", .on_finished = on_finished};
    assert_true(approvals_offer_retry(&call, args, xstrdup("third"), resume));
    assert_int_equal(f->asked, 2);
    assert_int_equal(f->resumed, 2);
    json_decref(args);
}

static void pending_requests_are_dropped_with_the_session(void **state)
{
    struct fixture *f = *state;
    struct tool_call call;
    assert_true(gate(f, &call, "make x", "{}"));
    approvals_cancel_pending(f->ap); /* the front end's handle is void now */
    assert_int_equal(f->resumed, 0);
    assert_int_equal(f->finished, 0);
}

static void a_broken_rules_file_is_an_error_naming_it(void **state)
{
    struct fixture *f = *state;
    char *file = fs_join(f->home, "rules/z.rules");
    const char *text = "prefix_rule(pattern=[\"x\"], decision=\"maybe\")\n";
    assert_int_equal(fs_write_atomic(file, text, strlen(text), 0600), 0);
    char *err = NULL;
    assert_null(approvals_new(&f->cfg, false, NULL, NULL, &err));
    assert_non_null(strstr(err, "z.rules:1:"));
    free(err);
    /* --ignore-rules skips the user's files. */
    struct approvals *ap = approvals_new(&f->cfg, true, NULL, NULL, &err);
    assert_non_null(ap);
    approvals_free(ap);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forbidden_rules_reject_under_every_policy),
        cmocka_unit_test(prompt_rules_ask_unless_nobody_may_be_asked),
        cmocka_unit_test(allow_rules_run_sandboxed_without_asking),
        cmocka_unit_test(unmatched_commands_follow_the_policy),
        cmocka_unit_test(escalations_are_asked_only_where_they_can_be),
        cmocka_unit_test(unsandboxed_retries_only_where_the_user_is_asked),
        cmocka_unit_test(patches_outside_the_roots_ask_or_are_rejected),
        cmocka_unit_test(messages_use_the_reference_wording),
        cmocka_unit_test_setup_teardown(gate_runs_asks_and_caches_for_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(escalation_approval_runs_unsandboxed_and_abort_ends_the_turn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(always_appends_the_proposed_rule_and_allows_it, setup, teardown),
        cmocka_unit_test_setup_teardown(pending_requests_are_dropped_with_the_session, setup, teardown),
        cmocka_unit_test(sandbox_denials_are_recognised),
        cmocka_unit_test_setup_teardown(failed_sandboxed_commands_may_be_retried_after_approval, setup, teardown),
        cmocka_unit_test_setup_teardown(a_broken_rules_file_is_an_error_naming_it, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
