"""Fixtures for the approval and rules tests: one codex exec turn against the
scripted Responses mock (tests/mock, via tests/exec/exec_helpers.py), whose
model proposes tool calls; the tests look at what the model was told and at
what happened on disk."""
import pathlib
import uuid
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "exec"))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from exec_helpers import MockServer, write_config  # noqa: E402
from approvals_helpers import Turn  # noqa: E402


@pytest.fixture
def workspace(tmp_path):
    w = tmp_path / "work"
    w.mkdir()
    return w


@pytest.fixture
def outside(tmp_path):
    """A directory outside every writable root (not under /tmp either)."""
    d = pathlib.Path("/var/tmp") / f"codex-approvals-{uuid.uuid4().hex}"
    d.mkdir(exist_ok=True)
    yield d
    for p in d.iterdir():
        p.unlink()
    d.rmdir()


@pytest.fixture
def rules(codex_home):
    def write(text, name="default.rules"):
        d = codex_home / "rules"
        d.mkdir(exist_ok=True)
        (d / name).write_text(text)
        return d / name
    return write


@pytest.fixture
def turn(run_codex, codex_home, workspace, tmp_path):
    """turn(calls, *exec_args, top="", env=None) -> Turn: the model proposes
    the calls in its first response and ends the turn with its second."""
    servers = []

    def run(calls, *args, top="", env=None, sandbox="workspace-write"):
        items = [dict(c, call_id=f"call_{i}") for i, c in enumerate(calls)]
        server = MockServer(tmp_path, [items, [{"type": "message", "text": "done"}]])
        servers.append(server)
        write_config(codex_home, server.port, "", top)
        e = {"MOCK_API_KEY": "test-key",
             "CODEX_REQUIREMENTS_PATH": str(tmp_path / "no-requirements.toml")}
        e.update(env or {})
        argv = ["exec", "--skip-git-repo-check", "--json", "-s", sandbox, *args, "go"]
        proc = run_codex(*argv, input="", env=e, cwd=workspace)
        return Turn(proc, server)
    yield run
    for s in servers:
        s.stop()
