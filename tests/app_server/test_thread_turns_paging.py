"""thread/turns/list pages a stored thread's turns as the reference 0.169.0
does (probed side by side): the cursor is JSON naming an anchor turn and
whether the page includes it; nextCursor anchors on the last turn of a page
(excluded), backwardsCursor on the first (included, for the other
direction); 25 turns by default, 1 to 100 per page; the summary view keeps
a turn's first user message and its final answer.  thread/resume and
thread/fork with excludeTurns answer without the turns."""
import json
import sys
import pathlib
import uuid

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "exec"))
from exec_helpers import write_config  # noqa: E402

N_TURNS = 130


def ev(payload):
    return {"timestamp": "2026-12-01T10:00:00.000Z", "type": "event_msg", "payload": payload}


def write_session(codex_home, n_turns=N_TURNS, torn_tail=False):
    """A stored session of n_turns turns, each with a user message, a
    commentary answer and a final answer.  Returns (thread id, turn ids)."""
    tid = str(uuid.uuid4())
    day = codex_home / "sessions" / "2026" / "12" / "01"
    day.mkdir(parents=True, exist_ok=True)
    lines = [{"timestamp": "2026-12-01T10:00:00.000Z", "type": "session_meta",
              "payload": {"id": tid, "timestamp": "2026-12-01T10:00:00.000Z", "cwd": "/",
                          "originator": "codex_cli_rs", "cli_version": "0.1.0", "source": "cli",
                          "model_provider": "mock"}}]
    turn_ids = []
    for i in range(n_turns):
        t = f"turn-{i:04d}"
        turn_ids.append(t)
        lines += [
            ev({"type": "task_started", "turn_id": t, "started_at": 1796000000 + i}),
            {"timestamp": "2026-12-01T10:00:00.000Z", "type": "response_item",
             "payload": {"type": "message", "role": "user",
                         "content": [{"type": "input_text", "text": f"question {i}"}]}},
            ev({"type": "item_completed", "thread_id": tid, "turn_id": t,
                "item": {"type": "UserMessage", "id": f"u{i}",
                         "content": [{"type": "text", "text": f"question {i}"}]}}),
            ev({"type": "item_completed", "thread_id": tid, "turn_id": t,
                "item": {"type": "AgentMessage", "id": f"c{i}",
                         "content": [{"type": "Text", "text": f"working on {i}"}]}}),
            ev({"type": "item_completed", "thread_id": tid, "turn_id": t,
                "item": {"type": "AgentMessage", "id": f"a{i}",
                         "content": [{"type": "Text", "text": f"answer {i}"}]}}),
            ev({"type": "task_complete", "turn_id": t}),
        ]
    text = "".join(json.dumps(line) + "\n" for line in lines)
    if torn_tail:
        text += '{"timestamp":"2026-12-01T10:00:00.000Z","type":"event_msg","payload":{"ty'
    (day / f"rollout-2026-12-01T10-00-00-{tid}.jsonl").write_text(text)
    return tid, turn_ids


def cursor(turn_id, include):
    return json.dumps({"turnId": turn_id, "includeAnchor": include}, separators=(",", ":"))


@pytest.fixture
def stored(codex_home, start_server):
    write_config(codex_home, 9)  # never asked: nothing here samples
    tid, turn_ids = write_session(codex_home)
    s = start_server()
    s.initialize()
    yield s, tid, turn_ids
    s.close()


def page(s, tid, **params):
    r = s.call("thread/turns/list", {"threadId": tid, **params})
    assert "error" not in r, r
    return r["result"]


def ids(result):
    return [t["id"] for t in result["data"]]


def test_pages_newest_first_with_anchor_cursors(stored):
    s, tid, turn_ids = stored
    newest = turn_ids[::-1]
    first = page(s, tid)
    assert ids(first) == newest[:25]  # the reference's default page
    assert first["nextCursor"] == cursor(newest[24], False)
    assert first["backwardsCursor"] == cursor(newest[0], True)
    second = page(s, tid, cursor=first["nextCursor"], limit=10)
    assert ids(second) == newest[25:35]
    # Back the other way from the second page's first turn, which comes again.
    back = page(s, tid, cursor=second["backwardsCursor"], sortDirection="asc", limit=3)
    assert ids(back) == [newest[25], newest[24], newest[23]]
    assert back["nextCursor"] == cursor(newest[23], False)


def test_ascending_pages_walk_to_the_end(stored):
    s, tid, turn_ids = stored
    seen, nxt = [], None
    while True:
        params = {"sortDirection": "asc", "limit": 50}
        if nxt:
            params["cursor"] = nxt
        r = page(s, tid, **params)
        seen += ids(r)
        nxt = r["nextCursor"]
        if nxt is None:
            break
    assert seen == turn_ids
    assert r["backwardsCursor"] == cursor(turn_ids[100], True)


def test_limit_is_kept_between_1_and_100(stored):
    s, tid, turn_ids = stored
    assert len(page(s, tid, limit=0)["data"]) == 1
    assert len(page(s, tid, limit=1000)["data"]) == 100
    last = page(s, tid, limit=1000, cursor=cursor(turn_ids[20], True))
    assert ids(last) == turn_ids[20::-1]
    assert last["nextCursor"] is None


def test_items_views(stored):
    s, tid, _ = stored
    summary = page(s, tid, limit=1)["data"][0]
    assert summary["itemsView"] == "summary"
    assert [(i["type"], i["id"]) for i in summary["items"]] == [
        ("userMessage", f"u{N_TURNS - 1}"), ("agentMessage", f"a{N_TURNS - 1}")]
    full = page(s, tid, limit=1, itemsView="full")["data"][0]
    assert full["itemsView"] == "full"
    assert [i["id"] for i in full["items"]] == [f"u{N_TURNS - 1}", f"c{N_TURNS - 1}", f"a{N_TURNS - 1}"]
    bare = page(s, tid, limit=1, itemsView="notLoaded")["data"][0]
    assert bare["itemsView"] == "notLoaded" and bare["items"] == []


@pytest.mark.parametrize("bad", ["garbage", "5", '{"turnId":"turn-0001"}',
                                 '{"turnId":"turn-0001","includeAnchor":1}'])
def test_a_cursor_that_is_not_one_is_refused(stored, bad):
    s, tid, _ = stored
    r = s.call("thread/turns/list", {"threadId": tid, "cursor": bad})
    assert r["error"] == {"code": -32600, "message": f"invalid cursor: {bad}"}


def test_a_cursor_whose_turn_is_gone_is_refused(stored):
    s, tid, _ = stored
    r = s.call("thread/turns/list", {"threadId": tid, "cursor": cursor("turn-gone", True)})
    assert r["error"] == {"code": -32600,
                          "message": "invalid cursor: anchor turn is no longer present"}


def test_unknown_and_malformed_thread_ids(stored):
    s, _, _ = stored
    missing = "00000000-0000-0000-0000-000000000000"
    r = s.call("thread/turns/list", {"threadId": missing})
    assert r["error"] == {"code": -32600, "message": f"thread not loaded: {missing}"}
    r = s.call("thread/turns/list", {"threadId": "nope"})
    assert r["error"]["code"] == -32600
    assert r["error"]["message"].startswith("invalid thread id: invalid character")


def test_a_thread_without_turns_has_no_cursors(codex_home, start_server):
    write_config(codex_home, 9)
    tid, _ = write_session(codex_home, n_turns=0)
    s = start_server()
    s.initialize()
    r = page(s, tid, cursor="not even looked at")
    assert r == {"data": [], "nextCursor": None, "backwardsCursor": None}
    s.close()


def test_resume_and_fork_with_exclude_turns(stored):
    s, tid, turn_ids = stored
    r = s.call("thread/resume", {"threadId": tid, "excludeTurns": True})
    assert "error" not in r, r
    thread = r["result"]["thread"]
    assert thread["turns"] == []
    assert thread["preview"] == "question 0"
    # The turns are still there for paging, the running thread's own.
    assert ids(page(s, tid, limit=2)) == turn_ids[::-1][:2]
    r = s.call("thread/fork", {"threadId": tid, "excludeTurns": True})
    assert "error" not in r, r
    assert r["result"]["thread"]["turns"] == []
    r = s.call("thread/resume", {"threadId": tid, "excludeTurns": "yes"})
    assert r["error"]["code"] == -32600
    assert "expected a boolean" in r["error"]["message"]


def test_resume_without_exclude_turns_has_them_all(stored):
    s, tid, turn_ids = stored
    r = s.call("thread/resume", {"threadId": tid})
    assert [t["id"] for t in r["result"]["thread"]["turns"]] == turn_ids


def test_a_torn_last_line_still_pages_and_resumes(codex_home, start_server):
    """A writer killed mid-line (kill -9) leaves a torn last line: the
    turns before it are all there and the thread resumes, with a warning."""
    write_config(codex_home, 9)
    tid, turn_ids = write_session(codex_home, n_turns=3, torn_tail=True)
    s = start_server()
    s.initialize()
    assert ids(page(s, tid, sortDirection="asc")) == turn_ids
    r = s.call("thread/resume", {"threadId": tid, "excludeTurns": True})
    assert "error" not in r, r
    s.call("thread/loaded/list", {})  # the warnings follow the answer
    warnings = s.notifications("warning")
    assert any("incomplete" in n["params"]["message"] for n in warnings), warnings
    s.close()
