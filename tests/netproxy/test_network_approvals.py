"""Network approvals: a sandboxed command's request to a host no rule covers
is asked about (under on-request), the connection waits for the answer,
and the answer decides: once, for the session, always (a network_rule in
default.rules that the next session honours), or no (a 403 carrying a
one-line reason).  codex exec has nobody to ask and refuses; with
approvals_reviewer = "auto_review" the reviewer answers instead of the
client.

Everything runs inside the test's network namespace (np_support.World):
the origin on 11.7.0.2, the scripted model, and `codex app-server` behind
a one-line wrapper that enters the namespace."""
import json
import pathlib
import queue
import sys
import time

import jsonschema
import pytest

from np_support import CODEX_BIN, HTTP_PORT, needs_netns, profile, test_ca, world  # noqa: F401

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))
sys.path.insert(0, str(HERE.parent / "tui"))
from appserver import AppServer  # noqa: E402
from tuihelp import Tui, have_tmux, sanitizer_clean  # noqa: E402

MOCK = HERE.parent / "mock" / "responses_mock.py"

pytestmark = needs_netns

# The request's params as the reference's `app-server generate-json-schema`
# writes CommandExecutionRequestApprovalParams (0.169.0), the parts a
# network question uses.
NETWORK_APPROVAL_PARAMS = {
    "type": "object",
    "required": ["itemId", "startedAtMs", "threadId", "turnId"],
    "properties": {
        "threadId": {"type": "string"}, "turnId": {"type": "string"}, "itemId": {"type": "string"},
        "startedAtMs": {"type": "integer"},
        "kind": {"enum": ["command", "writeStdin", "humanCommand"]},
        "command": {"type": ["string", "null"]}, "cwd": {"type": ["string", "null"]},
        "reason": {"type": ["string", "null"]},
        "networkApprovalContext": {
            "type": "object", "required": ["host", "protocol"],
            "properties": {"host": {"type": "string"},
                           "protocol": {"enum": ["http", "https", "socks5Tcp", "socks5Udp"]}}},
        "proposedNetworkPolicyAmendments": {
            "type": ["array", "null"],
            "items": {"type": "object", "required": ["action", "host"],
                      "properties": {"action": {"enum": ["allow", "deny"]}, "host": {"type": "string"}}}},
        "availableDecisions": {
            "type": ["array", "null"],
            "items": {"oneOf": [
                {"enum": ["accept"]}, {"enum": ["acceptForSession"]}, {"enum": ["decline"]}, {"enum": ["cancel"]},
                {"type": "object", "additionalProperties": False, "required": ["acceptWithExecpolicyAmendment"]},
                {"type": "object", "additionalProperties": False, "required": ["applyNetworkPolicyAmendment"],
                 "properties": {"applyNetworkPolicyAmendment": {
                     "type": "object", "required": ["network_policy_amendment"],
                     "properties": {"network_policy_amendment": {
                         "type": "object", "required": ["action", "host"],
                         "properties": {"action": {"enum": ["allow", "deny"]},
                                        "host": {"type": "string"}}}}}}},
            ]}},
    },
}

URL = f"http://other.test:{HTTP_PORT}/"


def curl(url=URL):
    # The body, then the status, kept in the workspace: when the proxy
    # refused a request the model gets the refusal instead of the output.
    return f'curl -s -S --max-time 30 -w "\\nstatus=%{{http_code}}\\n" {url} >> result.txt 2>&1 || true'


BLOCKED = ('exec_command failed: ProcessFailed { message: "Network access to \\"other.test\\" was blocked: '
           'domain is not on the allowlist for the current sandbox mode." }')


def result(world):
    path = world.ws / "result.txt"
    return path.read_text() if path.exists() else ""


def exec_call(cmd, call_id="c1"):
    return {"type": "function_call", "name": "exec_command", "call_id": call_id,
            "arguments": json.dumps({"cmd": cmd, "yield_time_ms": 30000, "login": False})}


class Session:
    """The scripted model and an app server, both inside the namespace."""

    def __init__(self, world, script, approval="on-request", extra_top=""):
        self.world = world
        path = world.base / "script.json"
        path.write_text(json.dumps(script))
        self.log = world.base / "requests.jsonl"
        import subprocess
        self.mock = subprocess.Popen(["ip", "netns", "exec", world.ns, sys.executable, str(MOCK), str(path),
                                      str(self.log)], stdout=subprocess.PIPE, text=True)
        port = int(self.mock.stdout.readline().split()[1])
        world.config(f'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "{approval}"\n{extra_top}' +
                     profile({"allowed.test": "allow"}) +
                     f'\n[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
                     'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
                     f'\n[projects."{world.ws}"]\ntrust_level = "trusted"\n')
        wrapper = world.base / "ns-codex"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {world.ns} {CODEX_BIN} "$@"\n')
        wrapper.chmod(0o755)
        self.server = None

    def app_server(self):
        self.server = AppServer(self.world.base / "ns-codex", self.world.env({"MOCK_API_KEY": "x"}),
                                cwd=self.world.ws)
        self.server.initialize()
        return self.server

    def requests(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]

    def output(self, call_id="c1"):
        for r in self.requests():
            for item in r["body"].get("input", []):
                if item.get("call_id") == call_id and item.get("type") == "function_call_output":
                    return item["output"]
        return None

    def close(self):
        if self.server and self.server.proc.poll() is None:
            assert self.server.close() == 0, self.server.stderr
        if self.server:
            err = self.server.stderr
            assert "ERROR: AddressSanitizer" not in err and "runtime error" not in err, err
        self.mock.kill()
        self.mock.wait()


@pytest.fixture
def session(world):
    made = []

    def make(script, **kw):
        s = Session(world, script, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def next_message(server, pred, timeout=60):
    for i, m in enumerate(server.pending):
        if pred(m):
            return server.pending.pop(i)
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = server.read(timeout=max(1, deadline - time.time()))
        if pred(m):
            return m
        server.pending.append(m)
    raise AssertionError("no such message; stderr:\n" + server.stderr)


def approval(server):
    return next_message(server, lambda m: m.get("method") == "item/commandExecution/requestApproval" and "id" in m)


def turn_done(server, timeout=90):
    return next_message(server, lambda m: m.get("method") == "turn/completed", timeout)["params"]["turn"]


def start(server, world, **params):
    r = server.call("thread/start", {"cwd": str(world.ws), "approvalPolicy": "on-request", **params})
    assert "result" in r, r
    thread = r["result"]["thread"]
    r = server.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "fetch it"}]})
    assert "result" in r, r
    return thread


def script_one(cmd):
    return [[exec_call(cmd)], [{"type": "message", "text": "done"}]]


def test_question_shape_and_approval_once(session, world):
    s = session(script_one(curl()))
    server = s.app_server()
    thread = start(server, world)
    req = approval(server)
    p = req["params"]
    jsonschema.validate(p, NETWORK_APPROVAL_PARAMS)
    assert p["threadId"] == thread["id"]
    assert p["networkApprovalContext"] == {"host": "other.test", "protocol": "http"}
    assert p["command"] == f"network-access http://other.test:{HTTP_PORT}"
    assert p["itemId"] == f"network#http#other.test#{HTTP_PORT}"
    assert p["reason"] == "other.test is not in the allowed_domains"
    assert p["proposedNetworkPolicyAmendments"] == [{"host": "other.test", "action": "allow"},
                                                     {"host": "other.test", "action": "deny"}]
    assert p["availableDecisions"] == [
        "accept", "acceptForSession",
        {"applyNetworkPolicyAmendment": {"network_policy_amendment": {"host": "other.test", "action": "allow"}}},
        "cancel"]
    # The connection waits: nothing has reached the model yet.
    assert s.output() is None
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_done(server)["status"] == "completed"
    assert "status=200" in result(world), result(world)
    assert "Process exited with code 0" in s.output()
    assert any(e.get("host") == "other.test" and e.get("decision") == "ask" for e in world.log())


def test_declined_request_gets_a_403_with_the_reason(session, world):
    s = session(script_one(curl()))
    server = s.app_server()
    start(server, world)
    req = approval(server)
    server.send({"id": req["id"], "result": {"decision": "decline"}})
    assert turn_done(server)["status"] == "completed"
    out = result(world)
    assert "status=403" in out, out
    body = json.loads(out[out.index("{"):out.index("}") + 1])
    assert body["host"] == "other.test" and body["reason"] == "not_allowed"
    assert body["message"] == "Declined by the user."
    # The command failed with the reference's words for the model.
    assert s.output() == BLOCKED
    done = [m for m in server.pending if m.get("method") == "item/completed"
            and m["params"]["item"].get("id") == "c1"]
    assert done and done[0]["params"]["item"]["status"] == "failed"
    assert done[0]["params"]["item"]["exitCode"] == -1
    # A declined network question ends only that request, not the turn.
    assert len(s.requests()) == 2


def test_a_plain_decline_holds_for_that_request_only(session, world):
    s = session(script_one(curl() + "; " + curl()))
    server = s.app_server()
    start(server, world)
    for _ in range(2):
        req = approval(server)
        server.send({"id": req["id"], "result": {"decision": "decline"}})
    assert turn_done(server)["status"] == "completed"
    assert result(world).count("status=403") == 2
    assert not (world.home / "rules" / "default.rules").exists()


def test_approved_for_the_session_is_not_asked_again(session, world):
    s = session(script_one(curl() + "; " + curl()))
    server = s.app_server()
    start(server, world)
    req = approval(server)
    server.send({"id": req["id"], "result": {"decision": "acceptForSession"}})
    assert turn_done(server)["status"] == "completed"
    out = result(world)
    assert out.count("status=200") == 2, out
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    # Once only: "accept" leaves the next request to ask again.
    assert not (world.home / "rules" / "default.rules").exists()


def test_accepted_once_asks_again(session, world):
    s = session(script_one(curl() + "; " + curl()))
    server = s.app_server()
    start(server, world)
    for _ in range(2):
        req = approval(server)
        server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_done(server)["status"] == "completed"
    assert result(world).count("status=200") == 2


def next_session_reaches_the_host(session, world, successes):
    """A new exec session under `never` (nobody to ask) fetches over plain
    HTTP; the result file then holds `successes` good fetches."""
    s2 = session(script_one(curl()), approval="never")
    r = world.in_ns([str(CODEX_BIN), "exec", "--json", "--skip-git-repo-check", "go"], env={"MOCK_API_KEY": "x"},
                    timeout=120)
    assert r.returncode == 0, r.stderr
    assert result(world).count("status=200") == successes
    assert "Process exited with code 0" in s2.output()


def test_always_writes_a_network_rule_the_next_session_honours(session, world):
    s = session(script_one(curl()))
    server = s.app_server()
    start(server, world)
    req = approval(server)
    allow = {"applyNetworkPolicyAmendment": {"network_policy_amendment": {"host": "other.test", "action": "allow"}}}
    server.send({"id": req["id"], "result": {"decision": allow}})
    assert turn_done(server)["status"] == "completed"
    assert "status=200" in result(world)
    rules = (world.home / "rules" / "default.rules").read_text()
    assert ('network_rule(host="other.test", protocol="http", decision="allow", '
            'justification="Allow http access to other.test")') in rules
    # The model is told the rule was saved, as the reference tells it.
    last = s.requests()[-1]["body"]["input"]
    assert any(i.get("role") == "developer" and "Allowed network rule saved in execpolicy (allowlist): other.test"
               in json.dumps(i) for i in last)
    assert server.close() == 0
    s.close()
    # A new session under `never` (nobody to ask) reaches the host by the rule.
    next_session_reaches_the_host(session, world, successes=2)


def test_exec_declines_without_asking(session, world):
    s = session(script_one(curl()))
    r = world.in_ns([str(CODEX_BIN), "exec", "--json", "--skip-git-repo-check", "go"], env={"MOCK_API_KEY": "x"},
                    timeout=120)
    assert r.returncode == 0, r.stderr
    out = result(world)
    assert "status=403" in out, out
    body = json.loads(out[out.index("{"):out.index("}") + 1])
    assert body["reason"] == "not_allowed" and body["message"] == "Domain not in allowlist."
    assert s.output() == BLOCKED
    assert not any(e.get("decision") == "ask" for e in world.log())


def verdict(outcome, rationale):
    return [{"type": "message", "text": json.dumps(
        {"risk_level": "low" if outcome == "allow" else "high", "user_authorization": "high",
         "outcome": outcome, "rationale": rationale})}]


@pytest.mark.parametrize("outcome", ["allow", "deny"])
def test_auto_review_answers_network_questions(session, world, outcome):
    s = session([[exec_call(curl())], verdict(outcome, "checked the host"), [{"type": "message", "text": "fin"}]],
                extra_top='approvals_reviewer = "auto_review"\n')
    server = s.app_server()
    start(server, world, approvalsReviewer="auto_review")
    assert turn_done(server)["status"] == "completed"
    # Nobody asked the client.
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    reqs = s.requests()
    review = reqs[1]["body"]
    assert review["client_metadata"]["x-openai-subagent"] == "guardian"
    action = json.dumps(review["input"])
    assert "network_access" in action and "other.test" in action
    started = [m for m in server.pending if m.get("method") == "item/autoApprovalReview/started"]
    assert started and started[0]["params"]["action"] == {
        "type": "networkAccess", "target": f"http://other.test:{HTTP_PORT}", "host": "other.test",
        "protocol": "http", "port": HTTP_PORT}
    assert started[0]["params"]["targetItemId"] is None
    out = result(world)
    if outcome == "allow":
        assert "status=200" in out, out
        assert "Process exited with code 0" in s.output()
    else:
        assert "status=403" in out, out
        assert "Declined by the automatic approval reviewer." in out
        # The model hears the reviewer's rationale, not a generic refusal.
        told = s.output()
        assert "checked the host" in told and "Network access to" not in told, told


@pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")
def test_tui_prompt_has_the_reference_labels_and_keys(session, world):
    s = session(script_one(curl() + "; " + curl()))
    (world.base / "userhome").mkdir()
    env = {k: v for k, v in world.env({"MOCK_API_KEY": "x"}).items() if k not in ("HOME", "PATH")}
    t = Tui(world.base, binary=world.base / "ns-codex", env=env, cwd=world.ws)
    try:
        t.wait_for(r"Ask Codex")
        t.submit("fetch it")
        screen = t.wait_for(r"Press enter to confirm or esc to cancel", timeout=60)
        assert 'Do you want to approve network access to "other.test"?' in screen
        assert "Reason: other.test is not in the allowed_domains" in screen
        assert "› 1. Yes, just this once (y)" in screen
        assert "2. Yes, and allow this host for this conversation (a)" in screen
        assert "3. Yes, and allow this host in the future (p)" in screen
        assert "4. No, and tell Codex what to do differently (esc)" in screen
        # A network prompt shows no command to run.
        assert "Would you like to run the following command?" not in screen
        t.keys("a")
        screen = t.wait_for(r"Worked for", timeout=60)
        assert (f"✔ You approved codex network access to http://other.test:{HTTP_PORT} every time this session"
                in screen)
        # For the session: the second request in the command was not asked about.
        assert result(world).count("status=200") == 2
        # Ctrl-C one at a time (a second one after codex left would reach
        # the pane's shell).
        status = None
        for _ in range(3):
            t.keys("C-c")
            try:
                status = t.wait_exit(3)
                break
            except AssertionError:
                pass
        assert status == 0, t.screen()
        assert sanitizer_clean(t.read_stderr()), t.read_stderr()
    finally:
        t.close()


def test_a_deny_rule_refuses_without_asking(session, world):
    rules = world.home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text(
        'network_rule(host="other.test", protocol="http", decision="deny", justification="no")\n')
    s = session(script_one(curl()))
    server = s.app_server()
    start(server, world)
    assert turn_done(server)["status"] == "completed"
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    out = result(world)
    body = json.loads(out[out.index("{"):out.index("}") + 1])
    assert "status=403" in out and body["reason"] == "denied", out
    assert "domain is explicitly denied by policy" in s.output()


def test_always_opens_the_host_for_every_protocol(session, world):
    # As the reference: "always" puts the host in the allowed domains, so
    # the plain-HTTP request after the HTTPS one is not asked about; the
    # rule names the protocol asked for and is read back for the whole host.
    https = f"https://other.test:8443/"
    cmd = (f'curl -s -S --max-time 30 --cacert {world.ca} -o /dev/null -w "status=%{{http_code}}\\n" {https} '
           f'>> result.txt 2>&1 || true')
    s = session(script_one(cmd + "; " + curl()))
    server = s.app_server()
    start(server, world)
    req = approval(server)
    assert req["params"]["networkApprovalContext"] == {"host": "other.test", "protocol": "https"}
    assert req["params"]["itemId"] == "network#https#other.test#8443"
    allow = {"applyNetworkPolicyAmendment": {"network_policy_amendment": {"host": "other.test", "action": "allow"}}}
    server.send({"id": req["id"], "result": {"decision": allow}})
    assert turn_done(server)["status"] == "completed"
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    assert result(world).count("status=200") == 2, result(world)
    rules = (world.home / "rules" / "default.rules").read_text().splitlines()
    assert rules == ['network_rule(host="other.test", protocol="https", decision="allow", '
                     'justification="Allow https_connect access to other.test")']
    assert server.close() == 0
    s.close()
    # The next session, with nobody to ask, reaches the host over plain HTTP
    # by that https rule.
    next_session_reaches_the_host(session, world, successes=3)


def test_a_deny_amendment_closes_the_host(session, world):
    s = session(script_one(curl() + "; " + curl()))
    server = s.app_server()
    start(server, world)
    req = approval(server)
    assert req["params"]["networkApprovalContext"] == {"host": "other.test", "protocol": "http"}
    deny = {"applyNetworkPolicyAmendment": {"network_policy_amendment": {"host": "other.test", "action": "deny"}}}
    server.send({"id": req["id"], "result": {"decision": deny}})
    assert turn_done(server)["status"] == "completed"
    # Refused twice, asked once; the second time as the reference's
    # denylist refuses.
    assert result(world).count("status=403") == 2, result(world)
    assert '"reason":"denied"' in result(world).splitlines()[2], result(world)
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    rules = (world.home / "rules" / "default.rules").read_text().splitlines()
    assert ('network_rule(host="other.test", protocol="http", decision="deny", '
            'justification="Deny http access to other.test")') in rules


def test_exec_with_the_auto_reviewer_asks_it(session, world):
    # exec runs under `never` unless a reviewer is set; with one, the
    # reviewer answers the proxy's question.
    s = session([[exec_call(curl())], verdict("allow", "fine"), [{"type": "message", "text": "fin"}]],
                extra_top='approvals_reviewer = "auto_review"\n')
    r = world.in_ns([str(CODEX_BIN), "exec", "--json", "--skip-git-repo-check", "go"], env={"MOCK_API_KEY": "x"},
                    timeout=120)
    assert r.returncode == 0, r.stderr
    assert "status=200" in result(world), result(world)
    assert s.requests()[1]["body"]["client_metadata"]["x-openai-subagent"] == "guardian"
    assert any(e.get("host") == "other.test" and e.get("decision") == "ask" for e in world.log())


def test_a_command_outliving_its_turn_is_refused_without_asking(session, world):
    call = {"type": "function_call", "name": "exec_command", "call_id": "c1",
            "arguments": json.dumps({"cmd": "sleep 2; " + curl(), "yield_time_ms": 250, "login": False})}
    s = session([[call], [{"type": "message", "text": "done"}]])
    server = s.app_server()
    start(server, world)
    assert turn_done(server)["status"] == "completed"
    deadline = time.time() + 30
    while "status=" not in result(world) and time.time() < deadline:
        time.sleep(0.1)
    assert "status=403" in result(world), result(world)
    while True:  # everything the server sent meanwhile
        try:
            server.pending.append(server.read(timeout=1))
        except queue.Empty:
            break
    assert not [m for m in server.pending if m.get("method") == "item/commandExecution/requestApproval"]
    assert any(e.get("host") == "other.test" and e.get("decision") == "deny" for e in world.log())


@pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")
def test_tui_n_declines_the_network_request(session, world):
    s = session(script_one(curl()))
    (world.base / "userhome").mkdir()
    env = {k: v for k, v in world.env({"MOCK_API_KEY": "x"}).items() if k not in ("HOME", "PATH")}
    t = Tui(world.base, binary=world.base / "ns-codex", env=env, cwd=world.ws)
    try:
        t.wait_for(r"Ask Codex")
        t.submit("fetch it")
        t.wait_for(r'Do you want to approve network access to "other.test"\?', timeout=60)
        t.keys("n")
        screen = t.wait_for(r"Worked for", timeout=60)
        assert f"✗ You canceled the request for codex network access to http://other.test:{HTTP_PORT}" in screen
        assert "status=403" in result(world)
        assert s.output() == BLOCKED
        status = None
        for _ in range(3):
            t.keys("C-c")
            try:
                status = t.wait_exit(3)
                break
            except AssertionError:
                pass
        assert status == 0, t.screen()
        assert sanitizer_clean(t.read_stderr()), t.read_stderr()
    finally:
        t.close()
