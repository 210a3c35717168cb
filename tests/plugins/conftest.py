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

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MCP_FIXTURE = ROOT / "tests" / "mcp" / "servers" / "mcp_fixture_server.py"
REFERENCE = pathlib.Path(os.environ.get(
    "CODEX_REFERENCE_BIN",
    "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"))

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def write_marketplace(root, name="debug", plugins=None, with_mcp_log=None):
    """A marketplace at root: plugin `sample` (version 1.2.0, skill `hello`,
    MCP server `fxp`) and `other` (listed, but its folder is missing)."""
    (root / ".agents" / "plugins").mkdir(parents=True, exist_ok=True)
    entries = plugins or [
        {"name": "sample", "source": {"source": "local", "path": "./plugins/sample"},
         "policy": {"installation": "AVAILABLE", "authentication": "ON_INSTALL"},
         "category": "Coding"},
        {"name": "other", "source": {"source": "local", "path": "./plugins/other"}},
    ]
    (root / ".agents" / "plugins" / "marketplace.json").write_text(json.dumps(
        {"name": name, "interface": {"displayName": "Debug Market"}, "plugins": entries}, indent=1))
    plugin = root / "plugins" / "sample"
    (plugin / ".codex-plugin").mkdir(parents=True, exist_ok=True)
    (plugin / ".codex-plugin" / "plugin.json").write_text(json.dumps({
        "name": "sample", "version": "1.2.0", "description": "A sample plugin",
        "skills": "./skills", "mcpServers": "./.mcp.json",
        "interface": {"displayName": "Sample", "shortDescription": "short"}}))
    (plugin / "skills" / "hello").mkdir(parents=True, exist_ok=True)
    (plugin / "skills" / "hello" / "SKILL.md").write_text(
        "---\nname: hello\ndescription: say hello\n---\nSay hello. PLUGINSKILLBODY\n")
    args = [str(MCP_FIXTURE)] + (["--log", str(with_mcp_log)] if with_mcp_log else [])
    (plugin / ".mcp.json").write_text(json.dumps(
        {"mcpServers": {"fxp": {"command": "python3", "args": args}}}))
    return root


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
