"""Fixtures for codex exec end-to-end tests: a scripted Responses API server
(tests/mock/responses_mock.py), a scratch git repository and a CODEX_HOME
whose config points at the server."""
import json
import os
import subprocess

import pytest

from exec_helpers import MockServer, write_config


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    (r / "README.md").write_text("hi\n")
    subprocess.run(["git", "init", "-q", "."], cwd=r, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=r, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=r, check=True, env=env)
    return r


@pytest.fixture
def mock_server(tmp_path):
    servers = []

    def start(script, repeat_last=False):
        s = MockServer(tmp_path, script, repeat_last)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def exec_run(run_codex, codex_home, repo, mock_server):
    """exec_run(script, *args, ...) -> (CompletedProcess, MockServer, events)."""
    def run(script, *args, repeat_last=False, provider="", top="", model="gpt-5.5",
            sandbox="danger-full-access", input="", env=None, cwd=None, timeout=60):
        server = mock_server(script, repeat_last)
        write_config(codex_home, server.port, provider, top, model)
        e = {"MOCK_API_KEY": "test-key"}
        e.update(env or {})
        argv = ["exec", "--skip-git-repo-check"]
        if sandbox:
            argv += ["-s", sandbox]
        argv += list(args)
        r = run_codex(*argv, input=input, env=e, cwd=cwd or repo, timeout=timeout)
        events = []
        if "--json" in args:
            events = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        return r, server, events
    return run
