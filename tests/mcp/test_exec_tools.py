"""The MCP client in codex exec against the deterministic fixture server:
the handshake and environment, what the model is offered, tool_search,
the result shapes, approvals, concurrency, timeouts and the items.  What
the reference answers was recorded in data/reference_fixture.json."""
import json
import pathlib

from mcp_helpers import (call, fixture_server, items, outputs, read_log, search, toml_str,
                         without_wall_time)

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE = json.loads((HERE / "data" / "reference_fixture.json").read_text())

APPROVE_ALL = "".join(f'[mcp_servers.fx.tools.{t}]\napproval_mode = "approve"\n'
                      for t in ("add", "slow", "image", "fail", "rpc_error", "structured", "mixed"))


def test_handshake_environment_and_cwd(mcp_exec, tmp_path, repo):
    log = tmp_path / "fx.log"
    env_vars = 'env_vars = ["PASS_ME"]\n[mcp_servers.fx.env]\nFROM_TABLE = "t"\n'
    r, mock, _ = mcp_exec([[{"type": "message", "text": "done"}]],
                          fixture_server(log=log, extra=env_vars), env={"PASS_ME": "p"})
    assert r.returncode == 0, r.stderr
    entries = read_log(log)
    start = entries[0]
    assert start["cwd"] == str(repo)
    keys = set(start["env_keys"])
    assert {"HOME", "PATH", "LANG", "TZ", "PASS_ME", "FROM_TABLE"} <= keys
    assert not keys & {"CODEX_HOME", "MOCK_API_KEY", "SECRET_NOT_FOR_SERVERS", "ASAN_OPTIONS"}
    msgs = [e["msg"] for e in entries if e.get("dir") == "in"]
    init = msgs[0]
    assert init["method"] == "initialize" and init["id"] == 0
    params = init["params"]
    assert params["protocolVersion"] == "2025-06-18"
    assert params["capabilities"] == {"experimental": {"codex/auth-change": {}},
                                      "elicitation": {"form": {}, "url": {}}}
    assert params["clientInfo"]["name"] == "codex-mcp-client"
    assert params["clientInfo"]["title"] == "Codex"
    assert msgs[1] == {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert msgs[2] == {"jsonrpc": "2.0", "id": 1, "method": "tools/list",
                       "params": {"_meta": {"progressToken": 0}}}


def test_first_request_defers_the_tools_behind_tool_search(mcp_exec, tmp_path):
    r, mock, _ = mcp_exec([[{"type": "message", "text": "done"}]], fixture_server())
    assert r.returncode == 0, r.stderr
    body = mock.requests()[0]["body"]
    kinds = [(t["type"], t.get("name")) for t in body["tools"]]
    assert ("function", "list_mcp_resources") in kinds
    assert ("function", "read_mcp_resource") in kinds
    assert ("tool_search", None) in kinds
    assert not [k for k in kinds if k[0] == "namespace"]
    names = [k[1] for k in kinds]
    # The resource tools sit right after the command tools, as in the reference.
    assert names.index("list_mcp_resources") == names.index("write_stdin") + 1
    search_tool = [t for t in body["tools"] if t["type"] == "tool_search"][0]
    assert search_tool["execution"] == "client"
    assert search_tool["parameters"]["required"] == ["query"]
    developer = body["input"][1]["content"]
    note = [p["text"] for p in developer if p["text"].startswith("<tools>")]
    # The subagent tools (on by default) are a deferred namespace too, as in
    # the reference's own note.
    assert note == ["<tools>\nDeferred tool namespaces:\n- mcp__fx: Fixture server instructions.\n"
                    "- multi_agent_v1: Tools for spawning and managing sub-agents.\n</tools>"]


def test_models_without_tool_search_get_the_namespace_listed(mcp_exec):
    r, mock, _ = mcp_exec([[{"type": "message", "text": "done"}]], fixture_server(),
                          model="my-local-model")
    assert r.returncode == 0, r.stderr
    body = mock.requests()[0]["body"]
    spaces = [t for t in body["tools"] if t["type"] == "namespace"]
    assert [t["name"] for t in spaces] == ["mcp__fx", "multi_agent_v1"]
    assert spaces[0] == REFERENCE["direct_namespace"]
    assert not [t for t in body["tools"] if t["type"] == "tool_search"]
    assert not any(p["text"].startswith("<tools>") for p in body["input"][1]["content"])


def test_result_shapes_match_the_reference(mcp_exec):
    calls = [call("echo", {"message": "hi"}, "c_echo"), call("image", {}, "c_img"),
             call("fail", {"reason": "r"}, "c_fail"), call("rpc_error", {}, "c_rpc"),
             call("structured", {}, "c_struct"), call("mixed", {}, "c_mixed"),
             call("echo", "{'bad'", "c_bad"), call("nosuch", {}, "c_nosuch"),
             call("add", {"a": 1, "b": 2}, "c_add"), call("slow", {"seconds": 3}, "c_slow"),
             call("echo", "", "c_empty"), call("dotted_name", {}, "c_dot")]
    r, mock, events = mcp_exec([calls, [{"type": "message", "text": "done"}]],
                               fixture_server(extra="tool_timeout_sec = 1\n" + APPROVE_ALL))
    assert r.returncode == 0, r.stderr
    got = without_wall_time(outputs(mock.requests()[1]))
    for call_id, want in REFERENCE["outputs"].items():
        assert got[call_id] == want, call_id
    done = [dict(e["item"]) for e in items(events) if e["type"] == "item.completed"]
    for d in done:
        d.pop("id")
    assert done == REFERENCE["exec_items"]
    # Unknown tools and unparsable arguments make no item.
    assert len(items(events)) == 2 * len(REFERENCE["exec_items"])


def test_tool_search_finds_ranked_tools_grouped_by_namespace(mcp_exec):
    r, mock, _ = mcp_exec([[search("sum of two numbers", limit=2)], [search("zzzz", "ts_2")],
                           [{"type": "message", "text": "done"}]], fixture_server())
    assert r.returncode == 0, r.stderr
    reqs = mock.requests()
    replay = [it for it in reqs[1]["body"]["input"] if it["type"] == "tool_search_call"][0]
    assert list(replay) == ["type", "id", "call_id", "status", "execution", "arguments"]
    assert replay["id"].startswith("tsc_")
    out = [it for it in reqs[1]["body"]["input"] if it["type"] == "tool_search_output"][0]
    assert list(out) == ["type", "id", "call_id", "status", "execution", "tools"]
    assert out["id"].startswith("tso_") and out["status"] == "completed"
    [ns] = out["tools"]
    assert ns["type"] == "namespace" and ns["name"] == "mcp__fx"
    assert ns["description"] == "Fixture server instructions."
    assert [t["name"] for t in ns["tools"]][0] == "add"
    assert len(ns["tools"]) <= 2
    first = ns["tools"][0]
    assert list(first) == ["type", "name", "description", "strict", "defer_loading", "parameters"]
    assert first["defer_loading"] is True
    assert outputs(reqs[2])["ts_2"] == []


def test_schema_trimming_matches_the_reference(mcp_exec):
    r, mock, _ = mcp_exec([[search("complex rich input schema", limit=1)],
                           [{"type": "message", "text": "done"}]], fixture_server())
    assert r.returncode == 0, r.stderr
    [ns] = outputs(mock.requests()[1])["ts_1"]
    [tool] = ns["tools"]
    want = [t for t in REFERENCE["direct_namespace"]["tools"] if t["name"] == "complex"][0]
    assert tool["parameters"] == want["parameters"]
    assert json.dumps(tool["parameters"]) == json.dumps(want["parameters"])


def test_a_call_without_search_and_flat_names(mcp_exec):
    script = [[call("dotted_name", {}, "c1"),
               call(("a_very_long_tool_name_that_goes_past_the_sixty_four_character_limit_xyz"),
                    {}, "c2"),
               {"type": "function_call", "name": "mcp__fx__echo", "call_id": "c3",
                "arguments": "{}"}],
              [{"type": "message", "text": "done"}]]
    extra = ('[mcp_servers.fx.tools."dotted.name"]\napproval_mode = "approve"\n'
             '[mcp_servers.fx.tools.a_very_long_tool_name_that_goes_past_the_sixty_four_character_limit_xyz]\n'
             'approval_mode = "approve"\n')
    r, mock, events = mcp_exec(script, fixture_server(extra=extra))
    assert r.returncode == 0, r.stderr
    out = without_wall_time(outputs(mock.requests()[1]))
    assert out["c1"][1]["text"] == "dotted"
    assert out["c2"][1]["text"] == "long"
    assert out["c3"] == "unsupported call: mcp__fx__echo"
    assert [e["item"]["tool"] for e in items(events) if e["type"] == "item.completed"] == \
        ["dotted.name", "a_very_long_tool_name_that_goes_past_the_sixty_four_character_limit_xyz"]


def test_enabled_and_disabled_tools_filter_what_is_offered(mcp_exec):
    extra = 'enabled_tools = ["echo", "add", "image"]\ndisabled_tools = ["image"]\n'
    r, mock, _ = mcp_exec([[{"type": "message", "text": "done"}]], fixture_server(extra=extra),
                          model="my-local-model")
    assert r.returncode == 0, r.stderr
    [ns] = [t for t in mock.requests()[0]["body"]["tools"] if t["type"] == "namespace"
            and t["name"].startswith("mcp__")]
    assert [t["name"] for t in ns["tools"]] == ["add", "echo"]


def test_server_names_are_sanitized_and_collisions_get_a_hash(mcp_exec):
    servers = (fixture_server("my.srv-2") + fixture_server("a.b") + fixture_server("a-b"))
    r, mock, _ = mcp_exec([[{"type": "message", "text": "done"}]], servers, model="my-local-model")
    assert r.returncode == 0, r.stderr
    names = sorted(t["name"] for t in mock.requests()[0]["body"]["tools"]
                   if t["type"] == "namespace")
    assert "mcp__my_srv_2" in names
    hashed = [n for n in names if n.startswith("mcp__a_b_")]
    assert len(hashed) == 2 and len(set(hashed)) == 2
    assert all(len(n) == len("mcp__a_b_") + 12 for n in hashed)


def approval_outputs(mcp_exec, extra="", sandbox="read-only", args=()):
    script = [[call("echo", {"message": "ro"}, "c_ro"), call("add", {"a": 1, "b": 1}, "c_rw")],
              [{"type": "message", "text": "done"}]]
    r, mock, events = mcp_exec(script, fixture_server(extra=extra), *args, sandbox=sandbox)
    assert r.returncode == 0, r.stderr
    out = without_wall_time(outputs(mock.requests()[1]))
    return {k: v[1]["text"] for k, v in out.items()}


REFUSED = "MCP tool call requires approval, but approval policy is never"


def test_approval_modes(mcp_exec):
    # auto (the default): read-only tools run, the others are refused under never.
    assert approval_outputs(mcp_exec) == {"c_ro": "Echo: ro", "c_rw": REFUSED}
    assert approval_outputs(mcp_exec, 'default_tools_approval_mode = "writes"\n') == \
        {"c_ro": "Echo: ro", "c_rw": REFUSED}
    assert approval_outputs(mcp_exec, 'default_tools_approval_mode = "prompt"\n') == \
        {"c_ro": REFUSED, "c_rw": REFUSED}
    assert approval_outputs(mcp_exec, 'default_tools_approval_mode = "approve"\n') == \
        {"c_ro": "Echo: ro", "c_rw": "The sum of 1 and 1 is 2."}
    # A tool's own mode wins over the server's.
    assert approval_outputs(mcp_exec, 'default_tools_approval_mode = "prompt"\n'
                            '[mcp_servers.fx.tools.echo]\napproval_mode = "approve"\n') == \
        {"c_ro": "Echo: ro", "c_rw": REFUSED}
    # Without a sandbox nobody needs asking.
    assert approval_outputs(mcp_exec, sandbox="danger-full-access") == \
        {"c_ro": "Echo: ro", "c_rw": "The sum of 1 and 1 is 2."}


def test_asked_approval_without_anyone_to_ask_is_declined(mcp_exec):
    out = approval_outputs(mcp_exec, args=("-a", "on-request"))
    assert out == {"c_ro": "Echo: ro", "c_rw": "user rejected MCP tool call"}


def call_times(log):
    """For each tools/call id: when it came in and when it was answered."""
    came, went = {}, {}
    for e in read_log(log):
        m = e.get("msg") or {}
        if e.get("dir") == "in" and m.get("method") == "tools/call":
            came[m["id"]] = e["ts"]
        if e.get("dir") == "out" and e.get("id") in came:
            went[e["id"]] = e["ts"]
    return came, went


def test_read_only_tools_run_side_by_side_and_others_alone(mcp_exec, tmp_path):
    log = tmp_path / "ro.log"
    script = [[call("slow_ro", {"seconds": 0.5}, "a"), call("slow_ro", {"seconds": 0.5}, "b")],
              [{"type": "message", "text": "done"}]]
    r, _, _ = mcp_exec(script, fixture_server(log=log))
    assert r.returncode == 0, r.stderr
    came, went = call_times(log)
    assert len(came) == 2 and max(came.values()) < min(went.values())

    log = tmp_path / "rw.log"
    script = [[call("slow", {"seconds": 0.3}, "a"), call("slow", {"seconds": 0.3}, "b")],
              [{"type": "message", "text": "done"}]]
    r, _, _ = mcp_exec(script, fixture_server(log=log, extra='default_tools_approval_mode = "approve"\n'))
    assert r.returncode == 0, r.stderr
    came, went = call_times(log)
    first, second = sorted(came)
    assert went[first] <= came[second]


def test_a_timeout_cancels_the_request_at_the_server(mcp_exec, tmp_path):
    log = tmp_path / "fx.log"
    script = [[call("slow_ro", {"seconds": 5}, "c1")], [{"type": "message", "text": "done"}]]
    r, mock, events = mcp_exec(script, fixture_server(log=log, extra="tool_timeout_sec = 0.5\n"))
    assert r.returncode == 0, r.stderr
    text = without_wall_time(outputs(mock.requests()[1])["c1"])[1]["text"]
    assert text == ("tool call error: tool call failed for `fx/slow_ro`\n\nCaused by:\n"
                    "    timed out awaiting tools/call after 500ms")
    msgs = [e["msg"] for e in read_log(log) if e.get("dir") == "in"]
    [sent] = [m for m in msgs if m.get("method") == "tools/call"]
    [cancel] = [m for m in msgs if m.get("method") == "notifications/cancelled"]
    assert cancel["params"] == {"requestId": sent["id"], "reason": "MCP request cancelled by caller"}


def test_tools_call_carries_the_session_meta(mcp_exec, tmp_path, repo):
    log = tmp_path / "fx.log"
    script = [[call("echo", {"message": "m"}, "c_meta")], [{"type": "message", "text": "done"}]]
    r, mock, events = mcp_exec(script, fixture_server(log=log))
    assert r.returncode == 0, r.stderr
    thread = events[0]["thread_id"]
    [sent] = [e["msg"] for e in read_log(log)
              if e.get("dir") == "in" and e["msg"].get("method") == "tools/call"]
    params = sent["params"]
    assert list(params) == ["_meta", "name", "arguments"]
    meta = params["_meta"]
    assert list(meta) == ["callId", "x-codex-turn-metadata", "threadId", "sessionId", "windowId",
                          "itemId", "progressToken"]
    assert meta["callId"] == "c_meta"
    assert meta["threadId"] == meta["sessionId"] == thread
    assert meta["windowId"] == thread + ":0"
    turn = meta["x-codex-turn-metadata"]
    assert turn["thread_id"] == thread and turn["model"] == "gpt-5.5"
    assert turn["sandbox_mode"] == "read-only" and turn["turn_trigger"] == "exec"
    assert str(repo) in turn["workspaces"]


def test_the_rollout_keeps_the_reference_shape(mcp_exec, codex_home):
    script = [[call("structured", {}, "c1"), call("echo", {"message": "x"}, "c2")],
              [{"type": "message", "text": "done"}]]
    r, _, _ = mcp_exec(script, fixture_server(extra='default_tools_approval_mode = "approve"\n'))
    assert r.returncode == 0, r.stderr
    [path] = list((codex_home / "sessions").rglob("rollout-*.jsonl"))
    lines = [json.loads(l) for l in path.read_text().splitlines()]
    done = [l["payload"]["item"] for l in lines
            if l["type"] == "event_msg" and l["payload"]["type"] == "item_completed"
            and l["payload"]["item"]["type"] == "McpToolCall"]
    by_id = {d["id"]: d for d in done}
    assert by_id["c1"]["result"]["structuredContent"] == {"answer": 42}
    assert by_id["c2"]["readOnlyHint"] is True
    assert list(by_id["c2"]) == ["type", "id", "server", "tool", "arguments", "readOnlyHint",
                                 "status", "result", "duration"]
    assert set(by_id["c2"]["duration"]) == {"secs", "nanos"}
    calls = [l["payload"] for l in lines
             if l["type"] == "response_item" and l["payload"]["type"] == "function_call"]
    assert {c["namespace"] for c in calls} == {"mcp__fx"}


def test_resource_tools(mcp_exec):
    script = [[{"type": "function_call", "name": "list_mcp_resources", "call_id": "r1",
                "arguments": json.dumps({"server": "fx"})},
               {"type": "function_call", "name": "list_mcp_resources", "call_id": "r2",
                "arguments": "{}"},
               {"type": "function_call", "name": "list_mcp_resource_templates", "call_id": "r3",
                "arguments": "{}"},
               {"type": "function_call", "name": "read_mcp_resource", "call_id": "r4",
                "arguments": json.dumps({"server": "fx", "uri": "fixture://hello"})},
               {"type": "function_call", "name": "read_mcp_resource", "call_id": "r5",
                "arguments": json.dumps({"server": "nosrv", "uri": "x"})}],
              [{"type": "message", "text": "done"}]]
    r, mock, events = mcp_exec(script, fixture_server())
    assert r.returncode == 0, r.stderr
    out = outputs(mock.requests()[1])
    resource = {"server": "fx", "uri": "fixture://hello", "name": "hello",
                "description": "A fixture resource", "mimeType": "text/plain"}
    assert json.loads(out["r1"]) == {"server": "fx", "resources": [resource]}
    assert list(json.loads(out["r1"])["resources"][0]) == list(resource)
    assert json.loads(out["r2"]) == {"resources": [resource]}
    assert out["r3"] == '{"resourceTemplates":[]}'
    assert json.loads(out["r4"]) == {"server": "fx", "uri": "fixture://hello", "contents": [
        {"uri": "fixture://hello", "mimeType": "text/plain", "text": "hello resource"}]}
    assert out["r5"] == "unknown MCP server 'nosrv'"
    servers = {e["item"]["tool"] + ":" + e["item"]["server"] for e in items(events)
               if e["type"] == "item.completed"}
    assert "list_mcp_resource_templates:codex" in servers
    assert "read_mcp_resource:fx" in servers


def elicitation_answers(mcp_exec, tmp_path, sandbox):
    log = tmp_path / f"el-{sandbox}.log"
    elicit = pathlib.Path(__file__).resolve().parent / "servers" / "elicit_server.py"
    servers = (f'[mcp_servers.el]\ncommand = "python3"\n'
               f'args = [{toml_str(elicit)}, "--log", {toml_str(log)}]\n')
    script = [[call("ask", {"question": "Name?"}, "c_ask", namespace="mcp__el"),
               call("confirm", {}, "c_confirm", namespace="mcp__el")],
              [{"type": "message", "text": "done"}]]
    r, mock, events = mcp_exec(script, servers, sandbox=sandbox)
    assert r.returncode == 0, r.stderr
    msgs = [e["msg"] for e in read_log(log)]
    asked = {m["id"]: m["params"]["message"] for m in msgs if m.get("method") == "elicitation/create"}
    answers = {asked[m["id"]]: m["result"] for m in msgs if "method" not in m and m.get("id") in asked}
    out = without_wall_time(outputs(mock.requests()[1]))
    return answers, {k: v[1]["text"] for k, v in out.items()}


def test_exec_declines_a_server_s_elicitation(mcp_exec, tmp_path):
    # Nobody to ask in exec: the server hears "decline", as from the
    # reference, and the call goes on with what the server makes of it.
    answers, out = elicitation_answers(mcp_exec, tmp_path, "read-only")
    assert answers == {"Name?": {"action": "decline"}, "Go ahead?": {"action": "decline"}}
    assert out["c_ask"] == '{"action": "decline"}'
    # Without a sandbox a bare confirmation (a form without fields) is a
    # yes; a form that wants answers is still declined.
    answers, out = elicitation_answers(mcp_exec, tmp_path, "danger-full-access")
    assert answers == {"Name?": {"action": "decline"}, "Go ahead?": {"action": "accept", "content": {}}}
    assert out["c_confirm"] == '{"action": "accept", "content": {}}'
