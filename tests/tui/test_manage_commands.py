"""The slash commands that show or change what the app server manages:
/mention, /mcp, /skills, /hooks, /experimental, /stop and /logout, and the
ones this build cannot run (/agents), which must say so instead of
doing nothing.  Screens follow the reference 0.169.0's (probed in tmux)."""
import json
import os
import pathlib
import re
import signal
import sys
import time

from tuihelp import style_of

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "mcp"))
from mcp_helpers import fixture_server  # noqa: E402


def run(t, command, pause=0.3):
    t.text(command)
    time.sleep(pause)
    t.keys("Enter")


def config(work):
    return (work / "home" / "config.toml").read_text()


def test_mention_opens_the_file_popup(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/mention")
    s = t.wait_for(r"^  Mentions")
    assert re.search(r"^› @ *$", s, re.M), s  # the composer holds the "@"
    t.text("gui")
    s = t.wait_for(r"guide\.md")
    t.keys("Enter")
    s = t.wait_for(r"^› docs/guide\.md\s*$", timeout=10)
    assert "Mentions" not in s


def test_mcp_without_servers(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/mcp")
    s = t.wait_for(r"No MCP servers configured\.")
    assert re.search(r"^/mcp *$", s, re.M)
    assert "🔌  MCP Tools" in s
    assert style_of(t.screen(ansi=True), "/mcp").fg == "i5"
    assert mock.requests() == []  # nothing went to the model


def test_mcp_lists_servers_and_verbose_lists_tools(tui):
    t = tui(config_extra=fixture_server("fx"))
    t.wait_for(r"Ask Codex")
    run(t, "/mcp")
    s = t.wait_for(r"• fx: connected \(\d+ tools\)")
    n = int(re.search(r"fx: connected \((\d+) tools\)", s).group(1))
    assert n >= 10
    assert "Use /mcp verbose for tools and resources." in s
    run(t, "/mcp verbose")
    s = t.wait_for(r"• Resource templates: ")
    assert re.search(r"• Tools: .*\badd\b.*\becho\b", s.replace("\n", " ")), s
    assert "• Resources: hello" in s
    assert re.search(r"• Auth: \w", s)
    run(t, "/mcp bogus")
    t.wait_for(r"Usage: /mcp \[verbose \| login <server name>\]")


def write_skill(home, name, description):
    d = home / "skills" / name
    d.mkdir(parents=True)
    (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n---\n\nDo it.\n")


# The bundled skills would come first in the lists; these tests are about
# the user's own, so they run without them (the last test shows them).
NO_BUNDLED = ("-c", "skills.bundled.enabled=false")


def test_skills_list_inserts_a_mention(tui, work):
    write_skill(work / "home", "release-notes", "Write release notes from the git log")
    t = tui(*NO_BUNDLED)
    t.wait_for(r"Ask Codex")
    run(t, "/skills")
    s = t.wait_for(r"2\. Enable/Disable Skills +Enable or disable skills")
    assert re.search(r"^  Skills *$", s, re.M) and "Choose an action" in s
    assert "› 1. List skills" in s
    t.keys("Enter")
    s = t.wait_for(r"release-notes +\[Skill\] Write release notes from the git log")
    assert "enter insert · esc close" in s
    t.keys("Enter")
    t.wait_for(r"^› \$release-notes *$")


def test_skills_toggle_writes_config(tui, work):
    write_skill(work / "home", "release-notes", "Write release notes from the git log")
    write_skill(work / "home", "triage", "Sort incoming issues")
    t = tui(*NO_BUNDLED)
    t.wait_for(r"Ask Codex")
    run(t, "/skills")
    t.wait_for(r"Enable/Disable Skills")
    t.keys("2")
    s = t.wait_for(r"\[x\] triage +Sort incoming issues")
    assert "Turn skills on or off. Your changes are saved automatically." in s
    assert "space/enter toggle · esc close" in s
    assert re.search(r"› \[x\] release-notes", s)
    t.keys("Space")
    t.wait_for(r"› \[ \] release-notes")
    t.keys("Escape")
    t.wait_for(r"• Disabled 1 skill$")
    deadline = time.time() + 10
    while "enabled = false" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    text = config(work)
    assert "[[skills.config]]" in text and "release-notes" in text and "enabled = false" in text
    assert "triage" not in text
    # The list now leaves the disabled skill out.
    run(t, "/skills")
    t.wait_for(r"Enable/Disable Skills")
    t.keys("1")
    s = t.wait_for(r"triage +\[Skill\]")
    assert "release-notes" not in s.split("Choose an action")[-1]


def test_hooks_table_and_details(tui, work):
    (work / "home" / "hooks.json").write_text(json.dumps({"hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo pre"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "echo stopped"}]}],
    }}))
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/hooks")
    s = t.wait_for(r"Event +Installed +Active +Description")
    assert "Lifecycle hooks from config and enabled plugins." in s
    # installed, not yet trusted: not active
    assert re.search(r"^› PreToolUse {12}1 {11}0 {11}Before a tool executes", s, re.M), s
    assert re.search(r"^  PermissionRequest {5}0 {11}0 {11}When permission is requested", s, re.M)
    assert "enter details · esc close" in s
    t.keys("Enter")
    s = t.wait_for(r"PreToolUse hooks")
    assert "Turn hooks on or off. Your changes are saved automatically." in s
    assert re.search(r"^› \[x\]  1  Unnamed hook", s, re.M), s
    assert re.search(r"^  Event +PreToolUse$", s, re.M)
    assert re.search(r"^  Matcher +Bash$", s, re.M)
    assert re.search(r"^  Source +User config - " + re.escape(str(work / "home" / "hooks.json")), s, re.M)
    assert re.search(r"^  Command +echo pre$", s, re.M)
    assert re.search(r"^  Mode +Sync$", s, re.M) and re.search(r"^  Timeout +600s$", s, re.M)
    assert re.search(r"^  Trust +Untrusted", s, re.M)
    assert "space/enter toggle · esc back" in s
    t.keys("Space")
    t.wait_for(r"^› \[ \]  1  Unnamed hook")
    deadline = time.time() + 10
    while "enabled = false" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    key = f'{work / "home" / "hooks.json"}:pre_tool_use:0:0'
    assert re.search(r'\[hooks\.state\."%s"\]\s*\nenabled = false' % re.escape(key), config(work)), \
        config(work)
    t.keys("Escape")  # back to the table
    s = t.wait_for(r"Event +Installed +Active")
    t.keys("Down")
    t.keys("Enter")
    t.wait_for(r"• No PermissionRequest hooks are installed\.")


def test_experimental_toggles_features_in_config(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/experimental")
    s = t.wait_for(r"Experimental features")
    assert "Checked features are configured on." in s
    assert re.search(r"› \[ \] Analytics plan history +Preview five-hour and weekly allowance", s)
    assert re.search(r"\[ \] Network proxy +Apply network proxy restrictions", s)
    assert "space toggle · enter save · esc save/close" in s
    t.keys("Space")
    t.wait_for(r"› \[x\] Analytics plan history")
    t.keys("Enter")
    t.wait_gone(r"Experimental features")
    deadline = time.time() + 10
    while "analytics_plan_history" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    assert re.search(r"\[features\]\s*\nanalytics_plan_history = true", config(work))
    # Reopened, the box is ticked; Esc saves too.
    run(t, "/experimental")
    t.wait_for(r"› \[x\] Analytics plan history")
    t.keys("Space")
    t.wait_for(r"› \[ \] Analytics plan history")
    t.keys("Escape")
    t.wait_gone(r"Experimental features")
    deadline = time.time() + 10
    while "analytics_plan_history = true" in config(work) and time.time() < deadline:
        time.sleep(0.1)
    assert "analytics_plan_history = false" in config(work)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        # a zombie is dead too
        return pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def sleepers(marker):
    """Pids of `sleep MARKER` processes (the sandbox gives the command its
    own pid namespace, so it cannot tell us its pid)."""
    found = []
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                argv = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv[:2] == [b"sleep", marker.encode()] and alive(int(d.name)):
                found.append(int(d.name))
    return found


def test_stop_kills_background_terminals(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("BGDEMO: start a server")
    t.wait_for(r"The server keeps running in the background\.", timeout=30)
    marker = "3000.4242"  # the scenario's `exec sleep 3000.4242`
    pids = sleepers(marker)
    try:
        assert pids, "the background terminal should outlive the turn"
        run(t, "/stop")
        t.wait_for(r"• Stopping all background terminals\.")
        deadline = time.time() + 10
        while sleepers(marker) and time.time() < deadline:
            time.sleep(0.1)
        assert not sleepers(marker)
    finally:
        for pid in sleepers(marker):
            os.kill(pid, signal.SIGKILL)


def test_logout_removes_credentials_and_exits(tui, work):
    auth = work / "home" / "auth.json"
    auth.write_text(json.dumps({"OPENAI_API_KEY": "sk-test-not-real", "tokens": None,
                                "last_refresh": None}))
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/logout")
    assert t.wait_exit() == 0
    assert not auth.exists()
    t.wait_for(r"^Logged out of Codex\.$", history=True)


def test_commands_this_build_cannot_run_say_so(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/agents")
    t.wait_for(r"■ The agent command center is not available in codex-c yet")

    assert mock.requests() == []


def footer(s):
    rows = [l for l in s.splitlines() if l.strip()]
    return rows[-2] if rows[-1].strip().startswith("?") else rows[-1]


def test_statusline_chooses_and_orders_items(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    run(t, "/statusline")
    s = t.wait_for(r"Configure Status Line")
    assert "Select which items to display in the status line." in s
    assert re.search(r"› \[x\] Use theme colors", s)
    assert re.search(r"\[x\] model-with-reasoning +Current model name with reasoning level", s)
    assert re.search(r"\[ \] git-branch +Current Git branch \(omitted when unavailable\)", s)
    assert "space toggle · ←/→ reorder · enter save · esc cancel" in s
    for _ in range(4):
        t.keys("Down")
    t.wait_for(r"› \[ \] model +Current model name")
    t.keys("Space")
    # the preview under the list follows the boxes
    t.wait_for(r"GPT-5\.5 default · .*/repo · GPT-5\.5$")
    t.keys("Left")  # before thread-name
    t.wait_for(r"› \[x\] model +Current model name")
    t.keys("Enter")
    s = t.wait_for(r"Ask Codex")
    assert re.search(r"^  GPT-5\.5 default · \S+/repo · GPT-5\.5$", footer(s), re.M), s
    deadline = time.time() + 10
    while "status_line" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    assert 'status_line = ["model-with-reasoning", "current-dir", "model", "thread-name"]' in config(work)
    assert "status_line_use_colors = true" in config(work)
    # Esc cancels
    run(t, "/statusline")
    t.wait_for(r"Configure Status Line")
    t.keys("Down")
    t.keys("Space")
    t.keys("Escape")
    s = t.wait_gone(r"Configure Status Line")
    assert re.search(r"GPT-5\.5 default · \S+/repo · GPT-5\.5$", footer(s), re.M)


def test_statusline_from_config(tui, work):
    t = tui(config_extra='[tui]\nstatus_line = ["project-name", "git-branch", "reasoning", "no-such-item"]\n')
    s = t.wait_for(r"Ask Codex")
    assert re.search(r"^  repo · (master|main) · default$", footer(s), re.M), s


def test_title_chooses_terminal_title_items(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    title = lambda: t.tmux("display", "-p", "#{pane_title}").stdout.strip()
    deadline = time.time() + 10
    while title() != "repo" and time.time() < deadline:
        time.sleep(0.1)
    assert title() == "repo"  # no thread name yet: just the project
    run(t, "/title")
    s = t.wait_for(r"Configure Terminal Title")
    assert re.search(r"› \[x\] activity +Spinner while working", s)
    assert re.search(r"\[x\] project-name +Project name \(falls back to current directory name\)", s)
    for _ in range(3):
        t.keys("Down")
    t.wait_for(r"› \[ \] app-name")
    t.keys("Space")
    t.wait_for(r"^  repo \| Codex$")
    t.keys("Enter")
    t.wait_gone(r"Configure Terminal Title")
    deadline = time.time() + 10
    while title() != "repo | Codex" and time.time() < deadline:
        time.sleep(0.1)
    assert title() == "repo | Codex"
    deadline = time.time() + 10
    while "terminal_title" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    assert 'terminal_title = ["activity", "thread-name", "project-name", "app-name"]' in config(work)
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    deadline = time.time() + 10
    while title() != "Run hello scenario | repo | Codex" and time.time() < deadline:
        time.sleep(0.1)
    assert title() == "Run hello scenario | repo | Codex"


def keyword_colour(t):
    return style_of(t.screen(ansi=True), "return 0;").fg


def test_theme_previews_and_saves(tui, work):
    t = tui(height=80)  # the code block stays on screen above the pickers
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: show markdown")
    t.wait_for(r"Worked for")
    assert keyword_colour(t) == "#cba6f7"  # catppuccin-mocha, the default
    run(t, "/theme")
    s = t.wait_for(r"Select Syntax Theme")
    assert "Move up/down to live preview themes" in s
    assert re.search(r"^› catppuccin-mocha \(current\)$", s, re.M), s
    assert re.search(r"^  solarized-light$", s, re.M)
    t.keys("Up")
    t.keys("Up")
    t.wait_for(r"^› catppuccin-latte$")
    deadline = time.time() + 5
    while keyword_colour(t) != "#8839ef" and time.time() < deadline:
        time.sleep(0.05)
    assert keyword_colour(t) == "#8839ef"  # previewed live
    t.keys("Escape")
    t.wait_gone(r"Select Syntax Theme")
    deadline = time.time() + 5
    while keyword_colour(t) != "#cba6f7" and time.time() < deadline:
        time.sleep(0.05)
    assert keyword_colour(t) == "#cba6f7"  # Esc puts it back
    assert "theme =" not in config(work)
    run(t, "/theme")
    t.wait_for(r"Select Syntax Theme")
    t.keys("Down")  # dracula
    t.wait_for(r"^› dracula$")
    t.keys("Enter")
    t.wait_for(r"• Syntax theme changed to dracula")
    deadline = time.time() + 5
    while keyword_colour(t) != "#ff79c6" and time.time() < deadline:
        time.sleep(0.05)
    assert keyword_colour(t) == "#ff79c6"
    deadline = time.time() + 10
    while "theme =" not in config(work) and time.time() < deadline:
        time.sleep(0.1)
    assert 'theme = "dracula"' in config(work)


def test_theme_from_config(tui, work):
    t = tui(config_extra='[tui]\ntheme = "nord"\n')
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: show markdown")
    t.wait_for(r"Worked for")
    assert keyword_colour(t) == "#81a1c1"
    t.keys("C-c")
    t.wait_exit()
    t2 = tui(config_extra='[tui]\ntheme = "no-such-theme"\n')
    t2.wait_for(r'■ Unknown syntax theme "no-such-theme" in tui.theme; using catppuccin-mocha')


def test_the_session_writes_the_bundled_skills_and_lists_them(tui, work):
    # as the reference's TUI does at start: the bundle is in place by the
    # time the composer is ready, and /skills offers it with the user's own
    write_skill(work / "home", "release-notes", "Write release notes from the git log")
    t = tui()
    t.wait_for(r"Ask Codex")
    sysdir = work / "home" / "skills" / ".system"
    deadline = time.time() + 10
    while not (sysdir / ".codex-system-skills.marker").exists() and time.time() < deadline:
        time.sleep(0.1)
    assert (sysdir / "skill-creator" / "SKILL.md").exists()
    run(t, "/skills")
    t.wait_for(r"Enable/Disable Skills")
    t.keys("1")
    # shown by their display names (agents/openai.yaml), the bundle first
    s = t.wait_for(r"release-notes +\[Skill\]")
    assert re.search(r"Skill Installer +\[Skill\] Install skills from a folder or git repo", s)
    assert s.index("Skill Creator") < s.index("release-notes")
