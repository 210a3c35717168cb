"""Threads and turns over `codex app-server` against the scripted model:
every message the server sends is validated against the protocol schema
(AppServer.read does that)."""
import datetime
import json
import os
import pathlib
import time

import pytest


def wait_for(server, method, pred=lambda m: True, timeout=60):
    """The next notification `method` matching pred (others stay pending)."""
    for i, m in enumerate(server.pending):
        if m.get("method") == method and pred(m):
            return server.pending.pop(i)
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = server.read(timeout=max(1, deadline - time.time()))
        if m.get("method") == method and pred(m):
            return m
        server.pending.append(m)
    raise AssertionError(f"no {method} notification")


def start_thread(server, **params):
    params.setdefault("sandbox", "danger-full-access")
    params.setdefault("approvalPolicy", "never")
    r = server.call("thread/start", params)
    assert "result" in r, r
    thread = r["result"]["thread"]
    started = wait_for(server, "thread/started")
    assert started["params"]["thread"]["id"] == thread["id"]
    return thread


def run_turn(server, thread_id, text, **extra):
    r = server.call("turn/start", {"threadId": thread_id,
                                   "input": [{"type": "text", "text": text}], **extra})
    assert "result" in r, r
    turn = r["result"]["turn"]
    assert turn["status"] == "inProgress"
    return turn


def turn_completed(server, thread_id, timeout=60):
    return wait_for(server, "turn/completed",
                    lambda m: m["params"]["threadId"] == thread_id, timeout)["params"]["turn"]


def thread_notes(server, thread_id):
    return [m for m in server.notifications()
            if m["params"].get("threadId", m["params"].get("thread", {}).get("id")) == thread_id]


def test_turn_with_command_and_file_change(threads_server, repo):
    patch = "*** Begin Patch\n*** Add File: made.txt\n+made by the patch\n*** End Patch\n"
    script = [
        [{"type": "reasoning", "summary": ["thinking"]},
         {"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": {"cmd": "echo out-from-shell", "login": False}}],
        [{"type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": patch}],
        [{"type": "message", "text": "all done"}],
    ]
    server, mock = threads_server(script)
    thread = start_thread(server, cwd=str(repo))
    assert thread["cwd"] == str(repo)
    assert thread["status"] == {"type": "idle"}
    turn = run_turn(server, thread["id"], "do the thing")
    done = turn_completed(server, thread["id"])
    assert done["id"] == turn["id"] and done["status"] == "completed"
    # As the reference (0.169) does: turn/completed carries a summary view,
    # the final answer only; the other items travel in item/* notifications
    # and thread/read.
    assert done["itemsView"] == "summary"
    assert [(i["type"], i["text"]) for i in done["items"]] == [("agentMessage", "all done")]
    notes = thread_notes(server, thread["id"])
    methods = [m["method"] for m in notes]
    assert methods.index("turn/started") < methods.index("item/started")
    completed = [m["params"]["item"] for m in notes if m["method"] == "item/completed"]
    kinds = [i["type"] for i in completed]
    for kind in ["userMessage", "reasoning", "commandExecution", "fileChange", "agentMessage"]:
        assert kind in kinds, kinds
    cmd = next(i for i in completed if i["type"] == "commandExecution")
    assert "out-from-shell" in cmd["aggregatedOutput"] and cmd["exitCode"] == 0
    assert cmd["commandActions"] == [{"type": "unknown", "command": "echo out-from-shell"}]
    deltas = "".join(m["params"]["delta"] for m in notes
                     if m["method"] == "item/commandExecution/outputDelta")
    assert "out-from-shell" in deltas
    assert "".join(m["params"]["delta"] for m in notes
                   if m["method"] == "item/agentMessage/delta") == "all done"
    assert any(m["method"] == "thread/tokenUsage/updated" for m in notes)
    assert (repo / "made.txt").read_text() == "made by the patch\n"
    diffs = [m["params"] for m in notes if m["method"] == "turn/diff/updated"]
    assert len(diffs) == 1 and diffs[0]["turnId"] == turn["id"]
    assert diffs[0]["diff"].startswith("diff --git a/made.txt b/made.txt\nnew file mode 100644\n")
    assert diffs[0]["diff"].endswith("+made by the patch\n")
    # Every item started is completed.
    started_ids = {m["params"]["item"]["id"] for m in notes if m["method"] == "item/started"}
    assert started_ids <= {i["id"] for i in completed}

    # thread/read includeTurns rebuilds the turn from the rollout.
    r = server.call("thread/read", {"threadId": thread["id"], "includeTurns": True})
    turns = r["result"]["thread"]["turns"]
    assert [t["id"] for t in turns] == [turn["id"]]
    assert turns[0]["status"] == "completed"
    assert [i["type"] for i in turns[0]["items"]] == kinds
    read_cmd = next(i for i in turns[0]["items"] if i["type"] == "commandExecution")
    assert read_cmd["commandActions"] == cmd["commandActions"]
    assert r["result"]["thread"]["preview"] == "do the thing"

    # The second request to the model carried the command's output.
    bodies = [r["body"] for r in mock.requests()]
    outputs = [i for i in bodies[1]["input"] if i.get("type") == "function_call_output"]
    assert "out-from-shell" in outputs[0]["output"]


def test_interrupt_kills_the_command(threads_server, repo):
    script = [
        [{"type": "message", "text": "first"}],
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": {"cmd": "echo $$ > child.pid; exec sleep 60", "login": False,
                        "yield_time_ms": 30000}}],
    ]
    server, _ = threads_server(script)
    thread = start_thread(server, cwd=str(repo))
    run_turn(server, thread["id"], "one")
    assert turn_completed(server, thread["id"])["status"] == "completed"
    turn = run_turn(server, thread["id"], "two")
    wait_for(server, "item/started",
             lambda m: m["params"]["item"]["type"] == "commandExecution")
    pidfile = repo / "child.pid"
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    r = server.call("turn/interrupt", {"threadId": thread["id"], "turnId": turn["id"]})
    assert r["result"] == {}
    done = turn_completed(server, thread["id"])
    assert done["status"] == "interrupted" and done["id"] == turn["id"]
    # No answer, so no summary: 0.169 says so with notLoaded.
    assert done["items"] == [] and done["itemsView"] == "notLoaded"
    for _ in range(100):
        if not os.path.exists(f"/proc/{child}") or \
                open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the interrupted command is still running")
    # The command's item was closed too.
    notes = thread_notes(server, thread["id"])
    cmd = [m["params"]["item"] for m in notes if m["method"] == "item/completed"
           and m["params"]["item"]["type"] == "commandExecution"]
    assert cmd and cmd[-1]["status"] == "failed"
    # A second interrupt has no turn to stop.
    r = server.call("turn/interrupt", {"threadId": thread["id"], "turnId": turn["id"]})
    assert r["error"]["code"] == -32600
    r = server.call("thread/read", {"threadId": thread["id"], "includeTurns": True})
    assert [t["status"] for t in r["result"]["thread"]["turns"]] == ["completed", "interrupted"]


def test_two_threads_run_concurrently(threads_server, repo):
    # Each thread's command waits for a file only the other thread's command
    # creates: they finish only if both turns run at the same time.
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "a",
          "arguments": {"cmd": "touch a.flag; while [ ! -e b.flag ]; do sleep 0.05; done; echo A",
                        "login": False, "yield_time_ms": 20000}}],
        [{"type": "function_call", "name": "exec_command", "call_id": "b",
          "arguments": {"cmd": "touch b.flag; while [ ! -e a.flag ]; do sleep 0.05; done; echo B",
                        "login": False, "yield_time_ms": 20000}}],
        [{"type": "message", "text": "finished"}],
    ]
    server, _ = threads_server(script, repeat_last=True)
    t1 = start_thread(server, cwd=str(repo))
    t2 = start_thread(server, cwd=str(repo))
    assert t1["id"] != t2["id"]
    run_turn(server, t1["id"], "first")
    run_turn(server, t2["id"], "second")
    assert turn_completed(server, t1["id"])["status"] == "completed"
    assert turn_completed(server, t2["id"])["status"] == "completed"
    r = server.call("thread/loaded/list", {})
    assert set(r["result"]["data"]) == {t1["id"], t2["id"]}


def test_list_read_name_archive_unarchive(threads_server, repo, codex_home):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    ids = []
    for text in ["alpha", "beta", "gamma"]:
        t = start_thread(server, cwd=str(repo))
        run_turn(server, t["id"], text)
        turn_completed(server, t["id"])
        ids.append(t["id"])
    r = server.call("thread/list", {})
    listed = [t["id"] for t in r["result"]["data"]]
    assert listed == ids[::-1]  # newest first
    assert [t["preview"] for t in r["result"]["data"]] == ["gamma", "beta", "alpha"]
    # Pagination: two pages of two and one.
    p1 = server.call("thread/list", {"limit": 2})["result"]
    assert [t["id"] for t in p1["data"]] == ids[:0:-1] and p1["nextCursor"]
    p2 = server.call("thread/list", {"limit": 2, "cursor": p1["nextCursor"]})["result"]
    assert [t["id"] for t in p2["data"]] == [ids[0]] and p2["nextCursor"] is None
    # Filters.
    assert server.call("thread/list", {"modelProviders": ["other"]})["result"]["data"] == []
    assert len(server.call("thread/list", {"modelProviders": ["mock"]})["result"]["data"]) == 3
    assert server.call("thread/list", {"sourceKinds": ["exec"]})["result"]["data"] == []
    assert server.call("thread/list", {"cwd": "/nowhere"})["result"]["data"] == []
    assert len(server.call("thread/list", {"cwd": str(repo)})["result"]["data"]) == 3
    # The index file is written off the loop, about a second later.
    deadline = time.time() + 30
    while not (codex_home / "thread_index.tsv").is_file() and time.time() < deadline:
        time.sleep(0.1)
    assert (codex_home / "thread_index.tsv").is_file()

    r = server.call("thread/name/set", {"threadId": ids[0], "name": "First one"})
    assert r["result"] == {}
    assert wait_for(server, "thread/name/updated")["params"] == {
        "threadId": ids[0], "threadName": "First one"}
    r = server.call("thread/read", {"threadId": ids[0]})
    assert r["result"]["thread"]["name"] == "First one"

    r = server.call("thread/archive", {"threadId": ids[1]})
    assert r["result"] == {}
    assert wait_for(server, "thread/archived")["params"]["threadId"] == ids[1]
    archived = list((codex_home / "archived_sessions").glob(f"rollout-*-{ids[1]}.jsonl"))
    assert len(archived) == 1
    assert ids[1] not in server.call("thread/loaded/list", {})["result"]["data"]
    assert [t["id"] for t in server.call("thread/list", {})["result"]["data"]] == [ids[2], ids[0]]
    assert [t["id"] for t in server.call("thread/list", {"archived": True})["result"]["data"]] \
        == [ids[1]]
    r = server.call("thread/unarchive", {"threadId": ids[1]})
    assert r["result"]["thread"]["id"] == ids[1]
    assert wait_for(server, "thread/unarchived")["params"]["threadId"] == ids[1]
    assert not archived[0].exists()
    assert len(server.call("thread/list", {})["result"]["data"]) == 3

    r = server.call("thread/read", {"threadId": "00000000-0000-0000-0000-000000000000"})
    assert r["error"]["code"] == -32600


def test_resume_and_fork_continue_the_history(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "remember 42")
    turn_completed(server, t["id"])
    r = server.call("thread/unsubscribe", {"threadId": t["id"]})
    assert r["result"] == {"status": "unsubscribed"}
    # The last subscriber leaving unloads the thread without a thread/closed
    # notification, as the reference does.
    assert server.call("thread/loaded/list", {})["result"]["data"] == []

    r = server.call("thread/resume", {"threadId": t["id"]})
    res = r["result"]
    assert res["thread"]["id"] == t["id"] and len(res["thread"]["turns"]) == 1
    run_turn(server, t["id"], "what was it?")
    turn_completed(server, t["id"])
    last = mock.requests()[-1]["body"]["input"]
    texts = json.dumps(last)
    assert "remember 42" in texts and "what was it?" in texts

    r = server.call("thread/fork", {"threadId": t["id"]})
    fork = r["result"]["thread"]
    assert fork["id"] != t["id"] and fork["forkedFromId"] == t["id"]
    assert len(fork["turns"]) == 2
    run_turn(server, fork["id"], "in the fork")
    turn_completed(server, fork["id"])
    assert "remember 42" in json.dumps(mock.requests()[-1]["body"]["input"])


def test_fork_near_midnight_lands_in_the_local_day_folder(threads_server, repo, codex_home):
    """One clock rule: a fork's folder and name use local time, as a new
    session's do.  The server runs in a zone whose date differs from UTC's
    right now, so a fork filed by the UTC date would land in another day."""
    utc = datetime.datetime.now(datetime.timezone.utc)
    tz, offset = ("Etc/GMT-14", 14) if utc.hour >= 10 else ("Etc/GMT+12", -12)

    def local_days():
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=offset)
        return {now.strftime("%Y/%m/%d"), (now - datetime.timedelta(minutes=2)).strftime("%Y/%m/%d")}

    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True,
                               extra_env={"TZ": tz})
    days = local_days()
    assert utc.strftime("%Y/%m/%d") not in days
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "original")
    turn_completed(server, t["id"])
    r = server.call("thread/fork", {"threadId": t["id"]})
    assert "result" in r, r
    days |= local_days()
    for path in (r["result"]["thread"]["path"], t["path"]):
        rel = pathlib.Path(path).relative_to(codex_home / "sessions")
        folder = "/".join(rel.parts[:3])
        assert folder in days, (path, days)
        # The name's stamp is the same local day as its folder.
        assert rel.parts[3].startswith("rollout-" + folder.replace("/", "-") + "T"), path


def test_turn_overrides_and_bad_params(threads_server, repo):
    server, mock = threads_server([[{"type": "message", "text": "ok"}]], repeat_last=True)
    t = start_thread(server, cwd=str(repo), approvalPolicy="on-request",
                     sandbox="workspace-write")
    r = server.call("turn/start", {"threadId": t["id"], "input": [{"type": "text", "text": "x"}],
                                   "model": "gpt-5.4", "effort": "low",
                                   "sandboxPolicy": {"type": "workspaceWrite",
                                                     "networkAccess": False}})
    assert "result" in r, r
    turn_completed(server, t["id"])
    body = mock.requests()[-1]["body"]
    assert body["model"] == "gpt-5.4" and body["reasoning"]["effort"] == "low"
    r = server.call("thread/start", {"sandbox": "workspaceWrite"})
    assert r["error"]["code"] == -32600 and "workspaceWrite" in r["error"]["message"]
    r = server.call("turn/start", {"threadId": "nope", "input": []})
    assert r["error"]["code"] == -32600
    r = server.call("turn/start", {"threadId": t["id"], "input": [],
                                   "sandboxPolicy": {"type": "bogus"}})
    assert r["error"]["code"] == -32600
    # The same reader as command/exec: writable roots must be absolute.
    r = server.call("turn/start", {"threadId": t["id"], "input": [],
                                   "sandboxPolicy": {"type": "workspaceWrite",
                                                     "writableRoots": ["relative/dir"]}})
    assert r["error"]["code"] == -32600 and "AbsolutePathBuf" in r["error"]["message"], r


def test_index_follows_the_rollouts(threads_server, repo, codex_home):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "original")
    turn_completed(server, t["id"])
    assert [x["id"] for x in server.call("thread/list", {})["result"]["data"]] == [t["id"]]
    # A session written by another process appears (its directory changed)...
    src = next((codex_home / "sessions").rglob(f"*{t['id']}.jsonl"))
    other = "019a0000-0000-7000-8000-000000000001"
    lines = src.read_text().splitlines()
    meta = json.loads(lines[0])
    meta["payload"]["id"] = other
    (src.parent / f"rollout-2099-01-01T00-00-00-{other}.jsonl").write_text(
        "\n".join([json.dumps(meta)] + lines[1:]) + "\n")
    listed = server.call("thread/list", {})["result"]["data"]
    assert [x["id"] for x in listed] == [other, t["id"]]
    # ... and one deleted behind our back disappears.
    (src.parent / f"rollout-2099-01-01T00-00-00-{other}.jsonl").unlink()
    assert [x["id"] for x in server.call("thread/list", {})["result"]["data"]] == [t["id"]]
    # The thread's own later turns update its summary.
    before = server.call("thread/list", {})["result"]["data"][0]["updatedAt"]
    run_turn(server, t["id"], "again")
    turn_completed(server, t["id"])
    assert server.call("thread/list", {})["result"]["data"][0]["updatedAt"] >= before


def test_broken_index_is_rebuilt(threads_server, repo, codex_home):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "kept")
    turn_completed(server, t["id"])
    server.call("thread/list", {})
    assert server.close() == 0
    index = codex_home / "thread_index.tsv"
    lines = index.read_text().splitlines()
    assert lines[0].startswith("codex-c thread index ") and len(lines) == 2
    fields = lines[1].split("\t")
    assert fields[3] == t["id"] and fields[-1] == "kept"
    for broken in ["{not json", lines[0] + "\nnot\ta\tsession\n", "codex-c thread index 1\n"]:
        index.write_text(broken)
        server2, _ = threads_server([[{"type": "message", "text": "hello"}]])
        listed = server2.call("thread/list", {})["result"]["data"]
        assert [x["id"] for x in listed] == [t["id"]] and listed[0]["preview"] == "kept"
        assert server2.close() == 0
        assert index.read_text().splitlines()[1].split("\t")[3] == t["id"]


def test_client_leaving_mid_turn_kills_the_command_and_keeps_the_rollout(threads_server, repo,
                                                                         codex_home):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo $$ > child.pid; exec sleep 60", "login": False,
                              "yield_time_ms": 30000}}]]
    server, _ = threads_server(script)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "long")
    wait_for(server, "item/started", lambda m: m["params"]["item"]["type"] == "commandExecution")
    pidfile = repo / "child.pid"
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    assert server.close() == 0
    for _ in range(100):
        if not os.path.exists(f"/proc/{child}") or \
                open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the command outlived its client")
    rollout = next((codex_home / "sessions").rglob(f"*{t['id']}.jsonl"))
    for line in rollout.read_text().splitlines():
        json.loads(line)


def test_bad_params_get_errors(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "ok"}]])
    for method, params in [("thread/start", {"approvalPolicy": "sometimes"}),
                           ("thread/start", {"config": 5}),
                           ("thread/start", {"model": 7}),
                           ("turn/start", {"threadId": "x"}),
                           ("turn/interrupt", {"threadId": "x", "turnId": "y"}),
                           ("thread/read", {}),
                           ("thread/list", {"cursor": "not-a-cursor"}),
                           ("thread/list", {"limit": -1}),
                           ("thread/name/set", {"threadId": "nope", "name": "x"}),
                           ("thread/archive", {"threadId": "nope"}),
                           ("thread/unarchive", {"threadId": "nope"}),
                           ("thread/resume", {"threadId": "nope"}),
                           ("thread/fork", {"threadId": "nope"})]:
        r = server.call(method, params)
        assert r.get("error", {}).get("code") == -32600, (method, params, r)
    # A cwd that is not a directory is named, in the protocol's words.
    r = server.call("thread/start", {"cwd": "/nonexistent/dir"})
    assert r["error"] == {"code": -32600,
                          "message": "cwd /nonexistent/dir: No such file or directory"}
    (repo / "plain.txt").write_text("x")
    r = server.call("thread/start", {"cwd": str(repo / "plain.txt")})
    assert r["error"]["message"] == f"cwd {repo / 'plain.txt'}: Not a directory"
    # Refusals of well-formed requests carry the reference's bare words.
    unknown = "01a24815-0000-7000-8000-000000000000"
    for method, words in [("thread/resume", "no rollout found for thread id"),
                          ("thread/archive", "no rollout found for thread id"),
                          ("thread/unarchive", "no archived rollout found for thread id"),
                          ("thread/read", "thread not loaded:"),
                          ("turn/interrupt", "thread not found:")]:
        r = server.call(method, {"threadId": unknown, "turnId": "x"})
        assert r["error"] == {"code": -32600, "message": f"{words} {unknown}"}, method
    r = server.call("thread/unsubscribe", {"threadId": "nope"})
    assert r["result"] == {"status": "notLoaded"}
    # The connection still works.
    t = start_thread(server, cwd=str(repo))
    assert server.call("thread/loaded/list", {})["result"]["data"] == [t["id"]]


def test_list_sorts_searches_and_excludes(threads_server, repo):
    server, _ = threads_server([[{"type": "message", "text": "hello"}]], repeat_last=True)
    ids = []
    for text in ["alpha task", "beta task", "gamma task"]:
        t = start_thread(server, cwd=str(repo))
        run_turn(server, t["id"], text)
        turn_completed(server, t["id"])
        ids.append(t["id"])

    def listed(**params):
        r = server.call("thread/list", params)
        assert "result" in r, r
        return [t["id"] for t in r["result"]["data"]]

    assert listed(sortKey="created_at") == ids[::-1]
    assert listed(sortKey="created_at", sortDirection="asc") == ids
    # A later turn on the oldest thread makes it the most recently updated.
    time.sleep(1.1)
    run_turn(server, ids[0], "alpha again")
    turn_completed(server, ids[0])
    assert listed(sortKey="updated_at")[0] == ids[0]
    assert listed(sortKey="updated_at", sortDirection="asc")[-1] == ids[0]
    assert listed(sortKey="created_at")[-1] == ids[0]

    assert listed(searchTerm="GAMMA") == [ids[2]]
    assert listed(searchTerm="task") == ids[::-1]
    assert listed(searchTerm="nothing like it") == []
    server.call("thread/name/set", {"threadId": ids[1], "name": "Renamed thing"})
    assert listed(searchTerm="renamed") == [ids[1]]

    assert listed(excludedThreadIds=[ids[1]]) == [ids[2], ids[0]]
    # Exclusions apply before the page limit.
    page = server.call("thread/list", {"excludedThreadIds": [ids[2]], "limit": 1})["result"]
    assert [t["id"] for t in page["data"]] == [ids[1]] and page["nextCursor"]
    # Paging with cursors walks the same order; a change in between shows.
    pages, cursor = [], None
    while True:
        page = server.call("thread/list", {"limit": 1, "cursor": cursor})["result"]
        pages += [t["id"] for t in page["data"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert pages == listed()
    server.call("thread/archive", {"threadId": ids[2]})
    assert listed() == [ids[1], ids[0]] and listed(archived=True) == [ids[2]]
    server.call("thread/unarchive", {"threadId": ids[2]})
    assert listed() == ids[::-1]
    r = server.call("thread/list", {"excludedThreadIds": ["not-a-thread-id"]})
    assert r["error"]["code"] == -32600 and "not-a-thread-id" in r["error"]["message"]
    r = server.call("thread/list", {"excludedThreadIds": [ids[0]] * 101})
    assert r["error"]["code"] == -32600
    r = server.call("thread/list", {"sortKey": "size"})
    assert r["error"]["code"] == -32600


def test_command_actions_describe_reads(threads_server, repo):
    script = [
        [{"type": "function_call", "name": "exec_command", "call_id": "c1",
          "arguments": {"cmd": "cat README.md | head -n 5", "login": False}}],
        [{"type": "message", "text": "read it"}],
    ]
    server, _ = threads_server(script)
    t = start_thread(server, cwd=str(repo))
    run_turn(server, t["id"], "read the readme")
    turn_completed(server, t["id"])
    item = wait_for(server, "item/completed",
                    lambda m: m["params"]["item"]["type"] == "commandExecution")["params"]["item"]
    assert item["commandActions"] == [{"type": "read", "command": "cat README.md",
                                       "name": "README.md", "path": "README.md"}]


def test_compact_start_summarises_the_thread_as_a_turn_of_its_own(threads_server, repo,
                                                                  codex_home):
    script = [
        [{"type": "message", "text": "first answer"}],
        [{"type": "message", "text": "MANUAL-SUMMARY"}],
        [{"type": "message", "text": "after compaction"}],
    ]
    server, mock = threads_server(script)
    thread = start_thread(server, cwd=str(repo))
    run_turn(server, thread["id"], "first question")
    turn_completed(server, thread["id"])

    r = server.call("thread/compact/start", {"threadId": thread["id"]})
    assert r["result"] == {}
    done = turn_completed(server, thread["id"])
    assert done["status"] == "completed"
    notes = thread_notes(server, thread["id"])
    compactions = [m["params"]["item"] for m in notes if m["method"] == "item/completed"
                   and m["params"]["item"]["type"] == "contextCompaction"]
    assert len(compactions) == 1

    reqs = mock.requests()
    meta = json.loads(reqs[1]["headers"]["x-codex-turn-metadata"])
    assert meta["request_kind"] == "compaction"
    assert meta["compaction"]["trigger"] == "manual"
    assert reqs[1]["body"]["tools"] == []

    run_turn(server, thread["id"], "second question")
    turn_completed(server, thread["id"])
    texts = [c["text"] for i in mock.requests()[2]["body"]["input"] if i.get("type") == "message"
             for c in i["content"]]
    assert "first answer" not in texts
    assert any("MANUAL-SUMMARY" in t for t in texts) and texts[-1] == "second question"

    rollout = next((codex_home / "sessions").rglob("rollout-*.jsonl"))
    kinds = [json.loads(l)["type"] for l in rollout.read_text().splitlines()]
    assert kinds.count("compacted") == 1

    r = server.call("thread/compact/start", {"threadId": "no-such-thread"})
    assert "error" in r


def test_review_start_runs_a_review_turn(threads_server, repo):
    finding = {"title": "[P2] Off by one", "body": "The loop stops early.", "confidence_score": 0.6,
               "priority": 2, "code_location": {"absolute_file_path": str(repo / "README.md"),
                                                "line_range": {"start": 1, "end": 1}}}
    script = [[{"type": "message", "text": json.dumps(
        {"findings": [finding], "overall_correctness": "patch is incorrect",
         "overall_explanation": "One problem.", "overall_confidence_score": 0.6})}]]
    server, mock = threads_server(script)
    thread = start_thread(server, cwd=str(repo))
    r = server.call("review/start", {"threadId": thread["id"],
                                     "target": {"type": "commit", "sha": "0123456789abcdef",
                                                "title": "Tidy"}})
    assert r["result"]["reviewThreadId"] == thread["id"]
    turn = r["result"]["turn"]
    done = turn_completed(server, thread["id"])
    assert done["id"] == turn["id"] and done["status"] == "completed"
    items = [m["params"]["item"] for m in thread_notes(server, thread["id"])
             if m["method"] == "item/completed"]
    kinds = [i["type"] for i in items]
    assert kinds == ["enteredReviewMode", "exitedReviewMode", "agentMessage"]
    assert items[0]["review"] == "commit 0123456: Tidy"
    assert items[1]["review"].startswith("One problem.\n\nReview comment:\n\n- [P2] Off by one")
    assert "0123456789abcdef" in mock.requests()[0]["body"]["input"][-1]["content"][0]["text"]

    for bad in [{"type": "commit"}, {"type": "nope"}, {"type": "baseBranch", "branch": ""}]:
        r = server.call("review/start", {"threadId": thread["id"], "target": bad})
        assert "error" in r, bad
    r = server.call("review/start", {"threadId": thread["id"], "delivery": "detached",
                                     "target": {"type": "uncommittedChanges"}})
    assert "error" in r
