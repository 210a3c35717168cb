"""codex exec as a command: prompt sources, output modes, files it writes,
and the tools' behaviour seen from the model's side."""
import json
import os
import stat

ONE = [[{"type": "message", "text": "Hello from the mock."}]]


def last_user_text(server, index=-1):
    inp = server.requests()[index]["body"]["input"]
    users = [i for i in inp if i.get("role") == "user"]
    return users[-1]["content"]


def outputs(server):
    inp = server.requests()[-1]["body"]["input"]
    return {i["call_id"]: i["output"] for i in inp if i["type"] == "function_call_output"}


def test_final_message_on_stdout_progress_on_stderr(exec_run):
    r, server, _ = exec_run(ONE, "say hi")
    assert r.returncode == 0
    assert r.stdout == "Hello from the mock.\n"
    assert "Hello from the mock." in r.stderr and "say hi" in r.stderr


def test_prompt_from_stdin_with_dash(exec_run):
    r, server, _ = exec_run(ONE, "-", input="prompt via stdin\n")
    assert r.returncode == 0
    assert last_user_text(server)[0]["text"] == "prompt via stdin"


def test_stdin_is_appended_to_an_argument_prompt(exec_run):
    r, server, _ = exec_run(ONE, "summarise", input="line 1\nline 2\n")
    assert r.returncode == 0
    assert last_user_text(server)[0]["text"] == "summarise\n\n<stdin>\nline 1\nline 2\n</stdin>"


def test_refuses_outside_a_git_repository(run_codex, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    r = run_codex("exec", "-s", "danger-full-access", "hi", cwd=plain, input="")
    assert r.returncode == 1
    assert "--skip-git-repo-check" in r.stderr


def test_output_schema_is_sent_as_text_format(exec_run, tmp_path):
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],
              "additionalProperties": False}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    r, server, _ = exec_run(ONE, "--output-schema", path, "x")
    assert r.returncode == 0
    fmt = server.requests()[0]["body"]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["schema"] == schema and fmt["strict"] is True


def test_bad_output_schema_is_a_clear_error(exec_run, tmp_path):
    path = tmp_path / "schema.json"
    path.write_text("{oops")
    r, server, _ = exec_run(ONE, "--output-schema", path, "x")
    assert r.returncode == 1
    assert str(path) in r.stderr
    assert server.requests() == []


def test_session_files_and_ephemeral(exec_run, codex_home):
    r, _, events = exec_run(ONE, "--json", "first")
    rollouts = list((codex_home / "sessions").rglob("rollout-*.jsonl"))
    assert len(rollouts) == 1
    assert rollouts[0].name.endswith(events[0]["thread_id"] + ".jsonl")
    kinds = [json.loads(l)["type"] for l in rollouts[0].read_text().splitlines()]
    assert kinds[0] == "session_meta" and "turn_context" in kinds and "response_item" in kinds
    # Prompt history is the TUI's; exec keeps none, as the reference's.
    assert not (codex_home / "history.jsonl").exists()
    assert stat.S_IMODE(os.stat(rollouts[0]).st_mode) == 0o600

    r, _, _ = exec_run(ONE, "--json", "--ephemeral", "second")
    assert len(list((codex_home / "sessions").rglob("rollout-*.jsonl"))) == 1


def test_missing_api_key_is_reported(exec_run):
    r, server, _ = exec_run(ONE, "x", env={"MOCK_API_KEY": ""})
    assert r.returncode == 1
    assert "MOCK_API_KEY" in r.stderr
    assert server.requests() == []


def test_agents_md_and_developer_instructions_reach_the_model(exec_run, repo, codex_home):
    (codex_home / "AGENTS.md").write_text("global rule\n")
    (repo / "AGENTS.md").write_text("repo rule\n")
    sub = repo / "pkg"
    sub.mkdir()
    (sub / "AGENTS.md").write_text("ignored: overridden\n")
    (sub / "AGENTS.override.md").write_text("pkg rule\n")
    r, server, _ = exec_run(ONE, "x", top='developer_instructions = "be terse"', cwd=sub)
    assert r.returncode == 0
    inp = server.requests()[0]["body"]["input"]
    texts = [c["text"] for i in inp for c in i["content"]]
    agents = [t for t in texts if t.startswith("# AGENTS.md instructions")][0]
    assert agents.index("global rule") < agents.index("repo rule") < agents.index("pkg rule")
    assert "ignored" not in agents
    assert "be terse" in texts


def test_image_is_attached_to_the_prompt(exec_run, tmp_path):
    png = tmp_path / "pixel.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    r, server, _ = exec_run(ONE, "-i", png, "look")
    assert r.returncode == 0
    content = last_user_text(server)
    assert content[1]["type"] == "input_image"
    assert content[1]["image_url"].startswith("data:image/png;base64,iVBORw0KGgo")


def test_parallel_calls_really_overlap(exec_run, repo):
    wait = ("for i in $(seq 100); do [ -e flag ] && echo saw-flag && exit 0; sleep 0.05; done; "
            "echo timed-out")
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "waiter",
                "arguments": {"cmd": wait, "login": False}},
               {"type": "function_call", "name": "exec_command", "call_id": "toucher",
                "arguments": {"cmd": "sleep 0.2; touch flag", "login": False}}],
              [{"type": "message", "text": "done"}]]
    r, server, _ = exec_run(script, "--json", "go")
    assert r.returncode == 0
    assert "saw-flag" in outputs(server)["waiter"]


def test_long_running_command_becomes_a_session(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "read x; echo got-$x", "login": False,
                              "yield_time_ms": 300}}],
              [{"type": "function_call", "name": "write_stdin", "call_id": "c2",
                "arguments": {"session_id": 1, "chars": "hello\n", "yield_time_ms": 2000}}],
              [{"type": "function_call", "name": "write_stdin", "call_id": "c3",
                "arguments": {"session_id": 1, "chars": ""}}],
              [{"type": "message", "text": "done"}]]
    r, server, events = exec_run(script, "--json", "go")
    assert r.returncode == 0
    reqs = server.requests()
    first = {i["call_id"]: i["output"] for i in reqs[1]["body"]["input"]
             if i["type"] == "function_call_output"}["c1"]
    assert "Process running with session ID 1" in first
    second = {i["call_id"]: i["output"] for i in reqs[2]["body"]["input"]
              if i["type"] == "function_call_output"}["c2"]
    assert "Process exited with code 0" in second and "got-hello" in second
    third = outputs(server)["c3"]
    assert third.startswith("write_stdin failed: Unknown process id 1")
    done = [e for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "command_execution"]
    assert done[0]["item"]["aggregated_output"] == "got-hello\n"


def test_tty_commands_see_a_terminal(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "test -t 1 && echo is-a-tty || echo no-tty",
                              "login": False, "tty": True}}],
              [{"type": "message", "text": "done"}]]
    r, server, _ = exec_run(script, "--json", "go")
    assert "is-a-tty" in outputs(server)["c1"]


def test_secrets_are_kept_out_of_command_environments(exec_run):
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": "echo ${MY_API_KEY:-unset} ${KEEP_ME:-unset} $EXTRA",
                              "login": False}}],
              [{"type": "message", "text": "done"}]]
    r, server, _ = exec_run(script, "--json", "go", env={"MY_API_KEY": "s3cret", "KEEP_ME": "1"},
                            top='[shell_environment_policy]\nset = { EXTRA = "added" }')
    out = outputs(server)["c1"]
    assert "s3cret" not in out
    assert "unset 1 added" in out


def test_output_truncation_keeps_head_and_tail(exec_run):
    cmd = "seq 1 20000"
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": cmd, "login": False, "max_output_tokens": 100}}],
              [{"type": "message", "text": "done"}]]
    r, server, _ = exec_run(script, "--json", "go")
    out = outputs(server)["c1"]
    body = out.split("Output:\n", 1)[1]
    assert body.startswith("1\n2\n3\n") and body.endswith("19999\n20000\n")
    assert "tokens truncated" in body and len(body) < 1000


def test_apply_patch_heredoc_in_exec_command_is_applied(exec_run, repo):
    cmd = ("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: via_heredoc.txt\n+made by heredoc\n"
           "*** End Patch\nEOF\n")
    script = [[{"type": "function_call", "name": "exec_command", "call_id": "c1",
                "arguments": {"cmd": cmd}}],
              [{"type": "message", "text": "done"}]]
    r, server, events = exec_run(script, "--json", "go", sandbox="workspace-write")
    assert r.returncode == 0
    assert (repo / "via_heredoc.txt").read_text() == "made by heredoc\n"
    assert outputs(server)["c1"].startswith("Exit code: 0\n")
    kinds = [e["item"]["type"] for e in events if e["type"] == "item.completed"]
    assert "file_change" in kinds and "command_execution" not in kinds


def test_originator_override_reaches_the_headers(exec_run):
    r, server, _ = exec_run(ONE, "x", env={"CODEX_INTERNAL_ORIGINATOR_OVERRIDE": "codex_sdk_ts"})
    h = {k.lower(): v for k, v in server.requests()[0]["headers"].items()}
    assert h["originator"] == "codex_sdk_ts"
    assert h["user-agent"].startswith("codex_sdk_ts/")
    assert h["authorization"] == "Bearer test-key"
