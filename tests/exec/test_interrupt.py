"""Ctrl-C during a turn: exec stops with 128+SIGINT and the command it was
running is killed, not left behind."""
import json
import os
import signal
import subprocess
import time

from exec_helpers import write_config


def test_sigint_kills_running_commands(tmp_path, codex_home, repo, mock_server):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo $$ > child.pid; exec sleep 60", "login": False,
                              "yield_time_ms": 30000}}]]
    server = mock_server(script)
    write_config(codex_home, server.port)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CODEX_HOME": str(codex_home),
           "MOCK_API_KEY": "k", "ASAN_OPTIONS": "detect_leaks=1"}
    proc = subprocess.Popen([os.environ["CODEX_BIN"], "exec", "--skip-git-repo-check", "--json",
                             "-s", "danger-full-access", "go"], cwd=repo, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    pidfile = repo / "child.pid"
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "Interrupted" in err
    for _ in range(100):
        if not os.path.exists(f"/proc/{child}") or \
                open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the command outlived codex")
    started = [json.loads(l) for l in out.splitlines()]
    assert any(e.get("item", {}).get("type") == "command_execution" for e in started)


def test_background_session_does_not_keep_exec_alive(exec_run, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo $$ > bg.pid; exec sleep 60", "login": False,
                              "yield_time_ms": 300}}],
              [{"type": "message", "text": "left it running"}]]
    r, server, events = exec_run(script, "--json", "go", timeout=30)
    assert r.returncode == 0, r.stderr
    assert events[-1]["type"] == "turn.completed"
    child = int((repo / "bg.pid").read_text())
    for _ in range(100):
        if not os.path.exists(f"/proc/{child}") or \
                open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the background command outlived codex")
