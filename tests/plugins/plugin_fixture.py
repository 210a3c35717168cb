"""A marketplace on disk for the plugin tests (also used by
tests/app_server/test_plugin_methods.py)."""
import json
import os
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODEX_BIN = pathlib.Path(os.environ.get("CODEX_BIN", ROOT / "build" / "asan" / "codex"))
REFERENCE = pathlib.Path(os.environ.get(
    "CODEX_REFERENCE_BIN",
    "/tmp/peerwork/npm/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"))
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
MCP_FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "mcp" / "servers" / "mcp_fixture_server.py"


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


def commit_all(repo, message):
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=GIT_ENV)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True, env=GIT_ENV)


def make_git_market(tmp_path):
    """(url, repo, env): a Git repository holding the marketplace, reached
    as https://example.invalid/gitm.git through a URL rewrite in a private
    git config (env), so no network is involved."""
    repo = write_marketplace(tmp_path / "gitsrc" / "gitm.git")
    subprocess.run(["git", "init", "-q", "-b", "main", "."], cwd=repo, check=True, env=GIT_ENV)
    commit_all(repo, "one")
    cfg = tmp_path / "gitconfig"
    cfg.write_text(f'[url "file://{tmp_path / "gitsrc"}/"]\n\tinsteadOf = https://example.invalid/\n'
                   '[protocol "file"]\n\tallow = always\n')
    env = {"GIT_CONFIG_GLOBAL": str(cfg), "GIT_CONFIG_NOSYSTEM": "1"}
    return "https://example.invalid/gitm.git", repo, env
