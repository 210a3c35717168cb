"""A session uses an installed plugin: its skill is listed to the model as
<plugin>:<skill> and its SKILL.md reaches the model when mentioned, and its
MCP server starts like a configured one (in the plugin's folder) and its
tools can be called.  A disabled or removed plugin contributes nothing."""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "exec"))
sys.path.insert(0, str(HERE.parents[0] / "mcp"))

from plugin_fixture import write_marketplace  # noqa: E402
from exec_helpers import MockServer  # noqa: E402
from mcp_helpers import call, exec_config, outputs, read_log  # noqa: E402


def install(run_codex, market):
    assert run_codex("plugin", "marketplace", "add", market).returncode == 0
    r = run_codex("plugin", "add", "sample@debug")
    assert r.returncode == 0, r.stderr


def exec_turn(run_codex, tmp_path, codex_home, script, prompt, setup):
    mock = MockServer(tmp_path, script)
    try:
        exec_config(codex_home, mock.port, "")
        setup()
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-s", "read-only", prompt,
                      env={"MOCK_API_KEY": "test-key"}, cwd=tmp_path, timeout=90)
        return r, mock.requests()
    finally:
        mock.stop()


def developer_text(body):
    return "\n".join(c["text"] for i in body["input"]
                     if i.get("type") == "message" and i.get("role") == "developer"
                     for c in i["content"])


def test_plugin_skill_and_mcp_server_in_a_session(run_codex, tmp_path, codex_home):
    log = tmp_path / "fxp.log"
    market = write_marketplace(tmp_path / "mkt", with_mcp_log=log)
    script = [[call("echo", {"message": "from plugin"}, "c1", namespace="mcp__fxp")],
              [{"type": "message", "text": "done"}]]
    r, reqs = exec_turn(run_codex, tmp_path, codex_home, script, "use $sample:hello now",
                        lambda: install(run_codex, market))
    assert r.returncode == 0, r.stderr
    first = reqs[0]["body"]
    root = codex_home / "plugins" / "cache" / "debug" / "sample" / "1.2.0"
    dev = developer_text(first)
    assert "- sample:hello: say hello" in dev
    user = [c["text"] for i in first["input"] if i.get("role") == "user" for c in i["content"]]
    assert any("PLUGINSKILLBODY" in t and str(root / "skills" / "hello" / "SKILL.md") in t for t in user)
    assert outputs(reqs[1])["c1"] is not None and "from plugin" in json.dumps(outputs(reqs[1])["c1"])
    start = read_log(log)[0]
    assert start["cwd"] == str(root)


def test_disabled_plugin_contributes_nothing(run_codex, tmp_path, codex_home):
    log = tmp_path / "fxp.log"
    market = write_marketplace(tmp_path / "mkt", with_mcp_log=log)

    def setup():
        install(run_codex, market)
        text = (codex_home / "config.toml").read_text()
        (codex_home / "config.toml").write_text(
            text.replace('[plugins."sample@debug"]\nenabled = true', '[plugins."sample@debug"]\nenabled = false'))
    r, reqs = exec_turn(run_codex, tmp_path, codex_home, [[{"type": "message", "text": "ok"}]],
                        "hi", setup)
    assert r.returncode == 0, r.stderr
    assert "sample:hello" not in developer_text(reqs[0]["body"])
    assert not log.exists()
    lines = run_codex("plugin", "list").stdout.splitlines()
    assert lines[4].startswith("sample@debug  installed, disabled  1.2.0")


def test_configured_server_of_the_same_name_wins(run_codex, tmp_path, codex_home):
    log = tmp_path / "fxp.log"
    market = write_marketplace(tmp_path / "mkt", with_mcp_log=log)

    def setup():
        install(run_codex, market)
        with open(codex_home / "config.toml", "a") as f:
            f.write('\n[mcp_servers.fxp]\ncommand = "python3"\nargs = ["-c", "pass"]\nenabled = false\n')
    r, _ = exec_turn(run_codex, tmp_path, codex_home, [[{"type": "message", "text": "ok"}]], "hi", setup)
    assert r.returncode == 0, r.stderr
    assert not log.exists()


def test_unusable_plugin_server_file_is_reported(run_codex, tmp_path, codex_home):
    market = write_marketplace(tmp_path / "mkt")

    def setup():
        install(run_codex, market)
        bad = codex_home / "plugins" / "cache" / "debug" / "sample" / "1.2.0" / ".mcp.json"
        bad.write_text('{"mcpServers": {"fxp": {"command": 5}}}')
    r, _ = exec_turn(run_codex, tmp_path, codex_home, [[{"type": "message", "text": "ok"}]], "hi", setup)
    assert r.returncode == 0, r.stderr
    assert "codex-c: plugin `sample@debug`:" in r.stderr
    assert ".mcp.json" in r.stderr and "not started" in r.stderr
