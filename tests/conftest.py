"""Shared pytest fixtures: where the binaries are, and an isolated CODEX_HOME."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("CODEX_BUILD", ROOT / "build"))
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", BUILD / "asan" / "codex"))


@pytest.fixture
def codex_home(tmp_path):
    home = tmp_path / "codex_home"
    home.mkdir()
    return home


@pytest.fixture
def run_codex(tmp_path, codex_home):
    """Run build/codex with an isolated HOME and CODEX_HOME; returns CompletedProcess."""
    user_home = tmp_path / "home"
    user_home.mkdir(exist_ok=True)

    def run(*args, input=None, env=None, cwd=None, timeout=60, argv0=None):
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(user_home),
            "CODEX_HOME": str(codex_home),
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        }
        if env:
            e.update(env)
        exe = str(CODEX_BIN)
        argv = [argv0 or exe, *[str(a) for a in args]]
        return subprocess.run(argv, executable=exe, input=input, env=e, cwd=cwd or tmp_path,
                              capture_output=True, timeout=timeout,
                              text=not isinstance(input, bytes))
    return run
