"""codex exec and approvals: exec cannot ask anyone, so every request that
needs approval is refused and the model is told, with the reference's
wording (recorded from Codex 0.169.0 driven by the same scripted model; the
sources are named in src/core/approvals_decide.c)."""
from approvals_helpers import exec_call, patch_call

NEVER_ESCALATION = ("approval policy is Never; reject command \u2014 you cannot ask for "
                    "escalated permissions if the approval policy is Never")
PROMPT_NEVER = ('exec_command failed: CreateProcess { message: "Rejected(\\"approval required by '
                'policy, but AskForApproval is set to Never\\")" }')


def ran_output(text):
    assert text.startswith("Chunk ID: "), text
    return text


def test_escalation_is_refused_under_on_request_config_because_exec_never_asks(turn, workspace):
    # exec forces approval_policy = never, as the reference does.
    t = turn([exec_call("touch escalated", sandbox_permissions="require_escalated",
                        justification="need it")], "-c", "approval_policy=on-request")
    assert t.proc.returncode == 0, t.proc.stderr
    assert t.outputs() == [NEVER_ESCALATION]
    assert not (workspace / "escalated").exists()


def test_escalation_is_refused_under_never(turn, workspace):
    t = turn([exec_call("touch escalated", sandbox_permissions="require_escalated")],
             "-c", "approval_policy=never")
    assert t.outputs() == [NEVER_ESCALATION]
    assert not (workspace / "escalated").exists()
    # no command item: nothing ran
    assert not [e for e in t.events() if e.get("item", {}).get("type") == "command_execution"]


def test_use_default_permissions_run_normally(turn, workspace):
    t = turn([exec_call("touch plain", sandbox_permissions="use_default")])
    assert "Process exited with code 0" in ran_output(t.outputs()[0])
    assert (workspace / "plain").exists()


def test_forbidden_rule_rejects_without_running(turn, rules, workspace):
    rules('prefix_rule(pattern=["touch"], decision="forbidden")\n')
    t = turn([exec_call("touch forbidden")])
    assert t.outputs() == [
        'exec_command failed: CreateProcess { message: "Rejected(\\"`/bin/bash -lc \'touch forbidden\'` '
        'rejected: policy forbids commands starting with `touch`\\")" }']
    assert not (workspace / "forbidden").exists()


def test_forbidden_rule_with_justification_inside_a_script(turn, rules, workspace):
    rules('prefix_rule(pattern=["rm"], decision="forbidden", justification="use git clean")\n')
    (workspace / "keep").write_text("x")
    t = turn([exec_call("ls && rm keep")])
    assert t.outputs() == [
        'exec_command failed: CreateProcess { message: "Rejected(\\"`/bin/bash -lc \'ls && rm keep\'` '
        'rejected: use git clean\\")" }']
    assert (workspace / "keep").exists()


def test_prompt_rule_is_rejected_in_exec(turn, rules, workspace):
    rules('prefix_rule(pattern=["touch"], decision="prompt", justification="ask first")\n')
    t = turn([exec_call("touch prompted")], "-c", "approval_policy=on-request")
    assert t.outputs() == [PROMPT_NEVER]
    assert not (workspace / "prompted").exists()


def test_allow_rule_runs_but_stays_in_the_sandbox(turn, rules, workspace, outside):
    rules('prefix_rule(pattern=["touch"], decision="allow")\n')
    t = turn([exec_call("touch allowed"), exec_call(f"touch {outside}/escaped")])
    inside, escaped = t.outputs()
    assert "Process exited with code 0" in ran_output(inside)
    assert (workspace / "allowed").exists()
    # Our choice (issue #6): an allow rule skips the question, not the
    # sandbox.  The reference 0.169 runs allowed commands unsandboxed.
    assert "Process exited with code 1" in ran_output(escaped)
    assert not (outside / "escaped").exists()


def test_unmatched_parts_of_a_script_are_not_covered_by_an_allow_rule(turn, rules, workspace):
    rules('prefix_rule(pattern=["ls"], decision="allow")\n'
          'prefix_rule(pattern=["rm"], decision="forbidden")\n')
    (workspace / "keep").write_text("x")
    t = turn([exec_call("ls; rm keep")])
    assert "rejected: policy forbids commands starting with `rm`" in t.outputs()[0]
    assert (workspace / "keep").exists()


def test_broken_rules_file_is_a_startup_error_naming_it(turn, rules):
    path = rules('prefix_rule(pattern=["touch"], decision="bogus")\n')
    t = turn([exec_call("ls")])
    assert t.proc.returncode == 1
    assert f"{path}:1:" in t.proc.stderr
    assert "bogus" in t.proc.stderr
    assert not t.server.requests()  # the model was never called


def test_unreadable_rules_syntax_names_line_and_column(turn, rules):
    path = rules('# fine\nprefix_rule(pattern=["a"], decision="allow")\nx = 1\n', name="zz.rules")
    t = turn([exec_call("ls")])
    assert t.proc.returncode == 1
    assert f"{path}:3:" in t.proc.stderr


def test_ignore_rules_skips_user_rules(turn, rules, workspace):
    rules('prefix_rule(pattern=["touch"], decision="forbidden")\n')
    t = turn([exec_call("touch made")], "--ignore-rules")
    assert "Process exited with code 0" in ran_output(t.outputs()[0])
    assert (workspace / "made").exists()
    # a broken file is not even read
    rules("this is not starlark (\n", name="broken.rules")
    t = turn([exec_call("true")], "--ignore-rules")
    assert t.proc.returncode == 0, t.proc.stderr


def test_requirements_rules_apply_even_with_ignore_rules(turn, tmp_path, workspace):
    req = tmp_path / "requirements.toml"
    req.write_text('[rules]\nprefix_rules = [{ pattern = [{ token = "touch" }], decision = "forbidden" }]\n')
    t = turn([exec_call("touch admin")], "--ignore-rules", env={"CODEX_REQUIREMENTS_PATH": str(req)})
    assert t.proc.returncode == 0, t.proc.stderr
    assert "rejected: policy forbids commands starting with `touch`" in t.outputs()[0]
    assert not (workspace / "admin").exists()


def test_project_rules_count_only_for_trusted_projects(turn, workspace):
    d = workspace / ".codex" / "rules"
    d.mkdir(parents=True)
    (d / "p.rules").write_text('prefix_rule(pattern=["touch"], decision="forbidden")\n')
    t = turn([exec_call("touch untrusted")])
    assert "Process exited with code 0" in ran_output(t.outputs()[0])
    trusted = f'[projects."{workspace}"]\ntrust_level = "trusted"\n'
    t = turn([exec_call("touch trusted")], top=trusted)
    assert "rejected: policy forbids commands starting with `touch`" in t.outputs()[0]
    assert not (workspace / "trusted").exists()


def test_granular_table(turn, rules, workspace):
    rules('prefix_rule(pattern=["touch"], decision="prompt")\n')
    g = ('approval_policy={granular={sandbox_approval=%s,rules=%s,mcp_elicitations=true,'
         'request_permissions=true,skill_approval=true}}')
    t = turn([exec_call("touch g1")], "-c", g % ("true", "false"))
    assert t.outputs() == [PROMPT_NEVER]
    t = turn([exec_call("touch g2", sandbox_permissions="require_escalated")], "-c", g % ("false", "true"))
    assert t.outputs() == [NEVER_ESCALATION]
    assert not (workspace / "g1").exists() and not (workspace / "g2").exists()


def test_patch_outside_the_roots_is_rejected(turn, workspace, outside):
    patch = f"*** Begin Patch\n*** Add File: {outside}/out.txt\n+hi\n*** End Patch\n"
    t = turn([patch_call(patch)], "-c", "approval_policy=on-request")
    assert t.outputs() == ["patch rejected: writing outside of the project; rejected by user approval settings"]
    assert not (outside / "out.txt").exists()


def test_patch_under_read_only_is_rejected(turn, workspace):
    patch = "*** Begin Patch\n*** Add File: in.txt\n+hi\n*** End Patch\n"
    t = turn([patch_call(patch)], sandbox="read-only")
    assert t.outputs() == ["patch rejected: writing is blocked by read-only sandbox; rejected by user approval "
                           "settings"]
    assert not (workspace / "in.txt").exists()


def test_patch_inside_the_roots_applies(turn, workspace):
    patch = "*** Begin Patch\n*** Add File: in.txt\n+hi\n*** End Patch\n"
    t = turn([patch_call(patch)])
    assert (workspace / "in.txt").read_text() == "hi\n"


def test_unknown_sandbox_permissions_fail_like_the_argument_parser(turn, workspace):
    t = turn([exec_call("touch b", sandbox_permissions="bogus")])
    # json.dumps writes '{"cmd": "touch b", "sandbox_permissions": "bogus"}':
    # the closing quote of the bad value is column 49.
    assert t.outputs() == [
        "failed to parse function arguments: unknown variant `bogus`, expected one of `use_default`, "
        "`require_escalated`, `with_additional_permissions` at line 1 column 49"]
    assert not (workspace / "b").exists()
