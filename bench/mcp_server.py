#!/usr/bin/python3
"""`codex mcp-server` side by side with the last reference release that had
it (0.153.4): one session = initialize, tools/list, one `codex` call (one
turn against the scripted mock), end of input.  Prints the median wall time
of a session (as the client sees it, process start to exit) and the median
max RSS (/usr/bin/time -v) of several runs.

    bench/mcp_server.py [RUNS]     (CODEX_BIN, CODEX_REF_MCP_SERVER override the binaries)"""
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "exec"))
from exec_helpers import MockServer  # noqa: E402

OURS = os.environ.get("CODEX_BIN", str(ROOT / "build" / "codex"))
REF = os.environ.get("CODEX_REF_MCP_SERVER", "/tmp/peerwork-0153/node_modules/@openai/codex-linux-x64/"
                     "vendor/x86_64-unknown-linux-musl/bin/codex")
SCRIPT = [[{"type": "message", "text": "hello from the mock"}]]


def session(binary, work):
    mock = MockServer(work, SCRIPT)
    home = work / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(
        f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
        f'base_url = "http://127.0.0.1:{mock.port}/v1"\nwire_api = "responses"\n'
        'env_key = "MOCK_API_KEY"\n')
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "CODEX_HOME": str(home),
           "MOCK_API_KEY": "k", "LANG": "C.UTF-8"}
    msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "codex", "arguments": {"prompt": "hi", "sandbox": "read-only",
                                               "approval-policy": "never"}}}]
    start = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-v", binary, "mcp-server"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work,
                            text=True)
    for m in msgs[:3]:
        proc.stdin.write(json.dumps(m) + "\n")
    proc.stdin.flush()
    proc.stdin.write(json.dumps(msgs[3]) + "\n")
    proc.stdin.flush()
    answered = False
    for line in proc.stdout:
        if json.loads(line).get("id") == 3:
            answered = True
            proc.stdin.close()
    err = proc.stderr.read()
    proc.wait()
    wall = time.monotonic() - start
    mock.stop()
    assert answered, err
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return wall, rss


def measure(binary, runs):
    walls, rsss = [], []
    for _ in range(runs):
        # The reference wants a CODEX_HOME outside /tmp.
        work = pathlib.Path(tempfile.mkdtemp(prefix="bench-mcp-", dir=ROOT / "build"))
        try:
            w, r = session(binary, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        walls.append(w)
        rsss.append(r)
    return statistics.median(walls) * 1000, statistics.median(rsss) / 1024


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print("| | session wall median | max RSS median |\n|---|---|---|")
    for name, binary in (("codex-c", OURS), ("reference 0.153.4", REF)):
        if not pathlib.Path(binary).exists():
            print(f"| {name} | (not installed) | |")
            continue
        wall, rss = measure(binary, runs)
        print(f"| {name} | {wall:.0f} ms | {rss:.1f} MB |")


if __name__ == "__main__":
    main()
