"""Sessions we write are sessions the reference reads: its `exec resume
--last` finds ours and sends the history we would, and its app-server's
thread/list lists them.  Run with the pinned reference from npm (`make
refclient`); skipped, not failed, without it."""
import json
import os
import pathlib
import subprocess

import pytest

from exec_helpers import write_config

ROOT = pathlib.Path(__file__).resolve().parents[2]


def reference_binary():
    modules = pathlib.Path(os.environ.get("CODEX_REF_CLIENT") or ROOT / "build" / "refclient" / "node_modules")
    arch = {"x86_64": ("codex-linux-x64", "x86_64-unknown-linux-musl"),
            "aarch64": ("codex-linux-arm64", "aarch64-unknown-linux-musl")}.get(os.uname().machine)
    if not arch:
        return None
    path = modules / "@openai" / arch[0] / "vendor" / arch[1] / "bin" / "codex"
    return path if os.access(path, os.X_OK) else None


REF = reference_binary()
pytestmark = pytest.mark.skipif(REF is None, reason="the reference @openai/codex is not installed "
                                "(make refclient needs npm)")

PATCH = "*** Begin Patch\n*** Add File: made.txt\n+made\n*** End Patch\n"
SCRIPT = [
    [{"type": "reasoning", "summary": ["thinking"]},
     {"type": "function_call", "name": "exec_command", "call_id": "c1",
      "arguments": {"cmd": "echo hello", "login": False}}],
    [{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": PATCH}],
    [{"type": "message", "text": "all done"}],
]


def run_reference(codex_home, cwd, *args, input=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(codex_home.parent / "home"),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "test-key", "RUST_LOG": "error"}
    return subprocess.run([str(REF), *args], env=env, cwd=cwd, input=input, capture_output=True,
                          text=True, timeout=120)


def test_reference_resumes_our_session(exec_run, codex_home, repo, mock_server):
    r, _, events = exec_run(SCRIPT, "--json", "do it")
    assert r.returncode == 0, r.stderr
    thread = events[0]["thread_id"]
    server = mock_server([[{"type": "message", "text": "resumed"}]])
    write_config(codex_home, server.port)
    ref = run_reference(codex_home, repo, "exec", "--skip-git-repo-check", "-s",
                        "danger-full-access", "--json", "resume", "--last", "and again", input="")
    assert ref.returncode == 0, ref.stderr
    started = json.loads(ref.stdout.splitlines()[0])
    assert started == {"type": "thread.started", "thread_id": thread}
    items = server.requests()[0]["body"]["input"]
    kinds = [(i["type"], i.get("role"), i.get("call_id")) for i in items]
    for want in [("message", "user", None), ("function_call", None, "c1"),
                 ("function_call_output", None, "c1"), ("custom_tool_call", None, "p1"),
                 ("custom_tool_call_output", None, "p1"), ("message", "assistant", None)]:
        assert want in kinds, (want, kinds)
    texts = json.dumps(items)
    assert '"do it"' in texts and "all done" in texts
    assert items[-1]["role"] == "user" and items[-1]["content"][0]["text"] == "and again"


def test_reference_lists_our_sessions(exec_run, codex_home, repo):
    r, _, events = exec_run(SCRIPT, "--json", "do it")
    assert r.returncode == 0, r.stderr
    thread = events[0]["thread_id"]
    msgs = [
        {"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "t", "version": "1"}}},
        {"method": "initialized"},
        {"id": 1, "method": "thread/list", "params": {"sourceKinds": ["exec"]}},
    ]
    proc = subprocess.Popen([str(REF), "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=repo,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                 "HOME": str(codex_home.parent / "home"),
                                 "CODEX_HOME": str(codex_home), "RUST_LOG": "error"})
    try:
        for m in msgs:
            proc.stdin.write(json.dumps(m) + "\n")
            proc.stdin.flush()
        listed = None
        for line in proc.stdout:
            m = json.loads(line)
            if m.get("id") == 1:
                listed = m["result"]["data"]
                break
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert [(t["id"], t["preview"], t["source"]) for t in listed] == [(thread, "do it", "exec")]
