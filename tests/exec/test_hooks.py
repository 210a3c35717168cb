"""Lifecycle hooks in codex exec: hooks.json and inline [hooks], the JSON
each event gets on stdin, what exit codes and output do (block, allow, add
context), the trust model, and hooks that hang or print without end."""
import hashlib
import json
import os
import subprocess
import time

import pytest

from exec_helpers import MockServer, write_config

HOOK_SCRIPT = r'''
import json, os, sys
ev, log = sys.argv[1], sys.argv[2]
raw = sys.stdin.read()
try:
    data = json.loads(raw)
except Exception:
    data = {"_raw": raw}
with open(log, "a") as fh:
    fh.write(json.dumps({"event": ev, "stdin": data, "cwd": os.getcwd(),
                         "codex_home": os.environ.get("CODEX_HOME")}) + "\n")
rf = os.path.join(os.path.dirname(log), "resp", ev + ".json")
if os.path.exists(rf):
    spec = json.load(open(rf))
    if spec.get("only_first"):
        if sum(1 for l in open(log) if json.loads(l)["event"] == ev) > 1:
            sys.exit(0)
    out = spec.get("stdout")
    if out is not None:
        sys.stdout.write(out if isinstance(out, str) else json.dumps(out))
    if spec.get("stderr"):
        sys.stderr.write(spec["stderr"])
    sys.exit(spec.get("exit", 0))
'''

ALL_EVENTS = ["PreModelRequest", "PostModelRequest", "PreToolUse", "PermissionRequest",
              "PostToolUse", "PreCompact", "PostCompact", "SessionStart", "SessionEnd",
              "UserPromptSubmit", "SubagentStart", "SubagentStop", "Stop", "Interrupt"]

SNAKE = {e: "".join("_" + c.lower() if c.isupper() else c for c in e).lstrip("_")
         for e in ALL_EVENTS}

RUN_ECHO = [
    {"items": [{"type": "function_call", "name": "exec_command", "call_id": "h_ex",
                "arguments": {"cmd": "echo hook-test > ran.txt; echo hook-test",
                              "login": False}}]},
    [{"type": "message", "text": "HOOK DONE"}],
]


class Hooks:
    """A hook script logging each event, with per-event canned answers."""

    def __init__(self, tmp_path):
        self.dir = tmp_path / "hooklog"
        (self.dir / "resp").mkdir(parents=True)
        self.log = self.dir / "log.jsonl"
        self.script = tmp_path / "hook.py"
        self.script.write_text(HOOK_SCRIPT)

    def command(self, event):
        return f"python3 {self.script} {event} {self.log}"

    def document(self, events, matchers=None, timeout=None):
        hooks = {}
        for ev in events:
            handler = {"type": "command", "command": self.command(ev)}
            if timeout:
                handler["timeout"] = timeout
            group = {"hooks": [handler]}
            if matchers and ev in matchers:
                group["matcher"] = matchers[ev]
            hooks[ev] = [group]
        return {"hooks": hooks}

    def answer(self, event, **spec):
        (self.dir / "resp" / f"{event}.json").write_text(json.dumps(spec))

    def runs(self):
        if not self.log.exists():
            return []
        return [json.loads(l) for l in self.log.read_text().splitlines() if l.strip()]

    def events(self):
        return [r["event"] for r in self.runs()]


def handler_hash(event, handler, matcher=None):
    canon = {"event_name": SNAKE[event], "hooks": [{
        "type": "command", "command": handler["command"],
        "timeout": handler.get("timeout", 600), "async": False}]}
    if matcher is not None:
        canon["matcher"] = matcher
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def hooks(tmp_path):
    return Hooks(tmp_path)


@pytest.fixture
def run_hooks(run_codex, codex_home, repo, mock_server, hooks):
    """run_hooks(script, events, *args, answers=..., bypass=True) -> (r, server, events)."""
    def run(script, events, *args, matchers=None, bypass=True, top="", timeout_sec=None,
            write_file=True, cwd=None):
        server = mock_server(script)
        write_config(codex_home, server.port, "", top)
        if write_file and events:
            (codex_home / "hooks.json").write_text(
                json.dumps(hooks.document(events, matchers, timeout_sec), indent=1))
        argv = ["exec", "--skip-git-repo-check", "--json", "-s", "workspace-write"]
        if bypass:
            argv.append("--dangerously-bypass-hook-trust")
        argv += list(args) + ["HOOKTASK: run a command"]
        r = run_codex(*argv, input="", env={"MOCK_API_KEY": "k"}, cwd=cwd or repo, timeout=120)
        out = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        return r, server, out
    return run


def messages(body, role):
    return [c.get("text") for i in body["input"] if i.get("type") == "message"
            and i.get("role") == role for c in i["content"]]


def exec_items(events):
    return [e["item"] for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "command_execution"]


def notices(events):
    """The run's non-fatal notices: error items, as the reference shows its
    warnings and deprecation notices (a top-level error event is for
    failures)."""
    return [e["item"]["message"] for e in events if e["type"] == "item.completed"
            and e["item"]["type"] == "error"]


def tool_output(body, call_id):
    for i in body["input"]:
        if i.get("type") == "function_call_output" and i.get("call_id") == call_id:
            return i["output"]
    return None


# ---- payloads, order, trust ---------------------------------------------------

def test_every_event_of_a_turn_gets_the_reference_payload(run_hooks, hooks, repo, codex_home):
    r, server, events = run_hooks(RUN_ECHO, ALL_EVENTS)
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["SessionStart", "UserPromptSubmit", "PreModelRequest",
                              "PostModelRequest", "PreToolUse", "PostToolUse",
                              "PreModelRequest", "PostModelRequest", "Stop", "SessionEnd"]
    runs = {r_["event"]: r_ for r_ in reversed(hooks.runs())}
    thread_id = events[0]["thread_id"]
    rollout = next((codex_home / "sessions").rglob("rollout-*.jsonl"))
    for ev, run in runs.items():
        s = run["stdin"]
        assert s["session_id"] == thread_id
        assert s["hook_event_name"] == ev
        assert s["cwd"] == str(repo) and run["cwd"] == str(repo)
        assert s["transcript_path"] == str(rollout)
        assert s["model"] == "gpt-5.5"
        assert run["codex_home"] == str(codex_home)
    assert runs["SessionStart"]["stdin"]["source"] == "startup"
    assert runs["SessionStart"]["stdin"]["permission_mode"] == "bypassPermissions"
    assert "turn_id" not in runs["SessionStart"]["stdin"]
    assert runs["UserPromptSubmit"]["stdin"]["prompt"] == "HOOKTASK: run a command"
    pre = runs["PreToolUse"]["stdin"]
    assert pre["tool_name"] == "Bash" and pre["tool_use_id"] == "h_ex"
    assert pre["tool_input"] == {"command": "echo hook-test > ran.txt; echo hook-test"}
    post = runs["PostToolUse"]["stdin"]
    assert post["tool_response"] == "hook-test\n"
    assert runs["PostModelRequest"]["stdin"]["status"] == "completed"
    assert runs["PostModelRequest"]["stdin"]["error"] is None
    assert "total_tokens" in runs["PostModelRequest"]["stdin"]["token_usage"]
    stop = runs["Stop"]["stdin"]
    assert stop["stop_hook_active"] is False and stop["last_assistant_message"] == "HOOK DONE"
    assert runs["SessionEnd"]["stdin"]["reason"] == "other"
    turn_ids = {run["stdin"].get("turn_id") for run in hooks.runs()} - {None}
    assert len(turn_ids) == 1
    # The bypass is announced; hook runs themselves leave no item.
    errors = notices(events)
    assert any("--dangerously-bypass-hook-trust" in m for m in errors)
    assert (repo / "ran.txt").exists()


def test_untrusted_user_hooks_do_not_run(run_hooks, hooks, repo):
    r, server, events = run_hooks(RUN_ECHO, ["SessionStart", "PreToolUse", "Stop"], bypass=False)
    assert r.returncode == 0, r.stderr
    assert hooks.runs() == []
    assert (repo / "ran.txt").exists()


def test_a_recorded_trust_hash_lets_a_hook_run_and_a_changed_hook_stops(
        run_hooks, hooks, codex_home):
    doc = hooks.document(["SessionStart", "PreToolUse"], matchers={"PreToolUse": "Bash"})
    (codex_home / "hooks.json").write_text(json.dumps(doc))
    path = codex_home / "hooks.json"
    state = ""
    for ev in ("SessionStart", "PreToolUse"):
        group = doc["hooks"][ev][0]
        key = f"{path}:{SNAKE[ev]}:0:0"
        state += (f'[hooks.state."{key}"]\n'
                  f'trusted_hash = "{handler_hash(ev, group["hooks"][0], group.get("matcher"))}"\n')
    r, _, _ = run_hooks(RUN_ECHO, None, bypass=False, top=state, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["SessionStart", "PreToolUse"]

    # Editing the command changes its hash: it is "modified", and skipped.
    doc["hooks"]["PreToolUse"][0]["hooks"][0]["command"] += " --changed"
    path.write_text(json.dumps(doc))
    hooks.log.unlink()
    r, _, _ = run_hooks(RUN_ECHO, None, bypass=False, top=state, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["SessionStart"]


def test_the_reference_hash_of_a_recorded_hook():
    # hooks_trust_via_state: hooks/list reported this hash for this handler.
    w = "/tmp/peerwork/features/hooks_trust_via_state"
    handler = {"command": f"python3 {w}/hook.py PreToolUse {w}/hooklog/log.jsonl"}
    assert handler_hash("PreToolUse", handler, "Bash") == \
        "sha256:1c93a731196c69f9377039aa968d069b7874b2aa57c4a32e15231dcdabdc79d3"


def test_project_hooks_run_only_in_a_trusted_project_and_once_trusted(
        run_hooks, hooks, repo, codex_home):
    (repo / ".codex").mkdir()
    (repo / ".codex" / "hooks.json").write_text(json.dumps(hooks.document(["SessionStart"])))
    # An untrusted project's hooks.json is not even read, bypass or not.
    r, _, _ = run_hooks(RUN_ECHO, None, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.runs() == []
    trusted = f'[projects."{repo}"]\ntrust_level = "trusted"\n'
    # Trusted project, but the hook itself not trusted: still skipped.
    r, _, _ = run_hooks(RUN_ECHO, None, bypass=False, top=trusted, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.runs() == []
    r, _, _ = run_hooks(RUN_ECHO, None, bypass=True, top=trusted, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["SessionStart"]


def test_inline_toml_hooks_run(run_hooks, hooks):
    top = ""
    for ev in ("UserPromptSubmit", "PreToolUse"):
        top += (f'[[hooks.{ev}]]\n[[hooks.{ev}.hooks]]\ntype = "command"\n'
                f'command = "{hooks.command(ev)}"\ntimeout = 30\n')
    r, _, _ = run_hooks(RUN_ECHO, None, top=top, write_file=False)
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["UserPromptSubmit", "PreToolUse"]


def test_disabling_the_feature_turns_every_hook_off(run_hooks, hooks):
    r, _, _ = run_hooks(RUN_ECHO, ["SessionStart", "PreToolUse"], "--disable", "hooks")
    assert r.returncode == 0, r.stderr
    assert hooks.runs() == []


def test_a_matcher_selects_the_tool(run_hooks, hooks, repo):
    r, _, _ = run_hooks(RUN_ECHO, ["PreToolUse", "PostToolUse"],
                        matchers={"PreToolUse": "apply_patch", "PostToolUse": "^Ba.*"})
    assert r.returncode == 0, r.stderr
    assert hooks.events() == ["PostToolUse"]


# ---- block / allow / add context, per event ----------------------------------

def test_additional_context_lands_where_the_reference_puts_it(run_hooks, hooks):
    for ev in ("SessionStart", "UserPromptSubmit", "PostToolUse"):
        hooks.answer(ev, stdout={"hookSpecificOutput": {"hookEventName": ev,
                                                         "additionalContext": f"{ev}-CTX"}})
    r, server, events = run_hooks(RUN_ECHO, ["SessionStart", "UserPromptSubmit", "PostToolUse"])
    assert r.returncode == 0, r.stderr
    first, second = [q["body"] for q in server.requests()]
    dev = messages(first, "developer")
    assert "SessionStart-CTX" in dev and "UserPromptSubmit-CTX" in dev
    kinds = [(i.get("type"), i.get("role"), (i.get("content") or [{}])[0].get("text"))
             for i in second["input"]]
    prompt_at = next(n for n, k in enumerate(kinds) if k[2] == "HOOKTASK: run a command")
    session_at = next(n for n, k in enumerate(kinds) if k[2] == "SessionStart-CTX")
    assert session_at < prompt_at, "SessionStart's note comes before the prompt"
    assert kinds[prompt_at + 1] == ("message", "developer", "UserPromptSubmit-CTX")
    call_at = next(n for n, k in enumerate(kinds) if k[0] == "function_call")
    assert kinds[call_at + 1] == ("message", "developer", "PostToolUse-CTX")
    assert kinds[call_at + 2][0] == "function_call_output"


def test_plain_session_start_output_is_context(run_hooks, hooks):
    hooks.answer("SessionStart", stdout="PLAIN-SESSION-TEXT\n")
    r, server, _ = run_hooks(RUN_ECHO, ["SessionStart"])
    assert r.returncode == 0, r.stderr
    assert "PLAIN-SESSION-TEXT" in messages(server.requests()[0]["body"], "developer")


def test_pre_tool_use_exit_2_blocks_the_command(run_hooks, hooks, repo):
    hooks.answer("PreToolUse", exit=2, stderr="PRE-BLOCKED-by-exit2\n")
    r, server, events = run_hooks(RUN_ECHO, ["PreToolUse", "PostToolUse"])
    assert r.returncode == 0, r.stderr
    assert not (repo / "ran.txt").exists()
    assert exec_items(events) == []
    assert hooks.events() == ["PreToolUse"], "PostToolUse does not run for a blocked tool"
    out = tool_output(server.requests()[1]["body"], "h_ex")
    assert out == ("Command blocked by PreToolUse hook: PRE-BLOCKED-by-exit2. "
                   "Command: echo hook-test > ran.txt; echo hook-test")


def test_pre_tool_use_json_deny_blocks_the_command(run_hooks, hooks, repo):
    hooks.answer("PreToolUse", stdout={"hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "deny",
        "permissionDecisionReason": "PRE-DENIED-json"}})
    r, server, events = run_hooks(RUN_ECHO, ["PreToolUse"])
    assert r.returncode == 0, r.stderr
    assert not (repo / "ran.txt").exists()
    out = tool_output(server.requests()[1]["body"], "h_ex")
    assert out.startswith("Command blocked by PreToolUse hook: PRE-DENIED-json. Command: ")


def test_pre_tool_use_allow_and_failures_let_the_command_run(run_hooks, hooks, repo):
    # exit 1 is a failed hook: it decides nothing (hooks fail open) and is reported.
    hooks.answer("PreToolUse", exit=1, stderr="oops")
    r, server, events = run_hooks(RUN_ECHO, ["PreToolUse"])
    assert r.returncode == 0, r.stderr
    assert (repo / "ran.txt").exists()
    assert len(exec_items(events)) == 1
    errors = notices(events)
    assert any("hook exited with code 1" in m for m in errors)


def test_post_tool_use_block_replaces_the_output(run_hooks, hooks, repo):
    hooks.answer("PostToolUse", stdout={"decision": "block", "reason": "POST-BLOCK-REASON"})
    r, server, events = run_hooks(RUN_ECHO, ["PostToolUse"])
    assert r.returncode == 0, r.stderr
    assert (repo / "ran.txt").exists(), "the tool has already run"
    assert tool_output(server.requests()[1]["body"], "h_ex") == "POST-BLOCK-REASON"


def test_user_prompt_submit_block_sends_nothing(run_hooks, hooks, codex_home):
    hooks.answer("UserPromptSubmit", stdout={"decision": "block", "reason": "PROMPT-BLOCKED"})
    r, server, events = run_hooks(RUN_ECHO, ["UserPromptSubmit", "Stop"])
    assert r.returncode == 0, r.stderr
    assert server.requests() == []
    assert hooks.events() == ["UserPromptSubmit"], "Stop does not run"
    done = [e for e in events if e["type"] == "turn.completed"]
    assert done and done[0]["usage"]["input_tokens"] == 0
    assert "PROMPT-BLOCKED" not in r.stdout + r.stderr
    rollout = next((codex_home / "sessions").rglob("rollout-*.jsonl")).read_text()
    assert "HOOKTASK: run a command" not in rollout


def test_user_prompt_submit_exit_2_blocks(run_hooks, hooks):
    hooks.answer("UserPromptSubmit", exit=2, stderr="no")
    r, server, _ = run_hooks(RUN_ECHO, ["UserPromptSubmit"])
    assert r.returncode == 0, r.stderr
    assert server.requests() == []


def test_stop_block_continues_the_turn(run_hooks, hooks, codex_home):
    hooks.answer("Stop", only_first=True, stdout={"decision": "block",
                                                  "reason": "STOP-REASON-keep-going"})
    script = RUN_ECHO + [[{"type": "message", "text": "SECOND"}]]
    r, server, events = run_hooks(script, ["Stop"])
    assert r.returncode == 0, r.stderr
    reqs = server.requests()
    assert len(reqs) == 3
    path = codex_home / "hooks.json"
    assert messages(reqs[2]["body"], "user")[-1] == (
        f'<hook_prompt hook_run_id="stop:0:{path}">STOP-REASON-keep-going</hook_prompt>')
    stops = [run["stdin"] for run in hooks.runs()]
    assert [s["stop_hook_active"] for s in stops] == [False, True]
    agent = [e["item"]["text"] for e in events if e["type"] == "item.completed"
             and e["item"]["type"] == "agent_message"]
    assert agent == ["HOOK DONE", "SECOND"]


def test_stop_allow_ends_the_turn(run_hooks, hooks):
    hooks.answer("Stop", stdout="{}")
    r, server, _ = run_hooks(RUN_ECHO, ["Stop"])
    assert r.returncode == 0, r.stderr
    assert len(server.requests()) == 2


# ---- hooks that misbehave ----------------------------------------------------------

def write_raw_hooks(codex_home, event, command, timeout=None):
    handler = {"type": "command", "command": command}
    if timeout:
        handler["timeout"] = timeout
    (codex_home / "hooks.json").write_text(json.dumps({"hooks": {event: [{"hooks": [handler]}]}}))


def test_a_hanging_hook_is_killed_at_its_timeout(run_hooks, codex_home, tmp_path, repo):
    pidfile = tmp_path / "hook.pid"
    write_raw_hooks(codex_home, "PreToolUse", f"echo $$ > {pidfile}; exec sleep 600", timeout=1)
    start = time.monotonic()
    r, server, events = run_hooks(RUN_ECHO, None, write_file=False)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 60
    errors = notices(events)
    assert any("timed out after 1s" in m for m in errors)
    assert (repo / "ran.txt").exists(), "a failed hook does not block"
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_hook_printing_100_mb_is_cut_off(run_hooks, codex_home, repo):
    write_raw_hooks(codex_home, "PreToolUse", "head -c 100000000 /dev/zero | tr '\\0' x")
    r, server, events = run_hooks(RUN_ECHO, None, write_file=False)
    assert r.returncode == 0, r.stderr
    errors = notices(events)
    assert any("hook output exceeded" in m for m in errors)
    assert (repo / "ran.txt").exists()
    # Nothing of it reaches the model.
    assert "x" * 1000 not in json.dumps(server.requests()[1]["body"])


def test_a_broken_hooks_file_is_named_and_skipped(run_hooks, codex_home):
    (codex_home / "hooks.json").write_text('{"hooks": {"PreToolUse": [ }')
    r, server, events = run_hooks(RUN_ECHO, None, write_file=False)
    assert r.returncode == 0, r.stderr
    errors = notices(events)
    assert any(f"{codex_home / 'hooks.json'}:1:" in m for m in errors)


def test_features_list_reports_hooks_on(run_codex, codex_home):
    (codex_home / "config.toml").write_text("")
    r = run_codex("features", "list")
    line = next(l for l in r.stdout.splitlines() if l.split()[:1] == ["hooks"])
    assert line.split()[1:] == ["stable", "true"]
    r = run_codex("-c", "features.codex_hooks=false", "features", "list")
    line = next(l for l in r.stdout.splitlines() if l.split()[:1] == ["hooks"])
    assert line.split()[-1] == "false"


def test_the_docs_flag_name_works_and_is_called_deprecated(run_hooks, hooks):
    r, _, events = run_hooks(RUN_ECHO, ["SessionStart"], "-c", "features.codex_hooks=false")
    assert r.returncode == 0, r.stderr
    assert hooks.runs() == [], "codex_hooks = false turns hooks off"
    assert any(m.startswith("`[features].codex_hooks` is deprecated. Use `[features].hooks` instead."
                            " (Enable it with `--enable hooks`") for m in notices(events))
    assert not [e for e in events if e["type"] == "error"]


def test_notices_in_the_human_output(run_codex, codex_home, repo, mock_server):
    # As the reference prints them: a deprecation with its advice on the
    # next line, the bypass as a warning, neither as an ERROR.
    server = mock_server([[{"type": "message", "text": "done"}]])
    write_config(codex_home, server.port, "", "[features]\ncodex_hooks = true\n")
    r = run_codex("exec", "--skip-git-repo-check", "--dangerously-bypass-hook-trust", "hi",
                  input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    at = lines.index("deprecated: `[features].codex_hooks` is deprecated. Use `[features].hooks` "
                     "instead.")
    assert lines[at + 1].startswith("Enable it with `--enable hooks`")
    assert "warning: `--dangerously-bypass-hook-trust` is enabled. Enabled hooks may run without " \
        "review for this invocation." in lines
    assert not [l for l in lines if l.startswith("ERROR")]
