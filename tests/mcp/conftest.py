"""Fixtures for the MCP tests: codex exec against the scripted model with
MCP servers configured (the deterministic fixture server, a misbehaving
one, and real npm peers when node is there)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "exec"))

from exec_helpers import MockServer  # noqa: E402
from mcp_helpers import FIXTURE, exec_config  # noqa: E402


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
def mcp_exec(tmp_path, codex_home, repo, run_codex):
    """mcp_exec(script, servers_toml, *args, model=..., env=...) -> (proc, mock, events)."""
    servers = []

    def run(script, servers_toml, *args, model="gpt-5.5", env=None, sandbox="read-only",
            top="", timeout=90, input=""):
        mock = MockServer(tmp_path, script)
        servers.append(mock)
        exec_config(codex_home, mock.port, servers_toml, model=model, top=top)
        e = {"MOCK_API_KEY": "test-key", "LANG": "C.UTF-8", "TZ": "UTC",
             "SECRET_NOT_FOR_SERVERS": "leak"}
        e.update(env or {})
        argv = ["exec", "--skip-git-repo-check", "--json"]
        if sandbox:
            argv += ["-s", sandbox]
        argv += list(args) + ["use the tools"]
        r = run_codex(*argv, env=e, cwd=repo, timeout=timeout, input=input)
        events = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        return r, mock, events
    yield run
    for m in servers:
        m.stop()
