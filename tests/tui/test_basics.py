"""The interactive session's basics: start, the main screen, a turn with a
markdown answer, exit and the text left behind (TUI_FINDINGS §2-§5, §9)."""
import re
import json
import time

from tuihelp import style_of


def test_main_screen_header_composer_footer(tui, work):
    t = tui()
    s = t.wait_for(r"Ask Codex to do anything")
    rows = t.rows()
    assert rows[0] == "  >_ OpenAI Codex (v0.1.0)"
    assert rows[1] == "     " + str(work / "repo")
    # composer, blank, footer line 1 and 2 at the bottom
    assert rows[36].startswith("› Ask Codex to do anything")
    assert rows[37] == ""
    t.wait_for(r"GPT-5\.5 default · " + re.escape(str(work / "repo")))
    assert t.rows()[39].strip() == "? for shortcuts"
    ansi = t.screen(ansi=True)
    # the >_ mark in #63a8f8, the footer model in #f6e2b7
    assert style_of(ansi, ">_").fg == "#63a8f8"
    assert style_of(ansi, "GPT-5.5").fg == "#f6e2b7"
    assert "bold" in style_of(ansi, "OpenAI Codex").attrs


def test_prompt_from_the_command_line_runs_a_turn(tui, mock):
    t = tui("HELLO: say hi")
    s = t.wait_for(r"Hello! This is a short scripted reply\.")
    assert s.count("› HELLO: say hi") == 1
    t.wait_for(r"Worked for (<1s|\d+s) • \d\d:\d\d")
    # the thread-title side request named the thread
    t.wait_for(r"· Run hello scenario")
    bodies = [r["body"] for r in mock.requests() if r.get("body")]
    assert any("HELLO: say hi" in str(b.get("input")) for b in bodies)
    # the session's requests carry the TUI's originator
    assert any(r["headers"].get("originator") == "codex-tui" for r in mock.requests())


def test_markdown_answer_renders_like_the_reference(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: explain the build")
    s = t.wait_for(r"Worked for")
    for want in ["• ## Build notes", "  The project has three parts and uses make:",
                 "  • Parser: reads the input file", "      • nested item with inline code",
                 "  1. First ordered step", "  #include <stdio.h>", "  > A quoted remark.",
                 "  See the docs (https://example.com/docs) and src/main.c:12 for details."]:
        assert want in s, want
    ansi = t.screen(ansi=True)
    h = style_of(ansi, "## Build notes")
    assert h.fg == "#fab387" and "bold" in h.attrs
    assert style_of(ansi, "three").fg == "#f38ba8"
    assert style_of(ansi, "make:").fg == "#a6e3a1"
    assert style_of(ansi, "int main").fg == "#cba6f7"
    link = style_of(ansi, "https://example.com")
    assert link.fg == "#89b4fa" and "underline" in link.attrs
    # the user's prompt on a #444444 band
    assert style_of(ansi, "MDDEMO: explain").bg == "#444444"


def test_reasoning_only_in_details(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("MDDEMO: explain the build")
    s = t.wait_for(r"Worked for")
    assert "I will reply with a heading" not in s
    t.keys("C-t")
    s = t.wait_for(r"I will reply with a heading, a list and a code block")
    assert "Composing a markdown answer" not in s  # the bold title is stripped
    t.keys("C-t")
    t.wait_gone(r"I will reply with a heading")


def test_ctrl_c_on_empty_composer_exits_with_resume_hint(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: hi")
    t.wait_for(r"Worked for")
    t.keys("C-c")
    assert t.wait_exit() == 0
    s = t.screen(history=True)
    assert re.search(r"Token usage: total=[\d,]+ input=[\d,]+ output=[\d,]+", s)
    m = re.search(r"To continue this session, run:\n  codex resume ([0-9a-f-]{36})", s)
    assert m, s
    # the alternate screen was left: the transcript is gone from the terminal
    assert "Hello! This is a short" not in s
    # the session exists on disk and can be resumed
    sessions = list((work / "home" / "sessions").rglob("*%s*.jsonl" % m.group(1)))
    assert sessions


def test_ctrl_c_clears_text_then_ctrl_d_exits(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("some draft")
    t.wait_for(r"› some draft")
    t.keys("C-c")
    t.wait_for(r"› Ask Codex to do anything")
    t.keys("C-d")
    assert t.wait_exit() == 0
    # no turn ran: no session to continue
    assert "codex resume" not in t.screen()


def test_slash_exit(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("/exit")
    assert t.wait_exit() == 0


def test_multiline_composer_and_history(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("HELLO: first line")
    t.keys("C-j")
    t.text("second line")
    s = t.wait_for(r"^  second line")
    assert "› HELLO: first line" in s
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Worked for")
    # Up brings the whole prompt back
    t.keys("Up")
    s = t.wait_for(r"(?s)› HELLO: first line\n  second line\n\n  GPT")
    t.keys("Down")
    t.wait_for(r"› Ask Codex to do anything")


def test_submitted_prompts_go_to_history_jsonl(tui, work):
    # The TUI keeps history.jsonl, as the reference's does (exec keeps
    # none), honouring [history] persistence and max_bytes.
    history = work / "home" / "history.jsonl"
    t = tui(config_extra="[history]\nmax_bytes = 100000")
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: remember me")
    t.wait_for(r"Worked for")
    entries = [json.loads(line) for line in history.read_text().splitlines()]
    assert entries[-1]["text"] == "HELLO: remember me"
    assert re.fullmatch(r"[0-9a-f-]{36}", entries[-1]["session_id"]) and entries[-1]["ts"] > 0
    t.submit("/exit")
    assert t.wait_exit() == 0
    t = tui(config_extra='[history]\npersistence = "none"')
    t.wait_for(r"Ask Codex")
    t.submit("HELLO: forget me")
    t.wait_for(r"Worked for")
    assert "forget me" not in history.read_text()


def test_no_tty_points_to_exec(work, mock):
    import subprocess
    from tuihelp import CODEX_BIN, write_config
    write_config(work / "home", mock.port, trusted_repo=str(work / "repo"))
    r = subprocess.run([str(CODEX_BIN), "hello"], input="", capture_output=True, text=True,
                       cwd=work / "repo",
                       env={"PATH": "/usr/bin:/bin", "HOME": str(work / "userhome"),
                            "CODEX_HOME": str(work / "home")})
    assert r.returncode == 1
    assert "codex exec" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
