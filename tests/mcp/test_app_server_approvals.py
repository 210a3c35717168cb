"""MCP tool-call approvals and server elicitations in the app server, and
thread/start with a required server that cannot start: the requests the
client gets, the items, what the model and the MCP server get back, all
compared with what the reference 0.169 did in the same session
(data/approval_reference.json, written by record_approval_reference.py);
every message is checked against the protocol schema."""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))

import approval_cases as cases  # noqa: E402
from mcp_helpers import CODEX_BIN_PATH, SchemaCheck, read_log, sanitizer_clean  # noqa: E402




def test_approvals_and_elicitations_go_to_the_client_as_the_reference_sends_them(tmp_path):
    want = json.loads(cases.REFERENCE.read_text())
    turns, outputs, log, rc, stderr = cases.run_session(CODEX_BIN_PATH, tmp_path / "s", SchemaCheck())
    assert rc == 0, stderr
    sanitizer_clean(stderr)
    for prompt, got in turns.items():
        assert got == want["turns"][prompt], prompt
        # The order of the params' fields too.
        for mine, theirs in zip(got, want["turns"][prompt]):
            if "request" in mine:
                assert list(mine["params"]) == list(theirs["params"]), prompt
                assert list(mine["params"]["_meta"] or {}) == list(theirs["params"]["_meta"] or {})
    assert outputs == want["outputs"]
    # What the MCP server got back for its elicitations: the client's
    # answer without the nulls.
    server_log = [e["msg"] for e in read_log(log)]
    answers = [cases.normalize(m) for m in server_log if "method" not in m and m.get("id", 0) > 1000]
    assert answers == want["elicitation_answers"]
    # A refused call never reached the server.
    called = [m["params"]["arguments"] for m in server_log if m.get("method") == "tools/call"]
    assert {"text": "two"} not in called and {"text": "one"} in called


def test_a_required_server_that_cannot_start_fails_thread_start(tmp_path):
    want = json.loads(cases.REFERENCE.read_text())["required"]
    got, rc, stderr = cases.run_required(CODEX_BIN_PATH, tmp_path / "r")
    assert rc == 0, stderr
    sanitizer_clean(stderr)
    prefix = "error creating thread: Fatal error: Failed to initialize session: " \
             "required MCP servers failed to initialize: gone: "
    assert want["error"]["message"].startswith(prefix)
    assert got["error"]["code"] == want["error"]["code"]
    # Why the program could not start is each implementation's own words;
    # only the required server is named.
    assert got["error"]["message"].startswith(prefix), got
    assert "gone2" not in got["error"]["message"]


def test_a_required_server_that_cannot_start_fails_resume_and_fork(tmp_path):
    want = json.loads(cases.REFERENCE.read_text())["required_resume"]
    got, rc, stderr = cases.run_required_resume(CODEX_BIN_PATH, tmp_path / "r")
    assert rc == 0, stderr
    sanitizer_clean(stderr)
    for method, doing in (("thread/resume", "resuming"), ("thread/fork", "forking")):
        prefix = f"error {doing} thread: Fatal error: Failed to initialize session: " \
                 "required MCP servers failed to initialize: gone: "
        assert want[method]["error"]["message"].startswith(prefix)
        assert got[method]["error"]["code"] == want[method]["error"]["code"]
        assert got[method]["error"]["message"].startswith(prefix), got
    # The fork that could not start leaves no copy behind to be listed.
    assert len(list((tmp_path / "r" / "ch" / "sessions").rglob("rollout-*.jsonl"))) == 1


def test_the_approval_policy_answers_elicitations_as_the_reference_does(tmp_path):
    # never: nobody is asked; without a sandbox a bare confirmation is
    # accepted empty, a form declined.  on-request asks even without one.
    want = json.loads(cases.REFERENCE.read_text())["policies"]
    for approval, sandbox in cases.POLICIES:
        got, answers, rc, stderr = cases.run_policy(CODEX_BIN_PATH, tmp_path / f"{approval}-{sandbox}",
                                                    approval, sandbox)
        assert rc == 0, stderr
        sanitizer_clean(stderr)
        theirs = want[f"{approval} {sandbox}"]
        # The two calls run side by side: their questions may come in
        # either order.
        key = lambda g: json.dumps(g, sort_keys=True)  # noqa: E731
        assert sorted(got, key=key) == sorted(theirs["requests"], key=key), (approval, sandbox)
        assert answers == theirs["answers"], (approval, sandbox)


def test_an_interrupt_cancels_the_elicitation_the_turn_is_waiting_on(tmp_path):
    # As 0.169 does: the server hears "cancel" for its question, the client
    # hears that its pending request is resolved, and the turn ends
    # interrupted; no answer is left owed on either side.
    request_id, after, answers, rc, stderr = cases.run_interrupt(CODEX_BIN_PATH, tmp_path / "i")
    assert rc == 0, stderr
    sanitizer_clean(stderr)
    resolved = [m["params"]["requestId"] for m in after if m.get("method") == "serverRequest/resolved"]
    assert resolved == [request_id]
    ended = [m["params"]["turn"]["status"] for m in after if m.get("method") == "turn/completed"]
    assert ended == ["interrupted"]
    assert answers == [{"action": "cancel"}]
