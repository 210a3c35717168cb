#!/usr/bin/env python3
"""The interactive TUI side by side with the reference, in a pseudo-terminal
(120x40) whose output bytes are timestamped as they arrive:

  - launch to composer drawn: spawn to the first output that shows the
    composer's placeholder ("Ask Codex to do anything"); median of RUNS;
  - idle: CPU time and context switches over 5 s with nothing happening,
    and RSS;
  - streaming a 1 MB answer (100,000 lines in a code block, 64-character
    deltas): CPU time of the whole process from Enter to "Worked for";
  - keystroke cost with that 100,000-line transcript on screen: CPU per key
    over 500 keys typed one at a time;
  - RSS with that transcript.

CPU time is the sum of every thread's run time (/proc/PID/task/*/schedstat,
nanoseconds).  The reference runs with --no-daemon (its in-process server,
like ours).  The harness answers the terminal queries (cursor position,
device attributes, colours) as a terminal would.

    tui.py CODEX_BIN [REFERENCE_BIN] [RUNS]
"""
import contextlib
import fcntl
import json
import os
import pathlib
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
MOCK = HERE.parent / "tests" / "mock" / "responses_mock.py"
COLS, ROWS = 120, 40
STRIP = re.compile(rb"\x1b\[[0-9;?<>=:]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|"
                   rb"\x1b[=>78MDEc]|[\x00-\x08\x0b-\x1f]")


class Term:
    def __init__(self, argv, env, cwd):
        self.out = bytearray()
        self.plain = bytearray()
        self.lock = threading.Lock()
        self.marks = []  # (time, plain length)
        self.raw_marks = []  # (time, raw length)
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        self.t0 = time.perf_counter()
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.alive = True
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def answer(self, chunk):
        """Reply to the queries a terminal answers."""
        replies = b""
        if b"\x1b[6n" in chunk:
            replies += b"\x1b[1;1R"
        if b"\x1b[c" in chunk or b"\x1b[0c" in chunk:
            replies += b"\x1b[?62;22c"
        if b"\x1b[?u" in chunk:
            replies += b"\x1b[?0u"
        if b"\x1b]10;?" in chunk:
            replies += b"\x1b]10;rgb:cccc/cccc/cccc\x1b\\"
        if b"\x1b]11;?" in chunk:
            replies += b"\x1b]11;rgb:0000/0000/0000\x1b\\"
        if replies:
            os.write(self.fd, replies)

    def read(self):
        while self.alive:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.2)
                if not r:
                    continue
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            now = time.perf_counter()
            self.answer(chunk)
            with self.lock:
                self.out += chunk
                self.plain += STRIP.sub(b"", chunk)
                self.marks.append((now, len(self.plain)))
                self.raw_marks.append((now, len(self.out)))
        self.alive = False

    def wait_text(self, text, timeout=60, start=0):
        """Seconds from spawn to the first time text appears after plain
        offset `start`; None on timeout."""
        needle = text.encode()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                at = self.plain.find(needle, start)
                if at >= 0:
                    end = at + len(needle)
                    for t, n in self.marks:
                        if n >= end:
                            return t - self.t0
            time.sleep(0.001)
        return None

    def plain_len(self):
        with self.lock:
            return len(self.plain)

    def write(self, data):
        os.write(self.fd, data)

    def cpu_ns(self):
        total = 0
        for task in pathlib.Path("/proc/%d/task" % self.pid).iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError):
                pass
        return total

    def switches(self):
        n = 0
        for task in pathlib.Path("/proc/%d/task" % self.pid).iterdir():
            try:
                for line in (task / "status").read_text().splitlines():
                    if "ctxt_switches" in line:
                        n += int(line.split()[1])
            except OSError:
                pass
        return n

    def rss_kb(self, field="VmRSS"):
        for line in pathlib.Path("/proc/%d/status" % self.pid).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.time() + 10
        while time.time() < deadline:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self.alive = False
        self.thread.join(timeout=2)
        os.close(self.fd)


def scenarios():
    lines = ["line %06d of the answer" % i for i in range(100000)]
    text = "Here it is:\n\n```text\n" + "\n".join(lines) + "\n```\n\nDone."
    return {"LINES100K": [{"delta_size": 64, "items": [
        {"type": "message", "phase": "final_answer", "text": text}]}]}


def setup(work, port, ref):
    home = work / ("refhome" if ref else "home")
    home.mkdir()
    repo = work / "repo"
    text = (f'model = "gpt-5.5"\nmodel_provider = "mock"\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
            f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            f'[projects."{repo}"]\ntrust_level = "trusted"\n')
    if ref:
        # The first-run notices, as seen (TUI_FINDINGS §2).
        text += ('[tui]\nscreen_reader_detection_done = true\n'
                 '[tui.model_availability_nux]\n"gpt-6.1-sol" = 1\n'
                 '[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n')
    (home / "config.toml").write_text(text)
    return home


def env_for(work, home):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
            "CODEX_HOME": str(home), "MOCK_API_KEY": "dummy", "TERM": "xterm-256color",
            "COLORTERM": "truecolor", "LANG": "C.UTF-8", "TMPDIR": str(work / "tmp")}


def measure(binary, work, port, ref, runs):
    home = setup(work, port, ref)
    env = env_for(work, home)
    argv = [binary, "--no-daemon"] if ref else [binary]
    res = {}
    launches = []
    for _ in range(runs):
        t = Term(argv, env, work / "repo")
        launches.append(t.wait_text("Ask Codex to do anything", 30))
        t.close()
    ok = [x for x in launches if x is not None]
    res["launch_ms"] = statistics.median(ok) * 1000 if ok else None
    t = Term(argv, env, work / "repo")
    try:
        t.wait_text("Ask Codex to do anything", 30)
        time.sleep(2)  # let start-up work (model list, thread start) settle
        c0, s0 = t.cpu_ns(), t.switches()
        time.sleep(5)
        res["idle_cpu_ms_per_5s"] = (t.cpu_ns() - c0) / 1e6
        res["idle_switches_per_5s"] = t.switches() - s0
        res["idle_rss_mb"] = t.rss_kb() / 1024
        mark = t.plain_len()
        t.write(b"LINES100K: go")
        time.sleep(0.5)
        c0 = t.cpu_ns()
        start = time.perf_counter()
        t.write(b"\r")
        done = t.wait_text("Worked for", 300, start=mark)
        res["stream_1mb_cpu_ms"] = (t.cpu_ns() - c0) / 1e6 if done else None
        res["stream_1mb_wall_ms"] = (time.perf_counter() - start) * 1000 if done else None
        time.sleep(3)
        res["rss_100k_lines_mb"] = t.rss_kb() / 1024
        c0 = t.cpu_ns()
        keys = 500
        for i in range(keys):
            t.write(b"x")
            time.sleep(0.004)
        time.sleep(1)
        res["keystroke_cpu_ms"] = (t.cpu_ns() - c0) / 1e6 / keys
        res["peak_rss_mb"] = t.rss_kb("VmHWM") / 1024
    finally:
        t.close()
    return res


@contextlib.contextmanager
def scripted_workspace(prefix, scenario_map):
    """A scratch directory (userhome, tmp and a git repo) and the scripted
    mock answering scenario_map; yields (work, port), removes both after."""
    work = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    try:
        for d in ("userhome", "tmp", "repo"):
            (work / d).mkdir()
        subprocess.run(["git", "init", "-q"], cwd=work / "repo", check=True)
        (work / "repo" / "README.md").write_text("hi\n")
        sc = work / "scenarios.json"
        sc.write_text(json.dumps(scenario_map))
        (work / "script.json").write_text("[]")
        mock = subprocess.Popen([sys.executable, str(MOCK), str(work / "script.json"),
                                 str(work / "log.jsonl"), "--scenarios", str(sc)],
                                stdout=subprocess.PIPE, text=True)
        try:
            yield work, int(mock.stdout.readline().split()[1])
        finally:
            mock.kill()
            mock.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    binary = os.path.abspath(sys.argv[1])
    ref = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    results = {}
    for name, bin_, is_ref in [("codex-c", binary, False), ("reference", ref, True)]:
        if not bin_:
            continue
        with scripted_workspace("tui-bench-", scenarios()) as (work, port):
            results[name] = measure(bin_, work, port, is_ref, runs)
    rows = ["launch_ms", "idle_cpu_ms_per_5s", "idle_switches_per_5s", "idle_rss_mb",
            "stream_1mb_cpu_ms", "stream_1mb_wall_ms", "rss_100k_lines_mb", "keystroke_cpu_ms",
            "peak_rss_mb"]
    print("%-24s %14s %14s" % ("", "codex-c", "reference"))
    for r in rows:
        vals = []
        for name in ("codex-c", "reference"):
            v = results.get(name, {}).get(r)
            vals.append("-" if v is None else ("%.2f" % v if isinstance(v, float) else str(v)))
        print("%-24s %14s %14s" % (r, vals[0], vals[1]))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
