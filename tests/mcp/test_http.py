"""Streamable HTTP servers: the headers every request carries, the session
the server hands out, the event stream, the DELETE at the end, and a
bearer token from the environment."""
import subprocess
import sys
import time

import pytest

from mcp_helpers import FIXTURE, call, outputs, read_log, without_wall_time

DONE = [{"type": "message", "text": "done"}]


@pytest.fixture
def http_fixture(tmp_path):
    procs = []

    def start(bearer=None):
        log = tmp_path / f"http{len(procs)}.log"
        port_file = tmp_path / f"port{len(procs)}"
        env = {"PATH": "/usr/bin:/bin"}
        if bearer:
            env["MCP_FIXTURE_BEARER"] = bearer
        p = subprocess.Popen([sys.executable, str(FIXTURE), "--http", "0", "--port-file",
                              str(port_file), "--log", str(log)], env=env)
        procs.append(p)
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.025)
        return int(port_file.read_text()), log
    yield start
    for p in procs:
        p.kill()
        p.wait()


def http_server(port, extra=""):
    return f'[mcp_servers.web]\nurl = "http://127.0.0.1:{port}/mcp"\n{extra}\n'


def test_requests_carry_the_headers_and_the_session(mcp_exec, http_fixture):
    port, log = http_fixture(bearer="sekrit")
    extra = ('bearer_token_env_var = "WEB_TOKEN"\nhttp_headers = { "X-Static" = "one" }\n'
             'env_http_headers = { "X-From-Env" = "WEB_HEADER" }\n')
    script = [[call("echo", {"message": "over http"}, "c1", "mcp__web")], DONE]
    r, mock, _ = mcp_exec(script, http_server(port, extra),
                          env={"WEB_TOKEN": "sekrit", "WEB_HEADER": "two"})
    assert r.returncode == 0, r.stderr
    out = without_wall_time(outputs(mock.requests()[1])["c1"])
    assert out[1]["text"] == "Echo: over http"
    entries = [e for e in read_log(log) if e.get("dir") == "in"]
    def hdr(e, name):
        return {k.lower(): v for k, v in e["headers"].items()}.get(name)
    first = entries[0]
    assert first["http"] == "POST" and first["msg"]["method"] == "initialize"
    assert "experimental" not in first["msg"]["params"]["capabilities"]
    assert hdr(first, "user-agent").startswith("codex-mcp-client/")
    assert hdr(first, "accept") == "text/event-stream, application/json"
    assert hdr(first, "content-type") == "application/json"
    assert hdr(first, "authorization") == "Bearer <redacted:%d>" % len("Bearer sekrit")
    assert hdr(first, "x-static") == "one" and hdr(first, "x-from-env") == "two"
    assert hdr(first, "mcp-session-id") is None
    later = entries[1:]
    assert [e["http"] for e in later].count("GET") == 1
    for e in later:
        assert hdr(e, "mcp-session-id") == "fixture-session-1"
        assert hdr(e, "mcp-protocol-version") == "2025-06-18"
        assert hdr(e, "authorization")
    methods = [e["msg"]["method"] for e in later if e["http"] == "POST"]
    assert methods[:2] == ["notifications/initialized", "tools/list"]
    assert "tools/call" in methods
    assert later[-1]["http"] == "DELETE"


def test_a_missing_bearer_token_fails_the_server(mcp_exec, http_fixture):
    port, _ = http_fixture()
    r, mock, _ = mcp_exec([DONE], http_server(port, 'bearer_token_env_var = "NOT_SET_ANYWHERE"\n'))
    assert r.returncode == 0, r.stderr
    assert "environment variable NOT_SET_ANYWHERE for MCP server 'web' is not set" in r.stderr


def test_a_server_that_refuses_the_token_fails_to_start(mcp_exec, http_fixture):
    port, _ = http_fixture(bearer="right")
    r, _, _ = mcp_exec([DONE], http_server(port, 'bearer_token_env_var = "WEB_TOKEN"\n'),
                       env={"WEB_TOKEN": "wrong"})
    assert r.returncode == 0, r.stderr
    assert "MCP server 'web' failed" in r.stderr and "HTTP 401" in r.stderr
