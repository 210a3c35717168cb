"""Sections of threads (threadSection/*, thread/section/move) and corrected
Git facts (thread/metadata/update): answers as the reference 0.169.0 gives
them, kept in $CODEX_HOME/thread_meta.json across restarts."""
import json

from test_threads import start_thread, turn_completed

PINNED = "01984de2-8f74-7c91-a3b2-5c5e937cf318"


def thread_with_a_turn(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "ok"}]])
    thread = start_thread(server, cwd=str(repo))
    server.call("turn/start", {"threadId": thread["id"], "input": [{"type": "text", "text": "hi"}]})
    turn_completed(server, thread["id"])
    return server, thread["id"]


def test_sections_and_moves(threads_server, repo, codex_home):
    server, tid = thread_with_a_turn(threads_server, repo)
    assert server.call("threadSection/list", {})["result"] == {
        "data": [{"id": PINNED, "name": "Pinned", "appearance": None}], "nextCursor": None}
    s1 = server.call("threadSection/create", {"name": "S1", "appearance": {"color": "red"}})
    assert s1["result"]["section"]["appearance"] == {"icon": None, "color": "red"}
    s2 = server.call("threadSection/create", {"name": "S2"})["result"]["section"]
    assert s2["appearance"] is None and s2["id"] != s1["result"]["section"]["id"]
    # Pages: the cursor is the last section of the page before.
    page = server.call("threadSection/list", {"limit": 1})["result"]
    assert [s["name"] for s in page["data"]] == ["Pinned"] and page["nextCursor"] == PINNED
    page = server.call("threadSection/list", {"limit": 5, "cursor": PINNED})["result"]
    assert [s["name"] for s in page["data"]] == ["S1", "S2"] and page["nextCursor"] is None

    assert server.call("thread/section/move", {"threadId": tid, "sectionId": s2["id"]})[
        "result"] == {}
    thread = server.call("thread/read", {"threadId": tid})["result"]["thread"]
    assert thread["section"] == s2 and thread["sectionEnteredAt"] > 0
    listed = server.call("thread/list", {})["result"]["data"]
    assert next(t for t in listed if t["id"] == tid)["section"] == s2
    renamed = server.call("threadSection/update", {"sectionId": s2["id"], "name": "S2b"})
    assert renamed["result"]["section"]["name"] == "S2b"
    assert server.call("thread/read", {"threadId": tid})["result"]["thread"]["section"][
        "name"] == "S2b"
    doc = json.loads((codex_home / "thread_meta.json").read_text())
    assert doc["threads"][tid]["section"] == s2["id"]

    # Deleting the section takes the thread out of it.
    assert server.call("threadSection/delete", {"sectionId": s2["id"]})["result"] == {}
    thread = server.call("thread/read", {"threadId": tid})["result"]["thread"]
    assert thread["section"] is None and thread["sectionEnteredAt"] is None
    assert server.call("thread/section/move", {"threadId": tid, "sectionId": PINNED})["result"] == {}
    assert server.call("thread/section/move", {"threadId": tid, "sectionId": None})["result"] == {}
    assert server.call("thread/read", {"threadId": tid})["result"]["thread"]["section"] is None


def test_section_errors(threads_server, repo):
    server, tid = thread_with_a_turn(threads_server, repo)
    err = lambda m, p: server.call(m, p)["error"]  # noqa: E731
    assert err("threadSection/create", {"name": ""}) == {
        "code": -32602, "message": "section name must not be empty"}
    assert err("threadSection/update", {"sectionId": "nope", "name": "x"}) == {
        "code": -32602, "message": "thread section not found: nope"}
    assert err("threadSection/delete", {"sectionId": "nope"}) == {
        "code": -32602, "message": "thread section not found: nope"}
    assert err("threadSection/delete", {"sectionId": PINNED}) == {
        "code": -32602, "message": "the built-in pinned section cannot be deleted"}
    assert err("thread/section/move", {"threadId": tid, "sectionId": "nope"}) == {
        "code": -32600, "message": "section nope does not exist"}
    assert err("thread/section/move", {"threadId": "67e55044-10b1-426f-9247-bb680e5fe0c8",
                                       "sectionId": PINNED}) == {
        "code": -32600, "message": "thread not found: 67e55044-10b1-426f-9247-bb680e5fe0c8"}
    e = err("thread/section/move", {"threadId": tid, "sectionId": PINNED, "beforeThreadId": tid})
    assert e["code"] == -32602 and "beforeThreadId" in e["message"]


def test_metadata_update_patches_git_info(threads_server, repo, codex_home):
    server, tid = thread_with_a_turn(threads_server, repo)
    r = server.call("thread/metadata/update", {"threadId": tid, "gitInfo": {
        "sha": "abc", "branch": "main", "originUrl": "git@x"}})
    assert r["result"]["thread"]["id"] == tid
    assert r["result"]["thread"]["gitInfo"] == {"sha": "abc", "branch": "main", "originUrl": "git@x"}
    r = server.call("thread/metadata/update", {"threadId": tid, "gitInfo": {"branch": None}})
    assert r["result"]["thread"]["gitInfo"] == {"sha": "abc", "branch": None, "originUrl": "git@x"}
    listed = server.call("thread/list", {})["result"]["data"]
    assert next(t for t in listed if t["id"] == tid)["gitInfo"]["sha"] == "abc"
    # It outlives the server.
    server.close()
    again, _ = threads_server([])
    thread = again.call("thread/read", {"threadId": tid})["result"]["thread"]
    assert thread["gitInfo"] == {"sha": "abc", "branch": None, "originUrl": "git@x"}

    err = lambda p: again.call("thread/metadata/update", p)["error"]  # noqa: E731
    assert err({"threadId": tid}) == {
        "code": -32600, "message": "thread metadata update must include at least one field"}
    assert err({"threadId": tid, "gitInfo": {}}) == {
        "code": -32600, "message": "gitInfo must include at least one field"}
    assert err({"threadId": tid, "gitInfo": {"branch": ""}}) == {
        "code": -32600, "message": "gitInfo.branch must not be empty"}
    assert err({"threadId": "67e55044-10b1-426f-9247-bb680e5fe0c8", "gitInfo": {"branch": "x"}}) == {
        "code": -32600,
        "message": "no rollout found for thread id 67e55044-10b1-426f-9247-bb680e5fe0c8"}


def test_a_broken_metadata_file_is_reported_not_replaced(threads_server, repo, codex_home):
    server, tid = thread_with_a_turn(threads_server, repo)
    (codex_home / "thread_meta.json").write_text("{not json")
    e = server.call("threadSection/create", {"name": "S"})["error"]
    assert e["code"] == -32603 and "thread_meta.json" in e["message"]
    assert (codex_home / "thread_meta.json").read_text() == "{not json"
    # Reading threads still works; they show no sections.
    assert server.call("thread/read", {"threadId": tid})["result"]["thread"]["section"] is None


def test_attachments(threads_server, repo, codex_home):
    server, tid = thread_with_a_turn(threads_server, repo)
    add = lambda key, payload: server.call("thread/attachment/add", {  # noqa: E731
        "threadId": tid, "attachmentType": "t", "identityKey": key, "payload": payload})["result"]
    first = add("k", {"a": 1})
    assert first["outcome"] == "created"
    a = first["attachment"]
    assert (a["attachmentType"], a["identityKey"], a["payload"]) == ("t", "k", {"a": 1})
    assert a["createdAt"] > 0
    # The same type and key again: the one there already, unchanged.
    assert add("k", {"a": 2}) == {"outcome": "existing", "attachment": a}
    b = add("k2", "str")["attachment"]
    listed = server.call("thread/attachment/list", {"threadId": tid})["result"]
    assert listed == {"data": [a, b], "nextCursor": None}
    page = server.call("thread/attachment/list", {"threadId": tid, "limit": 1})["result"]
    assert page["data"] == [a] and page["nextCursor"].startswith(tid + "|")
    page = server.call("thread/attachment/list", {"threadId": tid, "limit": 1,
                                                  "cursor": page["nextCursor"]})["result"]
    assert page == {"data": [b], "nextCursor": None}
    owners = server.call("thread/attachmentOwner/list", {"attachmentType": "t",
                                                         "identityKey": "k"})["result"]
    assert owners == {"data": [{"threadId": tid, "archived": False}], "nextCursor": None}
    assert server.call("thread/archive", {"threadId": tid})["result"] == {}
    assert server.call("thread/attachmentOwner/list", {"attachmentType": "t", "identityKey": "k",
                                                       "archived": False})["result"]["data"] == []
    assert server.call("thread/attachmentOwner/list", {"attachmentType": "t", "identityKey": "k"})[
        "result"]["data"] == [{"threadId": tid, "archived": True}]
    assert server.call("thread/unarchive", {"threadId": tid})["result"]
    rm = {"threadId": tid, "attachmentType": "t", "identityKey": "k"}
    assert server.call("thread/attachment/remove", rm)["result"] == {}
    assert server.call("thread/attachment/remove", rm)["result"] == {}
    assert server.call("thread/attachment/list", {"threadId": tid})["result"]["data"] == [b]
    doc = json.loads((codex_home / "thread_meta.json").read_text())
    assert doc["threads"][tid]["attachments"] == [b]


def test_attachment_errors(threads_server, repo):
    server, tid = thread_with_a_turn(threads_server, repo)
    err = lambda m, p: server.call(m, p)["error"]  # noqa: E731
    assert err("thread/attachment/add", {"threadId": tid, "attachmentType": "", "identityKey": "k",
                                         "payload": 1}) == {
        "code": -32602, "message": "attachmentType must not be empty"}
    assert err("thread/attachment/add", {"threadId": tid, "attachmentType": "t", "identityKey": "",
                                         "payload": 1}) == {
        "code": -32602, "message": "identityKey must not be empty"}
    unknown = "67e55044-10b1-426f-9247-bb680e5fe0c8"
    assert err("thread/attachment/add", {"threadId": unknown, "attachmentType": "t",
                                         "identityKey": "k", "payload": 1}) == {
        "code": -32602, "message": f"thread not found: {unknown}"}
    assert err("thread/attachment/list", {"threadId": tid, "cursor": "bad"}) == {
        "code": -32602, "message": "invalid pagination cursor"}
    assert server.call("thread/attachment/list", {"threadId": unknown})["result"] == {
        "data": [], "nextCursor": None}


def test_deleting_a_thread_forgets_what_was_kept_about_it(threads_server, repo, codex_home):
    server, tid = thread_with_a_turn(threads_server, repo)
    server.call("thread/attachment/add", {"threadId": tid, "attachmentType": "t",
                                          "identityKey": "k", "payload": 1})
    server.call("thread/section/move", {"threadId": tid, "sectionId": PINNED})
    assert tid in json.loads((codex_home / "thread_meta.json").read_text())["threads"]
    assert "result" in server.call("thread/delete", {"threadId": tid})
    assert tid not in json.loads((codex_home / "thread_meta.json").read_text())["threads"]
    assert server.call("thread/attachmentOwner/list", {"attachmentType": "t", "identityKey": "k"})[
        "result"]["data"] == []
