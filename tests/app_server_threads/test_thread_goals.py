"""thread/goal/set, get and clear: the goal is stored per thread, its
changes are announced (thread/goal/updated, thread/goal/cleared), and while
it is active the thread keeps taking turns toward it (hidden turns that
carry the objective and budget) until the model reports it complete, the
client pauses or clears it, or its token budget is spent."""
import json
import os

from test_threads import start_thread, turn_completed, wait_for
from test_thread_revert import MISSING, new_server


def goal_context(request):
    """The goal message a request's turn started with (its last user
    message, when that is one), or None."""
    users = [i for i in request["body"]["input"]
             if i.get("type") == "message" and i.get("role") == "user"]
    text = users[-1]["content"][0].get("text", "") if users else ""
    return text if text.startswith('<codex_internal_context source="goal">') else None


def test_set_get_clear_and_storage(threads_server, repo, codex_home, tmp_path):
    server, _ = threads_server([[{"type": "message", "text": "ok"}]], repeat_last=True)
    tid = start_thread(server, cwd=str(repo))["id"]
    assert server.call("thread/goal/get", {"threadId": tid})["result"] == {"goal": None}
    # Paused: stored and announced, no turn starts.
    goal = server.call("thread/goal/set", {"threadId": tid, "objective": "ship it",
                                           "status": "paused", "tokenBudget": 900})["result"]["goal"]
    assert goal["objective"] == "ship it" and goal["status"] == "paused"
    assert goal["tokenBudget"] == 900 and goal["tokensUsed"] == 0 and goal["threadId"] == tid
    note = wait_for(server, "thread/goal/updated")["params"]
    assert note == {"threadId": tid, "turnId": None, "goal": goal}
    # A new objective keeps the goal's status and creation time.
    again = server.call("thread/goal/set", {"threadId": tid, "objective": "ship it well"})["result"]["goal"]
    assert again["status"] == "paused" and again["createdAt"] == goal["createdAt"]
    assert server.call("thread/goal/get", {"threadId": tid})["result"]["goal"] == again
    assert server.close() == 0
    # Stored: a new server (the thread not loaded) reads and clears it.
    s = new_server(codex_home, repo, tmp_path)
    try:
        assert s.call("thread/goal/get", {"threadId": tid})["result"]["goal"] == again
        assert s.call("thread/goal/clear", {"threadId": tid})["result"] == {"cleared": True}
        assert wait_for(s, "thread/goal/cleared")["params"] == {"threadId": tid}
        assert s.call("thread/goal/clear", {"threadId": tid})["result"] == {"cleared": False}
        assert s.call("thread/goal/get", {"threadId": tid})["result"] == {"goal": None}
    finally:
        assert s.close() == 0
    assert json.loads((codex_home / "thread_goals.json").read_text()) == {}


def test_active_goal_drives_turns_until_the_model_completes_it(threads_server, repo):
    script = [
        [{"type": "message", "text": "working on it"}],
        [{"type": "function_call", "name": "update_goal", "arguments": '{"status":"complete"}',
          "call_id": "call_goal"}],
        [{"type": "message", "text": "the goal is done"}],
        [{"type": "message", "text": "user turn answer"}],
    ]
    server, mock = threads_server(script)
    tid = start_thread(server, cwd=str(repo))["id"]
    server.call("thread/goal/set", {"threadId": tid, "objective": "make the build green"})
    first = turn_completed(server, tid)
    second = turn_completed(server, tid)
    # Hidden turns: no userMessage item, the objective reaches the model.
    assert [i["type"] for i in first["items"]] == ["agentMessage"]
    requests = mock.requests()
    assert len(requests) == 3
    for r in requests:
        assert "make the build green" in goal_context(r)
        assert {"get_goal", "create_goal", "update_goal"} <= {t.get("name") for t in r["body"]["tools"]}
    # The second turn started from the first one's history.
    assert "working on it" in json.dumps(requests[1]["body"]["input"])
    out = [i for i in requests[2]["body"]["input"] if i.get("type") == "function_call_output"]
    assert json.loads(out[0]["output"])["goal"]["status"] == "complete"
    updates = [m["params"] for m in server.notifications("thread/goal/updated")]
    assert updates[-1]["goal"]["status"] == "complete" and updates[-1]["turnId"] == second["id"]
    assert updates[1]["turnId"] == first["id"] and updates[1]["goal"]["tokensUsed"] > 0
    assert server.call("thread/goal/get", {"threadId": tid})["result"]["goal"]["status"] == "complete"
    # Nothing else started: the next request is the user's own turn.
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "thanks"}]})
    turn_completed(server, tid)
    requests = mock.requests()
    assert len(requests) == 4 and goal_context(requests[3]) is None


def test_budget_stops_the_turns(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "step"}]], repeat_last=True)
    tid = start_thread(server, cwd=str(repo))["id"]
    server.call("thread/goal/set", {"threadId": tid, "objective": "count", "tokenBudget": 1})
    turn_completed(server, tid)
    goal = server.call("thread/goal/get", {"threadId": tid})["result"]["goal"]
    assert goal["status"] == "budgetLimited" and goal["tokensUsed"] >= 1
    assert "Tokens: 0 used of a budget of 1" in goal_context(mock.requests()[0])
    # A spent budget outranks pausing and resuming.
    r = server.call("thread/goal/set", {"threadId": tid, "status": "active"})["result"]["goal"]
    assert r["status"] == "budgetLimited"
    # A bigger budget lets the goal run again.
    r = server.call("thread/goal/set", {"threadId": tid, "status": "active",
                                        "tokenBudget": r["tokensUsed"] * 100})["result"]["goal"]
    assert r["status"] == "active"
    assert server.call("thread/goal/set", {"threadId": tid, "status": "paused"})["result"]["goal"][
        "status"] == "paused"
    turn_completed(server, tid)  # the turn that started meanwhile ends; none follows a pause
    n = len(mock.requests())
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "hi"}]})
    turn_completed(server, tid)
    assert len(mock.requests()) == n + 1 and goal_context(mock.requests()[-1]) is None


def test_goal_bad_input(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "ok"}]], repeat_last=True)
    tid = start_thread(server, cwd=str(repo))["id"]
    cases = [
        ("thread/goal/get", {"threadId": MISSING}, f"thread not found: {MISSING}"),
        ("thread/goal/set", {"threadId": MISSING, "objective": "x"}, f"thread not found: {MISSING}"),
        ("thread/goal/clear", {"threadId": MISSING}, f"thread not found: {MISSING}"),
        ("thread/goal/set", {"threadId": tid}, f"cannot update goal for thread {tid}: no goal exists"),
        ("thread/goal/set", {"threadId": tid, "status": "active"},
         f"cannot update goal for thread {tid}: no goal exists"),
        ("thread/goal/set", {"threadId": tid, "objective": "  "}, "goal objective must not be empty"),
        ("thread/goal/set", {"threadId": tid, "objective": "x", "tokenBudget": 0},
         "goal budgets must be positive when provided"),
        ("thread/goal/set", {"threadId": tid, "objective": "x", "tokenBudget": -5},
         "goal budgets must be positive when provided"),
    ]
    for method, params, message in cases:
        assert server.call(method, params)["error"] == {"code": -32600, "message": message}, params
    err = server.call("thread/goal/set", {"threadId": tid, "objective": "x", "status": "done"})["error"]
    assert err["code"] == -32600 and "unknown variant `done`" in err["message"]
    eph = start_thread(server, cwd=str(repo), ephemeral=True)["id"]
    err = server.call("thread/goal/set", {"threadId": eph, "objective": "x"})["error"]
    assert err == {"code": -32600, "message": f"ephemeral thread does not support goals: {eph}"}


def test_goal_set_during_a_running_turn_waits_for_it(threads_server, repo):
    script = [{"items": [{"type": "message", "text": "slow"}], "event_delay_ms": 150},
              [{"type": "function_call", "name": "update_goal", "arguments": '{"status":"complete"}',
                "call_id": "c1"}],
              [{"type": "message", "text": "done"}]]
    server, mock = threads_server(script)
    tid = start_thread(server, cwd=str(repo))["id"]
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "start"}]})
    # Accepted while the user's turn runs (as the reference); the goal's own
    # turn comes after it.
    goal = server.call("thread/goal/set", {"threadId": tid, "objective": "finish"})["result"]["goal"]
    assert goal["status"] == "active"
    user_turn = turn_completed(server, tid)
    assert user_turn["items"][-1]["text"] == "slow"
    turn_completed(server, tid)
    requests = mock.requests()
    assert goal_context(requests[0]) is None and "finish" in goal_context(requests[1])
    assert server.call("thread/goal/get", {"threadId": tid})["result"]["goal"]["status"] == "complete"


def test_resumed_thread_takes_up_its_goal(threads_server, repo, codex_home, tmp_path):
    script = [[{"type": "message", "text": "before"}],
              [{"type": "message", "text": "user answer"}],
              [{"type": "function_call", "name": "update_goal", "arguments": '{"status":"complete"}',
                "call_id": "c9"}],
              [{"type": "message", "text": "done"}]]
    server, mock = threads_server(script)
    tid = start_thread(server, cwd=str(repo))["id"]
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "hello"}]})
    turn_completed(server, tid)
    server.call("thread/goal/set", {"threadId": tid, "objective": "tidy up", "status": "paused"})
    assert server.close() == 0
    s = new_server(codex_home, repo, tmp_path)
    try:
        assert "result" in s.call("thread/resume", {"threadId": tid})
        # Resumed while paused: nothing starts until the client resumes it.
        goal = s.call("thread/goal/set", {"threadId": tid, "status": "active"})["result"]["goal"]
        assert goal["status"] == "active" and goal["tokensUsed"] == 0
        first = turn_completed(s, tid)
        turn_completed(s, tid)
    finally:
        assert s.close() == 0
    requests = mock.requests()
    assert len(requests) == 4 and goal_context(requests[0]) is None
    assert "tidy up" in goal_context(requests[1]) and "tidy up" in goal_context(requests[2])
    # A turn counts what it spent itself: the first goal turn made one request.
    usage = [m["params"] for m in s.notifications("thread/tokenUsage/updated")
             if m["params"]["turnId"] == first["id"]]
    updates = [m["params"] for m in s.notifications("thread/goal/updated")
               if m["params"]["turnId"] == first["id"]]
    assert updates[0]["goal"]["tokensUsed"] == usage[-1]["tokenUsage"]["last"]["totalTokens"] > 0
