"""The auto-reviewer is a thread of its own: a read-only agent on the same
loop that may look at the workspace with sandboxed commands before it
answers with its JSON verdict.  What it runs never reaches the parent's
history or the client, it cannot write or escalate, and a timeout or an
interrupt stops what it runs."""
import json
import os
import pathlib
import random
import time
import uuid

from test_approvals import tool_output
from test_auto_review import escalation, outside_path, verdict
from test_threads import run_turn, start_thread, turn_completed, wait_for


def reviewer_call(cmd, call_id, **extra):
    return [{"type": "function_call", "name": "exec_command", "call_id": call_id,
             "arguments": {"cmd": cmd, "login": False, **extra}}]


def fin():
    return [{"type": "message", "text": "fin"}]


def start(server, repo, **config):
    return start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="workspace-write",
                        approvalsReviewer="auto_review", **({"config": config} if config else {}))


def by_thread(mock):
    """The requests grouped by the thread-id header, in order."""
    out = {}
    for r in mock.requests():
        out.setdefault(r["headers"].get("thread-id"), []).append(r)
    return out


def output_of(request, call_id):
    for item in request["body"]["input"]:
        if item.get("call_id") == call_id and item["type"].endswith("_output"):
            return item["output"]
    return None


def processes_with(marker):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(pid))
    return found


def gone(marker, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not processes_with(marker):
            return True
        time.sleep(0.1)
    return False


def sleeper():
    # A sleep whose command line nothing else on the machine shares.
    return f"{random.randint(400, 499)}.{random.randint(100000, 999999)}"


def test_the_reviewer_reads_a_file_then_allows(threads_server, repo, codex_home):
    (repo / "notes.txt").write_text("REVIEWER-CAN-SEE-THIS\n")
    target = outside_path()
    server, mock = threads_server([[escalation(target)],
                                   reviewer_call("cat notes.txt", "r1"),
                                   verdict("allow", "low", "the notes say so"),
                                   fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the marker")
    try:
        assert turn_completed(server, t["id"])["status"] == "completed"
        seen = list(server.pending)
        assert target.exists()
        threads = by_thread(mock)
        parent = threads.pop(t["id"])
        (reviewer,) = threads.values()
        assert len(parent) == 2 and len(reviewer) == 2
        # The reviewer's command ran in its own thread, and its output went
        # back to the reviewer only.
        out = output_of(reviewer[1], "r1")
        assert "REVIEWER-CAN-SEE-THIS" in out and "exited with code 0" in out
        assert all(r["headers"].get("x-openai-subagent") == "guardian" for r in reviewer)
        assert "REVIEWER-CAN-SEE-THIS" not in json.dumps(parent[1]["body"]["input"])
        assert not [i for i in parent[1]["body"]["input"] if i.get("call_id") == "r1"]
        # The client heard of the review, never of the reviewer's command.
        items = [m["params"]["item"] for m in seen if m.get("method") in ("item/started", "item/completed")]
        assert not [i for i in items if "notes.txt" in json.dumps(i)]
        assert [m for m in seen if m.get("method") == "item/autoApprovalReview/completed"]
        # Nor does it list the reviewer as a thread; its session is kept, as
        # the reference keeps it, marked as the parent's guardian.
        listed = server.call("thread/list", {})["result"]["data"]
        assert [x["id"] for x in listed] == [t["id"]]
        reviewer_id = reviewer[0]["headers"]["thread-id"]
        (rollout,) = codex_home.glob(f"sessions/*/*/*/rollout-*-{reviewer_id}.jsonl")
        meta = json.loads(rollout.read_text().splitlines()[0])["payload"]
        assert meta["source"] == {"subagent": {"other": "guardian"}}
        assert meta["thread_source"] == "guardian_review"
        assert meta["parent_thread_id"] == meta["session_id"] == t["id"]
        assert "cat notes.txt" in rollout.read_text()
        names = [json.loads(line) for line in (codex_home / "session_index.jsonl").read_text().splitlines()]
        assert {"id": reviewer_id, "thread_name": "Guardian review"}.items() <= \
            [n for n in names if n["id"] == reviewer_id][-1].items()
        everything = server.call("thread/list", {"sourceKinds": ["subAgentOther"]})["result"]["data"]
        assert [x["id"] for x in everything] == [reviewer_id]
    finally:
        target.unlink(missing_ok=True)


def test_the_reviewer_cannot_write_or_escalate(threads_server, repo):
    target = outside_path()
    server, mock = threads_server([[escalation(target)],
                                   reviewer_call("touch written-by-reviewer", "r1"),
                                   reviewer_call("touch written-by-reviewer", "r2",
                                                 sandbox_permissions="require_escalated",
                                                 justification="let me write"),
                                   verdict("deny", "high", "it wants to write outside"),
                                   fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    # Nobody was asked, not even for the reviewer's escalation.
    assert not [m for m in server.pending if m.get("method", "").endswith("requestApproval")]
    assert not (repo / "written-by-reviewer").exists() and not target.exists()
    threads = by_thread(mock)
    threads.pop(t["id"])
    (reviewer,) = threads.values()
    assert "Read-only file system" in output_of(reviewer[1], "r1")
    refused = output_of(reviewer[2], "r2")
    assert refused is not None and "exited with code 0" not in refused
    out = tool_output(mock, "c1")
    assert "rejected due to unacceptable risk" in out and "it wants to write outside" in out


def test_a_malformed_answer_after_looking_denies(threads_server, repo):
    target = outside_path()
    prose = [{"type": "message", "text": "it is probably fine"}]
    server, mock = threads_server([[escalation(target)], reviewer_call("ls", "r1"), prose, prose, prose,
                                   fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the marker")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not target.exists()
    done = wait_for(server, "item/autoApprovalReview/completed")["params"]
    assert done["review"]["status"] == "denied" and done["review"]["riskLevel"] is None
    out = tool_output(mock, "c1")
    assert "Automatic approval review failed" in out and "not valid JSON" in out


def reviewer_sleeping(threads_server, repo, **config):
    """A review whose reviewer runs a long sleep: returns once it runs."""
    target = outside_path()
    marker = sleeper()
    server, mock = threads_server([[escalation(target)],
                                   reviewer_call(f"sleep {marker}", "r1", yield_time_ms=30000),
                                   fin()])
    t = start(server, repo, **config)
    turn = run_turn(server, t["id"], "make the marker")
    deadline = time.time() + 30
    while not processes_with(marker):
        assert time.time() < deadline, "the reviewer's command never started"
        time.sleep(0.05)
    return server, mock, t, turn, target, marker


def test_a_timeout_while_the_reviewer_runs_a_command_denies_and_kills_it(threads_server, repo):
    server, mock, t, _, target, marker = reviewer_sleeping(threads_server, repo,
                                                           **{"auto_review.timeout_ms": 4000})
    assert turn_completed(server, t["id"])["status"] == "completed"
    done = wait_for(server, "item/autoApprovalReview/completed")["params"]
    assert done["review"]["status"] == "timedOut"
    assert done["review"]["rationale"] == "Automatic approval review timed out after 4 seconds."
    assert not target.exists()
    out = tool_output(mock, "c1")
    assert "timed out" in out and "The action was not executed" in out
    assert gone(marker), processes_with(marker)


def test_an_interrupt_stops_the_reviewer_and_its_command(threads_server, repo):
    server, mock, t, turn, target, marker = reviewer_sleeping(threads_server, repo)
    r = server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    assert "result" in r, r
    status = turn_completed(server, t["id"])["status"]
    assert status == "interrupted", (status, server.stderr)
    done = wait_for(server, "item/autoApprovalReview/completed")["params"]
    assert done["review"]["status"] == "aborted", done
    assert gone(marker), (processes_with(marker), server.stderr)
    assert not target.exists()
    assert len(mock.requests()) == 2, [r["headers"].get("thread-id") for r in mock.requests()]


def test_the_next_review_continues_the_same_reviewer_with_what_is_new(threads_server, repo):
    first, second = outside_path(), outside_path()
    again = escalation(second)
    again["call_id"] = "c2"
    server, mock = threads_server([[escalation(first)], verdict("allow", "low", "first is fine"),
                                   [again], verdict("deny", "high", "second is not"), fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the markers")
    try:
        assert turn_completed(server, t["id"])["status"] == "completed"
        threads = by_thread(mock)
        threads.pop(t["id"])
        (reviewer,) = threads.values()
        assert len(reviewer) == 2
        one, two = reviewer[0]["body"]["input"], reviewer[1]["body"]["input"]
        assert two[:len(one)] == one
        rest = two[len(one):]
        assert [i["role"] for i in rest] == ["assistant", "developer", "user"]
        delta = "".join(p["text"] for p in rest[2]["content"])
        # Only what happened since: the first command's result, then the
        # second action; not the user's request or the first call again.
        assert "tool exec_command result" in delta and f"touch {second}" in delta
        assert "make the markers" not in delta and f"touch {first}" not in delta
        assert first.exists() and not second.exists()
    finally:
        first.unlink(missing_ok=True)
        second.unlink(missing_ok=True)


def test_reviews_at_the_same_time_get_a_reviewer_each(threads_server, repo):
    first, second = outside_path(), outside_path()
    both = [escalation(first), escalation(second)]
    both[1]["call_id"] = "c2"
    server, mock = threads_server([both, verdict("allow", "low", "fine"), verdict("allow", "low", "fine"),
                                   fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the markers")
    try:
        assert turn_completed(server, t["id"])["status"] == "completed"
        threads = by_thread(mock)
        threads.pop(t["id"])
        assert first.exists() and second.exists()
        # Both questions come in one round of calls: the second finds the
        # standing reviewer busy and gets one of its own.
        assert sorted(len(v) for v in threads.values()) == [1, 1]
        for reqs in threads.values():
            for r in reqs:
                assert r["body"]["client_metadata"]["x-openai-subagent"] == "guardian"
    finally:
        first.unlink(missing_ok=True)
        second.unlink(missing_ok=True)


def test_what_the_reviewer_leaves_running_stops_with_its_review(threads_server, repo):
    target = outside_path()
    marker = sleeper()
    server, mock = threads_server([[escalation(target)],
                                   reviewer_call(f"sleep {marker}", "r1", yield_time_ms=250),
                                   verdict("allow", "low", "fine"), fin()])
    t = start(server, repo)
    run_turn(server, t["id"], "make the marker")
    try:
        assert turn_completed(server, t["id"])["status"] == "completed"
        assert target.exists()
        threads = by_thread(mock)
        threads.pop(t["id"])
        (reviewer,) = threads.values()
        # The command was still running when the reviewer answered...
        assert "Process running with session ID" in output_of(reviewer[1], "r1")
        # ...and is gone with the review.
        assert gone(marker), processes_with(marker)
    finally:
        target.unlink(missing_ok=True)


def test_after_a_compaction_the_reviewer_gets_the_whole_transcript_again(threads_server, repo):
    # Its place in the parent's history means nothing once the history is
    # rewritten: the next review carries the conversation as it now is.
    first, second = outside_path(), outside_path()
    again = escalation(second)
    again["call_id"] = "c2"
    server, mock = threads_server([[escalation(first)], verdict("allow", "low", "fine"), fin(),
                                   [{"type": "message", "text": "SUMMARY-OF-BEFORE"}],
                                   [again], verdict("allow", "low", "fine"), fin()])
    t = start(server, repo)
    try:
        run_turn(server, t["id"], "make the first marker")
        assert turn_completed(server, t["id"])["status"] == "completed"
        assert server.call("thread/compact/start", {"threadId": t["id"]})["result"] == {}
        assert turn_completed(server, t["id"])["status"] == "completed"
        run_turn(server, t["id"], "SECOND-TASK make another")
        assert turn_completed(server, t["id"])["status"] == "completed"
        threads = by_thread(mock)
        threads.pop(t["id"])
        (reviewer,) = threads.values()
        assert len(reviewer) == 2
        review = "".join(p["text"] for p in reviewer[1]["body"]["input"][-1]["content"])
        assert "SECOND-TASK" in review and "SUMMARY-OF-BEFORE" in review and f"touch {second}" in review
        assert first.exists() and second.exists()
    finally:
        first.unlink(missing_ok=True)
        second.unlink(missing_ok=True)
