"""The reference Codex TUI (0.169.0, installed from npm by `make refclient`)
as a client of our `codex app-server`, over ws:// and unix://: a turn whose
command needs approval, a patch, the final answer, a second turn, /new and
exit, with nothing on screen that says the server misbehaved.

This is what IDE extensions and the desktop app do too: they speak the
same protocol, so a server the reference TUI is happy with is one they can
use.  Skipped (not failed) when npm could not install the reference."""
import os
import pathlib
import re
import time

import pytest

from tuihelp import Tui, sanitizer_clean
import test_remote

ARCH = {"x86_64": "x86_64-unknown-linux-musl", "aarch64": "aarch64-unknown-linux-musl"}
PKG = {"x86_64": "codex-linux-x64", "aarch64": "codex-linux-arm64"}


def reference_binary():
    modules = os.environ.get("CODEX_REF_CLIENT")
    if not modules:
        modules = str(pathlib.Path(__file__).resolve().parents[2] / "build" / "refclient" / "node_modules")
    m = os.uname().machine
    if m not in ARCH:
        return None
    path = pathlib.Path(modules) / "@openai" / PKG[m] / "vendor" / ARCH[m] / "bin" / "codex"
    return path if os.access(path, os.X_OK) else None


REF = reference_binary()
pytestmark = pytest.mark.skipif(REF is None, reason="the reference @openai/codex is not installed "
                                "(make refclient needs npm)")


@pytest.fixture
def server(work, mock):
    started = []

    def start(*extra):
        s = test_remote.Server(work, mock, extra)
        started.append(s)
        return s

    yield start
    for s in started:
        err = s.stop()
        assert sanitizer_clean(err), err


def reference_home(work):
    """The reference TUI's own CODEX_HOME: no provider (in remote mode it
    gets everything from the server), the repo trusted, and the first-run
    notices it would otherwise show marked as seen."""
    home = work / "refhome"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(
        '[projects."%s"]\ntrust_level = "trusted"\n\n'
        '[tui]\nscreen_reader_detection_done = true\n\n'
        '[tui.model_availability_nux]\n"gpt-6.1-sol" = 1\n\n'
        '[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n' % (work / "repo"))
    return home


def start_reference(work, address):
    env = {"CODEX_HOME": str(reference_home(work)), "TMPDIR": str(work / "reftmp"),
           "RUST_LOG": "error"}
    (work / "reftmp").mkdir(exist_ok=True)
    return Tui(work, ["--remote", address, "--no-alt-screen"], env=env, binary=REF)


# What the reference TUI prints when the server answers it badly: a failed
# request, an item that failed to parse, or a server older than itself.
TROUBLE = re.compile(r"^\s*(■ |Error:|⚠ )|failed to|not supported|older than your Codex",
                     re.MULTILINE)


def assert_clean(text):
    bad = [line for line in text.splitlines() if TROUBLE.search(line)]
    assert not bad, "the reference TUI reported trouble:\n" + "\n".join(bad)


def submit_until_taken(t, prompt, taken, tries=5):
    """Submit, and press Enter again while the prompt still sits in the
    composer: on a loaded machine the reference TUI can take the typed
    text and the Enter as one paste burst, which inserts a newline instead
    of sending.  Once the text is sent, the extra Enter on an empty composer
    does nothing."""
    t.submit(prompt, pause=0.6)
    for _ in range(tries):
        try:
            return t.wait_for(taken, timeout=12)
        except AssertionError:
            t.keys("Enter")
    return t.wait_for(taken, timeout=30)


def run_session(t, work):
    t.wait_for(r"Ask Codex to do anything", timeout=60)
    submit_until_taken(t, "REFDEMO: write the marker and patch the guide",
                       r"Press enter to confirm or esc to cancel")
    # The question is drawn a moment before it takes keys: a `y` typed
    # before that is dropped, so it is typed again until the TUI shows it
    # took the answer.
    for _ in range(10):
        time.sleep(0.5)
        t.keys("y")
        try:
            t.wait_for(r"You approved codex to run", timeout=2)
            break
        except AssertionError:
            continue
    t.wait_for(r"REFDEMO-FINAL", timeout=60)
    t.wait_for(r"Worked for", timeout=30)
    assert (work / "outside_marker.txt").read_text() == "ref-client-ran\n"
    assert "patched by REFDEMO" in (work / "repo" / "docs" / "guide.md").read_text()
    s = t.screen(history=True)
    # The patch cell is drawn from the fileChange item's diff: its real
    # counts and lines.
    assert re.search(r"Edited docs/guide\.md \(\+2 -1\)", s), s
    assert "Some docs, patched by REFDEMO." in s
    submit_until_taken(t, "HELLO: a second turn", r"Hello! This is a short scripted reply")
    t.text("/new")
    time.sleep(0.5)
    t.keys("Enter")
    t.wait_gone(r"HELLO: a second turn", timeout=30)
    t.wait_for(r"Ask Codex to do anything", timeout=30)
    assert_clean(t.screen(history=True))
    t.keys("C-c")
    code = t.wait_exit(timeout=30)
    if code is None:
        t.keys("C-c")
        code = t.wait_exit(timeout=30)
    assert code == 0, t.read_stderr()
    assert_clean(t.screen(history=True))
    assert "Error" not in t.read_stderr()


def test_reference_tui_over_websocket(work, server):
    srv = server()
    t = start_reference(work, srv.address)
    try:
        run_session(t, work)
    finally:
        t.close()
    assert list((srv.home / "sessions").rglob("rollout-*.jsonl"))


def test_reference_tui_over_unix_socket(work, server):
    sock = work / "ctl" / "app-server.sock"
    srv = server("--listen", "unix://%s" % sock)
    assert srv.address == "unix://%s" % sock
    assert (sock.stat().st_mode & 0o777) == 0o600
    t = start_reference(work, srv.address)
    try:
        run_session(t, work)
    finally:
        t.close()
    assert list((srv.home / "sessions").rglob("rollout-*.jsonl"))
