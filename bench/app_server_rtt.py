#!/usr/bin/python3
"""Round-trip latency of one trivial app-server request over stdio.

Usage: app_server_rtt.py BINARY [N]
Starts `BINARY app-server`, initializes, then sends N fs/getMetadata
requests one at a time (each waits for its answer) and prints the median,
p90 and p99 round trip in microseconds."""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    proc = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=os.environ.copy())
    out = proc.stdout

    def call(msg):
        proc.stdin.write((json.dumps(msg) + "\n").encode())
        proc.stdin.flush()
        while True:
            line = out.readline()
            if not line:
                raise SystemExit("app-server exited")
            reply = json.loads(line)
            if reply.get("id") == msg["id"]:
                return reply

    call({"id": 0, "method": "initialize",
          "params": {"clientInfo": {"name": "bench", "version": "1"}}})
    proc.stdin.write(b'{"method":"initialized"}\n')
    proc.stdin.flush()
    samples = []
    for i in range(1, n + 1):
        line = (json.dumps({"id": i, "method": "fs/getMetadata", "params": {"path": "/"}}) + "\n").encode()
        t0 = time.perf_counter_ns()
        proc.stdin.write(line)
        proc.stdin.flush()
        while True:
            reply = out.readline()
            if json.loads(reply).get("id") == i:
                break
        samples.append((time.perf_counter_ns() - t0) / 1000)
    proc.stdin.close()
    proc.wait()
    samples.sort()
    print(f"median_us={statistics.median(samples):.1f} p90_us={samples[int(n * 0.9)]:.1f} "
          f"p99_us={samples[int(n * 0.99)]:.1f} n={n}")


if __name__ == "__main__":
    main()
