"""A real MCP server, npm's @modelcontextprotocol/server-everything, over
stdio and streamable HTTP: the model sees what the reference's model saw in
the recorded sessions (shared/reference/mcp/everything_*), Wall times
aside.  Skipped when node or the npm packages are not there."""
import json
import pathlib
import re
import shutil
import socket
import subprocess
import time

import pytest

from mcp_helpers import EVERYTHING, outputs

HERE = pathlib.Path(__file__).resolve().parent
CAPTURES = HERE.parents[1].parent / "shared" / "reference" / "mcp"

pytestmark = pytest.mark.skipif(not shutil.which("node") or not EVERYTHING.exists(),
                                reason="node or @modelcontextprotocol/server-everything missing")


def normalized(value):
    text = json.dumps(value)
    text = re.sub(r"Wall time: [^ ]+ seconds", "Wall time: T seconds", text)
    return json.loads(text)


def recorded(name):
    folder = CAPTURES / name
    if not folder.exists():
        pytest.skip(f"the recorded session {folder} is not there")
    script = json.loads((folder / "mock_script.json").read_text())
    requests = [json.loads(l) for l in (folder / "requests.jsonl").read_text().splitlines()]
    return script, requests


def tool_outputs(body):
    out = {}
    for it in body["input"]:
        if it.get("type") == "function_call_output":
            out[it["call_id"]] = it["output"]
        elif it.get("type") == "tool_search_output":
            out[it["call_id"]] = it["tools"]
    return out


def compare(mine, theirs):
    for got, want in zip(mine, theirs):
        g, w = normalized(tool_outputs(got["body"])), normalized(tool_outputs(want))
        assert set(g) == set(w)
        for call_id in w:
            assert g[call_id] == w[call_id], call_id


def test_everything_over_stdio_answers_like_the_reference(mcp_exec):
    script, reference = recorded("everything_stdio")
    servers = (f'[mcp_servers.everything]\ncommand = "node"\nargs = ["{EVERYTHING}", "stdio"]\n'
               'default_tools_approval_mode = "approve"\n')
    r, mock, events = mcp_exec(script, servers, timeout=120)
    assert r.returncode == 0, r.stderr
    mine = mock.requests()
    assert len(mine) == len(reference)
    compare(mine, reference)
    # The developer note names the server by the first line of its instructions.
    note = [p["text"] for p in mine[0]["body"]["input"][1]["content"] if p["text"].startswith("<tools>")]
    assert note and "- mcp__everything: # Everything Server" in note[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_everything_over_streamable_http(mcp_exec, tmp_path):
    script, reference = recorded("everything_http")
    port = free_port()
    server = subprocess.Popen(["node", str(EVERYTHING), "streamableHttp"],
                              env={"PATH": "/usr/bin:/bin", "PORT": str(port)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        servers = (f'[mcp_servers.everything]\nurl = "http://127.0.0.1:{port}/mcp"\n'
                   'default_tools_approval_mode = "approve"\n')
        r, mock, events = mcp_exec(script, servers, timeout=120)
    finally:
        server.kill()
        server.wait()
    assert r.returncode == 0, r.stderr
    mine = mock.requests()
    assert len(mine) == len(reference)
    compare(mine, reference)
    done = [e["item"] for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "mcp_tool_call"]
    assert {d["tool"] for d in done} == {"echo", "get-sum"}
    assert all(d["status"] == "completed" for d in done)
