"""skills/list, skills/config/write and skills/extraRoots/set.

The answers are validated against the protocol schema by AppServer.read; the
shape of a SkillMetadata (keys and their order, pluginId null, the interface
with every key) is the one the reference sent in
../shared/reference/remote_tui/captures/reference_session.jsonl."""
import subprocess


def skill(root, dirname, name, description, extra=""):
    d = root / dirname
    d.mkdir(parents=True, exist_ok=True)
    (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: {description}\n{extra}---\n\nBody.\n")
    return (d / "SKILL.md").resolve()


def git_repo(path):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "."], cwd=path, check=True)
    return path


def by_name(entry):
    return {s["name"]: s for s in entry["skills"]}


def test_list_reports_every_location_with_scope_and_errors(server, codex_home, tmp_path):
    repo = git_repo(tmp_path / "repo")
    cwd = repo / "pkg"
    cwd.mkdir()
    home_skill = skill(codex_home / "skills", "h", "home-skill", "In CODEX_HOME.")
    user_skill = skill(tmp_path / "home" / ".agents" / "skills", "u", "user-skill", "In HOME.")
    repo_skill = skill(repo / ".agents" / "skills", "r", "repo-skill", "In the repo.",
                       extra="metadata:\n  short-description: Short one\n")
    nested = skill(cwd / ".agents" / "skills", "n", "nested-skill", "Nested.")
    (repo / ".agents" / "skills" / "bad").mkdir()
    (repo / ".agents" / "skills" / "bad" / "SKILL.md").write_text("---\nname: [x\n---\n")
    r = server.call("skills/list", {"cwds": [str(cwd)], "forceReload": True})["result"]
    assert len(r["data"]) == 1
    entry = r["data"][0]
    assert entry["cwd"] == str(cwd)
    got = by_name(entry)
    assert got["home-skill"]["path"] == str(home_skill) and got["home-skill"]["scope"] == "user"
    assert got["user-skill"]["path"] == str(user_skill) and got["user-skill"]["scope"] == "user"
    assert got["repo-skill"]["scope"] == "repo" and got["nested-skill"]["scope"] == "repo"
    assert got["nested-skill"]["path"] == str(nested)
    assert list(got["repo-skill"]) == ["name", "description", "shortDescription", "path", "scope",
                                       "enabled", "pluginId"]
    assert got["repo-skill"]["shortDescription"] == "Short one"
    assert got["repo-skill"]["path"] == str(repo_skill)
    assert got["repo-skill"]["enabled"] is True and got["repo-skill"]["pluginId"] is None
    bad = str((repo / ".agents" / "skills" / "bad" / "SKILL.md").resolve())
    assert [e["path"] for e in entry["errors"]] == [bad]
    assert entry["errors"][0]["message"].startswith(bad + ":2:")


def test_list_defaults_to_the_server_cwd_and_shows_the_interface(server, tmp_path):
    s = skill(tmp_path / ".agents" / "skills", "x", "x-skill", "X.")
    (s.parent / "agents").mkdir()
    (s.parent / "agents" / "openai.yaml").write_text(
        "interface:\n  display_name: X Skill\n  default_prompt: Use $x-skill\n"
        "policy:\n  allow_implicit_invocation: false\n")
    r = server.call("skills/list", {})["result"]
    entry = r["data"][0]
    assert entry["cwd"] == str(tmp_path)
    x = by_name(entry)["x-skill"]
    assert x["interface"] == {"displayName": "X Skill", "shortDescription": None, "iconSmall": None,
                              "iconLarge": None, "iconSmallUrl": None, "iconLargeUrl": None,
                              "brandColor": None, "defaultPrompt": "Use $x-skill"}


def test_config_write_disables_and_reenables(server, codex_home, tmp_path):
    cfg = codex_home / "config.toml"
    cfg.write_text('# mine\nmodel = "o3"\n')
    path = skill(codex_home / "skills", "a", "alpha", "A.")
    skill(codex_home / "skills", "b", "beta", "B.")
    r = server.call("skills/config/write", {"path": str(path), "enabled": False})
    assert r["result"] == {"effectiveEnabled": False}
    r = server.call("skills/config/write", {"name": "beta", "enabled": False})
    assert r["result"] == {"effectiveEnabled": False}
    text = cfg.read_text()
    assert text.startswith('# mine\nmodel = "o3"\n')
    got = by_name(server.call("skills/list", {"cwds": [str(tmp_path)]})["result"]["data"][0])
    assert got["alpha"]["enabled"] is False and got["beta"]["enabled"] is False
    # writing it again changes nothing; turning it on removes the entry
    server.call("skills/config/write", {"path": str(path), "enabled": False})
    assert cfg.read_text() == text
    server.call("skills/config/write", {"path": str(path), "enabled": True})
    server.call("skills/config/write", {"name": "beta", "enabled": True})
    got = by_name(server.call("skills/list", {"cwds": [str(tmp_path)]})["result"]["data"][0])
    assert got["alpha"]["enabled"] is True and got["beta"]["enabled"] is True
    assert "skills" not in cfg.read_text()
    assert cfg.read_text().startswith('# mine\nmodel = "o3"\n')


def test_config_write_needs_exactly_one_selector(server, tmp_path):
    for params in ({"enabled": False}, {"enabled": False, "name": "  "},
                   {"enabled": False, "name": "a", "path": str(tmp_path / "SKILL.md")}):
        r = server.call("skills/config/write", params)
        assert r["error"] == {"code": -32602,
                              "message": "skills/config/write requires exactly one of path or name"}
    r = server.call("skills/config/write", {"name": "a"})
    assert r["error"]["code"] == -32600 and "missing field `enabled`" in r["error"]["message"]
    r = server.call("skills/config/write", {"path": "rel/SKILL.md", "enabled": True})
    assert r["error"]["code"] == -32600


def test_extra_roots_are_listed_and_announced(server, tmp_path):
    extra = tmp_path / "extra-skills"
    skill(extra, "e", "extra-skill", "From an extra root.")
    before = by_name(server.call("skills/list", {})["result"]["data"][0])
    assert "extra-skill" not in before
    r = server.call("skills/extraRoots/set", {"extraRoots": [str(extra)]})
    assert r["result"] == {}
    note = server.notifications("skills/changed") or [server.read()]
    assert note[0]["method"] == "skills/changed" and note[0]["params"] == {}
    after = by_name(server.call("skills/list", {})["result"]["data"][0])
    assert after["extra-skill"]["scope"] == "user"
    server.call("skills/extraRoots/set", {"extraRoots": []})
    assert "extra-skill" not in by_name(server.call("skills/list", {})["result"]["data"][0])
    r = server.call("skills/extraRoots/set", {"extraRoots": ["relative"]})
    assert r["error"]["code"] == -32600
    r = server.call("skills/extraRoots/set", {})
    assert r["error"]["code"] == -32600


def test_list_shows_the_bundled_skills_with_system_scope(server, codex_home, tmp_path):
    # asked before any thread: the server writes the bundle first, as the
    # reference does at start-up
    entry = server.call("skills/list", {"cwds": [str(tmp_path)]})["result"]["data"][0]
    sysdir = (codex_home / "skills" / ".system").resolve()
    system = {n: s for n, s in by_name(entry).items() if s["scope"] == "system"}
    assert sorted(system) == ["openai-docs", "review-agent", "skill-creator", "skill-installer"]
    for name, s in system.items():
        assert s["path"] == str(sysdir / name / "SKILL.md") and s["enabled"] is True
    # listed to users, unlike to the model (its policy forbids implicit use)
    assert system["review-agent"]["interface"]["displayName"] == "Review Agent"
    assert system["skill-creator"]["shortDescription"] == "Write or improve a skill"
    assert (sysdir / ".codex-system-skills.marker").exists()
    assert entry["errors"] == []


def test_list_without_bundled_skills_when_turned_off(server, codex_home, tmp_path):
    (codex_home / "config.toml").write_text("[skills.bundled]\nenabled = false\n")
    entry = server.call("skills/list", {"cwds": [str(tmp_path)]})["result"]["data"][0]
    assert [s for s in entry["skills"] if s["scope"] == "system"] == []
    assert not (codex_home / "skills").exists()
