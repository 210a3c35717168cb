"""Bad input from the model or the server: the model gets an error result or
the turn fails with a clear message; the process never crashes or hangs, and
the rollout keeps every line written so far."""
import json
import pathlib
import uuid



def tool_outputs(server):
    last = server.requests()[-1]["body"]["input"]
    return {i["call_id"]: i["output"] for i in last
            if i["type"] in ("function_call_output", "custom_tool_call_output")}


def test_invalid_json_arguments_go_back_to_the_model(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": "{not json"}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 0, r.stderr
    out = tool_outputs(server)["c1"]
    assert out.startswith("failed to parse function arguments:")
    assert events[-1]["type"] == "turn.completed"


def test_missing_required_argument_is_reported(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"workdir": "."}}],
              [{"type": "message", "text": "ok"}]]
    r, server, _ = exec_run(script, "--json", "go")
    assert r.returncode == 0
    assert "missing field `cmd`" in tool_outputs(server)["c1"]


def test_server_that_never_answers_times_out(exec_run):
    script = [{"hang": True, "hang_seconds": 20, "items": []}]
    r, server, events = exec_run(script, "--json", "go", repeat_last=True,
                                 provider="stream_idle_timeout_ms = 300\nstream_max_retries = 1\n"
                                          "request_max_retries = 0\n", timeout=30)
    assert r.returncode == 1
    assert len(server.requests()) == 2
    assert events[-1]["type"] == "turn.failed"
    assert "idle timeout" in events[-1]["error"]["message"]
    assert [e["message"].split(" (")[0] for e in events if e["type"] == "error"][0] == \
        "Reconnecting... 1/1"


def test_ten_megabyte_sse_line_is_handled(exec_run):
    big = "x" * (10 * 1024 * 1024)
    item = {"type": "message", "role": "assistant", "id": "msg_big",
            "content": [{"type": "output_text", "text": big}]}
    script = [{"items": [{"type": "raw_event",
                          "event": {"type": "response.output_item.done", "item": item}}]}]
    r, server, events = exec_run(script, "--json", "go", timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    msgs = [e["item"]["text"] for e in events
            if e["type"] == "item.completed" and e["item"]["type"] == "agent_message"]
    assert len(msgs) == 1 and len(msgs[0]) == len(big)


def test_garbage_sse_lines_are_skipped(exec_run):
    script = [{"items": [{"type": "raw_line", "line": "{broken"},
                         {"type": "raw_line", "line": "[1,2,3]"},
                         {"type": "message", "text": "still fine"}]}]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 0
    assert events[-2]["item"]["text"] == "still fine"


def test_read_only_sandbox_confines_commands(exec_run, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "touch should_not_exist; echo rc=$?", "login": False}}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", sandbox="read-only")
    assert r.returncode == 0
    assert not (repo / "should_not_exist").exists()
    out = tool_outputs(server)["c1"]
    assert "rc=1" in out and "Read-only file system" in out


def test_workspace_write_protects_git_metadata(exec_run, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "touch inside.txt; touch .git/evil; echo rc=$?",
                              "login": False}}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", sandbox="workspace-write")
    assert r.returncode == 0
    assert (repo / "inside.txt").exists()
    assert not (repo / ".git" / "evil").exists()
    assert "rc=1" in tool_outputs(server)["c1"]


def test_patch_outside_workspace_is_refused(exec_run, tmp_path):
    # Not under /tmp: /tmp is a writable root of workspace-write, as in the
    # reference.
    outside = pathlib.Path("/var/tmp") / f"codex-outside-{uuid.uuid4().hex}.txt"
    patch = f"*** Begin Patch\n*** Add File: {outside}\n+nope\n*** End Patch\n"
    script = [[{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1",
                "input": patch}],
              [{"type": "message", "text": "ok"}]]
    r, server, _ = exec_run(script, "--json", "go", sandbox="workspace-write")
    assert r.returncode == 0
    assert not outside.exists()
    assert "patch rejected: writing outside of the project" in tool_outputs(server)["p1"]


def test_rollout_keeps_lines_of_a_failed_turn(exec_run, codex_home):
    script = [{"status": 400, "error": {"message": "nope"}}]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 1
    files = list((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(l) for l in files[0].read_text().splitlines()]
    assert lines[0]["type"] == "session_meta"
    assert lines[0]["payload"]["id"] == events[0]["thread_id"]
    assert [l["ordinal"] for l in lines] == list(range(len(lines)))
    assert lines[-1]["payload"]["type"] == "task_complete"


def test_rate_limit_with_retry_after_is_retried_silently(exec_run):
    script = [{"status": 429, "retry_after": 0, "error": {"message": "slow down"}},
              {"status": 503, "error": {"message": "busy"}},
              [{"type": "message", "text": "made it"}]]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 0, r.stderr
    assert len(server.requests()) == 3
    assert not [e for e in events if e["type"] == "error"]
    assert events[-2]["item"]["text"] == "made it"


def test_unauthorized_is_retried_then_reported_with_the_apis_message(exec_run):
    # The reference (0.169) reconnects on a 401 like on a broken stream.
    script = [{"status": 401, "error": {"message": "bad key", "code": "invalid_api_key"}}]
    r, server, events = exec_run(script, "--json", "go", repeat_last=True,
                                 provider="stream_max_retries = 2\n")
    assert r.returncode == 1
    assert len(server.requests()) == 3
    url = f"http://127.0.0.1:{server.port}/v1/responses"
    want = f"unexpected status 401 Unauthorized: bad key, url: {url}"
    assert events[-1] == {"type": "turn.failed", "error": {"message": want}}
    notices = [e["message"] for e in events if e["type"] == "error"]
    assert notices[0] == f"Reconnecting... 1/2 ({want})"


def test_a_missing_key_fails_the_turn_not_the_start(exec_run, run_codex, codex_home, repo):
    r, server, events = exec_run([[{"type": "message", "text": "never"}]], "--json", "go",
                                 env={"MOCK_API_KEY": ""})
    assert r.returncode == 1
    assert [e["type"] for e in events] == ["thread.started", "turn.started", "error", "turn.failed"]
    assert events[-1]["error"]["message"] == "Missing environment variable: `MOCK_API_KEY`."
    assert server.requests() == []
    r = run_codex("exec", "--skip-git-repo-check", "go", input="", env={"MOCK_API_KEY": ""}, cwd=repo)
    assert r.stderr.count("ERROR: Missing environment variable: `MOCK_API_KEY`.\n") == 2


def test_execpolicy_rules_forbid_commands(exec_run, repo, codex_home):
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text(
        'prefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting here")\n'
        'prefix_rule(pattern=["git", "push"], decision="prompt")\n')
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo hi && rm -f README.md", "login": False}},
               {"type": "function_call", "name": "exec_command", "call_id": "c2",
                "arguments": {"cmd": "git push", "login": False}},
               {"type": "function_call", "name": "exec_command", "call_id": "c3",
                "arguments": {"cmd": "echo allowed", "login": False}}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 0, r.stderr
    assert (repo / "README.md").exists()
    outs = tool_outputs(server)
    assert "rejected: no deleting here" in outs["c1"]
    assert "approval required by policy, but AskForApproval is set to Never" in outs["c2"]
    assert "allowed" in outs["c3"] and "Process exited with code 0" in outs["c3"]


def test_broken_rules_file_is_a_startup_error(exec_run, codex_home):
    rules = codex_home / "rules"
    rules.mkdir()
    (rules / "bad.rules").write_text("prefix_rule(pattern=\n")
    r, server, events = exec_run([[{"type": "message", "text": "x"}]], "--json", "go")
    assert r.returncode == 1
    assert "bad.rules" in r.stderr
    assert server.requests() == []
