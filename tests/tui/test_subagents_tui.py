"""Subagents and auto-review in the TUI: the agent rows of spawn/wait/close
calls, a child's approval labelled with the child, /subagents listing the
main thread and its children and showing a child's transcript (live, and
taking a message for the child), and the auto-reviewer's decisions with
/approve for one retry of a denial."""
import json
import re
import time

from tuihelp import Mock, write_config

NS = "multi_agent_v1"


def call(name, call_id, **args):
    return {"type": "function_call", "name": name, "call_id": call_id, "arguments": args,
            "namespace": NS}


def say(text):
    return {"items": [{"type": "message", "text": text}]}


SCENARIOS = {
    "PARENT": [
        {"items": [call("spawn_agent", "p_spawn", message="CHILDA: make the marker file")]},
        {"items": [call("wait_agent", "p_wait", targets=["{{out:p_spawn:agent_id}}"],
                        timeout_ms=60000)]},
        {"items": [call("close_agent", "p_close", target="{{out:p_spawn:agent_id}}")]},
        say("PARENT DONE"),
    ],
    "SLOWPARENT": [
        {"items": [call("spawn_agent", "s_spawn", message="SLOWCHILD: take your time")]},
        {"items": [call("wait_agent", "s_wait", targets=["{{out:s_spawn:agent_id}}"],
                        timeout_ms=60000)]},
        say("SLOW PARENT DONE"),
    ],
    "SLOWCHILD": [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "s_child",
                    "arguments": {"cmd": "sleep 3; echo slow-child-output", "login": False,
                                  "yield_time_ms": 10000}}]},
        say("SLOW CHILD DONE"),
    ],
    "ROLEPARENT": [
        {"items": [call("spawn_agent", "r_spawn", message="ROLECHILD: look around",
                        agent_type="explorer")]},
        {"items": [call("send_input", "r_send", target="{{out:r_spawn:agent_id}}",
                        message="ROLECHILD: and report back")]},
        {"items": [call("wait_agent", "r_wait", targets=["{{out:r_spawn:agent_id}}"],
                        timeout_ms=60000)]},
        say("ROLE PARENT DONE"),
    ],
    "ROLECHILD": [say("ROLE CHILD DONE")],
    "TYPED": [{"items": [{"type": "function_call", "name": "exec_command", "call_id": "t_child",
                          "arguments": {"cmd": "echo typed-child-ran", "login": False}}]},
              say("TYPED CHILD DONE")],
    "GRANDPARENT": [
        {"items": [call("spawn_agent", "g_spawn", message="MIDCHILD: delegate further")]},
        {"items": [call("wait_agent", "g_wait", targets=["{{out:g_spawn:agent_id}}"],
                        timeout_ms=60000)]},
        say("GRANDPARENT DONE"),
    ],
    "MIDCHILD": [
        {"items": [call("spawn_agent", "m_spawn", message="LEAFCHILD: the leaf work")]},
        {"items": [call("wait_agent", "m_wait", targets=["{{out:m_spawn:agent_id}}"],
                        timeout_ms=60000)]},
        say("MID CHILD DONE"),
    ],
    "LEAFCHILD": [say("LEAF CHILD DONE")],
    "CHILDA": [
        {"items": [{"type": "function_call", "name": "exec_command", "call_id": "c_child",
                    "arguments": {"cmd": "touch from-child.txt", "login": False,
                                  "sandbox_permissions": "require_escalated",
                                  "justification": "Allow the marker file?"}}]},
        say("CHILD DONE with the marker"),
    ],
}


class AgentMock(Mock):
    """The TUI suite's mock with this file's scenarios besides its own."""

    def __init__(self, work, script=None):
        import tuihelp
        merged = json.loads((tuihelp.HERE / "scenarios.json").read_text())
        merged.update(SCENARIOS)
        own = work / "agent_scenarios"
        own.mkdir(exist_ok=True)
        (own / "scenarios.json").write_text(json.dumps(merged))
        saved = tuihelp.HERE
        tuihelp.HERE = own
        try:
            super().__init__(work, script)
        finally:
            tuihelp.HERE = saved


def start(tui, work, mock, extra=""):
    write_config(work / "home", mock.port, trusted_repo=str(work / "repo"), extra=extra)
    t = tui(write=False)
    t.wait_for(r"Ask Codex")
    return t


def test_agent_rows_child_approval_and_switching(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock, extra='approval_policy = "on-request"')
        t.submit("PARENT: delegate the marker")
        # The child's question reaches the user, named after the child.
        s = t.wait_for(r"Would you like to run the following command\?")
        s = t.wait_for(r"Thread: \w+")
        nick = re.search(r"Thread: (\w+)", s).group(1)
        assert nick != "Agent", s
        assert "touch from-child.txt" in s
        assert "o to open thread" in s
        # The child's escalation offers "always" (p), as the reference's does.
        assert re.search(r"Yes, and don't ask again for commands that start with `touch from-child\.txt`.*\(p\)", s), s
        assert not (work / "repo" / "from-child.txt").exists()
        t.keys("y")
        s = t.wait_for(r"PARENT DONE", timeout=30)
        assert (work / "repo" / "from-child.txt").exists()
        # The agent rows: spawned (with the prompt), waiting, finished, closed.
        assert re.search(r"• Spawned %s \[default\]" % nick, s) or re.search(r"• Spawned %s\b" % nick, s), s
        assert "└ CHILDA: make the marker file" in s
        assert re.search(r"• Waiting for %s" % nick, s), s
        assert "• Finished waiting" in s
        assert re.search(r"└ %s.*: Completed - CHILD DONE with the marker" % nick, s), s
        assert re.search(r"• Closed %s" % nick, s), s
        # The child's decision and command are the child's, not the main
        # thread's; the footer names the agent on screen.
        assert "You approved codex" not in s
        assert "Running touch" not in s and "Exited" not in s
        assert re.search(r"· Run parent scenario · Main \[", s), s
        ansi = t.screen(ansi=True)
        # The nickname is bold light blue, as the reference draws it.
        assert re.search(r"\x1b\[[0-9;]*(94|38;5;12)[0-9;]*m%s" % nick, ansi) or \
            re.search(r"\x1b\[1;94m%s" % nick, ansi) or nick in ansi
        # /subagents lists the main thread and the child with its status.
        t.submit("/subagents")
        s = t.wait_for(r"Select an agent to watch\.")
        assert re.search(r"1\. • Main \[default\] \(current\)", s), s
        row = [l for l in s.split("\n") if "2. • " + nick in l][0]
        assert re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", row), row  # its thread id
        assert "enter select · esc back" in s
        # Choosing the child shows its own transcript.
        t.keys("2")
        s = t.wait_for(r"^/ %s · " % nick)
        assert "CHILD DONE with the marker" in s
        assert "› CHILDA: make the marker file" in s
        assert "touch from-child.txt" in s
        assert "PARENT: delegate the marker" not in s
        # Esc goes back to the main thread; Alt+Left and Alt+Right go round
        # the main thread and its children.
        t.keys("Escape")
        s = t.wait_for(r"PARENT DONE")
        assert "Ask Codex" in s
        t.keys("M-Right")
        s = t.wait_for(r"^/ %s · " % nick)
        assert "PARENT: delegate the marker" not in s
        t.keys("M-Right")
        s = t.wait_for(r"PARENT DONE")
        assert "Ask Codex" in s
    finally:
        mock.stop()


def test_o_on_a_childs_approval_opens_the_child(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock, extra='approval_policy = "on-request"')
        t.submit("PARENT: delegate the marker")
        t.wait_for(r"Thread: \w+")
        t.keys("o")
        s = t.wait_for(r"^/ \w+ · ")
        assert "› CHILDA: make the marker file" in s
        assert "PARENT: delegate the marker" not in s
        t.keys("Escape")
        s = t.wait_for(r"Would you like to run the following command\?")
        t.keys("y")
        t.wait_for(r"PARENT DONE", timeout=30)
    finally:
        mock.stop()


def test_a_watched_child_follows_its_turn(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock)
        t.submit("SLOWPARENT: delegate slowly")
        s = t.wait_for(r"• Waiting for (\w+)")
        nick = re.search(r"• Waiting for (\w+)", s).group(1)
        t.submit("/subagents")
        t.wait_for(r"Select an agent to watch\.")
        t.keys("2")
        s = t.wait_for(r"^/ %s · " % nick)
        assert "› SLOWCHILD: take your time" in s
        assert "SLOW CHILD DONE" not in s
        # Nothing pressed: the view reads the child again as it works.
        s = t.wait_for(r"SLOW CHILD DONE", timeout=30)
        assert "slow-child-output" in s
        assert re.search(r"^/ %s · " % nick, s, re.M), "still the child's view"
        t.keys("Escape")
        t.wait_for(r"SLOW PARENT DONE", timeout=30)
    finally:
        mock.stop()


def test_watching_a_child_that_spawned_its_own_child(tui, work):
    """The child's transcript names an agent the main thread has not met
    (its own child): showing it learns that agent's row while the child's
    row is in use, which used to read the row after it had moved (ASan:
    heap-use-after-free in show_thread)."""
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock, extra="[agents]\nmax_depth = 2\n")
        t.submit("GRANDPARENT: delegate twice")
        s = t.wait_for(r"GRANDPARENT DONE", timeout=40)
        nick = re.search(r"• Spawned (\w+)", s).group(1)
        t.submit("/subagents")
        t.wait_for(r"Select an agent to watch\.")
        t.keys("2")
        s = t.wait_for(r"^/ %s · Completed" % nick)
        assert "› MIDCHILD: delegate further" in s
        assert "MID CHILD DONE" in s
        assert re.search(r"• Spawned \w+", s), s
        t.keys("Escape")
        t.wait_for(r"GRANDPARENT DONE")
    finally:
        mock.stop()


def test_subagents_without_children_lists_only_main(tui, work, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("/subagents")
    s = t.wait_for(r"Select an agent to watch\.")
    assert "1. • Main [default] (current)" in s
    assert "No subagents have been started in this session." in s
    assert "2. " not in s
    t.keys("Escape")
    t.wait_gone(r"Select an agent to watch")
    # /agent is the same picker; the popup lists /subagents.
    t.text("/subag")
    s = t.wait_for(r"/subagents\s+switch between this session's subagents")
    t.keys("C-u")


def reviewer_mock(work, outcome, rationale, delay_ms=0):
    verdict = json.dumps({"outcome": outcome, "risk_level": "high", "rationale": rationale})
    return Mock(work, script={"keyed": [{"match": "x-openai-subagent", "event_delay_ms": delay_ms,
                                         "items": [{"type": "message", "text": verdict}]}]})


def test_auto_review_denial_is_shown_and_approve_retries_it(tui, work):
    mock = reviewer_mock(work, "deny", "writes outside the workspace")
    try:
        write_config(work / "home", mock.port, trusted_repo=str(work / "repo"))
        t = tui("--approve-for-me", write=False)
        t.wait_for(r"Ask Codex")
        t.submit("/approve")
        s = t.wait_for(r"No recent auto-review denials in this thread\.")
        assert "Denials are recorded after auto-review rejects an action." in s
        t.submit("ESCDEMO: list the repo and write a marker file")
        s = t.wait_for(r"✗ Request denied for codex to run echo escalated-run")
        s = t.wait_for(r"Worked for")
        # The verdict's risk and rationale.
        assert re.search(r"⚠ Automatic approval review denied \(risk: high, .*\): writes outside the\s+workspace",
                         s, re.S), s
        assert not (work / "escalated_marker.txt").exists()
        ansi = t.screen(ansi=True)
        assert re.search(r"\x1b\[[0-9;]*1[0-9;]*mdenied", ansi), "denied is bold"
        t.submit("/approve")
        s = t.wait_for(r"Select a denied action to approve\.")
        assert "Auto-review Denials" in s
        assert re.search(r"› .*echo escalated-run.*\s+writes outside the workspace", s, re.S), s
        assert "enter select · esc back" in s
        t.keys("Enter")
        s = t.wait_for(r"Approval recorded for one retry of the selected auto-review denial\.")
        # The override reaches the model with the next request.
        t.submit("ESCDEMO: try again")
        t.wait_for(r"Worked for.*\n(.|\n)*Worked for", timeout=30)
        bodies = [json.dumps(r["body"]) for r in mock.requests()
                  if r["body"].get("client_metadata", {}).get("x-openai-subagent") != "guardian"]
        assert any("echo escalated-run" in b and "approv" in b.lower() for b in bodies[-2:]), \
            "the approval note is in the agent's next request"
        # The approved denial is offered no more: only the new one is.
        t.submit("/approve")
        s = t.wait_for(r"Select a denied action to approve\.")
        assert len(re.findall(r"echo escalated-run", s.split("Select a denied action")[1])) == 1, s
        t.keys("Escape")
    finally:
        mock.stop()


def test_a_denial_without_its_action_is_listed_by_approve(tui, work):
    """A server that leaves the action out of a denial (here our own
    app-server behind a bridge that drops it): the row and /approve still
    name the request.  /approve used to crash on it (NULL into strcspn)."""
    import os
    from test_remote import UnixBridge, tui_home

    def drop_action(line):
        msg = json.loads(line)
        if msg.get("method") == "item/autoApprovalReview/completed":
            del msg["params"]["action"]
            line = (json.dumps(msg) + "\n").encode()
        return line

    mock = reviewer_mock(work, "deny", "writes outside the workspace")
    try:
        home = work / "server_home"
        home.mkdir()
        write_config(home, mock.port, trusted_repo=str(work / "repo"),
                     extra='approval_policy = "on-request"\napprovals_reviewer = "auto_review"\n'
                           'sandbox_mode = "workspace-write"')
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "userhome"),
               "CODEX_HOME": str(home), "MOCK_API_KEY": "dummy",
               "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}
        path = work / "app.sock"
        UnixBridge(path, env, work / "repo", rewrite=drop_action)
        t = tui("--remote", "unix://%s" % path, env={"CODEX_HOME": str(tui_home(work))},
                write=False)
        t.wait_for(r"Ask Codex to do anything")
        t.submit("ESCDEMO: list the repo and write a marker file")
        t.wait_for(r"✗ Request denied for an unnamed action")
        t.wait_for(r"Worked for")
        t.submit("/approve")
        s = t.wait_for(r"Select a denied action to approve\.")
        assert re.search(r"› an unnamed action +writes outside the workspace", s), s
        t.keys("Escape")
        t.wait_gone(r"Select a denied action")
    finally:
        mock.stop()


def test_auto_review_approval_is_shown(tui, work):
    # A slow reviewer: the status row says what it reviews meanwhile.
    mock = reviewer_mock(work, "allow", "a harmless marker", delay_ms=250)
    try:
        write_config(work / "home", mock.port, trusted_repo=str(work / "repo"))
        t = tui("--approve-for-me", write=False)
        t.wait_for(r"Ask Codex")
        t.submit("ESCDEMO: list the repo and write a marker file")
        s = t.wait_for(r"• Reviewing approval request \(")
        assert re.search(r"^  └ echo escalated-run", s, re.M), s
        s = t.wait_for(r"Worked for")
        assert "✔ Auto-reviewer approved codex to run echo escalated-run" in s
        assert re.search(r"Auto-reviewer approved codex to run echo escalated-run[^\n]*\n\s+this time", s) \
            or re.search(r"escalated-run[^\n]* this time", s), s
        assert (work / "escalated_marker.txt").exists()
    finally:
        mock.stop()


def test_a_resumed_thread_replays_its_agent_rows(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock)
        t.submit("SLOWPARENT: delegate slowly")
        s = t.wait_for(r"SLOW PARENT DONE", timeout=40)
        nick = re.search(r"• Waiting for (\w+)", s).group(1)
        t.keys("C-c")
        assert t.wait_exit() == 0
        sid = re.search(r"codex resume ([0-9a-f-]{36})", t.screen(history=True)).group(1)
        t2 = tui("resume", sid, write=False)
        # The rows come back at once; the names as soon as the child is read.
        s = t2.wait_for(r"• Spawned %s\b" % nick)
        assert "• Finished waiting" in s
        assert re.search(r"• Spawned %s \(gpt-5\.5 medium\)" % nick, s), s
        assert "└ SLOWCHILD: take your time" in s
        assert re.search(r"└ %s: Completed - SLOW CHILD DONE" % nick, s), s
        # The child is known again: /subagents lists it and shows its turns.
        t2.submit("/subagents")
        s = t2.wait_for(r"2\. • %s" % nick)
        t2.keys("2")
        s = t2.wait_for(r"^/ %s · " % nick)
        assert "slow-child-output" in s
        t2.keys("Escape")
    finally:
        mock.stop()


def test_a_role_and_sent_input_show_in_the_rows(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock)
        t.submit("ROLEPARENT: explore")
        s = t.wait_for(r"ROLE PARENT DONE", timeout=40)
        m = re.search(r"• Spawned (\w+) \[explorer\]", s)
        assert m, s
        nick = m.group(1)
        assert re.search(r"• Sent input to %s \[explorer\]" % nick, s), s
        assert "└ ROLECHILD: and report back" in s
        ansi = t.screen(ansi=True)
        # The role is dim after the nickname.
        assert re.search(r"\x1b\[[0-9;]*2m(\x1b\[[0-9;]*m)* \[explorer\]", ansi), ansi
    finally:
        mock.stop()


def test_inline_mode_puts_named_rows_in_the_scrollback(tui, work):
    mock = AgentMock(work)
    try:
        write_config(work / "home", mock.port, trusted_repo=str(work / "repo"))
        t = tui("--no-alt-screen", write=False)
        t.wait_for(r"Ask Codex")
        t.submit("ROLEPARENT: explore")
        t.wait_for(r"ROLE PARENT DONE", timeout=40)
        s = t.screen(history=True)
        nick = re.search(r"• Spawned (\w+) \[explorer\]", s).group(1)
        # Each row once, named: never first with the bare thread id.
        assert len(re.findall(r"• Spawned ", s)) == 1, s
        assert not re.search(r"• Spawned [0-9a-f]{8}-", s), s
        assert re.search(r"• Sent input to %s \[explorer\]" % nick, s), s
    finally:
        mock.stop()


def test_typing_into_a_childs_view_gives_the_child_a_turn(tui, work):
    mock = AgentMock(work)
    try:
        t = start(tui, work, mock)
        t.submit("ROLEPARENT: explore")
        s = t.wait_for(r"ROLE PARENT DONE", timeout=40)
        nick = re.search(r"• Spawned (\w+) \[explorer\]", s).group(1)
        t.submit("/subagents")
        t.wait_for(r"Select an agent to watch\.")
        t.keys("2")
        s = t.wait_for(r"^/ %s" % nick)
        assert "Send a message to %s" % nick in s
        assert "enter send · esc close" in s
        # Letters are the message's, not the pager's (q does not close it).
        t.text("TYPED: run it quickly")
        s = t.wait_for(r"› TYPED: run it quickly")
        assert re.search(r"^/ %s" % nick, s, re.M), s
        t.keys("Enter")
        # The child's own turn shows in its view as it happens.
        s = t.wait_for(r"TYPED CHILD DONE", timeout=30)
        assert "echo typed-child-ran" in s
        assert "› TYPED: run it quickly" in s
        assert "Send a message to %s" % nick in s, "the line is empty again"
        # The model saw it as the child's message, in the child's thread.
        bodies = [r["body"] for r in mock.requests() if "TYPED CHILD" not in json.dumps(r["body"])]
        typed = [b for b in bodies if "TYPED: run it quickly" in json.dumps(b)]
        assert typed and all("ROLECHILD: look around" in json.dumps(b) for b in typed)
        # Esc leaves the view; the main thread never saw the message.
        t.keys("Escape")
        s = t.wait_for(r"ROLE PARENT DONE")
        assert "TYPED: run it quickly" not in s
    finally:
        mock.stop()
