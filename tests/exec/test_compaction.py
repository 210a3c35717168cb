"""Compaction: when a response reports more tokens than the auto-compact
limit, the next request first asks the model for a summary and the history
is replaced by the initial context, the recent user messages and that
summary; the rollout records a `compacted` line that resume starts from."""
import json

from exec_helpers import MockServer, write_config

LIMIT = "model_auto_compact_token_limit = 20000"


def usage(total):
    return {"input_tokens": total - 10, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 10, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": total}


def metadata(req):
    return json.loads(req["headers"].get("x-codex-turn-metadata", "{}"))


def is_compaction(req):
    return metadata(req).get("request_kind") == "compaction"


def texts(body):
    return [c.get("text") for i in body["input"] if i.get("type") == "message"
            for c in i["content"]]


def user_texts(body):
    return [c.get("text") for i in body["input"] if i.get("type") == "message"
            and i.get("role") == "user" for c in i["content"]]


def rollout_lines(codex_home):
    files = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(files) == 1
    return files[0], [json.loads(l) for l in files[0].read_text().splitlines()]


def resume(run_codex, repo, prompt, *extra):
    return run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", *extra,
                     "resume", "--last", prompt, input="", env={"MOCK_API_KEY": "k"}, cwd=repo)


def test_mid_turn_compaction_replaces_the_history(exec_run, codex_home):
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "echo tool-output-marker", "login": False}}],
         "usage": usage(50000)},
        [{"type": "message", "text": "SUMMARY: ran echo, nothing else open"}],
        [{"type": "message", "text": "all done"}],
    ]
    r, server, events = exec_run(script, "--json", "please run echo", top=LIMIT)
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert [is_compaction(q) for q in reqs] == [False, True, False]

    compaction = reqs[1]
    assert compaction["body"]["tools"] == []
    meta = metadata(compaction)["compaction"]
    assert meta["trigger"] == "auto" and meta["reason"] == "context_limit"
    assert meta["phase"] == "mid_turn"
    # It sees the whole history, the tool output included, then our request.
    assert any(i.get("type") == "function_call_output" and "tool-output-marker" in i["output"]
               for i in compaction["body"]["input"])
    assert compaction["body"]["input"][-1]["role"] == "user"

    after = reqs[2]["body"]
    assert not any(i.get("type") in ("function_call", "function_call_output")
                   for i in after["input"]), "the tool round was replaced"
    users = user_texts(after)
    assert "please run echo" in users
    assert any("SUMMARY: ran echo, nothing else open" in t for t in users)
    # The initial context (developer instructions) survives the replacement.
    assert after["input"][0]["role"] == "developer"
    assert reqs[2]["headers"]["x-codex-window-id"].endswith(":1")
    assert reqs[0]["headers"]["x-codex-window-id"].endswith(":0")

    # Exec's JSONL stream does not show the compaction as an item, and the
    # final answer is still item_N in order.
    items = [e["item"] for e in events if e["type"] == "item.completed"]
    assert [i["id"] for i in items] == [f"item_{n}" for n in range(len(items))]
    assert items[-1]["text"] == "all done"

    _, lines = rollout_lines(codex_home)
    compacted = [l["payload"] for l in lines if l["type"] == "compacted"]
    assert len(compacted) == 1
    c = compacted[0]
    assert "SUMMARY: ran echo, nothing else open" in c["message"]
    assert c["window_number"] == 1
    assert c["replacement_history"][-1]["content"][0]["text"] == c["message"]


def test_human_output_says_context_compacted(exec_run):
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "true", "login": False}}], "usage": usage(50000)},
        [{"type": "message", "text": "summary"}],
        [{"type": "message", "text": "finished"}],
    ]
    r, _, _ = exec_run(script, "go", top=LIMIT)
    assert r.returncode == 0, r.stderr
    assert "context compacted\n" in r.stderr


def test_under_the_limit_nothing_is_compacted(exec_run):
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "true", "login": False}}], "usage": usage(900)},
        [{"type": "message", "text": "finished"}],
    ]
    r, server, _ = exec_run(script, "--json", "go", top=LIMIT)
    assert r.returncode == 0, r.stderr
    assert not any(is_compaction(q) for q in server.requests())


def test_pre_turn_compaction_after_resume_and_resume_starts_from_it(
        exec_run, run_codex, codex_home, repo):
    script = [
        {"items": [{"type": "message", "text": "first answer"}], "usage": usage(50000)},
        [{"type": "message", "text": "SUMMARY-OF-FIRST"}],
        [{"type": "message", "text": "second answer"}],
        [{"type": "message", "text": "third answer"}],
    ]
    r, server, _ = exec_run(script, "--json", "first question", top=LIMIT)
    assert r.returncode == 0, r.stderr
    # The next turn, in a new process, starts by compacting: the resumed
    # thread remembers how full its window was.
    r = resume(run_codex, repo, "second question")
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert [is_compaction(q) for q in reqs] == [False, True, False]
    assert metadata(reqs[1])["compaction"]["phase"] == "pre_turn"
    second = reqs[2]["body"]
    assert "first answer" not in texts(second)
    assert user_texts(second)[-1] == "second question"

    # Resume again: the history starts from the compacted line, not from
    # the whole file.
    r = resume(run_codex, repo, "third question")
    assert r.returncode == 0, r.stderr
    third = server.requests()[3]["body"]
    t = texts(third)
    assert "first answer" not in t
    assert any("SUMMARY-OF-FIRST" in x for x in t)
    assert "second answer" in t and t[-1] == "third question"


def test_compact_prompt_replaces_ours(exec_run):
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "true", "login": False}}], "usage": usage(50000)},
        [{"type": "message", "text": "summary"}],
        [{"type": "message", "text": "finished"}],
    ]
    top = LIMIT + '\ncompact_prompt = "SUMMARISE-LIKE-A-PIRATE"'
    r, server, _ = exec_run(script, "--json", "go", top=top)
    assert r.returncode == 0, r.stderr
    assert user_texts(server.requests()[1]["body"])[-1] == "SUMMARISE-LIKE-A-PIRATE"


def test_compact_prompt_file_and_its_errors(exec_run, run_codex, codex_home, repo, tmp_path):
    prompt = tmp_path / "compact.md"
    prompt.write_text("  FROM-A-FILE\n")
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "true", "login": False}}], "usage": usage(50000)},
        [{"type": "message", "text": "summary"}],
        [{"type": "message", "text": "finished"}],
    ]
    top = LIMIT + f'\nexperimental_compact_prompt_file = "{prompt}"'
    r, server, _ = exec_run(script, "--json", "go", top=top)
    assert r.returncode == 0, r.stderr
    assert user_texts(server.requests()[1]["body"])[-1] == "FROM-A-FILE"

    missing = tmp_path / "nope.md"
    write_config(codex_home, server.port, extra_top=f'experimental_compact_prompt_file = "{missing}"')
    r = run_codex("exec", "--skip-git-repo-check", "x", input="", env={"MOCK_API_KEY": "k"},
                  cwd=repo)
    assert r.returncode != 0
    assert f"failed to read experimental compact prompt file {missing}" in r.stderr

    empty = tmp_path / "empty.md"
    empty.write_text(" \n")
    write_config(codex_home, server.port, extra_top=f'experimental_compact_prompt_file = "{empty}"')
    r = run_codex("exec", "--skip-git-repo-check", "x", input="", env={"MOCK_API_KEY": "k"},
                  cwd=repo)
    assert r.returncode != 0
    assert f"experimental compact prompt file is empty: {empty}" in r.stderr


def test_scope_body_after_prefix_discounts_the_replacement(exec_run):
    # After a compaction the replacement history (base instructions
    # included) is the window's prefix: "total" counts it toward the limit,
    # "body_after_prefix" does not.
    def script():
        return [
            {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                        "arguments": {"cmd": "true", "login": False}}], "usage": usage(50000)},
            [{"type": "message", "text": "summary"}],
            {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c2",
                        "arguments": {"cmd": "true", "login": False}}], "usage": usage(20300)},
            [{"type": "message", "text": "summary two"}],
            [{"type": "message", "text": "finished"}],
        ]
    top = "model_auto_compact_token_limit = 20000\nmodel_auto_compact_token_limit_scope = "
    r, server, _ = exec_run(script(), "--json", "go", top=top + '"total"')
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert [is_compaction(q) for q in reqs] == [False, True, False, True, False]
    # The prefix is more than the 300 tokens between limit and usage.
    assert len(json.dumps(reqs[2]["body"]["input"])) // 4 > 300

    r, server, _ = exec_run(script(), "--json", "go", top=top + '"body_after_prefix"')
    assert r.returncode == 0, r.stderr
    kinds = [is_compaction(q) for q in server.requests()]
    assert kinds[:3] == [False, True, False] and not any(kinds[3:])


def test_a_failed_compaction_leaves_the_history_and_reports_it(exec_run, codex_home):
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": {"cmd": "echo kept-output", "login": False}}],
         "usage": usage(50000)},
        {"status": 400, "error": {"message": "compaction refused", "type": "invalid_request_error",
                                  "code": "invalid_value"}},
        [{"type": "message", "text": "finished anyway"}],
    ]
    r, server, events = exec_run(script, "--json", "go", top=LIMIT)
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert [is_compaction(q) for q in reqs] == [False, True, False]
    after = reqs[2]["body"]["input"]
    assert any(i.get("type") == "function_call_output" and "kept-output" in i["output"]
               for i in after), "the history is as it was"
    errors = [e for e in events if e["type"] == "error"]
    assert errors and "compaction refused" in errors[0]["message"]
    assert events[-1]["type"] == "turn.completed"
    _, lines = rollout_lines(codex_home)
    assert not any(l["type"] == "compacted" for l in lines)


def test_an_oversized_history_is_trimmed_until_the_summary_request_fits(tmp_path, run_codex,
                                                                        codex_home, repo):
    # Requests over 100 kB are refused as the real API refuses an input over
    # the window. Each tool round adds 60 kB: the second round's request
    # still fits, but the summary request after it carries both outputs; it
    # drops the oldest items until it fits, and the turn goes on.
    big = {"cmd": "head -c 60000 /dev/zero | tr '\\0' x", "login": False,
           "max_output_tokens": 100000}
    script = [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c1",
                    "arguments": big}], "usage": usage(1000)},
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c2",
                    "arguments": big}], "usage": usage(50000)},
        [{"type": "message", "text": "short summary"}],
        [{"type": "message", "text": "finished"}],
    ]
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script))
    server = MockServer(tmp_path, path, max_request_bytes=100000)
    try:
        write_config(codex_home, server.port, extra_top=LIMIT)
        r = run_codex("exec", "--skip-git-repo-check", "-s", "danger-full-access", "--json",
                      "go", input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
        reqs = server.requests()
    finally:
        server.stop()
    sizes = [len(json.dumps(q["body"])) for q in reqs]
    assert r.returncode == 0, (sizes, r.stdout)
    kinds = [is_compaction(q) for q in reqs]
    assert kinds[:2] == [False, False] and kinds[-1] is False
    assert kinds[2] and sizes[2] > 100000, "the first summary request is too big"
    assert all(kinds[2:-1]) and sizes[-2] <= 100000, "trimmed until it fits"
    # The oldest items went first: the summary request that fits still has
    # the second output but not the first call.
    fits = reqs[-2]["body"]["input"]
    ids = [i.get("call_id") for i in fits if i.get("type") == "function_call_output"]
    assert ids == ["c2"]
    assert json.loads(r.stdout.splitlines()[-1])["type"] == "turn.completed"


def test_a_request_over_the_window_fails_the_turn_cleanly(tmp_path, run_codex, codex_home, repo):
    path = tmp_path / "script.json"
    path.write_text(json.dumps([[{"type": "message", "text": "unreachable"}]]))
    server = MockServer(tmp_path, path, max_request_bytes=100000)
    try:
        write_config(codex_home, server.port)
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-", input="y" * 200000,
                      env={"MOCK_API_KEY": "k"}, cwd=repo)
    finally:
        server.stop()
    assert r.returncode == 1
    last = json.loads(r.stdout.splitlines()[-1])
    assert last["type"] == "turn.failed"
    assert "context window" in last["error"]["message"]
