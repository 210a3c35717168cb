"""Subagents (multi_agent_v1): a parent thread starts children on the same
loop through spawn_agent, waits for them, closes them; limits and failures
answer the model with the reference's strings.  The mock routes each
request by the first word of its last user message (PARENT:, CHILDA:, ...),
so parent and children are scripted independently."""
import json

from exec_helpers import MockServer, write_config

NS = "multi_agent_v1"


def call(name, call_id, **args):
    return {"type": "function_call", "name": name, "call_id": call_id, "arguments": args,
            "namespace": NS}


def search(query="spawn agent wait"):
    return [{"type": "raw_item", "item": {"type": "tool_search_call", "call_id": "p_ts",
                                          "execution": "client", "status": "completed",
                                          "arguments": {"query": query, "limit": 8}}}]


def say(text):
    return [{"type": "message", "text": text}]


def child(marker, cmd=None):
    """A child that runs a command, then reports."""
    return [[{"type": "function_call", "name": "exec_command", "call_id": "c_" + marker,
              "arguments": {"cmd": cmd or "echo ran-" + marker, "yield_time_ms": 30000}}],
            say("CHILD %s DONE" % marker)]


def meet(mine, other):
    """A command that finishes only once the other child's command has
    started: two of them complete only if they run at the same time."""
    return ("touch %s; for i in $(seq 600); do [ -f %s ] && break; sleep 0.05; done; "
            "[ -f %s ] && echo ran-%s" % (mine, other, other, mine))


def run(run_codex, codex_home, repo, tmp_path, scenarios, top="", args=(), env=None):
    server = MockServer(tmp_path, [say("unscripted")], repeat_last=True, scenarios=scenarios)
    try:
        write_config(codex_home, server.port, extra_top=top)
        e = {"MOCK_API_KEY": "k"}
        e.update(env or {})
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-s", "danger-full-access",
                      *args, "PARENT: go", env=e, cwd=repo, timeout=90)
        return r, server.requests()
    finally:
        server.stop()


def events(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def collab(evs, kind="item.completed"):
    return [e["item"] for e in evs if e["type"] == kind and e["item"]["type"] == "collab_tool_call"]


def outputs(reqs, call_id):
    """The output the parent sent for call_id (from the last request carrying it)."""
    found = None
    for q in reqs:
        for it in q["body"]["input"]:
            if it.get("type") == "function_call_output" and it.get("call_id") == call_id:
                found = it["output"]
    return found


def first_user(req):
    texts = [c.get("text", "") for it in req["body"]["input"] if it.get("role") == "user"
             for c in it["content"] if not c.get("text", "").startswith("<")]
    return texts[-1] if texts else ""


def rollouts(codex_home):
    out = {}
    for p in (codex_home / "sessions").rglob("rollout-*.jsonl"):
        meta = json.loads(p.read_text().splitlines()[0])["payload"]
        out[meta["id"]] = (p, meta)
    return out


def test_two_children_run_in_parallel_and_are_waited_for(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [
            search(),
            [call("spawn_agent", "p_a", message="CHILDA: run it"),
             call("spawn_agent", "p_b", message="CHILDB: run it")],
            [call("wait_agent", "p_w1", targets=["{{out:p_a:agent_id}}"], timeout_ms=60000)],
            [call("wait_agent", "p_w2", targets=["{{out:p_b:agent_id}}"], timeout_ms=60000)],
            [call("close_agent", "p_ca", target="{{out:p_a:agent_id}}"),
             call("close_agent", "p_cb", target="{{out:p_b:agent_id}}")],
            say("PARENT DONE"),
        ],
        "CHILDA": child("A", meet("A", "B")),
        "CHILDB": child("B", meet("B", "A")),
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    evs = events(r)
    parent_id = evs[0]["thread_id"]
    ids = [json.loads(outputs(reqs, c))["agent_id"] for c in ("p_a", "p_b")]
    spawn = json.loads(outputs(reqs, "p_a"))
    assert set(spawn) == {"agent_id", "nickname"} and spawn["nickname"]
    assert ids[0] != ids[1] and parent_id not in ids

    # Both children ran their command; their requests say who their parent is.
    child_reqs = {k: [q for q in reqs if first_user(q).startswith(k)] for k in ("CHILDA", "CHILDB")}
    for k, qs in child_reqs.items():
        assert len(qs) == 2, k
        h = qs[0]["headers"]
        assert h["x-openai-subagent"] == "collab_spawn"
        assert h["x-codex-parent-thread-id"] == parent_id
        assert h["session-id"] == parent_id
        meta = json.loads(h["x-codex-turn-metadata"])
        assert meta["subagent_kind"] == "thread_spawn" and meta["parent_thread_id"] == parent_id
        out = [it["output"] for it in qs[1]["body"]["input"] if it.get("type") == "function_call_output"]
        assert "ran-" + k[-1] in out[0]
        # At the default depth a child gets no agent tools.
        assert "tool_search" not in json.dumps(qs[0]["body"]["tools"])
        assert NS not in json.dumps(qs[0]["body"])

    # Each wait returns its child's final message.
    assert json.loads(outputs(reqs, "p_w1")) == {
        "status": {ids[0]: {"completed": "CHILD A DONE"}}, "timed_out": False}
    assert json.loads(outputs(reqs, "p_w2")) == {
        "status": {ids[1]: {"completed": "CHILD B DONE"}}, "timed_out": False}

    # Each finished child is announced to the parent as a user message.
    last = reqs[-1]["body"]["input"]
    notes = [c["text"] for it in last if it.get("role") == "user" for c in it["content"]
             if c["text"].startswith("<subagent_notification>")]
    assert len(notes) == 2
    body = json.loads(notes[0].split("\n")[1])
    assert body["agent_path"] in ids and "completed" in body["status"]

    close = json.loads(outputs(reqs, "p_ca"))
    assert close == {"previous_status": {"completed": "CHILD A DONE"}}

    # exec --json shows the parent's collab items only, as the reference does.
    items = collab(evs)
    tools = [i["tool"] for i in items]
    assert tools == ["spawn_agent", "spawn_agent", "wait", "wait", "close_agent", "close_agent"]
    first = collab(evs, "item.started")[0]
    assert first["receiver_thread_ids"] == [] and first["status"] == "in_progress"
    assert first["prompt"] == "CHILDA: run it"
    assert items[0]["receiver_thread_ids"] == [ids[0]]
    assert items[0]["agents_states"] == {ids[0]: {"status": "pending_init", "message": None}}
    assert all(i["sender_thread_id"] == parent_id for i in items)
    assert not [e for e in evs if e["type"].startswith("item.") and
                e["item"]["type"] == "command_execution"]
    assert evs[-1]["type"] == "turn.completed"

    # Each child has its own rollout linked to the parent.
    metas = rollouts(codex_home)
    # The parent's rollout records the calls as the reference does.
    lines = [json.loads(x) for x in metas[parent_id][0].read_text().splitlines()]
    recorded = [x["payload"]["item"] for x in lines if x["type"] == "event_msg"
                and x["payload"]["type"] == "item_completed"
                and x["payload"]["item"]["type"] == "CollabAgentToolCall"]
    assert [x["tool"] for x in recorded] == tools
    assert recorded[0]["agents_states"] == {ids[0]: "pending_init"}
    assert recorded[0]["receiver_agents"] == [{"thread_id": ids[0]}]
    assert recorded[2]["agents_states"] == {ids[0]: {"completed": "CHILD A DONE"}}
    for cid in ids:
        _, meta = metas[cid]
        assert meta["parent_thread_id"] == parent_id and meta["session_id"] == parent_id
        spawn_src = meta["source"]["subagent"]["thread_spawn"]
        assert spawn_src["parent_thread_id"] == parent_id and spawn_src["depth"] == 1
        assert meta["thread_source"] == "subagent" and meta["agent_nickname"]


def test_thread_limit_refuses_the_second_spawn(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [
            [call("spawn_agent", "p_a", message="CHILDA: run it")],
            [call("spawn_agent", "p_b", message="CHILDB: run it")],
            [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
            say("PARENT DONE"),
        ],
        "CHILDA": [say("CHILD A DONE")],
        "CHILDB": [say("CHILD B DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, top="[agents]\nmax_threads = 1\n")
    assert r.returncode == 0, r.stderr
    assert outputs(reqs, "p_b") == "collab spawn failed: agent thread limit reached"
    assert not [q for q in reqs if first_user(q).startswith("CHILDB")]
    failed = collab(events(r))[1]
    assert failed["tool"] == "spawn_agent" and failed["status"] == "failed"
    assert failed["receiver_thread_ids"] == []
    assert json.loads(outputs(reqs, "p_w"))["status"] != {}


def test_closing_frees_a_thread_slot(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [
            [call("spawn_agent", "p_a", message="CHILDA: run it")],
            [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
            [call("close_agent", "p_c", target="{{out:p_a:agent_id}}")],
            [call("spawn_agent", "p_b", message="CHILDB: run it")],
            [call("close_agent", "p_c2", target="{{out:p_a:agent_id}}")],
            say("PARENT DONE"),
        ],
        "CHILDA": [say("CHILD A DONE")],
        "CHILDB": [say("CHILD B DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, top="[agents]\nmax_threads = 1\n")
    assert r.returncode == 0, r.stderr
    assert "agent_id" in json.loads(outputs(reqs, "p_b"))
    a = json.loads(outputs(reqs, "p_a"))["agent_id"]
    assert outputs(reqs, "p_c2") == "agent with id %s is closed" % a


def test_depth_limit_refuses_with_the_reference_message(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [[call("spawn_agent", "p_a", message="CHILDA: run it")], say("PARENT DONE")],
        "CHILDA": [say("never")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, top="[agents]\nmax_depth = 0\n")
    assert r.returncode == 0, r.stderr
    assert outputs(reqs, "p_a") == "Agent depth limit reached. Solve the task yourself."
    assert not [q for q in reqs if first_user(q).startswith("CHILDA")]


def test_a_child_that_fails_reports_an_error_to_its_parent(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [
            [call("spawn_agent", "p_a", message="CHILDA: run it")],
            [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
            say("PARENT DONE"),
        ],
        "CHILDA": [{"items": [], "fail": {"code": "server_error", "message": "the model broke"}}],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    a = json.loads(outputs(reqs, "p_a"))["agent_id"]
    waited = json.loads(outputs(reqs, "p_w"))
    assert waited["timed_out"] is False
    assert list(waited["status"][a]) == ["errored"]
    assert "the model broke" in waited["status"][a]["errored"]
    # The parent's session goes on and ends normally.
    evs = events(r)
    assert evs[-1]["type"] == "turn.completed"
    assert any(e["type"] == "item.completed" and e["item"].get("text") == "PARENT DONE" for e in evs)


def test_bad_targets_and_inputs(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [
            [call("wait_agent", "p_w", targets=[""]),
             call("close_agent", "p_c", target="01234567-89ab-7def-8123-456789abcdef"),
             call("spawn_agent", "p_s", message="   "),
             call("spawn_agent", "p_s2", message="x", items=[{"type": "text", "text": "y"}]),
             call("spawn_agent", "p_s3", message="CHILDA: x", agent_type="nobody")],
            say("PARENT DONE"),
        ],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    assert outputs(reqs, "p_w") == "invalid agent id : Error(ParseSimpleLength { len: 0 })"
    assert outputs(reqs, "p_c") == "agent with id 01234567-89ab-7def-8123-456789abcdef not found"
    assert outputs(reqs, "p_s") == "Empty message can't be sent to an agent"
    assert outputs(reqs, "p_s2") == "Provide either message or items, but not both"
    assert outputs(reqs, "p_s3") == "unknown agent_type 'nobody'"


def test_tools_are_deferred_and_roles_offered(run_codex, codex_home, repo, tmp_path):
    (codex_home / "agents").mkdir()
    (codex_home / "agents" / "tester.toml").write_text(
        'name = "tester"\ndescription = "Runs the tests."\nmodel_reasoning_effort = "low"\n'
        'developer_instructions = "TESTER RULES"\nnickname_candidates = ["Tess"]\n')
    scenarios = {
        "PARENT": [
            search(),
            [call("spawn_agent", "p_a", message="CHILDA: run it", agent_type="tester")],
            [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
            say("PARENT DONE"),
        ],
        "CHILDA": [say("CHILD A DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios)
    assert r.returncode == 0, r.stderr
    # The tools are not listed: a <tools> note names the namespace, and
    # tool_search finds them.
    first = reqs[0]["body"]
    assert [t for t in first["tools"] if t["type"] == "tool_search"]
    assert NS not in json.dumps(first["tools"])
    assert "- multi_agent_v1: " in json.dumps(first["input"])
    found = [it for it in reqs[1]["body"]["input"] if it.get("type") == "tool_search_output"][0]
    assert found["tools"][0]["name"] == NS
    names = {t["name"]: t for t in found["tools"][0]["tools"]}
    assert {"spawn_agent", "wait_agent"} <= set(names)
    assert all(t["defer_loading"] is True for t in names.values())
    # agent_type lists the user's role before the built-in ones.
    roles = names["spawn_agent"]["parameters"]["properties"]["agent_type"]["description"]
    assert roles.index("tester: {\nRuns the tests.") < roles.index("default: {")
    assert "`low`" in roles
    spawn = json.loads(outputs(reqs, "p_a"))
    assert spawn["nickname"] == "Tess"
    child_req = [q for q in reqs if first_user(q).startswith("CHILDA")][0]
    assert "TESTER RULES" in json.dumps(child_req["body"]["input"])
    assert child_req["body"]["reasoning"]["effort"] == "low"


def test_disabled_feature_offers_no_agent_tools(run_codex, codex_home, repo, tmp_path):
    scenarios = {"PARENT": [say("PARENT DONE")]}
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios, args=("--disable", "multi_agent"))
    assert r.returncode == 0, r.stderr
    assert NS not in json.dumps(reqs[0]["body"])


def test_bad_limit_values_are_named_and_the_default_used(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [[call("spawn_agent", "p_a", message="CHILDA: run it")],
                   [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
                   say("PARENT DONE")],
        "CHILDA": [say("CHILD A DONE")],
    }
    r, reqs = run(run_codex, codex_home, repo, tmp_path, scenarios,
                  top='[agents]\nmax_threads = "many"\n')
    assert r.returncode == 0, r.stderr
    assert "agents.max_threads (line" in r.stderr and "must be an integer of at least 1; using 6" \
        in r.stderr
    assert "agent_id" in json.loads(outputs(reqs, "p_a"))


def test_human_output_shows_the_collab_calls(run_codex, codex_home, repo, tmp_path):
    scenarios = {
        "PARENT": [[call("spawn_agent", "p_a", message="CHILDA: run it")],
                   [call("wait_agent", "p_w", targets=["{{out:p_a:agent_id}}"])],
                   say("PARENT DONE")],
        "CHILDA": [say("CHILD A DONE")],
    }
    server = MockServer(tmp_path, [say("unscripted")], repeat_last=True, scenarios=scenarios)
    try:
        write_config(codex_home, server.port)
        r = run_codex("exec", "--skip-git-repo-check", "-s", "read-only", "PARENT: go",
                      env={"MOCK_API_KEY": "k"}, cwd=repo, timeout=90)
        reqs = server.requests()
    finally:
        server.stop()
    assert r.returncode == 0, r.stderr
    a = json.loads(outputs(reqs, "p_a"))["agent_id"]
    assert "spawnAgent completed for %s\n  %s: pendingInit" % (a, a) in r.stderr
    assert "wait completed for %s\n  %s: completed: CHILD A DONE" % (a, a) in r.stderr
    assert r.stdout == "PARENT DONE\n"
