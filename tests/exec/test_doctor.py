"""codex doctor: each check in its group with the reference's glyphs, a
JSON report, and exit 1 when a check fails."""
import json

from exec_helpers import MockServer, write_config


def doctor(run_codex, codex_home, tmp_path, *args, env=None, extra_top=""):
    server = MockServer(tmp_path, [[{"type": "message", "text": "unused"}]])
    try:
        write_config(codex_home, server.port, extra_top=extra_top)
        return run_codex("doctor", *args, input="", env=env or {"MOCK_API_KEY": "k"})
    finally:
        server.stop()


def test_a_healthy_setup_passes(run_codex, codex_home, tmp_path):
    r = doctor(run_codex, codex_home, tmp_path, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["schemaVersion"] == 1 and report["overallStatus"] == "ok"
    checks = report["checks"]
    for cid in ["config.load", "auth.credentials", "sandbox.pipeline", "network.reachability",
                "state.rollouts", "environment.disk"]:
        assert checks[cid]["status"] == "ok", (cid, checks[cid])
    sandbox = checks["sandbox.pipeline"]["details"]
    assert {"bwrap", "user namespaces", "Landlock ABI", "seccomp"} <= set(sandbox)
    r = doctor(run_codex, codex_home, tmp_path, "--summary")
    assert "Configuration\n" in r.stdout and "\u2713 sandbox" in r.stdout
    assert " 0 fail" in r.stdout


def test_a_missing_key_fails_with_what_to_do(run_codex, codex_home, tmp_path):
    r = doctor(run_codex, codex_home, tmp_path, env={"MOCK_API_KEY": ""})
    assert r.returncode == 1
    assert "\u2717 auth" in r.stdout
    assert "Set MOCK_API_KEY for the active model provider." in r.stdout


def test_a_config_error_names_its_place(run_codex, codex_home, tmp_path):
    r = doctor(run_codex, codex_home, tmp_path, "--json", extra_top="hide_agent_reasoning = 3")
    assert r.returncode == 1
    summary = json.loads(r.stdout)["checks"]["config.load"]["summary"]
    assert f"{codex_home / 'config.toml'}:" in summary and "hide_agent_reasoning" in summary


def test_an_unreachable_provider_and_a_broken_session_file(run_codex, codex_home, tmp_path):
    day = codex_home / "sessions" / "2026" / "01" / "01"
    day.mkdir(parents=True)
    (day / "rollout-2026-01-01T00-00-00-00000000-0000-7000-8000-000000000001.jsonl").write_text("junk\n")
    write_config(codex_home, 9)  # nothing listens on port 9
    r = run_codex("doctor", "--json", input="", env={"MOCK_API_KEY": "k"})
    assert r.returncode == 1
    checks = json.loads(r.stdout)["checks"]
    assert checks["network.reachability"]["status"] == "fail"
    assert checks["network.reachability"]["remediation"]
    assert checks["state.rollouts"]["status"] == "warning"
