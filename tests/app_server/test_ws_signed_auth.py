"""--ws-auth signed-bearer-token: HS256 JWT bearer tokens on the WebSocket
upgrade, refused with the reference 0.169.0's 401 reasons."""
import base64
import hashlib
import hmac
import json
import time

from test_websocket import ws_server  # noqa: F401 (fixture)
from wsclient import WsClient, http_request

SECRET = b"a-shared-secret-that-is-long-enough-32b"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, key=SECRET, alg="HS256"):
    signing = f"{b64(json.dumps({'alg': alg, 'typ': 'JWT'}).encode())}." \
              f"{b64(json.dumps(claims).encode())}"
    return f"{signing}.{b64(hmac.new(key, signing.encode(), hashlib.sha256).digest())}"


def refusal(port, token):
    """The 401 body, or None when the upgrade went through."""
    head = (f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
    if token is not None:
        head += f"Authorization: Bearer {token}\r\n"
    status, rest, sock = http_request(port, head + "\r\n")
    if status.startswith("HTTP/1.1 101"):
        sock.close()
        return None
    assert status.startswith("HTTP/1.1 401"), status
    while True:  # the body, up to the server's close
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    sock.close()
    return rest.decode().strip()


def secret_file(tmp_path, data=SECRET + b"\n"):
    f = tmp_path / "secret"
    f.write_bytes(data)
    return str(f)


def test_signed_tokens_are_checked(ws_server, tmp_path):  # noqa: F811
    srv = ws_server(("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file",
                     secret_file(tmp_path)))
    now = int(time.time())
    assert refusal(srv.port, None) == "missing websocket bearer token"
    assert refusal(srv.port, "abc") == "invalid websocket jwt"
    assert refusal(srv.port, jwt({})) == "invalid websocket jwt"  # no exp
    assert refusal(srv.port, jwt({"exp": now + 60}, key=b"x" * 40)) == "invalid websocket jwt"
    assert refusal(srv.port, jwt({"exp": now + 60}, alg="none")) == "invalid websocket jwt"
    assert refusal(srv.port, jwt({"exp": now - 100})) == "expired websocket jwt"
    assert refusal(srv.port, jwt({"exp": now + 60, "nbf": now + 100})) == \
        "websocket jwt is not valid yet"
    # Within the default clock skew, and iss/aud unchecked when not asked for.
    assert refusal(srv.port, jwt({"exp": now - 10})) is None
    assert refusal(srv.port, jwt({"exp": now + 60, "iss": "x", "aud": "y"})) is None
    ok = WsClient(srv.port, token=jwt({"exp": now + 60}))
    assert ok.status.startswith("HTTP/1.1 101")
    ok.initialize()
    ok.close()
    assert srv.stop() == 0
    assert "refused websocket #1: missing websocket bearer token" in srv.stderr


def test_issuer_audience_and_skew(ws_server, tmp_path):  # noqa: F811
    srv = ws_server(("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file",
                     secret_file(tmp_path), "--ws-issuer", "me", "--ws-audience", "codex",
                     "--ws-max-clock-skew-seconds", "5"))
    now = int(time.time())
    assert refusal(srv.port, jwt({"exp": now + 60})) == "websocket jwt issuer mismatch"
    assert refusal(srv.port, jwt({"exp": now + 60, "iss": "me"})) == \
        "websocket jwt audience mismatch"
    assert refusal(srv.port, jwt({"exp": now + 60, "iss": "me", "aud": "other"})) == \
        "websocket jwt audience mismatch"
    assert refusal(srv.port, jwt({"exp": now - 10, "iss": "me", "aud": "codex"})) == \
        "expired websocket jwt"
    assert refusal(srv.port, jwt({"exp": now + 60, "iss": "me", "aud": "codex"})) is None
    assert refusal(srv.port, jwt({"exp": now + 60, "iss": "me", "aud": ["x", "codex"]})) is None
    assert srv.stop() == 0


def test_signed_token_flag_errors(run_codex, tmp_path):
    def run(*args):
        return run_codex("app-server", "--listen", "ws://127.0.0.1:0", *args)
    p = run("--ws-auth", "signed-bearer-token")
    assert p.returncode == 1 and p.stderr.strip() == (
        "Error: `--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set")
    p = run("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file",
            secret_file(tmp_path, b"short"))
    assert p.returncode == 1 and "must be at least 32 bytes" in p.stderr
    p = run("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file",
            secret_file(tmp_path, b"\n"))
    assert p.returncode == 1 and "must not be empty" in p.stderr
    p = run("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", str(tmp_path / "none"))
    assert p.returncode == 1 and "failed to read websocket auth secret" in p.stderr
    p = run("--ws-auth", "capability-token", "--ws-shared-secret-file", secret_file(tmp_path))
    assert p.returncode == 1 and "require `--ws-auth signed-bearer-token`" in p.stderr
    p = run("--ws-issuer", "x")
    assert p.returncode == 1 and "websocket auth flags require" in p.stderr
    p = run("--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", secret_file(tmp_path),
            "--ws-max-clock-skew-seconds", "abc")
    assert p.returncode == 2 and "--ws-max-clock-skew-seconds" in p.stderr
