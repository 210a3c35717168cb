"""Drive `codex app-server` over stdio and check every message it sends
against the protocol schema (../shared/spec relative to the repo root)."""
import base64
import json
import os
import pathlib
import queue
import subprocess
import threading

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))
# shared/ sits beside the main checkout; a worktree under wt/ looks one level up.
SCHEMA_PATH = next((p for p in (ROOT.parent / "shared" / "spec" / "app-server-protocol.v2.schema.json",
                                ROOT.parent.parent / "shared" / "spec" / "app-server-protocol.v2.schema.json")
                    if p.is_file()), ROOT.parent / "shared" / "spec" / "app-server-protocol.v2.schema.json")

# Methods whose response type is not named after their params type.
RESPONSE_OVERRIDES = {
    "config/value/write": "ConfigWriteResponse",
    "config/batchWrite": "ConfigWriteResponse",
    "configRequirements/read": "ConfigRequirementsReadResponse",
    "account/logout": "LogoutAccountResponse",
    "account/read": "GetAccountResponse",
    "account/login/start": "LoginAccountResponse",
    "account/login/cancel": "CancelLoginAccountResponse",
    "account/rateLimits/read": "GetAccountRateLimitsResponse",
    "config/mcpServer/reload": "McpServerRefreshResponse",
}

# The schema has no type for the initialize result; this is what the
# reference sends (userAgent, codexHome, platformFamily, platformOs).
INITIALIZE_RESULT = {
    "type": "object",
    "required": ["userAgent", "codexHome", "platformFamily", "platformOs"],
    "properties": {k: {"type": "string"} for k in
                   ["userAgent", "codexHome", "platformFamily", "platformOs"]},
}

JSONRPC_ERROR = {
    "type": "object",
    "required": ["error", "id"],
    "properties": {
        "id": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
        },
    },
}

# Server requests (approvals) as the reference sends them; the schema file
# defines client requests and notifications only.
SERVER_REQUEST = {
    "type": "object",
    "required": ["id", "method", "params"],
    "properties": {
        "id": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "method": {"enum": ["item/commandExecution/requestApproval",
                            "item/fileChange/requestApproval",
                            "item/tool/requestUserInput"]},
        "params": {
            "type": "object",
            "required": ["threadId", "turnId", "itemId"],
            "properties": {
                "threadId": {"type": "string"}, "turnId": {"type": "string"},
                "itemId": {"type": "string"}, "reason": {"type": ["string", "null"]},
                "command": {"type": ["string", "null"]}, "cwd": {"type": ["string", "null"]},
                "proposedExecpolicyAmendment": {"type": ["array", "null"],
                                                "items": {"type": "string"}},
            },
        },
    },
}

# mcpServer/elicitation/request (MCP tool-call approvals and servers'
# elicitation/create), as the reference's `app-server generate-json-schema`
# writes McpServerElicitationRequestParams; the shared file lacks it.
ELICITATION_REQUEST = {
    "type": "object",
    "required": ["id", "method", "params"],
    "properties": {
        "id": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "method": {"enum": ["mcpServer/elicitation/request"]},
        "params": {
            "type": "object",
            "required": ["serverName", "threadId"],
            "properties": {"serverName": {"type": "string"}, "threadId": {"type": "string"},
                           "turnId": {"type": ["string", "null"]}},
            "oneOf": [
                {"type": "object", "required": ["message", "mode", "requestedSchema"],
                 "properties": {"message": {"type": "string"}, "mode": {"enum": ["form"]},
                                "requestedSchema": {
                                    "type": "object", "required": ["properties", "type"],
                                    "properties": {"type": {"enum": ["object"]},
                                                   "properties": {"type": "object"},
                                                   "required": {"type": ["array", "null"],
                                                                "items": {"type": "string"}}}}}},
                {"type": "object", "required": ["message", "mode", "requestedSchema"],
                 "properties": {"message": {"type": "string"},
                                "mode": {"enum": ["openai/form", "openaiForm"]}}},
                {"type": "object", "required": ["elicitationId", "message", "mode", "url"],
                 "properties": {"elicitationId": {"type": "string"}, "message": {"type": "string"},
                                "mode": {"enum": ["url"]}, "url": {"type": "string"}}},
            ],
        },
    },
}

# Responses the shared schema file has no definition for, as the reference's
# `app-server generate-json-schema --experimental` writes them.
EXTRA_RESPONSES = {
    "fuzzyFileSearch": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"$ref": "#/definitions/FuzzyFileSearchResult"}}}},
    "fuzzyFileSearch/sessionStart": {"type": "object"},
    "fuzzyFileSearch/sessionUpdate": {"type": "object"},
    "fuzzyFileSearch/sessionStop": {"type": "object"},
    "collaborationMode/list": {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "array", "items": {"$ref": "#/definitions/CollaborationModeMask"}}}},
    # experimental, outside the stable schema: an empty object
    "thread/backgroundTerminals/clean": {"type": "object", "maxProperties": 0},
}

_schema_cache = {}


def load_schema():
    if "schema" not in _schema_cache:
        if not SCHEMA_PATH.is_file():
            raise RuntimeError(
                f"protocol schema not found at {SCHEMA_PATH}: the tests need the shared/ "
                "directory beside the repository (shared/spec/app-server-protocol.v2.schema.json)")
        schema = json.loads(SCHEMA_PATH.read_text())
        defs = schema["definitions"]
        responses = {}
        for variant in defs["ClientRequest"]["oneOf"]:
            method = variant["properties"]["method"]["enum"][0]
            params = variant["properties"].get("params", {})
            ref = params.get("$ref") or next(
                (a.get("$ref") for a in params.get("anyOf", []) if "$ref" in a), None)
            name = RESPONSE_OVERRIDES.get(method)
            if not name and ref:
                name = ref.rsplit("/", 1)[1].replace("Params", "Response")
            if name in defs:
                responses[method] = name
        _schema_cache["schema"] = schema
        _schema_cache["responses"] = responses
        _schema_cache["client_methods"] = [
            v["properties"]["method"]["enum"][0] for v in defs["ClientRequest"]["oneOf"]]
    return _schema_cache["schema"]


def client_methods():
    load_schema()
    return _schema_cache["client_methods"]


_validators = {}


def _validate(instance, subschema):
    key = json.dumps(subschema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        schema = load_schema()
        # Checking the 700-definition schema itself once per type is enough.
        validator = jsonschema.Draft7Validator({"definitions": schema["definitions"], **subschema})
        _validators[key] = validator
    validator.validate(instance)


def validate_message(msg, method_of_id):
    """Validate one server message; method_of_id maps request ids we sent to methods."""
    load_schema()
    assert isinstance(msg, dict), msg
    assert "jsonrpc" not in msg, msg
    if "method" in msg and "id" not in msg:
        _validate(msg, {"$ref": "#/definitions/ServerNotification"})
        return
    if "method" in msg:
        # A server request: the schema file has no definitions for them, so
        # the approval requests are checked against the reference's fields.
        _validate(msg, ELICITATION_REQUEST if msg["method"] == "mcpServer/elicitation/request"
                  else SERVER_REQUEST)
        return
    if "error" in msg:
        _validate(msg, JSONRPC_ERROR)
        return
    assert "result" in msg and "id" in msg, f"not a response: {msg}"
    method = method_of_id.get(json.dumps(msg["id"]))
    assert method, f"response to an id we never sent: {msg}"
    if method == "initialize":
        _validate(msg["result"], INITIALIZE_RESULT)
        return
    if method in EXTRA_RESPONSES:
        _validate(msg["result"], EXTRA_RESPONSES[method])
        return
    name = _schema_cache["responses"].get(method)
    assert name, f"no response type in the schema for {method}"
    _validate(msg["result"], {"$ref": f"#/definitions/{name}"})


class AppServer:
    """One `codex app-server` process.  Every message read is validated."""

    def __init__(self, binary, env, cwd=None, args=()):
        self.proc = subprocess.Popen([str(binary), "app-server", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     cwd=cwd)
        self.lines = queue.Queue()
        self.stderr_chunks = []
        self.method_of_id = {}
        self.next_id = 1
        self.pending = []  # messages read but not yet consumed
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    def _pump_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _pump_stderr(self):
        for chunk in self.proc.stderr:
            self.stderr_chunks.append(chunk)

    @property
    def stderr(self):
        return b"".join(self.stderr_chunks).decode(errors="replace")

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        if "id" in msg and "method" in msg:
            self.method_of_id[json.dumps(msg["id"])] = msg["method"]
        self.send_raw(json.dumps(msg) + "\n")

    def request(self, method, params=None, id=None, omit_params=False):
        if id is None:
            id = self.next_id
            self.next_id += 1
        msg = {"id": id, "method": method}
        if not omit_params:
            msg["params"] = {} if params is None else params
        self.send(msg)
        return id

    def read(self, timeout=30):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise EOFError("app-server closed stdout; stderr:\n" + self.stderr)
        msg = json.loads(line)
        validate_message(msg, self.method_of_id)
        return msg

    def response(self, id, timeout=30):
        """Read until the answer to id; other messages are kept for later."""
        for i, m in enumerate(self.pending):
            if "method" not in m and m.get("id") == id:
                return self.pending.pop(i)
        while True:
            m = self.read(timeout)
            if "method" not in m and m.get("id") == id:
                return m
            self.pending.append(m)

    def call(self, method, params=None, **kw):
        return self.response(self.request(method, params, **kw))

    def notifications(self, method=None):
        got = [m for m in self.pending if "method" in m and (method is None or m["method"] == method)]
        self.pending = [m for m in self.pending if m not in got]
        return got

    def initialize(self, capabilities=None, name="codex-c-tests", version="1.0"):
        params = {"clientInfo": {"name": name, "version": version}}
        if capabilities is not None:
            params["capabilities"] = capabilities
        r = self.call("initialize", params)
        assert "result" in r, r
        self.send({"method": "initialized"})
        # The reference announces remote control (off) once the client is ready.
        while True:
            m = self.read()
            if m.get("method") == "remoteControl/status/changed":
                self.remote_control = m["params"]
                break
            self.pending.append(m)
        return r["result"]

    def close(self, timeout=30):
        """Close stdin, drain stdout (validating it) and return the exit status."""
        if self.proc.stdin.closed:
            return self.proc.wait(timeout=timeout)
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rest = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                break
            msg = json.loads(line)
            validate_message(msg, self.method_of_id)
            rest.append(msg)
        self.pending.extend(rest)
        return self.proc.wait(timeout=timeout)


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)
