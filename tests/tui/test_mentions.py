"""@ mentions (issue 10 item 9, TUI_FINDINGS §8): typing @word opens a
popup of matching files that narrows as the word grows; Up/Down select,
Enter or Tab insert the path, Esc closes.  The search is the app server's
fuzzyFileSearch session, so it also works under --remote."""
import re
import time

from tuihelp import style_of
from test_remote import server, tui_home  # noqa: F401  (the server fixture)


def popup_rows(screen):
    """The result rows: (selected, name, dir, kind)."""
    rows = []
    for line in screen.splitlines():
        m = re.match(r"^(› |  )(\S+)( +(\S*/))? +(File|Directory)$", line.rstrip())
        if m:
            rows.append((m.group(1) == "› ", m.group(2), m.group(4) or "", m.group(5)))
    return rows


def test_popup_narrows_selects_and_inserts(tui, work):
    (work / "repo" / "src" / "mainframe.h").write_text("x\n")
    (work / "repo" / ".gitignore").write_text("build/\n")
    (work / "repo" / "build").mkdir()
    (work / "repo" / "build" / "main.o").write_text("x\n")
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("look at @")
    s = t.wait_for(r"Type to search mentions")
    assert "  Mentions" in s and "Files and directories" in s
    assert "enter/tab insert · esc close · ↑/↓ select" in s
    t.text("ma")
    s = t.wait_for(r"main\.c +src/ +File")
    rows = popup_rows(s)
    names = [(n, d) for _, n, d, _ in rows]
    assert ("main.c", "src/") in names and ("mainframe.h", "src/") in names
    assert ("main.o", "build/") not in names  # .gitignore'd
    assert rows[0][0]  # the first row is selected
    ansi = t.screen(ansi=True)
    assert style_of(ansi, "Mentions") and "bold" in style_of(ansi, "Mentions").attrs
    t.text("inf")  # "mainf": only mainframe.h is left
    s = t.wait_for(r"› mainframe\.h +src/ +File")
    assert [n for _, n, _, _ in popup_rows(s)] == ["mainframe.h"]
    t.keys("BSpace", "BSpace")  # back to "main": both again
    s = t.wait_for(r"  main(frame\.h|\.c) +src/ +File")
    assert len(popup_rows(s)) >= 2
    first = popup_rows(s)[0][1]
    t.keys("Down")
    s = t.wait_for(r"› (?!%s)\S+ +src/ +File" % re.escape(first))
    chosen = [n for sel, n, _, _ in popup_rows(s) if sel][0]
    t.keys("Enter")
    s = t.wait_gone(r"Type to search mentions|enter/tab insert")
    s = t.wait_for(r"› look at src/%s" % re.escape(chosen))
    assert "Mentions" not in s


def test_tab_inserts_and_esc_closes(tui, work):
    t = tui()
    t.wait_for(r"Ask Codex")
    t.text("@guide")
    t.wait_for(r"› guide\.md +docs/ +File")
    t.keys("Escape")
    t.wait_gone(r"guide\.md +docs/")
    assert "› @guide" in t.screen()
    t.text(" @READ")
    t.wait_for(r"› README\.md +File")
    t.keys("Tab")
    t.wait_for(r"› @guide README\.md")
    t.wait_gone(r"enter/tab insert")


def test_mentions_under_remote(tui, work, server):  # noqa: F811
    srv = server()
    home = tui_home(work)
    t = tui("--remote", "ws://127.0.0.1:%d" % srv.port, env={"CODEX_HOME": str(home)}, write=False)
    t.wait_for(r"Ask Codex to do anything")
    t.text("@main")
    t.wait_for(r"› main\.c +src/ +File")
    t.keys("Enter")
    t.wait_for(r"› src/main\.c")
    time.sleep(0.2)
    t.keys("C-c", "C-c")
    assert t.wait_exit() == 0
