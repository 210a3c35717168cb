"""The server's warnings and deprecation notices are drawn as yellow ⚠
cells in the transcript, the way the reference TUI draws them, and are not
error cells."""
from tuihelp import style_of


def test_deprecation_notice_is_a_warning_cell(tui):
    t = tui(config_extra="[features]\ncodex_hooks = true\n")
    t.wait_for(r"Ask Codex to do anything")
    s = t.wait_for(r"⚠ `\[features\]\.codex_hooks` is deprecated\. Use `\[features\]\.hooks` "
                   r"instead\.")
    assert "Enable it with `--enable hooks`" in s
    assert "■" not in s
    assert style_of(t.screen(ansi=True), "is deprecated").fg == "i3"  # palette yellow
