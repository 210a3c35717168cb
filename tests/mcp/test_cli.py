"""`codex mcp list|get|add|remove|login|logout`: the reference's texts and
exit codes (FINDINGS §1), and edits that keep the user's comments."""
import json

import pytest


def test_list_with_nothing_configured_creates_nothing(run_codex, codex_home):
    r = run_codex("mcp", "list")
    assert r.returncode == 0
    assert r.stdout == "No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.\n"
    assert run_codex("mcp", "list", "--json").stdout.strip() == "[]"
    assert not (codex_home / "config.toml").exists()


def test_add_writes_the_reference_tables_and_keeps_comments(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text('# mine\nmodel = "x" # keep me\n\n[profiles.a]\nmodel = "y"\n')
    assert run_codex("mcp", "add", "ev", "--", "npx", "-y", "pkg").stdout == "Added global MCP server 'ev'.\n"
    run_codex("mcp", "add", "ev2", "--env", "FOO=bar", "--env", "BAZ=qux", "--", "node", "x.js", "a b")
    r = run_codex("mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp")
    assert r.stdout == ("Added global MCP server 'web'.\nMCP server may or may not require login. "
                        "Run `codex mcp login web` to login.\n")
    run_codex("mcp", "add", "web2", "--url", "http://127.0.0.1:9/mcp", "--bearer-token-env-var", "MY_TOKEN")
    run_codex("mcp", "add", "a.b", "--", "x")
    text = cfg.read_text()
    assert text.startswith('# mine\nmodel = "x" # keep me\n\n[profiles.a]\nmodel = "y"\n')
    assert '[mcp_servers.ev]\ncommand = "npx"\nargs = ["-y", "pkg"]\n' in text
    assert ('[mcp_servers.ev2]\ncommand = "node"\nargs = ["x.js", "a b"]\n\n'
            '[mcp_servers.ev2.env]\nBAZ = "qux"\nFOO = "bar"\n') in text
    assert '[mcp_servers.web]\nurl = "http://127.0.0.1:9/mcp"\n' in text
    assert '[mcp_servers.web2]\nurl = "http://127.0.0.1:9/mcp"\nbearer_token_env_var = "MY_TOKEN"\n' in text
    assert '[mcp_servers."a.b"]\ncommand = "x"\n' in text


def test_a_new_config_is_0600(run_codex, codex_home):
    run_codex("mcp", "add", "s", "--", "x")
    assert oct((codex_home / "config.toml").stat().st_mode & 0o777) == "0o600"


def test_list_and_get_formats(run_codex, codex_home):
    run_codex("mcp", "add", "zeta", "--env", "B=2", "--env", "A=1", "--", "node", "x.js", "a b")
    run_codex("mcp", "add", "Alpha", "--", "x")
    run_codex("mcp", "add", "web", "--url", "http://h/mcp", "--bearer-token-env-var", "TOK")
    out = run_codex("mcp", "list").stdout.splitlines()
    assert out[0] == "Name   Command  Args      Env               Cwd  Status   Auth       "
    assert out[1] == "Alpha  x        -         -                 -    enabled  Unsupported"
    assert out[2] == "zeta   node     x.js a b  A=*****, B=*****  -    enabled  Unsupported"
    assert out[3] == ""
    assert out[4].split() == ["Name", "Url", "Bearer", "Token", "Env", "Var", "Status", "Auth"]
    assert out[5].split() == ["web", "http://h/mcp", "TOK", "enabled", "Bearer", "token"]
    listed = json.loads(run_codex("mcp", "list", "--json").stdout)
    assert [s["name"] for s in listed] == ["Alpha", "web", "zeta"]
    z = listed[2]
    assert z["transport"] == {"type": "stdio", "command": "node", "args": ["x.js", "a b"],
                              "env": {"A": "1", "B": "2"}, "env_vars": [], "cwd": None}
    assert z["auth_status"] == "unsupported" and listed[1]["auth_status"] == "bearer_token"
    assert run_codex("mcp", "get", "zeta").stdout == (
        "zeta\n  enabled: true\n  transport: stdio\n  command: node\n  args: x.js a b\n"
        "  cwd: -\n  env: A=*****, B=*****\n  remove: codex mcp remove zeta\n")
    got = json.loads(run_codex("mcp", "get", "web", "--json").stdout)
    assert got["transport"]["type"] == "streamable_http" and "auth_status" not in got
    assert got["enabled_tools"] is None


def test_a_disabled_server_in_get(run_codex, codex_home):
    (codex_home / "config.toml").write_text('[mcp_servers.off]\ncommand = "x"\nenabled = false\n')
    assert run_codex("mcp", "get", "off").stdout == "off (disabled)\n"


def test_remove_keeps_the_rest(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text('# top\n[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.b]\ncommand = "y" # why\n')
    r = run_codex("mcp", "remove", "a")
    assert r.returncode == 0 and r.stdout == "Removed global MCP server 'a'.\n"
    assert "[mcp_servers.a]" not in cfg.read_text() and "# top" in cfg.read_text()
    assert '[mcp_servers.b]\ncommand = "y" # why\n' in cfg.read_text()
    r = run_codex("mcp", "remove", "a")
    assert r.returncode == 0 and r.stdout == "No MCP server named 'a' found.\n"


@pytest.mark.parametrize("argv,rc,text", [
    (["get", "nope"], 1, "Error: No MCP server named 'nope' found.\n"),
    (["login", "nope"], 1, "Error: No MCP server named 'nope' found.\n"),
    (["logout", "nope"], 1, "Error: No MCP server named 'nope' found in configuration.\n"),
    (["add", "bad name", "--", "x"], 1,
     "Error: invalid server name 'bad name' (use letters, numbers, '-', '_', ':', '@', '/', '.')\n"),
    (["add", "N"], 2, "error: the following required arguments were not provided:"),
    (["add", "N", "--url", "U", "--", "cmd"], 2, "error: the argument '--url <URL>' cannot be used with '[COMMAND]...'"),
    (["add", "N", "--env", "NOEQ", "--", "x"], 2,
     "error: invalid value 'NOEQ' for '--env <KEY=VALUE>': environment entries must be in KEY=VALUE form"),
    (["add", "N", "--url", "U", "--env", "A=b"], 1, "Error: command is required\n"),
    (["add", "N", "--bearer-token-env-var", "T", "--", "x"], 2,
     "error: the following required argument was not provided: url"),
    (["login", "s"], 1, "Error: OAuth login is only supported for streamable HTTP servers.\n"),
    (["logout", "s"], 1, "Error: OAuth logout is only supported for streamable_http transports.\n"),
    ([], 2, "Usage: codex mcp"),
])
def test_errors_and_exit_codes(run_codex, codex_home, argv, rc, text):
    (codex_home / "config.toml").write_text('[mcp_servers.s]\ncommand = "x"\n')
    before = (codex_home / "config.toml").read_text()
    r = run_codex("mcp", *argv)
    assert r.returncode == rc
    assert text in r.stderr
    assert (codex_home / "config.toml").read_text() == before
