/* Unit tests for approvals: the pure decision (src/policy/approval.c) over
 * policy x rule verdict x known-safe x escalation, the reference's messages,
 * and the session's gates (src/core/approvals.c): decisions on the exact
 * request, questions as tickets, the session cache, the "always" rule
 * append, and patches judged by the resolved paths of their plan. */
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
#include "patch/patch.h"
#include "sandbox/sandbox.h"
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

/* ---- the gates and the questions ---------------------------------------- */

struct fixture {
    char home[64];
    uv_loop_t loop;
    struct codex_config cfg;
    struct sandbox_policy policy;
    struct approvals *ap;
    int asked, answered, withdrawn;
    uint64_t ticket;
    enum review_decision last_answer;
    char *last_command;
};

static const char *const no_env[] = {"CODEX_REQUIREMENTS_PATH=/nonexistent/requirements.toml", NULL};

static bool on_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct fixture *f = ud;
    f->asked++;
    free(f->last_command);
    f->last_command = xstrdup(req->command);
    f->ticket = ticket;
    return true;
}

static void on_withdraw(void *ud, uint64_t ticket)
{
    struct fixture *f = ud;
    assert_int_equal(ticket, f->ticket);
    f->withdrawn++;
}

static void on_answer(void *ud, enum review_decision d)
{
    struct fixture *f = ud;
    f->answered++;
    f->last_answer = d;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    snprintf(f->home, sizeof f->home, "/tmp/test_approvals_XXXXXX");
    assert_non_null(mkdtemp(f->home));
    uv_loop_init(&f->loop);
    f->cfg.envp = no_env;
    f->cfg.codex_home = f->home;
    f->cfg.cwd = f->home;
    f->cfg.approval_policy = APPROVAL_ON_REQUEST;
    f->cfg.sandbox_mode = SANDBOX_WORKSPACE_WRITE;
    f->cfg.granular = all_on;
    sandbox_policy_init(&f->policy, SANDBOX_KIND_WORKSPACE_WRITE);
    f->policy.exclude_slash_tmp = f->policy.exclude_tmpdir_env_var = true;
    char *rules_dir = fs_join(f->home, "rules");
    fs_mkdir_p(rules_dir, 0700);
    char *file = fs_join(rules_dir, "a.rules");
    const char *text = "prefix_rule(pattern=[\"make\"], decision=\"prompt\")\n";
    assert_int_equal(fs_write_atomic(file, text, strlen(text), 0600), 0);
    free(file);
    free(rules_dir);
    struct codex_error err = CODEX_ERROR_INIT;
    struct approval_front front = {.ask = on_ask, .withdraw = on_withdraw, .ud = f};
    f->ap = approvals_new(&f->loop, &f->cfg, false, &front, &err);
    assert_non_null(f->ap);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    approvals_free(f->ap);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    sandbox_policy_free(&f->policy);
    char *cmd = xasprintf("rm -rf '%s' /var/tmp/%s-out", f->home, f->home + 5);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f->last_command);
    free(f);
    return 0;
}

static struct tool_gate gate_exec(struct fixture *f, const char *script, bool escalation, bool retry)
{
    const char *argv[] = {"/bin/bash", "-lc", script};
    struct tool_exec_request req = {.call_id = "c1", .argv = argv, .argc = 3, .cwd = f->home,
                                    .escalation = escalation, .retry = retry};
    return approvals_gate_exec(f->ap, &f->policy, &req);
}

/* Ask as a tool would, with the gate's session key. */
static void ask(struct fixture *f, struct tool_gate *g, const char *const *prefix, size_t n_prefix)
{
    const char *argv[] = {"/bin/bash", "-lc", "x"};
    struct approval_request req = {.kind = APPROVAL_KIND_EXEC, .call_id = "c1", .command = "cmd", .argv = argv,
                                   .argc = 3, .cwd = f->home, .proposed_prefix = prefix,
                                   .n_proposed_prefix = n_prefix, .session_key = g->session_key};
    assert_non_null(approvals_ask(f->ap, &req, on_answer, f));
    tool_gate_clear(g);
}

static void gate_runs_asks_and_caches_for_the_session(void **state)
{
    struct fixture *f = *state;
    /* Unmatched under on-request: runs in the sandbox, no question. */
    struct tool_gate g = gate_exec(f, "ls", false, false);
    assert_int_equal(g.action, TOOL_GATE_RUN);
    tool_gate_clear(&g);
    /* A prompt rule: asked; approving once does not cover the next time. */
    g = gate_exec(f, "make all", false, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_false(g.unsandboxed_if_approved);
    ask(f, &g, NULL, 0);
    assert_int_equal(f->asked, 1);
    assert_int_equal(f->answered, 0);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED));
    assert_int_equal(f->answered, 1);
    assert_int_equal(f->last_answer, REVIEW_APPROVED);
    assert_false(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED)); /* a stale ticket */
    g = gate_exec(f, "make all", false, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    ask(f, &g, NULL, 0);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED_FOR_SESSION));
    g = gate_exec(f, "make all", false, false);
    assert_int_equal(g.action, TOOL_GATE_RUN);
    tool_gate_clear(&g);
    /* The cache is per command. */
    g = gate_exec(f, "make clean", false, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    tool_gate_clear(&g);
    assert_false(approvals_take_abort(f->ap));
}

/* An escalation the model gave no prefix_rule for proposes, as the
 * reference does, the first simple command that is not known to be safe;
 * nothing when a rules file asks for the command or the script is opaque. */
static void gate_derives_the_always_amendment(void **state)
{
    struct fixture *f = *state;
    struct tool_gate g = gate_exec(f, "ls && touch /etc/marker; echo done", true, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_int_equal(g.amendment.n, 2);
    assert_string_equal(g.amendment.v[0], "touch");
    assert_string_equal(g.amendment.v[1], "/etc/marker");
    tool_gate_clear(&g);
    assert_int_equal(g.amendment.n, 0);
    g = gate_exec(f, "make all", true, false); /* a prompt rule matches */
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_int_equal(g.amendment.n, 0);
    tool_gate_clear(&g);
    g = gate_exec(f, "touch $(cat list)", true, false); /* opaque */
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_int_equal(g.amendment.n, 0);
    tool_gate_clear(&g);
    /* The model's own prefix_rule is the one offered. */
    const char *argv[] = {"/bin/bash", "-lc", "touch /etc/marker"};
    const char *rule[] = {"touch"};
    struct tool_exec_request req = {.call_id = "c1", .argv = argv, .argc = 3, .cwd = f->home,
                                    .escalation = true, .prefix_rule = rule, .n_prefix_rule = 1};
    g = approvals_gate_exec(f->ap, &f->policy, &req);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_int_equal(g.amendment.n, 0);
    tool_gate_clear(&g);
}

/* A network question (the managed proxy's) reaches the front end with its
 * destination; cancelling it refuses that request only, never the turn,
 * and "always" writes no prefix rule (the proxy keeps its own). */
static void network_questions_do_not_end_the_turn(void **state)
{
    struct fixture *f = *state;
    const char *argv[] = {"network-access", "https://example.com:443"};
    struct approval_request req = {.kind = APPROVAL_KIND_NETWORK, .call_id = "network#https#example.com#443",
                                   .command = "network-access https://example.com:443", .argv = argv, .argc = 2,
                                   .reason = "example.com is not in the allowed_domains",
                                   .network_host = "example.com", .network_protocol = "https",
                                   .network_port = 443};
    approvals_ask(f->ap, &req, on_answer, f);
    assert_int_equal(f->asked, 1);
    assert_string_equal(f->last_command, "network-access https://example.com:443");
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_ABORT));
    assert_int_equal(f->last_answer, REVIEW_ABORT);
    assert_false(approvals_take_abort(f->ap));
    approvals_ask(f->ap, &req, on_answer, f);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED_ALWAYS));
    assert_int_equal(f->last_answer, REVIEW_APPROVED_ALWAYS);
    char *rules = xasprintf("%s/rules/default.rules", f->home);
    assert_int_not_equal(access(rules, F_OK), 0);
    free(rules);
}

static void escalation_approval_runs_unsandboxed_and_abort_ends_the_turn(void **state)
{
    struct fixture *f = *state;
    struct tool_gate g = gate_exec(f, "curl example.com", true, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_true(g.unsandboxed_if_approved);
    ask(f, &g, NULL, 0);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_ABORT));
    assert_int_equal(f->last_answer, REVIEW_ABORT);
    assert_true(approvals_take_abort(f->ap));
    assert_false(approvals_take_abort(f->ap));
    /* Nobody to ask (codex exec): declined, but only once the loop turns. */
    struct codex_error err = CODEX_ERROR_INIT;
    struct approvals *lone = approvals_new(&f->loop, &f->cfg, true, NULL, &err);
    assert_non_null(lone);
    const char *argv[] = {"curl"};
    struct approval_request req = {.kind = APPROVAL_KIND_EXEC, .command = "curl", .argv = argv, .argc = 1};
    f->answered = 0;
    approvals_ask(lone, &req, on_answer, f);
    assert_int_equal(f->answered, 0);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(f->answered, 1);
    assert_int_equal(f->last_answer, REVIEW_DENIED);
    approvals_free(lone);
}

static void always_appends_the_proposed_rule_and_allows_it(void **state)
{
    struct fixture *f = *state;
    struct tool_gate g = gate_exec(f, "cargo test -p x", true, false);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    const char *prefix[] = {"cargo", "test"};
    ask(f, &g, prefix, 2);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED_ALWAYS));
    char *path = fs_join(f->home, "rules/default.rules");
    size_t len;
    char *text = fs_read_file(path, 1 << 20, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"cargo\", \"test\""));
    free(text);
    free(path);
    /* The loaded rules allow it now: another cargo test runs in the sandbox
     * without a question. */
    g = gate_exec(f, "cargo test -p y", false, false);
    assert_int_equal(g.action, TOOL_GATE_RUN);
    tool_gate_clear(&g);
    /* Interpreters are never offered as "always" prefixes. */
    const char *bad[] = {"python3", "-c"};
    struct codex_error err = CODEX_ERROR_INIT;
    assert_int_equal(approvals_persist_prefix(f->ap, bad, 2, &err), -1);
    assert_true(codex_error_is_set(&err));
    codex_error_clear(&err);
}

static void sandbox_denials_are_recognised(void **state)
{
    (void)state;
    const char *ro = "touch: cannot touch '/x': Read-only file system\n";
    assert_true(exec_output_looks_sandbox_denied(1, ro, strlen(ro)));
    assert_true(exec_output_looks_sandbox_denied(1, "EPERM: Operation not permitted", 30));
    assert_false(exec_output_looks_sandbox_denied(0, ro, strlen(ro)));
    assert_false(exec_output_looks_sandbox_denied(127, ro, strlen(ro))); /* missing program */
    assert_false(exec_output_looks_sandbox_denied(1, "make: *** [all] Error 1", 23));
}

static void failed_sandboxed_commands_may_be_retried_after_approval(void **state)
{
    struct fixture *f = *state;
    /* on-request: the denial goes to the model, no retry offered. */
    struct tool_gate g = gate_exec(f, "touch /etc/x", false, true);
    assert_int_equal(g.action, TOOL_GATE_RUN);
    tool_gate_clear(&g);
    f->cfg.approval_policy = APPROVAL_ON_FAILURE;
    g = gate_exec(f, "touch /etc/x", false, true);
    assert_int_equal(g.action, TOOL_GATE_ASK);
    assert_true(g.unsandboxed_if_approved);
    ask(f, &g, NULL, 0);
    assert_true(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED_FOR_SESSION));
    /* Approved for the session: the next denial of the same command is
     * retried without a question. */
    g = gate_exec(f, "touch /etc/x", false, true);
    assert_int_equal(g.action, TOOL_GATE_RUN_UNSANDBOXED);
    tool_gate_clear(&g);
}

static void withdrawn_questions_answer_abort_once(void **state)
{
    struct fixture *f = *state;
    struct tool_gate g = gate_exec(f, "make x", false, false);
    ask(f, &g, NULL, 0);
    approvals_cancel_all(f->ap);
    assert_int_equal(f->withdrawn, 1);
    assert_int_equal(f->answered, 1);
    assert_int_equal(f->last_answer, REVIEW_ABORT);
    /* The front end's late answer finds nothing. */
    assert_false(approvals_answer(f->ap, f->ticket, REVIEW_APPROVED));
    assert_int_equal(f->answered, 1);
}

/* ---- a reviewer in place of the front end (auto-review) --------------- */

struct reviewer_seen {
    int started, cancelled;
    uint64_t ticket;
    char *command;
    const char *note_at_answer; /* approvals_denial_note while the answer ran */
};

static struct reviewer_seen seen;
static struct approvals *seen_ap;

static void review_start(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct fixture *f = ud;
    (void)f;
    seen.started++;
    seen.ticket = ticket;
    free(seen.command);
    seen.command = xstrdup(req->command);
}

static void review_cancel(void *ud, uint64_t ticket)
{
    (void)ud;
    assert_int_equal(ticket, seen.ticket);
    seen.cancelled++;
}

static void on_reviewed_answer(void *ud, enum review_decision d)
{
    struct fixture *f = ud;
    f->answered++;
    f->last_answer = d;
    const char *note = approvals_denial_note(seen_ap);
    seen.note_at_answer = note ? xstrdup(note) : NULL;
}

static void review_ask(struct fixture *f)
{
    const char *argv[] = {"/bin/bash", "-lc", "x"};
    struct approval_request req = {.kind = APPROVAL_KIND_EXEC, .call_id = "c1", .command = "make x", .argv = argv,
                                   .argc = 3, .cwd = f->home};
    assert_non_null(approvals_ask(f->ap, &req, on_reviewed_answer, f));
}

static void a_reviewer_takes_the_questions_from_the_front_end(void **state)
{
    struct fixture *f = *state;
    memset(&seen, 0, sizeof seen);
    seen_ap = f->ap;
    approvals_set_reviewer(f->ap, review_start, review_cancel, f);

    review_ask(f);
    assert_int_equal(seen.started, 1);
    assert_string_equal(seen.command, "make x");
    assert_int_equal(f->asked, 0); /* the user is not asked */
    assert_int_equal(f->answered, 0);
    /* The front end cannot answer a question it never got. */
    assert_false(approvals_answer(f->ap, seen.ticket, REVIEW_APPROVED));
    approvals_reviewed(f->ap, seen.ticket, true, "ignored for approvals");
    assert_int_equal(f->answered, 1);
    assert_int_equal(f->last_answer, REVIEW_APPROVED);
    assert_null(seen.note_at_answer);

    /* A denial carries its note to the tool, only while the answer runs. */
    review_ask(f);
    approvals_reviewed(f->ap, seen.ticket, false, "too risky");
    assert_int_equal(f->last_answer, REVIEW_DENIED);
    assert_string_equal(seen.note_at_answer, "too risky");
    free((char *)seen.note_at_answer);
    assert_null(approvals_denial_note(f->ap));
    /* A second verdict for the same ticket finds nothing. */
    approvals_reviewed(f->ap, seen.ticket, true, NULL);
    assert_int_equal(f->answered, 2);

    /* A withdrawn question stops its review and answers abort once. */
    review_ask(f);
    approvals_cancel_all(f->ap);
    assert_int_equal(seen.cancelled, 1);
    assert_int_equal(f->answered, 3);
    assert_int_equal(f->last_answer, REVIEW_ABORT);
    approvals_reviewed(f->ap, seen.ticket, true, NULL);
    assert_int_equal(f->answered, 3);
    free(seen.command);
}

static void a_broken_rules_file_is_an_error_naming_it(void **state)
{
    struct fixture *f = *state;
    char *file = fs_join(f->home, "rules/z.rules");
    const char *text = "prefix_rule(pattern=[\"x\"], decision=\"maybe\")\n";
    assert_int_equal(fs_write_atomic(file, text, strlen(text), 0600), 0);
    struct codex_error err = CODEX_ERROR_INIT;
    assert_null(approvals_new(&f->loop, &f->cfg, false, NULL, &err));
    assert_non_null(strstr(err.message, "z.rules:1:"));
    codex_error_clear(&err);
    /* --ignore-rules skips the user's files. */
    struct approvals *ap = approvals_new(&f->loop, &f->cfg, true, NULL, &err);
    assert_non_null(ap);
    approvals_free(ap);
    free(file);
}

/* ---- the patch gate, on real plans -------------------------------------- */

/* The gate's answer for a patch applied in the fixture's workspace. */
static enum tool_gate_action gate_patch(struct fixture *f, const char *text)
{
    struct patch_error perr = {PATCH_ERR_NONE, 0, NULL};
    struct patch *p = patch_parse(text, strlen(text), &perr);
    assert_non_null(p);
    struct patch_plan plan;
    struct buf err = BUF_INIT;
    assert_int_equal(patch_plan_build(p, f->home, &plan, &err), 0);
    struct tool_patch_request req = {.call_id = "p1", .patch = text, .cwd = f->home, .plan = &plan};
    struct tool_gate g = approvals_gate_patch(f->ap, &f->policy, f->home, &req);
    enum tool_gate_action action = g.action;
    tool_gate_clear(&g);
    patch_plan_free(&plan);
    patch_free(p);
    buf_free(&err);
    return action;
}

static void patches_are_judged_by_where_they_land(void **state)
{
    struct fixture *f = *state;
    char *outside = xasprintf("/var/tmp/%s-out", f->home + 5);
    assert_int_equal(fs_mkdir_p(outside, 0755), 0);
    char *a = fs_join(f->home, "a.txt");
    assert_int_equal(fs_write_atomic(a, "x\n", 2, 0644), 0);
    char *victim = fs_join(outside, "victim.txt");
    assert_int_equal(fs_write_atomic(victim, "v\n", 2, 0644), 0);
    char *link = fs_join(f->home, "out");
    assert_int_equal(symlink(outside, link), 0);
    char *up = xstrdup("");
    for (int i = 0; i < 12; i++) {
        char *more = xasprintf("%s../", up);
        free(up);
        up = more;
    }
    char *t;
    /* Inside: no question. */
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Add File: in.txt\n+hi\n*** End Patch\n"), TOOL_GATE_RUN);
    /* `..` in each header kind, an absolute path, a move out, and a
     * symlinked directory inside the workspace pointing out: all asked. */
    t = xasprintf("*** Begin Patch\n*** Add File: %s%s/add.txt\n+hi\n*** End Patch\n", up, outside + 1);
    assert_int_equal(gate_patch(f, t), TOOL_GATE_ASK);
    free(t);
    t = xasprintf("*** Begin Patch\n*** Delete File: %s%s/victim.txt\n*** End Patch\n", up, outside + 1);
    assert_int_equal(gate_patch(f, t), TOOL_GATE_ASK);
    free(t);
    t = xasprintf("*** Begin Patch\n*** Update File: %s%s/victim.txt\n@@\n-v\n+w\n*** End Patch\n", up, outside + 1);
    assert_int_equal(gate_patch(f, t), TOOL_GATE_ASK);
    free(t);
    t = xasprintf("*** Begin Patch\n*** Add File: %s/abs.txt\n+hi\n*** End Patch\n", outside);
    assert_int_equal(gate_patch(f, t), TOOL_GATE_ASK);
    free(t);
    t = xasprintf("*** Begin Patch\n*** Update File: a.txt\n*** Move to: %s/moved.txt\n@@\n-x\n+y\n*** End Patch\n",
                  outside);
    assert_int_equal(gate_patch(f, t), TOOL_GATE_ASK);
    free(t);
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Add File: out/via-link.txt\n+hi\n*** End Patch\n"),
                     TOOL_GATE_ASK);
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Update File: out/victim.txt\n@@\n-v\n+w\n*** End Patch\n"),
                     TOOL_GATE_ASK);
    /* A protected path inside the workspace is read-only in the sandbox too. */
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Add File: .git/hooks/pre-commit\n+x\n*** End Patch\n"),
                     TOOL_GATE_ASK);
    /* Under never, the same patches are refused instead. */
    f->cfg.approval_policy = APPROVAL_NEVER;
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Add File: out/via-link.txt\n+hi\n*** End Patch\n"),
                     TOOL_GATE_REJECT);
    assert_int_equal(gate_patch(f, "*** Begin Patch\n*** Add File: in.txt\n+hi\n*** End Patch\n"), TOOL_GATE_RUN);
    free(up);
    free(link);
    free(victim);
    free(a);
    free(outside);
}

static void elicitations_are_asked_unless_the_policy_answers_them(void **state)
{
    (void)state;
    struct granular_approval g = {.mcp_elicitations = true};
    assert_int_equal(approval_decide_elicitation(APPROVAL_ON_REQUEST, NULL, false, false), ELICITATION_ASK);
    assert_int_equal(approval_decide_elicitation(APPROVAL_ON_REQUEST, NULL, true, true), ELICITATION_ASK);
    assert_int_equal(approval_decide_elicitation(APPROVAL_UNTRUSTED, NULL, false, true), ELICITATION_ASK);
    /* never: nobody is asked */
    assert_int_equal(approval_decide_elicitation(APPROVAL_NEVER, NULL, false, false), ELICITATION_DECLINE);
    assert_int_equal(approval_decide_elicitation(APPROVAL_NEVER, NULL, false, true), ELICITATION_DECLINE);
    assert_int_equal(approval_decide_elicitation(APPROVAL_NEVER, NULL, true, false), ELICITATION_DECLINE);
    /* ... but without a sandbox a bare confirmation is a yes */
    assert_int_equal(approval_decide_elicitation(APPROVAL_NEVER, NULL, true, true), ELICITATION_ACCEPT_EMPTY);
    assert_int_equal(approval_decide_elicitation(APPROVAL_GRANULAR, &g, false, false), ELICITATION_ASK);
    g.mcp_elicitations = false;
    assert_int_equal(approval_decide_elicitation(APPROVAL_GRANULAR, &g, false, false), ELICITATION_DECLINE);
    assert_int_equal(approval_decide_elicitation(APPROVAL_GRANULAR, &g, true, true), ELICITATION_DECLINE);
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
        cmocka_unit_test_setup_teardown(gate_derives_the_always_amendment, setup, teardown),
        cmocka_unit_test_setup_teardown(gate_runs_asks_and_caches_for_the_session, setup, teardown),
        cmocka_unit_test_setup_teardown(escalation_approval_runs_unsandboxed_and_abort_ends_the_turn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(always_appends_the_proposed_rule_and_allows_it, setup, teardown),
        cmocka_unit_test_setup_teardown(withdrawn_questions_answer_abort_once, setup, teardown),
        cmocka_unit_test_setup_teardown(a_reviewer_takes_the_questions_from_the_front_end, setup, teardown),
        cmocka_unit_test_setup_teardown(patches_are_judged_by_where_they_land, setup, teardown),
        cmocka_unit_test(sandbox_denials_are_recognised),
        cmocka_unit_test(elicitations_are_asked_unless_the_policy_answers_them),
        cmocka_unit_test_setup_teardown(failed_sandboxed_commands_may_be_retried_after_approval, setup, teardown),
        cmocka_unit_test_setup_teardown(a_broken_rules_file_is_an_error_naming_it, setup, teardown),
        cmocka_unit_test_setup_teardown(network_questions_do_not_end_the_turn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
