"""Escapes through the agent's own tools rather than through a shell: a
patch or a command whose effect lands outside the writable roots must never
happen without the user's approval.  Each case runs one `codex exec` turn
against the scripted model under workspace-write, once with on-request
(exec has nobody to ask, so asking means a refusal) and once with never
(refused outright), and checks the file system afterwards."""
import json
import os
import pathlib
import shutil
import sys
import uuid

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "exec"))
from exec_helpers import MockServer, write_config  # noqa: E402

UP = "../" * 16


@pytest.fixture
def outside():
    """Outside every writable root: not under the workspace, /tmp or $TMPDIR."""
    d = pathlib.Path("/var/tmp") / f"codex-patch-escape-{uuid.uuid4().hex[:10]}"
    d.mkdir()
    (d / "victim.txt").write_text("original\n")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def workspace(tmp_path):
    w = tmp_path / "ws"
    w.mkdir()
    (w / "a.txt").write_text("x\n")
    return w


def run_turn(run_codex, codex_home, tmp_path, workspace, call, approval):
    server = MockServer(tmp_path, [[dict(call, call_id="c1")], [{"type": "message", "text": "done"}]])
    try:
        write_config(codex_home, server.port)
        env = {"MOCK_API_KEY": "k", "CODEX_REQUIREMENTS_PATH": str(tmp_path / "none.toml")}
        r = run_codex("exec", "--skip-git-repo-check", "--json", "-s", "workspace-write", "-a", approval,
                      "go", input="", env=env, cwd=workspace)
        outputs = [it["output"] for req in server.requests() for it in req["body"]["input"]
                   if it.get("type", "").endswith("call_output")]
        return r, outputs
    finally:
        server.stop()


def patch(body):
    return {"type": "custom_tool_call", "name": "apply_patch",
            "input": f"*** Begin Patch\n{body}*** End Patch\n"}


def heredoc(body):
    script = f"apply_patch <<'EOF'\n*** Begin Patch\n{body}*** End Patch\nEOF\n"
    return {"type": "function_call", "name": "exec_command", "arguments": json.dumps({"cmd": script})}


CASES = {
    "add-dotdot": lambda o: (f"*** Add File: {UP}{str(o)[1:]}/new.txt\n+pwned\n", o / "new.txt"),
    "add-absolute": lambda o: (f"*** Add File: {o}/new.txt\n+pwned\n", o / "new.txt"),
    "delete-dotdot": lambda o: (f"*** Delete File: {UP}{str(o)[1:]}/victim.txt\n", o / "victim.txt"),
    "update-dotdot": lambda o: (f"*** Update File: {UP}{str(o)[1:]}/victim.txt\n@@\n-original\n+pwned\n",
                                o / "victim.txt"),
    "move-outside": lambda o: (f"*** Update File: a.txt\n*** Move to: {o}/moved.txt\n@@\n-x\n+pwned\n",
                               o / "moved.txt"),
    "add-through-symlinked-dir": lambda o: ("*** Add File: link/new.txt\n+pwned\n", o / "new.txt"),
    "update-through-symlinked-dir": lambda o: ("*** Update File: link/victim.txt\n@@\n-original\n+pwned\n",
                                               o / "victim.txt"),
    "delete-through-symlinked-dir": lambda o: ("*** Delete File: link/victim.txt\n", o / "victim.txt"),
}


def untouched(target, outside):
    if target.name == "victim.txt":
        return target.exists() and target.read_text() == "original\n"
    return not target.exists()


@pytest.mark.parametrize("form", ["tool", "heredoc"])
@pytest.mark.parametrize("approval", ["on-request", "never"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_patch_outside_the_roots_never_lands(run_codex, codex_home, tmp_path, workspace, outside, case,
                                             approval, form):
    os.symlink(outside, workspace / "link")
    body, target = CASES[case](outside)
    call = patch(body) if form == "tool" else heredoc(body)
    r, outputs = run_turn(run_codex, codex_home, tmp_path, workspace, call, approval)
    assert r.returncode == 0, r.stderr
    assert untouched(target, outside), (case, outputs)
    assert outputs and "Success." not in outputs[0], outputs
    if approval == "never":
        assert outputs[0] == "patch rejected: writing outside of the project; rejected by user approval settings"
    assert (workspace / "a.txt").read_text() == "x\n"


def test_a_patch_inside_the_roots_still_applies(run_codex, codex_home, tmp_path, workspace, outside):
    r, outputs = run_turn(run_codex, codex_home, tmp_path, workspace,
                          patch("*** Update File: a.txt\n@@\n-x\n+y\n*** Add File: sub/b.txt\n+b\n"), "never")
    assert outputs[0].startswith("Exit code: 0\n"), outputs
    assert (workspace / "a.txt").read_text() == "y\n"
    assert (workspace / "sub" / "b.txt").read_text() == "b\n"


def test_a_patch_into_protected_metadata_is_not_applied(run_codex, codex_home, tmp_path, workspace, outside):
    (workspace / ".git").mkdir()
    r, outputs = run_turn(run_codex, codex_home, tmp_path, workspace,
                          patch("*** Add File: .git/hooks/post-checkout\n+#!/bin/sh\n"), "never")
    assert not (workspace / ".git" / "hooks" / "post-checkout").exists()
    assert outputs[0].startswith("patch rejected"), outputs


def test_command_workdir_does_not_widen_the_writable_roots(run_codex, codex_home, tmp_path, workspace, outside):
    """The sandbox's writable roots come from the session's directory, not
    from where the model chose to run the command."""
    cmd = {"type": "function_call", "name": "exec_command",
           "arguments": json.dumps({"cmd": f"echo pwned > {outside}/via-workdir.txt", "workdir": str(outside)})}
    r, outputs = run_turn(run_codex, codex_home, tmp_path, workspace, cmd, "never")
    assert not (outside / "via-workdir.txt").exists(), outputs
    cmd = {"type": "function_call", "name": "exec_command",
           "arguments": json.dumps({"cmd": "echo pwned > /var/tmp/x-" + outside.name, "workdir": "/"})}
    r, outputs = run_turn(run_codex, codex_home, tmp_path, workspace, cmd, "never")
    assert not pathlib.Path("/var/tmp/x-" + outside.name).exists(), outputs
