#!/usr/bin/env python3
"""A long app-server session, ours vs the reference, side by side:

    bench/long_session.py [TURNS=1000] [OUTPUT_KB=20] [--only=codex-c|reference]

One thread on one app-server runs TURNS turns against the scripted mock
(tests/mock): each turn the model runs one command that prints OUTPUT_KB
of build output, then answers.  The mock reports usage from the request's
size (a token per four bytes), so the thread fills its context window and
compacts as it would against the real API; the compaction request is
recognised by our compact_prompt (set for both binaries) and answered with
a short summary.  Reported per binary:

  per-turn latency   turn/start to turn/completed: median of the first 50
                     turns, of the last 50, and the slowest
  RSS                the server's resident set after 300 turns and at the
                     end (VmRSS), and its peak (VmHWM)
  largest request    the biggest body the mock received
  rollout            its size at the end; then thread/resume of it on a
                     fresh server (request to answer, and that server's RSS)
"""
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import resume as rb  # noqa: E402  (shares the config, env and app-server helpers)

MARKER = "BENCH-COMPACT: summarise the session so far for the next window."


def proc_status(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, binary, env, cwd):
        self.p = subprocess.Popen([binary, "app-server"], env=env, cwd=cwd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 1

    def send(self, obj):
        self.p.stdin.write((json.dumps(obj) + "\n").encode())
        self.p.stdin.flush()

    def read(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("app-server ended")
        return json.loads(line)

    def call(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"id": i, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == i and "method" not in m:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]

    def wait(self, method):
        while True:
            m = self.read()
            if m.get("method") == method:
                return m

    def close(self):
        self.p.stdin.close()
        self.p.stdout.read()
        self.p.wait()


def request_sizes(log, offset):
    """Body sizes of the requests logged since offset; the new offset."""
    sizes = []
    with open(log, "rb") as fh:
        fh.seek(offset)
        for line in fh:
            m = re.search(rb'"[Cc]ontent-[Ll]ength": "(\d+)"', line[:4096])
            sizes.append(int(m.group(1)) if m else len(line))
        offset = fh.tell()
    # The log only grows while it is read here; keep the disk use flat.
    return sizes, offset


def run(label, binary, turns, out_kb, work):
    home = work / f"home_{label}"
    shutil.rmtree(home, ignore_errors=True)
    output = work / "build_output.txt"
    line = "build output line that a long session keeps seeing over and over\n"
    output.write_text((line * (out_kb * 1024 // len(line) + 1))[:out_kb * 1024])
    script = {
        "keyed": [{"match": "BENCH-COMPACT", "items": [
            {"type": "message", "text": "Summary: the build was run many times; it passes."}]}],
        "turns": [],
    }
    for i in range(turns):
        script["turns"].append([{"type": "function_call", "name": "exec_command",
                                 "call_id": f"call_{i}",
                                 "arguments": {"cmd": f"cat {output}", "yield_time_ms": 5000}}])
        script["turns"].append([{"type": "message", "text": f"Step {i}: the build passes."}])
    (work / "script.json").write_text(json.dumps(script))
    log = work / f"requests_{label}.jsonl"
    mock = subprocess.Popen([sys.executable, str(rb.MOCK), str(work / "script.json"), str(log)],
                            stdout=subprocess.PIPE, text=True)
    port = int(mock.stdout.readline().split()[1])
    rb.write_config(home, port)
    config = home / "config.toml"  # a top-level key: before the first table
    config.write_text(f'compact_prompt = "{MARKER}"\n' + config.read_text())
    env = rb.env_for(work, home)
    s = Server(binary, env, work / "repo")
    s.call("initialize", {"clientInfo": {"name": "bench", "version": "1"},
                          "capabilities": {"experimentalApi": True}})
    s.send({"method": "initialized"})
    thread = s.call("thread/start", {"cwd": str(work / "repo"), "approvalPolicy": "never",
                                     "sandbox": "danger-full-access"})["thread"]
    latencies, largest, offset, rss300 = [], 0, 0, None
    compactions = 0
    for i in range(turns):
        t0 = time.monotonic()
        s.call("turn/start", {"threadId": thread["id"],
                              "input": [{"type": "text", "text": f"step {i}: run the build"}]})
        done = s.wait("turn/completed")
        latencies.append(time.monotonic() - t0)
        if done["params"]["turn"].get("status") != "completed":
            raise RuntimeError(f"turn {i}: {done['params']['turn']}")
        sizes, offset = request_sizes(log, offset)
        largest = max([largest] + sizes)
        if i == 299:
            rss300 = proc_status(s.p.pid, "VmRSS")
        if (i + 1) % 100 == 0:
            print(f"  {label}: {i + 1} turns, {latencies[-1] * 1000:.0f} ms last, "
                  f"RSS {proc_status(s.p.pid, 'VmRSS'):.1f} MB, largest request "
                  f"{largest / 1e6:.2f} MB", flush=True)
    rss_end = proc_status(s.p.pid, "VmRSS")
    peak = proc_status(s.p.pid, "VmHWM")
    s.close()
    with open(log, "rb") as fh:
        compactions = sum(1 for line in fh if b"BENCH-COMPACT" in line)
    mock.kill()
    mock.wait()
    rollout = next((home / "sessions").rglob("rollout-*.jsonl"))
    size = rollout.stat().st_size / 1e6
    rb.CPU.clear()
    wall, rss_resume, extra = rb.timed([binary, "app-server"], env, work / "repo",
                                       feed=rb.app_server_call("thread/resume",
                                                               {"threadId": thread["id"]}))
    first, last = latencies[:50], latencies[-50:]
    print(f"{label:10} turns={turns} latency first50 {statistics.median(first) * 1000:.0f} ms, "
          f"last50 {statistics.median(last) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms | "
          f"RSS@300 {rss300 if rss300 is not None else float('nan'):.1f} MB, end {rss_end:.1f} MB, "
          f"peak {peak:.1f} MB | largest request {largest / 1e6:.2f} MB | compactions "
          f"{compactions} | rollout {size:.1f} MB, thread/resume {extra[0]:.2f} s "
          f"(process CPU {rb.CPU[-1]:.2f} s) / {rss_resume:.1f} MB", flush=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    turns = int(args[0]) if args else 1000
    out_kb = int(args[1]) if len(args) > 1 else 20
    work = pathlib.Path(tempfile.mkdtemp(prefix="codex-bench-long.", dir="/var/tmp"))
    try:
        for d in ("home", "tmp", "repo"):
            (work / d).mkdir()
        for label, binary in (("codex-c", rb.OURS), ("reference", rb.REF)):
            if only and label != only:
                continue
            if not os.path.exists(binary):
                print(f"{label}: {binary} missing; skipped")
                continue
            run(label, binary, turns, out_kb, work)
    finally:
        if "--keep" in sys.argv:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
