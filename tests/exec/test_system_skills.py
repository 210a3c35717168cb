"""The bundled system skills: written into $CODEX_HOME/skills/.system by the
commands that start a session (exec, app-server, the TUI), with a marker
holding the bundle's fingerprint, and offered to the model like any skill.

The reference (0.169) rules, probed side by side: nothing is written by
--version, --help or other commands; an up-to-date marker means nothing is
rewritten (a file the user deleted or edited stays so); a different or
missing marker replaces the whole folder; `[skills.bundled] enabled = false`
neither writes nor lists them (and leaves an existing folder alone); a skill
whose agents/openai.yaml forbids implicit use (review-agent) is not in the
model's list but can still be named with $."""
import os
import re
import stat
import subprocess

from test_skills import ONE, listed, skills_block, user_texts_after_prompt

SHIPPED = ["openai-docs", "review-agent", "skill-creator", "skill-installer"]
MARKER = ".codex-system-skills.marker"
ASSETS = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "system-skills")


def system_dir(codex_home):
    return codex_home / "skills" / ".system"


def test_exec_installs_the_bundle_with_a_marker(exec_run, codex_home):
    r, server, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    sysdir = system_dir(codex_home)
    assert sorted(os.listdir(sysdir)) == sorted(SHIPPED + [MARKER])
    marker = (sysdir / MARKER).read_text()
    assert re.fullmatch(r"[0-9a-f]{16}\n", marker), marker
    # byte for byte what assets/system-skills holds, scripts executable
    for d, _, names in os.walk(ASSETS):
        for n in names:
            src = os.path.join(d, n)
            dst = sysdir / os.path.relpath(src, ASSETS)
            assert dst.read_bytes() == open(src, "rb").read(), dst
            assert bool(dst.stat().st_mode & stat.S_IXUSR) == os.access(src, os.X_OK), dst
    assert not (sysdir / "imagegen").exists()  # nothing we cannot make work

    block = skills_block(server.requests()[0]["body"])
    got = listed(block)
    for name in ["openai-docs", "skill-creator", "skill-installer"]:
        assert got[name][1] == str((sysdir / name / "SKILL.md").resolve()), block
    assert "review-agent" not in got  # hidden by its agents/openai.yaml policy
    # the bundled skills come first, as in the reference
    assert list(got)[:3] == ["openai-docs", "skill-creator", "skill-installer"]


def test_commands_that_start_no_session_write_nothing(run_codex, codex_home):
    for argv in (["--version"], ["--help"], ["exec", "--help"], ["features", "list"]):
        r = run_codex(*argv)
        assert r.returncode == 0, (argv, r.stderr)
        assert not (codex_home / "skills").exists(), argv


def test_up_to_date_marker_keeps_user_changes_until_the_bundle_differs(exec_run, codex_home):
    r, _, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    sysdir = system_dir(codex_home)
    creator = sysdir / "skill-creator" / "SKILL.md"
    original = creator.read_bytes()
    creator.unlink()
    (sysdir / "skill-installer" / "SKILL.md").write_text(
        "---\nname: skill-installer\ndescription: Edited by the user.\n---\nmine\n")
    (sysdir / "notes.txt").write_text("user file\n")
    marker_before = (sysdir / MARKER).stat()

    r, server, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert not creator.exists()  # not restored while the marker matches
    assert (sysdir / "notes.txt").exists()
    assert (sysdir / MARKER).stat().st_mtime_ns == marker_before.st_mtime_ns
    got = listed(skills_block(server.requests()[0]["body"]))
    assert "skill-creator" not in got
    assert got["skill-installer"][0] == "Edited by the user."

    (sysdir / MARKER).write_text("0123456789abcdef\n")
    r, server, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert creator.read_bytes() == original
    assert not (sysdir / "notes.txt").exists()
    got = listed(skills_block(server.requests()[0]["body"]))
    assert "skill-creator" in got and got["skill-installer"][0] != "Edited by the user."
    assert sorted(os.listdir(codex_home / "skills")) == [".system"]  # no staging left


def test_a_deleted_folder_or_marker_is_rewritten(exec_run, codex_home):
    exec_run(ONE, "hi")
    sysdir = system_dir(codex_home)
    subprocess.run(["rm", "-rf", str(sysdir / "skill-creator")], check=True)
    (sysdir / MARKER).unlink()
    r, _, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert (sysdir / "skill-creator" / "SKILL.md").exists()
    subprocess.run(["rm", "-rf", str(sysdir)], check=True)
    r, _, _ = exec_run(ONE, "hi")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(sysdir)) == sorted(SHIPPED + [MARKER])


def test_bundled_disabled_neither_writes_nor_lists(exec_run, codex_home):
    off = "[skills.bundled]\nenabled = false\n"
    r, server, _ = exec_run(ONE, "hi", top=off)
    assert r.returncode == 0, r.stderr
    assert not (codex_home / "skills").exists()
    dev = [i for i in server.requests()[0]["body"]["input"] if i.get("role") == "developer"]
    assert not any("<skills_instructions>" in c["text"] for i in dev for c in i["content"])

    # installed earlier, then turned off: left on disk, not offered
    exec_run(ONE, "hi")
    stamp = (system_dir(codex_home) / MARKER).read_text()
    (system_dir(codex_home) / MARKER).write_text("0000000000000000\n")
    r, server, _ = exec_run(ONE, "use $skill-creator", top=off)
    assert r.returncode == 0, r.stderr
    assert (system_dir(codex_home) / MARKER).read_text() == "0000000000000000\n" != stamp
    body = server.requests()[0]["body"]
    assert user_texts_after_prompt(body, "use $skill-creator") == []


def test_a_system_skill_can_be_turned_off_by_name(exec_run):
    r, server, _ = exec_run(ONE, "hi", top='[[skills.config]]\nname = "openai-docs"\nenabled = false\n')
    assert r.returncode == 0, r.stderr
    got = listed(skills_block(server.requests()[0]["body"]))
    assert "openai-docs" not in got and "skill-creator" in got


def test_the_hidden_review_agent_loads_when_named(exec_run, codex_home):
    prompt = "please $review-agent my change"
    r, server, _ = exec_run(ONE, prompt)
    assert r.returncode == 0, r.stderr
    after = user_texts_after_prompt(server.requests()[0]["body"], prompt)
    path = (system_dir(codex_home) / "review-agent" / "SKILL.md").resolve()
    assert after == [f"<skill>\n<name>review-agent</name>\n<path>{path}</path>\n"
                     f"{path.read_text()}\n</skill>"]


def sh(script, *args, env=None, cwd=None):
    return subprocess.run(["sh", script, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


def test_skill_creator_scripts_scaffold_and_check(exec_run, codex_home, tmp_path):
    exec_run(ONE, "hi")
    scripts = system_dir(codex_home) / "skill-creator" / "scripts"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": str(codex_home),
           "HOME": str(tmp_path / "home")}
    r = sh(str(scripts / "init_skill.sh"), "pdf-forms", env=env)
    assert r.returncode == 0, r.stderr
    made = codex_home / "skills" / "pdf-forms"
    assert (made / "SKILL.md").exists() and (made / "scripts").is_dir()
    r = sh(str(scripts / "init_skill.sh"), "pdf-forms", env=env)
    assert r.returncode == 1 and "already exists" in r.stderr
    assert sh(str(scripts / "init_skill.sh"), "Bad_Name", env=env).returncode == 2
    r = sh(str(scripts / "check_skill.sh"), str(made), env=env)
    assert r.returncode == 1 and "TODO placeholder" in r.stderr
    (made / "SKILL.md").write_text("---\nname: pdf-forms\ndescription: Fill PDF forms. Use when asked.\n"
                                   "---\n\nRun pdftk.\n")
    r = sh(str(scripts / "check_skill.sh"), str(made), env=env)
    assert r.returncode == 0, r.stderr
    (made / "SKILL.md").write_text("no front matter\n")
    r = sh(str(scripts / "check_skill.sh"), str(made), env=env)
    assert r.returncode == 1 and ":1: front matter" in r.stderr
    # a skill written this way is offered in the next session
    (made / "SKILL.md").write_text("---\nname: pdf-forms\ndescription: Fill PDF forms.\n---\nbody\n")
    r, server, _ = exec_run(ONE, "hi")
    assert listed(skills_block(server.requests()[0]["body"]))["pdf-forms"][0] == "Fill PDF forms."


def test_skill_installer_installs_from_a_folder_and_a_git_repo(exec_run, codex_home, tmp_path):
    exec_run(ONE, "hi")
    script = str(system_dir(codex_home) / "skill-installer" / "scripts" / "install_skill.sh")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CODEX_HOME": str(codex_home),
           "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    src = tmp_path / "src" / "lint-fix"
    (src / "scripts").mkdir(parents=True)
    (src / "SKILL.md").write_text("---\nname: lint-fix\ndescription: Fix lint errors.\n---\nrun it\n")
    (src / "scripts" / "go.sh").write_text("echo go\n")
    r = sh(script, str(src), env=env)
    assert r.returncode == 0, r.stderr
    dest = codex_home / "skills" / "lint-fix"
    assert (dest / "scripts" / "go.sh").read_text() == "echo go\n"
    r = sh(script, str(src), env=env)
    assert r.returncode == 1 and "already exists" in r.stderr
    (src / "SKILL.md").write_text("---\nname: lint-fix\ndescription: Fix lint errors, v2.\n---\nrun it\n")
    assert sh(script, str(src), "--force", env=env).returncode == 0
    assert "v2" in (dest / "SKILL.md").read_text()

    # a sub-folder of a git repository, at a tag, under another name
    repo = tmp_path / "skills-repo"
    (repo / "skills" / "doc-gen").mkdir(parents=True)
    (repo / "skills" / "doc-gen" / "SKILL.md").write_text(
        "---\nname: doc-gen\ndescription: Generate docs.\n---\nbody\n")
    for argv in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"], ["tag", "v1"]):
        subprocess.run(["git", *argv], cwd=repo, env=env, check=True)
    r = sh(script, f"file://{repo}", "--path", "skills/doc-gen", "--ref", "v1", "--name", "docs", env=env)
    assert r.returncode == 0, r.stderr
    assert (codex_home / "skills" / "docs" / "SKILL.md").exists()
    assert not (codex_home / "skills" / "docs" / ".git").exists()
    # no SKILL.md there: refused, nothing left behind
    r = sh(script, f"file://{repo}", "--path", "skills", env=env)
    assert r.returncode == 1 and "no SKILL.md" in r.stderr
    r = sh(script, str(src), "--path", "../x", env=env)
    assert r.returncode == 1
    assert sorted(p for p in os.listdir(codex_home / "skills")) == [".system", "docs", "lint-fix"]
    r = sh(script, "--list", env=env)
    assert r.returncode == 0 and "docs\tGenerate docs." in r.stdout and "lint-fix\t" in r.stdout
    r, server, _ = exec_run(ONE, "hi")
    got = listed(skills_block(server.requests()[0]["body"]))
    assert "doc-gen" in got and "lint-fix" in got
