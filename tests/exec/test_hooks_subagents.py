"""Hooks around subagents, as the reference 0.169.0 fires them (capture
subagents_hooks): a child starts with SubagentStart instead of
SessionStart, whose additionalContext reaches the child's request as a
developer message before its task, and stops with SubagentStop instead of
Stop; both carry the parent's session id, the child's turn, the agent id
and type; SubagentStop names both transcripts."""
import json

from exec_helpers import MockServer, write_config
from test_hooks import Hooks
from test_subagents import call, first_user, rollouts, say

SCENARIOS = {
    "PARENTTASK": [
        [call("spawn_agent", "p_sp", message="CHILDTASK: x")],
        [call("wait_agent", "p_wt", targets=["{{out:p_sp:agent_id}}"], timeout_ms=60000)],
        say("PARENT DONE"),
    ],
    "CHILDTASK": [say("CHILD DONE")],
}


def run(run_codex, codex_home, repo, tmp_path, hooks, events):
    server = MockServer(tmp_path, [say("unscripted")], repeat_last=True, scenarios=SCENARIOS)
    try:
        write_config(codex_home, server.port)
        (codex_home / "hooks.json").write_text(json.dumps(hooks.document(events)))
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-s", "danger-full-access",
                      "--dangerously-bypass-hook-trust", "PARENTTASK: spawn",
                      env={"MOCK_API_KEY": "k"}, cwd=repo, timeout=90)
        return r, server.requests()
    finally:
        server.stop()


def test_a_child_starts_and_stops_as_a_subagent(run_codex, codex_home, repo, tmp_path):
    hooks = Hooks(tmp_path)
    hooks.answer("SubagentStart", stdout={"hookSpecificOutput": {
        "hookEventName": "SubagentStart", "additionalContext": "SUBAGENT-START-CTX"}})
    r, reqs = run(run_codex, codex_home, repo, tmp_path, hooks,
                  ["SubagentStart", "SubagentStop", "SessionStart", "Stop"])
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["SessionStart", "SubagentStart", "SubagentStop", "Stop"]
    parent_id = json.loads(r.stdout.splitlines()[0])["thread_id"]
    stored = rollouts(codex_home)
    child_id = next(i for i in stored if i != parent_id)
    parent_path, child_path = str(stored[parent_id][0]), str(stored[child_id][0])
    runs = {x["event"]: x["stdin"] for x in hooks.runs()}

    start = runs["SubagentStart"]
    child_turn = start["turn_id"]
    assert list(start) == ["session_id", "turn_id", "transcript_path", "cwd", "hook_event_name",
                           "model", "permission_mode", "agent_id", "agent_type"]
    assert start["session_id"] == parent_id and start["transcript_path"] == child_path
    assert start["agent_id"] == child_id and start["agent_type"] == "default"
    assert start["permission_mode"] == "bypassPermissions" and start["cwd"] == str(repo)
    assert child_turn != runs["Stop"]["turn_id"]

    stop = runs["SubagentStop"]
    assert list(stop) == ["session_id", "turn_id", "transcript_path", "agent_transcript_path",
                          "cwd", "hook_event_name", "model", "permission_mode",
                          "stop_hook_active", "agent_id", "agent_type", "last_assistant_message"]
    assert stop["session_id"] == parent_id and stop["turn_id"] == child_turn
    assert stop["transcript_path"] == parent_path and stop["agent_transcript_path"] == child_path
    assert stop["stop_hook_active"] is False and stop["last_assistant_message"] == "CHILD DONE"
    assert stop["agent_id"] == child_id and stop["agent_type"] == "default"
    assert runs["Stop"]["last_assistant_message"] == "PARENT DONE"

    # The context goes to the child, after its initial context and before its task.
    child_req = next(q for q in reqs if first_user(q).startswith("CHILDTASK"))
    items = [i for i in child_req["body"]["input"] if i.get("type") == "message"]
    at = next(k for k, i in enumerate(items) if i["content"][0]["text"] == "SUBAGENT-START-CTX")
    assert items[at]["role"] == "developer"
    assert items[at - 1]["content"][-1]["text"].startswith("<environment_context>")
    assert items[at + 1]["content"][0]["text"] == "CHILDTASK: x"
    parent_texts = [c["text"] for q in reqs if first_user(q).startswith("PARENTTASK")
                    for i in q["body"]["input"] if i.get("type") == "message" for c in i["content"]]
    assert "SUBAGENT-START-CTX" not in parent_texts


def test_a_blocking_subagent_stop_keeps_the_child_going(run_codex, codex_home, repo, tmp_path):
    hooks = Hooks(tmp_path)
    hooks.answer("SubagentStop", only_first=True,
                 stdout={"decision": "block", "reason": "CHECK AGAIN"})
    r, reqs = run(run_codex, codex_home, repo, tmp_path, hooks, ["SubagentStop"])
    assert r.returncode == 0, r.stderr
    stops = [x["stdin"] for x in hooks.runs()]
    assert [s["stop_hook_active"] for s in stops] == [False, True]
    child_reqs = [q for q in reqs if first_user(q).startswith("CHILDTASK")
                  or any("CHECK AGAIN" in c.get("text", "") for i in q["body"]["input"]
                         if i.get("role") == "user" for c in i["content"])]
    last = child_reqs[-1]["body"]["input"][-1]
    assert last["role"] == "user" and "CHECK AGAIN" in last["content"][0]["text"]
    assert last["content"][0]["text"].startswith("<hook_prompt hook_run_id=")
