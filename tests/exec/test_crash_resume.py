"""Crash paths: `codex exec` killed with SIGKILL at each point of a turn, then
`codex exec resume --last` against a mock that, like the real API, refuses
any request carrying a tool call without its output (400).  Every one of
these sessions must resume."""
import json
import os
import signal
import subprocess
import time
import uuid

import pathlib

from exec_helpers import MockServer, write_config

CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", pathlib.Path(__file__).resolve().parents[2] / "build" / "asan"
                                        / "codex"))


def start_exec(codex_home, tmp_path, repo, port, prompt, top=""):
    write_config(codex_home, port, extra_top=top)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "CODEX_HOME": str(codex_home),
           "MOCK_API_KEY": "k", "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0"}
    return subprocess.Popen([str(CODEX_BIN), "exec", "--skip-git-repo-check", "-s", "danger-full-access",
                             "--json", prompt], cwd=repo, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def rollout_text(codex_home):
    files = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    return files[0].read_text() if files else ""


def wait_until(cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def kill9(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def resume(run_codex, codex_home, tmp_path, repo, script, top=""):
    server = MockServer(tmp_path / "second", script, strict_calls=True)
    write_config(codex_home, server.port, extra_top=top)
    r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json", "resume", "--last",
                  "continue", input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
    reqs = server.requests()
    server.stop()
    return r, reqs


def call_outputs(body):
    return {i["call_id"]: i["output"] for i in body["input"] if i.get("type", "").endswith("_output")}


def test_killed_while_the_model_streams(run_codex, codex_home, tmp_path, repo):
    first = MockServer(tmp_path, [{"hang": True, "hang_seconds": 60}])
    try:
        p = start_exec(codex_home, tmp_path, repo, first.port, "first question")
        wait_until(lambda: first.log.exists() and first.log.read_text().count("\n") >= 1)
        kill9(p)
    finally:
        first.stop()
    (tmp_path / "second").mkdir()
    r, reqs = resume(run_codex, codex_home, tmp_path, repo, [[{"type": "message", "text": "recovered"}]])
    assert r.returncode == 0, r.stderr
    texts = [c.get("text") for i in reqs[0]["body"]["input"] if i["type"] == "message" for c in i["content"]]
    assert "first question" in texts and texts[-1] == "continue"


def test_killed_while_a_command_runs(run_codex, codex_home, tmp_path, repo):
    marker = uuid.uuid4().hex
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "call_sleep",
                "arguments": {"cmd": f"sleep 60; echo {marker}"}}]]
    first = MockServer(tmp_path, script)
    try:
        p = start_exec(codex_home, tmp_path, repo, first.port, "run something long")
        try:
            wait_until(lambda: subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0)
        except AssertionError:
            p.kill()
            out, err = p.communicate()
            raise AssertionError((out, err))
        kill9(p)
    finally:
        first.stop()
        subprocess.run(["pkill", "-9", "-f", marker])
    assert '"call_sleep"' in rollout_text(codex_home)
    (tmp_path / "second").mkdir()
    r, reqs = resume(run_codex, codex_home, tmp_path, repo, [[{"type": "message", "text": "recovered"}]])
    assert r.returncode == 0, r.stderr
    assert len(reqs) == 1
    assert call_outputs(reqs[0]["body"]) == {"call_sleep": "aborted"}
    # The synthesized output is in the rollout too: a second resume needs no repair.
    lines = [json.loads(l) for l in rollout_text(codex_home).splitlines()]
    outputs = [l for l in lines if l["type"] == "response_item" and l["payload"].get("type") == "function_call_output"]
    assert [o["payload"]["output"] for o in outputs] == ["aborted"]
    r, reqs = resume(run_codex, codex_home, tmp_path, repo, [[{"type": "message", "text": "again"}]])
    assert r.returncode == 0, r.stderr
    assert call_outputs(reqs[0]["body"]) == {"call_sleep": "aborted"}


def test_killed_after_the_output_was_sent(run_codex, codex_home, tmp_path, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "call_echo",
                "arguments": {"cmd": "echo from-the-command"}}],
              {"hang": True, "hang_seconds": 60}]
    first = MockServer(tmp_path, script)
    try:
        p = start_exec(codex_home, tmp_path, repo, first.port, "echo something")
        wait_until(lambda: first.log.exists() and first.log.read_text().count("\n") >= 2)
        kill9(p)
    finally:
        first.stop()
    (tmp_path / "second").mkdir()
    r, reqs = resume(run_codex, codex_home, tmp_path, repo, [[{"type": "message", "text": "recovered"}]])
    assert r.returncode == 0, r.stderr
    outs = call_outputs(reqs[0]["body"])
    assert list(outs) == ["call_echo"] and "from-the-command" in outs["call_echo"]


def test_killed_while_the_history_is_being_compacted(run_codex, codex_home, tmp_path, repo):
    # The first answer reports a full window, so the turn's next request is
    # the summary request; the process dies while it is unanswered.
    limit = "model_auto_compact_token_limit = 20000"
    usage = {"input_tokens": 49990, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 10, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 50000}
    script = [{"items": [{"type": "function_call", "name": "exec_command", "call_id": "call_mark",
                          "arguments": {"cmd": "echo tool-output-marker", "login": False}}],
               "usage": usage},
              {"hang": True, "hang_seconds": 60}]
    first = MockServer(tmp_path, script)
    try:
        p = start_exec(codex_home, tmp_path, repo, first.port, "mark it", top=limit)
        wait_until(lambda: first.log.exists() and first.log.read_text().count("\n") >= 2)
        kill9(p)
    finally:
        first.stop()
    lines = [json.loads(l) for l in rollout_text(codex_home).splitlines()]
    assert not [l for l in lines if l["type"] == "compacted"]
    (tmp_path / "second").mkdir()
    r, reqs = resume(run_codex, codex_home, tmp_path, repo,
                     [[{"type": "message", "text": "SUMMARY-AFTER-CRASH"}],
                      [{"type": "message", "text": "recovered"}]], top=limit)
    assert r.returncode == 0, r.stderr
    # Nothing of the interrupted window was lost: the resumed turn compacts
    # the whole of it, the command's output included, then carries on.
    kinds = [json.loads(q["headers"].get("x-codex-turn-metadata", "{}")).get("request_kind")
             for q in reqs]
    assert kinds[0] == "compaction" and len(reqs) == 2
    assert "tool-output-marker" in call_outputs(reqs[0]["body"])["call_mark"]
    last = [c.get("text") for i in reqs[1]["body"]["input"] if i.get("type") == "message"
            for c in i["content"]]
    assert any("SUMMARY-AFTER-CRASH" in t for t in last) and last[-1] == "continue"
