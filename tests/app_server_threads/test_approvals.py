"""Approvals as server requests: the client's decision decides whether the
command or patch runs; a client that goes away mid-approval never gets it
run."""
import os
import pathlib
import uuid
import time

from test_threads import run_turn, start_thread, turn_completed, wait_for


def approval_request(server, method, timeout=60):
    for i, m in enumerate(server.pending):
        if m.get("method") == method and "id" in m:
            return server.pending.pop(i)
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = server.read(timeout=max(1, deadline - time.time()))
        if m.get("method") == method and "id" in m:
            return m
        server.pending.append(m)
    raise AssertionError(f"no {method} request")


def tool_output(mock, call_id):
    for r in mock.requests():
        for item in r["body"]["input"]:
            if item.get("call_id") == call_id and item["type"].endswith("_output"):
                return item["output"]
    return None


def exec_script(cmd, call_id):
    return [[{"type": "function_call", "name": "exec_command", "call_id": call_id,
              "arguments": {"cmd": cmd, "login": False}}],
            [{"type": "message", "text": "done"}]]


def test_command_runs_only_after_accept(threads_server, repo):
    server, mock = threads_server(exec_script("touch approved.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    turn = run_turn(server, t["id"], "make the file")
    req = approval_request(server, "item/commandExecution/requestApproval")
    p = req["params"]
    assert p["threadId"] == t["id"] and p["turnId"] == turn["id"] and p["itemId"] == "c1"
    assert "touch approved.txt" in p["command"] and p["cwd"] == str(repo)
    assert not (repo / "approved.txt").exists()
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert (repo / "approved.txt").exists()
    resolved = wait_for(server, "serverRequest/resolved")
    assert resolved["params"] == {"threadId": t["id"], "requestId": req["id"]}


def test_declined_command_does_not_run(threads_server, repo):
    server, mock = threads_server(exec_script("touch declined.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    run_turn(server, t["id"], "make the file")
    req = approval_request(server, "item/commandExecution/requestApproval")
    server.send({"id": req["id"], "result": {"decision": "decline"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not (repo / "declined.txt").exists()
    assert "Chunk ID" not in tool_output(mock, "c1")


def test_error_answer_is_a_refusal(threads_server, repo):
    server, mock = threads_server(exec_script("touch errored.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    run_turn(server, t["id"], "make the file")
    req = approval_request(server, "item/commandExecution/requestApproval")
    server.send({"id": req["id"], "error": {"code": -1, "message": "no UI"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not (repo / "errored.txt").exists()


def test_disconnect_mid_approval_never_runs_the_command(threads_server, repo):
    server, mock = threads_server(exec_script("touch orphan.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    run_turn(server, t["id"], "make the file")
    approval_request(server, "item/commandExecution/requestApproval")
    assert server.close() == 0
    assert not (repo / "orphan.txt").exists()


def test_patch_outside_the_workspace_asks(threads_server, repo, tmp_path):
    # Not under /tmp, which workspace-write lets commands write (as the
    # reference's writable roots do).
    # Unique per run: two checkouts may run this suite at the same time.
    outside = pathlib.Path("/var/tmp") / f"codex-approval-{os.getpid()}-{uuid.uuid4().hex}.txt"
    patch = f"*** Begin Patch\n*** Add File: {outside}\n+written after approval\n*** End Patch\n"
    script = [[{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1",
                "input": patch}],
              [{"type": "message", "text": "done"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request",
                     sandbox="workspace-write")
    run_turn(server, t["id"], "patch")
    req = approval_request(server, "item/fileChange/requestApproval")
    assert req["params"]["threadId"] == t["id"] and req["params"]["itemId"] == "p1"
    assert not outside.exists()
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    try:
        assert outside.read_text() == "written after approval\n"
    finally:
        outside.unlink(missing_ok=True)


def test_patch_through_a_symlinked_directory_asks_and_decline_writes_nothing(threads_server, repo, tmp_path):
    outside = pathlib.Path("/var/tmp") / f"codex-approval-dir-{uuid.uuid4().hex}"
    outside.mkdir()
    try:
        (repo / "out").symlink_to(outside)
        patch = "*** Begin Patch\n*** Add File: out/planted.txt\n+nope\n*** End Patch\n"
        script = [[{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": patch}],
                  [{"type": "message", "text": "done"}]]
        server, mock = threads_server(script)
        t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write")
        run_turn(server, t["id"], "patch")
        req = approval_request(server, "item/fileChange/requestApproval")
        server.send({"id": req["id"], "result": {"decision": "decline"}})
        assert turn_completed(server, t["id"])["status"] == "completed"
        assert not (outside / "planted.txt").exists()
        assert "rejected by user" in tool_output(mock, "p1")
    finally:
        for p in outside.iterdir():
            p.unlink()
        outside.rmdir()


def escalated_script(cmd, call_id):
    return [[{"type": "function_call", "name": "exec_command", "call_id": call_id,
              "arguments": {"cmd": cmd, "login": False,
                            "sandbox_permissions": "require_escalated",
                            "justification": "needs to write"}}],
            [{"type": "message", "text": "done"}]]


GRANULAR_OFF = {"granular": {"sandbox_approval": False, "rules": False,
                             "mcp_elicitations": False}}


def test_granular_policy_rejects_escalation_without_asking(threads_server, repo):
    server, mock = threads_server(escalated_script("touch escalated.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy=GRANULAR_OFF, sandbox="read-only")
    r = server.call("thread/resume", {"threadId": t["id"]})
    granular = r["result"]["approvalPolicy"]["granular"]
    assert granular["sandbox_approval"] is False and granular["rules"] is False
    run_turn(server, t["id"], "make the file")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not any(m.get("method") == "item/commandExecution/requestApproval"
                   for m in server.pending)
    assert not (repo / "escalated.txt").exists()
    assert "Chunk ID" not in tool_output(mock, "c1")


def test_granular_turn_override_lets_escalation_prompts_through(threads_server, repo):
    server, mock = threads_server(escalated_script("touch escalated.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="never", sandbox="read-only")
    allow = {"granular": {"sandbox_approval": True, "rules": True, "mcp_elicitations": False}}
    run_turn(server, t["id"], "make the file", approvalPolicy=allow)
    req = approval_request(server, "item/commandExecution/requestApproval")
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert (repo / "escalated.txt").exists()


def test_malformed_granular_policy_is_an_error(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "x"}]])
    r = server.call("thread/start", {"approvalPolicy": {"granular": {"rules": True}}})
    assert r["error"]["code"] == -32600 and "sandbox_approval" in r["error"]["message"]
    r = server.call("thread/start", {"approvalPolicy": {"strict": {}}})
    assert r["error"]["code"] == -32600


def test_untrusted_runs_known_safe_commands_without_asking(threads_server, repo):
    """Under untrusted only known-safe read-only commands run unasked; the
    command is /bin/bash -lc ..., recognised by the shell's file name."""
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "ls && cat README.md"}}],
              [{"type": "function_call", "name": "exec_command", "call_id": "c2",
                "arguments": {"cmd": "touch asked.txt"}}],
              [{"type": "message", "text": "done"}]]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted", sandbox="workspace-write")
    run_turn(server, t["id"], "look around")
    req = approval_request(server, "item/commandExecution/requestApproval")
    assert req["params"]["itemId"] == "c2", req
    assert "README.md" in tool_output(mock, "c1")
    server.send({"id": req["id"], "result": {"decision": "decline"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not (repo / "asked.txt").exists()


def test_interrupt_withdraws_the_question_and_a_late_answer_is_ignored(threads_server, repo):
    """Approval lifetimes do not depend on call order: the interrupted turn's
    question is resolved for the client, and answering it afterwards (or
    after the thread is gone) changes nothing."""
    server, mock = threads_server(exec_script("touch late.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    turn = run_turn(server, t["id"], "make the file")
    req = approval_request(server, "item/commandExecution/requestApproval")
    r = server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    assert r.get("result") == {}, r
    resolved = wait_for(server, "serverRequest/resolved")
    assert resolved["params"] == {"threadId": t["id"], "requestId": req["id"]}
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    # The thread still answers, and the command never ran.
    assert server.call("thread/read", {"threadId": t["id"]})["result"]["thread"]["id"] == t["id"]
    r = server.call("thread/unsubscribe", {"threadId": t["id"]})
    assert r["result"]["status"] == "unsubscribed"
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert server.call("thread/loaded/list", {})["result"]["data"] == []
    assert not (repo / "late.txt").exists()
