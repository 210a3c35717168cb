"""Settings that used to be accepted and ignored, each shown to take effect
in a `codex exec` run against the scripted model (what the reference does is
in reference/flags/FINDINGS.md)."""
import json
import os
import pathlib
import stat
import subprocess

from exec_helpers import MockServer, write_config

ONE = [[{"type": "message", "text": "done"}]]


def body(server, i=0):
    return server.requests()[i]["body"]


def dev_texts(b):
    return [c["text"] for it in b["input"] if it.get("role") == "developer" for c in it["content"]]


def user_texts(b):
    return [c["text"] for it in b["input"] if it.get("role") == "user" for c in it["content"]]


def tool_names(b):
    return [t.get("name") or t.get("type") for t in b["tools"]]


# ---- allow_login_shell ------------------------------------------------------

def test_allow_login_shell_false_uses_bash_c_and_refuses_login(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "a",
                "arguments": {"cmd": "echo plain"}},
               {"type": "function_call", "name": "exec_command", "call_id": "b",
                "arguments": {"cmd": "echo login", "login": True}}],
              [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go", top="allow_login_shell = false")
    assert r.returncode == 0, r.stderr
    cmds = [e["item"]["command"] for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "command_execution"]
    assert cmds == ["/bin/bash -c 'echo plain'"]
    outs = {i["call_id"]: i["output"] for i in body(server, 1)["input"] if i["type"] == "function_call_output"}
    assert outs["b"] == "login shell is disabled by config; omit `login` or set it to false."


def test_login_shell_is_the_default(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "a",
                "arguments": {"cmd": "true"}}], [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "go")
    cmds = [e["item"]["command"] for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "command_execution"]
    assert cmds == ["/bin/bash -lc true"]


# ---- hide_agent_reasoning ---------------------------------------------------

REASONING = [[{"type": "reasoning", "summary": ["thinking about SECRETPLAN"]},
              {"type": "message", "text": "answer"}]]


def test_hide_agent_reasoning_leaves_it_out_of_the_human_output(exec_run):
    r, server, _ = exec_run(REASONING, "go")
    assert "SECRETPLAN" in r.stderr
    r, server, _ = exec_run(REASONING, "go", top="hide_agent_reasoning = true")
    assert r.returncode == 0
    assert "SECRETPLAN" not in r.stderr and "answer" in r.stdout
    # exec --json still reports it, as the reference does.
    r, server, events = exec_run(REASONING, "--json", "go", top="hide_agent_reasoning = true")
    assert any(e.get("item", {}).get("type") == "reasoning" for e in events)


# ---- service_tier -----------------------------------------------------------

def test_service_tier_is_sent_right_after_stream(exec_run):
    for configured, sent in [("fast", "priority"), ("flex", "flex"), ("priority", "priority")]:
        r, server, _ = exec_run(ONE, "go", top=f'service_tier = "{configured}"')
        assert r.returncode == 0, r.stderr
        keys = list(body(server))
        assert body(server)["service_tier"] == sent
        assert keys.index("service_tier") == keys.index("stream") + 1
    r, server, _ = exec_run(ONE, "go")
    assert "service_tier" not in body(server)


def test_unknown_service_tier_is_a_config_error_naming_the_choices(exec_run):
    r, server, _ = exec_run(ONE, "go", top='service_tier = "turbo"')
    assert r.returncode == 1
    assert "config.toml:" in r.stderr and "service_tier" in r.stderr and 'flex' in r.stderr


# ---- personality ------------------------------------------------------------

def test_personality_none_drops_the_personality_section(exec_run):
    r, server, _ = exec_run(ONE, "go")
    assert "## Personality" in dev_texts(body(server))[0]
    for p in ("friendly", "pragmatic"):
        r, server, _ = exec_run(ONE, "go", top=f'personality = "{p}"')
        assert "## Personality" in dev_texts(body(server))[0]
    r, server, _ = exec_run(ONE, "go", top='personality = "none"')
    assert "## Personality" not in dev_texts(body(server))[0]


def test_unknown_personality_is_a_config_error(exec_run):
    r, server, _ = exec_run(ONE, "go", top='personality = "bogus"')
    assert r.returncode == 1
    assert "personality" in r.stderr and 'none' in r.stderr and 'pragmatic' in r.stderr


# ---- notify -----------------------------------------------------------------

def test_notify_runs_after_the_turn_with_the_turn_as_json(exec_run, tmp_path, repo):
    out = tmp_path / "notified.json"
    script = tmp_path / "notify.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" > {out}.arg1\nprintf "%s" "$2" > {out}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    r, server, events = exec_run([[{"type": "message", "text": "final words"}]], "--json", "do it",
                                 top=f'notify = ["{script}", "extra-arg"]')
    assert r.returncode == 0, r.stderr
    for _ in range(200):
        if out.exists() and out.read_text():
            break
        import time
        time.sleep(0.02)
    note = json.loads(out.read_text())
    assert list(note) == ["type", "thread-id", "turn-id", "cwd", "client", "input-messages",
                          "last-assistant-message"]
    assert note["type"] == "agent-turn-complete" and note["client"] == "codex_exec"
    assert note["thread-id"] == events[0]["thread_id"] and note["cwd"] == str(repo)
    assert note["input-messages"] == ["do it"] and note["last-assistant-message"] == "final words"
    assert pathlib.Path(f"{out}.arg1").read_text() == "extra-arg\n"


def test_a_missing_notify_program_is_reported(exec_run):
    r, server, events = exec_run(ONE, "--json", "go", top='notify = ["/nonexistent/notifier"]')
    assert r.returncode == 0
    assert any(e["type"] == "error" and "notify" in e["message"] for e in events)


# ---- model_catalog_json -----------------------------------------------------

def test_model_catalog_json_defines_a_model(exec_run, tmp_path):
    catalog = tmp_path / "models.json"
    catalog.write_text(json.dumps({"models": [{
        "slug": "house-model", "display_name": "House", "description": "ours",
        "default_reasoning_level": "high",
        "supported_reasoning_levels": [{"effort": "high", "description": "deep"}],
        "shell_type": "local", "visibility": "list", "context_window": 12345,
        "apply_patch_tool_type": "function", "supports_parallel_tool_calls": False,
        "base_instructions": "HOUSE BASE INSTRUCTIONS"}]}))
    r, server, _ = exec_run(ONE, "go", model="house-model", top=f'model_catalog_json = "{catalog}"')
    assert r.returncode == 0, r.stderr
    b = body(server)
    assert dev_texts(b)[0] == "HOUSE BASE INSTRUCTIONS"
    assert b["reasoning"]["effort"] == "high"
    assert {"type": "local_shell"} in b["tools"]
    assert b["parallel_tool_calls"] is False


def test_a_broken_model_catalog_json_names_the_file(exec_run, tmp_path):
    catalog = tmp_path / "models.json"
    catalog.write_text('{"models": [')
    r, server, _ = exec_run(ONE, "go", top=f'model_catalog_json = "{catalog}"')
    assert r.returncode == 1
    assert str(catalog) in r.stderr and "model_catalog_json" in r.stderr


# ---- model_context_window ---------------------------------------------------

def test_model_context_window_overrides_the_catalog(exec_run, codex_home):
    r, server, _ = exec_run(ONE, "go", top="model_context_window = 4242")
    rollout = next((codex_home / "sessions").rglob("rollout-*.jsonl")).read_text()
    assert '"model_context_window":4242' in rollout


# ---- include_* switches -----------------------------------------------------

def test_include_switches_leave_parts_out(exec_run):
    r, server, _ = exec_run(ONE, "go")
    b = body(server)
    assert "apply_patch" in tool_names(b)
    assert any("<environment_context>" in t for t in user_texts(b))
    assert any("<permissions instructions>" in t for t in dev_texts(b))
    r, server, _ = exec_run(ONE, "go", top="include_apply_patch_tool = false\ninclude_environment_context = false\n"
                                         "include_permissions_instructions = false")
    b = body(server)
    assert "apply_patch" not in tool_names(b)
    assert not any("<environment_context>" in t for t in user_texts(b))
    assert not any("<permissions instructions>" in t for t in dev_texts(b))


# ---- exec flags -------------------------------------------------------------

def test_ignore_user_config_skips_config_toml_but_keeps_overrides(run_codex, codex_home, repo, tmp_path):
    server = MockServer(tmp_path, ONE)
    try:
        write_config(codex_home, server.port, extra_top='developer_instructions = "FROM-USER-CONFIG"')
        provider = [f'model_providers.mock={{name="mock", base_url="http://127.0.0.1:{server.port}/v1", '
                    'wire_api="responses", env_key="MOCK_API_KEY"}', "model_provider=mock"]
        args = []
        for p in provider:
            args += ["-c", p]
        r = run_codex("exec", "--skip-git-repo-check", "--ignore-user-config", *args, "go", input="",
                      env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert r.returncode == 0, r.stderr
        assert not any("FROM-USER-CONFIG" in t for t in dev_texts(body(server)))
    finally:
        server.stop()


def test_include_plan_tool_offers_update_plan(run_codex, codex_home, repo, tmp_path):
    server = MockServer(tmp_path, ONE + ONE, repeat_last=True)
    try:
        (codex_home / "config.toml").write_text(
            f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "http://127.0.0.1:{server.port}/v1"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n')
        r = run_codex("exec", "--skip-git-repo-check", "go", input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert "update_plan" not in tool_names(body(server))
        r = run_codex("exec", "--skip-git-repo-check", "--include-plan-tool", "go", input="",
                      env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert r.returncode == 0, r.stderr
        assert "update_plan" in tool_names(body(server, 1))
    finally:
        server.stop()


def test_trust_records_the_project(exec_run, codex_home, repo):
    r, server, _ = exec_run(ONE, "--trust", "--ephemeral", "go")
    assert r.returncode == 0, r.stderr
    text = (codex_home / "config.toml").read_text()
    assert f'[projects."{repo}"]' in text and 'trust_level = "trusted"' in text
    assert "[model_providers.mock]" in text  # the rest of the file is kept


def test_trust_keeps_an_explicitly_untrusted_project_untrusted(exec_run, codex_home, repo):
    r, server, _ = exec_run(ONE, "--trust", "go", top=f'[projects."{repo}"]\ntrust_level = "untrusted"\n')
    assert r.returncode == 0, r.stderr
    assert 'trust_level = "trusted"' not in (codex_home / "config.toml").read_text()


def test_full_auto_works_for_exec_with_a_deprecation_line(exec_run, repo):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "a",
                "arguments": {"cmd": "touch made-by-full-auto"}}], [{"type": "message", "text": "ok"}]]
    r, server, _ = exec_run(script, "--full-auto", "go", sandbox=None)
    assert r.returncode == 0, r.stderr
    assert "--full-auto is deprecated" in r.stderr
    assert (repo / "made-by-full-auto").exists()


def test_worktree_runs_the_session_in_a_managed_worktree(exec_run, codex_home, repo):
    (repo / "sub").mkdir()
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "a",
                "arguments": {"cmd": "pwd; touch in-worktree"}}], [{"type": "message", "text": "ok"}]]
    r, server, events = exec_run(script, "--json", "--worktree", "go")
    assert r.returncode == 0, r.stderr
    out = [e["item"]["aggregated_output"] for e in events if e["type"] == "item.completed"
           and e["item"]["type"] == "command_execution"][0].strip()
    wt = pathlib.Path(out)
    assert wt.parent.parent == codex_home / "worktrees" and wt.name == repo.name
    assert (wt / "in-worktree").exists() and not (repo / "in-worktree").exists()
    listed = subprocess.run(["git", "-C", str(repo), "worktree", "list"], capture_output=True, text=True).stdout
    assert str(wt) in listed


def test_unsupported_shared_flags_say_so(exec_run):
    # Hooks work now: the bypass is acted on, and announced as the reference does.
    r, server, _ = exec_run(ONE, "--dangerously-bypass-hook-trust", "go")
    assert r.returncode == 0
    assert "--dangerously-bypass-hook-trust is not supported yet" not in r.stderr
    assert "`--dangerously-bypass-hook-trust` is enabled." in r.stderr
    # Auto-review works now (tests/exec/test_auto_review.py): no warning.
    r, server, _ = exec_run(ONE, "--approve-for-me", "go", sandbox=None)
    assert r.returncode == 0 and "--approve-for-me" not in r.stderr


def test_thread_source_goes_to_session_meta(exec_run, codex_home):
    r, server, _ = exec_run(ONE, "--thread-source", "subagent", "go")
    assert r.returncode == 0, r.stderr
    first = json.loads(next((codex_home / "sessions").rglob("rollout-*.jsonl")).read_text().splitlines()[0])
    assert first["payload"]["thread_source"] == "subagent"


# ---- feature flags codex-c acts on ------------------------------------------

def test_view_image_and_shell_tool_features_remove_their_tools(exec_run):
    r, server, _ = exec_run(ONE, "go")
    names = tool_names(body(server))
    assert "view_image" in names and "exec_command" in names
    r, server, _ = exec_run(ONE, "--disable", "view_image", "--disable", "shell_tool", "go")
    assert r.returncode == 0, r.stderr
    names = tool_names(body(server))
    assert "view_image" not in names and "exec_command" not in names and "write_stdin" not in names


def test_an_unsupported_feature_warns_once_and_is_marked_in_the_list(run_codex, codex_home):
    (codex_home / "config.toml").write_text("[features]\ncode_mode = true\n")
    r = run_codex("--enable", "code_mode", "features", "list")
    assert r.returncode == 0
    assert r.stderr.count("codex-c: features.code_mode is not supported yet; ignored") == 1
    line = next(l for l in r.stdout.splitlines() if l.startswith("code_mode "))
    assert line.endswith("(not yet in codex-c)")
    ok = next(l for l in r.stdout.splitlines() if l.startswith("view_image "))
    assert "not yet" not in ok
    r = run_codex("features", "enable", "agent_message_board")
    assert r.returncode == 0
    assert "feature `agent_message_board` is not supported yet" in r.stderr
