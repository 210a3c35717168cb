"""Sessions: `codex resume` (picker, --last, by id or name), `codex fork`,
the replay of a resumed thread, and the folder-trust screen
(TUI_FINDINGS §2, §11)."""
import re
import time

from tuihelp import Tui


def one_session(tui, prompt="HELLO: first session", done=r"Worked for"):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit(prompt)
    t.wait_for(done)
    t.wait_for(r"· Run \w+ scenario")  # the title is set
    t.keys("C-c")
    assert t.wait_exit() == 0
    m = re.search(r"codex resume ([0-9a-f-]{36})", t.screen(history=True))
    assert m, t.screen()
    return m.group(1)


def test_resume_picker_lists_and_resumes(tui):
    sid = one_session(tui, "MDDEMO: explain the build")
    t = tui("resume")
    s = t.wait_for(r"  › \d+s ago +Run mddemo scenario")
    assert "Resume a previous session" in s
    assert re.search(r"Filter: +Cwd +All", s)
    assert re.search(r"─ 1 / 1 ─", s)
    assert "enter resume" in s and "esc start new" in s
    t.keys("Enter")
    s = t.wait_for(r"See the docs \(https://example\.com/docs\)")
    # the thread replays its cells and keeps its name
    assert "› MDDEMO: explain the build" in s
    assert "• ## Build notes" in s
    t.wait_for(r"· Run mddemo scenario")
    t.keys("C-c")
    t.wait_exit()
    assert sid in t.screen(history=True)


def test_resume_picker_search_and_esc_starts_new(tui):
    one_session(tui, "HELLO: alpha")
    one_session(tui, "MDDEMO: beta")
    t = tui("resume")
    s = t.wait_for(r"─ 1 / 2 ─")
    t.text("mddemo")
    t.wait_for(r"─ 1 / 1 ─")
    t.wait_for(r"Search: mddemo")
    t.keys("Escape")
    s = t.wait_for(r"Ask Codex to do anything")
    assert "Build notes" not in s


def test_resume_last_and_by_name(tui):
    sid = one_session(tui, "HELLO: only one")
    t = tui("resume", "--last")
    s = t.wait_for(r"Hello! This is a short scripted reply")
    t.keys("C-c")
    t.wait_exit()
    assert sid in t.screen(history=True)
    t2 = tui("resume", "Run hello scenario")
    t2.wait_for(r"› HELLO: only one")
    t2.keys("C-c")
    t2.wait_exit()
    t3 = tui("resume", sid)
    t3.wait_for(r"› HELLO: only one")


def test_resume_with_a_prompt_continues_the_thread(tui, mock):
    sid = one_session(tui, "HELLO: first")
    t = tui("resume", sid, "HELLO: second")
    s = t.wait_for(r"(?s)› HELLO: first.*› HELLO: second.*Worked for")
    # the model saw the earlier turn
    turns = [r["body"] for r in mock.requests()
             if r.get("body") and "Name this coding session" not in str(r["body"]["input"])]
    last = turns[-1]
    assert "HELLO: first" in str(last["input"]) and "HELLO: second" in str(last["input"])


def test_resume_with_nothing_to_resume(tui):
    t = tui("resume", "--last")
    assert t.wait_exit() == 1
    assert "no saved session to resume" in t.read_stderr()


def test_fork_makes_a_copy(tui, work):
    sid = one_session(tui, "HELLO: original")
    t = tui("fork", sid)
    t.wait_for(r"› HELLO: original")
    t.submit("HELLO: in the fork")
    t.wait_for(r"(?s)in the fork.*Worked for")
    t.keys("C-c")
    t.wait_exit()
    m = re.search(r"codex resume ([0-9a-f-]{36})", t.screen(history=True))
    assert m and m.group(1) != sid
    # the original is untouched
    original = [p for p in (work / "home" / "sessions").rglob("*%s*.jsonl" % sid)][0]
    assert "in the fork" not in original.read_text()


def test_resume_slash_command_switches_threads(tui):
    one_session(tui, "HELLO: earlier")
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("/resume")
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Resume a previous session")
    t.keys("Enter")
    t.wait_for(r"› HELLO: earlier")


def test_trust_screen_writes_the_decision(tui, work):
    t = tui(trusted=False)
    s = t.wait_for(r"Folder access")
    assert str(work / "repo") in s
    assert "› 1. Trust and continue" in s
    assert "enter continue · esc quit" in s
    t.keys("Enter")
    t.wait_for(r"Ask Codex to do anything")
    conf = (work / "home" / "config.toml").read_text()
    assert re.search(r'\[projects\."%s"\]\ntrust_level = "trusted"' % re.escape(str(work / "repo")),
                     conf)
    t.keys("C-c")
    t.wait_exit()
    # the next start goes straight to the main screen
    t2 = tui(write=False)
    s = t2.wait_for(r"Ask Codex to do anything")
    assert "Folder access" not in s


def test_trust_screen_quit_writes_nothing(tui, work):
    t = tui(trusted=False)
    t.wait_for(r"Folder access")
    t.keys("Down")
    t.wait_for(r"› 2\. Quit")
    t.keys("Enter")
    assert t.wait_exit() == 0
    assert "trust_level" not in (work / "home" / "config.toml").read_text()
