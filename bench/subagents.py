#!/usr/bin/env python3
"""Spawning subagents, ours vs the reference, against the scripted mock.

A parent spawns N children in one round (N spawn_agent calls), waits for
them and ends; each child answers at once.  Measured per run:

  first child    from the moment the parent's rollout records the spawn_agent
                 calls to the moment the first child's rollout records its
                 task, the last thing a thread writes before its first
                 request (rollout timestamps, millisecond resolution; the
                 mock's speed does not enter);
  per spawn      the same up to the last child's task, divided by N (the
                 children of one round start one after the other);
  RSS per child  (max RSS of the run with N children - max RSS of the run
                 where the parent answers at once) / N, from /usr/bin/time -v.

    bench/subagents.py [RUNS] [N]      (defaults 5 and 6)
    OURS_CODEX=... REF_CODEX=... bench/subagents.py
"""
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "exec"))
from exec_helpers import MockServer, write_config  # noqa: E402

OURS = os.environ.get("OURS_CODEX", str(ROOT / "build" / "codex"))
REF = os.environ.get("REF_CODEX", "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
                                  "x86_64-unknown-linux-musl/bin/codex")
NS = "multi_agent_v1"


def fcall(name, call_id, ns=NS, **args):
    item = {"type": "function_call", "name": name, "call_id": call_id, "arguments": args}
    if ns:
        item["namespace"] = ns
    return item


def scenarios(n):
    spawns = [fcall("spawn_agent", "s%d" % i, message="CHILD%d: answer" % i) for i in range(n)]
    targets = ["{{out:s%d:agent_id}}" % i for i in range(n)]
    sc = {"PARENT": [spawns, [fcall("wait_agent", "w", targets=targets, timeout_ms=60000)],
                     [{"type": "message", "text": "PARENT DONE"}]],
          "ALONE": [[{"type": "message", "text": "ALONE DONE"}]]}
    for i in range(n):
        sc["CHILD%d" % i] = [[{"type": "message", "text": "child %d done" % i}]]
    return sc


def run(binary, work, n, prompt):
    server = MockServer(work, [[{"type": "message", "text": "unscripted"}]], True,
                        scenarios=scenarios(n))
    home = work / "codex_home"
    if home.exists():
        subprocess.run(["rm", "-rf", str(home)], check=True)
    home.mkdir()
    write_config(home, server.port)
    repo = work / "repo"
    repo.mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "CODEX_HOME": str(home),
           "MOCK_API_KEY": "k", "TMPDIR": str(work)}
    try:
        subprocess.run(["/usr/bin/time", "-v", "-o", str(work / "time.txt"), binary, "exec",
                        "--skip-git-repo-check", "--json", "-s", "read-only", prompt],
                       cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        reqs = server.requests()
    finally:
        server.stop()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                        (work / "time.txt").read_text()).group(1))
    return reqs, rss


def stamp(line):
    t = line["timestamp"]
    secs = time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    return secs + float("0." + t[20:-1] if len(t) > 20 else 0)


def latencies(home, n):
    """Per child: its task recorded minus its spawn call recorded."""
    calls, tasks = {}, {}
    for p in (home / "sessions").rglob("rollout-*.jsonl"):
        lines = [json.loads(x) for x in p.read_text().splitlines() if x.strip()]
        for line in lines:
            pl = line.get("payload") or {}
            if line.get("type") != "response_item":
                continue
            if pl.get("type") == "function_call" and pl.get("name") == "spawn_agent":
                msg = json.loads(pl.get("arguments") or "{}").get("message", "")
                calls[msg.split(":")[0]] = stamp(line)
            elif pl.get("role") == "user":
                text = "".join(c.get("text", "") for c in pl.get("content", []))
                if text.startswith("CHILD") and text.split(":")[0] not in tasks:
                    tasks[text.split(":")[0]] = stamp(line)
    got = [tasks[k] - calls[k] for k in calls if k in tasks]
    return (min(got), max(got) / n) if len(got) == n else None


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    rows = []
    for label, binary in (("codex-c", OURS), ("reference", REF)):
        if not os.access(binary, os.X_OK):
            print("%s: %s not found; skipped" % (label, binary))
            continue
        first, per_spawn, per_child = [], [], []
        with tempfile.TemporaryDirectory(prefix="codex-bench-subagents.") as d:
            work = pathlib.Path(d)
            run(binary, work, n, "ALONE: warm up")
            for _ in range(runs):
                _, rss0 = run(binary, work, n, "ALONE: answer")
                _, rss_n = run(binary, work, n, "PARENT: spawn")
                got = latencies(work / "codex_home", n)
                if not got:
                    print("%s: not every child started" % label)
                    continue
                first.append(got[0])
                per_spawn.append(got[1])
                per_child.append((rss_n - rss0) / n)
        rows.append((label, statistics.median(first) * 1000, statistics.median(per_spawn) * 1000,
                     statistics.median(per_child) / 1024))
    print("| %d children | first child: spawn to task recorded | per spawn (last / N) | "
          "RSS per child |" % n)
    print("|---|---|---|---|")
    for label, first_ms, per_ms, rss in rows:
        print("| %s | %.1f ms | %.1f ms | %.2f MB |" % (label, first_ms, per_ms, rss))


if __name__ == "__main__":
    main()
