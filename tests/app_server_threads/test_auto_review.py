"""Auto-review (approvals_reviewer = "auto_review"): a question that would
go to the user goes to a reviewer request to the model instead, and its
verdict decides.  A reviewer that fails or answers nonsense denies."""
import json
import os
import pathlib
import uuid

from test_approvals import tool_output
from test_threads import run_turn, start_thread, turn_completed, wait_for


def outside_path():
    # Not under /tmp, which workspace-write lets commands write.
    return pathlib.Path("/var/tmp") / f"codex-auto-review-{os.getpid()}-{uuid.uuid4().hex}"


def escalation(path):
    return {"type": "function_call", "name": "exec_command", "call_id": "c1",
            "arguments": {"cmd": f"touch {path}", "login": False,
                          "sandbox_permissions": "require_escalated",
                          "justification": "make the marker file"}}


def verdict(outcome, risk, rationale):
    return [{"type": "message", "text": json.dumps(
        {"risk_level": risk, "user_authorization": "high", "outcome": outcome,
         "rationale": rationale})}]


def run(threads_server, repo, reviewer_turn):
    target = outside_path()
    script = [[escalation(target)], reviewer_turn, [{"type": "message", "text": "fin"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    # Nobody was asked: no approval request reached the client.
    assert not [m for m in server.pending if m.get("method", "").endswith("requestApproval")]
    return server, mock, t, target


def reviewer_request(mock):
    reqs = mock.requests()
    assert len(reqs) == 3, [r["body"].get("client_metadata") for r in reqs]
    return reqs[1]


def assert_review_request(mock, t, target):
    r = reviewer_request(mock)
    body = r["body"]
    assert body["client_metadata"]["x-openai-subagent"] == "guardian"
    assert body["client_metadata"]["x-codex-parent-thread-id"] == t["id"]
    assert body["prompt_cache_key"] == f"guardian:{t['id']}"
    fmt = body["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["schema"]["required"] == ["outcome"]
    assert fmt["schema"]["properties"]["outcome"]["enum"] == ["allow", "deny"]
    assert r["headers"].get("x-openai-subagent") == "guardian"
    # Its own thread within the parent's session, as the reference's reviewer.
    assert r["headers"].get("session-id") == t["id"] and r["headers"].get("thread-id") not in (None, t["id"])
    assert body["reasoning"] == {"effort": "low"} and body["parallel_tool_calls"] is True
    # A thread of its own, as the reference's reviewer: our policy in place
    # of the base instructions, the read-only permissions, the environment,
    # then the review itself.
    roles = [i["role"] for i in body["input"]]
    assert roles == ["developer", "developer", "user", "user"]
    perms = "".join(p["text"] for p in body["input"][1]["content"])
    assert "read-only" in perms and "never" in perms
    assert "<environment_context>" in body["input"][2]["content"][0]["text"]
    # It may look, and only look.
    assert [t.get("name") for t in body["tools"]] == ["exec_command", "write_stdin", "view_image"]
    text = "".join(p["text"] for p in body["input"][-1]["content"])
    # The user's request and the exact action are there.
    assert "make the marker" in text and f"touch {target}" in text
    assert "require_escalated" in text and "make the marker file" in text


def review_notes(server, t):
    started = wait_for(server, "item/autoApprovalReview/started")["params"]
    completed = wait_for(server, "item/autoApprovalReview/completed")["params"]
    warning = wait_for(server, "guardianWarning")["params"]
    assert started["threadId"] == completed["threadId"] == warning["threadId"] == t["id"]
    assert started["reviewId"] == completed["reviewId"]
    assert started["targetItemId"] == completed["targetItemId"] == "c1"
    assert started["review"] == {"status": "inProgress", "riskLevel": None, "userAuthorization": None,
                                 "rationale": None}
    assert started["action"]["type"] == "command" and "touch" in started["action"]["command"]
    return completed, warning


def test_an_allowed_action_runs_without_asking(threads_server, repo):
    server, mock, t, target = run(threads_server, repo, verdict("allow", "low", "a harmless file"))
    try:
        assert target.exists()
        assert_review_request(mock, t, target)
        completed, warning = review_notes(server, t)
        assert completed["review"] == {"status": "approved", "riskLevel": "low",
                                       "userAuthorization": "high", "rationale": "a harmless file"}
        assert completed["decisionSource"] == "agent"
        assert warning["message"] == ("Automatic approval review approved (risk: low, authorization: high): "
                                      "a harmless file")
    finally:
        target.unlink(missing_ok=True)


def test_a_denied_action_does_not_run_and_the_model_hears_why(threads_server, repo):
    server, mock, t, target = run(threads_server, repo, verdict("deny", "high", "writes outside for no reason"))
    assert not target.exists()
    assert_review_request(mock, t, target)
    completed, warning = review_notes(server, t)
    assert completed["review"]["status"] == "denied" and completed["review"]["riskLevel"] == "high"
    out = tool_output(mock, "c1")
    assert "rejected due to unacceptable risk" in out and "writes outside for no reason" in out
    assert "must not attempt to achieve the same outcome" in out


def test_a_failing_reviewer_denies(threads_server, repo):
    server, mock, t, target = run(threads_server, repo,
                                  {"status": 400, "error": {"error": {"message": "reviewer broke"}}})
    assert not target.exists()
    completed, warning = review_notes(server, t)
    assert completed["review"]["status"] == "denied" and completed["review"]["riskLevel"] is None
    assert warning["message"].startswith("Automatic approval review failed:")
    out = tool_output(mock, "c1")
    assert "Automatic approval review failed" in out and "not a determination that the action is unsafe" in out


def test_a_malformed_verdict_denies(threads_server, repo):
    # Asked three times; none of the answers is a verdict.
    target = outside_path()
    prose = [{"type": "message", "text": "looks fine to me"}]
    server, mock = threads_server([[escalation(target)], prose, prose, prose,
                                   [{"type": "message", "text": "fin"}]])
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert len(mock.requests()) == 5
    assert not target.exists()
    completed, _ = review_notes(server, t)
    assert completed["review"]["status"] == "denied"
    assert "Automatic approval review failed" in tool_output(mock, "c1")


def test_the_thread_reports_its_reviewer(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "hi"}]])
    r = server.call("thread/start", {"cwd": str(repo), "approvalsReviewer": "auto_review"})
    assert r["result"]["approvalsReviewer"] == "auto_review"
    r = server.call("thread/start", {"cwd": str(repo)})
    assert r["result"]["approvalsReviewer"] == "user"
    r = server.call("thread/start", {"cwd": str(repo), "approvalsReviewer": "robot"})
    assert "error" in r and "robot" in r["error"]["message"]


def test_the_local_policy_replaces_ours(threads_server, repo):
    target = outside_path()
    server, mock = threads_server([[escalation(target)], verdict("deny", "high", "no"),
                                   [{"type": "message", "text": "fin"}]])
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review",
                     config={"auto_review": {"policy": "Deny every command named touch."}})
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    developer = "".join(p["text"] for p in reviewer_request(mock)["body"]["input"][0]["content"])
    assert developer.startswith("Deny every command named touch.")
    assert not target.exists()


def numbered_call(i, target):
    c = escalation(target)
    return [dict(c, call_id=f"c{i}")]


def test_three_denials_in_a_row_interrupt_the_turn(threads_server, repo):
    target = outside_path()
    script = []
    for i in range(1, 5):
        script += [numbered_call(i, target), verdict("deny", "high", "no")]
    script.append([{"type": "message", "text": "fin"}])
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    warnings = [m["params"]["message"] for m in server.pending if m.get("method") == "guardianWarning"]
    assert warnings[-1] == ("Automatic approval review rejected too many approval requests for this turn "
                            "(3 consecutive, 3 in the last 50 reviews); interrupting the turn.")
    # Three calls and three reviews; the model is not asked again.
    assert len(mock.requests()) == 6
    assert not target.exists()


def test_an_approval_between_denials_resets_the_count(threads_server, repo):
    target = outside_path()
    script = [numbered_call(1, target), verdict("deny", "high", "no"),
              numbered_call(2, target), verdict("deny", "high", "no"),
              numbered_call(3, "/dev/null"), verdict("allow", "low", "fine"),
              numbered_call(4, target), verdict("deny", "high", "no"),
              [{"type": "message", "text": "fin"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert len(mock.requests()) == 9
    assert not target.exists()


def core_event(completed):
    """The review as the core protocol spells it, which is what the method
    takes (the reference answers camelCase sources with an error)."""
    action = dict(completed["action"], source="unified_exec")
    return {"id": completed["reviewId"], "target_item_id": completed["targetItemId"],
            "turn_id": completed["turnId"], "status": completed["review"]["status"],
            "risk_level": completed["review"]["riskLevel"], "rationale": completed["review"]["rationale"],
            "decision_source": "agent", "action": action}


def test_the_user_can_approve_a_denied_action(threads_server, repo):
    target = outside_path()
    script = [numbered_call(1, target), verdict("deny", "high", "no"), [{"type": "message", "text": "fin"}],
              numbered_call(2, target), verdict("allow", "low", "the user approved it"),
              [{"type": "message", "text": "fin2"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    completed, _ = review_notes(server, t)
    r = server.call("thread/approveGuardianDeniedAction", {"threadId": t["id"], "event": {}})
    assert r["error"]["message"] == "invalid Guardian denial event: missing field `id`"
    r = server.call("thread/approveGuardianDeniedAction",
                    {"threadId": t["id"], "event": {"id": "x", "status": "denied"}})
    assert r["error"]["message"] == "invalid Guardian denial event: missing field `action`"
    r = server.call("thread/approveGuardianDeniedAction",
                    {"threadId": t["id"], "event": core_event(completed)})
    assert r == {"id": r["id"], "result": {}}, r
    try:
        run_turn(server, t["id"], "again")
        assert turn_completed(server, t["id"])["status"] == "completed"
        reqs = mock.requests()
        assert len(reqs) == 6
        # The note sits before the user's next message, and names the action.
        inputs = reqs[3]["body"]["input"]
        note = inputs[-2]
        assert note["role"] == "developer" and inputs[-1]["role"] == "user"
        text = note["content"][0]["text"]
        assert text.startswith("The user has manually approved a specific action that was previously `Rejected`.")
        assert f"touch {target}" in text and '"outcome": "allowed"' in text
        # The next review sees it.
        review = "".join(p["text"] for p in reqs[4]["body"]["input"][-1]["content"])
        assert "The user has manually approved" in review
        assert target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_an_interrupt_during_a_review_aborts_it(threads_server, repo):
    target = outside_path()
    server, mock = threads_server([[escalation(target)], {"hang": True}, [{"type": "message", "text": "fin"}]])
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    turn = run_turn(server, t["id"], "make the marker")
    wait_for(server, "item/autoApprovalReview/started")
    r = server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    assert "result" in r, r
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    done = wait_for(server, "item/autoApprovalReview/completed")["params"]
    assert done["review"]["status"] == "aborted"
    assert not target.exists()


def test_a_client_that_leaves_mid_review_never_gets_the_action_run(threads_server, repo):
    target = outside_path()
    server, mock = threads_server([[escalation(target)], {"hang": True}])
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    wait_for(server, "item/autoApprovalReview/started")
    assert server.close() == 0
    assert not target.exists()


def patch_outside(target):
    return [{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1",
             "input": f"*** Begin Patch\n*** Add File: {target}\n+reviewed\n*** End Patch\n"}]


def run_patch(threads_server, repo, reviewer_turn):
    target = outside_path()
    server, mock = threads_server([patch_outside(target), reviewer_turn, [{"type": "message", "text": "fin"}]])
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "write the file")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not [m for m in server.pending if m.get("method", "").endswith("requestApproval")]
    started = wait_for(server, "item/autoApprovalReview/started")["params"]
    assert started["action"] == {"type": "applyPatch", "cwd": str(repo), "files": [str(target)]}
    assert started["targetItemId"] == "p1"
    review = "".join(p["text"] for p in reviewer_request(mock)["body"]["input"][-1]["content"])
    assert '"tool": "apply_patch"' in review and f"*** Add File: {target}" in review
    return mock, target


def test_a_patch_outside_the_workspace_is_reviewed_and_allowed(threads_server, repo):
    mock, target = run_patch(threads_server, repo, verdict("allow", "low", "the user asked for it"))
    try:
        assert target.read_text() == "reviewed\n"
    finally:
        target.unlink(missing_ok=True)


def test_a_patch_outside_the_workspace_is_reviewed_and_denied(threads_server, repo):
    mock, target = run_patch(threads_server, repo, verdict("deny", "high", "outside the project"))
    assert not target.exists()
    # As the reference: the patch's output is the refusal itself.
    assert tool_output(mock, "p1").startswith(
        "This action was rejected due to unacceptable risk.\nReason: outside the project\n")


def test_a_reviewer_that_drifts_from_the_format_is_asked_again(threads_server, repo):
    server, mock, t, target = run_retry(threads_server, repo)
    try:
        assert target.exists()
        reqs = mock.requests()
        assert len(reqs) == 4
        retry = reqs[2]["body"]
        assert retry["client_metadata"]["x-openai-subagent"] == "guardian"
        # The same reviewer thread: its conversation, the answer it gave, a
        # reminder that earlier reviews are no precedent, and the action
        # again with nothing new in the transcript (as the reference asks).
        first = reqs[1]["body"]["input"]
        assert retry["input"][:len(first)] == first
        rest = retry["input"][len(first):]
        assert [i["role"] for i in rest] == ["assistant", "developer", "user"]
        assert rest[0]["content"][0]["text"] == "looks fine to me"
        again = "".join(p["text"] for p in rest[2]["content"])
        assert "(nothing new)" in again and "touch " in again
    finally:
        target.unlink(missing_ok=True)


def run_retry(threads_server, repo):
    target = outside_path()
    script = [[escalation(target)], [{"type": "message", "text": "looks fine to me"}],
              verdict("allow", "low", "fine"), [{"type": "message", "text": "fin"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                     approvalsReviewer="auto_review")
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    return server, mock, t, target
