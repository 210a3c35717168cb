#!/usr/bin/env python3
"""File search over a 100,000-file tree (1,000 directories of 100 files,
plus a .gitignore'd build directory of 20,000 more and a .git), side by
side with the reference:

1. the library (release build): the walk, then each keystroke of a few
   queries typed one character at a time on one searcher;
2. the app server, one process each: `fuzzyFileSearch` (walk + match per
   request), and a `fuzzyFileSearch/session*` session: sessionStart until
   the first sessionCompleted (the walk), then each keystroke's
   sessionUpdate until its sessionCompleted.

Medians (and maxima) of the keystrokes; N one-shot requests.

    bench/file_search.py [N]         (default N=5)
    REF_CODEX=/path/to/codex bench/file_search.py
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
ROOT = HERE.parent
OURS = os.environ.get("OURS_CODEX", str(ROOT / "build" / "codex"))
REF = os.environ.get("REF_CODEX", "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/"
                     "vendor/x86_64-unknown-linux-musl/bin/codex")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
QUERIES = ["srcmodule42", "handler", "zzzq"]
WORDS = ["handler", "parser", "render", "client", "server", "config", "util", "model", "cache",
         "store"]


def make_tree(root):
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / ".gitignore").write_text("build/\n")
    for d in range(1000):
        sub = root / "src" / f"module{d:03d}" / WORDS[d % len(WORDS)]
        sub.mkdir(parents=True)
        for f in range(100):
            (sub / f"{WORDS[(d + f) % len(WORDS)]}_{f:02d}.c").write_text("")
    for d in range(200):
        sub = root / "build" / f"obj{d}"
        sub.mkdir(parents=True)
        for f in range(100):
            (sub / f"o{f}.o").write_text("")


def library(tree):
    exe = tempfile.mktemp(prefix="file_search_keys-")
    subprocess.run(["cc", "-std=c17", "-D_GNU_SOURCE", "-O2", f"-I{ROOT}/src",
                    str(HERE / "file_search_keys.c"), str(ROOT / "build" / "libcodex.a"),
                    "-o", exe], check=True)
    walks, keys = [], []
    for _ in range(N):
        out = subprocess.run([exe, str(tree), *QUERIES], capture_output=True, text=True,
                             check=True).stdout.splitlines()
        walks.append(float(out[0].split()[2]))
        entries = int(out[0].split()[1])
        keys += [float(l.split()[-1]) for l in out[1:]]
    os.unlink(exe)
    print(f"library: {entries} entries; walk median {statistics.median(walks):.1f} ms; "
          f"per keystroke median {statistics.median(keys):.2f} ms, max {max(keys):.2f} ms "
          f"({len(keys)} keystrokes)")


class Server:
    def __init__(self, binary, home):
        self.p = subprocess.Popen([binary, "app-server"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env=dict(os.environ, CODEX_HOME=str(home)))
        self.next = 0
        self.call("initialize", {"clientInfo": {"name": "bench", "version": "1"},
                                 "capabilities": {"experimentalApi": True}})
        self.p.stdin.write(json.dumps({"method": "initialized"}) + "\n")

    def send(self, method, params):
        self.next += 1
        self.p.stdin.write(json.dumps({"id": self.next, "method": method, "params": params}) + "\n")
        self.p.stdin.flush()
        return self.next

    def read(self):
        return json.loads(self.p.stdout.readline())

    def call(self, method, params):
        i = self.send(method, params)
        while True:
            m = self.read()
            if m.get("id") == i:
                return m

    def wait_completed(self, sid):
        while True:
            m = self.read()
            if m.get("method") == "fuzzyFileSearch/sessionCompleted" and \
                    m["params"]["sessionId"] == sid:
                return

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def app_server(name, binary, tree, work):
    home = work / f"home-{name}"
    home.mkdir()
    s = Server(binary, home)
    oneshot = []
    for _ in range(N):
        t = time.perf_counter()
        r = s.call("fuzzyFileSearch", {"query": "handler", "roots": [str(tree)]})
        oneshot.append((time.perf_counter() - t) * 1e3)
        assert r["result"]["files"], r
    t = time.perf_counter()
    s.send("fuzzyFileSearch/sessionStart", {"sessionId": "b", "roots": [str(tree)]})
    s.wait_completed("b")
    walk = (time.perf_counter() - t) * 1e3
    keys = []
    for q in QUERIES:
        for k in range(1, len(q) + 1):
            t = time.perf_counter()
            s.send("fuzzyFileSearch/sessionUpdate", {"sessionId": "b", "query": q[:k]})
            s.wait_completed("b")
            keys.append((time.perf_counter() - t) * 1e3)
    s.call("fuzzyFileSearch/sessionStop", {"sessionId": "b"})
    s.close()
    print(f"{name:9} fuzzyFileSearch median {statistics.median(oneshot):7.1f} ms | session walk "
          f"{walk:7.1f} ms | per keystroke median {statistics.median(keys):6.1f} ms, "
          f"max {max(keys):6.1f} ms")


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="codex-bench-fs-", dir="/var/tmp"))
    try:
        tree = work / "tree"
        make_tree(tree)
        library(tree)
        app_server("codex-c", OURS, tree, work)
        if os.path.exists(REF):
            app_server("reference", REF, tree, work)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
