"""Collaboration modes over the app server, against what the reference
0.169.0 does (probed with its app-server and the features mock):
collaborationMode/list; turn/start's collaborationMode putting the mode's
<collaboration_mode> text in the developer context (first turn) or in a
developer message before the user's (a later change); Plan mode's
<proposed_plan> as a plan item with item/plan/delta; request_user_input as
the item/tool/requestUserInput server request whose answers reach the
model; the tool refused outside Plan mode."""
import json
import os

import pytest

from appserver import CODEX_BIN, AppServer
from exec_helpers import MockServer, write_config
from test_approvals import approval_request, tool_output
from test_threads import run_turn, start_thread, thread_notes, turn_completed, wait_for

QUESTIONS = [
    {"id": "color", "header": "Color", "question": "Which color?",
     "options": [{"label": "Red (Recommended)", "description": "warm"},
                 {"label": "Blue", "description": "cold"}]},
    {"id": "size", "header": "Size", "question": "Which size?",
     "options": [{"label": "S", "description": "small"}, {"label": "L", "description": "large"}]},
]
PLAN_MESSAGE = ("Here is my plan.\n<proposed_plan>\n# Plan\n- step one\n- step two\n"
                "</proposed_plan>\nDone.")


def say(text):
    return [{"type": "message", "text": text}]


SCENARIOS = {
    "PLANTASK": [say(PLAN_MESSAGE)],
    "ASKTASK": [[{"type": "function_call", "name": "request_user_input", "call_id": "rui1",
                  "arguments": {"questions": QUESTIONS}}], say("thanks for answering")],
    # One question of two has no options (empty), then one lacks the key.
    "NOOPTIONS": [[{"type": "function_call", "name": "request_user_input", "call_id": "rui_empty",
                    "arguments": {"questions": [QUESTIONS[0], dict(QUESTIONS[1], options=[])]}}],
                  [{"type": "function_call", "name": "request_user_input", "call_id": "rui_none",
                    "arguments": {"questions": [{"id": "n", "header": "Name",
                                                 "question": "Which name?"}]}}],
                  say("noted")],
}


def mode(name, effort=None, instructions=None):
    return {"mode": name, "settings": {"model": "gpt-5.5", "reasoning_effort": effort,
                                       "developer_instructions": instructions}}


@pytest.fixture
def plan_server(tmp_path, codex_home, repo):
    """An app server whose client asked for the experimental API."""
    started = []

    def start(capabilities={"experimentalApi": True}, top=""):
        mock = MockServer(tmp_path, [say("ok")], repeat_last=True, scenarios=SCENARIOS)
        write_config(codex_home, mock.port, extra_top=top)
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
               "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
        s = AppServer(CODEX_BIN, env, cwd=repo)
        s.initialize(capabilities=capabilities)
        started.append((s, mock))
        return s, mock

    yield start
    for s, mock in started:
        if s.proc.poll() is None:
            assert s.close() == 0, s.stderr
        assert "ERROR: AddressSanitizer" not in s.stderr and "runtime error" not in s.stderr, \
            s.stderr
        mock.stop()


def bodies(mock):
    return [r["body"] for r in mock.requests() if r["path"].endswith("/responses")]


def developer_texts(body):
    return [[c["text"] for c in i["content"]] for i in body["input"]
            if i.get("type") == "message" and i["role"] == "developer"]


def texts_before_prompt(body, prompt):
    """The developer texts recorded between the previous item and the prompt."""
    items = body["input"]
    at = max(k for k, i in enumerate(items) if i.get("type") == "message" and i["role"] == "user"
             and i["content"][0]["text"] == prompt)
    before = items[at - 1]
    return [c["text"] for c in before["content"]] if before.get("role") == "developer" else []


def test_list_names_plan_and_default(plan_server):
    server, _ = plan_server()
    r = server.call("collaborationMode/list", {})
    assert r["result"] == {"data": [
        {"name": "Plan", "mode": "plan", "model": None, "reasoning_effort": "medium"},
        {"name": "Default", "mode": "default", "model": None, "reasoning_effort": None}]}


def test_plan_turn_streams_the_plan_as_its_own_item(plan_server, repo):
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "PLANTASK: go", collaborationMode=mode("plan"))
    done = turn_completed(server, t["id"])
    notes = thread_notes(server, t["id"])
    plan_id = turn["id"] + "-plan"
    started = [{k: m["params"]["item"][k] for k in ("type", "id", "text")} for m in notes
               if m["method"] == "item/started" and m["params"]["item"]["type"] == "plan"]
    assert started == [{"type": "plan", "id": plan_id, "text": ""}]
    deltas = [m["params"] for m in notes if m["method"] == "item/plan/delta"]
    assert deltas and all(d["itemId"] == plan_id and d["turnId"] == turn["id"] for d in deltas)
    assert "".join(d["delta"] for d in deltas) == "# Plan\n- step one\n- step two\n"
    message_deltas = "".join(m["params"]["delta"] for m in notes
                             if m["method"] == "item/agentMessage/delta")
    assert message_deltas == "Here is my plan.\nDone."
    completed = [m["params"]["item"] for m in notes if m["method"] == "item/completed"]
    kinds = [i["type"] for i in completed]
    assert kinds.index("plan") < kinds.index("agentMessage"), kinds
    assert completed[kinds.index("plan")]["text"] == "# Plan\n- step one\n- step two\n"
    assert completed[kinds.index("agentMessage")]["text"] == "Here is my plan.\nDone."
    assert done["status"] == "completed"

    # The first turn's mode is part of the developer context, after the
    # permissions and before anything the tools add.
    first = bodies(mock)[0]
    context = developer_texts(first)[1]
    at = [k for k, text in enumerate(context) if text.startswith("<collaboration_mode>")]
    assert len(at) == 1 and context[at[0]].endswith("</collaboration_mode>")
    assert context[at[0] - 1].startswith("<permissions instructions>")
    assert "<proposed_plan>" in context[at[0]] and "request_user_input" in context[at[0]]

    # The model keeps the whole answer; the mode is not said again.
    run_turn(server, t["id"], "next one", collaborationMode=mode("plan"))
    turn_completed(server, t["id"])
    second = bodies(mock)[-1]
    assistant = [i for i in second["input"] if i.get("role") == "assistant"]
    assert assistant[0]["content"][0]["text"] == PLAN_MESSAGE
    assert texts_before_prompt(second, "next one") == []
    assert sum(t.startswith("<collaboration_mode>") for texts in developer_texts(second)
               for t in texts) == 1


def test_request_user_input_goes_to_the_client_and_back(plan_server, repo):
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "ASKTASK: go", collaborationMode=mode("plan"))
    req = approval_request(server, "item/tool/requestUserInput")
    assert req["params"] == {
        "threadId": t["id"], "turnId": turn["id"], "itemId": "rui1",
        "questions": [dict(q, isOther=True, isSecret=False) for q in QUESTIONS],
        "isBlocking": True, "autoResolutionMs": None}
    waiting = wait_for(server, "thread/status/changed",
                       lambda m: m["params"]["status"].get("activeFlags") == ["waitingOnUserInput"])
    assert waiting["params"]["threadId"] == t["id"]
    server.send({"id": req["id"], "result": {"answers": {
        "color": {"answers": ["Blue", "user_note: cheap"]}, "size": {"answers": []}}}})
    resolved = wait_for(server, "serverRequest/resolved")
    assert resolved["params"] == {"threadId": t["id"], "requestId": req["id"]}
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert json.loads(tool_output(mock, "rui1")) == {
        "answers": {"color": {"answers": ["Blue", "user_note: cheap"]}, "size": {"answers": []}}}
    assert "request_user_input" in [x.get("name") for x in bodies(mock)[0]["tools"]]

    # An answer of another shape is no answers, as with the reference.
    run_turn(server, t["id"], "ASKTASK: again", collaborationMode=mode("plan"))
    req = approval_request(server, "item/tool/requestUserInput")
    server.send({"id": req["id"], "result": {"decision": "decline"}})
    turn_completed(server, t["id"])
    outputs = [i["output"] for b in bodies(mock) for i in b["input"]
               if i.get("type") == "function_call_output"]
    assert outputs[-1] == '{"answers":{}}'


def test_a_question_without_options_is_refused(plan_server, repo):
    """As 0.169 answers it (probed): no question reaches the client when any
    of them has no options, and the model is told why."""
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "NOOPTIONS: go", collaborationMode=mode("plan"))
    assert turn_completed(server, t["id"])["status"] == "completed"
    refusal = "request_user_input requires non-empty options for every question"
    assert tool_output(mock, "rui_empty") == refusal
    assert tool_output(mock, "rui_none") == refusal
    assert not [m for m in server.pending if m.get("method") == "item/tool/requestUserInput"]


def test_interrupt_withdraws_the_question(plan_server, repo):
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "ASKTASK: go", collaborationMode=mode("plan"))
    req = approval_request(server, "item/tool/requestUserInput")
    assert "result" in server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    resolved = wait_for(server, "serverRequest/resolved")
    assert resolved["params"]["requestId"] == req["id"]
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    # A late answer is harmless.
    server.send({"id": req["id"], "result": {"answers": {}}})
    run_turn(server, t["id"], "after", collaborationMode=mode("plan"))
    assert turn_completed(server, t["id"])["status"] == "completed"


def test_mode_changes_are_told_before_the_prompt(plan_server, repo):
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "first default")
    turn_completed(server, t["id"])
    assert not any(x.startswith("<collaboration_mode>")
                   for texts in developer_texts(bodies(mock)[0]) for x in texts)

    run_turn(server, t["id"], "now plan", collaborationMode=mode("plan"))
    turn_completed(server, t["id"])
    told = texts_before_prompt(bodies(mock)[-1], "now plan")
    assert len(told) == 1 and told[0].startswith("<collaboration_mode>")
    assert "<proposed_plan>" in told[0]
    assert bodies(mock)[-1]["reasoning"]["effort"] == "medium"

    run_turn(server, t["id"], "mine", collaborationMode=mode("plan", "low", "MY OWN INSTRUCTIONS"))
    turn_completed(server, t["id"])
    assert texts_before_prompt(bodies(mock)[-1], "mine") == [
        "<collaboration_mode>MY OWN INSTRUCTIONS</collaboration_mode>"]
    assert bodies(mock)[-1]["reasoning"]["effort"] == "low"

    run_turn(server, t["id"], "ASKTASK: in default", collaborationMode=mode("default"))
    turn_completed(server, t["id"])
    told = texts_before_prompt(bodies(mock)[-2], "ASKTASK: in default")
    assert len(told) == 1 and told[0].startswith("<collaboration_mode>")
    assert "<proposed_plan>" not in told[0]
    assert tool_output(mock, "rui1") == "request_user_input is unavailable in Default mode"

    # No mode given: the last one stays, and is not said again.
    run_turn(server, t["id"], "no mode")
    turn_completed(server, t["id"])
    assert texts_before_prompt(bodies(mock)[-1], "no mode") == []


def test_bad_modes_are_refused(plan_server, repo):
    server, _ = plan_server()
    t = start_thread(server, cwd=str(repo))
    base = {"threadId": t["id"], "input": [{"type": "text", "text": "x"}]}
    r = server.call("turn/start", dict(base, collaborationMode={"mode": "bogus", "settings": {}}))
    assert r["error"]["code"] == -32600
    assert r["error"]["message"] == ("Invalid request: unknown variant `bogus`, expected one of "
                                     "`plan`, `code`, `custom`, `default`, `execute`, "
                                     "`pair_programming`")
    r = server.call("turn/start", dict(base, collaborationMode={"mode": "plan"}))
    assert r["error"]["message"] == "Invalid request: missing field `settings`"
    r = server.call("turn/start", dict(base, collaborationMode={"mode": "code", "settings": {}}))
    assert r["error"]["code"] == -32600 and "not supported" in r["error"]["message"]


def test_experimental_api_is_required(plan_server, repo):
    server, _ = plan_server(capabilities=None)
    r = server.call("collaborationMode/list", {})
    assert r["error"]["message"] == "collaborationMode/list requires experimentalApi capability"
    t = start_thread(server, cwd=str(repo))
    r = server.call("turn/start", {"threadId": t["id"], "input": [{"type": "text", "text": "x"}],
                                   "collaborationMode": mode("plan")})
    assert r["error"]["message"] == "turn/start.collaborationMode requires experimentalApi capability"


def rollout_lines(codex_home, thread_id):
    path = next((codex_home / "sessions").rglob("rollout-*%s.jsonl" % thread_id))
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_resumed_thread_stays_in_plan_mode(plan_server, repo, codex_home):
    """turn_context records the mode as 0.169 does ({mode, settings}); a
    thread resumed by a new server goes on in Plan mode, with no second
    <collaboration_mode> message since the model already has it."""
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "PLANTASK: first", collaborationMode=mode("plan", effort="high"))
    turn_completed(server, t["id"])
    ctx = [r["payload"] for r in rollout_lines(codex_home, t["id"]) if r["type"] == "turn_context"]
    assert ctx[-1]["collaboration_mode"] == {
        "mode": "plan", "settings": {"model": "gpt-5.5", "reasoning_effort": "high",
                                     "developer_instructions": None}}
    assert server.close() == 0

    server, mock = plan_server()
    r = server.call("thread/resume", {"threadId": t["id"]})
    assert "result" in r, r
    run_turn(server, t["id"], "PLANTASK: again")
    turn_completed(server, t["id"])
    notes = thread_notes(server, t["id"])
    # Plan mode's plan item again, without the client naming the mode.
    assert any(m["method"] == "item/completed" and m["params"]["item"]["type"] == "plan"
               for m in notes)
    ctx = [r["payload"] for r in rollout_lines(codex_home, t["id"]) if r["type"] == "turn_context"]
    assert ctx[-1]["collaboration_mode"]["mode"] == "plan"
    body = bodies(mock)[-1]
    told = [t for texts in developer_texts(body) for t in texts
            if t.startswith("<collaboration_mode>")]
    assert len(told) == 1


def test_thread_never_in_a_mode_resumes_without_one(plan_server, repo, codex_home):
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "PLANTASK: first")
    turn_completed(server, t["id"])
    assert server.close() == 0
    ctx = [r["payload"] for r in rollout_lines(codex_home, t["id"]) if r["type"] == "turn_context"]
    assert ctx[-1]["collaboration_mode"]["mode"] == "default"

    server, mock = plan_server()
    server.call("thread/resume", {"threadId": t["id"]})
    run_turn(server, t["id"], "PLANTASK: again")
    turn_completed(server, t["id"])
    body = bodies(mock)[-1]
    assert not [t for texts in developer_texts(body) for t in texts
                if t.startswith("<collaboration_mode>")]
    # Default mode: the <proposed_plan> block stays in the message.
    notes = thread_notes(server, t["id"])
    assert not any(m["method"] == "item/completed" and m["params"]["item"]["type"] == "plan"
                   for m in notes)


def test_collaboration_mode_instructions_can_be_left_out(plan_server, repo):
    """include_collaboration_mode_instructions = false: Plan mode still
    splits out the plan, but no <collaboration_mode> text reaches the model
    and no warning says the key is ignored."""
    server, mock = plan_server(top="include_collaboration_mode_instructions = false\n")
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "PLANTASK: go", collaborationMode=mode("plan"))
    turn_completed(server, t["id"])
    body = bodies(mock)[-1]
    assert "<collaboration_mode>" not in json.dumps(body)
    notes = thread_notes(server, t["id"])
    assert any(m["method"] == "item/completed" and m["params"]["item"]["type"] == "plan"
               for m in notes)
    assert "include_collaboration_mode_instructions" not in server.stderr
    # The default keeps them.
    assert server.close() == 0
    server, mock = plan_server()
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "PLANTASK: go", collaborationMode=mode("plan"))
    turn_completed(server, t["id"])
    assert "<collaboration_mode>" in json.dumps(bodies(mock)[-1])
