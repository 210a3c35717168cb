#!/usr/bin/python3
"""Run the same sandbox scenarios through our `codex sandbox` and the
reference's, and print the markdown table kept in docs/sandbox.md.

    tests/sandbox/reference_table.py [OUR_CODEX] [REFERENCE_CODEX]

Not a test (pytest does not collect it): the reference is not available in CI."""
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

OURS = sys.argv[1] if len(sys.argv) > 1 else str(pathlib.Path(__file__).resolve().parents[2] / "build" / "codex")
REF = sys.argv[2] if len(sys.argv) > 2 else ("/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
                                             "x86_64-unknown-linux-musl/bin/codex")
PY = "/usr/bin/python3"

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
PORT = listener.getsockname()[1]
threading.Thread(target=lambda: [listener.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()

IO_URING = ("import ctypes;l=ctypes.CDLL(None,use_errno=True);p=(ctypes.c_char*120)();"
            "r=l.syscall(425,4,p);print('fd' if r>=0 else 'errno %d'%ctypes.get_errno());exit(r<0)")
PTRACE = ("import ctypes,os;l=ctypes.CDLL(None,use_errno=True);r=l.ptrace(16,os.getppid(),None,None);"
          "exit(r!=0)")
TCP = f"import socket;socket.create_connection(('127.0.0.1',{PORT}),timeout=3)"
PAIR = "import socket;a,b=socket.socketpair();a.sendall(b'x');assert b.recv(1)==b'x'"

# (label, mode, repo?, shell command)
SCENARIOS = [
    ("write a file in cwd", "read-only", False, "echo x > f"),
    ("write a file in cwd", "workspace-write", False, "echo x > f"),
    ("write /tmp/<file>", "workspace-write", False, "echo x > /tmp/codex-cmp-$$ && rm /tmp/codex-cmp-$$"),
    ("write outside the roots", "workspace-write", False, "echo x > ../outside/f"),
    ("write outside via a symlink made inside", "workspace-write", False,
     "ln -s ../outside l && echo x > l/f"),
    ("write outside via /proc/self/root", "workspace-write", False, "echo x > /proc/self/root$PWD/../outside/f"),
    ("write .git/config (repo)", "workspace-write", True, "echo x >> .git/config"),
    ("rename .git (repo)", "workspace-write", True, "mv .git .git2"),
    ("mkdir .codex (absent)", "workspace-write", False, "mkdir .codex"),
    ("mkdir .agents (absent)", "workspace-write", False, "mkdir .agents"),
    ("git init (non-repo)", "workspace-write", False, "git init -q"),
    ("git status + git diff (repo)", "workspace-write", True, "git status --short && git diff --stat"),
    ("git commit (repo)", "workspace-write", True, "git commit -qam change"),
    ("cc hello.c && ./hello", "workspace-write", False,
     "printf 'int main(void){return 0;}' > h.c && cc -o h h.c && ./h"),
    ("python3 writes a file", "workspace-write", False, f"{PY} -c \"open('p.txt','w').write('x')\""),
    ("TCP connect to loopback", "workspace-write", False, f"{PY} -c \"{TCP}\""),
    ("socketpair send/recv", "workspace-write", False, f"{PY} -c \"{PAIR}\""),
    ("io_uring_setup", "workspace-write", False, f"{PY} -c \"{IO_URING}\""),
    ("ptrace(ATTACH) the parent", "workspace-write", False, f"{PY} -c \"{PTRACE}\""),
    ("kill -9 $PPID, then exit 3", "workspace-write", False, "kill -9 $PPID; exit 3"),
    ("write a sysctl back (as root)", "workspace-write", False,
     "v=$(cat /proc/sys/kernel/printk_ratelimit) && echo $v > /proc/sys/kernel/printk_ratelimit"),
    ("inherited dir fd → /proc/self/fd/N/f", "workspace-write", False, "echo x > /proc/self/fd/{FD}/f"),
    ("exit 7", "workspace-write", False, "exit 7"),
    ("kill -9 $$", "workspace-write", False, "kill -9 $$"),
    ("NoNewPrivs / Seccomp / CapEff", "workspace-write", False,
     "grep -E '^(NoNewPrivs|Seccomp|CapEff):' /proc/self/status | tr -s '\\t\\n' ' '"),
    ("missing program", "workspace-write", False, None),
]


def describe(r, stdout_matters):
    err = (r.stderr or "").strip().splitlines()
    tail = err[-1] if err else ""
    for known in ["Read-only file system", "Permission denied", "Operation not permitted", "File exists",
                  "No such file", "not found"]:
        if known in tail or known in r.stderr:
            tail = known
            break
    else:
        tail = tail[:40]
    if stdout_matters:
        return f"{r.returncode}: {r.stdout.strip()}"
    if r.returncode == 0:
        return "ok"
    return f"exit {r.returncode} ({tail})" if tail else f"exit {r.returncode}"


def run(binary, label, mode, repo, cmd):
    base = pathlib.Path(tempfile.mkdtemp(prefix="codex-cmp-", dir="/var/tmp"))
    ws, home = base / "ws", base / "home"
    ws.mkdir()
    home.mkdir()
    (base / "outside").mkdir()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(home), "CODEX_HOME": str(home),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "LC_ALL": "C"}
    if repo:
        subprocess.run("git init -q && echo a > t && git add t && git commit -qm i && echo b >> t",
                       shell=True, cwd=ws, env=env, check=True)
    before = sorted(p.name for p in ws.iterdir())
    argv = [binary, "sandbox", "-c", f"sandbox_mode={mode}", "--"]
    argv += ["no-such-program-xyz"] if cmd is None else ["/bin/sh", "-c", cmd]
    # An open directory outside the roots, inherited (see the fd scenario).
    outside_fd = os.open(base / "outside", os.O_RDONLY | os.O_DIRECTORY)
    argv = [a.replace("{FD}", str(outside_fd)) for a in argv]
    try:
        r = subprocess.run(argv, cwd=ws, env=env, capture_output=True, text=True, timeout=60,
                           pass_fds=(outside_fd,))
    finally:
        os.close(outside_fd)
    result = describe(r, label.startswith("NoNewPrivs"))
    if label.startswith("write outside") or "{FD}" in (cmd or ""):
        result += "; file created" if (base / "outside" / "f").exists() else "; nothing written"
    after = sorted(p.name for p in ws.iterdir())
    new = [n for n in after if n not in before and n not in ("f", "h", "h.c", "p.txt", "l", ".git2")]
    if new and cmd is not None and "init" not in cmd and "mkdir" not in cmd:
        result += f"; left behind: {' '.join(new)}"
    shutil.rmtree(base, ignore_errors=True)
    return result


def main():
    have_ref = os.path.exists(REF)
    print("| scenario | mode | codex-c | reference 0.169 |")
    print("|---|---|---|---|")
    for label, mode, repo, cmd in SCENARIOS:
        ours = run(OURS, label, mode, repo, cmd)
        ref = run(REF, label, mode, repo, cmd) if have_ref else "(reference not installed)"
        print(f"| {label} | {mode} | {ours} | {ref} |")


if __name__ == "__main__":
    main()
