"""Shared pieces of the MCP tests (named uniquely so that no other suite's
module shadows it)."""
import json
import os
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
FIXTURE = HERE / "servers" / "mcp_fixture_server.py"
ODD = HERE / "servers" / "odd_server.py"
PEERS = pathlib.Path(os.environ.get("CODEX_MCP_PEERS", HERE.parents[1] / "build" / "mcp-peers" /
                                    "node_modules"))
EVERYTHING = PEERS / "@modelcontextprotocol" / "server-everything" / "dist" / "index.js"


def toml_str(s):
    return json.dumps(str(s))


def fixture_server(name="fx", log=None, mode=None, extra=""):
    args = [str(FIXTURE)]
    if log:
        args += ["--log", str(log)]
    if mode:
        args += ["--mode", mode]
    return (f'[mcp_servers.{toml_str(name)}]\ncommand = "python3"\n'
            f'args = [{", ".join(toml_str(a) for a in args)}]\n{extra}\n')


def odd_server(name="odd", mode="normal", log=None, extra=""):
    args = [str(ODD), "--mode", mode]
    if log:
        args += ["--log", str(log)]
    return (f'[mcp_servers.{toml_str(name)}]\ncommand = "python3"\n'
            f'args = [{", ".join(toml_str(a) for a in args)}]\n{extra}\n')


def exec_config(codex_home, port, servers_toml, model="gpt-5.5", top=""):
    (codex_home / "config.toml").write_text(
        f'model = "{model}"\nmodel_provider = "mock"\n{top}\n'
        f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n\n{servers_toml}')


def call(name, args, call_id, namespace="mcp__fx"):
    """A namespaced function call the scripted model makes."""
    return {"type": "function_call", "name": name, "namespace": namespace, "call_id": call_id,
            "arguments": args if isinstance(args, str) else json.dumps(args)}


def search(query, call_id="ts_1", limit=None):
    arguments = {"query": query}
    if limit is not None:
        arguments["limit"] = limit
    return {"type": "raw_item", "item": {"type": "tool_search_call", "call_id": call_id,
                                         "execution": "client", "status": "completed",
                                         "arguments": arguments}}


def outputs(request):
    """call_id -> output of the tool outputs in a request body."""
    return {it["call_id"]: it.get("output", it.get("tools"))
            for it in request["body"]["input"]
            if it.get("type") in ("function_call_output", "tool_search_output")}


def without_wall_time(output):
    text = json.dumps(output)
    return json.loads(re.sub(r"Wall time: [0-9.]+ seconds", "Wall time: T seconds", text))


def read_log(path):
    if not pathlib.Path(path).exists():
        return []
    return [json.loads(l) for l in pathlib.Path(path).read_text().splitlines() if l.strip()]


def items(events, type_="mcp_tool_call"):
    return [e for e in events if e.get("item", {}).get("type") == type_]


CODEX_BIN_PATH = os.environ.get("CODEX_BIN", str(HERE.parents[1] / "build" / "asan" / "codex"))


class SchemaCheck:
    """Checks every message of an app-server session against the protocol
    schema (tests/app_server/appserver.py, which the caller has on its path)."""

    def __init__(self):
        from appserver import validate_message
        self.validate = validate_message
        self.method_of_id = {}

    def __call__(self, msg, sent=False):
        if sent:
            self.method_of_id[json.dumps(msg["id"])] = msg["method"]
        else:
            self.validate(msg, self.method_of_id)


def sanitizer_clean(stderr):
    assert "ERROR: AddressSanitizer" not in stderr and "runtime error" not in stderr, stderr
