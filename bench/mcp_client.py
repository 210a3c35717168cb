#!/usr/bin/env python3
"""The MCP client side by side with the reference (issue 16's figures), with
the deterministic fixture server (tests/mcp/servers/mcp_fixture_server.py),
whose log timestamps every message it reads and every answer it writes, and
the scripted Responses mock, which timestamps every request:

  - start: from the server writing its tools/list answer to the session's
    first model request (median of RUNS one-turn `exec` runs);
  - per tool call: from the server writing a tools/call result to the next
    model request (our share of the call after the server is done), over
    CALLS echo calls in one session;
  - RSS per connected server: the codex process's own peak RSS (sampled
    from /proc, so the servers' memory is not counted) with 10 servers
    minus that with none, divided by 10;
  - `codex mcp list` with 20 stdio servers configured: wall time, median.

    mcp_client.py CODEX_BIN REFERENCE_BIN [RUNS]
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

HERE = pathlib.Path(__file__).resolve().parent
MOCK = HERE.parent / "tests" / "mock" / "responses_mock.py"
FIXTURE = HERE.parent / "tests" / "mcp" / "servers" / "mcp_fixture_server.py"
CALLS = 20


def start_mock(work, script):
    (work / "script.json").write_text(json.dumps(script))
    log = work / "mock.jsonl"
    if log.exists():
        log.unlink()
    p = subprocess.Popen([sys.executable, str(MOCK), str(work / "script.json"), str(log)],
                         stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, port, log


def write_config(home, port, servers):
    text = (f'model = "gpt-5.5"\nmodel_provider = "mock"\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
            f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n')
    for name, log in servers:
        text += (f'\n[mcp_servers.{name}]\ncommand = "{sys.executable}"\n'
                 f'args = ["{FIXTURE}", "--log", "{log}"]\n')
    (home / "config.toml").write_text(text)


def run(binary, work, args):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "CODEX_HOME": str(work / "home"), "MOCK_API_KEY": "k", "LANG": "C.UTF-8"}
    argv = [binary, *args]
    t0 = time.perf_counter()
    r = subprocess.run(argv, cwd=work / "repo", env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    return r, time.perf_counter() - t0


def sampled_rss(binary, work, args):
    """The highest VmRSS of the codex process itself (MB) while it runs."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "CODEX_HOME": str(work / "home"), "MOCK_API_KEY": "k", "LANG": "C.UTF-8"}
    p = subprocess.Popen([binary, *args], cwd=work / "repo", env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    top = 0
    while p.poll() is None:
        try:
            for line in pathlib.Path("/proc/%d/status" % p.pid).read_text().splitlines():
                if line.startswith("VmRSS:"):
                    top = max(top, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    return top / 1024


def lines(path):
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()]


def answer_times(log, method):
    """When the server wrote its answer to each request of method."""
    entries = lines(log)
    ids = {e["msg"].get("id") for e in entries
           if e.get("dir") == "in" and e.get("msg", {}).get("method") == method}
    return [e["ts"] for e in entries if e.get("dir") == "out" and e.get("id") in ids]


def exec_args():
    return ["exec", "--skip-git-repo-check", "--json", "-s", "read-only", "use the tools"]


def measure(binary, runs):
    res = {}
    work = pathlib.Path(tempfile.mkdtemp(prefix="mcp-bench-"))
    try:
        (work / "home").mkdir()
        (work / "repo").mkdir()
        subprocess.run(["git", "init", "-q"], cwd=work / "repo", check=True)
        done = [{"type": "message", "text": "done"}]

        # Start: tools/list answered -> first model request.
        gaps = []
        for i in range(runs):
            mock, port, mlog = start_mock(work, [done])
            slog = work / f"start{i}.jsonl"
            write_config(work / "home", port, [("fx", slog)])
            try:
                r, _ = run(binary, work, exec_args())
            finally:
                mock.kill()
                mock.wait()
            listed = answer_times(slog, "tools/list")
            reqs = lines(mlog)
            if r.returncode == 0 and listed and reqs:
                gaps.append(reqs[0]["t"] - listed[0])
        res["start_ms"] = statistics.median(gaps) * 1000 if gaps else None

        # Per call: a tools/call result -> the next model request.
        script = [[{"type": "function_call", "name": "echo", "namespace": "mcp__fx",
                    "call_id": f"c{k}", "arguments": json.dumps({"message": f"m{k}"})}]
                  for k in range(CALLS)] + [done]
        mock, port, mlog = start_mock(work, script)
        slog = work / "calls.jsonl"
        write_config(work / "home", port, [("fx", slog)])
        try:
            r, _ = run(binary, work, exec_args())
        finally:
            mock.kill()
            mock.wait()
        results = answer_times(slog, "tools/call")
        reqs = [q["t"] for q in lines(mlog)]
        after = []
        for t in results:
            later = [q for q in reqs if q >= t]
            if later:
                after.append(later[0] - t)
        res["calls_answered"] = len(results)
        res["after_result_ms"] = statistics.median(after) * 1000 if after else None

        # RSS per server: the codex process's own, sampled while the model
        # answer is held back (so every server is connected), with the
        # servers' memory left out.
        rss = {}
        slow = [{"delay_ms": 1500, "items": done}]
        for n in (0, 10):
            samples = []
            for _ in range(3):
                mock, port, _ = start_mock(work, slow)
                write_config(work / "home", port,
                             [(f"s{k}", work / f"rss{k}.jsonl") for k in range(n)])
                try:
                    samples.append(sampled_rss(binary, work, exec_args()))
                finally:
                    mock.kill()
                    mock.wait()
            rss[n] = statistics.median(samples)
        res["rss_0_mb"] = rss[0]
        res["rss_per_server_kb"] = (rss[10] - rss[0]) * 1024 / 10

        # mcp list with 20 servers.
        write_config(work / "home", 9, [(f"s{k}", work / f"list{k}.jsonl") for k in range(20)])
        walls = [run(binary, work, ["mcp", "list"])[1] for _ in range(runs)]
        res["mcp_list_20_ms"] = statistics.median(walls) * 1000
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return res


def main():
    ours = os.path.abspath(sys.argv[1])
    ref = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = {"codex-c": measure(ours, runs)}
    if ref:
        results["reference"] = measure(ref, runs)
    rows = ["start_ms", "calls_answered", "after_result_ms", "rss_0_mb", "rss_per_server_kb",
            "mcp_list_20_ms"]
    print("%-20s %12s %12s" % ("", "codex-c", "reference"))
    for r in rows:
        vals = []
        for name in ("codex-c", "reference"):
            v = results.get(name, {}).get(r)
            vals.append("-" if v is None else ("%.1f" % v if isinstance(v, float) else str(v)))
        print("%-20s %12s %12s" % (r, *vals))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
