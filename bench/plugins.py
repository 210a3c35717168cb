#!/usr/bin/env python3
"""`codex plugin list` and `codex plugin add` (a reinstall: copy, swap,
config write) over one local marketplace, ours and the reference, 7 runs
each; wall time median and max RSS.

bench/plugins.py [OURS] [REFERENCE]"""
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "plugins"))
from plugin_fixture import write_marketplace  # noqa: E402

OURS = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "codex")
REF = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
    "CODEX_REF", "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
                 "x86_64-unknown-linux-musl/bin/codex")


def measure(binary, work):
    home = pathlib.Path(tempfile.mkdtemp(dir=work))
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "CODEX_HOME": str(home),
           "RUST_BACKTRACE": "0"}
    market = work / "mkt"
    subprocess.run([binary, "plugin", "marketplace", "add", str(market)], env=env, check=True,
                   capture_output=True)
    subprocess.run([binary, "plugin", "add", "sample@debug"], env=env, check=True, capture_output=True)
    for args in (["plugin", "list"], ["plugin", "add", "sample@debug"]):
        times = []
        for _ in range(7):
            t = time.perf_counter()
            subprocess.run([binary, *args], env=env, check=True, capture_output=True)
            times.append((time.perf_counter() - t) * 1000)
        r = subprocess.run(["/usr/bin/time", "-f", "%M", binary, *args], env=env,
                           capture_output=True, text=True)
        rss = int(r.stderr.strip().splitlines()[-1])
        print(f"{'ours' if binary == OURS else 'reference':9} {' '.join(args):26} "
              f"median {statistics.median(times):7.1f} ms  max RSS {rss / 1024:6.1f} MB")


def main():
    work = pathlib.Path(tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR", str(ROOT / "build"))))
    try:
        write_marketplace(work / "mkt")
        for b in (OURS, REF):
            if os.path.exists(b):
                measure(b, work)
    finally:
        shutil.rmtree(work)


main()
