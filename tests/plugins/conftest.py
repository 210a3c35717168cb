"""Fixtures for the plugin tests: a local marketplace in a temp folder with
one plugin that has a skill and an MCP server (the deterministic fixture
server of tests/mcp), and a Git repository of the same marketplace reached
through a URL rewrite, so Git sources work without a network."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from plugin_fixture import write_marketplace  # noqa: F401 (tests import it from here)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", ROOT / "build" / "asan" / "codex"))
REFERENCE = pathlib.Path(os.environ.get(
    "CODEX_REFERENCE_BIN",
    "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"))

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


@pytest.fixture
def market(tmp_path):
    return write_marketplace(tmp_path / "mkt")


@pytest.fixture
def git_market(tmp_path):
    """(url, repo, env): a Git repository holding the marketplace, cloned
    through https://example.invalid/ rewritten to the local path."""
    repo = write_marketplace(tmp_path / "gitsrc" / "gitm.git")
    subprocess.run(["git", "init", "-q", "-b", "main", "."], cwd=repo, check=True, env=GIT_ENV)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=GIT_ENV)
    subprocess.run(["git", "commit", "-qm", "one"], cwd=repo, check=True, env=GIT_ENV)
    cfg = tmp_path / "gitconfig"
    cfg.write_text(f'[url "file://{tmp_path / "gitsrc"}/"]\n\tinsteadOf = https://example.invalid/\n'
                   '[protocol "file"]\n\tallow = always\n')
    env = {"GIT_CONFIG_GLOBAL": str(cfg), "GIT_CONFIG_NOSYSTEM": "1"}
    return "https://example.invalid/gitm.git", repo, env


def commit_all(repo, message):
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=GIT_ENV)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True, env=GIT_ENV)
