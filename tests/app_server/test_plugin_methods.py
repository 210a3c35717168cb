"""plugin/list, plugin/installed, plugin/read, plugin/install,
plugin/uninstall and marketplace/add|remove|upgrade over local marketplaces,
in the reference's shapes (every answer is checked against the protocol
schema by AppServer), and the refusals for what only the hosted catalog
has."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "plugins"))

from plugin_fixture import write_marketplace  # noqa: E402


def manifest(market):
    return str(market / ".agents" / "plugins" / "marketplace.json")


def test_marketplace_add_list_install_read_uninstall(server, tmp_path, codex_home):
    market = write_marketplace(tmp_path / "mkt")
    empty = server.call("plugin/list", {})["result"]
    assert empty == {"marketplaces": [], "marketplaceLoadErrors": [], "featuredPluginIds": []}
    added = server.call("marketplace/add", {"source": str(market)})["result"]
    assert added == {"marketplaceName": "debug", "installedRoot": str(market), "alreadyAdded": False}
    again = server.call("marketplace/add", {"source": str(market)})["result"]
    assert again["alreadyAdded"] is True

    listed = server.call("plugin/list", {})["result"]
    [m] = listed["marketplaces"]
    assert (m["name"], m["path"], m["interface"]) == ("debug", manifest(market), {"displayName": "Debug Market"})
    sample, other = m["plugins"]
    assert sample["id"] == "sample@debug" and sample["installed"] is False
    assert sample["localVersion"] == "1.2.0" and sample["version"] is None
    assert sample["source"] == {"type": "local", "path": str(market / "plugins" / "sample")}
    assert sample["interface"]["displayName"] == "Sample"
    assert sample["interface"]["category"] == "Coding"  # the marketplace's category wins
    assert other["interface"] is None and other["localVersion"] is None
    assert server.call("plugin/installed", {})["result"] == {"marketplaces": [], "marketplaceLoadErrors": []}

    installed = server.call("plugin/install", {"marketplacePath": manifest(market),
                                               "pluginName": "sample"})["result"]
    assert installed == {"authPolicy": "ON_INSTALL", "appsNeedingAuth": []}
    root = codex_home / "plugins" / "cache" / "debug" / "sample" / "1.2.0"
    assert (root / ".codex-plugin" / "plugin.json").exists()
    [m] = server.call("plugin/installed", {})["result"]["marketplaces"]
    assert [(p["id"], p["installed"], p["enabled"]) for p in m["plugins"]] == [("sample@debug", True, True)]

    detail = server.call("plugin/read", {"marketplacePath": manifest(market),
                                         "pluginName": "sample"})["result"]["plugin"]
    assert detail["marketplaceName"] == "debug" and detail["description"] == "A sample plugin"
    assert detail["mcpServers"] == ["fxp"]
    assert detail["skills"] == [{"name": "sample:hello", "description": "say hello",
                                 "shortDescription": None, "interface": None, "enabled": True,
                                 "path": str(market / "plugins" / "sample" / "skills" / "hello" / "SKILL.md")}]
    assert detail["summary"]["installed"] is True

    skills = server.call("skills/list", {"cwds": [str(tmp_path)]})["result"]["data"][0]["skills"]
    mine = [s for s in skills if s["name"] == "sample:hello"]
    assert mine and mine[0]["pluginId"] == "sample@debug" and mine[0]["scope"] == "user"
    assert mine[0]["path"] == str(root / "skills" / "hello" / "SKILL.md")

    statuses = server.call("mcpServerStatus/list", {})["result"]["data"]
    assert "fxp" in [s["name"] for s in statuses]

    assert server.call("plugin/uninstall", {"pluginId": "sample@debug"})["result"] == {}
    assert not (codex_home / "plugins" / "cache" / "debug" / "sample").exists()
    assert server.call("plugin/installed", {})["result"]["marketplaces"] == []
    removed = server.call("marketplace/remove", {"marketplaceName": "debug"})["result"]
    assert removed == {"marketplaceName": "debug", "installedRoot": None}
    assert server.call("plugin/list", {})["result"]["marketplaces"] == []


def test_errors_and_refusals(server, tmp_path):
    market = write_marketplace(tmp_path / "mkt")
    server.call("marketplace/add", {"source": str(market)})
    e = server.call("plugin/read", {"marketplacePath": manifest(market), "pluginName": "nope"})["error"]
    assert e == {"code": -32600, "message": "plugin `nope` was not found in marketplace `debug`"}
    e = server.call("plugin/install", {"marketplacePath": manifest(market), "pluginName": "other"})["error"]
    assert e["code"] == -32600 and "plugins/other" in e["message"]
    e = server.call("plugin/read", {"remoteMarketplaceName": "openai-curated", "pluginName": "x"})["error"]
    assert e["code"] == -32600 and "hosted catalog" in e["message"]
    e = server.call("plugin/skill/read", {"remoteMarketplaceName": "m", "remotePluginId": "p",
                                          "skillName": "s"})["error"]
    assert e["code"] == -32601 and "hosted plugin catalog" in e["message"]
    e = server.call("plugin/list", {"marketplaceKinds": ["remote"]})["error"]
    assert e["code"] == -32600 and "hosted catalog" in e["message"]
    e = server.call("plugin/read", {"marketplacePath": str(tmp_path / "x.json"), "pluginName": "x"})["error"]
    assert e["code"] == -32600 and ".agents/plugins/marketplace.json" in e["message"]
    e = server.call("marketplace/remove", {"marketplaceName": "nomkt"})["error"]
    assert e == {"code": -32600, "message": "marketplace `nomkt` is not configured or installed"}
    e = server.call("marketplace/add", {"source": "file:///nope"})["error"]
    assert "invalid marketplace source format" in e["message"]
    up = server.call("marketplace/upgrade", {})["result"]
    assert up == {"selectedMarketplaces": [], "upgradedRoots": [], "errors": []}
    e = server.call("plugin/uninstall", {"pluginId": "no-at-sign"})["error"]
    assert e["code"] == -32600 and "<plugin>@<marketplace>" in e["message"]
    bad = tmp_path / "bad" / ".agents" / "plugins"
    bad.mkdir(parents=True)
    (bad / "marketplace.json").write_text("{\"name\": \"x\",")
    e = server.call("marketplace/add", {"source": str(tmp_path / "bad")})["error"]
    assert f"{bad}/marketplace.json:1:" in e["message"]


def test_a_broken_configured_marketplace_is_a_load_error(server, tmp_path, codex_home):
    market = write_marketplace(tmp_path / "mkt")
    server.call("marketplace/add", {"source": str(market)})
    (market / ".agents" / "plugins" / "marketplace.json").write_text("[1,")
    r = server.call("plugin/list", {})["result"]
    assert r["marketplaces"] == []
    [err] = r["marketplaceLoadErrors"]
    assert err["marketplacePath"] == manifest(market) and "invalid JSON" in err["message"]


def test_repository_and_home_marketplaces_are_in_scope(server, tmp_path):
    """plugin/list considers $HOME's marketplace and, for each of cwds, the
    marketplace at that folder or at its Git root."""
    import subprocess
    home = write_marketplace(tmp_path / "home", name="homemkt")
    repo = write_marketplace(tmp_path / "repo", name="repomkt")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "sub").mkdir()
    r = server.call("plugin/list", {"cwds": [str(repo / "sub")]})["result"]
    assert [(m["name"], m["path"]) for m in r["marketplaces"]] == [
        ("homemkt", manifest(home)), ("repomkt", manifest(repo))]
    r = server.call("plugin/list", {})["result"]
    assert [m["name"] for m in r["marketplaces"]] == ["homemkt"]
    done = server.call("plugin/install", {"marketplacePath": manifest(repo), "pluginName": "sample"})
    assert done["result"]["authPolicy"] == "ON_INSTALL"


def test_git_marketplace_add_and_upgrade(start_server, tmp_path, codex_home):
    """marketplace/add and marketplace/upgrade run git on the thread pool;
    other requests are answered meanwhile and the results have the
    reference's shapes."""
    from plugin_fixture import commit_all, make_git_market
    url, repo, env = make_git_market(tmp_path)
    s = start_server(env=env)
    s.initialize()
    add_id = s.request("marketplace/add", {"source": url, "refName": "main"})
    assert s.call("plugin/list", {})["result"]["featuredPluginIds"] == []
    added = s.response(add_id)["result"]
    root = codex_home / ".tmp" / "marketplaces" / "debug"
    assert added == {"marketplaceName": "debug", "installedRoot": str(root), "alreadyAdded": False}
    up = s.call("marketplace/upgrade", {"marketplaceName": "debug"})["result"]
    assert up == {"selectedMarketplaces": ["debug"], "upgradedRoots": [], "errors": []}
    (repo / "NEW").write_text("x")
    commit_all(repo, "two")
    up = s.call("marketplace/upgrade", {})["result"]
    assert up == {"selectedMarketplaces": ["debug"], "upgradedRoots": [str(root)], "errors": []}
    e = s.call("marketplace/add", {"source": "https://example.invalid/none.git"})["error"]
    assert e["code"] == -32600 and "git clone https://example.invalid/none.git failed" in e["message"]
    removed = s.call("marketplace/remove", {"marketplaceName": "debug"})["result"]
    assert removed == {"marketplaceName": "debug", "installedRoot": str(root)}
    assert s.close() == 0


def test_thread_says_which_plugin_servers_it_cannot_start(start_server, tmp_path, codex_home):
    """A thread starts a plugin's MCP servers with the configured ones; a
    plugin whose server file cannot be used is a "warning" notification
    naming the plugin and the file, and the thread starts anyway."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "exec"))
    from exec_helpers import write_config
    write_config(codex_home, 9)
    market = write_marketplace(tmp_path / "mkt")
    s = start_server()
    s.initialize()
    s.call("marketplace/add", {"source": str(market)})
    s.call("plugin/install", {"marketplacePath": manifest(market), "pluginName": "sample"})
    bad = codex_home / "plugins" / "cache" / "debug" / "sample" / "1.2.0" / ".mcp.json"
    bad.write_text('{"mcpServers": {"fxp": {"command": ["not", "a", "string"]}}}')
    r = s.call("thread/start", {"cwd": str(tmp_path)})
    assert "error" not in r, r
    s.call("thread/loaded/list", {})  # the warnings follow the answer
    msgs = [n["params"]["message"] for n in s.notifications("warning")]
    assert any(m.startswith("plugin `sample@debug`: ") and str(bad) in m and
               m.endswith("its MCP servers are not started") for m in msgs), msgs
    s.close()
