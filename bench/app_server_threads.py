#!/usr/bin/env python3
"""thread/list over N stored sessions: median and p90 of each call's round
trip over stdio, after one warm-up call (which builds the index).

    app_server_threads.py CODEX_BIN [N] [CALLS]
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid


def make_sessions(home, n):
    day = home / "sessions" / "2026" / "11" / "20"
    day.mkdir(parents=True)
    for i in range(n):
        tid = str(uuid.uuid4())
        ts = f"2026-11-20T{(i // 3600) % 24:02d}-{(i // 60) % 60:02d}-{i % 60:02d}"
        meta = {"timestamp": "2026-11-20T10:00:00.000Z", "type": "session_meta",
                "payload": {"id": tid, "timestamp": "2026-11-20T10:00:00.000Z", "cwd": "/tmp",
                            "originator": "codex_vscode", "cli_version": "0.1.0",
                            "source": "vscode", "model_provider": "openai"}}
        ctx = {"type": "turn_context", "payload": {"model": "gpt-5.5", "effort": "medium"}}
        item = {"type": "event_msg", "payload": {
            "type": "item_completed", "turn_id": "t", "item": {
                "type": "userMessage", "id": "u", "content": [{"type": "text",
                                                               "text": f"task {i}"}]}}}
        user = {"type": "response_item", "payload": {
            "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": f"task {i}"}]}}
        user_ev = {"type": "event_msg", "payload": {"type": "user_message",
                                                    "message": f"task {i}", "images": []}}
        lines = [meta, ctx, user, user_ev, item] + [{"type": "response_item", "payload": {
            "type": "message", "role": "assistant",
            "content": [{"type": "output_text", "text": "x" * 200}]}}] * 5
        for line in lines:
            line.setdefault("timestamp", "2026-11-20T10:00:00.000Z")
        (day / f"rollout-{ts}-{tid}.jsonl").write_text(
            "".join(json.dumps(l) + "\n" for l in lines))


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    calls = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    base = pathlib.Path(tempfile.mkdtemp(dir="/var/tmp"))
    home = base / "codex"
    home.mkdir()
    make_sessions(home, n)
    env = {"PATH": os.environ["PATH"], "HOME": str(base), "CODEX_HOME": str(home)}
    p = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, cwd=base)

    def call(i, method, params):
        p.stdin.write((json.dumps({"id": i, "method": method, "params": params}) + "\n").encode())
        p.stdin.flush()
        while True:
            m = json.loads(p.stdout.readline())
            if m.get("id") == i and "method" not in m:
                return m

    call(0, "initialize", {"clientInfo": {"name": "bench", "version": "1"}})
    p.stdin.write(b'{"method":"initialized"}\n')
    t0 = time.perf_counter()
    first = call(1, "thread/list", {"limit": 25})
    cold = time.perf_counter() - t0
    assert len(first["result"]["data"]) == 25, first
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        r = call(2 + i, "thread/list", {"limit": 25})
        times.append(time.perf_counter() - t0)
        assert "result" in r
    p.stdin.close()
    p.wait(timeout=60)
    times.sort()
    print(f"{pathlib.Path(binary).name}: {n} sessions, first call {cold * 1000:.1f} ms, "
          f"{calls} calls: p50 {statistics.median(times) * 1000:.2f} ms, "
          f"p90 {times[int(len(times) * 0.9)] * 1000:.2f} ms")
    subprocess.run(["rm", "-rf", str(base)])


if __name__ == "__main__":
    main()
