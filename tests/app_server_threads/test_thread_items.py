"""thread/items/list (pages of a thread's items, either way, with the
reference's cursors) and thread/inject_items (raw items for the model's
history, kept in the rollout)."""
import json

from test_threads import start_thread, turn_completed


def two_turns(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "ok1"}],
                                   [{"type": "message", "text": "ok2"}],
                                   [{"type": "message", "text": "ok3"}]])
    thread = start_thread(server, cwd=str(repo))
    for text in ["one", "two"]:
        server.call("turn/start", {"threadId": thread["id"],
                                   "input": [{"type": "text", "text": text}]})
        turn_completed(server, thread["id"])
    return server, mock, thread


def texts(page):
    return [e["item"].get("text") or e["item"]["content"][0]["text"] for e in page["data"]]


def test_items_list_pages_both_ways(threads_server, repo):
    server, _, thread = two_turns(threads_server, repo)
    tid = thread["id"]
    everything = server.call("thread/items/list", {"threadId": tid})["result"]
    assert texts(everything) == ["one", "ok1", "two", "ok2"]
    assert everything["nextCursor"] is None
    turns = {e["turnId"] for e in everything["data"]}
    assert len(turns) == 2
    for e in everything["data"]:
        assert e["startedAtMs"] > 0 and e["completedAtMs"] >= e["startedAtMs"]
    # Opaque cursors shaped like the reference's.
    cur = json.loads(everything["backwardsCursor"])
    assert cur["requestedThreadId"] == tid and cur["includeAnchor"] is True
    assert cur["scope"] == {"kind": "itemsByCreatedAtOrdinal"}

    seen, cursor = [], None
    while True:
        params = {"threadId": tid, "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = server.call("thread/items/list", params)["result"]
        seen += texts(page)
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == ["one", "ok1", "two", "ok2"]

    page = server.call("thread/items/list",
                       {"threadId": tid, "limit": 2, "sortDirection": "desc"})["result"]
    assert texts(page) == ["ok2", "two"]
    page2 = server.call("thread/items/list", {"threadId": tid, "limit": 2, "sortDirection": "desc",
                                              "cursor": page["nextCursor"]})["result"]
    assert texts(page2) == ["ok1", "one"] and page2["nextCursor"] is None
    # The backwards cursor of a page turns round at its first item, which
    # it includes.
    back = server.call("thread/items/list", {"threadId": tid,
                                             "cursor": page2["backwardsCursor"]})["result"]
    assert texts(back) == ["ok1", "two", "ok2"]
    # A page holds at least one item.
    assert texts(server.call("thread/items/list", {"threadId": tid, "limit": 0})["result"]) == ["one"]

    # One turn, and an item anchor inside it.
    second = everything["data"][2]["turnId"]
    page = server.call("thread/items/list", {"threadId": tid, "turnId": second})["result"]
    assert texts(page) == ["two", "ok2"]
    anchor = {"type": "item", "itemId": everything["data"][2]["item"]["id"]}
    page = server.call("thread/items/list", {"threadId": tid, "turnId": second,
                                             "cursor": anchor})["result"]
    assert texts(page) == ["ok2"]


def test_items_list_bad_params(threads_server, repo):
    server, _, thread = two_turns(threads_server, repo)
    r = server.call("thread/items/list", {"threadId": thread["id"], "cursor": "garbage"})
    assert r["error"] == {"code": -32600, "message": "invalid cursor: garbage"}
    r = server.call("thread/items/list", {"threadId": "67e55044-10b1-426f-9247-bb680e5fe0c8"})
    assert r["error"]["code"] == -32600 and "thread not found" in r["error"]["message"]
    r = server.call("thread/items/list", {"threadId": thread["id"], "turnId": "nope"})
    assert r["error"] == {"code": -32600, "message": "turn not found: nope"}
    r = server.call("thread/items/list", {"threadId": thread["id"],
                                          "cursor": {"type": "item", "itemId": "x"}})
    assert r["error"]["code"] == -32600 and "turnId" in r["error"]["message"]


def test_inject_items_reach_the_model_and_the_rollout(threads_server, repo):
    server, mock, thread = two_turns(threads_server, repo)
    tid = thread["id"]
    injected = {"type": "message", "role": "user",
                "content": [{"type": "input_text", "text": "INJECTED"}]}
    server.notifications()
    r = server.call("thread/inject_items", {"threadId": tid, "items": [injected]})
    assert r == {"id": r["id"], "result": {}}
    server.call("thread/loaded/list", {})
    assert not server.notifications("item/started"), "no item announces them"
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "three"}]})
    turn_completed(server, tid)
    last = mock.requests()[-1]["body"]["input"]
    assert last[-2] == injected
    assert last[-1]["content"][0]["text"] == "three"
    rollout = [json.loads(l) for l in open(thread["path"])]
    assert any(e["type"] == "response_item" and e["payload"] == injected for e in rollout)

    # A resumed thread still has them in its history.
    assert server.call("thread/unsubscribe", {"threadId": tid})["result"]
    assert server.call("thread/loaded/list", {})["result"]["data"] == []
    assert "result" in server.call("thread/resume", {"threadId": tid})
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "four"}]})
    turn_completed(server, tid)
    assert injected in mock.requests()[-1]["body"]["input"]


def test_inject_items_bad_params(threads_server, repo):
    server, _ = threads_server([])
    tid = start_thread(server, cwd=str(repo))["id"]
    r = server.call("thread/inject_items", {"threadId": tid, "items": []})
    assert r["error"] == {"code": -32600, "message": "items must not be empty"}
    r = server.call("thread/inject_items", {"threadId": tid, "items": [{"bogus": 1}]})
    assert r["error"] == {"code": -32600,
                          "message": "items[0] is not a valid response item: missing field `type`"}
    r = server.call("thread/inject_items", {"threadId": tid})
    assert r["error"]["code"] == -32600 and "items" in r["error"]["message"]
