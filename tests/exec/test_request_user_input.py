"""request_user_input in codex exec, as the reference 0.169.0 does it: the
tool is offered (after update_plan, before apply_patch), and since exec
always runs in Default mode a call is answered "request_user_input is
unavailable in Default mode" with nothing shown in the --json stream."""
import json

QUESTIONS = [{"id": "color", "header": "Color", "question": "Which color?",
              "options": [{"label": "Red (Recommended)", "description": "warm"},
                          {"label": "Blue", "description": "cold"}]}]


def test_exec_refuses_outside_plan_mode(exec_run):
    script = [[{"type": "function_call", "name": "request_user_input", "call_id": "rui1",
                "arguments": {"questions": QUESTIONS}}],
              [{"type": "message", "text": "thanks for answering"}]]
    r, server, events = exec_run(script, "--json", "ASKTASK please")
    assert r.returncode == 0, r.stderr
    assert [e["type"] for e in events] == ["thread.started", "turn.started", "item.completed",
                                           "turn.completed"]
    assert events[2]["item"] == {"id": "item_0", "type": "agent_message",
                                 "text": "thanks for answering"}
    second = [q for q in server.requests() if q["path"].endswith("/responses")][1]["body"]
    out = [i for i in second["input"] if i.get("type") == "function_call_output"]
    assert out == [{"type": "function_call_output", "call_id": "rui1",
                    "output": "request_user_input is unavailable in Default mode"}]

    tools = second["tools"]
    names = [t.get("name", t["type"]) for t in tools]
    assert names[:5] == ["exec_command", "write_stdin", "update_plan", "request_user_input",
                         "apply_patch"]
    spec = tools[names.index("request_user_input")]
    params = spec["parameters"]
    assert spec["type"] == "function" and spec["strict"] is False
    assert params["required"] == ["questions"] and params["additionalProperties"] is False
    question = params["properties"]["questions"]["items"]
    assert question["required"] == ["id", "header", "question", "options"]
    assert sorted(question["properties"]) == ["header", "id", "options", "question"]
    option = question["properties"]["options"]["items"]
    assert option["required"] == ["label", "description"]


def test_bad_arguments_are_reported_to_the_model(exec_run):
    script = [[{"type": "function_call", "name": "request_user_input", "call_id": "rui1",
                "arguments": "not json"}],
              [{"type": "message", "text": "ok"}]]
    r, server, _ = exec_run(script, "--json", "go")
    assert r.returncode == 0, r.stderr
    second = [q for q in server.requests() if q["path"].endswith("/responses")][1]["body"]
    out = [i["output"] for i in second["input"] if i.get("type") == "function_call_output"]
    # Default mode answers before the arguments are looked at.
    assert out == ["request_user_input is unavailable in Default mode"]
