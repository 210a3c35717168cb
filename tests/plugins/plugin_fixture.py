"""A marketplace on disk for the plugin tests (also used by
tests/app_server/test_plugin_methods.py)."""
import json
import pathlib

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
