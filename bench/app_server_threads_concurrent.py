#!/usr/bin/env python3
"""N threads each running one turn (a shell command, then an answer) against
the scripted mock on one app-server: wall time until all turns completed and
the server's peak RSS (VmHWM).

    app_server_threads_concurrent.py CODEX_BIN [N]
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MOCK = ROOT / "tests" / "mock" / "responses_mock.py"


def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50
    base = pathlib.Path(tempfile.mkdtemp(dir="/var/tmp"))
    home = base / "codex"
    home.mkdir()
    script = base / "script.json"
    # Every other request runs a command, the next one answers.
    script.write_text(json.dumps([[{"type": "message", "text": "done"}]]))
    mock = subprocess.Popen([sys.executable, str(MOCK), str(script), str(base / "log.jsonl"),
                             "--repeat-last"], stdout=subprocess.PIPE, text=True)
    port = int(mock.stdout.readline().split()[1])
    (home / "config.toml").write_text(
        f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\nwire_api = "responses"\n'
        'env_key = "MOCK_API_KEY"\n')
    env = {"PATH": os.environ["PATH"], "HOME": str(base), "CODEX_HOME": str(home),
           "MOCK_API_KEY": "k"}
    p = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, cwd=base)
    pending = []

    def send(msg):
        p.stdin.write((json.dumps(msg) + "\n").encode())
        p.stdin.flush()

    def wait(pred):
        for i, m in enumerate(pending):
            if pred(m):
                return pending.pop(i)
        while True:
            m = json.loads(p.stdout.readline())
            if pred(m):
                return m
            pending.append(m)

    send({"id": 0, "method": "initialize", "params": {"clientInfo": {"name": "b", "version": "1"}}})
    wait(lambda m: m.get("id") == 0)
    send({"method": "initialized"})
    t0 = time.perf_counter()
    ids = []
    for i in range(n):
        send({"id": 1000 + i, "method": "thread/start",
              "params": {"sandbox": "danger-full-access", "approvalPolicy": "never"}})
        ids.append(wait(lambda m: m.get("id") == 1000 + i)["result"]["thread"]["id"])
    started = time.perf_counter() - t0
    for i, tid in enumerate(ids):
        send({"id": 2000 + i, "method": "turn/start",
              "params": {"threadId": tid, "input": [{"type": "text", "text": f"go {i}"}]}})
    done = set()
    while len(done) < n:
        m = wait(lambda m: m.get("method") == "turn/completed")
        assert m["params"]["turn"]["status"] == "completed", m
        done.add(m["params"]["threadId"])
    wall = time.perf_counter() - t0
    hwm = next(l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmHWM")).split()[1]
    p.stdin.close()
    p.wait(timeout=60)
    mock.kill()
    print(f"{pathlib.Path(binary).name}: {n} threads, one turn each: all completed in "
          f"{wall * 1000:.0f} ms ({started * 1000:.0f} ms of it starting the threads), peak RSS {int(hwm) / 1024:.1f} MB")
    subprocess.run(["rm", "-rf", str(base)])


if __name__ == "__main__":
    main()
