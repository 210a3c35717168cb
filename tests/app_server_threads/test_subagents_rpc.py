"""Subagents in the app server: the collab items reach the client as
collabAgentToolCall items (checked against the protocol schema), a child's
approval question reaches the client of the parent's thread, and
interrupting the parent stops the child's command."""
import os
import time

from test_approvals import approval_request
from test_threads import run_turn, start_thread, turn_completed, wait_for

NS = "multi_agent_v1"


def call(name, call_id, **args):
    return {"type": "function_call", "name": name, "call_id": call_id, "arguments": args,
            "namespace": NS}


def say(text):
    return [{"type": "message", "text": text}]


def parent(*then):
    return [[call("spawn_agent", "p_a", message="CHILDA: work")],
            [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"], timeout_ms=60000)],
            *then]


def test_child_approval_reaches_the_parents_client(threads_server, repo):
    scenarios = {
        "PARENT": parent(say("PARENT DONE")),
        "CHILDA": [[{"type": "function_call", "name": "exec_command", "call_id": "c_child",
                     "arguments": {"cmd": "touch from-child.txt", "login": False}}],
                   say("CHILD DONE")],
    }
    server, mock = threads_server([say("unscripted")], repeat_last=True, scenarios=scenarios)
    t = start_thread(server, cwd=str(repo), approvalPolicy="untrusted",
                     sandbox="danger-full-access")
    run_turn(server, t["id"], "PARENT: go")
    req = approval_request(server, "item/commandExecution/requestApproval")
    assert req["params"]["itemId"] == "c_child"
    assert "touch from-child.txt" in req["params"]["command"]
    assert not (repo / "from-child.txt").exists()
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert (repo / "from-child.txt").exists()
    items = [m["params"]["item"] for m in server.notifications()
             if m["method"] == "item/completed" and m["params"]["item"]["type"] == "collabAgentToolCall"]
    assert [i["tool"] for i in items] == ["spawnAgent", "wait"]
    child_id = items[0]["receiverThreadIds"][0]
    assert items[1]["agentsStates"][child_id] == {"status": "completed", "message": "CHILD DONE"}
    # The question names the child's thread (as the reference's do), and the
    # child's pending command is not an item of the parent's thread.
    assert req["params"]["threadId"] == child_id
    assert not [m for m in server.notifications() if m["method"] == "item/started"
                and m["params"]["item"].get("id") == "c_child"]
    # The spawn says what the child runs.
    assert isinstance(items[0]["model"], str) and items[0]["model"]
    assert all(i["senderThreadId"] == t["id"] for i in items)
    # The child is a stored thread of its own kind: listed when asked for.
    r = server.call("thread/list", {"sourceKinds": ["subAgentThreadSpawn"]})
    listed = {th["id"]: th for th in r["result"]["data"]}
    assert list(listed) == [child_id]
    spawn = listed[child_id]["source"]["subAgent"]["thread_spawn"]
    assert spawn["parent_thread_id"] == t["id"] and spawn["depth"] == 1
    r = server.call("thread/list", {})
    assert child_id not in {th["id"] for th in r["result"]["data"]}
    # Read back from the rollout, the calls are the same items.
    r = server.call("thread/read", {"threadId": t["id"], "includeTurns": True})
    read = [i for turn in r["result"]["thread"]["turns"] for i in turn["items"]
            if i["type"] == "collabAgentToolCall"]
    assert [i["tool"] for i in read] == ["spawnAgent", "wait"]
    assert read[1]["agentsStates"][child_id] == {"status": "completed", "message": "CHILD DONE"}


def test_interrupting_the_parent_stops_the_child(threads_server, repo):
    scenarios = {
        "PARENT": parent(say("PARENT DONE")),
        "CHILDA": [[{"type": "function_call", "name": "exec_command", "call_id": "c_child",
                     "arguments": {"cmd": "echo $$ > child.pid; exec sleep 60", "login": False,
                                   "yield_time_ms": 30000}}],
                   say("CHILD DONE")],
    }
    server, mock = threads_server([say("unscripted")], repeat_last=True, scenarios=scenarios)
    t = start_thread(server, cwd=str(repo))
    turn = run_turn(server, t["id"], "PARENT: go")
    wait_for(server, "item/started", lambda m: m["params"]["item"]["type"] == "collabAgentToolCall"
             and m["params"]["item"]["tool"] == "wait")
    pidfile = repo / "child.pid"
    for _ in range(400):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    r = server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    assert r["result"] == {}
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    for _ in range(200):
        if not os.path.exists(f"/proc/{child}") or \
                open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the child's command outlived the interrupt")
    # The server goes on: the thread takes another turn.
    run_turn(server, t["id"], "PARENT: again")
    assert turn_completed(server, t["id"])["status"] == "completed"
