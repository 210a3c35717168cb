"""The CLI skeleton: version, help, dispatch, usage errors."""


def test_version(run_codex):
    r = run_codex("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("codex-c ")
    assert r.stdout.split()[1].count(".") == 2


def test_help_lists_subcommands(run_codex):
    r = run_codex("--help")
    assert r.returncode == 0
    for name in ["exec", "login", "logout", "mcp", "mcp-server", "app-server", "sandbox",
                 "execpolicy", "apply", "resume", "fork", "completion", "features"]:
        assert f"\n  {name} " in r.stdout, name


def test_unknown_flag_is_usage_error(run_codex):
    r = run_codex("--no-such-flag")
    assert r.returncode == 2
    assert "--no-such-flag" in r.stderr
    assert r.stdout == ""


def test_missing_flag_value_is_usage_error(run_codex):
    r = run_codex("--model")
    assert r.returncode == 2
    assert "--model" in r.stderr


def test_invalid_sandbox_value(run_codex):
    r = run_codex("-s", "bogus", "exec", "hi")
    assert r.returncode == 2
    assert "bogus" in r.stderr
