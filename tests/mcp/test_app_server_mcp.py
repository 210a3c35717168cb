"""The app server's MCP methods (mcpServerStatus/list, mcpServer/tool/call,
mcpServer/resource/read, config/mcpServer/reload, mcpServer/oauth/login)
and the startup notifications of a thread's servers: answers compared with
the reference's (data/app_server_reference.json), every message checked
against the protocol schema."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))

from app_server_cases import REFERENCE, config, run_session  # noqa: E402
from appserver import AppServer  # noqa: E402
from mcp_helpers import (CODEX_BIN_PATH, EVERYTHING, FIXTURE, SchemaCheck, read_log,  # noqa: E402
                         sanitizer_clean, toml_str)

OAUTH_SERVER = HERE / "servers" / "oauth_server.py"




def test_the_methods_answer_as_the_reference(tmp_path):
    want = json.loads(REFERENCE.read_text())
    answers, startup, log, rc, stderr = run_session(CODEX_BIN_PATH, tmp_path / "s", SchemaCheck())
    assert rc == 0, stderr
    sanitizer_clean(stderr)
    for name, answer in want["answers"].items():
        assert answers[name] == answer, name
        # The order of the fields too (the tools map excepted: the
        # reference keeps it in a hash map).
        for mine, theirs in zip(answers[name].get("result", {}).get("data", []),
                                answer.get("result", {}).get("data", [])):
            assert list(mine) == list(theirs), name
    # Each server's start-up: starting, then its outcome (the order among
    # servers is the reference's hash order; ours is by name).
    assert sorted(map(json.dumps, startup)) == sorted(map(json.dumps, want["startup"]))
    for name in ("fx", "broken", "web"):
        mine = [n["status"] for n in startup if n["name"] == name]
        assert mine[0] == "starting" and len(mine) == 2, mine
    calls = [e["msg"]["params"] for e in read_log(log)
             if e.get("dir") == "in" and e["msg"].get("method") == "tools/call"]
    assert [c["name"] for c in calls][:2] == ["echo", "echo"]
    thread_id = calls[0]["_meta"]["threadId"]
    assert calls[1]["_meta"]["k"] == "v" and calls[1]["_meta"]["threadId"] == thread_id
    assert calls[0]["arguments"] == {"message": "hi"}
    starts = [e for e in read_log(log) if e.get("event") == "start"]
    # Like the reference, the app server runs stdio servers in CODEX_HOME.
    assert {s["cwd"] for s in starts} == {str((tmp_path / "s" / "ch").resolve())}


def start(tmp_path, codex_home, config_text):
    (codex_home / "config.toml").write_text(config_text)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "OPENAI_API_KEY": "sk-test",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
    s = AppServer(CODEX_BIN_PATH, env, cwd=tmp_path)
    s.initialize()
    return s


def startup_until(server, thread_id, settled, timeout=60):
    """mcpServer/startupStatus/updated of thread_id until every name in
    settled has an outcome; returns them all."""
    got = []
    deadline = time.time() + timeout
    while any(not any(n["name"] == s and n["status"] != "starting" for n in got) for s in settled):
        assert time.time() < deadline, got
        for m in server.notifications("mcpServer/startupStatus/updated"):
            if m["params"]["threadId"] == thread_id:
                got.append(m["params"])
        try:
            server.pending.append(server.read(timeout=1))
        except Exception:
            pass
    return got


def running(marker):
    """Whether a process with marker in its command line is alive."""
    for cmdline in pathlib.Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(marker).encode() in cmdline.read_bytes():
                return True
        except OSError:
            pass
    return False


def wait_note(server, method, timeout=30):
    deadline = time.time() + timeout
    while True:
        for i, m in enumerate(server.pending):
            if m.get("method") == method:
                return server.pending.pop(i)
        assert time.time() < deadline, f"no {method}"
        server.pending.append(server.read(timeout=timeout))


def fixture(name, log):
    return (f'[mcp_servers.{name}]\ncommand = "python3"\n'
            f'args = [{toml_str(FIXTURE)}, "--log", {toml_str(log)}]\n')


def test_reload_restarts_a_thread_s_servers_from_the_configuration(tmp_path, codex_home):
    one, two = tmp_path / "one.log", tmp_path / "two.log"
    s = start(tmp_path, codex_home, 'model = "gpt-5.5"\n' + fixture("one", one))
    try:
        thread = s.call("thread/start", {})["result"]["thread"]["id"]
        assert [n["status"] for n in startup_until(s, thread, ["one"])] == ["starting", "ready"]
        echo = {"threadId": thread, "tool": "echo", "arguments": {"message": "x"}}
        assert s.call("mcpServer/tool/call", {"server": "one", **echo})["result"]["content"][0][
            "text"] == "Echo: x"
        (codex_home / "config.toml").write_text('model = "gpt-5.5"\n' + fixture("two", two))
        r = s.call("config/mcpServer/reload")
        assert r["result"] == {}
        got = startup_until(s, thread, ["two"])
        assert [(n["name"], n["status"]) for n in got] == [("two", "starting"), ("two", "ready")]
        assert s.call("mcpServer/tool/call", {"server": "one", **echo})["error"] == {
            "code": -32603, "message": "unknown MCP server 'one'"}
        assert s.call("mcpServer/tool/call", {"server": "two", **echo})["result"]["content"][0][
            "text"] == "Echo: x"
        # The first server was stopped.
        deadline = time.time() + 10
        while running(one):
            assert time.time() < deadline
            time.sleep(0.05)
        assert running(two)
        # A configuration that cannot be read changes nothing.
        (codex_home / "config.toml").write_text('model = "gpt-5.5"\n[mcp_servers.two]\ncommand = 3\n')
        r = s.call("config/mcpServer/reload")
        assert r["error"]["code"] == -32603, r
        assert "config.toml:3:11: mcp_servers.\"two\".command" in r["error"]["message"], r
        assert "result" in s.call("mcpServer/tool/call", {"server": "two", **echo})
    finally:
        assert s.close() == 0, s.stderr
    sanitizer_clean(s.stderr)


def test_a_call_in_flight_is_answered_when_its_thread_goes(tmp_path, codex_home):
    log = tmp_path / "fx.log"
    s = start(tmp_path, codex_home, 'model = "gpt-5.5"\n' + fixture("fx", log))
    thread = s.call("thread/start", {})["result"]["thread"]["id"]
    startup_until(s, thread, ["fx"])
    slow = s.request("mcpServer/tool/call", {"threadId": thread, "server": "fx", "tool": "slow",
                                             "arguments": {"seconds": 30}})
    deadline = time.time() + 10
    while not any(e.get("msg", {}).get("method") == "tools/call" for e in read_log(log)):
        assert time.time() < deadline
        time.sleep(0.05)
    # End of input unloads the thread: the call is answered, not dropped.
    assert s.close(timeout=20) == 0, s.stderr
    answer = next(m for m in s.pending if m.get("id") == slow)
    assert answer["error"]["code"] == -32603
    assert "tool call failed for `fx/slow`" in answer["error"]["message"]
    sanitizer_clean(s.stderr)


@pytest.fixture
def oauth_server(tmp_path):
    port_file, log = tmp_path / "oauth_port", tmp_path / "oauth.log"
    p = subprocess.Popen([sys.executable, str(OAUTH_SERVER), "--port-file", str(port_file), "--log",
                          str(log)])
    for _ in range(400):
        if port_file.exists():
            break
        time.sleep(0.025)
    yield int(port_file.read_text())
    p.kill()
    p.wait()


def test_oauth_login_answers_the_url_and_reports_the_outcome(tmp_path, codex_home, oauth_server):
    url = f"http://127.0.0.1:{oauth_server}/mcp"
    s = start(tmp_path, codex_home, f'model = "gpt-5.5"\n[mcp_servers.web]\nurl = "{url}"\n')
    try:
        before = s.call("mcpServerStatus/list", {"detail": "toolsAndAuthOnly"})["result"]["data"]
        assert [(e["name"], e["authStatus"], e["httpOrigin"]) for e in before] == [
            ("web", "notLoggedIn", f"http://127.0.0.1:{oauth_server}")]
        r = s.call("mcpServer/oauth/login", {"name": "web", "scopes": ["tools.read"]})
        login = r["result"]
        assert login["authorizationUrl"].startswith(f"http://127.0.0.1:{oauth_server}/authorize?")
        assert "scope=tools.read" in login["authorizationUrl"]
        # Play the browser: the authorization server sends it to our callback.
        page = urllib.request.urlopen(login["authorizationUrl"], timeout=10).read().decode()
        assert "Signed in" in page
        completed = wait_note(s, "mcpServer/oauthLogin/completed")
        assert completed["params"] == {"name": "web", "threadId": None, "loginId": login["loginId"],
                                       "success": True, "error": None}
        assert (codex_home / ".credentials.json").exists()
        after = s.call("mcpServerStatus/list", {})["result"]["data"][0]
        assert after["authStatus"] == "oAuth"
        # Signed in, the server answers: its tools are listed.
        assert "echo" in after["tools"] and after["toolsError"] is None
    finally:
        assert s.close() == 0, s.stderr
    sanitizer_clean(s.stderr)


def test_oauth_login_times_out_and_refuses_what_it_cannot_do(tmp_path, codex_home, oauth_server):
    url = f"http://127.0.0.1:{oauth_server}/mcp"
    s = start(tmp_path, codex_home,
              f'model = "gpt-5.5"\n[mcp_servers.web]\nurl = "{url}"\n'
              '[mcp_servers.plain]\nurl = "http://127.0.0.1:9/mcp"\n')
    try:
        r = s.call("mcpServer/oauth/login", {"name": "web", "timeoutSecs": 1})
        login_id = r["result"]["loginId"]
        done = [wait_note(s, "mcpServer/oauthLogin/completed")]
        assert done[0]["params"] == {"name": "web", "threadId": None, "loginId": login_id,
                                     "success": False,
                                     "error": "timed out waiting for OAuth callback"}
        r = s.call("mcpServer/oauth/login", {"name": "plain"})
        assert r["error"]["code"] == -32603
        assert r["error"]["message"].startswith("failed to login to MCP server 'plain': ")
        r = s.call("mcpServer/oauth/login", {"name": "web", "clientRegistration": "other"})
        assert r["error"]["code"] == -32600 and "unknown variant `other`" in r["error"]["message"]
    finally:
        assert s.close() == 0, s.stderr
    sanitizer_clean(s.stderr)


@pytest.mark.skipif(not shutil.which("node") or not EVERYTHING.exists(),
                    reason="node or @modelcontextprotocol/server-everything missing")
def test_server_everything_lists_and_reads_its_resources(tmp_path, codex_home):
    s = start(tmp_path, codex_home, f'model = "gpt-5.5"\n[mcp_servers.everything]\n'
                                    f'command = "node"\nargs = [{toml_str(EVERYTHING)}, "stdio"]\n')
    try:
        (entry,) = s.call("mcpServerStatus/list", {})["result"]["data"]
        assert entry["toolsError"] is None and entry["serverInfo"]["name"]
        assert "echo" in entry["tools"]
        assert entry["tools"]["echo"]["inputSchema"]["type"] == "object"
        # What the reference listed for this server (recorded with 0.169):
        # capabilities it knows, in its order; resources with sorted fields.
        assert list(entry["serverCapabilities"]) == ["logging", "completions", "prompts",
                                                     "resources", "tools"]
        assert entry["serverCapabilities"]["resources"] == {"subscribe": True, "listChanged": True}
        assert len(entry["resources"]) == 7 and len(entry["resourceTemplates"]) == 2
        assert all(list(r) == sorted(r) for r in entry["resources"])
        assert [list(t) for t in entry["resourceTemplates"]] == [
            ["uriTemplate", "name", "description", "mimeType"]] * 2
        uri = entry["resources"][0]["uri"]
        r = s.call("mcpServer/resource/read", {"server": "everything", "uri": uri})
        assert r["result"]["contents"][0]["uri"] == uri
        thread = s.call("thread/start", {})["result"]["thread"]["id"]
        startup_until(s, thread, ["everything"])
        r = s.call("mcpServer/tool/call", {"threadId": thread, "server": "everything",
                                           "tool": "echo", "arguments": {"message": "hey"}})
        assert "hey" in r["result"]["content"][0]["text"]
    finally:
        assert s.close() == 0, s.stderr
    sanitizer_clean(s.stderr)
