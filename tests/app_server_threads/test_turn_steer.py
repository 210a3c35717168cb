"""turn/steer: input added while a turn runs reaches the model with the
turn's next request, as a user message of its own; a turn that was about
to end samples once more to take it."""
import json

from test_threads import run_turn, start_thread, turn_completed, wait_for


def user_texts(body):
    return [c.get("text") for i in body["input"] if i.get("role") == "user"
            for c in i["content"]]


def test_steer_joins_the_next_request(threads_server, repo):
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": {"cmd": "sleep 2; echo slept", "login": False, "yield_time_ms": 10000}}],
        [{"type": "message", "text": "took the steer"}],
    ]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "start the long thing")
    wait_for(server, "item/started", lambda m: m["params"]["item"]["type"] == "commandExecution")
    r = server.call("turn/steer", {"threadId": t["id"], "expectedTurnId": turn["id"],
                                   "input": [{"type": "text", "text": "also check the logs"}]})
    assert r["result"] == {"turnId": turn["id"]}
    item = wait_for(server, "item/completed",
                    lambda m: m["params"]["item"]["type"] == "userMessage"
                    and m["params"]["item"]["content"][0]["text"] == "also check the logs")
    assert item["params"]["turnId"] == turn["id"]
    done = turn_completed(server, t["id"])
    assert done["status"] == "completed"
    bodies = [r["body"] for r in mock.requests()]
    assert len(bodies) == 2
    second = bodies[1]["input"]
    kinds = [(i.get("type"), i.get("role")) for i in second]
    # After the command's output, before the model's next answer.
    out = kinds.index(("function_call_output", None))
    assert second[out + 1]["role"] == "user"
    assert second[out + 1]["content"][0]["text"] == "also check the logs"
    assert "also check the logs" not in user_texts(bodies[0])


def test_steer_at_the_last_moment_keeps_the_turn_going(threads_server, repo):
    # The first answer streams slowly, so the steer comes while the model
    # is still answering and the turn has no tool call left to run.
    script = [
        {"event_delay_ms": 400, "items": [{"type": "message", "text": "first answer"}]},
        [{"type": "message", "text": "answer to the steer"}],
    ]
    server, mock = threads_server(script)
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "hello")
    r = server.call("turn/steer", {"threadId": t["id"], "expectedTurnId": turn["id"],
                                   "input": [{"type": "text", "text": "one more thing"}]})
    assert r["result"] == {"turnId": turn["id"]}
    done = turn_completed(server, t["id"])
    assert done["status"] == "completed"
    bodies = [r["body"] for r in mock.requests()]
    assert len(bodies) == 2 and "one more thing" in user_texts(bodies[1])
    assert done["items"][0]["text"] == "answer to the steer"


def test_steer_is_refused_without_the_right_turn(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "hi"}]], repeat_last=True)
    t = start_thread(server, cwd=str(repo))
    r = server.call("turn/steer", {"threadId": t["id"], "expectedTurnId": "nope",
                                   "input": [{"type": "text", "text": "x"}]})
    assert r["error"] == {"code": -32600, "message": "no active turn to steer"}
    run_turn(server, t["id"], "go")
    turn_completed(server, t["id"])
    r = server.call("turn/steer", {"threadId": t["id"], "input": [{"type": "text", "text": "x"}]})
    assert r["error"]["code"] == -32600 and "expectedTurnId" in r["error"]["message"]


def test_each_user_message_carries_its_own_client_id(threads_server, repo):
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": {"cmd": "sleep 2; echo slept", "login": False, "yield_time_ms": 10000}}],
        [{"type": "message", "text": "done"}],
    ]
    server, _ = threads_server(script)
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "start", clientUserMessageId="client-turn")
    wait_for(server, "item/started", lambda m: m["params"]["item"]["type"] == "commandExecution")
    for text, extra in (("steer one", {"clientUserMessageId": "client-steer"}), ("steer two", {})):
        r = server.call("turn/steer", {"threadId": t["id"], "expectedTurnId": turn["id"],
                                       "input": [{"type": "text", "text": text}], **extra})
        assert r["result"] == {"turnId": turn["id"]}
    done = turn_completed(server, t["id"])
    assert done["status"] == "completed"
    seen = {}
    for m in server.notifications():
        if m["method"] in ("item/started", "item/completed") and \
                m["params"]["item"]["type"] == "userMessage":
            item = m["params"]["item"]
            seen.setdefault(item["content"][0]["text"], set()).add(item.get("clientId"))
    assert seen == {"start": {"client-turn"}, "steer one": {"client-steer"}, "steer two": {None}}
