"""Fixtures for the app-server tests: a started server with isolated homes."""
import os

import pytest

from appserver import CODEX_BIN, AppServer, load_schema


@pytest.fixture(scope="session", autouse=True)
def protocol_schema():
    return load_schema()


@pytest.fixture
def server_env(tmp_path, codex_home):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "CODEX_HOME": str(codex_home),
        "TERM": "xterm",
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    }


@pytest.fixture
def start_server(server_env, tmp_path):
    started = []

    def start(args=(), env=None):
        e = dict(server_env)
        if env:
            e.update(env)
        s = AppServer(CODEX_BIN, e, cwd=tmp_path, args=args)
        started.append(s)
        return s

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


@pytest.fixture
def server(start_server):
    s = start_server()
    s.initialize()
    yield s
    assert s.close() == 0
    assert "ERROR: AddressSanitizer" not in s.stderr and "runtime error" not in s.stderr, s.stderr
