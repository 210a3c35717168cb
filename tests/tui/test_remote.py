"""`codex --remote`: the TUI as a client of our own `codex app-server`,
over ws:// (with and without a bearer token) and over unix:// (WebSocket
frames on a Unix socket, as the reference's control socket speaks them),
and what happens when the server goes away."""
import os
import re
import socket
import struct
import subprocess
import threading
import time

import pytest

from tuihelp import CODEX_BIN, sanitizer_clean, write_config


class Server:
    """Our app-server with the mock provider in its own CODEX_HOME, on
    ws://127.0.0.1:0 unless extra_args has its own --listen; address is
    what its banner says it listens on."""

    def __init__(self, work, mock, extra_args=()):
        self.home = work / "server_home"
        self.home.mkdir(exist_ok=True)
        write_config(self.home, mock.port, trusted_repo=str(work / "repo"))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
               "CODEX_HOME": str(self.home), "MOCK_API_KEY": "dummy",
               "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
        listen = [] if "--listen" in extra_args else ["--listen", "ws://127.0.0.1:0"]
        self.proc = subprocess.Popen([str(CODEX_BIN), "app-server", *listen, *extra_args],
                                    cwd=work / "repo", env=env, stdin=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
        banner = ""
        deadline = time.time() + 20
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            banner += line
            m = re.search(r"listening on: (\S+)", banner)
            if m:
                self.address = m.group(1)
                port = re.fullmatch(r"ws://127\.0\.0\.1:(\d+)", self.address)
                self.port = int(port.group(1)) if port else None
                break
        else:
            raise AssertionError("no banner: " + banner)
        self.err = []
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=20)
        self.reader.join(timeout=5)
        return "".join(self.err)


@pytest.fixture
def server(work, mock):
    started = []

    def start(*extra):
        s = Server(work, mock, extra)
        started.append(s)
        return s

    yield start
    for s in started:
        err = s.stop()
        assert sanitizer_clean(err), err


def tui_home(work):
    """The TUI's own CODEX_HOME: no provider, the repo trusted."""
    home = work / "tuihome"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('[projects."%s"]\ntrust_level = "trusted"\n' % (work / "repo"))
    return home


def test_remote_ws_session(tui, work, server):
    srv = server()
    home = tui_home(work)
    t = tui("--remote", "ws://127.0.0.1:%d" % srv.port, env={"CODEX_HOME": str(home)}, write=False)
    t.wait_for(r"Ask Codex to do anything")
    t.wait_for(r"GPT-5\.5 default")
    t.submit("ESCDEMO: list the repo and write a marker file")
    t.wait_for(r"Press enter to confirm or esc to cancel")
    t.keys("y")
    s = t.wait_for(r"Both commands ran; the marker file was written\.")
    assert (work / "escalated_marker.txt").exists()
    t.wait_for(r"Worked for")
    t.submit("HELLO: second turn")
    t.wait_for(r"Hello! This is a short scripted reply")
    t.text("/new")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_gone(r"HELLO: second turn")
    t.keys("C-c")
    assert t.wait_exit() == 0
    assert re.search(r"codex --remote ws://127\.0\.0\.1:\d+ resume [0-9a-f-]{36}", t.screen(history=True))
    # the session lives in the server's CODEX_HOME, not the TUI's
    assert list((srv.home / "sessions").rglob("*.jsonl"))
    assert not (home / "sessions").exists()


def test_remote_ws_with_a_bearer_token(tui, work, server):
    token_file = work / "token"
    token_file.write_text("sekrit-token\n")
    srv = server("--ws-auth", "capability-token", "--ws-token-file", str(token_file))
    home = tui_home(work)
    t = tui("--remote", "ws://127.0.0.1:%d" % srv.port, "--remote-auth-token-env", "MY_TOKEN",
            env={"CODEX_HOME": str(home), "MY_TOKEN": "sekrit-token"}, write=False)
    t.wait_for(r"Ask Codex to do anything")
    t.submit("HELLO: authenticated")
    t.wait_for(r"Hello! This is a short scripted reply")
    t.keys("C-c")
    assert t.wait_exit() == 0
    bad = tui("--remote", "ws://127.0.0.1:%d" % srv.port, "--remote-auth-token-env", "MY_TOKEN",
              env={"CODEX_HOME": str(home), "MY_TOKEN": "wrong"}, write=False)
    assert bad.wait_exit() == 1
    assert "refused the WebSocket upgrade" in bad.read_stderr()


def test_remote_server_going_away_is_reported(tui, work, server):
    srv = server()
    home = tui_home(work)
    t = tui("--remote", "ws://127.0.0.1:%d" % srv.port, env={"CODEX_HOME": str(home)}, write=False)
    t.wait_for(r"Ask Codex to do anything")
    t.wait_for(r"GPT-5\.5")
    srv.proc.kill()
    assert t.wait_exit() == 1
    err = t.read_stderr()
    assert err.startswith("Error: ") and "disconnected" in err
    assert len(err.strip().splitlines()) == 1


def test_remote_nothing_listening(tui, work):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    home = tui_home(work)
    t = tui("--remote", "ws://127.0.0.1:%d" % port, env={"CODEX_HOME": str(home)}, write=False)
    assert t.wait_exit() == 1
    assert "cannot connect to ws://127.0.0.1:%d" % port in t.read_stderr()


def test_remote_address_is_checked(run_codex):
    r = run_codex("--remote", "http://example.com")
    assert r.returncode == 2
    assert "expected ws://HOST:PORT or unix://PATH" in r.stderr
    r = run_codex("--remote", "wss://example.com:443")
    assert r.returncode == 2
    assert "wss:// is not supported yet" in r.stderr
    r = run_codex("--remote-auth-token-env", "X")
    assert r.returncode == 2


# ---- unix:// -------------------------------------------------------------------------


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_client_frame(conn):
    head = recv_exact(conn, 2)
    opcode = head[0] & 0x0F
    assert head[1] & 0x80, "client frames are masked"
    n = head[1] & 0x7F
    if n == 126:
        n = struct.unpack(">H", recv_exact(conn, 2))[0]
    elif n == 127:
        n = struct.unpack(">Q", recv_exact(conn, 8))[0]
    mask = recv_exact(conn, 4)
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(recv_exact(conn, n)))
    return opcode, payload


def server_frame(payload, opcode=1):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack(">Q", n)
    return head + payload


class UnixBridge:
    """A Unix socket speaking raw WebSocket frames, each text frame one line
    of our `codex app-server` on stdio."""

    def __init__(self, path, server_env, cwd, rewrite=None):
        """rewrite(line) -> line changes what the server says to the client."""
        self.rewrite = rewrite
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.server_env = server_env
        self.cwd = cwd
        self.masked_ok = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        self.proc = None

    def run(self):
        conn, _ = self.sock.accept()
        self.proc = subprocess.Popen([str(CODEX_BIN), "app-server"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=self.server_env, cwd=self.cwd)

        def pump_out():
            for line in self.proc.stdout:
                if self.rewrite:
                    line = self.rewrite(line)
                try:
                    conn.sendall(server_frame(line.rstrip(b"\n")))
                except OSError:
                    return

        threading.Thread(target=pump_out, daemon=True).start()
        try:
            while True:
                op, payload = read_client_frame(conn)
                if op == 8:
                    break
                if op == 1:
                    self.proc.stdin.write(payload + b"\n")
                    self.proc.stdin.flush()
        except (EOFError, AssertionError, OSError):
            pass
        self.proc.stdin.close()
        self.proc.wait(timeout=20)
        conn.close()


def test_remote_unix_socket(tui, work, mock):
    home = work / "server_home"
    home.mkdir()
    write_config(home, mock.port, trusted_repo=str(work / "repo"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
           "CODEX_HOME": str(home), "MOCK_API_KEY": "dummy",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
    path = work / "app.sock"
    bridge = UnixBridge(path, env, work / "repo")
    t = tui("--remote", "unix://%s" % path, env={"CODEX_HOME": str(tui_home(work))}, write=False)
    t.wait_for(r"Ask Codex to do anything")
    t.submit("HELLO: over a unix socket")
    t.wait_for(r"Hello! This is a short scripted reply")
    t.keys("C-c")
    assert t.wait_exit() == 0
    bridge.thread.join(timeout=20)
    assert list((home / "sessions").rglob("*.jsonl"))
