"""Hooks in app-server threads: trusted hooks run without any flag, and a
PermissionRequest hook answers an approval before the client is asked."""
import hashlib
import json

from test_approvals import approval_request, escalated_script, tool_output
from test_threads import run_turn, start_thread, turn_completed


def trust(codex_home, event_snake, command):
    """Record trust for the only handler of hooks.json's event."""
    canon = {"event_name": event_snake, "hooks": [{"type": "command", "command": command,
                                                   "timeout": 600, "async": False}]}
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    key = f"{codex_home / 'hooks.json'}:{event_snake}:0:0"
    with open(codex_home / "config.toml", "a") as fh:
        fh.write(f'\n[hooks.state."{key}"]\ntrusted_hash = '
                 f'"sha256:{hashlib.sha256(text.encode()).hexdigest()}"\n')


def permission_hook(codex_home, tmp_path, behavior):
    log = tmp_path / "permission.json"
    answer = json.dumps({"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                                "decision": {"behavior": behavior,
                                                             "message": "HOOK-SAYS-NO"}}})
    command = f"cat > {log}; printf '%s' '{answer}'"
    (codex_home / "hooks.json").write_text(json.dumps(
        {"hooks": {"PermissionRequest": [{"hooks": [{"type": "command", "command": command}]}]}}))
    return command, log


def test_a_permission_hook_that_allows_answers_for_the_user(threads_server, repo, codex_home,
                                                             tmp_path):
    command, log = permission_hook(codex_home, tmp_path, "allow")
    server, mock = threads_server(escalated_script("touch escalated.txt", "c1"))
    trust(codex_home, "permission_request", command)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="read-only")
    run_turn(server, t["id"], "make the file")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not any(m.get("method") == "item/commandExecution/requestApproval"
                   for m in server.pending)
    assert (repo / "escalated.txt").exists()
    payload = json.loads(log.read_text())
    assert payload["hook_event_name"] == "PermissionRequest"
    assert payload["tool_name"] == "Bash"
    assert "touch escalated.txt" in payload["tool_input"]["command"]
    assert payload["session_id"] == t["id"] and payload["cwd"] == str(repo)


def test_a_permission_hook_that_denies_declines(threads_server, repo, codex_home, tmp_path):
    command, _ = permission_hook(codex_home, tmp_path, "deny")
    server, mock = threads_server(escalated_script("touch escalated.txt", "c1"))
    trust(codex_home, "permission_request", command)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="read-only")
    run_turn(server, t["id"], "make the file")
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not any(m.get("method") == "item/commandExecution/requestApproval"
                   for m in server.pending)
    assert not (repo / "escalated.txt").exists()
    assert "Chunk ID" not in tool_output(mock, "c1")


def test_an_untrusted_permission_hook_leaves_the_question_to_the_client(threads_server, repo,
                                                                       codex_home, tmp_path):
    permission_hook(codex_home, tmp_path, "allow")
    server, mock = threads_server(escalated_script("touch escalated.txt", "c1"))
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request", sandbox="read-only")
    run_turn(server, t["id"], "make the file")
    req = approval_request(server, "item/commandExecution/requestApproval")
    server.send({"id": req["id"], "result": {"decision": "decline"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert not (repo / "escalated.txt").exists()


def test_session_end_runs_for_every_loaded_thread_when_the_server_closes(
        threads_server, repo, codex_home, tmp_path):
    """As the reference does: a thread that ran a turn and one that never did
    both end their session, with the SessionEnd payload (no model)."""
    # One file per run: two sessions end at once, and appends to one log
    # could interleave.
    log_dir = tmp_path / "session_end"
    log_dir.mkdir()
    command = f"cat > $(mktemp {log_dir}/end.XXXXXX)"
    (codex_home / "hooks.json").write_text(json.dumps(
        {"hooks": {"SessionEnd": [{"hooks": [{"type": "command", "command": command}]}]}}))
    server, mock = threads_server([[{"type": "message", "text": "ok"}]], repeat_last=True)
    trust(codex_home, "session_end", command)
    used = start_thread(server, cwd=str(repo))
    run_turn(server, used["id"], "hello")
    assert turn_completed(server, used["id"])["status"] == "completed"
    idle = start_thread(server, cwd=str(repo))
    assert not any(log_dir.iterdir())
    assert server.close() == 0, server.stderr
    runs = [json.loads(p.read_text()) for p in sorted(log_dir.iterdir())]
    assert sorted(r["session_id"] for r in runs) == sorted([used["id"], idle["id"]])
    for r in runs:
        assert list(r) == ["session_id", "transcript_path", "cwd", "hook_event_name", "reason"]
        assert r["hook_event_name"] == "SessionEnd" and r["reason"] == "other"
        assert r["cwd"] == str(repo)
    used_run = next(r for r in runs if r["session_id"] == used["id"])
    assert used_run["transcript_path"].endswith(used["id"] + ".jsonl")
