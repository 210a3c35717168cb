"""`codex mcp-server`: Codex as an MCP server over stdio, driven by a line
client, by the TypeScript SDK's client and the inspector's CLI (real peers,
skipped without node), and side by side with the last reference release
that had it (0.153.4; its recorded session is in
shared/reference/mcp/mcp_server_0.153.4, and a live binary is used when
CODEX_REF_MCP_SERVER or /tmp/peerwork-0153 has one)."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "exec"))

from exec_helpers import MockServer  # noqa: E402
from mcp_helpers import PEERS  # noqa: E402
from mcp_server_client import (McpServerProcess, base_env, events, initialize,  # noqa: E402
                               without_descriptions)

ROOT = HERE.parents[1]
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", ROOT / "build" / "asan" / "codex"))
CAPTURE = ROOT.parent.parent / "shared" / "reference" / "mcp" / "mcp_server_0.153.4" / "transcript.jsonl"
if not CAPTURE.exists():
    CAPTURE = pathlib.Path("/work/shared/reference/mcp/mcp_server_0.153.4/transcript.jsonl")
REFERENCE = pathlib.Path(os.environ.get(
    "CODEX_REF_MCP_SERVER",
    "/tmp/peerwork-0153/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"))
SDK = PEERS / "@modelcontextprotocol" / "sdk" / "dist" / "esm"
INSPECTOR = PEERS / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"

HELLO = [[{"type": "message", "text": "hello from the mock"}],
         [{"type": "message", "text": "second reply"}]]


def write_config(home, port, extra=""):
    (home / "config.toml").write_text(
        f'model = "gpt-5.5"\nmodel_provider = "mock"\n{extra}\n'
        f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n')


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    (r / "README.md").write_text("hi\n")
    return r


@pytest.fixture
def serve(tmp_path, codex_home, repo):
    """serve(script, *args, extra_config="") -> (server, mock)."""
    started = []

    def start(script, *args, extra_config="", binary=CODEX_BIN, home=codex_home):
        mock = MockServer(tmp_path, script)
        write_config(home, mock.port, extra_config)
        user_home = tmp_path / "userhome"
        user_home.mkdir(exist_ok=True)
        server = McpServerProcess([str(binary), "mcp-server", *args], base_env(home, user_home),
                                  repo)
        started.append((server, mock))
        return server, mock
    yield start
    for server, mock in started:
        server.close()
        mock.stop()


def codex_call(server, id, arguments, answer=None):
    return server.request(id, "tools/call", {"name": "codex", "arguments": arguments},
                          answer=answer)


def reference_tools():
    if not CAPTURE.exists():
        pytest.skip(f"the recorded reference session {CAPTURE} is not there")
    for line in CAPTURE.read_text().splitlines():
        entry = json.loads(line)
        msg = entry["msg"]
        if entry["dir"] == "recv" and msg.get("id") == 2:
            return msg["result"]
    pytest.fail("the recorded session has no tools/list answer")


# ---- lifecycle ----------------------------------------------------------


def test_initialize_answers_like_the_reference(serve):
    server, _ = serve(HELLO)
    resp = initialize(server, name="peer-driver", client_version="0")
    result = resp["result"]
    assert resp["jsonrpc"] == "2.0"
    assert result["protocolVersion"] == "2025-06-18"
    assert result["capabilities"] == {"tools": {"listChanged": True}}
    info = result["serverInfo"]
    assert info["name"] == "codex-mcp-server" and info["title"] == "Codex"
    assert info["user_agent"].startswith("codex_cli_rs/")
    assert " (peer-driver; 0)" in info["user_agent"]
    again, _ = server.request(2, "initialize", {"protocolVersion": "2025-06-18",
                                                "clientInfo": {"name": "x", "version": "1"}})
    assert again["error"]["code"] == -32600
    pong, _ = server.request(3, "ping")
    assert pong["result"] == {}
    assert server.close() == 0


@pytest.mark.parametrize("asked,answered", [("2024-11-05", "2024-11-05"),
                                            ("2025-03-26", "2025-03-26"),
                                            ("1999-01-01", "2025-06-18")])
def test_protocol_version_is_negotiated(serve, asked, answered):
    server, _ = serve(HELLO)
    assert initialize(server, version=asked)["result"]["protocolVersion"] == answered


def test_initialize_without_a_protocol_version_is_refused_with_its_id(serve):
    server, _ = serve(HELLO)
    resp, _ = server.request("init", "initialize", {"clientInfo": {"name": "x", "version": "1"}})
    assert resp["id"] == "init"
    assert resp["error"]["code"] == -32602
    assert "protocolVersion" in resp["error"]["message"]


def test_end_of_input_exits_cleanly(serve):
    server, _ = serve(HELLO)
    assert server.close() == 0
    assert "ERROR" not in server.stderr() and "Sanitizer" not in server.stderr()


# ---- tools/list -----------------------------------------------------------


def test_tools_list_matches_the_recorded_reference(serve):
    server, _ = serve(HELLO)
    initialize(server)
    resp, _ = server.request(2, "tools/list")
    ours, theirs = resp["result"], reference_tools()
    assert without_descriptions(ours) == without_descriptions(theirs)
    # Every tool, property and schema the reference describes, we describe too
    # (in our own words).
    for tool in ours["tools"]:
        assert tool["description"]
        for prop in tool["inputSchema"]["properties"].values():
            assert prop["description"]


@pytest.mark.skipif(not REFERENCE.exists(), reason="no reference binary with mcp-server")
def test_tools_list_matches_the_live_reference(serve, tmp_path):
    # The reference refuses a CODEX_HOME under /tmp for some helpers; give
    # it one inside the build tree.
    home = pathlib.Path(tempfile.mkdtemp(prefix="ref-mcp-server-", dir=ROOT / "build"))
    try:
        ref, _ = serve(HELLO, binary=REFERENCE, home=home)
        initialize(ref)
        theirs, _ = ref.request(2, "tools/list")
        ours_server, _ = serve(HELLO)
        initialize(ours_server)
        ours, _ = ours_server.request(2, "tools/list")
        assert without_descriptions(ours["result"]) == without_descriptions(theirs["result"])
        # The same errors, word for word.
        for request in ({"name": "nope", "arguments": {}}, {"name": "codex", "arguments": {}}):
            a, _ = ref.request(3, "tools/call", request)
            b, _ = ours_server.request(3, "tools/call", request)
            assert a["result"] == b["result"]
        a, _ = ref.request(4, "foo/bar", {})
        b, _ = ours_server.request(4, "foo/bar", {})
        assert a["error"] == b["error"]
        ref.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


# ---- tools/call ---------------------------------------------------------------


def test_codex_streams_events_and_codex_reply_continues_the_thread(serve, repo):
    server, mock = serve(HELLO)
    initialize(server)
    resp, seen = codex_call(server, 3, {"prompt": "Say hello.", "sandbox": "workspace-write",
                                        "approval-policy": "never"})
    result = resp["result"]
    thread_id = result["structuredContent"]["threadId"]
    assert result["structuredContent"]["content"] == "hello from the mock"
    assert result["content"] == [{"type": "text", "text": "hello from the mock"}]
    assert "isError" not in result
    notes = [m for m in seen if m.get("method") == "codex/event"]
    assert notes and all(n["params"]["_meta"] == {"requestId": 3, "threadId": thread_id}
                         for n in notes)
    kinds = [e["type"] for e in events(seen)]
    order = ["session_configured", "mcp_startup_complete", "task_started", "user_message",
             "agent_message_content_delta", "agent_message", "token_count", "task_complete"]
    positions = [kinds.index(k) for k in order]
    assert positions == sorted(positions), kinds
    configured = events(seen)[0]
    assert configured["thread_id"] == thread_id and configured["model"] == "gpt-5.5"
    assert configured["cwd"] == str(repo)
    assert configured["sandbox_policy"] == {"type": "workspace-write"}
    assert configured["approval_policy"] == "never"
    assert pathlib.Path(configured["rollout_path"]).exists()
    deltas = "".join(e["delta"] for e in events(seen) if e["type"] == "agent_message_content_delta")
    assert deltas == "hello from the mock"
    complete = events(seen)[-1]
    assert complete == {"type": "task_complete", "turn_id": complete["turn_id"],
                        "last_agent_message": "hello from the mock"}
    turn_notes = [n for n in notes if n["params"]["msg"]["type"] == "task_started"]
    assert turn_notes[0]["params"]["id"] == complete["turn_id"]

    resp, seen = server.request(4, "tools/call", {"name": "codex-reply", "arguments": {
        "threadId": thread_id, "prompt": "And again."}})
    assert resp["result"]["structuredContent"] == {"threadId": thread_id, "content": "second reply"}
    assert all(n["params"]["_meta"]["requestId"] == 4 for n in seen)
    assert "session_configured" not in [e["type"] for e in events(seen)]
    second = mock.requests()[1]["body"]["input"]
    texts = [json.dumps(item) for item in second]
    assert any("Say hello." in t for t in texts) and any("hello from the mock" in t for t in texts)
    assert "And again." in texts[-1]

    # The older name of the argument still works.
    resp, _ = server.request(5, "tools/call", {"name": "codex-reply", "arguments": {
        "conversationId": thread_id, "prompt": "Once more."}})
    assert resp["result"]["structuredContent"]["threadId"] == thread_id
    assert server.close() == 0


def test_codex_arguments_shape_the_session(serve, repo):
    (repo / "sub").mkdir()
    server, mock = serve(HELLO)
    initialize(server)
    resp, seen = codex_call(server, 3, {
        "prompt": "go", "model": "gpt-5.4", "cwd": "sub", "sandbox": "read-only",
        "base-instructions": "You are a test double.",
        "developer-instructions": "Answer tersely.",
        "config": {"model_reasoning_effort": "high"}})
    assert "isError" not in resp["result"], resp
    body = mock.requests()[0]["body"]
    assert body["model"] == "gpt-5.4"
    # Base instructions open the input as a developer message (our request
    # shape; exec's --config base_instructions lands in the same place).
    first = body["input"][0]
    assert first["role"] == "developer"
    assert first["content"] == [{"type": "input_text", "text": "You are a test double."}]
    assert body["reasoning"]["effort"] == "high"
    text = json.dumps(body["input"])
    assert "Answer tersely." in text
    assert f"<cwd>{repo / 'sub'}</cwd>" in text
    configured = events(seen)[0]
    assert configured["cwd"] == str(repo / "sub") and configured["model"] == "gpt-5.4"


def test_server_flags_are_the_sessions_defaults(serve):
    server, mock = serve(HELLO, "-m", "gpt-5.4", "-c", 'model_reasoning_effort="low"')
    initialize(server)
    codex_call(server, 3, {"prompt": "go"})
    body = mock.requests()[0]["body"]
    assert body["model"] == "gpt-5.4" and body["reasoning"]["effort"] == "low"


@pytest.mark.parametrize("call,text", [
    ({"name": "nope", "arguments": {}}, "Unknown tool 'nope'"),
    ({"name": "codex", "arguments": {}},
     "Failed to parse configuration for Codex tool: missing field `prompt`"),
    ({"name": "codex"}, "Failed to parse configuration for Codex tool: missing field `prompt`"),
    ({"name": "codex", "arguments": {"prompt": "x", "colour": "red"}},
     "Failed to parse configuration for Codex tool: unknown field `colour`, expected one of "
     "`prompt`, `model`, `profile`, `cwd`, `approval-policy`, `sandbox`, `config`, "
     "`base-instructions`, `developer-instructions`, `compact-prompt`"),
    ({"name": "codex", "arguments": {"prompt": "x", "sandbox": "none"}},
     "Failed to parse configuration for Codex tool: unknown variant `none`, expected one of "
     "`read-only`, `workspace-write`, `danger-full-access`"),
    ({"name": "codex", "arguments": {"prompt": 5}},
     "Failed to parse configuration for Codex tool: invalid type: integer `5`, expected a string"),
    ({"name": "codex", "arguments": {"prompt": "x", "config": []}},
     "Failed to parse configuration for Codex tool: invalid type: sequence, expected a map"),
    ({"name": "codex-reply", "arguments": {"prompt": "x"}},
     "Failed to parse configuration for Codex tool: missing field `threadId`"),
    ({"name": "codex-reply", "arguments": {"prompt": "x", "threadId": "no-such-thread"}},
     "Session not found for thread_id: no-such-thread"),
])
def test_bad_calls_are_tool_errors(serve, call, text):
    server, mock = serve(HELLO)
    initialize(server)
    resp, seen = server.request(7, "tools/call", call)
    assert resp["result"]["isError"] is True
    assert resp["result"]["content"] == [{"type": "text", "text": text}]
    assert not seen and not mock.requests()


def test_a_config_the_loader_refuses_fails_the_call_not_the_server(serve):
    server, _ = serve(HELLO)
    initialize(server)
    resp, _ = codex_call(server, 3, {"prompt": "x", "config": {"model_reasoning_effort": 5}})
    assert resp["result"]["isError"] is True
    assert resp["result"]["content"][0]["text"].startswith("Failed to start Codex session: ")
    pong, _ = server.request(4, "ping")
    assert pong["result"] == {}


def test_a_failed_turn_is_a_tool_error_with_the_thread(serve):
    server, _ = serve([{"status": 400, "error": {"message": "bad request from the mock",
                                                 "type": "invalid_request_error"}}])
    initialize(server)
    resp, seen = codex_call(server, 3, {"prompt": "x"})
    result = resp["result"]
    assert result["isError"] is True
    assert "bad request from the mock" in result["content"][0]["text"]
    assert result["structuredContent"]["threadId"] == events(seen)[0]["thread_id"]
    assert "error" in [e["type"] for e in events(seen)]


# ---- bad input ---------------------------------------------------------------


def test_bad_lines_get_json_rpc_errors_and_the_server_goes_on(serve):
    server, _ = serve(HELLO)
    initialize(server)
    server.send('{"jsonrpc": "2.0", "id": 41, "method": "tools/list"')  # cut short
    resp = server.next()
    assert resp["id"] == 41 and resp["error"]["code"] == -32700
    server.send("{this is not json")
    resp = server.next()
    assert resp["id"] is None and resp["error"]["code"] == -32700
    server.send('{"jsonrpc": "2.0", "id": "s-1", "method": 7}')
    resp = server.next()
    assert resp["id"] == "s-1" and resp["error"]["code"] == -32600
    server.send("[1, 2]")
    assert server.next()["error"]["code"] == -32600
    server.send('"\\ud800 \x01 \xff"')
    assert server.next()["error"]["code"] in (-32700, -32600)
    resp, _ = server.request(42, "foo/bar", {})
    assert resp["error"] == {"code": -32601, "message": "method not found: foo/bar",
                             "data": {"method": "foo/bar"}}
    pong, _ = server.request(43, "ping")
    assert pong["result"] == {}
    assert server.close() == 0
    assert "not JSON-RPC (id 41)" in server.stderr()


def test_a_huge_line_does_not_break_the_server(serve):
    server, _ = serve(HELLO)
    initialize(server)
    server.send(json.dumps({"jsonrpc": "2.0", "id": 5, "method": "ping",
                            "params": {"pad": "x" * 3_000_000}}))
    resp = server.next()
    assert resp == {"jsonrpc": "2.0", "id": 5, "result": {}}


# ---- approvals, cancellation, end of input -------------------------------------

ESCALATE = [[{"type": "function_call", "name": "exec_command", "call_id": "call_1",
              "arguments": json.dumps({"cmd": "touch approved.txt",
                                       "sandbox_permissions": "require_escalated",
                                       "justification": "the test asks for it"})}],
            [{"type": "message", "text": "done"}]]


def exec_ended(seen):
    return [e for e in events(seen) if e["type"] == "exec_command_end"]


@pytest.mark.parametrize("answer,ran", [({"decision": "approved"}, True),
                                        ({"action": "accept"}, True),
                                        ({"decision": "denied"}, False),
                                        ({"action": "decline"}, False),
                                        ({"unexpected": 1}, False)])
def test_approvals_are_elicitation_requests(serve, repo, answer, ran):
    server, mock = serve(ESCALATE)
    initialize(server)
    asked = []

    def reply(msg):
        asked.append(msg)
        return answer
    resp, seen = codex_call(server, 3, {"prompt": "touch it", "approval-policy": "on-request",
                                        "sandbox": "read-only"}, answer=reply)
    assert "isError" not in resp["result"], resp
    assert len(asked) == 1
    q = asked[0]
    assert q["method"] == "elicitation/create"
    p = q["params"]
    # The command as it would run (the shell and its script), shell-quoted.
    assert p["codex_command"][-2:] == ["-lc", "touch approved.txt"]
    assert p["message"] == (f"Allow Codex to run `{p['codex_command'][0]} -lc 'touch approved.txt'`"
                            f" in `{repo}`?")
    assert p["requestedSchema"] == {"type": "object", "properties": {}}
    assert p["codex_elicitation"] == "exec-approval"
    assert p["codex_mcp_tool_call_id"] == "3"
    assert p["codex_call_id"] == "call_1"
    assert p["codex_cwd"] == str(repo)
    assert p["threadId"] == resp["result"]["structuredContent"]["threadId"]
    assert p["codex_reason"] == "the test asks for it"
    assert (repo / "approved.txt").exists() == ran
    if ran:
        ended = exec_ended(seen)
        assert ended and ended[0]["exit_code"] == 0 and ended[0]["call_id"] == "call_1"
        assert ended[0]["command"] == p["codex_command"]
        begun = [e for e in events(seen) if e["type"] == "exec_command_begin"]
        assert begun[0]["command"] == p["codex_command"] and begun[0]["cwd"] == str(repo)
    told = json.dumps(mock.requests()[1]["body"]["input"][-1])
    assert ("rejected" in told.lower() or "declined" in told.lower()) != ran


def test_an_error_answer_to_an_approval_refuses(serve, repo):
    server, _ = serve(ESCALATE)
    initialize(server)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "touch it", "approval-policy": "on-request"}}})
    while True:
        m = server.next()
        if m.get("method") == "elicitation/create":
            server.send({"jsonrpc": "2.0", "id": m["id"],
                         "error": {"code": -1, "message": "no"}})
        if m.get("id") == 3 and "method" not in m:
            break
    assert not (repo / "approved.txt").exists()


def test_cancelling_a_call_interrupts_its_turn(serve):
    server, _ = serve([{"hang": True}, [{"type": "message", "text": "after the cancel"}]])
    initialize(server)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "wait"}}})
    thread_id = None
    while True:
        m = server.next()
        msg = m.get("params", {}).get("msg", {})
        if msg.get("type") == "session_configured":
            thread_id = msg["thread_id"]
        if msg.get("type") == "task_started":
            break
    server.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                 "params": {"requestId": 3, "reason": "user"}})
    seen = []
    while True:
        m = server.next()
        seen.append(m)
        if m.get("params", {}).get("msg", {}).get("type") == "turn_aborted":
            break
    assert not [m for m in seen if m.get("id") == 3], "a cancelled request gets no answer"
    pong, _ = server.request(4, "ping")
    assert pong["result"] == {}
    resp, _ = server.request(5, "tools/call", {"name": "codex-reply", "arguments": {
        "threadId": thread_id, "prompt": "again"}})
    assert resp["result"]["structuredContent"]["content"] == "after the cancel"


def test_a_second_call_on_a_busy_thread_is_refused(serve):
    server, _ = serve([{"hang": True}])
    initialize(server)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "wait"}}})
    while True:
        msg = server.next().get("params", {}).get("msg", {})
        if msg.get("type") == "session_configured":
            thread_id = msg["thread_id"]
            break
    resp, _ = server.request(4, "tools/call", {"name": "codex-reply", "arguments": {
        "threadId": thread_id, "prompt": "me too"}})
    assert resp["result"]["isError"] is True
    assert "busy" in resp["result"]["content"][0]["text"]
    server.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}})


def test_end_of_input_lets_a_running_call_finish(serve):
    server, _ = serve(HELLO)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "hi"}}})
    server.proc.stdin.close()
    resp, _ = server.wait_for(3)
    assert resp["result"]["structuredContent"]["content"] == "hello from the mock"
    assert server.close() == 0


def test_end_of_input_declines_a_waiting_approval(serve, repo):
    server, _ = serve(ESCALATE)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "touch it", "approval-policy": "on-request"}}})
    while server.next().get("method") != "elicitation/create":
        pass
    server.proc.stdin.close()
    resp, _ = server.wait_for(3)
    assert resp["result"]["structuredContent"]["content"] == "done"
    assert not (repo / "approved.txt").exists()
    assert server.close() == 0


# ---- real peers ------------------------------------------------------------------

needs_node = pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")

SDK_CLIENT = """
import {{ Client }} from "{sdk}/client/index.js";
import {{ StdioClientTransport }} from "{sdk}/client/stdio.js";
const [bin, cwd, env] = [process.argv[2], process.argv[3], JSON.parse(process.argv[4])];
const transport = new StdioClientTransport({{ command: bin, args: ["mcp-server"], cwd, env,
                                              stderr: "inherit" }});
const client = new Client({{ name: "sdk-peer", version: "1.0.0" }},
                          {{ capabilities: {{ elicitation: {{}} }} }});
const events = [];
client.fallbackNotificationHandler = async (n) => {{ events.push(n.params.msg.type); }};
await client.connect(transport);
const tools = await client.listTools();
const result = await client.callTool({{ name: "codex",
                                       arguments: {{ prompt: "Say hello.", sandbox: "read-only" }} }});
const reply = await client.callTool({{ name: "codex-reply",
                                      arguments: {{ threadId: result.structuredContent.threadId,
                                                    prompt: "And again." }} }});
console.log(JSON.stringify({{ server: client.getServerVersion(), tools, result, reply, events }}));
await client.close();
"""


@needs_node
@pytest.mark.skipif(not SDK.exists(), reason="@modelcontextprotocol/sdk is not installed")
def test_the_typescript_sdk_client_lists_and_calls_the_tools(tmp_path, codex_home, repo):
    mock = MockServer(tmp_path, HELLO)
    try:
        write_config(codex_home, mock.port)
        script = tmp_path / "client.mjs"
        script.write_text(SDK_CLIENT.format(sdk=SDK))
        env = base_env(codex_home, tmp_path)
        proc = subprocess.run(["node", str(script), str(CODEX_BIN), str(repo), json.dumps(env)],
                              capture_output=True, text=True, timeout=120)
    finally:
        mock.stop()
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["server"]["name"] == "codex-mcp-server"
    assert [t["name"] for t in out["tools"]["tools"]] == ["codex", "codex-reply"]
    # The SDK checks structuredContent against the tool's outputSchema.
    assert out["result"]["structuredContent"]["content"] == "hello from the mock"
    assert out["result"]["content"] == [{"type": "text", "text": "hello from the mock"}]
    assert out["reply"]["structuredContent"]["content"] == "second reply"
    assert "task_complete" in out["events"]


@needs_node
@pytest.mark.skipif(not INSPECTOR.exists(), reason="@modelcontextprotocol/inspector is not installed")
def test_the_inspector_cli_lists_and_calls_the_tools(tmp_path, codex_home, repo):
    mock = MockServer(tmp_path, HELLO)
    try:
        write_config(codex_home, mock.port)
        env = base_env(codex_home, tmp_path)
        flags = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        base = ["node", str(INSPECTOR), "--cli", *flags, "--cwd", str(repo), str(CODEX_BIN), "mcp-server"]
        listed = subprocess.run([*base, "--method", "tools/list"], capture_output=True, text=True,
                                timeout=120, env={**os.environ, "HOME": str(tmp_path)})
        assert listed.returncode == 0, listed.stderr
        assert without_descriptions(json.loads(listed.stdout)) == without_descriptions(
            reference_tools())
        called = subprocess.run([*base, "--method", "tools/call", "--tool-name", "codex",
                                 "--tool-arg", "prompt=Say hello."], capture_output=True,
                                text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    finally:
        mock.stop()
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["structuredContent"]["content"] == "hello from the mock"


# ---- the command line -------------------------------------------------------------


def test_command_line(run_codex, tmp_path):
    r = run_codex("mcp-server", "--help")
    assert r.returncode == 0 and "codex-reply" in r.stdout
    r = run_codex("mcp-server", "--bogus")
    assert r.returncode == 2 and "--bogus" in r.stderr
    r = run_codex("mcp-server", "--yolo", input="")
    assert r.returncode == 2 and "refused" in r.stderr
    r = run_codex("mcp-server", "-C", str(tmp_path / "nowhere"), input="")
    assert r.returncode == 1 and "nowhere" in r.stderr
    r = run_codex("-m", "gpt-5.4", "mcp-server", input="")
    assert r.returncode == 0 and r.stdout == ""


def test_sigterm_stops_a_running_call(serve):
    server, _ = serve([{"hang": True}])
    initialize(server)
    server.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "codex", "arguments": {"prompt": "wait"}}})
    while server.next().get("params", {}).get("msg", {}).get("type") != "task_started":
        pass
    server.proc.terminate()
    assert server.proc.wait(timeout=30) == 128 + 15


def skeleton(msgs):
    """Event types (items with their kind), runs of deltas as one, without
    the raw Responses items (which we do not stream)."""
    out = []
    for m in msgs:
        kind = m["type"]
        if kind.startswith("raw_response"):
            continue
        if kind in ("item_started", "item_completed"):
            kind += "/" + m["item"]["type"]
        if out and out[-1] == kind and kind.endswith("_delta"):
            continue
        out.append(kind)
    return out


def test_event_sequence_matches_the_recorded_reference(serve):
    if not CAPTURE.exists():
        pytest.skip(f"the recorded reference session {CAPTURE} is not there")
    recorded = [json.loads(l)["msg"] for l in CAPTURE.read_text().splitlines()]
    theirs = {rid: skeleton([m["params"]["msg"] for m in recorded
                             if m.get("method") == "codex/event"
                             and m["params"]["_meta"]["requestId"] == rid]) for rid in (3, 4)}
    server, _ = serve(HELLO)
    initialize(server)
    resp, seen = codex_call(server, 3, {"prompt": "Say hello.", "sandbox": "workspace-write",
                                        "approval-policy": "never"})
    assert skeleton(events(seen)) == theirs[3]
    started = [e for e in events(seen) if e["type"] == "item_started"
               and e["item"]["type"] == "AgentMessage"]
    assert len(started) == 1 and started[0]["item"]["content"] == [{"type": "Text", "text": ""}]
    thread_id = resp["result"]["structuredContent"]["threadId"]
    _, seen = server.request(4, "tools/call", {"name": "codex-reply", "arguments": {
        "threadId": thread_id, "prompt": "And again."}})
    assert skeleton(events(seen)) == theirs[4]


# ---- the session's own MCP servers ----------------------------------------


def test_a_session_starts_its_configured_mcp_servers(serve):
    # A `codex` call's session is a full one: the MCP servers of its
    # config start, their startup is reported, and the model can use them.
    script = [[{"type": "function_call", "name": "echo", "namespace": "mcp__fx", "call_id": "c1",
                "arguments": json.dumps({"message": "through the session"})}],
              [{"type": "message", "text": "echoed"}]]
    fixture = HERE / "servers" / "mcp_fixture_server.py"
    server, mock = serve(script, extra_config=f'approval_policy = "never"\n'
                         f'[mcp_servers.fx]\ncommand = "python3"\nargs = [{json.dumps(str(fixture))}]\n')
    initialize(server)
    resp, seen = codex_call(server, 3, {"prompt": "Echo something."})
    assert resp["result"]["structuredContent"]["content"] == "echoed", resp
    startup = [e for e in events(seen) if e["type"] == "mcp_startup_complete"]
    assert startup == [{"type": "mcp_startup_complete", "ready": ["fx"], "failed": [], "cancelled": []}]
    outputs = [i for i in mock.requests()[1]["body"]["input"] if i.get("type") == "function_call_output"]
    assert "Echo: through the session" in json.dumps(outputs)
    assert server.close() == 0


def test_a_required_server_that_cannot_start_fails_the_call(serve):
    server, mock = serve(HELLO, extra_config='[mcp_servers.gone]\ncommand = "/nonexistent/prog"\n'
                         'required = true\n')
    initialize(server)
    resp, seen = codex_call(server, 3, {"prompt": "Say hello."})
    result = resp["result"]
    assert result["isError"] is True
    assert "required MCP servers failed to initialize: gone" in result["content"][0]["text"]
    assert mock.requests() == []  # no turn ran
    # The server goes on.
    resp, _ = server.request(4, "tools/list", {})
    assert [t["name"] for t in resp["result"]["tools"]] == ["codex", "codex-reply"]
    assert server.close() == 0
