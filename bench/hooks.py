#!/usr/bin/python3
"""What hooks add to a one-turn `codex exec`: none, one Stop hook running
`true`, and four (SessionStart, UserPromptSubmit, Stop, SessionEnd), against
the scripted mock; the cost of `$SHELL -lc true` (how the reference runs a
hook command) is printed beside them.  Medians of 9 runs.

usage: bench/hooks.py [CODEX_BINARY]   (default build/codex)"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "exec"))
from exec_helpers import MockServer, write_config  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "codex")
RUNS = 9


def median_ms(fn):
    times = []
    for _ in range(RUNS):
        times.append(fn())
    return statistics.median(times)


def one_turn(events):
    with tempfile.TemporaryDirectory() as d:
        d = pathlib.Path(d)
        home, repo = d / "home", d / "repo"
        home.mkdir()
        repo.mkdir()
        server = MockServer(d, [[{"type": "message", "text": "done"}]], repeat_last=True)
        write_config(home, server.port)
        if events:
            handler = [{"hooks": [{"type": "command", "command": "true"}]}]
            (home / "hooks.json").write_text(json.dumps({"hooks": {e: handler for e in events}}))
        env = {"PATH": os.environ["PATH"], "HOME": str(d), "CODEX_HOME": str(home),
               "MOCK_API_KEY": "k", "SHELL": "/bin/sh"}
        argv = [BIN, "exec", "--skip-git-repo-check", "--ephemeral",
                "--dangerously-bypass-hook-trust", "hi"]
        start = time.perf_counter()
        r = subprocess.run(argv, env=env, cwd=repo, capture_output=True, text=True)
        elapsed = (time.perf_counter() - start) * 1000
        server.stop()
        assert r.returncode == 0, r.stderr
        return elapsed


def shell_true():
    start = time.perf_counter()
    subprocess.run(["/bin/sh", "-lc", "true"], check=True)
    return (time.perf_counter() - start) * 1000


print("/bin/sh -lc true: %.1f ms" % median_ms(shell_true))
print("one turn, no hooks: %.1f ms" % median_ms(lambda: one_turn([])))
print("one turn, a Stop hook: %.1f ms" % median_ms(lambda: one_turn(["Stop"])))
print("one turn, four hooks: %.1f ms" % median_ms(
    lambda: one_turn(["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"])))
