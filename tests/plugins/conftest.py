"""Fixtures for the plugin tests: a local marketplace in a temp folder with
one plugin that has a skill and an MCP server (the deterministic fixture
server of tests/mcp), and a Git repository of the same marketplace reached
through a URL rewrite, so Git sources work without a network."""
import pytest

from plugin_fixture import make_git_market, write_marketplace


@pytest.fixture
def market(tmp_path):
    return write_marketplace(tmp_path / "mkt")


@pytest.fixture
def git_market(tmp_path):
    """(url, repo, env): a Git repository holding the marketplace, cloned
    through https://example.invalid/ rewritten to the local path."""
    return make_git_market(tmp_path)
