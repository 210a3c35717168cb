"""Slash commands: the popup, and each listed command doing what it says
(TUI_FINDINGS §7)."""
import json
import re
import time

from tuihelp import style_of


def run(t, command, pause=0.3):
    t.text(command)
    time.sleep(pause)
    t.keys("Enter")


def test_popup_lists_and_filters(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("/")
    s = t.wait_for(r"› /model +choose what model and reasoning effort to use")
    # the names' column fits the longest shown, /experimental (as the reference's)
    assert "  /permissions   choose what Codex is allowed to do" in s
    assert "  /experimental  toggle experimental features" in s
    ansi = t.screen(ansi=True)
    assert "reverse" in style_of(ansi, "› /model").attrs
    assert "dim" in style_of(ansi, "choose what Codex is allowed").attrs
    t.text("st")
    s = t.wait_for(r"› /status +show current session configuration and token usage")
    # only the commands starting with /st
    popup = [l for l in s.splitlines() if re.match(r"^[› ] /\w+ +\w", l)]
    assert [l.split()[1] if l.startswith("›") else l.split()[0] for l in popup] == ["/status", "/statusline", "/stop"]
    t.keys("Escape")
    t.wait_gone(r"show current session configuration")


def test_unknown_command_sends_nothing(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    before = len(mock.requests())
    run(t, "/approvals")
    time.sleep(1)
    assert len(mock.requests()) == before
    assert "› /approvals" in t.screen()


def test_status_card(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    run(t, "/status")
    s = t.wait_for(r"Token usage: +[\d.]+K? total")
    assert "/status" in s
    assert re.search(r"  Model: +GPT-5\.5 \(reasoning default\)", s)
    assert re.search(r"  Model provider: +mock", s)
    assert re.search(r"  Directory: +" + re.escape(str(work / "repo")), s)
    assert re.search(r"  Permissions: +Workspace \(Ask for approval\)", s)
    assert re.search(r"  Thread name: +Run hello scenario", s)
    assert re.search(r"^  Collaboration mode:  Default$", s, re.M)
    assert re.search(r"  Session: +[0-9a-f-]{36}", s)
    ansi = t.screen(ansi=True)
    assert style_of(ansi, "/status").fg == "i5"


def test_model_and_effort(tui, work, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/model")
    s = t.wait_for(r"Select Model and Effort")
    assert re.search(r"› \d+\. GPT-5\.5 \(current\)", s)
    t.keys("Enter")
    s = t.wait_for(r"Select Reasoning Level for GPT-5\.5")
    t.keys("Down")
    t.wait_for(r"› 3\. High")
    t.keys("Enter")
    t.wait_for(r"• Model changed to gpt-5\.5 high")
    t.wait_for(r"GPT-5\.5 high · ")
    deadline = time.time() + 10
    while time.time() < deadline:
        conf = (work / "home" / "config.toml").read_text()
        if 'model_reasoning_effort = "high"' in conf:
            break
        time.sleep(0.1)
    assert 'model_reasoning_effort = "high"' in conf
    # and the next turn asks for that effort
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    body = [r["body"] for r in mock.requests() if r.get("body")][-1]
    assert body.get("reasoning", {}).get("effort") == "high"


def test_permissions_read_only_asks_for_patches(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/permissions")
    s = t.wait_for(r"Update Model Permissions")
    assert re.search(r"› 1\. Ask for approval \(current\)", s)
    assert "Read Only" in s and "Full Access" in s
    t.keys("3")
    t.wait_for(r"• Permissions changed to Read Only")
    t.submit("PATCH2DEMO: improve the guide")
    s = t.wait_for(r"Would you like to make the following edits\?")
    assert "Yes, and don't ask again for these files (a)" in s
    assert "No, and tell Codex what to do differently (esc)" in s
    t.keys("y")
    t.wait_for(r"Worked for")
    assert "better docs" in (work / "repo" / "docs" / "guide.md").read_text()


def test_diff_pager(tui, work):
    (work / "repo" / "README.md").write_text("hi\nchanged\n")
    (work / "repo" / "new.txt").write_text("untracked\n")
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/diff")
    s = t.wait_for(r"^/ D I F F / /")
    assert "diff --git a/README.md b/README.md" in s
    assert "+changed" in s
    assert "+untracked" in s
    assert re.search(r"─ 100% ─", s)
    assert " q close" in s
    ansi = t.screen(ansi=True)
    assert style_of(ansi, "+changed").fg == "i2"
    t.keys("q")
    t.wait_for(r"Ask Codex to do anything")


def test_new_and_clear_start_fresh_threads(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: first session")
    t.wait_for(r"Worked for")
    run(t, "/new")
    s = t.wait_gone(r"› HELLO: first session")
    assert "OpenAI Codex" in s
    t.wait_gone(r"Run hello scenario")
    t.submit("HELLO: second session")
    t.wait_for(r"Worked for")
    run(t, "/clear")
    t.wait_gone(r"HELLO: second session")
    t.wait_for(r"Ask Codex to do anything")
    sessions = list((work / "home" / "sessions").rglob("*.jsonl"))
    assert len(sessions) >= 2


def test_rename_sets_the_thread_name(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Run hello scenario")
    run(t, "/rename My renamed thread")
    t.wait_for(r"· My renamed thread")
    index = (work / "home" / "session_index.jsonl").read_text()
    assert "My renamed thread" in index


def test_copy_uses_osc52(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.tmux("set", "-s", "set-clipboard", "on")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    run(t, "/copy")
    t.wait_for(r"Copied the last response")
    deadline = time.time() + 5
    while time.time() < deadline:
        buf = t.tmux("show-buffer", check=False).stdout
        if buf:
            break
        time.sleep(0.1)
    assert buf == "Hello! This is a short scripted reply."


def test_export_writes_markdown(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    run(t, "/export chat.md")
    t.wait_for(r"Exported the conversation to")
    md = (work / "repo" / "chat.md").read_text()
    assert "## User\n\nHELLO: hi" in md
    assert "Hello! This is a short scripted reply." in md


def test_raw_mode_drops_bullets_and_bands(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    run(t, "/raw")
    s = t.wait_for(r"Raw output mode on")
    assert re.search(r"^HELLO: hi$", s, re.M)
    assert re.search(r"^Hello! This is a short scripted reply\.$", s, re.M)


def test_tui_mode_is_saved_for_the_next_launch(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/tui")
    s = t.wait_for(r"TUI mode for next launch")
    assert re.search(r"1\. Scrollback", s) and re.search(r"2\. Fullscreen \(current\)", s)
    t.keys("1")
    t.wait_for(r"next launch uses scrollback")
    conf = (work / "home" / "config.toml").read_text()
    assert re.search(r'\[tui\]\s*\nalternate_screen = "never"', conf)


def test_cd_and_pwd(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/cd src")
    t.wait_for(r"Working directory is now .*/repo/src")
    t.wait_for(r"· " + re.escape(str(work / "repo" / "src")))
    run(t, "/pwd")
    t.wait_for(r"• " + re.escape(str(work / "repo" / "src")) + "$")
    run(t, "/cd nowhere")
    t.wait_for(r"■ /cd nowhere: No such file or directory")


def test_ps_lists_running_commands(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/ps")
    s = t.wait_for(r"Background terminals")
    assert "• No background terminals running." in s


def test_init_asks_for_agents_md(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/init")
    t.wait_for(r"Worked for")
    assert any("AGENTS.md" in json.dumps(r.get("body")) for r in mock.requests())


def test_archive_moves_the_session(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: to archive")
    t.wait_for(r"Worked for")
    run(t, "/archive")
    t.wait_for(r"Session archived")
    assert list((work / "home" / "archived_sessions").rglob("*.jsonl"))


def test_commands_disabled_during_a_turn(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    t.wait_for(r"esc to interrupt")
    run(t, "/model")
    t.wait_for(r"'/model' is disabled while a task is in progress\.")


def test_feedback_saves_a_zip_locally(tui, work, mock):
    import zipfile
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: something went wrong")
    t.wait_for(r"Worked for")
    before = len(mock.requests())
    run(t, "/feedback")
    t.wait_for(r"(?s)Saved the logs and this session to\s.*nothing was sent")
    path = next((work / "home" / "feedback").glob("codex-feedback-*.zip"))
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert "session.txt" in names and "transcript.txt" in names
        assert any(n.startswith("rollout-") and n.endswith(".jsonl") for n in names)
        assert "› HELLO: something went wrong" in z.read("transcript.txt").decode()
        assert "thread: " in z.read("session.txt").decode()
    time.sleep(0.5)
    assert len(mock.requests()) == before
