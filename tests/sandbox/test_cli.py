"""`codex sandbox` (and `codex debug`), the codex-linux-sandbox helper, the
library's hook-less spawn path, bad input and the bwrap → Landlock fallback."""
import json
import os
import subprocess

import pytest

from sandbox_support import CODEX_BIN, SPAWN_TOOL, fake_bin, have_bwrap, landlock_abi, pipeline, sbx, unique  # noqa: F401


def run(sbx, *args, env=None, cwd=None, argv0=None):
    e = sbx.env(env)
    return subprocess.run([argv0 or str(CODEX_BIN), *args], executable=str(CODEX_BIN), cwd=cwd or sbx.ws,
                          env=e, capture_output=True, text=True, timeout=60)


def test_help(sbx):
    r = run(sbx, "sandbox", "--help")
    assert r.returncode == 0
    assert "Usage: codex sandbox" in r.stdout


def test_no_command_is_a_usage_error(sbx):
    r = run(sbx, "sandbox")
    assert r.returncode == 2
    assert "command" in r.stderr


def test_unknown_flag_is_a_usage_error(sbx):
    r = run(sbx, "sandbox", "--bogus", "--", "true")
    assert r.returncode == 2 and "--bogus" in r.stderr


def test_bad_sandbox_mode_is_an_error(sbx):
    r = run(sbx, "sandbox", "-c", "sandbox_mode=wide-open", "--", "true")
    assert r.returncode == 1
    assert "wide-open" in r.stderr


@pytest.mark.parametrize("alias", [["sandbox", "linux"], ["debug"], ["debug", "linux"], ["sandbox", "landlock"]])
def test_aliases_run_sandboxed(sbx, alias):
    r = run(sbx, *alias, "--", "sh", "-c", "echo x > f")
    assert r.returncode != 0 and not (sbx.ws / "f").exists()  # read-only by default
    r = run(sbx, *alias, "--full-auto", "--", "sh", "-c", "echo x > f")
    assert r.returncode == 0 and (sbx.ws / "f").exists()


def test_explain_names_the_pipeline_and_roots(sbx):
    r = run(sbx, "sandbox", "--full-auto", "--explain")
    assert r.returncode == 0
    assert "policy: workspace-write" in r.stdout
    assert f"writable root: {sbx.ws}" in r.stdout
    assert f"read-only: {sbx.ws}/.git (absent; kept uncreatable)" in r.stdout
    assert "network: blocked" in r.stdout
    expected = "bwrap" if have_bwrap() else "landlock"
    assert f"pipeline: {expected}" in r.stdout
    r = run(sbx, "sandbox", "landlock", "--explain")
    assert "pipeline: landlock (use_legacy_landlock = true)" in r.stdout
    r = run(sbx, "sandbox", "-c", "sandbox_mode=danger-full-access", "--explain")
    assert "pipeline: none" in r.stdout


def test_bad_writable_roots_fail_closed(sbx):
    # The configuration resolves a relative root against the cwd; one that
    # does not exist is an error either way.
    for value, what in [('["relative/dir"]', f"{sbx.ws}/relative/dir' cannot be used: No such file"),
                        ('["/nonexistent/codex-sbx"]', "No such file or directory")]:
        r = run(sbx, "sandbox", "--full-auto", "-c", f"sandbox_workspace_write.writable_roots={value}",
                "--", "sh", "-c", "echo x > f")
        assert r.returncode == 1, r.stderr
        assert what in r.stderr
        assert not (sbx.ws / "f").exists()


def test_cwd_inside_a_protected_path_fails_closed(sbx):
    hooks = sbx.ws / ".git" / "hooks"
    hooks.mkdir(parents=True)
    r = run(sbx, "sandbox", "--full-auto", "--", "sh", "-c", "echo x > pre-commit", cwd=hooks)
    assert r.returncode == 1
    assert "protected '.git'" in r.stderr
    assert not (hooks / "pre-commit").exists()


def test_symlinked_root_is_its_target(sbx):
    link = sbx.base / "link-to-outside"
    link.symlink_to(sbx.outside)
    r = run(sbx, "sandbox", "--full-auto", "-c", f'sandbox_workspace_write.writable_roots=["{link}"]',
            "--", "sh", "-c", f"echo x > {link}/f && echo y > {sbx.outside}/g")
    assert r.returncode == 0, r.stderr
    assert (sbx.outside / "f").exists() and (sbx.outside / "g").exists()


def test_helper_personality(sbx):
    policy = json.dumps({"type": "workspace-write", "writable_roots": [], "network_access": False,
                         "exclude_tmpdir_env_var": True, "exclude_slash_tmp": True})
    r = run(sbx, "--sandbox-policy-cwd", str(sbx.ws), "--sandbox-policy", policy, "--",
            "sh", "-c", "echo x > f; echo y > .git/config", argv0="codex-linux-sandbox")
    assert (sbx.ws / "f").exists()
    assert r.returncode != 0 and not (sbx.ws / ".git").exists()
    r = run(sbx, "--sandbox-policy-cwd", str(sbx.ws), "--", "sh", "-c", "echo x > g",
            argv0="codex-linux-sandbox")
    assert r.returncode != 0 and not (sbx.ws / "g").exists()  # read-only without a policy
    r = run(sbx, "--", "true", argv0="codex-linux-sandbox")
    assert r.returncode == 2 and "--sandbox-policy-cwd" in r.stderr
    r = run(sbx, "--sandbox-policy-cwd", str(sbx.ws), "--sandbox-policy", "{nope", "--", "true",
            argv0="codex-linux-sandbox")
    assert r.returncode == 1 and "invalid JSON" in r.stderr


@pytest.mark.skipif(not SPAWN_TOOL.exists(), reason="build/tests/sandbox_spawn not built")
@pytest.mark.parametrize("pipeline", ["bwrap", "landlock"])
def test_library_spawn_without_a_pre_exec_hook(sbx, pipeline):
    """What the agent's libuv spawner gets: nothing runs between fork and exec
    except mapping the seccomp fd; Landlock then goes through the helper."""
    env = sbx.env()
    cmd = [str(SPAWN_TOOL), "-H", "-X", str(CODEX_BIN), "-p", pipeline, "-T", "-E", "--", "sh", "-c",
           "echo x > f; echo y > .git; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; "
           f"echo z > {sbx.outside}/h"]
    r = subprocess.run(cmd, cwd=sbx.ws, env=env, capture_output=True, text=True, timeout=60)
    assert (sbx.ws / "f").exists(), r.stderr
    assert not (sbx.ws / ".git").exists()
    assert not (sbx.outside / "h").exists()
    assert "Seccomp:\t2" in r.stdout and "NoNewPrivs:\t1" in r.stdout


@pytest.mark.skipif(landlock_abi() < 1, reason="Landlock is not enabled in this kernel")
def test_unusable_bwrap_falls_back_to_landlock_with_one_warning(sbx):
    fake = fake_bin(sbx.home, bwrap="exit 1")
    env = {"PATH": f"{fake}:/usr/local/bin:/usr/bin:/bin", "XDG_RUNTIME_DIR": str(sbx.home)}
    os.chmod(sbx.home, 0o700)
    r = run(sbx, "sandbox", "--full-auto", "--", "sh", "-c",
            f"echo x > f; echo y > {sbx.outside}/g; echo z > .git", env=env)
    warnings = [l for l in r.stderr.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 1, r.stderr
    assert "Landlock" in warnings[0]
    assert (sbx.ws / "f").exists()
    assert not (sbx.outside / "g").exists()
    assert not (sbx.ws / ".git").exists()
    r = run(sbx, "sandbox", "--full-auto", "--explain", env=env)
    assert "pipeline: landlock (bwrap cannot set up a sandbox here" in r.stdout


def test_missing_bwrap_falls_back_too(sbx):
    if landlock_abi() < 1:
        pytest.skip("Landlock is not enabled in this kernel")
    env = {"PATH": str(fake_bin(sbx.home)), "XDG_RUNTIME_DIR": str(sbx.home)}
    os.chmod(sbx.home, 0o700)
    r = run(sbx, "sandbox", "--", "sh", "-c", "echo x > f", env=env)
    assert r.returncode != 0 and not (sbx.ws / "f").exists()
    assert "bwrap not found" in r.stderr
