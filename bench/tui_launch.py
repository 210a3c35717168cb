#!/usr/bin/env python3
"""TUI launch, side by side with the reference, in a 120x40 pseudo-terminal
whose output bytes are timestamped as they arrive (the terminal queries
are answered as a terminal would):

  - first frame: spawn to the end of the first synchronized-output frame
    (the first CSI ?2026l), i.e. the first complete screen drawn;
  - composer: spawn to the first output that shows the composer's
    placeholder ("Ask Codex to do anything");
  - CPU: the process's CPU time (all threads) read just after the first
    frame arrived: what the launch costs whatever else the machine does.

The two programs are launched alternately, RUNS times each, so a machine
busy with other work slows both alike; medians, minima and maxima are
printed.  The reference runs with --no-daemon (its in-process server, like
ours) and with its first-run notices already seen.

    tui_launch.py CODEX_BIN [REFERENCE_BIN] [RUNS]
"""
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import tui  # noqa: E402  (the pty harness of bench/tui.py)

FRAME_END = b"\x1b[?2026l"


class Timed(tui.Term):
    """Term that can also wait for raw bytes (a control sequence)."""

    def wait_raw(self, needle, timeout=30):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                at = self.out.find(needle)
                if at >= 0:
                    end = at + len(needle)
                    for t, n in self.raw_marks:
                        if n >= end:
                            return t - self.t0
            time.sleep(0.0005)
        return None


def one(binary, work, home, ref):
    env = tui.env_for(work, home)
    argv = [binary, "--no-daemon"] if ref else [binary]
    t = Timed(argv, env, work / "repo")
    try:
        frame = t.wait_raw(FRAME_END)
        cpu = t.cpu_ns() / 1e9
        composer = t.wait_text("Ask Codex to do anything", 30)
    finally:
        t.close()
    return frame, composer, cpu


def summary(xs):
    ok = [x * 1000 for x in xs if x is not None]
    if not ok:
        return None
    return {"median_ms": statistics.median(ok), "min_ms": min(ok), "max_ms": max(ok), "n": len(ok)}


def main():
    binary = os.path.abspath(sys.argv[1])
    ref = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    work = pathlib.Path(tempfile.mkdtemp(prefix="tui-launch-"))
    mock = None
    try:
        for d in ("userhome", "tmp", "repo"):
            (work / d).mkdir()
        subprocess.run(["git", "init", "-q"], cwd=work / "repo", check=True)
        (work / "repo" / "README.md").write_text("hi\n")
        (work / "script.json").write_text("[]")
        mock = subprocess.Popen([sys.executable, str(tui.MOCK), str(work / "script.json"),
                                 str(work / "log.jsonl")], stdout=subprocess.PIPE, text=True)
        port = int(mock.stdout.readline().split()[1])
        homes = {"codex-c": tui.setup(work, port, False)}
        if ref:
            homes["reference"] = tui.setup(work, port, True)
        bins = {"codex-c": binary, "reference": ref}
        samples = {name: {"frame": [], "composer": [], "cpu": []} for name in homes}
        # A first launch of each warms the page cache; it is not counted.
        for name in homes:
            one(bins[name], work, homes[name], name == "reference")
        for _ in range(runs):
            for name in homes:
                f, c, cpu = one(bins[name], work, homes[name], name == "reference")
                samples[name]["frame"].append(f)
                samples[name]["composer"].append(c)
                samples[name]["cpu"].append(cpu)
        results = {name: {k: summary(v) for k, v in s.items()} for name, s in samples.items()}
    finally:
        if mock:
            mock.kill()
            mock.wait()
        shutil.rmtree(work, ignore_errors=True)
    print("%-28s %22s %22s" % ("median (min-max), ms", "codex-c", "reference"))
    for key, label in (("frame", "launch to first frame"), ("composer", "launch to composer drawn"),
                       ("cpu", "CPU time at first frame")):
        cells = []
        for name in ("codex-c", "reference"):
            r = results.get(name, {}).get(key)
            cells.append("-" if not r else "%.1f (%.1f-%.1f)" % (r["median_ms"], r["min_ms"], r["max_ms"]))
        print("%-28s %22s %22s" % (label, cells[0], cells[1]))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
