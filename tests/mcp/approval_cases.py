"""MCP approvals and elicitation in the app server: one session against
elicit_server.py with a scripted model, whose server requests, answers and
items the reference 0.169 gave (data/approval_reference.json, written by
record_approval_reference.py) and ours must give.

Each turn's prompt names a scenario of the mock model; every server request
the app server sends is answered with the next entry of ANSWERS."""
import json
import os
import pathlib
import queue
import re
import subprocess
import sys
import threading
import time

from mcp_helpers import toml_str

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE = HERE / "data" / "approval_reference.json"
ELICIT = HERE / "servers" / "elicit_server.py"
MOCK = HERE.parent / "mock" / "responses_mock.py"


def fc(name, args, call_id):
    return {"type": "function_call", "name": name, "namespace": "mcp__el", "call_id": call_id,
            "arguments": json.dumps(args)}


SCENARIOS = {
    "WRITE": [[fc("write", {"text": "one"}, "c_write")], [{"type": "message", "text": "wrote"}]],
    "ASK": [[fc("ask", {"question": "Your name?"}, "c_ask")], [{"type": "message", "text": "asked"}]],
    "DENY": [[fc("write", {"text": "two"}, "c_deny")], [{"type": "message", "text": "denied"}]],
    "LOOK": [[fc("look", {}, "c_look")], [{"type": "message", "text": "looked"}]],
    "CANCEL": [[fc("ask", {"question": "Really?"}, "c_cancel")],
               [{"type": "message", "text": "cancelled"}]],
    "SESSION": [[fc("write", {"text": "s1"}, "c_s1")], [fc("write", {"text": "s2"}, "c_s2")],
                [{"type": "message", "text": "twice"}]],
    "REWRITE": [[fc("write", {"text": "re"}, "c_rewrite")], [{"type": "message", "text": "rewrote"}]],
    "LINK": [[fc("link", {}, "c_link")], [{"type": "message", "text": "linked"}]],
    "POLICY": [[fc("ask", {"question": "Name?"}, "c_pask"), fc("confirm", {}, "c_pconfirm")],
               [{"type": "message", "text": "policy"}]],
    "ABORT": [[fc("write", {"text": "a"}, "c_abort")], [{"type": "message", "text": "aborted"}]],
    "ALWAYS": [[fc("poke", {}, "c_always")], [fc("poke", {}, "c_always2")],
               [{"type": "message", "text": "always"}]],
}
# (prompt, answers to the server requests the turn brings, in order)
TURNS = [
    ("WRITE: please", [{"action": "accept", "content": None, "_meta": None}]),
    ("ASK: please", [{"action": "accept", "content": {"answer": "Bob", "sure": True}, "_meta": None}]),
    ("DENY: please", [{"action": "decline", "content": None, "_meta": None}]),
    ("LOOK: please", []),
    ("CANCEL: please", [{"action": "cancel", "content": None, "_meta": None}]),
    ("LINK: please", [{"action": "accept", "content": None, "_meta": None}]),
    ("ABORT: please", [{"action": "cancel"}]),
    # Approved for the session: the second call is not asked about, nor
    # any later one.
    ("SESSION: please", [{"action": "accept", "_meta": {"persist": "session"}}]),
    ("REWRITE: please", []),
    # Approved for good: written into config.toml.
    ("ALWAYS: please", [{"action": "accept", "_meta": {"persist": "always"}}]),
]

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WALL = re.compile(r"Wall time: [0-9.]+ seconds")
VOLATILE = {"emittedAtMs", "startedAtMs", "completedAtMs", "durationMs", "duration", "ts"}


def normalize(value):
    return json.loads(WALL.sub("Wall time: T seconds", UUID.sub("UUID", json.dumps(_cut(value)))))


def _cut(v):
    if isinstance(v, dict):
        return {k: _cut(x) for k, x in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [_cut(x) for x in v]
    return v


def start_mock(scratch):
    scenarios = scratch / "scenarios.json"
    scenarios.write_text(json.dumps(SCENARIOS))
    (scratch / "script.json").write_text("[]")
    p = subprocess.Popen([sys.executable, str(MOCK), str(scratch / "script.json"),
                          str(scratch / "requests.jsonl"), "--scenarios", str(scenarios)],
                         stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, port


def config(port, log, extra=""):
    return (f'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "on-request"\n'
            f'sandbox_mode = "read-only"\n{extra}\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
            f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n\n'
            f'[mcp_servers.el]\ncommand = "python3"\nargs = [{toml_str(ELICIT)}, "--log", {toml_str(log)}]\n')


class Session:
    """An app server on stdio; every message in and out is kept."""

    def __init__(self, binary, scratch, config_text, on_message=None):
        for d in ("home", "ch", "tmp", "w"):
            (scratch / d).mkdir(parents=True, exist_ok=True)
        (scratch / "ch" / "config.toml").write_text(config_text)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch / "home"),
               "CODEX_HOME": str(scratch / "ch"), "TMPDIR": str(scratch / "tmp"), "TERM": "xterm",
               "MOCK_API_KEY": "sk-test", "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
        self.p = subprocess.Popen([str(binary), "app-server"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env, cwd=scratch / "w")
        self.lines = queue.Queue()
        self.err = []
        self.on_message = on_message
        self.transcript = []
        self.next_id = 0
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.p.stdout] +
                         [self.lines.put(None)], daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.p.stderr), daemon=True).start()

    def read(self, timeout=60):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise EOFError("".join(self.err))
        m = json.loads(line)
        if self.on_message:
            self.on_message(m)
        self.transcript.append(("in", m))
        return m

    def send(self, msg):
        if self.on_message and "method" in msg and "id" in msg:
            self.on_message(msg, sent=True)
        self.transcript.append(("out", msg))
        self.p.stdin.write(json.dumps(msg) + "\n")
        self.p.stdin.flush()

    def ask(self, method, params=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        while True:
            m = self.read()
            if m.get("id") == self.next_id and "method" not in m:
                return m

    def close(self):
        self.p.stdin.close()
        try:
            while True:
                self.read(30)
        except EOFError:
            pass
        return self.p.wait(timeout=30)


def run_turn(s, thread, prompt, answers):
    """One turn; server requests answered from answers.  Returns what the
    turn brought: [("request", method, params), ("item", item) ...]."""
    got = []
    answers = list(answers)
    s.ask("turn/start", {"threadId": thread, "input": [{"type": "text", "text": prompt}]})
    while True:
        m = s.read()
        method = m.get("method")
        if method and "id" in m:
            got.append({"request": method, "params": m.get("params")})
            s.send({"id": m["id"], "result": answers.pop(0) if answers else {}})
        elif method in ("item/started", "item/completed") and \
                m["params"]["item"]["type"] == "mcpToolCall":
            got.append({method: m["params"]["item"]})
        elif method == "serverRequest/resolved":
            got.append({"resolved": True})
        elif method == "thread/status/changed":
            got.append({"status": m["params"]["status"]})
        elif method == "turn/completed":
            got.append({"turn": m["params"]["turn"]["status"]})
            return got


def direct_call(s, thread):
    """mcpServer/tool/call of `ask` outside any turn: its elicitation."""
    s.next_id += 1
    call_id = s.next_id
    s.send({"id": call_id, "method": "mcpServer/tool/call",
            "params": {"threadId": thread, "server": "el", "tool": "ask",
                       "arguments": {"question": "Direct?"}}})
    got = []
    while True:
        m = s.read()
        if m.get("method") and "id" in m:
            got.append({"request": m["method"], "params": m.get("params")})
            s.send({"id": m["id"], "result": {"action": "decline"}})
        elif m.get("id") == call_id:
            got.append({"answer": m.get("result", m.get("error"))})
            return got


def run_session(binary, scratch, on_message=None):
    """Returns (answers by turn prompt, tool outputs the model saw, the
    server's log path, rc, stderr)."""
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    mock, port = start_mock(scratch)
    log = scratch / "el.log"
    try:
        s = Session(binary, scratch, config(port, log), on_message)
        s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"},
                             "capabilities": {"experimentalApi": True}})
        s.send({"method": "initialized"})
        thread = s.ask("thread/start", {})["result"]["thread"]["id"]
        out = {}
        for prompt, answers in TURNS:
            out[prompt] = normalize(run_turn(s, thread, prompt, answers))
        out["direct"] = normalize(direct_call(s, thread))
        rc = s.close()
        # What "always" added after the server's own lines.
        out["config"] = (scratch / "ch" / "config.toml").read_text().split(
            '"--log", ' + toml_str(log) + "]\n")[1]
    finally:
        mock.kill()
        mock.wait()
    outputs = {}
    for line in (scratch / "requests.jsonl").read_text().splitlines():
        body = json.loads(line).get("body") or {}
        for it in body.get("input", []):
            if it.get("type") == "function_call_output":
                outputs[it["call_id"]] = normalize(it["output"])
    return out, outputs, log, rc, "".join(s.err)


def run_required(binary, scratch):
    """thread/start with a required server that cannot start: the answer."""
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    s = Session(binary, scratch, 'model = "gpt-5.5"\n[mcp_servers.gone]\ncommand = "/nonexistent/prog"\n'
                'required = true\n[mcp_servers.gone2]\ncommand = "/nonexistent/prog2"\n')
    s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"}})
    s.send({"method": "initialized"})
    got = s.ask("thread/start", {})
    rc = s.close()
    return {k: v for k, v in got.items() if k != "id"}, rc, "".join(s.err)


def run_required_resume(binary, scratch):
    """thread/resume and thread/fork of a stored thread once a required
    server that cannot start is configured: the answers."""
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    mock, port = start_mock(scratch)
    base = (f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "http://127.0.0.1:{port}/v1"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n')
    try:
        s = Session(binary, scratch, base)
        s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"}})
        s.send({"method": "initialized"})
        thread = s.ask("thread/start", {})["result"]["thread"]["id"]
        run_turn(s, thread, "LOOK: a turn, so that the thread is stored", [])
        s.close()
        s = Session(binary, scratch, base + '[mcp_servers.gone]\ncommand = "/nonexistent/prog"\n'
                    'required = true\n')
        s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"}})
        s.send({"method": "initialized"})
        got = {m: s.ask(m, {"threadId": thread}) for m in ("thread/resume", "thread/fork")}
        rc = s.close()
    finally:
        mock.kill()
        mock.wait()
    return {m: {k: v for k, v in r.items() if k != "id"} for m, r in got.items()}, rc, "".join(s.err)


# (approvalPolicy, sandbox) of thread/start for run_policy.
POLICIES = [("never", "read-only"), ("never", "danger-full-access"), ("on-request", "danger-full-access")]


def run_policy(binary, scratch, approval, sandbox):
    """A thread under approval policy `approval` and `sandbox`: a form and
    a bare confirmation from the server.  Returns (what the turn brought,
    the server's answers by tool)."""
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    mock, port = start_mock(scratch)
    log = scratch / "el.log"
    try:
        s = Session(binary, scratch, config(port, log))
        s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"}})
        s.send({"method": "initialized"})
        thread = s.ask("thread/start", {"approvalPolicy": approval,
                                        "sandbox": sandbox})["result"]["thread"]["id"]
        got = normalize(run_turn(s, thread, "POLICY: please", []))
        rc = s.close()
    finally:
        mock.kill()
        mock.wait()
    msgs = [json.loads(l)["msg"] for l in log.read_text().splitlines()]
    asked = {m["id"]: m["params"]["message"] for m in msgs if m.get("method") == "elicitation/create"}
    answers = {asked[m["id"]]: m.get("result") for m in msgs
               if "method" not in m and m.get("id") in asked}
    return [g for g in got if "request" in g or "turn" in g], answers, rc, "".join(s.err)


def run_interrupt(binary, scratch):
    """A turn interrupted while the server's elicitation waits for the
    client.  Returns (the elicitation's request id, what the client got
    after turn/interrupt, what the server got back for its elicitation,
    rc, stderr)."""
    scratch = pathlib.Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    mock, port = start_mock(scratch)
    log = scratch / "el.log"
    try:
        s = Session(binary, scratch, config(port, log))
        s.ask("initialize", {"clientInfo": {"name": "t", "version": "1"},
                             "capabilities": {"experimentalApi": True}})
        s.send({"method": "initialized"})
        thread = s.ask("thread/start", {})["result"]["thread"]["id"]
        turn = s.ask("turn/start", {"threadId": thread, "input": [
            {"type": "text", "text": "ASK: please"}]})["result"]["turn"]["id"]
        while True:
            m = s.read()
            if m.get("method") == "mcpServer/elicitation/request":
                request_id = m["id"]
                break
        s.ask("turn/interrupt", {"threadId": thread, "turnId": turn})
        after = [m for _, m in s.transcript[s.transcript.index(("in", m)) + 1:]]
        # The resolution may come before or after turn/completed.
        deadline = time.time() + 30
        while time.time() < deadline and not (
                any(x.get("method") == "turn/completed" for x in after) and
                any(x.get("method") == "serverRequest/resolved" for x in after)):
            try:
                after.append(s.read(timeout=1))
            except queue.Empty:
                pass
        rc = s.close()
    finally:
        mock.kill()
        mock.wait()
    msgs = [json.loads(l)["msg"] for l in log.read_text().splitlines()]
    asked = [x["id"] for x in msgs if x.get("method") == "elicitation/create"]
    answers = [x.get("result") for x in msgs if "method" not in x and x.get("id") in asked]
    return request_id, after, answers, rc, "".join(s.err)
