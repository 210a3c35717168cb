"""Fixtures for codex exec end-to-end tests: a scripted Responses API server
(tests/mock/responses_mock.py), a scratch git repository and a CODEX_HOME
whose config points at the server."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
MOCK = HERE.parent / "mock" / "responses_mock.py"


class MockServer:
    def __init__(self, tmp_path, script, repeat_last=False):
        if not isinstance(script, (str, pathlib.Path)):
            path = tmp_path / "script.json"
            path.write_text(json.dumps(script))
            script = path
        self.log = tmp_path / "requests.jsonl"
        args = [sys.executable, str(MOCK), str(script), str(self.log)]
        if repeat_last:
            args.append("--repeat-last")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])

    def requests(self):
        return [json.loads(l) for l in self.log.read_text().splitlines() if l.strip()]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


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


def write_config(codex_home, port, extra_provider="", extra_top="", model="gpt-5.5"):
    (codex_home / "config.toml").write_text(
        f'model = "{model}"\nmodel_provider = "mock"\n{extra_top}\n'
        f'[model_providers.mock]\nname = "mock"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        f'wire_api = "responses"\nenv_key = "MOCK_API_KEY"\n{extra_provider}\n'
        '[tools.update_plan]\nenabled = true\n')


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
