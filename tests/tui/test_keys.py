"""Composer and session keys (TUI_FINDINGS §4): newlines, paste bursts,
history search, the shortcut help, shell mode, scrolling, Ctrl-L."""
import re
import time

from tuihelp import style_of


def test_shift_and_alt_enter_insert_newlines(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("one")
    t.keys("M-Enter")
    t.text("two")
    t.tmux("send-keys", "-t", "t", "-l", "\x1b[13;2u")  # kitty Shift+Enter
    t.text("three")
    s = t.wait_for(r"^  three")
    assert re.search(r"› one\n  two\n  three", s)


def test_enter_right_after_fast_typing_is_a_newline(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    # tmux sends these in one burst, as a terminal without bracketed paste
    # would send a paste
    t.tmux("send-keys", "-t", "t", "-l", "HELLO: pasted\rsecond line")
    s = t.wait_for(r"^  second line")
    assert "› HELLO: pasted" in s
    time.sleep(0.5)
    t.keys("Enter")
    t.wait_for(r"Worked for")


def test_bracketed_paste_and_a_large_paste(tui, work, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    big = work / "big.txt"
    big.write_text(("x" * 99 + "\n") * 100000)  # 10 MB
    t.tmux("load-buffer", str(big))
    t.tmux("paste-buffer", "-p", "-t", "t")
    s = t.wait_for(r"\[Pasted Content 10000000 chars\]", timeout=60)
    small = work / "small.txt"
    small.write_text("HELLO: line one\nline two")
    t.tmux("load-buffer", str(small))
    t.tmux("paste-buffer", "-p", "-t", "t")
    t.wait_for(r"line two")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Worked for", timeout=60)
    sent = [r["body"] for r in mock.requests() if r.get("body")]
    text = str(sent[-1]["input"]) + str(sent[0]["input"])
    assert "xxxxxxxxx" in text


def test_ctrl_r_reverse_search(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: needle in the history")
    t.wait_for(r"Worked for")
    t.submit("HELLO: something else")
    t.wait_for(r"(?s)something else.*Worked for")
    t.keys("C-r")
    t.wait_for(r"reverse-i-search: ")
    t.text("needle")
    s = t.wait_for(r"reverse-i-search: needle  enter accept · esc cancel")
    assert "› HELLO: needle in the history" in s
    t.keys("Escape")
    t.wait_for(r"› Ask Codex to do anything")
    t.keys("C-r")
    t.text("needle")
    t.wait_for(r"› HELLO: needle")
    t.keys("Enter")
    s = t.wait_gone(r"reverse-i-search")
    assert "› HELLO: needle in the history" in s


def test_question_mark_shows_shortcuts(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("?")
    s = t.wait_for(r"Keyboard shortcuts")
    assert re.search(r"Compose +Session +Transcript", s)
    assert "? / esc close" in s
    t.keys("Escape")
    t.wait_gone(r"Keyboard shortcuts")


def test_shell_mode_runs_a_local_command(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("!")
    s = t.wait_for(r"Shell mode")
    ansi = t.screen(ansi=True)
    st = style_of(ansi, "!")
    assert st.fg == "i9" and "bold" in st.attrs
    t.text("ls src")
    time.sleep(0.3)
    t.keys("Enter")
    s = t.wait_for(r"• You ran ls src\n  └ main\.c")


def test_scrolling_the_fullscreen_transcript(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("BIGDEMO: a long answer")
    t.wait_for(r"Worked for", timeout=60)
    t.keys("PPage")
    s = t.wait_for(r"↓ Back to bottom · esc")
    assert "Worked for" not in s
    assert "enter/esc latest · ? shortcuts" in s
    # the prompt of the turn in view stays on the top row
    assert t.rows()[0].startswith("› BIGDEMO: a long answer")
    t.keys("C-Home")
    s = t.wait_for(r"OpenAI Codex")
    t.keys("Escape")
    s = t.wait_for(r"Worked for")
    assert "Back to bottom" not in s
    # the mouse wheel scrolls too
    t.tmux("send-keys", "-t", "t", "-l", "\x1b[<64;10;10M")
    t.wait_for(r"↓ Back to bottom")
    t.keys("C-End")
    t.wait_gone(r"↓ Back to bottom")


def test_ctrl_l_clears_to_a_header(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: before clearing")
    t.wait_for(r"Worked for")
    t.keys("C-l")
    s = t.wait_gone(r"before clearing")
    assert "OpenAI Codex" in s
    # the thread goes on
    t.wait_for(r"· Run hello scenario")


def test_word_and_line_editing(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("alpha beta gamma")
    t.keys("C-w")
    t.wait_for(r"› alpha beta\s*$")
    t.keys("C-a")
    t.text(">")
    t.wait_for(r"› >alpha beta")
    t.keys("C-e", "C-u")
    t.wait_for(r"› Ask Codex to do anything")


def test_ctrl_g_edits_the_prompt_in_an_editor(tui, work):
    editor = work / "edit.sh"
    editor.write_text('#!/bin/sh\n# the draft came in\ngrep -q "draft text" "$1" || exit 1\n'
                      'printf "HELLO: written in the editor\\n" > "$1"\n')
    editor.chmod(0o755)
    t = tui(env={"VISUAL": str(editor)})
    t.wait_for(r"Ask Codex")
    t.text("draft text")
    t.wait_for(r"› draft text")
    t.keys("C-g")
    s = t.wait_for(r"› HELLO: written in the editor$")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Worked for")


def test_ctrl_g_without_an_editor_says_so(tui):
    t = tui(env={"VISUAL": "", "EDITOR": ""})
    t.wait_for(r"Ask Codex")
    t.keys("C-g")
    t.wait_for(r"Set \$VISUAL or \$EDITOR")
