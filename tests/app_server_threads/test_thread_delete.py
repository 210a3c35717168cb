"""thread/delete: a thread's rollout goes for good, loaded or not,
active or archived, with the threads it started; thread/deleted follows
the answer."""
import json

from test_threads import run_turn, start_thread, turn_completed, wait_for


def rollouts(codex_home, thread_id):
    return [p for tree in ("sessions", "archived_sessions")
            for p in (codex_home / tree).rglob(f"rollout-*-{thread_id}.jsonl")]


def test_delete_loaded_archived_and_children(threads_server, repo, codex_home):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    ids = []
    for text in ["first", "second"]:
        t = start_thread(server, cwd=str(repo))
        run_turn(server, t["id"], text)
        turn_completed(server, t["id"])
        ids.append(t["id"])
    # A thread the first one started (as a reviewer or a subagent would):
    # its session_meta names the parent.
    parent_file = rollouts(codex_home, ids[0])[0]
    child_id = "01a24700-0000-7000-8000-000000000001"
    meta = json.loads(parent_file.read_text().splitlines()[0])
    meta["payload"]["id"] = meta["payload"]["session_id"] = child_id
    meta["payload"]["parent_thread_id"] = ids[0]
    child = parent_file.parent / f"rollout-2026-12-05T00-00-00-{child_id}.jsonl"
    child.write_text(json.dumps(meta) + "\n")

    r = server.call("thread/delete", {"threadId": ids[0]})
    assert r["result"] == {}
    assert wait_for(server, "thread/deleted")["params"]["threadId"] == ids[0]
    assert rollouts(codex_home, ids[0]) == [] and not child.exists()
    assert ids[0] not in server.call("thread/loaded/list", {})["result"]["data"]
    assert [t["id"] for t in server.call("thread/list", {})["result"]["data"]] == [ids[1]]

    assert "result" in server.call("thread/archive", {"threadId": ids[1]})
    r = server.call("thread/delete", {"threadId": ids[1]})
    assert r["result"] == {}
    assert rollouts(codex_home, ids[1]) == []
    assert server.call("thread/list", {"archived": True})["result"]["data"] == []


def test_delete_refuses_what_it_cannot_do(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    r = server.call("thread/delete", {"threadId": "00000000-0000-0000-0000-000000000000"})
    assert r["error"] == {"code": -32600, "message": "no rollout found for thread id "
                                   "00000000-0000-0000-0000-000000000000"}
    r = server.call("thread/delete", {})
    assert r["error"]["code"] == -32600 and "missing field `threadId`" in r["error"]["message"]
