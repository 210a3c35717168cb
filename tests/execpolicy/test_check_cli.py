"""`codex execpolicy check` flag handling and error reporting."""
import json


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_help_lists_flags(run_codex):
    r = run_codex("execpolicy", "check", "--help")
    assert r.returncode == 0
    for flag in ("--rules <PATH>", "--pretty", "--resolve-host-executables"):
        assert flag in r.stdout
    r = run_codex("execpolicy", "--help")
    assert r.returncode == 0 and "check" in r.stdout


def test_usage_errors_exit_2(run_codex, tmp_path):
    rules = write(tmp_path, "a.rules", 'prefix_rule(pattern=["git"])')
    r = run_codex("execpolicy", "check", "--", "git")
    assert r.returncode == 2 and "--rules <PATH>" in r.stderr
    r = run_codex("execpolicy", "check", "--rules", rules)
    assert r.returncode == 2 and "<COMMAND>" in r.stderr
    r = run_codex("execpolicy", "check", "--rules")
    assert r.returncode == 2
    r = run_codex("execpolicy", "bogus")
    assert r.returncode == 2 and "bogus" in r.stderr
    r = run_codex("execpolicy")
    assert r.returncode == 2


def test_rules_flag_forms_and_order(run_codex, tmp_path):
    a = write(tmp_path, "a.rules", 'prefix_rule(pattern=["x"], decision="prompt")')
    b = write(tmp_path, "b.rules", 'prefix_rule(pattern=["x", "y"], decision="forbidden")')
    r = run_codex("execpolicy", "check", f"--rules={a}", f"-r{b}", "x", "y")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [m["prefixRuleMatch"]["decision"] for m in out["matchedRules"]] == ["prompt", "forbidden"]
    assert out["decision"] == "forbidden"


def test_unreadable_and_invalid_files_exit_1(run_codex, tmp_path):
    r = run_codex("execpolicy", "check", "--rules", tmp_path / "missing.rules", "git")
    assert r.returncode == 1 and r.stdout == ""
    assert "failed to read policy at" in r.stderr and "missing.rules" in r.stderr
    r = run_codex("execpolicy", "check", "--rules", tmp_path, "git")
    assert r.returncode == 1 and "failed to read policy at" in r.stderr
    bad = write(tmp_path, "bad.rules", 'prefix_rule(pattern=["git"])\n\nprefix_rule(pattern=["x"], decision="nope")\n')
    r = run_codex("execpolicy", "check", "--rules", bad, "git")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith(f"Error: failed to parse policy at {bad}: {bad}:3:37: ")
    assert "nope" in r.stderr


def test_huge_rule_count_loads(run_codex, tmp_path):
    text = "\n".join(f'prefix_rule(pattern=["p{i}", ["a", "b"]], decision="prompt")' for i in range(5000))
    rules = write(tmp_path, "many.rules", text)
    r = run_codex("execpolicy", "check", "--rules", rules, "p4999", "b")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["matchedRules"][0]["prefixRuleMatch"]["matchedPrefix"] == ["p4999", "b"]
