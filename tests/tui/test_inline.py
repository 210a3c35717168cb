"""Inline mode (--no-alt-screen, tui.alternate_screen = "never"): the
session starts under the shell prompt, finished cells go into the
terminal's scrollback exactly once, Ctrl-T opens the transcript pager, and
the transcript stays after exit (TUI_FINDINGS §1)."""
import re
import time


def test_starts_below_the_shell_prompt(tui, work):
    t = tui("--no-alt-screen", shell_prompt="$ codex --no-alt-screen")
    s = t.wait_for(r"Ask Codex to do anything")
    rows = t.rows()
    assert rows[0] == "$ codex --no-alt-screen"
    assert rows[1] == "  >_ OpenAI Codex (v0.1.0)"
    assert rows[2] == "     " + str(work / "repo")
    # no alternate screen, no mouse tracking
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"


def test_cells_go_to_scrollback_once_and_stay_after_exit(tui):
    t = tui("--no-alt-screen", shell_prompt="$ codex")
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: explain the build")
    t.wait_for(r"Worked for")
    t.submit("RUNCMDS: commands again, inline")
    t.wait_for(r"One command printed 30 lines")
    t.wait_for(r"(?s)One command printed.*Worked for")
    full = t.screen(history=True)
    # inline keeps the first lines of long output
    assert re.search(r"• Ran seq 1 30\n  └ 1\n    2\n    3\n    \+27 lines \(\^t to view transcript\)",
                     full)
    # a failed command is a red "Ran" inline
    assert "• Ran echo about to fail; echo oops >&2; exit 3" in full
    for line in ["› MDDEMO: explain the build", "• ## Build notes", "› RUNCMDS: commands again"]:
        assert full.count(line) == 1, (line, full)
    t.keys("C-c")
    assert t.wait_exit() == 0
    after = t.screen(history=True)
    assert after.index("$ codex") < after.index("• ## Build notes") < \
        after.index("• Ran seq 1 30") < after.index("To continue this session")
    assert after.count("• ## Build notes") == 1
    # the live viewport was erased: no composer left behind
    assert "Ask Codex to do anything" not in after


def test_ctrl_t_opens_the_transcript_pager(tui):
    t = tui("--no-alt-screen")
    t.wait_for(r"Ask Codex")
    t.submit("RUNCMDS: print numbers and fail once")
    t.wait_for(r"Worked for")
    t.keys("C-t")
    s = t.wait_for(r"^/ T R A N S C R I P T / /")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "1"
    # the details view: every output line and the exit status
    assert re.search(r"✗ \(3\) • ", s)
    assert " q close" in s
    t.keys("Home")
    t.wait_for(r"OpenAI Codex")
    t.keys("q")
    t.wait_for(r"Ask Codex to do anything")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"
    assert "T R A N S C R I P T" not in t.screen()


def test_config_chooses_inline(tui):
    t = tui(config_extra='[tui]\nalternate_screen = "never"\n', shell_prompt="$ codex")
    t.wait_for(r"Ask Codex")
    assert t.rows()[0] == "$ codex"
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"


def test_streaming_inline_keeps_the_viewport_whole(tui):
    t = tui("--no-alt-screen")
    t.wait_for(r"Ask Codex")
    t.submit("BIGDEMO: a long answer")
    t.wait_for(r"Worked for", timeout=60)
    full = t.screen(history=True)
    for i in (0, 1, 199, 399):
        assert full.count("Paragraph %d: word" % i) == 1, i
    rows = t.rows()
    assert rows[-1].strip() == "? for shortcuts"
    assert rows[-4].startswith("› Ask Codex to do anything")


def test_fullscreen_is_the_default(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "1"
    t.keys("C-c")
    t.wait_exit()
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"
