"""Fixtures for the plugin tests: a local marketplace in a temp folder with
one plugin that has a skill and an MCP server (the deterministic fixture
server of tests/mcp), and a Git repository of the same marketplace reached
through a URL rewrite, so Git sources work without a network."""
import subprocess

import pytest

from plugin_fixture import GIT_ENV, write_marketplace

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
