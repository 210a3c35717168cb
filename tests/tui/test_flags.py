"""Every root flag that `codex --help` lists works in the interactive
session, or warns, or is refused."""
import json
import re
import time


def turn_bodies(mock):
    return [r["body"] for r in mock.requests()
            if r.get("body") and "Name this coding session" not in json.dumps(r["body"]["input"])]


def run_hello(t, prompt="HELLO: hi"):
    t.wait_for(r"Ask Codex")
    t.submit(prompt)
    t.wait_for(r"Worked for")


def test_model_flag(tui, mock):
    t = tui("-m", "gpt-5.5-mini-test")
    run_hello(t)
    assert turn_bodies(mock)[-1]["model"] == "gpt-5.5-mini-test"
    t.wait_for(r"gpt-5\.5-mini-test default")


def test_config_override_flag(tui, mock):
    t = tui("-c", 'model_reasoning_effort="low"')
    run_hello(t)
    assert turn_bodies(mock)[-1]["reasoning"]["effort"] == "low"


def test_profile_flag(tui, mock, work):
    (work / "home" / "fast.config.toml").write_text('model = "gpt-5.5-profiled"\n')
    t = tui("-p", "fast")
    run_hello(t)
    assert turn_bodies(mock)[-1]["model"] == "gpt-5.5-profiled"


def test_sandbox_and_approval_flags(tui, work):
    t = tui("-s", "read-only", "-a", "on-request")
    t.wait_for(r"Ask Codex")
    t.submit("PATCH2DEMO: improve the guide")
    t.wait_for(r"Would you like to make the following edits\?")
    t.keys("Escape")
    t.wait_for(r"Ask Codex to do anything")
    assert "better docs" not in (work / "repo" / "docs" / "guide.md").read_text()


def test_yolo_runs_without_asking(tui, work):
    # Outside the workspace: the sandbox is off and nothing asks.
    t = tui("--yolo")
    t.wait_for(r"Ask Codex")
    t.submit("YOLODEMO: write outside")
    s = t.wait_for(r"Worked for")
    assert "Would you like to run" not in s
    assert "• Ran echo yolo" in s
    assert (work / "yolo_marker.txt").read_text() == "yolo\n"


def test_cd_flag(tui, work):
    t = tui("-C", str(work / "repo" / "src"), cwd=work)
    t.wait_for(r"· " + re.escape(str(work / "repo" / "src")))
    assert t.rows()[1].strip() == str(work / "repo" / "src")


def test_add_dir_becomes_a_writable_root(tui, work, mock):
    extra = work / "extra"
    extra.mkdir()
    t = tui("--add-dir", str(extra))
    run_hello(t)
    assert str(extra) in json.dumps(turn_bodies(mock)[-1]["input"])


def test_search_flag_offers_web_search(tui, mock):
    t = tui("--search")
    run_hello(t)
    tools = turn_bodies(mock)[-1].get("tools", [])
    assert any(tool.get("type") == "web_search" for tool in tools), tools


def test_image_flag_attaches_to_the_first_prompt(tui, mock, work):
    png = work / "dot.png"
    png.write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a55e3e7a0000000049454e44ae426082"))
    t = tui("-i", str(png), "HELLO: what is this")
    t.wait_for(r"Worked for")
    assert "[1 image attached]" in t.screen()
    body = json.dumps(turn_bodies(mock)[-1]["input"])
    assert "input_image" in body and "data:image/png;base64," in body


def test_worktree_is_refused(run_codex):
    r = run_codex("--worktree")
    assert r.returncode == 2
    assert "--worktree is not supported yet" in r.stderr


def test_unsupported_switches_warn(tui):
    t = tui("--approve-for-me", "--dangerously-bypass-hook-trust")
    t.wait_for(r"Ask Codex")
    t.keys("C-c")
    t.wait_exit()
    err = t.read_stderr()
    # Auto-review works now: the in-process server's threads get it.
    assert "--approve-for-me" not in err
    assert "codex-c: --dangerously-bypass-hook-trust is not supported yet; ignored" in err


def test_no_daemon_is_accepted(tui):
    # codex-c never uses a background server: the flag asks for what it does.
    t = tui("--no-daemon")
    run_hello(t)


def test_flags_after_the_prompt(tui, mock):
    t = tui("HELLO: late flags", "-m", "gpt-late")
    t.wait_for(r"Worked for")
    assert turn_bodies(mock)[-1]["model"] == "gpt-late"


def test_bad_flag_values(run_codex):
    r = run_codex("-s", "everything")
    assert r.returncode == 2 and "possible values" in r.stderr
    r = run_codex("x", "y")
    assert r.returncode == 2 and "unexpected argument 'y'" in r.stderr
