"""codex exec with auto-review: exec has nobody to ask, but a reviewer
request decides instead of declining outright (as the reference's exec
does); the item is declined when the reviewer denies or fails."""
import json
import os
import pathlib
import time
import uuid


def script(target, reviewer_turn):
    call = {"type": "function_call", "name": "exec_command", "call_id": "c1",
            "arguments": {"cmd": f"touch {target}", "login": False,
                          "sandbox_permissions": "require_escalated", "justification": "marker"}}
    return [[call], reviewer_turn, [{"type": "message", "text": "all done"}]]


def run(exec_run, reviewer_turn):
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    r, server, events = exec_run(script(target, reviewer_turn), "--json", "--approve-for-me", "do it",
                                 sandbox=None)
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert len(reqs) == 3
    assert reqs[1]["body"]["client_metadata"]["x-openai-subagent"] == "guardian"
    status = [e["item"]["status"] for e in events
              if e.get("type") == "item.completed" and e["item"]["type"] == "command_execution"]
    return target, status, reqs


def verdict(outcome):
    return [{"type": "message", "text": json.dumps({"outcome": outcome, "risk_level": "low",
                                                    "rationale": f"reviewer says {outcome}"})}]


def test_exec_runs_what_the_reviewer_allows(exec_run):
    target, status, _ = run(exec_run, verdict("allow"))
    try:
        assert target.exists() and status == ["completed"]
    finally:
        target.unlink(missing_ok=True)


def test_exec_declines_what_the_reviewer_denies(exec_run):
    target, status, reqs = run(exec_run, verdict("deny"))
    assert not target.exists() and "completed" not in status
    out = [i["output"] for i in reqs[2]["body"]["input"] if i.get("call_id") == "c1" and "output" in i][0]
    assert "reviewer says deny" in out


def test_exec_declines_when_the_reviewer_fails(exec_run):
    target, status, reqs = run(exec_run, {"status": 400, "error": {"error": {"message": "no"}}})
    assert not target.exists() and "completed" not in status
    out = [i["output"] for i in reqs[2]["body"]["input"] if i.get("call_id") == "c1" and "output" in i][0]
    assert "Automatic approval review failed" in out


def test_an_unknown_reviewer_is_refused(exec_run):
    r, _, _ = exec_run([[{"type": "message", "text": "x"}]], "-c", 'approvals_reviewer="robot"', "hi")
    assert r.returncode != 0 and "approvals_reviewer" in r.stderr and "robot" in r.stderr


def test_exec_stops_after_three_denials(exec_run):
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    turns = []
    for i in range(1, 5):
        call = script(target, None)[0][0]
        turns += [[dict(call, call_id=f"c{i}")], verdict("deny")]
    turns.append([{"type": "message", "text": "all done"}])
    r, server, _ = exec_run(turns, "--approve-for-me", "do it", sandbox=None)
    # As the reference: the turn is interrupted and exec fails.
    assert r.returncode == 1
    assert "turn interrupted" in r.stderr
    assert len(server.requests()) == 6 and not target.exists()


def test_requirements_limit_the_reviewer_and_set_its_policy(exec_run, tmp_path):
    req = tmp_path / "requirements.toml"
    req.write_text('allowed_approvals_reviewers = ["user"]\n')
    r, _, _ = exec_run([[{"type": "message", "text": "x"}]], "--approve-for-me", "hi", sandbox=None,
                       env={"CODEX_REQUIREMENTS_PATH": str(req)})
    assert r.returncode != 0
    assert 'approvals_reviewer = "auto_review" is not allowed by' in r.stderr and "requirements.toml:1:" in r.stderr

    req.write_text('guardian_policy_config = "Managed: deny anything that writes outside."\n')
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    r, server, _ = exec_run(script(target, verdict("deny")), "--approve-for-me",
                            "-c", 'auto_review.policy="Mine: allow everything."', "do it", sandbox=None,
                            env={"CODEX_REQUIREMENTS_PATH": str(req)})
    assert r.returncode == 0, r.stderr
    developer = server.requests()[1]["body"]["input"][0]["content"][0]["text"]
    assert developer.startswith("Managed: deny anything that writes outside.") and "Mine" not in developer


def test_exec_takes_the_policy_and_reviewer_from_the_configuration(exec_run):
    """As the reference: exec defaults to never only when nothing sets
    approval_policy; -c (or config.toml) choosing on-request with a reviewer
    gets the action reviewed."""
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    r, server, _ = exec_run(script(target, verdict("allow")), "-c", 'approval_policy="on-request"',
                            "-c", 'approvals_reviewer="auto_review"', "do it", sandbox="workspace-write")
    try:
        assert r.returncode == 0, r.stderr
        assert "approval: on-request" in r.stderr
        assert len(server.requests()) == 3 and target.exists()
    finally:
        target.unlink(missing_ok=True)


def test_exec_still_defaults_to_never(exec_run):
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    r, server, _ = exec_run(script(target, verdict("allow")), "do it", sandbox="workspace-write")
    assert r.returncode == 0, r.stderr
    assert "approval: never" in r.stderr
    # Nobody is asked, not even a reviewer: the escalation is refused.
    assert all("x-openai-subagent" not in json.dumps(q["body"]) for q in server.requests())
    assert not target.exists()


def test_exec_shows_nothing_of_what_the_reviewer_runs(exec_run):
    # The reviewer looks at a file before it allows; exec's stream has the
    # agent's command and message, never the reviewer's command, and the
    # turn's usage is the agent's own.
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    look = [{"type": "function_call", "name": "exec_command", "call_id": "r1",
             "arguments": {"cmd": "cat /etc/hostname", "login": False}}]
    s = script(target, look)
    s.insert(2, verdict("allow")[0:1])
    r, server, events = exec_run(s, "--json", "--approve-for-me", "do it", sandbox=None)
    try:
        assert r.returncode == 0, r.stderr
        assert target.exists()
        reqs = server.requests()
        assert len(reqs) == 4
        assert [i for i in reqs[2]["body"]["input"] if i.get("call_id") == "r1" and "output" in i]
        commands = [e["item"]["command"] for e in events
                    if e.get("type") == "item.completed" and e["item"]["type"] == "command_execution"]
        assert len(commands) == 1 and "touch" in commands[0]
        assert "/etc/hostname" not in json.dumps(events) and "r1" not in json.dumps(events)
    finally:
        target.unlink(missing_ok=True)


def test_notify_hears_of_the_agent_turn_only(exec_run, tmp_path):
    # As the reference: the reviewer's turn is not one the user is told of.
    log = tmp_path / "notify.log"
    prog = tmp_path / "notify.sh"
    prog.write_text(f'#!/bin/sh\necho "$1" >> {log}\n')
    prog.chmod(0o755)
    target = pathlib.Path("/var/tmp") / f"codex-exec-review-{os.getpid()}-{uuid.uuid4().hex}"
    r, server, events = exec_run(script(target, verdict("allow")), "--json", "--approve-for-me", "do it",
                                 sandbox=None, top=f'notify = ["{prog}"]')
    try:
        assert r.returncode == 0, r.stderr
        assert target.exists()
        thread = [e for e in events if e.get("type") == "thread.started"][0]["thread_id"]
        for _ in range(100):
            if log.exists():
                break
            time.sleep(0.05)
        time.sleep(0.3)
        notes = [json.loads(line) for line in log.read_text().splitlines()]
        assert [n["thread-id"] for n in notes] == [thread]
        assert notes[0]["last-assistant-message"] == "all done"
    finally:
        target.unlink(missing_ok=True)
