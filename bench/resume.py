#!/usr/bin/env python3
"""Resuming a long session, ours vs the reference, side by side:

    bench/resume.py [MEGABYTES=97] [RUNS=3] [--compacted]

A one-turn session with a command is recorded by `codex exec` against the
scripted mock, then grown by gen_rollout.py to MEGABYTES (20 KB command
outputs).  With --compacted a `compacted` line is put in the middle of the
file, as a long session that compacted once has.  Then, per binary, RUNS
times each on a fresh copy of the file (resuming appends to it):

  exec resume   `codex exec resume <id> next`, one turn answered by a
                static endpoint that reads the whole request and replies
                at once (the mock's own speed does not count)
  thread/resume app-server: initialize, thread/resume; the time from the
                request to its answer and the server's maximum RSS
  excludeTurns  the same with excludeTurns: true
  thread/read   thread/read with includeTurns on a fresh server

Wall is the median, RSS /usr/bin/time -v's maximum resident set size
(median), CPU the whole process's user + system time (median; on a
machine shared with other work it is the steadier figure).  The reference is the pinned 0.169.0 (REF_CODEX overrides)."""
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OURS = os.environ.get("OURS_CODEX", str(ROOT / "build" / "codex"))
REF = os.environ.get("REF_CODEX", "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/"
                     "vendor/x86_64-unknown-linux-musl/bin/codex")
MOCK = ROOT / "tests" / "mock" / "responses_mock.py"
CPU = []  # user + system seconds of each timed process, in order

SSE = "".join(
    "event: %s\ndata: %s\n\n" % (e["type"], json.dumps(e)) for e in [
        {"type": "response.created", "response": {"id": "resp_b"}},
        {"type": "response.output_item.done", "output_index": 0,
         "item": {"type": "message", "role": "assistant", "id": "msg_b",
                  "content": [{"type": "output_text", "text": "ok"}]}},
        {"type": "response.completed",
         "response": {"id": "resp_b", "usage": {
             "input_tokens": 100, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 102}}},
    ]).encode()


def static_server():
    """An endpoint that reads a whole request (any size) and answers SSE."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)

    def serve(conn):
        with conn:
            data = bytearray()
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    return
                data += chunk
            head, _, rest = bytes(data).partition(b"\r\n\r\n")
            length = 0
            chunked = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
                if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            body = bytearray(rest)
            if chunked:
                while not body.endswith(b"0\r\n\r\n"):
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        return
                    body += chunk
            else:
                while len(body) < length:
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        return
                    body += chunk
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(SSE) + SSE)

    def loop():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


def write_config(home, port):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f"""model = "gpt-5.5"
model_provider = "mock"
[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:{port}/v1"
wire_api = "responses"
env_key = "MOCK_API_KEY"
""")


def env_for(work, home):
    return {"PATH": "/usr/bin:/bin", "HOME": str(work / "home"), "CODEX_HOME": str(home),
            "TMPDIR": str(work / "tmp"), "MOCK_API_KEY": "k"}


def record_source(work):
    """One real turn with a command, recorded by our exec."""
    script = work / "script.json"
    script.write_text(json.dumps([
        [{"type": "function_call", "name": "exec_command", "call_id": "call_1",
          "arguments": {"cmd": "ls -la", "yield_time_ms": 2000}}],
        [{"type": "message", "text": "The listing is above."}],
    ]))
    mock = subprocess.Popen([sys.executable, str(MOCK), str(script), str(work / "mock.log")],
                            stdout=subprocess.PIPE, text=True)
    port = int(mock.stdout.readline().split()[1])
    home = work / "src_home"
    write_config(home, port)
    subprocess.run([OURS, "exec", "--skip-git-repo-check", "-s", "read-only", "list the files"],
                   env=env_for(work, home), cwd=work / "repo", stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    mock.kill()
    mock.wait()
    return next((home / "sessions").rglob("rollout-*.jsonl"))


def add_compaction(path):
    """A compacted line halfway, with a short replacement history."""
    lines = path.read_bytes().split(b"\n")
    mid = len(lines) // 2
    while not lines[mid].startswith(b'{"timestamp"') and mid < len(lines) - 1:
        mid += 1
    ts = json.loads(lines[mid])["timestamp"]
    compacted = {"timestamp": ts, "type": "compacted", "payload": {
        "message": "", "replacement_history": [
            {"type": "message", "role": "user",
             "content": [{"type": "input_text", "text": "run the build"}]},
            {"type": "message", "role": "user",
             "content": [{"type": "input_text", "text": "summary of the session so far"}]}]}}
    lines.insert(mid, json.dumps(compacted, separators=(",", ":")).encode())
    path.write_bytes(b"\n".join(lines))


def timed(argv, env, cwd, stdin=None, feed=None):
    """Run argv under /usr/bin/time -v; (wall seconds, max RSS MB, stdout)."""
    tfile = cwd / "time.txt"
    t0 = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(tfile)] + argv, env=env, cwd=cwd,
                         stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = feed(p) if feed else p.communicate()[0]
    p.wait()
    wall = time.monotonic() - t0
    text = tfile.read_text()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", text).group(1))
              for k in ("User", "System"))
    CPU.append(cpu)
    return wall, rss, out


def app_server_call(method, params):
    """A feed for timed(): initialize, then one request; returns the seconds
    from that request to its answer (and the answer's size)."""
    def feed(p):
        def send(obj):
            p.stdin.write((json.dumps(obj) + "\n").encode())
            p.stdin.flush()

        def answer(want_id):
            while True:
                line = p.stdout.readline()
                if not line:
                    raise RuntimeError("app-server ended early")
                msg = json.loads(line)
                if msg.get("id") == want_id and "method" not in msg:
                    return msg, len(line)

        send({"id": 1, "method": "initialize",
              "params": {"clientInfo": {"name": "bench", "version": "1"},
                         "capabilities": {"experimentalApi": True}}})
        answer(1)
        send({"method": "initialized"})
        t0 = time.monotonic()
        send({"id": 2, "method": method, "params": params})
        msg, size = answer(2)
        took = time.monotonic() - t0
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        p.stdin.close()
        p.stdout.read()
        return took, size
    return feed


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    compacted = "--compacted" in sys.argv
    megabytes = float(args[0]) if args else 97
    runs = int(args[1]) if len(args) > 1 else 3
    work = pathlib.Path(tempfile.mkdtemp(prefix="codex-bench-resume.", dir="/var/tmp"))
    try:
        for d in ("home", "tmp", "repo"):
            (work / d).mkdir()
        src = record_source(work)
        port = static_server()
        big_home = work / "big_home"
        out = subprocess.run([sys.executable, str(ROOT / "bench" / "gen_rollout.py"), str(src),
                              str(big_home), str(megabytes)], capture_output=True, text=True,
                             check=True).stdout.strip()
        big = pathlib.Path(out)
        if compacted:
            add_compaction(big)
        thread_id = re.search(r"([0-9a-f-]{36})\.jsonl$", big.name).group(1)
        size = big.stat().st_size / 1e6
        n_lines = sum(1 for _ in open(big, "rb"))
        print(f"rollout: {size:.1f} MB, {n_lines} lines{' (compacted halfway)' if compacted else ''}")
        rel = big.relative_to(big_home)
        results = {}
        for label, binary in (("codex-c", OURS), ("reference", REF)):
            if not os.path.exists(binary):
                print(f"{label}: {binary} missing; skipped")
                continue
            cases = {
                "exec resume": lambda h: timed(
                    [binary, "exec", "--skip-git-repo-check", "-s", "read-only", "resume",
                     thread_id, "next"], env_for(work, h), work / "repo"),
                "thread/resume": lambda h: timed(
                    [binary, "app-server"], env_for(work, h), work / "repo",
                    feed=app_server_call("thread/resume", {"threadId": thread_id})),
                "thread/resume excludeTurns": lambda h: timed(
                    [binary, "app-server"], env_for(work, h), work / "repo",
                    feed=app_server_call("thread/resume",
                                         {"threadId": thread_id, "excludeTurns": True})),
                "thread/read includeTurns": lambda h: timed(
                    [binary, "app-server"], env_for(work, h), work / "repo",
                    feed=app_server_call("thread/read",
                                         {"threadId": thread_id, "includeTurns": True})),
            }
            for case, run in cases.items():
                walls, rsss, inner = [], [], []
                CPU.clear()
                for _ in range(runs):
                    home = work / "run_home"
                    shutil.rmtree(home, ignore_errors=True)
                    write_config(home, port)
                    (home / rel).parent.mkdir(parents=True)
                    shutil.copy(big, home / rel)
                    wall, rss, extra = run(home)
                    walls.append(wall)
                    rsss.append(rss)
                    if isinstance(extra, tuple):
                        inner.append(extra[0])
                shown = statistics.median(inner) if inner else statistics.median(walls)
                results[(label, case)] = (shown, statistics.median(rsss))
                what = "request to answer" if inner else "process wall"
                print(f"{label:10} {case:28} {shown:8.3f} s ({what})  "
                      f"{statistics.median(rsss):7.1f} MB  process CPU {statistics.median(CPU):6.2f} s  "
                      f"runs={[round(w, 3) for w in (inner or walls)]}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
