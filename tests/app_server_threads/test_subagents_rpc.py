"""Subagents in the app server: the collab items reach the client as
collabAgentToolCall items (checked against the protocol schema), a child's
approval question reaches the client of the parent's thread, and
interrupting the parent stops the child's command.  Each child is a loaded
thread of its own, as 0.169 streams it: its status, turns and items reach
the parent's client with the child's threadId (no thread/started), a client
can read, resume and start turns on it, and close_agent unloads it."""
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
    # "Always" is offered for the child's command as for the parent's: the
    # reference derives it from the command when the model names no prefix.
    assert req["params"]["proposedExecpolicyAmendment"] == ["touch", "from-child.txt"]
    assert {"acceptWithExecpolicyAmendment": {"execpolicy_amendment": ["touch", "from-child.txt"]}} \
        in req["params"]["availableDecisions"]
    assert not (repo / "from-child.txt").exists()
    server.send({"id": req["id"], "result": {"decision": "accept"}})
    assert turn_completed(server, t["id"])["status"] == "completed"
    assert (repo / "from-child.txt").exists()
    notes = server.notifications()
    items = [m["params"]["item"] for m in notes
             if m["method"] == "item/completed" and m["params"]["item"]["type"] == "collabAgentToolCall"]
    assert [i["tool"] for i in items] == ["spawnAgent", "wait"]
    child_id = items[0]["receiverThreadIds"][0]
    assert items[1]["agentsStates"][child_id] == {"status": "completed", "message": "CHILD DONE"}
    # The question names the child's thread and turn (as the reference's
    # do), and the child's pending command is an item of the child's thread,
    # which waits on the approval meanwhile.
    assert req["params"]["threadId"] == child_id
    started = [m for m in notes if m["method"] == "item/started"
               and m["params"]["item"].get("id") == "c_child"]
    assert [m["params"]["threadId"] for m in started] == [child_id]
    assert req["params"]["turnId"] == started[0]["params"]["turnId"]
    assert any(m["method"] == "thread/status/changed" and m["params"]["threadId"] == child_id
               and m["params"]["status"].get("activeFlags") == ["waitingOnApproval"]
               for m in notes)
    resolved = [m for m in notes if m["method"] == "serverRequest/resolved"]
    assert [m["params"]["threadId"] for m in resolved] == [child_id]
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
    child_id = wait_for(server, "turn/started",
                        lambda m: m["params"]["threadId"] != t["id"])["params"]["threadId"]
    r = server.call("turn/interrupt", {"threadId": t["id"], "turnId": turn["id"]})
    assert r["result"] == {}
    assert turn_completed(server, t["id"])["status"] == "interrupted"
    # The child's turn ends too, and its client hears it in the child's name.
    assert turn_completed(server, child_id)["status"] == "interrupted"
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


def child_notes(notes, child_id, method=None):
    return [m for m in notes if m["params"].get("threadId") == child_id
            and (method is None or m["method"] == method)]


def test_child_thread_streams_and_takes_turns(threads_server, repo):
    scenarios = {
        "PARENT": parent(say("PARENT DONE")),
        "CHILDA": [[{"type": "function_call", "name": "exec_command", "call_id": "c_child",
                     "arguments": {"cmd": "echo child-ran", "login": False}}],
                   say("CHILD DONE")],
        "CHILDB": [say("CHILD B DONE")],
    }
    server, mock = threads_server([say("unscripted")], repeat_last=True, scenarios=scenarios)
    t = start_thread(server, cwd=str(repo))
    parent_turn = run_turn(server, t["id"], "PARENT: go")
    assert turn_completed(server, t["id"])["status"] == "completed"
    notes = server.notifications()
    spawn = next(m["params"]["item"] for m in notes if m["method"] == "item/completed"
                 and m["params"]["item"]["type"] == "collabAgentToolCall")
    child_id = spawn["receiverThreadIds"][0]
    # Never announced with thread/started: it shows up idle, then works.
    assert [m for m in notes if m["method"] == "thread/started"
            and m["params"]["thread"]["id"] == child_id] == []
    statuses = [m["params"]["status"]["type"]
                for m in child_notes(notes, child_id, "thread/status/changed")]
    assert statuses[0] == "idle" and statuses[-1] == "idle" and "active" in statuses
    started = child_notes(notes, child_id, "turn/started")
    assert len(started) == 1
    child_turn = started[0]["params"]["turn"]
    # The parent's turn gave it its work.
    assert child_turn["rootTurnId"] == parent_turn["id"]
    cmd = [m["params"]["item"] for m in child_notes(notes, child_id, "item/completed")
           if m["params"]["item"]["type"] == "commandExecution"]
    assert len(cmd) == 1 and "child-ran" in cmd[0]["aggregatedOutput"]
    assert all(m["params"]["turnId"] == child_turn["id"]
               for m in child_notes(notes, child_id, "item/completed"))
    done = child_notes(notes, child_id, "turn/completed")
    assert [m["params"]["turn"]["status"] for m in done] == ["completed"]
    assert done[0]["params"]["turn"]["items"][-1]["text"] == "CHILD DONE"
    # The child's end reaches the client before the parent's wait ends.
    order = [m for m in notes if (m["method"] == "turn/completed"
                                  and m["params"]["threadId"] == child_id)
             or (m["method"] == "item/completed"
                 and m["params"]["item"].get("tool") == "wait")]
    assert order[0]["method"] == "turn/completed"

    r = server.call("thread/loaded/list", {})
    assert set(r["result"]["data"]) == {t["id"], child_id}
    r = server.call("thread/read", {"threadId": child_id, "includeTurns": True})
    th = r["result"]["thread"]
    assert th["parentThreadId"] == t["id"] and th["threadSource"] == "subagent"
    assert th["source"]["subAgent"]["thread_spawn"]["parent_thread_id"] == t["id"]
    assert th["agentNickname"] and th["status"] == {"type": "idle"}
    assert any(i["type"] == "commandExecution" for turn in th["turns"] for i in turn["items"])

    r = server.call("thread/resume", {"threadId": child_id})
    assert r["result"]["thread"]["id"] == child_id

    # A client types into the child: a turn of the child's own.
    bad = server.call("turn/start", {"threadId": child_id, "model": "another-model",
                                     "input": [{"type": "text", "text": "CHILDB: x"}]})
    assert "model cannot be changed on subagent thread" in bad["error"]["message"]
    turn = run_turn(server, child_id, "CHILDB: more work")
    assert turn_completed(server, child_id)["status"] == "completed"
    notes = server.notifications()
    mine = child_notes(notes, child_id, "turn/started")[-1]["params"]["turn"]
    assert mine["id"] == turn["id"] and mine["rootTurnId"] == turn["id"]
    said = [m["params"]["item"]["text"] for m in child_notes(notes, child_id, "item/completed")
            if m["params"]["item"]["type"] == "agentMessage"]
    assert said[-1] == "CHILD B DONE"
    # Still no thread/started for it, resumed or not.
    assert [m for m in notes + server.notifications() if m["method"] == "thread/started"
            and m["params"]["thread"]["id"] == child_id] == []


def test_close_agent_unloads_the_child_thread(threads_server, repo):
    scenarios = {
        "PARENT": parent([call("close_agent", "p_c", target="{{out:p_a:agent_id}}")],
                         say("PARENT DONE")),
        "CHILDA": [say("CHILD DONE")],
    }
    server, mock = threads_server([say("unscripted")], repeat_last=True, scenarios=scenarios)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "PARENT: go")
    assert turn_completed(server, t["id"])["status"] == "completed"
    notes = server.notifications()
    items = [m["params"]["item"] for m in notes
             if m["method"] == "item/completed" and m["params"]["item"]["type"] == "collabAgentToolCall"]
    assert [i["tool"] for i in items] == ["spawnAgent", "wait", "closeAgent"]
    child_id = items[0]["receiverThreadIds"][0]
    statuses = [m["params"]["status"]["type"]
                for m in child_notes(notes, child_id, "thread/status/changed")]
    assert statuses[-1] == "notLoaded"
    r = server.call("thread/loaded/list", {})
    assert r["result"]["data"] == [t["id"]]
    r = server.call("turn/start", {"threadId": child_id,
                                   "input": [{"type": "text", "text": "CHILDA: again"}]})
    assert r["error"]["message"] == f"thread not found: {child_id}"
    # Its rollout stays readable.
    r = server.call("thread/read", {"threadId": child_id})
    assert r["result"]["thread"]["status"] == {"type": "notLoaded"}
