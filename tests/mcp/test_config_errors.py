"""Bad [mcp_servers] entries stop the run with one line naming the file,
line and column, before anything starts."""
import pytest

CASES = [
    ('[mcp_servers.a]\ncommand = "x"\nurl = "http://h/mcp"\n', "config.toml:3:7: ",
     "has both `command` and `url`"),
    ('[mcp_servers.a]\nenabled = false\n', "config.toml:1:1: ", "invalid transport"),
    ('[mcp_servers."bad name"]\ncommand = "x"\n', "config.toml:1:1: ", "invalid server name"),
    ('[mcp_servers.a]\ncommand = "x"\ndefault_tools_approval_mode = "bogus"\n', "config.toml:3:31: ",
     "must be one of auto, prompt, writes, approve"),
    ('[mcp_servers.a]\ncommand = "x"\n[mcp_servers.a.tools.t]\napproval_mode = 3\n',
     "config.toml:4:17: ", "approval_mode must be one of"),
    ('[mcp_servers.a]\ncommand = "x"\nstartup_timeout_sec = "10"\n', "config.toml:3:23: ",
     "must be a number of seconds"),
    ('[mcp_servers.a]\nurl = "http://h/mcp"\nenv = { A = "b" }\n', "config.toml:3:7: ",
     "is for stdio servers"),
    ('[mcp_servers.a]\ncommand = "x"\nargs = "not a list"\n', "config.toml:3:8: ",
     "must be an array of strings"),
    ('mcp_servers = 3\n', "config.toml:1:15: ", "must be a table of servers"),
]


@pytest.mark.parametrize("text,where,what", CASES)
def test_bad_entries_name_file_line_and_column(run_codex, codex_home, tmp_path, text, where, what):
    (codex_home / "config.toml").write_text(text)
    r = run_codex("exec", "--skip-git-repo-check", "hi", cwd=tmp_path)
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    assert str(codex_home / where) in lines[0] and what in lines[0]


def test_an_override_is_named_as_the_argument(run_codex, tmp_path):
    r = run_codex("exec", "--skip-git-repo-check", "-c",
                  'mcp_servers.a.default_tools_approval_mode="nope"', "hi", cwd=tmp_path)
    assert r.returncode == 1
    assert "-c mcp_servers.a.default_tools_approval_mode=\"nope\"" in r.stderr
