"""The proxy process through its session API (build/tests/netproxy_harness):
questions about unlisted hosts, persistence of "always" answers as
network_rule lines, the admin endpoint, the upstream proxy, and malformed
input, which gets a 400 and a log line while the proxy lives on."""
import json
import socket
import subprocess
import time

import pytest

from np_support import (HARNESS, HTTP_PORT, HTTPS_PORT, ORIGIN_IP, PY, Harness, needs_netns, test_ca,  # noqa: F401
                        wait_for, world)

pytestmark = [needs_netns, pytest.mark.skipif(not HARNESS.exists(), reason="build/tests/netproxy_harness not built")]


def base(**kw):
    cfg = {"mode": "full", "allowed_domains": ["allowed.test"], "denied_domains": ["denied.test"]}
    cfg.update(kw)
    return cfg


def finish(p, timeout=30):
    out, err = p.communicate(timeout=timeout)
    return out, err


def test_unlisted_then_approved_once(world):
    h = Harness(world, base(ask=True))
    try:
        c = h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://other.test:{HTTP_PORT}/x"])
        ask = h.event()
        assert ask["event"] == "ask" and ask["host"] == "other.test" and ask["port"] == HTTP_PORT
        assert ask["protocol"] == "http"
        # The connection waits for the answer.
        time.sleep(0.3)
        assert c.poll() is None
        h.send({"cmd": "answer", "question": ask["question"], "answer": "allow_once"})
        out, _ = finish(c)
        assert out == "200"
        # Once means once: the next request asks again.
        c = h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://other.test:{HTTP_PORT}/y"])
        again = h.event()
        assert again["event"] == "ask"
        h.send({"cmd": "answer", "question": again["question"], "answer": "deny"})
        out, _ = finish(c)
        assert out == "403"
    finally:
        h.close()


def test_unlisted_then_declined_gets_a_one_line_reason(world):
    h = Harness(world, base(ask=True))
    try:
        c = h.curl(["-i", "-x", f"http://{h.http}", f"http://other.test:{HTTP_PORT}/x"])
        ask = h.event()
        h.send({"cmd": "answer", "question": ask["question"], "answer": "deny", "reason": "Declined by the user."})
        out, _ = finish(c)
        assert out.startswith("HTTP/1.1 403")
        assert "x-proxy-error: blocked-by-allowlist" in out
        body = json.loads(out.split("\n\n", 1)[1])
        assert body["message"] == "Declined by the user." and body["source"] == "decider"
        blocked = h.event()
        assert blocked["event"] == "blocked" and blocked["reason"] == "not_allowed"
        assert blocked["message"] == ('Network access to "other.test" was blocked: domain is not on the allowlist '
                                      'for the current sandbox mode.')
        # CONNECT too: the 403 carries the reason as its text body.
        c = h.curl(["-p", "-x", f"http://{h.http}", f"https://other.test:{HTTPS_PORT}/"])
        ask = h.event()
        assert ask["protocol"] == "https_connect"
        h.send({"cmd": "answer", "question": ask["question"], "answer": "deny"})
        finish(c)
        assert c.returncode != 0
    finally:
        h.close()


def test_concurrent_requests_share_one_question(world):
    h = Harness(world, base(ask=True))
    try:
        cs = [h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                      f"http://other.test:{HTTP_PORT}/{i}"]) for i in range(3)]
        ask = h.event()
        time.sleep(0.5)
        h.send({"cmd": "answer", "question": ask["question"], "answer": "allow_session"})
        assert [finish(c)[0] for c in cs] == ["200"] * 3
        # For the session: no more questions for this host and protocol.
        c = h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://other.test:{HTTP_PORT}/later"])
        assert finish(c)[0] == "200"
    finally:
        h.close()


def test_a_client_that_gives_up_withdraws_the_question(world):
    h = Harness(world, base(ask=True))
    try:
        c = h.curl(["-x", f"http://{h.http}", f"http://other.test:{HTTP_PORT}/x"])
        ask = h.event()
        c.kill()
        c.wait()
        w = h.event()
        assert w == {"event": "withdrawn", "question": ask["question"]}
    finally:
        h.close()


def test_always_persists_a_network_rule_that_the_next_session_enforces(world):
    h = Harness(world, base(ask=True))
    try:
        c = h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://other.test:{HTTP_PORT}/x"])
        ask = h.event()
        h.send({"cmd": "answer", "question": ask["question"], "answer": "allow_always"})
        assert finish(c)[0] == "200"
    finally:
        h.close()
    rules = (world.home / "rules" / "default.rules").read_text()
    assert rules == ('network_rule(host="other.test", protocol="http", decision="allow", '
                     'justification="Allow http access to other.test")\n')
    # `codex execpolicy` still loads the file.
    r = world.in_ns([str(__import__("np_support").CODEX_BIN), "execpolicy", "check", "--rules",
                     str(world.home / "rules" / "default.rules"), "true"])
    assert r.returncode == 0, r.stderr
    # A new session given the rule asks nothing and lets the host through.
    h = Harness(world, base(ask=False, rules=[{"host": "other.test", "protocol": "http", "decision": "allow"}]))
    try:
        c = h.curl(["-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"http://other.test:{HTTP_PORT}/x"])
        assert finish(c)[0] == "200"
        # An allow rule is about the host, as the reference compiles rules
        # into its allowed domains: https to it is covered too.
        c = h.curl(["-k", "-p", "-x", f"http://{h.http}", "-o", "/dev/null", "-w", "%{http_code}",
                    f"https://other.test:{HTTPS_PORT}/"])
        assert finish(c)[0] == "200"
    finally:
        h.close()


def test_deny_rules_win_over_the_allowlist(world):
    h = Harness(world, base(rules=[{"host": "allowed.test", "protocol": "https", "decision": "deny"}]))
    try:
        c = h.curl(["-i", "-x", f"http://{h.http}", f"http://allowed.test:{HTTP_PORT}/"])
        out, _ = finish(c)
        assert "x-proxy-error: blocked-by-denylist" in out
    finally:
        h.close()


def test_without_a_session_answer_unlisted_hosts_are_refused(world):
    h = Harness(world, base(ask=False))
    try:
        c = h.curl(["-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://{h.http}",
                    f"http://other.test:{HTTP_PORT}/"])
        assert finish(c)[0] == "403"
    finally:
        h.close()


def raw(world, addr, data, read=True):
    """Send raw bytes to the proxy from inside the namespace; return the answer."""
    host, port = addr.rsplit(":", 1)
    code = (f"import socket,sys; s=socket.create_connection(({host!r},{port})); s.sendall(sys.stdin.buffer.read()); "
            f"s.shutdown(socket.SHUT_WR); out=b''\n"
            f"while True:\n    b=s.recv(65536)\n    if not b: break\n    out+=b\nsys.stdout.buffer.write(out)")
    r = subprocess.run(["ip", "netns", "exec", world.ns, PY, "-c", code], input=data, capture_output=True,
                       timeout=30)
    return r.stdout.decode("latin-1")


@pytest.mark.parametrize("request_bytes,why", [
    (b"GARBAGE\r\n\r\n", "malformed request line"),
    (b"GET http://allowed.test/ HTTP/1.1\nHost: x\n\n", "bare LF"),
    (b"CONNECT allowed.test HTTP/1.1\r\n\r\n", "missing port"),
    (b"CONNECT allowed.test:0 HTTP/1.1\r\n\r\n", "invalid port"),
    (b"GET http://allowed.test/ HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", "too large"),
    (b"GET http://allowed.test/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
     "both Transfer-Encoding and Content-Length"),
])
def test_bad_input_gets_400_and_a_log_line(world, request_bytes, why):
    h = Harness(world, base())
    try:
        out = raw(world, h.http, request_bytes)
        assert out.startswith("HTTP/1.1 400"), out[:200]
        assert any(e["decision"] == "bad_request" and why in e["why"] for e in world.log()), world.log()
        # The proxy lives on.
        c = h.curl(["-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://{h.http}",
                    f"http://allowed.test:{HTTP_PORT}/"])
        assert finish(c)[0] == "200"
    finally:
        assert h.close() == 0


def test_admin_endpoint(world):
    h = Harness(world, base(allowed_domains=["allowed.test", ":common_dependencies"]))
    try:
        admin = h.ready["admin"]
        assert admin.startswith("127.0.0.1:")
        get = lambda path: h.curl([f"http://{admin}{path}"])  # noqa: E731
        assert finish(get("/health"))[0] == "ok"
        patterns = json.loads(finish(get("/patterns"))[0])
        assert "allowed.test" in patterns["allowed"] and "**.pypi.org" in patterns["allowed"]
        assert patterns["denied"] == ["denied.test"]
        finish(h.curl(["-x", f"http://{h.http}", f"http://denied.test:{HTTP_PORT}/"]))
        blocked = json.loads(finish(get("/blocked"))[0])
        assert blocked[-1]["host"] == "denied.test" and blocked[-1]["reason"] == "denied"
        cfg = json.loads(finish(get("/config"))[0])
        assert cfg["mode"] == "full" and "hosts" not in cfg
        mode = h.curl(["-X", "POST", "-d", '{"mode":"limited"}', f"http://{admin}/mode"])
        out, _ = finish(mode)
        assert "limited mode needs the interception CA" in out
    finally:
        h.close()


def test_upstream_proxy_is_used_when_allowed(world):
    """A second proxy (another harness, allowing everything) stands in for
    the upstream of codex's own environment."""
    upstream = Harness(world, {"mode": "full", "allow_all_domains": True, "allow_local_binding": True})
    h = Harness(world, base(allow_upstream_proxy=True, upstream_proxy=f"http://{upstream.http}"))
    try:
        c = h.curl(["-s", "-x", f"http://{h.http}", f"http://allowed.test:{HTTP_PORT}/via"])
        assert json.loads(finish(c)[0])["path"] == "/via"
        c = h.curl(["-p", "-x", f"http://{h.http}", "--cacert", str(world.ca), f"https://allowed.test:{HTTPS_PORT}/t"])
        assert json.loads(finish(c)[0])["tls"] is True
        up_log = [e for e in world.log() if e.get("host") == "allowed.test"]
        # Both proxies decided (same log file): the upstream saw the requests.
        assert len([e for e in up_log if e["decision"] == "allow"]) >= 4
        # Denied hosts never reach the upstream.
        c = h.curl(["-o", "/dev/null", "-w", "%{http_code}", "-x", f"http://{h.http}",
                    f"http://denied.test:{HTTP_PORT}/"])
        assert finish(c)[0] == "403"
    finally:
        h.close()
        upstream.close()


def test_a_wildcard_pattern_for_every_host_is_refused(world):
    cfg = base(allowed_domains=["*"])
    path = world.base / "bad.json"
    path.write_text(json.dumps(cfg))
    r = subprocess.run([str(HARNESS), str(__import__("np_support").CODEX_BIN), str(path)], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert 'domain pattern "*" would match every host' in r.stderr
