"""MCP servers that fail: at startup (missing, crashing, never answering,
required), mid-call (crash, a 100 MB line), or by sending garbage, huge
results and hostile names.  The session goes on, nothing crashes, nothing
is sent broken."""
import json
import os
import signal

from mcp_helpers import (call, fixture_server, items, odd_server, outputs, read_log,
                         without_wall_time)

DONE = [{"type": "message", "text": "done"}]


def test_a_required_server_that_fails_stops_exec_before_any_request(mcp_exec):
    servers = fixture_server("crash", mode="crash", extra="required = true\n")
    r, mock, events = mcp_exec([DONE], servers)
    assert r.returncode == 1
    assert events == []
    assert mock.requests() == []
    assert "required MCP servers failed to initialize: crash: handshaking with MCP server failed" \
        in r.stderr
    assert "fixture: crashing on purpose" in r.stderr


def test_failed_servers_are_reported_on_stderr_and_left_out(mcp_exec):
    servers = (fixture_server("crash", mode="crash") +
               '[mcp_servers.missing]\ncommand = "/nonexistent/mcp-server"\n' +
               fixture_server("fx"))
    r, mock, events = mcp_exec([DONE], servers, model="my-local-model")
    assert r.returncode == 0, r.stderr
    assert "codex-c: MCP server 'crash' failed: handshaking with MCP server failed" in r.stderr
    assert "codex-c: MCP server 'missing' failed" in r.stderr
    spaces = [t["name"] for t in mock.requests()[0]["body"]["tools"] if t["type"] == "namespace"
              and t["name"].startswith("mcp__")]
    assert spaces == ["mcp__fx"]
    assert [e["type"] for e in events][:2] == ["thread.started", "turn.started"]


def test_a_server_that_never_answers_times_out(mcp_exec):
    servers = odd_server("slow", mode="hang-init", extra="startup_timeout_sec = 1\n") + fixture_server()
    r, mock, _ = mcp_exec([DONE], servers, model="my-local-model")
    assert r.returncode == 0, r.stderr
    assert "MCP server 'slow' failed" in r.stderr and "timed out after 1 seconds" in r.stderr
    spaces = [t["name"] for t in mock.requests()[0]["body"]["tools"] if t["type"] == "namespace"
              and t["name"].startswith("mcp__")]
    assert spaces == ["mcp__fx"]


def test_garbage_on_stdout_is_skipped(mcp_exec):
    script = [[call("echo", {"message": "still here"}, "c1", "mcp__odd")], DONE]
    r, mock, _ = mcp_exec(script, odd_server(mode="garbage"))
    assert r.returncode == 0, r.stderr
    assert without_wall_time(outputs(mock.requests()[1])["c1"])[1]["text"] == "Echo: still here"


def test_a_crash_mid_call_is_reported_and_the_next_call_restarts_the_server(mcp_exec, tmp_path):
    log = tmp_path / "odd.log"
    script = [[call("crash", {}, "c1", "mcp__odd")], [call("echo", {"message": "back"}, "c2", "mcp__odd")],
              DONE]
    r, mock, events = mcp_exec(script, odd_server(log=log))
    assert r.returncode == 0, r.stderr
    reqs = mock.requests()
    first = without_wall_time(outputs(reqs[1])["c1"])[1]["text"]
    assert first.startswith("tool call error: tool call failed for `odd/crash`\n\nCaused by:\n"
                            "    connection closed: the server exited with status 9")
    assert without_wall_time(outputs(reqs[2])["c2"])[1]["text"] == "Echo: back"
    starts = [e for e in read_log(log) if e.get("event") == "start"]
    assert len(starts) == 2
    assert "MCP server 'odd' failed" in r.stderr
    # Both servers are gone with exec.
    for s in starts:
        try:
            os.kill(s["pid"], 0)
            alive = True
        except ProcessLookupError:
            alive = False
        assert not alive


def test_a_10_mb_result_is_cut_like_the_reference_cuts_it(mcp_exec):
    script = [[call("big", {"n": 10_000_000}, "c1", "mcp__odd")], DONE]
    r, mock, events = mcp_exec(script, odd_server(), timeout=120)
    assert r.returncode == 0, r.stderr
    out = without_wall_time(outputs(mock.requests()[1])["c1"])
    assert out[0]["text"] == "Wall time: T seconds\nOutput:"
    text = out[1]["text"]
    assert 47_000 < len(text.encode()) <= 48_100
    assert text.startswith("line 0000000 ")
    assert "tokens truncated\u2026" in text
    assert text.endswith("line 0249999 abcdefghijklmnopqrstuvwxyz\n")
    assert out[2]["text"] == "[omitted 1 text items ...]"
    # The exec item stays bounded too.
    [done] = [e for e in items(events) if e["type"] == "item.completed"]
    assert len(json.dumps(done)) < 1_200_000


def test_a_100_mb_line_disconnects_the_server_and_the_session_goes_on(mcp_exec):
    script = [[call("flood", {"n": 100 << 20}, "c1", "mcp__odd")],
              [call("echo", {"message": "again"}, "c2", "mcp__odd")], DONE]
    r, mock, _ = mcp_exec(script, odd_server(), timeout=120)
    assert r.returncode == 0, r.stderr
    reqs = mock.requests()
    text = without_wall_time(outputs(reqs[1])["c1"])[1]["text"]
    assert "longer than 32 MiB; disconnected" in text
    assert without_wall_time(outputs(reqs[2])["c2"])[1]["text"] == "Echo: again"


def test_hostile_names_cannot_reach_the_terminal_or_break_the_request(mcp_exec):
    script = [[call("evil__name_", {}, "c1", "mcp__odd")], DONE]
    r, mock, events = mcp_exec(script, odd_server(mode="evil-names") +
                               '[mcp_servers.odd.tools."evil\\u001b[31m\\"name\\u0007"]\n'
                               'approval_mode = "approve"\n', model="my-local-model")
    assert r.returncode == 0, r.stderr
    body = mock.requests()[0]["body"]  # the mock parsed it: valid JSON
    [ns] = [t for t in body["tools"] if t["type"] == "namespace" and t["name"].startswith("mcp__")]
    names = [t["name"] for t in ns["tools"]]
    assert "evil__31m_name_" in names
    assert all(c.isalnum() or c == "_" for n in names for c in n)
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    # The schema that is not an object was left out, with a warning.
    assert "not_object" not in names
    assert "codex-c: warning: MCP server 'odd': tool 'not_object' is not offered" in r.stderr


def test_interrupting_exec_cancels_its_mcp_call(run_codex, tmp_path, codex_home, repo):
    import subprocess
    import sys
    import time
    from exec_helpers import MockServer
    from mcp_helpers import CODEX_BIN_PATH, exec_config
    log = tmp_path / "fx.log"
    mock = MockServer(tmp_path, [[call("slow_ro", {"seconds": 30}, "c1")], DONE])
    exec_config(codex_home, mock.port, fixture_server(log=log))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    p = subprocess.Popen([CODEX_BIN_PATH, "exec", "--skip-git-repo-check", "--json", "-s",
                          "read-only", "go"], cwd=repo, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if any((e.get("msg") or {}).get("method") == "tools/call" for e in read_log(log)):
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    mock.stop()
    assert p.returncode == 130, err
    assert "ERROR: AddressSanitizer" not in err
