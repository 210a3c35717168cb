"""Config errors, `codex features` and `codex completion` driven through the binary.

Exit codes asserted here are the reference's (Codex CLI 0.169.0, checked by
hand with a scratch CODEX_HOME): configuration errors (-c without '=',
malformed config.toml, a CODEX_HOME that is missing or not a directory,
unknown feature name) exit 1; usage errors (unknown flag, unknown nested
subcommand, missing <FEATURE>) exit 2.
"""
import re
import shutil
import subprocess

import pytest


def test_override_without_equals_names_the_argument(run_codex):
    r = run_codex("-c", "model", "features", "list")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.strip() == "Error: -c model: invalid override (missing '='); write -c key=value"


def test_override_after_the_subcommand_is_read_too(run_codex):
    r = run_codex("features", "list", "-c", "foo")
    assert r.returncode == 1
    assert "-c foo" in r.stderr


def test_override_that_is_not_toml_is_a_literal_string(run_codex):
    # "[1," does not parse as TOML, so model becomes that text; listing still works.
    r = run_codex("-c", "model=[1,", "features", "list")
    assert r.returncode == 0, r.stderr


def test_malformed_config_reports_file_line_col(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text('model = "o3"\nx = ]\n')
    before = cfg.read_bytes()
    r = run_codex("features", "list")
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.match(rf"Error: {re.escape(str(cfg))}:2:\d+: ", lines[0]), lines[0]
    assert cfg.read_bytes() == before


def test_type_error_points_at_the_value(run_codex, codex_home):
    (codex_home / "config.toml").write_text('\nsandbox_mode = "bogus"\n')
    r = run_codex("features", "list")
    assert r.returncode == 1
    assert f"{codex_home}/config.toml:2:16: invalid value \"bogus\" for `sandbox_mode`" in r.stderr


def test_unknown_key_warns_and_strict_config_fails(run_codex, codex_home):
    (codex_home / "config.toml").write_text('model = "o3"\nmodle = "x"\n')
    r = run_codex("features", "list")
    assert r.returncode == 0
    warnings = [l for l in r.stderr.splitlines() if "modle" in l]
    assert len(warnings) == 1
    assert f"{codex_home}/config.toml:2:9" in warnings[0]
    r = run_codex("--strict-config", "features", "list")
    assert r.returncode == 1
    assert "unknown configuration field `modle`" in r.stderr


def test_auto_review_table_takes_only_what_the_reviewer_reads(run_codex, codex_home):
    # [auto_review] has the reference's policy and our timeout_ms (the
    # reviewer's time limit, 90 s by default); any other key would be
    # accepted and ignored, so it gets the unknown-field warning.
    (codex_home / "config.toml").write_text(
        '[auto_review]\npolicy = "be careful"\ntimeout_ms = 120000\nreviewer_model = "x"\n')
    r = run_codex("features", "list")
    assert r.returncode == 0
    warnings = [l for l in r.stderr.splitlines() if "auto_review" in l]
    assert len(warnings) == 1 and "unknown configuration field `auto_review.reviewer_model`" \
        in warnings[0]
    r = run_codex("--strict-config", "features", "list")
    assert r.returncode == 1


@pytest.mark.parametrize("home,why", [("missing", "does not exist"), ("file", "is not a directory")])
def test_bad_codex_home(run_codex, tmp_path, home, why):
    path = tmp_path / home
    if home == "file":
        path.write_text("")
    r = run_codex("features", "list", env={"CODEX_HOME": str(path)})
    assert r.returncode == 1
    assert r.stdout == ""
    assert f'CODEX_HOME points to "{path}"' in r.stderr and why in r.stderr
    assert (home == "file") == path.exists()


def test_unknown_flag_and_unknown_subcommand_are_usage_errors(run_codex):
    r = run_codex("--bogus", "features", "list")
    assert r.returncode == 2
    assert "'--bogus'" in r.stderr
    r = run_codex("features", "list", "--bogus")
    assert r.returncode == 2
    r = run_codex("features", "bogus")
    assert r.returncode == 2
    assert "unrecognized subcommand 'bogus'" in r.stderr
    r = run_codex("features", "list", "extra")
    assert r.returncode == 2
    r = run_codex("features", "enable")
    assert r.returncode == 2
    assert "<FEATURE>" in r.stderr
    r = run_codex("features")
    assert r.returncode == 2


def test_invalid_profile_name_is_usage_error(run_codex):
    r = run_codex("-p", "../x", "features", "list")
    assert r.returncode == 2
    assert "../x" in r.stderr


def features_table(stdout):
    rows = {}
    for line in stdout.splitlines():
        m = re.fullmatch(r"(\S+) +(under development|experimental|stable|deprecated|removed) +(true|false)"
                         r"(   \(not yet in codex-c\))?", line)
        assert m, line
        rows[m.group(1)] = (m.group(2), m.group(3) == "true")
    return rows


def test_features_list_format_and_effective_values(run_codex, codex_home):
    r = run_codex("features", "list")
    assert r.returncode == 0
    rows = features_table(r.stdout)
    assert len(rows) > 150
    assert rows["shell_tool"] == ("stable", True)
    assert rows["code_mode"] == ("under development", False)
    assert rows["undo"] == ("removed", False)
    # Columns line up: every stage starts in the same column.
    starts = {line.index(stage) for line in r.stdout.splitlines()
              for stage in [line.split()[1]]}
    assert len(starts) == 1

    (codex_home / "config.toml").write_text("[features]\nshell_tool = false\ncollab = false\nundo = true\n")
    rows = features_table(run_codex("--enable", "code_mode", "features", "list").stdout)
    assert rows["shell_tool"][1] is False
    assert rows["multi_agent"][1] is False  # set through its legacy name
    assert rows["undo"][1] is False  # removed flags keep their default
    assert rows["code_mode"][1] is True
    rows = features_table(run_codex("features", "list", "--enable", "shell_tool").stdout)
    assert rows["shell_tool"][1] is True


def test_enable_unknown_feature_flag_on_command_line(run_codex):
    r = run_codex("--enable", "nosuch", "features", "list")
    assert r.returncode == 1
    assert "nosuch" in r.stderr


def test_features_enable_disable_keep_comments(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text('# my settings\nmodel = "o3" # pinned\n\n[features]\n# flags\nshell_tool = true\n')
    r = run_codex("features", "enable", "unified_exec")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Enabled feature `unified_exec` in config.toml.\n"
    r = run_codex("features", "disable", "shell_tool")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Disabled feature `shell_tool` in config.toml.\n"
    assert cfg.read_text() == ('# my settings\nmodel = "o3" # pinned\n\n[features]\n# flags\n'
                               'shell_tool = false\nunified_exec = true\n')
    # Off by default: disabling removes the key instead of writing false.
    run_codex("features", "enable", "code_mode")
    assert "code_mode = true" in cfg.read_text()
    r = run_codex("features", "disable", "code_mode")
    assert r.returncode == 0
    assert "code_mode" not in cfg.read_text()
    rows = features_table(run_codex("features", "list").stdout)
    assert rows["shell_tool"][1] is False and rows["unified_exec"][1] is True


def test_features_enable_under_development_warns(run_codex, codex_home):
    r = run_codex("features", "enable", "code_mode")
    assert r.returncode == 0
    assert "under development" in r.stderr
    (codex_home / "config.toml").write_text("suppress_unstable_features_warning = true\n")
    r = run_codex("features", "enable", "code_mode")
    assert "under development" not in r.stderr
    # What stays: codex-c's own note that the flag changes nothing here.
    assert "not supported yet" in r.stderr


def test_features_enable_creates_config(run_codex, codex_home):
    r = run_codex("features", "enable", "memories")
    assert r.returncode == 0
    assert (codex_home / "config.toml").read_text() == "[features]\nmemories = true\n"


def test_features_enable_unknown_name_changes_nothing(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text("# keep\n")
    r = run_codex("features", "enable", "nosuch")
    assert r.returncode == 1
    assert "Unknown feature flag: nosuch" in r.stderr
    assert cfg.read_text() == "# keep\n"
    assert sorted(p.name for p in codex_home.iterdir()) == ["config.toml"]


def test_features_enable_goes_to_the_active_profile(run_codex, codex_home):
    r = run_codex("-p", "work", "features", "enable", "memories")
    assert r.returncode == 0, r.stderr
    assert (codex_home / "work.config.toml").read_text() == "[features]\nmemories = true\n"
    assert not (codex_home / "config.toml").exists()
    # A legacy [profiles.x] table selected by `profile =` receives it in place.
    cfg = codex_home / "config.toml"
    cfg.write_text('profile = "old"\n\n[profiles.old]\nmodel = "o3"\n')
    r = run_codex("features", "enable", "memories")
    assert r.returncode == 0, r.stderr
    assert "profile `old`" in r.stdout
    rows = features_table(run_codex("features", "list").stdout)
    assert rows["memories"][1] is True
    assert cfg.read_text().startswith('profile = "old"\n\n[profiles.old]\nmodel = "o3"\n')


def test_completion_bash_is_valid_and_completes(run_codex, tmp_path):
    r = run_codex("completion")
    assert r.returncode == 0
    assert r.stdout == run_codex("completion", "bash").stdout
    script = tmp_path / "codex.bash"
    script.write_text(r.stdout)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0

    def complete(*words):
        line = " ".join(words)
        prog = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
                "_codex; printf '%s\\n' \"${COMPREPLY[@]}\"")
        out = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, check=True)
        return out.stdout.split()

    assert "features" in complete("codex", "fea")
    assert complete("codex", "features", "") == ["list", "enable", "disable", "help", "-c",
                                                 "--config", "--enable", "--disable", "-h", "--help"]
    assert "unified_exec" in complete("codex", "features", "enable", "unified_e")
    assert complete("codex", "-s", "work") == ["workspace-write"]
    # "gpt" is the value of -m, not a subcommand, so subcommands are still offered.
    assert complete("codex", "-m", "gpt", "fea") == ["features"]
    assert "--sandbox" in complete("codex", "exec", "--sa")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_other_shells(run_codex, shell):
    r = run_codex("completion", shell)
    assert r.returncode == 0
    assert "features" in r.stdout and "unified_exec" in r.stdout
    exe = shutil.which(shell)
    if exe:
        check = [exe, "-n"] if shell == "zsh" else [exe, "--no-execute"]
        assert subprocess.run(check, input=r.stdout, text=True).returncode == 0


def test_completion_unknown_shell_is_usage_error(run_codex):
    r = run_codex("completion", "tcsh")
    assert r.returncode == 2
    assert "tcsh" in r.stderr


def test_every_listed_subcommand_has_help(run_codex):
    listing = run_codex("--help").stdout
    names = re.findall(r"^  ([a-z][a-z-]*) ", listing.split("Commands:")[1].split("Arguments:")[0],
                       re.M)
    assert "features" in names and "completion" in names
    for name in names:
        r = run_codex(name, "--help")
        assert r.returncode == 0, name
        assert "Usage: codex" in r.stdout, name


def test_features_enable_with_broken_config_changes_nothing(run_codex, codex_home):
    cfg = codex_home / "config.toml"
    cfg.write_text("[features]\nshell_tool = \n")
    r = run_codex("features", "enable", "memories")
    assert r.returncode == 1
    assert f"{cfg}:2:" in r.stderr
    assert cfg.read_text() == "[features]\nshell_tool = \n"


def test_managed_config_and_requirements_apply(run_codex, codex_home, tmp_path):
    managed = tmp_path / "managed_config.toml"
    requirements = tmp_path / "requirements.toml"
    managed.write_text("[features]\nmemories = true\n")
    requirements.write_text("allowed_sandbox_modes = [\"read-only\"]\n[features]\nshell_tool = false\n")
    env = {"CODEX_MANAGED_CONFIG_PATH": str(managed), "CODEX_REQUIREMENTS_PATH": str(requirements)}
    # Managed config wins over the command line.
    rows = features_table(run_codex("--disable", "memories", "features", "list", env=env).stdout)
    assert rows["memories"][1] is True
    assert rows["shell_tool"][1] is False  # pinned by requirements
    r = run_codex("--enable", "shell_tool", "features", "list", env=env)
    assert r.returncode == 1
    assert "pinned to false" in r.stderr and str(requirements) in r.stderr
    r = run_codex("features", "enable", "shell_tool", env=env)
    assert r.returncode == 1
    assert "pinned to false" in r.stderr
    assert not (codex_home / "config.toml").exists()
    r = run_codex("-s", "danger-full-access", "features", "list", env=env)
    assert r.returncode == 1
    assert 'sandbox_mode = "danger-full-access" is not allowed' in r.stderr


def test_config_toml_is_read_as_toml_1_1(run_codex, codex_home):
    # The reference reads config.toml as TOML 1.1: inline tables may span
    # lines, carry comments and a trailing comma, and \xHH escapes exist.
    (codex_home / "config.toml").write_text(
        'model = "gpt-5.5"\n'
        'shell_environment_policy = {\n'
        '  inherit = "all", # keep everything\n'
        '  set = { A = "\\x41" },\n'
        '}\n')
    r = run_codex("features", "list")
    assert r.returncode == 0, r.stderr
    assert "Error" not in r.stderr


def test_config_toml_1_1_still_rejects_broken_input(run_codex, codex_home):
    (codex_home / "config.toml").write_text('x = {\n  a = 1,,\n}\n')
    r = run_codex("features", "list")
    assert r.returncode == 1
    assert "config.toml:2:" in r.stderr
