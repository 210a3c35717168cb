"""thread/shellCommand: the user's own command, run unsandboxed in the
user's shell, shown as a commandExecution item (source userShell) and
recorded for the model as a <user_shell_command> message, as the reference
0.169.0 does."""
import json
import re

from test_threads import start_thread, turn_completed, wait_for

RECORD = re.compile(r"<user_shell_command>\n<command>\n(.*)\n</command>\n<result>\n"
                    r"Exit code: (-?\d+)\nDuration: \d+\.\d{4} seconds\nOutput:\n(.*)\n"
                    r"</result>\n</user_shell_command>", re.S)


def user_texts(body):
    return [c["text"] for i in body["input"] if i.get("role") == "user"
            for c in i["content"] if c.get("type") == "input_text"]


def test_shell_command_on_an_idle_thread_is_a_turn_of_its_own(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "seen it"}]])
    thread = start_thread(server, cwd=str(repo), sandbox="read-only")
    tid = thread["id"]
    command = "echo hello; echo err >&2; echo made > made.txt; pwd; exit 3"
    rid = server.request("thread/shellCommand", {"threadId": tid, "command": command})
    assert server.response(rid) == {"id": rid, "result": {}}
    started = wait_for(server, "turn/started")["params"]["turn"]
    item = wait_for(server, "item/started")["params"]["item"]
    assert item["type"] == "commandExecution" and item["source"] == "userShell"
    assert item["command"] == f"/bin/bash -lc '{command}'"
    assert item["cwd"] == str(repo) and item["status"] == "inProgress"
    assert item["aggregatedOutput"] is None and item["exitCode"] is None
    assert item["commandActions"] == [{"type": "unknown", "command": command}]
    done = wait_for(server, "item/completed")["params"]
    assert done["turnId"] == started["id"]
    done = done["item"]
    # stdout, then stderr; the sandbox of the thread (read-only) does not
    # apply to what the user runs.
    assert done["aggregatedOutput"] == f"hello\n{repo}\nerr\n"
    assert done["exitCode"] == 3 and done["status"] == "failed"
    assert (repo / "made.txt").read_text() == "made\n"
    turn = turn_completed(server, tid)
    assert turn["id"] == started["id"] and turn["status"] == "completed"
    assert turn["items"] == [] and turn["itemsView"] == "notLoaded"
    deltas = "".join(m["params"]["delta"] for m in server.notifications(
        "item/commandExecution/outputDelta"))
    assert sorted(deltas.splitlines()) == sorted(["hello", str(repo), "err"])
    assert not mock.requests(), "the user's command asks the model nothing"

    # The next turn's request carries the record, once, before the prompt.
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "next"}]})
    turn_completed(server, tid)
    texts = user_texts(mock.requests()[0]["body"])
    records = [t for t in texts if t.startswith("<user_shell_command>")]
    assert len(records) == 1 and texts.index(records[0]) < texts.index("next")
    m = RECORD.fullmatch(records[0])
    assert m, records[0]
    assert m.group(1) == command and m.group(2) == "3"
    assert m.group(3) == f"hello\n{repo}\nerr\n"

    # The rollout keeps both: thread/read shows the item in its turn.
    r = server.call("thread/read", {"threadId": tid, "includeTurns": True})
    turns = r["result"]["thread"]["turns"]
    assert turns[0]["id"] == started["id"]
    kept = turns[0]["items"][0]
    assert kept["type"] == "commandExecution" and kept["source"] == "userShell"
    assert kept["exitCode"] == 3
    rollout = [json.loads(l) for l in open(thread["path"])]
    assert any(e["type"] == "response_item" and "<user_shell_command>" in json.dumps(e)
               for e in rollout)


def test_shell_command_during_a_turn_joins_it(threads_server, repo):
    script = [{"items": [{"type": "message", "text": "a slow answer that takes a while"}],
               "event_delay_ms": 300},
              [{"type": "message", "text": "noted your command"}]]
    server, mock = threads_server(script)
    tid = start_thread(server, cwd=str(repo))["id"]
    r = server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "first"}]})
    turn_id = r["result"]["turn"]["id"]
    wait_for(server, "item/started", lambda m: m["params"]["item"]["type"] == "userMessage")
    r = server.call("thread/shellCommand", {"threadId": tid, "command": "echo during"})
    assert r["result"] == {}
    done = wait_for(server, "item/completed",
                    lambda m: m["params"]["item"]["type"] == "commandExecution")["params"]
    assert done["turnId"] == turn_id and done["item"]["aggregatedOutput"] == "during\n"
    turn = turn_completed(server, tid)
    assert turn["id"] == turn_id
    # The turn went on to show the model what the user ran.
    assert [i["text"] for i in turn["items"]] == ["noted your command"]
    bodies = [q["body"] for q in mock.requests()]
    assert len(bodies) == 2
    assert not any("<user_shell_command>" in t for t in user_texts(bodies[0]))
    assert any(RECORD.fullmatch(t) for t in user_texts(bodies[1]))
    assert not server.notifications("turn/started")[1:], "no second turn"


def test_shell_command_bad_params(threads_server, repo):
    server, _ = threads_server([])
    tid = start_thread(server, cwd=str(repo))["id"]
    r = server.call("thread/shellCommand", {"threadId": tid})
    assert r["error"] == {"code": -32600, "message": "Invalid request: missing field `command`"}
    r = server.call("thread/shellCommand", {"threadId": tid, "command": ""})
    assert r["error"] == {"code": -32600, "message": "command must not be empty"}
    r = server.call("thread/shellCommand", {"threadId": "67e55044-10b1-426f-9247-bb680e5fe0c8",
                                            "command": "ls"})
    assert r["error"]["code"] == -32600
    assert "thread not found: 67e55044-10b1-426f-9247-bb680e5fe0c8" in r["error"]["message"]


def test_interrupt_stops_the_users_command(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "after"}]])
    tid = start_thread(server, cwd=str(repo))["id"]
    marker = repo / "still-running"
    r = server.call("thread/shellCommand", {"threadId": tid,
                                            "command": f"sleep 30; touch {marker}"})
    assert r["result"] == {}
    turn = wait_for(server, "turn/started")["params"]["turn"]
    wait_for(server, "item/started")
    r = server.call("turn/interrupt", {"threadId": tid, "turnId": turn["id"]})
    assert "result" in r, r
    done = turn_completed(server, tid, timeout=20)
    assert done["id"] == turn["id"] and done["status"] == "interrupted"
    # The thread takes a turn again at once.
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "next"}]})
    assert turn_completed(server, tid)["status"] == "completed"
    assert not marker.exists()
