"""Fixtures for the thread/turn tests: an app-server whose CODEX_HOME points
at the scripted Responses mock (tests/mock), in a scratch git repository."""
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "app_server"))
sys.path.insert(0, str(HERE.parent / "exec"))

from appserver import CODEX_BIN, AppServer, load_schema  # noqa: E402
from exec_helpers import MockServer, write_config  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def protocol_schema():
    return load_schema()


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    (r / "README.md").write_text("hi\n")
    subprocess.run(["git", "init", "-q", "."], cwd=r, check=True, env=env)
    return r


@pytest.fixture
def threads_server(tmp_path, codex_home, repo):
    """threads_server(script) -> (AppServer initialized, MockServer)."""
    started = []

    def start(script, repeat_last=False, extra_env=None, scenarios=None, capabilities=None):
        mock = MockServer(tmp_path, script, repeat_last, scenarios=scenarios)
        write_config(codex_home, mock.port)
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "CODEX_HOME": str(codex_home), "MOCK_API_KEY": "k",
               "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1", **(extra_env or {})}
        s = AppServer(CODEX_BIN, env, cwd=repo)
        s.initialize(capabilities)
        started.append((s, mock))
        return s, mock

    yield start
    for s, mock in started:
        if s.proc.poll() is None:
            status = s.close()
            assert status == 0, s.stderr
        assert "ERROR: AddressSanitizer" not in s.stderr and "runtime error" not in s.stderr, \
            s.stderr
        mock.stop()
