"""The bytes the TUI writes (tmux pipe-pane): the modes it turns on and
off, synchronized output around every frame, the terminal title and
notifications (TUI_FINDINGS §1)."""
import re
import time


def record(t, work):
    raw = work / "raw.bin"
    t.tmux("pipe-pane", "-o", "-t", "t", "cat >> %s" % raw)
    return raw


def test_modes_frames_and_title(tui, work):
    t = tui()
    raw = record(t, work)  # from just after launch on
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    t.wait_for(r"Run hello scenario")
    t.keys("C-c")
    t.wait_exit()
    time.sleep(0.3)
    data = raw.read_bytes()
    # frames are wrapped in synchronized output with the cursor hidden
    assert data.count(b"\x1b[?2026h") >= 2
    assert data.count(b"\x1b[?2026h") == data.count(b"\x1b[?2026l")
    assert b"\x1b[?25l" in data
    # the title names the thread and the directory, and is cleared at exit
    assert re.search(rb"\x1b\]0;Run hello scenario \| repo\x07", data)
    assert b"\x1b]0;\x07" in data
    # at exit every mode is undone
    for seq in [b"\x1b[?1006l", b"\x1b[?1000l", b"\x1b[<u", b"\x1b[?1004l", b"\x1b[?2004l",
                b"\x1b[?1049l"]:
        assert seq in data, seq


def test_startup_turns_modes_on(tui, work):
    # `script` in between records from the very first byte
    rawpath = work / "start.bin"
    t = tui()
    t.wait_for(r"Ask Codex")
    t.keys("C-c")
    t.wait_exit()
    t.close()
    from tuihelp import CODEX_BIN, Tui
    script = work / "rec.sh"
    script.write_text('#!/bin/sh\nexec script -qfc "%s" /dev/null | tee %s\n' % (CODEX_BIN, rawpath))
    script.chmod(0o755)
    t2 = Tui(work, [], binary=script)
    try:
        t2.wait_for(r"Ask Codex")
        data = rawpath.read_bytes()
        for seq in [b"\x1b[?1049h", b"\x1b[?1000h", b"\x1b[?1006h", b"\x1b[?2004h",
                    b"\x1b[>7u", b"\x1b[?1004h"]:
            assert seq in data, seq
        # truecolor from COLORTERM
        assert b"38;2;" in data
        t2.keys("C-c")
        t2.wait_exit()
    finally:
        t2.close()


def test_no_color_and_256_colors(tui, work):
    t = tui(env={"NO_COLOR": "1"})
    raw = record(t, work)
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    data = raw.read_bytes()
    assert b"38;2;" not in data and b"38;5;" not in data
    t.keys("C-c")
    t.wait_exit()


def test_notification_when_unfocused(tui, work):
    t = tui(config_extra="[tui]\nnotifications = true\n")
    raw = record(t, work)
    t.wait_for(r"Ask Codex")
    t.text("\x1b[O")  # the terminal reports focus lost
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    time.sleep(0.3)
    assert b"\x1b]9;Codex is done\x07" in raw.read_bytes()


def test_bell_notification_method(tui, work):
    t = tui(config_extra='[tui]\nnotifications = true\nnotification_method = "bel"\n')
    raw = record(t, work)
    t.wait_for(r"Ask Codex")
    t.text("\x1b[O")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    time.sleep(0.3)
    data = raw.read_bytes()
    assert b"\x1b]9;" not in data
    # a BEL of its own, not the end of an OSC (the title)
    assert b"\x07" in re.sub(rb"\x1b\][^\x07]*\x07", b"", data)
