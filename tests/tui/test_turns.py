"""Turns in the TUI: approvals with the reference's labels and keys,
command, patch and plan cells, details (Ctrl-T), interrupts and the
Ctrl-C dialog (TUI_FINDINGS §4-§6, §9)."""
import json
import re
import time

from tuihelp import style_of


def test_exec_approval_prompt_and_yes(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("ESCDEMO: list the repo and write a marker file")
    s = t.wait_for(r"Press enter to confirm or esc to cancel")
    assert "  Would you like to run the following command?" in s
    assert "  Environment: local" in s
    assert "  Reason: Do you want to allow writing a marker file outside the workspace?" in s
    assert re.search(r"(?s)  \$ echo escalated-run > \S+escalated_marker\.txt\s+&&\s+echo", s)
    assert "› 1. Yes, proceed (y)" in s
    assert "No, and tell Codex what to do differently (esc)" in s
    # the waiting command shows as Running above the prompt
    assert re.search(r"• Running echo escalated-run", s)
    ansi = t.screen(ansi=True)
    assert "bold" in style_of(ansi, "Would you like to run").attrs
    sel = style_of(ansi, "› 1. Yes, proceed")
    assert "reverse" in sel.attrs and "bold" in sel.attrs
    t.keys("y")
    s = t.wait_for(r"Worked for")
    assert re.search(r"✔ You approved codex to run echo escalated-run > .* this time", s)
    assert re.search(r"• Ran echo escalated-run", s)
    assert "  └ wrote marker" in s
    assert (work / "escalated_marker.txt").read_text() == "escalated-run\n"
    # the read-only commands before it were grouped
    assert "• Explored" in s and "  └ List ls -la" in s and "    Read README.md" in s
    # and the failing ls after it is its own group, with its exit code
    assert "• Explored · 1 nonzero exit" in s
    assert "  └ List does-not-exist (exit 2)" in s


def test_exec_approval_p_saves_a_prefix_rule(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("ESCRULE: touch a marker")
    s = t.wait_for(r"Press enter to confirm or esc to cancel")
    assert "  2. Yes, and don't ask again for commands that start with `touch` (p)" in s
    t.keys("p")
    s = t.wait_for(r"Worked for")
    assert "✔ You approved codex to always run commands that start with touch" in s
    rules = (work / "home" / "rules" / "default.rules").read_text()
    assert 'prefix_rule(pattern=["touch"], decision="allow")' in rules
    assert (work / "rule_marker.txt").exists()


def test_exec_approval_esc_cancels_the_turn(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("ESCDEMO: list the repo and write a marker file")
    t.wait_for(r"Press enter to confirm or esc to cancel")
    t.keys("Escape")
    s = t.wait_for(r"✗ You canceled the request to run echo escalated-run")
    assert not (work / "escalated_marker.txt").exists()
    t.wait_for(r"Ask Codex to do anything")


def test_exec_approval_by_number_and_enter(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("ESCDEMO: list the repo and write a marker file")
    t.wait_for(r"Press enter to confirm")
    t.keys("Down")
    s = t.wait_for(r"› 2\. No, and tell Codex")
    t.keys("Up")
    t.wait_for(r"› 1\. Yes, proceed")
    t.keys("Enter")
    t.wait_for(r"You approved codex to run")
    t.wait_for(r"Worked for")
    assert (work / "escalated_marker.txt").exists()


def test_command_cells_cut_output_and_details(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("RUNCMDS: print numbers and fail once")
    s = t.wait_for(r"Worked for")
    assert "• Ran seq 1 30" in s
    # fullscreen keeps the last three lines
    assert re.search(r"  └ 28\n    29\n    30\n    \+ 27 lines \(\^t to expand\)", s)
    assert "• Exited (status 3) echo about to fail; echo oops >&2; exit 3" in s
    assert re.search(r"  └ about to fail\n    oops", s)
    ansi = t.screen(ansi=True)
    bullet = style_of(ansi, "• Ran")
    assert bullet.fg == "i2" and "bold" in bullet.attrs
    assert style_of(ansi, "seq 1 30").fg == "#89b4fa"
    t.keys("C-t")
    s = t.wait_for(r"✗ \(3\) • \d+(ms|\.\d+s)")
    assert "$ echo about to fail; echo oops >&2; exit 3" in s
    assert re.search(r"^30\n✓ • \d+(ms|\.\d+s)", s, re.M)
    t.keys("C-t")
    t.wait_for(r"\+ 27 lines")


def test_patch_cells(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("PATCHDEMO: add notes and edit main.c")
    s = t.wait_for(r"Worked for")
    # collapsed: the first three changed lines, numbered, then a hint
    assert ("• Added notes.md (+4 -0)\n    1 +# Notes\n    2 +\n    3 +First line of notes.\n"
            "    + Show details") in s
    assert ('• Edited src/main.c (+2 -1)\n    4 -    printf("hi\\n");\n'
            '    4 +    printf("hello, world\\n");\n    5 +    puts("second line");\n'
            '    + Show details') in s
    ansi = t.screen(ansi=True)
    assert style_of(ansi, '+    printf("hello').bg == "#213a2b"
    assert style_of(ansi, '-    printf("hi').bg == "#4a221d"
    assert style_of(ansi, "+4").fg == "i2" and style_of(ansi, "-1)").fg == "i1"
    # details: the whole hunk with its context lines
    t.keys("C-t")
    s = t.wait_for(r"4 \+Second line of notes\.")
    assert "    3  int main(void) {" in s
    t.keys("C-t")
    assert (work / "repo" / "notes.md").read_text().startswith("# Notes")
    assert "hello, world" in (work / "repo" / "src" / "main.c").read_text()


def test_plan_cells(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("PLANDEMO: refactor the parser with a plan")
    s = t.wait_for(r"Worked for")
    assert "• Updated Plan · 0/3 complete" in s
    assert "• Updated Plan · 1/3 complete" in s
    assert "• Updated Plan · 3/3 complete" in s
    # with mixed states the finished steps move to the end
    assert re.search(r"1/3 complete\n  └ □ Refactor the parser\n    □ Run the tests\n"
                     r"    ✔ Read the existing code", s)
    ansi = t.screen(ansi=True)
    done = style_of(ansi, "✔ Read the existing code")
    assert "dim" in done.attrs
    t.keys("C-t")
    s = t.wait_for(r"└ Starting the refactor\.")
    assert "• Updated Plan\n" in s


def test_esc_interrupts_a_streaming_answer(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    s = t.wait_for(r"• (Working|Thinking slowly|This reply).*\(\d+s • esc to interrupt\)")
    ansi = t.screen(ansi=True)
    # As the reference draws it: "esc" in bold, the rest dim.
    assert "bold" in style_of(ansi, "esc to interrupt").attrs
    t.wait_for(r"• This is a very")
    t.keys("Escape")
    s = t.wait_for(r"■ Conversation interrupted")
    # the part already streamed stays
    assert "• This is a very" in s
    t.wait_for(r"Ask Codex to do anything")


def test_ctrl_c_during_a_turn_opens_the_dialog(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    t.wait_for(r"esc to interrupt")
    t.keys("C-c")
    s = t.wait_for(r"Task is still running")
    assert "Choose what happens to the current task." in s
    assert re.search(r"› 1\. Cancel task +Stop the current task and stay in Codex", s)
    assert re.search(r"  2\. Exit +Stop the current task and exit Codex", s)
    # a second Ctrl-C closes it and the turn goes on
    t.keys("C-c")
    t.wait_gone(r"Task is still running")
    t.wait_for(r"esc to interrupt")
    t.keys("C-c")
    t.wait_for(r"Task is still running")
    t.keys("Enter")
    t.wait_for(r"■ Conversation interrupted")


def test_ctrl_c_dialog_exit_stops_the_turn(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    t.wait_for(r"esc to interrupt")
    t.keys("C-c")
    t.wait_for(r"Task is still running")
    t.keys("2")
    assert t.wait_exit() == 0


def test_tab_queues_while_busy_and_esc_returns_it(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLOWDEMO: stream slowly please")
    t.wait_for(r"esc to interrupt")
    t.text("HELLO: queued with tab")
    time.sleep(0.3)
    t.keys("Tab")
    s = t.wait_for(r"• Queued follow-up inputs")
    assert "  ↳ HELLO: queued with tab" in s
    t.keys("Escape")
    t.wait_for(r"■ Conversation interrupted")
    t.wait_for(r"› HELLO: queued with tab")


def test_queued_message_is_sent_after_the_turn(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLEEPSHORT: run a five second command")
    t.wait_for(r"esc to interrupt")
    t.text("HELLO: after that")
    time.sleep(0.3)
    t.keys("Tab")
    t.wait_for(r"• Queued follow-up inputs")
    s = t.wait_for(r"Hello! This is a short scripted reply", timeout=30)
    # it ran as its own turn once the first one ended
    assert s.index("The five-second command finished.") < s.index("› HELLO: after that")


def test_model_error_shows_an_error_cell(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("FAILDEMO: break")
    s = t.wait_for(r"■ .*scripted failure for the test", timeout=40)
    t.wait_for(r"Ask Codex to do anything")


def test_escape_sequences_from_the_model_are_inert(tui):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("EVIL: print control characters")
    s = t.wait_for(r"after")
    # the screen was not cleared and the title not changed by the text
    assert "› EVIL: print control characters" in s
    assert "before" in s and "end" in s
    assert "pwned" not in t.tmux("display", "-p", "#{pane_title}").stdout


def test_enter_while_busy_steers_the_turn(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("SLEEPSHORT: run a five second command")
    t.wait_for(r"esc to interrupt")
    t.submit("HELLO: and say hello when it is done")
    # The mock answers the last user message: the steer, inside this turn.
    t.wait_for(r"Hello! This is a short scripted reply", timeout=30)
    t.wait_for(r"Worked for", timeout=30)
    history = t.screen(history=True)
    assert "› HELLO: and say hello when it is done" in history
    assert "Queued follow-up inputs" not in history
    assert history.count("Worked for") == 1
    bodies = [r["body"] for r in mock.requests() if "json_schema" not in json.dumps(r["body"].get("text", {}))]
    texts = [c.get("text") for i in bodies[-1]["input"] if i.get("role") == "user"
             for c in i["content"]]
    # The steer came after the command's output, in the same conversation.
    assert texts.index("HELLO: and say hello when it is done") > \
        texts.index("SLEEPSHORT: run a five second command")
