"""Bad conditions: tiny terminals, resize storms, signals, a killed TUI
(the issue's "Bad input" list)."""
import os
import re
import signal
import subprocess
import time


def pane_pid(t):
    """The codex process in the pane (the pane runs sh -c '...; codex')."""
    shell = int(t.tmux("display", "-p", "-t", "t", "#{pane_pid}").stdout.strip())
    out = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout
    pids = [int(p) for p in out.split()]
    assert pids, "codex is not running"
    return pids[0]


def test_tiny_terminal_degrades(tui):
    t = tui(width=20, height=5)
    t.wait_for(r"Ask Codex|›")
    t.submit("MDDEMO: explain the build")
    time.sleep(2)
    t.keys("C-t")
    t.keys("C-t")
    t.text("typing in a tiny terminal")
    time.sleep(0.5)
    assert not t.dead()
    for row in t.rows():
        assert len(row) <= 20


def test_resize_storm_and_reflow(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: explain the build")
    t.wait_for(r"Worked for")
    for i in range(30):
        t.resize(40 + (i * 7) % 90, 10 + (i * 5) % 35)
    t.resize(60, 40)
    s = t.wait_for(r"See the docs \(https://example\.com/docs\) and src/main\.c:12( for)?\n  (for )?details\.")
    for row in t.rows():
        assert len(row) <= 60
    t.resize(120, 40)
    t.wait_for(r"See the docs \(https://example\.com/docs\) and src/main\.c:12 for details\.")


def test_sigterm_restores_the_terminal(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "1"
    os.kill(pane_pid(t), signal.SIGTERM)
    status = t.wait_exit()
    assert status == 128 + signal.SIGTERM
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"
    # the modes were turned off: bracketed paste and mouse
    assert t.tmux("display", "-p", "#{mouse_any_flag}").stdout.strip() in ("0", "")


def test_sighup_restores_the_terminal(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    os.kill(pane_pid(t), signal.SIGHUP)
    assert t.wait_exit() == 128 + signal.SIGHUP
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"


def test_killed_mid_turn_leaves_a_resumable_session(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    t.wait_for(r"• This is a very")
    os.kill(pane_pid(t), signal.SIGKILL)
    t.wait_exit()
    t.close()
    t2 = tui("resume", "--last", write=False)
    s = t2.wait_for(r"› SLOWDEMO: stream slowly please")
    t2.wait_for(r"Ask Codex to do anything")


def test_ctrl_z_suspends_and_fg_resumes(tui):
    t = tui(job_control=True)
    t.wait_for(r"Ask Codex")
    t.text("draft before suspending")
    t.wait_for(r"› draft before suspending")
    t.keys("C-z")
    s = t.wait_for(r"Stopped")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "0"
    t.text("fg")
    t.keys("Enter")
    t.wait_for(r"› draft before suspending")
    assert t.tmux("display", "-p", "#{alternate_on}").stdout.strip() == "1"
    t.keys("C-u")
    t.text("still works")
    t.wait_for(r"› still works")
