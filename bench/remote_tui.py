#!/usr/bin/env python3
"""The reference TUI (0.169.0) as a remote client, attached with
`codex --remote ws://...` first to our app-server, then to the reference's
own, against the same scripted model:

  - attach to composer drawn: spawn of the TUI to the first output showing
    the composer's placeholder (median of RUNS);
  - turn: Enter on a prompt to the scripted answer drawn (median of RUNS
    turns in one session);
  - the server's CPU time over the whole session and its peak RSS.

Only the server differs between the two columns, so the TUI's own costs
cancel out and what remains is what the server adds.

    remote_tui.py CODEX_BIN REFERENCE_BIN [RUNS]
"""
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from tui import Term, scripted_workspace  # noqa: E402

PLACEHOLDER = "Ask Codex to do anything"


def write_server_home(home, port, repo):
    home.mkdir()
    (home / "config.toml").write_text(
        f'model = "gpt-5.5"\nmodel_provider = "mock"\n'
        f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
        f'[projects."{repo}"]\ntrust_level = "trusted"\n')


def write_client_home(home, repo):
    # Remote mode takes everything from the server; the first-run notices
    # the reference would show are marked as seen.
    home.mkdir()
    (home / "config.toml").write_text(
        f'[projects."{repo}"]\ntrust_level = "trusted"\n'
        '[tui]\nscreen_reader_detection_done = true\n'
        '[tui.model_availability_nux]\n"gpt-6.1-sol" = 1\n'
        '[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n')


def start_server(binary, work, port):
    home = work / "server_home"
    write_server_home(home, port, work / "repo")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
           "CODEX_HOME": str(home), "MOCK_API_KEY": "dummy"}
    proc = subprocess.Popen([binary, "app-server", "--listen", "ws://127.0.0.1:0"],
                            cwd=work / "repo", env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    banner = ""
    while True:
        line = proc.stderr.readline()
        if not line:
            raise SystemExit("server exited before listening:\n" + banner)
        banner += line
        m = re.search(r"listening on: (\S+)", line)
        if m:
            return proc, m.group(1)


def proc_cpu_ms(pid):
    total = 0
    for task in pathlib.Path("/proc/%d/task" % pid).iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            pass
    return total / 1e6


def proc_hwm_mb(pid):
    for line in pathlib.Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measure(server_bin, tui_bin, work, port, runs):
    proc, address = start_server(server_bin, work, port)
    client_home = work / "client_home"
    write_client_home(client_home, work / "repo")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
           "CODEX_HOME": str(client_home), "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "LANG": "C.UTF-8", "TMPDIR": str(work / "tmp"), "RUST_LOG": "error"}
    argv = [tui_bin, "--remote", address, "--no-alt-screen"]
    res = {}
    try:
        cpu0 = proc_cpu_ms(proc.pid)
        attaches = []
        for _ in range(runs):
            t = Term(argv, env, work / "repo")
            attaches.append(t.wait_text(PLACEHOLDER, 60))
            t.close()
        ok = [a for a in attaches if a is not None]
        res["attach_ms"] = statistics.median(ok) * 1000 if ok else None
        t = Term(argv, env, work / "repo")
        turns = []
        try:
            t.wait_text(PLACEHOLDER, 60)
            time.sleep(1)
            for i in range(runs):
                mark = t.plain_len()
                t.write(b"PING: turn %d" % i)
                time.sleep(0.3)
                start = time.perf_counter()
                t.write(b"\r")
                shown = t.wait_text("PONG-REPLY", 60, start=mark)
                if shown is not None:
                    turns.append(t.t0 + shown - start)
                t.wait_text("Worked for", 30, start=mark)
                time.sleep(0.5)
        finally:
            t.close()
        res["turn_ms"] = statistics.median(turns) * 1000 if turns else None
        res["server_cpu_ms"] = proc_cpu_ms(proc.pid) - cpu0
        res["server_peak_rss_mb"] = proc_hwm_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return res


def main():
    ours = os.path.abspath(sys.argv[1])
    ref = os.path.abspath(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = {}
    for name, server_bin in (("codex-c server", ours), ("reference server", ref)):
        ping = {"PING": [{"items": [
            {"type": "message", "phase": "final_answer", "text": "PONG-REPLY"}]}]}
        with scripted_workspace("remote-tui-bench-", ping) as (work, port):
            results[name] = measure(server_bin, ref, work, port, runs)
    rows = ["attach_ms", "turn_ms", "server_cpu_ms", "server_peak_rss_mb"]
    names = list(results)
    print("%-20s %18s %18s" % ("", *names))
    for r in rows:
        vals = []
        for name in names:
            v = results[name].get(r)
            vals.append("-" if v is None else "%.1f" % v)
        print("%-20s %18s %18s" % (r, *vals))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
