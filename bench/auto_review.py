#!/usr/bin/env python3
"""Auto-review, ours vs the reference, against the scripted mock.

The agent asks to run `touch` outside its workspace with
require_escalated; the reviewer (a read-only thread of its own) runs
`cat notes.txt`, then allows; the command runs and the agent answers.
Measured per run: the whole `codex exec --json` wall time and its maximum
RSS, and the same for a baseline where the command needs no review
(danger-full-access), so the difference is what the review costs beyond
its two model requests (which the mock answers at once).

    bench/auto_review.py [RUNS]      (default 5)
    OURS_CODEX=... REF_CODEX=... bench/auto_review.py
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


def call(call_id, cmd, **extra):
    return {"type": "function_call", "name": "exec_command", "call_id": call_id,
            "arguments": {"cmd": cmd, **extra}}


def run(binary, work, reviewed):
    target = work / "outside" / "marker"
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    verdict = json.dumps({"risk_level": "low", "user_authorization": "high", "outcome": "allow",
                          "rationale": "asked for"})
    # Under `never` an escalation is refused outright: the baseline asks for none.
    touch = (call("p1", f"touch {target}", sandbox_permissions="require_escalated", justification="marker")
             if reviewed else call("p1", f"touch {target}"))
    script = [[touch]]
    if reviewed:
        script += [[call("g1", "cat notes.txt")], [{"type": "message", "text": verdict}]]
    script += [[{"type": "message", "text": "DONE"}]]
    server = MockServer(work, script, False)
    home = work / "codex_home"
    subprocess.run(["rm", "-rf", str(home)], check=True)
    home.mkdir()
    top = ('approvals_reviewer = "auto_review"\napproval_policy = "on-request"\n'
           'sandbox_mode = "workspace-write"\n' if reviewed else
           'approval_policy = "never"\nsandbox_mode = "danger-full-access"\n')
    write_config(home, server.port, extra_top=top)
    repo = work / "repo"
    repo.mkdir(exist_ok=True)
    (repo / "notes.txt").write_text("hello\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "CODEX_HOME": str(home),
           "MOCK_API_KEY": "k", "TMPDIR": str(work)}
    try:
        t0 = time.monotonic()
        subprocess.run(["/usr/bin/time", "-v", "-o", str(work / "time.txt"), binary, "exec",
                        "--skip-git-repo-check", "--json", "go"],
                       cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        wall = time.monotonic() - t0
        n = len(server.requests())
    finally:
        server.stop()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                        (work / "time.txt").read_text()).group(1))
    assert target.exists() and n == (4 if reviewed else 2), (binary, reviewed, n)
    return wall * 1000, rss / 1024


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print("| | reviewed run | baseline run | review adds | max RSS reviewed | max RSS baseline |")
    print("|---|---|---|---|---|---|")
    for label, binary in (("codex-c", OURS), ("reference", REF)):
        with tempfile.TemporaryDirectory(dir=str(ROOT / "build")) as d:
            work = pathlib.Path(d)
            rev, base = [], []
            for _ in range(runs):  # alternating, so load hits both alike
                rev.append(run(binary, work, True))
                base.append(run(binary, work, False))
        r_ms = statistics.median(x[0] for x in rev)
        b_ms = statistics.median(x[0] for x in base)
        print("| %s | %.0f ms | %.0f ms | %.0f ms | %.1f MB | %.1f MB |" % (
            label, r_ms, b_ms, r_ms - b_ms, statistics.median(x[1] for x in rev),
            statistics.median(x[1] for x in base)))


if __name__ == "__main__":
    main()
