"""Nothing accepted and ignored.  Every top-level config key and every flag
that codex-c accepts is in exactly one of three states:

  works    a named test shows it taking effect;
  warns    setting it prints `codex-c: <name> is not supported yet; ignored`
           (once per process) and the run goes on;
  refuses  it restricts something codex-c cannot honour yet, so a session
           refuses to start rather than run less restricted than asked.

The key list comes from src/config/config_keys.c and the unsupported table
from src/config/unsupported.c, so a new key cannot slip in unclassified."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# key -> the test that shows it working.
WORKS = {
    "approvals_reviewer": "test_auto_review.py",
    "auto_review": "test_auto_review.py",
    "model": "test_exec_cli.py",
    "model_provider": "test_exec_cli.py",
    "model_reasoning_effort": "test_exec_demo.py",
    "plan_mode_reasoning_effort": "test_plan_mode_reasoning_effort_sets_the_plan_turns_effort",
    "model_reasoning_summary": "test_exec_demo.py",
    "model_verbosity": "test_exec_demo.py",
    "model_context_window": "test_model_context_window_overrides_the_catalog",
    "approval_policy": "test_granular_table",
    "sandbox_mode": "test_works.py",
    "sandbox_workspace_write": "test_excluded_tmp_is_not_writable",
    "shell_environment_policy": "test_agent_parts.c",
    "developer_instructions": "test_ignore_user_config_skips_config_toml_but_keeps_overrides",
    "model_instructions_file": "test_config.c",
    "project_doc_max_bytes": "test_config.c",
    "project_doc_fallback_filenames": "test_config.c",
    "project_root_markers": "project_root_markers_choose_the_root",
    "web_search": "test_config.c",
    "history": "test_submitted_prompts_go_to_history_jsonl",
    "model_providers": "test_exec_cli.py",
    "projects": "test_trust_records_the_project",
    "profiles": "profile_key_selects_profile",
    "profile": "profile_key_selects_profile",
    "features": "test_config_features.c",
    "openai_base_url": "test_config.c",
    "oss_provider": "test_config.c",
    "use_legacy_landlock": "test_escapes.py",
    "allow_login_shell": "test_allow_login_shell_false_uses_bash_c_and_refuses_login",
    "hide_agent_reasoning": "test_hide_agent_reasoning_leaves_it_out_of_the_human_output",
    "include_apply_patch_tool": "test_include_switches_leave_parts_out",
    "include_environment_context": "test_include_switches_leave_parts_out",
    "include_permissions_instructions": "test_include_switches_leave_parts_out",
    "include_collaboration_mode_instructions": "test_collaboration_mode_instructions_can_be_left_out",
    "model_catalog_json": "test_model_catalog_json_defines_a_model",
    "notify": "test_notify_runs_after_the_turn_with_the_turn_as_json",
    "personality": "test_personality_none_drops_the_personality_section",
    "service_tier": "test_service_tier_is_sent_right_after_stream",
    "experimental_instructions_file": "test_config.c",
    "tools": "test_include_plan_tool_offers_update_plan",
    "suppress_unstable_features_warning": "test_features_enable_under_development_warns",
    "model_auto_compact_token_limit": "test_mid_turn_compaction_replaces_the_history",
    "model_auto_compact_token_limit_scope": "test_scope_body_after_prefix_discounts_the_replacement",
    "compact_prompt": "test_compact_prompt_replaces_ours",
    "experimental_compact_prompt_file": "test_compact_prompt_file_and_its_errors",
    "review_model": "test_review_model_is_the_reviewers",
    "chatgpt_base_url": "test_requests_go_to_the_codex_backend",
    "cli_auth_credentials_store": "test_credentials_live_in_the_keyring",
    "forced_chatgpt_workspace_id": "test_workspace_restriction",
    "forced_login_method": "test_forced_api_login_refuses_chatgpt",
    "default_permissions": "test_profiles_need_default_permissions",
    "permissions": "test_filesystem_entries",
    "mcp_servers": "test_exec_tools.py",
    "marketplaces": "test_local_marketplace_add_list_and_config",
    "plugins": "test_plugin_skill_and_mcp_server_in_a_session",
    "skills": "test_skills_config_disables_a_skill_by_name",
    "mcp_oauth_callback_port": "test_mcp_oauth_callback_port_and_url",
    "mcp_oauth_callback_url": "test_mcp_oauth_callback_port_and_url",
    "hooks": "test_inline_toml_hooks_run",
    "agents": "test_thread_limit_refuses_the_second_spawn",
    # the TUI's own keys; those it does not act on yet warn (unsupported.c)
    "tui": "test_statusline_from_config",
}

# Keys whose right behaviour in codex-c is to do nothing, and why.
NOTHING_TO_DO = {
    "analytics": "codex-c collects no analytics",
    "check_for_update_on_startup": "codex-c never checks for updates",
    "suppress_experimental_warning": "codex-c prints no experimental warning",
    "windows": "Windows settings; codex-c runs on Linux",
    "windows_wsl_setup_acknowledged": "Windows settings; codex-c runs on Linux",
}


def config_keys():
    text = (ROOT / "src/config/config_keys.c").read_text()
    block = text[text.index("config_root_keys[] = {"):]
    block = block[:block.index("\n};")]
    return re.findall(r'\{"([a-z_]+)", (KEY_[A-Z_]+)', block)


def unsupported():
    text = (ROOT / "src/config/unsupported.c").read_text()
    return dict(re.findall(r'\{"([a-z_.]+)", (WARN|REFUSE)\}', text))


def all_test_text():
    parts = []
    for p in (ROOT / "tests").rglob("*"):
        if p.suffix in (".py", ".c") and p.is_file():
            parts.append(p.name)
            parts.append(p.read_text(errors="replace"))
    return "\n".join(parts)


def test_every_key_is_classified_once():
    keys = {k for k, _ in config_keys()}
    unsup = unsupported()
    assert keys, "could not read the key table"
    for k in keys:
        states = [k in WORKS, k in NOTHING_TO_DO, k in unsup]
        assert sum(states) == 1, f"{k}: classified {sum(states)} times (works, nothing-to-do, unsupported)"
    for k in unsup:
        assert k.split(".")[0] in keys, f"unsupported.c lists {k}, which config_keys.c does not know"


def test_every_working_key_names_a_test_that_exists():
    text = all_test_text()
    for key, test in WORKS.items():
        assert test in text, f"{key}: the test {test} is not in tests/"


def value_for(kind):
    return {"KEY_OPEN_TABLE": "{}", "KEY_TABLE": "{}", "KEY_BOOL": "true", "KEY_INTEGER": "1",
            "KEY_STRING_ARRAY": '["x"]'}.get(kind, '"x"')


@pytest.mark.parametrize("key", sorted(unsupported()))
def test_an_unsupported_key_warns_or_refuses(run_codex, key, tmp_path):
    kinds = dict(config_keys())
    override = f"{key}={value_for(kinds.get(key.split('.')[0], 'KEY_ANY'))}"
    # Outside a session every unsupported key only warns, once.
    r = run_codex("-c", override, "-c", override, "features", "list")
    assert r.returncode == 0, r.stderr
    line = f"codex-c: {key} is not supported yet; ignored"
    assert r.stderr.count(line) == 1, r.stderr
    # A session refuses the restricting ones before running anything.
    r = run_codex("sandbox", "-c", override, "--", "true", cwd=tmp_path)
    if unsupported()[key] == "REFUSE":
        assert r.returncode == 1
        assert f"`{key}` is not supported by codex-c yet" in r.stderr and "-c " in r.stderr
    else:
        assert r.returncode == 0, r.stderr
        assert line in r.stderr


def test_hooks_no_longer_refuse_a_session(run_codex, codex_home, tmp_path):
    # [hooks] was the one key a session refused; hooks work now (tests/exec/test_hooks.py),
    # and an event name the reference does not know is ignored as it ignores it.
    (codex_home / "config.toml").write_text('model = "gpt-5.5"\n\n[hooks]\nx = 1\n')
    r = run_codex("sandbox", "--", "true", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "hooks" not in r.stderr


# Flags: the shared table plus exec's own.  Each works (a named test) or
# warns (the exact line is asserted in the named test).
FLAGS_WORK = {
    "--config": "test_override_after_the_subcommand_is_read_too",
    "--enable": "test_config.c",
    "--disable": "test_config.c",
    "--strict-config": "unknown_keys_warn_or_fail_when_strict",
    "--image": "test_exec_cli.py",
    "--model": "test_exec_cli.py",
    "--oss": "test_config.c",
    "--local-provider": "test_config.c",
    "--profile": "test_config.c",
    "--sandbox": "test_works.py",
    "--dangerously-bypass-approvals-and-sandbox": "test_config.c",
    "--cd": "test_config.c",
    "--worktree": "test_worktree_runs_the_session_in_a_managed_worktree",
    "--add-dir": "test_config.c",
    "--ask-for-approval": "test_exec_approvals.py",
    "--ignore-user-config": "test_ignore_user_config_skips_config_toml_but_keeps_overrides",
    "--trust": "test_trust_records_the_project",
    "--include-plan-tool": "test_include_plan_tool_offers_update_plan",
    "--full-auto": "test_full_auto_works_for_exec_with_a_deprecation_line",
    "--ignore-rules": "test_ignore_rules_skips_user_rules",
    "--ephemeral": "test_exec_cli.py",
    "--output-schema": "test_exec_cli.py",
    "--output-last-message": "test_exec_cli.py",
    "--json": "test_exec_cli.py",
    "--skip-git-repo-check": "test_exec_cli.py",
    "--color": "test_exec_cli.py",
    "--uncommitted": "test_two_findings_render_as_the_reference_does",
    "--base": "test_targets_reach_the_reviewer",
    "--commit": "test_targets_reach_the_reviewer",
    "--title": "test_targets_reach_the_reviewer",
    "--thread-source": "test_thread_source_goes_to_session_meta",
    "--approve-for-me": "test_exec_runs_what_the_reviewer_allows",
}
FLAGS_WARN = {
    "--dangerously-bypass-hook-trust": "test_unsupported_shared_flags_say_so",
    "--cyber-access-program": "test_cyber_access_program_says_it_is_ignored",
}
# The TUI's own flags are the TUI's (issue 10): --remote, --remote-auth-token-env,
# --search, --no-alt-screen, --no-daemon.
TUI_FLAGS = {"--remote", "--remote-auth-token-env", "--search", "--no-alt-screen", "--no-daemon"}


def test_every_exec_flag_is_classified():
    shared = re.findall(r'\{[^{}]*?, "([a-z-]+)", ', (ROOT / "src/cli/cli_flags.c").read_text())
    exec_src = (ROOT / "src/cli/exec.c").read_text()
    own = re.findall(r'"(--[a-z-]+)"', exec_src)
    flags = {f"--{s}" for s in shared} | {f for f in own if f not in ("--", "--last", "--all", "--help")}
    text = all_test_text()
    for f in sorted(flags):
        if f in TUI_FLAGS or f in ("--experimental-json", "--version"):
            continue
        assert (f in FLAGS_WORK) != (f in FLAGS_WARN), f"{f}: not classified exactly once"
        test = FLAGS_WORK.get(f) or FLAGS_WARN.get(f)
        assert test in text, f"{f}: the test {test} is not in tests/"


def test_cyber_access_program_says_it_is_ignored(run_codex, tmp_path):
    # Reported as the flags are read, before anything else can fail.
    r = run_codex("exec", "--skip-git-repo-check", "--cyber-access-program", "x", "-c", 'service_tier="no"',
                  "hi", input="", cwd=tmp_path)
    assert r.returncode == 1
    assert "codex-c: --cyber-access-program is not supported yet; ignored" in r.stderr
