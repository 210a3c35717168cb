"""thread/resume and thread/read with turns write their answer a turn at a
time (a long thread's turns are tens of megabytes); the answer is still one
valid JSON-RPC line, checked against the schema, with the same turns as
thread/turns/list gives (built and sent whole), and the notifications after
it arrive intact."""
import json

from test_threads import run_turn, start_thread, turn_completed, wait_for

# Output a serializer has choices about, long enough to matter.
COMMAND = ("printf 'q\"uote back\\\\slash\\ttab \\033[1m caf\\303\\251 a/b\\n'; seq 1 900")


def script():
    return [[{"type": "function_call", "name": "exec_command", "call_id": f"call_{n}",
              "arguments": {"cmd": COMMAND}}] if n % 2 == 0 else
            [{"type": "message", "text": f"answer {n} \u2014 done"}] for n in range(6)]


def full_turns(server, tid):
    r = server.call("thread/turns/list", {"threadId": tid, "itemsView": "full", "limit": 100,
                                          "sortDirection": "asc"})
    assert "error" not in r, r
    turns = r["result"]["data"]
    assert all(t["itemsView"] == "full" for t in turns)
    return turns


def test_streamed_answers_equal_the_whole_ones(threads_server, repo):
    server, mock = threads_server(script())
    t = start_thread(server, cwd=str(repo))
    for n in range(3):
        run_turn(server, t["id"], f"question {n} \u00e9")
        turn_completed(server, t["id"])
    r = server.call("thread/unsubscribe", {"threadId": t["id"]})
    assert r["result"] == {"status": "unsubscribed"}

    expected = full_turns(server, t["id"])
    assert len(expected) == 3
    assert "caf\u00e9" in json.dumps(expected, ensure_ascii=False)

    read = server.call("thread/read", {"threadId": t["id"], "includeTurns": True})["result"]
    assert read["thread"]["turns"] == expected
    assert read["thread"]["id"] == t["id"] and "readState" in read

    res = server.call("thread/resume", {"threadId": t["id"]})["result"]
    assert res["thread"]["turns"] == expected
    # The fields after the turns survived the splice.
    assert res["thread"]["id"] == t["id"] and res["model"]
    # and what follows the answer arrives whole after it
    wait_for(server, "thread/started", lambda m: m["params"]["thread"]["id"] == t["id"])

    # A loaded thread's read streams too.
    read = server.call("thread/read", {"threadId": t["id"], "includeTurns": True})["result"]
    assert read["thread"]["turns"] == expected

    # excludeTurns: no turns at all.
    server.call("thread/unsubscribe", {"threadId": t["id"]})
    res = server.call("thread/resume", {"threadId": t["id"], "excludeTurns": True})["result"]
    assert res["thread"]["turns"] == []


# Output holding the control character the streamed answer marks its
# placeholders with: such a turn is built whole, and still reads the same.
MARKED = "printf 'before \\001 0 \\001 after\\n'; seq 1 700"


def test_output_with_the_placeholder_marker_reads_the_same(threads_server, repo):
    steps = [[{"type": "function_call", "name": "exec_command", "call_id": "call_m",
               "arguments": {"cmd": MARKED}}],
             [{"type": "message", "text": "marked"}],
             [{"type": "function_call", "name": "exec_command", "call_id": "call_p",
               "arguments": {"cmd": COMMAND}}],
             [{"type": "message", "text": "plain"}]]
    server, mock = threads_server(steps)
    t = start_thread(server, cwd=str(repo))
    for n in range(2):
        run_turn(server, t["id"], f"question {n}")
        turn_completed(server, t["id"])
    server.call("thread/unsubscribe", {"threadId": t["id"]})
    expected = full_turns(server, t["id"])
    outputs = [i.get("aggregatedOutput") or "" for turn in expected for i in turn["items"]
               if i["type"] == "commandExecution"]
    assert any("before \x01 0 \x01 after" in o for o in outputs), outputs
    assert any("caf\u00e9" in o for o in outputs), outputs
    read = server.call("thread/read", {"threadId": t["id"], "includeTurns": True})["result"]
    assert read["thread"]["turns"] == expected
    res = server.call("thread/resume", {"threadId": t["id"]})["result"]
    assert res["thread"]["turns"] == expected
