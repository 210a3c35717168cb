"""What must keep working under workspace-write, and what must fail the way
it does in the reference (docs/sandbox.md has the side-by-side table)."""
import pathlib
import subprocess

import pytest

from conftest import CODEX_BIN

PY = "/usr/bin/python3"

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture
def repo(sbx):
    for cmd in ["git init -q", "git config user.email t@example.com", "git config user.name t",
                "echo one > tracked.txt", "git add tracked.txt", "git commit -qm init",
                "echo two >> tracked.txt"]:
        r = sbx.host(cmd)
        assert r.returncode == 0, (cmd, r.stderr)
    return sbx


def test_cc_compiles_and_runs(sbx, pipeline):
    (sbx.ws / "src").mkdir()
    (sbx.ws / "src" / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hello");return 0;}\n')
    # The narrowed Landlock pipeline cannot create files at the top of /tmp,
    # where cc puts its intermediates: the documented workaround is a
    # TMPDIR inside the workspace.
    env, cfg = {}, []
    if pipeline == "landlock-narrow":
        (sbx.ws / "tmp").mkdir()
        env = {"TMPDIR": str(sbx.ws / "tmp")}
        cfg = ["sandbox_workspace_write.exclude_tmpdir_env_var=true"]
    r = sbx.sandbox("cc -o src/hello src/hello.c && ./src/hello", pipeline=pipeline, env=env, config=cfg)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello\n"


def test_make_builds(sbx, pipeline):
    (sbx.ws / "b").mkdir()
    (sbx.ws / "b" / "Makefile").write_text("out.txt:\n\techo built > out.txt\n")
    r = sbx.sandbox("make -s -C b", pipeline=pipeline)
    assert r.returncode == 0, r.stderr
    assert (sbx.ws / "b" / "out.txt").read_text() == "built\n"


def test_python_script_writes_in_workspace_and_tmp(sbx, pipeline):
    (sbx.ws / "d").mkdir()
    code = ("import tempfile, pathlib\n"
            "pathlib.Path('d/out.txt').write_text('py\\n')\n"
            "with tempfile.NamedTemporaryFile(dir='/tmp') as f: f.write(b'x')\n"
            "print('ok')\n")
    r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code])
    if pipeline == "landlock-narrow":
        # Without a mount namespace the top level of /tmp is not writable.
        assert r.returncode != 0 and (sbx.ws / "d" / "out.txt").read_text() == "py\n"
        return
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok\n"


def test_write_new_file_at_workspace_top_level(sbx, pipeline):
    r = sbx.sandbox("echo new > new.txt", pipeline=pipeline)
    if pipeline == "landlock-narrow":
        assert r.returncode != 0 and not (sbx.ws / "new.txt").exists()
    else:
        assert r.returncode == 0 and (sbx.ws / "new.txt").read_text() == "new\n"


def test_git_status_and_diff_work(repo, pipeline):
    r = repo.sandbox("git status --short && git diff --stat", pipeline=pipeline, env=GIT_ENV)
    assert r.returncode == 0, r.stderr
    assert "M tracked.txt" in r.stdout
    assert "1 insertion" in r.stdout


def test_git_commit_fails_as_in_reference(repo, pipeline):
    head = repo.host("git rev-parse HEAD").stdout
    r = repo.sandbox("git commit -qam change", pipeline=pipeline, env=GIT_ENV)
    assert r.returncode != 0
    assert repo.host("git rev-parse HEAD").stdout == head
    ok = repo.sandbox("git commit -qam change", mode="danger-full-access", pipeline=pipeline, env=GIT_ENV)
    assert ok.returncode == 0 and repo.host("git rev-parse HEAD").stdout != head


def test_git_init_fails_in_a_non_repository(sbx, pipeline):
    r = sbx.sandbox("git init -q", pipeline=pipeline, env=GIT_ENV)
    assert r.returncode != 0
    assert not (sbx.ws / ".git" / "HEAD").exists()
    assert list(sbx.ws.iterdir()) == []


def test_exit_status_and_signals_pass_through(sbx, pipeline):
    assert sbx.sandbox("exit 7", pipeline=pipeline).returncode == 7
    assert sbx.sandbox("kill -KILL $$", pipeline=pipeline).returncode == 137
    assert sbx.sandbox("kill -TERM $$", pipeline=pipeline).returncode == 143


def test_missing_program_is_127_with_a_clear_message(sbx, pipeline):
    r = sbx.sandbox("", pipeline=pipeline, argv=["no-such-program-xyz"])
    assert r.returncode == 127
    assert "no-such-program-xyz" in r.stderr and "not found" in r.stderr
    assert "AddressSanitizer" not in r.stderr


def test_stdin_and_stdout_are_the_callers(sbx, pipeline):
    args = [str(CODEX_BIN), "sandbox"] + (["landlock"] if pipeline.startswith("landlock") else [])
    r = subprocess.run(args + ["--", "cat"], input="piped\n", cwd=sbx.ws, env=sbx.env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "piped\n", r.stderr


def test_network_access_true_allows_loopback(sbx, pipeline):
    code = ("import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1);"
            " c=socket.create_connection(s.getsockname()); print('ok')")
    r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code],
                    config=["sandbox_workspace_write.network_access=true"])
    assert r.returncode == 0 and r.stdout == "ok\n", r.stderr
    r = sbx.sandbox("", pipeline=pipeline, argv=[PY, "-c", code])
    assert r.returncode != 0
