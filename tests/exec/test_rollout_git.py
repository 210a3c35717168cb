"""session_meta's `git` {commit_hash, branch} read from .git without running
git: loose and packed refs, a detached HEAD, and no key outside a repo."""
import json
import subprocess

ONE = [[{"type": "message", "text": "ok"}]]


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def session_meta(codex_home):
    [f] = sorted((codex_home / "sessions").rglob("rollout-*.jsonl"))
    first = json.loads(f.read_text().splitlines()[0])
    assert first["type"] == "session_meta"
    return first["payload"]


def test_branch_with_packed_refs(exec_run, codex_home, repo):
    git(repo, "checkout", "-q", "-b", "feature/x")
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "feature" / "x").exists()
    r, _, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert session_meta(codex_home)["git"] == {"commit_hash": git(repo, "rev-parse", "HEAD"),
                                               "branch": "feature/x"}


def test_detached_head(exec_run, codex_home, repo):
    git(repo, "checkout", "-q", "--detach")
    r, _, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert session_meta(codex_home)["git"] == {"commit_hash": git(repo, "rev-parse", "HEAD"),
                                               "branch": None}


def test_no_git_key_outside_a_repository(exec_run, codex_home, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    r, _, _ = exec_run(ONE, "hi", cwd=plain)
    assert r.returncode == 0, r.stderr
    assert "git" not in session_meta(codex_home)
