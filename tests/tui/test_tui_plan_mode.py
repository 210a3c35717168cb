"""Plan mode in the TUI, against the reference 0.169.0's screens (probed in
tmux with the same scenarios): Shift+Tab and /plan switch the collaboration
mode sent with turn/start and the footer says so; the model's
request_user_input questions are asked in the bottom pane (options, notes,
several questions, Esc interrupting; none without options, as the
reference refuses those) and answered through
item/tool/requestUserInput; the proposed plan gets its own cell and the
"Implement this plan?" prompt follows it."""
import json
import re
import time

from tuihelp import sanitizer_clean


def user_texts(body):
    out = []
    for it in body.get("input") or []:
        if isinstance(it, dict) and it.get("role") == "user":
            out += [c.get("text", "") for c in it.get("content") or [] if isinstance(c, dict)]
    return out


def raw_tool_output(mock, call_id):
    for r in reversed(mock.requests()):
        for it in r["body"].get("input") or []:
            if it.get("type") == "function_call_output" and it.get("call_id") == call_id:
                return it["output"]
    return None


def tool_output(mock, call_id):
    raw = raw_tool_output(mock, call_id)
    return json.loads(raw) if raw is not None else None


def turn_requests(mock, prompt):
    """Model requests of the turn started by prompt (not the title side request)."""
    return [r for r in mock.requests()
            if any(t.startswith(prompt) for t in user_texts(r["body"]))
            and not (r["body"].get("text") or {}).get("format")]


def plan_mode(t):
    t.keys("BTab")
    return t.wait_for(r"Plan mode \(shift\+tab to cycle\)")


def asked(tui, prompt, **kw):
    """A TUI in Plan mode showing the first question of prompt's turn."""
    t = tui(**kw)
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit(prompt)
    t.wait_for(r"Question 1/")
    return t


def planned(tui, prompt):
    """A TUI in Plan mode whose ASKDEMO turn got its questions answered with
    the first options and ended with the "Implement this plan?" prompt."""
    t = tui()
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit(prompt)
    t.wait_for(r"Question 1/2")
    t.keys("Enter")
    t.wait_for(r"Question 2/2")
    t.keys("Enter")
    t.wait_for(r"Implement this plan\?", timeout=30)
    return t


def test_shift_tab_cycles_modes_and_sends_them(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    assert "Plan mode" not in t.screen()
    t.keys("?")
    t.wait_for(r"shift\+tab Change mode")
    t.keys("Escape")
    t.wait_gone(r"shift\+tab Change mode")
    s = plan_mode(t)
    assert "• Model changed to gpt-5.5 medium for Plan mode." in s
    assert re.search(r"GPT-5\.5 medium · ", s)
    # The indicator sits at the right of the footer's second line, magenta.
    row = [r for r in s.split("\n") if "Plan mode (shift+tab" in r][0]
    assert row.startswith("  ? for shortcuts") and row.rstrip().endswith("to cycle)")
    assert re.search(r"\x1b\[[0-9;]*(38;5;5|35)m[^\x1b]*Plan mode", t.screen(ansi=True))
    t.submit("HELLO: in plan mode")
    t.wait_for(r"Worked for")
    req = turn_requests(mock, "HELLO: in plan mode")[-1]["body"]
    assert "# Plan mode" in json.dumps(req)
    assert req.get("reasoning", {}).get("effort") == "medium"

    # Shift+Tab again: back to Default, and the next turn says so.
    t.keys("BTab")
    s = t.wait_for(r"Model changed to gpt-5\.5 default for Default mode\.")
    assert "shift+tab to cycle" not in s
    t.submit("HELLO: in default mode")
    t.wait_for(r"Worked for[^\n]*\n(.|\n)*Worked for")
    req = turn_requests(mock, "HELLO: in default mode")[-1]["body"]
    assert "# Default mode" in json.dumps(req)


def test_two_quick_shift_tabs_come_back_to_default(tui, mock):
    """Both presses count, as in 0.169 (probed): the second one came while
    the Plan preset was still asked for and used to be lost in it."""
    t = tui()
    t.wait_for(r"Ask Codex")
    t.keys("BTab", "BTab")
    s = t.wait_for(r"Model changed to gpt-5\.5 default for Default mode\.")
    assert s.index("for Plan mode.") < s.index("for Default mode.")
    time.sleep(0.5)
    assert "Plan mode (shift+tab to cycle)" not in t.screen()
    t.keys("BTab")
    t.wait_for(r"Plan mode \(shift\+tab to cycle\)")


def test_plan_mode_reasoning_effort_sets_the_plan_turns_effort(tui, mock):
    # As the reference's TUI: the key replaces the Plan preset's effort for
    # the turns it sends in Plan mode; Default mode keeps its own.
    t = tui(config_extra='plan_mode_reasoning_effort = "high"')
    t.wait_for(r"Ask Codex")
    t.wait_for(r"GPT-5\.5")  # the thread is there: its model is named
    s = plan_mode(t)
    assert "• Model changed to gpt-5.5 high for Plan mode." in s
    t.submit("HELLO: planning hard")
    t.wait_for(r"Worked for")
    req = turn_requests(mock, "HELLO: planning hard")[-1]["body"]
    assert req.get("reasoning", {}).get("effort") == "high"
    assert "warning" not in t.screen(history=True).lower()


def test_slash_plan_is_listed_and_switches(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("/pla")
    s = t.wait_for(r"/plan +switch to Plan mode")
    # With text in the composer the footer keeps only the indicator.
    t.keys("C-u")
    t.text("/plan")
    time.sleep(0.3)
    t.keys("Enter")
    s = t.wait_for(r"Plan mode \(shift\+tab to cycle\)")
    assert "not available" not in s
    assert s.count("for Plan mode.") == 1
    # /plan in Plan mode changes nothing.
    t.text("/plan")
    time.sleep(0.3)
    t.keys("Enter")
    time.sleep(0.5)
    assert t.screen().count("for Plan mode.") == 1
    t.text("draft")
    s = t.wait_for(r"› draft")
    assert re.search(r"^ +Plan mode \(shift\+tab to cycle\)$", s, re.M)
    t.keys("C-u")
    t.submit("/status")
    t.wait_for(r"^  Collaboration mode:  Plan$")
    assert mock.requests() == []


def test_questions_notes_and_implement(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit("ASKDEMO: build storage")
    s = t.wait_for(r"Question 1/2 \(2 unanswered\)")
    assert "Where should the data live?" in s
    assert re.search(r"^  › 1\. SQLite \(Recommended\)  One file, no server\.", s, re.M)
    assert re.search(r"^    2\. Postgres              A server, more setup\.", s, re.M)
    assert re.search(r"^    3\. None of the above     Optionally, add details in notes \(tab\)", s, re.M)
    assert ("tab to add notes | enter to submit answer | ←/→ to navigate questions | "
            "esc to interrupt") in s
    assert "Ask Codex" not in s  # the question replaces the composer
    ansi = t.screen(ansi=True)
    assert "\x1b[38;2;99;168;248mWhere should the data live?" in ansi or \
        re.search(r"\x1b\[[0-9;]*38;2;99;168;248m[^\x1b]*Where should the data live", ansi)

    t.keys("Down")
    t.keys("Down")
    t.wait_for(r"^  › 3\. None of the above")
    t.keys("Tab")
    s = t.wait_for(r"^  › Add notes")
    assert re.search(r"^  tab or esc to clear notes \| enter to submit answer$", s, re.M)
    t.text("use DuckDB")
    t.wait_for(r"^  › use DuckDB")
    time.sleep(0.3)
    t.keys("Enter")
    s = t.wait_for(r"Question 2/2 \(1 unanswered\)")
    assert "How much should the first version do?" in s
    assert "enter to submit all" in s
    # ← goes back to the first question with its notes; → returns.
    t.keys("Left")
    s = t.wait_for(r"Question 1/2 \(1 unanswered\)(.|\n)*› use DuckDB")
    # Back on a question, the options have the keys again (as the reference).
    assert ("tab or esc to clear notes | enter to submit answer | ←/→ to navigate questions"
            in s)
    t.keys("Right")
    t.wait_for(r"Question 2/2")
    t.keys("Down")
    t.wait_for(r"^  › 2\. Full CRUD")
    t.keys("Enter")

    s = t.wait_for(r"Implement this plan\?\n\n\n› 1\.", timeout=30)
    assert tool_output(mock, "call_ask_1") == {"answers": {
        "storage": {"answers": ["None of the above", "user_note: use DuckDB"]},
        "scope": {"answers": ["Full CRUD"]}}}
    assert re.search(r"^• Questions 2/2 answered\n  • Where should the data live\?\n"
                     r"    answer: None of the above\n    note: use DuckDB\n"
                     r"  • How much should the first version do\?\n    answer: Full CRUD$", s, re.M)
    assert re.search(r"^• Proposed Plan\n\n\n  # Add storage\n\n  ## Summary\n\n"
                     r"  Use SQLite for the data\.", s, re.M)
    assert "<proposed_plan>" not in s
    assert re.search(r"^• Here is the plan\.", s, re.M)
    assert re.search(r"^› 1\. Yes, implement this plan +Switch to Default and start coding", s, re.M)
    assert re.search(r"^  2\. Yes, clear context and implement +Start a fresh thread", s, re.M)
    assert re.search(r"^  3\. No, stay in Plan mode +Continue planning with the model", s, re.M)

    t.keys("Enter")
    s = t.wait_for(r"› Implement the plan\.(.|\n)*Worked for")
    assert "Model changed to gpt-5.5 default for Default mode." in s
    assert "Plan mode (shift+tab" not in s
    req = turn_requests(mock, "Implement the plan.")[-1]["body"]
    assert "# Default mode" in json.dumps(req)


def test_clear_context_implements_in_a_fresh_thread(tui, mock):
    t = planned(tui, "ASKDEMO: fresh")
    t.keys("Down")
    t.keys("Enter")
    t.wait_for(r"› The plan below was written in an earlier planning", timeout=20)
    t.wait_for(r"Worked for")
    reqs = turn_requests(mock, "The plan below was written in an earlier planning")
    assert reqs
    body = reqs[-1]["body"]
    texts = user_texts(body)
    assert not any(x.startswith("ASKDEMO") for x in texts)  # a fresh thread
    prompt = [x for x in texts if x.startswith("The plan below was written")][0]
    assert prompt.startswith("The plan below was written in an earlier planning session for the "
                             "user's task; that session's conversation is not available here.")
    assert "\n\n# Add storage\n" in prompt and "2. Write the reader." in prompt
    assert "# Default mode" in json.dumps(body)
    assert tool_output(mock, "call_ask_1") == {"answers": {
        "storage": {"answers": ["SQLite (Recommended)"]}, "scope": {"answers": ["Read only"]}}}


def test_stay_in_plan_mode(tui, mock):
    t = asked(tui, "ASKDEMO: stay")
    # A number picks that option and answers with it.
    t.keys("2")
    t.wait_for(r"Question 2/2 \(1 unanswered\)")
    # In the notes ←/→ move the cursor, not between questions.
    t.keys("Tab")
    t.wait_for(r"› Add notes")
    t.text("abd")
    t.wait_for(r"^  › abd")
    t.keys("Left")
    t.text("c")
    s = t.wait_for(r"^  › abcd")
    assert "Question 2/2" in s
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Implement this plan\?", timeout=30)
    assert tool_output(mock, "call_ask_1") == {"answers": {
        "storage": {"answers": ["Postgres"]}, "scope": {"answers": ["Read only", "user_note: abcd"]}}}
    n = len(mock.requests())
    t.keys("3")
    s = t.wait_gone(r"Implement this plan\?")
    assert "Plan mode (shift+tab to cycle)" in s
    time.sleep(0.5)
    assert len(mock.requests()) == n


def test_a_question_without_options_is_refused(tui, mock):
    """0.169 (probed in tmux with this scenario) asks nothing when a
    question has no options: the model is told so and goes on."""
    t = tui()
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit("FREEQ: name it")
    s = t.wait_for(r"Noted the name\.", timeout=30)
    assert "Question 1/1" not in s and "Type your answer" not in s
    assert raw_tool_output(mock, "call_free_1") == \
        "request_user_input requires non-empty options for every question"


def test_many_options_scroll_with_the_selection(tui, mock):
    """Thirty options in a 20-row terminal: as the reference 0.169 draws it
    (probed in tmux), the question stays on screen, a window of options
    follows the selection, and the hint says which option is selected.
    The pane used to be cut from the top, hiding the question and the
    selected option."""
    t = tui(height=20, width=80)
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit("MANYOPT: pick")
    s = t.wait_for(r"option 1/31 \| tab to add notes \| enter to submit answer \| esc to interrupt")
    assert "Question 1/1 (1 unanswered)" in s and "Which one of the thirty?" in s
    assert re.search(r"^  › 1\. Choice 1    Choice number 1\.$", s, re.M), s
    assert re.search(r"^    13\. Choice 13  Choice number 13\.$", s, re.M), s
    assert "14. Choice 14" not in s
    for _ in range(12):
        t.keys("Down")
    s = t.wait_for(r"option 13/31")
    assert re.search(r"^  › 13\. Choice 13  Choice number 13\.$", s, re.M), s
    assert "Which one of the thirty?" in s
    for _ in range(14):
        t.keys("Down")
    s = t.wait_for(r"option 27/31")
    # The window moved only as far as the selection went.
    assert re.search(r"^    15\. Choice 15", s, re.M) and "14. Choice 14" not in s, s
    assert re.search(r"^  › 27\. Choice 27  Choice number 27\.$", s, re.M), s
    t.keys("Enter")
    t.wait_for(r"Noted the pick\.", timeout=30)
    assert tool_output(mock, "call_many_1") == {"answers": {"pick": {"answers": ["Choice 27"]}}}


def test_cursor_follows_a_wrapped_answer(tui, mock):
    """The cursor stands where the typing goes when the answer wraps: the
    text up to the cursor used to be wrapped on its own, so a word that the
    whole answer pushes to the next row kept the cursor on the row above."""
    t = tui(width=40)
    t.wait_for(r"Ask Codex")
    plan_mode(t)
    t.submit("ASKDEMO: wrap")
    t.wait_for(r"Question 1/2")
    t.keys("Tab")
    t.wait_for(r"› Add notes")
    t.text("a" * 30 + " bbbbbbbbbb")
    s = t.wait_for(r"^  bbbbbbbbbb$")
    for _ in range(7):
        t.keys("Left")
    time.sleep(0.5)
    row = s.split("\n").index("  bbbbbbbbbb")
    for _ in range(20):
        x, y = map(int, t.tmux("display-message", "-p", "-t", "t",
                               "#{cursor_x},#{cursor_y}").stdout.split(","))
        if (x, y) == (5, row):
            break
        time.sleep(0.1)
    assert (x, y) == (5, row), (x, y, row, t.screen())


def test_esc_at_a_question_interrupts_and_declines(tui, mock):
    t = asked(tui, "ASKDEMO: esc")
    t.keys("Tab")
    t.wait_for(r"› Add notes")
    # Esc in the notes clears them first; the next Esc interrupts.
    t.keys("Escape")
    s = t.wait_gone(r"› Add notes")
    assert "Question 1/2" in s
    n = len(mock.requests())
    t.keys("Escape")
    s = t.wait_for(r"■ Conversation interrupted")
    assert "Question 1/2" not in s
    t.wait_for(r"Ask Codex to do anything")
    time.sleep(0.8)
    assert len(mock.requests()) == n  # the model was not asked again
    assert tool_output(mock, "call_ask_1") is None
    # The composer works again, still in Plan mode.
    assert "Plan mode (shift+tab to cycle)" in t.screen()


def test_ctrl_c_clears_the_notes_before_it_interrupts(tui, mock):
    """As 0.169 (probed): Ctrl-C with notes typed empties them and keeps the
    question; the next Ctrl-C interrupts the turn, and codex goes on.  The
    first used to interrupt at once, and the second quit codex."""
    t = asked(tui, "ASKDEMO: ctrl-c")
    t.keys("Tab")
    t.text("abc")
    t.wait_for(r"^  › abc$")
    t.keys("C-c")
    s = t.wait_for(r"^  › Add notes$")
    assert "Question 1/2 (2 unanswered)" in s and "tab or esc to clear notes" in s
    t.keys("C-c")
    s = t.wait_for(r"■ Conversation interrupted")
    assert "Question 1/2" not in s
    s = t.wait_for(r"Ask Codex to do anything")
    assert not t.dead()
    assert tool_output(mock, "call_ask_1") is None


def test_backspace_in_empty_notes_closes_them(tui, mock):
    """As 0.169 (probed): a digit typed in the notes is text, and Backspace
    once they are empty closes them, so typing no longer goes there.  They
    used to stay open."""
    t = asked(tui, "ASKDEMO: backspace")
    t.keys("Tab")
    t.text("2")
    s = t.wait_for(r"^  › 2$")
    assert re.search(r"^  › 1\. SQLite", s, re.M)
    t.keys("BSpace")
    t.wait_for(r"^  › Add notes$")
    t.keys("BSpace")
    s = t.wait_gone(r"› Add notes")
    assert "tab to add notes | enter to submit answer | ←/→ to navigate questions" in s
    t.text("x")
    time.sleep(0.5)
    assert "› x" not in t.screen() and "Question 1/2" in t.screen()


def test_hint_breaks_between_hints(tui, mock):
    """At 80 columns the hint row breaks between two hints, as 0.169 breaks
    it (probed), not inside "esc to interrupt"."""
    t = asked(tui, "ASKDEMO: narrow", width=80)
    s = t.wait_for(r"esc to interrupt")
    assert re.search(r"^  tab to add notes \| enter to submit answer \| ←/→ to navigate questions\n"
                     r"  esc to interrupt$", s, re.M), s


def test_submitting_with_a_question_skipped_asks_first(tui, mock, work):
    """As 0.169 (probed): Enter on the last question with an earlier one
    skipped asks "Submit with unanswered questions?"; Go back (or Esc)
    returns to the skipped one, Proceed sends the answers with it empty.
    They used to be sent at once."""
    t = asked(tui, "ASKDEMO: skip")
    t.keys("Right")
    t.wait_for(r"Question 2/2 \(2 unanswered\)")
    t.keys("Enter")
    s = t.wait_for(r"Submit with unanswered questions\?")
    assert re.search(r"^  Submit with unanswered questions\?\n  1 unanswered question\n\n"
                     r"  › 1\. Proceed  Submit with 1 unanswered question\n"
                     r"    2\. Go back  Return to the first unanswered question\n\n"
                     r"  Press enter to confirm or esc to go back$", s, re.M), s
    t.keys("Down")
    t.wait_for(r"^  › 2\. Go back")
    t.keys("Enter")
    s = t.wait_for(r"Question 1/2 \(1 unanswered\)")
    assert "Where should the data live?" in s
    t.keys("Right")
    t.wait_for(r"Question 2/2 \(1 unanswered\)")
    t.keys("Enter")
    t.wait_for(r"Submit with unanswered questions\?")
    t.keys("Escape")
    t.wait_for(r"Question 1/2 \(1 unanswered\)")
    t.keys("Right")
    t.wait_for(r"Question 2/2")
    t.keys("Enter")
    t.wait_for(r"^  › 1\. Proceed")
    assert tool_output(mock, "call_ask_1") is None
    # A paste while it asks goes nowhere (it used to land in the notes of
    # the question answered last, unseen, and be sent with it).
    (work / "paste.txt").write_text("stray")
    t.tmux("load-buffer", str(work / "paste.txt"))
    t.tmux("paste-buffer", "-p", "-t", "t")
    time.sleep(0.5)
    t.keys("Enter")
    t.wait_for(r"Implement this plan\?", timeout=30)
    assert tool_output(mock, "call_ask_1") == {"answers": {
        "storage": {"answers": []}, "scope": {"answers": ["Read only"]}}}


def test_slash_plan_with_a_prompt_plans_it(tui, mock):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.submit("/plan HELLO: plan this")
    s = t.wait_for(r"› HELLO: plan this(.|\n)*Worked for")
    assert s.index("for Plan mode.") < s.index("› HELLO: plan this")
    req = turn_requests(mock, "HELLO: plan this")[-1]["body"]
    assert "# Plan mode" in json.dumps(req)
    assert "Plan mode (shift+tab to cycle)" in s


def test_paste_goes_into_the_notes_with_its_lines(tui, mock, work):
    """Pasted lines go into the notes (opened by the paste) and stay lines,
    on screen and in the answer, as 0.169 keeps them (probed in tmux with
    this paste).  They used to be joined with spaces."""
    t = asked(tui, "ASKDEMO: paste")
    (work / "paste.txt").write_text("line one\nline two\nline three")
    t.tmux("load-buffer", str(work / "paste.txt"))
    t.tmux("paste-buffer", "-p", "-t", "t")
    s = t.wait_for(r"^  › line one\n    line two\n    line three\n")
    assert "tab or esc to clear notes | enter to submit answer" in s
    x, y = map(int, t.tmux("display-message", "-p", "-t", "t",
                           "#{cursor_x},#{cursor_y}").stdout.split(","))
    assert (x, s.split("\n")[y]) == (14, "    line three"), (x, y, s)
    time.sleep(0.3)
    t.keys("Enter")
    t.wait_for(r"Question 2/2")
    t.keys("Enter")
    t.wait_for(r"Implement this plan\?", timeout=30)
    assert tool_output(mock, "call_ask_1")["answers"]["storage"] == {
        "answers": ["SQLite (Recommended)", "user_note: line one\nline two\nline three"]}
    t.keys("Escape")
    # The composer did not get the pasted text.
    assert "line" not in t.wait_for(r"› Ask Codex to do anything").split("Ask Codex to do")[-1]


def test_resumed_thread_replays_the_proposed_plan(tui, mock):
    t = planned(tui, "ASKDEMO: keep")
    t.keys("Escape")
    t.wait_gone(r"Implement this plan\?")
    t.keys("C-c")
    assert t.wait_exit() == 0
    m = re.search(r"codex resume ([0-9a-f-]{36})", t.screen(history=True))
    assert m, t.screen(history=True)
    r = tui("resume", m.group(1))
    s = r.wait_for(r"• Proposed Plan\n\n\n  # Add storage")
    assert "› ASKDEMO: keep" in s
    assert "<proposed_plan>" not in s


def test_remote_server_questions(tui, work, mock):
    """The same over --remote: our app-server asks, the TUI answers."""
    from test_remote import Server, tui_home
    srv = Server(work, mock)
    try:
        home = tui_home(work)
        t = tui("--remote", "ws://127.0.0.1:%d" % srv.port, env={"CODEX_HOME": str(home)},
                write=False)
        t.wait_for(r"Ask Codex to do anything")
        t.wait_for(r"GPT-5\.5")
        plan_mode(t)
        t.submit("MANYOPT: remote")
        t.wait_for(r"Which one of the thirty\?")
        t.keys("3")
        t.wait_for(r"Noted the pick\.", timeout=30)
        assert tool_output(mock, "call_many_1") == {"answers": {"pick": {"answers": ["Choice 3"]}}}
        t.submit("ASKDEMO: remote esc")
        t.wait_for(r"Question 1/2")
        t.keys("Escape")
        t.wait_for(r"■ Conversation interrupted")
        t.keys("C-c")
        assert t.wait_exit() == 0
    finally:
        err = srv.stop()
    assert sanitizer_clean(err), err
