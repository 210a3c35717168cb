"""The Responses API's local shell (spec/internet-access-and-local-shell.md):
a model whose catalog entry asks for it is offered {"type": "local_shell"};
its local_shell_call actions run through the same approval gate and sandbox
as exec_command, and the output goes back as local_shell_call_output while
the loop goes on."""
import json


def call(command, **action):
    return {"type": "local_shell_call", "call_id": "lsh1",
            "action": {"type": "exec", "command": command, **action}}


def shell_output(server):
    for req in server.requests():
        for item in req["body"]["input"]:
            if item.get("type") == "local_shell_call_output":
                return item
    return None


def test_local_shell_runs_and_the_loop_goes_on(exec_run, repo):
    script = [[call(["bash", "-c", "echo hi > made.txt; echo value=$FOO"], env={"FOO": "bar"},
                    timeout_ms=5000, working_directory=None)],
              [{"type": "message", "text": "finished"}]]
    r, server, events = exec_run(script, "--json", "go", model="codex-mini-latest", sandbox="workspace-write")
    assert r.returncode == 0, r.stderr
    first = server.requests()[0]["body"]
    assert {"type": "local_shell"} in first["tools"]
    assert not any(t.get("name") == "exec_command" for t in first["tools"])
    out = shell_output(server)
    assert out["call_id"] == "lsh1"
    result = json.loads(out["output"])
    assert "value=bar" in result["output"] and result["metadata"]["exit_code"] == 0
    assert (repo / "made.txt").read_text() == "hi\n"
    second = server.requests()[1]["body"]["input"]
    assert any(i.get("type") == "local_shell_call" and i["call_id"] == "lsh1" for i in second)
    kinds = [e["item"]["type"] for e in events if e["type"] == "item.completed"]
    assert kinds == ["command_execution", "agent_message"]


def test_local_shell_is_sandboxed(exec_run, repo, tmp_path):
    script = [[call(["bash", "-c", "echo x > ro.txt"])], [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", model="codex-mini-latest", sandbox="read-only")
    assert r.returncode == 0, r.stderr
    assert not (repo / "ro.txt").exists()
    assert json.loads(shell_output(server)["output"])["metadata"]["exit_code"] != 0


def test_local_shell_passes_the_rules_gate(exec_run, repo, codex_home):
    (codex_home / "rules").mkdir()
    (codex_home / "rules" / "default.rules").write_text(
        'prefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting")\n')
    (repo / "keep.txt").write_text("k")
    script = [[call(["rm", "keep.txt"])], [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", model="codex-mini-latest", sandbox="workspace-write")
    assert (repo / "keep.txt").exists()
    assert "no deleting" in shell_output(server)["output"]


def test_local_shell_timeout_is_enforced(exec_run, repo):
    script = [[call(["sleep", "30"], timeout_ms=300)], [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", model="codex-mini-latest", sandbox="workspace-write",
                                 timeout=20)
    assert r.returncode == 0, r.stderr
    result = json.loads(shell_output(server)["output"])
    assert result["output"].startswith("command timed out after 300 ms")


def test_malformed_action_is_answered_not_dropped(exec_run, repo):
    script = [[{"type": "local_shell_call", "call_id": "lsh1", "action": {"type": "exec", "command": "ls"}}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", model="codex-mini-latest")
    assert r.returncode == 0, r.stderr
    assert "local_shell call rejected" in shell_output(server)["output"]
