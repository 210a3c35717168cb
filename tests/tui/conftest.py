"""Fixtures for the TUI tests: a scratch repository, CODEX_HOME pointing at
the scripted mock, and a `tui(...)` factory that starts codex in tmux and
checks, when the test is done, that it exited cleanly under the
sanitizers."""
import os
import pathlib
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tuihelp import CODEX_BIN, Mock, Tui, have_tmux, make_repo, sanitizer_clean, write_config  # noqa: E402


@pytest.fixture
def work(tmp_path):
    if not have_tmux():
        pytest.skip("tmux is not installed (scripts/install-deps installs it)")
    (tmp_path / "home").mkdir()
    (tmp_path / "userhome").mkdir()
    make_repo(tmp_path / "repo")
    return tmp_path


@pytest.fixture
def mock(work):
    m = Mock(work)
    yield m
    m.stop()


@pytest.fixture
def tui(work, mock):
    """tui(*args, trusted=True, env=None, config_extra="") -> Tui."""
    started = []

    def start(*args, trusted=True, env=None, config_extra="", cwd=None, width=120, height=40,
              write=True, shell_prompt=None, job_control=False):
        if write:
            write_config(work / "home", mock.port,
                         trusted_repo=str(work / "repo") if trusted else None,
                         extra=config_extra)
        t = Tui(work, args, env=env, cwd=cwd, width=width, height=height,
                shell_prompt=shell_prompt, job_control=job_control)
        started.append(t)
        return t

    yield start
    for t in started:
        try:
            status = None
            for _ in range(3):
                if t.exit_file.exists():
                    break
                # Esc interrupts a turn (or closes a popup); Ctrl-C then
                # clears or quits.  One at a time, so none reaches the
                # shell after codex.
                if "Task is still running" in t.screen():
                    t.keys("Escape")
                    time.sleep(0.2)
                t.keys("Escape")
                time.sleep(0.3)
                t.keys("C-c")
                try:
                    status = t.wait_exit(3)
                    break
                except AssertionError:
                    pass
            if status is None:
                status = t.wait_exit(5)
            err = t.read_stderr()
            assert sanitizer_clean(err), err
            assert status is not None, "codex did not exit:\n" + t.screen()
        finally:
            t.close()
