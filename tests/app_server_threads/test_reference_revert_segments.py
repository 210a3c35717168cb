"""A thread the reference 0.169 reverted twice (fixtures/reference_revert, made
by record_reference_revert.py and shrink_reference_revert.py): 0.169 keeps the
original rollout and writes a new `rollout-<ts>-<thread>_<segment>.jsonl` per
revert, whose session_meta has `history_base {thread_id: <base segment or the
thread itself>, end_ordinal_exclusive, end_byte_offset}`.  expected.json is
what 0.169 answered on that CODEX_HOME (with its sqlite state, which holds the
stitched history; 0.169 without it reads the newest segment alone).

Ours stitches the segments from the files, lists the thread once (0.169 lists
every segment file; we keep its row for the newest), appends to the newest
segment with ordinals running on, and resumes with the history 0.169 sends.
The live test records a fresh reverted thread with the reference binary and
compares both servers' answers on that same CODEX_HOME."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from appserver import CODEX_BIN, AppServer
from test_threads import turn_completed

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "reference_revert"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
REFERENCE = pathlib.Path("/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/"
                         "x86_64-unknown-linux-musl/bin/codex")


def words(request):
    out = []
    for item in request["body"]["input"]:
        if item.get("type") == "message" and item.get("role") in ("user", "assistant"):
            for part in item["content"]:
                if not part.get("text", "").startswith("<"):
                    out.append(part["text"])
    return out


def rollout_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def read_answers(server, tid):
    """What thread/list, thread/read, thread/turns/list and thread/resume say."""
    listed = [t for t in server.call("thread/list", {})["result"]["data"] if t["id"] == tid]
    thread = server.call("thread/read", {"threadId": tid, "includeTurns": True})["result"]["thread"]
    turns = server.call("thread/turns/list", {"threadId": tid})["result"]["data"]
    resumed = server.call("thread/resume", {"threadId": tid})["result"]["thread"]
    return {
        "list": [(pathlib.Path(t["path"]).name, t["preview"]) for t in listed],
        "read": {"path": pathlib.Path(thread["path"]).name, "preview": thread["preview"],
                 "createdAt": thread["createdAt"],
                 "turns": [{"id": t["id"], "items": [[i["type"], i.get("text") or i["content"][0]["text"]]
                                                     for i in t["items"]]} for t in thread["turns"]]},
        "turns_list": [t["id"] for t in turns],
        "resume_turns": [t["id"] for t in resumed["turns"]],
        "resume_path": pathlib.Path(resumed["path"]).name,
    }


def test_reference_revert_segments_read_as_0169_reads_them(threads_server, codex_home, repo, tmp_path):
    shutil.copytree(FIXTURE / "sessions", codex_home / "sessions")
    files = sorted((codex_home / "sessions").rglob("*.jsonl"))
    before = {p: p.read_bytes() for p in files}
    server, mock = threads_server([[{"type": "message", "text": "answer seven"}],
                                   [{"type": "message", "text": "answer eight"}]])
    tid = EXPECTED["thread_id"]
    got = read_answers(server, tid)
    head = EXPECTED["list"][0]
    # Once, as 0.169's row for the newest segment.
    assert got["list"] == [(pathlib.Path(head["path"]).name, head["preview"])]
    assert got["read"]["path"] == pathlib.Path(EXPECTED["read"]["path"]).name
    assert got["read"]["preview"] == EXPECTED["read"]["preview"]
    assert got["read"]["createdAt"] == EXPECTED["read"]["createdAt"]
    assert got["read"]["turns"] == EXPECTED["read"]["turns"]
    assert got["turns_list"] == EXPECTED["turns_list"]
    assert got["resume_turns"] == EXPECTED["resume_turns"]
    assert got["resume_path"] == got["read"]["path"]

    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "seven"}]})
    turn_completed(server, tid)
    assert words(mock.requests()[-1]) == EXPECTED["resume_request"]
    server.close()
    # Only the newest segment grew, and its ordinals ran on.
    head_file = next(p for p in files if p.name == got["read"]["path"])
    for p in files:
        if p != head_file:
            assert p.read_bytes() == before[p], p.name
    assert head_file.read_bytes().startswith(before[head_file])
    ordinals = [line["ordinal"] for line in rollout_lines(head_file) if "ordinal" in line]
    assert ordinals == list(range(ordinals[0], ordinals[0] + len(ordinals)))

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k"}
    n = len(mock.requests())
    out = subprocess.run([CODEX_BIN, "exec", "--skip-git-repo-check", "resume", tid, "eight"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == EXPECTED["exec_rc"], out.stderr
    assert words(mock.requests()[n]) == EXPECTED["exec_request"]
    assert "AddressSanitizer" not in out.stderr


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference binary 0.169 not installed")
def test_live_reference_reverted_thread_reads_the_same_here(threads_server, codex_home, repo, tmp_path):
    """Record with 0.169 (one two three; revert before three; four; five;
    revert before five; six), then ask both servers about the same CODEX_HOME."""
    _, mock = threads_server([[{"type": "message", "text": f"answer {w}"}]
                              for w in ["one", "two", "three", "four", "five", "six"]])
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"),
           "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k"}
    ref = AppServer(str(REFERENCE), env, cwd=repo)
    ref.initialize()
    tid = ref.call("thread/start", {"cwd": str(repo)})["result"]["thread"]["id"]
    turns = {}

    def run(w):
        r = ref.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": w}]})
        turns[w] = r["result"]["turn"]["id"]
        turn_completed(ref, tid)

    for w in ["one", "two", "three"]:
        run(w)
    assert "result" in ref.call("thread/revert", {"threadId": tid, "beforeTurnId": turns["three"]})
    run("four")
    run("five")
    assert "result" in ref.call("thread/revert", {"threadId": tid, "beforeTurnId": turns["five"]})
    run("six")
    ref.close()
    segments = [p for p in (codex_home / "sessions").rglob("*.jsonl") if "_" in p.stem]
    if len(segments) != 2:
        pytest.skip("this reference build does not write revert segments")

    ref = AppServer(str(REFERENCE), env, cwd=repo)
    ref.initialize()
    theirs = read_answers(ref, tid)
    ref.close()
    ours, _ = threads_server([[{"type": "message", "text": "unused"}]])
    mine = read_answers(ours, tid)
    want = [turns[w] for w in ["one", "two", "four", "six"]]
    assert theirs["resume_turns"] == want  # what the recording is about
    assert mine["read"] == theirs["read"]
    assert mine["turns_list"] == theirs["turns_list"]
    assert mine["resume_turns"] == theirs["resume_turns"]
    assert mine["resume_path"] == theirs["resume_path"]
    # 0.169 lists every segment file; we list the thread once, as its row
    # for the newest segment.
    assert mine["list"] == [row for row in theirs["list"] if row[0] == theirs["resume_path"]]


def started_at(path, turn_id):
    """(ordinal, byte offset) of turn_id's task_started line in path."""
    off = 0
    for raw in path.read_bytes().splitlines(keepends=True):
        line = json.loads(raw)
        p = line.get("payload") or {}
        if line.get("type") == "event_msg" and p.get("type") == "task_started" and p.get("turn_id") == turn_id:
            return line["ordinal"], off
        off += len(raw)
    raise AssertionError(f"{turn_id} not in {path}")


@pytest.mark.parametrize("word", ["two", "four"])
def test_revert_of_a_turn_in_a_base_segment(threads_server, codex_home, word):
    """Reverting a turn that lies in a base (not in the newest segment)
    rewrites the newest segment as 0.169 starts one: its session_meta alone,
    naming the base and where the turn began."""
    shutil.copytree(FIXTURE / "sessions", codex_home / "sessions")
    files = sorted((codex_home / "sessions").rglob("*.jsonl"))
    bases = {p: p.read_bytes() for p in files[:-1] if p.name != pathlib.Path(EXPECTED["read"]["path"]).name}
    head = next(p for p in files if p.name == pathlib.Path(EXPECTED["read"]["path"]).name)
    server, mock = threads_server([[{"type": "message", "text": "answer again"}]])
    tid = EXPECTED["thread_id"]
    turn = EXPECTED["turn_ids"][word]
    base = next(p for p in bases if turn.encode() in p.read_bytes())
    ordinal, offset = started_at(base, turn)
    r = server.call("thread/revert", {"threadId": tid, "beforeTurnId": turn})
    assert "result" in r, r
    lines = rollout_lines(head)
    assert len(lines) == 1 and lines[0]["type"] == "session_meta"
    seg = base.stem.rsplit("_", 1)[1] if "_" in base.stem else tid
    assert lines[0]["payload"]["history_base"] == {
        "thread_id": seg, "end_ordinal_exclusive": ordinal, "end_byte_offset": offset}
    assert lines[0]["ordinal"] == ordinal
    for p, data in bases.items():
        assert p.read_bytes() == data, p.name  # the bases are never touched
    kept = EXPECTED["read"]["turns"][:[t["id"] for t in EXPECTED["read"]["turns"]].index(turn)]
    thread = server.call("thread/read", {"threadId": tid, "includeTurns": True})["result"]["thread"]
    assert [t["id"] for t in thread["turns"]] == [t["id"] for t in kept]
    resumed = server.call("thread/resume", {"threadId": tid})["result"]["thread"]
    assert [t["id"] for t in resumed["turns"]] == [t["id"] for t in kept]
    server.call("turn/start", {"threadId": tid, "input": [{"type": "text", "text": "again"}]})
    turn_completed(server, tid)
    assert words(mock.requests()[-1]) == [w for t in kept for _, w in t["items"]] + ["again"]
    ordinals = [line["ordinal"] for line in rollout_lines(head)]
    assert ordinals == list(range(ordinal, ordinal + len(ordinals)))


def test_fork_of_a_reverted_thread_keeps_the_stitched_history(threads_server, codex_home):
    shutil.copytree(FIXTURE / "sessions", codex_home / "sessions")
    server, _ = threads_server([[{"type": "message", "text": "unused"}]])
    r = server.call("thread/fork", {"threadId": EXPECTED["thread_id"]})
    assert "result" in r, r
    fork = r["result"]["thread"]
    assert fork["id"] != EXPECTED["thread_id"]
    thread = server.call("thread/read", {"threadId": fork["id"], "includeTurns": True})["result"]["thread"]
    got = [[[i["type"], i.get("text") or i["content"][0]["text"]] for i in t["items"]] for t in thread["turns"]]
    assert got == [t["items"] for t in EXPECTED["read"]["turns"]]


def test_archive_unarchive_delete_move_every_segment(threads_server, codex_home):
    shutil.copytree(FIXTURE / "sessions", codex_home / "sessions")
    names = sorted(p.name for p in (codex_home / "sessions").rglob("*.jsonl"))
    server, _ = threads_server([[{"type": "message", "text": "unused"}]])
    tid = EXPECTED["thread_id"]
    want = [t["id"] for t in EXPECTED["read"]["turns"]]
    assert "result" in server.call("thread/archive", {"threadId": tid})
    assert sorted(p.name for p in (codex_home / "archived_sessions").rglob("*.jsonl")) == names
    assert not list((codex_home / "sessions").rglob("*.jsonl"))
    listed = server.call("thread/list", {"archived": True})["result"]["data"]
    assert [t["id"] for t in listed] == [tid]
    r = server.call("thread/unarchive", {"threadId": tid})
    assert "result" in r, r
    assert sorted(p.name for p in (codex_home / "sessions" / "2026" / "12" / "06").glob("*.jsonl")) == names
    thread = server.call("thread/read", {"threadId": tid, "includeTurns": True})["result"]["thread"]
    assert [t["id"] for t in thread["turns"]] == want
    assert "result" in server.call("thread/delete", {"threadId": tid})
    assert not list(codex_home.rglob("rollout-*.jsonl"))
    assert [t for t in server.call("thread/list", {})["result"]["data"] if t["id"] == tid] == []
