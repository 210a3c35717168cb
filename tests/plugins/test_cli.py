"""`codex plugin` and `codex plugin marketplace` against local and Git
marketplaces: outputs, --json shapes, messages and exit codes as reference
0.169.0 has them (FINDINGS.md here), the config.toml they write, the files
they create, and what they refuse."""
import json
import os

from plugin_fixture import commit_all


def out(r):
    return r.stdout


def test_empty_state_lists(run_codex):
    r = run_codex("plugin", "marketplace", "list")
    assert (r.returncode, r.stdout) == (0, "No plugin marketplaces in scope.\n")
    r = run_codex("plugin", "marketplace", "list", "--json")
    assert json.loads(r.stdout) == {"marketplaces": []}
    r = run_codex("plugin", "list")
    assert (r.returncode, r.stdout) == (0, "No marketplace plugins found.\n")
    assert json.loads(run_codex("plugin", "list", "--json").stdout) == {"installed": [], "available": []}


def test_local_marketplace_add_list_and_config(run_codex, market, codex_home):
    r = run_codex("plugin", "marketplace", "add", market)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (f"Added marketplace `debug` from {market}.\n"
                        f"Installed marketplace root: {market}\n")
    assert (codex_home / "config.toml").read_text() == (
        f'[marketplaces.debug]\nsource_type = "local"\nsource = "{market}"\n')
    again = run_codex("plugin", "marketplace", "add", market)
    assert again.stdout.startswith(f"Marketplace `debug` is already added from {market}.\n")
    j = json.loads(run_codex("plugin", "marketplace", "add", market, "--json").stdout)
    assert j == {"marketplaceName": "debug", "installedRoot": str(market), "alreadyAdded": True}
    assert run_codex("plugin", "marketplace", "list").stdout == f"MARKETPLACE  ROOT\ndebug        {market}\n"
    j = json.loads(run_codex("plugin", "marketplace", "list", "--json").stdout)
    assert j == {"marketplaces": [{"name": "debug", "root": str(market),
                                   "marketplaceSource": {"sourceType": "local", "source": str(market)}}]}
    r = run_codex("plugin", "list")
    assert r.stdout == (
        f"Marketplace `debug`\n{market}/.agents/plugins/marketplace.json\n\n"
        "PLUGIN        STATUS         VERSION  SOURCE\n"
        f"sample@debug  not installed           {market}/plugins/sample\n"
        f"other@debug   not installed           {market}/plugins/other\n")
    j = json.loads(run_codex("plugin", "list", "--json").stdout)
    assert j == {"installed": [], "available": []}
    j = json.loads(run_codex("plugin", "list", "--available", "--json").stdout)
    assert [p["pluginId"] for p in j["available"]] == ["sample@debug", "other@debug"]
    assert j["available"][0]["version"] == "1.2.0" and j["available"][1]["version"] is None
    assert j["available"][0]["source"] == {"source": "local", "path": f"{market}/plugins/sample"}


def test_relative_local_source_is_resolved(run_codex, market, tmp_path, codex_home):
    r = run_codex("plugin", "marketplace", "add", "./mkt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f'source = "{market}"' in (codex_home / "config.toml").read_text()


def test_plugin_add_installs_a_copy_and_enables_it(run_codex, market, codex_home):
    run_codex("plugin", "marketplace", "add", market)
    r = run_codex("plugin", "add", "sample@debug")
    root = codex_home / "plugins" / "cache" / "debug" / "sample" / "1.2.0"
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"Added plugin `sample` from marketplace `debug`.\nInstalled plugin root: {root}\n"
    assert (root / "skills" / "hello" / "SKILL.md").read_text().endswith("PLUGINSKILLBODY\n")
    assert (root / ".codex-plugin" / "plugin.json").exists()
    assert (codex_home / "config.toml").read_text().endswith('[plugins."sample@debug"]\nenabled = true\n')
    # nothing staged is left beside the cache entry
    assert sorted(os.listdir(codex_home / "plugins" / "cache" / "debug")) == ["sample"]
    lines = run_codex("plugin", "list").stdout.splitlines()
    assert lines[3] == "PLUGIN        STATUS              VERSION  SOURCE"
    assert lines[4] == f"sample@debug  installed, enabled  1.2.0    {market}/plugins/sample"
    j = json.loads(run_codex("plugin", "add", "sample", "-m", "debug", "--json").stdout)
    assert j == {"pluginId": "sample@debug", "name": "sample", "marketplaceName": "debug",
                 "version": "1.2.0", "installedPath": str(root), "authPolicy": "ON_INSTALL"}
    j = json.loads(run_codex("plugin", "list", "--json").stdout)
    assert [(p["pluginId"], p["installed"], p["enabled"]) for p in j["installed"]] == [
        ("sample@debug", True, True)]


def test_plugin_remove_deletes_cache_and_config_entry(run_codex, market, codex_home):
    run_codex("plugin", "marketplace", "add", market)
    run_codex("plugin", "add", "sample@debug")
    r = run_codex("plugin", "remove", "sample@debug", "--json")
    assert json.loads(r.stdout) == {"pluginId": "sample@debug", "name": "sample", "marketplaceName": "debug"}
    assert not (codex_home / "plugins" / "cache" / "debug" / "sample").exists()
    assert "plugins" not in (codex_home / "config.toml").read_text()
    # removing what is not installed succeeds, as the reference
    r = run_codex("plugin", "remove", "nope", "-m", "debug")
    assert (r.returncode, r.stdout) == (0, "Removed plugin `nope` from marketplace `debug`.\n")


def test_plugin_errors_name_what_is_wrong(run_codex, market, codex_home):
    run_codex("plugin", "marketplace", "add", market)
    r = run_codex("plugin", "add", "nope@debug")
    assert (r.returncode, r.stderr) == (1, "Error: plugin `nope` was not found in marketplace `debug`\n")
    r = run_codex("plugin", "add", "sample@nomkt")
    assert (r.returncode, r.stderr) == (1, "Error: plugin `sample` was not found in marketplace `nomkt`\n")
    r = run_codex("plugin", "add", "sample")
    assert (r.returncode, r.stderr) == (
        1, "Error: plugin requires --marketplace unless passed as <plugin>@<marketplace>\n")
    r = run_codex("plugin", "add", "other@debug")
    assert r.returncode == 1 and "plugins/other" in r.stderr
    r = run_codex("plugin", "add", "../x@debug")
    assert r.returncode == 1 and "invalid plugin selector" in r.stderr
    r = run_codex("plugin", "add")
    assert r.returncode == 2 and "<PLUGIN[@MARKETPLACE]>" in r.stderr
    r = run_codex("plugin", "frobnicate")
    assert r.returncode == 2 and "unrecognized subcommand 'frobnicate'" in r.stderr
    assert not (codex_home / "plugins").exists()


def test_not_available_plugin_is_refused(run_codex, tmp_path):
    from plugin_fixture import write_marketplace
    m = write_marketplace(tmp_path / "m2", plugins=[
        {"name": "sample", "source": {"source": "local", "path": "./plugins/sample"},
         "policy": {"installation": "NOT_AVAILABLE"}}])
    run_codex("plugin", "marketplace", "add", m)
    r = run_codex("plugin", "add", "sample@debug")
    assert (r.returncode, r.stderr) == (
        1, "Error: plugin `sample` is not available for install in marketplace `debug`\n")


def test_failed_copy_leaves_no_half_installed_plugin(run_codex, market, codex_home):
    """A copy that fails halfway (a path too long for the cache, which is
    deeper than the source) leaves neither a cache entry nor a config entry."""
    run_codex("plugin", "marketplace", "add", market)
    deep = market / "plugins" / "sample" / "skills"
    budget = 4090 - len(str(deep))
    parts = []
    while budget > 201:
        parts.append("d" * 200)
        budget -= 201
    if budget > 1:
        parts.append("e" * (budget - 1))
    target = deep.joinpath(*parts)
    assert len(str(target)) < 4096
    os.makedirs(target)
    (target / "f").write_text("x") if len(str(target / "f")) < 4095 else None
    r = run_codex("plugin", "add", "sample@debug")
    assert r.returncode == 1
    assert "cannot create" in r.stderr and "File name too long" in r.stderr
    cache = codex_home / "plugins" / "cache" / "debug"
    assert not cache.exists() or os.listdir(cache) == []
    assert "plugins." not in (codex_home / "config.toml").read_text()
    # the previous install survives a failed reinstall
    import shutil
    shutil.rmtree(market / "plugins" / "sample" / "skills" / parts[0])
    assert run_codex("plugin", "add", "sample@debug").returncode == 0
    os.makedirs(target)
    r = run_codex("plugin", "add", "sample@debug")
    assert r.returncode == 1
    assert (cache / "sample" / "1.2.0" / "skills" / "hello" / "SKILL.md").exists()
    assert sorted(os.listdir(cache)) == ["sample"]


def test_marketplace_errors(run_codex, tmp_path, codex_home):
    r = run_codex("plugin", "marketplace", "add", "/nonexistent")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to resolve local marketplace source path /nonexistent")
    r = run_codex("plugin", "marketplace", "add", str(tmp_path))
    assert r.returncode == 1
    assert f"invalid marketplace file `{tmp_path}`: marketplace root does not contain a supported manifest" in r.stderr
    r = run_codex("plugin", "marketplace", "add", "file:///x/y")
    assert r.stderr == ("Error: invalid marketplace source format; expected owner/repo, a git URL, "
                        "or a local marketplace path\n")
    bad = tmp_path / "bad" / ".agents" / "plugins"
    bad.mkdir(parents=True)
    (bad / "marketplace.json").write_text('{"name":"bad",\n "plugins": [ }')
    r = run_codex("plugin", "marketplace", "add", tmp_path / "bad")
    assert r.returncode == 1
    assert f"{bad}/marketplace.json:2:15: invalid JSON" in r.stderr
    (bad / "marketplace.json").write_text(
        '{"name":"bad","plugins":[{"name":"x","source":{"source":"local","path":"../escape"}}]}')
    r = run_codex("plugin", "marketplace", "add", tmp_path / "bad")
    assert "plugins[0].source.path: local plugin source path must start with `./`" in r.stderr
    r = run_codex("plugin", "marketplace", "add", tmp_path / "bad", "--ref", "main")
    assert r.stderr == "Error: --ref is only supported for git marketplace sources\n"
    r = run_codex("plugin", "marketplace", "remove", "nomkt")
    assert (r.returncode, r.stderr) == (1, "Error: marketplace `nomkt` is not configured or installed\n")
    r = run_codex("plugin", "marketplace", "upgrade")
    assert (r.returncode, r.stdout) == (0, "No configured Git marketplaces to upgrade.\n")
    assert not (codex_home / "config.toml").exists()


def test_marketplace_remove_keeps_installed_plugins(run_codex, market, codex_home):
    run_codex("plugin", "marketplace", "add", market)
    run_codex("plugin", "add", "sample@debug")
    r = run_codex("plugin", "marketplace", "upgrade", "debug")
    assert (r.returncode, r.stderr) == (1, "Error: marketplace `debug` is not configured as a Git marketplace\n")
    r = run_codex("plugin", "marketplace", "remove", "debug")
    assert (r.returncode, r.stdout) == (0, "Removed marketplace `debug`.\n")
    assert (codex_home / "config.toml").read_text().strip() == '[plugins."sample@debug"]\nenabled = true'
    assert run_codex("plugin", "list").stdout == "No marketplace plugins found.\n"


def test_git_marketplace_add_upgrade_remove(run_codex, git_market, codex_home):
    url, repo, env = git_market
    r = run_codex("plugin", "marketplace", "add", url, env=env)
    root = codex_home / ".tmp" / "marketplaces" / "debug"
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"Added marketplace `debug` from {url}.\nInstalled marketplace root: {root}\n"
    assert (codex_home / "config.toml").read_text() == (
        f'[marketplaces.debug]\nsource_type = "git"\nsource = "{url}"\n')
    meta = json.loads((root / ".codex-marketplace-install.json").read_text())
    assert meta["source_type"] == "git" and meta["source"] == url and len(meta["revision"]) == 40
    assert os.listdir(codex_home / ".tmp" / "marketplaces" / ".staging") == []
    r = run_codex("plugin", "marketplace", "add", url, env=env)
    assert r.stdout.startswith(f"Marketplace `debug` is already added from {url}.")
    r = run_codex("plugin", "marketplace", "upgrade", env=env)
    assert (r.returncode, r.stdout) == (0, "All configured Git marketplaces are already up to date.\n")
    (repo / "NEW").write_text("new\n")
    commit_all(repo, "two")
    r = run_codex("plugin", "marketplace", "upgrade", "--json", env=env)
    assert json.loads(r.stdout) == {"selectedMarketplaces": ["debug"], "upgradedRoots": [str(root)],
                                    "errors": []}
    assert (root / "NEW").exists()
    r = run_codex("plugin", "add", "sample@debug", env=env)
    assert r.returncode == 0, r.stderr
    r = run_codex("plugin", "marketplace", "remove", "debug", "--json")
    assert json.loads(r.stdout) == {"marketplaceName": "debug", "installedRoot": str(root)}
    assert not root.exists()


def test_git_ref_and_sparse_are_recorded(run_codex, git_market, codex_home):
    url, repo, env = git_market
    r = run_codex("plugin", "marketplace", "add", url, "--ref", "main", "--sparse", ".agents",
                  "--sparse", "plugins", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Added marketplace `debug` from {url}#main.\n")
    assert (codex_home / "config.toml").read_text() == (
        f'[marketplaces.debug]\nsource_type = "git"\nsource = "{url}"\nref = "main"\n'
        'sparse_paths = [".agents", "plugins"]\n')


def test_git_failure_reports_gits_reason_and_leaves_nothing(run_codex, git_market, codex_home):
    _, _, env = git_market
    r = run_codex("plugin", "marketplace", "add", "https://example.invalid/missing.git", env=env)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: git clone https://example.invalid/missing.git failed (exit 128): fatal:")
    assert len(r.stderr.splitlines()) == 1
    assert os.listdir(codex_home / ".tmp" / "marketplaces" / ".staging") == []
    assert not (codex_home / "config.toml").exists()


def test_plugins_feature_off_hides_marketplaces(run_codex, market, codex_home):
    """As the reference: with --disable plugins nothing is in scope, nothing
    can be installed, and a marketplace can still be added."""
    r = run_codex("plugin", "marketplace", "add", market, "--disable", "plugins")
    assert r.returncode == 0, r.stderr
    assert run_codex("plugin", "marketplace", "list", "--disable", "plugins").stdout == \
        "No plugin marketplaces in scope.\n"
    assert run_codex("plugin", "list", "--disable", "plugins").stdout == "No marketplace plugins found.\n"
    r = run_codex("plugin", "add", "sample@debug", "--disable", "plugins")
    assert (r.returncode, r.stderr) == (1, "Error: plugin `sample` was not found in marketplace `debug`\n")
    assert run_codex("plugin", "add", "sample@debug").returncode == 0


def test_home_marketplace_is_in_scope_without_config(run_codex, tmp_path, codex_home, market):
    """$HOME/.agents/plugins/marketplace.json is considered first, has no
    marketplaceSource, can be installed from, and cannot be removed."""
    from plugin_fixture import write_marketplace
    home = write_marketplace(tmp_path / "home", name="homemkt")
    run_codex("plugin", "marketplace", "add", market)
    r = run_codex("plugin", "marketplace", "list")
    assert r.stdout == f"MARKETPLACE  ROOT\nhomemkt      {home}\ndebug        {market}\n"
    j = json.loads(run_codex("plugin", "marketplace", "list", "--json").stdout)
    assert j["marketplaces"][0] == {"name": "homemkt", "root": str(home)}
    j = json.loads(run_codex("plugin", "list", "--available", "--json").stdout)
    first = j["available"][0]
    assert first["pluginId"] == "sample@homemkt" and "marketplaceSource" not in first
    assert list(first)[-2:] == ["installPolicy", "authPolicy"]
    r = run_codex("plugin", "add", "sample@homemkt")
    assert r.returncode == 0, r.stderr
    assert (codex_home / "plugins" / "cache" / "homemkt" / "sample" / "1.2.0").is_dir()
    r = run_codex("plugin", "marketplace", "remove", "homemkt")
    assert (r.returncode, r.stderr) == (1, "Error: marketplace `homemkt` is not configured or installed\n")


def test_source_spellings(run_codex, market, tmp_path, codex_home):
    """A bare folder name is not a local path (the reference wants ./ or /);
    ~/ is the user's home; -m with an unknown marketplace lists nothing."""
    r = run_codex("plugin", "marketplace", "add", "mkt", cwd=tmp_path)
    assert r.returncode == 1 and "invalid marketplace source format" in r.stderr
    import shutil
    shutil.copytree(market, tmp_path / "home" / "m3")
    r = run_codex("plugin", "marketplace", "add", "~/m3")
    assert r.returncode == 0, r.stderr
    assert f'source = "{tmp_path / "home" / "m3"}"' in (codex_home / "config.toml").read_text()
    r = run_codex("plugin", "list", "-m", "nomkt")
    assert (r.returncode, r.stdout) == (0, "No plugins found in marketplace `nomkt`.\n")


def test_nothing_reaches_git_as_an_option(run_codex, git_market, codex_home, tmp_path):
    url, _, env = git_market
    marker = tmp_path / "ran"
    r = run_codex("plugin", "marketplace", "add", f"--upload-pack=touch {marker}@h:x", env=env)
    assert r.returncode == 2  # an unknown flag to us
    r = run_codex("plugin", "marketplace", "add", f"-u=touch@{marker}:x", env=env)
    assert r.returncode in (1, 2) and not marker.exists()
    r = run_codex("plugin", "marketplace", "add", url, "--ref", "--orphan=x", env=env)
    assert (r.returncode, r.stderr) == (1, "Error: a Git ref or sparse path may not start with `-`\n")
    r = run_codex("plugin", "marketplace", "add", url, "--sparse", "--no-cone", env=env)
    assert r.returncode == 1 and "may not start with `-`" in r.stderr
    assert not (codex_home / "config.toml").exists() and not marker.exists()
