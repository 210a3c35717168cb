"""thread/revert: the thread goes on without the reverted turns.  The next
request carries none of them, thread/read and thread/turns/list show the
kept history, a resume (also after a kill -9 in the middle of a revert)
sees the same, and the reference reads the reverted rollout back."""
import json
import os
import pathlib
import signal
import subprocess
import sys

import pytest

from test_threads import start_thread, turn_completed, wait_for

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "app_server"))
from appserver import CODEX_BIN, AppServer  # noqa: E402

REFERENCE = pathlib.Path("/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
                         "x86_64-unknown-linux-musl/bin/codex")
MISSING = "67e55044-10b1-426f-9247-bb680e5fe0c8"


def answers(n):
    return [[{"type": "message", "text": f"answer {i}"}] for i in range(1, n + 1)]


def run(server, tid, text):
    r = server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": text}]})
    assert "result" in r, r
    turn_completed(server, tid)
    return r["result"]["turn"]["id"]


def three_turns(threads_server, repo, extra=2, **start):
    server, mock = threads_server(answers(3 + extra))
    thread = start_thread(server, cwd=str(repo), **start)
    ids = [run(server, thread["id"], w) for w in ["one", "two", "three"]]
    return server, mock, thread["id"], ids


def sent_texts(request):
    """The user's own words in a request (not the injected context)."""
    out = []
    for item in request["body"]["input"]:
        if item.get("type") == "message" and item.get("role") in ("user", "assistant"):
            for part in item["content"]:
                text = part.get("text", "")
                if not text.startswith("<"):
                    out.append(text)
    return out


def turn_words(server, tid):
    turns = server.call("thread/read", {"threadId": tid, "includeTurns": True})["result"]["thread"]["turns"]
    return [t["items"][0]["content"][0]["text"] for t in turns]


def test_revert_drops_the_turns_from_the_next_request_and_from_the_thread(threads_server, repo):
    server, mock, tid, (t1, t2, t3) = three_turns(threads_server, repo)
    server.notifications()
    r = server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    result = r["result"]  # the shape is checked against the schema on reading
    assert result["thread"]["id"] == tid and result["thread"]["turns"] == []
    assert json.loads(result["turnsBackwardsCursor"])["turnId"] == t1
    assert turn_words(server, tid) == ["one"]
    listed = server.call("thread/turns/list", {"threadId": tid})["result"]["data"]
    assert [t["id"] for t in listed] == [t1]
    # The backwards cursor pages the kept history from its end.
    page = server.call("thread/turns/list", {"threadId": tid, "sortDirection": "desc",
                                             "cursor": result["turnsBackwardsCursor"]})["result"]
    assert [t["id"] for t in page["data"]] == [t1]
    items = server.call("thread/items/list", {"threadId": tid, "sortDirection": "desc",
                                              "cursor": result["itemsBackwardsCursor"]})["result"]
    assert [e["item"]["type"] for e in items["data"]] == ["agentMessage", "userMessage"]

    run(server, tid, "four")
    assert sent_texts(mock.requests()[-1]) == ["one", "answer 1", "four"]
    assert turn_words(server, tid) == ["one", "four"]


def test_revert_notifies_subscribers(threads_server, repo):
    server, _, tid, (_, t2, _) = three_turns(threads_server, repo)
    server.notifications()
    server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    note = wait_for(server, "thread/reverted")
    assert note["params"] == {"threadId": tid}


def test_revert_before_the_first_turn_starts_over(threads_server, repo):
    server, mock, tid, (t1, _, _) = three_turns(threads_server, repo)
    r = server.call("thread/revert", {"threadId": tid, "beforeTurnId": t1})
    assert r["result"]["turnsBackwardsCursor"] is None
    assert r["result"]["itemsBackwardsCursor"] is None
    assert turn_words(server, tid) == []
    run(server, tid, "again")
    request = mock.requests()[-1]
    assert sent_texts(request) == ["again"]
    # The initial context goes in again with the new first turn.
    assert any("<environment_context>" in json.dumps(i) for i in request["body"]["input"])


def new_server(codex_home, repo, tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
           "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
    s = AppServer(CODEX_BIN, env, cwd=repo)
    s.initialize()
    return s


def test_resume_after_revert_and_revert_of_a_stored_thread(threads_server, repo, codex_home,
                                                            tmp_path):
    server, mock, tid, (_, t2, t3) = three_turns(threads_server, repo)
    server.call("thread/revert", {"threadId": tid, "beforeTurnId": t3})
    assert server.close() == 0
    # A second server: the thread is stored, not loaded.
    s = new_server(codex_home, repo, tmp_path)
    try:
        assert turn_words(s, tid) == ["one", "two"]
        r = s.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
        assert r["result"]["thread"]["status"] == {"type": "notLoaded"}
        assert turn_words(s, tid) == ["one"]
        assert "result" in s.call("thread/resume", {"threadId": tid})
        run(s, tid, "after resume")
        assert sent_texts(mock.requests()[-1]) == ["one", "answer 1", "after resume"]
    finally:
        assert s.close() == 0


def test_kill_during_revert_leaves_a_whole_session(threads_server, repo, codex_home, tmp_path):
    server, mock, tid, (_, t2, _) = three_turns(threads_server, repo)
    assert server.close() == 0
    s = new_server(codex_home, repo, tmp_path)
    s.request("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait()
    s = new_server(codex_home, repo, tmp_path)
    try:
        # Either the revert happened or it did not; never a torn file.
        assert turn_words(s, tid) in (["one"], ["one", "two", "three"])
        assert "result" in s.call("thread/resume", {"threadId": tid})
        run(s, tid, "after kill")
        assert sent_texts(mock.requests()[-1])[-1] == "after kill"
    finally:
        assert s.close() == 0


def test_revert_bad_input(threads_server, repo):
    server, _, tid, (_, t2, _) = three_turns(threads_server, repo)
    err = server.call("thread/revert", {"threadId": MISSING, "beforeTurnId": t2})["error"]
    assert err == {"code": -32600, "message": f"thread not found: {MISSING}"}
    err = server.call("thread/revert", {"threadId": tid, "beforeTurnId": "nope"})["error"]
    assert err == {"code": -32600, "message": "turn not found: nope"}
    err = server.call("thread/revert", {"threadId": "nope", "beforeTurnId": t2})["error"]
    assert err["code"] == -32600 and err["message"].startswith("invalid thread id: ")
    err = server.call("thread/revert", {"threadId": tid})["error"]
    assert err == {"code": -32600, "message": "Invalid request: missing field `beforeTurnId`"}
    # Reverting more than there is: the turn went with the first revert.
    assert "result" in server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    err = server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})["error"]
    assert err == {"code": -32600, "message": f"turn not found: {t2}"}

    eph = start_thread(server, cwd=str(repo), ephemeral=True)
    err = server.call("thread/revert", {"threadId": eph["id"], "beforeTurnId": "x"})["error"]
    assert err == {"code": -32600, "message": "ephemeral threads do not support thread/revert"}
    legacy = start_thread(server, cwd=str(repo), historyMode="legacy")
    err = server.call("thread/revert", {"threadId": legacy["id"], "beforeTurnId": "x"})["error"]
    assert err == {"code": -32600, "message": "thread/revert only supports paginated threads"}


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference binary not installed")
def test_reference_resumes_our_reverted_rollout(threads_server, repo, codex_home, tmp_path):
    server, mock, tid, (_, t2, _) = three_turns(threads_server, repo)
    server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    assert server.close() == 0
    home = tmp_path / "refhome"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k"}
    before = len(mock.requests())
    out = subprocess.run([str(REFERENCE), "exec", "--skip-git-repo-check", "resume", tid,
                          "from the reference"], cwd=repo, env=env, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    request = mock.requests()[before]
    assert sent_texts(request) == ["one", "answer 1", "from the reference"]


def test_revert_interrupts_a_running_turn(threads_server, repo):
    script = [[{"type": "message", "text": "answer 1"}], [{"type": "message", "text": "answer 2"}],
              {"hang": True}, [{"type": "message", "text": "answer 4"}]]
    server, mock = threads_server(script)
    tid = start_thread(server, cwd=str(repo))["id"]
    t1 = run(server, tid, "one")
    t2 = run(server, tid, "two")
    r = server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "three"}]})
    running = r["result"]["turn"]["id"]
    wait_for(server, "item/completed", lambda m: m["params"]["item"]["type"] == "userMessage")
    assert "result" in server.call("thread/revert", {"threadId": tid, "beforeTurnId": t2})
    ended = wait_for(server, "turn/completed")["params"]["turn"]
    assert ended["id"] == running and ended["status"] == "interrupted"
    assert turn_words(server, tid) == ["one"]
    run(server, tid, "four")
    assert sent_texts(mock.requests()[-1]) == ["one", "answer 1", "four"]
    assert t1 != t2
