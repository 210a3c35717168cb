"""codex archive / unarchive / delete: a saved session by id or name moves
to archived_sessions/ and back, or is deleted (with the threads it
started), with the reference's messages and exit codes."""
import json
import os
import subprocess

ONE = [[{"type": "message", "text": "answer"}]]


def rollouts(codex_home):
    return sorted(p for p in codex_home.rglob("rollout-*.jsonl"))


def session(exec_run):
    r, _, events = exec_run(ONE, "--json", "question", repeat_last=True)
    assert r.returncode == 0, r.stderr
    return events[0]["thread_id"]


def test_archive_and_unarchive_by_id(exec_run, run_codex, codex_home):
    tid = session(exec_run)
    r = run_codex("archive", tid)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"Archived session {tid}.\n"
    [path] = rollouts(codex_home)
    assert path.parent == codex_home / "archived_sessions"
    r = run_codex("archive", tid)
    assert r.returncode == 1 and "Error: failed to archive session" in r.stderr
    r = run_codex("unarchive", tid)
    assert r.returncode == 0 and r.stdout == f"Unarchived session {tid}.\n"
    [path] = rollouts(codex_home)
    assert (codex_home / "sessions") in path.parents
    r = run_codex("unarchive", tid)
    assert r.returncode == 1 and "Error: failed to unarchive session" in r.stderr


def test_unknown_sessions_change_nothing(exec_run, run_codex, codex_home):
    session(exec_run)
    before = rollouts(codex_home)
    r = run_codex("archive", "no-such-name")
    assert r.returncode == 1
    assert "Error: No active session found matching 'no-such-name'." in r.stderr
    r = run_codex("unarchive", "no-such-name")
    assert "Error: No archived session found matching 'no-such-name'." in r.stderr
    r = run_codex("delete", "--force", "00000000-0000-7000-8000-000000000000")
    assert r.returncode == 1 and "00000000-0000-7000-8000-000000000000" in r.stderr
    assert rollouts(codex_home) == before


def test_delete_needs_a_terminal_or_force(exec_run, run_codex, codex_home):
    tid = session(exec_run)
    r = run_codex("delete", tid, input="y\n")
    assert r.returncode == 1
    assert "cannot confirm session deletion without an interactive terminal" in r.stderr
    assert rollouts(codex_home)
    r = run_codex("delete", "--force", "some-name")
    assert r.returncode == 1
    assert "--force requires a session UUID; names must be confirmed interactively" in r.stderr
    r = run_codex("delete", "--force", tid)
    assert r.returncode == 0 and r.stdout == f"Deleted session {tid}.\n"
    assert rollouts(codex_home) == []


def test_delete_asks_on_a_terminal(exec_run, codex_home, tmp_path):
    tid = session(exec_run)
    env = dict(os.environ, CODEX_HOME=str(codex_home), HOME=str(tmp_path))
    bin_ = os.environ["CODEX_BIN"]
    out = subprocess.run(["script", "-qc", f"{bin_} delete {tid}", "/dev/null"], input="n\n",
                         capture_output=True, text=True, env=env, timeout=60).stdout
    assert f"Permanently delete session {tid}?" in out and "Continue? [y/N]:" in out
    assert "Delete cancelled." in out
    assert rollouts(codex_home)
    out = subprocess.run(["script", "-qc", f"{bin_} delete {tid}", "/dev/null"], input="y\n",
                         capture_output=True, text=True, env=env, timeout=60).stdout
    assert f"Deleted session {tid}." in out
    assert rollouts(codex_home) == []


def test_delete_takes_the_threads_a_session_started(run_codex, codex_home, repo, tmp_path):
    # A review leaves a reviewer thread whose first line names its parent.
    from exec_helpers import MockServer, write_config
    server = MockServer(tmp_path, [[{"type": "message", "text": json.dumps(
        {"findings": [], "overall_explanation": "fine"})}]])
    try:
        write_config(codex_home, server.port)
        r = run_codex("review", "--uncommitted", input="", env={"MOCK_API_KEY": "k"}, cwd=repo)
        assert r.returncode == 0, r.stderr
    finally:
        server.stop()
    files = rollouts(codex_home)
    assert len(files) == 2
    metas = [json.loads(f.read_text().splitlines()[0])["payload"] for f in files]
    parent = next(m["id"] for m in metas if "parent_thread_id" not in m)
    r = run_codex("delete", "--force", parent)
    assert r.returncode == 0, r.stderr
    assert rollouts(codex_home) == []
