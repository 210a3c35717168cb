"""Web search: the hosted tool entry for each web_search mode, and the
model's web_search_call output items shown as web_search items, kept in the
rollout and replayed on resume.  Expectations come from the reference
0.169.0 (captures search_tool_variants and search_render)."""
import json
import pathlib

from exec_helpers import DATA

CALLS = [
    {"type": "web_search_call", "id": "ws_a1", "status": "completed",
     "action": {"type": "search", "query": "codex cli release notes",
                "queries": ["codex cli release notes", "codex 0.169"]}},
    {"type": "web_search_call", "id": "ws_a2", "status": "completed",
     "action": {"type": "open_page", "url": "https://example.com/page"}},
    {"type": "web_search_call", "id": "ws_a3", "status": "completed",
     "action": {"type": "find_in_page", "url": "https://example.com/page", "pattern": "needle"}},
    {"type": "web_search_call", "id": "ws_a4", "status": "completed"},
]

# What the reference printed for CALLS, as raw lines: item_N first, then the
# server's id under the same key.
REFERENCE_ITEMS = [
    '{"id":"item_0","type":"web_search","id":"ws_a1","query":"codex cli release notes",'
    '"action":{"type":"search","query":"codex cli release notes",'
    '"queries":["codex cli release notes","codex 0.169"]}}',
    '{"id":"item_1","type":"web_search","id":"ws_a2","query":"https://example.com/page",'
    '"action":{"type":"open_page","url":"https://example.com/page"}}',
    '{"id":"item_2","type":"web_search","id":"ws_a3","query":"\'needle\' in https://example.com/page",'
    '"action":{"type":"find_in_page","url":"https://example.com/page","pattern":"needle"}}',
    '{"id":"item_3","type":"web_search","id":"ws_a4","query":"","action":{"type":"other"}}',
]


def search_tools(server):
    body = [r for r in server.requests() if r["path"].endswith("/responses")][0]["body"]
    return [t for t in body["tools"] if t.get("type") == "web_search"], body["tools"]


def test_tool_entry_per_mode_matches_the_reference(exec_run):
    expected = json.loads((DATA / "reference_web_search_tools.json").read_text())
    variants = {
        "default": ([], "workspace-write"),
        "live": (["-c", 'web_search="live"'], "workspace-write"),
        "indexed": (["-c", 'web_search="indexed"'], "workspace-write"),
        "disabled": (["-c", 'web_search="disabled"'], "workspace-write"),
        "yolo": (["--dangerously-bypass-approvals-and-sandbox"], None),
        "tools_object": (["-c", 'web_search="live"', "-c",
                          'tools.web_search={context_size="high", allowed_domains=["example.com"], '
                          'location={country="US", city="Boston"}}'], "workspace-write"),
    }
    for name, (args, sandbox) in variants.items():
        r, server, _ = exec_run([[{"type": "message", "text": "ok"}]], *args, "hi", sandbox=sandbox)
        assert r.returncode == 0, (name, r.stderr)
        entries, tools = search_tools(server)
        assert entries == expected[name], name
        if entries:
            assert tools[-1] == entries[0], "%s: the search tool comes last" % name


def test_human_output_names_each_search_twice(exec_run):
    calls = [{"type": "web_search_call", "id": "ws_q1", "status": "completed",
              "action": {"type": "search", "queries": ["first q", "second q"]}},
             {"type": "web_search_call", "id": "ws_q2", "status": "completed",
              "action": {"type": "search", "queries": ["only"]}},
             {"type": "web_search_call", "id": "ws_q3", "status": "completed",
              "action": {"type": "search"}}]
    script = [[{"type": "raw_item", "item": c} for c in calls] + [{"type": "message", "text": "done"}]]
    r, _, _ = exec_run(script, "-c", 'web_search="live"', "SEARCHTASK: go")
    assert r.returncode == 0, r.stderr
    # What the reference printed for these three calls.
    lines = [l for l in r.stderr.splitlines() if l.startswith("web search:")]
    assert lines == ["web search: first q ...", "web search: first q ...", "web search: only",
                     "web search: only", "web search: ", "web search: "]


def test_toplevel_search_flag_leaves_exec_as_configured(run_codex, codex_home, repo, mock_server):
    from exec_helpers import write_config
    expected = json.loads((DATA / "reference_web_search_tools.json").read_text())
    server = mock_server([[{"type": "message", "text": "ok"}]])
    write_config(codex_home, server.port)
    r = run_codex("--search", "exec", "--skip-git-repo-check", "hi", env={"MOCK_API_KEY": "k"},
                  cwd=repo)
    assert r.returncode == 0, r.stderr
    assert search_tools(server)[0] == expected["search_flag_toplevel"]
    assert "--search has no effect on codex exec" in r.stderr


def test_web_search_calls_become_items_and_replay_on_resume(exec_run, run_codex, codex_home, repo):
    script = [[{"type": "raw_item", "item": c} for c in CALLS]
              + [{"type": "message", "text": "Found it: see https://example.com/page"}],
              [{"type": "message", "text": "second"}]]
    r, server, events = exec_run(script, "--json", "-c", 'web_search="live"', "SEARCHTASK: look it up")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    started = [l for l in lines if '"item.started"' in l]
    completed = [l for l in lines if '"item.completed"' in l and "web_search" in l]
    assert started == ['{"type":"item.started","item":%s}' % i for i in REFERENCE_ITEMS]
    assert completed == ['{"type":"item.completed","item":%s}' % i for i in REFERENCE_ITEMS]
    # A parser that keeps the last key sees the server's id, as with the reference.
    assert [e["item"]["id"] for e in events if e["type"] == "item.completed"] == \
        ["ws_a1", "ws_a2", "ws_a3", "ws_a4", "item_4"]
    tid = events[0]["thread_id"]

    rollout = next(pathlib.Path(codex_home, "sessions").rglob("rollout-*%s.jsonl" % tid))
    rows = [json.loads(l) for l in rollout.read_text().splitlines()]
    stored = [x["payload"]["item"] for x in rows
              if x["type"] == "event_msg" and x["payload"]["type"] == "item_completed"
              and x["payload"]["item"]["type"] == "WebSearch"]
    assert stored == [
        {"type": "WebSearch", "id": "ws_a1", "query": "codex cli release notes", "action": CALLS[0]["action"]},
        {"type": "WebSearch", "id": "ws_a2", "query": "https://example.com/page", "action": CALLS[1]["action"]},
        {"type": "WebSearch", "id": "ws_a3", "query": "'needle' in https://example.com/page",
         "action": CALLS[2]["action"]},
        {"type": "WebSearch", "id": "ws_a4", "query": "", "action": {"type": "other"}},
    ]

    r2 = run_codex("exec", "--skip-git-repo-check", "--json", "-c", 'web_search="live"', "resume", tid,
                   "FOLLOWUP question", env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r2.returncode == 0, r2.stderr
    follow = [q for q in server.requests() if q["path"].endswith("/responses")][-1]["body"]["input"]
    replayed = [i for i in follow if i.get("type") == "web_search_call"]
    assert replayed == CALLS
