"""The WebSocket transport: many connections, auth, limits, shutdown."""
import base64
import hashlib
import hmac
import json
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
    assert p.returncode == 1 and "refusing to start non-loopback websocket listener 0.0.0.0:0 " \
        "without auth" in p.stderr
    p = run_codex("app-server", "--listen", "ws://localhost:1234")
    assert p.returncode == 2 and "invalid websocket --listen URL" in p.stderr
    p = run_codex("app-server", "--listen", "ws://127.0.0.1:0", "--ws-auth", "capability-token")
    assert p.returncode == 1 and "--ws-token-file" in p.stderr
    # A relative path is read from the working directory, as the reference does.
    p = run_codex("app-server", "--listen", "ws://127.0.0.1:0", "--ws-auth", "capability-token",
                  "--ws-token-file", "relative", cwd=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: failed to read websocket auth secret %s/relative: "
                               % tmp_path)


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


def signed_token(secret, claims, alg="HS256"):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + \
        b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(mac)


def refusal(port, token=None):
    c = WsClient(port, token=token)
    status = c.status
    body = c.buf
    while status.startswith("HTTP/1.1 401"):
        chunk = c.sock.recv(4096)
        if not chunk:
            break
        body += chunk
    body = body.decode()
    c.sock.close()
    return status, body


def test_signed_bearer_token(ws_server, tmp_path):
    secret = "a-shared-secret-of-at-least-32-bytes!!"
    (tmp_path / "secret").write_text("\n" + secret + "\n")
    srv = ws_server(("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file",
                     str(tmp_path / "secret"), "--ws-issuer", "me", "--ws-audience", "app"))
    now = int(time.time())
    good = {"exp": now + 300, "iss": "me", "aud": ["other", "app"]}
    ok = WsClient(srv.port, token=signed_token(secret, good))
    assert ok.status.startswith("HTTP/1.1 101")
    ok.initialize()
    ok.close()
    cases = [
        (None, "missing websocket bearer token"),
        (signed_token("another-secret-of-at-least-32-bytes!!", good), "invalid websocket jwt"),
        (signed_token(secret, good, alg="HS512"), "invalid websocket jwt"),
        (signed_token(secret, {**good, "exp": now - 600}), "expired websocket jwt"),
        (signed_token(secret, {**good, "nbf": now + 600}), "websocket jwt is not valid yet"),
        (signed_token(secret, {**good, "iss": "you"}), "websocket jwt issuer mismatch"),
        (signed_token(secret, {**good, "aud": "other"}), "websocket jwt audience mismatch"),
    ]
    for token, reason in cases:
        status, body = refusal(srv.port, token)
        assert status.startswith("HTTP/1.1 401"), (reason, status)
        assert body.endswith(reason), (reason, body)
    # Within the default 30 s of skew an expired token still passes.
    late = WsClient(srv.port, token=signed_token(secret, {**good, "exp": now - 5}))
    assert late.status.startswith("HTTP/1.1 101")
    late.close()
    assert srv.stop() == 0
    assert "refused websocket" in srv.stderr and "expired websocket jwt" in srv.stderr


def test_ws_auth_flag_errors(run_codex, tmp_path):
    (tmp_path / "short").write_text("too short")
    listen = ("app-server", "--listen", "ws://127.0.0.1:0")
    for args, code, message in [
        (("--ws-auth", "signed-bearer-token"), 1,
         "`--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set"),
        (("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", str(tmp_path / "short")),
         1, "signed websocket bearer secret %s must be at least 32 bytes" % (tmp_path / "short")),
        (("--ws-auth", "capability-token", "--ws-token-sha256", "abc"), 1,
         "--ws-token-sha256 must be a 64-character hex SHA-256 digest"),
        (("--ws-issuer", "me"), 1,
         "websocket auth flags require `--ws-auth capability-token` or `--ws-auth "
         "signed-bearer-token`"),
        (("--ws-auth", "signed-bearer-token", "--ws-token-file", "/t"), 1,
         "`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not "
         "`signed-bearer-token`"),
        (("--ws-auth", "signed-bearer-token", "--ws-max-clock-skew-seconds", "-1"), 2,
         "invalid value '-1' for '--ws-max-clock-skew-seconds <SECONDS>'"),
    ]:
        p = run_codex(*listen, *args)
        assert p.returncode == code, (args, p.stderr)
        assert message in p.stderr.splitlines()[0], (args, p.stderr)
    # The reference takes auth flags with a unix:// listener and checks
    # nothing there; a restriction that would do nothing is refused.
    digest = hashlib.sha256(b"t").hexdigest()
    p = run_codex("app-server", "--listen", "unix://%s" % (tmp_path / "s.sock"), "--ws-auth",
                  "capability-token", "--ws-token-sha256", digest)
    assert p.returncode == 1 and "--ws-auth applies to a ws:// listener only" in p.stderr
    assert not (tmp_path / "s.sock").exists()


def test_capability_token_by_digest_and_non_loopback(ws_server, server_env):
    digest = hashlib.sha256(b"digest-token").hexdigest()
    srv = ws_server(("--ws-auth", "capability-token", "--ws-token-sha256", digest))
    status, body = refusal(srv.port, "wrong")
    assert status.startswith("HTTP/1.1 401") and body.endswith("invalid websocket bearer token")
    ok = WsClient(srv.port, token="digest-token")
    assert ok.status.startswith("HTTP/1.1 101")
    ok.close()
    assert srv.stop() == 0
    # With auth, a listener may bind beyond loopback, as the reference allows.
    p = subprocess.Popen([str(CODEX_BIN), "app-server", "--listen", "ws://0.0.0.0:0", "--ws-auth",
                          "capability-token", "--ws-token-sha256", digest],
                         stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=server_env, text=True)
    banner = ""
    while "note:" not in banner:
        line = p.stderr.readline()
        assert line, banner
        banner += line
    port = int(re.search(r"listening on: ws://0\.0\.0\.0:(\d+)", banner).group(1))
    assert "websocket auth is required for non-localhost listeners" in banner
    assert refusal(port)[1].endswith("missing websocket bearer token")
    ok = WsClient(port, token="digest-token")
    assert ok.status.startswith("HTTP/1.1 101")
    ok.close()
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 0
