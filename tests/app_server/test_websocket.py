"""The WebSocket transport: many connections, auth, limits, shutdown."""
import re
import signal
import socket
import subprocess
import time

import pytest

from appserver import CODEX_BIN
from wsclient import WsClient, http_request


class WsServer:
    def __init__(self, env, args=()):
        self.proc = subprocess.Popen([str(CODEX_BIN), "app-server", "--listen", "ws://127.0.0.1:0",
                                      *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, text=True)
        self.banner = ""
        while "note:" not in self.banner:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError("server exited: " + self.banner)
            self.banner += line
        self.port = int(re.search(r"listening on: ws://127\.0\.0\.1:(\d+)", self.banner).group(1))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.stderr = self.proc.stderr.read()
        return rc


@pytest.fixture
def ws_server(server_env):
    servers = []

    def start(args=()):
        s = WsServer(server_env, args)
        servers.append(s)
        return s

    yield start
    for s in servers:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_connections_are_independent(ws_server, tmp_path):
    srv = ws_server()
    a, b = WsClient(srv.port), WsClient(srv.port)
    assert a.status.startswith("HTTP/1.1 101") and b.status.startswith("HTTP/1.1 101")
    a.initialize()
    assert b.call("fs/getMetadata", {"path": "/"})["error"]["message"] == "Not initialized"
    b.initialize()
    assert a.call("initialize", {"clientInfo": {"name": "x", "version": "1"}})["error"][
        "message"] == "Already initialized"
    (tmp_path / "f").write_text("hey")
    assert b.call("fs/readFile", {"path": str(tmp_path / "f")})["result"] == {"dataBase64": "aGV5"}
    a.close()
    assert b.call("model/list")["result"]["data"]
    b.close()
    assert srv.stop() == 0
    assert "AddressSanitizer" not in srv.stderr


def test_fragments_ping_and_malformed_messages(ws_server):
    srv = ws_server()
    c = WsClient(srv.port)
    c.initialize()
    c.send_frame(9, b"are you there")
    op, payload = c.recv_frame()
    assert (op, payload) == (10, b"are you there")
    c.send_frame(1, "not json at all")
    c.method_of_id["7"] = "fs/getMetadata"
    text = '{"id": 7, "method": "fs/getMetadata", "params": {"path": "/"}}'
    c.send_frame(1, text[:10], fin=False)
    c.send_frame(0, text[10:20], fin=False)
    c.send_frame(0, text[20:])
    r = c.read()
    assert r["id"] == 7 and r["result"]["isDirectory"] is True
    c.close()
    assert srv.stop() == 0
    assert "ignoring malformed message" in srv.stderr


def test_oversize_message_drops_only_that_connection(ws_server):
    srv = ws_server()
    big, small = WsClient(srv.port), WsClient(srv.port)
    big.initialize()
    small.initialize()
    # Announce a 65 MiB frame: the server refuses it from the header alone.
    big.sock.sendall(bytes([0x81, 0x80 | 127]) + (65 << 20).to_bytes(8, "big") + b"\0\0\0\0")
    with pytest.raises(EOFError):
        while True:
            big.read()
    assert small.call("fs/getMetadata", {"path": "/"})["result"]["isDirectory"] is True
    small.close()
    assert srv.stop() == 0
    assert "message exceeds the 64 MiB limit" in srv.stderr


def test_health_and_refusals(ws_server):
    srv = ws_server()
    status, rest, s = http_request(srv.port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status.startswith("HTTP/1.1 200")
    s.close()
    c = WsClient(srv.port, extra_headers="Origin: http://evil.example\r\n")
    assert c.status.startswith("HTTP/1.1 403")
    c.close()
    status, rest, s = http_request(srv.port, "BREW /pot HTTP/1.1\r\n\r\n")
    assert status.startswith("HTTP/1.1 405")
    s.close()
    assert srv.stop() == 0


def test_capability_token(ws_server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    srv = ws_server(("--ws-auth", "capability-token", "--ws-token-file", str(token_file)))
    assert WsClient(srv.port).status.startswith("HTTP/1.1 401")
    assert WsClient(srv.port, token="wrong").status.startswith("HTTP/1.1 401")
    ok = WsClient(srv.port, token="s3cret-token")
    assert ok.status.startswith("HTTP/1.1 101")
    ok.initialize()
    ok.close()
    assert srv.stop() == 0
    assert "invalid websocket bearer token" in srv.stderr


def test_listen_errors(run_codex, tmp_path):
    p = run_codex("app-server", "--listen", "ws://0.0.0.0:0")
    assert p.returncode == 1 and "refusing to start non-loopback websocket listener" in p.stderr
    p = run_codex("app-server", "--listen", "ws://localhost:1234")
    assert p.returncode == 2 and "invalid websocket --listen URL" in p.stderr
    p = run_codex("app-server", "--listen", "ws://127.0.0.1:0", "--ws-auth", "capability-token")
    assert p.returncode == 1 and "--ws-token-file" in p.stderr
    p = run_codex("app-server", "--listen", "ws://127.0.0.1:0", "--ws-auth", "capability-token",
                  "--ws-token-file", "relative")
    assert p.returncode == 2 and "absolute path" in p.stderr


def test_a_client_that_stops_reading_does_not_block_others(ws_server):
    srv = ws_server()
    slow, fast = WsClient(srv.port), WsClient(srv.port)
    slow.initialize()
    fast.initialize()
    # The slow client asks for a flood of streamed output and never reads it.
    slow.send({"id": 1, "method": "command/exec", "params": {
        "command": ["sh", "-c", "head -c 20000000 /dev/zero"], "processId": "flood",
        "streamStdoutStderr": True, "sandboxPolicy": {"type": "dangerFullAccess"}}})
    # Process ids are per connection: the other client may use the same one.
    r = fast.call("command/exec", {"command": ["echo", "hi"], "processId": "flood",
                                   "streamStdoutStderr": True,
                                   "sandboxPolicy": {"type": "dangerFullAccess"}})
    assert r["result"]["exitCode"] == 0
    for _ in range(20):
        assert fast.call("fs/getMetadata", {"path": "/"})["result"]["isDirectory"] is True
    slow.close()
    fast.close()
    assert srv.stop() == 0
